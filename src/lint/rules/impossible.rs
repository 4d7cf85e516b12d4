//! RG405 `impossible-condition`: conditions on one key that no request value satisfies.
//!
//! Every key is read as single-valued, except the keys the table marks multi-valued
//! (`acs:TagKeys`), which are skipped: for those "any request value matches" lets different
//! values satisfy different conditions. Only contradictions that hold for every value are
//! reported (decimals are not assumed to be integers, string case folding is only trusted for
//! ASCII), so a finding is always real.

use std::cmp::Ordering;

use super::common::global_key;
use crate::lint::{Diagnostic, RuleContext};
use crate::policy::pattern::{glob_match, pattern_covers};
use crate::policy::values::{parse_instant, Decimal, IpNet};
use crate::policy::{Comparison, Condition, Family, Operator, Statement};
use crate::source::Span;

rule!(
    IMPOSSIBLE_CONDITION, "RG405", "impossible-condition", Condition, Warning, Identity, check,
    summary: "Reports conditions on one key that can never hold together: an empty date or number range (`DateGreaterThan` later than `DateLessThan`), an equality that the other conditions exclude (`StringEquals` and `StringNotEquals` of the same value), a `StringLike` that a `StringNotLike` fully excludes, an `IpAddress` range inside a `NotIpAddress` range.",
    why: "A statement whose condition can never hold never applies: an `Allow` grants nothing, and a `Deny` protects nothing. This is usually a swapped pair of dates or a copy-paste slip.",
    example: br#"{
  "Version": "1",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "dbs:StartBackupPlan",
      "Resource": "acs:dbs:*:*:backupplan/*",
      "Condition": {
        "DateGreaterThan": {"acs:CurrentTime": "2026-12-31T00:00:00Z"},
        "DateLessThan": {"acs:CurrentTime": "2026-01-01T00:00:00Z"}
      }
    }
  ]
}
"#,
    instead: br#"{
  "Version": "1",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "dbs:StartBackupPlan",
      "Resource": "acs:dbs:*:*:backupplan/*",
      "Condition": {
        "DateGreaterThan": {"acs:CurrentTime": "2026-01-01T00:00:00Z"},
        "DateLessThan": {"acs:CurrentTime": "2026-12-31T00:00:00Z"}
      }
    }
  ]
}
"#,
);

/// Operators whose values are compared alike, so that their conditions on one key can
/// contradict each other.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Group {
    Numeric,
    Date,
    String,
    Ip,
}

fn group(op: Operator) -> Option<Group> {
    match op.family() {
        Family::Numeric => Some(Group::Numeric),
        Family::Date => Some(Group::Date),
        Family::String | Family::StringIgnoreCase | Family::StringLike => Some(Group::String),
        Family::Ip => Some(Group::Ip),
        Family::Bool => None,
    }
}

/// What makes a group impossible: the conditions involved (the last one is reported, the
/// others labelled) and why.
struct Conflict<'a> {
    conditions: Vec<&'a Condition>,
    why: String,
}

fn check(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    for st in &cx.policy.statements {
        check_statement(st, out);
    }
}

fn check_statement(st: &Statement, out: &mut Vec<Diagnostic>) {
    let conds = &st.conditions;
    // Grouping is quadratic; a statement with hundreds of conditions is far over RAM's size
    // limit anyway.
    if conds.len() < 2 || conds.len() > 256 {
        return;
    }
    for (i, c) in conds.iter().enumerate() {
        let Some(g) = group(c.operator) else { continue };
        // Each group is handled at its first condition.
        let earlier = conds.get(..i).unwrap_or_default();
        if earlier
            .iter()
            .any(|e| group(e.operator) == Some(g) && e.key.eq_ignore_ascii_case(&c.key))
        {
            continue;
        }
        if global_key(&c.key).is_some_and(|k| k.multi_valued) {
            continue;
        }
        let members: Vec<&Condition> = conds
            .get(i..)
            .unwrap_or_default()
            .iter()
            .filter(|e| group(e.operator) == Some(g) && e.key.eq_ignore_ascii_case(&c.key))
            .collect();
        if members.len() < 2 {
            continue;
        }
        let conflict = match g {
            Group::Numeric => ordered(&members, Decimal::parse, Words::NUMBER),
            Group::Date => ordered(&members, parse_instant, Words::DATE),
            Group::String => strings(&members),
            Group::Ip => ips(&members),
        };
        if let Some(conflict) = conflict {
            report(st, &c.key, conflict, out);
        }
    }
}

fn report(st: &Statement, key: &str, mut conflict: Conflict<'_>, out: &mut Vec<Diagnostic>) {
    conflict.conditions.sort_by_key(|c| c.key_span.start);
    conflict.conditions.dedup_by_key(|c| c.key_span.start);
    let Some((last, others)) = conflict.conditions.split_last() else {
        return;
    };
    let effect = match st.effect.value {
        crate::policy::Effect::Allow => "grants nothing",
        crate::policy::Effect::Deny => "denies nothing",
    };
    let mut d = Diagnostic::new(
        &IMPOSSIBLE_CONDITION,
        last.key_span,
        format!(
            "the conditions on `{key}` can never all hold: {}; the statement {effect}",
            conflict.why
        ),
    )
    .help("check for swapped, mistyped or copy-pasted values");
    for o in others {
        d = d.label(span_of(o), format!("`{}` here", o.operator.name()));
    }
    out.push(d);
}

fn span_of(c: &Condition) -> Span {
    c.key_span
}

/// How bounds read in messages.
struct Words {
    gt: &'static str,
    ge: &'static str,
    lt: &'static str,
    le: &'static str,
}

impl Words {
    const NUMBER: Words = Words {
        gt: "greater than",
        ge: "at least",
        lt: "less than",
        le: "at most",
    };
    const DATE: Words = Words {
        gt: "after",
        ge: "at or after",
        lt: "before",
        le: "at or before",
    };
}

struct Bound<'a, T> {
    value: T,
    text: &'a str,
    strict: bool,
    cond: &'a Condition,
}

/// Ranges, equalities and exclusions of an ordered family (numbers, instants). Multiple values
/// of one condition are alternatives, so a bound takes its loosest value.
fn ordered<'a, T: Ord + Clone>(
    members: &[&'a Condition],
    parse: impl Fn(&str) -> Option<T>,
    words: Words,
) -> Option<Conflict<'a>> {
    let mut lower: Option<Bound<'a, T>> = None;
    let mut upper: Option<Bound<'a, T>> = None;
    let mut equal_sets: Vec<(&'a Condition, Vec<T>)> = Vec::new();
    let mut excluded: Vec<T> = Vec::new();
    for &c in members {
        let values: Vec<(T, &'a str)> = c
            .values
            .iter()
            .filter_map(|v| parse(&v.value).map(|t| (t, v.value.as_str())))
            .collect();
        if values.is_empty() {
            // Malformed values are RG032's; nothing sound can be said about them here.
            continue;
        }
        match (c.operator.comparison(), c.operator.is_negated()) {
            (Comparison::Equals, false) => {
                equal_sets.push((c, values.into_iter().map(|(t, _)| t).collect()));
            }
            (Comparison::Equals, true) => excluded.extend(values.into_iter().map(|(t, _)| t)),
            (cmp @ (Comparison::LessThan | Comparison::LessThanEquals), _) => {
                if let Some((value, text)) = values.iter().max_by(|a, b| a.0.cmp(&b.0)).cloned() {
                    let b = Bound {
                        value,
                        text,
                        strict: cmp == Comparison::LessThan,
                        cond: c,
                    };
                    // The tightest upper bound: the smallest, strict on a tie.
                    let tighter = upper.as_ref().map_or(true, |u| {
                        b.value < u.value || (b.value == u.value && b.strict && !u.strict)
                    });
                    if tighter {
                        upper = Some(b);
                    }
                }
            }
            (cmp @ (Comparison::GreaterThan | Comparison::GreaterThanEquals), _) => {
                if let Some((value, text)) = values.iter().min_by(|a, b| a.0.cmp(&b.0)).cloned() {
                    let b = Bound {
                        value,
                        text,
                        strict: cmp == Comparison::GreaterThan,
                        cond: c,
                    };
                    let tighter = lower.as_ref().map_or(true, |l| {
                        b.value > l.value || (b.value == l.value && b.strict && !l.strict)
                    });
                    if tighter {
                        lower = Some(b);
                    }
                }
            }
        }
    }
    if let (Some(lo), Some(up)) = (&lower, &upper) {
        let empty = match lo.value.cmp(&up.value) {
            Ordering::Greater => true,
            Ordering::Equal => lo.strict || up.strict,
            Ordering::Less => false,
        };
        if empty {
            return Some(Conflict {
                conditions: vec![lo.cond, up.cond],
                why: format!(
                    "it cannot be {} `{}` and {} `{}`",
                    if lo.strict { words.gt } else { words.ge },
                    lo.text,
                    if up.strict { words.lt } else { words.le },
                    up.text
                ),
            });
        }
    }
    let allowed = |v: &T| {
        lower
            .as_ref()
            .map_or(true, |l| *v > l.value || (*v == l.value && !l.strict))
            && upper
                .as_ref()
                .map_or(true, |u| *v < u.value || (*v == u.value && !u.strict))
            && !excluded.contains(v)
    };
    if let Some(((first, candidates), rest)) = equal_sets.split_first() {
        let possible = candidates
            .iter()
            .any(|v| allowed(v) && rest.iter().all(|(_, set)| set.contains(v)));
        if !possible {
            return Some(Conflict {
                conditions: members.to_vec(),
                why: format!(
                    "no value `{}` accepts is allowed by the other conditions",
                    first.operator.name()
                ),
            });
        }
    } else if let (Some(lo), Some(up)) = (&lower, &upper) {
        // A closed range of one point, excluded.
        if lo.value == up.value && !allowed(&lo.value) {
            return Some(Conflict {
                conditions: members.to_vec(),
                why: format!("the only value in range, `{}`, is excluded", lo.text),
            });
        }
    }
    None
}

/// Equal ignoring case, where that is certain: ASCII folding only.
fn surely_eq_ignore_case(a: &str, b: &str) -> bool {
    a == b || (a.is_ascii() && b.is_ascii() && a.eq_ignore_ascii_case(b))
}

/// Equal ignoring case, or possibly so (non-ASCII text, whose folding RAM does not document).
fn maybe_eq_ignore_case(a: &str, b: &str) -> bool {
    surely_eq_ignore_case(a, b) || !a.is_ascii() || !b.is_ascii()
}

fn strings<'a>(members: &[&'a Condition]) -> Option<Conflict<'a>> {
    let by = |op: Operator| members.iter().copied().filter(move |c| c.operator == op);
    let values = |c: &'a Condition| c.values.iter().map(|v| v.value.as_str());
    let exact: Vec<&Condition> = by(Operator::StringEquals).collect();
    if let Some(first) = exact.first() {
        // The request value is one of these; does any survive every other condition?
        let survives = |v: &str| {
            exact.iter().all(|c| values(c).any(|x| x == v))
                && by(Operator::StringNotEquals).all(|c| values(c).all(|x| x != v))
                && by(Operator::StringEqualsIgnoreCase)
                    .all(|c| values(c).any(|x| maybe_eq_ignore_case(x, v)))
                && by(Operator::StringNotEqualsIgnoreCase)
                    .all(|c| values(c).all(|x| !surely_eq_ignore_case(x, v)))
                && by(Operator::StringLike).all(|c| values(c).any(|p| glob_match(p, v)))
                && by(Operator::StringNotLike).all(|c| values(c).all(|p| !glob_match(p, v)))
        };
        if !values(first).any(survives) {
            return Some(Conflict {
                conditions: members.to_vec(),
                why: "no value `StringEquals` accepts is allowed by the other conditions".into(),
            });
        }
        return None;
    }
    for c in by(Operator::StringEqualsIgnoreCase) {
        let all_excluded = values(c).all(|v| {
            by(Operator::StringNotEqualsIgnoreCase)
                .any(|n| values(n).any(|x| surely_eq_ignore_case(x, v)))
        });
        if all_excluded && by(Operator::StringNotEqualsIgnoreCase).next().is_some() {
            return Some(Conflict {
                conditions: members.to_vec(),
                why: "every value `StringEqualsIgnoreCase` accepts is excluded by `StringNotEqualsIgnoreCase`".into(),
            });
        }
    }
    for c in by(Operator::StringLike) {
        let all_excluded = values(c)
            .all(|p| by(Operator::StringNotLike).any(|n| values(n).any(|x| pattern_covers(x, p))));
        if all_excluded && by(Operator::StringNotLike).next().is_some() {
            return Some(Conflict {
                conditions: members.to_vec(),
                why: "everything `StringLike` accepts is excluded by `StringNotLike`".into(),
            });
        }
    }
    None
}

/// `inner` lies entirely inside `outer`.
fn net_within(inner: &IpNet, outer: &IpNet) -> bool {
    inner.addr.is_ipv4() == outer.addr.is_ipv4()
        && outer.prefix <= inner.prefix
        && outer.contains(inner.addr)
}

fn ips<'a>(members: &[&'a Condition]) -> Option<Conflict<'a>> {
    let nets = |op: Operator| -> Vec<IpNet> {
        members
            .iter()
            .filter(|c| c.operator == op)
            .flat_map(|c| c.values.iter().filter_map(|v| IpNet::parse(&v.value)))
            .collect()
    };
    let allowed = nets(Operator::IpAddress);
    let denied = nets(Operator::NotIpAddress);
    if allowed.is_empty() || denied.is_empty() {
        return None;
    }
    // Unparsable `IpAddress` values were dropped above, so require every value to parse.
    let all_parsed = members
        .iter()
        .filter(|c| c.operator == Operator::IpAddress)
        .all(|c| c.values.iter().all(|v| IpNet::parse(&v.value).is_some()));
    if all_parsed
        && allowed
            .iter()
            .all(|a| denied.iter().any(|d| net_within(a, d)))
    {
        return Some(Conflict {
            conditions: members.to_vec(),
            why: "every address `IpAddress` accepts is excluded by `NotIpAddress`".into(),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nets() {
        let n = |s| IpNet::parse(s).unwrap_or_else(|| panic!("{s}"));
        assert!(net_within(&n("192.0.2.0/25"), &n("192.0.2.0/24")));
        assert!(net_within(&n("192.0.2.7"), &n("0.0.0.0/0")));
        assert!(!net_within(&n("192.0.2.0/23"), &n("192.0.2.0/24")));
        assert!(!net_within(&n("::1"), &n("0.0.0.0/0")));
    }

    #[test]
    fn case_folding_is_conservative() {
        assert!(surely_eq_ignore_case("Prod", "prod"));
        assert!(!surely_eq_ignore_case("É", "é"));
        assert!(maybe_eq_ignore_case("É", "é"));
        assert!(!maybe_eq_ignore_case("a", "b"));
    }
}
