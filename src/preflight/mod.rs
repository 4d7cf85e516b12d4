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

#[cfg(feature = "client")]
mod guard;
#[cfg(feature = "client")]
mod live;

#[cfg(feature = "client")]
pub use guard::{
    decide, Guard, GuardError, GuardedClient, OnIndeterminate, Predict, PreparedCall, Sent,
};
#[cfg(feature = "client")]
pub use live::{LivePreflight, LIVE_POLICIES_UNAVAILABLE};

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::catalog::dbs::{self, UnknownOperation};
use crate::catalog::template::TemplatePart;
use crate::catalog::Operation;
use crate::dbs::{AccessDeniedDetail, ApiCall, ForbiddenBody};
use crate::eval::{
    Context, ContextBuilder, Decision, PolicySet, Request, RequestError, Resource, Response,
};

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

    /// A request parameter. A name the operation has (compared case-insensitively) takes the
    /// catalogue's spelling, so what is predicted is what is sent; any other name is kept as
    /// given (see [`Call::unknown_params`]).
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Call {
        let name = name.into();
        let name = match self.op.param(&name) {
            Some(p) => p.name.to_string(),
            None => name,
        };
        self.params.insert(name, value.into());
        self
    }

    /// The parameters the operation does not have, each with the closest one it has.
    pub fn unknown_params(&self) -> Vec<(&str, Option<&'static str>)> {
        self.params
            .keys()
            .filter(|k| self.op.param(k).is_none())
            .map(|k| {
                let names = self.op.params.iter().map(|p| p.name);
                (k.as_str(), crate::catalog::suggest::did_you_mean(k, names))
            })
            .collect()
    }

    /// Checks what a prediction cannot correct for: the region must be one DBS serves and
    /// the account, when given, a numeric account ID.
    pub fn validate(&self) -> Result<(), InvalidCall> {
        if crate::dbs::endpoint::region_endpoint(&self.region).is_none() {
            let regions = crate::dbs::endpoint::REGION_ENDPOINTS
                .iter()
                .map(|(r, _)| *r);
            return Err(InvalidCall::Region {
                region: self.region.clone(),
                suggestion: crate::catalog::suggest::did_you_mean(&self.region, regions),
            });
        }
        if let Some(a) = &self.account {
            if a.is_empty() || !a.bytes().all(|b| b.is_ascii_digit()) {
                return Err(InvalidCall::Account(a.clone()));
            }
        }
        Ok(())
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
        // The common case, every variable known, renders the template parsed at build time
        // straight into one string; a missing value takes the general path.
        match self.render(self.op.first_template, template.len() + 32) {
            Some(text) => Resource::Known(text),
            None => {
                Resource::from_template(template, |name| self.value_of(name).map(str::to_string))
            }
        }
    }

    /// The parsed template with every variable replaced by its value; `None` when one is
    /// missing.
    fn render(&self, template: &[TemplatePart], capacity: usize) -> Option<String> {
        let mut out = String::with_capacity(capacity);
        for part in template {
            out.push_str(match *part {
                TemplatePart::Literal(text) => text,
                TemplatePart::Var(name) => self.value_of(name)?,
            });
        }
        Some(out)
    }

    /// A template variable's value: region, account, or a parameter (names case-insensitive).
    fn value_of(&self, name: &str) -> Option<&str> {
        if name == "regionId" || name.eq_ignore_ascii_case("regionId") {
            return Some(&self.region);
        }
        if name == "accountId" || name.eq_ignore_ascii_case("accountId") {
            return self.account.as_deref();
        }
        if let Some(v) = self.params.get(name) {
            return Some(v);
        }
        self.params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The signed-call form for `Client` (feature `client`). A `ClientToken` is added only where the
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

/// Why a call cannot be predicted ([`Call::validate`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidCall {
    #[error("DBS does not serve the region `{region}`{}",
        .suggestion.map(|s| format!("; did you mean `{s}`?")).unwrap_or_default())]
    Region {
        region: String,
        suggestion: Option<&'static str>,
    },
    #[error("the account ID must be digits, not `{0}`")]
    Account(String),
}

/// What is known locally about the context of a call. The default is what every call made
/// through ramguard has: HTTPS (`acs:SecureTransport=true`) and the current time; the source IP
/// is unknown (the caller's public address is seen only by the gateway). Each default is
/// replaced as a whole by any value given for its key, or by marking the key unknown.
///
/// Reuse one context across calls: the request context it gives is prepared at its first check
/// and shared by later ones, which then also share its parsed values.
#[derive(Clone, Debug)]
pub struct CallContext {
    /// Values given by the caller, in order (a key given twice is multi-valued).
    values: Vec<(String, String)>,
    /// Keys marked unknown by the caller.
    unknown: Vec<String>,
    principal: Option<String>,
    /// Whether the default `acs:SecureTransport=true` still applies.
    secure_transport: bool,
    /// Whether the default "`acs:SourceIp` is unknown" still applies.
    source_ip_unknown: bool,
    /// Whether `acs:CurrentTime` is filled in at each check.
    now: bool,
    prepared: Prepared,
}

/// The request context a call context gives, built at its first check and shared by the later
/// ones (which so also share its parsed values). It holds the defaults one preflight reads; a
/// preflight that reads others builds its own at each check. Emptied by every change.
#[derive(Clone, Default)]
struct Prepared(OnceLock<(DefaultKeys, Result<Arc<Context>, RequestError>)>);

impl fmt::Debug for Prepared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.get().is_some() {
            "ready"
        } else {
            "empty"
        })
    }
}

const SECURE_TRANSPORT: &str = "acs:SecureTransport";
const SOURCE_IP: &str = "acs:SourceIp";
const CURRENT_TIME: &str = "acs:CurrentTime";
/// `CURRENT_TIME` as request keys are stored.
const CURRENT_TIME_LOWER: &str = "acs:currenttime";

impl Default for CallContext {
    fn default() -> Self {
        CallContext {
            values: Vec::new(),
            unknown: Vec::new(),
            principal: None,
            secure_transport: true,
            source_ip_unknown: true,
            now: true,
            prepared: Prepared::default(),
        }
    }
}

impl CallContext {
    /// No defaults at all: every key absent unless given.
    pub fn empty() -> Self {
        CallContext {
            secure_transport: false,
            source_ip_unknown: false,
            now: false,
            ..CallContext::default()
        }
    }

    /// Gives a key a value, replacing a default for it (keys are case-insensitive). Giving the
    /// same key twice makes it multi-valued.
    pub fn value(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        let key = key.into();
        self.forget_default(&key);
        self.prepared = Prepared::default();
        self.values.push((key, value.into()));
        self
    }

    /// Marks a key as unknown, replacing a default for it.
    pub fn unknown(mut self, key: impl Into<String>) -> Self {
        let key = key.into();
        self.forget_default(&key);
        self.prepared = Prepared::default();
        self.unknown.push(key);
        self
    }

    pub fn principal(mut self, principal: impl Into<String>) -> Self {
        self.principal = Some(principal.into());
        self.prepared = Prepared::default();
        self
    }

    /// The request context for a preflight reading `reads`: prepared once, then shared.
    fn shared(&self, reads: DefaultKeys) -> Result<Arc<Context>, RequestError> {
        let (built_for, shared) = self.prepared.0.get_or_init(|| (reads, self.build(reads)));
        if *built_for == reads {
            shared.clone()
        } else {
            self.build(reads)
        }
    }

    /// The defaults for the keys some policy reads (except the current time, which changes
    /// between checks), then the values and unknowns the caller gave.
    fn build(&self, reads: DefaultKeys) -> Result<Arc<Context>, RequestError> {
        let mut b = ContextBuilder::default();
        if self.secure_transport && reads.secure_transport {
            b.value(SECURE_TRANSPORT.to_string(), "true".to_string());
        }
        if self.source_ip_unknown && reads.source_ip {
            b.unknown(SOURCE_IP.to_string());
        }
        for (k, v) in &self.values {
            b.value(k.clone(), v.clone());
        }
        for k in &self.unknown {
            b.unknown(k.clone());
        }
        if let Some(p) = &self.principal {
            b.principal(p.clone());
        }
        b.build().map(Arc::new)
    }

    /// Drops the default for `key`, if it has one. Values the caller gave are never dropped.
    fn forget_default(&mut self, key: &str) {
        if key.eq_ignore_ascii_case(SECURE_TRANSPORT) {
            self.secure_transport = false;
        } else if key.eq_ignore_ascii_case(SOURCE_IP) {
            self.source_ip_unknown = false;
        } else if key.eq_ignore_ascii_case(CURRENT_TIME) {
            self.now = false;
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

/// `Allow`, `ImplicitDeny (AccountLevelIdentityBasedPolicy)`, `Indeterminate (depends on
/// acs:SourceIp)`: the decision, with the layer or the keys it depends on.
impl fmt::Display for Prediction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = self.response();
        write!(f, "{}", r.decision)?;
        match (self, r.layer) {
            (Prediction::Indeterminate(_), _) => {
                write!(f, " (depends on {})", r.depends_on.join(", "))
            }
            (Prediction::Forbidden(_), Some(layer)) => write!(f, " ({layer})"),
            _ => Ok(()),
        }
    }
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
    /// Which keys of the default context some condition reads. A default for a key that no
    /// condition reads cannot change a prediction, so the request leaves it out (formatting the
    /// current time is most of the cost of building a request).
    reads: DefaultKeys,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct DefaultKeys {
    secure_transport: bool,
    source_ip: bool,
    current_time: bool,
}

impl Preflight {
    pub fn new(policies: PolicySet) -> Preflight {
        let reads = DefaultKeys {
            secure_transport: policies.reads_key(SECURE_TRANSPORT),
            source_ip: policies.reads_key(SOURCE_IP),
            current_time: policies.reads_key(CURRENT_TIME),
        };
        Preflight { policies, reads }
    }

    pub fn policies(&self) -> &PolicySet {
        &self.policies
    }

    /// The evaluator request for a call in a context. The context's defaults are included only
    /// for the keys some policy reads; values and unknowns the caller gave always are.
    pub fn request(&self, call: &Call, context: &CallContext) -> Result<Request, RequestError> {
        let shared = context.shared(self.reads)?;
        let now = (context.now && self.reads.current_time).then(|| {
            let now = OffsetDateTime::now_utc()
                .format(&Rfc3339)
                .unwrap_or_default();
            (CURRENT_TIME_LOWER, now)
        });
        Ok(Request::new(
            Cow::Borrowed(call.action()),
            Cow::Borrowed(call.op.action_lower),
            call.resource(),
            shared,
            now,
        ))
    }

    /// Predicts RAM's answer. A context that cannot form a request (an empty key, say) is an
    /// error, never a guessed prediction.
    pub fn check(&self, call: &Call, context: &CallContext) -> Result<Prediction, RequestError> {
        let request = self.request(call, context)?;
        let response = self.policies.evaluate(&request);
        // The request is not needed after: a 403 body takes its resource text.
        Ok(prediction(call, response, || {
            known_resource(request.into_resource())
        }))
    }

    /// Predicts from an already built request.
    pub fn predict(&self, call: &Call, request: &Request) -> Prediction {
        let response = self.policies.evaluate(request);
        prediction(call, response, || match request.resource() {
            Resource::Known(s) => Some(s.clone()),
            Resource::Partial(_) => None,
        })
    }
}

/// The prediction a response makes; `resource` gives the text of the resource that was
/// evaluated (not rendered a second time), needed only on a denial, and `None` when part of it
/// is unknown: the 403 body then leaves `AuthResource` out rather than show a `{#...}`
/// placeholder the server never would (SEMANTICS.md section 5).
fn prediction(
    call: &Call,
    response: Response,
    resource: impl FnOnce() -> Option<String>,
) -> Prediction {
    match response.decision {
        Decision::Allow => Prediction::Allowed(response),
        Decision::Indeterminate => Prediction::Indeterminate(response),
        Decision::ExplicitDeny | Decision::ImplicitDeny => {
            let detail = AccessDeniedDetail {
                auth_action: Some(call.action().to_string()),
                auth_resource: resource(),
                no_permission_type: Some(response.decision.as_str().to_string()),
                policy_type: response.layer.map(|l| l.as_str().to_string()),
                ..AccessDeniedDetail::default()
            };
            let body = ForbiddenBody::predicted(request_id().as_str(), detail);
            Prediction::Forbidden(Box::new(Forbidden { body, response }))
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

/// The ARN of a resource no longer needed, when wholly known: moved, not copied.
fn known_resource(resource: Resource) -> Option<String> {
    match resource {
        Resource::Known(s) => Some(s),
        Resource::Partial(_) => None,
    }
}

/// A unique request id, shaped like a random UUID: a random per-process base (read from the OS
/// once) plus a per-process counter, so two ids never repeat within a process and ids of
/// different processes differ with overwhelming probability, without a system call per id.
/// The predicted body's `ramguard-preflight-` prefix says it was generated here.
fn request_id() -> RequestId {
    static BASE: OnceLock<u128> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let base = *BASE.get_or_init(|| {
        let mut bytes = [0u8; 16];
        match getrandom::getrandom(&mut bytes) {
            Ok(()) => u128::from_le_bytes(bytes),
            // No OS randomness: the clock and the process id still separate processes.
            Err(_) => {
                let nanos = OffsetDateTime::now_utc().unix_timestamp_nanos();
                u128::from_le_bytes(nanos.to_le_bytes()) ^ (u128::from(std::process::id()) << 64)
            }
        }
    });
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    // Adding a counter below 2^62 changes some bit below 62, which the version and variant bits
    // (76-79 and 62-63) never cover: distinct counters give distinct ids.
    let x = base.wrapping_add(u128::from(n));
    let x = (x & !(0xf << 76)) | (0x4 << 76);
    let x = (x & !(0x3 << 62)) | (0x2 << 62);
    // Where each byte's two digits go in `8-4-4-4-12`.
    const AT: [usize; 16] = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
    let hex = |nibble: u8| {
        b"0123456789abcdef"
            .get(usize::from(nibble))
            .copied()
            .unwrap_or(b'0')
    };
    let mut id = [b'-'; 36];
    for (byte, at) in x.to_be_bytes().into_iter().zip(AT) {
        if let Some([high, low]) = id.get_mut(at..at + 2) {
            *high = hex(byte >> 4);
            *low = hex(byte & 0xf);
        }
    }
    RequestId(id)
}

/// A request id's text, on the stack: the 403 body copies it once.
struct RequestId([u8; 36]);

impl RequestId {
    fn as_str(&self) -> &str {
        // Hex digits and dashes: always UTF-8.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::PolicyKind;

    fn start(plan: Option<&str>) -> Call {
        let call = Call::new("StartBackupPlan", "cn-hangzhou")
            .unwrap()
            .account("1234567890123456");
        match plan {
            Some(p) => call.param("backupplanid", p),
            None => call,
        }
    }

    fn check_with(policy: &str, call: &Call) -> Prediction {
        let mut set = PolicySet::new();
        set.add_text(PolicyKind::Identity, "p.json", policy)
            .unwrap();
        Preflight::new(set)
            .check(call, &CallContext::default())
            .unwrap()
    }

    #[test]
    fn parameters_take_the_catalogue_spelling_and_unknown_ones_are_listed() {
        let call = start(Some("dbsx"))
            .param("clienttoken", "t")
            .param("BackupPlnId", "y");
        let sent = call.api_call().params;
        assert_eq!(sent.get("BackupPlanId").map(String::as_str), Some("dbsx"));
        assert_eq!(sent.get("ClientToken").map(String::as_str), Some("t"));
        assert!(!sent.contains_key("backupplanid"));
        assert_eq!(
            call.unknown_params(),
            vec![("BackupPlnId", Some("BackupPlanId"))]
        );
    }

    #[test]
    fn predictions_display_their_decision() {
        let only = r#"{"Version": "1", "Statement": [{"Effect": "Allow",
            "Action": "dbs:StartBackupPlan", "Resource": "*",
            "Condition": {"IpAddress": {"acs:SourceIp": "192.0.2.0/24"}}}]}"#;
        let p = check_with(only, &start(Some("x")));
        assert_eq!(p.to_string(), "Indeterminate (depends on acs:SourceIp)");
        let p = check_with(only, &Call::new("DescribeRegions", "cn-hangzhou").unwrap());
        assert_eq!(
            p.to_string(),
            "ImplicitDeny (AccountLevelIdentityBasedPolicy)"
        );
        assert_eq!(Decision::ExplicitDeny.to_string(), "ExplicitDeny");
    }

    #[test]
    fn region_and_account_are_checked() {
        assert_eq!(start(None).validate(), Ok(()));
        let typo = Call::new("StartBackupPlan", "cn-hangzou").unwrap();
        assert_eq!(
            typo.validate().unwrap_err().to_string(),
            "DBS does not serve the region `cn-hangzou`; did you mean `cn-hangzhou`?"
        );
        let bad = start(None).account("12345abc");
        assert_eq!(bad.validate(), Err(InvalidCall::Account("12345abc".into())));
    }

    /// SEMANTICS.md section 5 (rev 2): an operation whose resource type is not catalogued
    /// authorizes on a wholly unknown resource, which any pattern possibly matches.
    #[test]
    fn an_unknown_resource_type_is_never_a_certain_denial() {
        let unknown: Vec<_> = dbs::operations()
            .iter()
            .filter(|op| op.resources_unknown())
            .collect();
        assert_eq!(unknown.len(), 25);
        let all_dbs = r#"{"Version": "1", "Statement": [{"Effect": "Allow",
            "Action": "dbs:*", "Resource": "acs:dbs:*:*:*"}]}"#;
        let star = r#"{"Version": "1", "Statement": [{"Effect": "Allow",
            "Action": "dbs:*", "Resource": "*"}]}"#;
        let deny = r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "dbs:*",
            "Resource": "*"}, {"Effect": "Deny", "Action": "dbs:*", "Resource": "*"}]}"#;
        let other = r#"{"Version": "1", "Statement": [{"Effect": "Allow",
            "Action": "ecs:*", "Resource": "*"}]}"#;
        for op in unknown {
            let call = Call::new(op.api, "cn-hangzhou")
                .unwrap()
                .account("1234567890123456");
            let p = check_with(all_dbs, &call);
            assert!(
                matches!(p, Prediction::Indeterminate(_)),
                "{}: {p:?}",
                op.api
            );
            let p = check_with(star, &call);
            assert!(matches!(p, Prediction::Allowed(_)), "{}: {p:?}", op.api);
            // Certain whatever the resource: denied, and the body names no placeholder.
            for policy in [deny, other] {
                let Prediction::Forbidden(f) = check_with(policy, &call) else {
                    panic!("{}: not denied", op.api);
                };
                assert_eq!(
                    f.body
                        .access_denied_detail
                        .as_ref()
                        .and_then(|d| d.auth_resource.clone()),
                    None,
                    "{}",
                    op.api
                );
                let body = serde_json::to_string(&f.body).unwrap();
                assert!(!body.contains("{#"), "{}: {body}", op.api);
            }
        }
    }

    #[test]
    fn a_partly_unknown_resource_is_left_out_of_the_403_body() {
        let only = r#"{"Version": "1", "Statement": [{"Effect": "Allow",
            "Action": "dbs:StartBackupPlan", "Resource": "acs:dbs:*:*:backupplan/a"}]}"#;
        let call = Call::new("StartBackupPlan", "cn-hangzhou")
            .unwrap()
            .param("BackupPlanId", "b");
        let Prediction::Forbidden(f) = check_with(only, &call) else {
            panic!("not denied");
        };
        assert_eq!(
            f.body
                .access_denied_detail
                .as_ref()
                .and_then(|d| d.auth_resource.clone()),
            None
        );
    }

    #[test]
    fn direct_rendering_agrees_with_the_template_reader() {
        for op in dbs::operations() {
            let Some(template) = op.resources.and_then(|r| r.first()) else {
                continue;
            };
            let bare = Call::new(op.api, "cn-hangzhou").unwrap();
            let full = op
                .first_template
                .iter()
                .filter_map(|p| match p {
                    TemplatePart::Var(name) => Some(*name),
                    TemplatePart::Literal(_) => None,
                })
                .fold(bare.clone().account("1"), |c, name| c.param(name, "v"));
            // Every value known, and none but the region.
            for call in [full, bare] {
                let general = if op.all_resources() {
                    Resource::Known("*".into())
                } else {
                    Resource::from_template(template, |name| {
                        call.value_of(name).map(str::to_string)
                    })
                };
                assert_eq!(call.resource(), general, "{}", op.api);
            }
        }
        let call = start(Some("dbsqdss5tmh1"));
        assert_eq!(
            call.resource(),
            Resource::Known("acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsqdss5tmh1".into())
        );
        // A missing parameter is an unknown part.
        assert_eq!(
            start(None).resource().to_string(),
            "acs:dbs:cn-hangzhou:1234567890123456:backupplan/{#BackupPlanId}"
        );
        assert_eq!(
            Call::new("DescribeRegions", "cn-hangzhou")
                .unwrap()
                .resource(),
            Resource::Known("*".into())
        );
    }

    #[test]
    fn request_ids_are_unique_and_shaped_like_uuids() {
        let ids: std::collections::BTreeSet<String> = (0..1000)
            .map(|_| request_id().as_str().to_string())
            .collect();
        assert_eq!(ids.len(), 1000);
        for id in ids.iter().take(5) {
            let parts: Vec<usize> = id.split('-').map(str::len).collect();
            assert_eq!(parts, [8, 4, 4, 4, 12], "{id}");
            assert_eq!(id.get(14..15), Some("4"), "{id}");
            assert!(
                matches!(id.get(19..20), Some("8" | "9" | "a" | "b")),
                "{id}"
            );
        }
    }

    fn operator() -> Preflight {
        let mut set = PolicySet::new();
        set.add_text(
            PolicyKind::Identity,
            "op.json",
            r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "dbs:*",
                "Resource": "*", "Condition": {"IpAddress": {"acs:SourceIp": "192.0.2.0/24"}}}]}"#,
        )
        .unwrap();
        Preflight::new(set)
    }

    #[test]
    fn defaults_for_keys_no_condition_reads_are_left_out() {
        let pf = operator();
        assert!(pf.policies().reads_key("ACS:SOURCEIP"));
        assert!(!pf.policies().reads_key("acs:CurrentTime"));
        let call = start(Some("p"));
        let keys = |ctx: &CallContext| format!("{:?}", pf.request(&call, ctx).unwrap());
        let default = keys(&CallContext::default());
        assert!(default.contains("acs:sourceip"), "{default}");
        assert!(!default.contains("acs:securetransport"), "{default}");
        assert!(!default.contains("acs:currenttime"), "{default}");
        // A value the caller gives is kept even when nothing reads it.
        let given = keys(&CallContext::default().value("acs:CurrentTime", "x"));
        assert!(given.contains("acs:currenttime"), "{given}");
        let p = pf.check(&call, &CallContext::default()).unwrap();
        assert_eq!(p.response().depends_on, vec!["acs:SourceIp".to_string()]);
    }

    #[test]
    fn the_current_time_is_read_at_each_check_not_prepared() {
        assert_eq!(CURRENT_TIME_LOWER, CURRENT_TIME.to_lowercase());
        let mut set = PolicySet::new();
        set.add_text(
            PolicyKind::Identity,
            "t.json",
            r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "dbs:*",
                "Resource": "*", "Condition": {
                "DateGreaterThan": {"acs:CurrentTime": "2020-01-01T00:00:00Z"}}}]}"#,
        )
        .unwrap();
        let pf = Preflight::new(set);
        let (call, ctx) = (start(Some("p")), CallContext::default());
        for _ in 0..2 {
            assert!(matches!(
                pf.check(&call, &ctx).unwrap(),
                Prediction::Allowed(_)
            ));
        }
        let request = format!("{:?}", pf.request(&call, &ctx).unwrap());
        assert!(request.contains("acs:currenttime"), "{request}");
        let shared = format!("{:?}", ctx.shared(pf.reads).unwrap());
        assert!(!shared.contains("currenttime"), "{shared}");
    }

    #[test]
    fn a_prepared_context_follows_changes_and_the_preflight() {
        let pf = operator();
        let call = start(Some("p"));
        let ctx = CallContext::default();
        let p = pf.check(&call, &ctx).unwrap();
        assert!(matches!(p, Prediction::Indeterminate(_)));
        let ctx = ctx.value("acs:SourceIp", "192.0.2.1");
        assert!(matches!(
            pf.check(&call, &ctx).unwrap(),
            Prediction::Allowed(_)
        ));
        let ctx = ctx
            .clone()
            .unknown("acs:MFAPresent")
            .principal("acs:ram::1:user/a");
        let request = format!("{:?}", pf.request(&call, &ctx).unwrap());
        assert!(
            request.contains("acs:MFAPresent") && request.contains("user/a"),
            "{request}"
        );
        // Another preflight, reading no default key, does not see the first one's defaults.
        let none = Preflight::new(PolicySet::new());
        let request = format!(
            "{:?}",
            none.request(&call, &CallContext::default()).unwrap()
        );
        let ctx = CallContext::default();
        pf.check(&call, &ctx).unwrap();
        assert_eq!(format!("{:?}", none.request(&call, &ctx).unwrap()), request);
        assert!(!request.contains("acs:sourceip"), "{request}");
    }

    #[test]
    fn given_values_replace_defaults_and_repeat_as_multi_valued() {
        let pf = operator();
        let call = start(Some("p"));
        let ctx = CallContext::default()
            .value("acs:SourceIp", "192.0.2.1")
            .value("acs:SourceIp", "203.0.113.1");
        let request = format!("{:?}", pf.request(&call, &ctx).unwrap());
        assert!(
            request.contains("192.0.2.1") && request.contains("203.0.113.1"),
            "{request}"
        );
        assert!(matches!(
            pf.check(&call, &ctx).unwrap(),
            Prediction::Allowed(_)
        ));
        let both = CallContext::default()
            .value("acs:SourceIp", "192.0.2.1")
            .unknown("acs:sourceip");
        assert!(pf.request(&call, &both).is_err());
        let empty = CallContext::empty();
        assert!(matches!(
            pf.check(&call, &empty).unwrap(),
            Prediction::Forbidden(_)
        ));
    }
}
