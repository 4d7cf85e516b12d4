//! RG102 `allow-not-action` and RG103 `allow-not-resource`: allow lists written as deny lists.

use super::common::{grants, is_allow};
use crate::lint::{Diagnostic, RuleContext};

rule!(
    ALLOW_NOT_ACTION, "RG102", "allow-not-action", Security, Warning, Identity, check_not_action,
    summary: "Reports `Allow` with `NotAction` in an identity or session policy.",
    why: "`Allow` with `NotAction` grants every action except the listed ones: every service, and every action RAM adds in the future, without anyone reviewing them. Grant the actions needed with `Action`, and remove exceptions with a `Deny` statement.",
    example: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "NotAction": "dbs:ReleaseBackupPlan", "Resource": "acs:dbs:*:*:backupplan/*"}
  ]
}
"#,
    instead: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": ["dbs:StartBackupPlan", "dbs:StopBackupPlan"], "Resource": "acs:dbs:*:*:backupplan/*"}
  ]
}
"#,
);

fn check_not_action(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    if !grants(cx.policy.kind) {
        return;
    }
    for st in cx.policy.statements.iter().filter(|s| is_allow(s)) {
        if st.action.negated {
            out.push(
                Diagnostic::new(
                    &ALLOW_NOT_ACTION,
                    st.action.key_span,
                    "`Allow` with `NotAction` grants every action not listed, in every service, including actions added later",
                )
                .label(st.effect.span, "this statement allows")
                .help("list the allowed actions in `Action`; put exceptions in a `Deny` statement"),
            );
        }
    }
}

rule!(
    ALLOW_NOT_RESOURCE, "RG103", "allow-not-resource", Security, Warning, Identity, check_not_resource,
    summary: "Reports `Allow` with `NotResource` in an identity or session policy.",
    why: "`Allow` with `NotResource` grants the actions on every resource except the listed ones: resources of other services, other accounts' resources that trust this account, and every resource created later. (RG019 reports that `NotResource` is not part of the current grammar at all.)",
    example: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "dbs:StopBackupPlan", "NotResource": "acs:dbs:*:*:backupplan/prod-*"}
  ]
}
"#,
    instead: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "dbs:StopBackupPlan", "Resource": "acs:dbs:*:*:backupplan/test-*"}
  ]
}
"#,
);

fn check_not_resource(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    if !grants(cx.policy.kind) {
        return;
    }
    for st in cx.policy.statements.iter().filter(|s| is_allow(s)) {
        if let Some(r) = st.resource.as_ref().filter(|r| r.negated) {
            out.push(
                Diagnostic::new(
                    &ALLOW_NOT_RESOURCE,
                    r.key_span,
                    "`Allow` with `NotResource` grants the actions on every resource not listed, including resources created later",
                )
                .label(st.effect.span, "this statement allows")
                .help("list the allowed resources in `Resource`; put exceptions in a `Deny` statement"),
            );
        }
    }
}
