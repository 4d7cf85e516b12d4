//! `terraform show -json` output: every document in `planned_values`, child modules included,
//! addressed by resource address; a value the plan marks `after_unknown` is unknown.

use std::collections::HashSet;

use super::terraform::document_attributes;
use super::{envelope, Document, Host, Read};
use crate::json::{Member, Node, Value};
use crate::source::SourceFile;

fn get<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    match &node.value {
        Value::Object(ms) => ms.iter().find(|m| m.key == key).map(|m: &Member| &m.value),
        _ => None,
    }
}

fn items(node: Option<&Node>) -> &[Node] {
    match node.map(|n| &n.value) {
        Some(Value::Array(items)) => items,
        _ => &[],
    }
}

fn string(node: Option<&Node>) -> Option<&str> {
    match node.map(|n| &n.value) {
        Some(Value::String(s)) => Some(s),
        _ => None,
    }
}

pub fn read(file: SourceFile, root: &Node) -> Read {
    // `address.attr` of every value the plan will only know after apply.
    let mut unknown: HashSet<String> = HashSet::new();
    for change in items(get(root, "resource_changes")) {
        let (Some(address), Some(after)) = (
            string(get(change, "address")),
            get(change, "change").and_then(|c| get(c, "after_unknown")),
        ) else {
            continue;
        };
        if let Value::Object(ms) = &after.value {
            for m in ms {
                if m.value.value == Value::Bool(true) {
                    unknown.insert(format!("{address}.{}", m.key));
                }
            }
        }
    }
    let mut documents = Vec::new();
    // An explicit stack over modules: child_modules nest as deep as the configuration.
    let mut modules: Vec<&Node> = get(root, "planned_values")
        .and_then(|p| get(p, "root_module"))
        .into_iter()
        .collect();
    while let Some(module) = modules.pop() {
        for resource in items(get(module, "resources")) {
            read_resource(&file, resource, &unknown, &mut documents);
        }
        modules.extend(items(get(module, "child_modules")).iter().rev());
    }
    documents.sort_by_key(|d| d.span.start);
    Read {
        file,
        host: Host::TerraformPlan,
        documents,
        problems: Vec::new(),
        foreign: false,
    }
}

fn read_resource(
    file: &SourceFile,
    resource: &Node,
    unknown: &HashSet<String>,
    out: &mut Vec<Document>,
) {
    if string(get(resource, "mode")) == Some("data") {
        return;
    }
    let (Some(ty), Some(address)) = (
        string(get(resource, "type")),
        string(get(resource, "address")),
    ) else {
        return;
    };
    let attrs = document_attributes(ty);
    let values = get(resource, "values");
    let present: Vec<_> = attrs
        .iter()
        .filter(|(attr, _)| {
            let value = values.and_then(|v| get(v, attr));
            matches!(value.map(|v| &v.value), Some(Value::String(s)) if !s.is_empty())
                || unknown.contains(&format!("{address}.{attr}"))
        })
        .collect();
    for (attr, kind) in &present {
        let addr = if present.len() > 1 {
            format!("{address}.{attr}")
        } else {
            address.to_string()
        };
        match values.and_then(|v| get(v, attr)) {
            Some(
                node @ Node {
                    value: Value::String(s),
                    ..
                },
            ) if !s.is_empty() => {
                out.push(envelope::string_document(
                    file,
                    Host::TerraformPlan,
                    Some(addr),
                    *kind,
                    node,
                ));
            }
            other => {
                let span = other.map_or(resource.span, |n| n.span);
                out.push(Document::opaque(
                    file,
                    Host::TerraformPlan,
                    addr,
                    *kind,
                    span,
                    format!("{address}.{attr} (known after apply)"),
                ));
            }
        }
    }
}
