//! RFC 6901 JSON Pointers for spans, so diagnostics need not carry their path.

use super::{Node, Value};
use crate::source::Span;

/// The pointer of the deepest value (or member key) whose span contains `span`; `""` for the
/// whole document.
pub fn pointer_for(root: &Node, span: Span) -> String {
    let mut out = String::new();
    let mut node = root;
    loop {
        let next = match &node.value {
            Value::Array(items) => items
                .iter()
                .enumerate()
                .find(|(_, n)| n.span.contains(span))
                .map(|(i, n)| (i.to_string(), n)),
            Value::Object(members) => {
                if let Some(m) = members.iter().find(|m| m.key_span.contains(span)) {
                    push(&mut out, &m.key);
                    return out;
                }
                members
                    .iter()
                    .find(|m| m.value.span.contains(span))
                    .map(|m| (m.key.clone(), &m.value))
            }
            _ => None,
        };
        match next {
            Some((seg, child)) if child.span != node.span || !std::ptr::eq(child, node) => {
                push(&mut out, &seg);
                node = child;
            }
            _ => return out,
        }
    }
}

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
