//! The RAM evaluator: which requests a set of policies allows, in RAM's evaluation order, with
//! three-valued logic for what a request does not know.
//!
//! ```
//! use ramguard::eval::{Decision, PolicySet, Request};
//! use ramguard::policy::PolicyKind;
//!
//! let mut set = PolicySet::new();
//! set.add_text(PolicyKind::Identity, "dbs-operator.json", r#"{
//!   "Version": "1",
//!   "Statement": [{
//!     "Effect": "Allow",
//!     "Action": ["dbs:StartBackupPlan", "dbs:DescribeBackupPlanList"],
//!     "Resource": "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsqdss5tmh1"
//!   }]
//! }"#)?;
//!
//! let plan = |id: &str| format!("acs:dbs:cn-hangzhou:1234567890123456:backupplan/{id}");
//! let request = Request::builder("dbs:StartBackupPlan", plan("dbsqdss5tmh1"))
//!     .context("acs:SourceIp", "192.0.2.10")
//!     .build()?;
//! let response = set.evaluate(&request);
//! assert_eq!(response.decision, Decision::Allow);
//! assert_eq!(response.matched[0].file, "dbs-operator.json");
//!
//! let other = Request::builder("dbs:StartBackupPlan", plan("dbs0therplan")).build()?;
//! let (response, trace) = set.evaluate_traced(&other);
//! assert_eq!(response.decision, Decision::ImplicitDeny);
//! assert!(ramguard::eval::explain(&response, &trace).contains("resource did not match"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Semantics (SEMANTICS.md sections 2-5)
//!
//! - Actions match case-insensitively, resources case-sensitively; `*` is any run of characters
//!   (`:` and `/` included), `?` one character. `NotAction` matches the actions its patterns do
//!   not; `NotResource` is the complement of `Resource`.
//! - Conditions: OR over a key's values, AND over keys and operators. An absent key makes a
//!   positive operator false and a negated one true. A multi-valued request key satisfies a
//!   positive operator when any value matches, a negated one when none does.
//! - Unknown keys, unknown resource parts (`{#name}`) and a missing principal (trust policies)
//!   make results unknown, combined with Kleene logic. A request value an operator cannot read
//!   (a bad IP, date or number) makes that condition unknown and is reported in `errors`; it is
//!   not an unknown key, so it does not appear in `depends_on`.
//! - Layers: control policies (when given) must allow, then the session policy (when given),
//!   then the identity policies decide (any ExplicitDeny denies, else any Allow allows, else
//!   ImplicitDeny); for `sts:AssumeRole` with a trust policy, both identity and trust must allow
//!   (a trust-side denial reports `ResourceBasedPolicy`).
//! - The decision is `Indeterminate` when the set of possible outcomes has more than one element.
//!   Each layer's outcome set is computed from its deny/allow states as if their unknowns were
//!   independent, so `possible` may list an outcome that no concrete request reaches (an Allow
//!   and a Deny guarded by the same unknown key); a definite decision is always sound.
//!
//! # Cost
//!
//! Compilation lowercases and pre-parses everything once; statements are indexed by exact
//! action and by service, so a request only visits the statements whose actions can match it
//! (plus `NotAction` statements and those with a wildcard in the service part). Request values
//! are parsed at most once per family. A known resource is matched without allocating.

mod combine;
mod compile;
mod engine;
mod explain;
mod policy_set;
mod principal;
mod request;
mod response;
mod trace;
mod tri;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

pub use combine::{Decision, Layer};
pub use explain::explain;
pub use policy_set::{evaluate, LoadError, PolicySet};
pub use request::{
    Request, RequestBuilder, RequestError, Resource, ResourcePart, PRINCIPAL_UNKNOWN,
};
pub use response::{EvalError, MatchedStatement, Response};
pub use trace::{
    ActionTrace, Actual, ConditionTrace, LayerTrace, PolicyTrace, PrincipalTrace, ResourceTrace,
    StatementTrace, Trace,
};
pub use tri::Tri;
