//! Combining layer results into the set of possible decisions: one small total function.

use serde::Serialize;

use super::tri::Tri;

/// A decision. `Indeterminate` is never a possible outcome itself: it is the decision when more
/// than one outcome is possible.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Decision {
    Allow,
    ExplicitDeny,
    ImplicitDeny,
    Indeterminate,
}

impl Decision {
    /// The three outcomes, in the fixed order `possible` lists them.
    pub const OUTCOMES: [Decision; 3] = [
        Decision::Allow,
        Decision::ExplicitDeny,
        Decision::ImplicitDeny,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "Allow",
            Decision::ExplicitDeny => "ExplicitDeny",
            Decision::ImplicitDeny => "ImplicitDeny",
            Decision::Indeterminate => "Indeterminate",
        }
    }

    /// The process exit code of the CLI contract: 0 allowed, 1 denied, 3 indeterminate.
    pub fn exit_code(self) -> i32 {
        match self {
            Decision::Allow => 0,
            Decision::ExplicitDeny | Decision::ImplicitDeny => 1,
            Decision::Indeterminate => 3,
        }
    }

    fn bit(self) -> u8 {
        match self {
            Decision::Allow => 1,
            Decision::ExplicitDeny => 2,
            Decision::ImplicitDeny => 4,
            Decision::Indeterminate => 0,
        }
    }
}

/// The layer that decided, named as in Alibaba's `AccessDeniedDetail.PolicyType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Layer {
    ControlPolicy,
    SessionPolicy,
    AccountLevelIdentityBasedPolicy,
    /// The role's trust policy, for `sts:AssumeRole`.
    ResourceBasedPolicy,
}

impl Layer {
    pub const ALL: [Layer; 4] = [
        Layer::ControlPolicy,
        Layer::SessionPolicy,
        Layer::AccountLevelIdentityBasedPolicy,
        Layer::ResourceBasedPolicy,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Layer::ControlPolicy => "ControlPolicy",
            Layer::SessionPolicy => "SessionPolicy",
            Layer::AccountLevelIdentityBasedPolicy => "AccountLevelIdentityBasedPolicy",
            Layer::ResourceBasedPolicy => "ResourceBasedPolicy",
        }
    }

    fn index(self) -> usize {
        match self {
            Layer::ControlPolicy => 0,
            Layer::SessionPolicy => 1,
            Layer::AccountLevelIdentityBasedPolicy => 2,
            Layer::ResourceBasedPolicy => 3,
        }
    }
}

/// A set of outcomes of one policy set (one layer).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DecisionSet(u8);

impl DecisionSet {
    pub fn of(ds: &[Decision]) -> DecisionSet {
        DecisionSet(ds.iter().fold(0, |acc, d| acc | d.bit()))
    }

    pub fn contains(self, d: Decision) -> bool {
        d.bit() != 0 && self.0 & d.bit() != 0
    }

    pub fn iter(self) -> impl Iterator<Item = Decision> {
        Decision::OUTCOMES
            .into_iter()
            .filter(move |d| self.contains(*d))
    }
}

/// The three-valued result of one layer: does some Deny statement match, does some Allow match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LayerState {
    pub deny: Tri,
    pub allow: Tri,
}

/// Possible outcomes of one policy set: ExplicitDeny if a Deny matches, else Allow if an Allow
/// matches, else ImplicitDeny; an unknown match contributes both of its branches.
pub fn layer_outcomes(s: LayerState) -> DecisionSet {
    use Decision::{Allow, ExplicitDeny, ImplicitDeny};
    DecisionSet::of(match (s.deny, s.allow) {
        (Tri::True, _) => &[ExplicitDeny],
        (Tri::False, Tri::True) => &[Allow],
        (Tri::False, Tri::False) => &[ImplicitDeny],
        (Tri::False, Tri::Unknown) => &[Allow, ImplicitDeny],
        (Tri::Unknown, Tri::True) => &[ExplicitDeny, Allow],
        (Tri::Unknown, Tri::False) => &[ExplicitDeny, ImplicitDeny],
        (Tri::Unknown, Tri::Unknown) => &[Allow, ExplicitDeny, ImplicitDeny],
    })
}

/// Possible `(decision, deciding layer)` pairs of the whole flow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Outcomes(u16);

impl Outcomes {
    fn bit(d: Decision, l: Layer) -> u16 {
        let row = match d {
            Decision::Allow => 0,
            Decision::ExplicitDeny => 1,
            Decision::ImplicitDeny => 2,
            Decision::Indeterminate => return 0,
        };
        1 << (row * 4 + l.index())
    }

    pub fn insert(&mut self, d: Decision, l: Layer) {
        self.0 |= Outcomes::bit(d, l);
    }

    pub fn contains(self, d: Decision, l: Layer) -> bool {
        let b = Outcomes::bit(d, l);
        b != 0 && self.0 & b != 0
    }

    pub fn decisions(self) -> DecisionSet {
        Decision::OUTCOMES
            .into_iter()
            .filter(|d| Layer::ALL.iter().any(|l| self.contains(*d, *l)))
            .fold(DecisionSet::default(), |acc, d| {
                DecisionSet(acc.0 | d.bit())
            })
    }

    /// The layers that can give decision `d`.
    pub fn layers(self, d: Decision) -> impl Iterator<Item = Layer> {
        Layer::ALL.into_iter().filter(move |l| self.contains(d, *l))
    }

    /// The single decision, or `Indeterminate`.
    pub fn decision(self) -> Decision {
        let mut it = self.decisions().iter();
        match (it.next(), it.next()) {
            (Some(d), None) => d,
            _ => Decision::Indeterminate,
        }
    }
}

/// The flow of SEMANTICS.md section 4: control policies (if any), then the session policy (if
/// any) must each yield Allow, a denial there being final; then the identity policies and the
/// resource-based policy decide together (a Deny from either denies, else an Allow from either
/// allows), and for `sts:AssumeRole` with a trust policy the trust policy must allow too.
/// `identity` is `None` for a caller that has no identity policies (a service or federated
/// principal assuming a role): the trust policy alone decides.
pub fn combine(
    control: Option<LayerState>,
    session: Option<LayerState>,
    identity: Option<LayerState>,
    resource: Option<LayerState>,
    trust: Option<LayerState>,
) -> Outcomes {
    use Decision::{Allow, ExplicitDeny, ImplicitDeny};
    let mut out = Outcomes::default();
    for (layer, state) in [
        (Layer::ControlPolicy, control),
        (Layer::SessionPolicy, session),
    ] {
        let Some(state) = state else { continue };
        let o = layer_outcomes(state);
        for d in o.iter().filter(|d| *d != Allow) {
            out.insert(d, layer);
        }
        if !o.contains(Allow) {
            return out;
        }
    }
    let id = Layer::AccountLevelIdentityBasedPolicy;
    let rb = Layer::ResourceBasedPolicy;
    // What the grant side (identity and resource-based policies) can give, with its layer.
    let mut grant: Vec<(Decision, Layer)> = Vec::with_capacity(9);
    match identity {
        None => grant.push((Allow, rb)),
        Some(i) => {
            let res = resource.map(layer_outcomes);
            for a in layer_outcomes(i).iter() {
                let Some(r) = res else {
                    grant.push((a, id));
                    continue;
                };
                for b in r.iter() {
                    grant.push(match (a, b) {
                        (ExplicitDeny, _) => (ExplicitDeny, id),
                        (_, ExplicitDeny) => (ExplicitDeny, rb),
                        (Allow, _) => (Allow, id),
                        (_, Allow) => (Allow, rb),
                        _ => (ImplicitDeny, id),
                    });
                }
            }
        }
    }
    let theirs = match trust {
        Some(t) => layer_outcomes(t),
        None => DecisionSet::of(&[Allow]),
    };
    for &(g, gl) in &grant {
        for t in theirs.iter() {
            // An explicit deny anywhere wins; then the grant side speaks first.
            let (d, l) = match (g, t) {
                (ExplicitDeny, _) => (ExplicitDeny, gl),
                (_, ExplicitDeny) => (ExplicitDeny, rb),
                (ImplicitDeny, _) => (ImplicitDeny, gl),
                (Allow, ImplicitDeny) => (ImplicitDeny, rb),
                (Allow, Allow) => (Allow, gl),
                (_, Decision::Indeterminate) | (Decision::Indeterminate, _) => continue,
            };
            out.insert(d, l);
        }
    }
    out
}

display_as_str!(Decision, Layer);

#[cfg(test)]
mod tests {
    use super::*;

    const TRIS: [Tri; 3] = [Tri::False, Tri::Unknown, Tri::True];

    fn concrete(t: Tri) -> Vec<bool> {
        match t {
            Tri::False => vec![false],
            Tri::True => vec![true],
            Tri::Unknown => vec![false, true],
        }
    }

    /// The reference: RAM's flow written as plain if/else over concrete booleans.
    fn reference(
        control: Option<(bool, bool)>,
        session: Option<(bool, bool)>,
        identity: Option<(bool, bool)>,
        resource: Option<(bool, bool)>,
        trust: Option<(bool, bool)>,
    ) -> (Decision, Layer) {
        let one = |(deny, allow): (bool, bool)| {
            if deny {
                Decision::ExplicitDeny
            } else if allow {
                Decision::Allow
            } else {
                Decision::ImplicitDeny
            }
        };
        if let Some(c) = control {
            if one(c) != Decision::Allow {
                return (one(c), Layer::ControlPolicy);
            }
        }
        if let Some(s) = session {
            if one(s) != Decision::Allow {
                return (one(s), Layer::SessionPolicy);
            }
        }
        let (i, il) = match identity {
            None => (Decision::Allow, Layer::ResourceBasedPolicy),
            Some(i) => match resource {
                None => (one(i), Layer::AccountLevelIdentityBasedPolicy),
                Some(r) => {
                    let (i, r) = (one(i), one(r));
                    if i == Decision::ExplicitDeny {
                        (i, Layer::AccountLevelIdentityBasedPolicy)
                    } else if r == Decision::ExplicitDeny {
                        (r, Layer::ResourceBasedPolicy)
                    } else if i == Decision::Allow {
                        (i, Layer::AccountLevelIdentityBasedPolicy)
                    } else if r == Decision::Allow {
                        (r, Layer::ResourceBasedPolicy)
                    } else {
                        (i, Layer::AccountLevelIdentityBasedPolicy)
                    }
                }
            },
        };
        let Some(t) = trust else {
            return (i, il);
        };
        let t = one(t);
        if i == Decision::ExplicitDeny {
            (i, il)
        } else if t == Decision::ExplicitDeny {
            (t, Layer::ResourceBasedPolicy)
        } else if i == Decision::ImplicitDeny {
            (i, il)
        } else if t == Decision::ImplicitDeny {
            (t, Layer::ResourceBasedPolicy)
        } else {
            (Decision::Allow, il)
        }
    }

    fn states() -> Vec<LayerState> {
        TRIS.iter()
            .flat_map(|&deny| TRIS.iter().map(move |&allow| LayerState { deny, allow }))
            .collect()
    }

    fn concretes(s: Option<LayerState>) -> Vec<Option<(bool, bool)>> {
        match s {
            None => vec![None],
            Some(s) => concrete(s.deny)
                .into_iter()
                .flat_map(|d| concrete(s.allow).into_iter().map(move |a| Some((d, a))))
                .collect(),
        }
    }

    fn brute(
        c: Option<LayerState>,
        s: Option<LayerState>,
        i: Option<LayerState>,
        r: Option<LayerState>,
        t: Option<LayerState>,
    ) -> Outcomes {
        let mut expected = Outcomes::default();
        for cc in concretes(c) {
            for sc in concretes(s) {
                for ic in concretes(i) {
                    for rc in concretes(r) {
                        for tc in concretes(t) {
                            let (d, l) = reference(cc, sc, ic, rc, tc);
                            expected.insert(d, l);
                        }
                    }
                }
            }
        }
        expected
    }

    #[test]
    fn combine_agrees_with_brute_force() {
        let optional: Vec<Option<LayerState>> = std::iter::once(None)
            .chain(states().into_iter().map(Some))
            .collect();
        let mut checked = 0;
        for &c in &optional {
            for &s in &optional {
                for i in states() {
                    for &t in &optional {
                        let i = Some(i);
                        assert_eq!(
                            combine(c, s, i, None, t),
                            brute(c, s, i, None, t),
                            "{c:?} {s:?} {i:?} {t:?}"
                        );
                        checked += 1;
                    }
                }
            }
        }
        // The grant side: identity (or none: a service caller), resource-based, trust.
        for &i in &optional {
            for &r in &optional {
                for &t in &optional {
                    let r = if i.is_none() { None } else { r };
                    assert_eq!(
                        combine(None, None, i, r, t),
                        brute(None, None, i, r, t),
                        "{i:?} {r:?} {t:?}"
                    );
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 10 * 10 * 9 * 10 + 1000);
    }

    #[test]
    fn decision_of_outcomes() {
        let mut o = Outcomes::default();
        o.insert(Decision::ImplicitDeny, Layer::ControlPolicy);
        assert_eq!(o.decision(), Decision::ImplicitDeny);
        o.insert(
            Decision::ImplicitDeny,
            Layer::AccountLevelIdentityBasedPolicy,
        );
        assert_eq!(o.decision(), Decision::ImplicitDeny);
        assert_eq!(o.layers(Decision::ImplicitDeny).count(), 2);
        o.insert(Decision::Allow, Layer::AccountLevelIdentityBasedPolicy);
        assert_eq!(o.decision(), Decision::Indeterminate);
        assert_eq!(
            o.decisions().iter().collect::<Vec<_>>(),
            vec![Decision::Allow, Decision::ImplicitDeny]
        );
    }
}
