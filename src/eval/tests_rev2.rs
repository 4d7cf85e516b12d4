//! Revision 2 of the semantics: set operators, role sessions, external principals, resource-based
//! policies, statements that take part as unknown, notes.

use super::tests::load;
use super::*;
use crate::policy::PolicyKind;
use serde_json::json;

fn run(set: &PolicySet, b: RequestBuilder) -> Response {
    let r = b.build().unwrap();
    let (traced, _) = set.evaluate_traced(&r);
    let fast = set.evaluate(&r);
    assert_eq!(fast, traced, "traced and fast evaluation differ");
    fast
}

/// PowerUserAccess's guard: create roles only when every trusted principal type is `Service`.
#[test]
fn for_all_values_guard() {
    let mut set = PolicySet::new();
    load(
        &mut set,
        PolicyKind::Identity,
        "power.json",
        json!({"Version": "1", "Statement": [{
        "Effect": "Allow", "Action": "ram:CreateRole", "Resource": "*",
        "Condition": {"ForAllValues:StringEquals": {"ram:TrustedPrincipalTypes": "Service"}}}]}),
    );
    let create = |types: &[&str]| {
        let mut b = Request::builder("ram:CreateRole", "acs:ram::1234567890123456:role/x");
        for t in types {
            b = b.context("ram:TrustedPrincipalTypes", *t);
        }
        run(&set, b).decision
    };
    assert_eq!(create(&["Service"]), Decision::Allow);
    assert_eq!(create(&["Service", "Account"]), Decision::ImplicitDeny);
    // Absent key: `ForAllValues:` holds (the AWS reading).
    assert_eq!(create(&[]), Decision::Allow);
    let unknown = run(
        &set,
        Request::builder("ram:CreateRole", "*").unknown("ram:TrustedPrincipalTypes"),
    );
    assert_eq!(unknown.decision, Decision::Indeterminate);
    // The explanation shows the qualified operator.
    let r = Request::builder("ram:CreateRole", "*")
        .context("ram:TrustedPrincipalTypes", "Account")
        .build()
        .unwrap();
    let (resp, trace) = set.evaluate_traced(&r);
    let text = explain(&resp, &trace);
    assert!(
        text.contains("ForAllValues:StringEquals ram:TrustedPrincipalTypes"),
        "{text}"
    );
}

#[test]
fn for_any_value_and_negated_set_operators() {
    let mut set = PolicySet::new();
    load(
        &mut set,
        PolicyKind::Identity,
        "p.json",
        json!({"Version": "1", "Statement": [
        {"Effect": "Allow", "Action": "ecs:TagResources", "Resource": "*",
         "Condition": {"ForAnyValue:StringEquals": {"acs:TagKeys": ["env", "team"]}}},
        {"Effect": "Deny", "Action": "ecs:TagResources", "Resource": "*",
         "Condition": {"ForAnyValue:StringNotLike": {"acs:TagKeys": ["env", "team", "cost-*"]}}}]}),
    );
    let tag = |keys: &[&str]| {
        let mut b = Request::builder("ecs:TagResources", "*");
        for k in keys {
            b = b.context("acs:TagKeys", *k);
        }
        run(&set, b).decision
    };
    assert_eq!(tag(&["env"]), Decision::Allow);
    assert_eq!(tag(&["cost-center"]), Decision::ImplicitDeny);
    assert_eq!(tag(&["env", "secret"]), Decision::ExplicitDeny);
    // Absent: `ForAnyValue:` is false for both statements.
    assert_eq!(tag(&[]), Decision::ImplicitDeny);
}

fn trust_set(trust: serde_json::Value) -> PolicySet {
    let mut set = PolicySet::new();
    load(
        &mut set,
        PolicyKind::Identity,
        "caller.json",
        json!({"Version": "1", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}),
    );
    load(&mut set, PolicyKind::Trust, "trust.json", trust);
    set
}

#[test]
fn role_sessions_match_their_role_and_account() {
    let role = "acs:ram::1234567890123456:role/Deployer";
    let by_role = trust_set(json!({"Version": "1", "Statement": [{"Effect": "Allow",
        "Action": "sts:AssumeRole", "Principal": {"RAM": [role]}}]}));
    let by_account = trust_set(json!({"Version": "1", "Statement": [{"Effect": "Allow",
        "Action": "sts:AssumeRole", "Principal": {"RAM": ["acs:ram::1234567890123456:root"]}}]}));
    let target = "acs:ram::1234567890123456:role/target";
    for caller in [
        "acs:ram::1234567890123456:role/deployer/session-1",
        "acs:sts::1234567890123456:assumed-role/Deployer/session-1",
    ] {
        for set in [&by_role, &by_account] {
            let r = run(
                set,
                Request::builder("sts:AssumeRole", target).principal(caller),
            );
            assert_eq!(r.decision, Decision::Allow, "{caller}");
        }
    }
    let other = run(
        &by_role,
        Request::builder("sts:AssumeRole", target)
            .principal("acs:sts::1234567890123456:assumed-role/other/s"),
    );
    assert_eq!(other.decision, Decision::ImplicitDeny);
    let other_account = run(
        &by_account,
        Request::builder("sts:AssumeRole", target)
            .principal("acs:ram::9999999999999999:role/deployer/s"),
    );
    assert_eq!(other_account.decision, Decision::ImplicitDeny);
}

/// ECS, OIDC and SAML principals have no identity policies: the trust policy alone decides.
#[test]
fn external_principals_need_only_the_trust_policy() {
    let mut set = PolicySet::new();
    // Identity policies that would deny everything a RAM caller does.
    load(
        &mut set,
        PolicyKind::Identity,
        "nothing.json",
        json!({"Version": "1", "Statement": [
        {"Effect": "Deny", "Action": "*", "Resource": "*"}]}),
    );
    load(
        &mut set,
        PolicyKind::Trust,
        "trust.json",
        json!({"Version": "1", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {
            "Service": ["ecs.aliyuncs.com"],
            "Federated": ["acs:ram::1234567890123456:oidc-provider/ack-rrsa",
                          "acs:ram::1234567890123456:saml-provider/okta"]}}]}),
    );
    let role = "acs:ram::1234567890123456:role/app";
    for p in [
        "ecs.aliyuncs.com",
        "acs:ram::1234567890123456:oidc-provider/ack-rrsa",
        "acs:ram::1234567890123456:saml-provider/okta",
    ] {
        let r = run(&set, Request::builder("sts:AssumeRole", role).principal(p));
        assert_eq!(r.decision, Decision::Allow, "{p}");
        assert_eq!(r.layer, Some(Layer::ResourceBasedPolicy), "{p}");
        assert_eq!(r.matched.len(), 1);
        assert_eq!(r.matched[0].file, "trust.json");
    }
    let request = Request::builder("sts:AssumeRole", role)
        .principal("ecs.aliyuncs.com")
        .build()
        .unwrap();
    let (resp, trace) = set.evaluate_traced(&request);
    let text = explain(&resp, &trace);
    assert!(text.contains("the trust policy alone decides"), "{text}");
    let r = run(
        &set,
        Request::builder("sts:AssumeRole", role).principal("fc.aliyuncs.com"),
    );
    assert_eq!(r.decision, Decision::ImplicitDeny);
    let r = run(
        &set,
        Request::builder("sts:AssumeRole", role).principal("acs:ram::1234567890123456:user/bob"),
    );
    assert_eq!(r.decision, Decision::ExplicitDeny);
}

fn bucket_set(identity: Option<serde_json::Value>, bucket: serde_json::Value) -> PolicySet {
    let mut set = PolicySet::new();
    if let Some(i) = identity {
        load(&mut set, PolicyKind::Identity, "user.json", i);
    }
    let text = serde_json::to_string(&bucket).unwrap();
    set.add_text(PolicyKind::OssBucket, "bucket.json", &text)
        .unwrap();
    set
}

#[test]
fn bucket_policies_grant_to_their_principals() {
    let obj = "acs:oss:*:1234567890123456:examplebucket/a.txt";
    let public = bucket_set(
        None,
        json!({"Version": "1", "Statement": [{"Effect": "Allow",
        "Action": ["oss:GetObject"], "Principal": ["*"],
        "Resource": ["acs:oss:*:1234567890123456:examplebucket/*"],
        "Condition": {"IpAddress": {"acs:SourceIp": ["192.0.2.0/24"]}}}]}),
    );
    let get = |set: &PolicySet, ip: &str, who: Option<&str>| {
        let mut b = Request::builder("oss:GetObject", obj).context("acs:SourceIp", ip);
        if let Some(w) = who {
            b = b.principal(w);
        }
        run(set, b)
    };
    let r = get(&public, "192.0.2.7", None);
    assert_eq!(r.decision, Decision::Allow);
    assert_eq!(r.layer, Some(Layer::ResourceBasedPolicy));
    assert_eq!(r.matched[0].layer, Layer::ResourceBasedPolicy);
    assert_eq!(
        get(&public, "198.51.100.1", None).decision,
        Decision::ImplicitDeny
    );

    // A list of accounts: a user of the account matches, another account does not.
    let accounts = bucket_set(
        None,
        json!({"Version": "1", "Statement": [{"Effect": "Allow",
        "Action": "oss:GetObject", "Principal": ["1234567890123456"],
        "Resource": "acs:oss:*:*:examplebucket/*"}]}),
    );
    let mine = get(
        &accounts,
        "192.0.2.7",
        Some("acs:ram::1234567890123456:user/alice"),
    );
    assert_eq!(mine.decision, Decision::Allow);
    let theirs = get(
        &accounts,
        "192.0.2.7",
        Some("acs:ram::5555555555555555:user/eve"),
    );
    assert_eq!(theirs.decision, Decision::ImplicitDeny);
    let unknown = get(&accounts, "192.0.2.7", None);
    assert_eq!(unknown.decision, Decision::Indeterminate);

    // A bucket Deny beats an identity Allow; an identity Deny beats a bucket Allow.
    let deny = bucket_set(
        Some(
            json!({"Version": "1", "Statement": [{"Effect": "Allow", "Action": "oss:*", "Resource": "*"}]}),
        ),
        json!({"Version": "1", "Statement": [{"Effect": "Deny", "Action": "oss:*",
            "Principal": ["*"], "Resource": "acs:oss:*:*:examplebucket/*",
            "Condition": {"NotIpAddress": {"acs:SourceIp": "192.0.2.0/24"}}}]}),
    );
    let r = get(
        &deny,
        "198.51.100.1",
        Some("acs:ram::1234567890123456:user/alice"),
    );
    assert_eq!(r.decision, Decision::ExplicitDeny);
    assert_eq!(r.layer, Some(Layer::ResourceBasedPolicy));
    let r = get(
        &deny,
        "192.0.2.1",
        Some("acs:ram::1234567890123456:user/alice"),
    );
    assert_eq!(r.decision, Decision::Allow);
    assert_eq!(r.layer, Some(Layer::AccountLevelIdentityBasedPolicy));
}

#[test]
fn a_statement_that_cannot_be_read_takes_part_as_unknown() {
    let mut set = PolicySet::new();
    let text = r#"{"Version": "1", "Statement": [
        {"Effect": "Allow", "Action": "dbs:Describe*", "Resource": "*"},
        {"Effect": "allow", "Action": "dbs:StartBackupPlan", "Resource": "*"},
        {"Effect": "Allow", "Action": "oss:GetObject", "Resource": "*", "Condition": {"IpAddress": {"acs:SourceIp": "10.0.0.0/33"}}}
    ]}"#;
    set.add_text(PolicyKind::Identity, "p.json", text).unwrap();
    let r = run(&set, Request::builder("dbs:DescribeRegions", "*"));
    assert_eq!(r.decision, Decision::Allow);
    // The statement without a readable Effect may allow or deny anything.
    let r = run(&set, Request::builder("dbs:StartBackupPlan", "*"));
    assert_eq!(r.decision, Decision::Indeterminate);
    assert!(
        r.errors
            .iter()
            .any(|e| e.statement == 1 && e.message.contains("takes part as unknown")),
        "{:?}",
        r.errors
    );
    assert!(r.errors.iter().any(|e| e.statement == 2), "{:?}", r.errors);
    // A statement with a bad condition value: unknown only where its action matches.
    let r = run(&set, Request::builder("oss:GetObject", "*"));
    assert_eq!(r.decision, Decision::Indeterminate);
    // Not JSON, duplicate keys, no Statement array: refused.
    for bad in [
        r#"{"Version": "1", "Statement": [}"#,
        r#"{"Version": "1", "Statement": "x"}"#,
        r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Effect": "Deny", "Action": "*", "Resource": "*"}]}"#,
    ] {
        assert!(
            PolicySet::new()
                .add_text(PolicyKind::Identity, "b.json", bad)
                .is_err(),
            "{bad}"
        );
    }
}

#[test]
fn control_policies_that_allow_nothing_leave_a_note() {
    let mut set = PolicySet::new();
    load(
        &mut set,
        PolicyKind::Identity,
        "p.json",
        json!({"Version": "1", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
    );
    load(
        &mut set,
        PolicyKind::Control,
        "deny-list.json",
        json!({"Version": "1", "Statement": [
        {"Effect": "Deny", "Action": "ecs:DeleteInstance", "Resource": "*"}]}),
    );
    let r = run(&set, Request::builder("dbs:DescribeRegions", "*"));
    assert_eq!(r.decision, Decision::ImplicitDeny);
    assert_eq!(r.layer, Some(Layer::ControlPolicy));
    assert_eq!(r.notes.len(), 1);
    assert!(r.notes[0].contains("FullAliyunAccess"), "{:?}", r.notes);
    let json = r.to_json();
    assert!(
        json.contains("\"notes\":[\"the control policies given allow nothing"),
        "{json}"
    );
    let r = run(&set, Request::builder("ecs:DeleteInstance", "*"));
    assert_eq!(r.decision, Decision::ExplicitDeny);
    assert!(r.notes.is_empty());
}

#[test]
fn the_resource_layer_is_listed_under_the_kind_it_was_loaded_as() {
    let key_policy = serde_json::json!({
        "Version": "1",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"RAM": ["acs:ram::1234567890123456:root"]},
            "Action": "kms:*",
            "Resource": "*"
        }]
    });
    let mut set = PolicySet::new();
    set.add_text(PolicyKind::KmsKey, "key.json", &key_policy.to_string())
        .unwrap();
    let kinds: Vec<_> = set.policies().map(|(kind, name, _)| (kind, name)).collect();
    assert_eq!(kinds, vec![(PolicyKind::KmsKey, "key.json")]);
}
