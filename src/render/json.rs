//! `--format json`: one object with every finding (CLI.md).
//!
//! A run over many files prints megabytes, so the object is streamed: [`begin`], then each
//! file's findings as rendered by [`findings`] (in parallel, by the caller) and written by a
//! [`Stream`] in order, then [`Stream::end`]. The bytes are exactly what `serde_json`'s pretty
//! printer gives for the whole object (a test holds the two together).

use std::io::{self, Write};

use super::{Located, Summary};

/// What comes before each finding: the pretty printer's indentation two levels down.
const INDENT: &[u8] = b"\n    ";

/// The object being written.
pub struct Stream {
    any: bool,
}

/// Writes the head of the object, up to the opening of `diagnostics`.
pub fn begin(out: &mut dyn Write, files: usize) -> io::Result<Stream> {
    write!(
        out,
        "{{\n  \"version\": 1,\n  \"files\": {files},\n  \"diagnostics\": ["
    )?;
    Ok(Stream { any: false })
}

/// One file's findings as array elements, each preceded by `,` and its indentation (the
/// stream drops the comma before the first element of all).
pub fn findings(located: &[Located]) -> io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(located.len() * 640);
    for d in located {
        out.push(b',');
        out.extend_from_slice(INDENT);
        finding(&mut out, d)?;
    }
    Ok(out)
}

/// One finding, laid out as the pretty printer lays out [`Located`] two levels down: written
/// field by field, since a run prints tens of thousands of them.
fn finding(out: &mut Vec<u8>, d: &Located) -> io::Result<()> {
    // Keys are plain identifiers: copied, not formatted (no `fmt` machinery per field).
    let field = |out: &mut Vec<u8>, key: &str| {
        out.extend_from_slice(b",\n      \"");
        out.extend_from_slice(key.as_bytes());
        out.extend_from_slice(b"\": ");
    };
    let string = |out: &mut Vec<u8>, key: &str, value: &str| -> io::Result<()> {
        field(out, key);
        serde_json::to_writer(&mut *out, value).map_err(io::Error::from)
    };
    out.extend_from_slice(b"{\n      \"code\": ");
    serde_json::to_writer(&mut *out, d.code)?;
    string(out, "name", d.name)?;
    string(out, "severity", d.severity.as_str())?;
    string(out, "message", &d.message)?;
    string(out, "file", &d.file)?;
    if let Some(document) = &d.document {
        string(out, "document", document)?;
    }
    string(out, "pointer", &d.pointer)?;
    for (key, n) in [
        ("line", d.line),
        ("column", d.column),
        ("end_line", d.end_line),
        ("end_column", d.end_column),
        ("offset", d.offset),
        ("length", d.length),
    ] {
        field(out, key);
        serde_json::to_writer(&mut *out, &n)?;
    }
    if let Some(help) = &d.help {
        string(out, "help", help)?;
    }
    string(out, "url", &d.rule.url().to_string())?;
    out.extend_from_slice(b"\n    }");
    Ok(())
}

impl Stream {
    /// Writes what [`findings`] rendered.
    pub fn write(&mut self, out: &mut dyn Write, rendered: &[u8]) -> io::Result<()> {
        let Some((comma, rest)) = rendered.split_first() else {
            return Ok(());
        };
        if self.any {
            out.write_all(std::slice::from_ref(comma))?;
        }
        self.any = true;
        out.write_all(rest)
    }

    /// Closes `diagnostics` and writes the summary.
    pub fn end(self, out: &mut dyn Write, summary: Summary) -> io::Result<()> {
        if self.any {
            out.write_all(b"\n  ")?;
        }
        out.write_all(b"],\n  \"summary\": ")?;
        let mut buf = Vec::new();
        serde_json::to_writer_pretty(&mut buf, &summary)?;
        write_indented(out, &buf, b"\n  ")?;
        out.write_all(b"\n}\n")
    }
}

/// Copies pretty-printed JSON, putting `newline` (a newline and the indentation) in place of
/// each line break. Strings never hold a raw line break, so every one is structure.
fn write_indented(out: &mut dyn Write, json: &[u8], newline: &[u8]) -> io::Result<()> {
    let mut lines = json.split(|b| *b == b'\n');
    if let Some(first) = lines.next() {
        out.write_all(first)?;
    }
    for line in lines {
        out.write_all(newline)?;
        out.write_all(line)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint;
    use crate::source::SourceFile;

    /// The streamed output is exactly the pretty printer's for the whole object, whichever
    /// files have findings.
    #[test]
    fn same_bytes_as_the_pretty_printer() {
        #[derive(serde::Serialize)]
        struct Output<'a> {
            version: u32,
            files: usize,
            diagnostics: &'a [&'a Located],
            summary: Summary,
        }
        let located = |text: &str| {
            let source = SourceFile::new("a \"b\".json", text);
            Located::all(lint::lint_source(source, lint::LintOptions::default()))
        };
        let two = located("{\"Version\": \"2\",\n \"x\": 1}");
        assert!(two.len() >= 2, "{two:?}");
        let clean = located(
            r#"{"Version": "1", "Statement": [{"Effect": "Deny", "Action": "dbs:StartBackupPlan", "Resource": "*"}]}"#,
        );
        assert!(clean.is_empty(), "{clean:?}");
        for files in [
            vec![],
            vec![&clean],
            vec![&two],
            vec![&clean, &two, &clean, &two],
        ] {
            let all: Vec<&Located> = files.iter().flat_map(|f| f.iter()).collect();
            let summary = Summary {
                error: all.len(),
                warning: 1,
                info: 0,
            };
            let mut streamed = Vec::new();
            let mut stream = begin(&mut streamed, files.len()).unwrap();
            for f in &files {
                stream.write(&mut streamed, &findings(f).unwrap()).unwrap();
            }
            stream.end(&mut streamed, summary).unwrap();
            let mut expected = serde_json::to_string_pretty(&Output {
                version: 1,
                files: files.len(),
                diagnostics: &all,
                summary,
            })
            .unwrap();
            expected.push('\n');
            assert_eq!(String::from_utf8(streamed).unwrap(), expected);
        }
    }
}
