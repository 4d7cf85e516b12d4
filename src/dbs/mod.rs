//! The real Alibaba Cloud Database Backup (DBS) client that `ramguard call` uses behind the
//! preflight: ACS3-HMAC-SHA256 signing, credentials, endpoints, HTTP with retries, and
//! classification of what came back (success, RAM denial, business or server error).
//!
//! The client is blocking (ureq + rustls); one call is one short exchange, so an async runtime
//! would buy nothing. It and the request signing are behind the `client` feature (on by
//! default); the rest (bodies, endpoints, credentials, classification) is always built.

pub mod access_denied;
mod api_call;
#[cfg(feature = "client")]
pub mod client;
pub mod credentials;
pub mod endpoint;
pub mod redact;
pub mod response;
pub mod rpc;
pub(crate) mod sign;
pub mod start_backup_plan;

#[cfg(feature = "client")]
pub use crate::transport::MAX_BODY_BYTES;
pub use access_denied::{AccessDeniedDetail, ForbiddenBody};
pub use api_call::{ApiCall, API_VERSION_2019, API_VERSION_2021, CLIENT_TOKEN};
#[cfg(feature = "client")]
pub use client::{Client, ClientConfig, Retry};
pub use credentials::{Credentials, CredentialsError, Secret};
pub use endpoint::{Endpoint, EndpointError};
pub use redact::Redactor;
pub use response::{
    classify, ApiResponse, DbsError, TransportError, TransportKind, FORBIDDEN_CODES,
};
pub use rpc::new_client_token;
pub use start_backup_plan::{StartBackupPlanRequest, StartBackupPlanResponse};
