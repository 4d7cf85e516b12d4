//! Output formats for lint results. Each renderer takes located findings and writes text;
//! none of them looks at the policy model.

pub mod docs;
pub mod escape;
#[cfg(feature = "cli")]
mod excerpt;
pub mod github;
#[cfg(feature = "cli")]
pub mod human;
pub mod json;
pub mod sarif;

use std::sync::Arc;

use serde::Serialize;

use crate::lint::{Diagnostic, FileReport, Rule, Severity};
use crate::source::SourceFile;

/// A diagnostic with its file and resolved position: what every machine format prints.
#[derive(Clone, Debug, Serialize)]
pub struct Located {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
    /// Shared with the file's other findings.
    pub file: Arc<str>,
    /// The document's address inside its host file (rev 2), when the file holds documents.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<Arc<str>>,
    pub pointer: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub offset: usize,
    pub length: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// The rule's documentation link, written out only when serialised.
    #[serde(rename = "url", serialize_with = "rule_url")]
    pub rule: &'static Rule,
}

fn rule_url<S: serde::Serializer>(rule: &&'static Rule, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&rule.url())
}

impl Located {
    /// Takes the diagnostic's texts: a report is located once, after everything else has read
    /// it.
    pub fn new(source: &SourceFile, d: Diagnostic) -> Located {
        let (start, end) = source.line_cols(d.span);
        Located {
            code: d.rule.code,
            name: d.rule.name,
            severity: d.severity,
            message: d.message,
            file: Arc::clone(&source.name),
            document: d.document,
            pointer: d.pointer,
            line: start.line,
            column: start.column,
            end_line: end.line,
            end_column: end.column,
            offset: d.span.start as usize,
            length: d.span.len(),
            help: d.help,
            rule: d.rule,
        }
    }

    fn order_key(&self) -> (&str, usize, &'static str) {
        (&self.file, self.offset, self.code)
    }

    pub fn all(report: FileReport) -> Vec<Located> {
        let source = report.source;
        report
            .diagnostics
            .into_iter()
            .map(|d| Located::new(&source, d))
            .collect()
    }
}

/// A finding that a `[[suppress]]` entry accepted, with the entry's reason.
#[derive(Clone, Debug)]
pub struct Suppressed {
    pub located: Located,
    pub reason: String,
}

/// The order of every machine format (CLI.md): by file, then offset, then code. Stable, so
/// findings that tie keep the order their file gave them.
pub fn sort(located: &mut [&Located]) {
    located.sort_by(|a, b| a.order_key().cmp(&b.order_key()));
}

pub fn sort_suppressed(suppressed: &mut [&Suppressed]) {
    suppressed.sort_by(|a, b| a.located.order_key().cmp(&b.located.order_key()));
}

/// Counts by severity.
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub error: usize,
    pub warning: usize,
    pub info: usize,
}

impl std::ops::AddAssign for Summary {
    fn add_assign(&mut self, other: Summary) {
        self.error += other.error;
        self.warning += other.warning;
        self.info += other.info;
    }
}

impl Summary {
    pub fn add(&mut self, severity: Severity) {
        match severity {
            Severity::Error => self.error += 1,
            Severity::Warning => self.warning += 1,
            Severity::Info => self.info += 1,
        }
    }
}
