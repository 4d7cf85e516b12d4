//! A signed RPC-style POP request as a value: what DBS, STS and RAM calls have in common
//! (`POST /`, business parameters in the query, ACS3-HMAC-SHA256 with the date and a fresh
//! nonce). One builder, one signer (`dbs::sign`) for every product.

use std::collections::BTreeMap;

use time::macros::format_description;
use time::OffsetDateTime;

use super::credentials::Credentials;
use super::endpoint::Endpoint;
use super::response::DbsError;
use super::sign::{sign_rpc, RpcSignRequest};
use crate::transport::HttpRequest;

/// The signed request for one RPC call, dated now with a fresh nonce.
pub fn signed_request(
    endpoint: &Endpoint,
    credentials: &Credentials,
    action: &str,
    version: &str,
    params: &BTreeMap<String, String>,
) -> Result<HttpRequest, DbsError> {
    let date = now_iso8601()?;
    let nonce = hex::encode(random_bytes::<16>()?);
    let signed = sign_rpc(
        &RpcSignRequest {
            host: endpoint.host(),
            action,
            version,
            params,
            date: &date,
            nonce: &nonce,
        },
        &credentials.access_key_id,
        credentials.access_key_secret.expose(),
        credentials.security_token.as_ref().map(|t| t.expose()),
    );
    let mut headers = signed.headers;
    headers.push(("accept".into(), "application/json".into()));
    // The query is already RFC 3986 encoded, so a URL parser keeps it byte for byte and the
    // server sees exactly what was signed.
    Ok(HttpRequest {
        method: "POST",
        url: format!("{}/?{}", endpoint.base_url(), signed.query),
        headers,
        body: Vec::new(),
    })
}

/// The parameters of `call` as sent: with a generated `ClientToken` where one is wanted and
/// none was given. Fix them once per call, so every retry carries the same token.
pub fn wire_params(call: &super::ApiCall) -> Result<BTreeMap<String, String>, DbsError> {
    let mut params = call.params.clone();
    if call.add_client_token && !params.contains_key(super::CLIENT_TOKEN) {
        params.insert(super::CLIENT_TOKEN.to_string(), new_client_token()?);
    }
    Ok(params)
}

/// A fresh idempotency token, formatted like a random (version 4) UUID.
pub fn new_client_token() -> Result<String, DbsError> {
    let mut b = random_bytes::<16>()?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    Ok(format!(
        "{}-{}-{}-{}-{}",
        h.get(0..8).unwrap_or_default(),
        h.get(8..12).unwrap_or_default(),
        h.get(12..16).unwrap_or_default(),
        h.get(16..20).unwrap_or_default(),
        h.get(20..32).unwrap_or_default()
    ))
}

/// UTC now as `YYYY-MM-DDTHH:MM:SSZ` (`x-acs-date`).
pub(crate) fn now_iso8601() -> Result<String, DbsError> {
    OffsetDateTime::now_utc()
        .format(format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
        ))
        .map_err(|e| DbsError::Internal(format!("cannot format the date: {e}")))
}

pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], DbsError> {
    let mut buf = [0u8; N];
    getrandom::getrandom(&mut buf)
        .map_err(|e| DbsError::Internal(format!("no random bytes from the OS: {e}")))?;
    Ok(buf)
}

/// Why an RPC call to STS, RAM or ResourceManager failed. Holds no secret: the fields come
/// from the server's error body (code, message, request id), never from the request.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RpcError {
    #[error("{action}: HTTP {status}{}{}{}",
        .code.as_ref().map(|c| format!(" {c}")).unwrap_or_default(),
        .message.as_ref().map(|m| format!(": {m}")).unwrap_or_default(),
        .request_id.as_ref().map(|r| format!(" (RequestId {r})")).unwrap_or_default())]
    Api {
        action: String,
        status: u16,
        code: Option<String>,
        message: Option<String>,
        request_id: Option<String>,
    },
    #[error("{action}: the answer (HTTP {status}) is not a JSON object")]
    Malformed { action: String, status: u16 },
    #[error("{action}: {message}")]
    Transport {
        action: String,
        kind: super::TransportKind,
        message: String,
    },
    #[error("{0}")]
    Internal(String),
}

/// Error codes that mean the caller lacks a permission.
pub const DENIED_CODES: &[&str] = &[
    "NoPermission",
    "Forbidden.RAM",
    "Forbidden",
    "Request.Forbidden",
    "ActionUnauthorized",
    "EntityNotExist.Role.Forbidden",
];

impl RpcError {
    pub fn code(&self) -> Option<&str> {
        match self {
            RpcError::Api { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    /// A permission denial: 403, or one of [`DENIED_CODES`].
    pub fn is_denied(&self) -> bool {
        matches!(self, RpcError::Api { status: 403, .. })
            || self.code().is_some_and(|c| DENIED_CODES.contains(&c))
    }

    /// Worth sending again: throttling, 5xx, a connection that never opened. (Only read calls
    /// and token exchanges go through here, so a repeat is harmless.)
    pub fn is_retryable(&self) -> bool {
        match self {
            RpcError::Api { status, code, .. } => {
                *status >= 500
                    || *status == 429
                    || code.as_deref().is_some_and(|c| c.starts_with("Throttling"))
            }
            RpcError::Transport { kind, .. } => {
                matches!(
                    kind,
                    super::TransportKind::Connect | super::TransportKind::Io
                )
            }
            _ => false,
        }
    }
}

impl From<DbsError> for RpcError {
    fn from(e: DbsError) -> Self {
        RpcError::Internal(e.to_string())
    }
}

/// Reads a POP JSON answer: the object on 2xx, else the error it reports.
pub fn parse_json(
    action: &str,
    response: &crate::transport::HttpResponse,
) -> Result<serde_json::Map<String, serde_json::Value>, RpcError> {
    let status = response.status;
    let value: Option<serde_json::Map<String, serde_json::Value>> =
        serde_json::from_str(&response.body).ok();
    let field = |obj: &serde_json::Map<String, serde_json::Value>, key: &str| {
        obj.get(key)
            .and_then(serde_json::Value::as_str)
            .map(str::to_string)
    };
    match value {
        Some(obj) if (200..300).contains(&status) => Ok(obj),
        Some(obj) => Err(RpcError::Api {
            action: action.to_string(),
            status,
            code: field(&obj, "Code"),
            message: field(&obj, "Message"),
            request_id: field(&obj, "RequestId"),
        }),
        None if status >= 300 => Err(RpcError::Api {
            action: action.to_string(),
            status,
            code: None,
            message: None,
            request_id: None,
        }),
        None => Err(RpcError::Malformed {
            action: action.to_string(),
            status,
        }),
    }
}

/// How often and how patiently to repeat a retryable failure.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    pub max_retries: u32,
    pub base_delay: std::time::Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            max_retries: 3,
            base_delay: std::time::Duration::from_millis(200),
        }
    }
}

/// Builds (signed afresh each time: new date and nonce), sends and parses one call, repeating
/// retryable failures with doubling delays.
pub fn call_json(
    transport: &dyn crate::transport::Transport,
    retry: Retry,
    action: &str,
    build: &dyn Fn() -> Result<HttpRequest, RpcError>,
) -> Result<serde_json::Map<String, serde_json::Value>, RpcError> {
    let mut attempt = 0u32;
    loop {
        let request = build()?;
        let result = match transport.send(&request) {
            Ok(response) => parse_json(action, &response),
            Err(t) => Err(RpcError::Transport {
                action: action.to_string(),
                kind: t.kind,
                message: t.message,
            }),
        };
        match result {
            Err(e) if attempt < retry.max_retries && e.is_retryable() => {
                let factor = 1u32 << attempt.min(10);
                std::thread::sleep(retry.base_delay.saturating_mul(factor));
                attempt += 1;
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::HttpResponse;

    fn answer(
        status: u16,
        body: &str,
    ) -> Result<serde_json::Map<String, serde_json::Value>, RpcError> {
        parse_json(
            "ListPoliciesForRole",
            &HttpResponse {
                status,
                body: body.into(),
            },
        )
    }

    #[test]
    fn answers_denials_and_retries() {
        assert!(answer(200, r#"{"RequestId":"r"}"#).is_ok());
        assert!(matches!(
            answer(200, "<html>"),
            Err(RpcError::Malformed { .. })
        ));
        let denied = answer(
            403,
            r#"{"Code":"NoPermission","Message":"no","RequestId":"r9"}"#,
        )
        .unwrap_err();
        assert!(denied.is_denied() && !denied.is_retryable());
        let msg = denied.to_string();
        assert!(
            msg.contains("ListPoliciesForRole: HTTP 403 NoPermission: no (RequestId r9)"),
            "{msg}"
        );
        let throttled = answer(400, r#"{"Code":"Throttling.User"}"#).unwrap_err();
        assert!(throttled.is_retryable() && !throttled.is_denied());
        assert!(answer(503, "busy").unwrap_err().is_retryable());
        assert!(!answer(404, r#"{"Code":"EntityNotExist.Role"}"#)
            .unwrap_err()
            .is_retryable());
    }
}
