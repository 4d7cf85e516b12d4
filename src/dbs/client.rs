//! The blocking DBS client: signs, sends, classifies and retries RPC calls.

use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, Instant};

use super::api_call::{ApiCall, CLIENT_TOKEN};
use super::credentials::Credentials;
use super::endpoint::Endpoint;
use super::redact::Redactor;
use super::response::{classify, ApiResponse, DbsError};
#[cfg(test)]
use super::rpc::new_client_token;
use super::rpc::{random_bytes, signed_request, wire_params};
use crate::transport::{BlockingTransport, HttpRequest};

/// Everything a [`Client`] needs. `Debug` shows no secret (see [`Credentials`]).
#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub credentials: Credentials,
    pub endpoint: Endpoint,
    /// Bound on connecting (within [`timeout`](Self::timeout)).
    pub connect_timeout: Duration,
    /// Bound on each write. Reads are bounded by [`timeout`](Self::timeout): ureq's deadline
    /// for the whole attempt replaces its per-read timeout.
    pub read_timeout: Duration,
    /// The deadline of one attempt: connecting, sending and reading the whole response. A
    /// server that trickles its answer cannot stretch it.
    pub timeout: Duration,
    /// The deadline of the whole call: every attempt and the waits between them. No retry
    /// starts that could not end before it.
    pub total_timeout: Duration,
    /// Repeats after the first attempt for retryable failures.
    pub max_retries: u32,
    /// First backoff delay; it doubles per retry, up to `retry_max_delay`, with jitter.
    pub retry_base_delay: Duration,
    pub retry_max_delay: Duration,
    pub user_agent: String,
}

impl ClientConfig {
    /// Defaults like the official SDK's: 5 s connect, 10 s read, 3 retries from 200 ms; 15 s
    /// per attempt, 30 s in all.
    pub fn new(credentials: Credentials, endpoint: Endpoint) -> Self {
        ClientConfig {
            credentials,
            endpoint,
            connect_timeout: Duration::from_secs(5),
            read_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(15),
            total_timeout: Duration::from_secs(30),
            max_retries: 3,
            retry_base_delay: Duration::from_millis(200),
            retry_max_delay: Duration::from_secs(5),
            user_agent: format!("ramguard/{}", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// A DBS client over HTTPS. Certificates are verified with rustls and the webpki roots
/// (ureq's `tls` feature); there is no switch to turn that off.
pub struct Client {
    config: ClientConfig,
    transport: BlockingTransport,
    /// Scrubs the credentials' secrets from every message and body this client returns.
    redactor: Redactor,
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
        let redactor = Redactor::for_credentials(&config.credentials);
        let transport = BlockingTransport::new(
            config.connect_timeout,
            config.read_timeout,
            &config.user_agent,
        );
        Client {
            config,
            transport,
            redactor,
        }
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// Makes one API call, retrying throttling, 5xx and connection failures with exponential
    /// backoff. The ClientToken is fixed before the first attempt, so every retry carries the
    /// same one; each attempt is signed afresh (new date and nonce).
    pub fn call(&self, call: &ApiCall) -> Result<ApiResponse, DbsError> {
        self.call_with(call, &mut |_| {})
    }

    /// [`call`](Self::call), telling `on_retry` about each retry before waiting for it.
    pub fn call_with(
        &self,
        call: &ApiCall,
        on_retry: &mut dyn FnMut(&Retry),
    ) -> Result<ApiResponse, DbsError> {
        let params = wire_params(call)?;
        let has_token = params.contains_key(CLIENT_TOKEN);
        let end = Instant::now().checked_add(self.config.total_timeout);
        let left = || {
            end.map_or(Duration::MAX, |e| {
                e.saturating_duration_since(Instant::now())
            })
        };
        let mut attempt: u32 = 0;
        loop {
            let deadline = self.config.timeout.min(left());
            match self.send_once(call, &params, deadline) {
                Err(err) if attempt < self.config.max_retries && err.is_retryable(has_token) => {
                    let delay = self.backoff(attempt);
                    // A retry that would start with no time left for it is not made.
                    if delay >= left() {
                        return Err(err);
                    }
                    attempt += 1;
                    on_retry(&Retry {
                        attempt: attempt + 1,
                        attempts: self.config.max_retries + 1,
                        delay,
                        reason: err.to_string(),
                    });
                    std::thread::sleep(delay);
                }
                result => return result,
            }
        }
    }

    fn send_once(
        &self,
        call: &ApiCall,
        params: &BTreeMap<String, String>,
        deadline: Duration,
    ) -> Result<ApiResponse, DbsError> {
        let request = self.signed_request(call, params)?;
        let response = self
            .transport
            .send_within(&request, deadline)
            .map_err(|mut e| {
                // ureq quotes a header it refuses, value included.
                e.message = self.redactor.scrub(&e.message).into_owned();
                DbsError::from(e)
            })?;
        // A server may echo the request's headers: scrubbed before anything is read from it.
        classify(response.status, &self.redactor.scrub(&response.body))
    }

    /// The signed request for `call` as a value, for a caller that sends it with its own
    /// (async) HTTP client and hands the answer to [`classify`]. `params` are sent as given
    /// (add a `ClientToken` first where the operation takes one: [`wire_params`]).
    pub fn signed_request(
        &self,
        call: &ApiCall,
        params: &BTreeMap<String, String>,
    ) -> Result<HttpRequest, DbsError> {
        signed_request(
            &self.config.endpoint,
            &self.config.credentials,
            &call.action,
            &call.version,
            params,
        )
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

/// A retry about to be made, for the caller to tell the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retry {
    /// The number of the attempt about to be made (2 for the first retry).
    pub attempt: u32,
    /// How many attempts there can be at most.
    pub attempts: u32,
    /// The wait before it.
    pub delay: Duration,
    /// Why the previous attempt failed (secrets scrubbed, as in every error of the client).
    pub reason: String,
}

impl fmt::Display for Retry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "retrying in {:.1} s (attempt {} of {}): {}",
            self.delay.as_secs_f64(),
            self.attempt,
            self.attempts,
            self.reason
        )
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
