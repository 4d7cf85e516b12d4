//! RG104 `privilege-escalation`: actions that let a principal give itself more power, granted
//! on every user, group, role or policy.

use super::common::{
    actions, allow_all, broad_for_service, covers_service, grants, is_allow, list,
    may_match_service,
};
use crate::lint::{Diagnostic, RuleContext, Severity};
use crate::policy::pattern::glob_match_ignore_ascii_case;
use crate::policy::{Family, Statement};

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
    summary: "Reports an `Allow` of actions that change permissions or create credentials (`ram:AttachPolicyToUser`, `ram:CreatePolicyVersion`, `ram:UpdateRole`, `ram:PassRole`, `sts:AssumeRole`, `ram:CreateAccessKey`, `ram:CreateLoginProfile`, ...) on every user, role, group or policy they work through, also through wildcards such as `ram:Attach*`, `ram:*` or `*:AssumeRole`, and `ram:CreateUser` with an attach or credential action on a user name wildcard (`user/ci-*`). An error when unconditional; a warning under a condition, for `ram:PassRole` limited by `StringEquals` on `acs:Service` (the services are named), and for `sts:AssumeRole` alone (each role's trust policy still decides)",
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

/// The RAM resource types through which each escalation action works: a grant on other types
/// (a policy, for `ram:AttachPolicyToRole`) is not enough alone.
fn targets(action: &str) -> &'static [&'static str] {
    match action {
        "ram:AttachPolicyToUser"
        | "ram:CreateAccessKey"
        | "ram:CreateLoginProfile"
        | "ram:UpdateLoginProfile" => &["user"],
        "ram:AttachPolicyToGroup" | "ram:AddUserToGroup" => &["group"],
        "ram:CreatePolicyVersion" | "ram:SetDefaultPolicyVersion" => &["policy"],
        _ => &["role"],
    }
}

/// The type part of a RAM ARN's relative ID (`role` of `acs:ram:*:*:role/*`).
fn resource_type(v: &str) -> Option<&str> {
    let relative = crate::policy::arn::relative(v)?;
    Some(relative.split('/').next().unwrap_or(relative))
}

/// What a statement's resources reach of RAM: everything (`*`, `acs:ram:*:*:*`, or
/// `NotResource`), or every resource of some types (`role` of `acs:ram:*:*:role/*`).
struct Reach<'a> {
    all: bool,
    types: Vec<&'a str>,
}

impl<'a> Reach<'a> {
    fn of(st: &'a Statement) -> Reach<'a> {
        let mut reach = Reach {
            all: false,
            types: Vec::new(),
        };
        match &st.resource {
            Some(r) if r.negated => reach.all = true,
            Some(r) => {
                for v in r.iter() {
                    if covers_service(v, "ram") {
                        reach.all = true;
                    } else if broad_for_service(v, "ram") {
                        reach.types.extend(resource_type(v));
                    }
                }
            }
            None => {}
        }
        reach
    }

    /// Every resource `action` works through is reached.
    fn covers(&self, action: &str) -> bool {
        self.all
            || self.types.iter().any(|t| {
                targets(action)
                    .iter()
                    .any(|want| glob_match_ignore_ascii_case(t, want))
            })
    }
}

/// The statement's resources reach every user, role, group or policy (RAM ARNs carry the
/// service `ram`, also for `sts:AssumeRole`), or it uses `NotResource`: the cheap test before
/// [`broad_for`] looks at each action's own resource types.
fn broad(st: &Statement) -> bool {
    match &st.resource {
        Some(r) if r.negated => true,
        Some(r) => r.iter().any(|v| broad_for_service(v, "ram")),
        None => false,
    }
}

/// The services a statement's `StringEquals`/`StringLike` on `acs:Service` limits it to.
fn passed_to_services(st: &Statement) -> Vec<&str> {
    st.conditions
        .iter()
        .filter(|c| {
            c.set.is_none()
                && !c.operator.is_negated()
                && matches!(c.operator.family(), Family::String | Family::StringLike)
                && c.key.eq_ignore_ascii_case("acs:Service")
        })
        .flat_map(|c| c.values.iter().map(|v| v.value.as_str()))
        .collect()
}

fn check(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    if !grants(cx.policy.kind) {
        return;
    }
    for st in cx.policy.statements.iter().filter(|s| is_allow(s)) {
        let relevant = st.action.negated || st.action.iter().any(escalation_service);
        if !relevant {
            continue;
        }
        name_wildcard(st, out);
        // Every action on every resource is RG100's finding; one report is enough. A statement
        // whose resources reach no whole type of RAM resource cannot escalate this way.
        if allow_all(st).is_some() || !broad(st) {
            continue;
        }
        let reach = Reach::of(st);
        let reached = |e: &&str| reach.covers(e);
        if let Some(values) = actions(st) {
            for action in values.iter().filter(|a| escalation_service(&a.value)) {
                let matched: Vec<&str> = ESCALATION_ACTIONS
                    .iter()
                    .copied()
                    .filter(|e| glob_match_ignore_ascii_case(&action.value, e))
                    .filter(reached)
                    .collect();
                if matched.is_empty() {
                    continue;
                }
                let exact = matched.len() == 1
                    && matched
                        .first()
                        .is_some_and(|m| m.eq_ignore_ascii_case(&action.value));
                let what = if exact {
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
                out.push(graded(
                    st,
                    &matched,
                    Diagnostic::new(&PRIVILEGE_ESCALATION, action.span, what)
                        .help("name the specific users, groups, roles or policies in `Resource`, and keep these actions for administrators"),
                ));
            }
        } else {
            // `NotAction`: every escalation action not excluded is granted.
            let excluded = |e: &str| st.action.iter().any(|n| glob_match_ignore_ascii_case(n, e));
            let matched: Vec<&str> = ESCALATION_ACTIONS
                .iter()
                .copied()
                .filter(|e| !excluded(e))
                .filter(reached)
                .collect();
            if !matched.is_empty() {
                out.push(graded(
                    st,
                    &matched,
                    Diagnostic::new(
                        &PRIVILEGE_ESCALATION,
                        st.action.key_span,
                        format!(
                            "`NotAction` on every resource allows privilege escalation through {}",
                            list(&matched, 4)
                        ),
                    )
                    .help("list the allowed actions in `Action` instead"),
                ));
            }
        }
    }
}

/// Severity follows certainty: an error for an unconditional grant; a warning where the
/// statement is scoped by a condition, where `ram:PassRole` is limited to named services
/// (`StringEquals acs:Service`), or where `sts:AssumeRole` is all (each role's trust policy
/// still decides who may assume it, as in the system policy `AliyunSTSAssumeRoleAccess`).
fn graded(st: &Statement, matched: &[&str], mut d: Diagnostic) -> Diagnostic {
    let services = passed_to_services(st);
    let only = |a: &str| matched.iter().all(|m| m.eq_ignore_ascii_case(a));
    if only("ram:PassRole") && !services.is_empty() {
        let shown: Vec<String> = services.iter().map(|s| format!("`{s}`")).collect();
        d.message = format!(
            "`ram:PassRole` on every role, limited to passing roles to {}: those services can act with any role's permissions",
            shown.join(", ")
        );
        d.help = Some("name the roles these services need in `Resource`".to_string());
        d.severity = Severity::Warning;
    } else if only("sts:AssumeRole") {
        d.message = format!(
            "{}: every role whose trust policy trusts this account can be assumed",
            d.message
        );
        d.help = Some(
            "name the roles in `Resource`; each role's trust policy still decides who may assume it"
                .to_string(),
        );
        d.severity = Severity::Warning;
    } else if !st.conditions.is_empty() {
        d.message = format!(
            "{} (under a condition: check that it limits the targets)",
            d.message
        );
        d.severity = Severity::Warning;
    }
    d
}

/// `ram:*` on `user/ci-*`: whoever may create a user under the pattern and attach a policy to
/// it (or create its AccessKey or console password) gives that user any permission and signs
/// in as it.
fn name_wildcard(st: &Statement, out: &mut Vec<Diagnostic>) {
    const CREATE: &str = "ram:CreateUser";
    const THEN: &[&str] = &[
        "ram:AttachPolicyToUser",
        "ram:CreateAccessKey",
        "ram:CreateLoginProfile",
        "ram:UpdateLoginProfile",
    ];
    let grants_action = |a: &str| {
        if st.action.negated {
            !st.action.iter().any(|n| glob_match_ignore_ascii_case(n, a))
        } else {
            st.action.iter().any(|p| glob_match_ignore_ascii_case(p, a))
        }
    };
    if !grants_action(CREATE) {
        return;
    }
    let then: Vec<&str> = THEN.iter().copied().filter(|a| grants_action(a)).collect();
    if then.is_empty() {
        return;
    }
    let Some(resources) = super::common::resources(st) else {
        return;
    };
    for r in resources {
        let Some(name) =
            crate::policy::arn::relative(&r.value).and_then(|rel| rel.strip_prefix("user/"))
        else {
            continue;
        };
        if !name.contains('*') || name.chars().all(|c| c == '*') {
            continue;
        }
        out.push(
            Diagnostic::new(
                &PRIVILEGE_ESCALATION,
                r.span,
                format!(
                    "`{}` lets its holder create a user matching `{name}` and then use {} on it: privilege escalation through a name wildcard",
                    r.value,
                    list(&then, 4)
                ),
            )
            .help("grant `ram:CreateUser` and the attach/credential actions in separate statements, or on exact user names"),
        );
    }
}
