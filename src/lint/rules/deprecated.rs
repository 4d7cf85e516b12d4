//! RG205 `deprecated-action`: operations the current SDKs dropped.

use super::common::{lookup, Lookup};
use crate::lint::{Diagnostic, RuleContext};

rule!(
    DEPRECATED_ACTION, "RG205", "deprecated-action", Catalog, Warning, Identity, check,
    summary: "Reports an action naming a catalogued operation that is deprecated (the current SDKs no longer offer it), such as `dbs:StartTask` or `dbs:CreateSandboxInstance`.",
    why: "A grant for an operation that is going away is dead weight at best; at worst the policy was written for an API that behaves differently from its replacement, and a reviewer cannot tell what it is for.",
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
            let Lookup::Found(op) = lookup(&action.value) else {
                continue;
            };
            if !op.op.deprecated {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &DEPRECATED_ACTION,
                    action.span,
                    format!(
                        "`{}` is deprecated: the current SDKs no longer offer `{}`",
                        action.value, op.op.api
                    ),
                )
                .help("remove it, or grant the current operation that replaced it"),
            );
        }
    }
}
