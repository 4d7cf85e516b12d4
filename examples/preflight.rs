//! A Rust service that guards its StartBackupPlan calls with the preflight: a call that RAM
//! would refuse is answered locally with the API's own 403 body and never reaches the network.
//!
//! ```sh
//! export ALIBABA_CLOUD_ACCESS_KEY_ID=... ALIBABA_CLOUD_ACCESS_KEY_SECRET=...
//! cargo run --example preflight -- https://dbs-api.cn-hangzhou.aliyuncs.com dbsqdss5tmh1 192.0.2.10
//! ```
//!
//! Arguments: the endpoint URL, the backup plan ID, and optionally the service's public source IP
//! (without it the prediction may depend on `acs:SourceIp` and the server decides). The
//! credentials come from the environment (or `~/.aliyun/config.json`). Exit code: 0 the call
//! succeeded (the API's JSON on stdout), 1 denied (predicted: the predicted 403 body on stdout;
//! or by the server), 2 any other failure.

use std::process::ExitCode;

use ramguard::dbs::{Client, ClientConfig, Credentials, Endpoint};
use ramguard::eval::PolicySet;
use ramguard::policy::PolicyKind;
use ramguard::preflight::{
    Call, CallContext, GuardError, GuardedClient, OnIndeterminate, Preflight,
};

/// The policies attached to the service's RAM role (a service would read its own with
/// `PolicySet::add_file`).
const ROLE_POLICY: &str = include_str!("../policies/dbs-backup-operator.json");

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(endpoint), Some(plan)) = (args.first(), args.get(1)) else {
        eprintln!("usage: preflight ENDPOINT BACKUP_PLAN_ID [SOURCE_IP]");
        return ExitCode::from(2);
    };
    match run(endpoint, plan, args.get(2)) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(
    endpoint: &str,
    plan: &str,
    source_ip: Option<&String>,
) -> Result<u8, Box<dyn std::error::Error>> {
    // Once, at start-up: compile the role's policies and build the client.
    let mut policies = PolicySet::new();
    policies.add_text(
        PolicyKind::Identity,
        "dbs-backup-operator.json",
        ROLE_POLICY,
    )?;
    let credentials = Credentials::from_env_and_config(None)?;
    let client = Client::new(ClientConfig::new(credentials, Endpoint::parse(endpoint)?));
    let guarded = GuardedClient {
        preflight: Preflight::new(policies),
        client,
        on_indeterminate: OnIndeterminate::Call,
    };

    // Per call: what is called, and what is known about the context.
    let call = Call::new("StartBackupPlan", "cn-hangzhou")?
        .account("1234567890123456")
        .param("BackupPlanId", plan);
    let mut context = CallContext::default(); // HTTPS, now; source IP unknown
    if let Some(ip) = source_ip {
        context = context.value("acs:SourceIp", ip.as_str());
    }
    match guarded.call(&call, &context) {
        Ok(sent) => {
            println!("{}", serde_json::to_string_pretty(&sent.response.body)?);
            Ok(0)
        }
        Err(GuardError::Predicted(forbidden)) => {
            // Exactly what the API would have answered; nothing was sent.
            println!("{}", serde_json::to_string_pretty(&forbidden.body)?);
            Ok(1)
        }
        Err(GuardError::Dbs(e)) if e.is_forbidden() => {
            eprintln!("denied by the server: {e}");
            Ok(1)
        }
        Err(e) => Err(e.into()),
    }
}
