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
    /// The literal first segment of the relative ID (see [`ResourceType::type_segment`]),
    /// found by the build.
    segment: Option<&'static str>,
    /// Read from an authorization table (otherwise from policy examples or API responses).
    pub verified: bool,
    /// Where the type was read: its own source, or else its service's.
    pub source: &'static str,
    /// For an unverified type, what was searched.
    pub note: Option<&'static str>,
    /// Actions the source says are authorized on this type (empty: not recorded).
    pub actions: &'static [&'static str],
    /// Actions taken as authorized on this type although the source's row does not say so (a
    /// request parameter names a resource of this type), so that an incomplete legacy row cannot
    /// make the resource-type rule fire.
    pub assumed_actions: &'static [&'static str],
}

/// A service condition key (`kms:tag/<tag-key>`) with the actions its source names. Never a
/// complete list: a key may apply to more actions, and a service may have more keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConditionKey {
    /// As documented; a family is written with a `<placeholder>` suffix.
    pub key: &'static str,
    /// Actions of the service the source names for the key (empty: it names none).
    pub actions: &'static [&'static str],
    /// Where it was read.
    pub source: &'static str,
}

impl ConditionKey {
    /// The source names `action` (ASCII case ignored) for this key.
    pub fn applies_to(&self, action: &str) -> bool {
        self.actions.iter().any(|a| a.eq_ignore_ascii_case(action))
    }
}

impl ResourceType {
    /// `action` (a name of this type's service, ASCII case ignored) is authorized on this type:
    /// `Some(false)` as the source says, `Some(true)` assumed, `None` not recorded.
    pub fn authorizes(&self, action: &str) -> Option<bool> {
        let listed = |list: &[&str]| list.iter().any(|a| a.eq_ignore_ascii_case(action));
        if listed(self.actions) {
            Some(false)
        } else if listed(self.assumed_actions) {
            Some(true)
        } else {
            None
        }
    }

    /// The parsed template (the build validated it).
    pub fn template(&self) -> Option<ArnTemplate<'static>> {
        ArnTemplate::parse(self.arn).ok()
    }

    /// The literal first segment of the relative ID (`dbinstance` of `dbinstance/{#Id}`),
    /// `None` when it starts with a variable (OSS buckets).
    pub fn type_segment(&self) -> Option<&'static str> {
        self.segment
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
    /// Service condition keys, where a source names them (never complete).
    pub condition_keys: &'static [ConditionKey],
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
    use std::collections::BTreeSet;

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
                assert!(!t.source.is_empty(), "{code} {}", t.name);
                if t.verified {
                    assert!(has_address(t.source), "{code} {}: {}", t.name, t.source);
                } else {
                    assert!(t.note.is_some_and(|n| !n.is_empty()), "{code} {}", t.name);
                }
            }
            for k in s.condition_keys {
                assert!(k.key.starts_with(&format!("{code}:")), "{}", k.key);
                assert!(has_address(k.source), "{}", k.key);
            }
        }
    }

    /// A source that names where it was read: a web address or a repository.
    fn has_address(source: &str) -> bool {
        source.contains("https://") || source.contains("github.com/")
    }

    /// The data file itself, read as JSON: every type has a source (its own or its service's),
    /// every verified type and every condition key an address, every unverified type a note of
    /// what was searched, and the `about` text documents every field in use.
    #[test]
    fn resource_types_file() {
        let json: serde_json::Value =
            serde_json::from_str(include_str!("resource-types.json")).unwrap();
        let about = json["about"].as_str().unwrap();
        for field in [
            "`source`",
            "`verified: true`",
            "`note`",
            "`closed: true`",
            "`actions`",
            "`assumed_actions`",
            "`actions_source`",
            "`condition_keys`",
        ] {
            assert!(about.contains(field), "about does not document {field}");
        }
        let services = json["services"].as_object().unwrap();
        let (mut total, mut verified, mut mapped, mut keys) = (0, 0, BTreeSet::new(), 0);
        for (code, s) in services {
            let service_source = s["source"].as_str().unwrap();
            assert!(!service_source.is_empty(), "{code}");
            for t in s["types"].as_array().unwrap() {
                total += 1;
                let name = t["name"].as_str().unwrap();
                let source = t["source"].as_str().unwrap_or(service_source);
                assert!(!source.is_empty(), "{code} {name}");
                if t["verified"].as_bool().unwrap() {
                    verified += 1;
                    assert!(has_address(source), "{code} {name}: {source}");
                } else {
                    assert!(
                        t["note"].as_str().is_some_and(|n| !n.is_empty()),
                        "{code} {name}"
                    );
                }
                for list in ["actions", "assumed_actions"] {
                    for a in t[list].as_array().into_iter().flatten() {
                        mapped.insert(format!("{code}:{}", a.as_str().unwrap()));
                    }
                }
            }
            for k in s["condition_keys"].as_array().into_iter().flatten() {
                keys += 1;
                assert!(has_address(k["source"].as_str().unwrap()), "{k}");
            }
        }
        // The figures of the data (docs/catalog.md quotes them).
        assert_eq!((verified, total), (46, 62));
        assert_eq!(mapped.len(), 201);
        assert_eq!(keys, 8);
    }
}
