//! `ramguard preflight` and `ramguard call`: predict RAM's answer to a DBS call, and make the
//! real signed call behind that prediction.

use std::time::Duration;

use clap::{Args, ValueEnum};

use super::exit;
use super::policies::{key_value, report_load_error, PolicyArgs};
use super::simulate::{decision_exit, write_stdout};
use crate::dbs::{Client, ClientConfig, Credentials, DbsError, Endpoint};
use crate::eval::explain;
use crate::preflight::{Call, CallContext, Prediction, Preflight};

/// What `preflight` and `call` share: the API call and the context it is made in.
#[derive(Args, Debug)]
pub struct CallArgs {
    /// The DBS API, e.g. `StartBackupPlan` (case-insensitive; `dbs:` prefix optional).
    #[arg(long)]
    pub api: String,
    /// The region the call is made in, e.g. `cn-hangzhou` (one DBS serves): it picks the
    /// endpoint and fills `{#regionId}` in the resource ARN.
    #[arg(long)]
    pub region: String,
    /// A request parameter; repeatable.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    #[command(flatten)]
    pub policies: PolicyArgs,
    /// A context value, overriding the defaults (`acs:SecureTransport=true`, `acs:CurrentTime`
    /// = now); repeatable. `acs:SourceIp` is unknown unless given.
    #[arg(long = "context", value_name = "KEY=VALUE")]
    pub context: Vec<String>,
    /// A context key whose value is not known; repeatable.
    #[arg(long = "unknown", value_name = "KEY")]
    pub unknown: Vec<String>,
}

#[derive(Args, Debug)]
pub struct PreflightArgs {
    #[command(flatten)]
    pub call: CallArgs,
    /// The account that owns the resource.
    #[arg(long)]
    pub account: String,
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
}

#[derive(Args, Debug)]
pub struct CallCmdArgs {
    #[command(flatten)]
    pub call: CallArgs,
    /// The account that owns the resource; without it that ARN field is unknown.
    #[arg(long)]
    pub account: Option<String>,
    /// Send the call without predicting (no policy needed).
    #[arg(long)]
    pub no_preflight: bool,
    /// When the prediction depends on unknown context: let the server decide, or refuse (exit 3).
    #[arg(long, value_enum, default_value_t = OnIndeterminateArg::Call)]
    pub on_indeterminate: OnIndeterminateArg,
    /// Endpoint URL (default: the region's DBS endpoint over HTTPS).
    #[arg(long)]
    pub endpoint: Option<String>,
    /// Profile of ~/.aliyun/config.json (default: its `current` profile).
    #[arg(long)]
    pub profile: Option<String>,
    /// Connect and read timeout, in seconds (a positive number).
    #[arg(long, default_value = "10", value_parser = parse_timeout)]
    pub timeout: Duration,
}

/// A positive, finite number of seconds: `0` would mean "no timeout" to some tools and "fail at
/// once" to others, so it is refused rather than guessed.
fn parse_timeout(text: &str) -> Result<Duration, String> {
    let secs: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if !(secs.is_finite() && secs > 0.0) {
        return Err(format!(
            "the timeout must be a positive number of seconds, not `{text}`"
        ));
    }
    Duration::try_from_secs_f64(secs).map_err(|e| format!("`{text}`: {e}"))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OnIndeterminateArg {
    Call,
    Block,
}

/// Builds the call and its context, or says why not (exit 2).
fn build(args: &CallArgs, account: Option<&str>) -> Result<(Call, CallContext), String> {
    let mut call = Call::new(&args.api, &args.region).map_err(|e| e.to_string())?;
    if let Some(a) = account {
        call = call.account(a);
    }
    for p in &args.params {
        let (k, v) = key_value(p)?;
        call = call.param(k, v);
    }
    // Checked before anything is predicted: a prediction for a region DBS does not serve, or
    // for a malformed account, would answer a question nobody asked.
    call.validate().map_err(|e| e.to_string())?;
    // An unknown parameter is sent as given (the server is the authority), but said.
    for (name, suggestion) in call.unknown_params() {
        let hint = suggestion
            .map(|s| format!(": did you mean `{s}`?"))
            .unwrap_or_default();
        eprintln!(
            "ramguard: warning: `{}` has no parameter `{name}`{hint}",
            call.operation().api
        );
    }
    for missing in call.missing_required() {
        eprintln!(
            "ramguard: warning: required parameter `{missing}` of `{}` is not given",
            call.operation().api
        );
    }
    let mut context = CallContext::default();
    for c in &args.context {
        let (k, v) = key_value(c)?;
        context = context.value(k, v);
    }
    for k in &args.unknown {
        context = context.unknown(k.clone());
    }
    Ok((call, context))
}

pub fn run_preflight(args: PreflightArgs) -> u8 {
    let (call, context) = match build(&args.call, Some(&args.account)) {
        Ok(x) => x,
        Err(e) => {
            super::error(e);
            return exit::ERROR;
        }
    };
    // Without any policy every call is an ImplicitDeny: that is a forgotten flag, not a
    // prediction worth printing.
    if args.call.policies.is_empty() {
        super::error(
            "give the caller's policies (--policy FILE): without any, every call is denied",
        );
        return exit::ERROR;
    }
    let set = match args.call.policies.load() {
        Ok(s) => s,
        Err(e) => {
            report_load_error(&e);
            return exit::ERROR;
        }
    };
    let preflight = Preflight::new(set);
    let request = match preflight.request(&call, &context) {
        Ok(r) => r,
        Err(e) => {
            super::error(e);
            return exit::ERROR;
        }
    };
    let prediction = preflight.predict(&call, &request);
    let text = match args.format {
        Format::Json => prediction_json(&prediction),
        Format::Human => {
            let (response, trace) = preflight.policies().evaluate_traced(&request);
            format!(
                "{} on `{}`\n{}",
                call.action(),
                crate::preflight::resource_text(&call.resource()),
                explain(&response, &trace)
            )
        }
    };
    if write_stdout(&text).is_err() {
        return exit::ERROR;
    }
    decision_exit(prediction.response().decision)
}

/// The predicted 403 body for a denial, the simulate result object otherwise.
fn prediction_json(p: &Prediction) -> String {
    let s = match p {
        Prediction::Forbidden(f) => serde_json::to_string_pretty(&f.body),
        Prediction::Allowed(r) | Prediction::Indeterminate(r) => serde_json::to_string_pretty(r),
    };
    let mut s = s.unwrap_or_default();
    s.push('\n');
    s
}

pub fn run_call(args: CallCmdArgs) -> u8 {
    let (call, context) = match build(&args.call, args.account.as_deref()) {
        Ok(x) => x,
        Err(e) => {
            super::error(e);
            return exit::ERROR;
        }
    };
    if !args.no_preflight {
        if args.call.policies.is_empty() {
            super::error("give the caller's policies (--policy FILE), or --no-preflight to call without predicting");
            return exit::ERROR;
        }
        let set = match args.call.policies.load() {
            Ok(s) => s,
            Err(e) => {
                report_load_error(&e);
                return exit::ERROR;
            }
        };
        let prediction = match Preflight::new(set).check(&call, &context) {
            Ok(p) => p,
            Err(e) => {
                super::error(e);
                return exit::ERROR;
            }
        };
        match &prediction {
            Prediction::Forbidden(_) => {
                eprintln!("ramguard: predicted Request.Forbidden: the call was not sent");
                let _ = write_stdout(&prediction_json(&prediction));
                return exit::FAILED;
            }
            Prediction::Indeterminate(r) => {
                let on = r.depends_on.join(", ");
                if args.on_indeterminate == OnIndeterminateArg::Block {
                    eprintln!("ramguard: the decision depends on {on}: not calling (--on-indeterminate block)");
                    let _ = write_stdout(&prediction_json(&prediction));
                    return exit::INDETERMINATE;
                }
                eprintln!("ramguard: the decision depends on {on}: calling, the server decides");
            }
            Prediction::Allowed(_) => {}
        }
    }
    match send(&args, &call) {
        Ok(body) => {
            let mut s = serde_json::to_string_pretty(&body).unwrap_or_default();
            s.push('\n');
            if write_stdout(&s).is_err() {
                return exit::ERROR;
            }
            exit::OK
        }
        Err(e) => report_call_error(&e),
    }
}

fn send(args: &CallCmdArgs, call: &Call) -> Result<serde_json::Value, DbsError> {
    let credentials = Credentials::from_env_and_config(args.profile.as_deref())?;
    let endpoint = Endpoint::resolve(call.region(), args.endpoint.as_deref())?;
    let mut config = ClientConfig::new(credentials, endpoint);
    config.connect_timeout = args.timeout;
    config.read_timeout = args.timeout;
    config.on_retry = Some(|attempt, reason, wait| {
        eprintln!(
            "ramguard: attempt {attempt} failed ({reason}); retrying in {} ms",
            wait.as_millis()
        );
    });
    let client = Client::new(config);
    Ok(client.call(&call.api_call())?.body)
}

/// Prints what the API answered (its JSON body, when there is one, on stdout) and the error on
/// stderr; 1 for an authorization failure, 2 for anything else.
fn report_call_error(e: &DbsError) -> u8 {
    let body = match e {
        DbsError::Forbidden { body, .. } | DbsError::Business { body, .. } => Some(body),
        _ => None,
    };
    if let Some(body) = body {
        let mut s = serde_json::to_string_pretty(body).unwrap_or_default();
        s.push('\n');
        let _ = write_stdout(&s);
    }
    super::error(e);
    if e.is_forbidden() {
        exit::FAILED
    } else {
        exit::ERROR
    }
}
