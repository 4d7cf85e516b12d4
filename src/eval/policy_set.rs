//! Loading documents by layer into a compiled [`PolicySet`].

use std::path::Path;

use super::compile::{KeyTable, LayerSet};
use super::engine;
use super::request::Request;
use super::response::Response;
use super::trace::Trace;
use crate::document::{self, Document, Read, ReadOptions};
use crate::lint::rules::grammar as g;
use crate::lint::{self, Category, Diagnostic, FileReport, LintOptions, Severity};
use crate::policy::PolicyKind;
use crate::source::SourceFile;

/// A document that cannot be loaded. The CLI maps every variant to exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read `{path}`: {error}")]
    Io { path: String, error: std::io::Error },
    /// The document has error-severity diagnostics (the report holds all its diagnostics,
    /// warnings included, with the source to render them).
    #[error("{}", invalid_message(.0))]
    Invalid(FileReport),
    #[error("only one {kind} policy can be given; `{first}` was already loaded")]
    Duplicate { kind: &'static str, first: String },
    /// `--resource-policy` names a document without `Principal` and `Resource` (an identity or
    /// trust policy, say).
    #[error("`{path}` is not a resource-based policy (an OSS bucket or KMS key policy has `Principal` and `Resource` in its statements)")]
    NotResourcePolicy { path: String },
    /// A value the linter accepted but the compiler could not read (a bug guard).
    #[error("cannot compile `{name}`: {message}")]
    Compile { name: String, message: String },
    /// `FILE#ADDRESS` names no document, or a host holds several and none was named; the
    /// message lists what the file holds.
    #[error("{0}")]
    NotFound(String),
    /// The document is an unknown value as a whole (`policy_document = var.policy`).
    #[error("`{name}` cannot be evaluated: {what} is not known before apply (give it with --var, or simulate the rendered plan)")]
    Unknown { name: String, what: String },
}

/// A document refused for its grammar points at its first error, so a miette handler shows
/// the line (`code` is the rule's, e.g. `RG015`).
impl miette::Diagnostic for LoadError {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        let first = self.errors().next()?;
        Some(Box::new(first.rule.code))
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        match self {
            LoadError::Invalid(report) => Some(&report.source.text),
            _ => None,
        }
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let first = self.errors().next()?;
        let span = miette::LabeledSpan::new_with_span(
            Some(first.message.clone()),
            (first.span.start as usize, first.span.len()),
        );
        Some(Box::new(std::iter::once(span)))
    }
}

impl LoadError {
    /// The diagnostics that made the document unacceptable.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        let diags: &[Diagnostic] = match self {
            LoadError::Invalid(report) => &report.diagnostics,
            _ => &[],
        };
        diags.iter().filter(|d| refuses(d))
    }
}

fn invalid_message(report: &FileReport) -> String {
    let errors: Vec<&Diagnostic> = report.diagnostics.iter().filter(|d| refuses(d)).collect();
    match errors.first() {
        Some(first) => {
            let at = report.source.line_col(first.span.start as usize);
            format!(
                "`{}` cannot be evaluated: {} error(s), the first at line {}, column {}: {} (run `ramguard lint` for all)",
                report.source.name,
                errors.len(),
                at.line,
                at.column,
                first.message
            )
        }
        None => format!(
            "`{}` cannot be evaluated: it holds no policy",
            report.source.name
        ),
    }
}

/// Whether a diagnostic makes the evaluator refuse the document. Every error does, except two
/// whose meaning is not in doubt:
/// - `not-resource` (RG019): SEMANTICS.md section 1 has the evaluator apply `NotResource` as the
///   complement of `Resource`, so that old documents can still be simulated;
/// - `policy-too-large` (RG005): the size limit is where RAM stores a document, not what it
///   means; a draft over the limit can still be simulated (the linter keeps reporting it).
///
/// Only grammar errors refuse a document: security and catalogue findings (an `Allow *` on `*`,
/// an unknown action) are exactly what a simulation should be able to show the effect of.
pub(crate) fn refuses(d: &Diagnostic) -> bool {
    // Not JSON, or duplicate keys: the document cannot be read at all, wherever the fault is.
    let unreadable = [&g::INVALID_JSON, &g::INVALID_UTF8, &g::DUPLICATE_KEY];
    counts(d) && (unreadable.contains(&d.rule) || statement_of(&d.pointer).is_none())
}

/// A grammar error that matters to the evaluator (see [`refuses`]).
fn counts(d: &Diagnostic) -> bool {
    d.severity == Severity::Error
        && d.rule.category == Category::Grammar
        && *d.rule != g::NOT_RESOURCE
        && *d.rule != g::POLICY_TOO_LARGE
}

/// The statement a diagnostic's pointer is inside: `/Statement/3/Effect` is statement 3, a
/// pointer into the single-object form of `Statement` statement 0. An error of its own makes a
/// statement take part as unknown instead of refusing the document (SEMANTICS.md section 5,
/// rev 2); an error outside every statement (no `Statement` array, a bad top level) refuses it.
fn statement_of(pointer: &str) -> Option<usize> {
    let rest = pointer.strip_prefix("/Statement/")?;
    let first = rest.split('/').next().unwrap_or_default();
    if first.bytes().all(|b| b.is_ascii_digit()) && !first.is_empty() {
        first.parse().ok()
    } else {
        Some(0)
    }
}

/// The policies that apply to a caller, by layer, compiled once for many requests.
///
/// - control policies (Resource Directory): when any are given, they must yield Allow;
/// - one optional session policy (AssumeRole `Policy`): when given, it must yield Allow;
/// - identity policies (user, groups, role): they grant;
/// - one optional trust policy (the role's), used only for `sts:AssumeRole`.
///
/// Control policies are taken as given: the system policy `FullAliyunAccess` that Resource
/// Directory attaches by default must be passed explicitly when it is attached.
#[derive(Clone, Debug, Default)]
pub struct PolicySet {
    pub(crate) control: LayerSet,
    pub(crate) session: Option<LayerSet>,
    pub(crate) identity: LayerSet,
    pub(crate) trust: Option<LayerSet>,
    /// The resource's own policy (an OSS bucket or KMS key policy), combined with the identity
    /// policies: its statements apply when their `Principal` matches the caller.
    pub(crate) resource: Option<LayerSet>,
    /// The kind the resource's policy was loaded as (`oss-bucket`, `kms-key`, `resource`).
    resource_kind: Option<PolicyKind>,
    pub(crate) keys: KeyTable,
}

impl PolicySet {
    pub fn new() -> PolicySet {
        PolicySet::default()
    }

    /// Reads, lints and compiles a file as a policy of the given layer; its path (as given) is
    /// the name `matched[].file` shows. The path may name a document inside a host:
    /// `main.tf#alicloud_ram_role.runner`.
    pub fn add_file(&mut self, kind: PolicyKind, path: &Path) -> Result<(), LoadError> {
        self.add_file_with(kind, path, &ReadOptions::default())
    }

    /// [`PolicySet::add_file`] with values for the host's unknown parts.
    pub fn add_file_with(
        &mut self,
        kind: PolicyKind,
        path: &Path,
        options: &ReadOptions,
    ) -> Result<(), LoadError> {
        let spec = path.to_string_lossy();
        let (file, address) = document::split_address(&spec);
        let read =
            document::read_path(Path::new(file), file, options).map_err(|error| LoadError::Io {
                path: file.to_string(),
                error,
            })?;
        self.add_read(kind, &read, address)
    }

    /// Adds the document at `address` of what was read from a host (`None`: the file is one
    /// document).
    pub fn add_read(
        &mut self,
        kind: PolicyKind,
        read: &Read,
        address: Option<&str>,
    ) -> Result<(), LoadError> {
        let problems: Vec<Diagnostic> = read
            .problems
            .iter()
            .filter(|p| address.is_none() || p.address.is_none() || p.address.as_deref() == address)
            .map(lint::problem_diagnostic)
            .collect();
        if !problems.is_empty() {
            let source = read
                .problems
                .first()
                .map_or(read.file.clone(), |p| p.file.clone());
            return Err(LoadError::Invalid(FileReport {
                source,
                diagnostics: problems,
                sids: Vec::new(),
            }));
        }
        let doc = read.find(address).ok_or_else(|| {
            LoadError::NotFound(document::not_found_message(&read.file.name, address, read))
        })?;
        self.add_document(kind, doc)
    }

    /// Reads a resource-based policy (bucket or key policy), its kind recognised from the
    /// document (SEMANTICS.md section 1) unless `kind` names one.
    pub fn add_resource_file(
        &mut self,
        kind: Option<PolicyKind>,
        path: &Path,
    ) -> Result<(), LoadError> {
        let spec = path.to_string_lossy();
        let (file, address) = document::split_address(&spec);
        let read = document::read_path(Path::new(file), file, &ReadOptions::default()).map_err(
            |error| LoadError::Io {
                path: file.to_string(),
                error,
            },
        )?;
        let doc = read.find(address).ok_or_else(|| {
            LoadError::NotFound(document::not_found_message(&read.file.name, address, &read))
        })?;
        let text = doc
            .source
            .as_ref()
            .map(|s| s.text.as_bytes())
            .unwrap_or_default();
        let kind = match kind
            .or_else(|| doc.policy_kind())
            .or_else(|| resource_kind(text))
        {
            Some(k) if k.is_resource_based() => k,
            _ => {
                return Err(LoadError::NotResourcePolicy {
                    path: spec.into_owned(),
                })
            }
        };
        self.add_document(kind, doc)
    }

    /// Lints and compiles a document held in memory.
    pub fn add_text(&mut self, kind: PolicyKind, name: &str, text: &str) -> Result<(), LoadError> {
        self.add_source(kind, SourceFile::new(name, text))
    }

    /// Lints and compiles a document; refuses it when the linter finds an error (duplicate keys
    /// included: the evaluator never guesses which of two values a reviewer meant).
    pub fn add_source(&mut self, kind: PolicyKind, source: SourceFile) -> Result<(), LoadError> {
        let doc = Document::from_text(
            &source.name,
            &source.text,
            document::Host::Policy,
            None,
            document::Provenance::File,
        );
        self.add_document(kind, &doc)
    }

    /// Lints (grammar only) and compiles one located document, from the parse the document
    /// layer made: nothing is parsed or lowered twice. Locations (`matched[].line`) are in the
    /// host file.
    pub fn add_document(&mut self, kind: PolicyKind, doc: &Document) -> Result<(), LoadError> {
        let name = doc.display_name();
        if doc.source.is_none() {
            return Err(LoadError::Unknown {
                name,
                what: format!("the document, `{}`,", doc.unknown.join(", ")),
            });
        }
        let (report, policy) = lint::lint_document(doc, options(kind));
        if report.diagnostics.iter().any(refuses) {
            return Err(LoadError::Invalid(report));
        }
        let Some(mut policy) = policy else {
            return Err(LoadError::Invalid(report));
        };
        let mut statement_errors: Vec<(usize, String)> = Vec::new();
        for d in report.diagnostics.iter().filter(|d| counts(d)) {
            if let Some(i) = statement_of(&d.pointer) {
                if !statement_errors.iter().any(|(j, _)| *j == i) {
                    statement_errors.push((i, d.message.clone()));
                }
            }
        }
        // A condition value holding a part its host left unknown (`${var.cidr}`) cannot be
        // compiled yet: its statement takes part as unknown, so the answer is Indeterminate
        // where it matters (SEMANTICS.md section 5), and `--var` makes it certain.
        for st in &policy.statements {
            let holds = |u: &String| {
                let part = format!("${{{u}}}");
                st.conditions
                    .iter()
                    .any(|c| c.values.iter().any(|v| v.value.contains(&part)))
            };
            if let Some(u) = doc.unknown.iter().find(|u| holds(u)) {
                if !statement_errors.iter().any(|(j, _)| *j == st.index) {
                    statement_errors.push((
                        st.index,
                        format!("a condition value holds `{u}`, not known before apply (give it with --var)"),
                    ));
                }
            }
        }
        statement_errors.sort();
        for st in &mut policy.statements {
            st.span = doc.map.map(st.span);
        }
        let layer = match kind {
            PolicyKind::Identity => &mut self.identity,
            PolicyKind::Control => &mut self.control,
            PolicyKind::Session => single(&mut self.session, "session")?,
            PolicyKind::Trust => single(&mut self.trust, "trust")?,
            PolicyKind::OssBucket | PolicyKind::KmsKey | PolicyKind::Resource => {
                let layer = single(&mut self.resource, "resource-based")?;
                self.resource_kind = Some(kind);
                layer
            }
        };
        layer
            .add(
                name.clone(),
                report.source,
                &policy,
                statement_errors,
                &mut self.keys,
            )
            .map_err(|message| {
                // A condition value its host left unknown cannot be compiled yet: say which
                // value to give, rather than report a bug.
                match doc
                    .unknown
                    .iter()
                    .find(|u| message.contains(&format!("${{{u}}}")))
                {
                    Some(u) => LoadError::Unknown {
                        name,
                        what: format!("a condition value holding `{u}`"),
                    },
                    None => LoadError::Compile { name, message },
                }
            })
    }

    /// Evaluates one request. Never fails: problems met on the way are in `errors`.
    pub fn evaluate(&self, request: &Request) -> Response {
        engine::run(self, request, false).0
    }

    /// Evaluates one request and explains it statement by statement. The response is the one
    /// [`PolicySet::evaluate`] gives.
    pub fn evaluate_traced(&self, request: &Request) -> (Response, Trace) {
        let (response, trace) = engine::run(self, request, true);
        let trace = trace.unwrap_or_else(|| Trace {
            action: request.action().to_string(),
            resource: request.resource().to_string(),
            principal: request.principal().map(str::to_string),
            control_not_applied: false,
            trust_alone: false,
            layers: Vec::new(),
        });
        (response, trace)
    }

    /// The loaded documents in layer order (control, session, identity, trust, resource) and
    /// load order,
    /// with the names and sources that locations refer to.
    pub fn policies(&self) -> impl Iterator<Item = (PolicyKind, &str, &SourceFile)> {
        let layers = [
            (PolicyKind::Control, Some(&self.control)),
            (PolicyKind::Session, self.session.as_ref()),
            (PolicyKind::Identity, Some(&self.identity)),
            (PolicyKind::Trust, self.trust.as_ref()),
            (
                self.resource_kind.unwrap_or(PolicyKind::Resource),
                self.resource.as_ref(),
            ),
        ];
        layers.into_iter().flat_map(|(kind, layer)| {
            layer
                .into_iter()
                .flat_map(|l| l.policies.iter())
                .map(move |p| (kind, p.name.as_str(), &p.source))
        })
    }

    /// Whether some condition of some loaded policy reads `key` (case-insensitive). A key no
    /// condition reads cannot change a decision, whether it is given, unknown or absent.
    pub fn reads_key(&self, key: &str) -> bool {
        let key = key.to_ascii_lowercase();
        // Every condition key of every layer is interned in the set's key table.
        self.keys.keys.iter().any(|k| **k == *key)
    }

    /// Number of statements per layer: control, session, identity, trust.
    pub fn statement_counts(&self) -> [usize; 4] {
        let n = |l: Option<&LayerSet>| l.map_or(0, LayerSet::len);
        [
            self.control.len(),
            n(self.session.as_ref()),
            self.identity.len(),
            n(self.trust.as_ref()),
        ]
    }
}

/// Only grammar errors refuse a document, and those come from parsing and lowering: the model
/// rules are not run.
fn options(kind: PolicyKind) -> LintOptions<'static> {
    LintOptions {
        kind,
        detect_trust: false,
        rules: lint::ModelRules::None,
    }
}

/// The resource-based kind a document looks like; `None` when it looks like none (a document
/// that is not JSON is a bucket policy here, so that its lint report says why it is refused).
fn resource_kind(bytes: &[u8]) -> Option<PolicyKind> {
    let text = String::from_utf8_lossy(bytes);
    match crate::json::parse(&text).root {
        Some(root) => Some(
            crate::policy::lower(&root, PolicyKind::Identity, true)
                .policy
                .kind,
        )
        .filter(|k| k.is_resource_based()),
        None => Some(PolicyKind::OssBucket),
    }
}

fn single<'a>(
    slot: &'a mut Option<LayerSet>,
    kind: &'static str,
) -> Result<&'a mut LayerSet, LoadError> {
    if let Some(first) = slot.as_ref().and_then(|l| l.policies.first()) {
        return Err(LoadError::Duplicate {
            kind,
            first: first.name.clone(),
        });
    }
    Ok(slot.get_or_insert_with(LayerSet::default))
}

/// Evaluates one request against a policy set: the same as [`PolicySet::evaluate`].
pub fn evaluate(set: &PolicySet, request: &Request) -> Response {
    set.evaluate(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_document_is_a_located_miette_diagnostic() {
        let mut set = PolicySet::new();
        // Revision 2: only a document that cannot be read at all is refused (a duplicate key).
        let text = r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Effect": "Deny", "Action": "*", "Resource": "*"}]}"#;
        let e = set
            .add_text(PolicyKind::Identity, "p.json", text)
            .unwrap_err();
        let d: &dyn miette::Diagnostic = &e;
        assert_eq!(d.code().map(|c| c.to_string()).as_deref(), Some("RG004"));
        let label = d.labels().and_then(|mut l| l.next()).unwrap();
        assert_eq!(
            text.get(label.offset()..label.offset() + label.len()),
            Some("\"Effect\"")
        );
        assert!(d.source_code().is_some());
    }
}
