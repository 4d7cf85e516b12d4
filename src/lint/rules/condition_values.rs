//! RG403 `wildcard-in-exact-match` and RG404 `open-source-ip`: condition values that do not
//! restrict what they seem to.

use super::common::global_key;
use super::common::is_allow;
use crate::lint::{Diagnostic, RuleContext};
use crate::policy::values::IpNet;
use crate::policy::{Family, Operator, PolicyKind};

rule!(
    WILDCARD_IN_EXACT_MATCH, "RG403", "wildcard-in-exact-match", Condition, Warning, Identity, check_wildcard,
    summary: "Reports `*` or `?` in a value of `StringEquals`, `StringNotEquals` or their `IgnoreCase` variants.",
    why: "These operators compare exactly: `*` and `?` are literal characters there, so `\"acs:ram::*:role/admin\"` only matches that odd string. The author almost always meant `StringLike` (or `StringNotLike`).",
    example: br#"{
  "Version": "1",
  "Statement": [
    {
      "Effect": "Deny",
      "Action": "dbs:ReleaseBackupPlan",
      "Resource": "*",
      "Condition": {"StringNotEquals": {"acs:PrincipalARN": "acs:ram::*:role/dbs-backup-admin"}}
    }
  ]
}
"#,
    instead: br#"{
  "Version": "1",
  "Statement": [
    {
      "Effect": "Deny",
      "Action": "dbs:ReleaseBackupPlan",
      "Resource": "*",
      "Condition": {"StringNotLike": {"acs:PrincipalARN": "acs:ram::*:role/dbs-backup-admin"}}
    }
  ]
}
"#,
);

fn check_wildcard(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    for (st, c) in cx
        .policy
        .statements
        .iter()
        .flat_map(|s| s.conditions.iter().map(move |c| (s, c)))
    {
        if !matches!(
            c.operator.family(),
            Family::String | Family::StringIgnoreCase
        ) {
            continue;
        }
        let like = if c.operator.is_negated() {
            Operator::StringNotLike
        } else {
            Operator::StringLike
        };
        for v in c.values.iter().filter(|v| v.value.contains(['*', '?'])) {
            out.push(
                Diagnostic::new(
                    &WILDCARD_IN_EXACT_MATCH,
                    v.span,
                    format!(
                        "`{}` compares exactly, so the wildcard in `{}` is a literal character",
                        c.operator_name(),
                        v.value
                    ),
                )
                .label(c.operator_span, "exact comparison")
                .help(wildcard_help(
                    st.effect.value,
                    c.operator.is_negated(),
                    like,
                )),
            );
        }
    }
}

/// A help that is safe to apply: switching to the `Like` operator narrows an Allow with a
/// negated operator and a Deny with a positive one, and widens the other two, which the help
/// then says instead of suggesting it.
fn wildcard_help(effect: crate::policy::Effect, negated: bool, like: Operator) -> String {
    let narrows = (effect == crate::policy::Effect::Allow) == negated;
    if narrows {
        format!("did you mean `{}`?", like.name())
    } else {
        format!(
            "if the wildcard is meant, `{}` would make this {} apply to more requests than it does now: check that this is intended before changing it",
            like.name(),
            match effect {
                crate::policy::Effect::Allow => "Allow",
                crate::policy::Effect::Deny => "Deny's exception",
            }
        )
    }
}

rule!(
    OPEN_SOURCE_IP, "RG404", "open-source-ip", Condition, Warning, Identity, check_open_ip,
    summary: "Reports an `IpAddress` condition on `acs:SourceIp` or `acs:SourceVpcIp` in an `Allow` that admits every address (`0.0.0.0/0`, `::/0`).",
    why: "The condition looks like a network restriction to a reviewer but admits the whole Internet (or every address in the VPC): it restricts nothing.",
    example: br#"{
  "Version": "1",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "dbs:StartBackupPlan",
      "Resource": "acs:dbs:*:*:backupplan/*",
      "Condition": {"IpAddress": {"acs:SourceIp": ["192.0.2.0/24", "0.0.0.0/0"]}}
    }
  ]
}
"#,
    instead: br#"{
  "Version": "1",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "dbs:StartBackupPlan",
      "Resource": "acs:dbs:*:*:backupplan/*",
      "Condition": {"IpAddress": {"acs:SourceIp": ["192.0.2.0/24"]}}
    }
  ]
}
"#,
);

fn check_open_ip(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    // A control policy only bounds; an open range there restricts nothing but grants nothing.
    if cx.policy.kind == PolicyKind::Control {
        return;
    }
    for st in cx.policy.statements.iter().filter(|s| is_allow(s)) {
        for c in &st.conditions {
            if c.operator != Operator::IpAddress {
                continue;
            }
            let Some(key) = global_key(&c.key)
                .filter(|k| k.name == "acs:SourceIp" || k.name == "acs:SourceVpcIp")
            else {
                continue;
            };
            for v in &c.values {
                let Some(net) = IpNet::parse(&v.value).filter(IpNet::is_everything) else {
                    continue;
                };
                let family = if net.addr.is_ipv4() { "IPv4" } else { "IPv6" };
                out.push(
                    Diagnostic::new(
                        &OPEN_SOURCE_IP,
                        v.span,
                        format!(
                            "`{}` admits every {family} address, so this condition does not restrict `{}`",
                            v.value, key.name
                        ),
                    )
                    .help("list the networks the callers really use, e.g. your egress range `203.0.113.0/24`"),
                );
            }
        }
    }
}
