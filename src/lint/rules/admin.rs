//! RG100 `allow-all` and RG101 `service-wildcard`: grants of everything, or of a whole
//! service, on every resource.

use super::common::{actions, allow_all, covers_service, grants, is_allow, service_wildcard};
use super::escalation::matches_escalation;
use crate::lint::{Diagnostic, RuleContext};

rule!(
    ALLOW_ALL, "RG100", "allow-all", Security, Error, Identity, check_allow_all,
    summary: "Reports an `Allow` of every action (`*`) on every resource (`*`) in an identity policy. In a session policy, which can only narrow the role's permissions, it restricts nothing and is an info; in a control policy it is the system policy `FullAliyunAccess` and is not reported.",
    why: "Such a statement grants full administrator access: every current and future action of every service, including managing RAM itself. A condition only narrows when it applies. Administrator access should come from the system policy `AdministratorAccess`, attached deliberately, not from a custom policy that is reviewed as something else.",
    example: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "*", "Resource": "*"}
  ]
}
"#,
    instead: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": ["dbs:Describe*", "dbs:StartBackupPlan"], "Resource": "*"}
  ]
}
"#,
);

fn check_allow_all(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    // A control policy allowing everything is the system policy `FullAliyunAccess`: it bounds
    // nothing, as intended. A session policy can only narrow the role's permissions, so there
    // `*` on `*` restricts nothing and grants nothing: an info, not an admin grant.
    if !grants(cx.policy.kind) {
        return;
    }
    let session = cx.policy.kind == crate::policy::PolicyKind::Session;
    for st in &cx.policy.statements {
        if let Some((action, resource)) = allow_all(st) {
            let d = if session {
                let mut d = Diagnostic::new(
                    &ALLOW_ALL,
                    action.span,
                    format!(
                        "`{}` on `{}` in a session policy restricts nothing: the session keeps every permission of the role",
                        action.value, resource.value
                    ),
                )
                .help("list what the session needs, to narrow it below the role's permissions; or pass no session policy");
                d.severity = crate::lint::Severity::Info;
                d
            } else {
                Diagnostic::new(
                    &ALLOW_ALL,
                    action.span,
                    format!(
                        "this statement grants full administrator access: `{}` on `{}` allows every action on every resource",
                        action.value, resource.value
                    ),
                )
                .help("list the actions and resources this principal needs; attach the system policy `AdministratorAccess` where full access is really meant")
            };
            out.push(d.label(resource.span, "on every resource"));
        }
    }
}

rule!(
    SERVICE_WILDCARD, "RG101", "service-wildcard", Security, Warning, Identity, check_service_wildcard,
    summary: "Reports an `Allow` of every action of one service (`dbs:*`) on every resource of that service: one finding per statement, listing the services. `ram:*` and `sts:*` are reported by RG104 `privilege-escalation` instead.",
    why: "`<service>:*` grants every operation of the service, including destructive ones and ones added later, so the policy grows without review. Least privilege lists the actions needed, or uses an access-level wildcard such as `dbs:Describe*`.",
    example: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "dbs:*", "Resource": "*"}
  ]
}
"#,
    instead: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": ["dbs:Describe*", "dbs:StartBackupPlan", "dbs:StopBackupPlan"], "Resource": "*"}
  ]
}
"#,
);

fn check_service_wildcard(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    if !grants(cx.policy.kind) {
        return;
    }
    for st in &cx.policy.statements {
        let Some(values) = actions(st).filter(|_| is_allow(st)) else {
            continue;
        };
        // One finding per statement, listing every service it grants whole.
        let mut hits: Vec<(&crate::source::Spanned<String>, &str, &str)> = Vec::new();
        for action in values {
            let Some(svc) = service_wildcard(&action.value) else {
                continue;
            };
            if let Some(resource) = reported_resource(st, &action.value, svc) {
                hits.push((action, svc, resource));
            }
        }
        let Some(&(first, svc, resource)) = hits.first() else {
            continue;
        };
        let mut d = if hits.len() == 1 {
            Diagnostic::new(
                &SERVICE_WILDCARD,
                first.span,
                format!(
                    "`{}` grants every `{svc}` action, including ones added later, on `{resource}`",
                    first.value
                ),
            )
            .help(format!(
                "list the `{svc}` actions this principal needs, or use an access-level wildcard such as `{svc}:Describe*`"
            ))
        } else {
            let names: Vec<String> = hits
                .iter()
                .map(|(a, _, _)| format!("`{}`", a.value))
                .collect();
            Diagnostic::new(
                &SERVICE_WILDCARD,
                first.span,
                format!(
                    "this statement grants every action, including ones added later, of {} services: {}",
                    hits.len(),
                    names.join(", ")
                ),
            )
            .help("list the actions this principal needs, or use access-level wildcards such as `ecs:Describe*`")
        };
        for (a, _, _) in hits.iter().skip(1) {
            d = d.label(a.span, "also a whole service");
        }
        out.push(d);
    }
}

/// The resource through which RG101 reports the service wildcard `action` of `svc`, if it
/// does: some resource covers the whole service, and RG104 does not own the action.
pub fn reported_resource<'a>(
    st: &'a crate::policy::Statement,
    action: &str,
    svc: &str,
) -> Option<&'a str> {
    if matches_escalation(action) {
        return None;
    }
    super::common::resources(st)?
        .iter()
        .find(|r| covers_service(&r.value, svc))
        .map(|r| r.value.as_str())
}
