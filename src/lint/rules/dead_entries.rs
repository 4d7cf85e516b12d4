//! RG304 `dead-resource-entry`: one malformed entry in a `Resource` list beside valid ones.

use super::common::well_formed_resource;
use crate::lint::{Diagnostic, RuleContext};

rule!(
    DEAD_RESOURCE_ENTRY, "RG304", "dead-resource-entry", Redundancy, Warning, Identity, check,
    summary: "Reports an entry of a `Resource` list that can match no resource (not `*` and not an `acs:` ARN of five fields) while other entries are valid: one finding per dead entry.",
    why: "The statement still works for the valid entries, so nothing fails: the mistyped one (`acs:oss:*:*:mybucket` written `acs:oss:mybucket`) silently grants nothing, and the resource it was meant for is left out.",
    example: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "oss:GetObject", "Resource": ["acs:oss:*:*:logs/*", "acs:oss:reports/*"]}
  ]
}
"#,
    instead: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "oss:GetObject", "Resource": ["acs:oss:*:*:logs/*", "acs:oss:*:*:reports/*"]}
  ]
}
"#,
);

fn check(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    for r in cx
        .policy
        .statements
        .iter()
        .filter_map(|s| s.resource.as_ref())
    {
        if !r.values.iter().any(|v| well_formed_resource(&v.value)) {
            continue;
        }
        for v in r.values.iter().filter(|v| !well_formed_resource(&v.value)) {
            out.push(
                Diagnostic::new(
                    &DEAD_RESOURCE_ENTRY,
                    v.span,
                    format!(
                        "`{}` is not `*` or an ARN `acs:<service>:<region>:<account-id>:<relative-id>`: this entry matches no resource",
                        v.value
                    ),
                )
                .help("correct the ARN, or remove the entry"),
            );
        }
    }
}
