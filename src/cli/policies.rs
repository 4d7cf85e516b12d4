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
    #[command(flatten)]
    pub vars: super::documents::VarArgs,
}

impl PolicyArgs {
    pub fn is_empty(&self) -> bool {
        self.identity.is_empty()
            && self.control.is_empty()
            && self.session.is_none()
            && self.trust.is_none()
    }

    /// Loads and compiles every file (or `FILE#ADDRESS` document); the first that cannot be
    /// loaded is the error.
    pub fn load(&self) -> Result<PolicySet, LoadError> {
        let options = self.vars.read_options().map_err(LoadError::NotFound)?;
        let mut set = PolicySet::new();
        for p in &self.control {
            set.add_file_with(PolicyKind::Control, p, &options)?;
        }
        if let Some(p) = &self.session {
            set.add_file_with(PolicyKind::Session, p, &options)?;
        }
        for p in &self.identity {
            set.add_file_with(PolicyKind::Identity, p, &options)?;
        }
        if let Some(p) = &self.trust {
            set.add_file_with(PolicyKind::Trust, p, &options)?;
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

/// Splits `NAME=VALUE` (at the first `=`).
pub fn key_value(arg: &str) -> Result<(String, String), String> {
    match arg.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("expected NAME=VALUE, got `{arg}`")),
    }
}
