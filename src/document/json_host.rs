//! A JSON file: a policy document, or a host that holds some (a Terraform plan, a ROS template,
//! an API response, a JSON string).

use std::path::Path;
use std::sync::Arc;

use super::{envelope, plan, ros, Document, Host, Read, ReadOptions, SpanMap};
use crate::json::{self, Value};
use crate::source::SourceFile;

pub fn read(file: SourceFile, dir: Option<&Path>, options: &ReadOptions) -> Read {
    let parsed = json::parse(&file.text);
    let read = |host, documents| Read {
        file: file.clone(),
        host,
        documents,
        problems: Vec::new(),
        foreign: false,
    };
    if let Some(root) = &parsed.root {
        match &root.value {
            Value::Object(members) => {
                let has = |k: &str| members.iter().any(|m| m.key == k);
                if has("format_version") && (has("planned_values") || has("resource_changes")) {
                    return plan::read(file.clone(), root);
                }
                if has("ROSTemplateFormatVersion") {
                    return ros::read_tree(file.clone(), &ros::from_json(root), dir, options);
                }
                if let Some(docs) = envelope::read(&file, root) {
                    return read(Host::Envelope, docs);
                }
                if file.name.to_ascii_lowercase().ends_with(".tf.json") {
                    return read(Host::Terraform, terraform_json(&file, root));
                }
            }
            Value::String(_) if parsed.errors.is_empty() => {
                let doc = envelope::string_document(&file, Host::JsonString, None, None, root);
                return read(Host::JsonString, vec![doc]);
            }
            _ => {}
        }
    }
    // A valid JSON object with nothing of a policy (no `Version` or `Statement`, in any case or
    // a near spelling) is some other JSON file (`package.json`): a directory walk skips it. It is
    // still read as a policy, for a file named explicitly.
    // Only valid JSON qualifies: a broken file may be a broken policy, and says so.
    let foreign = parsed.errors.is_empty()
        && matches!(&parsed.root, Some(json::Node { value: Value::Object(ms), .. })
        if !ms.iter().any(|m| {
            let k = m.key.to_ascii_lowercase();
            k.contains("statement") || k.contains("version") || k.contains("stat")
        }));
    Read {
        foreign,
        ..read(Host::Policy, vec![whole_file(&file, parsed)])
    }
}

/// Terraform's JSON syntax: `{"resource": {TYPE: {NAME: {ATTR: "..."}}}}`; a document is a
/// JSON string whose `${...}` parts are unknown.
fn terraform_json(file: &SourceFile, root: &json::Node) -> Vec<Document> {
    let members = |n: &json::Node| match &n.value {
        Value::Object(ms) => ms.clone(),
        _ => Vec::new(),
    };
    let mut docs = Vec::new();
    for top in members(root).iter().filter(|m| m.key == "resource") {
        for ty in members(&top.value) {
            let attrs = super::terraform::document_attributes(&ty.key);
            for name in members(&ty.value) {
                for (attr, kind) in attrs {
                    let Some(value) = members(&name.value).into_iter().find(|m| m.key == *attr)
                    else {
                        continue;
                    };
                    if let Value::String(_) = value.value.value {
                        docs.push(envelope::string_document(
                            file,
                            Host::Terraform,
                            Some(format!("{}.{}", ty.key, name.key)),
                            *kind,
                            &value.value,
                        ));
                    }
                }
            }
        }
    }
    docs
}

/// The file is the document: no copy, no map, the parse kept.
fn whole_file(file: &SourceFile, parsed: json::Parsed) -> Document {
    Document {
        host_file: file.clone(),
        host: Host::Policy,
        address: None,
        kind: None,
        source: Some(file.clone()),
        parsed: Some(Arc::new(parsed)),
        map: SpanMap::identity(),
        span: crate::source::Span::new(0, file.text.len()),
        unknown: Vec::new(),
        provenance: super::Provenance::File,
        policy_name: None,
    }
}
