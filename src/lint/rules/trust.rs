//! RG106 `trust-any-principal` and RG107 `trust-account-root`: who may assume a role.

use super::common::{has_wildcard, is_allow, unconditional};
use crate::lint::{Diagnostic, RuleContext, Severity};
use crate::policy::pattern::is_all_stars;
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
                let who = if is_all_stars(&v.value) {
                    match kind {
                        PrincipalKind::Ram => "every Alibaba Cloud account",
                        PrincipalKind::Service => "every cloud service",
                        PrincipalKind::Federated => "every identity provider",
                    }
                } else if *kind == PrincipalKind::Ram && wildcard_account(&v.value) {
                    "identities of every Alibaba Cloud account"
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
    let mut fields = arn.splitn(5, ':');
    let (Some(acs), Some(svc), Some(_region), Some(account), Some(rel)) = (
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
    ) else {
        return None;
    };
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
