//! HTTP as values: the signed request a caller sends (method, URL, headers, body) and the
//! response it got back. Everything that talks to Alibaba Cloud (DBS, STS, RAM, the ECS
//! metadata service) builds a [`HttpRequest`] and parses a [`HttpResponse`], so a service with
//! its own (async) HTTP client sends the same bytes the blocking [`Transport`] does.

use std::fmt;

use crate::dbs::TransportError;

/// Header values that are secrets: `Debug` of a request hides them.
const SECRET_HEADERS: &[&str] = &[
    "x-acs-security-token",
    "x-aliyun-ecs-metadata-token",
    "authorization",
];

/// One HTTP request, ready to send as is. The URL's query is already percent-encoded exactly
/// as it was signed: send it byte for byte.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: &'static str,
    pub url: String,
    /// Lowercase names. Includes `host`, which HTTP clients usually set themselves from the
    /// URL (to the same value).
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Shows method, URL and header names; the values of secret headers and the body (which may
/// hold an OIDC token) are hidden.
impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| {
                if SECRET_HEADERS.contains(&n.to_ascii_lowercase().as_str()) {
                    (n.as_str(), "***")
                } else {
                    (n.as_str(), v.as_str())
                }
            })
            .collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &headers)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// What came back. `Debug` hides the body: a credentials answer is a secret.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub body: String,
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// Sends a request and returns the response, whatever its status. Failures are transport
/// failures only (no response at all).
pub trait Transport: Send + Sync {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError>;
}

#[cfg(feature = "client")]
pub use blocking::BlockingTransport;

/// The blocking HTTPS client the CLI uses (ureq + rustls, certificates verified).
#[cfg(feature = "client")]
mod blocking {
    use std::time::Duration;

    use super::{HttpRequest, HttpResponse, Transport, TransportError};
    use crate::dbs::TransportKind;

    #[derive(Clone)]
    pub struct BlockingTransport {
        agent: ureq::Agent,
    }

    impl std::fmt::Debug for BlockingTransport {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("BlockingTransport")
        }
    }

    impl BlockingTransport {
        pub fn new(connect_timeout: Duration, read_timeout: Duration, user_agent: &str) -> Self {
            let agent = ureq::AgentBuilder::new()
                .timeout_connect(connect_timeout)
                .timeout_read(read_timeout)
                .timeout_write(read_timeout)
                .user_agent(user_agent)
                // A signed request is never redirected: following could replay it elsewhere.
                .redirects(0)
                .build();
            BlockingTransport { agent }
        }
    }

    impl Default for BlockingTransport {
        /// 5 s to connect, 10 s per read, like the official SDKs.
        fn default() -> Self {
            Self::new(
                Duration::from_secs(5),
                Duration::from_secs(10),
                &format!("ramguard/{}", env!("CARGO_PKG_VERSION")),
            )
        }
    }

    impl Transport for BlockingTransport {
        fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
            let mut r = self.agent.request(request.method, &request.url);
            for (name, value) in &request.headers {
                if name != "host" {
                    r = r.set(name, value);
                }
            }
            let response = match r.send_bytes(&request.body) {
                Ok(r) | Err(ureq::Error::Status(_, r)) => r,
                Err(ureq::Error::Transport(t)) => {
                    return Err(crate::dbs::client::transport_error(&t))
                }
            };
            let status = response.status();
            let body = response.into_string().map_err(|e| TransportError {
                kind: match e.kind() {
                    std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
                        TransportKind::Timeout
                    }
                    _ => TransportKind::Io,
                },
                message: format!("reading the response body of HTTP {status}: {e}"),
            })?;
            Ok(HttpResponse { status, body })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_secret_headers_and_bodies() {
        let r = HttpRequest {
            method: "POST",
            url: "https://sts.aliyuncs.com/?Action=AssumeRoleWithOIDC".into(),
            headers: vec![
                ("x-acs-security-token".into(), "tok-s3cret".into()),
                ("X-Aliyun-Ecs-Metadata-Token".into(), "imds-s3cret".into()),
                ("x-acs-action".into(), "AssumeRole".into()),
            ],
            body: b"OIDCToken=oidc-s3cret".to_vec(),
        };
        let resp = HttpResponse {
            status: 200,
            body: r#"{"AccessKeySecret":"ak-s3cret"}"#.into(),
        };
        let text = format!("{r:?} {resp:?}");
        assert!(!text.contains("s3cret"), "{text}");
        assert!(
            text.contains("AssumeRole") && text.contains("body_len"),
            "{text}"
        );
        assert_eq!(r.header("x-aliyun-ecs-metadata-token"), Some("imds-s3cret"));
    }
}
