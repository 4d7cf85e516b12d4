//! Compiling lowered policies once: patterns pre-parsed, values pre-parsed by family, keys
//! lowercased, statements indexed by the actions they can match.

use std::collections::HashMap;
use std::net::IpAddr;

use crate::policy::pattern::Pattern;
use crate::policy::values::{parse_bool, parse_instant, Decimal, IpNet};
use crate::policy::{
    Comparison, Condition, Effect, Element, Family, Operator, Policy, PrincipalKind, Statement,
};
use crate::source::SourceFile;

/// A wildcard pattern and the text it was written as (shown in traces, and the input of the
/// partial-resource matcher).
#[derive(Clone, Debug)]
pub(crate) struct Pat {
    pub pattern: Pattern,
    pub text: Box<str>,
}

impl Pat {
    fn new(text: &str) -> Pat {
        Pat {
            pattern: Pattern::new(text),
            text: text.into(),
        }
    }
}

/// Policy values of one condition, parsed for the operator's family.
#[derive(Clone, Debug)]
pub(crate) enum CondValues {
    String(Box<[Box<str>]>),
    /// Lowercased.
    IgnoreCase(Box<[Box<str>]>),
    Like(Box<[Pattern]>),
    Numeric(Box<[Decimal]>),
    Date(Box<[i128]>),
    Bool(Box<[bool]>),
    Ip(Box<[IpNet]>),
}

#[derive(Clone, Debug)]
pub(crate) struct CompiledCondition {
    pub operator: Operator,
    /// As written (for traces).
    pub key: Box<str>,
    /// Index of the lowercased key in the policy set's [`KeyTable`].
    pub key_id: u32,
    /// As written (for traces).
    pub texts: Box<[Box<str>]>,
    pub values: CondValues,
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

impl CompiledCondition {
    /// Whether the **positive twin** of the operator holds for one request value, i.e. the value
    /// matches one of the policy values; `Err` when the value cannot be read for the family.
    pub fn positive(&self, v: &super::request::CtxValue) -> Result<bool, ValueFault> {
        let cmp = self.operator.comparison();
        Ok(match &self.values {
            CondValues::String(ps) => ps.iter().any(|p| **p == *v.raw),
            CondValues::IgnoreCase(ps) => {
                let lower = v.lower();
                ps.iter().any(|p| **p == *lower)
            }
            CondValues::Like(ps) => ps.iter().any(|p| p.matches(&v.raw)),
            CondValues::Numeric(ps) => {
                let n = v.number().ok_or(ValueFault::Number)?;
                ps.iter().any(|p| ordered(cmp, n, p))
            }
            CondValues::Date(ps) => {
                let t = v.instant().ok_or(ValueFault::Date)?;
                ps.iter().any(|p| ordered(cmp, &t, p))
            }
            CondValues::Bool(ps) => {
                let b = parse_bool(&v.raw).ok_or(ValueFault::Bool)?;
                ps.contains(&b)
            }
            CondValues::Ip(ps) => {
                let ip: IpAddr = v.ip().ok_or(ValueFault::Ip)?;
                ps.iter().any(|p| p.contains(ip))
            }
        })
    }
}

/// How a request principal is compared with one `RAM` principal value.
#[derive(Clone, Debug)]
pub(crate) enum RamPrincipal {
    /// `acs:ram::<account>:root`: every principal of the account (the account may hold wildcards).
    Root(Pattern),
    /// Any other ARN, matched as a wildcard pattern.
    Arn(Pattern),
}

#[derive(Clone, Debug, Default)]
pub(crate) struct CompiledPrincipal {
    /// `"Principal": "*"`.
    pub any: bool,
    pub ram: Vec<RamPrincipal>,
    /// Lowercased: service names are DNS names.
    pub service: Vec<Pattern>,
    pub federated: Vec<Pattern>,
    /// As written, for traces: `RAM: acs:ram::1:root` etc.
    pub texts: Vec<String>,
}

/// The kind of principal a request names, read from its form.
pub(crate) enum PrincipalClass<'a> {
    /// `acs:ram::<account>:<relative-id>` (user, role, assumed-role, root).
    Ram { account: &'a str },
    /// `acs:ram::<account>:saml-provider/...` or `oidc-provider/...`.
    Federated,
    /// Anything without the `acs:` prefix: `ecs.aliyuncs.com`.
    Service,
    /// Another `acs:` ARN: only an exact RAM pattern can match it.
    Other,
}

pub(crate) fn classify_principal(p: &str) -> PrincipalClass<'_> {
    let Some(rest) = p.strip_prefix("acs:") else {
        return PrincipalClass::Service;
    };
    let mut fields = rest.splitn(4, ':');
    let (svc, _region, account, relative) =
        (fields.next(), fields.next(), fields.next(), fields.next());
    match (svc, account, relative) {
        (Some("ram"), Some(_), Some(rel))
            if rel.starts_with("saml-provider/") || rel.starts_with("oidc-provider/") =>
        {
            PrincipalClass::Federated
        }
        (Some("ram"), Some(account), Some(_)) => PrincipalClass::Ram { account },
        _ => PrincipalClass::Other,
    }
}

impl CompiledPrincipal {
    pub fn matches(&self, principal: &str) -> bool {
        if self.any {
            return true;
        }
        match classify_principal(principal) {
            PrincipalClass::Ram { account } => self.ram.iter().any(|r| match r {
                RamPrincipal::Root(acct) => acct.matches(account),
                RamPrincipal::Arn(p) => p.matches(principal),
            }),
            PrincipalClass::Other => self.ram.iter().any(|r| match r {
                RamPrincipal::Arn(p) => p.matches(principal),
                RamPrincipal::Root(_) => false,
            }),
            PrincipalClass::Federated => self.federated.iter().any(|p| p.matches(principal)),
            PrincipalClass::Service => {
                let lower = principal.to_lowercase();
                self.service.iter().any(|p| p.matches(&lower))
            }
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct CompiledStatement {
    /// Index of the policy in its layer.
    pub policy: u32,
    /// 0-based index in the document's `Statement` array.
    pub index: u32,
    pub effect: Effect,
    pub sid: Option<Box<str>>,
    pub line: u32,
    pub column: u32,
    /// Lowercased patterns; `text` keeps the spelling.
    pub actions: Box<[Pat]>,
    pub not_action: bool,
    /// `None` in trust policies, whose resource is the role itself.
    pub resources: Option<Box<[Pat]>>,
    pub not_resource: bool,
    pub principal: Option<CompiledPrincipal>,
    pub conditions: Box<[CompiledCondition]>,
}

impl CompiledStatement {
    pub fn action_matches(&self, action_lower: &str) -> bool {
        self.actions.iter().any(|p| p.pattern.matches(action_lower)) != self.not_action
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
        let lower = key.to_lowercase();
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

/// A document kept for naming and locating its statements.
#[derive(Clone, Debug)]
pub(crate) struct LoadedPolicy {
    pub name: String,
    pub source: SourceFile,
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
    pub statements: Vec<CompiledStatement>,
    pub by_action: HashMap<Box<str>, Vec<u32>>,
    pub by_service: HashMap<Box<str>, Vec<u32>>,
    pub always: Vec<u32>,
}

impl LayerSet {
    pub fn is_empty(&self) -> bool {
        self.policies.is_empty()
    }

    /// The statements a request can match: every statement that matches is among them.
    pub fn candidates(&self, action_lower: &str, service_lower: &str) -> Candidates<'_> {
        Candidates {
            exact: self
                .by_action
                .get(action_lower)
                .map_or(&[][..], Vec::as_slice),
            service: self
                .by_service
                .get(service_lower)
                .map_or(&[][..], Vec::as_slice),
            always: &self.always,
        }
    }

    pub fn add(
        &mut self,
        name: String,
        source: SourceFile,
        policy: &Policy,
        keys: &mut KeyTable,
    ) -> Result<(), String> {
        let policy_index =
            u32::try_from(self.policies.len()).map_err(|_| "too many policies".to_string())?;
        let mut compiled = Vec::with_capacity(policy.statements.len());
        for st in &policy.statements {
            compiled.push(compile_statement(policy_index, &source, st, keys)?);
        }
        for st in compiled {
            // u32::MAX is the merge's end marker.
            let id = u32::try_from(self.statements.len())
                .ok()
                .filter(|&id| id < u32::MAX)
                .ok_or_else(|| "too many statements".to_string())?;
            self.index(id, &st);
            self.statements.push(st);
        }
        self.policies.push(LoadedPolicy { name, source });
        Ok(())
    }

    fn index(&mut self, id: u32, st: &CompiledStatement) {
        let wild = |s: &str| s.contains(['*', '?']);
        let service_of = |p: &Pat| -> Option<Box<str>> {
            let (svc, _) = p.text.split_once(':')?;
            (!wild(svc)).then(|| svc.to_lowercase().into_boxed_str())
        };
        if st.not_action || st.actions.is_empty() {
            self.always.push(id);
        } else if st
            .actions
            .iter()
            .all(|p| matches!(p.pattern, Pattern::Exact(_)))
        {
            let mut keys: Vec<Box<str>> = st
                .actions
                .iter()
                .map(|p| p.text.to_lowercase().into_boxed_str())
                .collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                self.by_action.entry(k).or_default().push(id);
            }
        } else if let Some(mut services) = st
            .actions
            .iter()
            .map(service_of)
            .collect::<Option<Vec<_>>>()
        {
            services.sort();
            services.dedup();
            for s in services {
                self.by_service.entry(s).or_default().push(id);
            }
        } else {
            self.always.push(id);
        }
    }
}

fn compile_statement(
    policy: u32,
    source: &SourceFile,
    st: &Statement,
    keys: &mut KeyTable,
) -> Result<CompiledStatement, String> {
    let lc = source.line_col(st.span.start as usize);
    let index = u32::try_from(st.index).map_err(|_| "too many statements".to_string())?;
    let actions = st
        .action
        .iter()
        .map(|a| Pat {
            pattern: Pattern::new(&a.to_lowercase()),
            text: a.into(),
        })
        .collect();
    let resources = st
        .resource
        .as_ref()
        .map(|r| r.iter().map(Pat::new).collect());
    let conditions = st
        .conditions
        .iter()
        .map(|c| compile_condition(c, keys))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(CompiledStatement {
        policy,
        index,
        effect: st.effect.value,
        sid: st.sid.as_ref().map(|s| s.value.as_str().into()),
        line: u32::try_from(lc.line).unwrap_or(u32::MAX),
        column: u32::try_from(lc.column).unwrap_or(u32::MAX),
        actions,
        not_action: st.action.negated,
        resources,
        not_resource: st.resource.as_ref().is_some_and(|r| r.negated),
        principal: st.principal.as_ref().map(|p| {
            let mut c = CompiledPrincipal {
                any: p.any.is_some(),
                ..CompiledPrincipal::default()
            };
            for (kind, el) in &p.entries {
                compile_principal_values(&mut c, *kind, el);
            }
            if c.any {
                c.texts.push("*".to_string());
            }
            c
        }),
        conditions: conditions.into(),
    })
}

fn compile_principal_values(c: &mut CompiledPrincipal, kind: PrincipalKind, el: &Element) {
    for v in el.iter() {
        c.texts.push(format!("{}: {v}", kind.as_str()));
        match kind {
            PrincipalKind::Ram => {
                let root = v
                    .strip_prefix("acs:ram::")
                    .and_then(|rest| rest.strip_suffix(":root"))
                    .filter(|acct| !acct.contains(':'));
                c.ram.push(match root {
                    Some(acct) => RamPrincipal::Root(Pattern::new(acct)),
                    None => RamPrincipal::Arn(Pattern::new(v)),
                });
            }
            PrincipalKind::Service => c.service.push(Pattern::new(&v.to_lowercase())),
            PrincipalKind::Federated => c.federated.push(Pattern::new(v)),
        }
    }
}

fn compile_condition(c: &Condition, keys: &mut KeyTable) -> Result<CompiledCondition, String> {
    let raw = || c.values.iter().map(|v| v.value.as_str());
    // The linter already refused documents with malformed values; failing here is a guard.
    let bad = |v: &str| format!("invalid `{}` value `{v}`", c.operator.name());
    fn all<T>(it: impl Iterator<Item = Result<T, String>>) -> Result<Box<[T]>, String> {
        it.collect::<Result<Vec<T>, String>>()
            .map(Vec::into_boxed_slice)
    }
    let values = match c.operator.family() {
        Family::String => CondValues::String(raw().map(Into::into).collect()),
        Family::StringIgnoreCase => {
            CondValues::IgnoreCase(raw().map(|v| v.to_lowercase().into()).collect())
        }
        Family::StringLike => CondValues::Like(raw().map(Pattern::new).collect()),
        Family::Numeric => {
            CondValues::Numeric(all(raw().map(|v| Decimal::parse(v).ok_or_else(|| bad(v))))?)
        }
        Family::Date => {
            CondValues::Date(all(raw().map(|v| parse_instant(v).ok_or_else(|| bad(v))))?)
        }
        Family::Bool => CondValues::Bool(all(raw().map(|v| parse_bool(v).ok_or_else(|| bad(v))))?),
        Family::Ip => CondValues::Ip(all(raw().map(|v| IpNet::parse(v).ok_or_else(|| bad(v))))?),
    };
    Ok(CompiledCondition {
        operator: c.operator,
        key: c.key.as_str().into(),
        key_id: keys.intern(&c.key)?,
        texts: raw().map(Into::into).collect(),
        values,
    })
}
