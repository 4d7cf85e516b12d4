//! Policy files by layer, shared by `simulate`, `preflight` and `call`.

use std::path::PathBuf;

use clap::Args;

use crate::eval::{LoadError, PolicySet};
use crate::policy::PolicyKind;

#[derive(Args, Debug, Clone, Default)]
pub struct PolicyArgs {
    /// Identity policy (attached to the user, its groups or the role); repeatable.
    #[arg(long = "policy", value_name = "FILE")]
    pub identity: Vec<PathBuf>,
    /// Resource Directory control policy; repeatable. When given, they must allow.
    #[arg(long = "control-policy", value_name = "FILE")]
    pub control: Vec<PathBuf>,
    /// Session policy (the `Policy` parameter of AssumeRole).
    #[arg(long = "session-policy", value_name = "FILE")]
    pub session: Option<PathBuf>,
    /// The role's trust policy, for `sts:AssumeRole`.
    #[arg(long = "trust-policy", value_name = "FILE")]
    pub trust: Option<PathBuf>,
    /// The resource's own policy (an OSS bucket or KMS key policy), combined with the identity
    /// policies; its statements apply when their `Principal` matches the caller.
    #[arg(long = "resource-policy", id = "resource_policy", value_name = "FILE")]
    pub resource_policy: Option<PathBuf>,
}

impl PolicyArgs {
    pub fn is_empty(&self) -> bool {
        self.identity.is_empty()
            && self.control.is_empty()
            && self.session.is_none()
            && self.trust.is_none()
            && self.resource_policy.is_none()
    }

    /// Loads and compiles every file; the first that cannot be loaded is the error.
    pub fn load(&self) -> Result<PolicySet, LoadError> {
        let mut set = PolicySet::new();
        for p in &self.control {
            set.add_file(PolicyKind::Control, p)?;
        }
        if let Some(p) = &self.session {
            set.add_file(PolicyKind::Session, p)?;
        }
        for p in &self.identity {
            set.add_file(PolicyKind::Identity, p)?;
        }
        if let Some(p) = &self.trust {
            set.add_file(PolicyKind::Trust, p)?;
        }
        if let Some(p) = &self.resource_policy {
            set.add_resource_file(None, p)?;
        }
        Ok(set)
    }
}

/// Prints why a policy file could not be loaded: the message, then every diagnostic as the
/// linter shows it.
pub fn report_load_error(e: &LoadError) {
    super::error(e);
    if let LoadError::Invalid(report) = e {
        let handler = crate::render::human::handler(false);
        eprint!("{}", crate::render::human::render_file(&handler, report));
    }
}

/// The `{"error": {"message", "diagnostics"}}` object that `--format json` prints on stdout
/// when the run cannot evaluate (exit 2): stdout is never empty (CLI.md, rev 2).
pub fn error_json(message: &str, e: Option<&LoadError>) -> String {
    let diagnostics: Vec<crate::render::Located> = match e {
        Some(LoadError::Invalid(report)) => report
            .diagnostics
            .iter()
            .map(|d| crate::render::Located::new(&report.source, d.clone()))
            .collect(),
        _ => Vec::new(),
    };
    let value = serde_json::json!({"error": {"message": message, "diagnostics": diagnostics}});
    let mut s = serde_json::to_string_pretty(&value).unwrap_or_default();
    s.push('\n');
    s
}

/// Splits `NAME=VALUE` (at the first `=`).
pub fn key_value(arg: &str) -> Result<(String, String), String> {
    match arg.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("expected NAME=VALUE, got `{arg}`")),
    }
}
