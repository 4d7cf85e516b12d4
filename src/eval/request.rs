//! What is asked: an action on a resource, in a context, by an optional principal.
//!
//! A context key is **known** (one or more values), **unknown** (it may be absent or hold any
//! values) or **absent** (neither given nor marked unknown). A resource may have unknown parts.

use std::borrow::Cow;
use std::fmt;
use std::net::IpAddr;
use std::sync::{Arc, OnceLock};

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;

use crate::policy::pattern::Piece;
use crate::policy::values::{parse_instant, Decimal};

/// Name under which a missing principal shows in `depends_on` (trust policies only).
pub const PRINCIPAL_UNKNOWN: &str = "principal";
/// The context key that holds the caller's ARN.
pub const PRINCIPAL_ARN: &str = "acs:PrincipalARN";

/// The resource of a request: a known ARN, or one with unknown parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resource {
    Known(String),
    /// Literal text and unknown parts, in order. Built by [`Resource::parse`],
    /// [`Resource::from_template`] or [`Resource::partial`], which keep at least one unknown part
    /// and never two literals side by side.
    Partial(Vec<ResourcePart>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResourcePart {
    Literal(String),
    /// A part whose value is not known (any string, including the empty one); the name is what
    /// `depends_on` reports, e.g. `accountId` or `BackupPlanId`.
    Unknown(String),
}

impl Resource {
    /// Reads an ARN in which `{#name}` placeholders (the DBS catalogue's template syntax) stand
    /// for unknown parts: `acs:dbs:cn-hangzhou:{#accountId}:backupplan/dbsqdss5tmh1`. Real ARNs
    /// never hold `{#`, so any other string is a known resource.
    pub fn parse(text: &str) -> Resource {
        Resource::from_template(text, |_| None)
    }

    /// Renders an ARN template such as `acs:dbs:{#regionId}:{#accountId}:backupplan/{#BackupPlanId}`:
    /// each placeholder is replaced by `lookup(name)`, or becomes an unknown part when that is
    /// `None`.
    pub fn from_template(
        template: &str,
        mut lookup: impl FnMut(&str) -> Option<String>,
    ) -> Resource {
        let mut parts = Vec::new();
        let mut rest = template;
        while let Some(start) = rest.find("{#") {
            let after = rest.get(start + 2..).unwrap_or_default();
            let Some(len) = after.find('}') else { break };
            let name = after.get(..len).unwrap_or_default();
            parts.push(ResourcePart::Literal(
                rest.get(..start).unwrap_or_default().to_string(),
            ));
            parts.push(match lookup(name) {
                Some(value) => ResourcePart::Literal(value),
                None => ResourcePart::Unknown(name.to_string()),
            });
            rest = after.get(len + 1..).unwrap_or_default();
        }
        parts.push(ResourcePart::Literal(rest.to_string()));
        Resource::partial(parts)
    }

    /// Normalises parts: merges adjacent literals; without unknown parts the result is `Known`.
    pub fn partial(parts: Vec<ResourcePart>) -> Resource {
        let mut out: Vec<ResourcePart> = Vec::with_capacity(parts.len());
        for part in parts {
            match (out.last_mut(), part) {
                (_, ResourcePart::Literal(s)) if s.is_empty() => {}
                (Some(ResourcePart::Literal(prev)), ResourcePart::Literal(s)) => prev.push_str(&s),
                (_, part) => out.push(part),
            }
        }
        if out.iter().all(|p| matches!(p, ResourcePart::Literal(_))) {
            let text: String = out
                .into_iter()
                .map(|p| match p {
                    ResourcePart::Literal(s) | ResourcePart::Unknown(s) => s,
                })
                .collect();
            Resource::Known(text)
        } else {
            Resource::Partial(out)
        }
    }

    pub fn is_known(&self) -> bool {
        matches!(self, Resource::Known(_))
    }

    /// The names of the unknown parts, in order (a name may repeat).
    pub fn unknown_names(&self) -> impl Iterator<Item = &str> {
        let parts: &[ResourcePart] = match self {
            Resource::Known(_) => &[],
            Resource::Partial(parts) => parts,
        };
        parts.iter().filter_map(|p| match p {
            ResourcePart::Unknown(name) => Some(name.as_str()),
            ResourcePart::Literal(_) => None,
        })
    }

    /// The text for the partial matcher. An unknown part that starts after the first colon and
    /// before the fourth lies in the service, region or account field, which never holds a
    /// colon; one after it, in the relative ID, may hold anything, and so may one at the very
    /// start (a wholly unknown resource, or an unknown prefix: SEMANTICS.md section 5).
    /// (Counting colons is exact because the earlier unknown parts are themselves colon-free.)
    pub(crate) fn pieces(&self) -> Vec<Piece<'_>> {
        match self {
            Resource::Known(s) => vec![Piece::Literal(s)],
            Resource::Partial(parts) => {
                let mut colons = 0;
                parts
                    .iter()
                    .map(|p| match p {
                        ResourcePart::Literal(s) => {
                            colons += s.matches(':').count();
                            Piece::Literal(s)
                        }
                        ResourcePart::Unknown(_) if (1..4).contains(&colons) => Piece::Field,
                        ResourcePart::Unknown(_) => Piece::Hole,
                    })
                    .collect()
            }
        }
    }
}

/// Shows unknown parts as `{#name}`, the form [`Resource::parse`] reads back.
impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Resource::Known(s) => f.write_str(s),
            Resource::Partial(parts) => parts.iter().try_for_each(|p| match p {
                ResourcePart::Literal(s) => f.write_str(s),
                ResourcePart::Unknown(name) => write!(f, "{{#{name}}}"),
            }),
        }
    }
}

impl From<&str> for Resource {
    fn from(s: &str) -> Resource {
        Resource::parse(s)
    }
}

impl From<String> for Resource {
    fn from(s: String) -> Resource {
        Resource::parse(&s)
    }
}

/// A request that cannot be built.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error("the action is empty")]
    EmptyAction,
    #[error("`{0}` is not KEY=VALUE")]
    NotKeyValue(String),
    #[error("a context key is empty")]
    EmptyKey,
    #[error("context key `{0}` is given a value and also marked unknown")]
    KnownAndUnknown(String),
    #[error("context key `{key}`: values are strings, numbers, booleans or arrays of them, found {found}")]
    BadValue { key: String, found: &'static str },
    /// A field past [`MAX_FIELD_BYTES`].
    #[error("{field} is {len} bytes long; a request field may be at most {max} bytes")]
    TooLong {
        field: String,
        len: usize,
        max: usize,
    },
}

/// The longest action, resource, principal, context key or context value a request takes, in
/// bytes. RAM's own names and ARNs are far shorter (a whole policy is at most 6,144
/// characters); the cap keeps the cost of one evaluation bounded by the policies alone.
pub const MAX_FIELD_BYTES: usize = 16 * 1024;

/// `text` is at most [`MAX_FIELD_BYTES`] long; `field` names it for the error.
fn check_len(text: &str, field: impl FnOnce() -> String) -> Result<(), RequestError> {
    if text.len() <= MAX_FIELD_BYTES {
        return Ok(());
    }
    Err(RequestError::TooLong {
        field: field(),
        len: text.len(),
        max: MAX_FIELD_BYTES,
    })
}

/// The start of a (long) key, to name it in a message.
fn key_start(key: &str) -> String {
    let start: String = key.chars().take(40).collect();
    if start.len() < key.len() {
        format!("`{start}…`")
    } else {
        format!("`{start}`")
    }
}

/// One known request value, parsed on first use for each family that reads it (a value is
/// compared by many statements, but parsed at most once per request).
#[derive(Clone, Debug)]
pub(crate) struct CtxValue {
    pub raw: String,
    lower: OnceLock<Box<str>>,
    ip: OnceLock<Option<IpAddr>>,
    instant: OnceLock<Option<i128>>,
    number: OnceLock<Option<Decimal>>,
}

impl CtxValue {
    fn new(raw: String) -> CtxValue {
        CtxValue {
            raw,
            lower: OnceLock::new(),
            ip: OnceLock::new(),
            instant: OnceLock::new(),
            number: OnceLock::new(),
        }
    }

    pub fn lower(&self) -> &str {
        self.lower
            .get_or_init(|| self.raw.to_ascii_lowercase().into())
    }

    pub fn ip(&self) -> Option<IpAddr> {
        *self.ip.get_or_init(|| self.raw.parse().ok())
    }

    pub fn instant(&self) -> Option<i128> {
        *self.instant.get_or_init(|| parse_instant(&self.raw))
    }

    pub fn number(&self) -> Option<&Decimal> {
        self.number
            .get_or_init(|| Decimal::parse(&self.raw))
            .as_ref()
    }
}

#[derive(Clone, Debug)]
pub(crate) enum EntryState {
    Known(KnownValues),
    /// Bit of the request's unknown-name table.
    Unknown(u64),
}

/// The values of a known key; most keys have one, which needs no list of its own.
#[derive(Clone, Debug)]
pub(crate) enum KnownValues {
    One(CtxValue),
    /// Several values, or none (a key present without a value).
    Many(Vec<CtxValue>),
}

impl KnownValues {
    fn new(values: Values) -> KnownValues {
        match values {
            Values::One(v) => KnownValues::One(CtxValue::new(v)),
            Values::Many(vs) => KnownValues::Many(vs.into_iter().map(CtxValue::new).collect()),
        }
    }

    fn as_slice(&self) -> &[CtxValue] {
        match self {
            KnownValues::One(v) => std::slice::from_ref(v),
            KnownValues::Many(vs) => vs,
        }
    }

    fn extend(&mut self, values: Values) {
        let mut all = match std::mem::replace(self, KnownValues::Many(Vec::new())) {
            KnownValues::One(v) => vec![v],
            KnownValues::Many(vs) => vs,
        };
        match values {
            Values::One(v) => all.push(CtxValue::new(v)),
            Values::Many(vs) => all.extend(vs.into_iter().map(CtxValue::new)),
        }
        *self = KnownValues::Many(all);
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Entry {
    pub key_lower: Cow<'static, str>,
    pub state: EntryState,
}

/// What the request says about a condition key.
#[derive(Clone, Copy)]
pub(crate) enum Lookup<'a> {
    Absent,
    Unknown(u64),
    Values(&'a [CtxValue]),
}

/// Builds a [`Request`]; errors are kept until [`RequestBuilder::build`].
#[derive(Clone, Debug)]
pub struct RequestBuilder {
    action: String,
    resource: Resource,
    context: ContextBuilder,
    error: Option<RequestError>,
}

/// The values given for a key in one call: one value needs no list of its own.
#[derive(Clone, Debug)]
enum Values {
    One(String),
    Many(Vec<String>),
}

/// A key with ASCII letters lowercased, in its own buffer. Case is folded in ASCII everywhere
/// (lint, evaluation): `K` (U+212A KELVIN SIGN) is not `k`.
fn into_lower(mut key: String) -> String {
    key.make_ascii_lowercase();
    key
}

impl RequestBuilder {
    /// Adds a value for a context key; a key given twice (in any case) is multi-valued.
    pub fn context(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.context.value(key.into(), value.into());
        self
    }

    /// Adds several values at once; an empty list makes the key present with no value (it then
    /// behaves like an absent key: no value can match).
    pub fn context_values(mut self, key: impl Into<String>, values: Vec<String>) -> Self {
        self.context.values.push((key.into(), Values::Many(values)));
        self
    }

    /// Reads one `--context KEY=VALUE` argument (split at the first `=`; the value may be empty).
    pub fn context_arg(self, arg: &str) -> Self {
        match arg.split_once('=') {
            Some((key, value)) => self.context(key, value),
            None => self.fail(RequestError::NotKeyValue(arg.to_string())),
        }
    }

    /// Marks a key as unknown: it may be absent or hold any values.
    pub fn unknown(mut self, key: impl Into<String>) -> Self {
        self.context.unknown(key.into());
        self
    }

    /// The caller's ARN (`acs:ram::<account>:user/<name>`), or a service (`ecs.aliyuncs.com`);
    /// only trust policies look at it.
    pub fn principal(mut self, principal: impl Into<String>) -> Self {
        self.context.principal(principal.into());
        self
    }

    fn check_lengths(&self) -> Result<(), RequestError> {
        check_len(&self.action, || "the action".into())?;
        check_len(&self.resource.to_string(), || "the resource".into())?;
        if let Some(p) = &self.context.principal {
            check_len(p, || "the principal".into())?;
        }
        for key in &self.context.unknown {
            check_len(key, || format!("unknown key {}", key_start(key)))?;
        }
        for (key, values) in &self.context.values {
            check_len(key, || format!("context key {}", key_start(key)))?;
            let values = match values {
                Values::One(v) => std::slice::from_ref(v),
                Values::Many(vs) => vs.as_slice(),
            };
            for v in values {
                check_len(v, || format!("a value of context key {}", key_start(key)))?;
            }
        }
        Ok(())
    }

    fn fail(mut self, e: RequestError) -> Self {
        self.error.get_or_insert(e);
        self
    }

    pub fn build(self) -> Result<Request, RequestError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        if self.action.is_empty() {
            return Err(RequestError::EmptyAction);
        }
        self.check_lengths()?;
        let action_lower = self.action.to_ascii_lowercase();
        let context = Arc::new(self.context.build()?);
        Ok(Request::new(
            Cow::Owned(self.action),
            Cow::Owned(action_lower),
            self.resource,
            context,
            None,
        ))
    }
}

/// The context half of a request being built: values, unknown keys and the principal. The
/// preflight builds one alone per call context and shares the result between requests.
#[derive(Clone, Debug, Default)]
pub(crate) struct ContextBuilder {
    values: Vec<(String, Values)>,
    unknown: Vec<String>,
    principal: Option<String>,
}

impl ContextBuilder {
    pub fn value(&mut self, key: String, value: String) {
        self.values.push((key, Values::One(value)));
    }

    pub fn unknown(&mut self, key: String) {
        self.unknown.push(key);
    }

    pub fn principal(&mut self, principal: String) {
        self.principal = Some(principal);
    }

    pub fn build(mut self) -> Result<Context, RequestError> {
        // The caller's ARN is `acs:PrincipalARN` unless the context says otherwise
        // (SEMANTICS.md section 4, rev 2).
        if let Some(principal) = &self.principal {
            let named = |k: &String| k.eq_ignore_ascii_case(PRINCIPAL_ARN);
            if !self.values.iter().any(|(k, _)| named(k)) && !self.unknown.iter().any(named) {
                self.values
                    .push((PRINCIPAL_ARN.to_string(), Values::One(principal.clone())));
            }
        }
        let mut entries: Vec<Entry> = Vec::with_capacity(self.unknown.len() + self.values.len());
        let mut names: Vec<String> = Vec::with_capacity(self.unknown.len());
        // Unknown keys first, so their bits follow the sorted key order below.
        let mut unknown: Vec<(String, String)> = self
            .unknown
            .into_iter()
            .map(|k| (k.to_ascii_lowercase(), k))
            .collect();
        unknown.sort_by(|a, b| a.0.cmp(&b.0));
        unknown.dedup_by(|a, b| a.0 == b.0);
        for (key_lower, key) in unknown {
            if key_lower.is_empty() {
                return Err(RequestError::EmptyKey);
            }
            let bit = bit_of(names.len());
            names.push(key);
            entries.push(Entry {
                key_lower: Cow::Owned(key_lower),
                state: EntryState::Unknown(bit),
            });
        }
        for (key, values) in self.values {
            let key_lower = into_lower(key);
            if key_lower.is_empty() {
                return Err(RequestError::EmptyKey);
            }
            match entries.binary_search_by(|e| (*e.key_lower).cmp(&key_lower)) {
                Ok(i) => match entries.get_mut(i).map(|e| &mut e.state) {
                    Some(EntryState::Known(vs)) => vs.extend(values),
                    // Named as the unknown key was spelt (the value's key was lowercased).
                    _ => {
                        let name = names
                            .iter()
                            .find(|n| *n.to_ascii_lowercase() == *key_lower)
                            .map_or_else(|| key_lower.clone(), |n| n.clone());
                        return Err(RequestError::KnownAndUnknown(name));
                    }
                },
                Err(i) => entries.insert(
                    i,
                    Entry {
                        key_lower: Cow::Owned(key_lower),
                        state: EntryState::Known(KnownValues::new(values)),
                    },
                ),
            }
        }
        Ok(Context {
            entries,
            unknown: names,
            principal: self.principal,
        })
    }
}

/// The context half of a request: what is known and unknown about its keys, and the principal.
/// Requests may share one (the preflight's do, per call context): a value is then parsed once
/// for all of them.
#[derive(Debug)]
pub(crate) struct Context {
    /// Sorted by `key_lower`, one entry per key.
    entries: Vec<Entry>,
    /// The unknown keys as spelt, in `entries` order: the first names of the unknown-name table.
    unknown: Vec<String>,
    principal: Option<String>,
}

/// Bit for entry `i` of the unknown-name table; entries past 62 share the last bit (reported
/// together: over-reporting `depends_on` is safe, dropping a key would not be).
fn bit_of(i: usize) -> u64 {
    1u64 << i.min(63)
}

/// A request to evaluate. Built with [`Request::builder`] or deserialised from the CLI request
/// object:
///
/// ```json
/// {"action": "dbs:StartBackupPlan",
///  "resource": "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsqdss5tmh1",
///  "context": {"acs:SourceIp": "192.0.2.10", "acs:TagKeys": ["env", "team"]},
///  "unknown": ["acs:MFAPresent"],
///  "principal": "acs:ram::1234567890123456:user/alice"}
/// ```
///
/// Only `action` and `resource` are required; context values are strings, numbers, booleans or
/// arrays of them (numbers and booleans read as their JSON text); `{#name}` in the resource is
/// an unknown part (see [`Resource::parse`]); unknown fields are refused.
#[derive(Clone, Debug)]
pub struct Request {
    action: Cow<'static, str>,
    pub(crate) action_lower: Cow<'static, str>,
    resource: Resource,
    pub(crate) resource_deps: u64,
    context: Arc<Context>,
    /// A value of this request alone, for a key the context does not hold (the preflight's
    /// current time, which changes between requests sharing a context).
    own: Option<Entry>,
    /// The unknown-name table after the context's unknown keys: the resource's unknown parts
    /// not named there. `principal` follows when none is given. Bit `i` of a dependency set is
    /// the table's entry `i`.
    part_names: Vec<String>,
    pub(crate) principal_bit: u64,
}

impl Request {
    pub fn builder(action: impl Into<String>, resource: impl Into<Resource>) -> RequestBuilder {
        RequestBuilder {
            action: action.into(),
            resource: resource.into(),
            context: ContextBuilder::default(),
            error: None,
        }
    }

    /// A request in a (possibly shared) context; `own` is one more value `(key_lower, value)`
    /// for a key the context does not hold. `action` is not empty, `action_lower` is it
    /// lowercased.
    pub(crate) fn new(
        action: Cow<'static, str>,
        action_lower: Cow<'static, str>,
        resource: Resource,
        context: Arc<Context>,
        own: Option<(&'static str, String)>,
    ) -> Request {
        let mut part_names: Vec<String> = Vec::new();
        for name in resource.unknown_names() {
            if !context.unknown.iter().chain(&part_names).any(|n| n == name) {
                part_names.push(name.to_string());
            }
        }
        let principal_bit = if context.principal.is_none() {
            bit_of(context.unknown.len() + part_names.len())
        } else {
            0
        };
        let resource_deps = resource
            .unknown_names()
            .filter_map(|n| {
                context
                    .unknown
                    .iter()
                    .chain(&part_names)
                    .position(|m| m == n)
            })
            .fold(0, |acc, i| acc | bit_of(i));
        Request {
            action,
            action_lower,
            resource,
            resource_deps,
            context,
            own: own.map(|(key_lower, value)| Entry {
                key_lower: Cow::Borrowed(key_lower),
                state: EntryState::Known(KnownValues::new(Values::One(value))),
            }),
            part_names,
            principal_bit,
        }
    }

    pub fn action(&self) -> &str {
        &self.action
    }

    pub fn resource(&self) -> &Resource {
        &self.resource
    }

    /// The resource, taken out of a request that is no longer needed.
    pub fn into_resource(self) -> Resource {
        self.resource
    }

    pub fn principal(&self) -> Option<&str> {
        self.context.principal.as_deref()
    }

    /// The condition keys the request gives a value for or marks unknown, lowercased.
    pub fn context_keys(&self) -> impl Iterator<Item = &str> {
        self.context.entries.iter().map(|e| &*e.key_lower)
    }

    /// The lowercased RAM code of the action (`dbs` for `dbs:StartBackupPlan`).
    pub(crate) fn service_lower(&self) -> &str {
        self.action_lower.split_once(':').map_or("", |(s, _)| s)
    }

    pub(crate) fn lookup(&self, key_lower: &str) -> Lookup<'_> {
        let entries = &self.context.entries;
        let entry = match entries.binary_search_by(|e| (*e.key_lower).cmp(key_lower)) {
            Ok(i) => entries.get(i),
            Err(_) => self.own.as_ref().filter(|e| *e.key_lower == *key_lower),
        };
        match entry.map(|e| &e.state) {
            Some(EntryState::Known(values)) => Lookup::Values(values.as_slice()),
            Some(EntryState::Unknown(bit)) => Lookup::Unknown(*bit),
            None => Lookup::Absent,
        }
    }

    /// The names behind a dependency set, sorted. The unknown-name table is the context's
    /// unknown keys, the resource's other unknown parts, then `principal` when none is given.
    pub(crate) fn dep_names(&self, deps: u64) -> Vec<String> {
        let mut out: Vec<String> = Vec::with_capacity(deps.count_ones() as usize);
        let named = self.context.unknown.iter().chain(&self.part_names);
        let mut i = 0;
        for name in named {
            if deps & bit_of(i) != 0 {
                out.push(name.clone());
            }
            i += 1;
        }
        if self.context.principal.is_none() && deps & bit_of(i) != 0 {
            out.push(PRINCIPAL_UNKNOWN.to_string());
        }
        out.sort();
        out.dedup();
        out
    }
}

/// The CLI request object, field for field.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestObject {
    action: String,
    resource: String,
    #[serde(default)]
    context: ContextObject,
    #[serde(default)]
    unknown: Vec<String>,
    #[serde(default)]
    principal: Option<String>,
}

/// The `context` object with its members in document order, duplicates kept (a key written
/// twice, in any case, is multi-valued rather than silently overwritten).
#[derive(Default)]
struct ContextObject(Vec<(String, serde_json::Value)>);

impl<'de> Deserialize<'de> for ContextObject {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ContextObject;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object mapping condition keys to values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ContextObject, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry::<String, serde_json::Value>()? {
                    out.push(entry);
                }
                Ok(ContextObject(out))
            }
        }
        d.deserialize_map(V)
    }
}

fn scalar_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn json_type(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "a nested array",
        serde_json::Value::Object(_) => "an object",
    }
}

impl TryFrom<RequestObject> for Request {
    type Error = RequestError;

    fn try_from(o: RequestObject) -> Result<Request, RequestError> {
        let mut b = Request::builder(o.action, Resource::parse(&o.resource));
        for (key, value) in o.context.0 {
            let values = match &value {
                serde_json::Value::Array(items) => items
                    .iter()
                    .map(|v| {
                        scalar_text(v).ok_or_else(|| RequestError::BadValue {
                            key: key.clone(),
                            found: json_type(v),
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?,
                v => vec![scalar_text(v).ok_or_else(|| RequestError::BadValue {
                    key: key.clone(),
                    found: json_type(v),
                })?],
            };
            b = b.context_values(key, values);
        }
        for key in o.unknown {
            b = b.unknown(key);
        }
        if let Some(p) = o.principal {
            b = b.principal(p);
        }
        b.build()
    }
}

impl<'de> Deserialize<'de> for Request {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let o = RequestObject::deserialize(d)?;
        Request::try_from(o).map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates() {
        let r = Resource::parse("acs:dbs:cn-hangzhou:{#accountId}:backupplan/{#BackupPlanId}");
        assert_eq!(
            r,
            Resource::Partial(vec![
                ResourcePart::Literal("acs:dbs:cn-hangzhou:".into()),
                ResourcePart::Unknown("accountId".into()),
                ResourcePart::Literal(":backupplan/".into()),
                ResourcePart::Unknown("BackupPlanId".into()),
            ])
        );
        assert_eq!(
            r.to_string(),
            "acs:dbs:cn-hangzhou:{#accountId}:backupplan/{#BackupPlanId}"
        );
        let filled = Resource::from_template(
            "acs:dbs:{#regionId}:{#accountId}:backupplan/{#BackupPlanId}",
            |n| (n != "accountId").then(|| format!("<{n}>")),
        );
        assert_eq!(
            filled.to_string(),
            "acs:dbs:<regionId>:{#accountId}:backupplan/<BackupPlanId>"
        );
        assert_eq!(
            Resource::parse("acs:x:{#unclosed"),
            Resource::Known("acs:x:{#unclosed".into())
        );
        assert_eq!(Resource::parse("*"), Resource::Known("*".into()));
    }

    #[test]
    fn context_keys_are_case_insensitive_and_multi_valued() {
        let r = Request::builder("dbs:X", "*")
            .context("acs:TagKeys", "a")
            .context("ACS:tagkeys", "b")
            .unknown("acs:SourceIp")
            .build()
            .unwrap();
        match r.lookup("acs:tagkeys") {
            Lookup::Values(v) => assert_eq!(v.len(), 2),
            _ => panic!(),
        }
        assert!(matches!(r.lookup("acs:sourceip"), Lookup::Unknown(1)));
        assert!(matches!(r.lookup("acs:mfapresent"), Lookup::Absent));
        assert_eq!(r.dep_names(1), vec!["acs:SourceIp".to_string()]);
    }

    #[test]
    fn the_principal_is_the_principal_arn_unless_the_context_says_otherwise() {
        let caller = "acs:ram::1234567890123456:user/alice";
        let value = |r: &Request| match r.lookup("acs:principalarn") {
            Lookup::Values(v) => v.first().map(|v| v.raw.clone()),
            _ => None,
        };
        let r = Request::builder("dbs:X", "*")
            .principal(caller)
            .build()
            .unwrap();
        assert_eq!(value(&r).as_deref(), Some(caller));
        let r = Request::builder("dbs:X", "*")
            .principal(caller)
            .context("ACS:PrincipalArn", "acs:ram::1:user/bob")
            .build()
            .unwrap();
        assert_eq!(value(&r).as_deref(), Some("acs:ram::1:user/bob"));
        let r = Request::builder("dbs:X", "*")
            .principal(caller)
            .unknown("acs:PrincipalARN")
            .build()
            .unwrap();
        assert!(matches!(r.lookup("acs:principalarn"), Lookup::Unknown(_)));
        let r = Request::builder("dbs:X", "*").build().unwrap();
        assert!(matches!(r.lookup("acs:principalarn"), Lookup::Absent));
    }

    #[test]
    fn fields_past_the_length_cap_are_refused_by_name() {
        let long = "a".repeat(MAX_FIELD_BYTES + 1);
        let ok = "a".repeat(MAX_FIELD_BYTES);
        assert!(Request::builder(format!("dbs:{}", &ok[4..]), "*")
            .context("k", ok.clone())
            .build()
            .is_ok());
        let cases = [
            (Request::builder(format!("dbs:{long}"), "*"), "the action"),
            (Request::builder("dbs:A", long.as_str()), "the resource"),
            (
                Request::builder("dbs:A", "*").principal(long.clone()),
                "the principal",
            ),
            (
                Request::builder("dbs:A", "*").unknown(long.clone()),
                "unknown key `aaa",
            ),
            (
                Request::builder("dbs:A", "*").context(long.clone(), "v"),
                "context key `aaa",
            ),
            (
                Request::builder("dbs:A", "*").context_values("acs:K", vec![ok, long.clone()]),
                "a value of context key `acs:K`",
            ),
        ];
        for (b, needle) in cases {
            let e = b.build().err().map(|e| e.to_string()).unwrap_or_default();
            assert!(
                e.starts_with(needle) && e.contains("at most 16384 bytes"),
                "{e}"
            );
            assert!(e.len() < 200, "{e}");
        }
    }

    #[test]
    fn builder_errors() {
        let e = Request::builder("dbs:X", "*")
            .context_arg("novalue")
            .build();
        assert_eq!(e.err(), Some(RequestError::NotKeyValue("novalue".into())));
        let e = Request::builder("dbs:X", "*")
            .context("k:a", "1")
            .unknown("K:A")
            .build();
        assert!(matches!(e, Err(RequestError::KnownAndUnknown(_))));
        let ok = Request::builder("dbs:X", "*")
            .context_arg("acs:UserAgent=a=b")
            .build()
            .unwrap();
        match ok.lookup("acs:useragent") {
            Lookup::Values(v) => assert_eq!(v.first().map(|v| v.raw.as_str()), Some("a=b")),
            _ => panic!(),
        }
    }

    #[test]
    fn deserialises_the_cli_object() {
        let r: Request = serde_json::from_str(
            r#"{"action":"dbs:StartBackupPlan","resource":"acs:dbs:cn-hangzhou:{#accountId}:backupplan/x",
                "context":{"acs:SourceIp":"192.0.2.1","n":5,"b":true,"acs:TagKeys":["a","b"],"ACS:SOURCEIP":"192.0.2.2"},
                "unknown":["acs:MFAPresent"],"principal":"acs:ram::1:user/a"}"#,
        )
        .unwrap();
        assert!(!r.resource().is_known());
        match r.lookup("acs:sourceip") {
            Lookup::Values(v) => assert_eq!(v.len(), 2),
            _ => panic!(),
        }
        match r.lookup("n") {
            Lookup::Values(v) => assert_eq!(v.first().map(|v| v.raw.as_str()), Some("5")),
            _ => panic!(),
        }
        assert_eq!(r.principal(), Some("acs:ram::1:user/a"));
        let bad: Result<Request, _> =
            serde_json::from_str(r#"{"action":"a:b","resource":"*","context":{"k":null}}"#);
        assert!(bad.is_err());
        let bad: Result<Request, _> =
            serde_json::from_str(r#"{"action":"a:b","resource":"*","contexts":{}}"#);
        assert!(bad.is_err());
    }
}
