//! Grammar rules: what RAM itself rejects (or documents differently). Lowering and the file
//! loader emit these; they have no model check of their own.

use crate::lint::registry::Category::Grammar;
use crate::lint::registry::Rule;
use crate::lint::Diagnostic;
use crate::lint::Severity::{self, Error, Info, Warning};
use crate::policy::PolicyKind::{Identity, Session, Trust};
use crate::policy::{Level, Problem, ProblemKind};

/// A clean identity policy that the "use instead" of most grammar rules can point at.
const CLEAN: &[u8] = br#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "dbs:DescribeBackupPlanList", "Resource": "*"}]}"#;
const CLEAN_TRUST: &[u8] = br#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": ["ecs.aliyuncs.com"]}}]}"#;

macro_rules! grammar_rule {
    ($id:ident, $code:literal, $name:literal, $sev:ident, $kind:ident, $summary:literal, $why:literal, $example:expr, $instead:expr) => {
        pub static $id: Rule = Rule {
            code: $code,
            name: $name,
            category: Grammar,
            severity: $sev,
            summary: $summary,
            why: $why,
            example: $example,
            instead: $instead,
            kind: $kind,
            check: None,
        };
    };
}

grammar_rule!(
    UNREADABLE_FILE,
    "RG000",
    "unreadable-file",
    Error,
    Identity,
    "Reports a file that cannot be read (missing, a directory, no permission).",
    "A policy that cannot be read cannot be checked; the run goes on with the other files.",
    b"",
    CLEAN
);
grammar_rule!(INVALID_JSON, "RG001", "invalid-json", Error, Identity,
    "Reports JSON that is not strict RFC 8259: comments, trailing commas, leading zeros, control characters in strings, lone surrogates, bad escapes, unbalanced brackets, nesting deeper than 64 levels, empty files.",
    "RAM parses policy documents as strict JSON and rejects the whole document on any syntax fault.",
    br#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "dbs:DescribeBackupPlanList", "Resource": "*",}]}"#,
    CLEAN);
grammar_rule!(INVALID_UTF8, "RG002", "invalid-utf8", Error, Identity,
    "Reports bytes that are not valid UTF-8.",
    "JSON text must be UTF-8; a document saved in another encoding is rejected or misread.",
    b"{\"Version\": \"1\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"dbs:DescribeBackupPlanList\", \"Resource\": \"\xff\"}]}",
    CLEAN);
grammar_rule!(BYTE_ORDER_MARK, "RG003", "byte-order-mark", Warning, Identity,
    "Reports a UTF-8 byte-order mark at the start of the file.",
    "A byte-order mark is not part of JSON (RFC 8259 forbids emitting it); some tools, consoles and APIs reject such a document.",
    b"\xEF\xBB\xBF{\"Version\": \"1\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"dbs:DescribeBackupPlanList\", \"Resource\": \"*\"}]}",
    CLEAN);
grammar_rule!(DUPLICATE_KEY, "RG004", "duplicate-key", Error, Identity,
    "Reports a key given twice in one object, also when the two differ only in case.",
    "Parsers disagree on which of two duplicate keys wins; a reviewer reads the first while many loaders keep the last, so the policy does something other than what was reviewed.",
    br#"{"Version": "1", "Statement": [{"Effect": "Deny", "Effect": "Allow", "Action": "dbs:DescribeBackupPlanList", "Resource": "*"}]}"#,
    CLEAN);
grammar_rule!(POLICY_TOO_LARGE, "RG005", "policy-too-large", Error, Session,
    "Reports a document longer than RAM allows for its kind: 6,144 characters for a custom policy, 4,096 for a control policy, 2,048 for a session policy (whitespace counts).",
    "RAM rejects an oversized document at CreatePolicy, CreatePolicyVersion or AssumeRole time.",
    br#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "dbs:DescribeBackupPlanList", "Resource": ["acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsplan00000", "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsplan00001", "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsplan00002", "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsplan00003", "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsplan00004", "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsplan00005", "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsplan00006", "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsplan00007", "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsplan00008", "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsplan00009", "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsplan00010", "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsplan00011", "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsplan00012", "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsplan00013", "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsplan00014", "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsplan00015", "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsplan00016", "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsplan00017", "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsplan00018", "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsplan00019", "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsplan00020", "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsplan00021", "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsplan00022", "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsplan00023", "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsplan00024", "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsplan00025", "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsplan00026", "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsplan00027", "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsplan00028", "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsplan00029", "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsplan00030", "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsplan00031", "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsplan00032", "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsplan00033", "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsplan00034", "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsplan00035", "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsplan00036", "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsplan00037", "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsplan00038", "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsplan00039"]}]}"#,
    CLEAN);
grammar_rule!(
    INVALID_DOCUMENT,
    "RG010",
    "invalid-document",
    Error,
    Identity,
    "Reports a document whose top level is not a JSON object.",
    "A policy document is an object with `Version` and `Statement`.",
    br#"[{"Effect": "Allow", "Action": "dbs:DescribeBackupPlanList", "Resource": "*"}]"#,
    CLEAN
);
grammar_rule!(INVALID_VERSION, "RG011", "invalid-version", Error, Identity,
    "Reports a missing `Version` or any value other than the string `\"1\"`.",
    "`\"1\"` is the only policy language version RAM knows; AWS's `2012-10-17` is rejected.",
    br#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dbs:DescribeBackupPlanList", "Resource": "*"}]}"#,
    CLEAN);
grammar_rule!(
    INVALID_STATEMENT,
    "RG012",
    "invalid-statement",
    Error,
    Identity,
    "Reports a missing or empty `Statement`, and statements that are not objects.",
    "A policy without statements grants nothing and RAM rejects it.",
    br#"{"Version": "1", "Statement": []}"#,
    CLEAN
);
grammar_rule!(STATEMENT_OBJECT_FORM, "RG013", "statement-object-form", Warning, Identity,
    "Reports `Statement` written as a single object instead of an array.",
    "RAM documents only the array form; other tools and future validators may reject the object form.",
    br#"{"Version": "1", "Statement": {"Effect": "Allow", "Action": "dbs:DescribeBackupPlanList", "Resource": "*"}}"#,
    CLEAN);
grammar_rule!(UNKNOWN_ELEMENT, "RG014", "unknown-element", Error, Identity,
    "Reports an element RAM does not know, including known names written in another case (`effect`, `Resources`), with the closest valid name.",
    "RAM rejects documents with invalid elements; element names are case-sensitive.",
    br#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "dbs:DescribeBackupPlanList", "Resources": "*"}]}"#,
    CLEAN);
grammar_rule!(INVALID_EFFECT, "RG015", "invalid-effect", Error, Identity,
    "Reports a missing `Effect` or a value other than `Allow` or `Deny` (case-sensitive).",
    "RAM rejects `\"allow\"`; a statement without an effect neither grants nor denies.",
    br#"{"Version": "1", "Statement": [{"Effect": "allow", "Action": "dbs:DescribeBackupPlanList", "Resource": "*"}]}"#,
    CLEAN);
grammar_rule!(
    MISSING_ACTION,
    "RG016",
    "missing-action",
    Error,
    Identity,
    "Reports a statement with neither `Action` nor `NotAction`.",
    "Every statement must say which actions it is about.",
    br#"{"Version": "1", "Statement": [{"Effect": "Allow", "Resource": "*"}]}"#,
    CLEAN
);
grammar_rule!(ACTION_AND_NOT_ACTION, "RG017", "action-and-not-action", Error, Identity,
    "Reports a statement with both `Action` and `NotAction`.",
    "The two are exclusive; RAM rejects the document.",
    br#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "dbs:DescribeBackupPlanList", "NotAction": "dbs:StartBackupPlan", "Resource": "*"}]}"#,
    CLEAN);
grammar_rule!(MISSING_RESOURCE, "RG018", "missing-resource", Error, Identity,
    "Reports an identity, control or session policy statement without `Resource`.",
    "`Resource` is required outside trust policies; RAM rejects the document.",
    br#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "dbs:DescribeBackupPlanList"}]}"#,
    CLEAN);
grammar_rule!(NOT_RESOURCE, "RG019", "not-resource", Error, Identity,
    "Reports `NotResource`, which appears only in 2019-2020 RAM pages and is not part of the current grammar.",
    "A document using it may be rejected, and `Allow` with `NotResource` grants far more than intended. ramguard's evaluator still applies it as the complement of `Resource`.",
    br#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "dbs:DescribeBackupPlanList", "NotResource": "acs:dbs:*:*:backupplan/prod-*"}]}"#,
    CLEAN);
grammar_rule!(RESOURCE_AND_NOT_RESOURCE, "RG020", "resource-and-not-resource", Error, Identity,
    "Reports a statement with both `Resource` and `NotResource`.",
    "The two are exclusive.",
    br#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "dbs:DescribeBackupPlanList", "Resource": "*", "NotResource": "acs:dbs:*:*:backupplan/x"}]}"#,
    CLEAN);
grammar_rule!(RESOURCE_IN_TRUST_POLICY, "RG021", "resource-in-trust-policy", Error, Trust,
    "Reports `Resource` or `NotResource` in a trust policy.",
    "The resource of a trust policy is the role it belongs to; RAM rejects the element there.",
    br#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": ["ecs.aliyuncs.com"]}, "Resource": "*"}]}"#,
    CLEAN_TRUST);
grammar_rule!(
    MISSING_PRINCIPAL,
    "RG022",
    "missing-principal",
    Error,
    Trust,
    "Reports a trust or resource-based policy statement without `Principal`.",
    "A trust policy must say who may assume the role, a bucket or key policy whom it grants to.",
    br#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}"#,
    CLEAN_TRUST
);
grammar_rule!(PRINCIPAL_OUTSIDE_TRUST, "RG023", "principal-outside-trust", Error, Session,
    "Reports `Principal` in a policy that is neither a trust nor a resource-based policy.",
    "Identity, control and session policies apply to the principal they are attached to; RAM rejects `Principal` there.",
    br#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "dbs:DescribeBackupPlanList", "Resource": "*", "Principal": {"RAM": ["acs:ram::1234567890123456:root"]}}]}"#,
    CLEAN);
grammar_rule!(INVALID_PRINCIPAL, "RG024", "invalid-principal", Error, Trust,
    "Reports a `Principal` that is not an object of `RAM`, `Service` and `Federated` lists (or `\"*\"`); in a bucket policy, one that is not a list of account or user IDs (or `[\"*\"]`).",
    "RAM knows only these principal types; AWS's `AWS` key is rejected. OSS reads a bucket policy's `Principal` as a list of IDs.",
    br#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": ["acs:ram::1234567890123456:root"]}}]}"#,
    CLEAN_TRUST);
grammar_rule!(VALUE_TYPE_MISMATCH, "RG025", "value-type-mismatch", Warning, Identity,
    "Reports a JSON number or boolean where RAM expects a string.",
    "RAM's documents write every value as a string; a number or boolean is read as its text by some tools and rejected by others (\"data type mismatch\").",
    br#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "dbs:DescribeBackupPlanList", "Resource": "*", "Condition": {"Bool": {"acs:SecureTransport": true}}}]}"#,
    br#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "dbs:DescribeBackupPlanList", "Resource": "*", "Condition": {"Bool": {"acs:SecureTransport": "true"}}}]}"#);
grammar_rule!(INVALID_VALUE_TYPE, "RG026", "invalid-value-type", Error, Identity,
    "Reports `null`, objects or nested arrays where a string or list of strings is expected, and non-object `Condition` blocks.",
    "RAM rejects values of the wrong type.",
    br#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": [["dbs:DescribeBackupPlanList"]], "Resource": "*"}]}"#,
    CLEAN);
grammar_rule!(
    EMPTY_LIST,
    "RG027",
    "empty-list",
    Error,
    Identity,
    "Reports an empty list for `Action`, `Resource`, a principal or a condition key.",
    "An empty list matches nothing: the statement is dead, and RAM rejects it.",
    br#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": [], "Resource": "*"}]}"#,
    CLEAN
);
grammar_rule!(INVALID_ACTION, "RG028", "invalid-action", Error, Identity,
    "Reports an action that is not `*` or `<service>:<Action>`.",
    "RAM rejects actions without a service code (`StartBackupPlan`), with spaces, or empty.",
    br#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "StartBackupPlan", "Resource": "*"}]}"#,
    CLEAN);
grammar_rule!(INVALID_ARN, "RG029", "invalid-arn", Error, Identity,
    "Reports a resource that is not `*` or `acs:<service>:<region>:<account-id>:<relative-id>`, including AWS `arn:` ARNs.",
    "RAM rejects malformed ARNs; an ARN with a field missing never matches what was meant.",
    br#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "dbs:StartBackupPlan", "Resource": "acs:dbs:cn-hangzhou:backupplan/dbsqdss5tmh1"}]}"#,
    br#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "dbs:StartBackupPlan", "Resource": "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsqdss5tmh1"}]}"#);
grammar_rule!(UNKNOWN_OPERATOR, "RG030", "unknown-operator", Error, Identity,
    "Reports a condition operator RAM does not have, naming AWS-only operators (`...IfExists`, `ForAnyValue:`, `Null`, `Arn*`) as such, with the closest RAM operator.",
    "RAM rejects unknown operators; operator names are case-sensitive.",
    br#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "dbs:DescribeBackupPlanList", "Resource": "*", "Condition": {"IpAdress": {"acs:SourceIp": "192.0.2.0/24"}}}]}"#,
    br#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "dbs:DescribeBackupPlanList", "Resource": "*", "Condition": {"IpAddress": {"acs:SourceIp": "192.0.2.0/24"}}}]}"#);
grammar_rule!(INVALID_CONDITION_KEY, "RG031", "invalid-condition-key", Error, Identity,
    "Reports a condition key that is empty, holds whitespace, or has an empty side of its colon (`acs:`, `:SourceIp`).",
    "Such a key names nothing RAM could set. (A key without any prefix is legal and always absent: see `key-never-present`.)",
    br#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "dbs:DescribeBackupPlanList", "Resource": "*", "Condition": {"IpAddress": {"acs:Source Ip": "192.0.2.0/24"}}}]}"#,
    br#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "dbs:DescribeBackupPlanList", "Resource": "*", "Condition": {"IpAddress": {"acs:SourceIp": "192.0.2.0/24"}}}]}"#);
grammar_rule!(INVALID_CONDITION_VALUE, "RG032", "invalid-condition-value", Error, Identity,
    "Reports a condition value that its operator cannot read: a non-number for `Numeric*`, a date without time or zone or an impossible date for `Date*`, anything but true/false for `Bool`, a bad address or CIDR for `IpAddress`.",
    "RAM rejects such values, or the condition silently never holds.",
    br#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "dbs:DescribeBackupPlanList", "Resource": "*", "Condition": {"IpAddress": {"acs:SourceIp": "192.0.2.0/33"}}}]}"#,
    br#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "dbs:DescribeBackupPlanList", "Resource": "*", "Condition": {"IpAddress": {"acs:SourceIp": "192.0.2.0/24"}}}]}"#);
grammar_rule!(MULTIPLE_BOOL_VALUES, "RG033", "multiple-bool-values", Error, Identity,
    "Reports a `Bool` condition key with more than one value.",
    "RAM rejects \"multiple Boolean values\"; `[\"true\", \"false\"]` would also make the condition meaningless.",
    br#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "dbs:DescribeBackupPlanList", "Resource": "*", "Condition": {"Bool": {"acs:MFAPresent": ["true", "false"]}}}]}"#,
    br#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "dbs:DescribeBackupPlanList", "Resource": "*", "Condition": {"Bool": {"acs:MFAPresent": "true"}}}]}"#);
grammar_rule!(DUPLICATE_SID, "RG034", "duplicate-sid", Warning, Identity,
    "Reports two statements with the same `Sid`.",
    "Sids name statements in reviews, suppressions and diagnostics; two with one name make those ambiguous.",
    br#"{"Version": "1", "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": "dbs:DescribeBackupPlanList", "Resource": "*"}, {"Sid": "Read", "Effect": "Allow", "Action": "dbs:DescribeRegions", "Resource": "*"}]}"#,
    br#"{"Version": "1", "Statement": [{"Sid": "ReadPlans", "Effect": "Allow", "Action": "dbs:DescribeBackupPlanList", "Resource": "*"}, {"Sid": "ReadRegions", "Effect": "Allow", "Action": "dbs:DescribeRegions", "Resource": "*"}]}"#);
grammar_rule!(TRUST_ACTION, "RG035", "trust-action", Warning, Trust,
    "Reports actions other than `sts:AssumeRole` and the STS session actions (`sts:SetSourceIdentity`, `sts:TagSession`, ...) in a trust policy: one finding per statement, listing them.",
    "A trust policy only decides who may assume the role; other actions there have no effect.",
    br#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "ram:PassRole", "Principal": {"Service": ["ecs.aliyuncs.com"]}}]}"#,
    CLEAN_TRUST);
grammar_rule!(SET_OPERATOR, "RG036", "set-operator", Info, Identity,
    "Reports a `ForAnyValue:` or `ForAllValues:` set operator: RAM accepts and applies it, but does not document it.",
    "`ForAllValues:X` holds when the key is absent or every request value satisfies `X`; `ForAnyValue:X` when at least one does. Alibaba's own PowerUserAccess relies on them. They are not in RAM's public operator list, so their exact behaviour is the AWS one by assumption. Never drop the prefix: `X` alone is not the same test (for `ForAllValues:`, the prefix-less `X` allows other callers).",
    br#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "ram:CreateRole", "Resource": "*", "Condition": {"ForAllValues:StringEquals": {"ram:TrustedPrincipalTypes": ["Service"]}}}]}"#,
    br#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "ram:CreateRole", "Resource": "*", "Condition": {"StringEquals": {"ram:TrustedPrincipalTypes": ["Service"]}}}]}"#);
grammar_rule!(RESOURCE_POLICY_KIND, "RG037", "resource-policy-kind", Info, Identity,
    "Reports a document whose statements carry `Principal` and `Resource` with actions of a service ramguard has no resource-policy kind for: it is read with the resource-based grammar.",
    "A resource-based policy is checked against its service's own rules; name the kind (`--kind oss-bucket`, `--kind kms-key`, or a `[lint.kinds]` entry) so that those apply.",
    br#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "mns:SendMessage", "Principal": {"RAM": ["acs:ram::1234567890123456:root"]}, "Resource": "*"}]}"#,
    br#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "oss:GetObject", "Principal": ["1234567890123456"], "Resource": "acs:oss:*:*:examplebucket/*"}]}"#);

/// The grammar rule of each problem lowering reports: the one place the model's problems
/// meet the linter's rules.
pub fn rule_for(kind: ProblemKind) -> &'static Rule {
    match kind {
        ProblemKind::InvalidDocument => &INVALID_DOCUMENT,
        ProblemKind::InvalidVersion => &INVALID_VERSION,
        ProblemKind::InvalidStatement => &INVALID_STATEMENT,
        ProblemKind::StatementObjectForm => &STATEMENT_OBJECT_FORM,
        ProblemKind::UnknownElement => &UNKNOWN_ELEMENT,
        ProblemKind::InvalidEffect => &INVALID_EFFECT,
        ProblemKind::MissingAction => &MISSING_ACTION,
        ProblemKind::ActionAndNotAction => &ACTION_AND_NOT_ACTION,
        ProblemKind::MissingResource => &MISSING_RESOURCE,
        ProblemKind::NotResource => &NOT_RESOURCE,
        ProblemKind::ResourceAndNotResource => &RESOURCE_AND_NOT_RESOURCE,
        ProblemKind::ResourceInTrustPolicy => &RESOURCE_IN_TRUST_POLICY,
        ProblemKind::MissingPrincipal => &MISSING_PRINCIPAL,
        ProblemKind::PrincipalOutsideTrust => &PRINCIPAL_OUTSIDE_TRUST,
        ProblemKind::InvalidPrincipal => &INVALID_PRINCIPAL,
        ProblemKind::ValueTypeMismatch => &VALUE_TYPE_MISMATCH,
        ProblemKind::InvalidValueType => &INVALID_VALUE_TYPE,
        ProblemKind::EmptyList => &EMPTY_LIST,
        ProblemKind::InvalidAction => &INVALID_ACTION,
        ProblemKind::InvalidArn => &INVALID_ARN,
        ProblemKind::UnknownOperator => &UNKNOWN_OPERATOR,
        ProblemKind::InvalidConditionKey => &INVALID_CONDITION_KEY,
        ProblemKind::InvalidConditionValue => &INVALID_CONDITION_VALUE,
        ProblemKind::MultipleBoolValues => &MULTIPLE_BOOL_VALUES,
        ProblemKind::DuplicateSid => &DUPLICATE_SID,
        ProblemKind::TrustAction => &TRUST_ACTION,
        ProblemKind::SetOperator => &SET_OPERATOR,
        ProblemKind::ResourcePolicyKind => &RESOURCE_POLICY_KIND,
    }
}

fn severity(level: Level) -> Severity {
    match level {
        Level::Info => Info,
        Level::Warning => Warning,
        Level::Error => Error,
    }
}

/// A lowering problem as the finding of its rule.
pub fn diagnostic(p: Problem) -> Diagnostic {
    let mut d =
        Diagnostic::new(rule_for(p.kind), p.span, p.message).with_severity(severity(p.level));
    d.help = p.help;
    for (span, message) in p.labels {
        d = d.label(span, message);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The model's idea of what RAM rejects (a statement with an error takes part as unknown)
    /// is the rules' default severity.
    #[test]
    fn problem_levels_are_rule_severities() {
        for kind in ProblemKind::ALL {
            assert_eq!(severity(kind.level()), rule_for(kind).severity, "{kind:?}");
        }
        // One rule per kind, and `ALL` lists every kind once.
        let codes: std::collections::BTreeSet<&str> =
            ProblemKind::ALL.iter().map(|k| rule_for(*k).code).collect();
        assert_eq!(codes.len(), ProblemKind::ALL.len());
    }
}
