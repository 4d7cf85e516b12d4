//! The ECS/ECI instance RAM role, read from the metadata service (`100.100.100.200`), as the
//! official libraries do:
//!
//! 1. hardened mode first: `PUT /latest/api/token` with
//!    `X-aliyun-ecs-metadata-token-ttl-seconds`, and the token sent as
//!    `X-aliyun-ecs-metadata-token` on the reads; if no token can be had, the reads go without
//!    one (normal mode), unless `ALIBABA_CLOUD_IMDSV1_DISABLED=true` forbids that fallback;
//! 2. the role name from `ALIBABA_CLOUD_ECS_METADATA` (or a profile), else
//!    `GET /latest/meta-data/ram/security-credentials/`;
//! 3. `GET /latest/meta-data/ram/security-credentials/<role>`: `Code: Success` and the STS
//!    credentials with their `Expiration`.
//!
//! `ALIBABA_CLOUD_ECS_METADATA_DISABLED=true` takes the provider out of the default chain.

use std::sync::Arc;

use serde_json::Value;

use super::{Fetch, ProviderError, Session};
use crate::dbs::{Endpoint, TransportKind};
use crate::transport::{HttpRequest, HttpResponse, Transport};

pub const ENV_ECS_METADATA: &str = "ALIBABA_CLOUD_ECS_METADATA";
pub const ENV_ECS_METADATA_DISABLED: &str = "ALIBABA_CLOUD_ECS_METADATA_DISABLED";
pub const ENV_IMDSV1_DISABLED: &str = "ALIBABA_CLOUD_IMDSV1_DISABLED";

const NAME: &str = "ecs_ram_role";
const TOKEN_PATH: &str = "/latest/api/token";
const CREDENTIALS_PATH: &str = "/latest/meta-data/ram/security-credentials/";
pub const TOKEN_TTL_HEADER: &str = "x-aliyun-ecs-metadata-token-ttl-seconds";
pub const TOKEN_HEADER: &str = "x-aliyun-ecs-metadata-token";
/// Six hours, the longest a metadata token may live.
const TOKEN_TTL_SECONDS: u32 = 21600;

/// Fetches the instance role's credentials; wrap it in [`super::Refreshing`].
pub struct EcsRamRole {
    pub role_name: Option<String>,
    /// Refuse the normal (token-less) mode.
    pub disable_imds_v1: bool,
    pub endpoint: Endpoint,
    transport: Arc<dyn Transport>,
}

impl std::fmt::Debug for EcsRamRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EcsRamRole")
            .field("role_name", &self.role_name)
            .field("disable_imds_v1", &self.disable_imds_v1)
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

impl EcsRamRole {
    pub fn new(endpoint: Endpoint, transport: Arc<dyn Transport>) -> Self {
        EcsRamRole {
            role_name: None,
            disable_imds_v1: false,
            endpoint,
            transport,
        }
    }

    /// Role name and the IMDSv1 switch from the environment.
    pub fn from_env(
        env: &dyn Fn(&str) -> Option<String>,
        endpoint: Endpoint,
        transport: Arc<dyn Transport>,
    ) -> Self {
        EcsRamRole {
            role_name: super::var(env, ENV_ECS_METADATA),
            disable_imds_v1: super::switch_on(env, ENV_IMDSV1_DISABLED),
            ..Self::new(endpoint, transport)
        }
    }

    pub fn token_request(&self) -> HttpRequest {
        HttpRequest {
            method: "PUT",
            url: format!("{}{TOKEN_PATH}", self.endpoint.base_url()),
            headers: vec![(TOKEN_TTL_HEADER.into(), TOKEN_TTL_SECONDS.to_string())],
            body: Vec::new(),
        }
    }

    pub fn read_request(&self, role: &str, token: Option<&str>) -> HttpRequest {
        HttpRequest {
            method: "GET",
            url: format!("{}{CREDENTIALS_PATH}{role}", self.endpoint.base_url()),
            headers: token
                .map(|t| vec![(TOKEN_HEADER.into(), t.to_string())])
                .unwrap_or_default(),
            body: Vec::new(),
        }
    }

    fn send(&self, request: &HttpRequest, what: &str) -> Result<HttpResponse, ProviderError> {
        self.transport.send(request).map_err(|e| {
            ProviderError::failed(
                NAME,
                format!(
                    "{what} from the metadata service {}: {e}",
                    self.endpoint.base_url()
                ),
            )
        })
    }

    /// The hardened-mode token, or `None` to go on in normal mode.
    fn token(&self) -> Result<Option<String>, ProviderError> {
        let outcome = match self.transport.send(&self.token_request()) {
            // Nothing answers at all (not on ECS): no normal mode to fall back to either.
            Err(e)
                if matches!(
                    e.kind,
                    TransportKind::Connect | TransportKind::Timeout | TransportKind::Dns
                ) =>
            {
                return Err(ProviderError::failed(
                    NAME,
                    format!("no metadata service at {}: {e}", self.endpoint.base_url()),
                ))
            }
            other => other.map_err(|e| {
                ProviderError::failed(
                    NAME,
                    format!("metadata token from {}: {e}", self.endpoint.base_url()),
                )
            }),
        };
        match outcome {
            Ok(r) if r.status == 200 && !r.body.trim().is_empty() => {
                Ok(Some(r.body.trim().to_string()))
            }
            _ if !self.disable_imds_v1 => Ok(None),
            Ok(r) => Err(ProviderError::failed(
                NAME,
                format!(
                    "no metadata token (HTTP {}) and the normal mode is disabled by \
                     {ENV_IMDSV1_DISABLED}",
                    r.status
                ),
            )),
            Err(e) => Err(ProviderError::failed(
                NAME,
                format!("{e}; the normal mode is disabled by {ENV_IMDSV1_DISABLED}"),
            )),
        }
    }
}

impl Fetch for EcsRamRole {
    fn fetch(&self) -> Result<Session, ProviderError> {
        let token = self.token()?;
        let role = match &self.role_name {
            Some(r) => r.clone(),
            None => {
                let r = self.send(&self.read_request("", token.as_deref()), "the role name")?;
                if r.status != 200 || r.body.trim().is_empty() {
                    return Err(ProviderError::failed(
                        NAME,
                        format!(
                            "no RAM role is attached to this instance (metadata service HTTP {}); \
                             set {ENV_ECS_METADATA} to the role name",
                            r.status
                        ),
                    ));
                }
                r.body.lines().next().unwrap_or_default().trim().to_string()
            }
        };
        let r = self.send(
            &self.read_request(&role, token.as_deref()),
            "the role's credentials",
        )?;
        parse_credentials(&role, &r)
    }

    fn name(&self) -> &'static str {
        NAME
    }
}

/// Reads a metadata credentials answer. The body is never quoted: it holds the secret.
pub fn parse_credentials(role: &str, r: &HttpResponse) -> Result<Session, ProviderError> {
    if r.status != 200 {
        return Err(ProviderError::failed(
            NAME,
            format!(
                "the metadata service answered HTTP {} for role `{role}`",
                r.status
            ),
        ));
    }
    let v: Value = serde_json::from_str(&r.body)
        .map_err(|_| ProviderError::failed(NAME, "the credentials answer is not JSON"))?;
    let field = |k: &str| v.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
    if field("Code") != Some("Success") {
        return Err(ProviderError::failed(
            NAME,
            format!(
                "the metadata service did not answer Code Success for role `{role}` (Code {:?})",
                field("Code").unwrap_or("")
            ),
        ));
    }
    super::session_from(NAME, Some(&v), "the credentials answer")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            body: body.into(),
        }
    }

    #[test]
    fn credentials_answers_are_read_and_errors_quote_no_secret() {
        let ok = r#"{"Code":"Success","AccessKeyId":"STS.a","AccessKeySecret":"s3cret-1",
            "SecurityToken":"t0ken-1","Expiration":"2030-01-01T00:00:00Z"}"#;
        let s = parse_credentials("r", &resp(200, ok)).unwrap();
        assert_eq!(s.credentials.access_key_id, "STS.a");
        assert!(s.expiration.is_some());
        for bad in [
            resp(200, r#"{"Code":"Failed","AccessKeySecret":"s3cret-1"}"#),
            resp(200, r#"{"Code":"Success","AccessKeySecret":"s3cret-1"}"#),
            resp(500, "s3cret-1"),
            resp(200, "s3cret-1 not json"),
        ] {
            let msg = parse_credentials("r", &bad).unwrap_err().to_string();
            assert!(!msg.contains("s3cret"), "{msg}");
        }
    }
}
