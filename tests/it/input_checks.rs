//! Input is checked before it is judged (CLI.md rev 2), and preflight predicts only what it can
//! know: black-box tests of `simulate`, `preflight` and `call` on wrong or unusual input.

use std::path::Path;
use std::process::Output;

use crate::common::fake_dbs::{json, FakeDbs, AK_ID, SECRET};
use crate::common::output::{code, json_out, show, stderr, stdout};

const OPERATOR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/policies/dbs-backup-operator.json"
);
const ALL_DBS: &str = r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "dbs:*",
    "Resource": "acs:dbs:*:*:*"}]}"#;
const PLAN: &str = "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsqdss5tmh1";

fn run(dir: &Path, args: &[&str]) -> Output {
    crate::common::ramguard()
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("HOME", dir)
        .env("ALIBABA_CLOUD_ACCESS_KEY_ID", AK_ID)
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET)
        .output()
        .expect("run ramguard")
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn simulate_without_any_policy_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(
        dir.path(),
        &[
            "simulate",
            "--action",
            "dbs:StartBackupPlan",
            "--resource",
            PLAN,
        ],
    );
    assert_eq!(code(&o), 2, "{}", show(&o));
    assert_eq!(stdout(&o), "");
    assert!(
        stderr(&o).contains("give at least one policy"),
        "{}",
        show(&o)
    );
}

#[test]
fn a_malformed_action_or_resource_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    for (action, resource, needle) in [
        ("StartBackupPlan", PLAN, "invalid action `StartBackupPlan`"),
        (
            "dbs:StartBackupPlan",
            "backupplan/dbsqdss5tmh1",
            "invalid resource",
        ),
        (
            "dbs:StartBackupPlan",
            "arn:aws:s3:::bucket",
            "invalid resource",
        ),
    ] {
        let args = [
            "simulate",
            "--policy",
            OPERATOR,
            "--action",
            action,
            "--resource",
            resource,
        ];
        let o = run(dir.path(), &args);
        assert_eq!(code(&o), 2, "{action} {resource}: {}", show(&o));
        assert!(stderr(&o).contains(needle), "{}", show(&o));
    }
    // A batch line that is malformed gets an error object, the run exit 2.
    let lines = write(
        dir.path(),
        "r.jsonl",
        &format!("{{\"action\":\"dbs\",\"resource\":\"{PLAN}\"}}\n"),
    );
    let o = run(
        dir.path(),
        &[
            "simulate",
            "--policy",
            OPERATOR,
            "--requests",
            &lines,
            "--format",
            "json",
        ],
    );
    assert_eq!(code(&o), 2, "{}", show(&o));
    assert!(stdout(&o).contains("invalid action `dbs`"), "{}", show(&o));
}

#[test]
fn unknown_actions_and_keys_are_warnings_and_the_evaluation_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "simulate",
        "--policy",
        OPERATOR,
        "--action",
        "dbs:StartBackupPlna",
        "--resource",
        PLAN,
        "--context",
        "acs:SoureIp=192.0.2.10",
        "--format",
        "json",
    ];
    let o = run(dir.path(), &args);
    assert_eq!(code(&o), 1, "{}", show(&o));
    let err = stderr(&o);
    assert!(
        err.contains("warning: unknown action `dbs:StartBackupPlna`"),
        "{err}"
    );
    assert!(err.contains("did you mean `dbs:StartBackupPlan`?"), "{err}");
    assert!(
        err.contains("warning: unknown context key `acs:SoureIp`"),
        "{err}"
    );
    assert!(err.contains("did you mean `acs:SourceIp`?"), "{err}");
    let v = json_out(&o);
    let warnings = v["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 2, "{v}");
    assert_eq!(warnings[0]["input"], "dbs:StartBackupPlna");
    assert_eq!(warnings[0]["suggestion"], "dbs:StartBackupPlan");
    assert_eq!(warnings[1]["suggestion"], "acs:SourceIp");
}

#[test]
fn the_principal_satisfies_a_principal_arn_condition() {
    let dir = tempfile::tempdir().unwrap();
    let policy = write(
        dir.path(),
        "p.json",
        r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "dbs:StartBackupPlan",
            "Resource": "*", "Condition": {"StringEquals":
            {"acs:PrincipalARN": "acs:ram::1234567890123456:user/alice"}}}]}"#,
    );
    let base = [
        "simulate",
        "--policy",
        &policy,
        "--action",
        "dbs:StartBackupPlan",
        "--resource",
        PLAN,
    ];
    let o = run(dir.path(), &base);
    assert_eq!(code(&o), 1, "without a principal: {}", show(&o));
    let mut args = base.to_vec();
    args.extend(["--principal", "acs:ram::1234567890123456:user/alice"]);
    let o = run(dir.path(), &args);
    assert_eq!(code(&o), 0, "{}", show(&o));
    // An explicit context value wins.
    args.extend([
        "--context",
        "acs:PrincipalARN=acs:ram::1234567890123456:user/bob",
    ]);
    let o = run(dir.path(), &args);
    assert_eq!(code(&o), 1, "{}", show(&o));
}

#[test]
fn a_trust_policy_given_as_policy_gets_advice() {
    let dir = tempfile::tempdir().unwrap();
    let trust = write(
        dir.path(),
        "trust.json",
        r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
            "Principal": {"Service": ["ecs.aliyuncs.com"]}}]}"#,
    );
    let args = [
        "simulate",
        "--policy",
        &trust,
        "--action",
        "sts:AssumeRole",
        "--resource",
        "*",
    ];
    let o = run(dir.path(), &args);
    // Revision 2: its statements take part as unknown, so the answer is not certain.
    assert_eq!(code(&o), 3, "{}", show(&o));
    assert!(
        stderr(&o).contains("pass it with --trust-policy FILE"),
        "{}",
        show(&o)
    );
}

fn preflight(dir: &Path, region: &str, account: &str, extra: &[&str]) -> Output {
    let mut args = vec!["preflight", "--region", region, "--account", account];
    args.extend_from_slice(extra);
    run(dir, &args)
}

#[test]
fn preflight_checks_region_and_account_before_predicting() {
    let dir = tempfile::tempdir().unwrap();
    let start = [
        "--api",
        "StartBackupPlan",
        "--param",
        "BackupPlanId=dbsqdss5tmh1",
        "--policy",
        OPERATOR,
    ];
    let o = preflight(dir.path(), "cn-hangzou", "1234567890123456", &start);
    assert_eq!(code(&o), 2, "{}", show(&o));
    assert_eq!(stdout(&o), "");
    assert!(
        stderr(&o).contains("did you mean `cn-hangzhou`?"),
        "{}",
        show(&o)
    );
    let o = preflight(dir.path(), "cn-hangzhou", "12345-67890", &start);
    assert_eq!(code(&o), 2, "{}", show(&o));
    assert!(stderr(&o).contains("must be digits"), "{}", show(&o));
}

#[test]
fn an_unknown_resource_type_with_an_allow_all_dbs_policy_is_indeterminate() {
    let dir = tempfile::tempdir().unwrap();
    let policy = write(dir.path(), "all.json", ALL_DBS);
    let args = [
        "--api",
        "DescribeRestoreRangeInfo",
        "--param",
        "BackupPlanId=x",
        "--policy",
        &policy,
    ];
    let o = preflight(dir.path(), "cn-hangzhou", "1234567890123456", &args);
    assert_eq!(code(&o), 3, "{}", show(&o));
    assert!(!stdout(&o).contains("{#"), "{}", show(&o));
    assert_eq!(json_out(&o)["decision"], "Indeterminate");
}

#[test]
fn call_sends_what_it_predicted_and_lets_an_unknown_resource_type_through() {
    let dir = tempfile::tempdir().unwrap();
    let body = r#"{"HttpStatusCode":200,"RequestId":"R","Success":true}"#;
    let server = FakeDbs::start(vec![json(200, body), json(200, body)]);
    let call = |extra: &[&str]| {
        let mut args = vec![
            "call",
            "--region",
            "cn-hangzhou",
            "--account",
            "1234567890123456",
            "--endpoint",
            &server.url,
            "--timeout",
            "5",
        ];
        args.extend_from_slice(extra);
        run(dir.path(), &args)
    };
    let o = call(&[
        "--api",
        "StartBackupPlan",
        "--param",
        "backupplanid=dbsqdss5tmh1",
        "--param",
        "bogus=1",
        "--policy",
        OPERATOR,
        "--context",
        "acs:SourceIp=192.0.2.10",
    ]);
    assert_eq!(code(&o), 0, "{}", show(&o));
    assert!(
        stderr(&o).contains("has no parameter `bogus`"),
        "{}",
        show(&o)
    );
    let sent = server.accepted();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].param("BackupPlanId").as_deref(),
        Some("dbsqdss5tmh1")
    );
    assert_eq!(sent[0].param("backupplanid"), None);

    let policy = write(dir.path(), "all.json", ALL_DBS);
    let o = call(&[
        "--api",
        "DescribeRestoreRangeInfo",
        "--param",
        "BackupPlanId=x",
        "--policy",
        &policy,
    ]);
    assert_eq!(code(&o), 0, "{}", show(&o));
    assert!(
        stderr(&o).contains("calling, the server decides"),
        "{}",
        show(&o)
    );
    assert_eq!(server.requests(), 2);
}

#[test]
fn each_retry_of_call_is_said_on_stderr_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let ok = r#"{"HttpStatusCode":200,"RequestId":"R","Success":true}"#;
    let busy = r#"{"Code":"ServiceUnavailable","Message":"busy","RequestId":"B"}"#;
    let server = FakeDbs::start(vec![json(503, busy), json(200, ok)]);
    let args = [
        "call",
        "--region",
        "cn-hangzhou",
        "--api",
        "StartBackupPlan",
        "--param",
        "BackupPlanId=dbsqdss5tmh1",
        "--no-preflight",
        "--endpoint",
        &server.url,
        "--timeout",
        "5",
    ];
    let o = run(dir.path(), &args);
    assert_eq!(code(&o), 0, "{}", show(&o));
    let err = stderr(&o);
    assert!(err.contains("(attempt 2 of 4)"), "{err}");
    assert!(err.contains("503"), "{err}");
    assert!(err.contains("retrying in"), "{err}");
    assert_eq!(server.requests(), 2);
}
