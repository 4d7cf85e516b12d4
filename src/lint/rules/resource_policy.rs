//! RG110 `public-access`, RG111 `cross-account-grant` and RG112 `kms-account-wide`: what a
//! bucket or key policy lets callers outside the owner's control do.

use super::common::{is_allow, is_mask, list};
use crate::lint::{Diagnostic, RuleContext, Severity};
use crate::policy::pattern::is_all_stars;
use crate::policy::{PolicyKind, PrincipalKind, Statement};

rule!(
    PUBLIC_ACCESS, "RG110", "public-access", Security, Error, OssBucket, check_public,
    summary: "Reports an `Allow` to every principal (`\"Principal\": \"*\"` or `[\"*\"]`) in a bucket or key policy without a condition that restricts the caller (`acs:SourceIp`, `acs:SourceVpc`, `acs:SourceVpcIp`, `acs:AccessId`, `acs:PrincipalARN`, ...). Read-only grants are a warning, anything else an error.",
    why: "`*` in a resource-based policy includes anonymous callers: anyone on the Internet can use the grant, with no credentials. A public read is sometimes intended (a static website); a public write, delete or key use never is.",
    example: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": ["oss:PutObject"], "Principal": ["*"], "Resource": ["acs:oss:*:1234567890123456:examplebucket/*"]}
  ]
}
"#,
    instead: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": ["oss:PutObject"], "Principal": ["*"], "Resource": ["acs:oss:*:1234567890123456:examplebucket/*"],
     "Condition": {"IpAddress": {"acs:SourceIp": ["192.0.2.0/24"]}}}
  ]
}
"#,
);

/// Keys whose positive test narrows who the caller is or where it calls from.
const CALLER_KEYS: &[&str] = &[
    "acs:SourceIp",
    "acs:SourceVpc",
    "acs:SourceVpcIp",
    "acs:AccessId",
    "acs:PrincipalARN",
    "acs:PrincipalAccount",
    "acs:PrincipalRdId",
    "acs:PrincipalRdPath",
];

fn restricts_caller(st: &Statement) -> bool {
    st.conditions.iter().any(|c| {
        c.set != Some(crate::policy::SetOp::ForAllValues)
            && !c.operator.is_negated()
            && CALLER_KEYS.iter().any(|k| k.eq_ignore_ascii_case(&c.key))
    })
}

fn everyone(st: &Statement) -> Option<crate::source::Span> {
    let p = st.principal.as_ref()?;
    p.any.or_else(|| {
        p.values(PrincipalKind::Ram)
            .find(|v| is_all_stars(&v.value))
            .map(|v| v.span)
    })
}

fn read_only(st: &Statement) -> bool {
    !st.action.negated
        && st.action.iter().all(|a| {
            let name = a.split_once(':').map_or(a, |(_, n)| n).to_ascii_lowercase();
            ["get", "list", "head", "describe"]
                .iter()
                .any(|p| name.starts_with(p))
                && !name.contains('*')
        })
}

fn check_public(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    if !cx.policy.kind.is_resource_based() {
        return;
    }
    for st in cx.policy.statements.iter().filter(|s| is_allow(s)) {
        let Some(span) = everyone(st) else { continue };
        if restricts_caller(st) {
            continue;
        }
        let actions: Vec<&str> = st.action.iter().collect();
        let mut d = Diagnostic::new(
            &PUBLIC_ACCESS,
            span,
            format!(
                "every caller, anonymous ones included, may use {}: no condition restricts who or where from",
                list(&actions, 4)
            ),
        )
        .help("name the accounts or users in `Principal`, or add a condition such as `IpAddress` on `acs:SourceIp` or `StringEquals` on `acs:SourceVpc`");
        if read_only(st) {
            d.severity = Severity::Warning;
        }
        out.push(d);
    }
}

rule!(
    CROSS_ACCOUNT_GRANT, "RG111", "cross-account-grant", Security, Warning, OssBucket, check_cross,
    summary: "Reports a bucket or key policy `Allow` whose principal is a whole account (an account ID, or `acs:ram::<account>:root`) other than the account its resources belong to.",
    why: "An account principal lets every RAM identity of that account use the grant as soon as that account's own policies allow it: who may use it is decided by another account's administrators. Name the users or roles of the other account that need it.",
    example: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": ["oss:GetObject"], "Principal": ["5678901234567890"], "Resource": ["acs:oss:*:1234567890123456:examplebucket/*"]}
  ]
}
"#,
    instead: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": ["oss:GetObject"], "Principal": ["1234567890123456"], "Resource": ["acs:oss:*:1234567890123456:examplebucket/*"]}
  ]
}
"#,
);

/// An account ID as a bucket policy principal: digits, or a documentation mask of them.
fn account_id(v: &str) -> bool {
    (v.len() >= 10 && v.bytes().all(|b| b.is_ascii_digit())) || is_mask(v)
}

/// The literal account fields of the statement's resources (none when any is a wildcard or
/// empty: then the owner cannot be told).
fn owners(st: &Statement) -> Option<Vec<&str>> {
    let r = st.resource.as_ref().filter(|r| !r.negated)?;
    r.iter()
        .map(|v| {
            let account = v.split(':').nth(3)?;
            (!account.is_empty() && !account.contains(['*', '?']) || is_mask(account))
                .then_some(account)
        })
        .collect()
}

/// The account of `acs:ram::<account>:root`.
fn root_of(v: &str) -> Option<&str> {
    v.strip_prefix("acs:ram::")?
        .strip_suffix(":root")
        .filter(|a| !a.contains(':'))
}

fn check_cross(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    if !cx.policy.kind.is_resource_based() {
        return;
    }
    for st in cx.policy.statements.iter().filter(|s| is_allow(s)) {
        let (Some(p), Some(owners)) = (&st.principal, owners(st)) else {
            continue;
        };
        let ids = p
            .ids
            .iter()
            .flat_map(|e| e.values.iter())
            .filter(|v| account_id(&v.value));
        let roots = p
            .values(PrincipalKind::Ram)
            .filter(|v| root_of(&v.value).is_some_and(|a| !a.contains(['*', '?']) || is_mask(a)));
        for v in ids.chain(roots) {
            let account = root_of(&v.value).unwrap_or(&v.value);
            if owners.iter().all(|o| *o != account) && !owners.is_empty() {
                out.push(
                    Diagnostic::new(
                        &CROSS_ACCOUNT_GRANT,
                        v.span,
                        format!(
                            "grants to every RAM identity of account `{account}`, not the resources' account `{}`",
                            owners.first().copied().unwrap_or_default()
                        ),
                    )
                    .help("name the users or roles of that account that need it"),
                );
            }
        }
    }
}

rule!(
    KMS_ACCOUNT_WIDE, "RG112", "kms-account-wide", Security, Warning, KmsKey, check_kms,
    summary: "Reports a key policy that allows every KMS action (`kms:*`) to a whole account (`acs:ram::<account>:root` or `acs:ram::<account>:*`).",
    why: "`kms:*` includes deleting the key and changing its policy; granted to a whole account, every RAM identity whose own policies allow it can do so, and the key's data is only as safe as the least careful of them. Grant `kms:Encrypt`/`kms:Decrypt` to the roles that use the key, and key administration to administrators.",
    example: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": ["kms:*"], "Principal": {"RAM": ["acs:ram::1234567890123456:*"]}, "Resource": ["*"]}
  ]
}
"#,
    instead: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"], "Principal": {"RAM": ["acs:ram::1234567890123456:role/app"]}, "Resource": ["*"]}
  ]
}
"#,
);

fn check_kms(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    if cx.policy.kind != PolicyKind::KmsKey {
        return;
    }
    for st in cx.policy.statements.iter().filter(|s| is_allow(s)) {
        let all = !st.action.negated
            && st
                .action
                .iter()
                .any(|a| is_all_stars(a) || a.eq_ignore_ascii_case("kms:*"));
        let Some(p) = st.principal.as_ref().filter(|_| all) else {
            continue;
        };
        for v in p.values(PrincipalKind::Ram) {
            let whole = v.value.strip_prefix("acs:ram::").and_then(|rest| {
                let (account, rel) = rest.split_once(':')?;
                (rel == "root" || is_all_stars(rel)).then_some(account)
            });
            if let Some(account) = whole {
                out.push(
                    Diagnostic::new(
                        &KMS_ACCOUNT_WIDE,
                        v.span,
                        format!(
                            "every KMS action on this key, deleting it and changing its policy included, is allowed to every RAM identity of account `{account}`"
                        ),
                    )
                    .help("grant the cryptographic actions to the roles that use the key, and administration to administrators"),
                );
            }
        }
    }
}
