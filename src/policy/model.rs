//! Policy, Statement and their elements.

use serde::Serialize;

use super::operator::{qualified_name, Operator, SetOp};
use crate::source::{Span, Spanned};

/// What a document is for; it decides which elements are required (SEMANTICS.md section 1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PolicyKind {
    /// Custom or system policy attached to a RAM user, group or role.
    #[default]
    Identity,
    /// Resource Directory control policy: bounds permissions, never grants them.
    Control,
    /// The `Policy` parameter of STS AssumeRole.
    Session,
    /// A RAM role's trust policy.
    Trust,
    /// An OSS bucket policy (rev 2): `Principal` is a list of account or user IDs, or `*`.
    OssBucket,
    /// A KMS key policy (rev 2): `Principal` in the trust-policy object form.
    KmsKey,
    /// A resource-based policy of a service ramguard has no kind for (`Principal` and
    /// `Resource`, actions of another service): read with the resource-based grammar.
    Resource,
}

impl PolicyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyKind::Identity => "identity",
            PolicyKind::Control => "control",
            PolicyKind::Session => "session",
            PolicyKind::Trust => "trust",
            PolicyKind::OssBucket => "oss-bucket",
            PolicyKind::KmsKey => "kms-key",
            PolicyKind::Resource => "resource",
        }
    }

    /// A resource-based policy: `Principal` and `Resource` are both required.
    pub fn is_resource_based(self) -> bool {
        matches!(
            self,
            PolicyKind::OssBucket | PolicyKind::KmsKey | PolicyKind::Resource
        )
    }

    /// Statements name a `Principal` (trust and resource-based policies).
    pub fn has_principal(self) -> bool {
        self == PolicyKind::Trust || self.is_resource_based()
    }

    pub fn parse(s: &str) -> Option<PolicyKind> {
        match s {
            "identity" => Some(PolicyKind::Identity),
            "control" => Some(PolicyKind::Control),
            "session" => Some(PolicyKind::Session),
            "trust" => Some(PolicyKind::Trust),
            "oss-bucket" => Some(PolicyKind::OssBucket),
            "kms-key" => Some(PolicyKind::KmsKey),
            _ => None,
        }
    }

    /// Most characters a document of this kind may hold.
    pub fn max_chars(self) -> usize {
        match self {
            PolicyKind::Identity => 6_144,
            PolicyKind::Control => 4_096,
            PolicyKind::Session => 2_048,
            // RAM documents no separate limit for trust policies; a role's
            // AssumeRolePolicyDocument is a policy document like any other.
            PolicyKind::Trust => 6_144,
            // OSS: 16 KB per bucket policy; KMS: 32 KB per key policy.
            PolicyKind::OssBucket => 16_384,
            PolicyKind::KmsKey => 32_768,
            PolicyKind::Resource => 61_440,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Effect {
    Allow,
    Deny,
}

impl Effect {
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

/// A document as lowered. Statements with grammar errors are kept where they could be read
/// (so security rules still see them) and marked `valid: false`; the evaluator refuses a
/// document with any error.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Policy {
    pub kind: PolicyKind,
    /// Span of the whole top-level value.
    pub span: Span,
    pub version: Option<Spanned<String>>,
    pub statements: Vec<Statement>,
    /// Statement objects that could not be lowered (no readable `Effect` or action). The
    /// evaluator treats each as an unknown statement of either effect (rev 2).
    pub unreadable: Vec<Unreadable>,
}

/// What could be read of a statement that could not be lowered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unreadable {
    pub index: usize,
    pub span: Span,
    pub action: Option<Element>,
    pub resource: Option<Element>,
}

/// `Action`/`NotAction`, `Resource`/`NotResource`, or one principal list: a list of strings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Element {
    /// `NotAction` / `NotResource`.
    pub negated: bool,
    /// Span of the element's key (`"Action"`).
    pub key_span: Span,
    /// Span of the element's value (a string or the array).
    pub span: Span,
    /// The values in document order (numbers and booleans converted to their text).
    pub values: Vec<Spanned<String>>,
}

impl Element {
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.values.iter().map(|v| v.value.as_str())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum PrincipalKind {
    #[serde(rename = "RAM")]
    Ram,
    Service,
    Federated,
}

impl PrincipalKind {
    pub const ALL: [PrincipalKind; 3] = [
        PrincipalKind::Ram,
        PrincipalKind::Service,
        PrincipalKind::Federated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::Ram => "RAM",
            PrincipalKind::Service => "Service",
            PrincipalKind::Federated => "Federated",
        }
    }
}

/// `Principal` of a trust or resource-based policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub span: Span,
    /// `"Principal": "*"` (or `["*"]` in a bucket policy): everyone.
    pub any: Option<Span>,
    pub entries: Vec<(PrincipalKind, Element)>,
    /// A bucket policy's list form: account IDs, RAM user IDs or ARNs (`*` excluded, it is
    /// `any`).
    pub ids: Option<Element>,
}

impl Principal {
    pub fn values(&self, kind: PrincipalKind) -> impl Iterator<Item = &Spanned<String>> {
        self.entries
            .iter()
            .filter(move |(k, _)| *k == kind)
            .flat_map(|(_, e)| e.values.iter())
    }
}

/// One `Operator: { key: values }` test. A condition block with several operators and keys is
/// flattened into several of these, all of which must hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition {
    pub operator: Operator,
    /// `ForAnyValue:` / `ForAllValues:` before the operator, if any.
    pub set: Option<SetOp>,
    pub operator_span: Span,
    /// The key as written.
    pub key: String,
    pub key_span: Span,
    /// Span of the values (a string or the array).
    pub values_span: Span,
    pub values: Vec<Spanned<String>>,
}

impl Condition {
    /// The operator as written (`ForAllValues:StringEquals`).
    pub fn operator_name(&self) -> String {
        qualified_name(self.set, self.operator)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    /// 0-based index in the document's `Statement` array.
    pub index: usize,
    /// Span of the statement object.
    pub span: Span,
    pub sid: Option<Spanned<String>>,
    pub effect: Spanned<Effect>,
    pub action: Element,
    pub resource: Option<Element>,
    pub principal: Option<Principal>,
    /// Span of the `Condition` object, if any.
    pub condition_span: Option<Span>,
    pub conditions: Vec<Condition>,
    /// False when lowering reported an error inside this statement.
    pub valid: bool,
}

display_as_str!(PolicyKind, Effect, PrincipalKind);
