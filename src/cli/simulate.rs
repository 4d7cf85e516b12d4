//! `ramguard simulate`: evaluate requests against policies by layer, and explain.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use rayon::prelude::*;

use super::exit;
use super::policies::{error_json, report_load_error, PolicyArgs};
use crate::eval::LoadError;
use crate::eval::{explain, input, Decision, PolicySet, Request, Response};

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
    #[command(flatten)]
    pub live: super::live::LiveSimArgs,
    #[command(flatten)]
    pub connect: super::live::ConnectArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

pub fn run(args: SimulateArgs) -> u8 {
    // `--format json` never leaves stdout empty on exit 2 (CLI.md rev 2): every refusal below
    // is said on stderr and, in JSON, as the `{"error": ...}` object.
    let refuse = |message: &str, e: Option<&LoadError>| {
        super::error(message);
        if args.format == Format::Json {
            let _ = write_stdout(&error_json(message, e));
        }
        exit::ERROR
    };
    // CLI.md rev 2: without any policy every request is an ImplicitDeny, which answers a
    // forgotten flag rather than the question asked.
    if args.policies.is_empty() && args.live.target().is_none() {
        return refuse(
            "give at least one policy (--policy, --control-policy, --session-policy, \
             --trust-policy, --resource-policy or --live-*): without any, every request is denied",
            None,
        );
    }
    let mut set = match live_policies(&args) {
        Ok(s) => s,
        Err(e) => return refuse(&e, None),
    };
    if let Err(e) = args.policies.load_into(&mut set) {
        report_load_error(&e);
        if args.format == Format::Json {
            let _ = write_stdout(&error_json(&e.to_string(), Some(&e)));
        }
        return exit::ERROR;
    }
    if let Some(path) = &args.requests {
        return run_batch(&set, path, args.format);
    }
    let request = match single_request(&args) {
        Ok(r) => r,
        Err(e) => return refuse(&e, None),
    };
    if let Err(e) = input::check_request(&request) {
        return refuse(&e.to_string(), None);
    }
    let warnings = request_warnings(&args, &request);
    for w in &warnings {
        eprintln!("ramguard: warning: {w}");
    }
    let (mut response, trace) = set.evaluate_traced(&request);
    response.warnings = warnings;
    let text = match args.format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&response).unwrap_or_default();
            s.push('\n');
            s
        }
        Format::Human => {
            crate::render::escape::escape_lines(&explain(&response, &trace)).into_owned()
        }
    };
    if write_stdout(&text).is_err() {
        return exit::ERROR;
    }
    decision_exit(response.decision)
}

/// The live policies of `--live-*` (with the credentials' session policy), else an empty set.
fn live_policies(args: &SimulateArgs) -> Result<PolicySet, String> {
    let Some(target) = args.live.target() else {
        return Ok(PolicySet::new());
    };
    let conn = super::live::Connection::open(&args.connect)?;
    let live = conn.fetch(&target).map_err(|e| e.to_string())?;
    let session = conn.credentials.session_policy();
    live.policy_set(session.as_deref())
        .map_err(|e| e.to_string())
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
        let text = crate::source::read_input_text(path, crate::source::MAX_INPUT_BYTES)
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

/// The input warnings of the request: keys as the flags spell them, or as the request object
/// gives them (lowercased by then).
fn request_warnings(args: &SimulateArgs, request: &Request) -> Vec<input::InputWarning> {
    if args.request.is_some() {
        return input::warnings(request.action(), request.context_keys());
    }
    let given = args
        .context
        .iter()
        .map(|c| c.split_once('=').map_or(c.as_str(), |(k, _)| k));
    input::warnings(
        request.action(),
        given.chain(args.unknown.iter().map(String::as_str)),
    )
}

/// One result per line, in order; lines are evaluated in parallel. A line that is not a valid
/// request (invalid UTF-8 included) gets an `{"error": ..., "line": N}` object and makes the run
/// exit 2 at the end. The file is streamed: a window of lines is read, evaluated and written
/// before the next is read, so neither the input nor the output is ever held whole.
/// Only a regular file is read (a FIFO or `/dev/zero` is refused at once).
fn run_batch(set: &PolicySet, path: &std::path::Path, format: Format) -> u8 {
    let file = match crate::source::open_regular(path) {
        Ok(f) => f,
        Err(e) => {
            super::error(format!("cannot read `{}`: {e}", path.display()));
            return exit::ERROR;
        }
    };
    let mut lines = BatchLines::new(std::io::BufReader::with_capacity(1 << 16, file));
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut code = exit::OK;
    let mut window: Vec<BatchLine> = Vec::with_capacity(BATCH_WINDOW);
    loop {
        window.clear();
        let mut failure = None;
        while window.len() < BATCH_WINDOW {
            match lines.next_line() {
                Ok(Some((i, line))) => {
                    if line.as_ref().map_or(true, |l| !l.trim().is_empty()) {
                        window.push((i, line));
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        let chunks: Vec<(Vec<Result<Decision, ()>>, String)> = window
            .par_chunks(BATCH_CHUNK)
            .map(|chunk| {
                let mut text = String::with_capacity(chunk.len() * 256);
                let ds = chunk
                    .iter()
                    .map(|(i, line)| match line {
                        Ok(line) => batch_line(set, *i, line, format, &mut text),
                        Err(why) => batch_error(*i, why, &mut text),
                    })
                    .collect();
                (ds, text)
            })
            .collect();
        for (ds, text) in chunks {
            if let Err(e) = out.write_all(text.as_bytes()) {
                super::output_failed(&e);
                return exit::ERROR;
            }
            code = worse(code, batch_exit(ds.into_iter()));
        }
        if let Some(e) = failure {
            let _ = out.flush();
            super::error(format!("cannot read `{}`: {e}", path.display()));
            return exit::ERROR;
        }
        if window.len() < BATCH_WINDOW {
            break;
        }
    }
    if let Err(e) = out.flush() {
        super::output_failed(&e);
        return exit::ERROR;
    }
    code
}

/// The longest line `--requests` reads, in bytes. A longer one stops the run (there is no
/// telling where the next line starts in, say, `/dev/zero`).
const MAX_LINE_BYTES: usize = 1 << 20;

/// A line's 0-based number, and its text or why it cannot be read.
type BatchLine = (usize, Result<String, String>);

/// The lines of a `--requests` file, one at a time: 0-based number and text, or why the line
/// cannot be read (not UTF-8). A UTF-8 byte-order mark before line 1 and `\r\n` line ends are
/// accepted.
struct BatchLines<R> {
    reader: R,
    number: usize,
    buf: Vec<u8>,
}

impl<R: std::io::BufRead> BatchLines<R> {
    fn new(reader: R) -> Self {
        BatchLines {
            reader,
            number: 0,
            buf: Vec::new(),
        }
    }

    fn next_line(&mut self) -> Result<Option<BatchLine>, String> {
        use std::io::{BufRead, Read};
        self.buf.clear();
        let limit = u64::try_from(MAX_LINE_BYTES).unwrap_or(u64::MAX) + 1;
        let n = (&mut self.reader)
            .take(limit)
            .read_until(b'\n', &mut self.buf)
            .map_err(|e| format!("line {}: {e}", self.number + 1))?;
        if n == 0 {
            return Ok(None);
        }
        let i = self.number;
        self.number += 1;
        if self.buf.last() == Some(&b'\n') {
            self.buf.pop();
            if self.buf.last() == Some(&b'\r') {
                self.buf.pop();
            }
        } else if self.buf.len() > MAX_LINE_BYTES {
            return Err(format!(
                "line {} is longer than {} MiB: stopping",
                i + 1,
                MAX_LINE_BYTES >> 20
            ));
        }
        let mut bytes = self.buf.as_slice();
        if i == 0 {
            bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        }
        let line = match std::str::from_utf8(bytes) {
            Ok(text) => Ok(text.to_string()),
            Err(e) => Err(format!(
                "the line is not valid UTF-8 (byte {})",
                e.valid_up_to() + 1
            )),
        };
        Ok(Some((i, line)))
    }
}

/// The worse of two batch exit codes: 2, then 1, then 3, then 0.
fn worse(a: u8, b: u8) -> u8 {
    let rank = |c| match c {
        exit::ERROR => 3,
        exit::FAILED => 2,
        exit::INDETERMINATE => 1,
        _ => 0,
    };
    if rank(b) > rank(a) {
        b
    } else {
        a
    }
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
    let parsed = serde_json::from_str::<Request>(line)
        .map_err(|e| e.to_string())
        .and_then(|r| {
            input::check_request(&r)
                .map(|()| r)
                .map_err(|e| e.to_string())
        });
    let result =
        match parsed {
            Ok(request) => {
                let mut r: Response = set.evaluate(&request);
                r.warnings = input::warnings(request.action(), request.context_keys());
                match format {
                    Format::Json => out.push_str(&r.to_json()),
                    Format::Human => out.push_str(&crate::render::escape::escape_lines(
                        &human_line(i + 1, &request, &r),
                    )),
                }
                Ok(r.decision)
            }
            Err(e) => return batch_error(i, &e, out),
        };
    out.push('\n');
    result
}

/// One line of human batch output: where, what, the decision and what it depends on.
fn human_line(line: usize, request: &Request, r: &Response) -> String {
    let mut s = format!(
        "line {line}: {} {} on `{}`",
        r.decision,
        request.action(),
        request.resource()
    );
    if let Some(layer) = r.layer {
        s.push_str(&format!(" ({layer})"));
    }
    if !r.depends_on.is_empty() {
        s.push_str(&format!("; depends on {}", r.depends_on.join(", ")));
    }
    for w in &r.warnings {
        s.push_str(&format!("; warning: {w}"));
    }
    s
}

/// The result line of line `i` (0-based) of a batch that is not a valid request.
fn batch_error(i: usize, why: &str, out: &mut String) -> Result<Decision, ()> {
    let msg = serde_json::json!({"error": format!("invalid request: {why}"), "line": i + 1});
    out.push_str(&msg.to_string());
    out.push('\n');
    Err(())
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

pub(crate) use super::write_stdout;
