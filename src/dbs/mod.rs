//! The real Alibaba Cloud Database Backup (DBS) client that `ramguard call` uses behind the
//! preflight: ACS3-HMAC-SHA256 signing, credentials, endpoints, HTTP with retries, and
//! classification of what came back (success, RAM denial, business or server error).
//!
//! The client is blocking (ureq + rustls); one call is one short exchange, so an async runtime
//! would buy nothing.

pub mod access_denied;
pub mod client;
pub mod credentials;
pub mod endpoint;
pub mod response;
#[cfg(feature = "client")]
pub mod rpc;
pub mod sign;
pub mod start_backup_plan;

pub use access_denied::{AccessDeniedDetail, ForbiddenBody};
pub use client::{
    new_client_token, ApiCall, Client, ClientConfig, API_VERSION_2019, API_VERSION_2021,
    CLIENT_TOKEN,
};
pub use credentials::{Credentials, CredentialsError, Secret};
pub use endpoint::{Endpoint, EndpointError};
pub use response::{
    classify, ApiResponse, DbsError, TransportError, TransportKind, FORBIDDEN_CODES,
};
pub use start_backup_plan::{StartBackupPlanRequest, StartBackupPlanResponse};
