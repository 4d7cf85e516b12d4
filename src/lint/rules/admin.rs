//! RG100 `allow-all` and RG101 `service-wildcard`: grants of everything, or of a whole
//! service, on every resource.

use super::common::{actions, allow_all, covers_service, grants, is_allow, service_wildcard};
use super::escalation::matches_escalation;
use crate::lint::{Diagnostic, RuleContext};

rule!(
    ALLOW_ALL, "RG100", "allow-all", Security, Error, Identity, check_allow_all,
    summary: "Reports an `Allow` of every action (`*`) on every resource (`*`) in an identity or session policy.",
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
    if !grants(cx.policy.kind) {
        return;
    }
    for st in &cx.policy.statements {
        if let Some((action, resource)) = allow_all(st) {
            out.push(
                Diagnostic::new(
                    &ALLOW_ALL,
                    action.span,
                    format!(
                        "this statement grants full administrator access: `{}` on `{}` allows every action on every resource",
                        action.value, resource.value
                    ),
                )
                .label(resource.span, "on every resource")
                .help("list the actions and resources this principal needs; attach the system policy `AdministratorAccess` where full access is really meant"),
            );
        }
    }
}

rule!(
    SERVICE_WILDCARD, "RG101", "service-wildcard", Security, Warning, Identity, check_service_wildcard,
    summary: "Reports an `Allow` of every action of one service (`dbs:*`) on every resource of that service. `ram:*` and `sts:*` are reported by RG104 `privilege-escalation` instead, as errors.",
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
        for action in values {
            let Some(svc) = service_wildcard(&action.value) else {
                continue;
            };
            if let Some(resource) = reported_resource(st, &action.value, svc) {
                out.push(
                    Diagnostic::new(
                        &SERVICE_WILDCARD,
                        action.span,
                        format!(
                            "`{}` grants every `{svc}` action, including ones added later, on `{}`",
                            action.value, resource
                        ),
                    )
                    .help(format!(
                        "list the `{svc}` actions this principal needs, or use an access-level wildcard such as `{svc}:Describe*`"
                    )),
                );
            }
        }
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
