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
    #[command(flatten)]
    pub vars: super::documents::VarArgs,
}

impl PolicyArgs {
    pub fn is_empty(&self) -> bool {
        self.identity.is_empty()
            && self.control.is_empty()
            && self.session.is_none()
            && self.trust.is_none()
            && self.resource_policy.is_none()
    }

    /// Loads and compiles every file (or `FILE#ADDRESS` document); the first that cannot be
    /// loaded is the error.
    pub fn load(&self) -> Result<PolicySet, LoadError> {
        let mut set = PolicySet::new();
        self.load_into(&mut set)?;
        Ok(set)
    }

    /// Adds every file to `set` (after what it already holds, e.g. live policies).
    pub fn load_into(&self, set: &mut PolicySet) -> Result<(), LoadError> {
        let options = self.vars.read_options().map_err(LoadError::NotFound)?;
        for p in &self.control {
            set.add_file_with(PolicyKind::Control, p, &options)?;
        }
        if let Some(p) = &self.session {
            set.add_file_with(PolicyKind::Session, p, &options)?;
        }
        for p in &self.identity {
            trust_hint(p);
            set.add_file_with(PolicyKind::Identity, p, &options)?;
        }
        if let Some(p) = &self.trust {
            set.add_file_with(PolicyKind::Trust, p, &options)?;
        }
        if let Some(p) = &self.resource_policy {
            set.add_resource_file(None, p)?;
        }
        Ok(())
    }
}

/// How many diagnostics of a policy that cannot be loaded are shown; the others are counted.
/// A broken machine-written file can hold a hundred thousand, and nobody reads past the first.
pub const SHOWN_LOAD_DIAGNOSTICS: usize = 20;

/// Prints why a policy file could not be loaded: the message, then its first
/// [`SHOWN_LOAD_DIAGNOSTICS`] diagnostics as the linter shows them (errors before warnings),
/// and how many more there are.
pub fn report_load_error(e: &LoadError) {
    super::error(e);
    if let LoadError::Invalid(report) = e {
        let (shown, more) = first_diagnostics(report, SHOWN_LOAD_DIAGNOSTICS);
        let handler = crate::render::human::handler(false);
        eprint!("{}", crate::render::human::render_file(&handler, &shown));
        if more > 0 {
            eprintln!(
                "... and {more} more diagnostic{} in `{}` (run `ramguard lint` on it for all)",
                if more == 1 { "" } else { "s" },
                report.source.name
            );
        }
        // `Principal` outside a trust policy: most likely a role's trust policy given as
        // `--policy`, which the command takes as `--trust-policy`.
        let principal = &crate::lint::rules::grammar::PRINCIPAL_OUTSIDE_TRUST;
        if report
            .diagnostics
            .iter()
            .any(|d| d.rule.code == principal.code)
        {
            eprintln!(
                "ramguard: hint: `{}` has `Principal`, so it looks like a role's trust policy: \
                 pass it with --trust-policy FILE",
                report.source.name
            );
        }
    }
}

/// `report` cut to its first `n` diagnostics, errors first, in document order; and how many
/// were left out.
fn first_diagnostics(
    report: &crate::lint::FileReport,
    n: usize,
) -> (crate::lint::FileReport, usize) {
    use crate::lint::Severity;
    let is_error = |d: &&crate::lint::Diagnostic| d.severity == Severity::Error;
    let mut diagnostics: Vec<crate::lint::Diagnostic> = report
        .diagnostics
        .iter()
        .filter(is_error)
        .chain(report.diagnostics.iter().filter(|d| !is_error(d)))
        .take(n)
        .cloned()
        .collect();
    diagnostics.sort_by_key(|d| d.span.start);
    let more = report.diagnostics.len() - diagnostics.len();
    let shown = crate::lint::FileReport {
        source: report.source.clone(),
        diagnostics,
        sids: Vec::new(),
    };
    (shown, more)
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

/// A role's trust policy given as `--policy` loads (its statements, lacking `Resource`, take part
/// as unknown), but it answers the wrong question: say which flag takes it.
fn trust_hint(path: &std::path::Path) {
    let Ok(text) = crate::source::read_input_text(path, crate::source::MAX_INPUT_BYTES) else {
        return;
    };
    let Some(root) = crate::json::parse(&text).root else {
        return;
    };
    if crate::policy::lower(&root, PolicyKind::Identity, true)
        .policy
        .kind
        == PolicyKind::Trust
    {
        eprintln!(
            "ramguard: hint: `{}` looks like a role's trust policy (`Principal`, `sts:` actions, no \
             `Resource`): pass it with --trust-policy FILE",
            crate::render::escape::escape(&path.display().to_string())
        );
    }
}

/// Splits `NAME=VALUE` (at the first `=`).
pub fn key_value(arg: &str) -> Result<(String, String), String> {
    match arg.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("expected NAME=VALUE, got `{arg}`")),
    }
}
