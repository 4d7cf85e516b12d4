//! RG120 `delete-on-all`, RG121 `permissions-management` and RG122 `data-read-on-all`:
//! security rules over the whole cloud that read the catalogue's access levels instead of
//! per-service lists.
//!
//! Each looks at the `Action` values of an `Allow` statement, expands wildcards against the
//! catalogue, and speaks when the statement reaches every resource of the matched actions'
//! service. Statements RG100 (every action on every resource) or RG101 (`svc:*`) already
//! report, and DBS's destructive operations (RG105's), are left to those rules.

use super::common::{
    actions, allow_all, broad_for_service, covers_service, grants, is_allow, list,
    service_wildcard, unconditional,
};
use super::escalation::matches_escalation;
use std::sync::OnceLock;

use std::collections::BTreeMap;

use crate::catalog::{
    actions_at_level, lookup_action, service, AccessLevel, Action, ActionLookup, PatternMatcher,
};
use crate::lint::{Diagnostic, RuleContext};
use crate::policy::Statement;
use crate::source::Spanned;

/// Every catalogued action one rule is about, collected once per process and grouped by RAM
/// code: matching `ecs:Delete*` reads only ECS's deletes, a literal action is one lookup.
struct ActionSet {
    keep: fn(&Action) -> bool,
    by_code: foldhash::HashMap<&'static str, Vec<Action>>,
    /// The codes of `by_code`, sorted: the order of [`ActionSet::all`].
    codes: Vec<&'static str>,
}

/// Distinct wildcard values a thread remembers the members of, per set (a bound for hostile
/// inputs).
const GRANTED_MEMO_CAP: usize = 4096;

type Memo = foldhash::HashMap<usize, foldhash::HashMap<Box<str>, Vec<Action>>>;

thread_local! {
    /// Wildcard values' members, by set (its address: the sets are statics) and value. A
    /// pattern is matched against every member of its service, and a corpus repeats the same
    /// few patterns (`ecs:Describe*`) in file after file.
    static GRANTED: std::cell::RefCell<Memo> = std::cell::RefCell::new(Memo::default());
}

impl ActionSet {
    fn new(keep: fn(&Action) -> bool, actions: impl Iterator<Item = Action>) -> Self {
        let mut by_code: BTreeMap<&'static str, Vec<Action>> = BTreeMap::new();
        for a in actions.filter(keep) {
            by_code.entry(a.service().code).or_default().push(a);
        }
        ActionSet {
            keep,
            codes: by_code.keys().copied().collect(),
            by_code: by_code.into_iter().collect(),
        }
    }

    /// The members an `Action` value names.
    fn granted(&self, value: &str) -> Vec<Action> {
        if !has_wildcard(value) {
            return self.matching(value);
        }
        let set = std::ptr::from_ref(self) as usize;
        let known =
            GRANTED.with(|memo| memo.borrow().get(&set).and_then(|m| m.get(value)).cloned());
        if let Some(found) = known {
            return found;
        }
        let found = self.matching(value);
        GRANTED.with(|memo| {
            let mut memo = memo.borrow_mut();
            let memo = memo.entry(set).or_default();
            if memo.len() < GRANTED_MEMO_CAP {
                memo.insert(value.into(), found.clone());
            }
        });
        found
    }

    fn matching(&self, value: &str) -> Vec<Action> {
        let Some((code, name)) = value.split_once(':') else {
            let m = PatternMatcher::new(value);
            return self.all().filter(|a| m.matches(a)).collect();
        };
        if has_wildcard(code) || name.contains(':') {
            let m = PatternMatcher::new(value);
            return self.all().filter(|a| m.matches(a)).collect();
        }
        // A literal code: only the members of its service (and the codes it accepts) can
        // match, and most statements name services the set has none of.
        let Some(svc) = service(code) else {
            return Vec::new();
        };
        let mut members = svc
            .accepted()
            .filter_map(|s| self.by_code.get(s.code))
            .peekable();
        if members.peek().is_none() {
            return Vec::new();
        }
        if !has_wildcard(name) {
            return match lookup_action(value) {
                ActionLookup::Found(a) if (self.keep)(&a) => vec![a],
                _ => Vec::new(),
            };
        }
        let m = PatternMatcher::new(value);
        members
            .flatten()
            .filter(|a| m.matches(a))
            .copied()
            .collect()
    }

    fn all(&self) -> impl Iterator<Item = Action> + '_ {
        self.codes
            .iter()
            .filter_map(|c| self.by_code.get(c))
            .flatten()
            .copied()
    }
}

fn has_wildcard(s: &str) -> bool {
    s.bytes().any(|b| b == b'*' || b == b'?')
}

/// The `Allow` statements and action values these rules look at.
fn candidates<'a>(
    cx: &'a RuleContext<'_>,
    need_unconditional: bool,
) -> impl Iterator<Item = (&'a Statement, &'a Spanned<String>)> + 'a {
    let run = grants(cx.policy.kind);
    cx.policy
        .statements
        .iter()
        .filter(move |st| {
            run && is_allow(st)
                && (!need_unconditional || unconditional(st))
                && allow_all(st).is_none()
        })
        .flat_map(|st| {
            actions(st)
                .unwrap_or_default()
                .iter()
                .filter(|a| service_wildcard(&a.value).is_none())
                .map(move |a| (st, a))
        })
}

/// Some `Resource` value covers every resource of `code` (`*`, `acs:ecs:*:*:*`).
fn on_all(st: &Statement, code: &str) -> bool {
    match &st.resource {
        Some(r) if !r.negated => r.iter().any(|v| covers_service(v, code)),
        _ => false,
    }
}

fn names(actions: &[Action]) -> Vec<String> {
    actions.iter().map(Action::to_string).collect()
}

fn report(
    out: &mut Vec<Diagnostic>,
    rule: &'static crate::lint::Rule,
    action: &Spanned<String>,
    matched: &[Action],
    what: &str,
    help: &str,
) {
    let shown = names(matched);
    let shown: Vec<&str> = shown.iter().map(String::as_str).collect();
    let message = match shown.as_slice() {
        [one] if one.eq_ignore_ascii_case(&action.value) => format!("`{}` {what}", action.value),
        _ => format!("`{}` {what}: {}", action.value, list(&shown, 4)),
    };
    out.push(Diagnostic::new(rule, action.span, message).help(help));
}

rule!(
    DELETE_ON_ALL, "RG120", "delete-on-all", Security, Warning, Identity, check_delete,
    summary: "Reports an unconditional `Allow` of actions whose access level is `delete` (`ecs:DeleteInstance`, `oss:DeleteObject`, or what a wildcard such as `*:Delete*` matches) on every resource of their service. DBS's destructive operations are RG105's.",
    why: "One mistaken script or leaked AccessKey with this grant can delete every instance, disk, bucket or key of the account at once. Deletion rights belong on the resources the principal owns, or behind a condition (MFA, source network, tags).",
    example: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": ["ecs:DescribeInstances", "ecs:DeleteInstance"], "Resource": "*"}
  ]
}
"#,
    instead: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "ecs:DescribeInstances", "Resource": "*"},
    {
      "Effect": "Allow",
      "Action": "ecs:DeleteInstance",
      "Resource": "acs:ecs:*:*:instance/*",
      "Condition": {"StringEquals": {"acs:ResourceTag/team": "web"}}
    }
  ]
}
"#,
);

fn check_delete(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    static SET: OnceLock<ActionSet> = OnceLock::new();
    for (st, action) in candidates(cx, true) {
        // Built on first use: most documents never get here.
        let set = SET.get_or_init(|| {
            ActionSet::new(
                |a| a.service().code != "dbs" && deletes(a) && !manages_permissions(a),
                actions_at_level(AccessLevel::Delete),
            )
        });
        let matched: Vec<Action> = set
            .granted(&action.value)
            .into_iter()
            .filter(|a| on_all(st, a.service().code))
            .collect();
        if !matched.is_empty() {
            report(
                out,
                &DELETE_ON_ALL,
                action,
                &matched,
                "allows deleting on every resource with no condition",
                "name the resources in `Resource`, or add a condition such as `\"Bool\": {\"acs:MFAPresent\": \"true\"}`",
            );
        }
    }
}

/// Verbs of names that only read: a `delete` level on `gpdb:DescribeStreamingJob` is a
/// metadata slip, not a deletion.
const READ_VERBS: &[&str] = &[
    "Describe", "Get", "List", "Query", "Check", "Search", "Preview",
];

/// Access level `delete`, on an action whose name does not say it reads.
fn deletes(a: &Action) -> bool {
    a.level() == Some(AccessLevel::Delete) && !READ_VERBS.iter().any(|v| a.name().starts_with(v))
}

/// Words of RAM actions that change who may do what (policies, roles, credentials,
/// memberships, identity providers, security settings).
const PERMISSION_WORDS: &[&str] = &[
    "Policy",
    "Role",
    "AccessKey",
    "LoginProfile",
    "MFA",
    "UserToGroup",
    "UserFromGroup",
    "Provider",
    "SecurityPreference",
    "PasswordPolicy",
];

/// A RAM write action that manages permissions (`ram:DetachPolicyFromUser`,
/// `ram:DeleteRole`, `ram:CreateAccessKey`). Service-linked roles are left out: services
/// create them for themselves with fixed policies, and system policies grant that widely.
pub fn manages_permissions(a: &Action) -> bool {
    a.service().code == "ram"
        && a.is_write()
        && !a.name().contains("ServiceLinkedRole")
        && PERMISSION_WORDS.iter().any(|w| a.name().contains(w))
}

rule!(
    PERMISSIONS_MANAGEMENT, "RG121", "permissions-management", Security, Warning, Identity, check_permissions,
    summary: "Reports an `Allow` of RAM actions that manage permissions (create, change, attach, detach or delete policies and roles, AccessKeys, login profiles, MFA, group membership, identity providers: `ram:*Policy*`, `ram:DeleteRole`, ...) on every RAM resource. The actions that escalate privilege outright are RG104's.",
    why: "Managing policies, roles and credentials is administration of the account's security: whoever holds it can remove the guard rails of others or lock them out, and with one more action give themselves any permission. It belongs to administrators, on named resources.",
    example: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": ["ram:DetachPolicyFromUser", "ram:DeletePolicy"], "Resource": "*"}
  ]
}
"#,
    instead: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": ["ram:Get*", "ram:List*"], "Resource": "*"}
  ]
}
"#,
);

fn check_permissions(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    static SET: OnceLock<ActionSet> = OnceLock::new();
    // Whether the statement's resources reach every RAM resource: once per statement, not per
    // action (the candidates come statement by statement).
    let mut last: Option<(&Statement, bool)> = None;
    for (st, action) in candidates(cx, false) {
        let broad = match last {
            Some((s, broad)) if std::ptr::eq(s, st) => broad,
            _ => {
                let broad = match &st.resource {
                    Some(r) if r.negated => true,
                    Some(r) => r.iter().any(|v| broad_for_service(v, "ram")),
                    None => false,
                };
                last = Some((st, broad));
                broad
            }
        };
        // RG104 reports the value as an error already.
        if !broad || matches_escalation(&action.value) {
            continue;
        }
        let set = SET.get_or_init(|| {
            let ram = service("ram").into_iter().flat_map(|s| s.actions());
            ActionSet::new(manages_permissions, ram)
        });
        let matched = set.granted(&action.value);
        if !matched.is_empty() {
            report(
                out,
                &PERMISSIONS_MANAGEMENT,
                action,
                &matched,
                "manages permissions on every RAM resource",
                "keep permission management for administrators, and name the users, roles or policies in `Resource`",
            );
        }
    }
}

/// Data-plane reads: actions that return the stored data itself (objects, rows, logs,
/// secrets, plaintext, messages), not its metadata.
pub const DATA_READ: &[&str] = &[
    "oss:GetObject",
    "oss:GetObjectVersion",
    "ots:GetRow",
    "ots:GetRange",
    "ots:BatchGetRow",
    "ots:Search",
    "log:GetLogStoreLogs",
    "log:GetCursorOrData",
    "log:GetProjectQuery",
    "kms:Decrypt",
    "kms:GetSecretValue",
    "mns:ReceiveMessage",
    "mns:PeekMessage",
    "dms:LoginDatabase",
];

fn is_data_read(a: &Action) -> bool {
    let (code, name) = (a.service().code, a.name());
    // Byte comparisons, not `split_once`: this runs for every action of every statement.
    DATA_READ.iter().any(|d| {
        d.strip_prefix(code)
            .and_then(|rest| rest.strip_prefix(':'))
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
    })
}

rule!(
    DATA_READ_ON_ALL, "RG122", "data-read-on-all", Security, Warning, Identity, check_data_read,
    summary: "Reports an unconditional `Allow` of data reads (`oss:GetObject`, `ots:GetRow`, `log:GetLogStoreLogs`, `kms:Decrypt`, `kms:GetSecretValue`, `mns:ReceiveMessage`, ...; also through wildcards such as `oss:Get*`) on every resource of their service.",
    why: "Reading data is what an attacker wants: with this grant a leaked AccessKey can download every object of every bucket, every log, or decrypt with every key. Name the buckets, projects or keys the principal needs.",
    example: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": ["oss:ListObjects", "oss:GetObject"], "Resource": "*"}
  ]
}
"#,
    instead: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": ["oss:ListObjects", "oss:GetObject"], "Resource": ["acs:oss:*:*:reports", "acs:oss:*:*:reports/*"]}
  ]
}
"#,
);

fn check_data_read(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    static SET: OnceLock<ActionSet> = OnceLock::new();
    for (st, action) in candidates(cx, true) {
        let set = SET.get_or_init(|| {
            let reads = DATA_READ.iter().filter_map(|d| match lookup_action(d) {
                ActionLookup::Found(a) => Some(a),
                _ => None,
            });
            ActionSet::new(is_data_read, reads)
        });
        let matched: Vec<Action> = set
            .granted(&action.value)
            .into_iter()
            .filter(|a| on_all(st, a.service().code))
            .collect();
        if !matched.is_empty() {
            report(
                out,
                &DATA_READ_ON_ALL,
                action,
                &matched,
                "reads data on every resource with no condition",
                "name the buckets, tables, projects or keys in `Resource`",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_reads_are_catalogued() {
        for d in DATA_READ {
            assert!(
                matches!(lookup_action(d), ActionLookup::Found(a) if a.to_string() == *d),
                "{d}"
            );
        }
    }

    #[test]
    fn permission_management_set() {
        let found = |s: &str| match lookup_action(s) {
            ActionLookup::Found(a) => a,
            other => panic!("{s}: {other:?}"),
        };
        for yes in [
            "ram:DetachPolicyFromUser",
            "ram:DeletePolicy",
            "ram:CreatePolicy",
            "ram:DeleteRole",
            "ram:CreateAccessKey",
            "ram:RemoveUserFromGroup",
            "ram:PassRole",
        ] {
            assert!(manages_permissions(&found(yes)), "{yes}");
        }
        for no in [
            "ram:GetPolicy",
            "ram:ListRoles",
            "ram:CreateUser",
            "ecs:DeleteInstance",
            "ram:CreateServiceLinkedRole",
        ] {
            assert!(!manages_permissions(&found(no)), "{no}");
        }
    }
}
