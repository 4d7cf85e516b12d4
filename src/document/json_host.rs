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
            }
            Value::String(_) if parsed.errors.is_empty() => {
                let doc = envelope::string_document(&file, Host::JsonString, None, None, root);
                return read(Host::JsonString, vec![doc]);
            }
            _ => {}
        }
    }
    read(Host::Policy, vec![whole_file(&file, parsed)])
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
    }
}
