//! Every rule, one table. Grammar rules live in `grammar`; model rules in their own files.

pub mod grammar;

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
];
