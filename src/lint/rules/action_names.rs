//! RG200 `unknown-action`, RG201 `wildcard-matches-nothing`, RG202 `action-case` and RG206
//! `unknown-service`: action names checked against the whole-cloud catalogue.
//!
//! Certainty decides the severity: the catalogue's list is exact only for the few services
//! marked `complete`, so only there is a missing action an error; elsewhere it is a warning
//! when a close catalogued name suggests a typo, else an info that names the catalogue's
//! date. Codes known without an action list are not checked.

use crate::catalog::{
    self, date, lookup_action, matches_any, suggest::did_you_mean, Action, ActionLookup, Service,
};
use crate::lint::{Diagnostic, RuleContext, Severity};
use crate::policy::pattern::Pattern;
use crate::policy::Statement;
use crate::source::Spanned;

rule!(
    UNKNOWN_ACTION, "RG200", "unknown-action", Catalog, Warning, Identity, check_unknown,
    summary: "Reports an action that is not in the action catalogue of its service: an error when the service's list is complete, a warning with the closest action when one is close (`ecs:DescribeInstancess` → `ecs:DescribeInstances`), otherwise an info saying it is not in the catalogue as of its date.",
    why: "RAM accepts any action name, so a typo such as `ecs:DescribeInstancess` is stored without complaint and silently grants (or denies) nothing; the call then fails with `Request.Forbidden`, or a `Deny` meant to protect something does not. Most services' lists come from API metadata and may miss console or data-plane actions (`dbs:Query*` in Alibaba's own AliyunRDSReadOnlyAccess), so only a complete list makes the finding certain.",
    example: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "ecs:DescribeInstancess", "Resource": "*"}
  ]
}
"#,
    instead: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "ecs:DescribeInstances", "Resource": "*"}
  ]
}
"#,
);

fn each_action(st: &Statement) -> impl Iterator<Item = &Spanned<String>> {
    st.action.values.iter()
}

/// The written service code, lowercased, for messages.
fn code_of(action: &str) -> String {
    action
        .split_once(':')
        .map_or(action, |(code, _)| code)
        .to_ascii_lowercase()
}

/// `ecs:Name` spelt with the code as written (lowercased), for suggestions: `ims:CreateUser`
/// stays `ims:`, though the action is in `ram`'s list.
fn spelt(written: &str, action: &Action) -> String {
    format!("{}:{}", code_of(written), action.name())
}

/// Did-you-mean searches made per document and rule: each compares the name with the service's
/// whole list, so a document of 80,000 unknown names gets its first suggestions, not 80,000 of
/// them (a policy RAM accepts, 6,144 characters, holds far fewer names than this).
const MAX_SUGGESTIONS: usize = 100;

fn check_unknown(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    let mut searched = 0;
    for st in &cx.policy.statements {
        for action in each_action(st) {
            let ActionLookup::NotListed { service } = lookup_action(&action.value) else {
                continue;
            };
            if !service.has_actions() {
                continue;
            }
            let name = action.value.split_once(':').map_or("", |(_, n)| n);
            searched += 1;
            let suggestion = (searched <= MAX_SUGGESTIONS)
                .then(|| service.suggest(name))
                .flatten();
            let code = service.code;
            let d = if service.complete {
                Diagnostic::new(
                    &UNKNOWN_ACTION,
                    action.span,
                    format!(
                        "unknown action `{}`: `{code}` has no such action (its list is complete as of {})",
                        action.value,
                        date()
                    ),
                )
                .with_severity(Severity::Error)
            } else {
                let severity = if suggestion.is_some() {
                    Severity::Warning
                } else {
                    Severity::Info
                };
                Diagnostic::new(
                    &UNKNOWN_ACTION,
                    action.span,
                    format!(
                        "`{}` is not in the catalogue of `{code}` (as of {})",
                        action.value,
                        date()
                    ),
                )
                .with_severity(severity)
            };
            let help = match suggestion {
                Some(s) => format!("did you mean `{}`?", spelt(&action.value, &s)),
                None => format!("check the action name in the `{code}` RAM authorization docs; the catalogue may predate it"),
            };
            out.push(d.help(help));
        }
    }
}

rule!(
    UNKNOWN_SERVICE, "RG206", "unknown-service", Catalog, Warning, Identity, check_service,
    summary: "Reports an action whose RAM code is not in the catalogue: a warning with the suggestion when a known code is close (`ecss:DescribeInstances` → `ecs:DescribeInstances`), otherwise an info.",
    why: "A misspelt RAM code makes the statement match nothing, and RAM does not say so. Codes unknown to the catalogue are not always wrong: new services appear every week, so only a close known code makes a typo likely.",
    example: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "ecss:DescribeInstances", "Resource": "*"}
  ]
}
"#,
    instead: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "ecs:DescribeInstances", "Resource": "*"}
  ]
}
"#,
);

fn check_service(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    for st in &cx.policy.statements {
        for action in each_action(st) {
            let Some((code, name)) = action.value.split_once(':') else {
                continue;
            };
            if code.is_empty() || name.is_empty() || has_wildcard(code) {
                continue;
            }
            if catalog::service(code).is_some() {
                continue;
            }
            let suggestion = catalog::suggest_service(code);
            let (severity, help) = match suggestion {
                Some(s) => {
                    let with_name = if has_wildcard(name) || s.action(name).is_some() {
                        format!("{}:{name}", s.code)
                    } else {
                        format!("{}:", s.code)
                    };
                    (Severity::Warning, format!("did you mean `{with_name}`?"))
                }
                None => (
                    Severity::Info,
                    "check the RAM code (RamCode) in the service's RAM authorization docs"
                        .to_owned(),
                ),
            };
            out.push(
                Diagnostic::new(
                    &UNKNOWN_SERVICE,
                    action.span,
                    format!(
                        "the RAM code `{}` of `{}` is not in the catalogue (as of {})",
                        code.to_ascii_lowercase(),
                        action.value,
                        date()
                    ),
                )
                .with_severity(severity)
                .help(help),
            );
        }
    }
}

fn has_wildcard(s: &str) -> bool {
    s.bytes().any(|b| b == b'*' || b == b'?')
}

rule!(
    WILDCARD_MATCHES_NOTHING, "RG201", "wildcard-matches-nothing", Catalog, Warning, Identity, check_wildcard,
    summary: "Reports a wildcard action that matches no catalogued action, with the same certainty as RG200: an error in a service whose list is complete, a warning when a close prefix matches (`ecs:Descirbe*` → `ecs:Describe*`), otherwise an info.",
    why: "A wildcard that matches nothing grants or denies nothing; it is almost always a typo in the fixed part (`Strat` for `Start`). Where the service's list is not complete the wildcard may cover actions the catalogue lacks (`dbs:Query*`), so the finding is only as sure as the list.",
    example: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "ecs:Descirbe*", "Resource": "*"}
  ]
}
"#,
    instead: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "ecs:Describe*", "Resource": "*"}
  ]
}
"#,
);

fn check_wildcard(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    let mut searched = 0;
    for st in &cx.policy.statements {
        for action in each_action(st) {
            let Some(service) = wildcard_service(&action.value) else {
                continue;
            };
            if matches_any(&action.value) {
                continue;
            }
            searched += 1;
            let suggestion = (searched <= MAX_SUGGESTIONS)
                .then(|| prefix_suggestion(&action.value, service))
                .flatten();
            let severity = if service.complete {
                Severity::Error
            } else if suggestion.is_some() {
                Severity::Warning
            } else {
                Severity::Info
            };
            let message = if service.complete {
                format!(
                    "`{}` matches no `{}` action (its list is complete as of {})",
                    action.value,
                    service.code,
                    date()
                )
            } else {
                format!(
                    "`{}` matches no action in the catalogue of `{}` (as of {})",
                    action.value,
                    service.code,
                    date()
                )
            };
            out.push(
                Diagnostic::new(&WILDCARD_MATCHES_NOTHING, action.span, message)
                    .with_severity(severity)
                    .maybe_help(suggestion.map(|s| format!("did you mean `{s}`?"))),
            );
        }
    }
}

/// The service of a wildcard action whose code is literal and has an action list.
fn wildcard_service(value: &str) -> Option<&'static Service> {
    let (code, name) = value.split_once(':')?;
    if has_wildcard(code) || !has_wildcard(name) || name.contains(':') {
        return None;
    }
    catalog::service(code).filter(|s| s.has_actions())
}

/// For `ecs:Descirbe*`: the closest action-name prefix of the same length, with the rest of
/// the pattern kept (`ecs:Describe*`), if that matches something.
fn prefix_suggestion(pattern: &str, service: &'static Service) -> Option<String> {
    let (code, name) = pattern.split_once(':')?;
    let p = Pattern::new(name);
    let fixed = p.literal_prefix();
    if fixed.is_empty() {
        return None;
    }
    let rest = name.get(fixed.len()..)?;
    let mut prefixes: Vec<&str> = service
        .accepted()
        .flat_map(|s| s.actions())
        .filter_map(|a| a.name().get(..fixed.len()))
        .collect();
    prefixes.sort_unstable();
    prefixes.dedup();
    let best = did_you_mean(fixed, prefixes)?;
    let candidate = format!("{}:{best}{rest}", code.to_ascii_lowercase());
    matches_any(&candidate).then_some(candidate)
}

rule!(
    ACTION_CASE, "RG202", "action-case", Catalog, Warning, Identity, check_case,
    summary: "Reports a catalogued action spelt in another case than the catalogue (`ecs:Addtags` for `ecs:AddTags`).",
    why: "RAM matches actions case-insensitively \"in most cases\", so the statement most likely works, but that is not a promise; reviewers, `grep` and other tools look for the documented spelling.",
    example: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "ecs:Addtags", "Resource": "*"}
  ]
}
"#,
    instead: br#"{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": "ecs:AddTags", "Resource": "*"}
  ]
}
"#,
);

fn check_case(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {
    for st in &cx.policy.statements {
        for action in each_action(st) {
            let ActionLookup::Found(a) = lookup_action(&action.value) else {
                continue;
            };
            // Compared in place: building the canonical spelling for every action costs more.
            if action.value.split_once(':').is_some_and(|(code, n)| {
                n == a.name() && !code.bytes().any(|b| b.is_ascii_uppercase())
            }) {
                continue;
            }
            let canonical = spelt(&action.value, &a);
            if canonical != action.value {
                out.push(
                    Diagnostic::new(
                        &ACTION_CASE,
                        action.span,
                        format!("`{}` is spelt `{canonical}` in the catalogue", action.value),
                    )
                    .help(format!("did you mean `{canonical}`?")),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svc(code: &str) -> &'static Service {
        catalog::service(code).unwrap()
    }

    #[test]
    fn prefix_suggestions() {
        assert_eq!(
            prefix_suggestion("dbs:Strat*", svc("dbs")).as_deref(),
            Some("dbs:Start*")
        );
        assert_eq!(
            prefix_suggestion("ecs:Descirbe*", svc("ecs")).as_deref(),
            Some("ecs:Describe*")
        );
        assert_eq!(prefix_suggestion("dbs:Xyzzy*", svc("dbs")), None);
        assert_eq!(prefix_suggestion("dbs:Query*", svc("dbs")), None);
    }
}
