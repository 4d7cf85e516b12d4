//! Black-box tests of `ramguard preflight` against the contract in CLI.md: the predicted 403
//! body (every field, nothing else), the simulate result object on an allow or an indeterminate
//! prediction, the default context, and the usage errors.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails by panicking, helpers included"
)]

use crate::common::output::{code, json_out, show, stderr, stdout};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::{json, Value};

const OPERATOR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/policies/dbs-backup-operator.json"
);
const PROTECT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/policies/control/protect-backup-plans.json"
);
const SESSION: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/policies/session/single-plan-session.json"
);
const ACCOUNT: &str = "1234567890123456";
const INSIDE: &str = "acs:SourceIp=192.0.2.10";
const OUTSIDE: &str = "acs:SourceIp=203.0.113.5";

fn ramguard(dir: &Path, args: &[&str]) -> Output {
    crate::common::ramguard()
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run ramguard")
}

/// `ramguard preflight --region cn-hangzhou --account ACCOUNT` + `args`.
fn preflight(dir: &Path, args: &[&str]) -> Output {
    let mut all = vec!["preflight", "--region", "cn-hangzhou", "--account", ACCOUNT];
    all.extend_from_slice(args);
    ramguard(dir, &all)
}

/// StartBackupPlan on `plan` with the operator policy, plus `extra`.
fn start<'a>(dir: &Path, plan: &'a str, extra: &[&'a str]) -> Output {
    let param = format!("BackupPlanId={plan}");
    let mut a = vec![
        "--api",
        "StartBackupPlan",
        "--param",
        &param,
        "--policy",
        OPERATOR,
    ];
    a.extend_from_slice(extra);
    preflight(dir, &a)
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temp path")
}

/// Checks a predicted 403 body field by field, and that it holds nothing else; returns its
/// RequestId.
fn assert_forbidden_body(
    o: &Output,
    action: &str,
    resource: &str,
    kind: &str,
    layer: &str,
) -> String {
    assert_eq!(code(o), 1, "{}", show(o));
    let v = json_out(o);
    let id = v["RequestId"]
        .as_str()
        .unwrap_or_else(|| panic!("no RequestId: {v}"))
        .to_string();
    let unique = id
        .strip_prefix("ramguard-preflight-")
        .unwrap_or_else(|| panic!("RequestId {id:?}"));
    assert!(
        unique.len() >= 16 && unique.chars().all(|c| c.is_ascii_hexdigit() || c == '-'),
        "{id}"
    );
    assert_eq!(
        v,
        json!({
            "HttpStatusCode": 403,
            "RequestId": id,
            "ErrCode": "Request.Forbidden",
            "ErrMessage": "Have no Permissions",
            "Success": false,
            "AccessDeniedDetail": {
                "AuthAction": action,
                "AuthResource": resource,
                "NoPermissionType": kind,
                "PolicyType": layer
            }
        }),
        "{}",
        show(o)
    );
    // The API's own field order (CLI.md).
    let text = stdout(o);
    let order = [
        "HttpStatusCode",
        "RequestId",
        "ErrCode",
        "ErrMessage",
        "Success",
        "AccessDeniedDetail",
        "AuthAction",
        "AuthResource",
        "NoPermissionType",
        "PolicyType",
    ];
    let at: Vec<usize> = order
        .iter()
        .map(|k| text.find(&format!("\"{k}\"")).unwrap())
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "field order: {text}");
    id
}

fn plan_arn(plan: &str) -> String {
    format!("acs:dbs:cn-hangzhou:{ACCOUNT}:backupplan/{plan}")
}

#[test]
fn an_unlisted_plan_prints_exactly_the_predicted_403_body() {
    let dir = tempfile::tempdir().unwrap();
    let first = start(dir.path(), "dbsunlisted01", &["--context", INSIDE]);
    let id1 = assert_forbidden_body(
        &first,
        "dbs:StartBackupPlan",
        &plan_arn("dbsunlisted01"),
        "ImplicitDeny",
        "AccountLevelIdentityBasedPolicy",
    );
    // The same without a source IP: the resource alone decides, so it is still certain.
    let second = start(dir.path(), "dbsunlisted01", &[]);
    let id2 = assert_forbidden_body(
        &second,
        "dbs:StartBackupPlan",
        &plan_arn("dbsunlisted01"),
        "ImplicitDeny",
        "AccountLevelIdentityBasedPolicy",
    );
    assert_ne!(id1, id2, "every predicted body has its own RequestId");
}

#[test]
fn the_listed_plan_from_inside_the_range_is_allowed_with_the_simulate_object() {
    let dir = tempfile::tempdir().unwrap();
    let o = start(dir.path(), "dbsqdss5tmh1", &["--context", INSIDE]);
    assert_eq!(code(&o), 0, "{}", show(&o));
    let v = json_out(&o);
    assert_eq!(
        v,
        json!({
            "decision": "Allow",
            "layer": "AccountLevelIdentityBasedPolicy",
            "possible": ["Allow"],
            "depends_on": [],
            "matched": [{"file": OPERATOR, "statement": 0, "sid": "RunListedBackupPlans",
                         "effect": "Allow", "line": 4, "column": 5,
                         "layer": "AccountLevelIdentityBasedPolicy"}],
            "errors": [],
            "warnings": [],
            "notes": [],
            "forbidden": false
        })
    );
    // The same object `simulate` prints for the request the preflight builds.
    let sim = ramguard(
        dir.path(),
        &[
            "simulate",
            "--policy",
            OPERATOR,
            "--action",
            "dbs:StartBackupPlan",
            "--resource",
            &plan_arn("dbsqdss5tmh1"),
            "--context",
            INSIDE,
            "--context",
            "acs:SecureTransport=true",
            "--format",
            "json",
        ],
    );
    assert_eq!(json_out(&sim), v);

    // The second listed plan, the other range; the API name in any case, with `dbs:`.
    let o = preflight(
        dir.path(),
        &[
            "--api",
            "dbs:startbackupplan",
            "--param",
            "BackupPlanId=dbsqdss5tmh2",
            "--policy",
            OPERATOR,
            "--context",
            "acs:SourceIp=198.51.100.200",
        ],
    );
    assert_eq!(code(&o), 0, "{}", show(&o));
}

#[test]
fn without_the_source_ip_the_prediction_is_indeterminate() {
    let dir = tempfile::tempdir().unwrap();
    let o = start(dir.path(), "dbsqdss5tmh1", &[]);
    assert_eq!(code(&o), 3, "{}", show(&o));
    let v = json_out(&o);
    assert_eq!(v["decision"], "Indeterminate");
    assert_eq!(v["layer"], Value::Null);
    assert_eq!(v["possible"], json!(["Allow", "ImplicitDeny"]));
    assert_eq!(v["depends_on"], json!(["acs:SourceIp"]));
    assert_eq!(v["forbidden"], Value::Null);
    assert!(v.get("HttpStatusCode").is_none(), "not a 403 body: {v}");

    // From outside the ranges: a certain denial.
    let o = start(dir.path(), "dbsqdss5tmh1", &["--context", OUTSIDE]);
    assert_forbidden_body(
        &o,
        "dbs:StartBackupPlan",
        &plan_arn("dbsqdss5tmh1"),
        "ImplicitDeny",
        "AccountLevelIdentityBasedPolicy",
    );
}

#[test]
fn explicit_denies_name_the_deciding_layer() {
    let dir = tempfile::tempdir().unwrap();
    // A Deny statement in an identity policy.
    let deny = write(
        dir.path(),
        "deny.json",
        r#"{"Version": "1", "Statement": [{"Sid": "NoStart", "Effect": "Deny",
            "Action": "dbs:StartBackupPlan", "Resource": "*"}]}"#,
    );
    let o = start(
        dir.path(),
        "dbsqdss5tmh1",
        &["--policy", s(&deny), "--context", INSIDE],
    );
    assert_forbidden_body(
        &o,
        "dbs:StartBackupPlan",
        &plan_arn("dbsqdss5tmh1"),
        "ExplicitDeny",
        "AccountLevelIdentityBasedPolicy",
    );

    // A control policy: FullAliyunAccess plus the shipped deny list.
    let full = write(
        dir.path(),
        "full-access.json",
        r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#,
    );
    let admin = write(
        dir.path(),
        "admin.json",
        r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "dbs:*", "Resource": "*"}]}"#,
    );
    let release = |extra: &[&str]| {
        let mut a = vec![
            "--api",
            "ReleaseBackupPlan",
            "--param",
            "BackupPlanId=dbsqdss5tmh1",
            "--policy",
            s(&admin),
            "--control-policy",
            s(&full),
            "--control-policy",
            PROTECT,
            "--context",
            INSIDE,
        ];
        a.extend_from_slice(extra);
        preflight(dir.path(), &a)
    };
    let o = release(&[]);
    assert_forbidden_body(
        &o,
        "dbs:ReleaseBackupPlan",
        &plan_arn("dbsqdss5tmh1"),
        "ExplicitDeny",
        "ControlPolicy",
    );
    // The backup admin role is exempt: the identity policy decides.
    let o = release(&[
        "--context",
        "acs:PrincipalARN=acs:ram::1234567890123456:role/dbs-backup-admin",
    ]);
    assert_eq!(code(&o), 0, "{}", show(&o));
    // Only the deciding layer's statements (rev 2): the identity grant, not the control bound.
    assert_eq!(json_out(&o)["matched"].as_array().unwrap().len(), 1);

    // A control policy that allows nothing for the action: ImplicitDeny at the control layer.
    let o = start(
        dir.path(),
        "dbsqdss5tmh1",
        &["--control-policy", PROTECT, "--context", INSIDE],
    );
    assert_forbidden_body(
        &o,
        "dbs:StartBackupPlan",
        &plan_arn("dbsqdss5tmh1"),
        "ImplicitDeny",
        "ControlPolicy",
    );

    // A session policy that names only plan 1.
    let o = start(
        dir.path(),
        "dbsqdss5tmh2",
        &["--session-policy", SESSION, "--context", INSIDE],
    );
    assert_forbidden_body(
        &o,
        "dbs:StartBackupPlan",
        &plan_arn("dbsqdss5tmh2"),
        "ImplicitDeny",
        "SessionPolicy",
    );
    let o = start(
        dir.path(),
        "dbsqdss5tmh1",
        &["--session-policy", SESSION, "--context", INSIDE],
    );
    assert_eq!(code(&o), 0, "{}", show(&o));
}

#[test]
fn a_misspelt_api_is_a_usage_error_with_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let o = preflight(
        dir.path(),
        &[
            "--api",
            "StartBackupPlna",
            "--param",
            "BackupPlanId=dbsqdss5tmh1",
            "--policy",
            OPERATOR,
        ],
    );
    assert_eq!(code(&o), 2, "{}", show(&o));
    assert_eq!(stdout(&o), "");
    assert!(
        stderr(&o).contains("did you mean `StartBackupPlan`"),
        "{}",
        show(&o)
    );
    assert!(stderr(&o).contains("`StartBackupPlna`"), "{}", show(&o));

    // Something not close to any operation: no suggestion, still exit 2.
    let o = preflight(dir.path(), &["--api", "Zzzzzzzz", "--policy", OPERATOR]);
    assert_eq!(code(&o), 2, "{}", show(&o));
    assert!(!stderr(&o).contains("did you mean"), "{}", show(&o));
}

#[test]
fn an_unknown_parameter_is_a_warning_with_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let o = preflight(
        dir.path(),
        &[
            "--api",
            "StartBackupPlan",
            "--param",
            "BackupPlnId=dbsqdss5tmh1",
            "--policy",
            OPERATOR,
        ],
    );
    // CLI.md rev 2: a warning, and the prediction goes on (the plan ID is then unknown).
    assert_ne!(code(&o), 2, "{}", show(&o));
    let err = stderr(&o);
    assert!(
        err.contains("warning: `StartBackupPlan` has no parameter `BackupPlnId`"),
        "{err}"
    );
    assert!(err.contains("did you mean `BackupPlanId`"), "{err}");

    // Not NAME=VALUE.
    let o = preflight(
        dir.path(),
        &[
            "--api",
            "StartBackupPlan",
            "--param",
            "BackupPlanId",
            "--policy",
            OPERATOR,
        ],
    );
    assert_eq!(code(&o), 2, "{}", show(&o));
}

#[test]
fn a_missing_plan_id_is_an_unknown_part_of_the_resource() {
    let dir = tempfile::tempdir().unwrap();
    let o = preflight(
        dir.path(),
        &[
            "--api",
            "StartBackupPlan",
            "--policy",
            OPERATOR,
            "--context",
            INSIDE,
        ],
    );
    assert_eq!(code(&o), 3, "{}", show(&o));
    assert_eq!(json_out(&o)["depends_on"], json!(["BackupPlanId"]));
    assert!(
        stderr(&o).contains("required parameter `BackupPlanId`"),
        "{}",
        show(&o)
    );
}

#[test]
fn an_all_resources_operation_renders_resource_star() {
    let dir = tempfile::tempdir().unwrap();
    let regions = |extra: &[&str]| {
        let mut a = vec!["--api", "DescribeRegions", "--policy", OPERATOR];
        a.extend_from_slice(extra);
        preflight(dir.path(), &a)
    };
    // Allowed over HTTPS (the default), whatever the source IP.
    let o = regions(&[]);
    assert_eq!(code(&o), 0, "{}", show(&o));
    assert_eq!(json_out(&o)["matched"][0]["sid"], "ReadBackupMetadata");
    // Denied over plain HTTP: the body names `*`.
    let o = regions(&["--context", "acs:SecureTransport=false"]);
    assert_forbidden_body(
        &o,
        "dbs:DescribeRegions",
        "*",
        "ImplicitDeny",
        "AccountLevelIdentityBasedPolicy",
    );
}

#[test]
fn secure_transport_false_overrides_the_default_and_denies() {
    let dir = tempfile::tempdir().unwrap();
    for value in ["false", "False"] {
        let ctx = format!("acs:SecureTransport={value}");
        let o = start(
            dir.path(),
            "dbsqdss5tmh1",
            &["--context", INSIDE, "--context", &ctx],
        );
        assert_forbidden_body(
            &o,
            "dbs:StartBackupPlan",
            &plan_arn("dbsqdss5tmh1"),
            "ImplicitDeny",
            "AccountLevelIdentityBasedPolicy",
        );
    }
    // The key in another case still replaces the default rather than adding a second value.
    let o = start(
        dir.path(),
        "dbsqdss5tmh1",
        &[
            "--context",
            INSIDE,
            "--context",
            "ACS:securetransport=false",
        ],
    );
    assert_eq!(code(&o), 1, "{}", show(&o));
    // Marked unknown: the prediction depends on it.
    let o = start(
        dir.path(),
        "dbsqdss5tmh1",
        &["--context", INSIDE, "--unknown", "acs:SecureTransport"],
    );
    assert_eq!(code(&o), 3, "{}", show(&o));
    assert_eq!(json_out(&o)["depends_on"], json!(["acs:SecureTransport"]));
}

#[test]
fn repeated_context_values_for_a_default_key_are_all_kept() {
    let dir = tempfile::tempdir().unwrap();
    // A multi-valued source IP: the IpAddress condition holds when any value is in a range,
    // whatever the order the values were given in.
    for ctx in [[INSIDE, OUTSIDE], [OUTSIDE, INSIDE]] {
        let o = start(
            dir.path(),
            "dbsqdss5tmh1",
            &["--context", ctx[0], "--context", ctx[1]],
        );
        assert_eq!(code(&o), 0, "{ctx:?}: {}", show(&o));
    }
    // A value and an unknown for the same key contradict each other.
    let o = start(
        dir.path(),
        "dbsqdss5tmh1",
        &["--context", INSIDE, "--unknown", "acs:SourceIp"],
    );
    assert_eq!(code(&o), 2, "{}", show(&o));
    let o = start(
        dir.path(),
        "dbsqdss5tmh1",
        &["--unknown", "acs:SourceIp", "--context", INSIDE],
    );
    assert_eq!(code(&o), 2, "{}", show(&o));
}

#[test]
fn the_current_time_is_in_the_default_context() {
    let dir = tempfile::tempdir().unwrap();
    let timed = write(
        dir.path(),
        "timed.json",
        r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "dbs:DescribeRegions",
            "Resource": "*", "Condition": {
              "DateGreaterThan": {"acs:CurrentTime": "2020-01-01T00:00:00Z"},
              "DateLessThan": {"acs:CurrentTime": "2200-01-01T00:00:00Z"}}}]}"#,
    );
    let run = |extra: &[&str]| {
        let mut a = vec!["--api", "DescribeRegions", "--policy", s(&timed)];
        a.extend_from_slice(extra);
        preflight(dir.path(), &a)
    };
    let o = run(&[]);
    assert_eq!(code(&o), 0, "now is between 2020 and 2200: {}", show(&o));
    let o = run(&["--context", "acs:CurrentTime=2019-06-01T00:00:00Z"]);
    assert_eq!(code(&o), 1, "an explicit time replaces now: {}", show(&o));
    let o = run(&["--unknown", "acs:CurrentTime"]);
    assert_eq!(code(&o), 3, "{}", show(&o));
    assert_eq!(json_out(&o)["depends_on"], json!(["acs:CurrentTime"]));
}

#[test]
fn human_format_prints_the_explanation_alone() {
    let dir = tempfile::tempdir().unwrap();
    let o = start(
        dir.path(),
        "dbsqdss5tmh1",
        &["--context", OUTSIDE, "--format", "human"],
    );
    assert_eq!(code(&o), 1, "{}", show(&o));
    let text = stdout(&o);
    for needle in [
        "dbs:StartBackupPlan",
        "ImplicitDeny",
        "condition failed: IpAddress acs:SourceIp",
        "got 203.0.113.5",
    ] {
        assert!(text.contains(needle), "missing {needle:?}:\n{text}");
    }
    assert!(!text.contains("ErrCode"), "the JSON body too:\n{text}");
}

#[test]
fn policies_are_required_and_must_load() {
    let dir = tempfile::tempdir().unwrap();
    // No policy at all: a usage error, not a prediction that everything is denied.
    let o = preflight(
        dir.path(),
        &[
            "--api",
            "StartBackupPlan",
            "--param",
            "BackupPlanId=dbsqdss5tmh1",
        ],
    );
    assert_eq!(code(&o), 2, "{}", show(&o));
    assert_eq!(stdout(&o), "");
    assert!(stderr(&o).contains("--policy"), "{}", show(&o));

    let dup = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/policies/invalid/RG004-duplicate-key.json"
    );
    for flag in ["--policy", "--control-policy"] {
        let o = start(
            dir.path(),
            "dbsqdss5tmh1",
            &[flag, dup, "--context", INSIDE],
        );
        assert_eq!(code(&o), 2, "{flag}: {}", show(&o));
        assert_eq!(stdout(&o), "", "{flag}");
        assert!(stderr(&o).contains(dup), "{flag}: {}", show(&o));
    }
    let o = start(dir.path(), "dbsqdss5tmh1", &["--policy", "missing.json"]);
    assert_eq!(code(&o), 2, "{}", show(&o));
    assert!(stderr(&o).contains("missing.json"), "{}", show(&o));
}

#[test]
fn request_ids_differ_across_many_runs() {
    let dir = tempfile::tempdir().unwrap();
    let ids: BTreeSet<String> = (0..5)
        .map(|_| {
            let o = start(dir.path(), "dbsunlisted02", &[]);
            assert_eq!(code(&o), 1, "{}", show(&o));
            json_out(&o)["RequestId"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(ids.len(), 5, "{ids:?}");
}
