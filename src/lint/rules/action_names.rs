//! RG200 `unknown-action`, RG201 `wildcard-matches-nothing` and RG202 `action-case`: action
//! names checked against the catalogue. Only catalogued services are checked: for any other
//! service ramguard does not know the operation list, so it says nothing.

use super::common::{index, lookup, matching_ops, Lookup};
use crate::catalog::suggest::did_you_mean;
use crate::lint::{Diagnostic, RuleContext};
use crate::policy::pattern::Pattern;
use crate::policy::Statement;
use crate::source::Spanned;

rule!(
    UNKNOWN_ACTION, "RG200", "unknown-action", Catalog, Error, Identity, check_unknown,
    summary: "Reports an action of a catalogued service (DBS) that is not one of its operations, with the closest operation. Actions of services ramguard has no operation list for are not checked.",
    why: "RAM accepts any action name, so a typo such as `dbs:StartBackupPlna` is stored without complaint and silently grants (or denies) nothing; the call then fails with `Request.Forbidden`, or a `Deny` meant to protect something does not.",
    example: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "dbs:StartBackupPlna", "Resource": "acs:dbs:*:*:backupplan/*"}
  ]
}
"#,
    instead: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "dbs:StartBackupPlan", "Resource": "acs:dbs:*:*:backupplan/*"}
  ]
}
"#,
);

fn each_action(st: &Statement) -> impl Iterator<Item = &Spanned<String>> {
    st.action.values.iter()
}

/// Suggestions made per document and rule: each compares the name with the whole catalogue, so
/// a document of 80,000 unknown names gets its first suggestions, not 80,000 of them.
const MAX_SUGGESTIONS: usize = 100;

fn check_unknown(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    let mut suggested = 0;
    for st in &cx.policy.statements {
        for action in each_action(st) {
            let Lookup::Missing { service } = lookup(&action.value) else {
                continue;
            };
            suggested += 1;
            let suggestion = (suggested <= MAX_SUGGESTIONS)
                .then(|| did_you_mean(&action.value, index().ops.iter().map(|o| o.action())))
                .flatten();
            out.push(
                Diagnostic::new(
                    &UNKNOWN_ACTION,
                    action.span,
                    format!(
                        "unknown action `{}`: `{}` has no such operation",
                        action.value,
                        service.to_ascii_lowercase()
                    ),
                )
                .maybe_help(suggestion.map(|s| format!("did you mean `{s}`?"))),
            );
        }
    }
}

rule!(
    WILDCARD_MATCHES_NOTHING, "RG201", "wildcard-matches-nothing", Catalog, Error, Identity, check_wildcard,
    summary: "Reports a wildcard action of a catalogued service (DBS) that matches none of its operations, such as `dbs:Strat*`.",
    why: "A wildcard that matches nothing grants or denies nothing; it is almost always a typo in the fixed part (`Strat` for `Start`).",
    example: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "dbs:Strat*", "Resource": "acs:dbs:*:*:backupplan/*"}
  ]
}
"#,
    instead: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "dbs:Start*", "Resource": "*"}
  ]
}
"#,
);

fn check_wildcard(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    let mut suggested = 0;
    for st in &cx.policy.statements {
        for action in each_action(st) {
            let Lookup::Wildcard { service } = lookup(&action.value) else {
                continue;
            };
            if matching_ops(&action.value).next().is_some() {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &WILDCARD_MATCHES_NOTHING,
                    action.span,
                    format!(
                        "`{}` matches no `{}` operation",
                        action.value,
                        service.to_ascii_lowercase()
                    ),
                )
                .maybe_help({
                    suggested += 1;
                    (suggested <= MAX_SUGGESTIONS)
                        .then(|| prefix_suggestion(&action.value))
                        .flatten()
                        .map(|s| format!("did you mean `{s}`?"))
                }),
            );
        }
    }
}

/// For `dbs:Strat*`: the closest operation prefix of the same length, with the rest of the
/// pattern kept (`dbs:Start*`).
fn prefix_suggestion(pattern: &str) -> Option<String> {
    let p = Pattern::new(pattern);
    let fixed = p.literal_prefix();
    let rest = pattern.get(fixed.len()..)?;
    let prefixes = index()
        .ops
        .iter()
        .filter_map(|o| o.action().get(..fixed.len()));
    let best = did_you_mean(fixed, prefixes)?;
    let candidate = format!("{best}{rest}");
    let found = matching_ops(&candidate).next().is_some();
    found.then_some(candidate)
}

rule!(
    ACTION_CASE, "RG202", "action-case", Catalog, Info, Identity, check_case,
    summary: "Reports an action of a catalogued service spelt in another case than the catalogue (`dbs:startbackupplan` for `dbs:StartBackupPlan`).",
    why: "RAM matches actions case-insensitively, so the statement works, but reviewers, `grep` and other tools look for the documented spelling.",
    example: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "dbs:startbackupplan", "Resource": "acs:dbs:*:*:backupplan/*"}
  ]
}
"#,
    instead: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "dbs:StartBackupPlan", "Resource": "acs:dbs:*:*:backupplan/*"}
  ]
}
"#,
);

fn check_case(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    for st in &cx.policy.statements {
        for action in each_action(st) {
            let Lookup::Found(op) = lookup(&action.value) else {
                continue;
            };
            if op.action() != action.value {
                out.push(
                    Diagnostic::new(
                        &ACTION_CASE,
                        action.span,
                        format!(
                            "`{}` is spelt `{}` in the catalogue",
                            action.value,
                            op.action()
                        ),
                    )
                    .help(format!("write `{}`", op.action())),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_suggestions() {
        assert_eq!(
            prefix_suggestion("dbs:Strat*").as_deref(),
            Some("dbs:Start*")
        );
        assert_eq!(
            prefix_suggestion("dbs:Descrieb*").as_deref(),
            Some("dbs:Describe*")
        );
        assert_eq!(prefix_suggestion("dbs:Xyzzy*"), None);
    }
}
