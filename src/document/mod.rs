//! Located documents: every policy document a file holds, wherever it is written.
//!
//! Policies live in many hosts: a policy file, a Terraform file or plan, a ROS template, an API
//! response. A host reader (one file each) turns the host's bytes into [`Document`]s: which
//! host, which address inside it, which kind the host says it is, the document's own JSON text
//! and its parse, and a [`SpanMap`] from that text back to the host file. Everything above
//! (lint, the evaluator, the preflight) takes documents through [`read`], the one load path,
//! so a finding on `"Effect"` inside a heredoc or a JSON string lands on the host's line.
//!
//! Unknown parts (`${var.account_id}`, `!Ref Bucket`, a plan's `after_unknown`) are written
//! into the document's text as `${name}` and listed in [`Document::unknown`]; they are never
//! errors.

mod envelope;
mod json_host;
mod plan;
mod ros;
pub mod span_map;
mod terraform;
pub mod tree;
mod vars;
mod yaml;

use std::path::Path;
use std::sync::Arc;

pub use span_map::SpanMap;
pub use vars::Vars;

use crate::json;
use crate::policy::PolicyKind;
use crate::source::{SourceFile, Span};

/// What kind of file holds the documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Host {
    /// A policy document on its own.
    Policy,
    /// Terraform native syntax (`.tf`).
    Terraform,
    /// `terraform show -json` output.
    TerraformPlan,
    /// A ROS template, JSON or YAML.
    Ros,
    /// A RAM API or `aliyun` CLI response carrying documents as JSON strings.
    Envelope,
    /// A file that is one JSON string holding a document.
    JsonString,
    /// Fetched from the account (filled in by the live RAM reader).
    Live,
}

impl Host {
    pub fn as_str(self) -> &'static str {
        match self {
            Host::Policy => "policy",
            Host::Terraform => "terraform",
            Host::TerraformPlan => "terraform-plan",
            Host::Ros => "ros",
            Host::Envelope => "envelope",
            Host::JsonString => "json-string",
            Host::Live => "live",
        }
    }
}

/// Where a document's bytes came from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Provenance {
    /// Read from a file (the host's name).
    #[default]
    File,
    /// Fetched from RAM: what the live reader knows about it (policy type, name, version).
    Live {
        policy_type: String,
        policy_name: String,
        version: Option<String>,
    },
}

/// One policy document, located in its host.
#[derive(Clone, Debug)]
pub struct Document {
    /// The file the document's spans map into (for `file("x.json")`, that file).
    pub host_file: SourceFile,
    pub host: Host,
    /// The address inside the host (`alicloud_ram_policy.backup`, `Role.Policies[0]`,
    /// `/PolicyVersion/PolicyDocument`); `None` when the document is the whole file.
    pub address: Option<Arc<str>>,
    /// The kind the host says the document is (`trust`, `control`, `oss-bucket`, ...): a name
    /// of [`PolicyKind`] or a resource-based kind the model may not know yet.
    pub kind: Option<&'static str>,
    /// The document's own JSON text, named `host#address`. Absent when the whole document is
    /// an unknown value (`policy_document = var.policy`).
    pub source: Option<SourceFile>,
    /// The parse of `source`: read once, shared by lint and the evaluator.
    pub parsed: Option<Arc<json::Parsed>>,
    /// From `source` offsets back to `host_file`.
    pub map: SpanMap,
    /// Where the document is written in `host_file`.
    pub span: Span,
    /// Names of the unknown parts, in order of appearance (`var.account_id`).
    pub unknown: Vec<String>,
    pub provenance: Provenance,
    /// The name the host gives the policy (Terraform `policy_name` or `name`, ROS
    /// `PolicyName`; a role's name for its trust policy), when written as a literal: what
    /// `drift` matches a live policy by.
    pub policy_name: Option<String>,
}

impl Document {
    /// The model's kind for the host's kind, when the model knows it.
    pub fn policy_kind(&self) -> Option<PolicyKind> {
        self.kind.and_then(PolicyKind::parse)
    }

    /// `file#address` (or the file alone), the name shown wherever a document is named.
    pub fn display_name(&self) -> String {
        match &self.address {
            Some(a) => format!("{}#{a}", self.host_file.name),
            None => self.host_file.name.to_string(),
        }
    }

    /// A document whose text was built by a reader (`text` and `map` into `host_file`).
    pub(crate) fn built(
        host_file: &SourceFile,
        host: Host,
        address: Option<String>,
        kind: Option<&'static str>,
        span: Span,
        (text, map): (String, SpanMap),
        unknown: Vec<String>,
    ) -> Document {
        let name = match &address {
            Some(a) => format!("{}#{a}", host_file.name),
            None => host_file.name.to_string(),
        };
        let parsed = json::parse(&text);
        Document {
            host_file: host_file.clone(),
            host,
            address: address.map(Into::into),
            kind,
            source: Some(SourceFile::new(name, text)),
            parsed: Some(Arc::new(parsed)),
            map,
            span,
            unknown,
            provenance: Provenance::File,
            policy_name: None,
        }
    }

    /// A document held in memory as its own text (fetched from the account, given on standard
    /// input): the host is the text itself.
    pub fn from_text(
        name: &str,
        text: &str,
        host: Host,
        kind: Option<&'static str>,
        provenance: Provenance,
    ) -> Document {
        let file = SourceFile::new(name, text);
        let parsed = json::parse(&file.text);
        Document {
            host_file: file.clone(),
            host,
            address: None,
            kind,
            span: Span::new(0, file.text.len()),
            source: Some(file),
            parsed: Some(Arc::new(parsed)),
            map: SpanMap::identity(),
            unknown: Vec::new(),
            provenance,
            policy_name: None,
        }
    }

    /// A document that is unknown as a whole (`var.policy`).
    pub(crate) fn opaque(
        host_file: &SourceFile,
        host: Host,
        address: String,
        kind: Option<&'static str>,
        span: Span,
        what: String,
    ) -> Document {
        Document {
            host_file: host_file.clone(),
            host,
            address: Some(address.into()),
            kind,
            source: None,
            parsed: None,
            map: SpanMap::identity(),
            span,
            unknown: vec![what],
            provenance: Provenance::File,
            policy_name: None,
        }
    }
}

/// A problem with the host itself, located in its file.
#[derive(Clone, Debug)]
pub struct Problem {
    pub kind: ProblemKind,
    /// The file the span is in (a host, or a file a host names).
    pub file: SourceFile,
    pub span: Span,
    /// Lowercase, no final period.
    pub message: String,
    /// The document address the problem belongs to, if any.
    pub address: Option<Arc<str>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// The bytes are not UTF-8.
    InvalidUtf8,
    /// HCL or YAML that does not parse.
    Syntax,
    /// A known resource whose document cannot be read (an expression that is not a string,
    /// a file that `file()` names and that cannot be read).
    Unreadable,
}

/// Everything read from one file.
#[derive(Clone, Debug)]
pub struct Read {
    pub file: SourceFile,
    pub host: Host,
    pub documents: Vec<Document>,
    pub problems: Vec<Problem>,
    /// The file is neither a policy nor a host (a YAML file without `ROSTemplateFormatVersion`,
    /// a JSON object without `Version` or `Statement`; a `.tf` file without policy resources is
    /// not that: it is a host holding none). Directory walks skip such files silently.
    pub foreign: bool,
}

impl Read {
    /// The addresses the file holds, for "names nothing" messages.
    pub fn addresses(&self) -> Vec<String> {
        self.documents
            .iter()
            .filter_map(|d| d.address.as_deref().map(str::to_string))
            .collect()
    }

    /// The document at `address` (`None`: the whole file, when it is one).
    pub fn find(&self, address: Option<&str>) -> Option<&Document> {
        match address {
            Some(a) => self
                .documents
                .iter()
                .find(|d| d.address.as_deref() == Some(a)),
            None => match self.documents.as_slice() {
                [one] => Some(one),
                _ => None,
            },
        }
    }
}

/// How to read hosts.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// Values for unknown parts (`--var NAME=VALUE`, `.tfvars`, `--parameters`).
    pub vars: Vars,
}

/// Which reader a file name asks for.
fn by_name(name: &str) -> Option<Host> {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".tf") {
        Some(Host::Terraform)
    } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        Some(Host::Ros)
    } else {
        None
    }
}

/// Reads a file's bytes into documents. Never fails: every problem is a [`Problem`].
/// `dir` is where relative names in the host (`file("x.json")`) are found.
pub fn read(name: &str, bytes: Vec<u8>, dir: Option<&Path>, options: &ReadOptions) -> Read {
    // Taken by value: valid UTF-8 becomes the source text without a copy.
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let bytes = e.as_bytes();
            let e = e.utf8_error();
            let at = e.valid_up_to();
            let len = e.error_len().unwrap_or(1);
            let file = SourceFile::new(name, String::from_utf8_lossy(bytes).into_owned());
            return Read {
                problems: vec![Problem {
                    kind: ProblemKind::InvalidUtf8,
                    file: file.clone(),
                    span: Span::new(at, at + 1),
                    message: format!(
                        "invalid UTF-8: {len} byte(s) at offset {at} do not form a character"
                    ),
                    address: None,
                }],
                file,
                host: by_name(name).unwrap_or(Host::Policy),
                documents: Vec::new(),
                foreign: false,
            };
        }
    };
    let file = SourceFile::new(name, text);
    match by_name(name) {
        Some(Host::Terraform) => terraform::read(file, dir, options),
        Some(_) => yaml::read(file, dir, options),
        None => json_host::read(file, dir, options),
    }
}

/// Reads a file from disk (see [`read`]).
pub fn read_path(path: &Path, name: &str, options: &ReadOptions) -> std::io::Result<Read> {
    // Regular files only, at most MAX_INPUT_BYTES: a FIFO or `/dev/zero` is refused at once.
    let bytes = crate::source::read_input(path, crate::source::MAX_INPUT_BYTES)
        .map_err(std::io::Error::from)?;
    Ok(read(name, bytes, path.parent(), options))
}

/// Splits `FILE#ADDRESS`: the address is what follows the last `#`, unless the whole text names
/// an existing file.
pub fn split_address(spec: &str) -> (&str, Option<&str>) {
    if Path::new(spec).exists() {
        return (spec, None);
    }
    match spec.rsplit_once('#') {
        Some((file, address)) if !file.is_empty() && !address.is_empty() => (file, Some(address)),
        _ => (spec, None),
    }
}

/// `file#address` could not be resolved: the message lists what the file holds.
pub fn not_found_message(file: &str, address: Option<&str>, read: &Read) -> String {
    let held = read.addresses();
    let listing = if held.is_empty() {
        "it holds no policy document".to_string()
    } else {
        format!("it holds: {}", held.join(", "))
    };
    match address {
        Some(a) => format!("`{file}` has no document `{a}`; {listing}"),
        None => format!(
            "`{file}` holds {} documents; name one as `{file}#ADDRESS` ({listing})",
            read.documents.len()
        ),
    }
}
