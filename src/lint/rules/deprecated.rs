//! RG205 `deprecated-action`: actions the metadata marks deprecated, or that only older
//! metadata lists (removed operations), in every catalogued service.

use crate::catalog::{date, lookup_action, ActionLookup};
use crate::lint::{Diagnostic, RuleContext, Severity};

rule!(
    DEPRECATED_ACTION, "RG205", "deprecated-action", Catalog, Warning, Identity, check,
    summary: "Reports an action the API metadata marks deprecated (`dbs:StartTask`, `ecs:ActivateRouterInterface`), and as an info one that only older metadata lists (a removed operation).",
    why: "A grant for an operation that is going away is dead weight at best; at worst the policy was written for an API that behaves differently from its replacement, and a reviewer cannot tell what it is for. A removed operation may still be checked by RAM, so it is only worth a note.",
    example: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "dbs:StartTask", "Resource": "*"}
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

fn check(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    for st in &cx.policy.statements {
        for action in &st.action.values {
            let ActionLookup::Found(a) = lookup_action(&action.value) else {
                continue;
            };
            let deprecated = a.deprecated() || a.operation().is_some_and(|op| op.deprecated);
            let d = if deprecated {
                Diagnostic::new(
                    &DEPRECATED_ACTION,
                    action.span,
                    format!(
                        "`{}` is deprecated: the API metadata marks `{}` as going away",
                        action.value,
                        a.name()
                    ),
                )
                .help("remove it, or grant the current operation that replaced it")
            } else if a.removed() {
                Diagnostic::new(
                    &DEPRECATED_ACTION,
                    action.span,
                    format!(
                        "`{}` is only in older API metadata: the API no longer offers `{}` (as of {})",
                        action.value,
                        a.name(),
                        date()
                    ),
                )
                .with_severity(Severity::Info)
                .help("remove it if nothing calls the old API any more")
            } else {
                continue;
            };
            out.push(d);
        }
    }
}
