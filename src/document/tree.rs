//! A host's value tree (an HCL object, a YAML map, a ROS template's JSON) and its rendering as
//! the JSON text the policy layer reads, each token mapped to the host value it came from.

use super::span_map::Builder;
use crate::source::Span;

/// A value read out of a host, with its host span.
#[derive(Clone, Debug, PartialEq)]
pub enum Tree {
    Null(Span),
    Bool(bool, Span),
    /// As written (`1`, `1.5`); rendered as a JSON number.
    Number(String, Span),
    /// A string made of known text and unknown parts (`${var.x}`, `!Ref Bucket`).
    Str(Vec<Piece>, Span),
    Array(Vec<Tree>, Span),
    Object(Vec<Member>, Span),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub key: String,
    pub key_span: Span,
    pub value: Tree,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    /// A value not known where the document is written: shown as `${name}`.
    Unknown(String),
}

impl Tree {
    pub fn span(&self) -> Span {
        match self {
            Tree::Null(s)
            | Tree::Bool(_, s)
            | Tree::Number(_, s)
            | Tree::Str(_, s)
            | Tree::Array(_, s)
            | Tree::Object(_, s) => *s,
        }
    }

    /// A value that is unknown as a whole.
    pub fn unknown(name: impl Into<String>, span: Span) -> Tree {
        Tree::Str(vec![Piece::Unknown(name.into())], span)
    }

    pub fn text(text: impl Into<String>, span: Span) -> Tree {
        Tree::Str(vec![Piece::Text(text.into())], span)
    }

    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Tree> {
        match self {
            Tree::Object(members, _) => members.iter().find(|m| m.key == key).map(|m| &m.value),
            _ => None,
        }
    }

    /// The whole text of a string without unknown parts.
    pub fn as_known_str(&self) -> Option<String> {
        match self {
            Tree::Str(pieces, _) => pieces
                .iter()
                .map(|p| match p {
                    Piece::Text(t) => Some(t.as_str()),
                    Piece::Unknown(_) => None,
                })
                .collect(),
            _ => None,
        }
    }
}

/// How an unknown part is written inside the document's text: `${name}`, with characters that
/// would end a JSON string or an unknown part replaced.
pub fn unknown_text(name: &str) -> String {
    let clean: String = name
        .trim()
        .chars()
        .map(|c| match c {
            '"' => '\'',
            '\\' | '}' => '_',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    format!("${{{clean}}}")
}

/// Renders `tree` as JSON into `out`; the names of its unknown parts are added to `unknown`.
pub fn render(tree: &Tree, out: &mut Builder, unknown: &mut Vec<String>) {
    // An explicit stack: host trees are as deep as their authors make them.
    enum Step<'a> {
        Value(&'a Tree),
        Text(&'static str, Span),
        Key(&'a Member),
    }
    let mut stack = vec![Step::Value(tree)];
    while let Some(step) = stack.pop() {
        match step {
            Step::Text(t, span) => out.emit(t, span),
            Step::Key(m) => {
                out.emit(&json_string(&m.key), m.key_span);
                out.emit(": ", m.key_span);
                stack.push(Step::Value(&m.value));
            }
            Step::Value(v) => match v {
                Tree::Null(s) => out.emit("null", *s),
                Tree::Bool(b, s) => out.emit(if *b { "true" } else { "false" }, *s),
                Tree::Number(n, s) => out.emit(n, *s),
                Tree::Str(pieces, s) => {
                    let mut text = String::new();
                    for p in pieces {
                        match p {
                            Piece::Text(t) => text.push_str(t),
                            Piece::Unknown(name) => {
                                text.push_str(&unknown_text(name));
                                if !unknown.contains(name) {
                                    unknown.push(name.clone());
                                }
                            }
                        }
                    }
                    out.emit(&json_string(&text), *s);
                }
                Tree::Array(items, s) => {
                    let (open, close) = ends(*s);
                    out.emit("[", open);
                    stack.push(Step::Text("]", close));
                    for (i, item) in items.iter().enumerate().rev() {
                        stack.push(Step::Value(item));
                        if i > 0 {
                            stack.push(Step::Text(", ", item.span()));
                        }
                    }
                }
                Tree::Object(members, s) => {
                    let (open, close) = ends(*s);
                    out.emit("{", open);
                    stack.push(Step::Text("}", close));
                    for (i, m) in members.iter().enumerate().rev() {
                        stack.push(Step::Key(m));
                        if i > 0 {
                            stack.push(Step::Text(", ", m.key_span));
                        }
                    }
                }
            },
        }
    }
}

/// The first and last byte of a container's span, what its brackets map to.
fn ends(s: Span) -> (Span, Span) {
    let first = Span::new(s.start as usize, (s.start + 1).min(s.end) as usize);
    let last = Span::new(
        s.end.saturating_sub(1).max(s.start) as usize,
        s.end as usize,
    );
    (first, last)
}

pub fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_json_with_unknown_parts() {
        let sp = |a, b| Span::new(a, b);
        let tree = Tree::Object(
            vec![
                Member {
                    key: "Version".into(),
                    key_span: sp(1, 8),
                    value: Tree::text("1", sp(11, 14)),
                },
                Member {
                    key: "R".into(),
                    key_span: sp(20, 21),
                    value: Tree::Array(
                        vec![Tree::Str(
                            vec![
                                Piece::Text("acs:oss:*:".into()),
                                Piece::Unknown("var.a".into()),
                            ],
                            sp(30, 40),
                        )],
                        sp(25, 45),
                    ),
                },
            ],
            sp(0, 50),
        );
        let mut b = Builder::new();
        let mut unknown = Vec::new();
        render(&tree, &mut b, &mut unknown);
        let (text, map) = b.finish();
        assert_eq!(text, r#"{"Version": "1", "R": ["acs:oss:*:${var.a}"]}"#);
        assert_eq!(unknown, vec!["var.a".to_string()]);
        let at = text.find("\"1\"").unwrap_or(0);
        assert_eq!(map.map(Span::new(at, at + 3)), sp(11, 14));
        assert_eq!(map.map(Span::new(0, text.len())), sp(0, 50));
        let parsed = crate::json::parse(&text);
        assert!(parsed.errors.is_empty());
    }
}
