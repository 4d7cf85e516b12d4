//! Output formats for lint results. Each renderer takes located findings and writes text;
//! none of them looks at the policy model.

pub mod docs;
pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

use serde::Serialize;

use crate::lint::{Diagnostic, FileReport, Severity};

/// A diagnostic with its file and resolved position: what every machine format prints.
#[derive(Clone, Debug, Serialize)]
pub struct Located {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
    pub file: String,
    pub pointer: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub offset: usize,
    pub length: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    pub url: String,
}

impl Located {
    pub fn new(report: &FileReport, d: &Diagnostic) -> Located {
        let start = report.source.line_col(d.span.start as usize);
        let end = report.source.line_col(d.span.end as usize);
        Located {
            code: d.rule.code,
            name: d.rule.name,
            severity: d.severity,
            message: d.message.clone(),
            file: report.source.name.to_string(),
            pointer: d.pointer.clone(),
            line: start.line,
            column: start.column,
            end_line: end.line,
            end_column: end.column,
            offset: d.span.start as usize,
            length: d.span.len(),
            help: d.help.clone(),
            url: d.rule.url(),
        }
    }

    pub fn all(report: &FileReport) -> Vec<Located> {
        report
            .diagnostics
            .iter()
            .map(|d| Located::new(report, d))
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
pub fn sort(located: &mut [Located]) {
    located.sort_by(|a, b| {
        (a.file.as_str(), a.offset, a.code).cmp(&(b.file.as_str(), b.offset, b.code))
    });
}

pub fn sort_suppressed(suppressed: &mut [Suppressed]) {
    suppressed.sort_by(|a, b| {
        let (a, b) = (&a.located, &b.located);
        (a.file.as_str(), a.offset, a.code).cmp(&(b.file.as_str(), b.offset, b.code))
    });
}

/// Counts by severity.
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub error: usize,
    pub warning: usize,
    pub info: usize,
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
