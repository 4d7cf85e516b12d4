//! Terminal-safe text: what a policy, a file name, a server or a profile wrote reaches the
//! terminal only after this, so an `ESC` cannot start an escape sequence and a `CR` cannot
//! overwrite the line that holds it.

use std::borrow::Cow;

/// Whether `c` must not reach a terminal raw: C0 and C1 controls, DEL, and the bidirectional
/// overrides and isolates that reorder what is shown ("trojan source"). Tab is harmless.
fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The escaped form of an unsafe character (`\r`, `\n`, `\u{1b}`), written to `out`.
fn push_escaped(out: &mut String, c: char) {
    match c {
        '\r' => out.push_str("\\r"),
        '\n' => out.push_str("\\n"),
        c => {
            use std::fmt::Write;
            // Writing to a String cannot fail.
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// Length in bytes of `c` once escaped (what [`escape`] writes for it).
#[cfg(any(feature = "cli", test))]
pub(crate) fn escaped_len(c: char) -> usize {
    if !is_unsafe(c) {
        return c.len_utf8();
    }
    let mut s = String::new();
    push_escaped(&mut s, c);
    s.len()
}

/// `s` with every control character (newlines included) written as an escape: for one-line
/// texts (a message, a file name, a server's error code).
pub fn escape(s: &str) -> Cow<'_, str> {
    escape_with(s, false)
}

/// [`escape`] for a text of several lines: `\n` is kept, everything else is escaped.
pub fn escape_lines(s: &str) -> Cow<'_, str> {
    escape_with(s, true)
}

fn escape_with(s: &str, keep_newlines: bool) -> Cow<'_, str> {
    let unsafe_here = |c: char| is_unsafe(c) && !(keep_newlines && c == '\n');
    if !s.chars().any(unsafe_here) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if unsafe_here(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_escaped() {
        assert_eq!(escape("a\u{1b}]0;x\u{7}b"), "a\\u{1b}]0;x\\u{7}b");
        assert_eq!(escape("ok\rbad"), "ok\\rbad");
        assert_eq!(escape("l1\nl2"), "l1\\nl2");
        assert_eq!(escape_lines("l1\nl2\r"), "l1\nl2\\r");
        assert_eq!(escape("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(escape("a\u{202e}b"), "a\\u{202e}b");
        assert!(matches!(escape("tab\tand é 中"), Cow::Borrowed(_)));
        for c in ['\u{1b}', '\r', 'a', '中'] {
            assert_eq!(escaped_len(c), escape(&c.to_string()).len());
        }
    }
}
