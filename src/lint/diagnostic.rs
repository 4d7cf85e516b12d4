//! What a check reports: a rule, a severity, a message and where.

use serde::Serialize;

use super::registry::Rule;
use crate::source::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

/// A secondary location ("first defined here").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// One finding in one document. The file it belongs to is held by the caller
/// ([`crate::lint::FileReport`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule: &'static Rule,
    pub severity: Severity,
    /// Lowercase, no final period, user input in backticks.
    pub message: String,
    pub span: Span,
    pub help: Option<String>,
    pub labels: Vec<Label>,
    /// RFC 6901 pointer of the offending value, filled in by [`crate::lint::lint_source`].
    pub pointer: String,
    /// The address of the document inside its host file (`alicloud_ram_policy.backup`), when
    /// the file holds documents rather than being one.
    pub document: Option<std::sync::Arc<str>>,
}

impl Diagnostic {
    pub fn new(rule: &'static Rule, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            rule,
            severity: rule.severity,
            message: message.into(),
            span,
            help: None,
            labels: Vec::new(),
            pointer: String::new(),
            document: None,
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// A severity other than the rule's default, for rules whose certainty varies per finding
    /// (the catalogue rules: an error only where the action list is complete).
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    pub fn maybe_help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    pub fn label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn code(&self) -> &'static str {
        self.rule.code
    }
}

/// The indefinite article for `word`, by its first letter ("an identity policy", "an IP address
/// operator", "a control policy"); good enough for the words messages put after it.
pub(crate) fn article(word: &str) -> &'static str {
    match word.chars().next().map(|c| c.to_ascii_lowercase()) {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    }
}

display_as_str!(Severity);
