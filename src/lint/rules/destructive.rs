//! RG105 `destructive-on-all-plans`: operations that stop or delete backups, allowed on every
//! backup plan with no condition.

use super::common::{
    actions, allow_all, grants, index, is_allow, list, matching_ops, resources, unconditional,
    CatalogOp, Target,
};
use crate::lint::{Diagnostic, RuleContext};
use crate::policy::pattern::{glob_match, pattern_covers};
use crate::source::Spanned;

rule!(
    DESTRUCTIVE_ON_ALL, "RG105", "destructive-on-all-plans", Security, Warning, Identity, check,
    summary: "Reports an unconditional `Allow` of destructive DBS operations (release, stop, delete or modify a backup plan, its strategy, objects or storage) on every backup plan, through literal actions or wildcards.",
    why: "One mistaken script or leaked AccessKey with this grant can stop or delete every backup of the account at once, exactly when backups are needed. Limit such operations to the plans the principal owns, or guard them with a condition (MFA, source network, principal).",
    example: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": ["dbs:ReleaseBackupPlan", "dbs:StopBackupPlan"], "Resource": "acs:dbs:*:*:backupplan/*"}
  ]
}
"#,
    instead: br#"{
  "Version": "1",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["dbs:ReleaseBackupPlan", "dbs:StopBackupPlan"],
      "Resource": "acs:dbs:*:*:backupplan/*",
      "Condition": {"Bool": {"acs:MFAPresent": "true"}}
    }
  ]
}
"#,
);

fn check(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    if !grants(cx.policy.kind) {
        return;
    }
    for st in &cx.policy.statements {
        if !is_allow(st) || !unconditional(st) || allow_all(st).is_some() {
            continue;
        }
        let (Some(values), Some(res)) = (actions(st), resources(st)) else {
            continue;
        };
        for action in values {
            let matched: Vec<&str> = matching_ops(&action.value)
                .filter(|o| o.op.is_destructive() && on_every_resource(o, res))
                .map(CatalogOp::action)
                .collect();
            if matched.is_empty() {
                continue;
            }
            let message = match matched.as_slice() {
                [one] if one.eq_ignore_ascii_case(&action.value) => format!(
                    "`{}` is destructive and allowed on every backup plan with no condition",
                    action.value
                ),
                _ => format!(
                    "`{}` allows destructive operations on every backup plan with no condition: {}",
                    action.value,
                    list(&matched, 4)
                ),
            };
            out.push(
                Diagnostic::new(&DESTRUCTIVE_ON_ALL, action.span, message)
                    .help("name the backup plans in `Resource`, or add a condition such as `\"Bool\": {\"acs:MFAPresent\": \"true\"}`"),
            );
        }
    }
}

/// Some resource covers every resource the operation can be authorized on: `*` for All
/// Resources operations (whose grant is always account-wide), the whole template otherwise.
fn on_every_resource(op: &CatalogOp, resources: &[Spanned<String>]) -> bool {
    let Some(targets) = &op.targets else {
        return false;
    };
    targets.iter().any(|t| match *t {
        Target::All => resources.iter().any(|r| glob_match(&r.value, "*")),
        Target::Template(at) => index()
            .templates
            .get(at)
            .is_some_and(|t| resources.iter().any(|r| pattern_covers(&r.value, &t.glob))),
    })
}
