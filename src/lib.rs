//! ramguard: lint, simulate and preflight Alibaba Cloud RAM policies, offline.
//!
//! The types a user needs are at the crate root. Features: `cli` (default) builds the binary
//! (clap, toml, rayon, mimalloc, miette's terminal renderer); `client` (part of `cli`) the
//! blocking HTTPS client for DBS (`Client`, `GuardedClient`). With
//! `default-features = false` the library lints, evaluates and predicts, and builds none of
//! them.
//!
//! Evaluate a request:
//!
//! ```
//! use ramguard::{Decision, PolicyKind, PolicySet, Request};
//!
//! let mut policies = PolicySet::new();
//! policies.add_text(PolicyKind::Identity, "operator.json", r#"{"Version": "1", "Statement": [{
//!     "Effect": "Allow", "Action": "dbs:StartBackupPlan",
//!     "Resource": "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsqdss5tmh1"}]}"#)?;
//! let request = Request::builder(
//!     "dbs:StartBackupPlan",
//!     "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsqdss5tmh1",
//! )
//! .build()?;
//! let response = policies.evaluate(&request);
//! assert_eq!(response.decision, Decision::Allow);
//! assert_eq!(response.decision.to_string(), "Allow");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Preflight in a Rust service (the README's library section; feature `client`):
//!
//! ```no_run
//! # #[cfg(feature = "client")]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::path::Path;
//!
//! use ramguard::{
//!     Call, CallContext, Client, ClientConfig, Credentials, Endpoint, GuardError,
//!     GuardedClient, OnIndeterminate, PolicyKind, PolicySet, Preflight,
//! };
//!
//! let mut policies = PolicySet::new();
//! policies.add_file(PolicyKind::Identity, Path::new("policies/dbs-backup-operator.json"))?;
//! let credentials = Credentials::from_env_and_config(None)?; // ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET
//! let client = Client::new(ClientConfig::new(credentials, Endpoint::for_region("cn-hangzhou")?));
//! let guarded = GuardedClient { preflight: Preflight::new(policies), client,
//!                               on_indeterminate: OnIndeterminate::Call };
//!
//! let call = Call::new("StartBackupPlan", "cn-hangzhou")?
//!     .account("1234567890123456").param("BackupPlanId", "dbsqdss5tmh1");
//! let context = CallContext::default().value("acs:SourceIp", "192.0.2.10");
//! match guarded.call(&call, &context) {
//!     Ok(sent) => println!("{}", sent.response.body),
//!     Err(GuardError::Predicted(f)) => println!("{}", serde_json::to_string(&f.body)?),
//!     Err(e) => eprintln!("{e}"),
//! }
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "client"))]
//! # fn main() {}
//! ```
//!
//! Lint a document: [`lint_source`] with [`LintOptions`] gives a [`FileReport`] of
//! [`Diagnostic`]s.
#![forbid(unsafe_code)]

/// `Display` as the type's `as_str()`: the names the JSON and the messages use.
macro_rules! display_as_str {
    ($($t:ty),+) => {$(
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    )+};
}

pub mod catalog;
#[cfg(feature = "client")]
pub mod credentials;
pub mod dbs;
pub mod document;
pub mod eval;
pub mod json;
pub mod lint;
#[cfg(feature = "client")]
pub mod live;
pub mod policy;
pub mod preflight;
/// Output formats of the `lint` command; used by the binary, not a library API.
#[doc(hidden)]
pub mod render;
pub mod source;
pub mod transport;

pub use eval::input::{InputError, InputWarning};
pub use eval::{
    explain, Decision, Layer, LoadError, PolicySet, Request, RequestBuilder, RequestError,
    Resource, Response,
};
pub use lint::{lint_bytes, lint_source, Diagnostic, FileReport, LintOptions, Severity};
pub use policy::PolicyKind;
pub use preflight::{Call, CallContext, Forbidden, InvalidCall, Prediction, Preflight};
pub use source::SourceFile;
#[cfg(feature = "client")]
pub use {
    dbs::{Client, ClientConfig, Credentials, Endpoint},
    preflight::{GuardError, GuardedClient, OnIndeterminate},
};

/// The command-line interface of the `ramguard` binary (feature `cli`); not a library API.
#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod cli;
