//! A tokio service guarding its DBS calls without ramguard's blocking client: the guard
//! predicts and decides (no I/O), hands back the signed request as a value, the service sends
//! it with its own HTTP client, and the guard reads the answer.
//!
//! ```sh
//! cargo run --example async_guard -- http://127.0.0.1:8080 dbsqdss5tmh1
//! ```
//!
//! The credentials come from the default chain (environment, OIDC, profiles, instance role).
//! The tiny HTTP/1.1 client below speaks plain `http://` to a loopback test server only; a real
//! service sends the same request with its TLS client (reqwest, hyper, ...).

use std::error::Error;
use std::sync::Arc;

use ramguard::credentials::profile::Net;
use ramguard::credentials::{DefaultChain, Endpoints, ProvideCredentials};
use ramguard::dbs::Endpoint;
use ramguard::eval::PolicySet;
use ramguard::policy::PolicyKind;
use ramguard::preflight::{Call, CallContext, Guard, GuardError, Preflight};
use ramguard::transport::{BlockingTransport, HttpRequest, HttpResponse};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ROLE_POLICY: &str = include_str!("../policies/dbs-backup-operator.json");

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(endpoint), Some(plan)) = (args.first(), args.get(1)) else {
        return Err("usage: async_guard ENDPOINT BACKUP_PLAN_ID".into());
    };
    let chain = DefaultChain::from_process(
        None,
        Net::new(Endpoints::default(), Arc::new(BlockingTransport::default())),
    );
    println!("{}", run(endpoint, plan, Arc::new(chain)).await?);
    Ok(())
}

/// Starts one backup plan behind the guard; the API's JSON answer, or why not.
pub async fn run(
    endpoint: &str,
    plan: &str,
    credentials: Arc<dyn ProvideCredentials>,
) -> Result<String, Box<dyn Error>> {
    let mut policies = PolicySet::new();
    policies.add_text(
        PolicyKind::Identity,
        "dbs-backup-operator.json",
        ROLE_POLICY,
    )?;
    let guard = Guard::new(
        Preflight::new(policies),
        Endpoint::parse(endpoint)?,
        credentials,
    );
    let call = Call::new("StartBackupPlan", "cn-hangzhou")?
        .account("1234567890123456")
        .param("BackupPlanId", plan);
    let context = CallContext::default().value("acs:SourceIp", "192.0.2.10");
    let prepared = match guard.prepare(&call, &context) {
        Ok(p) => p,
        // Predicted 403: answered locally, nothing sent.
        Err(GuardError::Predicted(f)) => return Ok(serde_json::to_string(&f.body)?),
        Err(e) => return Err(e.into()),
    };
    let response = send(&prepared.request).await?;
    let sent = guard.finish(prepared.prediction, &response)?;
    Ok(sent.response.body.to_string())
}

/// One request over a fresh connection (`connection: close`, body read to the end).
async fn send(request: &HttpRequest) -> Result<HttpResponse, Box<dyn Error>> {
    let rest = request
        .url
        .strip_prefix("http://")
        .ok_or("this example's client speaks plain http:// to loopback only")?;
    let (authority, target) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut stream = tokio::net::TcpStream::connect(authority).await?;
    let mut head = format!("{} {} HTTP/1.1\r\n", request.method, target);
    for (name, value) in &request.headers {
        head += &format!("{name}: {value}\r\n");
    }
    head += &format!(
        "content-length: {}\r\nconnection: close\r\n\r\n",
        request.body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(&request.body).await?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await?;
    let text = String::from_utf8(raw)?;
    let (head, body) = text.split_once("\r\n\r\n").ok_or("no HTTP header end")?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or("no HTTP status")?;
    Ok(HttpResponse {
        status,
        body: body.to_string(),
    })
}
