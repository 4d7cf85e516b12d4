//! No secret in any output (issue 10): credential values that cannot be sent are refused by
//! name when loaded, and every secret is scrubbed from what is printed, including a server's
//! answer that echoes the request's headers.

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use ramguard::dbs::{ApiCall, Client, ClientConfig, Credentials, Endpoint};

use crate::common::fake_dbs::{html, json, FakeDbs, AK_ID, SECRET, STS_TOKEN};
use crate::common::output::{code, show, stderr, stdout};

/// `ramguard call --no-preflight` against `url`, with exactly `env` (and an empty HOME).
fn call(home: &Path, url: &str, env: &[(&str, &str)], extra: &[&str]) -> Output {
    let mut cmd = crate::common::ramguard();
    cmd.args([
        "call",
        "--api",
        "StartBackupPlan",
        "--region",
        "cn-hangzhou",
        "--param",
        "BackupPlanId=dbsqdss5tmh1",
        "--no-preflight",
        "--endpoint",
        url,
        "--timeout",
        "5",
    ])
    .args(extra)
    .env_clear()
    .env("HOME", home);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

/// Neither the secret nor the token, in any form, on stdout or stderr.
fn assert_no_secret(o: &Output) {
    for text in [stdout(o), stderr(o)] {
        for secret in [SECRET, STS_TOKEN] {
            assert!(!text.contains(secret), "a secret leaked:\n{}", show(o));
        }
    }
}

#[test]
fn a_token_with_a_carriage_return_is_refused_by_variable_name() {
    let home = tempfile::tempdir().unwrap();
    let server = FakeDbs::start(vec![]);
    let token = format!("{STS_TOKEN}\r");
    let env = [
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", AK_ID),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET),
        ("ALIBABA_CLOUD_SECURITY_TOKEN", token.as_str()),
    ];
    let o = call(home.path(), &server.url, &env, &[]);
    assert_eq!(code(&o), 2, "{}", show(&o));
    assert!(
        stderr(&o).contains("ALIBABA_CLOUD_SECURITY_TOKEN") && stderr(&o).contains("carriage"),
        "{}",
        show(&o)
    );
    assert_no_secret(&o);
    assert_eq!(server.requests(), 0);

    // The same from a CRLF config.json written by hand, and a secret with a trailing newline.
    let config = home.path().join("config.json");
    let profiles = serde_json::json!({"current": "sts", "profiles": [
        {"name": "sts", "mode": "StsToken", "access_key_id": AK_ID,
         "access_key_secret": SECRET, "sts_token": format!("{STS_TOKEN}\r\n")},
        {"name": "ak", "mode": "AK", "access_key_id": AK_ID,
         "access_key_secret": format!("{SECRET}\n")}]});
    std::fs::write(&config, profiles.to_string()).unwrap();
    let config = config.to_str().unwrap();
    for (profile, field) in [("sts", "`sts_token`"), ("ak", "`access_key_secret`")] {
        let o = call(
            home.path(),
            &server.url,
            &[("ALIBABA_CLOUD_CONFIG_FILE", config)],
            &["--profile", profile],
        );
        assert_eq!(code(&o), 2, "{}", show(&o));
        assert!(
            stderr(&o).contains(field) && stderr(&o).contains(&format!("profile `{profile}`")),
            "{}",
            show(&o)
        );
        assert_no_secret(&o);
    }
    assert_eq!(server.requests(), 0);
}

#[test]
fn a_server_that_echoes_the_credentials_is_scrubbed_on_stdout_and_stderr() {
    let home = tempfile::tempdir().unwrap();
    let echo = serde_json::json!({
        "RequestId": "r1", "Code": "InvalidSecurityToken.Malformed",
        "Message": format!("token {STS_TOKEN} (secret {SECRET}) is malformed"),
        "Headers": {"x-acs-security-token": STS_TOKEN},
    })
    .to_string();
    let page = format!("<html><body>bad gateway for token {STS_TOKEN}</body></html>");
    let server = FakeDbs::start(vec![
        json(400, &echo),
        html(502, &page),
        html(502, &page),
        html(502, &page),
        html(502, &page),
    ]);
    let env = [
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", AK_ID),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET),
        ("ALIBABA_CLOUD_SECURITY_TOKEN", STS_TOKEN),
    ];
    // A business error: the body on stdout, the message on stderr.
    let o = call(home.path(), &server.url, &env, &[]);
    assert_eq!(code(&o), 2, "{}", show(&o));
    assert_no_secret(&o);
    assert!(
        stdout(&o).contains("***") && stderr(&o).contains("token *** (secret ***)"),
        "{}",
        show(&o)
    );
    // A 5xx, retried, quoting an HTML page: the excerpt and every retry line are scrubbed.
    let o = call(home.path(), &server.url, &env, &[]);
    assert_eq!(code(&o), 2, "{}", show(&o));
    assert_no_secret(&o);
    assert!(
        stderr(&o).contains("bad gateway for token ***"),
        "{}",
        show(&o)
    );
}

#[test]
fn the_library_client_scrubs_a_header_value_the_http_layer_quotes() {
    // Credentials made by hand skip the loader's check: ureq refuses the header and quotes it.
    let server = FakeDbs::start(vec![]);
    let token = format!("{STS_TOKEN}\r");
    let mut config = ClientConfig::new(
        Credentials::new(AK_ID, SECRET).with_security_token(token),
        Endpoint::parse(&server.url).unwrap(),
    );
    config.connect_timeout = Duration::from_secs(2);
    config.max_retries = 0;
    let err = Client::new(config)
        .call(&ApiCall::new("StartBackupPlan", "2019-03-06"))
        .unwrap_err();
    let msg = format!("{err} {err:?}");
    assert!(msg.contains("x-acs-security-token: ***"), "{msg}");
    assert!(!msg.contains(STS_TOKEN), "{msg}");
}
