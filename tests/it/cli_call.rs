//! Black-box tests of `ramguard call` against the shared fake DBS server on 127.0.0.1
//! (`tests/it/common/fake_dbs.rs`: it verifies every signature independently, counts requests and
//! answers from a script).
//!
//! Credentials reach the binary only through the child's environment, which starts empty
//! (`env_clear`) with HOME pointing at an empty temporary directory; the test process's own
//! environment is never read or changed. Every run is checked for leaks of the secret and the
//! STS token on stdout and stderr.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails by panicking, helpers included"
)]

use crate::common::output::{code, json_out, show, stderr, stdout};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::common::fake_dbs::{html, json, FakeDbs, Reply, AK_ID, SECRET, STS_TOKEN};
use serde_json::{json, Value};

const OPERATOR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/policies/dbs-backup-operator.json"
);
const ACCOUNT: &str = "1234567890123456";
const INSIDE: &str = "acs:SourceIp=192.0.2.10";
/// A secret the server does not accept, for runs that must fail (also checked for leaks).
const WRONG_SECRET: &str = "An0ther-Wr0ng-Secr3t-Value";

const OK_BODY: &str = r#"{"HttpStatusCode":200,"RequestId":"D13761C3-9971-5C02-B789-3F3CD159AAAA","Success":true,"CreatedFullBackupsetId":"1h7toien3abc","BackupPlanId":"dbsqdss5tmh1"}"#;

/// A temporary HOME (empty) and working directory for one test.
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("home")).unwrap();
        Sandbox { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn home(&self) -> PathBuf {
        self.path().join("home")
    }

    /// Runs `ramguard call` with exactly `env` (plus HOME) in the child's environment, and
    /// checks that no secret shows on stdout or stderr.
    fn call(&self, env: &[(&str, &str)], args: &[&str]) -> Output {
        let mut cmd = crate::common::ramguard();
        cmd.arg("call")
            .args(args)
            .current_dir(self.path())
            .env_clear()
            .env("HOME", self.home());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let o = cmd.output().expect("run ramguard");
        for text in [stdout(&o), stderr(&o)] {
            for secret in [SECRET, STS_TOKEN, WRONG_SECRET] {
                assert!(!text.contains(secret), "a secret leaked:\n{}", show(&o));
            }
        }
        o
    }
}

/// Environment credentials the fake server accepts.
fn env_creds() -> Vec<(&'static str, &'static str)> {
    vec![
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", AK_ID),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET),
    ]
}

/// `--api StartBackupPlan --region cn-hangzhou --param BackupPlanId=<plan> --endpoint <url>
/// --timeout 5` + `extra`.
fn start_args<'a>(server: &'a FakeDbs, plan: &'a str, extra: &[&'a str]) -> Vec<String> {
    let mut a: Vec<String> = [
        "--api",
        "StartBackupPlan",
        "--region",
        "cn-hangzhou",
        "--param",
        &format!("BackupPlanId={plan}"),
        "--endpoint",
        &server.url,
        "--timeout",
        "5",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    a.extend(extra.iter().map(|s| s.to_string()));
    a
}

/// The operator policy and the caller's account, from inside the allowed range.
fn guarded<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec!["--policy", OPERATOR, "--account", ACCOUNT];
    a.extend_from_slice(extra);
    a
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn ok() -> Reply {
    json(200, OK_BODY)
}

/// The names in the Authorization header's SignedHeaders.
fn signed_headers(auth: &str) -> Vec<String> {
    auth.split(',')
        .find_map(|p| p.strip_prefix("SignedHeaders="))
        .unwrap_or_else(|| panic!("no SignedHeaders in {auth}"))
        .split(';')
        .map(str::to_string)
        .collect()
}

#[test]
fn a_predicted_denial_sends_nothing_and_prints_the_predicted_body() {
    let sb = Sandbox::new();
    let server = FakeDbs::start(vec![ok()]);
    let args = start_args(&server, "dbsunlisted01", &guarded(&["--context", INSIDE]));
    let o = sb.call(&env_creds(), &strs(&args));
    assert_eq!(code(&o), 1, "{}", show(&o));
    assert_eq!(server.requests(), 0, "a predicted denial reaches no server");
    let v = json_out(&o);
    let id = v["RequestId"].as_str().unwrap().to_string();
    assert!(id.starts_with("ramguard-preflight-"), "{id}");
    assert_eq!(
        v,
        json!({
            "HttpStatusCode": 403,
            "RequestId": id,
            "ErrCode": "Request.Forbidden",
            "ErrMessage": "Have no Permissions",
            "Success": false,
            "AccessDeniedDetail": {
                "AuthAction": "dbs:StartBackupPlan",
                "AuthResource": "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsunlisted01",
                "NoPermissionType": "ImplicitDeny",
                "PolicyType": "AccountLevelIdentityBasedPolicy"
            }
        })
    );
    assert!(stderr(&o).contains("not sent"), "{}", show(&o));
}

#[test]
fn an_allowed_call_sends_one_signed_request_with_a_client_token() {
    let sb = Sandbox::new();
    let server = FakeDbs::start(vec![ok()]);
    let args = start_args(&server, "dbsqdss5tmh1", &guarded(&["--context", INSIDE]));
    let o = sb.call(&env_creds(), &strs(&args));
    assert_eq!(code(&o), 0, "{}", show(&o));
    assert_eq!(
        json_out(&o),
        serde_json::from_str::<Value>(OK_BODY).unwrap()
    );
    assert_eq!(
        server.rejected(),
        Vec::<String>::new(),
        "the signature verified"
    );
    assert_eq!(server.requests(), 1);
    let requests = server.accepted();
    let r = &requests[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.param("BackupPlanId").as_deref(), Some("dbsqdss5tmh1"));
    let token = r.param("ClientToken").expect("a ClientToken");
    assert_eq!(
        token.split('-').map(str::len).collect::<Vec<_>>(),
        [8, 4, 4, 4, 12],
        "{token}"
    );
    assert_eq!(r.header("x-acs-action"), Some("StartBackupPlan"));
    assert_eq!(r.header("x-acs-version"), Some("2019-03-06"));
    assert!(r.header("x-acs-security-token").is_none());
    let auth = r.header("authorization").unwrap();
    assert!(
        auth.starts_with(&format!("ACS3-HMAC-SHA256 Credential={AK_ID},")),
        "{auth}"
    );
    // Nothing but the prediction's silence on stderr: the call was allowed.
    assert!(!stderr(&o).contains("depends on"), "{}", show(&o));
}

#[test]
fn a_given_client_token_is_kept() {
    let sb = Sandbox::new();
    let server = FakeDbs::start(vec![ok()]);
    let args = start_args(
        &server,
        "dbsqdss5tmh1",
        &guarded(&["--context", INSIDE, "--param", "ClientToken=retry-42"]),
    );
    let o = sb.call(&env_creds(), &strs(&args));
    assert_eq!(code(&o), 0, "{}", show(&o));
    assert_eq!(
        server.accepted()[0].param("ClientToken").as_deref(),
        Some("retry-42")
    );
}

#[test]
fn an_sts_token_from_the_environment_is_sent_and_signed() {
    let sb = Sandbox::new();
    let server = FakeDbs::start(vec![ok()]);
    let mut env = env_creds();
    env.push(("ALIBABA_CLOUD_SECURITY_TOKEN", STS_TOKEN));
    let args = start_args(&server, "dbsqdss5tmh1", &guarded(&["--context", INSIDE]));
    let o = sb.call(&env, &strs(&args));
    assert_eq!(code(&o), 0, "{}", show(&o));
    assert_eq!(server.rejected(), Vec::<String>::new());
    let r = &server.accepted()[0];
    assert_eq!(r.header("x-acs-security-token"), Some(STS_TOKEN));
    let signed = signed_headers(r.header("authorization").unwrap());
    assert!(
        signed.iter().any(|h| h == "x-acs-security-token"),
        "{signed:?}"
    );
}

fn no_permission(kind: &str) -> Reply {
    let detail = json!({
        "PolicyType": "AccountLevelIdentityBasedPolicy",
        "AuthPrincipalOwnerId": "1234567890123456",
        "AuthPrincipalType": "SubUser",
        "AuthPrincipalDisplayName": "dbs-operator",
        "NoPermissionType": kind,
        "AuthAction": "dbs:StartBackupPlan",
        "EncodedDiagnosticMessage": "AQEAAAAA"
    });
    json(
        403,
        &json!({
            "RequestId": "00000000-0000-0000-0000-000000000000",
            "Code": "NoPermission",
            "Message": "You are not authorized to do this action.",
            "AccessDeniedDetail": detail.to_string(),
        })
        .to_string(),
    )
}

#[test]
fn a_real_403_with_a_string_detail_exits_1_and_names_the_denial() {
    for kind in ["ImplicitDeny", "ExplicitDeny"] {
        let sb = Sandbox::new();
        let server = FakeDbs::start(vec![no_permission(kind)]);
        let args = start_args(&server, "dbsqdss5tmh1", &guarded(&["--context", INSIDE]));
        let o = sb.call(&env_creds(), &strs(&args));
        assert_eq!(code(&o), 1, "{kind}: {}", show(&o));
        assert_eq!(server.requests(), 1, "{kind}: a denial is not retried");
        let err = stderr(&o);
        assert!(err.contains(kind), "{kind}: {err}");
        assert!(err.contains("NoPermission"), "{kind}: {err}");
        // The API's body is on stdout, as it came.
        assert_eq!(json_out(&o)["Code"], "NoPermission", "{kind}");
    }
}

#[test]
fn a_500_with_an_html_body_exits_2_with_a_clear_error() {
    let sb = Sandbox::new();
    let page =
        "<html><head><title>500 Internal Server Error</title></head><body>nginx</body></html>";
    let server = FakeDbs::start((0..4).map(|_| html(500, page)).collect());
    let args = start_args(&server, "dbsqdss5tmh1", &guarded(&["--context", INSIDE]));
    let o = sb.call(&env_creds(), &strs(&args));
    assert_eq!(code(&o), 2, "{}", show(&o));
    let err = stderr(&o);
    assert!(err.contains("HTTP 500"), "{err}");
    assert!(err.contains("not JSON"), "{err}");
    assert!(err.contains("500 Internal Server Error"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(stdout(&o), "", "no API JSON to print");
    assert!(server.requests() >= 1);
}

#[test]
fn success_false_is_a_failure_with_the_body_on_stdout() {
    let sb = Sandbox::new();
    let body = r#"{"HttpStatusCode":200,"RequestId":"r-6","Success":false,"ErrCode":"Param.NotFound","ErrMessage":"The specified parameter BackupPlanId value is not valid."}"#;
    let server = FakeDbs::start(vec![json(200, body)]);
    let args = start_args(&server, "dbsqdss5tmh1", &guarded(&["--context", INSIDE]));
    let o = sb.call(&env_creds(), &strs(&args));
    assert_eq!(code(&o), 2, "{}", show(&o));
    assert_eq!(json_out(&o), serde_json::from_str::<Value>(body).unwrap());
    assert!(stderr(&o).contains("Param.NotFound"), "{}", show(&o));
}

#[test]
fn missing_credentials_exit_2_and_name_both_variables() {
    let sb = Sandbox::new();
    let server = FakeDbs::start(vec![ok()]);
    let nowhere = sb.path().join("no-such-config.json");
    let args = start_args(&server, "dbsqdss5tmh1", &guarded(&["--context", INSIDE]));
    for env in [
        vec![("ALIBABA_CLOUD_CONFIG_FILE", nowhere.to_str().unwrap())],
        // No config file variable: HOME (empty) has no .aliyun/config.json.
        vec![],
    ] {
        let o = sb.call(&env, &strs(&args));
        assert_eq!(code(&o), 2, "{env:?}: {}", show(&o));
        let err = stderr(&o);
        assert!(
            err.contains("ALIBABA_CLOUD_ACCESS_KEY_ID"),
            "{env:?}: {err}"
        );
        assert!(
            err.contains("ALIBABA_CLOUD_ACCESS_KEY_SECRET"),
            "{env:?}: {err}"
        );
        assert_eq!(stdout(&o), "", "{env:?}");
    }
    // Only half of the pair.
    let o = sb.call(&[("ALIBABA_CLOUD_ACCESS_KEY_ID", AK_ID)], &strs(&args));
    assert_eq!(code(&o), 2, "{}", show(&o));
    assert!(
        stderr(&o).contains("ALIBABA_CLOUD_ACCESS_KEY_SECRET"),
        "{}",
        show(&o)
    );
    assert_eq!(server.requests(), 0);
}

#[test]
fn indeterminate_is_sent_by_default_and_blocked_on_request() {
    let sb = Sandbox::new();
    let server = FakeDbs::start(vec![ok()]);
    // No source IP: the prediction depends on it.
    let blocked = start_args(
        &server,
        "dbsqdss5tmh1",
        &guarded(&["--on-indeterminate", "block"]),
    );
    let o = sb.call(&env_creds(), &strs(&blocked));
    assert_eq!(code(&o), 3, "{}", show(&o));
    assert_eq!(server.requests(), 0, "blocked: nothing sent");
    let v = json_out(&o);
    assert_eq!(v["decision"], "Indeterminate");
    assert_eq!(v["depends_on"], json!(["acs:SourceIp"]));
    assert!(stderr(&o).contains("acs:SourceIp"), "{}", show(&o));

    let default = start_args(&server, "dbsqdss5tmh1", &guarded(&[]));
    let o = sb.call(&env_creds(), &strs(&default));
    assert_eq!(code(&o), 0, "{}", show(&o));
    assert_eq!(server.requests(), 1, "the server decides");
    let err = stderr(&o);
    assert!(
        err.contains("depends on acs:SourceIp") && err.contains("calling"),
        "{err}"
    );
    assert_eq!(json_out(&o)["Success"], true);
}

#[test]
fn without_an_account_the_policy_can_still_decide() {
    let sb = Sandbox::new();
    let server = FakeDbs::start(vec![ok()]);
    // The operator policy names the account: without --account the prediction depends on it.
    let args = start_args(
        &server,
        "dbsqdss5tmh1",
        &[
            "--policy",
            OPERATOR,
            "--context",
            INSIDE,
            "--on-indeterminate",
            "block",
        ],
    );
    let o = sb.call(&env_creds(), &strs(&args));
    assert_eq!(code(&o), 3, "{}", show(&o));
    assert_eq!(json_out(&o)["depends_on"], json!(["accountId"]));
    // A policy with `*` in the account field decides without it.
    let any = sb.path().join("any-account.json");
    std::fs::write(
        &any,
        r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "dbs:StartBackupPlan",
            "Resource": "acs:dbs:cn-hangzhou:*:backupplan/dbsqdss5tmh1"}]}"#,
    )
    .unwrap();
    let args = start_args(
        &server,
        "dbsqdss5tmh1",
        &[
            "--policy",
            any.to_str().unwrap(),
            "--on-indeterminate",
            "block",
        ],
    );
    let o = sb.call(&env_creds(), &strs(&args));
    assert_eq!(code(&o), 0, "{}", show(&o));
    assert_eq!(server.requests(), 1);
    let args = start_args(
        &server,
        "dbsother0001",
        &["--policy", any.to_str().unwrap()],
    );
    let o = sb.call(&env_creds(), &strs(&args));
    assert_eq!(code(&o), 1, "{}", show(&o));
    // Part of the resource is unknown: the body leaves it out rather than show a placeholder.
    assert_eq!(
        json_out(&o)["AccessDeniedDetail"]["AuthResource"],
        Value::Null
    );
    assert_eq!(server.requests(), 1, "the denial was not sent");
}

#[test]
fn no_preflight_sends_without_policies() {
    let sb = Sandbox::new();
    let server = FakeDbs::start(vec![ok()]);
    // A plan the operator policy does not list: without the preflight it goes to the server.
    let args = start_args(&server, "dbsunlisted01", &["--no-preflight"]);
    let o = sb.call(&env_creds(), &strs(&args));
    assert_eq!(code(&o), 0, "{}", show(&o));
    assert_eq!(server.requests(), 1);
    assert_eq!(
        server.accepted()[0].param("BackupPlanId").as_deref(),
        Some("dbsunlisted01")
    );
}

#[test]
fn call_without_policies_or_no_preflight_is_a_usage_error() {
    let sb = Sandbox::new();
    let server = FakeDbs::start(vec![ok()]);
    let args = start_args(&server, "dbsqdss5tmh1", &["--account", ACCOUNT]);
    let o = sb.call(&env_creds(), &strs(&args));
    assert_eq!(code(&o), 2, "{}", show(&o));
    assert!(stderr(&o).contains("--no-preflight"), "{}", show(&o));
    assert_eq!(server.requests(), 0);

    // A misspelt API never reaches the server either.
    let mut args = start_args(&server, "dbsqdss5tmh1", &["--no-preflight"]);
    args[1] = "StartBackupPlna".into();
    let o = sb.call(&env_creds(), &strs(&args));
    assert_eq!(code(&o), 2, "{}", show(&o));
    assert!(
        stderr(&o).contains("did you mean `StartBackupPlan`"),
        "{}",
        show(&o)
    );
    assert_eq!(server.requests(), 0);
}

fn config_json(current: &str) -> String {
    json!({
        "current": current,
        "profiles": [
            {"name": "default", "mode": "AK", "access_key_id": AK_ID,
             "access_key_secret": SECRET, "region_id": "cn-hangzhou"},
            {"name": "sts", "mode": "StsToken", "access_key_id": AK_ID,
             "access_key_secret": SECRET, "sts_token": STS_TOKEN, "region_id": "cn-hangzhou"},
            {"name": "stale", "mode": "AK", "access_key_id": AK_ID,
             "access_key_secret": WRONG_SECRET},
            {"name": "role", "mode": "RamRoleArn", "access_key_id": AK_ID,
             "access_key_secret": SECRET, "ram_role_arn": "acs:ram::1:role/x"}
        ],
        "meta_path": ""
    })
    .to_string()
}

#[test]
fn profile_in_sts_token_mode_from_the_config_file() {
    let sb = Sandbox::new();
    let server = FakeDbs::start(vec![ok(), ok(), ok()]);
    let config = sb.path().join("config.json");
    std::fs::write(&config, config_json("default")).unwrap();
    let config = config.to_str().unwrap();
    let base = start_args(&server, "dbsqdss5tmh1", &guarded(&["--context", INSIDE]));

    // --profile sts: the token is sent and signed. It wins over (wrong) environment credentials.
    let mut args = base.clone();
    args.extend(["--profile".to_string(), "sts".to_string()]);
    let env = [
        ("ALIBABA_CLOUD_CONFIG_FILE", config),
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", AK_ID),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", WRONG_SECRET),
    ];
    let o = sb.call(&env, &strs(&args));
    assert_eq!(code(&o), 0, "{}", show(&o));
    let requests = server.accepted();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].header("x-acs-security-token"), Some(STS_TOKEN));
    let signed = signed_headers(requests[0].header("authorization").unwrap());
    assert!(
        signed.iter().any(|h| h == "x-acs-security-token"),
        "{signed:?}"
    );

    // No --profile and no environment credentials: the file's `current` profile (AK mode).
    let o = sb.call(&[("ALIBABA_CLOUD_CONFIG_FILE", config)], &strs(&base));
    assert_eq!(code(&o), 0, "{}", show(&o));
    let requests = server.accepted();
    assert!(requests[0].header("x-acs-security-token").is_none());

    // The default path: $HOME/.aliyun/config.json.
    std::fs::create_dir(sb.home().join(".aliyun")).unwrap();
    std::fs::write(sb.home().join(".aliyun/config.json"), config_json("sts")).unwrap();
    let o = sb.call(&[], &strs(&base));
    assert_eq!(code(&o), 0, "{}", show(&o));
    assert_eq!(
        server.accepted()[0].header("x-acs-security-token"),
        Some(STS_TOKEN)
    );

    // A stale secret: the server refuses the signature; exit 2, not an authorization failure.
    let mut args = base.clone();
    args.extend(["--profile".to_string(), "stale".to_string()]);
    let o = sb.call(&[("ALIBABA_CLOUD_CONFIG_FILE", config)], &strs(&args));
    assert_eq!(code(&o), 2, "{}", show(&o));
    assert!(stderr(&o).contains("SignatureDoesNotMatch"), "{}", show(&o));

    // Unsupported mode and unknown profile: exit 2 before anything is sent.
    let before = server.requests();
    for (profile, needle) in [("role", "RamRoleArn"), ("nope", "`nope`")] {
        let mut args = base.clone();
        args.extend(["--profile".to_string(), profile.to_string()]);
        let o = sb.call(&[("ALIBABA_CLOUD_CONFIG_FILE", config)], &strs(&args));
        assert_eq!(code(&o), 2, "{profile}: {}", show(&o));
        assert!(stderr(&o).contains(needle), "{profile}: {}", show(&o));
    }
    assert_eq!(server.requests(), before);
}

#[test]
fn a_server_that_never_answers_times_out_after_the_given_timeout() {
    let sb = Sandbox::new();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    // Accepts and holds connections without answering, until the listener is dropped.
    let holder = std::thread::spawn(move || {
        let mut held = Vec::new();
        listener.set_nonblocking(true).unwrap();
        let until = Instant::now() + Duration::from_secs(10);
        while Instant::now() < until && held.is_empty() {
            if let Ok((s, _)) = listener.accept() {
                held.push(s);
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        std::thread::sleep(Duration::from_secs(2));
    });
    let started = Instant::now();
    let o = sb.call(
        &env_creds(),
        &[
            "--api",
            "StartBackupPlan",
            "--region",
            "cn-hangzhou",
            "--param",
            "BackupPlanId=dbsqdss5tmh1",
            "--no-preflight",
            "--endpoint",
            &url,
            "--timeout",
            "0.5",
        ],
    );
    let elapsed = started.elapsed();
    assert_eq!(code(&o), 2, "{}", show(&o));
    assert!(stderr(&o).contains("timed out"), "{}", show(&o));
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    let _ = holder.join();
}

#[test]
fn a_timeout_that_is_not_a_positive_number_is_a_usage_error() {
    let sb = Sandbox::new();
    let server = FakeDbs::start(vec![ok()]);
    for bad in ["0", "0.0", "abc", "inf", "NaN"] {
        let mut args = start_args(&server, "dbsqdss5tmh1", &["--no-preflight"]);
        let at = args.iter().position(|a| a == "--timeout").unwrap();
        args[at + 1] = bad.to_string();
        let o = sb.call(&env_creds(), &strs(&args));
        assert_eq!(code(&o), 2, "{bad}: {}", show(&o));
        assert!(stderr(&o).contains("--timeout"), "{bad}: {}", show(&o));
    }
    assert_eq!(server.requests(), 0);
}

/// Builds `examples/preflight.rs` with the cargo that runs this test, into the target directory
/// this test runs from (`<target>/<profile>/deps/cli_call-*`), and returns the example's path.
fn build_example() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let target = exe
        .ancestors()
        .nth(3)
        .expect("the test binary lies in <target>/<profile>/deps");
    let mut cargo = Command::new(env!("CARGO"));
    // Without the variables cargo set for this test process: a build script that reads one
    // (ring's reads CARGO_MANIFEST_DIR and OUT_DIR) would see a change and rebuild, here and
    // again in the next `cargo test`.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy().into_owned();
        let set_by_cargo = [
            "CARGO_MANIFEST_",
            "CARGO_PKG_",
            "CARGO_BIN_",
            "CARGO_CRATE_",
        ]
        .iter()
        .any(|p| name.starts_with(p))
            || [
                "OUT_DIR",
                "LD_LIBRARY_PATH",
                "CARGO_PRIMARY_PACKAGE",
                "CARGO_TARGET_TMPDIR",
            ]
            .contains(&name.as_str());
        if set_by_cargo {
            cargo.env_remove(&name);
        }
    }
    let out = cargo
        .args([
            "build",
            "--quiet",
            "--example",
            "preflight",
            "--message-format=json",
            "--target-dir",
        ])
        .arg(target)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo");
    assert!(
        out.status.success(),
        "cargo build --example preflight failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["target"]["name"] == "preflight" && v["target"]["kind"][0] == "example")
        .find_map(|v| v["executable"].as_str().map(PathBuf::from))
        .expect("the example's executable in cargo's messages")
}

#[test]
fn the_preflight_example_guards_a_call() {
    let example = build_example();
    let sb = Sandbox::new();
    let server = FakeDbs::start(vec![ok()]);
    let run = |args: &[&str]| {
        let o = Command::new(&example)
            .args(args)
            .env_clear()
            .env("HOME", sb.home())
            .envs(env_creds())
            .output()
            .expect("run the example");
        for text in [stdout(&o), stderr(&o)] {
            assert!(!text.contains(SECRET), "a secret leaked:\n{}", show(&o));
        }
        o
    };
    // An unlisted plan: the predicted body, nothing sent.
    let o = run(&[&server.url, "dbsunlisted01", "192.0.2.10"]);
    assert_eq!(code(&o), 1, "{}", show(&o));
    assert_eq!(json_out(&o)["ErrCode"], "Request.Forbidden");
    assert_eq!(server.requests(), 0);
    // The listed plan from inside the range: one signed call.
    let o = run(&[&server.url, "dbsqdss5tmh1", "192.0.2.10"]);
    assert_eq!(code(&o), 0, "{}", show(&o));
    assert_eq!(json_out(&o)["CreatedFullBackupsetId"], "1h7toien3abc");
    assert_eq!(server.rejected(), Vec::<String>::new());
    assert_eq!(server.accepted().len(), 1);
}
