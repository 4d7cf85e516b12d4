//! YAML with spans (ROS templates): events of `yaml-rust2` built into a [`Tree`], short-form
//! tags (`!Ref X`, `!Sub ...`) turned into their `Ref` / `Fn::` objects.

use std::path::Path;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::tree::{Member, Tree};
use super::{Host, Problem, ProblemKind, Read, ReadOptions};
use crate::source::{SourceFile, Span};

/// A container being built: its start, its tag, its items (keys and values alternate in a map).
struct Open {
    start: usize,
    map: bool,
    tag: Option<Tag>,
    items: Vec<Tree>,
}

struct Builder<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
    stack: Vec<Open>,
    root: Option<Tree>,
}

impl Builder<'_> {
    /// Byte offset of a marker (its line and column are in characters).
    fn offset(&self, m: &Marker) -> usize {
        let line = self
            .line_starts
            .get(m.line().saturating_sub(1))
            .copied()
            .unwrap_or(self.text.len());
        let rest = self.text.get(line..).unwrap_or("");
        line + rest
            .char_indices()
            .nth(m.col())
            .map_or(rest.len(), |(i, _)| i)
    }

    /// The end of a scalar that starts at `start`.
    fn scalar_end(&self, start: usize, value: &str, style: TScalarStyle) -> usize {
        let rest = self.text.get(start..).unwrap_or("");
        let len = match style {
            TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted => {
                let q = if style == TScalarStyle::SingleQuoted {
                    '\''
                } else {
                    '"'
                };
                let mut escaped = false;
                rest.char_indices()
                    .skip(1)
                    .find(|&(_, c)| {
                        let end = c == q && !escaped;
                        escaped = q == '"' && c == '\\' && !escaped;
                        end
                    })
                    .map_or(rest.len(), |(i, _)| i + 1)
            }
            TScalarStyle::Plain => value.len().min(rest.len()),
            TScalarStyle::Literal | TScalarStyle::Folded => {
                // To the last line of the block: the value's lines, after the header line.
                let header = usize::from(rest.starts_with(['|', '>']));
                let lines = value.lines().count() + header;
                let mut end = 0;
                for (n, (i, _)) in rest.match_indices('\n').enumerate() {
                    end = i;
                    if n + 1 >= lines {
                        break;
                    }
                }
                if end == 0 {
                    rest.len()
                } else {
                    end
                }
            }
        };
        start + len
    }

    fn push(&mut self, tree: Tree) {
        match self.stack.last_mut() {
            Some(open) => open.items.push(tree),
            None => {
                if self.root.is_none() {
                    self.root = Some(tree);
                }
            }
        }
    }
}

/// A tagged value as the long form ROS also accepts: `!Ref X` is `{"Ref": X}`.
fn tagged(tag: Option<Tag>, value: Tree) -> Tree {
    let Some(tag) = tag else { return value };
    if tag.handle != "!" || tag.suffix.is_empty() {
        return value;
    }
    let key = if tag.suffix == "Ref" {
        "Ref".to_string()
    } else {
        format!("Fn::{}", tag.suffix)
    };
    let span = value.span();
    Tree::Object(
        vec![Member {
            key,
            key_span: span,
            value,
        }],
        span,
    )
}

impl MarkedEventReceiver for Builder<'_> {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let at = self.offset(&mark);
        let map = matches!(ev, Event::MappingStart(..));
        match ev {
            Event::MappingStart(_, tag) | Event::SequenceStart(_, tag) => self.stack.push(Open {
                start: at,
                map,
                tag,
                items: Vec::new(),
            }),
            Event::MappingEnd | Event::SequenceEnd => {
                let Some(open) = self.stack.pop() else { return };
                let end = self
                    .text
                    .get(..at)
                    .map_or(at, |t| t.trim_end().len())
                    .max(open.start);
                let span = Span::new(open.start, end);
                let tree = if open.map {
                    let mut members = Vec::new();
                    let mut items = open.items.into_iter();
                    while let (Some(k), Some(v)) = (items.next(), items.next()) {
                        let key = k.as_known_str().unwrap_or_default();
                        members.push(Member {
                            key,
                            key_span: k.span(),
                            value: v,
                        });
                    }
                    Tree::Object(members, span)
                } else {
                    Tree::Array(open.items, span)
                };
                self.push(tagged(open.tag, tree));
            }
            Event::Scalar(value, style, _, tag) => {
                let end = self.scalar_end(at, &value, style);
                let span = Span::new(at, end);
                let tree = if style != TScalarStyle::Plain || tag.is_some() {
                    Tree::text(value, span)
                } else {
                    plain(value, span)
                };
                self.push(tagged(tag, tree));
            }
            Event::Alias(_) => self.push(Tree::unknown("alias", Span::new(at, at))),
            _ => {}
        }
    }
}

/// A plain scalar's YAML 1.2 core type.
fn plain(value: String, span: Span) -> Tree {
    match value.as_str() {
        "null" | "Null" | "NULL" | "~" | "" => Tree::Null(span),
        "true" | "True" | "TRUE" => Tree::Bool(true, span),
        "false" | "False" | "FALSE" => Tree::Bool(false, span),
        v if serde_json::from_str::<serde_json::Number>(v).is_ok() => Tree::Number(value, span),
        _ => Tree::text(value, span),
    }
}

/// Parses YAML text into a tree (the first document of the stream).
pub fn parse(text: &str) -> Result<Option<Tree>, (Span, String)> {
    let mut b = Builder {
        text,
        line_starts: std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect(),
        stack: Vec::new(),
        root: None,
    };
    let mut parser = Parser::new_from_str(text);
    if let Err(e) = parser.load(&mut b, false) {
        let at = b.offset(e.marker()).min(text.len());
        let end = text
            .get(at..)
            .unwrap_or("")
            .chars()
            .next()
            .map_or(at, |c| at + c.len_utf8());
        return Err((Span::new(at, end), format!("invalid YAML: {}", e.info())));
    }
    Ok(b.root)
}

/// A YAML map of names to scalars (a parameters file).
pub fn flat_map(text: &str) -> Result<Vec<(String, String)>, String> {
    let tree = parse(text).map_err(|(_, m)| m)?;
    let tree = match &tree {
        Some(t) => t.get("Parameters").unwrap_or(t),
        None => return Ok(Vec::new()),
    };
    let Tree::Object(members, _) = tree else {
        return Err("expected a map of names to values".into());
    };
    Ok(members
        .iter()
        .filter_map(|m| {
            let v = match &m.value {
                Tree::Number(n, _) => n.clone(),
                Tree::Bool(b, _) => b.to_string(),
                other => other.as_known_str()?,
            };
            Some((m.key.clone(), v))
        })
        .collect())
}

/// A `.yaml`/`.yml` file: a ROS template, or nothing ramguard reads.
pub fn read(file: SourceFile, dir: Option<&Path>, options: &ReadOptions) -> Read {
    match parse(&file.text) {
        Err((span, message)) => Read {
            problems: vec![Problem {
                kind: ProblemKind::Syntax,
                file: file.clone(),
                span,
                message,
                address: None,
            }],
            file,
            host: Host::Ros,
            documents: Vec::new(),
            foreign: false,
        },
        Ok(Some(tree)) if tree.get("ROSTemplateFormatVersion").is_some() => {
            super::ros::read_tree(file, &tree, dir, options)
        }
        Ok(_) => Read {
            file,
            host: Host::Ros,
            documents: Vec::new(),
            problems: Vec::new(),
            foreign: true,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_and_short_forms() {
        let text = "a:\n  b: 'x'\n  c: !Ref Bucket\n  d: [1, true]\n";
        let tree = parse(text).expect("yaml").expect("root");
        let a = tree.get("a").expect("a");
        let b = a.get("b").expect("b");
        assert_eq!(&text[b.span().range()], "'x'");
        let c = a.get("c").expect("c");
        assert_eq!(
            c.get("Ref").and_then(Tree::as_known_str).as_deref(),
            Some("Bucket")
        );
        assert!(matches!(a.get("d"), Some(Tree::Array(items, _)) if items.len() == 2));
        assert!(parse("a: [1\n").is_err());
    }
}
