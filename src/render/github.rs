//! `--format github`: GitHub Actions workflow commands, one line per finding, which the runner
//! turns into annotations on the pull request's diff.
//!
//! `::error file=F,line=L,col=C,endLine=EL,endColumn=EC,title=RG001 invalid-json::message`

use std::io::{self, Write};

use super::Located;
use crate::lint::Severity;

pub fn render(out: &mut dyn Write, located: &[&Located]) -> io::Result<()> {
    for l in located {
        let command = match l.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut message = l.message.clone();
        if let Some(document) = &l.document {
            message = format!("{message} (in `{document}`)");
        }
        if let Some(help) = &l.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            property(&l.file),
            l.line,
            l.column,
            l.end_line,
            l.end_column,
            property(&format!("{} {}", l.code, l.name)),
            data(&message),
        )?;
    }
    Ok(())
}

/// Escapes the message part of a workflow command; other control characters (an `ESC` from a
/// policy) are escaped as in every other output, since runner logs are shown on terminals too.
fn data(s: &str) -> String {
    let s = s
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    super::escape::escape(&s).into_owned()
}

/// Escapes a property value, which also ends at `,` and `:`.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_follow_the_runner() {
        assert_eq!(data("100% sure\r\nnext"), "100%25 sure%0D%0Anext");
        assert_eq!(property("a:b,c%"), "a%3Ab%2Cc%25");
        assert_eq!(data("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
    }
}
