//! The service catalogue: what ramguard knows about RAM services, their actions, access
//! levels, resource types (ARN templates) and condition keys, all embedded in the binary so
//! that linting and preflight work offline.
//!
//! One catalogue: every service's action list comes from ramguard's compact copy of the RAM
//! action catalogue (`services.txt`, see `docs/catalog.md` for its source, date and how to
//! regenerate it); DBS actions also carry their operation details ([`dbs`]: ARN templates,
//! request parameters) for the preflight. For services whose list is not `complete`, an
//! action missing from the list may still exist.

mod actions;
pub mod dbs;
pub mod keys;
mod operation;
pub mod suggest;
pub mod template;

pub use actions::{
    actions_at_level, lookup_action, matches_any, matching_actions, not_catalogued,
    pattern_matches, suggest_service, Access, Action, ActionLookup, PatternMatcher, Provenance,
};
pub use operation::{AccessLevel, Operation, Param};

use template::ArnTemplate;

// Defines `DATE`, `SOURCES` and `static SERVICES: &[Service]` (sorted by code).
include!(concat!(env!("OUT_DIR"), "/catalog_services.rs"));

/// The date of the newest metadata snapshot the catalogue was built from: actions published
/// later are not in it.
pub fn date() -> &'static str {
    DATE
}

/// The metadata repositories and commits the catalogue was built from.
pub fn sources() -> &'static [&'static str] {
    SOURCES
}

/// One resource type of a service: the ARN template a `Resource` names it with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResourceType {
    /// `dbinstance`, `instance`, `bucket`.
    pub name: &'static str,
    /// `acs:rds:{#regionId}:{#accountId}:dbinstance/{#DBInstanceId}`.
    pub arn: &'static str,
    /// Read from an authorization table (otherwise from policy examples).
    pub verified: bool,
    /// Actions the source says are authorized on this type (empty: not recorded).
    pub actions: &'static [&'static str],
}

impl ResourceType {
    /// The parsed template (the build validated it).
    pub fn template(&self) -> Option<ArnTemplate<'static>> {
        ArnTemplate::parse(self.arn).ok()
    }

    /// The literal first segment of the relative ID (`dbinstance` of `dbinstance/{#Id}`),
    /// `None` when it starts with a variable (OSS buckets).
    pub fn type_segment(&self) -> Option<&'static str> {
        let relative = self.arn.splitn(5, ':').nth(4)?;
        let first = relative.split('/').next()?;
        (!first.is_empty() && !first.contains('{')).then_some(first)
    }
}

/// A RAM service code ramguard knows about.
#[derive(Clone, Copy, Debug)]
pub struct Service {
    /// RAM code, the action prefix (`dbs`).
    pub code: &'static str,
    /// The primary OpenAPI product (`Sls` for `log`); empty for codes known without one.
    pub product: &'static str,
    /// How sure the catalogue is of the code (`metadata`, `doc`, `policy`, `assumed`,
    /// `default`; several joined by `,`).
    pub confidence: &'static str,
    /// The action list is exact as of [`date`]: an action outside it does not exist.
    pub complete: bool,
    /// The code accepts the actions of this other code (`ims` → `ram`).
    pub alias_of: Option<&'static str>,
    /// The code also accepts the actions of these codes.
    pub also_accepts: &'static [&'static str],
    first: u32,
    count: u32,
    /// Every resource ARN of the service starts with one of [`Self::resource_types`]'
    /// first segments, so another first segment names no resource.
    pub types_closed: bool,
    /// Where the resource types were read.
    pub types_source: &'static str,
    /// Known resource types (empty: unknown).
    pub resource_types: &'static [ResourceType],
    /// Where the per-type `actions` were read, when any are recorded.
    pub actions_source: Option<&'static str>,
    operations: Option<fn() -> &'static [Operation]>,
}

impl Service {
    /// The operation details (ARN templates, parameters) are known: DBS only.
    pub fn is_catalogued(&self) -> bool {
        self.operations.is_some()
    }

    /// The DBS operations, for services with operation details.
    pub fn operations(&self) -> Option<&'static [Operation]> {
        self.operations.map(|ops| ops())
    }

    /// The number of actions in the service's own list.
    pub fn action_count(&self) -> usize {
        self.count as usize
    }
}

impl PartialEq for Service {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code
    }
}

impl Eq for Service {}

/// The service with RAM code `code`, ignoring ASCII case (action matching is case-insensitive).
pub fn service(code: &str) -> Option<&'static Service> {
    // Codes are stored in lower case, and almost every code asked for is written so: a hash
    // lookup then (every action of every statement asks), folding byte by byte for the others.
    static INDEX: std::sync::OnceLock<foldhash::HashMap<&'static str, usize>> =
        std::sync::OnceLock::new();
    let at = if code.bytes().any(|b| b.is_ascii_uppercase()) {
        SERVICES
            .binary_search_by(|s| {
                s.code
                    .bytes()
                    .cmp(code.bytes().map(|b| b.to_ascii_lowercase()))
            })
            .ok()?
    } else {
        let index = INDEX.get_or_init(|| {
            SERVICES
                .iter()
                .enumerate()
                .map(|(i, s)| (s.code, i))
                .collect()
        });
        *index.get(code)?
    };
    SERVICES.get(at)
}

/// Every service in the catalogue, sorted by code.
pub fn services() -> &'static [Service] {
    SERVICES
}

/// `code` names a service whose operation details are embedded (DBS).
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
        assert_eq!(services().len(), 350);
        assert_eq!(service("RDS"), Some(rds));
        assert_eq!(service("ecs").unwrap().product, "Ecs");
        assert!(date().starts_with("20"));
        assert!(!sources().is_empty());
    }

    #[test]
    fn resource_types() {
        let rds = service("rds").unwrap();
        assert!(rds.types_closed);
        let t = rds.resource_types.first().unwrap();
        assert_eq!(t.type_segment(), Some("dbinstance"));
        assert_eq!(t.template().unwrap().to_glob(), "acs:rds:*:*:dbinstance/*");
        let oss = service("oss").unwrap();
        assert!(oss
            .resource_types
            .iter()
            .all(|t| t.type_segment().is_none()));
        for code in [
            "rds", "ecs", "oss", "ram", "sts", "kms", "vpc", "slb", "polardb", "kvstore", "log",
            "fc", "cs",
        ] {
            let s = service(code).unwrap();
            assert!(!s.types_source.is_empty(), "{code}");
            for t in s.resource_types {
                assert!(t.template().is_some(), "{}", t.arn);
            }
        }
    }
}
