//! What came back from DBS: success, or a classified error (spec `dbs-api.md` §3–5, `CLI.md`
//! `call` exit codes).

use std::fmt;

use serde_json::{Map, Value};

use super::access_denied::{normalize_key, AccessDeniedDetail};
use super::credentials::CredentialsError;
use super::endpoint::EndpointError;

/// 403 codes that mean "RAM denied this call" (§5: DBS documents `Request.Forbidden`; the
/// others are what RAM-integrated gateways return).
pub const FORBIDDEN_CODES: &[&str] = &[
    "Request.Forbidden",
    "NoPermission",
    "Forbidden.RAM",
    "Forbidden",
    "ActionUnauthorized",
];

/// How much of an unexpected body an error quotes.
const EXCERPT_CHARS: usize = 200;

/// A successful call: HTTP 2xx and `Success: true`.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiResponse {
    pub status: u16,
    pub body: Value,
    pub request_id: Option<String>,
}

/// Why a call failed. `Display` never includes a secret: credentials are only ever held in
/// [`Secret`](super::credentials::Secret), and the bodies quoted come from the server.
#[derive(Debug, thiserror::Error)]
pub enum DbsError {
    /// RAM denied the call: 403 with one of [`FORBIDDEN_CODES`]. CLI exit code 1.
    #[error("{}", forbidden_message(.status, .code, .message, .request_id, .detail))]
    Forbidden {
        status: u16,
        code: String,
        message: Option<String>,
        request_id: Option<String>,
        /// Boxed to keep `DbsError` small; it is rare and large.
        detail: Option<Box<AccessDeniedDetail>>,
        body: Value,
    },

    /// Any other failure the API reported in JSON: `Success: false` on a 2xx, or a 4xx.
    #[error("DBS call failed: HTTP {status}{}{}{}",
        code_part(.code), message_part(.message), request_id_part(.request_id))]
    Business {
        status: u16,
        code: Option<String>,
        message: Option<String>,
        request_id: Option<String>,
        body: Value,
    },

    /// A 5xx (after retries), or a body that is not a JSON object, whatever the status.
    #[error("DBS endpoint answered HTTP {status}{}{}{}: {problem}; body starts: {body_excerpt:?}",
        code_part(.code), message_part(.message), request_id_part(.request_id))]
    Server {
        status: u16,
        /// `server error` or `the response body is not JSON` etc.
        problem: String,
        code: Option<String>,
        message: Option<String>,
        request_id: Option<String>,
        body_excerpt: String,
    },

    /// No HTTP response: connection, TLS, DNS, timeout.
    #[error(transparent)]
    Transport(#[from] TransportError),

    #[error(transparent)]
    Credentials(#[from] CredentialsError),

    #[error(transparent)]
    Endpoint(#[from] EndpointError),

    /// A local failure before sending (no random bytes, clock formatting).
    #[error("cannot prepare the DBS request: {0}")]
    Internal(String),
}

impl DbsError {
    /// The error code from the response, if there was one.
    pub fn code(&self) -> Option<&str> {
        match self {
            DbsError::Forbidden { code, .. } => Some(code),
            DbsError::Business { code, .. } | DbsError::Server { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    /// The HTTP status, if a response arrived.
    pub fn status(&self) -> Option<u16> {
        match self {
            DbsError::Forbidden { status, .. }
            | DbsError::Business { status, .. }
            | DbsError::Server { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether the CLI should exit 1 (authorization failure) rather than 2.
    pub fn is_forbidden(&self) -> bool {
        matches!(self, DbsError::Forbidden { .. })
    }

    /// Whether sending the same request again may succeed: 5xx, 429, `Throttling*` codes, and
    /// transport failures where the request cannot have been half-processed or a ClientToken
    /// makes a repeat harmless. Never for authentication or authorization errors.
    pub fn is_retryable(&self, has_client_token: bool) -> bool {
        let throttled =
            self.code().is_some_and(|c| c.starts_with("Throttling")) || self.status() == Some(429);
        match self {
            // Throttling means the request was refused before it ran, so it is always safe.
            _ if throttled => true,
            // A 5xx may come after the action ran: repeat only with a ClientToken.
            DbsError::Server { status, .. } => *status >= 500 && has_client_token,
            DbsError::Transport(t) => match t.kind {
                TransportKind::Connect => true,
                TransportKind::Io => has_client_token,
                _ => false,
            },
            _ => false,
        }
    }
}

/// What kind of transport failure happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    /// Connecting failed (refused, unreachable, connect timeout): nothing was sent.
    Connect,
    /// No (complete) response within the read timeout. Not retried: the `--timeout` the
    /// user gave is a bound on the wait.
    Timeout,
    /// The TLS handshake failed (e.g. an untrusted certificate).
    Tls,
    Dns,
    /// The connection broke while sending or reading (reset, closed early).
    Io,
    /// The response body is larger than the client reads ([`MAX_BODY_BYTES`]). Not retried.
    ///
    /// [`MAX_BODY_BYTES`]: crate::transport::MAX_BODY_BYTES
    TooLarge,
    Other,
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportKind::Connect => "cannot connect",
            TransportKind::Timeout => "timed out",
            TransportKind::Tls => "TLS handshake failed",
            TransportKind::Dns => "DNS lookup failed",
            TransportKind::Io => "connection failed",
            TransportKind::TooLarge => "response too large",
            TransportKind::Other => "request failed",
        })
    }
}

/// A failure with no HTTP response. The message comes from the HTTP library and names the URL,
/// which holds only business parameters (credentials travel in headers).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("DBS request {kind}: {message}")]
pub struct TransportError {
    pub kind: TransportKind,
    pub message: String,
}

/// Classifies a received response. Pure, so every branch is unit-tested.
pub fn classify(status: u16, body_text: &str) -> Result<ApiResponse, DbsError> {
    let server = |problem: &str, obj: Option<&Map<String, Value>>| DbsError::Server {
        status,
        problem: problem.to_string(),
        code: obj.and_then(|o| field(o, &["Code", "code", "ErrCode", "errCode"])),
        message: obj.and_then(|o| field(o, &["Message", "message", "ErrMessage", "errMessage"])),
        request_id: obj.and_then(|o| field(o, &["RequestId", "requestId"])),
        body_excerpt: excerpt(body_text),
    };
    let body: Value = match serde_json::from_str(body_text) {
        Ok(v) => v,
        Err(_) => return Err(server("the response body is not JSON", None)),
    };
    let Some(obj) = body.as_object() else {
        return Err(server("the response body is not a JSON object", None));
    };
    // serde_json keeps the last of repeated keys: `{"Success":false,"Success":true}` would
    // read as a success. A response that says two things is not read at all.
    if let Some(key) = repeated_key(body_text) {
        return Err(server(
            &format!(
                "the response repeats the key `{}`, so it cannot be read safely",
                key.escape_debug()
            ),
            None,
        ));
    }
    let code = field(obj, &["Code", "code", "ErrCode", "errCode"]);
    let message = field(obj, &["Message", "message", "ErrMessage", "errMessage"]);
    let request_id = field(obj, &["RequestId", "requestId"]);
    let success = obj
        .get("Success")
        .or_else(|| obj.get("success"))
        .and_then(Value::as_bool);
    let is_2xx = (200..300).contains(&status);

    if is_2xx && success == Some(true) {
        return Ok(ApiResponse {
            status,
            body,
            request_id,
        });
    }
    // DBS mirrors the status in `HttpStatusCode`; a denial reported as 200 + Success=false +
    // HttpStatusCode 403 is still a denial.
    let body_status = obj.get("HttpStatusCode").and_then(Value::as_u64);
    let denied_status =
        status == 403 || (is_2xx && success == Some(false) && body_status == Some(403));
    if let Some(c) = code
        .as_deref()
        .filter(|c| denied_status && FORBIDDEN_CODES.contains(c))
    {
        let detail = obj
            .iter()
            .find(|(k, _)| normalize_key(k) == "accessdenieddetail")
            .and_then(|(_, v)| AccessDeniedDetail::from_value(v))
            .map(Box::new);
        return Err(DbsError::Forbidden {
            status,
            code: c.to_string(),
            message,
            request_id,
            detail,
            body,
        });
    }
    if status >= 500 {
        return Err(server("server error", Some(obj)));
    }
    let message = if is_2xx && success.is_none() && message.is_none() {
        Some("the response has no `Success` field".to_string())
    } else {
        message
    };
    Err(DbsError::Business {
        status,
        code,
        message,
        request_id,
        body,
    })
}

/// The top-level keys [`classify`] reads, case-folded: it reads several spellings of each.
const READ_KEYS: &[&str] = &[
    "success",
    "code",
    "errcode",
    "message",
    "errmessage",
    "requestid",
    "httpstatuscode",
    "accessdenieddetail",
];

/// A key repeated in one object anywhere in `text`, or repeated up to case among the
/// top-level keys that [`classify`] reads. The crate's own parser keeps every member.
fn repeated_key(text: &str) -> Option<String> {
    let parsed = crate::json::parse(text);
    let top: Vec<crate::source::Span> = match parsed.root.as_ref().map(|r| &r.value) {
        Some(crate::json::Value::Object(members)) => members.iter().map(|m| m.key_span).collect(),
        _ => Vec::new(),
    };
    parsed
        .duplicates
        .into_iter()
        .find(|d| {
            d.exact
                || (top.contains(&d.first)
                    && READ_KEYS.contains(&d.key.to_ascii_lowercase().as_str()))
        })
        .map(|d| d.key)
}

/// The first of `keys` that holds a string (numbers are read as text).
fn field(obj: &Map<String, Value>, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| match obj.get(*k)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// The start of a body on one line: whitespace runs collapsed, at most [`EXCERPT_CHARS`].
fn excerpt(text: &str) -> String {
    let collapsed: Vec<&str> = text.split_whitespace().collect();
    let collapsed = collapsed.join(" ");
    let mut out: String = collapsed.chars().take(EXCERPT_CHARS).collect();
    if collapsed.chars().count() > EXCERPT_CHARS {
        out.push('…');
    }
    out
}

fn code_part(code: &Option<String>) -> String {
    code.as_ref().map(|c| format!(" {c}")).unwrap_or_default()
}

fn message_part(message: &Option<String>) -> String {
    message
        .as_ref()
        .map(|m| format!(": {}", m.trim()))
        .unwrap_or_default()
}

fn request_id_part(request_id: &Option<String>) -> String {
    request_id
        .as_ref()
        .map(|r| format!(" (RequestId {r})"))
        .unwrap_or_default()
}

fn forbidden_message(
    status: &u16,
    code: &str,
    message: &Option<String>,
    request_id: &Option<String>,
    detail: &Option<Box<AccessDeniedDetail>>,
) -> String {
    let mut out = format!(
        "not authorized: HTTP {status} {code}{}{}",
        message_part(message),
        request_id_part(request_id)
    );
    if let Some(d) = detail {
        let parts: Vec<String> = [
            ("NoPermissionType", &d.no_permission_type),
            ("AuthAction", &d.auth_action),
            ("AuthResource", &d.auth_resource),
            ("PolicyType", &d.policy_type),
            ("AuthPrincipalType", &d.auth_principal_type),
            ("AuthPrincipalDisplayName", &d.auth_principal_display_name),
        ]
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={v}")))
        .collect();
        if !parts.is_empty() {
            out.push_str("; ");
            out.push_str(&parts.join(", "));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_needs_2xx_and_success_true() {
        let ok = classify(
            200,
            r#"{"Success":true,"RequestId":"r1","BackupPlanId":"p"}"#,
        )
        .unwrap();
        assert_eq!(ok.request_id.as_deref(), Some("r1"));
        assert_eq!(ok.body["BackupPlanId"], "p");

        let err = classify(
            200,
            r#"{"Success":false,"ErrCode":"Param.NotFound","ErrMessage":"bad"}"#,
        )
        .unwrap_err();
        assert!(
            matches!(&err, DbsError::Business { status: 200, code: Some(c), message: Some(m), .. }
            if c == "Param.NotFound" && m == "bad")
        );

        let err = classify(200, r#"{"RequestId":"r"}"#).unwrap_err();
        assert!(err.to_string().contains("no `Success`"), "{err}");
    }

    #[test]
    fn forbidden_codes_on_403_with_detail() {
        for code in FORBIDDEN_CODES {
            let body = format!(
                r#"{{"Code":"{code}","Message":"m","RequestId":"r","accessDeniedDetail":{{"noPermissionType":"ExplicitDeny"}}}}"#
            );
            match classify(403, &body) {
                Err(DbsError::Forbidden {
                    code: c, detail, ..
                }) => {
                    assert_eq!(c, *code);
                    assert_eq!(
                        detail.and_then(|d| d.no_permission_type).as_deref(),
                        Some("ExplicitDeny")
                    );
                }
                other => panic!("{code}: {other:?}"),
            }
        }
        // A 403 that is not a RAM denial stays a business error.
        assert!(matches!(
            classify(403, r#"{"Code":"SignatureDoesNotMatch"}"#),
            Err(DbsError::Business { status: 403, .. })
        ));
        // A Forbidden code on a 400 is not an authorization failure.
        assert!(matches!(
            classify(400, r#"{"Code":"Forbidden"}"#),
            Err(DbsError::Business { .. })
        ));
    }

    #[test]
    fn denial_mirrored_in_a_2xx_body_is_forbidden() {
        let err = classify(
            200,
            r#"{"HttpStatusCode":403,"ErrCode":"Request.Forbidden","ErrMessage":"Have no Permissions","Success":false}"#,
        )
        .unwrap_err();
        assert!(err.is_forbidden(), "{err:?}");
        assert!(err.to_string().contains("Have no Permissions"));
    }

    #[test]
    fn non_json_and_5xx_are_server_errors() {
        let html = "<html>\n<body><h1>500 Internal   Server Error</h1></body></html>";
        let err = classify(500, html).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("HTTP 500") && msg.contains("not JSON"),
            "{msg}"
        );
        assert!(msg.contains("<h1>500 Internal Server Error</h1>"), "{msg}");

        let long = "x".repeat(10_000);
        match classify(502, &long).unwrap_err() {
            DbsError::Server { body_excerpt, .. } => assert!(body_excerpt.chars().count() <= 201),
            other => panic!("{other:?}"),
        }

        let err = classify(503, r#"{"Code":"ServiceUnavailable","Message":"busy"}"#).unwrap_err();
        assert_eq!(err.code(), Some("ServiceUnavailable"));
        assert!(matches!(err, DbsError::Server { status: 503, .. }));

        assert!(matches!(classify(200, "[1]"), Err(DbsError::Server { .. })));
        assert!(matches!(classify(200, ""), Err(DbsError::Server { .. })));
    }

    #[test]
    fn a_repeated_key_is_an_error_whatever_it_says() {
        for body in [
            r#"{"Success":false,"Success":true}"#,
            r#"{"Success":true,"RequestId":"r","Success":true}"#,
            r#"{"Success":true,"Data":{"Id":"a","Id":"b"}}"#,
            r#"{"Success":false,"success":true}"#,
        ] {
            let err = classify(200, body).unwrap_err();
            assert!(
                matches!(&err, DbsError::Server { status: 200, .. })
                    && err.to_string().contains("repeats the key"),
                "{body}: {err}"
            );
            assert!(!err.is_retryable(true), "{body}");
        }
        // Keys that differ in case, outside what is read, are not a conflict.
        assert!(classify(200, r#"{"Success":true,"Data":{"id":"a","Id":"b"}}"#).is_ok());
    }

    #[test]
    fn retry_policy() {
        let with_token =
            |status, body: &str| classify(status, body).unwrap_err().is_retryable(true);
        assert!(with_token(500, "<html/>"));
        assert!(with_token(503, "{}"));
        assert!(with_token(429, "{}"));
        assert!(with_token(400, r#"{"Code":"Throttling.User"}"#));
        assert!(with_token(
            200,
            r#"{"Success":false,"ErrCode":"Throttling"}"#
        ));
        assert!(!with_token(403, r#"{"Code":"NoPermission"}"#));
        assert!(!with_token(400, r#"{"Code":"SignatureDoesNotMatch"}"#));
        assert!(!with_token(
            404,
            r#"{"Code":"InvalidAccessKeyId.NotFound"}"#
        ));
        // Without a ClientToken a 5xx may have run the action: no repeat.
        assert!(!classify(500, "x").unwrap_err().is_retryable(false));
        assert!(classify(429, "x").unwrap_err().is_retryable(false));

        let t = |kind| {
            DbsError::Transport(TransportError {
                kind,
                message: String::new(),
            })
        };
        assert!(t(TransportKind::Connect).is_retryable(false));
        assert!(t(TransportKind::Io).is_retryable(true));
        assert!(!t(TransportKind::Io).is_retryable(false));
        assert!(!t(TransportKind::Timeout).is_retryable(true));
        assert!(!t(TransportKind::Tls).is_retryable(true));
    }
}
