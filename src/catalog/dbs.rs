//! The Database Backup (DBS) operations, embedded at build time from `dbs-actions.json`
//! (see `build.rs`), and lookup by API or action name.

use std::fmt;

use super::operation::{AccessLevel, Operation, Param};
use super::suggest::did_you_mean;
use super::template::TemplatePart;

// Defines `static DBS_OPERATIONS: &[Operation]`, sorted by `api` (byte order).
include!(concat!(env!("OUT_DIR"), "/dbs_operations.rs"));

/// Every catalogued DBS operation (both API versions, deprecated ones included), sorted by
/// API name.
pub fn operations() -> &'static [Operation] {
    DBS_OPERATIONS
}

/// Looks an operation up by API name (`StartBackupPlan`) or RAM action (`dbs:StartBackupPlan`),
/// ignoring ASCII case in both the prefix and the name, as RAM matches actions
/// case-insensitively. Wildcards are not expanded: `dbs:Describe*` is not an operation.
pub fn operation(api_or_action: &str) -> Result<&'static Operation, UnknownOperation> {
    let (prefixed, api) = match api_or_action.split_once(':') {
        Some((service, api)) if service.eq_ignore_ascii_case("dbs") => (true, api),
        Some(_) => (true, ""),
        None => (false, api_or_action),
    };
    if let Some(op) = DBS_OPERATIONS
        .iter()
        .find(|op| !api.is_empty() && op.api.eq_ignore_ascii_case(api))
    {
        return Ok(op);
    }
    // Answer in the form the user wrote: an action for an action, an API name for a name.
    let suggestion = if prefixed {
        did_you_mean(api_or_action, DBS_OPERATIONS.iter().map(|op| op.action))
    } else {
        did_you_mean(api_or_action, DBS_OPERATIONS.iter().map(|op| op.api))
    };
    Err(UnknownOperation {
        input: api_or_action.to_owned(),
        suggestion,
    })
}

/// A name that is not a catalogued DBS operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownOperation {
    pub input: String,
    /// The closest operation, spelled as an action if `input` had a `service:` prefix and as
    /// an API name otherwise.
    pub suggestion: Option<&'static str>,
}

impl fmt::Display for UnknownOperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown DBS operation `{}`", self.input)?;
        if let Some(s) = self.suggestion {
            write!(f, "; did you mean `{s}`?")?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownOperation {}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(name: &str) -> &'static Operation {
        operation(name).unwrap()
    }

    #[test]
    fn count_and_order() {
        assert_eq!(operations().len(), 65);
        assert!(operations().windows(2).all(|w| w[0].api < w[1].api));
        for o in operations() {
            assert_eq!(o.action, format!("dbs:{}", o.api));
            assert_eq!(o.action_lower, o.action.to_lowercase());
            let templates = o.templates();
            let first = templates.first().map_or(&[][..], |t| t.parts());
            assert_eq!(o.first_template, first, "{}", o.api);
            assert!(
                matches!(o.api_version, "2019-03-06" | "2021-01-01"),
                "{}",
                o.api
            );
            assert_eq!(o.access_level.is_some(), o.access_level_raw.is_some());
            assert_eq!(
                o.access_level,
                o.access_level_raw.and_then(AccessLevel::from_raw)
            );
            // Every ARN template parses (templates() would silently drop a bad one).
            let expected = o
                .resources
                .map_or(0, |r| r.iter().filter(|r| **r != "*").count());
            assert_eq!(o.templates().len(), expected, "{}", o.api);
        }
        let v2021 = operations()
            .iter()
            .filter(|o| o.api_version == "2021-01-01");
        assert_eq!(v2021.count(), 23);
    }

    #[test]
    fn start_backup_plan() {
        let o = op("StartBackupPlan");
        assert_eq!(o.action, "dbs:StartBackupPlan");
        assert_eq!(o.api_version, "2019-03-06");
        assert_eq!(o.access_level, Some(AccessLevel::Update));
        assert_eq!(o.access_level_raw, Some("update"));
        assert!(o.verified && !o.deprecated);
        assert!(!o.all_resources() && !o.resources_unknown());
        assert_eq!(
            o.resources,
            Some(&["acs:dbs:{#regionId}:{#accountId}:backupplan/{#BackupPlanId}"][..])
        );
        let templates = o.templates();
        assert_eq!(templates.len(), 1);
        assert_eq!(
            templates[0].variables(),
            ["regionId", "accountId", "BackupPlanId"]
        );
        assert_eq!(
            o.params,
            &[
                Param {
                    name: "BackupPlanId",
                    ty: "string",
                    required: Some(true)
                },
                Param {
                    name: "ClientToken",
                    ty: "string",
                    required: Some(false)
                },
            ]
        );
        assert_eq!(
            o.param("backupplanid").map(|p| p.name),
            Some("BackupPlanId")
        );
        assert_eq!(o.param("CLIENTTOKEN").and_then(|p| p.required), Some(false));
        assert_eq!(o.param("OwnerId"), None);
        assert!(o.is_write());
        assert!(!o.is_destructive());
    }

    #[test]
    fn lookup_spellings() {
        let o = op("StartBackupPlan");
        for s in [
            "startbackupplan",
            "STARTBACKUPPLAN",
            "dbs:StartBackupPlan",
            "dbs:startbackupplan",
            "DBS:StartBackupPlan",
        ] {
            assert!(std::ptr::eq(op(s), o), "{s}");
        }
        assert!(operation("rds:StartBackupPlan").is_err());
        assert!(operation("dbs:").is_err());
        assert!(operation("").is_err());
        assert!(operation("dbs:Describe*").is_err());
        assert!(operation(" StartBackupPlan").is_err());
    }

    #[test]
    fn suggestions() {
        let sugg = |s: &str| operation(s).unwrap_err().suggestion;
        assert_eq!(sugg("StartBackupPlna"), Some("StartBackupPlan"));
        assert_eq!(sugg("StarBackupPlan"), Some("StartBackupPlan"));
        assert_eq!(sugg("startbackupplans"), Some("StartBackupPlan"));
        assert_eq!(sugg("dbs:StopBackupPaln"), Some("dbs:StopBackupPlan"));
        assert_eq!(sugg("rds:StartBackupPlan"), Some("dbs:StartBackupPlan"));
        assert_eq!(sugg("DescribeRegion"), Some("DescribeRegions"));
        assert_eq!(sugg("xyz"), None);
        assert_eq!(sugg(""), None);
        let err = operation("StarBackupPlan").unwrap_err();
        assert_eq!(err.input, "StarBackupPlan");
        assert_eq!(
            err.to_string(),
            "unknown DBS operation `StarBackupPlan`; did you mean `StartBackupPlan`?"
        );
        assert_eq!(
            operation("xyz").unwrap_err().to_string(),
            "unknown DBS operation `xyz`"
        );
    }

    #[test]
    fn unknown_resources() {
        let o = op("DescribeDLAService");
        assert_eq!(o.resources, None);
        assert!(o.resources_unknown() && !o.all_resources());
        assert!(o.templates().is_empty());
        assert_eq!(o.access_level, None);
        assert!(!o.verified);
        assert!(!o.is_write());
        let unknown = operations().iter().filter(|o| o.resources_unknown());
        assert_eq!(unknown.clone().count(), 25);
        // Exactly the unverified operations lack resources and level.
        for o in unknown {
            assert!(!o.verified && o.access_level.is_none(), "{}", o.api);
        }
        assert_eq!(operations().iter().filter(|o| !o.verified).count(), 25);
    }

    #[test]
    fn deprecated() {
        let names: Vec<&str> = operations()
            .iter()
            .filter(|o| o.deprecated)
            .map(|o| o.api)
            .collect();
        assert_eq!(
            names,
            [
                "CloseDLAService",
                "CreateDLAService",
                "CreateSandboxInstance",
                "DescribeFullBackupSet",
                "DescribeLogicalBackupSet",
                "DescribeSandboxFromRDS",
                "StartTask",
            ]
        );
        // Deprecated but verified while it existed: All Resources, legacy level.
        let o = op("CreateSandboxInstance");
        assert!(o.all_resources() && o.verified);
        assert_eq!(o.access_level, Some(AccessLevel::Write));
        let o = op("CloseDLAService");
        assert!(o.params.is_empty() && o.resources_unknown());
    }

    #[test]
    fn all_resources_and_templates() {
        assert_eq!(
            operations().iter().filter(|o| o.all_resources()).count(),
            24
        );
        let templated: Vec<&Operation> = operations()
            .iter()
            .filter(|o| !o.templates().is_empty())
            .collect();
        assert_eq!(templated.len(), 16);
        let o = op("DescribeRegions");
        assert!(o.all_resources() && o.templates().is_empty());
        assert_eq!(o.access_level, Some(AccessLevel::Get));
        // The two download operations authorized on an RDS instance.
        for name in ["CreateDownload", "DescribeDownloadTask"] {
            let t = op(name).templates();
            assert_eq!(t.len(), 1);
            assert_eq!(t[0].to_glob(), "acs:rds:*:*:dbinstance/*");
            assert_eq!(t[0].variables(), ["regionId", "accountId", "DbInstanceId"]);
        }
        let rds = templated
            .iter()
            .filter(|o| o.resources != op("StartBackupPlan").resources);
        assert_eq!(rds.count(), 2);
    }

    #[test]
    fn write_and_destructive() {
        // Legacy "Read" for a create operation: the name decides.
        assert!(op("CreateRestoreTask").is_write());
        assert_eq!(
            op("CreateRestoreTask").access_level,
            Some(AccessLevel::Read)
        );
        assert!(op("ReleaseBackupPlan").is_destructive());
        assert_eq!(
            op("ReleaseBackupPlan").access_level,
            Some(AccessLevel::Delete)
        );
        assert!(op("DeleteSandboxInstance").is_destructive());
        assert!(op("StopBackupPlan").is_destructive());
        assert!(op("ModifyBackupObjects").is_destructive());
        assert!(!op("CreateBackupPlan").is_destructive());
        assert!(!op("DescribeBackupPlanList").is_write());
        assert!(op("InitializeDbsServiceLinkedRole").is_write());
        assert!(!op("SupportDBTableRecovery").is_write());
        let destructive = operations().iter().filter(|o| o.is_destructive()).count();
        assert_eq!(destructive, 11);
        assert_eq!(operations().iter().filter(|o| o.is_write()).count(), 34);
    }
}
