//! `ramguard actions PATTERN`: the catalogued actions a pattern matches, with access level and
//! resource types, so a reviewer can see what a wildcard grants.

use std::collections::BTreeMap;
use std::fmt::Write;

use clap::Args;
use serde::Serialize;

use super::exit;
use super::rules::ListFormat;
use crate::catalog::{self, Action, ActionLookup, Service};

#[derive(Args, Debug)]
pub struct ActionsArgs {
    /// An action or action pattern, as in a policy (`oss:Get*`, `*:Describe*`, `ecs:AddTags`).
    pub pattern: String,
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    pub format: ListFormat,
}

#[derive(Serialize)]
struct ActionJson {
    action: String,
    service: &'static str,
    /// `get`, `list`, `create`, `update`, `delete`; `null` where the metadata says `none`.
    access_level: Option<&'static str>,
    /// The metadata's `read`, `write` or `readAndWrite`.
    access: &'static str,
    deprecated: bool,
    removed: bool,
    /// Level and access guessed from the name.
    derived: bool,
    /// Where the name comes from: `api`, `ram`, `doc`, `policy`, `assumed`, `spec`.
    provenance: &'static str,
    /// The ARN templates the action is authorized on (`["*"]`: All Resources), where the
    /// catalogue knows them per action (DBS); otherwise `null`: see `resource_types`.
    resources: Option<&'static [&'static str]>,
    /// The service's resource types the action is authorized on, where recorded per action
    /// (assumed ones included).
    resource_types: Option<Vec<&'static str>>,
    /// Those of `resource_types` that are assumed, not in the source's row: a request parameter
    /// names a resource of that type.
    assumed_resource_types: Vec<&'static str>,
    /// Service condition keys the sources name for this action (never a complete list).
    condition_keys: Vec<&'static str>,
}

#[derive(Serialize)]
struct TypeJson {
    name: &'static str,
    arn: &'static str,
    verified: bool,
    /// Where the type was read (its service's source when it has none of its own).
    source: &'static str,
    /// For an unverified type, what was searched.
    note: Option<&'static str>,
}

#[derive(Serialize)]
struct KeyJson {
    key: &'static str,
    /// The actions its source names (empty: none named).
    actions: &'static [&'static str],
    source: &'static str,
}

#[derive(Serialize)]
struct ServiceJson {
    /// The service's list is exact as of the catalogue date.
    complete: bool,
    resource_types: Vec<TypeJson>,
    /// Where the resource types were read.
    resource_types_source: &'static str,
    /// Service condition keys where a source names them; never complete.
    condition_keys: Vec<KeyJson>,
}

#[derive(Serialize)]
struct Output<'a> {
    pattern: &'a str,
    catalogue_date: &'static str,
    count: usize,
    actions: Vec<ActionJson>,
    services: BTreeMap<&'static str, ServiceJson>,
}

fn action_json(a: &Action) -> ActionJson {
    ActionJson {
        action: a.to_string(),
        service: a.service().code,
        access_level: a.level().map(|l| l.as_str()),
        access: a.access().as_str(),
        deprecated: a.deprecated() || a.operation().is_some_and(|o| o.deprecated),
        removed: a.removed(),
        derived: a.derived(),
        provenance: a.provenance().as_str(),
        resources: a.operation().and_then(|o| o.resources),
        resource_types: a
            .resource_types()
            .map(|ts| ts.iter().map(|t| t.name).collect()),
        assumed_resource_types: assumed_types(a),
        condition_keys: a.condition_keys().iter().map(|k| k.key).collect(),
    }
}

/// The types the action is only assumed to be authorized on.
fn assumed_types(a: &Action) -> Vec<&'static str> {
    a.resource_types()
        .unwrap_or_default()
        .iter()
        .filter(|t| t.authorizes(a.name()) == Some(true))
        .map(|t| t.name)
        .collect()
}

fn service_json(s: &Service) -> ServiceJson {
    ServiceJson {
        complete: s.complete,
        resource_types: s
            .resource_types
            .iter()
            .map(|t| TypeJson {
                name: t.name,
                arn: t.arn,
                verified: t.verified,
                source: t.source,
                note: t.note,
            })
            .collect(),
        resource_types_source: s.types_source,
        condition_keys: s
            .condition_keys
            .iter()
            .map(|k| KeyJson {
                key: k.key,
                actions: k.actions,
                source: k.source,
            })
            .collect(),
    }
}

pub fn run(args: ActionsArgs) -> u8 {
    let matched = catalog::matching_actions(&args.pattern);
    let mut services: BTreeMap<&'static str, &'static Service> = BTreeMap::new();
    for a in &matched {
        services.insert(a.service().code, a.service());
    }
    let text = match args.format {
        ListFormat::Json => {
            let out = Output {
                pattern: &args.pattern,
                catalogue_date: catalog::date(),
                count: matched.len(),
                actions: matched.iter().map(action_json).collect(),
                services: services
                    .iter()
                    .map(|(code, s)| (*code, service_json(s)))
                    .collect(),
            };
            let mut s = serde_json::to_string_pretty(&out).unwrap_or_default();
            s.push('\n');
            s
        }
        ListFormat::Human => human(&args.pattern, &matched, &services),
    };
    let code = super::print(&text);
    if code != exit::OK {
        return code;
    }
    if matched.is_empty() {
        hint(&args.pattern);
        return exit::FAILED;
    }
    exit::OK
}

fn human(
    pattern: &str,
    matched: &[Action],
    services: &BTreeMap<&'static str, &'static Service>,
) -> String {
    let names: Vec<String> = matched.iter().map(Action::to_string).collect();
    let width = names.iter().map(String::len).max().unwrap_or(0);
    let mut s = String::new();
    for (a, name) in matched.iter().zip(&names) {
        let mut notes = Vec::new();
        if a.deprecated() {
            notes.push("deprecated");
        }
        if a.removed() {
            notes.push("removed");
        }
        if a.derived() {
            notes.push("level derived from the name");
        }
        let _ = write!(
            s,
            "{name:width$}  {:6}  {:12}",
            a.level().map_or("none", |l| l.as_str()),
            a.access().as_str()
        );
        if let Some(resources) = a.operation().and_then(|o| o.resources) {
            let _ = write!(s, "  {}", resources.join(" "));
        }
        if let Some(types) = a.resource_types() {
            let names: Vec<String> = types
                .iter()
                .map(|t| match t.authorizes(a.name()) {
                    Some(true) => format!("{} (assumed)", t.name),
                    _ => t.name.to_owned(),
                })
                .collect();
            let _ = write!(s, "  on {}", names.join(", "));
        }
        let keys: Vec<&str> = a.condition_keys().iter().map(|k| k.key).collect();
        if !keys.is_empty() {
            let _ = write!(s, "  keys {}", keys.join(", "));
        }
        if !notes.is_empty() {
            let _ = write!(s, "  ({})", notes.join(", "));
        }
        s.truncate(s.trim_end().len());
        s.push('\n');
    }
    for (code, svc) in services {
        if !svc.resource_types.is_empty() {
            let _ = writeln!(s, "{code} resource types:");
            for t in svc.resource_types {
                let unverified = if t.verified { "" } else { " (unverified)" };
                let _ = writeln!(s, "  {:16} {}{unverified}", t.name, t.arn);
            }
        }
        if !svc.condition_keys.is_empty() {
            let _ = writeln!(s, "{code} condition keys (where documented; not complete):");
            for k in svc.condition_keys {
                let actions = if k.actions.is_empty() {
                    "(no actions named)".to_owned()
                } else {
                    k.actions.join(", ")
                };
                let _ = writeln!(s, "  {:32} {actions}", k.key);
            }
        }
    }
    let _ = writeln!(
        s,
        "{} {} `{pattern}` (catalogue as of {})",
        matched.len(),
        if matched.len() == 1 {
            "action matches"
        } else {
            "actions match"
        },
        catalog::date()
    );
    s
}

/// Why nothing matched, on stderr: a close action or code, or the catalogue's limits.
fn hint(pattern: &str) {
    let code = pattern.split_once(':').map(|(c, _)| c);
    let unknown_code =
        code.filter(|c| !c.is_empty() && !c.contains(['*', '?']) && catalog::service(c).is_none());
    let message = match catalog::lookup_action(pattern) {
        _ if unknown_code.is_some() => {
            let c = unknown_code.unwrap_or_default();
            match catalog::suggest_service(c) {
                Some(s) => format!(
                    "no catalogued action matches: `{c}` is not a known RAM code; did you mean `{}`?",
                    s.code
                ),
                None => format!("no catalogued action matches: `{c}` is not a known RAM code"),
            }
        }
        ActionLookup::NotListed { service } => match pattern
            .split_once(':')
            .and_then(|(_, name)| service.suggest(name))
        {
            Some(a) => format!("no catalogued action matches; did you mean `{a}`?"),
            None => format!(
                "no catalogued action matches (the catalogue is as of {})",
                catalog::date()
            ),
        },
        _ => format!(
            "no catalogued action matches (the catalogue is as of {}; console and data-plane actions may be missing)",
            catalog::date()
        ),
    };
    eprintln!("ramguard: {message}");
}
