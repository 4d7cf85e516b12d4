//! RG400 `unknown-condition-key`, RG401 `condition-key-case` and RG402
//! `operator-key-mismatch`: condition keys checked against the global key table. Service keys
//! (`oss:Prefix`) are not checked: ramguard has no list of them.

use super::common::global_key;
use crate::catalog::keys::{canonical_spelling, globals, suggest_global, KeyType};
use crate::lint::{Diagnostic, RuleContext};
use crate::policy::{Comparison, Family, Operator};

rule!(
    UNKNOWN_CONDITION_KEY, "RG400", "unknown-condition-key", Condition, Warning, Identity, check_unknown,
    summary: "Reports an `acs:` condition key that is not one of RAM's global keys (and AWS `aws:` keys), with the closest known key. Service keys such as `oss:Prefix` are not checked.",
    why: "RAM does not reject unknown keys: a request never carries them, so a positive operator on a misspelt key is always false (the `Allow` grants nothing) and a negated one always true (the `Deny` denies everything, or the exception it was meant to make is lost).",
    example: br#"{
  "Version": "1",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "dbs:DescribeBackupPlanList",
      "Resource": "*",
      "Condition": {"IpAddress": {"acs:SoureIp": "192.0.2.0/24"}}
    }
  ]
}
"#,
    instead: br#"{
  "Version": "1",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "dbs:DescribeBackupPlanList",
      "Resource": "*",
      "Condition": {"IpAddress": {"acs:SourceIp": "192.0.2.0/24"}}
    }
  ]
}
"#,
);

/// Suggestions made per document: each compares the key with every global key, so a document of
/// 40,000 unknown keys gets its first suggestions, not 40,000 of them.
const MAX_SUGGESTIONS: usize = 100;

fn check_unknown(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    let mut suggested = 0;
    for c in cx.policy.statements.iter().flat_map(|s| &s.conditions) {
        let Some((prefix, _)) = c.key.split_once(':') else {
            continue;
        };
        let aws = prefix.eq_ignore_ascii_case("aws");
        if !(aws || prefix.eq_ignore_ascii_case("acs")) || global_key(&c.key).is_some() {
            continue;
        }
        let message = if aws {
            format!(
                "`{}` is an AWS condition key; RAM's global keys start with `acs:`",
                c.key
            )
        } else {
            format!("unknown condition key `{}`", c.key)
        };
        suggested += 1;
        let suggestion = (suggested <= MAX_SUGGESTIONS)
            .then(|| suggest_global(&c.key))
            .flatten();
        let help = match suggestion {
            Some(s) => format!("did you mean `{s}`?"),
            // Listed from the catalogue's key table, so the help never drifts from it.
            None => {
                let names: Vec<String> =
                    globals().iter().map(|k| format!("`{}`", k.name)).collect();
                format!("RAM's global keys are {}", names.join(", "))
            }
        };
        out.push(Diagnostic::new(&UNKNOWN_CONDITION_KEY, c.key_span, message).help(help));
    }
}

rule!(
    CONDITION_KEY_CASE, "RG401", "condition-key-case", Condition, Warning, Identity, check_case,
    summary: "Reports a global condition key written in another case than its documented spelling (`acs:SourceIP` for `acs:SourceIp`).",
    why: "Key names match case-insensitively, so the condition works, but other tools, reviewers and searches expect the documented spelling, and AWS-style habits (`SourceIP`) then slip through unnoticed elsewhere.",
    example: br#"{
  "Version": "1",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "dbs:DescribeBackupPlanList",
      "Resource": "*",
      "Condition": {"IpAddress": {"acs:SourceIP": "192.0.2.0/24"}}
    }
  ]
}
"#,
    instead: br#"{
  "Version": "1",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "dbs:DescribeBackupPlanList",
      "Resource": "*",
      "Condition": {"IpAddress": {"acs:SourceIp": "192.0.2.0/24"}}
    }
  ]
}
"#,
);

fn check_case(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    for c in cx.policy.statements.iter().flat_map(|s| &s.conditions) {
        let Some(known) = global_key(&c.key) else {
            continue;
        };
        // Compared in place; the tag key after a prefix key's stem is the user's own.
        let canonical_already = if known.prefix {
            c.key.get(..known.stem().len()) == Some(known.stem())
        } else {
            c.key == known.name
        };
        if canonical_already {
            continue;
        }
        let Some(canonical) = canonical_spelling(&c.key) else {
            continue;
        };
        out.push(
            Diagnostic::new(
                &CONDITION_KEY_CASE,
                c.key_span,
                format!("condition key `{}` is spelt `{canonical}`", c.key),
            )
            .help(format!("write `{canonical}`")),
        );
    }
}

rule!(
    OPERATOR_KEY_MISMATCH, "RG402", "operator-key-mismatch", Condition, Warning, Identity, check_mismatch,
    summary: "Reports a condition operator whose family does not fit the global key's type: `StringEquals` on `acs:SourceIp` (use `IpAddress`), `Bool` on `acs:CurrentTime` (use a `Date` operator), `IpAddress` on a string key, `StringLike` on a boolean key.",
    why: "The operator compares the request value as the wrong type: `StringEquals` on `acs:SourceIp` with a CIDR block never matches an address, a string comparison of timestamps ignores time zones, and so on. The statement silently grants or denies something else than intended.",
    example: br#"{
  "Version": "1",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "dbs:DescribeBackupPlanList",
      "Resource": "*",
      "Condition": {"StringEquals": {"acs:SourceIp": "192.0.2.0/24"}}
    }
  ]
}
"#,
    instead: br#"{
  "Version": "1",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "dbs:DescribeBackupPlanList",
      "Resource": "*",
      "Condition": {"IpAddress": {"acs:SourceIp": "192.0.2.0/24"}}
    }
  ]
}
"#,
);

fn fits(ty: KeyType, family: Family) -> bool {
    match ty {
        KeyType::String => matches!(
            family,
            Family::String | Family::StringIgnoreCase | Family::StringLike
        ),
        KeyType::Date => family == Family::Date,
        KeyType::Bool => family == Family::Bool,
        KeyType::Ip => family == Family::Ip,
        KeyType::Number => family == Family::Numeric,
    }
}

fn type_words(ty: KeyType) -> &'static str {
    match ty {
        KeyType::String => "a string",
        KeyType::Date => "a date",
        KeyType::Bool => "a boolean",
        KeyType::Ip => "an IP address",
        KeyType::Number => "a number",
    }
}

/// The operator(s) to use instead, keeping negation and, between ordered families, the
/// comparison.
fn suggestion(ty: KeyType, op: Operator) -> String {
    let ordered = matches!(op.family(), Family::Numeric | Family::Date);
    let pick = |names: [&str; 6]| -> String {
        let [eq, ne, lt, le, gt, ge] = names;
        match (op.comparison(), op.is_negated()) {
            (Comparison::Equals, true) => format!("`{ne}`"),
            (Comparison::Equals, false) if ordered => format!("`{eq}`"),
            (Comparison::Equals, false) => format!(
                "a {} operator such as `{lt}` or `{gt}`",
                if eq.starts_with("Date") {
                    "date"
                } else {
                    "numeric"
                }
            ),
            (Comparison::LessThan, _) => format!("`{lt}`"),
            (Comparison::LessThanEquals, _) => format!("`{le}`"),
            (Comparison::GreaterThan, _) => format!("`{gt}`"),
            (Comparison::GreaterThanEquals, _) => format!("`{ge}`"),
        }
    };
    match ty {
        KeyType::Ip if op.is_negated() => "`NotIpAddress`".to_owned(),
        KeyType::Ip => "`IpAddress`".to_owned(),
        KeyType::Bool => "`Bool`".to_owned(),
        KeyType::String if op.is_negated() => "`StringNotEquals` or `StringNotLike`".to_owned(),
        KeyType::String => "`StringEquals` or `StringLike`".to_owned(),
        KeyType::Date => pick([
            "DateEquals",
            "DateNotEquals",
            "DateLessThan",
            "DateLessThanEquals",
            "DateGreaterThan",
            "DateGreaterThanEquals",
        ]),
        KeyType::Number => pick([
            "NumericEquals",
            "NumericNotEquals",
            "NumericLessThan",
            "NumericLessThanEquals",
            "NumericGreaterThan",
            "NumericGreaterThanEquals",
        ]),
    }
}

fn check_mismatch(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    for c in cx.policy.statements.iter().flat_map(|s| &s.conditions) {
        let Some(key) = global_key(&c.key) else {
            continue;
        };
        let family = c.operator.family();
        if fits(key.ty, family) {
            continue;
        }
        out.push(
            Diagnostic::new(
                &OPERATOR_KEY_MISMATCH,
                c.key_span,
                format!(
                    "`{}` is {} {} operator, but `{}` holds {}",
                    c.operator.name(),
                    crate::lint::diagnostic::article(family.as_str()),
                    family.as_str(),
                    c.key,
                    type_words(key.ty)
                ),
            )
            .label(c.operator_span, "operator")
            .help(format!("use {}", suggestion(key.ty, c.operator))),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(
            suggestion(KeyType::Ip, Operator::StringEquals),
            "`IpAddress`"
        );
        assert_eq!(
            suggestion(KeyType::Ip, Operator::StringNotLike),
            "`NotIpAddress`"
        );
        assert_eq!(
            suggestion(KeyType::Date, Operator::NumericLessThan),
            "`DateLessThan`"
        );
        assert_eq!(
            suggestion(KeyType::Date, Operator::Bool),
            "a date operator such as `DateLessThan` or `DateGreaterThan`"
        );
        assert_eq!(
            suggestion(KeyType::String, Operator::IpAddress),
            "`StringEquals` or `StringLike`"
        );
        assert!(fits(KeyType::String, Family::StringLike));
        assert!(!fits(KeyType::Bool, Family::StringLike));
    }
}
