//! Preflight: predict what RAM will answer to a DBS API call before making it, and run the real
//! call only when the prediction lets it through.
//!
//! ```
//! use ramguard::eval::PolicySet;
//! use ramguard::policy::PolicyKind;
//! use ramguard::preflight::{Call, CallContext, Preflight, Prediction};
//!
//! let mut policies = PolicySet::new();
//! policies.add_text(PolicyKind::Identity, "operator.json", r#"{"Version": "1", "Statement": [{
//!     "Effect": "Allow", "Action": "dbs:StartBackupPlan",
//!     "Resource": "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsqdss5tmh1"}]}"#)?;
//! let preflight = Preflight::new(policies);
//!
//! let call = Call::new("StartBackupPlan", "cn-hangzhou")?
//!     .account("1234567890123456")
//!     .param("BackupPlanId", "dbsqdss5tmh2");
//! match preflight.check(&call, &CallContext::default())? {
//!     Prediction::Forbidden(f) => assert_eq!(f.body.err_code, "Request.Forbidden"),
//!     other => panic!("expected a predicted denial, got {other:?}"),
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod guard;

pub use guard::{GuardError, GuardedClient, OnIndeterminate, Sent};

use std::collections::BTreeMap;

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::catalog::dbs::{self, UnknownOperation};
use crate::catalog::Operation;
use crate::dbs::{AccessDeniedDetail, ApiCall, ForbiddenBody};
use crate::eval::{Decision, PolicySet, Request, RequestError, Resource, Response};

/// One DBS API call as the caller means to make it.
#[derive(Clone, Debug)]
pub struct Call {
    op: &'static Operation,
    region: String,
    account: Option<String>,
    params: BTreeMap<String, String>,
}

impl Call {
    /// A call of a catalogued operation (`StartBackupPlan`, any case, `dbs:` prefix optional).
    pub fn new(api: &str, region: impl Into<String>) -> Result<Call, UnknownOperation> {
        Ok(Call {
            op: dbs::operation(api)?,
            region: region.into(),
            account: None,
            params: BTreeMap::new(),
        })
    }

    /// The account that owns the resource; without it that ARN field is unknown.
    pub fn account(mut self, account: impl Into<String>) -> Call {
        self.account = Some(account.into());
        self
    }

    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Call {
        self.params.insert(name.into(), value.into());
        self
    }

    pub fn operation(&self) -> &'static Operation {
        self.op
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    /// `dbs:StartBackupPlan`.
    pub fn action(&self) -> &'static str {
        self.op.action
    }

    /// The resource RAM authorizes the call on: `*` for All Resources operations, the rendered
    /// ARN template otherwise (a missing parameter or account is an unknown part), and a wholly
    /// unknown resource where the catalogue does not know the operation's resource type.
    pub fn resource(&self) -> Resource {
        if self.op.all_resources() {
            return Resource::Known("*".to_string());
        }
        let Some(template) = self.op.resources.and_then(|r| r.first()) else {
            return Resource::partial(vec![crate::eval::ResourcePart::Unknown(
                "resource".to_string(),
            )]);
        };
        Resource::from_template(template, |name| self.value_of(name))
    }

    /// A template variable's value: region, account, or a parameter (names case-insensitive).
    fn value_of(&self, name: &str) -> Option<String> {
        if name.eq_ignore_ascii_case("regionId") {
            return Some(self.region.clone());
        }
        if name.eq_ignore_ascii_case("accountId") {
            return self.account.clone();
        }
        self.params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    }

    /// The signed-call form for [`crate::dbs::Client`]. A `ClientToken` is added only where the
    /// operation takes one.
    pub fn api_call(&self) -> ApiCall {
        let mut call = ApiCall::new(self.op.api, self.op.api_version);
        call.params = self.params.clone();
        call.add_client_token = self.op.param("ClientToken").is_some();
        call
    }

    /// Required parameters (per the catalogue) that the call does not give.
    pub fn missing_required(&self) -> Vec<&'static str> {
        self.op
            .params
            .iter()
            .filter(|p| p.required == Some(true))
            .filter(|p| !self.params.keys().any(|k| k.eq_ignore_ascii_case(p.name)))
            .map(|p| p.name)
            .collect()
    }
}

/// What is known locally about the context of a call. The default is what every call made
/// through ramguard has: HTTPS (`acs:SecureTransport=true`) and the current time; the source IP
/// is unknown (the caller's public address is seen only by the gateway).
#[derive(Clone, Debug)]
pub struct CallContext {
    values: Vec<(String, String)>,
    unknown: Vec<String>,
    principal: Option<String>,
    /// Whether `acs:CurrentTime` is filled in at each check.
    now: bool,
}

impl Default for CallContext {
    fn default() -> Self {
        CallContext {
            values: vec![("acs:SecureTransport".to_string(), "true".to_string())],
            unknown: vec!["acs:SourceIp".to_string()],
            principal: None,
            now: true,
        }
    }
}

impl CallContext {
    /// No defaults at all: every key absent unless given.
    pub fn empty() -> Self {
        CallContext {
            values: Vec::new(),
            unknown: Vec::new(),
            principal: None,
            now: false,
        }
    }

    /// Gives a key a value, replacing a default for it (keys are case-insensitive). Giving the
    /// same key twice makes it multi-valued.
    pub fn value(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        let key = key.into();
        self.forget_default(&key);
        self.values.push((key, value.into()));
        self
    }

    /// Marks a key as unknown.
    pub fn unknown(mut self, key: impl Into<String>) -> Self {
        let key = key.into();
        self.forget_default(&key);
        self.unknown.push(key);
        self
    }

    pub fn principal(mut self, principal: impl Into<String>) -> Self {
        self.principal = Some(principal.into());
        self
    }

    fn forget_default(&mut self, key: &str) {
        if key.eq_ignore_ascii_case("acs:CurrentTime") {
            self.now = false;
        }
        let defaults = ["acs:SecureTransport", "acs:SourceIp"];
        if defaults.iter().any(|d| d.eq_ignore_ascii_case(key)) {
            let user_given = |k: &String| !defaults.iter().any(|d| d == k);
            self.values
                .retain(|(k, _)| !k.eq_ignore_ascii_case(key) || user_given(k));
            self.unknown
                .retain(|k| !k.eq_ignore_ascii_case(key) || user_given(k));
        }
    }
}

/// A denial predicted before the call: the body the API would return, and why.
#[derive(Clone, Debug)]
pub struct Forbidden {
    pub body: ForbiddenBody,
    pub response: Response,
}

/// What RAM will answer.
#[derive(Clone, Debug)]
pub enum Prediction {
    Allowed(Response),
    Forbidden(Box<Forbidden>),
    /// Depends on context that is not known locally (`response.depends_on`).
    Indeterminate(Response),
}

impl Prediction {
    pub fn response(&self) -> &Response {
        match self {
            Prediction::Allowed(r) | Prediction::Indeterminate(r) => r,
            Prediction::Forbidden(f) => &f.response,
        }
    }
}

/// A compiled policy set ready to answer many calls.
#[derive(Clone, Debug)]
pub struct Preflight {
    policies: PolicySet,
}

impl Preflight {
    pub fn new(policies: PolicySet) -> Preflight {
        Preflight { policies }
    }

    pub fn policies(&self) -> &PolicySet {
        &self.policies
    }

    /// The evaluator request for a call in a context.
    pub fn request(&self, call: &Call, context: &CallContext) -> Result<Request, RequestError> {
        let mut b = Request::builder(call.action(), call.resource());
        for (k, v) in &context.values {
            b = b.context(k.clone(), v.clone());
        }
        for k in &context.unknown {
            b = b.unknown(k.clone());
        }
        if context.now {
            let now = OffsetDateTime::now_utc()
                .format(&Rfc3339)
                .unwrap_or_default();
            b = b.context("acs:CurrentTime", now);
        }
        if let Some(p) = &context.principal {
            b = b.principal(p.clone());
        }
        b.build()
    }

    /// Predicts RAM's answer. A context that cannot form a request (an empty key, say) is
    /// reported as an error by [`Preflight::request`]; here it makes the prediction
    /// indeterminate rather than a guess.
    pub fn check(&self, call: &Call, context: &CallContext) -> Result<Prediction, RequestError> {
        let request = self.request(call, context)?;
        Ok(self.predict(call, &request))
    }

    /// Predicts from an already built request.
    pub fn predict(&self, call: &Call, request: &Request) -> Prediction {
        let response = self.policies.evaluate(request);
        match response.decision {
            Decision::Allow => Prediction::Allowed(response),
            Decision::Indeterminate => Prediction::Indeterminate(response),
            Decision::ExplicitDeny | Decision::ImplicitDeny => {
                let detail = AccessDeniedDetail {
                    auth_action: Some(call.action().to_string()),
                    auth_resource: Some(resource_text(&call.resource())),
                    no_permission_type: Some(response.decision.as_str().to_string()),
                    policy_type: response.layer.map(|l| l.as_str().to_string()),
                    ..AccessDeniedDetail::default()
                };
                let body = ForbiddenBody::predicted(&request_id(), detail);
                Prediction::Forbidden(Box::new(Forbidden { body, response }))
            }
        }
    }
}

/// The ARN as text, unknown parts written as `{#Name}` like the catalogue's templates.
pub fn resource_text(resource: &Resource) -> String {
    match resource {
        Resource::Known(s) => s.clone(),
        Resource::Partial(parts) => parts
            .iter()
            .map(|p| match p {
                crate::eval::ResourcePart::Literal(s) => s.clone(),
                crate::eval::ResourcePart::Unknown(n) => format!("{{#{n}}}"),
            })
            .collect(),
    }
}

/// A locally unique request id (the predicted body says it was generated here).
fn request_id() -> String {
    crate::dbs::client::new_client_token().unwrap_or_else(|_| {
        let nanos = OffsetDateTime::now_utc().unix_timestamp_nanos();
        format!("{nanos:x}")
    })
}
