//! A DBS client that asks the preflight first: a predicted denial never reaches the network.

use super::{Call, CallContext, Forbidden, Prediction, Preflight};
use crate::dbs::{ApiResponse, Client, DbsError};
use crate::eval::{RequestError, Response};

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
        let prediction = self.preflight.check(call, context)?;
        match prediction {
            Prediction::Forbidden(f) => Err(GuardError::Predicted(f)),
            Prediction::Indeterminate(r) if self.on_indeterminate == OnIndeterminate::Block => {
                Err(GuardError::Indeterminate(Box::new(r)))
            }
            prediction => {
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
    }
}
