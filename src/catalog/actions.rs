//! The whole-cloud action list: every RAM action the catalogue knows, per service, read in
//! place from the records `build.rs` embeds (see `build/catalog.rs` for the layout), and
//! lookup by exact action (case-insensitive) or by pattern.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::fmt;

use super::operation::{AccessLevel, Operation};
use super::suggest::did_you_mean;
use super::{services, Service};
use crate::policy::pattern::glob_match_ignore_ascii_case;

static NAMES: &str = include_str!(concat!(env!("OUT_DIR"), "/catalog_names.txt"));
static RECORDS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/catalog_actions.bin"));
const RECORD: usize = 8;

/// What the metadata says an operation does to data: `operationType` (`read`, `write`,
/// `readAndWrite`; its rare `update`/`delete` count as write, `list` as read).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Access {
    Read,
    Write,
    ReadWrite,
}

impl Access {
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Read => "read",
            Access::Write => "write",
            Access::ReadWrite => "readAndWrite",
        }
    }
}

/// Where an action name comes from (the catalogue's `src`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Provenance {
    /// An OpenAPI operation name (the default rule).
    Api,
    /// Alibaba's own `ramActions` metadata.
    RamActions,
    /// A documented action (authorization docs).
    Doc,
    /// Used in Alibaba system policies or templates.
    Policy,
    /// Assumed, not verified.
    Assumed,
    /// ramguard's DBS spec.
    Spec,
}

impl Provenance {
    pub fn as_str(self) -> &'static str {
        match self {
            Provenance::Api => "api",
            Provenance::RamActions => "ram",
            Provenance::Doc => "doc",
            Provenance::Policy => "policy",
            Provenance::Assumed => "assumed",
            Provenance::Spec => "spec",
        }
    }
}

/// One catalogued RAM action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Action {
    service: &'static Service,
    name: &'static str,
    level: u8,
    access: u8,
    flags: u8,
}

impl Action {
    fn at(service: &'static Service, index: usize) -> Option<Action> {
        let rec = RECORDS.get(index * RECORD..(index + 1) * RECORD)?;
        let &[a, b, c, d, len, level, access, flags] = rec else {
            return None;
        };
        let off = u32::from_le_bytes([a, b, c, d]) as usize;
        let name = NAMES.get(off..off + usize::from(len))?;
        Some(Action {
            service,
            name,
            level,
            access,
            flags,
        })
    }

    /// The service whose list holds the action (for `ims:X`, `ram`).
    pub fn service(&self) -> &'static Service {
        self.service
    }

    /// The action name as the catalogue spells it (`DescribeInstances`).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// `code:Name`, as a policy writes it.
    pub fn full_name(&self) -> String {
        format!("{}:{}", self.service.code, self.name)
    }

    /// The access level (`get`, `list`, `create`, `update`, `delete`); `None` where the
    /// metadata says `none`.
    pub fn level(&self) -> Option<AccessLevel> {
        Some(match self.level {
            1 => AccessLevel::List,
            2 => AccessLevel::Get,
            3 => AccessLevel::Create,
            4 => AccessLevel::Update,
            5 => AccessLevel::Delete,
            _ => return None,
        })
    }

    pub fn access(&self) -> Access {
        match self.access {
            0 => Access::Read,
            1 => Access::Write,
            _ => Access::ReadWrite,
        }
    }

    /// The metadata marks the operation deprecated.
    pub fn deprecated(&self) -> bool {
        self.flags & 1 != 0
    }

    /// The operation is in older metadata only (RAM may or may not still check it).
    pub fn removed(&self) -> bool {
        self.flags & 2 != 0
    }

    /// Level and access were guessed from the name, not read from metadata.
    pub fn derived(&self) -> bool {
        self.flags & 4 != 0
    }

    pub fn provenance(&self) -> Provenance {
        match (self.flags >> 3) & 7 {
            1 => Provenance::RamActions,
            2 => Provenance::Doc,
            3 => Provenance::Policy,
            4 => Provenance::Assumed,
            5 => Provenance::Spec,
            _ => Provenance::Api,
        }
    }

    /// The resource types the action is authorized on, where the data records them per
    /// action (`ecs:AuthorizeSecurityGroup` → securitygroup), assumed ones included (see
    /// [`super::ResourceType::authorizes`]); `None` when not recorded (DBS: see
    /// [`Action::operation`]).
    pub fn resource_types(&self) -> Option<Vec<&'static super::ResourceType>> {
        let types: Vec<&'static super::ResourceType> = self
            .service
            .resource_types
            .iter()
            .filter(|t| t.authorizes(self.name).is_some())
            .collect();
        (!types.is_empty()).then_some(types)
    }

    /// The service condition keys whose source names this action (never a complete list).
    pub fn condition_keys(&self) -> Vec<&'static super::ConditionKey> {
        self.service
            .condition_keys
            .iter()
            .filter(|k| k.applies_to(self.name))
            .collect()
    }

    /// The DBS operation details (ARN templates, parameters) behind the action.
    pub fn operation(&self) -> Option<&'static Operation> {
        let ops = self.service.operations()?;
        ops.iter().find(|o| o.api.eq_ignore_ascii_case(self.name))
    }

    /// The action changes state: its level is create/update/delete, or (level `none`) the
    /// metadata's access is not read.
    pub fn is_write(&self) -> bool {
        match self.level() {
            Some(l) => l.is_write(),
            None => self.access() != Access::Read,
        }
    }

    /// The action deletes something: level `delete` (DBS: the operation's own rule, which
    /// also counts stopping and modifying backups).
    pub fn is_destructive(&self) -> bool {
        match self.operation() {
            Some(op) => op.is_destructive(),
            None => self.level() == Some(AccessLevel::Delete),
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.service.code, self.name)
    }
}

fn cmp_ignore_ascii_case(a: &str, b: &str) -> Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

impl Service {
    /// The service's own actions, sorted by name ignoring ASCII case.
    pub fn actions(&'static self) -> impl Iterator<Item = Action> + 'static {
        let first = self.first as usize;
        (first..first + self.count as usize).filter_map(move |i| Action::at(self, i))
    }

    /// The catalogue has an action list for this code (12 codes are known without one, and
    /// aliases have none of their own).
    pub fn has_actions(&'static self) -> bool {
        self.accepted().any(|s| s.count > 0)
    }

    /// The services whose actions `code:X` may name: this one, the one it is an alias of,
    /// and those it also accepts.
    pub fn accepted(&'static self) -> impl Iterator<Item = &'static Service> {
        std::iter::once(self).chain(
            self.alias_of
                .iter()
                .chain(self.also_accepts)
                .filter_map(|c| super::service(c)),
        )
    }

    /// Index (in the list) of the first name not less than `key`, ignoring ASCII case.
    fn lower_bound(&'static self, key: &str) -> usize {
        let first = self.first as usize;
        let (mut lo, mut hi) = (0, self.count as usize);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let less = Action::at(self, first + mid)
                .is_some_and(|a| cmp_ignore_ascii_case(a.name, key) == Ordering::Less);
            if less {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// The own actions whose name starts with `prefix`, ignoring ASCII case.
    fn prefixed<'p>(&'static self, prefix: &'p str) -> impl Iterator<Item = Action> + 'p {
        let first = self.first as usize;
        let end = first + self.count as usize;
        let start = first + self.lower_bound(prefix);
        (start..end)
            .map_while(move |i| Action::at(self, i))
            .take_while(move |a| {
                a.name
                    .get(..prefix.len())
                    .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
            })
    }

    /// The action `name` of this service's own list (ASCII case ignored; the spelling that
    /// matches exactly wins among case variants).
    fn own_action(&'static self, name: &str) -> Option<Action> {
        let first = self.first as usize;
        let mut found = None;
        for i in self.lower_bound(name)..self.count as usize {
            let a = Action::at(self, first + i)?;
            if !a.name.eq_ignore_ascii_case(name) {
                break;
            }
            if a.name == name {
                return Some(a);
            }
            found.get_or_insert(a);
        }
        found
    }

    /// The action `name` (no `code:` prefix, no wildcard) in this service or the services it
    /// accepts, ASCII case ignored.
    pub fn action(&'static self, name: &str) -> Option<Action> {
        self.accepted().find_map(|s| s.own_action(name))
    }

    /// The action an API of another name is authorized as (`oss:GetBucket`, the old name of
    /// ListObjects, is `oss:ListObjects`; `log:GetLogs` is `log:GetLogStoreLogs`).
    pub fn authorized_as(&'static self, api: &str) -> Option<Action> {
        self.accepted().find_map(|s| {
            super::API_NAMES
                .iter()
                .find(|(code, name, _)| *code == s.code && name.eq_ignore_ascii_case(api))
                .and_then(|(_, _, action)| s.own_action(action))
        })
    }

    /// What `name` most likely means: the action its API is authorized as, else the closest
    /// action name in the accepted lists (a typo or a plural).
    pub fn suggest(&'static self, name: &str) -> Option<Action> {
        if let Some(a) = self.authorized_as(name) {
            return Some(a);
        }
        let candidates: Vec<Action> = self.accepted().flat_map(|s| s.actions()).collect();
        let best = did_you_mean(name, candidates.iter().map(|a| a.name))?;
        candidates.into_iter().find(|a| a.name == best)
    }
}

/// How an action string relates to the catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionLookup {
    /// A catalogued action.
    Found(Action),
    /// The service is known but its lists do not hold the name (the list may be empty or
    /// incomplete: see [`Service::complete`] and [`Service::has_actions`]);
    /// [`Service::suggest`] finds what was meant.
    NotListed { service: &'static Service },
    /// No service has this RAM code; [`suggest_service`] finds a close known one.
    UnknownService,
    /// The name or the code has `*` or `?`: see [`matching_actions`].
    Pattern,
    /// Not `<code>:<name>`.
    Malformed,
}

/// Looks up `code:Name` (ASCII case ignored in both parts, as RAM matches actions): a hash-free
/// binary search of the code, then of the name in the service's sorted list. Suggestions cost
/// a scan of the list, so they are the caller's call ([`Service::suggest`]).
pub fn lookup_action(action: &str) -> ActionLookup {
    // Every rule looks up the same actions of a statement again, and a corpus names few
    // distinct actions: a per-thread memo saves the case-folding binary searches.
    LOOKUPS.with(|memo| {
        let mut memo = memo.borrow_mut();
        if let Some(found) = memo.get(action) {
            return *found;
        }
        let found = lookup_uncached(action);
        if memo.len() < LOOKUP_MEMO_CAP {
            memo.insert(action.into(), found);
        }
        found
    })
}

/// Distinct action strings a thread remembers (a bound for hostile inputs).
const LOOKUP_MEMO_CAP: usize = 8192;

thread_local! {
    static LOOKUPS: RefCell<foldhash::HashMap<Box<str>, ActionLookup>> =
        RefCell::new(foldhash::HashMap::default());
}

fn lookup_uncached(action: &str) -> ActionLookup {
    let Some((code, name)) = action.split_once(':') else {
        return ActionLookup::Malformed;
    };
    if code.is_empty() || name.is_empty() || name.contains(':') {
        return ActionLookup::Malformed;
    }
    if has_wildcard(code) || has_wildcard(name) {
        return ActionLookup::Pattern;
    }
    let Some(service) = super::service(code) else {
        return ActionLookup::UnknownService;
    };
    match service.action(name) {
        Some(a) => ActionLookup::Found(a),
        None => ActionLookup::NotListed { service },
    }
}

/// A sentence for a reader when `action` is not catalogued ("`ecs:DescribeInstancess` is
/// not in the action catalogue (as of DATE); did you mean `ecs:DescribeInstances`?"), or
/// `None` when it is, when it is a pattern or malformed, or when its service has no list.
pub fn not_catalogued(action: &str) -> Option<String> {
    let (code, name) = action.split_once(':')?;
    let (what, suggestion) = match lookup_action(action) {
        ActionLookup::NotListed { service } if service.has_actions() => {
            let certainty = if service.complete {
                format!("`{}` has no such action", service.code)
            } else {
                "it may be newer than the catalogue or a console-only action".to_owned()
            };
            (
                format!(
                    "`{action}` is not in the action catalogue (as of {}): {certainty}",
                    super::date()
                ),
                service.suggest(name).map(|a| a.to_string()),
            )
        }
        ActionLookup::UnknownService => (
            format!(
                "`{action}` has a RAM code that is not in the action catalogue (as of {})",
                super::date()
            ),
            suggest_service(code).map(|s| format!("{}:", s.code)),
        ),
        _ => return None,
    };
    Some(match suggestion {
        Some(s) => format!("{what}; did you mean `{s}`?"),
        None => what,
    })
}

/// The known RAM code closest to `code` (`ecss` → `ecs`).
pub fn suggest_service(code: &str) -> Option<&'static Service> {
    let best = did_you_mean(code, services().iter().map(|s| s.code))?;
    super::service(best)
}

fn has_wildcard(s: &str) -> bool {
    s.bytes().any(|b| b == b'*' || b == b'?')
}

/// Every catalogued action at access level `level`, in service order: the records' level
/// byte is read in place, so only the matches are decoded.
pub fn actions_at_level(level: AccessLevel) -> impl Iterator<Item = Action> {
    let byte = match level {
        AccessLevel::List => 1,
        AccessLevel::Get => 2,
        AccessLevel::Create => 3,
        AccessLevel::Update => 4,
        AccessLevel::Delete => 5,
        // Legacy levels are not used by the whole-cloud list.
        AccessLevel::Read | AccessLevel::Write => 0xff,
    };
    services().iter().flat_map(move |s| {
        let first = s.first as usize;
        (first..first + s.count as usize)
            .filter(move |i| RECORDS.get(i * RECORD + 5) == Some(&byte))
            .filter_map(move |i| Action::at(s, i))
    })
}

/// Whether an action pattern (or literal action) matches `action`, ASCII case ignored.
/// An alias code (`ims:`) matches the actions of the list it accepts. To test one pattern
/// against many actions, build a [`PatternMatcher`] once.
pub fn pattern_matches(pattern: &str, action: &Action) -> bool {
    PatternMatcher::new(pattern).matches(action)
}

/// An action pattern prepared for matching against many catalogued actions: a literal code
/// is resolved to the lists it accepts once.
pub struct PatternMatcher<'p> {
    pattern: &'p str,
    kind: MatcherKind<'p>,
}

enum MatcherKind<'p> {
    /// A literal code: the codes of the lists it accepts, and the name pattern.
    Codes(Vec<&'static str>, &'p str),
    /// A code with wildcards, and the name pattern.
    Glob(&'p str, &'p str),
    /// No `:`: matched against `code:Name`.
    Whole,
    /// Two `:` or more: matches no action.
    Nothing,
}

impl<'p> PatternMatcher<'p> {
    pub fn new(pattern: &'p str) -> Self {
        let kind = match pattern.split_once(':') {
            Some((_, name)) if name.contains(':') => MatcherKind::Nothing,
            Some((code, name)) if has_wildcard(code) => MatcherKind::Glob(code, name),
            Some((code, name)) => MatcherKind::Codes(
                super::service(code)
                    .map(|s| s.accepted().map(|a| a.code).collect())
                    .unwrap_or_default(),
                name,
            ),
            None => MatcherKind::Whole,
        };
        PatternMatcher { pattern, kind }
    }

    pub fn matches(&self, action: &Action) -> bool {
        match &self.kind {
            MatcherKind::Codes(codes, name) => {
                codes.contains(&action.service.code)
                    && glob_match_ignore_ascii_case(name, action.name)
            }
            MatcherKind::Glob(code, name) => {
                glob_match_ignore_ascii_case(code, action.service.code)
                    && glob_match_ignore_ascii_case(name, action.name)
            }
            MatcherKind::Whole => glob_match_ignore_ascii_case(self.pattern, &action.to_string()),
            MatcherKind::Nothing => false,
        }
    }
}

/// Every catalogued action an action pattern matches (ASCII case ignored), in service then
/// name order, each once. Only services whose code the pattern's service part can match are
/// scanned; a pattern without `:` (`*`, `*Describe*`) is matched against `code:Name`.
pub fn matching_actions(pattern: &str) -> Vec<Action> {
    let mut out = Vec::new();
    for_each_match(pattern, |a| {
        out.push(a);
        true
    });
    out
}

/// Whether the pattern matches some catalogued action (stops at the first).
pub fn matches_any(pattern: &str) -> bool {
    let mut any = false;
    for_each_match(pattern, |_| {
        any = true;
        false
    });
    any
}

/// Calls `f` on each match until it returns false.
fn for_each_match(pattern: &str, mut f: impl FnMut(Action) -> bool) {
    match pattern.split_once(':') {
        // Names and codes hold no `:`, so a pattern's one `:` meets the action's.
        Some((code, name)) if !name.contains(':') => {
            let literal = !has_wildcard(code);
            let candidates: Vec<&'static Service> = if literal {
                super::service(code).into_iter().collect()
            } else {
                services()
                    .iter()
                    .filter(|s| glob_match_ignore_ascii_case(code, s.code))
                    .collect()
            };
            // A literal alias (`ims:Get*`) reads the lists it accepts; a wildcard code
            // reaches those lists under their own codes.
            let mut lists: Vec<&'static Service> = if literal {
                candidates.iter().flat_map(|s| s.accepted()).collect()
            } else {
                candidates
            };
            lists.retain(|s| s.count > 0);
            lists.sort_by_key(|s| s.first);
            lists.dedup_by_key(|s| s.first);
            // Names are sorted ignoring case: only the range that starts with the pattern's
            // literal prefix can match (`Get*` reads the `get...` names of each list).
            let prefix = name.split(['*', '?']).next().unwrap_or_default();
            for s in lists {
                for a in s.prefixed(prefix) {
                    if glob_match_ignore_ascii_case(name, a.name) && !f(a) {
                        return;
                    }
                }
            }
        }
        Some(_) => {}
        None => {
            let mut full = String::new();
            for s in services() {
                for a in s.actions() {
                    full.clear();
                    full.push_str(s.code);
                    full.push(':');
                    full.push_str(a.name);
                    if glob_match_ignore_ascii_case(pattern, &full) && !f(a) {
                        return;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::service;

    fn found(s: &str) -> Action {
        match lookup_action(s) {
            ActionLookup::Found(a) => a,
            other => panic!("{s}: {other:?}"),
        }
    }

    #[test]
    fn exact_lookup() {
        let a = found("ecs:DescribeInstances");
        assert_eq!(a.name(), "DescribeInstances");
        assert_eq!(a.service().code, "ecs");
        assert_eq!(a.to_string(), "ecs:DescribeInstances");
        assert_eq!(a.level(), Some(AccessLevel::List));
        assert_eq!(a.access(), Access::Read);
        assert!(!a.is_write());
        assert_eq!(found("ECS:describeinstances"), a);
        assert_eq!(found("ecs:Addtags").name(), "AddTags");
        assert_eq!(found("oss:GetObject").level(), Some(AccessLevel::Get));
        assert_eq!(found("oss:GetObject").provenance(), Provenance::Doc);
        assert!(found("ecs:DeleteInstance").is_destructive());
        let types = found("ecs:AttachKeyPair").resource_types().unwrap();
        let names: Vec<&str> = types.iter().map(|t| t.name).collect();
        assert_eq!(names, ["instance", "keypair"]);
        assert_eq!(found("ecs:RunInstances").resource_types(), None);
        // Assumed types (a parameter names a resource of the type) count as authorized.
        let rsd = found("ecs:ReplaceSystemDisk");
        let names: Vec<&str> = rsd
            .resource_types()
            .unwrap()
            .iter()
            .map(|t| t.name)
            .collect();
        assert_eq!(names, ["instance", "disk", "image", "keypair"]);
        let disk = rsd
            .service()
            .resource_types
            .iter()
            .find(|t| t.name == "disk")
            .unwrap();
        assert_eq!(disk.authorizes("replacesystemdisk"), Some(true));
        assert_eq!(disk.authorizes("ResizeDisk"), Some(false));
        assert_eq!(disk.authorizes("RunInstances"), None);
        // Condition keys where a source names them.
        let keys: Vec<&str> = found("kms:Encrypt")
            .condition_keys()
            .iter()
            .map(|k| k.key)
            .collect();
        assert_eq!(keys, ["kms:tag/<tag-key>"]);
        assert!(found("kms:ListKeys").condition_keys().is_empty());
        let keys: Vec<&str> = found("oss:ListObjects")
            .condition_keys()
            .iter()
            .map(|k| k.key)
            .collect();
        assert_eq!(keys, ["oss:Prefix", "oss:Delimiter"]);
        // Aliases read the list they alias.
        assert_eq!(found("ims:CreateUser").service().code, "ram");
        assert_eq!(found("ram:PassRole").provenance(), Provenance::Policy);
        // DBS actions carry their operation details: one catalogue.
        let op = found("dbs:StartBackupPlan").operation().unwrap();
        assert_eq!(op.api, "StartBackupPlan");
        assert!(found("dbs:StartTask").deprecated() || found("dbs:StartTask").removed());
    }

    #[test]
    fn misses_and_suggestions() {
        let miss = |s: &str| match lookup_action(s) {
            ActionLookup::NotListed { service } => service
                .suggest(s.split_once(':').unwrap().1)
                .map(|a| a.to_string()),
            other => panic!("{s}: {other:?}"),
        };
        assert_eq!(
            miss("ecs:DescribeInstancess").as_deref(),
            Some("ecs:DescribeInstances")
        );
        assert_eq!(miss("oss:PutObjet").as_deref(), Some("oss:PutObject"));
        assert_eq!(miss("ecs:Xyzzyplugh"), None);
        assert_eq!(miss("oss:GetBucket").as_deref(), Some("oss:ListObjects"));
        assert_eq!(miss("log:GetLogs").as_deref(), Some("log:GetLogStoreLogs"));
        assert_eq!(
            lookup_action("ecss:DescribeInstances"),
            ActionLookup::UnknownService
        );
        assert_eq!(suggest_service("ecss").map(|s| s.code), Some("ecs"));
        assert_eq!(suggest_service("zzqqx"), None);
        assert_eq!(lookup_action("ecs:Describe*"), ActionLookup::Pattern);
        assert_eq!(lookup_action("ecs"), ActionLookup::Malformed);
        assert_eq!(lookup_action("ecs:"), ActionLookup::Malformed);
        assert_eq!(lookup_action(":x"), ActionLookup::Malformed);
    }

    #[test]
    fn notes() {
        let n = not_catalogued("ecs:DescribeInstancess").unwrap();
        assert!(n.contains("did you mean `ecs:DescribeInstances`?"), "{n}");
        assert!(n.contains(crate::catalog::date()), "{n}");
        assert!(not_catalogued("config:Nope")
            .unwrap()
            .contains("has no such action"));
        assert!(not_catalogued("ecss:X").unwrap().contains("`ecs:`"));
        assert_eq!(not_catalogued("ecs:DescribeInstances"), None);
        assert_eq!(not_catalogued("ecs:Describe*"), None);
        assert_eq!(not_catalogued("accessanalyzer:GetX"), None);
    }

    #[test]
    fn patterns() {
        let ecs = matching_actions("ecs:Describe*");
        assert!(ecs.len() > 100);
        assert!(ecs.iter().all(|a| a.service().code == "ecs"));
        assert!(ecs.iter().any(|a| a.name() == "DescribeInstances"));
        let gets = matching_actions("*:Get*");
        assert!(gets.iter().any(|a| a.to_string() == "oss:GetObject"));
        assert!(gets.iter().any(|a| a.service().code == "kms"));
        assert!(matches_any("oss:get*"));
        assert!(matches_any("oss:*Object"));
        assert!(matches_any("oss:G?tObject"));
        assert_eq!(
            matching_actions("ecs:describeinstances")
                .iter()
                .map(|a| a.name())
                .collect::<Vec<_>>(),
            ["DescribeInstances"]
        );
        // The prefix range agrees with a plain scan.
        let scan: Vec<Action> = service("ecs")
            .unwrap()
            .actions()
            .filter(|a| glob_match_ignore_ascii_case("Describe*s", a.name()))
            .collect();
        assert_eq!(matching_actions("ecs:Describe*s"), scan);
        assert!(!matches_any("ecs:Xyzzy*"));
        assert!(!matches_any("a:b:c"));
        assert!(matching_actions("*").len() > 30_000);
        assert!(matching_actions("dbs*StartBackupPlan")
            .iter()
            .any(|a| a.name() == "StartBackupPlan"));
        assert!(matching_actions("ims:Get*")
            .iter()
            .all(|a| a.service().code == "ram"));
        let get = found("oss:GetObject");
        for yes in [
            "oss:GetObject",
            "OSS:get*",
            "*:GetObject",
            "o*:*Obj*",
            "*GetObject",
        ] {
            assert!(pattern_matches(yes, &get), "{yes}");
        }
        for no in ["oss:Put*", "ecs:GetObject", "oss", "a:b:c"] {
            assert!(!pattern_matches(no, &get), "{no}");
        }
        assert!(pattern_matches("ims:CreateUser", &found("ram:CreateUser")));
        let deletes: Vec<Action> = actions_at_level(AccessLevel::Delete).collect();
        let scan: Vec<Action> = services()
            .iter()
            .flat_map(|s| s.actions())
            .filter(|a| a.level() == Some(AccessLevel::Delete))
            .collect();
        assert_eq!(deletes, scan);
        assert!(deletes.len() > 2000);
        // Each action once, in service order.
        let all = matching_actions("*:*");
        assert_eq!(all.len(), matching_actions("*").len());
    }

    #[test]
    fn services_table() {
        let ecs = service("ecs").unwrap();
        assert!(!ecs.complete && ecs.has_actions());
        assert!(service("config").unwrap().complete);
        let sorted = ecs
            .actions()
            .collect::<Vec<_>>()
            .windows(2)
            .all(|w| cmp_ignore_ascii_case(w[0].name(), w[1].name()) != Ordering::Greater);
        assert!(sorted);
        assert!(!service("accessanalyzer").unwrap().has_actions());
        assert!(service("ims").unwrap().has_actions());
    }
}
