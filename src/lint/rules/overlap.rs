//! RG302 `redundant-statement` and RG303 `shadowed-allow`: statements another statement of
//! the same document makes pointless.
//!
//! "Covers" is decided per element with the sound wildcard covering of
//! [`crate::policy::pattern::pattern_covers`] (see `element_covers`): a finding means the
//! covering really holds, while some exotic equivalent spellings are missed.

use super::common::{element_covers, has_wildcard, is_allow, unconditional};
use crate::lint::{Diagnostic, RuleContext};
use crate::policy::pattern::pattern_covers;
use crate::policy::{Condition, Effect, Element, Principal, Statement};

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
    let masks: Vec<Mask> = statements.iter().map(Mask::of).collect();
    let pairs = || statements.iter().zip(&masks);
    for (s, sm) in pairs().filter(|(s, _)| s.valid) {
        let by = pairs().find(|(t, tm)| {
            t.index != s.index
                && t.valid
                && t.effect.value == s.effect.value
                && tm.may_cover(sm)
                && same_or_no_conditions(t, s)
                && statement_covers(t, s)
                // Of two statements that cover each other, only the later is reported.
                && (t.index < s.index
                    || !(sm.may_cover(tm) && same_or_no_conditions(s, t) && statement_covers(s, t)))
        });
        if let Some((t, _)) = by {
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
    let masks: Vec<Mask> = statements.iter().map(Mask::of).collect();
    let pairs = || statements.iter().zip(&masks);
    for (a, am) in pairs().filter(|(s, _)| s.valid && is_allow(s)) {
        let by = pairs().find(|(d, dm)| {
            d.valid
                && d.effect.value == Effect::Deny
                && unconditional(d)
                && dm.may_cover(am)
                && statement_covers(d, a)
        });
        if let Some((d, _)) = by {
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

/// A cheap necessary condition for covering: one bit per service code (hashed) in the actions
/// and in the resource ARNs; a value that may belong to any service sets every bit. A statement
/// can only cover another if it has every bit the other has.
struct Mask {
    actions: u64,
    resources: u64,
}

impl Mask {
    fn of(st: &Statement) -> Mask {
        // Byte searches: `:` is ASCII, so the splits fall on character boundaries.
        let colon = |v: &str| memchr::memchr(b':', v.as_bytes());
        Mask {
            actions: element_mask(Some(&st.action), |v| v.get(..colon(v)?)),
            resources: element_mask(st.resource.as_ref(), |v| {
                let rest = v.strip_prefix("acs:")?;
                rest.get(..colon(rest)?)
            }),
        }
    }

    fn may_cover(&self, other: &Mask) -> bool {
        other.actions & !self.actions == 0 && other.resources & !self.resources == 0
    }
}

/// `service` gives the literal service code of a value, if it has one.
fn element_mask(el: Option<&Element>, service: impl Fn(&str) -> Option<&str>) -> u64 {
    let Some(el) = el else { return 0 };
    if el.negated {
        return u64::MAX;
    }
    el.iter().fold(0, |mask, v| {
        mask | match service(v) {
            Some(svc) if !has_wildcard(svc) => service_bit(svc),
            _ => u64::MAX,
        }
    })
}

fn service_bit(svc: &str) -> u64 {
    // FNV-1a over the lowercased code.
    let hash = svc.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b.to_ascii_lowercase())).wrapping_mul(0x0100_0193)
    });
    1 << (hash % 64)
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
