//! Simulate, black box, on the shapes of real documents (SEMANTICS.md revision 2): role-session
//! callers, service/OIDC/SAML principals on the trust policy alone, a `ForAllValues:` guard, a
//! deny-list control policy alone, bucket policies' public and IP-restricted grants.

use std::path::PathBuf;

use serde_json::Value;

use crate::common::{ramguard, root};

fn shape(name: &str) -> PathBuf {
    root().join("tests/fixtures/shapes").join(name)
}

/// Runs `ramguard simulate ARGS --format json`; returns the exit code and the JSON on stdout.
fn simulate(args: &[&str]) -> (i32, Value) {
    let out = ramguard()
        .arg("simulate")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), v)
}

fn s(p: &std::path::Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn role_session_callers_match_the_role_in_a_trust_policy() {
    let trust = shape("role-session-trust.json");
    let caller = shape("for-all-values-guard.json");
    for principal in [
        "acs:ram::5678901234567890:role/deployer/ci-run-42",
        "acs:sts::5678901234567890:assumed-role/Deployer/ci-run-42",
    ] {
        let (code, v) = simulate(&[
            "--policy",
            s(&caller),
            "--trust-policy",
            s(&trust),
            "--action",
            "sts:AssumeRole",
            "--resource",
            "acs:ram::1234567890123456:role/target",
            "--principal",
            principal,
        ]);
        assert_eq!(code, 0, "{principal}: {v}");
        assert_eq!(v["decision"], "Allow");
    }
    let (code, v) = simulate(&[
        "--policy",
        s(&caller),
        "--trust-policy",
        s(&trust),
        "--action",
        "sts:AssumeRole",
        "--resource",
        "acs:ram::1234567890123456:role/target",
        "--principal",
        "acs:sts::5678901234567890:assumed-role/Other/x",
    ]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["layer"], "ResourceBasedPolicy");
}

#[test]
fn service_oidc_and_saml_principals_need_only_the_trust_policy() {
    let trust = shape("external-principals-trust.json");
    let role = "acs:ram::1234567890123456:role/app";
    let cases: [(&str, &[&str]); 3] = [
        ("ecs.aliyuncs.com", &[]),
        (
            "acs:ram::1234567890123456:oidc-provider/ack-rrsa-c0ffee",
            &[
                "oidc:aud=sts.aliyuncs.com",
                "oidc:sub=system:serviceaccount:ci:runner",
            ],
        ),
        (
            "acs:ram::1234567890123456:saml-provider/corp-idp",
            &["saml:recipient=https://signin.aliyun.com/saml-role/sso"],
        ),
    ];
    for (principal, context) in cases {
        let mut args = vec![
            "--trust-policy",
            s(&trust),
            "--action",
            "sts:AssumeRole",
            "--resource",
            role,
            "--principal",
            principal,
        ];
        for c in context {
            args.extend(["--context", c]);
        }
        let (code, v) = simulate(&args);
        assert_eq!(code, 0, "{principal}: {v}");
        assert_eq!(v["layer"], "ResourceBasedPolicy", "{v}");
        assert_eq!(v["matched"][0]["layer"], "ResourceBasedPolicy", "{v}");
    }
    // Without the OIDC claims, the federated statement does not hold.
    let (code, _) = simulate(&[
        "--trust-policy",
        s(&trust),
        "--action",
        "sts:AssumeRole",
        "--resource",
        role,
        "--principal",
        "acs:ram::1234567890123456:oidc-provider/ack-rrsa-c0ffee",
    ]);
    assert_eq!(code, 1);
}

#[test]
fn a_for_all_values_guard_allows_service_only_trust() {
    let policy = shape("for-all-values-guard.json");
    let create = |types: &[&str]| {
        let mut args = vec![
            "--policy",
            s(&policy),
            "--action",
            "ram:CreateRole",
            "--resource",
            "acs:ram::1234567890123456:role/new-role",
        ];
        for t in types {
            args.push("--context");
            args.push(t);
        }
        simulate(&args)
    };
    let (code, v) = create(&["ram:TrustedPrincipalTypes=Service"]);
    assert_eq!(code, 0, "{v}");
    let (code, v) = create(&[
        "ram:TrustedPrincipalTypes=Service",
        "ram:TrustedPrincipalTypes=Account",
    ]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["decision"], "ImplicitDeny");
}

#[test]
fn a_deny_list_control_policy_alone_leaves_a_note() {
    let control = shape("control-deny-list.json");
    let identity = shape("for-all-values-guard.json");
    let (code, v) = simulate(&[
        "--policy",
        s(&identity),
        "--control-policy",
        s(&control),
        "--action",
        "ecs:DescribeInstances",
        "--resource",
        "*",
    ]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["layer"], "ControlPolicy");
    let notes = v["notes"].as_array().unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n.as_str().unwrap().contains("FullAliyunAccess")),
        "{v}"
    );
}

#[test]
fn bucket_policies_public_and_ip_restricted_grants() {
    let obj = "acs:oss:*:1234567890123456:office-docs/plan.pdf";
    let ip = |bucket: &str, addr: &str, extra: &[&str]| {
        let b = shape(bucket);
        let ctx = format!("acs:SourceIp={addr}");
        let mut args = vec![
            "--resource-policy",
            s(&b),
            "--action",
            "oss:GetObject",
            "--resource",
            obj,
            "--context",
            &ctx,
        ];
        args.extend_from_slice(extra);
        let (code, v) = simulate(&args);
        (code, v)
    };
    // Anonymous, from the office range: the bucket policy alone allows.
    let (code, v) = ip("bucket-anonymous-ip.json", "198.51.100.9", &[]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["layer"], "ResourceBasedPolicy");
    let (code, _) = ip("bucket-anonymous-ip.json", "203.0.113.1", &[]);
    assert_eq!(code, 1);
    // A public read: anyone, anywhere.
    let (code, v) = simulate(&[
        "--resource-policy",
        s(&shape("bucket-public-read.json")),
        "--action",
        "oss:GetObject",
        "--resource",
        "acs:oss:*:1234567890123456:www-site/index.html",
    ]);
    assert_eq!(code, 0, "{v}");
    // A Deny outside the range beats an identity grant.
    let admin = root().join("tests/fixtures/shapes/for-all-values-guard.json");
    let (code, v) = ip(
        "bucket-deny-outside-ip.json",
        "203.0.113.1",
        &[
            "--policy",
            s(&admin),
            "--principal",
            "acs:ram::1234567890123456:user/alice",
        ],
    );
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["decision"], "ExplicitDeny");
    assert_eq!(v["layer"], "ResourceBasedPolicy");
    let (code, v) = ip(
        "bucket-deny-outside-ip.json",
        "198.51.100.9",
        &[
            "--policy",
            s(&admin),
            "--principal",
            "acs:ram::1234567890123456:user/alice",
        ],
    );
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["layer"], "AccountLevelIdentityBasedPolicy");
}

#[test]
fn an_unloadable_policy_prints_the_error_object() {
    let bad = root().join("policies/invalid/RG001-invalid-json-trailing-comma.json");
    let (code, v) = simulate(&[
        "--policy",
        s(&bad),
        "--action",
        "dbs:DescribeRegions",
        "--resource",
        "*",
    ]);
    assert_eq!(code, 2);
    assert!(v["error"]["message"].is_string(), "{v}");
    assert_eq!(v["error"]["diagnostics"][0]["code"], "RG001", "{v}");
    // A bad request is exit 2 with the error object too.
    let ok = shape("for-all-values-guard.json");
    let (code, v) = simulate(&["--policy", s(&ok), "--action", "x:Y"]);
    assert_eq!(code, 2);
    let _ = v;
}

#[test]
fn a_resource_policy_must_be_one() {
    let (code, v) = simulate(&[
        "--resource-policy",
        s(&shape("role-session-trust.json")),
        "--action",
        "oss:GetObject",
        "--resource",
        "*",
    ]);
    assert_eq!(code, 2, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not a resource-based policy"),
        "{v}"
    );
    // A key policy is recognised as one.
    let (code, v) = simulate(&[
        "--resource-policy",
        s(&shape("kms-key-policy.json")),
        "--action",
        "kms:Decrypt",
        "--resource",
        "acs:kms:cn-hangzhou:1234567890123456:key/k1",
        "--principal",
        "acs:ram::1234567890123456:user/alice",
    ]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["layer"], "ResourceBasedPolicy");
}
