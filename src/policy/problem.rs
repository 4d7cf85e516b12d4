//! What lowering finds wrong with a document, in the model's own terms: `lint` maps each
//! [`ProblemKind`] to its grammar rule, so the model never depends on the linter.

use crate::source::Span;

/// How bad a problem is. [`Level::Error`] is what RAM rejects: a statement with one takes part
/// as unknown (SEMANTICS.md section 5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Info,
    Warning,
    Error,
}

/// Every shape problem lowering reports; one grammar rule each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProblemKind {
    InvalidDocument,
    InvalidVersion,
    InvalidStatement,
    StatementObjectForm,
    UnknownElement,
    InvalidEffect,
    MissingAction,
    ActionAndNotAction,
    MissingResource,
    NotResource,
    ResourceAndNotResource,
    ResourceInTrustPolicy,
    MissingPrincipal,
    PrincipalOutsideTrust,
    InvalidPrincipal,
    ValueTypeMismatch,
    InvalidValueType,
    EmptyList,
    InvalidAction,
    InvalidArn,
    UnknownOperator,
    InvalidConditionKey,
    InvalidConditionValue,
    MultipleBoolValues,
    DuplicateSid,
    TrustAction,
    SetOperator,
    ResourcePolicyKind,
}

impl ProblemKind {
    pub const ALL: [ProblemKind; 28] = [
        ProblemKind::InvalidDocument,
        ProblemKind::InvalidVersion,
        ProblemKind::InvalidStatement,
        ProblemKind::StatementObjectForm,
        ProblemKind::UnknownElement,
        ProblemKind::InvalidEffect,
        ProblemKind::MissingAction,
        ProblemKind::ActionAndNotAction,
        ProblemKind::MissingResource,
        ProblemKind::NotResource,
        ProblemKind::ResourceAndNotResource,
        ProblemKind::ResourceInTrustPolicy,
        ProblemKind::MissingPrincipal,
        ProblemKind::PrincipalOutsideTrust,
        ProblemKind::InvalidPrincipal,
        ProblemKind::ValueTypeMismatch,
        ProblemKind::InvalidValueType,
        ProblemKind::EmptyList,
        ProblemKind::InvalidAction,
        ProblemKind::InvalidArn,
        ProblemKind::UnknownOperator,
        ProblemKind::InvalidConditionKey,
        ProblemKind::InvalidConditionValue,
        ProblemKind::MultipleBoolValues,
        ProblemKind::DuplicateSid,
        ProblemKind::TrustAction,
        ProblemKind::SetOperator,
        ProblemKind::ResourcePolicyKind,
    ];

    /// The usual level: an error where RAM rejects the document, a warning where it accepts
    /// something it does not document (a number for a string, the object form of
    /// `Statement`), information where it accepts and applies it.
    pub fn level(self) -> Level {
        use ProblemKind::*;
        match self {
            StatementObjectForm | ValueTypeMismatch | DuplicateSid | TrustAction => Level::Warning,
            SetOperator | ResourcePolicyKind => Level::Info,
            _ => Level::Error,
        }
    }
}

/// One problem: where, what (lowercase, no final period, user input in backticks), the
/// places it refers to, and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    /// The kind's usual level unless this case differs (an action without a service in a
    /// control policy is accepted, so only a warning).
    pub level: Level,
    pub span: Span,
    pub message: String,
    /// Secondary places ("first used here").
    pub labels: Vec<(Span, String)>,
    pub help: Option<String>,
}

impl Problem {
    pub fn new(kind: ProblemKind, span: Span, message: impl Into<String>) -> Self {
        Problem {
            kind,
            level: kind.level(),
            span,
            message: message.into(),
            labels: Vec::new(),
            help: None,
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push((span, message.into()));
        self
    }
}
