//! Linting one document: read, parse, lower, run the model rules, locate every finding.

mod diagnostic;
pub mod meta;
pub mod registry;
pub mod rules;
pub mod select;

pub use diagnostic::{Diagnostic, Label, Severity};
pub use registry::{Category, Rule, RuleContext};

use crate::document::{Document, Problem, ProblemKind};
use crate::json;
use crate::policy::{self, PolicyKind};
use crate::source::{SourceFile, Span};
use rules::grammar as g;

/// How to read a document.
#[derive(Clone, Copy, Debug, Default)]
pub struct LintOptions<'a> {
    pub kind: PolicyKind,
    /// Read a document whose statements carry `Principal` as a trust policy (when the user did
    /// not name a kind).
    pub detect_trust: bool,
    pub rules: ModelRules<'a>,
}

/// Which model rules run. Grammar findings come from parsing and lowering and are always made;
/// a rule that is not selected is not run at all, rather than run and filtered.
#[derive(Clone, Copy, Debug, Default)]
pub enum ModelRules<'a> {
    #[default]
    All,
    /// Those the settings enable (per-file ignores and suppressions are applied afterwards).
    Enabled(&'a select::Settings),
    /// None: for a loader that only asks whether RAM accepts the document.
    None,
}

impl ModelRules<'_> {
    fn runs(&self, rule: &Rule) -> bool {
        match self {
            ModelRules::All => true,
            ModelRules::Enabled(settings) => settings.is_enabled(rule),
            ModelRules::None => false,
        }
    }
}

/// The findings of one file, sorted by offset then code.
#[derive(Clone, Debug)]
pub struct FileReport {
    pub source: SourceFile,
    pub diagnostics: Vec<Diagnostic>,
    /// Span and `Sid` of every statement that has one (read from the JSON, so statements that
    /// failed to lower keep theirs): lets a suppression name a statement by `Sid`.
    pub sids: Vec<(Span, String)>,
}

impl FileReport {
    /// The `Sid` of the statement that contains `span`, if it has one.
    pub fn sid_at(&self, span: Span) -> Option<&str> {
        self.sids
            .iter()
            .find(|(s, _)| s.contains(span))
            .map(|(_, sid)| sid.as_str())
    }
}

/// Lints a file's bytes through the document layer (the one load path): a policy file, or a
/// host whose documents are all linted with `options`. Never fails: every problem is a
/// diagnostic. Findings in files the host names (`file("x.json")`) are left out: read with
/// [`crate::document::read`] and [`lint_read`] to have them.
pub fn lint_bytes(name: &str, bytes: &[u8], options: LintOptions) -> FileReport {
    if bytes.len() as u64 > crate::source::MAX_INPUT_BYTES {
        return too_large(name, crate::source::MAX_INPUT_BYTES);
    }
    let dir = std::path::Path::new(name).parent();
    let read = crate::document::read(
        name,
        bytes.to_vec(),
        dir,
        &crate::document::ReadOptions::default(),
    );
    // Without a kind from the caller, the host's kind (a trust attribute) wins.
    let mut reports = lint_read(&read, &|doc| match doc.policy_kind() {
        Some(kind) if options.detect_trust => LintOptions {
            kind,
            detect_trust: false,
            ..options
        },
        _ => options,
    });
    match reports.is_empty() {
        true => FileReport {
            source: read.file,
            diagnostics: Vec::new(),
            sids: Vec::new(),
        },
        false => reports.swap_remove(0),
    }
}

/// The report for a file that could not be read at all.
pub fn unreadable(name: &str, error: &std::io::Error) -> FileReport {
    FileReport {
        source: SourceFile::new(name, ""),
        diagnostics: vec![Diagnostic::new(
            &g::UNREADABLE_FILE,
            Span::default(),
            format!("cannot read the file: {error}"),
        )],
        sids: Vec::new(),
    }
}

/// The report for a file over [`crate::source::MAX_INPUT_BYTES`]: refused with one finding, not
/// parsed (no policy comes near: RAM's own limit is 6,144 characters).
pub fn too_large(name: &str, limit: u64) -> FileReport {
    FileReport {
        source: SourceFile::new(name, ""),
        diagnostics: vec![Diagnostic::new(
            &g::POLICY_TOO_LARGE,
            Span::default(),
            format!("the file is larger than {limit} bytes, the most ramguard reads: it was not checked"),
        )
        .help("a policy may hold at most 6,144 characters: split the file")],
        sids: Vec::new(),
    }
}

/// The report for a file whose check met a bug in ramguard (a panic, contained per file).
pub fn internal_error(name: &str, what: &str) -> FileReport {
    FileReport {
        source: SourceFile::new(name, ""),
        diagnostics: vec![Diagnostic::new(
            &g::UNREADABLE_FILE,
            Span::default(),
            format!("internal error while checking the file: {what}"),
        )
        .help("this is a bug in ramguard: please report it with the file")],
        sids: Vec::new(),
    }
}

/// Lints a document's text. A text over [`crate::source::MAX_INPUT_BYTES`] is refused with one
/// finding, unparsed: spans are `u32`, and no policy comes near the limit.
pub fn lint_source(source: SourceFile, options: LintOptions) -> FileReport {
    let limit = crate::source::MAX_INPUT_BYTES;
    if source.text.len() as u64 > limit {
        return too_large(&source.name, limit);
    }
    let parsed = json::parse(&source.text);
    let (diagnostics, sids, _) = check(&source, &parsed, options);
    FileReport {
        source,
        diagnostics,
        sids,
    }
}

/// Lints one located document: findings in the host file's coordinates, each carrying the
/// document's address. Also returns the typed policy, so that a loader never lowers twice.
pub fn lint_document(doc: &Document, options: LintOptions) -> (FileReport, Option<policy::Policy>) {
    let (Some(source), Some(parsed)) = (&doc.source, &doc.parsed) else {
        return (
            FileReport {
                source: doc.host_file.clone(),
                diagnostics: Vec::new(),
                sids: Vec::new(),
            },
            None,
        );
    };
    let (mut diagnostics, mut sids, policy) = check(source, parsed, options);
    if !doc.unknown.is_empty() {
        // A rule that judges a value cannot judge one its host left unknown.
        diagnostics.retain(|d| !judges_unknown_value(source.slice(d.span)));
    }
    if !doc.map.is_identity() {
        for d in &mut diagnostics {
            d.span = doc.map.map(d.span);
            for l in &mut d.labels {
                l.span = doc.map.map(l.span);
            }
        }
        for (span, _) in &mut sids {
            *span = doc.map.map(*span);
        }
    }
    if doc.address.is_some() {
        for d in &mut diagnostics {
            d.document.clone_from(&doc.address);
        }
    }
    (
        FileReport {
            source: doc.host_file.clone(),
            diagnostics,
            sids,
        },
        policy,
    )
}

/// A host's own problem (an HCL syntax error, a resource whose document cannot be read) as the
/// grammar finding it is.
pub fn problem_diagnostic(p: &Problem) -> Diagnostic {
    let rule = match p.kind {
        ProblemKind::InvalidUtf8 => &g::INVALID_UTF8,
        ProblemKind::Syntax => &g::INVALID_JSON,
        ProblemKind::Unreadable => &g::INVALID_DOCUMENT,
    };
    let mut d = Diagnostic::new(rule, p.span, p.message.clone());
    d.document.clone_from(&p.address);
    if p.kind == ProblemKind::InvalidUtf8 {
        d = d.help("save the file as UTF-8");
    }
    d
}

/// Lints every document a file holds. The first report is the file's own (its problems and
/// the findings of the documents written in it); documents located in other files
/// (`file("x.json")`) come in reports of their own.
pub fn lint_read<'s>(
    read: &crate::document::Read,
    options_for: &dyn Fn(&Document) -> LintOptions<'s>,
) -> Vec<FileReport> {
    let mut reports = vec![FileReport {
        source: read.file.clone(),
        diagnostics: Vec::new(),
        sids: Vec::new(),
    }];
    let mut add = |report: FileReport| match reports
        .iter_mut()
        .find(|r| r.source.name == report.source.name)
    {
        Some(r) => {
            r.diagnostics.extend(report.diagnostics);
            r.sids.extend(report.sids);
        }
        None => reports.push(report),
    };
    for p in &read.problems {
        add(FileReport {
            source: p.file.clone(),
            diagnostics: vec![problem_diagnostic(p)],
            sids: Vec::new(),
        });
    }
    for doc in &read.documents {
        add(lint_document(doc, options_for(doc)).0);
    }
    for r in &mut reports {
        sort(&mut r.diagnostics);
    }
    reports
}

/// Whether a finding's text is one string value holding an unknown part (`"${var.arn}"`,
/// `"acs:ecs:${var.region}:..."`): findings about statements or objects are kept.
fn judges_unknown_value(text: &str) -> bool {
    text.len() >= 2 && text.starts_with('"') && text.ends_with('"') && text.contains("${")
}

fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (a.span.start, a.rule.code, a.span.end).cmp(&(b.span.start, b.rule.code, b.span.end))
    });
}

/// Parse findings, lowering and the selected model rules over a parsed document.
fn check(
    source: &SourceFile,
    parsed: &json::Parsed,
    options: LintOptions,
) -> (Vec<Diagnostic>, Vec<(Span, String)>, Option<policy::Policy>) {
    let mut policy_out = None;
    let mut diags: Vec<Diagnostic> = Vec::new();
    let mut sids = Vec::new();
    if parsed.bom {
        diags.push(
            Diagnostic::new(
                &g::BYTE_ORDER_MARK,
                Span::new(0, 3),
                "the file starts with a UTF-8 byte-order mark",
            )
            .help("save the file as UTF-8 without BOM"),
        );
    }
    for e in &parsed.errors {
        diags.push(Diagnostic::new(&g::INVALID_JSON, e.span, e.message()));
    }
    for d in &parsed.duplicates {
        let message = if d.exact {
            format!("duplicate key `{}`", d.key)
        } else {
            format!(
                "key `{}` duplicates an earlier key that differs only in case",
                d.key
            )
        };
        diags.push(
            Diagnostic::new(&g::DUPLICATE_KEY, d.second, message)
                .label(d.first, "first defined here")
                .help("remove one of them: the first is what reviewers read, but many loaders keep the last"),
        );
    }
    if let Some(root) = &parsed.root {
        check_size(source, options.kind, parsed.bom, &mut diags);
        let lowered = policy::lower(root, options.kind, options.detect_trust);
        diags.extend(lowered.problems.into_iter().map(g::diagnostic));
        let cx = RuleContext {
            policy: &lowered.policy,
            source,
        };
        for rule in registry::all() {
            match rule.check {
                Some(check) if options.rules.runs(rule) => check(&cx, &mut diags),
                _ => {}
            }
        }
        for d in &mut diags {
            d.pointer = json::pointer_for(root, d.span);
        }
        sids = statement_sids(root);
        policy_out = Some(lowered.policy);
    }
    sort(&mut diags);
    (diags, sids, policy_out)
}

/// Span and `Sid` of each statement object that has a string `Sid` (the first `Statement` and
/// `Sid` keys count, as in lowering; the single-object form of `Statement` too).
fn statement_sids(root: &json::Node) -> Vec<(Span, String)> {
    let json::Value::Object(members) = &root.value else {
        return Vec::new();
    };
    let statements = match members.iter().find(|m| m.key == "Statement") {
        Some(m) => match &m.value.value {
            json::Value::Array(items) => items.as_slice(),
            json::Value::Object(_) => std::slice::from_ref(&m.value),
            _ => &[],
        },
        None => &[],
    };
    statements
        .iter()
        .filter_map(|st| match &st.value {
            json::Value::Object(ms) => match &ms.iter().find(|m| m.key == "Sid")?.value.value {
                json::Value::String(sid) => Some((st.span, sid.clone())),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

fn check_size(source: &SourceFile, kind: PolicyKind, bom: bool, diags: &mut Vec<Diagnostic>) {
    let max = kind.max_chars();
    let text = if bom {
        source.text.get(3..).unwrap_or_default()
    } else {
        &source.text[..]
    };
    // Characters never outnumber bytes, so most documents skip the count.
    if text.len() <= max {
        return;
    }
    let chars = text.chars().count();
    if chars > max {
        // In ASCII text (most policies) the character is the byte.
        let first_over = if chars == text.len() {
            max
        } else {
            text.char_indices().nth(max).map_or(0, |(i, _)| i)
        };
        let start = first_over + usize::from(bom) * 3;
        diags.push(
            Diagnostic::new(
                &g::POLICY_TOO_LARGE,
                Span::new(start, source.text.len()),
                format!(
                    "the document has {chars} characters; {} {} policy may hold at most {max}",
                    diagnostic::article(kind.as_str()),
                    kind.as_str()
                ),
            )
            .help(
                "split it into several policies, or use wildcards where they stay least-privilege",
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Unselected model rules do not run; grammar findings are made whatever the selection.
    #[test]
    fn model_rules_follow_the_selection() {
        let text =
            br#"{"Version": "1", "Statement": [{"Effect": "allow", "Action": "*", "Resource": "*"},
            {"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#;
        let codes = |rules| -> Vec<&str> {
            let options = LintOptions {
                rules,
                ..LintOptions::default()
            };
            let report = lint_bytes("t.json", text, options);
            report.diagnostics.iter().map(|d| d.rule.code).collect()
        };
        let all = codes(ModelRules::All);
        assert!(all.contains(&"RG100"), "{all:?}");
        let none = codes(ModelRules::None);
        assert!(!none.contains(&"RG100"), "{none:?}");
        assert!(none.iter().all(|c| c.starts_with("RG0")) && !none.is_empty());
        let ignore = select::Selector::parse("RG100").unwrap();
        let settings = select::Settings::new(None, &[ignore], &[], Vec::new(), Vec::new());
        let some = codes(ModelRules::Enabled(&settings));
        assert_eq!(
            some,
            all.iter()
                .copied()
                .filter(|c| *c != "RG100")
                .collect::<Vec<_>>()
        );
    }
}
