//! Evaluating a request: statements -> layers -> [`combine`] -> [`Response`].
//!
//! One code path serves both [`PolicySet::evaluate`] and [`PolicySet::evaluate_traced`]: the
//! traced run visits every statement (the fast run only the index's candidates, which include
//! every statement whose action can match) and fills a trace as it goes, so the two always agree.

use super::combine::{combine, layer_outcomes, Decision, Layer, LayerState, Outcomes};
use super::compile::{CondRef, Hot, LayerSet, ValueFault};
use super::policy_set::PolicySet;
use super::principal::{is_external, root_account};
use super::request::{CtxValue, Lookup, Request, Resource};
use super::response::{EvalError, MatchedStatement, Response};
use super::trace::{
    ActionTrace, Actual, ConditionTrace, LayerTrace, PolicyTrace, PrincipalTrace, ResourceTrace,
    StatementTrace, Trace,
};
use super::tri::{Tri, Truth};
use crate::policy::pattern::{glob_covers, glob_overlaps, Piece};
use crate::policy::{Effect, SetOp};

/// Per-request state shared by all statements.
struct Cx<'r> {
    req: &'r Request,
    /// The resource split at its unknown parts; `None` for a known resource (the fast path).
    pieces: Option<Vec<Piece<'r>>>,
    /// The policy set's condition keys (lowercased), by key id.
    keys: &'r [Box<str>],
    /// What the request holds for each of them: resolved once per request, when the first
    /// condition is reached, instead of once per condition.
    slots: std::cell::OnceCell<Slots<'r>>,
}

/// Key lookups, inline for the usual handful of keys.
enum Slots<'r> {
    Inline([Lookup<'r>; 8]),
    Heap(Vec<Lookup<'r>>),
}

impl<'r> Cx<'r> {
    fn slot(&self, key_id: u32) -> Lookup<'r> {
        let slots = self.slots.get_or_init(|| {
            if self.keys.len() <= 8 {
                let mut inline = [Lookup::Absent; 8];
                for (slot, k) in inline.iter_mut().zip(self.keys) {
                    *slot = self.req.lookup(k);
                }
                Slots::Inline(inline)
            } else {
                Slots::Heap(self.keys.iter().map(|k| self.req.lookup(k)).collect())
            }
        });
        let all: &[Lookup<'r>] = match slots {
            Slots::Inline(a) => a,
            Slots::Heap(v) => v,
        };
        all.get(key_id as usize).copied().unwrap_or(Lookup::Absent)
    }
}

/// A request value a condition could not read, before deduplication.
struct Fault {
    policy: u32,
    statement: u32,
    key: String,
    value: String,
    message: String,
}

/// Statement ids, ascending; the first few inline, since most requests match few statements
/// (an allocation costs as much as evaluating a statement).
#[derive(Default)]
struct Hits {
    inline: [u32; 8],
    len: usize,
    spill: Vec<u32>,
}

impl Hits {
    fn push(&mut self, id: u32) {
        match self.inline.get_mut(self.len) {
            Some(slot) => *slot = id,
            None => self.spill.push(id),
        }
        self.len += 1;
    }

    fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.inline
            .iter()
            .take(self.len)
            .chain(&self.spill)
            .copied()
    }
}

/// The result of one layer.
struct LayerEval {
    layer: Layer,
    deny: Truth,
    allow: Truth,
    /// Statement ids (in the layer) that definitely match, ascending.
    deny_hits: Hits,
    allow_hits: Hits,
    faults: Vec<Fault>,
    trace: Option<LayerTrace>,
}

impl LayerEval {
    fn empty(layer: Layer) -> LayerEval {
        LayerEval {
            layer,
            deny: Truth::FALSE,
            allow: Truth::FALSE,
            deny_hits: Hits::default(),
            allow_hits: Hits::default(),
            faults: Vec::new(),
            trace: None,
        }
    }

    fn state(&self) -> LayerState {
        LayerState {
            deny: self.deny.value,
            allow: self.allow.value,
        }
    }

    /// What the layer's own uncertainty depends on: an unknown Deny always matters; an unknown
    /// Allow matters unless a Deny certainly matches.
    fn deps(&self) -> u64 {
        let mut d = 0;
        if self.deny.value == Tri::Unknown {
            d |= self.deny.deps;
        }
        if self.allow.value == Tri::Unknown && self.deny.value != Tri::True {
            d |= self.allow.deps;
        }
        d
    }
}

pub(crate) fn run(set: &PolicySet, req: &Request, traced: bool) -> (Response, Option<Trace>) {
    let cx = Cx {
        req,
        pieces: match req.resource() {
            Resource::Known(_) => None,
            partial @ Resource::Partial(_) => Some(partial.pieces()),
        },
        keys: &set.keys.keys,
        slots: std::cell::OnceCell::new(),
    };
    // A layer is reached when every gate before it can allow. The fast path evaluates only
    // reached layers; the traced path evaluates all of them, for the explanation.
    let passes = |l: &Option<LayerEval>| {
        l.as_ref().map_or(true, |l| {
            layer_outcomes(l.state()).contains(Decision::Allow)
        })
    };
    // A service or federated caller assuming a role has no identity policies, and no control
    // or session policy binds it: the trust policy alone decides (SEMANTICS.md section 4).
    let assume_role = req.action_lower.as_ref() == "sts:assumerole";
    let trust_alone =
        assume_role && set.trust.is_some() && req.principal().is_some_and(is_external);
    // Control policies bound an account's RAM identities, not the account itself (its root
    // identity): SEMANTICS.md section 4.
    let control_applies = !set.control.is_empty()
        && !trust_alone
        && !req.principal().is_some_and(|p| root_account(p).is_some());
    let control =
        control_applies.then(|| eval_layer(Layer::ControlPolicy, &set.control, &cx, traced));
    let session_reached = passes(&control);
    let session = set
        .session
        .as_ref()
        .filter(|_| !trust_alone && (traced || session_reached))
        .map(|s| eval_layer(Layer::SessionPolicy, s, &cx, traced));
    let final_reached = session_reached && passes(&session);
    let identity = if trust_alone {
        None
    } else if traced || final_reached {
        Some(eval_layer(
            Layer::AccountLevelIdentityBasedPolicy,
            &set.identity,
            &cx,
            traced,
        ))
    } else {
        Some(LayerEval::empty(Layer::AccountLevelIdentityBasedPolicy))
    };
    let resource = set
        .resource
        .as_ref()
        .filter(|_| !trust_alone && (traced || final_reached))
        .map(|r| eval_layer(Layer::ResourceBasedPolicy, r, &cx, traced));
    let trust = if assume_role && (traced || final_reached) {
        set.trust
            .as_ref()
            .map(|t| eval_layer(Layer::ResourceBasedPolicy, t, &cx, traced))
    } else {
        None
    };
    // Unevaluated layers come after a gate that certainly denies, where `combine` stops.
    let outcomes = combine(
        control.as_ref().map(LayerEval::state),
        session.as_ref().map(LayerEval::state),
        identity.as_ref().map(LayerEval::state),
        resource.as_ref().map(LayerEval::state),
        trust.as_ref().map(LayerEval::state),
    );
    // At most five layers, in flow order: a fixed array, not a heap vector.
    let layers: [Option<(&LayerEval, &LayerSet, bool)>; 5] = [
        control.as_ref().map(|c| (c, &set.control, true)),
        session
            .as_ref()
            .zip(set.session.as_ref())
            .map(|(s, ss)| (s, ss, session_reached)),
        identity.as_ref().map(|i| (i, &set.identity, final_reached)),
        resource
            .as_ref()
            .zip(set.resource.as_ref())
            .map(|(r, rs)| (r, rs, final_reached)),
        trust
            .as_ref()
            .zip(set.trust.as_ref())
            .map(|(t, ts)| (t, ts, final_reached)),
    ];

    let mut response = respond(req, outcomes, &layers);
    // Control policies that allow nothing decide: FullAliyunAccess is normally attached too.
    if response.decision == Decision::ImplicitDeny
        && response.layer == Some(Layer::ControlPolicy)
        && set.control.hot.iter().all(|h| h.effect() == Effect::Deny)
    {
        response.notes.push(CONTROL_NOTE.to_string());
    }
    let trace = traced.then(|| Trace {
        action: req.action().to_string(),
        resource: req.resource().to_string(),
        principal: req.principal().map(str::to_string),
        control_not_applied: !set.control.is_empty() && !control_applies && !trust_alone,
        trust_alone,
        layers: layers
            .iter()
            .flatten()
            .filter_map(|(l, _, reached)| {
                l.trace.clone().map(|mut t| {
                    t.reached = *reached;
                    t
                })
            })
            .collect(),
    });
    (response, trace)
}

/// The note of a decision by control policies that allow nothing (SEMANTICS.md section 4).
pub(crate) const CONTROL_NOTE: &str = "the control policies given allow nothing: Resource Directory also attaches the system control policy `FullAliyunAccess` (Allow `*` on `*`) to every node unless it was detached; if it is attached, pass it with --control-policy too";

fn respond<'a>(
    req: &Request,
    outcomes: Outcomes,
    layers: &[Option<(&'a LayerEval, &'a LayerSet, bool)>],
) -> Response {
    let decision = outcomes.decision();
    let possible: Vec<Decision> = outcomes.decisions().iter().collect();
    let layer = match decision {
        Decision::Indeterminate => None,
        d => {
            let mut ls = outcomes.layers(d);
            match (ls.next(), ls.next()) {
                (Some(l), None) => Some(l),
                _ => None,
            }
        }
    };
    let depends_on = if decision == Decision::Indeterminate {
        let deps = layers
            .iter()
            .flatten()
            .filter(|(_, _, reached)| *reached)
            .fold(0, |acc, (l, _, _)| acc | l.deps());
        req.dep_names(deps)
    } else {
        Vec::new()
    };

    let matched_of = |set: &'a LayerSet, hits: &'a Hits, layer: Layer| {
        hits.iter()
            .filter_map(move |id| matched_statement(set, id, layer))
    };
    let mut matched = Vec::new();
    match decision {
        Decision::ExplicitDeny => {
            for (l, set, _) in layers.iter().flatten() {
                if outcomes.contains(Decision::ExplicitDeny, l.layer) {
                    matched.extend(matched_of(set, &l.deny_hits, l.layer));
                }
            }
        }
        Decision::Allow => {
            // Only the grant (identity, then resource-based and trust policies): the session and
            // control policies it passed bound it, they do not decide it.
            let order = [
                Layer::AccountLevelIdentityBasedPolicy,
                Layer::ResourceBasedPolicy,
            ];
            for want in order {
                for (l, set, _) in layers.iter().flatten().filter(|(l, _, _)| l.layer == want) {
                    matched.extend(matched_of(set, &l.allow_hits, l.layer));
                }
            }
        }
        Decision::ImplicitDeny | Decision::Indeterminate => {}
    }

    let mut faults: Vec<(usize, &LayerSet, &Fault)> = layers
        .iter()
        .flatten()
        .enumerate()
        .filter(|(_, (_, _, reached))| *reached)
        .flat_map(|(i, (l, set, _))| l.faults.iter().map(move |f| (i, *set, f)))
        .collect();
    faults.sort_by(|a, b| {
        (a.0, a.2.policy, a.2.statement, &a.2.key, &a.2.value).cmp(&(
            b.0,
            b.2.policy,
            b.2.statement,
            &b.2.key,
            &b.2.value,
        ))
    });
    let mut errors: Vec<EvalError> = Vec::new();
    for (_, set, f) in faults {
        let dup = errors.iter().any(|e| {
            e.key.eq_ignore_ascii_case(&f.key) && e.value == f.value && e.message == f.message
        });
        if !dup {
            errors.push(EvalError {
                message: f.message.clone(),
                key: f.key.clone(),
                value: f.value.clone(),
                file: set
                    .policies
                    .get(f.policy as usize)
                    .map(|p| p.name.clone())
                    .unwrap_or_default(),
                statement: f.statement as usize,
            });
        }
    }

    // Statements that took part as unknown, with their errors (SEMANTICS.md section 5).
    for (set, _) in layers
        .iter()
        .flatten()
        .filter(|(_, _, reached)| *reached)
        .map(|(l, set, _)| (*set, l))
    {
        for p in &set.policies {
            for (statement, message) in &p.statement_errors {
                errors.push(EvalError {
                    message: format!(
                        "statement could not be read and takes part as unknown: {message}"
                    ),
                    key: String::new(),
                    value: String::new(),
                    file: p.name.clone(),
                    statement: *statement,
                });
            }
        }
    }
    let forbidden = match decision {
        Decision::Allow => Some(false),
        Decision::ExplicitDeny | Decision::ImplicitDeny => Some(true),
        Decision::Indeterminate => None,
    };
    Response {
        decision,
        layer,
        possible,
        depends_on,
        matched,
        errors,
        warnings: Vec::new(),
        notes: Vec::new(),
        forbidden,
    }
}

fn matched_statement(set: &LayerSet, id: u32, layer: Layer) -> Option<MatchedStatement> {
    let hot = set.hot.get(id as usize)?;
    let cold = set.cold.get(id as usize)?;
    Some(MatchedStatement {
        file: set
            .policies
            .get(cold.policy as usize)
            .map(|p| p.name.clone())
            .unwrap_or_default(),
        statement: cold.index as usize,
        sid: cold.sid.as_deref().map(str::to_string),
        effect: hot.effect(),
        line: cold.line as usize,
        column: cold.column as usize,
        layer,
    })
}

fn eval_layer(layer: Layer, set: &LayerSet, cx: &Cx<'_>, traced: bool) -> LayerEval {
    let mut out = LayerEval::empty(layer);
    // Faults met in Allow statements count only when no Deny certainly matches: the fast path
    // does not look at Allow statements at all then, and the traced path must agree with it.
    let mut allow_faults = Vec::new();
    if traced {
        let mut policies: Vec<PolicyTrace> = set
            .policies
            .iter()
            .map(|p| PolicyTrace {
                file: p.name.clone(),
                statements: Vec::new(),
            })
            .collect();
        for (id, cold) in (0u32..).zip(&set.cold) {
            let Some(mut trace) = skeleton(set, id) else {
                continue;
            };
            visit(
                set,
                cx,
                &mut out,
                &mut allow_faults,
                id,
                false,
                Some(&mut trace),
            );
            if let Some(p) = policies.get_mut(cold.policy as usize) {
                p.statements.push(trace);
            }
        }
        let state = out.state();
        out.trace = Some(LayerTrace {
            layer,
            reached: true,
            deny: state.deny,
            allow: state.allow,
            possible: layer_outcomes(state).iter().collect(),
            policies,
        });
    } else {
        // Deny statements first: when one certainly matches, no Allow statement can change the
        // layer's outcome, and none is looked at.
        let entries = set.entries(&cx.req.action_lower, cx.req.service_lower());
        for (id, action_known) in entries.candidates(Effect::Deny) {
            visit(set, cx, &mut out, &mut allow_faults, id, action_known, None);
        }
        if out.deny.value != Tri::True {
            for (id, action_known) in entries.candidates(Effect::Allow) {
                visit(set, cx, &mut out, &mut allow_faults, id, action_known, None);
            }
        }
    }
    if out.deny.value != Tri::True {
        out.faults.append(&mut allow_faults);
    }
    out
}

/// Evaluates one statement into its layer's result. Inlined into both callers, so that the
/// fast path's constant `None` trace removes the tracing code from its loop.
#[inline(always)]
fn visit(
    set: &LayerSet,
    cx: &Cx<'_>,
    out: &mut LayerEval,
    allow_faults: &mut Vec<Fault>,
    id: u32,
    action_known: bool,
    trace: Option<&mut StatementTrace>,
) {
    let Some(hot) = set.hot.get(id as usize) else {
        return;
    };
    let (acc, hits, faults) = match hot.effect() {
        Effect::Deny => (&mut out.deny, &mut out.deny_hits, &mut out.faults),
        Effect::Allow => (&mut out.allow, &mut out.allow_hits, allow_faults),
    };
    let t = eval_statement(set, id, hot, cx, action_known, faults, trace);
    *acc = acc.or(t);
    if t.value == Tri::True {
        hits.push(id);
    }
}

fn skeleton(set: &LayerSet, id: u32) -> Option<StatementTrace> {
    let hot = set.hot.get(id as usize)?;
    let cold = set.cold.get(id as usize)?;
    Some(StatementTrace {
        statement: cold.index as usize,
        sid: cold.sid.as_deref().map(str::to_string),
        effect: hot.effect(),
        line: cold.line as usize,
        column: cold.column as usize,
        action: ActionTrace {
            matched: false,
            negated: hot.not_action(),
            patterns: cold.actions.iter().map(|a| a.to_string()).collect(),
        },
        resource: None,
        principal: None,
        conditions: None,
        result: Tri::False,
    })
}

#[inline(always)]
fn eval_statement(
    set: &LayerSet,
    id: u32,
    hot: &Hot,
    cx: &Cx<'_>,
    action_known: bool,
    faults: &mut Vec<Fault>,
    mut trace: Option<&mut StatementTrace>,
) -> Truth {
    let req = cx.req;
    if !action_known && !set.action_matches(hot, &req.action_lower) {
        return Truth::FALSE;
    }
    let mut t = Truth::TRUE;
    if hot.has_resource() {
        let r = resource_matches(set, hot, cx);
        if let Some(tr) = trace.as_deref_mut() {
            tr.resource = Some(ResourceTrace {
                matched: r.value,
                negated: hot.not_resource(),
                patterns: set
                    .resources(hot)
                    .iter()
                    .map(|p| set.text(*p).to_string())
                    .collect(),
            });
        }
        t = t.and(r);
    }
    let principal = hot
        .has_principal()
        .then(|| set.cold.get(id as usize).and_then(|c| c.principal.as_ref()))
        .flatten();
    if let Some(p) = principal {
        let r = match req.principal() {
            Some(name) => Truth::known(p.matches(name)),
            None if p.any => Truth::TRUE,
            None => Truth::unknown(req.principal_bit),
        };
        if let Some(tr) = trace.as_deref_mut() {
            tr.principal = Some(PrincipalTrace {
                matched: r.value,
                principals: p.texts.clone(),
            });
        }
        t = t.and(r);
    }
    if let Some(tr) = trace.as_deref_mut() {
        tr.action.matched = true;
    }
    if t.value == Tri::False {
        return Truth::FALSE;
    }
    // Every condition is evaluated (no short cut on false), so the errors reported do not depend
    // on the order conditions are written in.
    let conds = set.conditions(hot);
    let mut ctraces = trace.as_ref().map(|_| Vec::with_capacity(conds.len()));
    for c in conds {
        let lookup = cx.slot(c.key_id);
        let r = eval_condition(set, c, lookup, &mut |v, fault| {
            let key = set.key(c);
            let statement = set.cold.get(id as usize);
            faults.push(Fault {
                policy: statement.map_or(0, |s| s.policy),
                statement: statement.map_or(0, |s| s.index),
                key: key.to_string(),
                value: v.raw.clone(),
                message: format!(
                    "condition `{}` on `{key}`: request value `{}` {}",
                    crate::policy::qualified_name(c.set, c.operator),
                    v.raw,
                    fault.describe()
                ),
            });
        });
        if let Some(ct) = ctraces.as_mut() {
            ct.push(condition_trace(set, c, lookup, r.value));
        }
        t = t.and(r);
    }
    if hot.unsure() && t.value == Tri::True {
        // A statement with an error of its own may or may not match (rev 2).
        t = Truth::unknown(0);
    }
    if let Some(tr) = trace {
        tr.conditions = ctraces;
        tr.result = t.value;
    }
    t
}

fn resource_matches(set: &LayerSet, hot: &Hot, cx: &Cx<'_>) -> Truth {
    let t = match (&cx.pieces, cx.req.resource()) {
        (None, Resource::Known(s)) => {
            let pats = set.resources(hot);
            if pats.iter().any(|p| has_unknown_part(set.text(*p))) {
                pats.iter().fold(Truth::FALSE, |acc, p| {
                    acc.or(unknown_part_match(set.text(*p), s))
                })
            } else {
                Truth::known(set.resource_matches(hot, s))
            }
        }
        (Some(pieces), _) => set.resources(hot).iter().fold(Truth::FALSE, |acc, p| {
            let text = set.text(*p);
            let one = if glob_covers(text, pieces) {
                Truth::TRUE
            } else if glob_overlaps(text, pieces) {
                Truth::unknown(cx.req.resource_deps)
            } else {
                Truth::FALSE
            };
            acc.or(one)
        }),
        // `pieces` is built for every partial resource; a partial resource without pieces
        // cannot occur, and unknown is the sound answer if it did.
        (None, Resource::Partial(_)) => Truth::unknown(cx.req.resource_deps),
    };
    if hot.not_resource() {
        t.negate()
    } else {
        t
    }
}

/// A pattern with a part its host left unknown (`${var.account_id}` in a Terraform heredoc,
/// `!Ref Bucket` in a ROS template): see `crate::document`.
fn has_unknown_part(pattern: &str) -> bool {
    memchr::memmem::find(pattern.as_bytes(), b"${").is_some()
}

/// A pattern with unknown parts matches when no choice of them could match, and is unknown
/// when some could (each part taken as `*`).
fn unknown_part_match(pattern: &str, resource: &str) -> Truth {
    if !has_unknown_part(pattern) {
        return Truth::known(crate::policy::pattern::glob_match(pattern, resource));
    }
    let mut blank = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(i) = rest.find("${") {
        blank.push_str(&rest[..i]);
        blank.push('*');
        rest = rest[i..].find('}').map_or("", |j| &rest[i + j + 1..]);
    }
    blank.push_str(rest);
    if crate::policy::pattern::glob_match(&blank, resource) {
        Truth::unknown(0)
    } else {
        Truth::FALSE
    }
}

/// One operator on one key: OR over the policy values; for a multi-valued request key, the
/// positive operator holds if any request value matches and the negated one if none does.
fn eval_condition(
    set: &LayerSet,
    c: &CondRef,
    lookup: Lookup<'_>,
    on_fault: &mut dyn FnMut(&CtxValue, ValueFault),
) -> Truth {
    let negated = c.operator.is_negated();
    if let Some(op) = c.set {
        return eval_set_condition(set, c, op, lookup, on_fault);
    }
    match lookup {
        Lookup::Absent => Truth::known(negated),
        Lookup::Unknown(bit) => Truth::unknown(bit),
        Lookup::Values(values) => {
            let mut positive = Truth::FALSE;
            for v in values {
                let one = match set.positive(c, v) {
                    Ok(b) => Truth::known(b),
                    Err(fault) => {
                        on_fault(v, fault);
                        // Cannot be computed: unknown, and reported; never silently decided.
                        Truth::unknown(0)
                    }
                };
                positive = positive.or(one);
            }
            if negated {
                positive.negate()
            } else {
                positive
            }
        }
    }
}

/// `ForAnyValue:<op>`: some request value satisfies `<op>` (false when the key is absent or
/// empty); `ForAllValues:<op>`: every one does (true when absent or empty). SEMANTICS.md
/// section 3, rev 2.
fn eval_set_condition(
    set: &LayerSet,
    c: &CondRef,
    op: SetOp,
    lookup: Lookup<'_>,
    on_fault: &mut dyn FnMut(&CtxValue, ValueFault),
) -> Truth {
    let all = op == SetOp::ForAllValues;
    match lookup {
        Lookup::Absent => Truth::known(all),
        Lookup::Unknown(bit) => Truth::unknown(bit),
        Lookup::Values(values) => {
            let mut acc = Truth::known(all);
            for v in values {
                let mut one = match set.positive(c, v) {
                    Ok(b) => Truth::known(b),
                    Err(fault) => {
                        on_fault(v, fault);
                        Truth::unknown(0)
                    }
                };
                if c.operator.is_negated() {
                    one = one.negate();
                }
                acc = if all { acc.and(one) } else { acc.or(one) };
            }
            acc
        }
    }
}

fn condition_trace(set: &LayerSet, c: &CondRef, lookup: Lookup<'_>, result: Tri) -> ConditionTrace {
    ConditionTrace {
        operator: crate::policy::qualified_name(c.set, c.operator),
        key: set.key(c).to_string(),
        expected: set.value_texts(c).map(str::to_string).collect(),
        actual: match lookup {
            Lookup::Absent => Actual::Absent,
            Lookup::Unknown(_) => Actual::Unknown,
            Lookup::Values(vs) => Actual::Values(vs.iter().map(|v| v.raw.clone()).collect()),
        },
        result,
    }
}
