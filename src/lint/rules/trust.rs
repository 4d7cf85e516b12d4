//! RG106 `trust-any-principal` and RG107 `trust-account-root`: who may assume a role.

use super::common::{has_wildcard, is_allow, is_mask, unconditional};
use crate::lint::{Diagnostic, RuleContext, Severity};
use crate::policy::pattern::{glob_match_ignore_ascii_case, is_all_stars};
use crate::policy::{PolicyKind, PrincipalKind};

rule!(
    TRUST_ANY_PRINCIPAL, "RG106", "trust-any-principal", Security, Error, Trust, check_any,
    summary: "Reports a trust policy that lets anyone assume the role: `\"Principal\": \"*\"`, a `*` principal value, or a `RAM` principal with a wildcard account (`acs:ram::*:root`). Reported as a warning instead of an error when the statement has a condition.",
    why: "A role that trusts `*` can be assumed by any Alibaba Cloud account, so its permissions are as good as public. If many accounts really must assume it, narrow the statement with a condition such as `StringEquals` on `acs:PrincipalRdId` (your Resource Directory).",
    example: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"RAM": ["*"]}}
  ]
}
"#,
    instead: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"RAM": ["acs:ram::1234567890123456:role/dbs-backup-admin"]}}
  ]
}
"#,
);

fn check_any(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    if cx.policy.kind != PolicyKind::Trust {
        return;
    }
    for st in cx.policy.statements.iter().filter(|s| is_allow(s)) {
        let Some(p) = &st.principal else { continue };
        // With a condition the trust may be narrowed on purpose (e.g. to a Resource
        // Directory), so it is worth a look rather than a failed build.
        let severity = if unconditional(st) {
            Severity::Error
        } else {
            Severity::Warning
        };
        let help = "name the accounts, roles or services that may assume the role; if it must stay open, add a condition such as `StringEquals` on `acs:PrincipalRdId`";
        if let Some(span) = p.any {
            let mut d = Diagnostic::new(
                &TRUST_ANY_PRINCIPAL,
                span,
                "`\"Principal\": \"*\"` lets every Alibaba Cloud account assume this role",
            )
            .help(help);
            d.severity = severity;
            out.push(d);
        }
        for (kind, el) in &p.entries {
            for v in &el.values {
                let partial;
                let who = if is_all_stars(&v.value) {
                    match kind {
                        PrincipalKind::Ram => "every Alibaba Cloud account",
                        PrincipalKind::Service => "every cloud service",
                        PrincipalKind::Federated => "every identity provider",
                    }
                } else if *kind == PrincipalKind::Ram && wildcard_account(&v.value) {
                    let account = v.value.split(':').nth(3).unwrap_or_default();
                    if is_mask(account) {
                        // `123456789012****` is a documentation mask, not a pattern anyone
                        // meant: `template-placeholder` says so, accurately.
                        continue;
                    }
                    if is_all_stars(account) {
                        "identities of every Alibaba Cloud account"
                    } else {
                        partial =
                            format!("identities of every account whose ID matches `{account}`");
                        &partial
                    }
                } else {
                    continue;
                };
                let mut d = Diagnostic::new(
                    &TRUST_ANY_PRINCIPAL,
                    v.span,
                    format!(
                        "`{}` principal `{}` lets {who} assume this role",
                        kind.as_str(),
                        v.value
                    ),
                )
                .help(help);
                d.severity = severity;
                out.push(d);
            }
        }
    }
}

/// `acs:ram::*:root`, `acs:ram::12*:role/x`: the account field has a wildcard.
fn wildcard_account(arn: &str) -> bool {
    let mut fields = arn.splitn(5, ':');
    fields.nth(3).is_some_and(has_wildcard)
}

/// The account of `acs:ram::<account>:root`, when it is literal.
fn root_account(arn: &str) -> Option<&str> {
    let [acs, svc, _region, account, rel] = crate::policy::arn::fields(arn)?;
    (acs == "acs"
        && svc.eq_ignore_ascii_case("ram")
        && rel == "root"
        && !account.is_empty()
        && !has_wildcard(account))
    .then_some(account)
}

rule!(
    TRUST_ACCOUNT_ROOT, "RG107", "trust-account-root", Security, Warning, Trust, check_root,
    summary: "Reports a trust policy statement that trusts a whole account (`acs:ram::<account>:root`) with no condition.",
    why: "Trusting `:root` lets every RAM user and role of that account assume the role, as soon as the account's own policies allow `sts:AssumeRole`; the role's owner no longer decides who. (Whether the account is another one cannot be told from the document.) Name the users or roles that need it, or add a condition such as `StringEquals` on `acs:PrincipalARN`.",
    example: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"RAM": ["acs:ram::1234567890123456:root"]}}
  ]
}
"#,
    instead: br#"{
  "Version": "1",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "sts:AssumeRole",
      "Principal": {"RAM": ["acs:ram::1234567890123456:root"]},
      "Condition": {"StringEquals": {"acs:PrincipalARN": "acs:ram::1234567890123456:role/dbs-backup-admin"}}
    }
  ]
}
"#,
);

fn check_root(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    if cx.policy.kind != PolicyKind::Trust {
        return;
    }
    for st in cx
        .policy
        .statements
        .iter()
        .filter(|s| is_allow(s) && unconditional(s))
    {
        let Some(p) = &st.principal else { continue };
        for v in p.values(PrincipalKind::Ram) {
            if let Some(account) = root_account(&v.value) {
                out.push(
                    Diagnostic::new(
                        &TRUST_ACCOUNT_ROOT,
                        v.span,
                        format!(
                            "every RAM identity of account `{account}` whose own policies allow `sts:AssumeRole` can assume this role"
                        ),
                    )
                    .help(format!(
                        "name the user or role (`acs:ram::{account}:role/<name>`), or add a condition such as `\"StringEquals\": {{\"acs:PrincipalARN\": \"acs:ram::{account}:role/<name>\"}}`"
                    )),
                );
            }
        }
    }
}

rule!(
    TRUST_NEVER_APPLIES, "RG114", "trust-never-applies", Security, Warning, Trust, check_never,
    summary: "Reports a trust policy statement whose `Service` or `Federated` principals are held to a condition they can never meet: `Bool` `acs:MFAPresent` `true` (a service or a federated login carries no MFA flag).",
    why: "A service assuming a role never signs in with MFA, so the statement never lets it assume the role: the role silently does not work for that service. MFA conditions belong to the RAM users and roles of the statement; put the service in a statement of its own.",
    example: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": ["ecs.aliyuncs.com"]},
     "Condition": {"Bool": {"acs:MFAPresent": "true"}}}
  ]
}
"#,
    instead: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": ["ecs.aliyuncs.com"]}}
  ]
}
"#,
);

fn check_never(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    if cx.policy.kind != PolicyKind::Trust {
        return;
    }
    for st in cx.policy.statements.iter().filter(|s| is_allow(s)) {
        let Some(p) = &st.principal else { continue };
        let external: Vec<&str> = p
            .values(PrincipalKind::Service)
            .chain(p.values(PrincipalKind::Federated))
            .map(|v| v.value.as_str())
            .collect();
        if external.is_empty() {
            continue;
        }
        for c in &st.conditions {
            let mfa = c.set.is_none()
                && c.operator.family() == crate::policy::Family::Bool
                && c.key.eq_ignore_ascii_case("acs:MFAPresent")
                && c.values
                    .iter()
                    .all(|v| v.value.eq_ignore_ascii_case("true"));
            if !mfa {
                continue;
            }
            let shown: Vec<String> = external.iter().map(|e| format!("`{e}`")).collect();
            out.push(
                Diagnostic::new(
                    &TRUST_NEVER_APPLIES,
                    c.key_span,
                    format!(
                        "{} can never meet `acs:MFAPresent` `true`: this statement never lets {} assume the role",
                        shown.join(", "),
                        if external.len() == 1 { "it" } else { "them" }
                    ),
                )
                .help("give the service or identity provider a statement of its own without the MFA condition"),
            );
        }
    }
}

rule!(
    TRUST_GRANTS_NOTHING, "RG115", "trust-grants-nothing", Security, Warning, Trust, check_nothing,
    summary: "Reports a trust policy in which no `Allow` statement grants `sts:AssumeRole` (only `Deny` statements, or empty or other actions).",
    why: "Nobody can assume such a role, whatever their own policies say: it is either a mistake (an empty `Action` from a template) or a role kept unusable on purpose, which is clearer done by deleting the role.",
    example: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Deny", "Action": "sts:AssumeRole", "Principal": {"RAM": ["acs:ram::1234567890123456:root"]}}
  ]
}
"#,
    instead: CLEAN_TRUST_DOC,
);

const CLEAN_TRUST_DOC: &[u8] = br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": ["ecs.aliyuncs.com"]}}
  ]
}
"#;

fn check_nothing(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    if cx.policy.kind != PolicyKind::Trust {
        return;
    }
    let grants = |st: &&crate::policy::Statement| {
        is_allow(st)
            && if st.action.negated {
                !st.action
                    .iter()
                    .any(|a| glob_match_ignore_ascii_case(a, "sts:AssumeRole"))
            } else {
                st.action
                    .iter()
                    .any(|a| glob_match_ignore_ascii_case(a, "sts:AssumeRole"))
            }
    };
    if cx.policy.statements.iter().any(|s| grants(&s)) || !cx.policy.unreadable.is_empty() {
        return;
    }
    if let Some(first) = cx.policy.statements.first() {
        out.push(
            Diagnostic::new(
                &TRUST_GRANTS_NOTHING,
                first.action.span,
                "no statement allows `sts:AssumeRole`: nobody can assume this role",
            )
            .help("allow `sts:AssumeRole` to the principals that should assume the role"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns() {
        assert!(wildcard_account("acs:ram::*:root"));
        assert!(!wildcard_account("acs:ram::123:root"));
        assert!(!wildcard_account("*"));
        assert_eq!(root_account("acs:ram::123:root"), Some("123"));
        assert_eq!(root_account("acs:ram::123:role/x"), None);
        assert_eq!(root_account("acs:ram::*:root"), None);
        assert_eq!(root_account("root"), None);
    }
}
