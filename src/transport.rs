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
pub use blocking::{BlockingTransport, MAX_BODY_BYTES};

/// The blocking HTTPS client the CLI uses (ureq + rustls, certificates verified).
#[cfg(feature = "client")]
mod blocking {
    use std::io::Read;
    use std::time::Duration;

    use super::{HttpRequest, HttpResponse, Transport, TransportError};
    use crate::dbs::TransportKind;

    /// The largest response body read; a larger one is an error (not retried: it would be as
    /// large again).
    pub const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

    #[derive(Clone)]
    pub struct BlockingTransport {
        connect_timeout: Duration,
        /// Bound on each write, and the deadline of a whole exchange sent with [`Transport::send`].
        read_timeout: Duration,
        user_agent: String,
    }

    impl std::fmt::Debug for BlockingTransport {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("BlockingTransport")
        }
    }

    impl BlockingTransport {
        pub fn new(connect_timeout: Duration, read_timeout: Duration, user_agent: &str) -> Self {
            BlockingTransport {
                connect_timeout,
                read_timeout,
                user_agent: user_agent.to_string(),
            }
        }

        /// Sends `request`; the whole exchange (connecting, sending, reading the whole
        /// response) ends within `deadline` from now, so a server that trickles its answer
        /// cannot stretch it. Bodies past [`MAX_BODY_BYTES`] are an error.
        pub fn send_within(
            &self,
            request: &HttpRequest,
            deadline: Duration,
        ) -> Result<HttpResponse, TransportError> {
            // ureq's connect timeout replaces (rather than joins) the request deadline, so it is
            // cut to fit.
            let agent = ureq::AgentBuilder::new()
                .timeout_connect(self.connect_timeout.min(deadline))
                .timeout_read(self.read_timeout)
                .timeout_write(self.read_timeout)
                .timeout(deadline)
                .user_agent(&self.user_agent)
                // A signed request is never redirected: following could replay it elsewhere.
                .redirects(0)
                .build();
            let mut r = agent.request(request.method, &request.url);
            for (name, value) in &request.headers {
                if name != "host" {
                    r = r.set(name, value);
                }
            }
            let response = match r.send_bytes(&request.body) {
                Ok(r) | Err(ureq::Error::Status(_, r)) => r,
                Err(ureq::Error::Transport(t)) => return Err(transport_error(&t)),
            };
            let status = response.status();
            let mut bytes = Vec::new();
            response
                .into_reader()
                .take(
                    u64::try_from(MAX_BODY_BYTES)
                        .unwrap_or(u64::MAX)
                        .saturating_add(1),
                )
                .read_to_end(&mut bytes)
                .map_err(|e| TransportError {
                    kind: io_transport_kind(e.kind()),
                    message: format!("reading the response body of HTTP {status}: {e}"),
                })?;
            if bytes.len() > MAX_BODY_BYTES {
                return Err(TransportError {
                    kind: TransportKind::TooLarge,
                    message: format!(
                        "the response body of HTTP {status} is larger than {} MB",
                        MAX_BODY_BYTES >> 20
                    ),
                });
            }
            Ok(HttpResponse {
                status,
                body: String::from_utf8_lossy(&bytes).into_owned(),
            })
        }
    }

    impl Default for BlockingTransport {
        /// 5 s to connect, 10 s per exchange, like the official SDKs.
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
            self.send_within(request, self.read_timeout)
        }
    }

    fn io_transport_kind(kind: std::io::ErrorKind) -> TransportKind {
        match kind {
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => TransportKind::Timeout,
            _ => TransportKind::Io,
        }
    }

    /// Sorts a ureq transport failure into a [`TransportKind`] (which decides retries).
    fn transport_error(t: &ureq::Transport) -> TransportError {
        let mut io_kind = None;
        let mut source = std::error::Error::source(t);
        while let Some(err) = source {
            if let Some(io) = err.downcast_ref::<std::io::Error>() {
                io_kind = Some(io.kind());
                break;
            }
            source = err.source();
        }
        let timed_out = matches!(
            io_kind,
            Some(std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock)
        );
        let kind = match t.kind() {
            // ureq reports a failed TLS handshake as a connection failure with this message.
            ureq::ErrorKind::ConnectionFailed
                if !timed_out && t.message().is_some_and(|m| m.contains("tls")) =>
            {
                TransportKind::Tls
            }
            // Includes the connect timeout: nothing was sent yet, so it is safe to try again.
            ureq::ErrorKind::ConnectionFailed => TransportKind::Connect,
            _ if timed_out => TransportKind::Timeout,
            ureq::ErrorKind::Dns => TransportKind::Dns,
            ureq::ErrorKind::Io | ureq::ErrorKind::BadStatus | ureq::ErrorKind::BadHeader => {
                TransportKind::Io
            }
            _ => TransportKind::Other,
        };
        TransportError {
            kind,
            message: t.to_string(),
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
