//! Why each statement did or did not match: the data behind `simulate --format human`.

use serde::Serialize;

use super::combine::{Decision, Layer};
use super::tri::Tri;
use crate::policy::Effect;

/// Every layer that was evaluated, in flow order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Trace {
    pub action: String,
    /// Unknown parts shown as `{#name}`.
    pub resource: String,
    pub principal: Option<String>,
    /// Control policies were loaded but do not bind this principal (the account's root).
    pub control_not_applied: bool,
    /// The caller is a service or federated principal assuming a role: it has no identity
    /// policies, and the trust policy alone decides (rev 2).
    pub trust_alone: bool,
    pub layers: Vec<LayerTrace>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LayerTrace {
    pub layer: Layer,
    /// False when an earlier layer decided on every path, so this one did not count.
    pub reached: bool,
    /// Whether some Deny statement matches / some Allow statement matches.
    pub deny: Tri,
    pub allow: Tri,
    /// What this layer alone yields.
    pub possible: Vec<Decision>,
    pub policies: Vec<PolicyTrace>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PolicyTrace {
    pub file: String,
    pub statements: Vec<StatementTrace>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatementTrace {
    pub statement: usize,
    pub sid: Option<String>,
    pub effect: Effect,
    pub line: usize,
    pub column: usize,
    pub action: ActionTrace,
    /// `None` when not looked at (the action did not match) or when the statement has no
    /// resource element (trust policies).
    pub resource: Option<ResourceTrace>,
    /// Trust policies only; `None` when not looked at.
    pub principal: Option<PrincipalTrace>,
    /// `None` when not evaluated (the action or resource did not match).
    pub conditions: Option<Vec<ConditionTrace>>,
    /// Whether the whole statement matches the request.
    pub result: Tri,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ActionTrace {
    pub matched: bool,
    /// `NotAction`.
    pub negated: bool,
    pub patterns: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ResourceTrace {
    pub matched: Tri,
    /// `NotResource`.
    pub negated: bool,
    pub patterns: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PrincipalTrace {
    pub matched: Tri,
    /// `RAM: acs:ram::1:root`, `Service: ecs.aliyuncs.com`, `*`.
    pub principals: Vec<String>,
}

/// What the request held for a condition key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase", tag = "state", content = "values")]
pub enum Actual {
    Absent,
    Unknown,
    Values(Vec<String>),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConditionTrace {
    /// As written, set qualifier included (`ForAllValues:StringEquals`).
    pub operator: String,
    /// As the policy writes it.
    pub key: String,
    /// The policy values.
    pub expected: Vec<String>,
    pub actual: Actual,
    pub result: Tri,
}
