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

pub mod common;

// Security.
pub mod admin;
pub mod destructive;
pub mod escalation;
pub mod negated;
pub mod trust;
// Catalogue.
pub mod action_names;
pub mod deprecated;
pub mod resource_match;
// Redundancy.
pub mod duplicates;
pub mod overlap;
// Conditions.
pub mod condition_keys;
pub mod condition_values;
pub mod impossible;

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
    &admin::ALLOW_ALL,
    &admin::SERVICE_WILDCARD,
    &negated::ALLOW_NOT_ACTION,
    &negated::ALLOW_NOT_RESOURCE,
    &escalation::PRIVILEGE_ESCALATION,
    &destructive::DESTRUCTIVE_ON_ALL,
    &trust::TRUST_ANY_PRINCIPAL,
    &trust::TRUST_ACCOUNT_ROOT,
    &action_names::UNKNOWN_ACTION,
    &action_names::WILDCARD_MATCHES_NOTHING,
    &action_names::ACTION_CASE,
    &resource_match::RESOURCE_NEVER_MATCHES,
    &resource_match::ALL_RESOURCES_ONLY,
    &deprecated::DEPRECATED_ACTION,
    &duplicates::DUPLICATE_VALUE,
    &duplicates::COVERED_VALUE,
    &overlap::REDUNDANT_STATEMENT,
    &overlap::SHADOWED_ALLOW,
    &condition_keys::UNKNOWN_CONDITION_KEY,
    &condition_keys::CONDITION_KEY_CASE,
    &condition_keys::OPERATOR_KEY_MISMATCH,
    &condition_values::WILDCARD_IN_EXACT_MATCH,
    &condition_values::OPEN_SOURCE_IP,
    &impossible::IMPOSSIBLE_CONDITION,
];
