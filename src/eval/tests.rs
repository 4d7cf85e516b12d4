//! Unit tests of the evaluator over policies built in memory.

use super::*;
use crate::policy::PolicyKind;
use serde_json::json;

/// Loads a policy document given as a JSON value.
pub(super) fn load(set: &mut PolicySet, kind: PolicyKind, name: &str, doc: serde_json::Value) {
    let text = serde_json::to_string_pretty(&doc).unwrap();
    if let Err(e) = set.add_text(kind, name, &text) {
        panic!("{name}: {e}");
    }
}

fn identity(docs: &[serde_json::Value]) -> PolicySet {
    let mut set = PolicySet::new();
    for (i, d) in docs.iter().enumerate() {
        load(
            &mut set,
            PolicyKind::Identity,
            &format!("p{i}.json"),
            d.clone(),
        );
    }
    set
}

fn req(action: &str, resource: &str) -> RequestBuilder {
    Request::builder(action, resource)
}

fn decide(set: &PolicySet, r: RequestBuilder) -> Response {
    let r = r.build().unwrap();
    let (traced, _) = set.evaluate_traced(&r);
    let fast = set.evaluate(&r);
    assert_eq!(fast, traced, "traced and fast evaluation differ");
    fast
}

fn allow(action: serde_json::Value, resource: serde_json::Value) -> serde_json::Value {
    json!({"Version": "1", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]})
}

#[test]
fn least_privilege_backup_plan() {
    let set = identity(&[allow(
        json!("dbs:StartBackupPlan"),
        json!("acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsqdss5tmh1"),
    )]);
    let r = decide(
        &set,
        req(
            "dbs:startbackupplan",
            "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsqdss5tmh1",
        ),
    );
    assert_eq!(r.decision, Decision::Allow);
    assert_eq!(r.layer, Some(Layer::AccountLevelIdentityBasedPolicy));
    assert_eq!(r.forbidden, Some(false));
    assert_eq!(r.matched.len(), 1);
    let r = decide(
        &set,
        req(
            "dbs:StartBackupPlan",
            "acs:dbs:cn-hangzhou:1234567890123456:backupplan/DBSQDSS5TMH1",
        ),
    );
    assert_eq!(r.decision, Decision::ImplicitDeny);
    assert!(r.matched.is_empty());
    assert_eq!(r.forbidden, Some(true));
}

#[test]
fn unknown_key_gives_indeterminate_unless_denied() {
    let cond = json!({"Version": "1", "Statement": [{"Effect": "Allow", "Action": "dbs:*", "Resource": "*",
        "Condition": {"IpAddress": {"acs:SourceIp": "192.0.2.0/24"}}}]});
    let set = identity(std::slice::from_ref(&cond));
    let r = decide(
        &set,
        req("dbs:StartBackupPlan", "*").unknown("acs:SourceIP"),
    );
    assert_eq!(r.decision, Decision::Indeterminate);
    assert_eq!(r.possible, vec![Decision::Allow, Decision::ImplicitDeny]);
    assert_eq!(r.depends_on, vec!["acs:SourceIP".to_string()]);
    assert_eq!(r.layer, None);
    assert_eq!(r.forbidden, None);

    let deny =
        json!({"Version": "1", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]});
    let set = identity(&[cond, deny]);
    let r = decide(
        &set,
        req("dbs:StartBackupPlan", "*").unknown("acs:SourceIp"),
    );
    assert_eq!(r.decision, Decision::ExplicitDeny);
    assert!(r.depends_on.is_empty());
    assert_eq!(r.matched.len(), 1);
    assert_eq!(r.matched[0].file, "p1.json");
}

#[test]
fn bad_request_value_is_an_error_and_unknown() {
    let set = identity(&[
        json!({"Version": "1", "Statement": [{"Effect": "Allow", "Action": "dbs:*", "Resource": "*",
        "Condition": {"IpAddress": {"acs:SourceIp": "192.0.2.0/24"}}}]}),
    ]);
    let r = decide(&set, req("dbs:X", "*").context("acs:sourceip", "not-an-ip"));
    assert_eq!(r.decision, Decision::Indeterminate);
    assert_eq!(r.errors.len(), 1);
    assert!(r.errors[0].message.contains("not-an-ip"), "{:?}", r.errors);
    assert!(r.depends_on.is_empty());
}

#[test]
fn partial_resources() {
    let set = identity(&[allow(json!("dbs:*"), json!("acs:dbs:*:*:backupplan/*"))]);
    let r = decide(
        &set,
        req(
            "dbs:StartBackupPlan",
            "acs:dbs:cn-hangzhou:{#accountId}:backupplan/{#BackupPlanId}",
        ),
    );
    assert_eq!(r.decision, Decision::Allow);
    let set = identity(&[allow(json!("dbs:*"), json!("acs:dbs:*:*:backupplan/dbs1"))]);
    let r = decide(
        &set,
        req(
            "dbs:StartBackupPlan",
            "acs:dbs:cn-hangzhou:1:backupplan/{#BackupPlanId}",
        ),
    );
    assert_eq!(r.decision, Decision::Indeterminate);
    assert_eq!(r.depends_on, vec!["BackupPlanId".to_string()]);
    let set = identity(&[allow(json!("dbs:*"), json!("acs:rds:*:*:*"))]);
    let r = decide(
        &set,
        req(
            "dbs:StartBackupPlan",
            "acs:dbs:cn-hangzhou:{#accountId}:backupplan/x",
        ),
    );
    assert_eq!(r.decision, Decision::ImplicitDeny);
}

#[test]
fn layers_in_order() {
    let mut set = identity(&[allow(json!("dbs:*"), json!("*"))]);
    load(
        &mut set,
        PolicyKind::Control,
        "scp.json",
        allow(json!("ecs:*"), json!("*")),
    );
    let r = decide(&set, req("dbs:StartBackupPlan", "*"));
    assert_eq!(r.decision, Decision::ImplicitDeny);
    assert_eq!(r.layer, Some(Layer::ControlPolicy));
    load(
        &mut set,
        PolicyKind::Control,
        "full.json",
        allow(json!("*"), json!("*")),
    );
    let r = decide(&set, req("dbs:StartBackupPlan", "*"));
    assert_eq!(r.decision, Decision::Allow);
    // only the deciding layer's statements: the identity grant, not the control bound
    let files: Vec<&str> = r.matched.iter().map(|m| m.file.as_str()).collect();
    assert_eq!(files, vec!["p0.json"]);
    assert!(r
        .matched
        .iter()
        .all(|m| m.layer == Layer::AccountLevelIdentityBasedPolicy));
    load(
        &mut set,
        PolicyKind::Session,
        "session.json",
        allow(json!("dbs:Describe*"), json!("*")),
    );
    let r = decide(&set, req("dbs:StartBackupPlan", "*"));
    assert_eq!(r.decision, Decision::ImplicitDeny);
    assert_eq!(r.layer, Some(Layer::SessionPolicy));
    let mut again = set.clone();
    let e = again.add_text(
        PolicyKind::Session,
        "s2.json",
        r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    );
    assert!(matches!(e, Err(LoadError::Duplicate { .. })));
}

#[test]
fn trust_policies() {
    let mut set = identity(&[allow(json!("sts:AssumeRole"), json!("*"))]);
    load(
        &mut set,
        PolicyKind::Trust,
        "trust.json",
        json!({"Version": "1", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
            "Principal": {"RAM": ["acs:ram::1234567890123456:root"], "Service": ["ecs.aliyuncs.com"]}}]}),
    );
    let role = "acs:ram::1234567890123456:role/admin";
    let d = |p: Option<&str>| {
        let mut b = req("sts:AssumeRole", role);
        if let Some(p) = p {
            b = b.principal(p);
        }
        decide(&set, b)
    };
    assert_eq!(
        d(Some("acs:ram::1234567890123456:user/alice")).decision,
        Decision::Allow
    );
    assert_eq!(
        d(Some("acs:ram::1234567890123456:assumed-role/r/s")).decision,
        Decision::Allow
    );
    assert_eq!(d(Some("ECS.aliyuncs.com")).decision, Decision::Allow);
    let other = d(Some("acs:ram::9999:user/alice"));
    assert_eq!(other.decision, Decision::ImplicitDeny);
    assert_eq!(other.layer, Some(Layer::ResourceBasedPolicy));
    let none = d(None);
    assert_eq!(none.decision, Decision::Indeterminate);
    assert_eq!(none.depends_on, vec![PRINCIPAL_UNKNOWN.to_string()]);
    // Other actions ignore the trust policy.
    assert_eq!(
        decide(&set, req("dbs:X", "*")).decision,
        Decision::ImplicitDeny
    );
}

#[test]
fn explanation_reads_well() {
    let set = identity(&[json!({"Version": "1", "Statement": [
        {"Sid": "Plan", "Effect": "Allow", "Action": "dbs:StartBackupPlan", "Resource": "acs:dbs:*:*:backupplan/dbs1"},
        {"Effect": "Allow", "Action": "dbs:*", "Resource": "*", "Condition": {"IpAddress": {"acs:SourceIp": ["192.0.2.0/24"]}}},
        {"Effect": "Allow", "Action": "ecs:*", "Resource": "*"}
    ]})]);
    let r = Request::builder(
        "dbs:StartBackupPlan",
        "acs:dbs:cn-hangzhou:1:backupplan/dbs2",
    )
    .context("acs:SourceIp", "203.0.113.9")
    .build()
    .unwrap();
    let (resp, trace) = set.evaluate_traced(&r);
    let text = explain(&resp, &trace);
    assert!(
        text.starts_with(
            "ImplicitDeny (AccountLevelIdentityBasedPolicy): no Allow statement matched."
        ),
        "{text}"
    );
    assert!(
        text.contains("p0.json statement 0 (Sid Plan, line"),
        "{text}"
    );
    assert!(
        text.contains("resource did not match `acs:dbs:*:*:backupplan/dbs1`"),
        "{text}"
    );
    assert!(
        text.contains("IpAddress acs:SourceIp: expected one of [192.0.2.0/24], got 203.0.113.9"),
        "{text}"
    );
    assert!(text.contains("1 other statement does not apply"), "{text}");
}

#[test]
fn response_serialises_in_cli_field_order() {
    let set = identity(&[allow(json!("dbs:*"), json!("*"))]);
    let r = decide(&set, req("dbs:X", "*"));
    let s = r.to_json();
    let order = [
        "decision",
        "layer",
        "possible",
        "depends_on",
        "matched",
        "errors",
        "notes",
        "forbidden",
    ];
    let mut last = 0;
    for k in order {
        let at = s.find(&format!("\"{k}\"")).unwrap();
        assert!(at >= last, "{s}");
        last = at;
    }
    assert!(s.contains(r#""matched":[{"file":"p0.json","statement":0,"sid":null,"effect":"Allow","line":3,"column":5,"layer":"AccountLevelIdentityBasedPolicy"}]"#), "{s}");
}

#[test]
fn duplicate_keys_are_refused() {
    let mut set = PolicySet::new();
    let e = set.add_text(
        PolicyKind::Identity,
        "dup.json",
        r#"{"Version": "1", "Statement": [{"Effect": "Deny", "Effect": "Allow", "Action": "*", "Resource": "*"}]}"#,
    );
    match e {
        Err(err @ LoadError::Invalid(_)) => {
            assert!(err.errors().any(|d| d.rule.name == "duplicate-key"));
            assert!(err.to_string().contains("dup.json"), "{err}");
        }
        other => panic!("{other:?}"),
    }
    // Nothing was loaded.
    assert_eq!(set.statement_counts(), [0, 0, 0, 0]);
}

#[test]
fn explanations_of_every_decision() {
    let mut set = identity(&[json!({"Version": "1", "Statement": [
        {"Sid": "Ops", "Effect": "Allow", "Action": "dbs:*", "Resource": "*",
         "Condition": {"IpAddress": {"acs:SourceIp": "192.0.2.0/24"}}},
        {"Sid": "NoRelease", "Effect": "Deny", "Action": "dbs:ReleaseBackupPlan", "Resource": "*"}
    ]})]);
    load(
        &mut set,
        PolicyKind::Control,
        "scp.json",
        allow(json!("*"), json!("*")),
    );
    let show = |b: RequestBuilder| {
        let (r, t) = set.evaluate_traced(&b.build().unwrap());
        explain(&r, &t)
    };
    let text = show(req("dbs:StartBackupPlan", "*").context("acs:SourceIp", "192.0.2.1"));
    assert!(
        text.starts_with(
            "Allow (AccountLevelIdentityBasedPolicy): allowed by p0.json statement 0 (Sid Ops)\n"
        ),
        "{text}"
    );
    let text = show(req("dbs:ReleaseBackupPlan", "*").context("acs:SourceIp", "192.0.2.1"));
    assert!(text.starts_with("ExplicitDeny (AccountLevelIdentityBasedPolicy): denied by p0.json statement 1 (Sid NoRelease)"), "{text}");
    let text = show(req("dbs:StartBackupPlan", "*").unknown("acs:SourceIp"));
    assert!(
        text.starts_with("Indeterminate: Allow or ImplicitDeny depending on acs:SourceIp"),
        "{text}"
    );
    assert!(text.contains("condition unknown: IpAddress acs:SourceIp: expected one of [192.0.2.0/24], got an unknown value"), "{text}");
    let text = show(req("dbs:StartBackupPlan", "*").context("acs:SourceIp", "bad"));
    assert!(text.contains("error: condition `IpAddress` on `acs:SourceIp`: request value `bad` is not an IPv4 or IPv6 address"), "{text}");
}

/// A control deny list alone allows nothing: the explanation points at FullAliyunAccess, and
/// says nothing of it when an Allow is there. The account's root is not bound at all.
#[test]
fn explanation_of_control_policies() {
    let deny_list = json!({"Version": "1", "Statement": [
        {"Effect": "Deny", "Action": "dbs:ReleaseBackupPlan", "Resource": "*"}]});
    let full = allow(json!("*"), json!("*"));
    let run = |control: &[&serde_json::Value], principal: Option<&str>| {
        let mut set = identity(&[allow(json!("dbs:*"), json!("*"))]);
        for (i, c) in control.iter().enumerate() {
            load(
                &mut set,
                PolicyKind::Control,
                &format!("c{i}.json"),
                (*c).clone(),
            );
        }
        let mut b = req("dbs:StartBackupPlan", "*");
        if let Some(p) = principal {
            b = b.principal(p);
        }
        let r = b.build().unwrap();
        let (resp, trace) = set.evaluate_traced(&r);
        (resp.decision, explain(&resp, &trace))
    };
    let (d, text) = run(&[&deny_list], None);
    assert_eq!(d, Decision::ImplicitDeny);
    assert!(text.contains("FullAliyunAccess"), "{text}");
    let (d, text) = run(&[&deny_list, &full], None);
    assert_eq!(d, Decision::Allow);
    assert!(!text.contains("FullAliyunAccess"), "{text}");
    let (d, text) = run(&[&deny_list], Some("acs:ram::1234567890123456:root"));
    assert_eq!(d, Decision::Allow);
    assert!(text.contains("control policies: not applied"), "{text}");
    assert!(!text.contains("FullAliyunAccess"), "{text}");
}
