//! Documents written as JSON strings: RAM API and `aliyun` CLI responses, a file that is one
//! JSON string, a plan's attribute values. The string is decoded with a map through its escapes
//! (`\"`, `\n`, `\u0041`), so a finding inside lands on the host's column.

use super::span_map::Builder;
use super::{Document, Host};
use crate::json::{Node, Value};
use crate::source::{SourceFile, Span};

/// Where API responses keep documents, as JSON Pointers, with the kind each one is.
const ENVELOPES: &[(&str, &str, Option<&str>)] = &[
    ("PolicyVersion", "PolicyDocument", None),
    ("DefaultPolicyVersion", "PolicyDocument", None),
    ("Role", "AssumeRolePolicyDocument", Some("trust")),
    ("ControlPolicy", "PolicyDocument", Some("control")),
];

/// Decodes the JSON string `node` (its span in `host` includes the quotes) into `out`.
pub fn decode(host: &str, node: &Node, out: &mut Builder) {
    let (start, end) = (node.span.start as usize + 1, node.span.end as usize - 1);
    let Some(raw) = host.get(start..end.max(start)) else {
        return;
    };
    let bytes = raw.as_bytes();
    let mut run = 0;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b != b'\\' {
            i += 1;
            continue;
        }
        out.copy(raw.get(run..i).unwrap_or(""), start + run);
        let (ch, len) = escape(raw, i);
        let mut buf = [0u8; 4];
        out.emit(
            ch.encode_utf8(&mut buf),
            Span::new(start + i, start + i + len),
        );
        i += len;
        run = i;
    }
    out.copy(raw.get(run..).unwrap_or(""), start + run);
}

/// The character an escape at `at` stands for, and the escape's length in bytes.
fn escape(raw: &str, at: usize) -> (char, usize) {
    let letter = raw.as_bytes().get(at + 1).copied().unwrap_or(b'\\');
    let simple = match letter {
        b'"' => Some('"'),
        b'\\' => Some('\\'),
        b'/' => Some('/'),
        b'b' => Some('\u{8}'),
        b'f' => Some('\u{c}'),
        b'n' => Some('\n'),
        b'r' => Some('\r'),
        b't' => Some('\t'),
        _ => None,
    };
    if let Some(c) = simple {
        return (c, 2);
    }
    let hex = |from: usize| -> Option<u32> {
        raw.get(from..from + 4)
            .and_then(|h| u32::from_str_radix(h, 16).ok())
    };
    match (letter, hex(at + 2)) {
        (b'u', Some(hi @ 0xD800..=0xDBFF)) => {
            let lo = (raw.get(at + 6..at + 8) == Some("\\u"))
                .then(|| hex(at + 8))
                .flatten();
            match lo {
                Some(lo @ 0xDC00..=0xDFFF) => {
                    let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                    (char::from_u32(c).unwrap_or('\u{FFFD}'), 12)
                }
                _ => ('\u{FFFD}', 6),
            }
        }
        (b'u', Some(c)) => (char::from_u32(c).unwrap_or('\u{FFFD}'), 6),
        _ => ('\u{FFFD}', 2.min(raw.len() - at)),
    }
}

/// A document held in the JSON string `node` of `file`.
pub fn string_document(
    file: &SourceFile,
    host: Host,
    address: Option<String>,
    kind: Option<&'static str>,
    node: &Node,
) -> Document {
    let mut b = Builder::new();
    decode(&file.text, node, &mut b);
    let (text, map) = b.finish();
    let unknown = unknown_parts(&text);
    Document::built(file, host, address, kind, node.span, (text, map), unknown)
}

/// `${...}` parts already written into a document's text (a plan keeps Terraform's
/// unresolved references as text only when they are literal).
pub fn unknown_parts(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("${") {
        let after = &rest[i + 2..];
        let Some(j) = after.find('}') else { break };
        let name = after[..j].to_string();
        if !out.contains(&name) {
            out.push(name);
        }
        rest = &after[j + 1..];
    }
    out
}

/// The documents of an API response (`None`: the object is not one).
pub fn read(file: &SourceFile, root: &Node) -> Option<Vec<Document>> {
    let Value::Object(members) = &root.value else {
        return None;
    };
    let mut docs = Vec::new();
    for (outer, inner, kind) in ENVELOPES {
        let Some(obj) = members.iter().find(|m| m.key == *outer) else {
            continue;
        };
        let Value::Object(fields) = &obj.value.value else {
            continue;
        };
        let Some(field) = fields.iter().find(|m| m.key == *inner) else {
            continue;
        };
        let address = format!("/{outer}/{inner}");
        if let Value::String(_) = field.value.value {
            docs.push(string_document(
                file,
                Host::Envelope,
                Some(address),
                *kind,
                &field.value,
            ));
        }
    }
    (!docs.is_empty()).then_some(docs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_map_to_their_host_bytes() {
        let host = r#""{\"Effect\": \"Allow\",\n \u0041}""#;
        let parsed = crate::json::parse(host);
        let node = parsed.root.expect("string");
        let mut b = Builder::new();
        decode(host, &node, &mut b);
        let (text, map) = b.finish();
        assert_eq!(text, "{\"Effect\": \"Allow\",\n A}");
        let e = text.find("\"Effect\"").unwrap_or(0);
        let span = map.map(Span::new(e, e + 8));
        assert_eq!(&host[span.range()], r#"\"Effect\""#);
        let a = text.rfind('A').unwrap_or(0);
        assert_eq!(&host[map.map(Span::new(a, a + 1)).range()], r"\u0041");
    }

    #[test]
    fn surrogate_pairs_decode() {
        let host = r#""\ud83d\ude00x""#;
        let node = crate::json::parse(host).root.expect("string");
        let mut b = Builder::new();
        decode(host, &node, &mut b);
        assert_eq!(b.finish().0, "\u{1F600}x");
    }
}
