//! Plain-text explanation of a decision, for someone who was just denied.

use std::fmt::Write as _;

use super::combine::{Decision, Layer};
use super::response::{MatchedStatement, Response};
use super::trace::{Actual, ConditionTrace, StatementTrace, Trace};
use super::tri::Tri;
use crate::policy::Operator;

/// Renders the decision, then layer by layer the statements that apply to the action and why
/// each did or did not match. Statements whose action does not match are only counted.
pub fn explain(response: &Response, trace: &Trace) -> String {
    let mut out = String::new();
    headline(&mut out, response);
    let _ = writeln!(out, "  request: {} on {}", trace.action, trace.resource);
    if let Some(note) = crate::catalog::not_catalogued(&trace.action) {
        let _ = writeln!(out, "  note: {note}");
    }
    if let Some(p) = &trace.principal {
        let _ = writeln!(out, "  principal: {p}");
    }
    if trace.control_not_applied {
        let _ = writeln!(
            out,
            "  control policies: not applied (they do not bind the account's root identity)"
        );
    }
    if trace.trust_alone {
        let _ = writeln!(
            out,
            "  a service or federated principal has no identity policies: the trust policy alone decides"
        );
    }
    for e in &response.errors {
        let _ = writeln!(
            out,
            "  error: {} ({} statement {})",
            e.message, e.file, e.statement
        );
    }
    for layer in &trace.layers {
        let _ = write!(
            out,
            "\n{}: {}",
            layer.layer.as_str(),
            or_list(&layer.possible)
        );
        if !layer.reached {
            out.push_str(" (not reached: an earlier layer decided)");
        }
        out.push('\n');
        let mut skipped = 0usize;
        let mut any = false;
        for policy in &layer.policies {
            for st in &policy.statements {
                if !st.action.matched {
                    skipped += 1;
                    continue;
                }
                any = true;
                let _ = writeln!(out, "  {}", statement_line(&policy.file, st));
            }
        }
        if !any && skipped == 0 {
            out.push_str("  no policies\n");
        }
        if skipped > 0 {
            let _ = writeln!(
                out,
                "  {skipped} other statement{} do{} not apply to {}",
                if skipped == 1 { "" } else { "s" },
                if skipped == 1 { "es" } else { "" },
                trace.action
            );
        }
    }
    for note in &response.notes {
        let _ = writeln!(out, "note: {note}");
    }
    out
}

fn headline(out: &mut String, r: &Response) {
    let layer = r
        .layer
        .map(|l| format!(" ({})", l.as_str()))
        .unwrap_or_default();
    let _ = match r.decision {
        Decision::Allow => writeln!(out, "Allow{layer}: allowed by {}", statements(&r.matched)),
        Decision::ExplicitDeny => writeln!(
            out,
            "ExplicitDeny{layer}: denied by {}",
            statements(&r.matched)
        ),
        Decision::ImplicitDeny => {
            let which = match r.layer {
                Some(Layer::ControlPolicy) => " of the control policies",
                Some(Layer::SessionPolicy) => " of the session policy",
                Some(Layer::ResourceBasedPolicy) => " of the trust policy",
                _ => "",
            };
            writeln!(
                out,
                "ImplicitDeny{layer}: no Allow statement{which} matched."
            )
        }
        Decision::Indeterminate => {
            let on = if r.depends_on.is_empty() {
                "statements or request values that could not be read (see the errors)".to_string()
            } else {
                r.depends_on.join(", ")
            };
            writeln!(
                out,
                "Indeterminate: {} depending on {on}",
                or_list(&r.possible)
            )
        }
    };
}

fn or_list(ds: &[Decision]) -> String {
    let names: Vec<&str> = ds.iter().map(|d| d.as_str()).collect();
    match names.as_slice() {
        [] => "nothing".to_string(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn statements(ms: &[MatchedStatement]) -> String {
    if ms.is_empty() {
        return "no single statement (see below)".to_string();
    }
    ms.iter()
        .map(|m| {
            let sid = m
                .sid
                .as_deref()
                .map(|s| format!(" (Sid {s})"))
                .unwrap_or_default();
            format!("{} statement {}{sid}", m.file, m.statement)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn quoted_list(items: &[String]) -> String {
    items
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn statement_line(file: &str, st: &StatementTrace) -> String {
    let sid = st
        .sid
        .as_deref()
        .map(|s| format!("Sid {s}, "))
        .unwrap_or_default();
    let verdict = match st.result {
        Tri::True => "matches",
        Tri::False => "does not match",
        Tri::Unknown => "may match",
    };
    let mut clauses: Vec<String> = Vec::new();
    clauses.push(if st.action.negated {
        format!(
            "action is not excluded by NotAction {}",
            quoted_list(&st.action.patterns)
        )
    } else {
        "action matched".to_string()
    });
    if let Some(r) = &st.resource {
        let pats = &r.patterns;
        let one_or_any = if pats.len() == 1 { "" } else { "any of " };
        clauses.push(match (r.negated, r.matched) {
            (false, Tri::True) => "resource matched".to_string(),
            (false, Tri::False) => {
                format!("resource did not match {one_or_any}{}", quoted_list(pats))
            }
            (false, Tri::Unknown) => format!(
                "resource may or may not match {one_or_any}{} (it has unknown parts)",
                quoted_list(pats)
            ),
            (true, Tri::True) => format!("resource is outside NotResource {}", quoted_list(pats)),
            (true, Tri::False) => {
                format!("resource is excluded by NotResource {}", quoted_list(pats))
            }
            (true, Tri::Unknown) => format!(
                "resource may be excluded by NotResource {} (it has unknown parts)",
                quoted_list(pats)
            ),
        });
    }
    if let Some(p) = &st.principal {
        clauses.push(match p.matched {
            Tri::True => "principal matched".to_string(),
            Tri::False => format!("principal is not one of [{}]", p.principals.join(", ")),
            Tri::Unknown => format!(
                "principal not given (the policy names [{}])",
                p.principals.join(", ")
            ),
        });
    }
    if let Some(conds) = &st.conditions {
        let mut held = 0;
        for c in conds {
            match c.result {
                Tri::True => held += 1,
                Tri::False => clauses.push(format!("condition failed: {}", condition(c))),
                Tri::Unknown => clauses.push(format!("condition unknown: {}", condition(c))),
            }
        }
        if held > 0 && held == conds.len() {
            clauses.push(if held == 1 {
                "its condition held".to_string()
            } else {
                format!("all {held} conditions held")
            });
        }
    }
    format!(
        "{file} statement {} ({sid}line {}, column {}) {} {verdict}: {}",
        st.statement,
        st.line,
        st.column,
        st.effect.as_str(),
        clauses.join(", ")
    )
}

fn relation(op: &str) -> String {
    let Some((set, op)) = crate::policy::SetOp::parse(op) else {
        return "one of".to_string();
    };
    let base = base_relation(op);
    match set {
        None => base.to_string(),
        Some(crate::policy::SetOp::ForAllValues) => {
            format!("every value (or none, the key absent) {base}")
        }
        Some(crate::policy::SetOp::ForAnyValue) => format!("some value {base}"),
    }
}

fn base_relation(op: Operator) -> &'static str {
    use crate::policy::{Comparison, Family};
    let negated = op.is_negated();
    match (op.family(), op.comparison()) {
        (Family::StringLike, _) if negated => "to match none of",
        (Family::StringLike, _) => "to match one of",
        (_, Comparison::Equals) if negated => "none of",
        (_, Comparison::Equals) => "one of",
        (_, Comparison::LessThan) => "less than one of",
        (_, Comparison::LessThanEquals) => "at most one of",
        (_, Comparison::GreaterThan) => "greater than one of",
        (_, Comparison::GreaterThanEquals) => "at least one of",
    }
}

fn condition(c: &ConditionTrace) -> String {
    let got = match &c.actual {
        Actual::Absent => "nothing (the key is absent)".to_string(),
        Actual::Unknown => "an unknown value".to_string(),
        Actual::Values(vs) if vs.len() == 1 => vs.first().cloned().unwrap_or_default(),
        Actual::Values(vs) => format!("[{}]", vs.join(", ")),
    };
    format!(
        "{} {}: expected {} [{}], got {got}",
        c.operator,
        c.key,
        relation(&c.operator),
        c.expected.join(", ")
    )
}
