//! Every rule, one table. Grammar rules live in `grammar` (lowering emits them); each model
//! rule, or tight family of rules, has its own file with its documentation and `check`.

/// Declares a model rule: `rule!(STATIC, "RGnnn", "name", Category, Severity, Kind, check, ...)`.
/// `kind` is what the two fixtures are linted as.
macro_rules! rule {
    (
        $id:ident, $code:literal, $name:literal, $cat:ident, $sev:ident, $kind:ident, $check:path,
        summary: $summary:expr,
        why: $why:expr,
        example: $example:expr,
        instead: $instead:expr $(,)?
    ) => {
        #[doc = $summary]
        pub static $id: crate::lint::registry::Rule = crate::lint::registry::Rule {
            code: $code,
            name: $name,
            category: crate::lint::registry::Category::$cat,
            severity: crate::lint::Severity::$sev,
            summary: $summary,
            why: $why,
            example: $example,
            instead: $instead,
            kind: crate::policy::PolicyKind::$kind,
            check: Some($check),
        };
    };
}

pub mod grammar;

pub(crate) mod common;

// Security.
pub mod access_levels;
pub mod admin;
pub mod destructive;
pub mod escalation;
pub mod negated;
pub mod placeholders;
pub mod resource_policy;
pub mod trust;
// Catalogue.
pub mod action_names;
pub mod deprecated;
pub mod resource_match;
pub mod resource_types;
// Redundancy.
pub mod dead_entries;
pub mod duplicates;
pub mod overlap;
// Conditions.
pub mod absent_keys;
pub mod condition_keys;
pub mod condition_values;
pub mod impossible;

#[cfg(test)]
mod scenarios;

use super::registry::Rule;

/// Every rule, sorted by code.
pub static ALL: &[&Rule] = &[
    &grammar::UNREADABLE_FILE,
    &grammar::INVALID_JSON,
    &grammar::INVALID_UTF8,
    &grammar::BYTE_ORDER_MARK,
    &grammar::DUPLICATE_KEY,
    &grammar::POLICY_TOO_LARGE,
    &grammar::INVALID_DOCUMENT,
    &grammar::INVALID_VERSION,
    &grammar::INVALID_STATEMENT,
    &grammar::STATEMENT_OBJECT_FORM,
    &grammar::UNKNOWN_ELEMENT,
    &grammar::INVALID_EFFECT,
    &grammar::MISSING_ACTION,
    &grammar::ACTION_AND_NOT_ACTION,
    &grammar::MISSING_RESOURCE,
    &grammar::NOT_RESOURCE,
    &grammar::RESOURCE_AND_NOT_RESOURCE,
    &grammar::RESOURCE_IN_TRUST_POLICY,
    &grammar::MISSING_PRINCIPAL,
    &grammar::PRINCIPAL_OUTSIDE_TRUST,
    &grammar::INVALID_PRINCIPAL,
    &grammar::VALUE_TYPE_MISMATCH,
    &grammar::INVALID_VALUE_TYPE,
    &grammar::EMPTY_LIST,
    &grammar::INVALID_ACTION,
    &grammar::INVALID_ARN,
    &grammar::UNKNOWN_OPERATOR,
    &grammar::INVALID_CONDITION_KEY,
    &grammar::INVALID_CONDITION_VALUE,
    &grammar::MULTIPLE_BOOL_VALUES,
    &grammar::DUPLICATE_SID,
    &grammar::TRUST_ACTION,
    &grammar::SET_OPERATOR,
    &grammar::RESOURCE_POLICY_KIND,
    &admin::ALLOW_ALL,
    &admin::SERVICE_WILDCARD,
    &negated::ALLOW_NOT_ACTION,
    &negated::ALLOW_NOT_RESOURCE,
    &escalation::PRIVILEGE_ESCALATION,
    &destructive::DESTRUCTIVE_ON_ALL,
    &trust::TRUST_ANY_PRINCIPAL,
    &trust::TRUST_ACCOUNT_ROOT,
    &resource_policy::PUBLIC_ACCESS,
    &resource_policy::CROSS_ACCOUNT_GRANT,
    &resource_policy::KMS_ACCOUNT_WIDE,
    &placeholders::TEMPLATE_PLACEHOLDER,
    &trust::TRUST_NEVER_APPLIES,
    &trust::TRUST_GRANTS_NOTHING,
    &access_levels::DELETE_ON_ALL,
    &access_levels::PERMISSIONS_MANAGEMENT,
    &access_levels::DATA_READ_ON_ALL,
    &action_names::UNKNOWN_ACTION,
    &action_names::WILDCARD_MATCHES_NOTHING,
    &action_names::ACTION_CASE,
    &resource_match::RESOURCE_NEVER_MATCHES,
    &resource_match::ALL_RESOURCES_ONLY,
    &deprecated::DEPRECATED_ACTION,
    &action_names::UNKNOWN_SERVICE,
    &resource_types::UNKNOWN_RESOURCE_TYPE,
    &duplicates::DUPLICATE_VALUE,
    &duplicates::COVERED_VALUE,
    &overlap::REDUNDANT_STATEMENT,
    &overlap::SHADOWED_ALLOW,
    &dead_entries::DEAD_RESOURCE_ENTRY,
    &condition_keys::UNKNOWN_CONDITION_KEY,
    &condition_keys::CONDITION_KEY_CASE,
    &condition_keys::OPERATOR_KEY_MISMATCH,
    &condition_values::WILDCARD_IN_EXACT_MATCH,
    &condition_values::OPEN_SOURCE_IP,
    &impossible::IMPOSSIBLE_CONDITION,
    &absent_keys::KEY_NEVER_PRESENT,
    &absent_keys::DENY_ABSENT_KEY,
];

#[cfg(test)]
mod tests {
    use super::ALL;
    use crate::lint::{lint_bytes, Category, LintOptions};

    fn band(category: Category) -> u8 {
        match category {
            // Meta rules (RG09x, about the configuration) share band 0 with grammar.
            Category::Grammar | Category::Meta => b'0',
            Category::Security => b'1',
            Category::Catalog => b'2',
            Category::Redundancy => b'3',
            Category::Condition => b'4',
        }
    }

    #[test]
    fn table_is_consistent() {
        assert!(ALL.len() >= 50, "{} rules", ALL.len());
        assert!(
            ALL.windows(2).all(|w| w[0].code < w[1].code),
            "codes must be unique and sorted"
        );
        let mut names: Vec<&str> = ALL.iter().map(|r| r.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ALL.len(), "names must be unique");
        for r in ALL {
            let code = r.code.as_bytes();
            assert!(
                code.len() == 5
                    && r.code.starts_with("RG")
                    && code[2..].iter().all(u8::is_ascii_digit),
                "{}",
                r.code
            );
            assert_eq!(code[2], band(r.category), "{} is in the wrong band", r.code);
            assert!(
                !r.name.is_empty()
                    && !r.name.starts_with('-')
                    && !r.name.ends_with('-')
                    && !r.name.contains("--")
                    && r.name
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{}: `{}` is not kebab-case",
                r.code,
                r.name
            );
            assert!(!r.summary.trim().is_empty(), "{}: summary", r.code);
            assert!(!r.why.trim().is_empty(), "{}: why", r.code);
            assert!(!r.instead.is_empty(), "{}: instead", r.code);
            // RG000 is about files that cannot be read: it has no text form to show.
            if r.code != "RG000" {
                assert!(!r.example.is_empty(), "{}: example", r.code);
            }
            // Grammar rules are emitted by lowering; every other rule needs its own check.
            assert_eq!(
                r.check.is_some(),
                r.category != Category::Grammar,
                "{}",
                r.code
            );
        }
    }

    #[test]
    fn every_example_fires_and_every_instead_does_not() {
        let mut failures = Vec::new();
        for r in ALL {
            // Identity examples are read as a user would lint them, kind recognition included.
            let options = LintOptions {
                kind: r.kind,
                detect_trust: r.kind == crate::policy::PolicyKind::Identity,
                ..LintOptions::default()
            };
            if r.code != "RG000" {
                let report = lint_bytes("example.json", r.example, options);
                let hits: Vec<_> = report
                    .diagnostics
                    .iter()
                    .filter(|d| d.rule.code == r.code)
                    .collect();
                if hits.is_empty() {
                    failures.push(format!(
                        "{} {}: example does not fire it: {:?}",
                        r.code,
                        r.name,
                        report
                            .diagnostics
                            .iter()
                            .map(|d| (d.rule.code, &d.message))
                            .collect::<Vec<_>>()
                    ));
                }
                for d in hits {
                    // Model rules point inside the statement they are about.
                    if r.check.is_some() && !d.pointer.starts_with("/Statement/") {
                        failures.push(format!(
                            "{}: pointer `{}` is not inside a statement",
                            r.code, d.pointer
                        ));
                    }
                    let first = d.message.chars().next().unwrap_or('.');
                    if first.is_uppercase() || d.message.ends_with('.') {
                        failures.push(format!("{}: message style: {}", r.code, d.message));
                    }
                }
            }
            let report = lint_bytes("instead.json", r.instead, options);
            if let Some(d) = report.diagnostics.iter().find(|d| d.rule.code == r.code) {
                failures.push(format!(
                    "{} {}: `instead` fires it: {}",
                    r.code, r.name, d.message
                ));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn every_model_rule_has_a_fixture() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/invalid");
        let files: Vec<String> = std::fs::read_dir(&dir)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        for r in ALL.iter().filter(|r| r.check.is_some()) {
            let prefix = format!("{}-{}", r.code, r.name);
            assert!(
                files
                    .iter()
                    .any(|f| f.starts_with(&prefix) && f.ends_with(".json")),
                "no fixture policies/invalid/{prefix}*.json"
            );
        }
    }
}
