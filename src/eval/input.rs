//! Input checks made before a request is judged (CLI.md rev 2): a malformed action or resource
//! is an error, an action or context key the catalogue does not know is a warning with a
//! did-you-mean, and the evaluation goes on. Every lookup goes through the catalogue's own
//! functions ([`crate::catalog::service`], [`crate::catalog::keys`]), so a larger catalogue
//! makes these checks wider without a change here.

use serde::Serialize;

use super::request::{Request, Resource};
use crate::catalog::keys::{global, suggest_global};
use crate::catalog::suggest::did_you_mean;

/// A request that cannot be evaluated as written.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error(
        "invalid action `{0}`: an action is `<service code>:<name>`, e.g. `dbs:StartBackupPlan`"
    )]
    Action(String),
    #[error(
        "invalid resource `{0}`: a resource is `*`, an ARN (`acs:<service>:<region>:<account>:<relative ID>`) \
         or a template with `{{#name}}` for unknown parts"
    )]
    Resource(String),
}

/// An input problem that did not stop the evaluation: the `warnings` of the result object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InputWarning {
    /// Lowercase sentence with the input in backticks, ending with the did-you-mean if any.
    pub message: String,
    /// What was given.
    pub input: String,
    /// The closest known name.
    pub suggestion: Option<String>,
}

impl std::fmt::Display for InputWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// `<code>:<name>`, both non-empty, no blank.
pub fn check_action(action: &str) -> Result<(), InputError> {
    let ok = action
        .split_once(':')
        .is_some_and(|(code, name)| !code.is_empty() && !name.is_empty() && !name.contains(':'))
        && !action.chars().any(char::is_whitespace);
    if ok {
        Ok(())
    } else {
        Err(InputError::Action(action.to_string()))
    }
}

/// `*`, an ARN (`acs:` and at least five `:`-separated fields), or a template whose unknown
/// parts (`{#name}`) stand in for fields of one, or for the whole resource.
pub fn check_resource(resource: &Resource) -> Result<(), InputError> {
    let text = resource.to_string();
    let ok = match resource {
        Resource::Known(s) => s == "*" || is_arn(s),
        Resource::Partial(_) => {
            // A wholly unknown resource, or one whose known text is shaped like an ARN.
            let filled = Resource::from_template(&text, |_| Some("x".into())).to_string();
            text.starts_with("{#") || is_arn(&filled)
        }
    };
    if ok && !text.chars().any(char::is_whitespace) {
        Ok(())
    } else {
        Err(InputError::Resource(text))
    }
}

fn is_arn(s: &str) -> bool {
    matches!(
        crate::policy::arn::fields(s),
        Some(["acs", svc, _, _, rel]) if !svc.is_empty() && !rel.is_empty()
    )
}

/// Checks both; the first malformed one is the error.
pub fn check_request(request: &Request) -> Result<(), InputError> {
    check_action(request.action())?;
    check_resource(request.resource())
}

/// An action of a catalogued service that is not one of its operations.
pub fn action_warning(action: &str) -> Option<InputWarning> {
    let (code, _) = action.split_once(':')?;
    let ops = crate::catalog::service(code)?.operations()?;
    if ops.iter().any(|op| op.action.eq_ignore_ascii_case(action)) {
        return None;
    }
    let suggestion = did_you_mean(action, ops.iter().map(|op| op.action)).map(str::to_string);
    Some(InputWarning {
        message: with_hint(
            format!("unknown action `{action}`: `{code}` has no such operation"),
            suggestion.as_deref(),
        ),
        input: action.to_string(),
        suggestion,
    })
}

/// A context key that is neither a global key nor a catalogued service key. Only `acs:` keys
/// are judged (and misspelt `acs:`, `aws:` prefixes): the catalogue lists no service keys yet.
pub fn key_warning(key: &str) -> Option<InputWarning> {
    let (prefix, _) = key.split_once(':')?;
    let judged = ["acs", "aws"]
        .iter()
        .any(|p| prefix.eq_ignore_ascii_case(p));
    if !judged || global(key).is_some() {
        return None;
    }
    let suggestion = suggest_global(key);
    Some(InputWarning {
        message: with_hint(
            format!(
                "unknown context key `{key}`: it is not a global key, so no condition reads it"
            ),
            suggestion.as_deref(),
        ),
        input: key.to_string(),
        suggestion,
    })
}

/// The warnings for a request: its action, then each key it gives or marks unknown.
pub fn warnings<'a>(action: &str, keys: impl IntoIterator<Item = &'a str>) -> Vec<InputWarning> {
    let mut out: Vec<InputWarning> = action_warning(action).into_iter().collect();
    for key in keys {
        if let Some(w) = key_warning(key) {
            if !out.iter().any(|o| o.input.eq_ignore_ascii_case(&w.input)) {
                out.push(w);
            }
        }
    }
    out
}

fn with_hint(message: String, suggestion: Option<&str>) -> String {
    match suggestion {
        Some(s) => format!("{message}; did you mean `{s}`?"),
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_and_resources_must_be_well_formed() {
        for ok in ["dbs:StartBackupPlan", "ecs:DescribeInstances", "dbs:*"] {
            assert_eq!(check_action(ok), Ok(()), "{ok}");
        }
        for bad in ["StartBackupPlan", "dbs:", ":x", "dbs:a:b", "dbs: x", ""] {
            assert!(check_action(bad).is_err(), "{bad}");
        }
        for ok in [
            "*",
            "acs:dbs:cn-hangzhou:1234567890123456:backupplan/x",
            "acs:oss:*:*:bucket",
            "acs:dbs:cn-hangzhou:{#accountId}:backupplan/{#BackupPlanId}",
            "{#resource}",
        ] {
            assert_eq!(check_resource(&Resource::parse(ok)), Ok(()), "{ok}");
        }
        for bad in [
            "backupplan/x",
            "acs:dbs:cn-hangzhou",
            "arn:aws:s3:::b",
            "acs:dbs:a:b:",
            "x{#y}",
        ] {
            assert!(check_resource(&Resource::parse(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn unknown_actions_and_keys_are_warnings_with_a_suggestion() {
        let w = action_warning("dbs:StartBackupPlna").unwrap();
        assert_eq!(w.suggestion.as_deref(), Some("dbs:StartBackupPlan"));
        assert!(
            w.message.ends_with("did you mean `dbs:StartBackupPlan`?"),
            "{}",
            w.message
        );
        assert_eq!(action_warning("dbs:startbackupplan"), None);
        // A service without an operation list says nothing.
        assert_eq!(action_warning("rds:Anything"), None);
        let w = key_warning("acs:SoureIp").unwrap();
        assert_eq!(w.suggestion.as_deref(), Some("acs:SourceIp"));
        assert_eq!(key_warning("acs:sourceip"), None);
        assert_eq!(key_warning("oss:Prefix"), None);
        let all = warnings(
            "dbs:StartBackupPlna",
            ["acs:SoureIp", "acs:soureip", "acs:SourceIp"],
        );
        assert_eq!(all.len(), 2);
    }
}
