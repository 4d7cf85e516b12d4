//! What the catalogue knows about one API operation: its RAM action, access level, the
//! resources it is authorized against and its request parameters.

use std::fmt;

use super::template::{ArnTemplate, TemplatePart};

/// Access level from an authorization table. Alibaba publishes two formats and both occur in
/// the DBS data: current pages say `create`/`list`/`get`/`update`/`delete`, legacy pages
/// `Read`/`Write`/`List`. They are kept apart (not folded into one scale) because legacy
/// values are sometimes wrong (`CreateRestoreTask` is `Read`), and a caller may want to say
/// which table a level came from. `List` is the same word in both formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AccessLevel {
    List,
    Get,
    Create,
    Update,
    Delete,
    /// Legacy format.
    Read,
    /// Legacy format.
    Write,
}

impl AccessLevel {
    /// Reads a level as written in either table format (case-sensitive, as published).
    pub fn from_raw(raw: &str) -> Option<AccessLevel> {
        Some(match raw {
            "list" | "List" => AccessLevel::List,
            "get" => AccessLevel::Get,
            "create" => AccessLevel::Create,
            "update" => AccessLevel::Update,
            "delete" => AccessLevel::Delete,
            "Read" => AccessLevel::Read,
            "Write" => AccessLevel::Write,
            _ => return None,
        })
    }

    /// Lowercase name (`update`, `write`), for messages.
    pub fn as_str(self) -> &'static str {
        match self {
            AccessLevel::List => "list",
            AccessLevel::Get => "get",
            AccessLevel::Create => "create",
            AccessLevel::Update => "update",
            AccessLevel::Delete => "delete",
            AccessLevel::Read => "read",
            AccessLevel::Write => "write",
        }
    }

    /// The level changes state: `create`, `update`, `delete` or legacy `Write`.
    pub fn is_write(self) -> bool {
        matches!(
            self,
            AccessLevel::Create | AccessLevel::Update | AccessLevel::Delete | AccessLevel::Write
        )
    }

    /// The level alone says the operation destroys something: only `delete`. Legacy `Write`
    /// cannot tell; see [`Operation::is_destructive`] for the name-based rule.
    pub fn is_destructive(self) -> bool {
        self == AccessLevel::Delete
    }
}

impl fmt::Display for AccessLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One request parameter (names and types from the official SDK request models).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Param {
    pub name: &'static str,
    /// SDK type: `string`, `integer`, `long`, `boolean`, `array`.
    pub ty: &'static str,
    /// `None` when the docs' required marker was not seen (the SDKs do not enforce it).
    pub required: Option<bool>,
}

/// One catalogued API operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Operation {
    /// RAM action, `dbs:StartBackupPlan`.
    pub action: &'static str,
    /// The action lowercased, as the evaluator matches it (computed at build time, not per call).
    pub(crate) action_lower: &'static str,
    /// API name, `StartBackupPlan`.
    pub api: &'static str,
    /// `2019-03-06` or `2021-01-01` for DBS.
    pub api_version: &'static str,
    /// `None` when no authorization table was seen (the operation is `verified: false`).
    pub access_level: Option<AccessLevel>,
    /// The level exactly as published (`update`, `Write`), `None` with `access_level`.
    pub access_level_raw: Option<&'static str>,
    /// ARN templates the call is authorized against. `None`: unknown (never assume All
    /// Resources); `Some(["*"])`: All Resources, the policy's `Resource` must cover `*`.
    pub resources: Option<&'static [&'static str]>,
    /// The first of `resources` parsed, as the preflight renders it (parsed at build time, not
    /// per call); empty for All Resources and unknown resources.
    pub(crate) first_template: &'static [TemplatePart<'static>],
    /// Request parameters; empty also when they were not collected (see `note`).
    pub params: &'static [Param],
    /// The authorization table was actually read.
    pub verified: bool,
    /// The current SDKs dropped the operation.
    pub deprecated: bool,
    /// Caveats from the research (conflicting sources, oddities), for help texts.
    pub note: Option<&'static str>,
}

/// Verbs of operations that only read. Anything else is treated as a write when the access
/// level does not settle it.
const READ_VERBS: &[&str] = &["Describe", "Get", "List", "Query", "Check", "Support"];

/// Verbs that stop, remove or overwrite protection; see [`Operation::is_destructive`].
const DESTRUCTIVE_VERBS: &[&str] = &["Release", "Stop", "Delete", "Modify"];

impl Operation {
    /// The operation is authorized on All Resources (`Resource` must be `*`).
    pub fn all_resources(&self) -> bool {
        matches!(self.resources, Some(["*"]))
    }

    /// Nothing is known about the resources (no authorization table seen).
    pub fn resources_unknown(&self) -> bool {
        self.resources.is_none()
    }

    /// Parsed ARN templates; empty for All Resources and for unknown resources (use
    /// [`all_resources`](Self::all_resources) / [`resources_unknown`](Self::resources_unknown)
    /// to tell those apart). The build script validates every template, so none is dropped.
    pub fn templates(&self) -> Vec<ArnTemplate<'static>> {
        self.resources
            .unwrap_or(&[])
            .iter()
            .filter(|r| **r != "*")
            .filter_map(|r| ArnTemplate::parse(r).ok())
            .collect()
    }

    /// The request parameter called `name`, ignoring ASCII case.
    pub fn param(&self, name: &str) -> Option<&'static Param> {
        self.params
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
    }

    /// The operation changes state: its access level says so, or its level is unknown or
    /// read-only but its name's verb is not a read verb (`Describe`, `Get`, `List`, ...).
    /// Either signal suffices because legacy levels are unreliable (`CreateRestoreTask` is
    /// published as `Read`).
    pub fn is_write(&self) -> bool {
        self.access_level.is_some_and(AccessLevel::is_write)
            || !READ_VERBS.iter().any(|v| has_verb(self.api, v))
    }

    /// The operation can lose data or stop protection: access level `delete`, or a name
    /// starting with `Release`, `Stop`, `Delete` or `Modify`. **(choice)** Names are needed
    /// because legacy tables say only `Write` (`DeleteSandboxInstance`) and current tables
    /// rate stopping a backup plan as a mere `update`. `Modify*` is included because changing
    /// backup objects, strategy, storage or the source endpoint can silently end the backup
    /// of data; that makes harmless renames (`ModifyBackupPlanName`) count too, which errs on
    /// the side of caution. `Renew`/`Upgrade`/`Disable*`/`Close*` are not included.
    pub fn is_destructive(&self) -> bool {
        self.access_level.is_some_and(AccessLevel::is_destructive)
            || DESTRUCTIVE_VERBS.iter().any(|v| has_verb(self.api, v))
    }
}

/// `api` starts with the word `verb` (`StopBackupPlan` has `Stop`, `Stopper` would not).
fn has_verb(api: &str, verb: &str) -> bool {
    match api.strip_prefix(verb).map(|rest| rest.chars().next()) {
        Some(None) => true,
        Some(Some(next)) => next.is_ascii_uppercase(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_levels_both_formats() {
        assert_eq!(AccessLevel::from_raw("update"), Some(AccessLevel::Update));
        assert_eq!(AccessLevel::from_raw("Write"), Some(AccessLevel::Write));
        assert_eq!(AccessLevel::from_raw("List"), Some(AccessLevel::List));
        assert_eq!(AccessLevel::from_raw("list"), Some(AccessLevel::List));
        assert_eq!(AccessLevel::from_raw("write"), None);
        assert!(AccessLevel::Write.is_write());
        assert!(AccessLevel::Create.is_write());
        assert!(!AccessLevel::Read.is_write());
        assert!(!AccessLevel::Get.is_write());
        assert!(AccessLevel::Delete.is_destructive());
        assert!(!AccessLevel::Write.is_destructive());
        assert_eq!(AccessLevel::Update.to_string(), "update");
    }

    #[test]
    fn verbs() {
        assert!(has_verb("StopBackupPlan", "Stop"));
        assert!(has_verb("Stop", "Stop"));
        assert!(!has_verb("Stopper", "Stop"));
        assert!(!has_verb("StartBackupPlan", "Stop"));
    }
}
