//! RG300 `duplicate-value` and RG301 `covered-value`: values a list holds twice, or that a
//! wildcard of the same list already covers.

use std::cmp::Ordering;

use super::common::has_wildcard;
use crate::lint::{Diagnostic, RuleContext};
use crate::policy::pattern::{pattern_covers, pattern_covers_ignore_ascii_case};
use crate::policy::{Element, Family};
use crate::source::Spanned;

rule!(
    DUPLICATE_VALUE, "RG300", "duplicate-value", Redundancy, Info, Identity, check_duplicates,
    summary: "Reports a value listed twice in one `Action`, `Resource`, principal or condition value list (actions compared ignoring case, as RAM matches them; resources exactly).",
    why: "A repeated value changes nothing, but it makes the list longer to review, uses up the policy size limit, and often hides an edit that was meant to change the copy (a different plan ID, a different action).",
    example: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": ["dbs:DescribeRegions", "dbs:describeregions"], "Resource": "*"}
  ]
}
"#,
    instead: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": ["dbs:DescribeRegions", "dbs:DescribeBackupPlanList"], "Resource": "*"}
  ]
}
"#,
);

fn check_duplicates(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    for st in &cx.policy.statements {
        let action_name = if st.action.negated {
            "NotAction"
        } else {
            "Action"
        };
        report_duplicates(&st.action.values, true, action_name, out);
        if let Some(r) = &st.resource {
            let name = if r.negated { "NotResource" } else { "Resource" };
            report_duplicates(&r.values, false, name, out);
        }
        if let Some(p) = &st.principal {
            for (kind, el) in &p.entries {
                report_duplicates(&el.values, false, kind.as_str(), out);
            }
        }
        for c in &st.conditions {
            let fold = c.operator.family() == Family::StringIgnoreCase;
            report_duplicates(&c.values, fold, &c.key, out);
        }
    }
}

fn report_duplicates(
    values: &[Spanned<String>],
    fold: bool,
    list_name: &str,
    out: &mut Vec<Diagnostic>,
) {
    for_each_duplicate(values, fold, |first, dup| {
        let message = if first.value == dup.value {
            format!("`{}` is listed twice in `{list_name}`", dup.value)
        } else {
            format!(
                "`{}` repeats `{}` in `{list_name}`: they differ only in case, which does not matter here",
                dup.value, first.value
            )
        };
        out.push(
            Diagnostic::new(&DUPLICATE_VALUE, dup.span, message)
                .label(first.span, "first listed here")
                .help("remove the repeated value"),
        );
    });
}

fn compare(a: &str, b: &str, fold: bool) -> Ordering {
    if fold {
        a.bytes()
            .map(|c| c.to_ascii_lowercase())
            .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
    } else {
        a.cmp(b)
    }
}

/// Calls `f(first, repeat)` for every value equal to an earlier one. Short lists are compared
/// pairwise; long ones are sorted (by value, then position) so the cost stays `n log n`.
fn for_each_duplicate<'a>(
    values: &'a [Spanned<String>],
    fold: bool,
    mut f: impl FnMut(&'a Spanned<String>, &'a Spanned<String>),
) {
    if values.len() < 2 {
        return;
    }
    if values.len() <= 16 {
        for (j, v) in values.iter().enumerate() {
            let earlier = values.get(..j).unwrap_or_default();
            if let Some(first) = earlier
                .iter()
                .find(|e| compare(&e.value, &v.value, fold).is_eq())
            {
                f(first, v);
            }
        }
        return;
    }
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| {
        let (Some(x), Some(y)) = (values.get(a), values.get(b)) else {
            return Ordering::Equal;
        };
        compare(&x.value, &y.value, fold).then(a.cmp(&b))
    });
    let mut run_start: Option<&Spanned<String>> = None;
    for &i in &order {
        let Some(v) = values.get(i) else { continue };
        match run_start {
            Some(first) if compare(&first.value, &v.value, fold).is_eq() => f(first, v),
            _ => run_start = Some(v),
        }
    }
}

rule!(
    COVERED_VALUE, "RG301", "covered-value", Redundancy, Info, Identity, check_covered,
    summary: "Reports an action or resource that a wildcard in the same list already covers (`dbs:DescribeRegions` next to `dbs:Describe*`).",
    why: "The covered value adds nothing; it suggests that the wildcard is broader than the author realised, or that the specific value was meant to replace it.",
    example: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": ["dbs:Describe*", "dbs:DescribeRegions"], "Resource": "*"}
  ]
}
"#,
    instead: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "dbs:Describe*", "Resource": "*"}
  ]
}
"#,
);

/// Above this many (wildcard, value) pairs in one list the check is skipped: documents that
/// large are already over RAM's size limit, and the linter must stay fast on them.
const PAIR_BUDGET: usize = 50_000;

fn check_covered(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    for st in &cx.policy.statements {
        report_covered(&st.action, true, out);
        if let Some(r) = &st.resource {
            report_covered(r, false, out);
        }
    }
}

fn report_covered(el: &Element, fold: bool, out: &mut Vec<Diagnostic>) {
    let values = &el.values;
    let wilds: Vec<&Spanned<String>> = values.iter().filter(|v| has_wildcard(&v.value)).collect();
    let wild = wilds.len();
    if wild == 0 || values.len() < 2 || wild.saturating_mul(values.len()) > PAIR_BUDGET {
        return;
    }
    let covers = |g: &str, s: &str| {
        if fold {
            pattern_covers_ignore_ascii_case(g, s)
        } else {
            pattern_covers(g, s)
        }
    };
    for v in values {
        let by = wilds.iter().find(|g| {
            // Equal values are RG300's; of two that cover each other, the later is reported.
            !compare(&g.value, &v.value, fold).is_eq()
                && covers(&g.value, &v.value)
                && (g.span.start < v.span.start || !covers(&v.value, &g.value))
        });
        if let Some(g) = by {
            out.push(
                Diagnostic::new(
                    &COVERED_VALUE,
                    v.span,
                    format!("`{}` is already covered by `{}`", v.value, g.value),
                )
                .label(g.span, "covered by this wildcard")
                .help("remove the covered value, or replace the wildcard by the values meant"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spanned(values: &[&str]) -> Vec<Spanned<String>> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| Spanned::new((*v).to_owned(), crate::source::Span::new(i, i + 1)))
            .collect()
    }

    fn dups(values: &[&str], fold: bool) -> Vec<(String, String)> {
        let v = spanned(values);
        let mut out = Vec::new();
        for_each_duplicate(&v, fold, |a, b| {
            out.push((a.value.clone(), b.value.clone()))
        });
        out.sort();
        out
    }

    #[test]
    fn duplicates_short_and_long() {
        assert_eq!(
            dups(&["a", "A", "b", "a"], true),
            [("a".into(), "A".into()), ("a".into(), "a".into())]
        );
        assert_eq!(
            dups(&["a", "A", "b", "a"], false),
            [("a".into(), "a".into())]
        );
        let mut long: Vec<String> = (0..40).map(|i| format!("v{i}")).collect();
        long.push("V3".into());
        long.push("v7".into());
        let refs: Vec<&str> = long.iter().map(String::as_str).collect();
        assert_eq!(
            dups(&refs, true),
            [("v3".into(), "V3".into()), ("v7".into(), "v7".into())]
        );
        assert_eq!(dups(&refs, false), [("v7".into(), "v7".into())]);
    }
}
