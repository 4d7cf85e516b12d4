//! RG207 `unknown-resource-type`: a `Resource` ARN whose type is not one of its service's
//! resource types (`acs:rds:*:*:dbinstances/...`), for services whose type list is closed, or
//! whose type none of the statement's actions is authorized on, where the data records the
//! actions' types.

use crate::catalog::{self, lookup_action, suggest::did_you_mean, Action, ActionLookup, Service};
use crate::lint::{Diagnostic, RuleContext};
use crate::policy::Statement;

rule!(
    UNKNOWN_RESOURCE_TYPE, "RG207", "unknown-resource-type", Catalog, Warning, Identity, check,
    summary: "Reports a `Resource` ARN whose resource type does not exist for its service, such as `acs:rds:*:*:dbinstances/rm-1` (RDS names instances `dbinstance/`), for the services whose resource types are all known (`rds`, `ram`, `kms`, `log`); and one whose type none of the statement's actions is authorized on, where the catalogue records the actions' types (`ecs:AuthorizeSecurityGroup` on `acs:ecs:*:*:instance/*`).",
    why: "RAM compares ARNs as strings: an ARN with a misspelt type matches no resource, so the statement grants (or denies) nothing there, and RAM accepts the policy without a word. One of Alibaba's own deployed modules granted on `dbinstances/` for this reason.",
    example: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "rds:DescribeDBInstanceAttribute", "Resource": "acs:rds:*:*:dbinstances/rm-123"}
  ]
}
"#,
    instead: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "rds:DescribeDBInstanceAttribute", "Resource": "acs:rds:*:*:dbinstance/rm-123"}
  ]
}
"#,
);

fn check(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    for st in &cx.policy.statements {
        let Some(resource) = &st.resource else {
            continue;
        };
        let typed = typed_actions(st);
        for r in &resource.values {
            if let Some((actions, code, segment)) = typed
                .as_ref()
                .and_then(|(actions, code)| Some((actions, code, known_segment(&r.value, code)?)))
            {
                let authorized = actions.iter().any(|a| {
                    a.resource_types()
                        .unwrap_or_default()
                        .iter()
                        .any(|t| t.type_segment() == Some(segment))
                });
                if !authorized {
                    let names: Vec<String> = actions.iter().map(Action::to_string).collect();
                    let mut types: Vec<&str> = actions
                        .iter()
                        .flat_map(|a| a.resource_types().unwrap_or_default())
                        .map(|t| t.name)
                        .collect();
                    types.sort_unstable();
                    types.dedup();
                    out.push(
                        Diagnostic::new(
                            &UNKNOWN_RESOURCE_TYPE,
                            r.span,
                            format!(
                                "`{}` is a `{segment}`, which none of this statement's actions is authorized on",
                                r.value
                            ),
                        )
                        .help(format!(
                            "{} {} authorized on `{code}` {}; name {} in `Resource`",
                            names.join(", "),
                            if names.len() == 1 { "is" } else { "are" },
                            types.join(", "),
                            if types.len() == 1 { "that" } else { "those" }
                        )),
                    );
                }
                continue;
            }
            let Some((service, segment)) = closed_type(&r.value) else {
                continue;
            };
            if service
                .resource_types
                .iter()
                .filter_map(|t| t.type_segment())
                .any(|t| t == segment)
            {
                continue;
            }
            let mut names: Vec<&str> = service
                .resource_types
                .iter()
                .filter_map(|t| t.type_segment())
                .collect();
            names.dedup();
            let help = match did_you_mean(segment, names.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("`{}` resource types: {}", service.code, names.join(", ")),
            };
            out.push(
                Diagnostic::new(
                    &UNKNOWN_RESOURCE_TYPE,
                    r.span,
                    format!(
                        "`{}` names no `{}` resource: `{}` has no resource type `{segment}`",
                        r.value, service.code, service.code
                    ),
                )
                .help(help),
            );
        }
    }
}

/// The statement's actions when every one is a literal, catalogued action of one service
/// whose resource types the data records, with that service's code.
fn typed_actions(st: &Statement) -> Option<(Vec<Action>, &'static str)> {
    if st.action.negated || st.action.values.is_empty() {
        return None;
    }
    let mut actions = Vec::new();
    for v in &st.action.values {
        let ActionLookup::Found(a) = lookup_action(&v.value) else {
            return None;
        };
        a.resource_types()?;
        actions.push(a);
    }
    let code = actions.first()?.service().code;
    actions
        .iter()
        .all(|a| a.service().code == code)
        .then_some((actions, code))
}

/// The literal first segment of `arn` when its service is `code` and the segment names one of
/// the service's known resource types.
fn known_segment<'a>(arn: &'a str, code: &str) -> Option<&'a str> {
    let Some(["acs", svc, _, _, relative]) = crate::policy::arn::fields(arn) else {
        return None;
    };
    if svc != code {
        return None;
    }
    let segment = relative.split('/').next()?;
    if segment.contains(['*', '?']) {
        return None;
    }
    catalog::service(code)?
        .resource_types
        .iter()
        .any(|t| t.type_segment() == Some(segment))
        .then_some(segment)
}

/// For `acs:<svc>:<region>:<account>:<type>/...` with a literal service whose types are
/// closed: the service and the first segment of the relative ID.
fn closed_type(arn: &str) -> Option<(&'static Service, &str)> {
    let Some(["acs", code, _, _, relative]) = crate::policy::arn::fields(arn) else {
        return None;
    };
    if code.bytes().any(|b| b == b'*' || b == b'?') {
        return None;
    }
    // Resource ARNs are case-sensitive: `acs:RDS:` is another (non-existent) service.
    let service = catalog::service(code).filter(|s| s.code == code && s.types_closed)?;
    let segment = relative.split('/').next()?;
    // A wildcard can reach past the first `/` (`d*s/x` covers `dbinstance/abcs/x`).
    if segment.is_empty() || segment.contains(['*', '?']) {
        return None;
    }
    Some((service, segment))
}

#[cfg(test)]
mod tests {
    use super::closed_type;

    #[test]
    fn segments() {
        fn seg(a: &str) -> Option<&str> {
            closed_type(a).map(|(_, s)| s)
        }
        assert_eq!(seg("acs:rds:*:*:dbinstances/x"), Some("dbinstances"));
        assert_eq!(seg("acs:rds:*:*:dbinstance"), Some("dbinstance"));
        assert_eq!(seg("acs:rds:*:*:*"), None);
        assert_eq!(seg("acs:rds:*:*:db*"), None);
        assert_eq!(seg("acs:rds:*:*:d*s/x"), None);
        assert_eq!(seg("acs:RDS:*:*:dbinstances/x"), None);
        assert_eq!(seg("acs:oss:*:*:bucket/x"), None);
        assert_eq!(seg("acs:*:*:*:dbinstances/x"), None);
        assert_eq!(seg("*"), None);
    }
}
