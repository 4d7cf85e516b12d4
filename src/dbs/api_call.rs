//! One RPC call as it goes on the wire: action, version and business parameters. What the
//! preflight predicts for and what the `Client` (feature `client`) sends.

use std::collections::BTreeMap;

/// The main DBS API version.
pub const API_VERSION_2019: &str = "2019-03-06";
/// The sandbox / table recovery / download API version.
pub const API_VERSION_2021: &str = "2021-01-01";

/// The idempotency parameter that DBS operations accept.
pub const CLIENT_TOKEN: &str = "ClientToken";

/// One RPC call: action, version and business parameters (sent in the query string).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiCall {
    /// e.g. `StartBackupPlan`.
    pub action: String,
    /// e.g. `2019-03-06`.
    pub version: String,
    pub params: BTreeMap<String, String>,
    /// Add a generated `ClientToken` when `params` has none (default `true`). Turn it off for
    /// the few operations that do not take one.
    pub add_client_token: bool,
}

impl ApiCall {
    pub fn new(action: impl Into<String>, version: impl Into<String>) -> Self {
        ApiCall {
            action: action.into(),
            version: version.into(),
            params: BTreeMap::new(),
            add_client_token: true,
        }
    }

    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.params.insert(name.into(), value.into());
        self
    }
}
