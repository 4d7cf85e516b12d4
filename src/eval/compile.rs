//! Compiling lowered policies once: patterns pre-parsed, values pre-parsed by family, keys
//! lowercased and numbered, statements indexed by the actions they can match.
//!
//! The layout is built for the hot loop, which is bound by memory, not arithmetic: each
//! statement is a small fixed-size record ([`Hot`]) pointing into flat arrays of patterns and
//! conditions, and every pattern text of a layer lives in one string ([`LayerSet::arena`]), in
//! statement order. Candidates are visited in ascending order, so a request walks these arrays
//! forwards. What only traces and results need (Sid, location, spellings) is kept apart
//! ([`Cold`]).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::net::IpAddr;

use super::principal::{compile_principal, CompiledPrincipal};
use super::request::CtxValue;
use crate::policy::pattern::Shape;
use crate::policy::values::{parse_bool, parse_instant, Decimal, IpNet};
use crate::policy::{
    Comparison, Condition, Effect, Element, Family, Operator, Policy, PolicyKind, SetOp, Statement,
    Unreadable,
};
use crate::source::SourceFile;
use crate::source::Spanned;

/// The Fx hash (rustc's), eight bytes at a time: the index maps are keyed by short action
/// names, where SipHash's set-up dominates the lookup. The keys come from policy documents the
/// caller chose to load, not from an adversary.
#[derive(Default)]
pub(crate) struct Fx(u64);

impl Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut h = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = <[u8; 8]>::try_from(c).map_or(0, u64::from_le_bytes);
            h = (h.rotate_left(5) ^ w).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
        self.0 = h;
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

/// A pattern: its text at `start..start + len` in the layer's arena, its shape, and a probe.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PatRef {
    start: u32,
    len: u32,
    pub shape: Shape,
    probe: Probe,
}

/// Every text a pattern matches starts with the pattern's literal prefix (the text before its
/// first wildcard) and ends with its literal suffix (after its last wildcard). The probe keeps
/// the last 8 bytes of the prefix and the first 8 of the suffix, so that most non-matching
/// texts are turned away by comparing two words with the request, without reading the
/// pattern's text from the arena: the hot loop touches one cache line less per statement.
#[derive(Clone, Copy, Debug, Default)]
struct Probe {
    /// Lengths of the literal prefix and suffix (both the whole length for an exact pattern).
    pre: u32,
    suf: u32,
    pre_word: u64,
    suf_word: u64,
    pre_n: u8,
    suf_n: u8,
}

/// Up to 8 bytes as a word (zero-padded).
#[inline]
fn word(bytes: &[u8]) -> u64 {
    if let Ok(eight) = <[u8; 8]>::try_from(bytes) {
        return u64::from_le_bytes(eight);
    }
    let mut w = [0u8; 8];
    for (d, s) in w.iter_mut().zip(bytes) {
        *d = *s;
    }
    u64::from_le_bytes(w)
}

impl Probe {
    fn new(pattern: &str, shape: Shape) -> Probe {
        let b = pattern.as_bytes();
        let wild = |c: &u8| *c == b'*' || *c == b'?';
        let pre = b.iter().position(wild).unwrap_or(b.len());
        let suf = b.iter().rev().position(wild).unwrap_or(b.len());
        let pre_n = pre.min(8);
        let suf_n = suf.min(8);
        let _ = shape;
        Probe {
            pre: u32::try_from(pre).unwrap_or(u32::MAX),
            suf: u32::try_from(suf).unwrap_or(u32::MAX),
            pre_word: word(b.get(pre - pre_n..pre).unwrap_or_default()),
            suf_word: word(
                b.get(b.len() - suf..b.len() - suf + suf_n)
                    .unwrap_or_default(),
            ),
            // Both at most 8.
            pre_n: pre_n as u8,
            suf_n: suf_n as u8,
        }
    }
}

impl PatRef {
    /// False only when `text` cannot match (a necessary condition, read from the probe alone).
    #[inline]
    fn may_match(&self, text: &[u8]) -> bool {
        let p = &self.probe;
        let (pre, suf) = (p.pre as usize, p.suf as usize);
        if self.shape == Shape::Exact {
            if text.len() != pre {
                return false;
            }
        } else if text.len() < pre.saturating_add(suf) {
            return false;
        }
        let (pre_n, suf_n) = (usize::from(p.pre_n), usize::from(p.suf_n));
        let at_pre = text.get(pre - pre_n..pre).map(word);
        let at_suf = text
            .get(text.len() - suf..text.len() - suf + suf_n)
            .map(word);
        at_pre == Some(p.pre_word) && at_suf == Some(p.suf_word)
    }
}

/// One condition (one operator on one key): its values are `len` entries from `values` in the
/// array of its family, and its texts (as written) `len` entries from `texts` in `pats`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CondRef {
    pub operator: Operator,
    /// `ForAnyValue:` / `ForAllValues:`.
    pub set: Option<SetOp>,
    /// Index in the policy set's [`KeyTable`].
    pub key_id: u32,
    values: u32,
    texts: u32,
    len: u32,
    /// The key as written, in the arena.
    key: PatRef,
}

/// A statement, as the hot loop sees it: ranges into the layer's arrays.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Hot {
    /// The first resource pattern, inline: most statements have one.
    res0: Option<PatRef>,
    actions: u32,
    resources: u32,
    conditions: u32,
    n_actions: u16,
    n_resources: u16,
    n_conditions: u16,
    flags: u8,
}

const DENY: u8 = 1;
const NOT_ACTION: u8 = 2;
const NOT_RESOURCE: u8 = 4;
/// Trust policies have no resource element: the resource is the role itself.
const NO_RESOURCE: u8 = 8;
const PRINCIPAL: u8 = 16;
/// A statement with a grammar error of its own (rev 2): where it would match, it may or may
/// not (unknown), never certainly.
const UNSURE: u8 = 32;

impl Hot {
    pub fn effect(&self) -> Effect {
        if self.flags & DENY != 0 {
            Effect::Deny
        } else {
            Effect::Allow
        }
    }

    pub fn not_action(&self) -> bool {
        self.flags & NOT_ACTION != 0
    }

    pub fn not_resource(&self) -> bool {
        self.flags & NOT_RESOURCE != 0
    }

    pub fn has_resource(&self) -> bool {
        self.flags & NO_RESOURCE == 0
    }

    pub fn has_principal(&self) -> bool {
        self.flags & PRINCIPAL != 0
    }

    pub fn unsure(&self) -> bool {
        self.flags & UNSURE != 0
    }
}

/// What results and traces need about a statement.
#[derive(Clone, Debug)]
pub(crate) struct Cold {
    /// Index of the policy in its layer.
    pub policy: u32,
    /// 0-based index in the document's `Statement` array.
    pub index: u32,
    pub sid: Option<Box<str>>,
    pub line: u32,
    pub column: u32,
    /// Action patterns as written (the arena holds them lowercased).
    pub actions: Box<[Box<str>]>,
    pub principal: Option<CompiledPrincipal>,
}

/// Policy values of every condition of a layer, by family.
#[derive(Clone, Debug, Default)]
struct Values {
    /// String, IgnoreCase (lowercased) and Like values, as patterns into the arena.
    strings: Vec<PatRef>,
    numbers: Vec<Decimal>,
    dates: Vec<i128>,
    bools: Vec<bool>,
    ips: Vec<IpNet>,
}

/// Why a request value could not be read for a family.
pub(crate) enum ValueFault {
    Number,
    Date,
    Bool,
    Ip,
}

impl ValueFault {
    pub fn describe(&self) -> &'static str {
        match self {
            ValueFault::Number => "is not a decimal number",
            ValueFault::Date => "is not an RFC 3339 timestamp with a zone",
            ValueFault::Bool => "is not `true` or `false`",
            ValueFault::Ip => "is not an IPv4 or IPv6 address",
        }
    }
}

fn ordered<T: Ord>(cmp: Comparison, request: &T, policy: &T) -> bool {
    match cmp {
        Comparison::Equals => request == policy,
        Comparison::LessThan => request < policy,
        Comparison::LessThanEquals => request <= policy,
        Comparison::GreaterThan => request > policy,
        Comparison::GreaterThanEquals => request >= policy,
    }
}

/// The condition keys of a policy set, lowercased, each with a number: a request resolves each
/// key once, and conditions then find their key's values by index.
#[derive(Clone, Debug, Default)]
pub(crate) struct KeyTable {
    ids: HashMap<Box<str>, u32>,
    pub keys: Vec<Box<str>>,
}

impl KeyTable {
    fn intern(&mut self, key: &str) -> Result<u32, String> {
        let lower = key.to_ascii_lowercase();
        if let Some(&id) = self.ids.get(lower.as_str()) {
            return Ok(id);
        }
        let id =
            u32::try_from(self.keys.len()).map_err(|_| "too many condition keys".to_string())?;
        self.keys.push(lower.clone().into());
        self.ids.insert(lower.into(), id);
        Ok(id)
    }
}

/// The candidate statements of a request in ascending id order (the three buckets are each
/// ascending and disjoint, so this is a merge): matched statements come out in load order
/// without sorting, and memory is walked forwards. `true` marks a statement found by its exact
/// action, whose action is known to match.
pub(crate) struct Candidates<'a> {
    exact: &'a [u32],
    service: &'a [u32],
    always: &'a [u32],
}

impl Iterator for Candidates<'_> {
    type Item = (u32, bool);

    fn next(&mut self) -> Option<(u32, bool)> {
        let head = |s: &[u32]| s.first().copied().unwrap_or(u32::MAX);
        let (e, s, a) = (head(self.exact), head(self.service), head(self.always));
        let min = e.min(s).min(a);
        if min == u32::MAX {
            return None;
        }
        let (bucket, exact) = if min == e {
            (&mut self.exact, true)
        } else if min == s {
            (&mut self.service, false)
        } else {
            (&mut self.always, false)
        };
        *bucket = bucket.get(1..).unwrap_or_default();
        Some((min, exact))
    }
}

/// Statement ids of one index entry: Deny statements, then Allow statements, each ascending.
/// Split by effect so that a layer can look at its Deny statements first and skip the Allow
/// statements when a Deny certainly matches.
type Buckets = [Vec<u32>; 2];

fn effect_slot(e: Effect) -> usize {
    match e {
        Effect::Deny => 0,
        Effect::Allow => 1,
    }
}

/// The index entries of one request in one layer (looked up once, used for both effects).
pub(crate) struct Entries<'a> {
    exact: Option<&'a Buckets>,
    service: Option<&'a Buckets>,
    always: &'a Buckets,
}

impl<'a> Entries<'a> {
    /// The statements of one effect the request can match: every such statement that matches
    /// is among them.
    pub fn candidates(&self, effect: Effect) -> Candidates<'a> {
        let e = effect_slot(effect);
        fn pick(b: Option<&Buckets>, e: usize) -> &[u32] {
            b.and_then(|b| b.get(e)).map_or(&[][..], Vec::as_slice)
        }
        Candidates {
            exact: pick(self.exact, e),
            service: pick(self.service, e),
            always: pick(Some(self.always), e),
        }
    }
}

/// A document kept for naming and locating its statements.
#[derive(Clone, Debug)]
pub(crate) struct LoadedPolicy {
    pub name: String,
    pub source: SourceFile,
    /// The errors of statements that take part as unknown: statement index and message.
    pub statement_errors: Vec<(usize, String)>,
}

/// One layer's statements and the index that finds the ones a request can match.
///
/// Every statement is in exactly one bucket, so no statement is looked at twice:
/// - `by_action`: statements whose action patterns are all exact (`dbs:startbackupplan`);
/// - `by_service`: statements whose patterns all have a literal service part (`dbs:describe*`);
/// - `always`: `NotAction`, `*`, or a wildcard in the service part (`*:describe*`).
///
/// A pattern with a literal service part `s` only matches actions that start with `s:`, so a
/// request for `dbs:X` needs `by_action["dbs:x"]`, `by_service["dbs"]` and `always`.
#[derive(Clone, Debug, Default)]
pub(crate) struct LayerSet {
    pub policies: Vec<LoadedPolicy>,
    pub hot: Vec<Hot>,
    pub cold: Vec<Cold>,
    /// Action patterns (lowercased), then resource patterns, statement by statement.
    pats: Vec<PatRef>,
    conds: Vec<CondRef>,
    values: Values,
    /// Every pattern and value text of the layer.
    arena: String,
    by_action: FastMap<Box<str>, Buckets>,
    by_service: FastMap<Box<str>, Buckets>,
    always: Buckets,
}

impl LayerSet {
    pub fn is_empty(&self) -> bool {
        self.policies.is_empty()
    }

    pub fn len(&self) -> usize {
        self.hot.len()
    }

    pub fn text(&self, p: PatRef) -> &str {
        self.arena
            .get(p.start as usize..(p.start as usize).saturating_add(p.len as usize))
            .unwrap_or_default()
    }

    fn slice<T>(items: &[T], start: u32, len: u32) -> &[T] {
        items
            .get(start as usize..(start as usize).saturating_add(len as usize))
            .unwrap_or_default()
    }

    pub fn actions(&self, h: &Hot) -> &[PatRef] {
        LayerSet::slice(&self.pats, h.actions, u32::from(h.n_actions))
    }

    pub fn resources(&self, h: &Hot) -> &[PatRef] {
        LayerSet::slice(&self.pats, h.resources, u32::from(h.n_resources))
    }

    pub fn conditions(&self, h: &Hot) -> &[CondRef] {
        LayerSet::slice(&self.conds, h.conditions, u32::from(h.n_conditions))
    }

    pub fn key(&self, c: &CondRef) -> &str {
        self.text(c.key)
    }

    /// The policy values of a condition as written.
    pub fn value_texts(&self, c: &CondRef) -> impl Iterator<Item = &str> {
        LayerSet::slice(&self.pats, c.texts, c.len)
            .iter()
            .map(|p| self.text(*p))
    }

    #[inline]
    fn pat_matches(&self, p: &PatRef, text: &str) -> bool {
        p.shape == Shape::Any
            || (p.may_match(text.as_bytes()) && p.shape.matches(self.text(*p), text))
    }

    pub fn action_matches(&self, h: &Hot, action_lower: &str) -> bool {
        self.actions(h)
            .iter()
            .any(|p| self.pat_matches(p, action_lower))
            != h.not_action()
    }

    /// Whether a known resource matches the statement's `Resource` patterns (before `NotResource`
    /// negation).
    pub fn resource_matches(&self, h: &Hot, resource: &str) -> bool {
        match (h.n_resources, &h.res0) {
            (1, Some(p)) => self.pat_matches(p, resource),
            _ => self
                .resources(h)
                .iter()
                .any(|p| self.pat_matches(p, resource)),
        }
    }

    /// Whether the **positive twin** of the operator holds for one request value, i.e. the value
    /// matches one of the policy values; `Err` when the value cannot be read for the family.
    pub fn positive(&self, c: &CondRef, v: &CtxValue) -> Result<bool, ValueFault> {
        let cmp = c.operator.comparison();
        let vals = &self.values;
        Ok(match c.operator.family() {
            Family::String => LayerSet::slice(&vals.strings, c.values, c.len)
                .iter()
                .any(|p| self.text(*p) == v.raw),
            Family::StringIgnoreCase => {
                let lower = v.lower();
                LayerSet::slice(&vals.strings, c.values, c.len)
                    .iter()
                    .any(|p| self.text(*p) == lower)
            }
            Family::StringLike => LayerSet::slice(&vals.strings, c.values, c.len)
                .iter()
                .any(|p| p.shape.matches(self.text(*p), &v.raw)),
            Family::Numeric => {
                let n = v.number().ok_or(ValueFault::Number)?;
                LayerSet::slice(&vals.numbers, c.values, c.len)
                    .iter()
                    .any(|p| ordered(cmp, n, p))
            }
            Family::Date => {
                let t = v.instant().ok_or(ValueFault::Date)?;
                LayerSet::slice(&vals.dates, c.values, c.len)
                    .iter()
                    .any(|p| ordered(cmp, &t, p))
            }
            Family::Bool => {
                let b = parse_bool(&v.raw).ok_or(ValueFault::Bool)?;
                LayerSet::slice(&vals.bools, c.values, c.len).contains(&b)
            }
            Family::Ip => {
                let ip: IpAddr = v.ip().ok_or(ValueFault::Ip)?;
                LayerSet::slice(&vals.ips, c.values, c.len)
                    .iter()
                    .any(|p| p.contains(ip))
            }
        })
    }

    /// The index entries a request needs; [`Entries::candidates`] then lists the statements.
    pub fn entries(&self, action_lower: &str, service_lower: &str) -> Entries<'_> {
        Entries {
            exact: self.by_action.get(action_lower),
            service: self.by_service.get(service_lower),
            always: &self.always,
        }
    }

    pub fn add(
        &mut self,
        name: String,
        source: SourceFile,
        policy: &Policy,
        statement_errors: Vec<(usize, String)>,
        keys: &mut KeyTable,
    ) -> Result<(), String> {
        let policy_index =
            u32::try_from(self.policies.len()).map_err(|_| "too many policies".to_string())?;
        let mark = self.mark();
        let placeholders: Vec<Statement> = policy
            .unreadable
            .iter()
            .flat_map(|u| unknown_statements(policy.kind, u))
            .collect();
        let mut statement_errors = statement_errors;
        for st in policy.statements.iter().chain(&placeholders) {
            let unsure = statement_errors.iter().any(|(i, _)| *i == st.index);
            match self.compile_statement(policy_index, &source, st, unsure, keys) {
                Ok(None) => {}
                Ok(Some(e)) => statement_errors.push((st.index, e)),
                Err(e) => {
                    self.rollback(mark);
                    return Err(e);
                }
            }
        }
        statement_errors.sort();
        self.policies.push(LoadedPolicy {
            name,
            source,
            statement_errors,
        });
        Ok(())
    }

    fn mark(&self) -> [usize; 10] {
        let v = &self.values;
        [
            self.hot.len(),
            self.cold.len(),
            self.pats.len(),
            self.conds.len(),
            self.arena.len(),
            v.strings.len(),
            v.numbers.len(),
            v.dates.len(),
            v.bools.len(),
            v.ips.len(),
        ]
    }

    /// Undoes a partly compiled document (a guard: the linter makes compile errors unreachable).
    fn rollback(&mut self, m: [usize; 10]) {
        let [hot, cold, pats, conds, arena, strings, numbers, dates, bools, ips] = m;
        self.hot.truncate(hot);
        self.cold.truncate(cold);
        self.pats.truncate(pats);
        self.conds.truncate(conds);
        self.arena.truncate(arena);
        self.values.strings.truncate(strings);
        self.values.numbers.truncate(numbers);
        self.values.dates.truncate(dates);
        self.values.bools.truncate(bools);
        self.values.ips.truncate(ips);
        let first = u32::try_from(hot).unwrap_or(u32::MAX);
        for ids in self
            .by_action
            .values_mut()
            .chain(self.by_service.values_mut())
            .chain(std::iter::once(&mut self.always))
            .flatten()
        {
            ids.retain(|&id| id < first);
        }
    }

    fn push_text(&mut self, text: &str) -> Result<PatRef, String> {
        let start =
            u32::try_from(self.arena.len()).map_err(|_| "policies too large".to_string())?;
        let len = u32::try_from(text.len()).map_err(|_| "policies too large".to_string())?;
        self.arena.push_str(text);
        let shape = Shape::of(text);
        Ok(PatRef {
            start,
            len,
            shape,
            probe: Probe::new(text, shape),
        })
    }

    fn push_pats<'a>(
        &mut self,
        texts: impl Iterator<Item = &'a str>,
    ) -> Result<(u32, u16), String> {
        let start = count(self.pats.len())?;
        let mut n = 0u16;
        for t in texts {
            let p = self.push_text(t)?;
            self.pats.push(p);
            n = n.checked_add(1).ok_or("too many values in one element")?;
        }
        Ok((start, n))
    }

    fn compile_statement(
        &mut self,
        policy: u32,
        source: &SourceFile,
        st: &Statement,
        unsure: bool,
        keys: &mut KeyTable,
    ) -> Result<Option<String>, String> {
        // A condition value the compiler cannot read (a documentation mask such as
        // `42.120.XX.X/24`, which lint reports as a placeholder) makes the statement unknown.
        let mut unsure = unsure;
        let mut fault = None;
        // u32::MAX is the candidate merge's end marker.
        let id = count(self.hot.len())
            .ok()
            .filter(|&id| id < u32::MAX)
            .ok_or("too many statements")?;
        let lowered: Vec<String> = st.action.iter().map(str::to_ascii_lowercase).collect();
        let (actions, n_actions) = self.push_pats(lowered.iter().map(String::as_str))?;
        let (resources, n_resources) = match &st.resource {
            Some(r) => self.push_pats(r.iter())?,
            None => (count(self.pats.len())?, 0),
        };
        let conditions = count(self.conds.len())?;
        let mut n_conditions = 0u16;
        for c in &st.conditions {
            match self.compile_condition(c, keys) {
                Ok(cond) => self.conds.push(cond),
                // A statement that takes part as unknown can lose a condition it cannot read:
                // that only widens where it is unknown, never makes it certain.
                Err(e) => {
                    if !unsure {
                        fault = Some(e);
                    }
                    unsure = true;
                    continue;
                }
            }
            n_conditions = n_conditions.checked_add(1).ok_or("too many conditions")?;
        }
        let mut flags = 0;
        if st.effect.value == Effect::Deny {
            flags |= DENY;
        }
        if st.action.negated {
            flags |= NOT_ACTION;
        }
        match &st.resource {
            Some(r) if r.negated => flags |= NOT_RESOURCE,
            Some(_) => {}
            None => flags |= NO_RESOURCE,
        }
        if st.principal.is_some() {
            flags |= PRINCIPAL;
        }
        if unsure {
            flags |= UNSURE;
        }
        let hot = Hot {
            res0: self
                .pats
                .get(resources as usize)
                .copied()
                .filter(|_| n_resources > 0),
            actions,
            resources,
            conditions,
            n_actions,
            n_resources,
            n_conditions,
            flags,
        };
        self.index(id, &hot, &lowered);
        self.hot.push(hot);
        let lc = source.line_col(st.span.start as usize);
        self.cold.push(Cold {
            policy,
            index: count(st.index)?,
            sid: st.sid.as_ref().map(|s| s.value.as_str().into()),
            line: u32::try_from(lc.line).unwrap_or(u32::MAX),
            column: u32::try_from(lc.column).unwrap_or(u32::MAX),
            actions: st.action.iter().map(Into::into).collect(),
            principal: st.principal.as_ref().map(compile_principal),
        });
        Ok(fault)
    }

    fn index(&mut self, id: u32, h: &Hot, actions: &[String]) {
        let e = effect_slot(h.effect());
        let push = |b: &mut Buckets| {
            if let Some(v) = b.get_mut(e) {
                v.push(id);
            }
        };
        let wild = |s: &str| s.contains(['*', '?']);
        let service_of = |a: &String| -> Option<Box<str>> {
            let (svc, _) = a.split_once(':')?;
            (!wild(svc)).then(|| svc.into())
        };
        if h.not_action() || actions.is_empty() {
            push(&mut self.always);
        } else if actions.iter().all(|a| Shape::of(a) == Shape::Exact) {
            let mut keys: Vec<&String> = actions.iter().collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                push(self.by_action.entry(k.as_str().into()).or_default());
            }
        } else if let Some(mut services) =
            actions.iter().map(service_of).collect::<Option<Vec<_>>>()
        {
            services.sort();
            services.dedup();
            for svc in services {
                push(self.by_service.entry(svc).or_default());
            }
        } else {
            push(&mut self.always);
        }
    }

    fn compile_condition(&mut self, c: &Condition, keys: &mut KeyTable) -> Result<CondRef, String> {
        let raw = || c.values.iter().map(|v| v.value.as_str());
        // The linter already refused documents with malformed values; failing here is a guard.
        let bad = |v: &str| format!("invalid `{}` value `{v}`", c.operator.name());
        let len = u32::try_from(c.values.len()).map_err(|_| "too many values")?;
        let vals = &mut self.values;
        let values = match c.operator.family() {
            Family::String | Family::StringIgnoreCase | Family::StringLike => {
                count(vals.strings.len())?
            }
            Family::Numeric => count(vals.numbers.len())?,
            Family::Date => count(vals.dates.len())?,
            Family::Bool => count(vals.bools.len())?,
            Family::Ip => count(vals.ips.len())?,
        };
        for v in raw() {
            match c.operator.family() {
                Family::String | Family::StringLike => {
                    let p = self.push_text(v)?;
                    self.values.strings.push(p);
                }
                Family::StringIgnoreCase => {
                    let p = self.push_text(&v.to_ascii_lowercase())?;
                    self.values.strings.push(p);
                }
                Family::Numeric => self
                    .values
                    .numbers
                    .push(Decimal::parse(v).ok_or_else(|| bad(v))?),
                Family::Date => self
                    .values
                    .dates
                    .push(parse_instant(v).ok_or_else(|| bad(v))?),
                Family::Bool => self.values.bools.push(parse_bool(v).ok_or_else(|| bad(v))?),
                Family::Ip => self.values.ips.push(IpNet::parse(v).ok_or_else(|| bad(v))?),
            }
        }
        let (texts, _) = self.push_pats(raw())?;
        let key = self.push_text(&c.key)?;
        Ok(CondRef {
            operator: c.operator,
            set: c.set,
            key_id: keys.intern(&c.key)?,
            values,
            texts,
            len,
            key,
        })
    }
}

/// What a statement that could not be lowered may be: an Allow or a Deny, each unknown, of what
/// could be read of its action and resource (any action, any resource where nothing could).
fn unknown_statements(kind: PolicyKind, u: &Unreadable) -> [Statement; 2] {
    let star = || Element {
        negated: false,
        key_span: u.span,
        span: u.span,
        values: vec![Spanned::new("*".to_string(), u.span)],
    };
    let readable = |e: &Option<Element>| e.clone().filter(|e| !e.values.is_empty());
    let one = |effect| Statement {
        index: u.index,
        span: u.span,
        sid: None,
        effect: Spanned::new(effect, u.span),
        action: readable(&u.action).unwrap_or_else(star),
        resource: (kind != PolicyKind::Trust).then(|| readable(&u.resource).unwrap_or_else(star)),
        principal: None,
        condition_span: None,
        conditions: Vec::new(),
        valid: false,
    };
    [one(Effect::Deny), one(Effect::Allow)]
}

fn count(n: usize) -> Result<u32, String> {
    u32::try_from(n).map_err(|_| "policies too large".to_string())
}
