//! ROS templates (JSON or YAML): the documents of the RAM, Resource Manager and OSS resource
//! types; intrinsic functions and pseudo parameters as unknown parts, filled in from the
//! variables when given; embedded Terraform (`Transform: Aliyun::Terraform-*`) handed on.

use std::path::Path;

use super::span_map::{Builder, SpanMap};
use super::tree::{self, Member, Piece, Tree};
use super::{Document, Host, Read, ReadOptions, Vars};
use crate::json::{Node, Value};
use crate::source::{SourceFile, Span};

/// A JSON template as a tree.
pub fn from_json(node: &Node) -> Tree {
    let span = node.span;
    match &node.value {
        Value::Null => Tree::Null(span),
        Value::Bool(b) => Tree::Bool(*b, span),
        Value::Number(n) => Tree::Number(n.to_string(), span),
        Value::String(s) => Tree::text(s.clone(), span),
        Value::Array(items) => Tree::Array(items.iter().map(from_json).collect(), span),
        Value::Object(ms) => Tree::Object(
            ms.iter()
                .map(|m| Member {
                    key: m.key.clone(),
                    key_span: m.key_span,
                    value: from_json(&m.value),
                })
                .collect(),
            span,
        ),
    }
}

/// The document properties of each resource type: a property, or a list property whose items
/// hold `PolicyDocument`; with the kind.
fn properties(ty: &str) -> &'static [(&'static str, bool, &'static str)] {
    match ty {
        "ALIYUN::RAM::ManagedPolicy" => &[("PolicyDocument", false, "identity")],
        "ALIYUN::RAM::Role" => &[
            ("AssumeRolePolicyDocument", false, "trust"),
            ("Policies", true, "identity"),
        ],
        "ALIYUN::RAM::User" | "ALIYUN::RAM::Group" => &[("Policies", true, "identity")],
        "ALIYUN::ResourceManager::ControlPolicy" => &[("PolicyDocument", false, "control")],
        "ALIYUN::OSS::Bucket" => &[("Policy", false, "oss-bucket")],
        _ => &[],
    }
}

pub fn read_tree(file: SourceFile, root: &Tree, dir: Option<&Path>, options: &ReadOptions) -> Read {
    let mut read = Read {
        file: file.clone(),
        host: Host::Ros,
        documents: Vec::new(),
        problems: Vec::new(),
        foreign: false,
    };
    if let Some(Tree::Object(resources, _)) = root.get("Resources") {
        for res in resources {
            let ty = res
                .value
                .get("Type")
                .and_then(Tree::as_known_str)
                .unwrap_or_default();
            let Some(props) = res.value.get("Properties") else {
                continue;
            };
            let literal = |t: Option<&Tree>| t.and_then(Tree::as_known_str).map(|s| s.to_string());
            let resource_name =
                literal(props.get("PolicyName")).or_else(|| literal(props.get("RoleName")));
            let mut found: Vec<(String, &Tree, &'static str, Option<String>)> = Vec::new();
            for (prop, list, kind) in properties(&ty) {
                match (props.get(prop), list) {
                    (Some(Tree::Array(items, _)), true) => {
                        for (i, item) in items.iter().enumerate() {
                            if let Some(doc) = item.get("PolicyDocument") {
                                let name = literal(item.get("PolicyName"));
                                found.push((format!("{prop}[{i}]"), doc, kind, name));
                            }
                        }
                    }
                    (Some(doc), false) => {
                        found.push((prop.to_string(), doc, kind, resource_name.clone()))
                    }
                    _ => {}
                }
            }
            let only = found.len() == 1;
            for (path, doc, kind, policy_name) in found {
                let address = if only {
                    res.key.clone()
                } else {
                    format!("{}.{path}", res.key)
                };
                let mut d = document(&file, address, kind, doc, &options.vars);
                d.policy_name = policy_name;
                read.documents.push(d);
            }
        }
    }
    let transform = root
        .get("Transform")
        .and_then(Tree::as_known_str)
        .unwrap_or_default();
    if transform.starts_with("Aliyun::Terraform") {
        if let Some(Tree::Object(files, _)) = root.get("Workspace") {
            for f in files.iter().filter(|f| f.key.ends_with(".tf")) {
                embedded_terraform(&file, f, dir, options, &mut read);
            }
        }
    }
    read.documents.sort_by_key(|d| d.span.start);
    read
}

fn document(
    file: &SourceFile,
    address: String,
    kind: &'static str,
    doc: &Tree,
    vars: &Vars,
) -> Document {
    let span = doc.span();
    // A document written as a JSON string (in a YAML block scalar, or quoted).
    if let Some(text) = doc.as_known_str() {
        let (text, map) = scalar_text(file, span, &text);
        let unknown = super::envelope::unknown_parts(&text);
        return Document::built(
            file,
            Host::Ros,
            Some(address),
            Some(kind),
            span,
            (text, map),
            unknown,
        );
    }
    let resolved = resolve(doc, vars);
    let mut b = Builder::new();
    let mut unknown = Vec::new();
    tree::render(&resolved, &mut b, &mut unknown);
    Document::built(
        file,
        Host::Ros,
        Some(address),
        Some(kind),
        span,
        b.finish(),
        unknown,
    )
}

/// A string value's text with a map into the host: line by line for a block scalar whose lines
/// are the value's (`|`, `|-`), else the whole value standing for its span.
fn scalar_text(file: &SourceFile, span: Span, value: &str) -> (String, SpanMap) {
    if let Some(lines) = block_lines(file, span) {
        let mut b = Builder::new();
        for (i, (at, line)) in lines.iter().enumerate() {
            if i > 0 {
                b.emit("\n", Span::new(at - 1, *at));
            }
            b.copy(line, *at);
        }
        let (text, map) = b.finish();
        if text.trim_end() == value.trim_end() {
            return (value.to_string(), map);
        }
    }
    let mut b = Builder::new();
    b.emit(value, span);
    b.finish()
}

/// The content lines of a literal block scalar at `span` (after its indentation), with their
/// host offsets; `None` when the scalar is not one.
fn block_lines(file: &SourceFile, span: Span) -> Option<Vec<(usize, &str)>> {
    let start = span.start as usize;
    let text = file.text.get(start..)?;
    let before = file.text.get(..start)?;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let header_before = before.get(..line_start).unwrap_or("").trim_end();
    let body_at = if text.starts_with('|') {
        start + text.find('\n')? + 1
    } else if ["|", "|-", "|+"].iter().any(|h| header_before.ends_with(h)) {
        line_start
    } else {
        return None;
    };
    let body = file.text.get(body_at..)?;
    let indent = body
        .lines()
        .find(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches(' ').len())?;
    if indent == 0 {
        return None;
    }
    let mut out = Vec::new();
    let mut at = body_at;
    for line in body.split_inclusive('\n') {
        let content = line.strip_suffix('\n').unwrap_or(line);
        let lead = content.len() - content.trim_start_matches(' ').len();
        if lead < indent && !content.trim().is_empty() {
            break;
        }
        let cut = lead.min(indent);
        out.push((at + cut, content.get(cut..).unwrap_or("")));
        at += line.len();
    }
    while out.last().is_some_and(|(_, l)| l.trim().is_empty()) {
        out.pop();
    }
    Some(out)
}

/// Intrinsic functions and parameters replaced by their values, or by unknown parts.
fn resolve(t: &Tree, vars: &Vars) -> Tree {
    match t {
        Tree::Object(ms, span) if ms.len() == 1 => {
            let Some(m) = ms.first() else {
                return t.clone();
            };
            if m.key == "Ref" || m.key.starts_with("Fn::") {
                return intrinsic(&m.key, &m.value, *span, vars);
            }
            Tree::Object(
                vec![Member {
                    key: m.key.clone(),
                    key_span: m.key_span,
                    value: resolve(&m.value, vars),
                }],
                *span,
            )
        }
        Tree::Object(ms, span) => Tree::Object(
            ms.iter()
                .map(|m| Member {
                    key: m.key.clone(),
                    key_span: m.key_span,
                    value: resolve(&m.value, vars),
                })
                .collect(),
            *span,
        ),
        Tree::Array(items, span) => {
            Tree::Array(items.iter().map(|i| resolve(i, vars)).collect(), *span)
        }
        other => other.clone(),
    }
}

fn intrinsic(name: &str, arg: &Tree, span: Span, vars: &Vars) -> Tree {
    let known = |n: &str| vars.get(n).map(str::to_string);
    match name {
        "Ref" => match arg.as_known_str() {
            Some(n) => match known(&n) {
                Some(v) => Tree::text(v, span),
                None => Tree::unknown(n, span),
            },
            None => Tree::unknown("Ref", span),
        },
        "Fn::Sub" => {
            let (template, locals) = match arg {
                Tree::Array(items, _) => (items.first(), items.get(1)),
                other => (Some(other), None),
            };
            let Some(template) = template.and_then(Tree::as_known_str) else {
                return Tree::unknown("Fn::Sub", span);
            };
            let mut pieces = Vec::new();
            let mut rest = template.as_str();
            while let Some(i) = rest.find("${") {
                push_text(&mut pieces, &rest[..i]);
                let after = &rest[i + 2..];
                let Some(j) = after.find('}') else {
                    push_text(&mut pieces, &rest[i..]);
                    rest = "";
                    break;
                };
                let n = &after[..j];
                if let Some(lit) = n.strip_prefix('!') {
                    push_text(&mut pieces, &format!("${{{lit}}}"));
                } else {
                    let local = locals.and_then(|l| l.get(n)).map(|v| resolve(v, vars));
                    match local {
                        Some(Tree::Str(ps, _)) => pieces.extend(ps),
                        Some(_) => pieces.push(Piece::Unknown(n.to_string())),
                        None => match known(n) {
                            Some(v) => push_text(&mut pieces, &v),
                            None => pieces.push(Piece::Unknown(n.to_string())),
                        },
                    }
                }
                rest = &after[j + 1..];
            }
            push_text(&mut pieces, rest);
            Tree::Str(pieces, span)
        }
        "Fn::Join" => {
            let (Some(delim), Some(Tree::Array(parts, _))) =
                (arg_at(arg, 0).and_then(Tree::as_known_str), arg_at(arg, 1))
            else {
                return Tree::unknown("Fn::Join", span);
            };
            let mut pieces = Vec::new();
            for (i, p) in parts.iter().enumerate() {
                if i > 0 {
                    push_text(&mut pieces, &delim);
                }
                match resolve(p, vars) {
                    Tree::Str(ps, _) => pieces.extend(ps),
                    Tree::Number(n, _) => push_text(&mut pieces, &n),
                    _ => pieces.push(Piece::Unknown("Fn::Join".into())),
                }
            }
            Tree::Str(pieces, span)
        }
        "Fn::GetAtt" => {
            let what = match arg {
                Tree::Array(items, _) => items
                    .iter()
                    .filter_map(Tree::as_known_str)
                    .collect::<Vec<_>>()
                    .join("."),
                other => other.as_known_str().unwrap_or_default(),
            };
            Tree::unknown(what, span)
        }
        other => Tree::unknown(other, span),
    }
}

fn arg_at(arg: &Tree, i: usize) -> Option<&Tree> {
    match arg {
        Tree::Array(items, _) => items.get(i),
        _ => None,
    }
}

fn push_text(pieces: &mut Vec<Piece>, s: &str) {
    if s.is_empty() {
        return;
    }
    match pieces.last_mut() {
        Some(Piece::Text(t)) => t.push_str(s),
        _ => pieces.push(Piece::Text(s.to_string())),
    }
}

/// `Workspace: {main.tf: |- ...}`: the Terraform text is read with its lines mapped into the
/// template.
fn embedded_terraform(
    file: &SourceFile,
    member: &Member,
    dir: Option<&Path>,
    options: &ReadOptions,
    read: &mut Read,
) {
    let span = member.value.span();
    let Some(value) = member.value.as_known_str() else {
        return;
    };
    let (text, map) = scalar_text(file, span, &value);
    let inner = SourceFile::new(format!("{}#{}", file.name, member.key), text);
    let tf = super::terraform::read(inner, dir, options);
    for mut doc in tf.documents {
        if doc.host_file.name != tf.file.name {
            // A file that `file()` named: already located there.
            read.documents.push(doc);
            continue;
        }
        doc.map = doc.map.then(map.clone());
        doc.span = map.map(doc.span);
        doc.host_file = file.clone();
        doc.address = doc.address.map(|a| format!("{}/{a}", member.key).into());
        read.documents.push(doc);
    }
    for mut p in tf.problems {
        if p.file.name == tf.file.name {
            p.span = map.map(p.span);
            p.file = file.clone();
        }
        read.problems.push(p);
    }
}
