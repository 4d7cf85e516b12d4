//! The command line: argument definitions and dispatch. Each subcommand has its own file.

mod actions;
mod config;
mod documents;
mod files;
mod lint;
mod live;
mod policies;
mod preflight;
mod rules;
mod simulate;

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Exit codes shared by every subcommand (CLI.md).
pub mod exit {
    pub const OK: u8 = 0;
    /// Lint findings at or above `--fail-on`, or a denied request.
    pub const FAILED: u8 = 1;
    /// Usage error, unreadable input, or internal error.
    pub const ERROR: u8 = 2;
    /// The decision depends on context that was not given.
    pub const INDETERMINATE: u8 = 3;
}

#[derive(Parser, Debug)]
#[command(
    name = "ramguard",
    version = concat!(
        env!("CARGO_PKG_VERSION"),
        " (RAM action catalogue as of ",
        env!("RAMGUARD_CATALOG_DATE"),
        ")"
    ),
    about = "Lint, simulate and preflight Alibaba Cloud RAM policies, offline",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check policy documents for grammar errors RAM would reject, and for risky or dead grants.
    Lint(lint::LintArgs),
    /// Evaluate a request against policies in RAM's order and explain the decision.
    Simulate(simulate::SimulateArgs),
    /// Predict, without calling anything, what RAM answers to a DBS API call.
    Preflight(preflight::PreflightArgs),
    /// Make the real, signed DBS API call behind the same preflight.
    Call(preflight::CallCmdArgs),
    /// List every policy document found in files (Terraform, plans, ROS templates, API
    /// responses): address, kind, place and unknown parts.
    Documents(documents::DocumentsArgs),
    /// List every lint rule.
    Rules(rules::RulesArgs),
    /// Explain one lint rule: what it does, why, an example and what to write instead.
    Rule(rules::RuleArgs),
    /// Who the resolved credentials act as (sts:GetCallerIdentity).
    Whoami(live::WhoamiArgs),
    /// Fetch the policies attached now to the caller, a user or a role.
    Fetch(live::FetchArgs),
    /// Compare the repository's policy documents with the live ones (exit 1 on drift).
    Drift(live::DriftArgs),
    /// List the catalogued actions a pattern matches, with access level and resource types.
    Actions(actions::ActionsArgs),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    Identity,
    Control,
    Session,
    Trust,
    /// An OSS bucket policy.
    OssBucket,
    /// A KMS key policy.
    KmsKey,
}

impl From<KindArg> for crate::policy::PolicyKind {
    fn from(k: KindArg) -> Self {
        match k {
            KindArg::Identity => Self::Identity,
            KindArg::Control => Self::Control,
            KindArg::Session => Self::Session,
            KindArg::Trust => Self::Trust,
            KindArg::OssBucket => Self::OssBucket,
            KindArg::KmsKey => Self::KmsKey,
        }
    }
}

/// Whether the command line asks for `simulate --format json` (read before parsing succeeds).
fn wants_simulate_json() -> bool {
    let args: Vec<String> = std::env::args().skip(1).collect();
    args.first().is_some_and(|a| a == "simulate")
        && args
            .windows(2)
            .any(|w| w[0] == "--format" && w[1] == "json")
        || args.iter().any(|a| a == "--format=json")
            && args.first().is_some_and(|a| a == "simulate")
}

/// Parses the arguments and runs; usage errors exit 2 (clap's own code for them). A panic
/// (a bug) is never shown as a trace: the file being checked gets an internal-error finding
/// (`lint`), or the run says so and exits 2.
pub fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|_| {}));
    match std::panic::catch_unwind(run) {
        Ok(code) => code,
        Err(payload) => {
            error(format!("internal error: {}", panic_message(&*payload)));
            ExitCode::from(exit::ERROR)
        }
    }
}

/// The text a panic was raised with.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a bug in ramguard".to_string())
}

fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::ERROR
            } else {
                exit::OK
            };
            let _ = e.print();
            // `simulate --format json` never leaves stdout empty on exit 2 (CLI.md, rev 2).
            if e.use_stderr() && wants_simulate_json() {
                let text = e.to_string();
                // The usage lines are for people; the message is the problem itself.
                let message = text
                    .split("\n\nUsage:")
                    .next()
                    .unwrap_or_default()
                    .trim_start_matches("error: ")
                    .trim();
                let _ = simulate::write_stdout(&policies::error_json(message, None));
            }
            return ExitCode::from(code);
        }
    };
    let code = match cli.command {
        Command::Lint(args) => lint::run(args),
        Command::Simulate(args) => simulate::run(args),
        Command::Preflight(args) => preflight::run_preflight(args),
        Command::Call(args) => preflight::run_call(args),
        Command::Documents(args) => documents::run(args),
        Command::Rules(args) => rules::list(args),
        Command::Rule(args) => rules::show(args),
        Command::Whoami(args) => live::whoami(args),
        Command::Fetch(args) => live::fetch_cmd(args),
        Command::Drift(args) => live::drift(args),
        Command::Actions(args) => actions::run(args),
    };
    ExitCode::from(code)
}

/// Writes machine or human output to stdout; a closed pipe is an error (exit 2), not a panic.
pub(crate) fn print(text: &str) -> u8 {
    match write_stdout(text) {
        Ok(()) => exit::OK,
        Err(_) => exit::ERROR,
    }
}

/// Writes `text` to stdout; a failure is said on stderr (see [`output_failed`]).
pub(crate) fn write_stdout(text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let written = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
    if let Err(e) = &written {
        output_failed(e);
    }
    written
}

/// Says why stdout could not be written (a full disk, `/dev/full`); a closed pipe (`| head`)
/// is the reader's choice and goes unsaid. Either way the run exits 2.
pub(crate) fn output_failed(e: &std::io::Error) {
    if e.kind() != std::io::ErrorKind::BrokenPipe {
        error(format!("cannot write the output: {e}"));
    }
}

/// Prints an error for the user on stderr, in the tool's voice; control characters in it
/// (from a file name, a policy, a server) are escaped.
pub(crate) fn error(message: impl std::fmt::Display) {
    // Secrets are scrubbed from every message, whatever quoted them; control characters (from a
    // file name, a policy, a server) are escaped.
    let message = message.to_string();
    let message = crate::dbs::redact::scrub(&message);
    eprintln!(
        "ramguard: error: {}",
        crate::render::escape::escape_lines(&message)
    );
}
