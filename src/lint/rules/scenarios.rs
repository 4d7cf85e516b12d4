//! Scenario tests of the model rules through the whole lint pipeline: what fires where, with
//! which severity, and what must stay silent.

use crate::lint::{lint_source, Diagnostic, LintOptions, Severity};
use crate::policy::PolicyKind::{self, Control, Identity, Session, Trust};
use crate::source::SourceFile;

fn doc(statements: &[&str]) -> String {
    format!(
        r#"{{"Version": "1", "Statement": [{}]}}"#,
        statements.join(", ")
    )
}

fn lint(text: &str, kind: PolicyKind) -> Vec<Diagnostic> {
    lint_source(
        SourceFile::new("t.json", text),
        LintOptions {
            kind,
            detect_trust: false,
            ..LintOptions::default()
        },
    )
    .diagnostics
}

/// `code` fires at least once inside statement `n` with at least `severity`.
#[track_caller]
fn fires(kind: PolicyKind, statements: &[&str], code: &str, severity: Severity, n: usize) {
    let text = doc(statements);
    let diags = lint(&text, kind);
    let inside = format!("/Statement/{n}");
    let ok = diags.iter().any(|d| {
        d.rule.code == code
            && d.severity >= severity
            && (d.pointer == inside || d.pointer.starts_with(&format!("{inside}/")))
    });
    assert!(
        ok,
        "{code} (>= {severity:?}) not in statement {n} of {text}:\n{}",
        show(&diags)
    );
}

#[track_caller]
fn silent(kind: PolicyKind, statements: &[&str], code: &str) {
    let text = doc(statements);
    let diags = lint(&text, kind);
    assert!(
        !diags.iter().any(|d| d.rule.code == code),
        "{code} fired on {text}:\n{}",
        show(&diags)
    );
}

fn show(diags: &[Diagnostic]) -> String {
    diags
        .iter()
        .map(|d| {
            format!(
                "  {} {:?} {} {}\n",
                d.rule.code, d.severity, d.pointer, d.message
            )
        })
        .collect()
}

fn messages(kind: PolicyKind, statements: &[&str], code: &str) -> Vec<String> {
    lint(&doc(statements), kind)
        .into_iter()
        .filter(|d| d.rule.code == code)
        .map(|d| format!("{} | {}", d.message, d.help.unwrap_or_default()))
        .collect()
}

fn allow(action: &str, resource: &str) -> String {
    format!(r#"{{"Effect": "Allow", "Action": {action}, "Resource": {resource}}}"#)
}

fn with_condition(action: &str, resource: &str, condition: &str) -> String {
    format!(
        r#"{{"Effect": "Allow", "Action": {action}, "Resource": {resource}, "Condition": {condition}}}"#
    )
}

const READ: &str = r#"{"Effect": "Allow", "Action": "dbs:DescribeRegions", "Resource": "*"}"#;

// ---- security ----

#[test]
fn allow_all() {
    fires(
        Identity,
        &[READ, &allow(r#""*""#, r#""*""#)],
        "RG100",
        Severity::Error,
        1,
    );
    // A session policy can only narrow: `*` on `*` there restricts nothing, an info.
    fires(
        Session,
        &[&allow(r#"["*:*"]"#, r#"["acs:*:*:*:*"]"#)],
        "RG100",
        Severity::Info,
        0,
    );
    let m = messages(Session, &[&allow(r#""*""#, r#""*""#)], "RG100");
    assert!(m[0].contains("restricts nothing"), "{m:?}");
    assert!(lint(&doc(&[&allow(r#""*""#, r#""*""#)]), Session)
        .iter()
        .all(|d| d.rule.code != "RG100" || d.severity == Severity::Info));
    let cond = with_condition(
        r#""*""#,
        r#""*""#,
        r#"{"Bool": {"acs:MFAPresent": "true"}}"#,
    );
    fires(Identity, &[&cond], "RG100", Severity::Error, 0);
    let m = messages(Identity, &[&allow(r#""*""#, r#""*""#)], "RG100");
    assert!(m[0].contains("full administrator access"), "{m:?}");
    silent(Control, &[&allow(r#""*""#, r#""*""#)], "RG100");
    silent(Identity, &[&allow(r#""*""#, r#""acs:dbs:*:*:*""#)], "RG100");
    silent(
        Identity,
        &[r#"{"Effect": "Deny", "Action": "*", "Resource": "*"}"#],
        "RG100",
    );
}

#[test]
fn service_wildcard() {
    fires(
        Identity,
        &[&allow(r#""dbs:*""#, r#""*""#)],
        "RG101",
        Severity::Warning,
        0,
    );
    fires(
        Identity,
        &[&allow(r#""dbs:*""#, r#""acs:dbs:*:*:*""#)],
        "RG101",
        Severity::Warning,
        0,
    );
    silent(
        Identity,
        &[&allow(r#""dbs:*""#, r#""acs:dbs:*:*:backupplan/*""#)],
        "RG101",
    );
    silent(Identity, &[&allow(r#""dbs:Describe*""#, r#""*""#)], "RG101");
    silent(Control, &[&allow(r#""dbs:*""#, r#""*""#)], "RG101");
    // `ram:*` and `sts:*` are RG104's, as errors.
    silent(Identity, &[&allow(r#""ram:*""#, r#""*""#)], "RG101");
    fires(
        Identity,
        &[&allow(r#""ram:*""#, r#""*""#)],
        "RG104",
        Severity::Error,
        0,
    );
    fires(
        Identity,
        &[&allow(r#""sts:*""#, r#""*""#)],
        "RG104",
        Severity::Warning,
        0,
    );
    // One finding per statement, listing the services.
    let two = allow(r#"["ecs:*", "rds:*", "dbs:Describe*"]"#, r#""*""#);
    let m = messages(Identity, &[&two], "RG101");
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(
        m[0].contains("`ecs:*`") && m[0].contains("`rds:*`"),
        "{m:?}"
    );
}

#[test]
fn negated_elements() {
    let na = r#"{"Effect": "Allow", "NotAction": "ram:*", "Resource": "*"}"#;
    fires(Identity, &[na], "RG102", Severity::Warning, 0);
    silent(Control, &[na], "RG102");
    silent(
        Identity,
        &[r#"{"Effect": "Deny", "NotAction": "dbs:Describe*", "Resource": "*"}"#],
        "RG102",
    );
    let nr = r#"{"Effect": "Allow", "Action": "dbs:StopBackupPlan", "NotResource": "acs:dbs:*:*:backupplan/prod-*"}"#;
    fires(Identity, &[READ, nr], "RG103", Severity::Warning, 1);
    silent(Control, &[nr], "RG103");
}

#[test]
fn escalation() {
    for action in [
        r#""ram:AttachPolicyToUser""#,
        r#""ram:AttachPolicyToGroup""#,
        r#""ram:AttachPolicyToRole""#,
        r#""ram:CreatePolicyVersion""#,
        r#""ram:SetDefaultPolicyVersion""#,
        r#""ram:UpdateRole""#,
        r#""ram:CreateAccessKey""#,
        r#""ram:CreateLoginProfile""#,
        r#""ram:UpdateLoginProfile""#,
        r#""ram:AddUserToGroup""#,
        r#""ram:PassRole""#,
        r#""sts:AssumeRole""#,
        r#""ram:Attach*""#,
        r#""*:AssumeRole""#,
        r#""RAM:attachpolicytouser""#,
        r#""ram:*Policy*""#,
    ] {
        // `sts:AssumeRole` on every role is gated by each role's trust policy: a warning
        // (the system policy AliyunSTSAssumeRoleAccess).
        let severity = if action.contains("AssumeRole") {
            Severity::Warning
        } else {
            Severity::Error
        };
        fires(
            Identity,
            &[READ, &allow(action, r#""*""#)],
            "RG104",
            severity,
            1,
        );
        fires(
            Session,
            &[&allow(action, r#""acs:ram::1234567890123456:*""#)],
            "RG104",
            severity,
            0,
        );
        silent(Control, &[&allow(action, r#""*""#)], "RG104");
        silent(
            Identity,
            &[&allow(
                action,
                r#""acs:ram::1234567890123456:role/dbs-runner""#,
            )],
            "RG104",
        );
    }
    let m = messages(Identity, &[&allow(r#""ram:Attach*""#, r#""*""#)], "RG104");
    assert!(
        m[0].contains("`ram:AttachPolicyToUser`") && m[0].contains("`ram:AttachPolicyToRole`"),
        "{m:?}"
    );
    // `*` on every resource is RG100's only.
    silent(Identity, &[&allow(r#""*""#, r#""*""#)], "RG104");
    fires(
        Identity,
        &[&allow(r#""*""#, r#""acs:ram:*:*:*""#)],
        "RG104",
        Severity::Error,
        0,
    );
    silent(Identity, &[&allow(r#""ram:Get*""#, r#""*""#)], "RG104");
    silent(
        Identity,
        &[r#"{"Effect": "Deny", "Action": "ram:*", "Resource": "*"}"#],
        "RG104",
    );
    // A whole role path is still every role.
    fires(
        Identity,
        &[&allow(r#""sts:AssumeRole""#, r#""acs:ram:*:*:role/*""#)],
        "RG104",
        Severity::Warning,
        0,
    );
    // Attaching policies works through the role: a grant on policies alone is not enough.
    silent(
        Identity,
        &[&allow(
            r#""ram:AttachPolicyToRole""#,
            r#""acs:ram:*:*:policy/*""#,
        )],
        "RG104",
    );
    // `ram:PassRole` limited to named services: a warning naming them; unscoped, an error.
    let scoped = r#"{"Effect": "Allow", "Action": "ram:PassRole", "Resource": "*", "Condition": {"StringEquals": {"acs:Service": "oos.aliyuncs.com"}}}"#;
    let m = messages(Identity, &[scoped], "RG104");
    assert!(m[0].contains("`oos.aliyuncs.com`"), "{m:?}");
    assert!(lint(&doc(&[scoped]), Identity)
        .iter()
        .all(|d| d.rule.code != "RG104" || d.severity == Severity::Warning));
    fires(
        Identity,
        &[&allow(r#""ram:PassRole""#, r#""*""#)],
        "RG104",
        Severity::Error,
        0,
    );
    // Privilege escalation through a name wildcard: create `ci-x`, then attach to it.
    let ci = allow(r#""ram:*""#, r#""acs:ram:*:1234567890123456:user/ci-*""#);
    let m = messages(Identity, &[&ci], "RG104");
    assert!(m.iter().any(|m| m.contains("name wildcard")), "{m:?}");
    let exact = allow(
        r#""ram:*""#,
        r#""acs:ram:*:1234567890123456:user/ci-runner""#,
    );
    assert!(messages(Identity, &[&exact], "RG104")
        .iter()
        .all(|m| !m.contains("name wildcard")));
    let na = r#"{"Effect": "Allow", "NotAction": "dbs:*", "Resource": "*"}"#;
    fires(Identity, &[na], "RG104", Severity::Error, 0);
}

#[test]
fn destructive() {
    for resource in [
        r#""*""#,
        r#""acs:dbs:*:*:*""#,
        r#""acs:dbs:*:*:backupplan/*""#,
        r#""acs:*:*:*:*""#,
    ] {
        fires(
            Identity,
            &[READ, &allow(r#""dbs:ReleaseBackupPlan""#, resource)],
            "RG105",
            Severity::Warning,
            1,
        );
        fires(
            Identity,
            &[&allow(r#"["dbs:Describe*", "dbs:Stop*"]"#, resource)],
            "RG105",
            Severity::Warning,
            0,
        );
    }
    // All Resources operations are always account-wide.
    fires(
        Identity,
        &[&allow(r#""dbs:ModifyBackupStrategy""#, r#""*""#)],
        "RG105",
        Severity::Warning,
        0,
    );
    fires(
        Identity,
        &[&allow(r#""dbs:*""#, r#""*""#)],
        "RG105",
        Severity::Warning,
        0,
    );
    silent(
        Identity,
        &[&allow(
            r#""dbs:ReleaseBackupPlan""#,
            r#""acs:dbs:cn-hangzhou:*:backupplan/*""#,
        )],
        "RG105",
    );
    silent(
        Identity,
        &[&allow(
            r#""dbs:ReleaseBackupPlan""#,
            r#""acs:dbs:*:*:backupplan/test-*""#,
        )],
        "RG105",
    );
    silent(Identity, &[&allow(r#""dbs:Describe*""#, r#""*""#)], "RG105");
    silent(Identity, &[&allow(r#""*""#, r#""*""#)], "RG105");
    silent(
        Control,
        &[&allow(r#""dbs:ReleaseBackupPlan""#, r#""*""#)],
        "RG105",
    );
    let cond = with_condition(
        r#""dbs:ReleaseBackupPlan""#,
        r#""*""#,
        r#"{"IpAddress": {"acs:SourceIp": "192.0.2.0/24"}}"#,
    );
    silent(Identity, &[&cond], "RG105");
}

#[test]
fn trust() {
    let t = |principal: &str| {
        format!(r#"{{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {principal}}}"#)
    };
    fires(Trust, &[&t(r#""*""#)], "RG106", Severity::Error, 0);
    fires(Trust, &[&t(r#"{"RAM": "*"}"#)], "RG106", Severity::Error, 0);
    fires(
        Trust,
        &[&t(
            r#"{"RAM": ["acs:ram::1234567890123456:root", "acs:ram::*:root"]}"#,
        )],
        "RG106",
        Severity::Error,
        0,
    );
    fires(
        Trust,
        &[&t(r#"{"Service": ["*"]}"#)],
        "RG106",
        Severity::Error,
        0,
    );
    let conditioned = r#"{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"RAM": "*"}, "Condition": {"StringEquals": {"acs:PrincipalRdId": "rd-abc"}}}"#;
    fires(Trust, &[conditioned], "RG106", Severity::Warning, 0);
    silent(Trust, &[&t(r#"{"Service": "ecs.aliyuncs.com"}"#)], "RG106");
    silent(
        Trust,
        &[r#"{"Effect": "Deny", "Action": "sts:AssumeRole", "Principal": "*"}"#],
        "RG106",
    );

    fires(
        Trust,
        &[
            &t(r#"{"Service": "ecs.aliyuncs.com"}"#),
            &t(r#"{"RAM": "acs:ram::1234567890123456:root"}"#),
        ],
        "RG107",
        Severity::Warning,
        1,
    );
    let m = messages(
        Trust,
        &[&t(r#"{"RAM": "acs:ram::1234567890123456:root"}"#)],
        "RG107",
    );
    assert!(
        m[0].contains("every RAM identity of account `1234567890123456`"),
        "{m:?}"
    );
    assert!(!m[0].contains("another account"), "{m:?}");
    silent(
        Trust,
        &[&t(r#"{"RAM": "acs:ram::1234567890123456:role/admin"}"#)],
        "RG107",
    );
    let narrowed = r#"{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"RAM": "acs:ram::1234567890123456:root"}, "Condition": {"StringEquals": {"acs:PrincipalARN": "acs:ram::1234567890123456:role/a"}}}"#;
    silent(Trust, &[narrowed], "RG107");
}

// ---- catalogue ----

#[test]
fn action_names() {
    let res = r#""acs:dbs:*:*:backupplan/*""#;
    fires(
        Identity,
        &[READ, &allow(r#""dbs:StartBackupPlna""#, res)],
        "RG200",
        Severity::Warning,
        1,
    );
    let m = messages(
        Identity,
        &[&allow(r#""dbs:StartBackupPlna""#, res)],
        "RG200",
    );
    assert!(
        m[0].contains("did you mean `dbs:StartBackupPlan`?"),
        "{m:?}"
    );
    fires(
        Identity,
        &[r#"{"Effect": "Deny", "NotAction": "dbs:ReleaseBackupPlna", "Resource": "*"}"#],
        "RG200",
        Severity::Warning,
        0,
    );
    // The whole cloud, with the certainty ladder: a typo with a close name is a warning, a
    // name nothing is close to an info, a complete service's miss an error.
    let sev = |action: &str, code: &str| -> Vec<Severity> {
        lint(&doc(&[&allow(action, r#""*""#)]), Identity)
            .iter()
            .filter(|d| d.rule.code == code)
            .map(|d| d.severity)
            .collect()
    };
    assert_eq!(
        sev(r#""rds:DescribeDBInstancez""#, "RG200"),
        [Severity::Warning]
    );
    assert_eq!(sev(r#""ecs:Xyzzyplugh""#, "RG200"), [Severity::Info]);
    assert_eq!(sev(r#""config:Xyzzyplugh""#, "RG200"), [Severity::Error]);
    assert_eq!(sev(r#""ecs:Xyzzy*""#, "RG201"), [Severity::Info]);
    assert_eq!(sev(r#""config:Xyzzy*""#, "RG201"), [Severity::Error]);
    assert_eq!(sev(r#""ecs:Descirbe*""#, "RG201"), [Severity::Warning]);
    // Alibaba's AliyunRDSReadOnlyAccess: not in the metadata, so no more than an info.
    assert_eq!(sev(r#""dbs:Query*""#, "RG201"), [Severity::Info]);
    let m = messages(
        Identity,
        &[&allow(r#""ecs:DescribeInstancess""#, r#""*""#)],
        "RG200",
    );
    assert!(m[0].contains("2026-"), "{m:?}");
    for quiet in [
        r#""*:Nope""#,
        r#""ecs:DescribeInstances""#,
        r#""ims:CreateUser""#,
        r#""accessanalyzer:GetX""#,
        r#""oss:Get*""#,
    ] {
        silent(Identity, &[&allow(quiet, r#""*""#)], "RG200");
        silent(Identity, &[&allow(quiet, r#""*""#)], "RG201");
    }
    assert_eq!(
        sev(r#""ecss:DescribeInstances""#, "RG206"),
        [Severity::Warning]
    );
    assert_eq!(sev(r#""zzqqx:Foo""#, "RG206"), [Severity::Info]);
    silent(Identity, &[&allow(r#""ecs:Foo""#, r#""*""#)], "RG206");
    silent(Identity, &[&allow(r#""*:Foo""#, r#""*""#)], "RG206");
    assert_eq!(sev(r#""ecs:Addtags""#, "RG202"), [Severity::Warning]);
    fires(
        Identity,
        &[&allow(r#""dbs:Strat*""#, res)],
        "RG201",
        Severity::Warning,
        0,
    );
    let m = messages(Identity, &[&allow(r#""dbs:Strat*""#, res)], "RG201");
    assert!(m[0].contains("`dbs:Start*`"), "{m:?}");
    silent(Identity, &[&allow(r#""dbs:Start*""#, res)], "RG201");
    silent(Identity, &[&allow(r#""dbs:*""#, res)], "RG201");
    fires(
        Identity,
        &[&allow(r#""dbs:startbackupplan""#, res)],
        "RG202",
        Severity::Info,
        0,
    );
    fires(
        Identity,
        &[&allow(r#""DBS:StartBackupPlan""#, res)],
        "RG202",
        Severity::Info,
        0,
    );
    silent(
        Identity,
        &[&allow(r#""dbs:startbackupplan""#, res)],
        "RG200",
    );
    silent(
        Identity,
        &[&allow(r#""dbs:StartBackupPlan""#, res)],
        "RG202",
    );
}

#[test]
fn resource_never_matches() {
    let plan = r#""dbs:StartBackupPlan""#;
    for ok in [
        r#""*""#,
        r#""acs:dbs:*:*:*""#,
        r#""acs:dbs:*:*:backupplan/*""#,
        r#""acs:*:*:*:backupplan/dbs1""#,
        r#""acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsqdss5tmh1""#,
        r#"["acs:rds:*:*:*", "acs:dbs:*:*:backupplan/x"]"#,
    ] {
        silent(Identity, &[&allow(plan, ok)], "RG203");
    }
    for no in [
        r#""acs:rds:*:*:*""#,
        r#""acs:dbs:*:*:instance/*""#,
        r#""acs:dbs:*:*:backupplan/a/b""#,
    ] {
        fires(
            Identity,
            &[READ, &allow(plan, no)],
            "RG203",
            Severity::Warning,
            1,
        );
        fires(
            Control,
            &[&format!(
                r#"{{"Effect": "Deny", "Action": {plan}, "Resource": {no}}}"#
            )],
            "RG203",
            Severity::Warning,
            0,
        );
    }
    let m = messages(
        Identity,
        &[&allow(plan, r#""acs:dbs:*:*:instance/*""#)],
        "RG203",
    );
    assert!(
        m[0].starts_with("this statement can never grant `dbs:StartBackupPlan`: `acs:dbs:*:*:instance/*` cannot match `acs:dbs:{#regionId}:{#accountId}:backupplan/{#BackupPlanId}`"),
        "{m:?}"
    );
    // AliyunRDSReadOnlyAccess: some `dbs:Describe*` operations authorize on RDS instances.
    silent(
        Identity,
        &[&allow(r#""dbs:Describe*""#, r#""acs:rds:*:*:*""#)],
        "RG203",
    );
    // A wildcard is reported when none of its operations can be granted.
    fires(
        Identity,
        &[&allow(r#""dbs:*BackupPlanBilling""#, r#""acs:rds:*:*:*""#)],
        "RG203",
        Severity::Warning,
        0,
    );
    // Unknown resources are never reported.
    silent(
        Identity,
        &[&allow(r#""dbs:DescribeDLAService""#, r#""acs:rds:*:*:*""#)],
        "RG203",
    );
    silent(
        Identity,
        &[&allow(r#""dbs:DescribeDLAService""#, r#""acs:rds:*:*:*""#)],
        "RG204",
    );
    silent(
        Identity,
        &[&allow(r#""dbs:Describe*""#, r#""acs:dbs:*:*:instance/*""#)],
        "RG203",
    );
    silent(
        Identity,
        &[&allow(
            r#""ecs:StartInstance""#,
            r#""acs:dbs:*:*:instance/*""#,
        )],
        "RG203",
    );
}

#[test]
fn all_resources_only() {
    let regions = r#""dbs:DescribeRegions""#;
    fires(
        Identity,
        &[READ, &allow(regions, r#""acs:dbs:*:*:backupplan/x""#)],
        "RG204",
        Severity::Warning,
        1,
    );
    fires(
        Identity,
        &[&allow(regions, r#""acs:dbs:*:*:*""#)],
        "RG204",
        Severity::Warning,
        0,
    );
    silent(Identity, &[&allow(regions, r#""*""#)], "RG204");
    silent(
        Identity,
        &[&allow(regions, r#"["acs:dbs:*:*:*", "*"]"#)],
        "RG204",
    );
    silent(
        Identity,
        &[&allow(regions, r#""acs:dbs:*:*:backupplan/x""#)],
        "RG203",
    );
    silent(
        Identity,
        &[&allow(
            r#""dbs:StartBackupPlan""#,
            r#""acs:dbs:*:*:instance/*""#,
        )],
        "RG204",
    );
}

#[test]
fn deprecated() {
    fires(
        Identity,
        &[READ, &allow(r#""dbs:StartTask""#, r#""*""#)],
        "RG205",
        Severity::Warning,
        1,
    );
    fires(
        Identity,
        &[&allow(r#""dbs:CreateSandboxInstance""#, r#""*""#)],
        "RG205",
        Severity::Warning,
        0,
    );
    silent(Identity, &[&allow(r#""dbs:Start*""#, r#""*""#)], "RG205");
}

// ---- redundancy ----

#[test]
fn duplicates_and_covered_values() {
    fires(
        Identity,
        &[
            READ,
            &allow(
                r#"["dbs:DescribeRegions", "dbs:DESCRIBEREGIONS"]"#,
                r#""*""#,
            ),
        ],
        "RG300",
        Severity::Info,
        1,
    );
    fires(
        Identity,
        &[&allow(
            r#""dbs:DescribeRegions""#,
            r#"["acs:dbs:*:*:backupplan/a", "acs:dbs:*:*:backupplan/a"]"#,
        )],
        "RG300",
        Severity::Info,
        0,
    );
    silent(
        Identity,
        &[&allow(
            r#""dbs:StartBackupPlan""#,
            r#"["acs:dbs:*:*:backupplan/a", "acs:dbs:*:*:backupplan/A"]"#,
        )],
        "RG300",
    );
    fires(
        Identity,
        &[&allow(
            r#"["dbs:DescribeRegions", "dbs:Describe*"]"#,
            r#""*""#,
        )],
        "RG301",
        Severity::Info,
        0,
    );
    fires(
        Identity,
        &[&allow(
            r#""dbs:StartBackupPlan""#,
            r#"["acs:dbs:*:*:*", "acs:dbs:*:*:backupplan/a"]"#,
        )],
        "RG301",
        Severity::Info,
        0,
    );
    silent(
        Identity,
        &[&allow(r#"["dbs:Describe*", "dbs:Start*"]"#, r#""*""#)],
        "RG301",
    );
    assert_eq!(
        messages(
            Identity,
            &[&allow(r#"["dbs:Describe*", "dbs:Describe**"]"#, r#""*""#)],
            "RG301"
        )
        .len(),
        1
    );
}

#[test]
fn redundant_and_shadowed_statements() {
    let broad = allow(r#""dbs:Describe*""#, r#""*""#);
    fires(Identity, &[&broad, READ], "RG302", Severity::Info, 1);
    fires(Identity, &[READ, &broad], "RG302", Severity::Info, 0);
    // Identical statements: only the second.
    let m = lint(&doc(&[READ, READ]), Identity);
    let hits: Vec<_> = m.iter().filter(|d| d.rule.code == "RG302").collect();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].pointer, "/Statement/1");
    // Conditions: the covering one must have none, or the same.
    let cond = with_condition(
        r#""dbs:DescribeRegions""#,
        r#""*""#,
        r#"{"Bool": {"acs:SecureTransport": "true"}}"#,
    );
    fires(Identity, &[&broad, &cond], "RG302", Severity::Info, 1);
    let broad_cond = with_condition(
        r#""dbs:Describe*""#,
        r#""*""#,
        r#"{"Bool": {"acs:SecureTransport": "true"}}"#,
    );
    silent(Identity, &[&broad_cond, READ], "RG302");
    fires(Identity, &[&broad_cond, &cond], "RG302", Severity::Info, 1);
    silent(
        Identity,
        &[
            &broad,
            r#"{"Effect": "Deny", "Action": "dbs:DescribeRegions", "Resource": "*"}"#,
        ],
        "RG302",
    );

    let deny = r#"{"Effect": "Deny", "Action": "dbs:*", "Resource": "*"}"#;
    fires(Identity, &[READ, deny], "RG303", Severity::Info, 0);
    let deny_not = r#"{"Effect": "Deny", "NotAction": "dbs:Start*", "Resource": "*"}"#;
    fires(Identity, &[READ, deny_not], "RG303", Severity::Info, 0);
    silent(
        Identity,
        &[&allow(r#""dbs:StartBackupPlan""#, r#""*""#), deny_not],
        "RG303",
    );
    let deny_cond = r#"{"Effect": "Deny", "Action": "dbs:*", "Resource": "*", "Condition": {"Bool": {"acs:SecureTransport": "false"}}}"#;
    silent(Identity, &[READ, deny_cond], "RG303");
    let deny_some =
        r#"{"Effect": "Deny", "Action": "dbs:*", "Resource": "acs:dbs:*:*:backupplan/prod-*"}"#;
    silent(
        Identity,
        &[
            &allow(r#""dbs:StopBackupPlan""#, r#""acs:dbs:*:*:backupplan/*""#),
            deny_some,
        ],
        "RG303",
    );
}

// ---- conditions ----

fn cond(condition: &str) -> String {
    with_condition(r#""dbs:DescribeRegions""#, r#""*""#, condition)
}

#[test]
fn condition_keys() {
    fires(
        Identity,
        &[
            READ,
            &cond(r#"{"IpAddress": {"acs:SoureIp": "192.0.2.0/24"}}"#),
        ],
        "RG400",
        Severity::Warning,
        1,
    );
    let m = messages(
        Identity,
        &[&cond(r#"{"IpAddress": {"acs:SoureIp": "192.0.2.0/24"}}"#)],
        "RG400",
    );
    assert!(m[0].contains("did you mean `acs:SourceIp`?"), "{m:?}");
    fires(
        Identity,
        &[&cond(r#"{"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}"#)],
        "RG400",
        Severity::Warning,
        0,
    );
    for ok in [
        r#"{"IpAddress": {"acs:SourceIP": "192.0.2.0/24"}}"#,
        r#"{"StringEquals": {"dbs:Foo": "x"}}"#,
        r#"{"StringLike": {"oss:Prefix": "x/*"}}"#,
        r#"{"StringEquals": {"acs:ResourceTag/env": "prod"}}"#,
    ] {
        silent(Identity, &[&cond(ok)], "RG400");
    }
    fires(
        Identity,
        &[&cond(r#"{"IpAddress": {"acs:SourceIP": "192.0.2.0/24"}}"#)],
        "RG401",
        Severity::Warning,
        0,
    );
    let m = messages(
        Identity,
        &[&cond(r#"{"IpAddress": {"acs:SourceIP": "192.0.2.0/24"}}"#)],
        "RG401",
    );
    assert!(m[0].contains("`acs:SourceIp`"), "{m:?}");
    silent(
        Identity,
        &[&cond(r#"{"IpAddress": {"acs:SourceIp": "192.0.2.0/24"}}"#)],
        "RG401",
    );
    silent(
        Identity,
        &[&cond(
            r#"{"StringEquals": {"acs:ResourceTag/Env": "prod"}}"#,
        )],
        "RG401",
    );
}

#[test]
fn operator_key_mismatch() {
    for (c, want) in [
        (
            r#"{"StringEquals": {"acs:SourceIp": "192.0.2.1"}}"#,
            "`IpAddress`",
        ),
        (r#"{"Bool": {"acs:CurrentTime": "true"}}"#, "date operator"),
        (
            r#"{"IpAddress": {"acs:UserAgent": "192.0.2.1"}}"#,
            "`StringEquals`",
        ),
        (r#"{"StringLike": {"acs:SecureTransport": "t*"}}"#, "`Bool`"),
        (
            r#"{"NumericLessThan": {"acs:CurrentTime": "5"}}"#,
            "`DateLessThan`",
        ),
    ] {
        fires(Identity, &[READ, &cond(c)], "RG402", Severity::Warning, 1);
        let m = messages(Identity, &[&cond(c)], "RG402");
        assert!(m[0].contains(want), "{c}: {m:?}");
    }
    silent(
        Identity,
        &[&cond(
            r#"{"DateLessThan": {"acs:CurrentTime": "2026-01-01T00:00:00Z"}}"#,
        )],
        "RG402",
    );
    silent(
        Identity,
        &[&cond(r#"{"StringEquals": {"dbs:Foo": "1"}}"#)],
        "RG402",
    );
}

#[test]
fn condition_values() {
    fires(
        Identity,
        &[
            READ,
            &cond(r#"{"StringEquals": {"acs:PrincipalARN": "acs:ram::*:role/x"}}"#),
        ],
        "RG403",
        Severity::Warning,
        1,
    );
    fires(
        Identity,
        &[&cond(
            r#"{"StringNotEqualsIgnoreCase": {"acs:UserAgent": "curl?"}}"#,
        )],
        "RG403",
        Severity::Warning,
        0,
    );
    silent(
        Identity,
        &[&cond(
            r#"{"StringLike": {"acs:PrincipalARN": "acs:ram::*:role/x"}}"#,
        )],
        "RG403",
    );
    let m = messages(
        Identity,
        &[&cond(
            r#"{"StringNotEquals": {"acs:PrincipalARN": "acs:ram::*:role/x"}}"#,
        )],
        "RG403",
    );
    assert!(m[0].contains("`StringNotLike`"), "{m:?}");

    for open in ["0.0.0.0/0", "::/0"] {
        let c = format!(r#"{{"IpAddress": {{"acs:SourceIp": ["192.0.2.0/24", "{open}"]}}}}"#);
        fires(Identity, &[READ, &cond(&c)], "RG404", Severity::Warning, 1);
        let c = format!(r#"{{"IpAddress": {{"acs:sourcevpcip": "{open}"}}}}"#);
        fires(Identity, &[&cond(&c)], "RG404", Severity::Warning, 0);
    }
    silent(
        Identity,
        &[&cond(r#"{"IpAddress": {"acs:SourceIp": "192.0.2.0/24"}}"#)],
        "RG404",
    );
    silent(
        Identity,
        &[&cond(r#"{"NotIpAddress": {"acs:SourceIp": "0.0.0.0/0"}}"#)],
        "RG404",
    );
    let deny = r#"{"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"IpAddress": {"acs:SourceIp": "0.0.0.0/0"}}}"#;
    silent(Identity, &[deny], "RG404");
}

#[test]
fn impossible_conditions() {
    for c in [
        r#"{"DateLessThan": {"acs:CurrentTime": "2025-01-01T00:00:00Z"}, "DateGreaterThan": {"acs:CurrentTime": "2026-01-01T00:00:00Z"}}"#,
        r#"{"DateLessThan": {"acs:CurrentTime": "2026-01-01T08:00:00+08:00"}, "DateGreaterThanEquals": {"acs:currenttime": "2026-01-01T00:00:00Z"}}"#,
        r#"{"NumericLessThan": {"ecs:Count": "5"}, "NumericGreaterThan": {"ecs:Count": "10"}}"#,
        r#"{"NumericLessThanEquals": {"ecs:Count": "5"}, "NumericGreaterThan": {"ecs:Count": "5.0"}}"#,
        r#"{"NumericEquals": {"ecs:Count": ["1", "2"]}, "NumericGreaterThan": {"ecs:Count": "2"}}"#,
        r#"{"StringEquals": {"acs:SourceVpc": "vpc-1"}, "StringNotEquals": {"acs:SourceVpc": "vpc-1"}}"#,
        r#"{"StringEquals": {"acs:SourceVpc": "vpc-1"}, "StringLike": {"acs:SourceVpc": "vpc-2*"}}"#,
        r#"{"StringLike": {"acs:PrincipalARN": "acs:ram::1:role/a*"}, "StringNotLike": {"acs:PrincipalARN": "acs:ram::1:*"}}"#,
        r#"{"IpAddress": {"acs:SourceIp": "192.0.2.0/25"}, "NotIpAddress": {"acs:SourceIp": "192.0.2.0/24"}}"#,
        r#"{"DateEquals": {"acs:CurrentTime": "2026-01-01T00:00:00Z"}, "DateNotEquals": {"acs:CurrentTime": "2026-01-01T00:00:00Z"}}"#,
    ] {
        fires(Identity, &[READ, &cond(c)], "RG405", Severity::Warning, 1);
    }
    for c in [
        r#"{"DateGreaterThan": {"acs:CurrentTime": "2025-01-01T00:00:00Z"}, "DateLessThan": {"acs:CurrentTime": "2026-01-01T00:00:00Z"}}"#,
        r#"{"NumericLessThanEquals": {"ecs:Count": "5"}, "NumericGreaterThanEquals": {"ecs:Count": "5"}}"#,
        r#"{"NumericLessThan": {"ecs:Count": ["1", "10"]}, "NumericGreaterThan": {"ecs:Count": "5"}}"#,
        r#"{"NumericLessThan": {"ecs:Count": "5"}, "NumericGreaterThan": {"ecs:Other": "10"}}"#,
        r#"{"StringEquals": {"acs:SourceVpc": ["vpc-1", "vpc-2"]}, "StringNotEquals": {"acs:SourceVpc": "vpc-1"}}"#,
        r#"{"StringEquals": {"acs:TagKeys": "a"}, "StringNotEquals": {"acs:TagKeys": "a"}}"#,
        r#"{"StringEqualsIgnoreCase": {"acs:SourceVpc": "VPC-1"}, "StringNotEquals": {"acs:SourceVpc": "vpc-1"}}"#,
        r#"{"IpAddress": {"acs:SourceIp": "192.0.2.0/23"}, "NotIpAddress": {"acs:SourceIp": "192.0.2.0/24"}}"#,
        r#"{"NumericLessThan": {"ecs:Count": "x"}, "NumericGreaterThan": {"ecs:Count": "10"}}"#,
    ] {
        silent(Identity, &[&cond(c)], "RG405");
    }
}

// ---- robustness ----

#[test]
fn broken_documents_never_panic() {
    let docs = [
        "",
        "{}",
        "[]",
        r#"{"Version": "1", "Statement": [{}]}"#,
        r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": [], "Resource": []}]}"#,
        r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": ":", "Resource": "acs:"}]}"#,
        r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "dbs:", "Resource": "::::::"}]}"#,
        r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "dbs:é*?", "Resource": "acs:dbs:é:*:backupplan/é"}]}"#,
        r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Principal": 7, "Condition": {"DateLessThan": {"acs:CurrentTime": []}, "Bool": {"acs:x": null}}}]}"#,
        r#"{"Version": "1", "Statement": [{"Effect": "Deny", "NotAction": "*", "NotResource": "*", "Condition": {"StringEquals": {"acs:ResourceTag/": ["", "*"]}}}]}"#,
    ];
    for d in docs {
        for kind in [Identity, Control, Session, Trust] {
            let _ = lint(d, kind);
        }
    }
}

#[test]
fn access_level_rules() {
    let all = r#""*""#;
    fires(
        Identity,
        &[&allow(r#""*:Delete*""#, all)],
        "RG120",
        Severity::Warning,
        0,
    );
    fires(
        Identity,
        &[&allow(r#""oss:DeleteObject""#, r#""acs:oss:*:*:*""#)],
        "RG120",
        Severity::Warning,
        0,
    );
    silent(
        Identity,
        &[&allow(r#""oss:DeleteObject""#, r#""acs:oss:*:*:logs/*""#)],
        "RG120",
    );
    silent(Identity, &[&allow(r#""ecs:Describe*""#, all)], "RG120");
    silent(Identity, &[&allow(r#""*:Describe*""#, all)], "RG120");
    silent(Identity, &[&allow(r#""ram:DeleteRole""#, all)], "RG120");
    // RG101 and RG105 speak for these.
    silent(Identity, &[&allow(r#""ecs:*""#, all)], "RG120");
    silent(
        Identity,
        &[&allow(r#""dbs:ReleaseBackupPlan""#, all)],
        "RG120",
    );
    silent(
        Identity,
        &[&with_condition(
            r#""ecs:DeleteInstance""#,
            all,
            r#"{"Bool": {"acs:MFAPresent": "true"}}"#,
        )],
        "RG120",
    );
    silent(Control, &[&allow(r#""ecs:Delete*""#, all)], "RG120");
    let m = messages(Identity, &[&allow(r#""ecs:Delete*""#, all)], "RG120");
    assert!(
        m[0].contains("`ecs:DeleteInstance`") || m[0].contains("more"),
        "{m:?}"
    );

    fires(
        Identity,
        &[&allow(r#""ram:*Policy*""#, all)],
        "RG104",
        Severity::Error,
        0,
    );
    silent(Identity, &[&allow(r#""ram:*Policy*""#, all)], "RG121");
    fires(
        Identity,
        &[&allow(r#""ram:Delete*""#, all)],
        "RG121",
        Severity::Warning,
        0,
    );
    fires(
        Identity,
        &[&allow(
            r#""ram:DetachPolicyFromRole""#,
            r#""acs:ram:*:*:role/*""#,
        )],
        "RG121",
        Severity::Warning,
        0,
    );
    silent(
        Identity,
        &[&allow(
            r#""ram:DetachPolicyFromRole""#,
            r#""acs:ram:*:*:role/app-1""#,
        )],
        "RG121",
    );
    silent(Identity, &[&allow(r#""ram:Get*""#, all)], "RG121");

    fires(
        Identity,
        &[&allow(r#""oss:Get*""#, all)],
        "RG122",
        Severity::Warning,
        0,
    );
    fires(
        Identity,
        &[&allow(r#""kms:Decrypt""#, r#""acs:kms:*:*:*""#)],
        "RG122",
        Severity::Warning,
        0,
    );
    silent(
        Identity,
        &[&allow(r#""kms:Decrypt""#, r#""acs:kms:*:*:key/k-1""#)],
        "RG122",
    );
    silent(Identity, &[&allow(r#""oss:GetBucketInfo""#, all)], "RG122");
    silent(Identity, &[&allow(r#""*""#, all)], "RG122");
}

#[test]
fn resource_types() {
    let rds = r#""rds:DescribeDBInstanceAttribute""#;
    fires(
        Identity,
        &[&allow(rds, r#""acs:rds:*:*:dbinstances/rm-1""#)],
        "RG207",
        Severity::Warning,
        0,
    );
    let m = messages(
        Identity,
        &[&allow(rds, r#""acs:rds:*:*:dbinstances/rm-1""#)],
        "RG207",
    );
    assert!(m[0].contains("`dbinstances`"), "{m:?}");
    for ok in [
        r#""acs:rds:*:*:dbinstance/rm-1""#,
        r#""acs:rds:*:*:*""#,
        r#""acs:rds:*:*:db*""#,
        r#""acs:oss:*:*:anybucket/x""#,
        r#""acs:ecs:*:*:whatever/x""#,
        r#""*""#,
    ] {
        silent(Identity, &[&allow(rds, ok)], "RG207");
    }
    fires(
        Identity,
        &[&allow(r#""ram:GetUser""#, r#""acs:ram::123:users/bob""#)],
        "RG207",
        Severity::Warning,
        0,
    );
    silent(
        Identity,
        &[&allow(r#""ram:GetUser""#, r#""acs:ram::123:user/bob""#)],
        "RG207",
    );
    // Types none of the statement's actions is authorized on.
    let sg = r#""ecs:AuthorizeSecurityGroup""#;
    fires(
        Identity,
        &[&allow(sg, r#""acs:ecs:*:*:instance/*""#)],
        "RG207",
        Severity::Warning,
        0,
    );
    silent(
        Identity,
        &[&allow(sg, r#""acs:ecs:*:*:securitygroup/*""#)],
        "RG207",
    );
    let both = r#"["ecs:AuthorizeSecurityGroup", "ecs:AttachKeyPair"]"#;
    silent(
        Identity,
        &[&allow(both, r#""acs:ecs:*:*:instance/*""#)],
        "RG207",
    );
    // An action whose types are not recorded makes the statement unknown.
    let mixed = r#"["ecs:AuthorizeSecurityGroup", "ecs:RunInstances"]"#;
    silent(
        Identity,
        &[&allow(mixed, r#""acs:ecs:*:*:instance/*""#)],
        "RG207",
    );
    // The help names the types the actions are authorized on.
    let m = messages(
        Identity,
        &[&allow(sg, r#""acs:ecs:*:*:instance/*""#)],
        "RG207",
    );
    assert!(m[0].contains("authorized on `ecs` securitygroup"), "{m:?}");
}

#[test]
fn resource_types_per_action() {
    // (action, resource, reported): RG207 warns when none of the statement's actions is
    // authorized on the resource's type, and never on an assumed type.
    let cases = [
        // SLB (legacy per-API table): an ACL operation on a load balancer grants nothing.
        (
            "slb:DeleteAccessControlList",
            "acs:slb:*:*:loadbalancer/lb-1",
            true,
        ),
        (
            "slb:DeleteAccessControlList",
            "acs:slb:*:*:acl/acl-1",
            false,
        ),
        // A listener operation takes an AclId: assumed to authorize on acl.
        (
            "slb:SetLoadBalancerHTTPListenerAttribute",
            "acs:slb:*:*:acl/acl-1",
            false,
        ),
        (
            "slb:SetLoadBalancerHTTPListenerAttribute",
            "acs:slb:*:*:loadbalancer/lb-1",
            false,
        ),
        (
            "slb:SetLoadBalancerHTTPListenerAttribute",
            "acs:slb:*:*:certificate/c-1",
            true,
        ),
        // ECS: ReplaceSystemDisk takes a KeyPairName (assumed).
        ("ecs:ReplaceSystemDisk", "acs:ecs:*:*:keypair/kp", false),
        (
            "ecs:ReplaceSystemDisk",
            "acs:ecs:*:*:securitygroup/sg-1",
            true,
        ),
        // KMS: Encrypt accepts an alias as its key (assumed), not a secret.
        ("kms:Encrypt", "acs:kms:*:*:alias/a", false),
        ("kms:Encrypt", "acs:kms:*:*:key/k-1", false),
        ("kms:Encrypt", "acs:kms:*:*:secret/s", true),
        // RAM: the closed type list knows virtual MFA devices (once called an unknown type).
        ("ram:CreateVirtualMFADevice", "acs:ram::123:mfa/*", false),
        ("ram:CreateVirtualMFADevice", "acs:ram::123:user/bob", true),
        ("ram:AttachPolicyToRole", "acs:ram::123:role/r", false),
        (
            "ram:AttachPolicyToRole",
            "acs:ram:*:system:policy/AliyunOSSFullAccess",
            false,
        ),
        ("ram:AttachPolicyToRole", "acs:ram::123:group/g", true),
        // KMS network rules are `network/` (the API's own ARN): not an unknown type.
        (
            "kms:DescribeNetworkRule",
            "acs:kms:*:*:network/rule-1",
            false,
        ),
    ];
    for (action, resource, reported) in cases {
        let statement = allow(&format!("\"{action}\""), &format!("\"{resource}\""));
        if reported {
            fires(Identity, &[&statement], "RG207", Severity::Warning, 0);
        } else {
            silent(Identity, &[&statement], "RG207");
        }
    }
}
