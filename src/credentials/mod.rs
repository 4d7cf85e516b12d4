//! Credential providers where services run, behind one [`ProvideCredentials`] trait: the
//! environment, ACK RRSA (OIDC), `RamRoleArn` (AssumeRole from an AccessKey), the aliyun CLI
//! profiles of `~/.aliyun/config.json`, the `~/.alibabacloud/credentials` INI file and the
//! ECS/ECI instance RAM role. [`chain::DefaultChain`] tries them in the official libraries'
//! order (see its docs).
//!
//! Temporary credentials are cached and fetched again [`DEFAULT_REFRESH_MARGIN`] before they
//! expire (the official libraries' 180 s). No type here prints a secret: AccessKey secrets,
//! STS tokens, OIDC tokens and metadata tokens are [`Secret`]s or hidden in `Debug`, and no
//! error message quotes one.

pub mod chain;
pub mod endpoints;
pub mod imds;
pub mod profile;
pub mod sts;

use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use time::OffsetDateTime;

pub use crate::dbs::{Credentials, CredentialsError, Secret};
pub use chain::DefaultChain;
pub use endpoints::Endpoints;

/// Fetch temporary credentials again this long before they expire.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(180);

/// Something that hands out credentials, fetching or refreshing them as needed.
pub trait ProvideCredentials: Send + Sync + fmt::Debug {
    fn credentials(&self) -> Result<Credentials, ProviderError>;
    /// The official libraries' provider name (`env`, `oidc_role_arn`, `ecs_ram_role`, ...).
    fn name(&self) -> &'static str;
    /// The session policy these credentials were issued under (AssumeRole's `Policy`), which
    /// narrows them: a preflight takes it as its session layer.
    fn session_policy(&self) -> Option<String> {
        None
    }
}

/// Long-term or already-issued credentials.
impl ProvideCredentials for Credentials {
    fn credentials(&self) -> Result<Credentials, ProviderError> {
        Ok(self.clone())
    }
    fn name(&self) -> &'static str {
        "static"
    }
}

/// Why a provider gave no credentials. No variant holds a secret.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error(transparent)]
    Config(#[from] CredentialsError),
    #[error("{provider}: {message}")]
    Failed {
        provider: &'static str,
        message: String,
    },
    #[error("no Alibaba Cloud credentials from any provider of the chain: {}", .0.join("; "))]
    Chain(Vec<String>),
}

impl ProviderError {
    pub(crate) fn failed(provider: &'static str, message: impl Into<String>) -> Self {
        ProviderError::Failed {
            provider,
            message: message.into(),
        }
    }
}

/// Credentials with the time they stop working (`None`: they do not expire).
#[derive(Debug, Clone)]
pub struct Session {
    pub credentials: Credentials,
    pub expiration: Option<OffsetDateTime>,
}

/// One fetch of temporary credentials (a metadata-service read, an STS exchange).
pub trait Fetch: Send + Sync + fmt::Debug {
    fn fetch(&self) -> Result<Session, ProviderError>;
    fn name(&self) -> &'static str;
    fn session_policy(&self) -> Option<String> {
        None
    }
}

/// A [`Fetch`] behind a cache: fetched at first use and again when less than `margin` is left.
/// If a refresh fails while the cached credentials still work, those are used.
#[derive(Debug)]
pub struct Refreshing<F> {
    inner: F,
    margin: Duration,
    cache: Mutex<Option<Session>>,
}

impl<F: Fetch> Refreshing<F> {
    pub fn new(inner: F) -> Self {
        Refreshing {
            inner,
            margin: DEFAULT_REFRESH_MARGIN,
            cache: Mutex::new(None),
        }
    }

    pub fn with_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    pub fn inner(&self) -> &F {
        &self.inner
    }
}

impl<F: Fetch> ProvideCredentials for Refreshing<F> {
    fn credentials(&self) -> Result<Credentials, ProviderError> {
        let mut cache = self
            .cache
            .lock()
            .map_err(|_| ProviderError::failed(self.inner.name(), "credential cache poisoned"))?;
        let now = OffsetDateTime::now_utc();
        let fresh = |s: &Session, margin: Duration| match s.expiration {
            None => true,
            Some(at) => at - now > margin,
        };
        if let Some(session) = cache.as_ref().filter(|s| fresh(s, self.margin)) {
            return Ok(session.credentials.clone());
        }
        match self.inner.fetch() {
            Ok(session) => {
                let credentials = session.credentials.clone();
                *cache = Some(session);
                Ok(credentials)
            }
            Err(e) => match cache.as_ref().filter(|s| fresh(s, Duration::ZERO)) {
                Some(still_valid) => Ok(still_valid.credentials.clone()),
                None => Err(e),
            },
        }
    }

    fn name(&self) -> &'static str {
        self.inner.name()
    }

    fn session_policy(&self) -> Option<String> {
        self.inner.session_policy()
    }
}

/// The session in `obj`: `AccessKeyId`, `AccessKeySecret`, `SecurityToken` and an optional
/// `Expiration` (the metadata service's answer, or STS's `Credentials`). `what` names `obj` in
/// the error; no value is ever quoted.
pub(crate) fn session_from(
    provider: &'static str,
    obj: Option<&serde_json::Value>,
    what: &str,
) -> Result<Session, ProviderError> {
    let field = |k: &str| {
        obj.and_then(|o| o.get(k))
            .and_then(serde_json::Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let (Some(id), Some(secret), Some(token)) = (
        field("AccessKeyId"),
        field("AccessKeySecret"),
        field("SecurityToken"),
    ) else {
        return Err(ProviderError::failed(
            provider,
            format!("{what} lacks AccessKeyId, AccessKeySecret or SecurityToken"),
        ));
    };
    let expiration = match field("Expiration") {
        Some(t) => Some(parse_expiration(provider, t)?),
        None => None,
    };
    Ok(Session {
        credentials: Credentials::new(id, secret).with_security_token(token),
        expiration,
    })
}

/// Parses an STS / metadata `Expiration` (`2006-01-02T15:04:05Z`).
pub(crate) fn parse_expiration(
    provider: &'static str,
    text: &str,
) -> Result<OffsetDateTime, ProviderError> {
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map_err(|_| ProviderError::failed(provider, format!("unreadable Expiration `{text}`")))
}

/// Whether an environment switch is on (`true`, any case).
pub(crate) fn switch_on(env: &dyn Fn(&str) -> Option<String>, name: &str) -> bool {
    env(name).is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

/// An environment variable, empty counted as unset.
pub(crate) fn var(env: &dyn Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    env(name).filter(|v| !v.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[derive(Debug)]
    struct Counting {
        calls: AtomicUsize,
        lifetime: time::Duration,
        fail_after: usize,
    }

    impl Fetch for Counting {
        fn fetch(&self) -> Result<Session, ProviderError> {
            let n = self.calls.fetch_add(1, Ordering::SeqCst);
            if n >= self.fail_after {
                return Err(ProviderError::failed("test", "down"));
            }
            Ok(Session {
                credentials: Credentials::new(format!("id{n}"), "secret-xyz"),
                expiration: Some(OffsetDateTime::now_utc() + self.lifetime),
            })
        }
        fn name(&self) -> &'static str {
            "test"
        }
    }

    fn counting(lifetime_s: i64, fail_after: usize) -> Refreshing<Counting> {
        Refreshing::new(Counting {
            calls: AtomicUsize::new(0),
            lifetime: time::Duration::seconds(lifetime_s),
            fail_after,
        })
    }

    #[test]
    fn cached_until_the_margin_then_fetched_again() {
        let long = counting(3600, 99);
        for _ in 0..3 {
            assert_eq!(long.credentials().unwrap().access_key_id, "id0");
        }
        assert_eq!(long.inner().calls.load(Ordering::SeqCst), 1);
        // 100 s left is inside the 180 s margin: every use refreshes.
        let short = counting(100, 99);
        assert_eq!(short.credentials().unwrap().access_key_id, "id0");
        assert_eq!(short.credentials().unwrap().access_key_id, "id1");
    }

    #[test]
    fn a_failed_refresh_keeps_credentials_that_still_work() {
        let p = counting(100, 1);
        assert_eq!(p.credentials().unwrap().access_key_id, "id0");
        assert_eq!(p.credentials().unwrap().access_key_id, "id0");
        let expired = counting(-1, 1);
        assert!(expired.credentials().is_ok());
        assert!(expired.credentials().is_err());
    }
}
