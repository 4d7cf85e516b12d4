//! The service catalogue: what ramguard knows about RAM services, their operations, ARN
//! templates and condition keys, all embedded in the binary so that linting and preflight work
//! offline.
//!
//! Only DBS has a full operation list ([`dbs`]); for every other service ramguard knows the
//! code at most, so the linter must not call an action of another service unknown.

pub mod dbs;
pub mod keys;
mod operation;
pub mod suggest;
pub mod template;

pub use operation::{AccessLevel, Operation, Param};

/// A RAM service code ramguard knows about.
#[derive(Clone, Copy, Debug)]
pub struct Service {
    /// RAM code, the action prefix (`dbs`).
    pub code: &'static str,
    pub name: &'static str,
    operations: Option<fn() -> &'static [Operation]>,
}

impl Service {
    /// The full operation list is known, so an action outside it is an unknown action.
    pub fn is_catalogued(&self) -> bool {
        self.operations.is_some()
    }

    /// The operations, for catalogued services.
    pub fn operations(&self) -> Option<&'static [Operation]> {
        self.operations.map(|ops| ops())
    }
}

impl PartialEq for Service {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code
    }
}

impl Eq for Service {}

const fn known(code: &'static str, name: &'static str) -> Service {
    Service {
        code,
        name,
        operations: None,
    }
}

/// Deliberately tiny: DBS plus the services the DBS documentation and typical DBS policies
/// touch (RDS instance ARNs, DMS docs, RAM/STS for roles, OSS/ECS/VPC/KMS for backup targets
/// and networks). Absence from this table says nothing about whether a code exists.
static SERVICES: &[Service] = &[
    Service {
        code: "dbs",
        name: "Database Backup",
        operations: Some(dbs::operations),
    },
    known("dms", "Data Management"),
    known("ecs", "Elastic Compute Service"),
    known("kms", "Key Management Service"),
    known("oss", "Object Storage Service"),
    known("ram", "Resource Access Management"),
    known("rds", "ApsaraDB RDS"),
    known("sts", "Security Token Service"),
    known("vpc", "Virtual Private Cloud"),
];

/// The service with RAM code `code`, ignoring ASCII case (action matching is case-insensitive).
pub fn service(code: &str) -> Option<&'static Service> {
    SERVICES.iter().find(|s| s.code.eq_ignore_ascii_case(code))
}

/// Every service in the table, sorted by code.
pub fn services() -> &'static [Service] {
    SERVICES
}

/// `code` names a service whose full operation list is embedded.
pub fn is_catalogued(code: &str) -> bool {
    service(code).is_some_and(Service::is_catalogued)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry() {
        let dbs = service("dbs").unwrap();
        assert!(dbs.is_catalogued());
        assert_eq!(dbs.operations().map(<[Operation]>::len), Some(65));
        assert_eq!(service("DBS"), Some(dbs));
        assert!(is_catalogued("Dbs"));
        let rds = service("rds").unwrap();
        assert!(!rds.is_catalogued() && rds.operations().is_none());
        assert!(!is_catalogued("rds"));
        assert!(!is_catalogued("paidataset"));
        assert_eq!(service("nope"), None);
        assert_eq!(services().iter().filter(|s| s.is_catalogued()).count(), 1);
        assert!(services().windows(2).all(|w| w[0].code < w[1].code));
    }
}
