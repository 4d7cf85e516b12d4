//! A preflight over the policies attached now: [`Preflight::from_caller`] fetches the caller's
//! (or a named principal's) live policies, and fetches them again once `refresh_interval` has
//! passed. When they cannot be had (a missing RAM read permission, a network failure), every
//! prediction is Indeterminate, so a guard lets the server decide: never a false denial.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{Call, CallContext, Prediction, Preflight};
use crate::credentials::sts::Sts;
use crate::credentials::{Endpoints, ProvideCredentials};
use crate::eval::{Decision, RequestError, Response};
use crate::live::{fetch, FetchOptions, Ram, Target};
use crate::transport::Transport;

/// What an unavailable policy set makes a prediction depend on.
pub const LIVE_POLICIES_UNAVAILABLE: &str = "live-policies";

/// When the policies were last fetched, and the preflight they gave (or why none).
type Fetched = (Instant, Result<Arc<Preflight>, String>);

pub struct LivePreflight {
    ram: Ram,
    sts: Sts,
    target: Target,
    options: FetchOptions,
    interval: Duration,
    state: Mutex<Option<Fetched>>,
}

impl std::fmt::Debug for LivePreflight {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LivePreflight")
            .field("ram", &self.ram)
            .field("target", &self.target)
            .field("interval", &self.interval)
            .finish_non_exhaustive()
    }
}

impl Preflight {
    /// A preflight over the live policies of the credentials' own identity, refreshed every
    /// five minutes by default. Nothing is fetched until the first check.
    pub fn from_caller(
        credentials: Arc<dyn ProvideCredentials>,
        endpoints: &Endpoints,
        transport: Arc<dyn Transport>,
    ) -> LivePreflight {
        LivePreflight {
            sts: Sts::new(endpoints.sts.clone(), Arc::clone(&transport)),
            ram: Ram::new(endpoints, credentials, transport),
            target: Target::Caller,
            options: FetchOptions::default(),
            interval: Duration::from_secs(300),
            state: Mutex::new(None),
        }
    }
}

impl LivePreflight {
    pub fn refresh_interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// Another principal than the caller.
    pub fn target(mut self, target: Target) -> Self {
        self.target = target;
        self
    }

    pub fn options(mut self, options: FetchOptions) -> Self {
        self.options = options;
        self
    }

    /// The RAM calls made so far.
    pub fn ram_calls(&self) -> usize {
        self.ram.calls()
    }

    /// The current preflight, fetched when none is held or the interval has passed. The
    /// credentials' session policy, if any, is its session layer.
    pub fn current(&self) -> Result<Arc<Preflight>, String> {
        let mut state = self
            .state
            .lock()
            .map_err(|_| "live preflight state poisoned".to_string())?;
        if let Some((at, result)) = state.as_ref() {
            if at.elapsed() < self.interval {
                return result.clone();
            }
        }
        let result = fetch(&self.ram, &self.sts, &self.target, self.options)
            .map_err(|e| e.to_string())
            .and_then(|live| {
                let session = self.ram.credentials().session_policy();
                live.policy_set(session.as_deref())
                    .map_err(|e| e.to_string())
            })
            .map(|set| Arc::new(Preflight::new(set)));
        *state = Some((Instant::now(), result.clone()));
        result
    }

    /// Why the live policies are unavailable, if they are.
    pub fn last_error(&self) -> Option<String> {
        self.state
            .lock()
            .ok()
            .and_then(|s| s.as_ref().and_then(|(_, r)| r.as_ref().err().cloned()))
    }

    /// Predicts with the live policies; Indeterminate (depending on
    /// [`LIVE_POLICIES_UNAVAILABLE`]) when they cannot be fetched.
    pub fn check(&self, call: &Call, context: &CallContext) -> Result<Prediction, RequestError> {
        match self.current() {
            Ok(preflight) => preflight.check(call, context),
            Err(_) => Ok(Prediction::Indeterminate(unavailable())),
        }
    }
}

fn unavailable() -> Response {
    Response {
        decision: Decision::Indeterminate,
        layer: None,
        possible: vec![
            Decision::Allow,
            Decision::ExplicitDeny,
            Decision::ImplicitDeny,
        ],
        depends_on: vec![LIVE_POLICIES_UNAVAILABLE.to_string()],
        matched: Vec::new(),
        errors: Vec::new(),
        warnings: Vec::new(),
        notes: Vec::new(),
        forbidden: None,
    }
}
