//! A DBS client that asks the preflight first: a predicted denial never reaches the network.

use std::sync::Arc;

use super::{Call, CallContext, Forbidden, LivePreflight, Prediction, Preflight};
use crate::credentials::ProvideCredentials;
use crate::dbs::{classify, rpc, ApiResponse, Client, DbsError, Endpoint};
use crate::eval::{RequestError, Response};
use crate::transport::{HttpRequest, HttpResponse};

/// What to do when the prediction depends on context that is not known locally.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnIndeterminate {
    /// Let the server decide (it is the authority).
    #[default]
    Call,
    /// Refuse to call.
    Block,
}

#[derive(Debug, thiserror::Error)]
pub enum GuardError {
    /// RAM would deny the call; nothing was sent.
    #[error("predicted {}: the call was not sent", .0.body.err_code)]
    Predicted(Box<Forbidden>),
    /// The prediction was indeterminate and the guard was told to block.
    #[error("the decision depends on {}: the call was not sent", .0.depends_on.join(", "))]
    Indeterminate(Box<Response>),
    #[error("invalid call context: {0}")]
    Context(#[from] RequestError),
    /// The real call failed (including a real authorization failure). Boxed: it is large.
    #[error(transparent)]
    Dbs(Box<DbsError>),
}

/// The outcome of a call that was sent.
#[derive(Debug)]
pub struct Sent {
    pub prediction: Prediction,
    pub response: ApiResponse,
}

/// A [`Client`] behind a [`Preflight`].
#[derive(Debug)]
pub struct GuardedClient {
    pub preflight: Preflight,
    pub client: Client,
    pub on_indeterminate: OnIndeterminate,
}

impl GuardedClient {
    /// Predicts, then sends the signed call only when the prediction allows it (or is
    /// indeterminate and `on_indeterminate` is `Call`).
    pub fn call(&self, call: &Call, context: &CallContext) -> Result<Sent, GuardError> {
        let prediction = decide(self.preflight.check(call, context)?, self.on_indeterminate)?;
        let response = self
            .client
            .call(&call.api_call())
            .map_err(|e| GuardError::Dbs(Box::new(e)))?;
        Ok(Sent {
            prediction,
            response,
        })
    }
}

/// The guard's decision step, pure: a prediction that lets the call through comes back, any
/// other is the error that stops it.
pub fn decide(
    prediction: Prediction,
    on_indeterminate: OnIndeterminate,
) -> Result<Prediction, GuardError> {
    match prediction {
        Prediction::Forbidden(f) => Err(GuardError::Predicted(f)),
        Prediction::Indeterminate(r) if on_indeterminate == OnIndeterminate::Block => {
            Err(GuardError::Indeterminate(Box::new(r)))
        }
        prediction => Ok(prediction),
    }
}

/// What predicts: a fixed policy set, or the live one.
pub trait Predict: Send + Sync {
    fn predict(&self, call: &Call, context: &CallContext) -> Result<Prediction, RequestError>;
}

impl Predict for Preflight {
    fn predict(&self, call: &Call, context: &CallContext) -> Result<Prediction, RequestError> {
        self.check(call, context)
    }
}

impl Predict for LivePreflight {
    fn predict(&self, call: &Call, context: &CallContext) -> Result<Prediction, RequestError> {
        self.check(call, context)
    }
}

/// A guard without I/O, for services that send requests with their own (async) HTTP client:
/// [`Guard::prepare`] predicts, decides and, when the call may go, signs it as an
/// [`HttpRequest`] value; the service sends it and hands the answer to [`Guard::finish`].
pub struct Guard<P = Preflight> {
    pub predictor: P,
    pub endpoint: Endpoint,
    pub credentials: Arc<dyn ProvideCredentials>,
    pub on_indeterminate: OnIndeterminate,
}

impl<P> std::fmt::Debug for Guard<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guard")
            .field("endpoint", &self.endpoint)
            .field("credentials", &self.credentials)
            .field("on_indeterminate", &self.on_indeterminate)
            .finish_non_exhaustive()
    }
}

/// A call the guard let through: the prediction, and the signed request to send.
#[derive(Debug)]
pub struct PreparedCall {
    pub prediction: Prediction,
    pub request: HttpRequest,
}

impl<P: Predict> Guard<P> {
    pub fn new(predictor: P, endpoint: Endpoint, credentials: Arc<dyn ProvideCredentials>) -> Self {
        Guard {
            predictor,
            endpoint,
            credentials,
            on_indeterminate: OnIndeterminate::default(),
        }
    }

    /// Predicts and decides; a call that may go is signed now (date, nonce, ClientToken), so
    /// send it promptly and, to retry, prepare it again.
    pub fn prepare(&self, call: &Call, context: &CallContext) -> Result<PreparedCall, GuardError> {
        let prediction = decide(
            self.predictor.predict(call, context)?,
            self.on_indeterminate,
        )?;
        let dbs = |e: DbsError| GuardError::Dbs(Box::new(e));
        let credentials = self
            .credentials
            .credentials()
            .map_err(|e| dbs(DbsError::Internal(e.to_string())))?;
        let api = call.api_call();
        let request = rpc::signed_request(
            &self.endpoint,
            &credentials,
            &api.action,
            &api.version,
            &rpc::wire_params(&api).map_err(dbs)?,
        )
        .map_err(dbs)?;
        Ok(PreparedCall {
            prediction,
            request,
        })
    }

    /// Reads the answer to a prepared request (a real denial is [`GuardError::Dbs`]).
    pub fn finish(
        &self,
        prediction: Prediction,
        response: &HttpResponse,
    ) -> Result<Sent, GuardError> {
        let response =
            classify(response.status, &response.body).map_err(|e| GuardError::Dbs(Box::new(e)))?;
        Ok(Sent {
            prediction,
            response,
        })
    }
}
