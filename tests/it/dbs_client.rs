//! The DBS client against a real HTTP server on 127.0.0.1.
//!
//! The fake DBS server (`tests/it/common/fake_dbs.rs`, shared with the `ramguard call` tests)
//! checks every request's ACS3-HMAC-SHA256 signature with its own implementation (module
//! `verify`, written from the spec, sharing no code with the crate's signer), so a signer bug
//! cannot agree with itself. A bad signature gets the gateway's `400 SignatureDoesNotMatch`, a
//! reused nonce `400 SignatureNonceUsed`.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions; a failure there should stop the test"
)]

use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ramguard::dbs::{
    ApiCall, Client, ClientConfig, Credentials, DbsError, Endpoint, StartBackupPlanRequest,
    TransportKind,
};

use crate::common::fake_dbs::{html, json, verify, FakeDbs, Received, AK_ID, SECRET, STS_TOKEN};

/// The client configuration for a fake server: short timeouts and retry delays.
trait TestConfig {
    fn config(&self, credentials: Credentials) -> ClientConfig;
}

impl TestConfig for FakeDbs {
    fn config(&self, credentials: Credentials) -> ClientConfig {
        test_config(credentials, &self.url)
    }
}

fn test_config(credentials: Credentials, url: &str) -> ClientConfig {
    let mut config = ClientConfig::new(credentials, Endpoint::parse(url).unwrap());
    config.connect_timeout = Duration::from_secs(2);
    config.read_timeout = Duration::from_secs(5);
    config.retry_base_delay = Duration::from_millis(1);
    config.retry_max_delay = Duration::from_millis(5);
    config
}

fn creds() -> Credentials {
    Credentials::new(AK_ID, SECRET)
}

fn start_backup_plan() -> ApiCall {
    StartBackupPlanRequest::new("dbsqdss5tmh1").to_api_call()
}

const OK_BODY: &str = r#"{"HttpStatusCode":200,"RequestId":"D13761C3-9971-5C02-B789-3F3CD159AAAA","Success":true,"CreatedFullBackupsetId":"1h7toien3abc","BackupPlanId":"dbsqdss5tmh1"}"#;

#[test]
fn verifier_reproduces_the_official_vector() {
    // Guards the guard: the test server's own verifier must accept the published example and
    // refuse it when one byte changes.
    let mut req = Received {
        method: "POST".into(),
        // Unsorted on purpose: the verifier must canonicalise.
        target: "/?RegionId=cn-shanghai&ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd"
            .into(),
        headers: [
            ("Host", "ecs.cn-shanghai.aliyuncs.com"),
            ("x-acs-action", "RunInstances"),
            ("x-acs-version", "2014-05-26"),
            ("x-acs-date", "2023-10-26T10:22:32Z"),
            ("x-acs-signature-nonce", "3156853299f313e23d1673dc12e1703d"),
            ("x-acs-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("Authorization", "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect(),
        body: Vec::new(),
    };
    verify::check_signature(&req, "YourAccessKeyId", "YourAccessKeySecret").unwrap();
    assert!(verify::check_signature(&req, "YourAccessKeyId", "wrong").is_err());
    req.target = req.target.replace("cn-shanghai", "cn-beijing");
    assert!(verify::check_signature(&req, "YourAccessKeyId", "YourAccessKeySecret").is_err());
}

#[test]
fn allowed_call_sends_one_signed_request_with_a_client_token() {
    let server = FakeDbs::start(vec![json(200, OK_BODY)]);
    let client = Client::new(server.config(creds()));

    let response = client
        .start_backup_plan(&StartBackupPlanRequest::new("dbsqdss5tmh1"))
        .unwrap();
    assert_eq!(
        response.created_full_backupset_id.as_deref(),
        Some("1h7toien3abc")
    );
    assert_eq!(response.backup_plan_id.as_deref(), Some("dbsqdss5tmh1"));
    assert_eq!(
        response.request_id.as_deref(),
        Some("D13761C3-9971-5C02-B789-3F3CD159AAAA")
    );

    assert_eq!(server.rejected(), Vec::<String>::new());
    let requests = server.accepted();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(r.method, "POST");
    assert!(r.target.starts_with("/?"), "{}", r.target);
    assert_eq!(r.param("BackupPlanId").as_deref(), Some("dbsqdss5tmh1"));
    let token = r.param("ClientToken").expect("a ClientToken");
    assert_eq!(token.len(), 36, "{token}");
    assert_eq!(r.header("x-acs-action"), Some("StartBackupPlan"));
    assert_eq!(r.header("x-acs-version"), Some("2019-03-06"));
    assert_eq!(r.header("accept"), Some("application/json"));
    assert_eq!(r.header("content-length"), Some("0"));
    assert!(r.header("user-agent").unwrap().starts_with("ramguard/"));
    assert_eq!(r.header("x-acs-signature-nonce").unwrap().len(), 32);
    assert!(r.header("x-acs-security-token").is_none());
    assert!(r.body.is_empty());
}

#[test]
fn given_client_token_and_reserved_characters_go_through_as_signed() {
    let server = FakeDbs::start(vec![json(200, OK_BODY)]);
    let client = Client::new(server.config(creds()));
    let call = ApiCall::new("DescribeBackupPlanList", "2019-03-06")
        .param("ClientToken", "my-token")
        .param("BackupPlanName", "nightly plan/é*+~ä=&")
        .param("Empty", "");
    client.call(&call).unwrap();
    assert_eq!(server.rejected(), Vec::<String>::new());
    let r = &server.accepted()[0];
    assert_eq!(r.param("ClientToken").as_deref(), Some("my-token"));
    assert_eq!(
        r.param("BackupPlanName").as_deref(),
        Some("nightly plan/é*+~ä=&")
    );
    assert_eq!(r.param("Empty").as_deref(), Some(""));
}

#[test]
fn sts_token_is_sent_and_signed() {
    let server = FakeDbs::start(vec![json(200, OK_BODY)]);
    let client = Client::new(server.config(creds().with_security_token(STS_TOKEN)));
    client.call(&start_backup_plan()).unwrap();

    assert_eq!(server.rejected(), Vec::<String>::new());
    let r = &server.accepted()[0];
    assert_eq!(r.header("x-acs-security-token"), Some(STS_TOKEN));
    assert_eq!(r.header("x-acs-accesskey-id"), Some(AK_ID));
    let auth = r.header("authorization").unwrap();
    let signed = auth
        .split(',')
        .find_map(|p| p.strip_prefix("SignedHeaders="))
        .unwrap();
    assert!(
        signed.split(';').any(|h| h == "x-acs-security-token"),
        "{signed}"
    );
    assert!(
        signed.split(';').any(|h| h == "x-acs-accesskey-id"),
        "{signed}"
    );
}

#[test]
fn wrong_secret_is_refused_by_the_server_and_not_retried() {
    let server = FakeDbs::start(vec![json(200, OK_BODY)]);
    let client = Client::new(server.config(Credentials::new(AK_ID, "not-the-secret")));
    let err = client.call(&start_backup_plan()).unwrap_err();
    assert!(
        matches!(&err, DbsError::Business { status: 400, code: Some(c), .. } if c == "SignatureDoesNotMatch"),
        "{err:?}"
    );
    assert!(!err.is_forbidden());
    assert_eq!(server.rejected().len(), 1, "an auth error is not retried");
}

#[test]
fn no_permission_with_a_string_detail_is_forbidden_implicit_deny() {
    let detail = serde_json::json!({
        "PolicyType": "AccountLevelIdentityBasedPolicy",
        "AuthPrincipalOwnerId": "1234567890123456",
        "AuthPrincipalType": "SubUser",
        "AuthPrincipalDisplayName": "dbs-operator",
        "NoPermissionType": "ImplicitDeny",
        "AuthAction": "dbs:StartBackupPlan",
        "EncodedDiagnosticMessage": "AQEAAAAA"
    });
    let body = serde_json::json!({
        "RequestId": "00000000-0000-0000-0000-000000000000",
        "Code": "NoPermission",
        "Message": "You are not authorized to do this action.",
        "AccessDeniedDetail": detail.to_string(),
    });
    let server = FakeDbs::start(vec![json(403, &body.to_string())]);
    let client = Client::new(server.config(creds()));
    let err = client.call(&start_backup_plan()).unwrap_err();
    match &err {
        DbsError::Forbidden {
            status,
            code,
            request_id,
            detail,
            ..
        } => {
            assert_eq!(*status, 403);
            assert_eq!(code, "NoPermission");
            assert_eq!(
                request_id.as_deref(),
                Some("00000000-0000-0000-0000-000000000000")
            );
            let d = detail.as_ref().expect("AccessDeniedDetail");
            assert_eq!(d.no_permission_type.as_deref(), Some("ImplicitDeny"));
            assert_eq!(d.auth_action.as_deref(), Some("dbs:StartBackupPlan"));
            assert_eq!(
                d.auth_principal_display_name.as_deref(),
                Some("dbs-operator")
            );
        }
        other => panic!("expected Forbidden, got {other:?}"),
    }
    assert!(err.is_forbidden());
    let msg = err.to_string();
    assert!(
        msg.contains("NoPermission") && msg.contains("ImplicitDeny"),
        "{msg}"
    );
    assert_eq!(server.accepted().len(), 1, "a denial is not retried");
}

#[test]
fn explicit_deny_as_a_camel_case_object() {
    let body = r#"{"requestId":"r-2","code":"Forbidden.RAM","message":"denied",
        "accessDeniedDetail":{"noPermissionType":"ExplicitDeny","authAction":"dbs:StartBackupPlan",
        "policyType":"ControlPolicy","encodedDiagnosticInfo":"QUJD"}}"#;
    let server = FakeDbs::start(vec![json(403, body)]);
    let client = Client::new(server.config(creds()));
    match client.call(&start_backup_plan()).unwrap_err() {
        DbsError::Forbidden {
            code,
            request_id,
            detail: Some(d),
            ..
        } => {
            assert_eq!(code, "Forbidden.RAM");
            assert_eq!(request_id.as_deref(), Some("r-2"));
            assert_eq!(d.no_permission_type.as_deref(), Some("ExplicitDeny"));
            assert_eq!(d.policy_type.as_deref(), Some("ControlPolicy"));
            assert_eq!(d.encoded_diagnostic_message.as_deref(), Some("QUJD"));
        }
        other => panic!("expected Forbidden with detail, got {other:?}"),
    }
}

#[test]
fn html_500_is_a_clear_server_error_after_all_retries() {
    let page =
        "<html><head><title>500 Internal Server Error</title></head>\n<body>nginx</body></html>";
    let server = FakeDbs::start((0..10).map(|_| html(500, page)).collect());
    let config = server.config(creds());
    let max_retries = config.max_retries;
    let client = Client::new(config);
    let err = client.call(&start_backup_plan()).unwrap_err();
    assert!(
        matches!(err, DbsError::Server { status: 500, .. }),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(msg.contains("HTTP 500"), "{msg}");
    assert!(msg.contains("not JSON"), "{msg}");
    assert!(msg.contains("500 Internal Server Error"), "{msg}");
    let requests = server.accepted();
    assert_eq!(requests.len(), 1 + max_retries as usize);
    let tokens: HashSet<_> = requests.iter().map(|r| r.param("ClientToken")).collect();
    assert_eq!(tokens.len(), 1, "every retry carries the same ClientToken");
}

#[test]
fn a_503_then_200_succeeds_with_the_same_client_token_and_a_fresh_nonce() {
    let server = FakeDbs::start(vec![
        json(
            503,
            r#"{"Code":"ServiceUnavailable","Message":"try later"}"#,
        ),
        json(200, OK_BODY),
    ]);
    let client = Client::new(server.config(creds()));
    let ok = client.call(&start_backup_plan()).unwrap();
    assert_eq!(ok.status, 200);
    assert_eq!(
        server.rejected(),
        Vec::<String>::new(),
        "no nonce was reused"
    );
    let requests = server.accepted();
    assert_eq!(requests.len(), 2);
    assert!(requests[0].param("ClientToken").is_some());
    assert_eq!(
        requests[0].param("ClientToken"),
        requests[1].param("ClientToken")
    );
    assert_ne!(
        requests[0].header("x-acs-signature-nonce"),
        requests[1].header("x-acs-signature-nonce")
    );
    assert_ne!(
        requests[0].header("authorization"),
        requests[1].header("authorization")
    );
}

#[test]
fn throttling_is_retried() {
    let server = FakeDbs::start(vec![
        json(
            400,
            r#"{"Code":"Throttling.User","Message":"Request was denied due to user flow control."}"#,
        ),
        json(429, "Too Many Requests"),
        json(200, OK_BODY),
    ]);
    let client = Client::new(server.config(creds()));
    client.call(&start_backup_plan()).unwrap();
    assert_eq!(server.accepted().len(), 3);
}

#[test]
fn success_false_on_200_is_a_business_error() {
    let server = FakeDbs::start(vec![json(
        200,
        r#"{"HttpStatusCode":200,"RequestId":"r-6","Success":false,"ErrCode":"Param.NotFound","ErrMessage":"The specified parameter BackupPlanId value is not valid."}"#,
    )]);
    let client = Client::new(server.config(creds()));
    let err = client.call(&start_backup_plan()).unwrap_err();
    match &err {
        DbsError::Business {
            status,
            code,
            message,
            request_id,
            ..
        } => {
            assert_eq!(*status, 200);
            assert_eq!(code.as_deref(), Some("Param.NotFound"));
            assert_eq!(
                message.as_deref(),
                Some("The specified parameter BackupPlanId value is not valid.")
            );
            assert_eq!(request_id.as_deref(), Some("r-6"));
        }
        other => panic!("expected Business, got {other:?}"),
    }
    assert!(err.to_string().contains("Param.NotFound"));
    assert_eq!(server.accepted().len(), 1);
}

#[test]
fn missing_credentials_name_both_variables() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().to_str().unwrap().to_string();
    let env = move |name: &str| (name == "HOME").then(|| home.clone());
    let err = Credentials::resolve(&env, None).unwrap_err();
    let msg = DbsError::from(err).to_string();
    assert!(msg.contains("ALIBABA_CLOUD_ACCESS_KEY_ID"), "{msg}");
    assert!(msg.contains("ALIBABA_CLOUD_ACCESS_KEY_SECRET"), "{msg}");
    assert!(msg.contains(".aliyun/config.json"), "{msg}");
}

#[test]
fn read_timeout_gives_a_transport_timeout_without_retrying() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    // Accepts and never answers; holds the connections until the test ends.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        listener.set_nonblocking(true).unwrap();
        while done_rx.try_recv().is_err() {
            if let Ok((s, _)) = listener.accept() {
                held.push(s);
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    });
    let mut config = test_config(creds(), &format!("http://127.0.0.1:{port}"));
    // The attempt deadline bounds the wait (it supersedes ureq's per-read timeout).
    config.timeout = Duration::from_millis(300);
    let client = Client::new(config);

    let started = Instant::now();
    let err = client.call(&start_backup_plan()).unwrap_err();
    let elapsed = started.elapsed();
    let _ = done_tx.send(());

    match &err {
        DbsError::Transport(t) => assert_eq!(t.kind, TransportKind::Timeout, "{t}"),
        other => panic!("expected a transport timeout, got {other:?}"),
    }
    assert!(err.to_string().contains("timed out"), "{err}");
    assert!(elapsed >= Duration::from_millis(280), "{elapsed:?}");
    // One wait of 300 ms, not four (no retry after a read timeout).
    assert!(elapsed < Duration::from_millis(1100), "{elapsed:?}");
}

#[test]
fn connection_refused_is_a_transport_connect_error() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let client = Client::new(test_config(creds(), &format!("http://127.0.0.1:{port}")));
    match client.call(&start_backup_plan()).unwrap_err() {
        DbsError::Transport(t) => assert_eq!(t.kind, TransportKind::Connect, "{t}"),
        other => panic!("expected a connect error, got {other:?}"),
    }
}

#[test]
fn untrusted_tls_certificate_is_refused() {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};

    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tls");
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(format!("{dir}/self-signed.crt"))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
    let key = PrivateKeyDer::from_pem_file(format!("{dir}/self-signed.key")).unwrap();
    let tls = Arc::new(
        rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap(),
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handshakes = Arc::new(Mutex::new(0));
    let server = {
        let handshakes = Arc::clone(&handshakes);
        std::thread::spawn(move || {
            // One connection: answer 200 if the client ever completes a handshake.
            let (tcp, _) = listener.accept().unwrap();
            let conn = rustls::ServerConnection::new(tls).unwrap();
            let mut stream = rustls::StreamOwned::new(conn, tcp);
            let mut buf = [0u8; 4096];
            if stream.read(&mut buf).is_ok() {
                *handshakes.lock().unwrap() += 1;
                let body = r#"{"Success":true}"#;
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                    body.len()
                );
            }
        })
    };

    let client = Client::new(test_config(creds(), &format!("https://127.0.0.1:{port}")));
    let err = client.call(&start_backup_plan()).unwrap_err();
    let _ = server.join();
    match &err {
        DbsError::Transport(t) => {
            assert_eq!(t.kind, TransportKind::Tls, "{t}");
            assert!(t.message.contains("certificate"), "{t}");
        }
        other => panic!("expected a TLS error, got {other:?}"),
    }
    assert_eq!(
        *handshakes.lock().unwrap(),
        0,
        "no request went over the untrusted connection"
    );
}

#[test]
fn secrets_never_appear_in_errors_or_debug_output() {
    let mut seen = Vec::new();
    let sts = creds().with_security_token(STS_TOKEN);

    let server = FakeDbs::start(vec![
        json(
            403,
            r#"{"Code":"Request.Forbidden","Message":"Have no Permissions","AccessDeniedDetail":{"NoPermissionType":"ImplicitDeny"}}"#,
        ),
        html(500, "<html>oops</html>"),
        json(200, r#"{"Success":false,"ErrCode":"X"}"#),
    ]);
    let mut config = server.config(sts.clone());
    config.max_retries = 0;
    let client = Client::new(config.clone());
    seen.push(format!(
        "{client:?} {config:?} {sts:?} {} {}",
        sts.access_key_secret,
        sts.access_key_secret.expose().len()
    ));
    for _ in 0..3 {
        let err = client.call(&start_backup_plan()).unwrap_err();
        seen.push(format!("{err} {err:?}"));
    }
    // Signature failure with a wrong secret.
    let mut wrong = server.config(Credentials::new(AK_ID, "another-Secr3t"));
    wrong.max_retries = 0;
    let err = Client::new(wrong).call(&start_backup_plan()).unwrap_err();
    seen.push(format!("{err} {err:?}"));
    // Transport failure.
    let refused = Client::new(test_config(sts.clone(), "http://127.0.0.1:1"));
    let err = refused.call(&start_backup_plan()).unwrap_err();
    seen.push(format!("{err} {err:?}"));
    // Credential errors from a config file that holds secrets.
    let mut file = tempfile::NamedTempFile::new().unwrap();
    write!(
        file,
        r#"{{"current":"a","profiles":[
            {{"name":"a","mode":"RamRoleArn","access_key_id":"id","access_key_secret":"{SECRET}"}},
            {{"name":"b","mode":"StsToken","access_key_id":"id","access_key_secret":"{SECRET}"}},
            {{"name":"c","mode":"AK","access_key_id":"id","access_key_secret":{{"nested":"{SECRET}"}}}}]}}"#
    )
    .unwrap();
    let path = file.path().to_str().unwrap().to_string();
    for profile in [None, Some("b"), Some("c"), Some("zzz")] {
        let env = |name: &str| (name == "ALIBABA_CLOUD_CONFIG_FILE").then(|| path.clone());
        let err = Credentials::resolve(&env, profile).unwrap_err();
        let err = DbsError::from(err);
        seen.push(format!("{err} {err:?}"));
    }

    for text in &seen {
        assert!(!text.contains(SECRET), "secret leaked: {text}");
        assert!(!text.contains(STS_TOKEN), "token leaked: {text}");
        assert!(!text.contains("another-Secr3t"), "secret leaked: {text}");
    }
    assert!(seen[0].contains("***"));
}
