//! RG302 `redundant-statement` and RG303 `shadowed-allow`: statements another statement of
//! the same document makes pointless.
//!
//! "Covers" is decided per element with the sound wildcard covering of
//! [`crate::policy::pattern::pattern_covers`] (see [`element_covers`]): a finding means the
//! covering really holds, while some exotic equivalent spellings are missed.

use super::common::{element_covers, is_allow, unconditional};
use crate::lint::{Diagnostic, RuleContext};
use crate::policy::pattern::pattern_covers;
use crate::policy::{Condition, Effect, Principal, Statement};

/// Pairwise checks are skipped above this many statements (quadratic; such documents are far
/// over RAM's size limits anyway).
const MAX_STATEMENTS: usize = 256;

rule!(
    REDUNDANT_STATEMENT, "RG302", "redundant-statement", Redundancy, Info, Identity, check_redundant,
    summary: "Reports a statement that another statement of the same effect covers entirely: its actions, resources (and principals) are all covered, and the covering statement has no condition or the very same conditions.",
    why: "The covered statement changes nothing, so reviewers read it for nothing; it also often means one of the two was meant to be narrower.",
    example: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "dbs:Describe*", "Resource": "*"},
    {"Effect": "Allow", "Action": "dbs:DescribeRegions", "Resource": "*"}
  ]
}
"#,
    instead: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "dbs:Describe*", "Resource": "*"},
    {"Effect": "Allow", "Action": "dbs:StartBackupPlan", "Resource": "acs:dbs:*:*:backupplan/*"}
  ]
}
"#,
);

fn check_redundant(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    let statements = &cx.policy.statements;
    if statements.len() > MAX_STATEMENTS {
        return;
    }
    for s in statements.iter().filter(|s| s.valid) {
        let by = statements.iter().find(|t| {
            t.index != s.index
                && t.valid
                && t.effect.value == s.effect.value
                && same_or_no_conditions(t, s)
                && statement_covers(t, s)
                // Of two statements that cover each other, only the later is reported.
                && (t.index < s.index || !(same_or_no_conditions(s, t) && statement_covers(s, t)))
        });
        if let Some(t) = by {
            let verb = match s.effect.value {
                Effect::Allow => "allows",
                Effect::Deny => "denies",
            };
            out.push(
                Diagnostic::new(
                    &REDUNDANT_STATEMENT,
                    s.span,
                    format!(
                        "this statement is redundant: {} already {verb} everything it does",
                        name(t)
                    ),
                )
                .label(t.span, "covered by this statement")
                .help("remove it, or narrow the other statement if this one was meant to be the limit"),
            );
        }
    }
}

rule!(
    SHADOWED_ALLOW, "RG303", "shadowed-allow", Redundancy, Info, Identity, check_shadowed,
    summary: "Reports an `Allow` that an unconditional `Deny` of the same document makes dead: the `Deny` covers all of its actions and resources.",
    why: "An explicit `Deny` always wins, so the `Allow` never grants anything. Either the `Allow` is leftover, or the `Deny` is broader than intended.",
    example: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "dbs:StopBackupPlan", "Resource": "acs:dbs:*:*:backupplan/test-*"},
    {"Effect": "Deny", "Action": "dbs:Stop*", "Resource": "*"}
  ]
}
"#,
    instead: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "dbs:StopBackupPlan", "Resource": "acs:dbs:*:*:backupplan/test-*"},
    {"Effect": "Deny", "Action": "dbs:Stop*", "Resource": "acs:dbs:*:*:backupplan/prod-*"}
  ]
}
"#,
);

fn check_shadowed(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    let statements = &cx.policy.statements;
    if statements.len() > MAX_STATEMENTS {
        return;
    }
    for a in statements.iter().filter(|s| s.valid && is_allow(s)) {
        let by = statements.iter().find(|d| {
            d.valid && d.effect.value == Effect::Deny && unconditional(d) && statement_covers(d, a)
        });
        if let Some(d) = by {
            out.push(
                Diagnostic::new(
                    &SHADOWED_ALLOW,
                    a.span,
                    format!(
                        "this `Allow` never takes effect: {} denies all of its actions and resources, with no condition",
                        name(d)
                    ),
                )
                .label(d.span, "denied here")
                .help("remove the `Allow`, or narrow the `Deny`"),
            );
        }
    }
}

/// "statement 2 (`ReadPlans`)" with the 0-based index a pointer would use.
fn name(st: &Statement) -> String {
    match &st.sid {
        Some(sid) => format!("statement {} (`{}`)", st.index, sid.value),
        None => format!("statement {}", st.index),
    }
}

/// `t` matches every request `s` matches, conditions aside.
fn statement_covers(t: &Statement, s: &Statement) -> bool {
    element_covers(&t.action, &s.action, true)
        && match (&t.resource, &s.resource) {
            (Some(tr), Some(sr)) => element_covers(tr, sr, false),
            (None, None) => true,
            _ => false,
        }
        && match (&t.principal, &s.principal) {
            (Some(tp), Some(sp)) => principal_covers(tp, sp),
            (None, None) => true,
            _ => false,
        }
}

fn principal_covers(t: &Principal, s: &Principal) -> bool {
    if t.any.is_some() {
        return true;
    }
    if s.any.is_some() {
        return false;
    }
    s.entries.iter().all(|(kind, el)| {
        el.iter()
            .all(|v| t.values(*kind).any(|g| pattern_covers(&g.value, v)))
    })
}

/// `t` applies whenever `s` does, as far as conditions go: `t` has none, or the same ones.
fn same_or_no_conditions(t: &Statement, s: &Statement) -> bool {
    unconditional(t)
        || (t.conditions.len() == s.conditions.len()
            && t.conditions
                .iter()
                .all(|c| s.conditions.iter().any(|d| same_condition(c, d))))
}

fn same_condition(a: &Condition, b: &Condition) -> bool {
    a.operator == b.operator
        && a.key.eq_ignore_ascii_case(&b.key)
        && a.values
            .iter()
            .all(|v| b.values.iter().any(|w| w.value == v.value))
        && b.values
            .iter()
            .all(|v| a.values.iter().any(|w| w.value == v.value))
}
