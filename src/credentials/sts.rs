//! STS 2015-04-01: `AssumeRole` (the `RamRoleArn` provider), `AssumeRoleWithOIDC` (ACK RRSA)
//! and `GetCallerIdentity` (`ramguard whoami`). Requests are values (signed with the one
//! ACS3-HMAC-SHA256 signer), answers are parsed from values.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;
use serde_json::{Map, Value};

use super::{Credentials, Fetch, ProvideCredentials, ProviderError, Session};
use crate::dbs::rpc::{self, call_json, Retry, RpcError};
use crate::dbs::sign::percent_encode;
use crate::dbs::Endpoint;
use crate::transport::{HttpRequest, Transport};

pub const VERSION: &str = "2015-04-01";

pub const ENV_ROLE_ARN: &str = "ALIBABA_CLOUD_ROLE_ARN";
pub const ENV_OIDC_PROVIDER_ARN: &str = "ALIBABA_CLOUD_OIDC_PROVIDER_ARN";
pub const ENV_OIDC_TOKEN_FILE: &str = "ALIBABA_CLOUD_OIDC_TOKEN_FILE";
pub const ENV_ROLE_SESSION_NAME: &str = "ALIBABA_CLOUD_ROLE_SESSION_NAME";

/// The STS endpoint and how to reach it.
#[derive(Clone)]
pub struct Sts {
    pub endpoint: Endpoint,
    pub transport: Arc<dyn Transport>,
    pub retry: Retry,
}

impl std::fmt::Debug for Sts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sts")
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

/// Who the credentials belong to (`sts:GetCallerIdentity`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallerIdentity {
    pub identity_type: String,
    pub account_id: String,
    pub arn: String,
    pub principal_id: Option<String>,
    #[serde(skip)]
    pub user_id: Option<String>,
    #[serde(skip)]
    pub role_id: Option<String>,
}

/// The principal behind a caller ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    User(String),
    /// A role, from its session ARN (`acs:sts::<uid>:assumed-role/<role>/<session>`).
    Role(String),
    Root,
}

impl CallerIdentity {
    /// The RAM user, role or account the ARN names (`acs:ram::`/`acs:sts::` both read).
    pub fn principal(&self) -> Option<Principal> {
        let rest = self.arn.splitn(5, ':').nth(4)?;
        if rest == "root" || self.identity_type.eq_ignore_ascii_case("Account") {
            return Some(Principal::Root);
        }
        let (kind, name) = rest.split_once('/')?;
        match kind {
            "user" => Some(Principal::User(name.to_string())),
            "assumed-role" => Some(Principal::Role(name.split('/').next()?.to_string())),
            "role" => Some(Principal::Role(name.to_string())),
            _ => None,
        }
    }
}

impl Sts {
    pub fn new(endpoint: Endpoint, transport: Arc<dyn Transport>) -> Self {
        Sts {
            endpoint,
            transport,
            retry: Retry::default(),
        }
    }

    fn call(
        &self,
        action: &str,
        credentials: &Credentials,
        params: &BTreeMap<String, String>,
    ) -> Result<Map<String, Value>, RpcError> {
        call_json(&*self.transport, self.retry, action, &|| {
            Ok(rpc::signed_request(
                &self.endpoint,
                credentials,
                action,
                VERSION,
                params,
            )?)
        })
    }

    pub fn get_caller_identity(
        &self,
        credentials: &Credentials,
    ) -> Result<CallerIdentity, RpcError> {
        let obj = self.call("GetCallerIdentity", credentials, &BTreeMap::new())?;
        parse_caller_identity(&obj)
    }

    pub fn assume_role(
        &self,
        credentials: &Credentials,
        role: &AssumeRole,
    ) -> Result<Session, ProviderError> {
        let obj = self
            .call("AssumeRole", credentials, &role.params())
            .map_err(|e| ProviderError::failed(RAM_ROLE_ARN, e.to_string()))?;
        parse_session(RAM_ROLE_ARN, &obj)
    }

    /// The anonymous `AssumeRoleWithOIDC` request: the OIDC token authenticates it, so it is
    /// not signed, and the token travels in the form body, never in the URL.
    pub fn oidc_request(&self, oidc: &OidcRole, token: &str) -> Result<HttpRequest, RpcError> {
        let mut query = BTreeMap::new();
        query.insert("Action".to_string(), "AssumeRoleWithOIDC".to_string());
        query.insert("Format".to_string(), "JSON".to_string());
        query.insert("Version".to_string(), VERSION.to_string());
        query.insert("Timestamp".to_string(), rpc::now_iso8601()?);
        let mut form = oidc.role.params();
        form.remove("ExternalId");
        form.insert("OIDCProviderArn".to_string(), oidc.provider_arn.clone());
        form.insert("OIDCToken".to_string(), token.to_string());
        Ok(HttpRequest {
            method: "POST",
            url: format!(
                "{}/?{}",
                self.endpoint.base_url(),
                crate::dbs::sign::canonical_query(&query)
            ),
            headers: vec![
                ("host".into(), self.endpoint.host().to_string()),
                (
                    "content-type".into(),
                    "application/x-www-form-urlencoded".into(),
                ),
                ("accept".into(), "application/json".into()),
            ],
            body: form
                .iter()
                .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
                .collect::<Vec<_>>()
                .join("&")
                .into_bytes(),
        })
    }
}

pub fn parse_caller_identity(obj: &Map<String, Value>) -> Result<CallerIdentity, RpcError> {
    let s = |k: &str| obj.get(k).and_then(Value::as_str).map(str::to_string);
    match (s("IdentityType"), s("AccountId"), s("Arn")) {
        (Some(identity_type), Some(account_id), Some(arn)) => Ok(CallerIdentity {
            identity_type,
            account_id,
            arn,
            principal_id: s("PrincipalId"),
            user_id: s("UserId"),
            role_id: s("RoleId"),
        }),
        _ => Err(RpcError::Internal(
            "GetCallerIdentity: the answer lacks IdentityType, AccountId or Arn".into(),
        )),
    }
}

/// `Credentials{AccessKeyId, AccessKeySecret, SecurityToken, Expiration}` of an AssumeRole*
/// answer. Never quotes the body.
pub fn parse_session(
    provider: &'static str,
    obj: &Map<String, Value>,
) -> Result<Session, ProviderError> {
    super::session_from(
        provider,
        obj.get("Credentials"),
        "the STS answer's `Credentials`",
    )
}

const RAM_ROLE_ARN: &str = "ram_role_arn";
const OIDC_ROLE_ARN: &str = "oidc_role_arn";

/// What `AssumeRole` asks for. The session policy, when given, narrows the role's
/// permissions: it is the session layer of a preflight made with these credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssumeRole {
    pub role_arn: String,
    pub session_name: String,
    /// 900 .. the role's maximum; STS's default is 3600.
    pub duration_seconds: u32,
    pub external_id: Option<String>,
    pub policy: Option<String>,
}

impl AssumeRole {
    pub fn new(role_arn: impl Into<String>) -> Self {
        AssumeRole {
            role_arn: role_arn.into(),
            session_name: default_session_name(),
            duration_seconds: 3600,
            external_id: None,
            policy: None,
        }
    }

    fn params(&self) -> BTreeMap<String, String> {
        let mut p = BTreeMap::new();
        p.insert("RoleArn".to_string(), self.role_arn.clone());
        p.insert("RoleSessionName".to_string(), self.session_name.clone());
        p.insert(
            "DurationSeconds".to_string(),
            self.duration_seconds.to_string(),
        );
        if let Some(e) = &self.external_id {
            p.insert("ExternalId".to_string(), e.clone());
        }
        if let Some(policy) = &self.policy {
            p.insert("Policy".to_string(), policy.clone());
        }
        p
    }
}

/// `ramguard-<unix seconds>`, like the official `credentials-go-<micros>`.
pub fn default_session_name() -> String {
    format!(
        "ramguard-{}",
        time::OffsetDateTime::now_utc().unix_timestamp()
    )
}

/// `AssumeRole` with credentials from another provider (usually an AccessKey).
#[derive(Debug)]
pub struct RamRoleArn {
    pub source: Box<dyn ProvideCredentials>,
    pub role: AssumeRole,
    pub sts: Sts,
}

impl Fetch for RamRoleArn {
    fn fetch(&self) -> Result<Session, ProviderError> {
        let source = self.source.credentials()?;
        self.sts.assume_role(&source, &self.role)
    }
    fn name(&self) -> &'static str {
        RAM_ROLE_ARN
    }
    fn session_policy(&self) -> Option<String> {
        self.role.policy.clone()
    }
}

/// ACK RRSA: the pod's OIDC token file exchanged with `AssumeRoleWithOIDC`. The file is read
/// at each refresh (the kubelet rotates it).
#[derive(Debug)]
pub struct OidcRole {
    pub role: AssumeRole,
    pub provider_arn: String,
    pub token_file: PathBuf,
    pub sts: Sts,
}

impl OidcRole {
    /// From `ALIBABA_CLOUD_ROLE_ARN`, `ALIBABA_CLOUD_OIDC_PROVIDER_ARN` and
    /// `ALIBABA_CLOUD_OIDC_TOKEN_FILE` (all three, or `None`), with
    /// `ALIBABA_CLOUD_ROLE_SESSION_NAME` when set.
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>, sts: Sts) -> Option<OidcRole> {
        let role_arn = super::var(env, ENV_ROLE_ARN)?;
        let provider_arn = super::var(env, ENV_OIDC_PROVIDER_ARN)?;
        let token_file = super::var(env, ENV_OIDC_TOKEN_FILE)?;
        let mut role = AssumeRole::new(role_arn);
        if let Some(name) = super::var(env, ENV_ROLE_SESSION_NAME) {
            role.session_name = name;
        }
        Some(OidcRole {
            role,
            provider_arn,
            token_file: PathBuf::from(token_file),
            sts,
        })
    }
}

impl Fetch for OidcRole {
    fn fetch(&self) -> Result<Session, ProviderError> {
        let token = std::fs::read_to_string(&self.token_file).map_err(|e| {
            ProviderError::failed(
                OIDC_ROLE_ARN,
                format!(
                    "cannot read the OIDC token file {}: {e}",
                    self.token_file.display()
                ),
            )
        })?;
        let token = super::Secret::new(token.trim().to_string());
        let failed = |e: RpcError| ProviderError::failed(OIDC_ROLE_ARN, e.to_string());
        let obj = call_json(
            &*self.sts.transport,
            self.sts.retry,
            "AssumeRoleWithOIDC",
            &|| self.sts.oidc_request(self, token.expose()),
        )
        .map_err(failed)?;
        parse_session(OIDC_ROLE_ARN, &obj)
    }
    fn name(&self) -> &'static str {
        OIDC_ROLE_ARN
    }
    fn session_policy(&self) -> Option<String> {
        self.role.policy.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(t: &str, arn: &str) -> CallerIdentity {
        CallerIdentity {
            identity_type: t.into(),
            account_id: "1".into(),
            arn: arn.into(),
            principal_id: None,
            user_id: None,
            role_id: None,
        }
    }

    #[test]
    fn principals_from_caller_arns() {
        assert_eq!(
            identity("RAMUser", "acs:ram::1:user/alice").principal(),
            Some(Principal::User("alice".into()))
        );
        assert_eq!(
            identity("AssumedRoleUser", "acs:sts::1:assumed-role/Runner/s-1").principal(),
            Some(Principal::Role("Runner".into()))
        );
        assert_eq!(
            identity("Account", "acs:ram::1:root").principal(),
            Some(Principal::Root)
        );
    }

    #[test]
    fn sessions_parse_and_errors_never_quote_secrets() {
        let obj: Map<String, Value> = serde_json::from_str(
            r#"{"Credentials":{"AccessKeyId":"STS.x","AccessKeySecret":"very-secret",
                "SecurityToken":"tok-secret","Expiration":"2030-01-01T00:00:00Z"}}"#,
        )
        .unwrap();
        let s = parse_session("t", &obj).unwrap();
        assert_eq!(s.credentials.access_key_id, "STS.x");
        assert!(s.expiration.is_some());
        let dbg = format!("{s:?}");
        assert!(!dbg.contains("very-secret") && !dbg.contains("tok-secret"));
        let bad: Map<String, Value> =
            serde_json::from_str(r#"{"Credentials":{"AccessKeySecret":"very-secret"}}"#).unwrap();
        let msg = parse_session("t", &bad).unwrap_err().to_string();
        assert!(!msg.contains("very-secret"), "{msg}");
    }
}
