//! `ramguard simulate`: evaluate requests against policies by layer, and explain.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use rayon::prelude::*;

use super::exit;
use super::policies::{error_json, report_load_error, PolicyArgs};
use crate::eval::{explain, Decision, PolicySet, Request, Response};

#[derive(Args, Debug)]
pub struct SimulateArgs {
    #[command(flatten)]
    pub policies: PolicyArgs,
    /// The action, e.g. `dbs:StartBackupPlan`.
    #[arg(long, requires = "resource", conflicts_with_all = ["request", "requests"])]
    pub action: Option<String>,
    /// The resource ARN; `{#name}` marks an unknown part.
    #[arg(long, requires = "action")]
    pub resource: Option<String>,
    /// A context value; the same key twice makes it multi-valued.
    #[arg(long = "context", value_name = "KEY=VALUE")]
    pub context: Vec<String>,
    /// A context key whose value is not known (it may be absent or hold any value).
    #[arg(long = "unknown", value_name = "KEY")]
    pub unknown: Vec<String>,
    /// The caller's ARN (used by trust policies).
    #[arg(long)]
    pub principal: Option<String>,
    /// A file holding one request object.
    #[arg(long, conflicts_with_all = ["requests", "context", "unknown", "principal"])]
    pub request: Option<PathBuf>,
    /// A JSON Lines file of request objects; one result line per request, in order. The request
    /// flags (`--context`, `--unknown`, `--principal`) do not apply to it.
    #[arg(long, conflicts_with_all = ["context", "unknown", "principal"])]
    pub requests: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

pub fn run(args: SimulateArgs) -> u8 {
    let set = match args.policies.load() {
        Ok(s) => s,
        Err(e) => {
            report_load_error(&e);
            if args.format == Format::Json {
                let _ = write_stdout(&error_json(&e.to_string(), Some(&e)));
            }
            return exit::ERROR;
        }
    };
    if let Some(path) = &args.requests {
        return run_batch(&set, path, args.format);
    }
    let request = match single_request(&args) {
        Ok(r) => r,
        Err(e) => {
            super::error(&e);
            if args.format == Format::Json {
                let _ = write_stdout(&error_json(&e, None));
            }
            return exit::ERROR;
        }
    };
    let (response, trace) = set.evaluate_traced(&request);
    let text = match args.format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&response).unwrap_or_default();
            s.push('\n');
            s
        }
        Format::Human => explain(&response, &trace),
    };
    if write_stdout(&text).is_err() {
        return exit::ERROR;
    }
    decision_exit(response.decision)
}

fn single_request(args: &SimulateArgs) -> Result<Request, String> {
    if let Some(path) = &args.request {
        if args.action.is_some()
            || !args.context.is_empty()
            || !args.unknown.is_empty()
            || args.principal.is_some()
        {
            return Err(
                "--request cannot be combined with --action/--context/--unknown/--principal".into(),
            );
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
        return serde_json::from_str(&text)
            .map_err(|e| format!("invalid request in `{}`: {e}", path.display()));
    }
    let (Some(action), Some(resource)) = (&args.action, &args.resource) else {
        return Err(
            "give a request: --action and --resource, --request FILE, or --requests FILE.jsonl"
                .into(),
        );
    };
    let mut b = Request::builder(action.clone(), crate::eval::Resource::parse(resource));
    for c in &args.context {
        b = b.context_arg(c);
    }
    for k in &args.unknown {
        b = b.unknown(k.clone());
    }
    if let Some(p) = &args.principal {
        b = b.principal(p.clone());
    }
    b.build().map_err(|e| e.to_string())
}

/// One result per line, in order; lines are evaluated in parallel. A line that is not a valid
/// request gets an `{"error": ..., "line": N}` object and makes the run exit 2 at the end.
fn run_batch(set: &PolicySet, path: &PathBuf, format: Format) -> u8 {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            super::error(format!("cannot read `{}`: {e}", path.display()));
            return exit::ERROR;
        }
    };
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .collect();
    // Windows of lines are evaluated in parallel, a chunk per task, and written in order as
    // each window is done: the output (tens of megabytes for 100,000 requests) is never held
    // whole.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut decisions = Vec::with_capacity(lines.len());
    for window in lines.chunks(BATCH_WINDOW) {
        let chunks: Vec<(Vec<Result<Decision, ()>>, String)> = window
            .par_chunks(BATCH_CHUNK)
            .map(|chunk| {
                let mut text = String::with_capacity(chunk.len() * 256);
                let ds = chunk
                    .iter()
                    .map(|(i, line)| batch_line(set, *i, line, format, &mut text))
                    .collect();
                (ds, text)
            })
            .collect();
        for (ds, text) in chunks {
            if out.write_all(text.as_bytes()).is_err() {
                return exit::ERROR;
            }
            decisions.extend(ds);
        }
    }
    if out.flush().is_err() {
        return exit::ERROR;
    }
    batch_exit(decisions.into_iter())
}

/// Requests per parallel task, and per window written at once.
const BATCH_CHUNK: usize = 256;
const BATCH_WINDOW: usize = 16 * BATCH_CHUNK;

/// Evaluates line `i` (0-based) of a batch and appends its result line to `out`.
fn batch_line(
    set: &PolicySet,
    i: usize,
    line: &str,
    format: Format,
    out: &mut String,
) -> Result<Decision, ()> {
    let result = match serde_json::from_str::<Request>(line) {
        Ok(request) => match format {
            Format::Json => {
                let r: Response = set.evaluate(&request);
                out.push_str(&r.to_json());
                Ok(r.decision)
            }
            Format::Human => {
                let (r, trace) = set.evaluate_traced(&request);
                out.push_str(&format!("# line {}\n{}", i + 1, explain(&r, &trace)));
                Ok(r.decision)
            }
        },
        Err(e) => {
            let msg = serde_json::json!({"error": format!("invalid request: {e}"), "line": i + 1});
            out.push_str(&msg.to_string());
            Err(())
        }
    };
    out.push('\n');
    result
}

/// Exit code of a batch: 2 if any line was invalid, else 1 if any request is denied, else 3 if
/// any is indeterminate, else 0.
fn batch_exit(decisions: impl Iterator<Item = Result<Decision, ()>>) -> u8 {
    let mut code = exit::OK;
    for d in decisions {
        let c = match d {
            Err(()) => return exit::ERROR,
            Ok(d) => decision_exit(d),
        };
        code = match (code, c) {
            (exit::FAILED, _) | (_, exit::FAILED) => exit::FAILED,
            (exit::INDETERMINATE, _) | (_, exit::INDETERMINATE) => exit::INDETERMINATE,
            _ => exit::OK,
        };
    }
    code
}

pub fn decision_exit(d: Decision) -> u8 {
    match d {
        Decision::Allow => exit::OK,
        Decision::ExplicitDeny | Decision::ImplicitDeny => exit::FAILED,
        Decision::Indeterminate => exit::INDETERMINATE,
    }
}

pub(crate) fn write_stdout(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}
