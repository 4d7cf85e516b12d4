//! The command line: argument definitions and dispatch. Each subcommand has its own file.

mod config;
mod documents;
mod files;
mod lint;
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
    version,
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
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    Identity,
    Control,
    Session,
    Trust,
}

impl From<KindArg> for crate::policy::PolicyKind {
    fn from(k: KindArg) -> Self {
        match k {
            KindArg::Identity => Self::Identity,
            KindArg::Control => Self::Control,
            KindArg::Session => Self::Session,
            KindArg::Trust => Self::Trust,
        }
    }
}

/// Parses the arguments and runs; usage errors exit 2 (clap's own code for them).
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::ERROR
            } else {
                exit::OK
            };
            let _ = e.print();
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
    };
    ExitCode::from(code)
}

/// Writes machine or human output to stdout; a closed pipe is an error (exit 2), not a panic.
pub(crate) fn print(text: &str) -> u8 {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => exit::OK,
        Err(_) => exit::ERROR,
    }
}

/// Prints an error for the user on stderr, in the tool's voice.
pub(crate) fn error(message: impl std::fmt::Display) {
    eprintln!("ramguard: error: {message}");
}
