//! RG406 `key-never-present` and RG407 `deny-absent-key`: conditions on keys a request does not
//! carry (SEMANTICS.md section 3: a positive operator on an absent key is false, a negated one
//! true).

use super::common::is_allow;
use crate::lint::{Diagnostic, RuleContext};
use crate::policy::{Effect, Family, SetOp};

rule!(
    KEY_NEVER_PRESENT, "RG406", "key-never-present", Condition, Warning, Identity, check_bare,
    summary: "Reports a condition key without a service prefix (`\"Action\"`, `\"Resource\"`): RAM accepts it, but never sets it, so it is always absent.",
    why: "On an always-absent key a negated operator (`StringNotLike`) is always true and a positive one always false. `StringNotLike {\"Action\": [...]}` in Alibaba's deployed modules was meant as an exclusion: it excludes nothing, and the statement grants everything it lists.",
    example: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "ecs:*", "Resource": "*",
     "Condition": {"StringNotLike": {"Action": ["ecs:Delete*"]}}}
  ]
}
"#,
    instead: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "ecs:*", "Resource": "*"},
    {"Effect": "Deny", "Action": "ecs:Delete*", "Resource": "*"}
  ]
}
"#,
);

fn check_bare(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    for st in &cx.policy.statements {
        for c in st.conditions.iter().filter(|c| !c.key.contains(':')) {
            let always = match c.set {
                Some(SetOp::ForAllValues) => true,
                Some(SetOp::ForAnyValue) => false,
                None => c.operator.is_negated(),
            };
            let effect = if always {
                format!(
                    "always true: the condition restricts nothing, and the statement {} every action it lists",
                    if is_allow(st) { "allows" } else { "denies" }
                )
            } else {
                "always false: the statement never applies".to_string()
            };
            out.push(
                Diagnostic::new(
                    &KEY_NEVER_PRESENT,
                    c.key_span,
                    format!(
                        "`{}` has no service prefix, so RAM never sets it; `{}` on an absent key is {effect}",
                        c.key,
                        c.operator_name()
                    ),
                )
                .help("condition keys are `acs:<key>` or `<service>:<key>`; to exclude actions, list them in a separate `Deny` statement (or use `NotAction`)"),
            );
        }
    }
}

rule!(
    DENY_ABSENT_KEY, "RG407", "deny-absent-key", Condition, Warning, Identity, check_deny,
    summary: "Reports a `Deny` conditioned on `Bool` `false` over a key that a request may not carry at all (`acs:MFAPresent`: AccessKey calls carry none).",
    why: "A positive operator on an absent key is false, so `Deny ... if Bool acs:MFAPresent false` does not apply to calls made with an AccessKey, which carry no `acs:MFAPresent`: the calls that most need the MFA rule escape it.",
    example: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "ram:*", "Resource": "*"},
    {"Effect": "Deny", "Action": "ram:*", "Resource": "*",
     "Condition": {"Bool": {"acs:MFAPresent": "false"}}}
  ]
}
"#,
    instead: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "ram:*", "Resource": "*",
     "Condition": {"Bool": {"acs:MFAPresent": "true"}}}
  ]
}
"#,
);

/// Boolean keys that some requests do not carry.
const MAY_BE_ABSENT: &[&str] = &["acs:MFAPresent"];

fn check_deny(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    for st in cx
        .policy
        .statements
        .iter()
        .filter(|s| s.effect.value == Effect::Deny)
    {
        for c in &st.conditions {
            let bool_false = c.set.is_none()
                && c.operator.family() == Family::Bool
                && c.values
                    .iter()
                    .all(|v| v.value.eq_ignore_ascii_case("false"));
            let Some(key) = MAY_BE_ABSENT
                .iter()
                .find(|k| k.eq_ignore_ascii_case(&c.key))
                .filter(|_| bool_false)
            else {
                continue;
            };
            out.push(
                Diagnostic::new(
                    &DENY_ABSENT_KEY,
                    c.key_span,
                    format!(
                        "this `Deny` does not apply to requests without `{key}` (AccessKey calls carry none): a positive operator on an absent key is false"
                    ),
                )
                .label(c.operator_span, "positive operator")
                .help(format!(
                    "to deny those calls too, negate the test, which holds when the key is absent: `\"StringNotEqualsIgnoreCase\": {{\"{key}\": \"true\"}}`; or grant only under `\"Bool\": {{\"{key}\": \"true\"}}`"
                )),
            );
        }
    }
}
