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
//! # Using it (the `simulate` and `preflight` commands)
//!
//! 1. Load: [`PolicySet::add_file`] / [`PolicySet::add_text`] with the layer as a
//!    [`PolicyKind`](crate::policy::PolicyKind) (`Identity`, `Control`, `Session`, `Trust`; one
//!    session and one trust policy at most), and [`PolicySet::add_resource_file`] for the
//!    resource's own policy (`OssBucket`, `KmsKey`). Only a document that cannot be read at all
//!    is refused with [`LoadError::Invalid`], which holds the lint report: not JSON, duplicate
//!    keys, no `Statement` array, a broken top level. A statement with a grammar error of its
//!    own takes part as unknown, its error listed in `errors` (SEMANTICS.md section 5, rev 2);
//!    `not-resource` and `policy-too-large` do not count, their meaning is not in doubt.
//! 2. Ask: [`Request::builder`] (with [`RequestBuilder::context_arg`] for `--context KEY=VALUE`,
//!    [`RequestBuilder::unknown`], [`RequestBuilder::principal`]) or `serde_json` on the CLI
//!    request object. `{#name}` in a resource is an unknown part ([`Resource::from_template`]
//!    renders a catalogue ARN template with the parameters that are known).
//! 3. Evaluate: [`PolicySet::evaluate`] gives the [`Response`], which serialises to the CLI
//!    result object; [`PolicySet::evaluate_traced`] also gives the [`Trace`] that [`explain`]
//!    renders for a person.
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
//! - Layers: control policies (when given, and unless the principal is the account's root
//!   identity, which they do not bind) must allow, then the session policy (when given),
//!   then the identity policies and the resource-based policy decide together (any ExplicitDeny
//!   denies, else any Allow allows, else ImplicitDeny; a resource-based statement applies when
//!   its `Principal` matches the caller); for `sts:AssumeRole` with a trust policy, both identity
//!   and trust must allow (a trust-side denial reports `ResourceBasedPolicy`), except for a
//!   service or federated caller, which the trust policy alone decides. A role session
//!   (`acs:ram::A:role/R/S`, `acs:sts::A:assumed-role/R/S`) matches its role and its account.
//! - Conditions with `ForAnyValue:` / `ForAllValues:` hold when some / every request value
//!   satisfies the operator (false / true when the key is absent).
//! - The decision is `Indeterminate` when the set of possible outcomes has more than one element.
//!   Each layer's outcome set is computed from its deny/allow states as if their unknowns were
//!   independent, so `possible` may list an outcome that no concrete request reaches (an Allow
//!   and a Deny guarded by the same unknown key); a definite decision is always sound.
//! - `layer` is `None` when indeterminate, and also when the decision is certain but the layer
//!   that gives it is not (an unknown in a control policy can make the same ImplicitDeny come
//!   from the control or the identity layer).
//! - `matched`: for ExplicitDeny the Deny statements that certainly match in the deciding
//!   layer(s); for Allow the Allow statements that certainly match in the granting layers
//!   (identity, then resource-based and trust policies, each in load order), never the session
//!   or control policies it passed; empty otherwise. Each names its layer.
//! - `notes`: when control policies that allow nothing decide, a note names `FullAliyunAccess`.
//! - `errors` come from the layers a request reaches, and from Allow statements only when no
//!   Deny statement of their layer certainly matches (those are the statements that count).
//!
//! # Resources with unknown parts
//!
//! A pattern is matched against the known text and its holes three ways: **true** when it
//! matches for every filling of the holes, **false** when for none, **unknown** otherwise
//! ([`glob_covers`](crate::policy::pattern::glob_covers) and
//! [`glob_overlaps`](crate::policy::pattern::glob_overlaps)). A hole in the service, region or
//! account field holds any string without `:` (the ARN grammar); a hole in the relative ID holds
//! any string at all, empty included. "False" is exact (an automaton product). "True" is decided
//! symbolically (each hole swallowed by one `*`), which is exact for ARN-shaped patterns; it
//! answers unknown instead of true only when `?` or literals would have to line up with
//! different characters depending on the filling (`?*` against `<hole>x`), or when several
//! patterns only together cover every filling. `depends_on` then names every unknown part of
//! that resource, even one that alone would not change the answer.
//!
//! # Cost
//!
//! Compilation lowercases and pre-parses everything once into a compact layout (fixed-size
//! statement records, one text arena per layer, typed value arrays, condition keys numbered).
//! Statements are indexed by exact action and by service, and split by effect: a request visits
//! only the statements whose actions can match it (plus `NotAction` statements and those with a
//! wildcard in the service part), Deny statements first, and skips the Allow statements of a
//! layer where a Deny certainly matches, and the layers after a gate that certainly denies.
//! Request values are parsed at most once per family; a known resource is matched without
//! allocating, most mismatches without reading the pattern's text.

mod combine;
mod compile;
mod engine;
mod explain;
pub mod input;
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
#[cfg(test)]
mod tests_rev2;

pub use combine::{Decision, Layer};
pub use explain::explain;
pub use policy_set::{evaluate, LoadError, PolicySet};
pub(crate) use request::{Context, ContextBuilder};
pub use request::{
    Request, RequestBuilder, RequestError, Resource, ResourcePart, MAX_FIELD_BYTES,
    PRINCIPAL_UNKNOWN,
};
pub use response::{EvalError, MatchedStatement, Response};
pub use trace::{
    ActionTrace, Actual, ConditionTrace, LayerTrace, PolicyTrace, PrincipalTrace, ResourceTrace,
    StatementTrace, Trace,
};
pub use tri::Tri;
