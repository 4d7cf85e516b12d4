//! What several model rules share: statement predicates, the catalogue index with template
//! tokens, and "can these resources grant that operation".

use std::sync::OnceLock;

use crate::catalog::keys::{self, GlobalKey};
use crate::catalog::template::{ArnTemplate, TemplatePart};
use crate::catalog::{self, Operation};
use crate::policy::pattern::{
    glob_match, glob_match_ignore_ascii_case, is_all_stars, pattern_covers,
    pattern_covers_ignore_ascii_case, symbols, symbols_intersect, Sym,
};
pub use crate::policy::placeholder::{is_mask, placeholder, Placeholder};
pub use crate::policy::well_formed_resource;
use crate::policy::{Effect, Element, PolicyKind, Statement};
use crate::source::Spanned;

/// Identity and session policies grant; control policies only bound what others grant and
/// trust policies only say who may assume a role, so "this grants too much" rules skip them.
pub fn grants(kind: PolicyKind) -> bool {
    matches!(kind, PolicyKind::Identity | PolicyKind::Session)
}

pub fn is_allow(st: &Statement) -> bool {
    st.effect.value == Effect::Allow
}

/// `Allow`/`Deny`'s verb, for messages.
pub fn verb(st: &Statement) -> &'static str {
    match st.effect.value {
        Effect::Allow => "grant",
        Effect::Deny => "deny",
    }
}

/// The statement has no condition at all (an empty `Condition` object counts as none).
pub fn unconditional(st: &Statement) -> bool {
    st.conditions.is_empty()
}

pub fn has_wildcard(s: &str) -> bool {
    s.bytes().any(|b| b == b'*' || b == b'?')
}

/// The `Action` (not `NotAction`) values, if the statement has them.
pub fn actions(st: &Statement) -> Option<&[Spanned<String>]> {
    (!st.action.negated).then_some(st.action.values.as_slice())
}

/// The `Resource` (not `NotResource`) values, if the statement has them.
pub fn resources(st: &Statement) -> Option<&[Spanned<String>]> {
    st.resource
        .as_ref()
        .filter(|r| !r.negated)
        .map(|r| r.values.as_slice())
}

/// An action pattern that matches every action (`*`, `*:*`, `*:**`).
pub fn action_is_all(v: &str) -> bool {
    // Only a leading `*` can absorb the leading `*` of `*:*`: a cheap reject first.
    v.starts_with('*') && (is_all_stars(v) || pattern_covers_ignore_ascii_case(v, "*:*"))
}

/// A resource pattern that matches every resource (`*`, `acs:*`, `acs:*:*:*:*`).
pub fn resource_is_all(v: &str) -> bool {
    // Covering `acs:*:*:*:*` takes a `*` to absorb its stars: a cheap reject first.
    v.contains('*')
        && (is_all_stars(v)
            || prefix_fits(v, ["acs:", ""], false) && pattern_covers(v, "acs:*:*:*:*"))
}

/// Whether the literal start of pattern `v` (up to its first wildcard) is a start of the
/// concatenated `parts` (the second one compared in lower case when `fold` is set): a pattern
/// covering `acs:<svc>:*...` cannot begin with anything else. A cheap test that rejects most
/// resources before the covering test, which runs for every resource of every statement.
fn prefix_fits(v: &str, parts: [&str; 2], fold: bool) -> bool {
    let [head, tail] = parts;
    let fold = move |b: u8| if fold { b.to_ascii_lowercase() } else { b };
    let mut target = head
        .bytes()
        .chain(tail.bytes().map(fold))
        .chain(std::iter::once(b':'));
    v.bytes()
        .take_while(|&b| b != b'*' && b != b'?')
        .all(|b| target.next() == Some(b))
}

/// The first `Resource` value that matches every resource.
pub fn all_resources_value(st: &Statement) -> Option<&Spanned<String>> {
    resources(st)?.iter().find(|r| resource_is_all(&r.value))
}

/// `Allow` of every action on every resource: what RG100 reports, and what other rules leave
/// to it. Returns the action and resource values.
pub fn allow_all(st: &Statement) -> Option<(&Spanned<String>, &Spanned<String>)> {
    if !is_allow(st) {
        return None;
    }
    let action = actions(st)?.iter().find(|a| action_is_all(&a.value))?;
    Some((action, all_resources_value(st)?))
}

/// `svc:*`: the service code of an action pattern whose name part is all `*`, with a service
/// code free of wildcards.
pub fn service_wildcard(v: &str) -> Option<&str> {
    if !v.ends_with('*') {
        return None;
    }
    let (svc, name) = v.split_once(':')?;
    (!svc.is_empty() && !has_wildcard(svc) && is_all_stars(name)).then_some(svc)
}

/// A resource pattern that covers every resource of service `svc` (`acs:dbs:*:*:*` for `dbs`).
pub fn covers_service(v: &str, svc: &str) -> bool {
    v.contains('*')
        && (resource_is_all(v)
            || prefix_fits(v, ["acs:", svc], true)
                && pattern_covers(v, &format!("acs:{}:*:*:*", svc.to_ascii_lowercase())))
}

/// A resource pattern naming every resource of service `svc` in some account, or every
/// resource of one type: `acs:ram::123:*`, `acs:ram:*:*:role/*`. Wider than
/// [`covers_service`] because the own account is the usual case and no safer.
pub fn broad_for_service(v: &str, svc: &str) -> bool {
    if !v.contains('*') {
        return false;
    }
    if covers_service(v, svc) {
        return true;
    }
    let Some([acs, service, _region, _account, relative]) = crate::policy::arn::fields(v) else {
        return false;
    };
    let rest = relative.split_once('/').map_or(relative, |(_, rest)| rest);
    glob_match(acs, "acs") && glob_match_ignore_ascii_case(service, svc) && is_all_stars(rest)
}

/// Up to `max` names in backticks, then "and N more".
pub fn list(names: &[&str], max: usize) -> String {
    let mut out = String::new();
    for (i, n) in names.iter().take(max).enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push('`');
        out.push_str(n);
        out.push('`');
    }
    if names.len() > max {
        out.push_str(&format!(" and {} more", names.len() - max));
    }
    out
}

/// The global condition key `key` is (ASCII case ignored), with a cheap `acs:` check first:
/// every global key has it, and this runs for every condition of every document.
pub fn global_key(key: &str) -> Option<&'static GlobalKey> {
    key.get(..4).filter(|p| p.eq_ignore_ascii_case("acs:"))?;
    keys::global(key)
}

/// Where a catalogued operation is authorized.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// All Resources: the request resource is `*`.
    All,
    /// An ARN template; the index into [`Index::templates`].
    Template(usize),
}

/// One catalogued operation with its targets pre-resolved.
#[derive(Debug)]
pub struct CatalogOp {
    pub op: &'static Operation,
    /// `None`: the resources are unknown, so resource rules must leave it alone.
    pub targets: Option<Vec<Target>>,
}

impl CatalogOp {
    pub fn action(&self) -> &'static str {
        self.op.action
    }
}

/// One distinct ARN template of the catalogue.
#[derive(Debug)]
pub struct IndexedTemplate {
    pub template: ArnTemplate<'static>,
    /// Variables as ARN segments: they never hold `:` or `/` (real region, account and
    /// resource IDs do not), which is what lets `acs:dbs:*:*:instance/*` be told apart from
    /// `backupplan/{#BackupPlanId}`.
    pub tokens: Vec<Sym>,
    /// Every variable as `*`: a pattern that covers every ARN of the template.
    pub glob: String,
}

/// Derived once per process from the embedded catalogue.
#[derive(Debug)]
pub struct Index {
    pub ops: Vec<CatalogOp>,
    pub templates: Vec<IndexedTemplate>,
    /// Positions in `ops`, sorted by action ignoring ASCII case, for [`lookup`].
    by_action: Vec<usize>,
}

fn cmp_ignore_ascii_case(a: &str, b: &str) -> std::cmp::Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

pub fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(build_index)
}

fn build_index() -> Index {
    let mut templates: Vec<IndexedTemplate> = Vec::new();
    let mut ops = Vec::new();
    for service in catalog::services() {
        for op in service.operations().unwrap_or_default() {
            let targets = op.resources.map(|raw| {
                raw.iter()
                    .filter_map(|r| {
                        if *r == "*" {
                            return Some(Target::All);
                        }
                        let t = ArnTemplate::parse(r).ok()?;
                        let at = match templates.iter().position(|x| x.template == t) {
                            Some(at) => at,
                            None => {
                                templates.push(indexed(t));
                                templates.len() - 1
                            }
                        };
                        Some(Target::Template(at))
                    })
                    .collect()
            });
            ops.push(CatalogOp { op, targets });
        }
    }
    let mut by_action: Vec<usize> = (0..ops.len()).collect();
    by_action.sort_by(|&a, &b| match (ops.get(a), ops.get(b)) {
        (Some(x), Some(y)) => cmp_ignore_ascii_case(x.action(), y.action()),
        _ => std::cmp::Ordering::Equal,
    });
    Index {
        ops,
        templates,
        by_action,
    }
}

fn indexed(template: ArnTemplate<'static>) -> IndexedTemplate {
    let mut tokens = Vec::new();
    for part in template.parts() {
        match *part {
            TemplatePart::Literal(text) => tokens.extend(text.chars().map(Sym::Char)),
            TemplatePart::Var(_) => tokens.push(Sym::Segment),
        }
    }
    let glob = template.to_glob();
    IndexedTemplate {
        template,
        tokens,
        glob,
    }
}

/// How an action value relates to the catalogue.
pub enum Lookup {
    /// The service is not catalogued, or the service code has wildcards: nothing is known.
    Unknown,
    /// A literal action of a catalogued service that is an operation.
    Found(&'static CatalogOp),
    /// A literal action of a catalogued service that is not one.
    Missing,
    /// A wildcard action of a catalogued service (the service code itself is literal).
    Wildcard,
}

/// The RAM codes of the catalogued services.
fn catalogued_codes() -> &'static [&'static str] {
    static CODES: OnceLock<Vec<&'static str>> = OnceLock::new();
    CODES.get_or_init(|| {
        catalog::services()
            .iter()
            .filter(|s| s.is_catalogued())
            .map(|s| s.code)
            .collect()
    })
}

/// `(service, name)` of an action whose service is catalogued (ASCII case ignored). Compares
/// bytes in place: this runs for every action of every document.
pub fn catalogued_split(action: &str) -> Option<(&str, &str)> {
    catalogued_codes().iter().find_map(|code| {
        let n = code.len();
        if action.as_bytes().get(n) != Some(&b':') {
            return None;
        }
        let svc = action.get(..n)?;
        svc.eq_ignore_ascii_case(code)
            .then(|| action.get(n + 1..).map(|name| (svc, name)))
            .flatten()
    })
}

pub fn lookup(action: &str) -> Lookup {
    let Some((_, name)) = catalogued_split(action) else {
        return Lookup::Unknown;
    };
    if has_wildcard(name) {
        return Lookup::Wildcard;
    }
    let ix = index();
    let found = ix
        .by_action
        .binary_search_by(|&i| {
            ix.ops.get(i).map_or(std::cmp::Ordering::Less, |o| {
                cmp_ignore_ascii_case(o.action(), action)
            })
        })
        .ok()
        .and_then(|at| ix.by_action.get(at))
        .and_then(|&i| ix.ops.get(i));
    match found {
        Some(op) => Lookup::Found(op),
        None => Lookup::Missing,
    }
}

/// Every catalogued operation an action pattern matches (case-insensitive), whatever its
/// service part (`*:Release*` matches `dbs:ReleaseBackupPlan`).
pub fn matching_ops(pattern: &str) -> impl Iterator<Item = &'static CatalogOp> + '_ {
    // Most actions name an uncatalogued service: skip the scan for them.
    let ops: &'static [CatalogOp] =
        if catalogued_split(pattern).is_some() || service_part_has_wildcard(pattern) {
            &index().ops
        } else {
            &[]
        };
    let exact = !has_wildcard(pattern);
    ops.iter().filter(move |o| {
        if exact {
            o.action().eq_ignore_ascii_case(pattern)
        } else {
            glob_match_ignore_ascii_case(pattern, o.action())
        }
    })
}

/// The part before the first `:` (all of it without one) holds `*` or `?`: the pattern may
/// match actions of any service.
fn service_part_has_wildcard(pattern: &str) -> bool {
    pattern
        .bytes()
        .take_while(|&b| b != b':')
        .any(|b| b == b'*' || b == b'?')
}

/// Whether an action pattern can match some action of service `svc` at all: false when its
/// service part is literal and another service. A cheap filter before matching.
pub fn may_match_service(pattern: &str, svc: &str) -> bool {
    if service_part_has_wildcard(pattern) {
        return true;
    }
    pattern
        .get(..svc.len())
        .is_some_and(|s| s.eq_ignore_ascii_case(svc))
        && pattern.as_bytes().get(svc.len()) == Some(&b':')
}

/// "Can this statement's `Resource` list ever match where the operation is authorized", with
/// the answers per template cached for the statement (tokens of each resource computed once).
pub struct Grantability<'a> {
    resources: &'a [Spanned<String>],
    /// A malformed resource (RG029's finding) makes every answer "can": nothing is claimed
    /// about a statement that does not say what it means.
    malformed: Option<bool>,
    tokens: Option<Vec<Vec<Sym>>>,
    per_template: Vec<Option<bool>>,
    star: Option<bool>,
}

impl<'a> Grantability<'a> {
    pub fn new(resources: &'a [Spanned<String>]) -> Self {
        Grantability {
            resources,
            malformed: None,
            tokens: None,
            per_template: Vec::new(),
            star: None,
        }
    }

    /// Some resource matches the request resource `*` of an All Resources operation.
    pub fn star(&mut self) -> bool {
        *self
            .star
            .get_or_insert_with(|| self.resources.iter().any(|r| glob_match(&r.value, "*")))
    }

    /// Some resource can match some ARN of template `at`.
    pub fn template(&mut self, at: usize) -> bool {
        if let Some(Some(known)) = self.per_template.get(at) {
            return *known;
        }
        let Some(t) = index().templates.get(at) else {
            return true;
        };
        let resources = self.resources;
        let tokens = self
            .tokens
            .get_or_insert_with(|| resources.iter().map(|r| symbols(&r.value)).collect());
        let hit = tokens.iter().any(|r| symbols_intersect(r, &t.tokens));
        if self.per_template.len() <= at {
            self.per_template.resize(at + 1, None);
        }
        if let Some(slot) = self.per_template.get_mut(at) {
            *slot = Some(hit);
        }
        hit
    }

    /// The statement can grant (or deny) the operation for some request. Unknown resources
    /// count as grantable: the rules only speak when the catalogue is sure.
    pub fn can(&mut self, op: &CatalogOp) -> bool {
        let Some(targets) = &op.targets else {
            return true;
        };
        let resources = self.resources;
        if *self
            .malformed
            .get_or_insert_with(|| resources.iter().any(|r| !well_formed_resource(&r.value)))
        {
            return true;
        }
        targets.iter().any(|t| match *t {
            Target::All => self.star(),
            Target::Template(at) => self.template(at),
        })
    }
}

/// The targets of an operation as text, for messages: templates, and `*` for All Resources.
pub fn targets_text(op: &CatalogOp) -> String {
    let Some(targets) = &op.targets else {
        return String::new();
    };
    let names: Vec<&str> = targets
        .iter()
        .map(|t| match *t {
            Target::All => "*",
            Target::Template(at) => index()
                .templates
                .get(at)
                .map_or("", |x| x.template.as_str()),
        })
        .collect();
    let mut out = String::new();
    for (i, n) in names.iter().enumerate() {
        if i > 0 {
            out.push_str(" or ");
        }
        out.push('`');
        out.push_str(n);
        out.push('`');
    }
    out
}

/// Whether an element (`Action`/`NotAction` or `Resource`/`NotResource`) `general` matches
/// everything `specific` matches. Sound: `true` only when it surely does.
pub fn element_covers(general: &Element, specific: &Element, fold_case: bool) -> bool {
    let covers = |g: &str, s: &str| {
        if fold_case {
            pattern_covers_ignore_ascii_case(g, s)
        } else {
            pattern_covers(g, s)
        }
    };
    let meet = |a: &str, b: &str| {
        if fold_case {
            crate::policy::pattern::patterns_intersect_ignore_ascii_case(a, b)
        } else {
            crate::policy::pattern::patterns_intersect(a, b)
        }
    };
    match (general.negated, specific.negated) {
        (false, false) => specific
            .iter()
            .all(|s| general.iter().any(|g| covers(g, s))),
        // Everything but G covers S when no value of S can be in G.
        (true, false) => specific.iter().all(|s| general.iter().all(|g| !meet(g, s))),
        // A positive list covers the infinite "everything but S" only with a match-all value.
        (false, true) => general.iter().any(is_all_stars),
        // Everything but G covers everything but S when G lies inside S.
        (true, true) => general
            .iter()
            .all(|g| specific.iter().any(|s| covers(s, g))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn predicates() {
        assert!(action_is_all("*") && action_is_all("*:*") && action_is_all("**"));
        assert!(!action_is_all("dbs:*") && !action_is_all("*:Describe*"));
        assert!(resource_is_all("*") && resource_is_all("acs:*:*:*:*") && resource_is_all("acs:*"));
        assert!(!resource_is_all("acs:dbs:*:*:*"));
        assert_eq!(service_wildcard("dbs:*"), Some("dbs"));
        assert_eq!(service_wildcard("*:*"), None);
        assert_eq!(service_wildcard("dbs:Describe*"), None);
        assert!(covers_service("acs:dbs:*:*:*", "DBS"));
        assert!(!covers_service("acs:dbs:*:*:backupplan/*", "dbs"));
        assert!(broad_for_service("acs:ram::123:*", "ram"));
        assert!(broad_for_service("acs:ram:*:*:role/*", "ram"));
        assert!(broad_for_service("*", "ram"));
        assert!(!broad_for_service("acs:ram::123:role/dbs-*", "ram"));
        assert!(!broad_for_service("acs:oss:*:*:*", "ram"));
        assert_eq!(list(&["a", "b", "c"], 2), "`a`, `b` and 1 more");
    }

    #[test]
    fn catalogue_index() {
        let ix = index();
        assert_eq!(ix.ops.len(), 65);
        assert!(ix.templates.len() >= 2);
        assert!(
            matches!(lookup("dbs:startbackupplan"), Lookup::Found(o) if o.action() == "dbs:StartBackupPlan")
        );
        assert!(matches!(lookup("dbs:StartBackupPlna"), Lookup::Missing));
        assert!(matches!(lookup("dbs:Start*"), Lookup::Wildcard));
        assert!(matches!(lookup("ecs:Foo"), Lookup::Unknown));
        assert!(matches!(lookup("*:Foo"), Lookup::Unknown));
        assert!(matching_ops("*:release*").any(|o| o.action() == "dbs:ReleaseBackupPlan"));
        assert!(matching_ops("d*").any(|o| o.action() == "dbs:ReleaseBackupPlan"));
        assert!(matching_ops("DBS:Release*").any(|o| o.action() == "dbs:ReleaseBackupPlan"));
        assert_eq!(matching_ops("ecs:*").count(), 0);
        assert_eq!(catalogued_split("DBS:x"), Some(("DBS", "x")));
        assert_eq!(catalogued_split("dbsx:x"), None);
        assert_eq!(catalogued_split("db"), None);
        assert_eq!(catalogued_split("dbs:"), Some(("dbs", "")));
        assert!(may_match_service("RAM:Attach*", "ram"));
        assert!(may_match_service("*:Attach*", "ram"));
        assert!(may_match_service("r*", "ram"));
        assert!(!may_match_service("rams:Attach*", "ram"));
        assert!(!may_match_service("ra", "ram"));
    }

    fn res(values: &[&str]) -> Vec<Spanned<String>> {
        values
            .iter()
            .map(|v| Spanned::new((*v).to_owned(), Default::default()))
            .collect()
    }

    #[test]
    fn grantability() {
        let start = match lookup("dbs:StartBackupPlan") {
            Lookup::Found(o) => o,
            _ => panic!(),
        };
        let regions = match lookup("dbs:DescribeRegions") {
            Lookup::Found(o) => o,
            _ => panic!(),
        };
        let can = |op, rs: &[&str]| {
            let r = res(rs);
            Grantability::new(&r).can(op)
        };
        for ok in [
            "*",
            "acs:dbs:*:*:*",
            "acs:dbs:*:*:backupplan/*",
            "acs:*:*:*:backupplan/dbs1",
        ] {
            assert!(can(start, &[ok]), "{ok}");
        }
        for no in ["acs:rds:*:*:*", "acs:dbs:*:*:instance/*"] {
            assert!(!can(start, &[no]), "{no}");
        }
        assert!(can(start, &["acs:rds:*:*:*", "acs:dbs:*:*:*"]));
        assert!(can(regions, &["*"]));
        assert!(!can(regions, &["acs:dbs:*:*:*"]));
        assert!(!can(regions, &["acs:dbs:cn-hangzhou:1:backupplan/x"]));
        // A malformed ARN is the grammar's finding; nothing is claimed.
        assert!(can(start, &["acs:dbs:cn-hangzhou:backupplan/x"]));
        assert!(well_formed_resource("acs:ram::1:role/x") && !well_formed_resource("acs:*"));
    }
}

#[cfg(test)]
mod placeholder_tests {
    use super::{is_mask, placeholder, Placeholder};

    #[test]
    fn placeholders_and_masks() {
        let t = |v| match placeholder(v) {
            Some(Placeholder::Template(t)) => format!("template {t}"),
            Some(Placeholder::Mask(t)) => format!("mask {t}"),
            None => "none".to_string(),
        };
        assert_eq!(
            t("acs:ram::${var.account}:role/x"),
            "template ${var.account}"
        );
        assert_eq!(
            t("acs:ram::$accountId:role/$roleName"),
            "template $accountId"
        );
        assert_eq!(
            t("system:serviceaccount:<namespce>:<sa>"),
            "template <namespce>"
        );
        assert_eq!(
            t("acs:dbs:{#regionId}:1:backupplan/x"),
            "template {#regionId}"
        );
        assert_eq!(t("acs:ram::123456789012****:root"), "mask 123456789012****");
        assert_eq!(
            t("acs:oss:*:174649585760xxxx:bucket/*"),
            "mask 174649585760xxxx"
        );
        assert_eq!(t("42.120.XX.X/24"), "mask XX");
        assert_eq!(t("acs:ram::1234567890123456:role/x"), "none");
        assert_eq!(t("acs:oss:*:*:mybucket/*"), "none");
        assert_eq!(t("192.0.2.0/24"), "none");
        assert_eq!(t("a < b"), "none");
        assert!(is_mask("113***"));
        assert!(!is_mask("c132c***"));
        assert!(!is_mask("***"));
    }
}
