//! RFC 6901 JSON Pointers for spans, so diagnostics need not carry their path.

use std::fmt::Write;

use super::{Node, Value};
use crate::source::Span;

/// The pointer of the deepest value (or member key) whose span contains `span`; `""` for the
/// whole document (and for spans outside every child of the root).
///
/// Children are in document order, so each level is a binary search: a diagnostic costs the
/// depth times the log of the widest container, not a scan of its siblings (80,000 findings in
/// one 80,000-element array stay linear).
pub fn pointer_for(root: &Node, span: Span) -> String {
    let mut out = String::new();
    let mut node = root;
    // Each step goes one level down a finite tree, so the loop ends.
    loop {
        match &node.value {
            Value::Array(items) => {
                let i = items
                    .partition_point(|n| n.span.start <= span.start)
                    .saturating_sub(1);
                let Some(item) = items.get(i).filter(|n| n.span.contains(span)) else {
                    return out;
                };
                // Writing to a String cannot fail.
                let _ = write!(out, "/{i}");
                node = item;
            }
            Value::Object(members) => {
                let i = members
                    .partition_point(|m| m.key_span.start <= span.start)
                    .saturating_sub(1);
                let Some(m) = members
                    .get(i)
                    .filter(|m| m.key_span.contains(span) || m.value.span.contains(span))
                else {
                    return out;
                };
                push(&mut out, &m.key);
                if m.key_span.contains(span) {
                    // A key stands for its member.
                    return out;
                }
                node = &m.value;
            }
            _ => return out,
        }
    }
}

/// Appends `/segment`, escaping `~` and `/` as RFC 6901 says.
fn push(out: &mut String, segment: &str) {
    out.push('/');
    for c in segment.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse;

    /// Pointer for the first occurrence of `needle` in `text`.
    fn pointer_at(text: &str, needle: &str) -> Option<String> {
        let root = parse(text).root?;
        let start = text.find(needle)?;
        Some(pointer_for(&root, Span::new(start, start + needle.len())))
    }

    const POLICY: &str = r#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": ["dbs:*", "ram:List*"], "Resource": "*"},
    {"Effect": "Deny", "Action": "ram:*"}
  ]
}"#;

    #[test]
    fn value_spans() {
        assert_eq!(
            pointer_at(POLICY, r#""Allow""#).as_deref(),
            Some("/Statement/0/Effect")
        );
        assert_eq!(
            pointer_at(POLICY, r#""Deny""#).as_deref(),
            Some("/Statement/1/Effect")
        );
        assert_eq!(
            pointer_at(POLICY, r#""ram:List*""#).as_deref(),
            Some("/Statement/0/Action/1")
        );
        assert_eq!(pointer_at(POLICY, r#""1""#).as_deref(), Some("/Version"));
        // A part of a string still points at the string.
        assert_eq!(
            pointer_at(POLICY, "List").as_deref(),
            Some("/Statement/0/Action/1")
        );
        assert_eq!(
            pointer_at(POLICY, r#"{"Effect": "Deny""#).as_deref(),
            Some("/Statement/1")
        );
    }

    #[test]
    fn key_span_gives_the_member() {
        assert_eq!(
            pointer_at(POLICY, r#""Statement""#).as_deref(),
            Some("/Statement")
        );
        assert_eq!(
            pointer_at(POLICY, r#""Resource""#).as_deref(),
            Some("/Statement/0/Resource")
        );
        assert_eq!(pointer_at(POLICY, "Versi").as_deref(), Some("/Version"));
    }

    #[test]
    fn root_and_outside() {
        let Some(root) = parse(POLICY).root else {
            unreachable!("the policy parses");
        };
        assert_eq!(pointer_for(&root, root.span), "");
        assert_eq!(pointer_for(&root, Span::new(0, 1)), "");
        assert_eq!(pointer_for(&root, Span::new(9_999, 10_000)), "");
        // Whitespace between members belongs to the object around it.
        let ws = POLICY.find("\n  \"Statement").unwrap_or(0);
        assert_eq!(pointer_for(&root, Span::new(ws, ws + 1)), "");
        assert_eq!(pointer_at("[1, 2]", "2").as_deref(), Some("/1"));
        assert_eq!(pointer_at("\"x\"", "x").as_deref(), Some(""));
    }

    #[test]
    fn escaping() {
        let text = r#"{"a/b": {"m~n": 1, "~/": [true], "": null}}"#;
        assert_eq!(pointer_at(text, "1").as_deref(), Some("/a~1b/m~0n"));
        assert_eq!(pointer_at(text, "true").as_deref(), Some("/a~1b/~0~1/0"));
        assert_eq!(pointer_at(text, "null").as_deref(), Some("/a~1b/"));
        // Keys are pointed at by their decoded text.
        let text = r#"{"\u00e9\/": 0}"#;
        assert_eq!(pointer_at(text, "0").as_deref(), Some("/é~1"));
    }
}
