//! `--format json`: one object with every finding (CLI.md).
//!
//! A run over many files prints megabytes: the findings are serialised in parallel, a window
//! of chunks at a time, and streamed to the writer, byte for byte what `serde_json`'s pretty
//! printer gives for the whole object (a test holds the two together).

use std::io::{self, Write};

use rayon::prelude::*;

use super::{Located, Summary};

/// Findings per parallel chunk, and chunks per window (what is held in memory at once).
const CHUNK: usize = 512;
const WINDOW: usize = 16;

/// What comes before each finding: the pretty printer's indentation two levels down.
const INDENT: &[u8] = b"\n    ";

pub fn render(
    out: &mut dyn Write,
    files: usize,
    diagnostics: &[&Located],
    summary: Summary,
) -> io::Result<()> {
    write!(
        out,
        "{{\n  \"version\": 1,\n  \"files\": {files},\n  \"diagnostics\": ["
    )?;
    for (w, window) in diagnostics.chunks(CHUNK * WINDOW).enumerate() {
        let parts: Vec<io::Result<Vec<u8>>> = window
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(c, chunk)| render_chunk(chunk, w == 0 && c == 0))
            .collect();
        for part in parts {
            out.write_all(&part?)?;
        }
    }
    if !diagnostics.is_empty() {
        out.write_all(b"\n  ")?;
    }
    out.write_all(b"],\n  \"summary\": ")?;
    let mut buf = Vec::new();
    serde_json::to_writer_pretty(&mut buf, &summary)?;
    write_indented(out, &buf, b"\n  ")?;
    out.write_all(b"\n}\n")
}

/// The findings of one chunk as array elements, each preceded by its separator.
fn render_chunk(chunk: &[&Located], first: bool) -> io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(chunk.len() * 640);
    let mut one = Vec::with_capacity(1024);
    for (i, d) in chunk.iter().enumerate() {
        if !(first && i == 0) {
            out.push(b',');
        }
        out.extend_from_slice(INDENT);
        one.clear();
        serde_json::to_writer_pretty(&mut one, d)?;
        write_indented(&mut out, &one, INDENT)?;
    }
    Ok(out)
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

    /// The streamed output is exactly the pretty printer's for the whole object.
    #[test]
    fn same_bytes_as_the_pretty_printer() {
        #[derive(serde::Serialize)]
        struct Output<'a> {
            version: u32,
            files: usize,
            diagnostics: &'a [&'a Located],
            summary: Summary,
        }
        let source = SourceFile::new("a \"b\".json", "{\"Version\": \"2\",\n \"x\": 1}");
        let report = lint::lint_source(source, lint::LintOptions::default());
        let one = Located::all(report);
        assert!(one.len() >= 2, "{one:?}");
        // Enough findings to span several chunks and windows.
        let many: Vec<&Located> = one.iter().cycle().take(CHUNK * WINDOW * 2 + 3).collect();
        for ds in [&many[..0], &many[..1], &many[..2], &many[..]] {
            let summary = Summary {
                error: ds.len(),
                warning: 1,
                info: 0,
            };
            let mut streamed = Vec::new();
            render(&mut streamed, 7, ds, summary).unwrap();
            let mut expected = serde_json::to_string_pretty(&Output {
                version: 1,
                files: 7,
                diagnostics: ds,
                summary,
            })
            .unwrap();
            expected.push('\n');
            assert_eq!(String::from_utf8(streamed).unwrap(), expected);
        }
    }
}
