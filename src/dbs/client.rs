//! The blocking DBS client: signs, sends, classifies and retries RPC calls.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use time::macros::format_description;
use time::OffsetDateTime;

use super::api_call::{ApiCall, CLIENT_TOKEN};
use super::credentials::Credentials;
use super::endpoint::Endpoint;
use super::response::{classify, ApiResponse, DbsError, TransportError, TransportKind};
use super::sign::{sign_rpc, RpcSignRequest};

/// Everything a [`Client`] needs. `Debug` shows no secret (see [`Credentials`]).
#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub credentials: Credentials,
    pub endpoint: Endpoint,
    pub connect_timeout: Duration,
    /// Bound on each wait for response bytes (also used as the write timeout).
    pub read_timeout: Duration,
    /// Repeats after the first attempt for retryable failures.
    pub max_retries: u32,
    /// First backoff delay; it doubles per retry, up to `retry_max_delay`, with jitter.
    pub retry_base_delay: Duration,
    pub retry_max_delay: Duration,
    pub user_agent: String,
    /// Told of each retry before its wait: the attempt that failed (1-based), why, and the
    /// wait. The CLI says each on stderr (CLI.md rev 2); `None` retries silently.
    pub on_retry: Option<fn(attempt: u32, reason: &DbsError, wait: Duration)>,
}

impl ClientConfig {
    /// Defaults like the official SDK's: 5 s connect, 10 s read, 3 retries from 200 ms.
    pub fn new(credentials: Credentials, endpoint: Endpoint) -> Self {
        ClientConfig {
            credentials,
            endpoint,
            connect_timeout: Duration::from_secs(5),
            read_timeout: Duration::from_secs(10),
            max_retries: 3,
            retry_base_delay: Duration::from_millis(200),
            retry_max_delay: Duration::from_secs(5),
            user_agent: format!("ramguard/{}", env!("CARGO_PKG_VERSION")),
            on_retry: None,
        }
    }
}

/// A DBS client over HTTPS. Certificates are verified with rustls and the webpki roots
/// (ureq's `tls` feature); there is no switch to turn that off.
pub struct Client {
    config: ClientConfig,
    agent: ureq::Agent,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Client {
    pub fn new(config: ClientConfig) -> Self {
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(config.connect_timeout)
            .timeout_read(config.read_timeout)
            .timeout_write(config.read_timeout)
            .user_agent(&config.user_agent)
            // An API call is never redirected; following one could replay a signed request elsewhere.
            .redirects(0)
            .build();
        Client { config, agent }
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// Makes one API call, retrying throttling, 5xx and connection failures with exponential
    /// backoff. The ClientToken is fixed before the first attempt, so every retry carries the
    /// same one; each attempt is signed afresh (new date and nonce).
    pub fn call(&self, call: &ApiCall) -> Result<ApiResponse, DbsError> {
        let mut params = call.params.clone();
        if call.add_client_token && !params.contains_key(CLIENT_TOKEN) {
            params.insert(CLIENT_TOKEN.to_string(), new_client_token()?);
        }
        let has_token = params.contains_key(CLIENT_TOKEN);
        let mut attempt: u32 = 0;
        loop {
            match self.send_once(call, &params) {
                Err(err) if attempt < self.config.max_retries && err.is_retryable(has_token) => {
                    let wait = self.backoff(attempt);
                    if let Some(tell) = self.config.on_retry {
                        tell(attempt + 1, &err, wait);
                    }
                    std::thread::sleep(wait);
                    attempt += 1;
                }
                result => return result,
            }
        }
    }

    fn send_once(
        &self,
        call: &ApiCall,
        params: &BTreeMap<String, String>,
    ) -> Result<ApiResponse, DbsError> {
        let date = OffsetDateTime::now_utc()
            .format(format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
            ))
            .map_err(|e| DbsError::Internal(format!("cannot format the date: {e}")))?;
        let nonce = hex::encode(random_bytes::<16>()?);
        let creds = &self.config.credentials;
        let signed = sign_rpc(
            &RpcSignRequest {
                host: self.config.endpoint.host(),
                action: &call.action,
                version: &call.version,
                params,
                date: &date,
                nonce: &nonce,
            },
            &creds.access_key_id,
            creds.access_key_secret.expose(),
            creds.security_token.as_ref().map(|t| t.expose()),
        );
        // The query is already RFC 3986 encoded, so the URL parser keeps it byte for byte and
        // the server sees exactly what was signed.
        let url = format!("{}/?{}", self.config.endpoint.base_url(), signed.query);
        let mut request = self.agent.post(&url).set("accept", "application/json");
        for (name, value) in &signed.headers {
            request = request.set(name, value);
        }
        let response = match request.send_bytes(b"") {
            Ok(r) | Err(ureq::Error::Status(_, r)) => r,
            Err(ureq::Error::Transport(t)) => return Err(transport_error(&t).into()),
        };
        let status = response.status();
        let body = response.into_string().map_err(|e| {
            DbsError::from(TransportError {
                kind: io_transport_kind(e.kind()),
                message: format!("reading the response body of HTTP {status}: {e}"),
            })
        })?;
        classify(status, &body)
    }

    /// Delay before retry number `attempt` (0-based): "equal jitter", i.e. half of
    /// `min(max, base * 2^attempt)` plus a random part of the other half, so concurrent
    /// clients spread out while each still waits a minimum.
    fn backoff(&self, attempt: u32) -> Duration {
        let factor = 1u32.checked_shl(attempt.min(16)).unwrap_or(u32::MAX);
        let full = self
            .config
            .retry_base_delay
            .saturating_mul(factor)
            .min(self.config.retry_max_delay);
        let half = full / 2;
        let jitter = random_bytes::<8>().map(u64::from_le_bytes).unwrap_or(0);
        let half_nanos = u64::try_from(half.as_nanos()).unwrap_or(u64::MAX);
        let extra = jitter
            .checked_rem(half_nanos.saturating_add(1))
            .unwrap_or(0);
        half.saturating_add(Duration::from_nanos(extra))
    }
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

fn random_bytes<const N: usize>() -> Result<[u8; N], DbsError> {
    let mut buf = [0u8; N];
    getrandom::getrandom(&mut buf)
        .map_err(|e| DbsError::Internal(format!("no random bytes from the OS: {e}")))?;
    Ok(buf)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn client(base: Duration, max: Duration) -> Client {
        let mut config = ClientConfig::new(
            Credentials::new("id", "s3cr3t-value").with_security_token("t0ken-value"),
            Endpoint::for_region("cn-hangzhou").unwrap(),
        );
        config.retry_base_delay = base;
        config.retry_max_delay = max;
        Client::new(config)
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let c = client(Duration::from_millis(200), Duration::from_secs(5));
        for attempt in 0..40 {
            let full = Duration::from_millis(200)
                .saturating_mul(1u32.checked_shl(attempt.min(16)).unwrap_or(u32::MAX))
                .min(Duration::from_secs(5));
            let d = c.backoff(attempt);
            assert!(
                d >= full / 2 && d <= full,
                "attempt {attempt}: {d:?} vs {full:?}"
            );
        }
        let zero = client(Duration::ZERO, Duration::ZERO);
        assert_eq!(zero.backoff(3), Duration::ZERO);
    }

    #[test]
    fn client_tokens_look_like_uuids_and_differ() {
        let a = new_client_token().unwrap();
        let b = new_client_token().unwrap();
        assert_ne!(a, b);
        let parts: Vec<usize> = a.split('-').map(str::len).collect();
        assert_eq!(parts, [8, 4, 4, 4, 12]);
        assert_eq!(a.get(14..15), Some("4"));
    }

    #[test]
    fn defaults_are_production_safe() {
        let c = client(Duration::from_millis(200), Duration::from_secs(5));
        assert!(c.config().endpoint.base_url().starts_with("https://"));
        assert_eq!(c.config().max_retries, 3);
        assert!(c.config().user_agent.starts_with("ramguard/"));
        let dbg = format!("{c:?}");
        assert!(
            !dbg.contains("s3cr3t-value") && !dbg.contains("t0ken-value"),
            "{dbg}"
        );
        assert!(dbg.contains("***"), "{dbg}");
    }
}
