//! RG203 `resource-never-matches` and RG204 `all-resources-only`: statements whose
//! `Resource` can never match where a catalogued operation is authorized.
//!
//! "Can match" is decided exactly: a resource pattern and an ARN template can match when some
//! concrete ARN matches both, with the template's variables read as one ARN field or path
//! segment (never holding `:` or `/`). All Resources operations are authorized on the request
//! resource `*`, so only a pattern that matches the string `*` grants them. Operations whose
//! resources the catalogue does not know are never reported.

use super::common::{
    index, lookup, matching_ops, resources, targets_text, verb, Grantability, Lookup, Target,
};
use crate::lint::{Diagnostic, RuleContext};
use crate::policy::PolicyKind;
use crate::source::Spanned;

rule!(
    RESOURCE_NEVER_MATCHES, "RG203", "resource-never-matches", Catalog, Warning, Identity, check_never,
    summary: "Reports a catalogued action (or every operation a wildcard action matches) that the statement's `Resource` list can never match, given the ARN templates the operation is authorized on: `dbs:StartBackupPlan` on `acs:dbs:*:*:instance/*`.",
    why: "RAM compares the request's resource ARN with `Resource`; if no ARN of the operation's resource type can match, the statement never grants (or denies) that action, and the call fails with `Request.Forbidden`, or the protection a `Deny` seems to give is not there. A wildcard action is reported only when none of the operations it matches can be granted, because resource patterns of other services are legitimately mixed (AliyunRDSReadOnlyAccess grants `dbs:Describe*` on `acs:rds:*:*:*`).",
    example: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "dbs:StartBackupPlan", "Resource": "acs:dbs:*:*:instance/*"}
  ]
}
"#,
    instead: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "dbs:StartBackupPlan", "Resource": "acs:dbs:*:*:backupplan/*"}
  ]
}
"#,
);

rule!(
    ALL_RESOURCES_ONLY, "RG204", "all-resources-only", Catalog, Warning, Identity, check_all_only,
    summary: "Reports an operation that RAM authorizes on all resources only (`dbs:DescribeRegions`, `dbs:CreateBackupPlan`) given resource-level ARNs that do not match `*`.",
    why: "For operations without resource-level authorization RAM checks the request against the resource `*`; a statement listing only specific ARNs therefore never grants them, however broad the ARNs are.",
    example: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "dbs:DescribeRegions", "Resource": "acs:dbs:*:*:backupplan/dbsqdss5tmh1"}
  ]
}
"#,
    instead: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "dbs:DescribeRegions", "Resource": "*"}
  ]
}
"#,
);

fn check_never(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    check(cx, out, false);
}

fn check_all_only(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    check(cx, out, true);
}

/// Both rules share the walk; `all_only` picks which of the two reports.
fn check(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>, all_only: bool) {
    if cx.policy.kind == PolicyKind::Trust {
        return;
    }
    for st in &cx.policy.statements {
        if st.action.negated {
            continue;
        }
        let (Some(res), Some(element)) = (resources(st), st.resource.as_ref()) else {
            continue;
        };
        // Built on the first catalogued action: most statements have none.
        let mut grant = None;
        for action in &st.action.values {
            match lookup(&action.value) {
                Lookup::Found(op) => {
                    let Some(targets) = &op.targets else { continue };
                    if grant.get_or_insert_with(|| Grantability::new(res)).can(op) {
                        continue;
                    }
                    let is_all_only = targets.iter().all(|t| *t == Target::All);
                    if is_all_only != all_only {
                        continue;
                    }
                    let d = if is_all_only {
                        Diagnostic::new(
                            &ALL_RESOURCES_ONLY,
                            action.span,
                            format!(
                                "this statement can never {} `{}`: RAM authorizes it on all resources (`*`) only, and {}",
                                verb(st),
                                action.value,
                                cannot_match(res, "`*`")
                            ),
                        )
                        .help(format!(
                            "move `{}` to a statement with `\"Resource\": \"*\"`",
                            op.action()
                        ))
                    } else {
                        Diagnostic::new(
                            &RESOURCE_NEVER_MATCHES,
                            action.span,
                            format!(
                                "this statement can never {} `{}`: {}",
                                verb(st),
                                action.value,
                                cannot_match(res, &targets_text(op))
                            ),
                        )
                        .maybe_help(example_for(targets).map(|g| {
                            format!("`{}` is authorized on resources such as `{g}`", op.action())
                        }))
                    };
                    out.push(d.label(element.span, "the statement's resources"));
                }
                Lookup::Wildcard if !all_only => {
                    let mut any = false;
                    let mut grantable = false;
                    let grant = grant.get_or_insert_with(|| Grantability::new(res));
                    for op in matching_ops(&action.value) {
                        any = true;
                        if grant.can(op) {
                            grantable = true;
                            break;
                        }
                    }
                    if any && !grantable {
                        out.push(
                            Diagnostic::new(
                                &RESOURCE_NEVER_MATCHES,
                                action.span,
                                format!(
                                    "this statement can never {} any operation `{}` matches: {}",
                                    verb(st),
                                    action.value,
                                    cannot_match(res, "the resources they are authorized on")
                                ),
                            )
                            .label(element.span, "the statement's resources")
                            .help("check the resource type and service in `Resource`; operations without resource-level authorization need `\"Resource\": \"*\"`"),
                        );
                    }
                }
                _ => {}
            }
        }
    }
}

/// "`acs:dbs:*:*:instance/*` cannot match X", or "none of its 3 resources can match X".
fn cannot_match(res: &[Spanned<String>], what: &str) -> String {
    match res {
        [one] => format!("`{}` cannot match {what}", one.value),
        _ => format!("none of its {} resources can match {what}", res.len()),
    }
}

/// A resource pattern that would match the first template: the template with `*` for every
/// variable.
fn example_for(targets: &[Target]) -> Option<&'static str> {
    targets.iter().find_map(|t| match *t {
        Target::Template(at) => index().templates.get(at).map(|x| x.glob.as_str()),
        Target::All => None,
    })
}
