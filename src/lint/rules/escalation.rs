//! RG104 `privilege-escalation`: actions that let a principal give itself more power, granted
//! on every user, group, role or policy.

use super::common::{
    actions, allow_all, broad_for_service, grants, is_allow, list, may_match_service,
};
use crate::lint::{Diagnostic, RuleContext};
use crate::policy::pattern::glob_match_ignore_ascii_case;
use crate::policy::Statement;

/// Actions that change who holds which permissions, or mint credentials for another identity.
/// Each one on every resource lets its holder reach any permission of the account.
pub const ESCALATION_ACTIONS: &[&str] = &[
    "ram:AttachPolicyToUser",
    "ram:AttachPolicyToGroup",
    "ram:AttachPolicyToRole",
    "ram:CreatePolicyVersion",
    "ram:SetDefaultPolicyVersion",
    "ram:UpdateRole",
    "ram:AddUserToGroup",
    "ram:PassRole",
    "sts:AssumeRole",
    "ram:CreateAccessKey",
    "ram:CreateLoginProfile",
    "ram:UpdateLoginProfile",
];

/// The action pattern matches at least one escalation action.
pub fn matches_escalation(pattern: &str) -> bool {
    escalation_service(pattern)
        && ESCALATION_ACTIONS
            .iter()
            .any(|e| glob_match_ignore_ascii_case(pattern, e))
}

/// The pattern may match a `ram` or `sts` action (cheap filter).
fn escalation_service(pattern: &str) -> bool {
    may_match_service(pattern, "ram") || may_match_service(pattern, "sts")
}

rule!(
    PRIVILEGE_ESCALATION, "RG104", "privilege-escalation", Security, Error, Identity, check,
    summary: "Reports an `Allow` of actions that change permissions or create credentials (`ram:AttachPolicyToUser`, `ram:CreatePolicyVersion`, `ram:UpdateRole`, `ram:PassRole`, `sts:AssumeRole`, `ram:CreateAccessKey`, `ram:CreateLoginProfile`, ...) on every user, role, group or policy, also through wildcards such as `ram:Attach*`, `ram:*` or `*:AssumeRole`.",
    why: "Whoever may attach any policy, edit any policy version, rewrite any role's trust policy, assume any role, or create an AccessKey or console password for any user can give themselves every permission of the account. Such grants must name the specific resources, and usually belong to administrators only.",
    example: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": ["ram:Attach*", "ram:Get*"], "Resource": "*"}
  ]
}
"#,
    instead: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "ram:Get*", "Resource": "*"},
    {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "acs:ram::1234567890123456:role/dbs-backup-runner"}
  ]
}
"#,
);

fn check(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    if !grants(cx.policy.kind) {
        return;
    }
    for st in cx.policy.statements.iter().filter(|s| is_allow(s)) {
        let relevant = st.action.negated || st.action.iter().any(escalation_service);
        // Every action on every resource is RG100's finding; one report is enough.
        if !relevant || allow_all(st).is_some() || !broad(st) {
            continue;
        }
        if let Some(values) = actions(st) {
            for action in values.iter().filter(|a| escalation_service(&a.value)) {
                let matched: Vec<&str> = ESCALATION_ACTIONS
                    .iter()
                    .copied()
                    .filter(|e| glob_match_ignore_ascii_case(&action.value, e))
                    .collect();
                if matched.is_empty() {
                    continue;
                }
                let what = if matched.len() == 1
                    && matched
                        .first()
                        .is_some_and(|m| m.eq_ignore_ascii_case(&action.value))
                {
                    format!(
                        "`{}` on every resource allows privilege escalation",
                        action.value
                    )
                } else {
                    format!(
                        "`{}` on every resource allows privilege escalation through {}",
                        action.value,
                        list(&matched, 4)
                    )
                };
                out.push(
                    Diagnostic::new(&PRIVILEGE_ESCALATION, action.span, what)
                        .help("name the specific users, groups, roles or policies in `Resource`, and keep these actions for administrators"),
                );
            }
        } else {
            // `NotAction`: every escalation action not excluded is granted.
            let excluded = |e: &str| st.action.iter().any(|n| glob_match_ignore_ascii_case(n, e));
            let matched: Vec<&str> = ESCALATION_ACTIONS
                .iter()
                .copied()
                .filter(|e| !excluded(e))
                .collect();
            if !matched.is_empty() {
                out.push(
                    Diagnostic::new(
                        &PRIVILEGE_ESCALATION,
                        st.action.key_span,
                        format!(
                            "`NotAction` on every resource allows privilege escalation through {}",
                            list(&matched, 4)
                        ),
                    )
                    .help("list the allowed actions in `Action` instead"),
                );
            }
        }
    }
}

/// The statement's resources reach every user, role, group or policy (RAM ARNs carry the
/// service `ram`, also for `sts:AssumeRole`), or it uses `NotResource`.
fn broad(st: &Statement) -> bool {
    match &st.resource {
        Some(r) if r.negated => true,
        Some(r) => r.iter().any(|v| broad_for_service(v, "ram")),
        None => false,
    }
}
