//! Laws of the evaluator, checked on generated policies and requests.

use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{json, Value};

use super::tests::load;
use super::*;
use crate::policy::pattern::{
    glob_covers, glob_match, glob_match_ignore_ascii_case, glob_overlaps, pattern_covers, Pattern,
    Piece,
};
use crate::policy::PolicyKind;

// ---------------------------------------------------------------- the universe

const ACTIONS: &[&str] = &[
    "dbs:StartBackupPlan",
    "dbs:DescribeRegions",
    "DBS:describebackupplanlist",
    "ecs:StartInstance",
    "pai:GetX",
    "paidataset:GetX",
    "sts:AssumeRole",
];
const ACTION_PATTERNS: &[&str] = &[
    "dbs:StartBackupPlan",
    "dbs:startbackupplan",
    "dbs:*",
    "dbs:Describe*",
    "*:Describe*",
    "d?s:*",
    "*",
    "pai:*",
    "paidataset:Get?",
    "ecs:StartInstance",
    "sts:AssumeRole",
];
const RESOURCES: &[&str] = &[
    "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbs1",
    "acs:dbs:cn-hangzhou:1234567890123456:backupplan/DBS1",
    "acs:dbs:cn-beijing:5678:backupplan/dbs2",
    "acs:ecs:cn-hangzhou:1234567890123456:instance/i-1",
    "*",
];
const PARTIAL_RESOURCES: &[&str] = &[
    "acs:dbs:cn-hangzhou:{#accountId}:backupplan/dbs1",
    "acs:dbs:{#regionId}:1234567890123456:backupplan/{#BackupPlanId}",
    "acs:ecs:cn-hangzhou:{#accountId}:instance/{#InstanceId}",
];
const RESOURCE_PATTERNS: &[&str] = &[
    "*",
    "acs:dbs:*:*:backupplan/*",
    "acs:dbs:*:*:backupplan/dbs1",
    "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbs?",
    "acs:dbs:*:1234567890123456:*",
    "acs:*:*:*:*",
    "acs:ecs:*:*:instance/*",
    "acs:rds:*:*:*",
];

/// A condition key, the operators that fit it, policy values and request values.
struct KeySpec {
    key: &'static str,
    operators: &'static [&'static str],
    policy_values: &'static [&'static str],
    request_values: &'static [&'static str],
}

const KEYS: &[KeySpec] = &[
    KeySpec {
        key: "acs:SourceIp",
        operators: &["IpAddress", "NotIpAddress"],
        policy_values: &[
            "192.0.2.0/24",
            "10.0.0.0/8",
            "2001:db8::/32",
            "198.51.100.7",
        ],
        request_values: &[
            "192.0.2.1",
            "198.51.100.7",
            "2001:db8::1",
            "10.9.8.7",
            "203.0.113.9",
        ],
    },
    KeySpec {
        key: "acs:SecureTransport",
        operators: &["Bool"],
        policy_values: &["true", "false"],
        request_values: &["true", "false", "TRUE"],
    },
    KeySpec {
        key: "acs:CurrentTime",
        operators: &[
            "DateEquals",
            "DateNotEquals",
            "DateLessThan",
            "DateLessThanEquals",
            "DateGreaterThan",
            "DateGreaterThanEquals",
        ],
        policy_values: &[
            "2026-01-01T00:00:00Z",
            "2026-01-01T08:00:00+08:00",
            "2025-06-01T00:00:00Z",
        ],
        request_values: &[
            "2025-01-01T00:00:00Z",
            "2026-01-01T00:00:00Z",
            "2025-12-31T16:00:00-08:00",
            "2027-01-01T00:00:00Z",
        ],
    },
    KeySpec {
        key: "acs:SourceVpc",
        operators: &[
            "StringEquals",
            "StringNotEquals",
            "StringEqualsIgnoreCase",
            "StringNotEqualsIgnoreCase",
            "StringLike",
            "StringNotLike",
        ],
        policy_values: &["vpc-a", "vpc-*", "VPC-?"],
        request_values: &["vpc-a", "VPC-A", "vpc-bb", "other"],
    },
    KeySpec {
        key: "dbs:Size",
        operators: &[
            "NumericEquals",
            "NumericNotEquals",
            "NumericLessThan",
            "NumericLessThanEquals",
            "NumericGreaterThan",
            "NumericGreaterThanEquals",
        ],
        policy_values: &["10", "1.5", "-3"],
        request_values: &["10", "10.0", "1.50", "-3", "100", "0"],
    },
    KeySpec {
        key: "acs:TagKeys",
        operators: &[
            "StringEquals",
            "StringNotEquals",
            "StringLike",
            "StringNotLike",
        ],
        policy_values: &["env", "te*"],
        request_values: &["env", "team", "Env"],
    },
];

#[derive(Clone, Debug)]
struct Cond {
    key: usize,
    op: usize,
    values: Vec<usize>,
}

#[derive(Clone, Debug)]
struct Stmt {
    deny: bool,
    not_action: bool,
    actions: Vec<usize>,
    not_resource: bool,
    resources: Vec<usize>,
    conds: Vec<Cond>,
}

fn cond() -> impl Strategy<Value = Cond> {
    (0..KEYS.len()).prop_flat_map(|k| {
        let spec = &KEYS[k];
        (
            Just(k),
            0..spec.operators.len(),
            prop::collection::vec(0..spec.policy_values.len(), 1..3),
        )
            .prop_map(|(key, op, values)| Cond { key, op, values })
    })
}

fn stmt() -> impl Strategy<Value = Stmt> {
    (
        prop::bool::weighted(0.3),
        prop::bool::weighted(0.1),
        prop::collection::vec(0..ACTION_PATTERNS.len(), 1..3),
        prop::bool::weighted(0.1),
        prop::collection::vec(0..RESOURCE_PATTERNS.len(), 1..3),
        prop::collection::vec(cond(), 0..3),
    )
        .prop_map(
            |(deny, not_action, actions, not_resource, resources, conds)| Stmt {
                deny,
                not_action,
                actions,
                not_resource,
                resources,
                conds,
            },
        )
}

fn doc(stmts: &[Stmt], sid_base: usize) -> Value {
    let statements: Vec<Value> = stmts
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut o = serde_json::Map::new();
            o.insert("Sid".into(), json!(format!("S{}", sid_base + i)));
            o.insert(
                "Effect".into(),
                json!(if s.deny { "Deny" } else { "Allow" }),
            );
            let acts: Vec<&str> = s.actions.iter().map(|&a| ACTION_PATTERNS[a]).collect();
            o.insert(
                (if s.not_action { "NotAction" } else { "Action" }).into(),
                json!(acts),
            );
            let res: Vec<&str> = s.resources.iter().map(|&r| RESOURCE_PATTERNS[r]).collect();
            o.insert(
                (if s.not_resource {
                    "NotResource"
                } else {
                    "Resource"
                })
                .into(),
                json!(res),
            );
            let mut cond = serde_json::Map::new();
            for c in &s.conds {
                let spec = &KEYS[c.key];
                let op = spec.operators[c.op];
                let mut values: Vec<&str> =
                    c.values.iter().map(|&v| spec.policy_values[v]).collect();
                if op == "Bool" {
                    values.truncate(1);
                }
                let entry = cond.entry(op).or_insert_with(|| json!({}));
                if let Some(m) = entry.as_object_mut() {
                    m.insert(spec.key.to_string(), json!(values));
                }
            }
            if !cond.is_empty() {
                o.insert("Condition".into(), Value::Object(cond));
            }
            Value::Object(o)
        })
        .collect();
    json!({"Version": "1", "Statement": statements})
}

/// What the request says about one key.
#[derive(Clone, Debug)]
enum Given {
    Absent,
    Values(Vec<usize>),
    Unknown,
}

fn given(unknown_weight: u32) -> impl Strategy<Value = Given> {
    prop_oneof![
        3 => Just(Given::Absent),
        5 => prop::collection::vec(0usize..8, 1..3).prop_map(Given::Values),
        unknown_weight => Just(Given::Unknown),
    ]
}

#[derive(Clone, Debug)]
struct Req {
    action: usize,
    resource: String,
    keys: Vec<Given>,
}

fn request(unknown_weight: u32, partial: bool) -> impl Strategy<Value = Req> {
    let resource = if partial {
        prop_oneof![select(RESOURCES), select(PARTIAL_RESOURCES)].boxed()
    } else {
        select(RESOURCES).boxed()
    };
    (
        0..ACTIONS.len(),
        resource,
        prop::collection::vec(given(unknown_weight), KEYS.len()),
    )
        .prop_map(|(action, resource, keys)| Req {
            action,
            resource: resource.to_string(),
            keys,
        })
}

fn build(r: &Req) -> Request {
    let mut b =
        Request::builder(ACTIONS[r.action], r.resource.as_str()).principal("acs:ram::1:user/u");
    for (spec, g) in KEYS.iter().zip(&r.keys) {
        match g {
            Given::Absent => {}
            Given::Unknown => b = b.unknown(spec.key),
            Given::Values(vs) => {
                for v in vs {
                    b = b.context(spec.key, spec.request_values[v % spec.request_values.len()]);
                }
            }
        }
    }
    b.build().unwrap()
}

/// Policies of every layer but trust: `(kind, name, document)`.
#[derive(Clone, Debug)]
struct Scenario {
    identity: Vec<Vec<Stmt>>,
    control: Vec<Vec<Stmt>>,
    session: Option<Vec<Stmt>>,
}

fn scenario() -> impl Strategy<Value = Scenario> {
    let policy = || prop::collection::vec(stmt(), 1..5);
    (
        prop::collection::vec(policy(), 0..4),
        prop_oneof![3 => Just(Vec::new()), 1 => prop::collection::vec(policy(), 1..3)],
        prop::option::weighted(0.25, policy()),
    )
        .prop_map(|(identity, control, session)| Scenario {
            identity,
            control,
            session,
        })
}

fn docs(s: &Scenario) -> Vec<(PolicyKind, String, Value)> {
    let mut out = Vec::new();
    let mut sid = 0;
    let mut push = |kind, name: String, stmts: &Vec<Stmt>| {
        out.push((kind, name, doc(stmts, sid)));
        sid += stmts.len();
    };
    for (i, p) in s.control.iter().enumerate() {
        push(PolicyKind::Control, format!("c{i}.json"), p);
    }
    if let Some(p) = &s.session {
        push(PolicyKind::Session, "session.json".to_string(), p);
    }
    for (i, p) in s.identity.iter().enumerate() {
        push(PolicyKind::Identity, format!("p{i}.json"), p);
    }
    out
}

fn set_of(docs: &[(PolicyKind, String, Value)]) -> PolicySet {
    let mut set = PolicySet::new();
    for (kind, name, d) in docs {
        load(&mut set, *kind, name, d.clone());
    }
    set
}

/// The parts of a response that do not depend on statement positions.
type Essence = (
    Decision,
    Option<Layer>,
    Vec<Decision>,
    Vec<String>,
    Vec<String>,
    Vec<(String, String, String)>,
);

fn essence(r: &Response) -> Essence {
    let mut sids: Vec<String> = r.matched.iter().filter_map(|m| m.sid.clone()).collect();
    sids.sort();
    let mut errors: Vec<(String, String, String)> = r
        .errors
        .iter()
        .map(|e| (e.key.clone(), e.value.clone(), e.message.clone()))
        .collect();
    errors.sort();
    (
        r.decision,
        r.layer,
        r.possible.clone(),
        r.depends_on.clone(),
        sids,
        errors,
    )
}

fn regex_oracle(pattern: &str, text: &str) -> bool {
    let mut rx = String::from("(?s)^");
    for c in pattern.chars() {
        match c {
            '*' => rx.push_str(".*"),
            '?' => rx.push('.'),
            c => rx.push_str(&regex::escape(&c.to_string())),
        }
    }
    rx.push('$');
    regex::Regex::new(&rx).unwrap().is_match(text)
}

/// Holes alternate: the first may hold anything, the second no colon, and so on.
fn pieces_of(spec: &[Option<String>]) -> Vec<Piece<'_>> {
    let mut n = 0;
    spec.iter()
        .map(|p| match p {
            Some(s) => Piece::Literal(s),
            None => {
                n += 1;
                if n % 2 == 1 {
                    Piece::Hole
                } else {
                    Piece::Field
                }
            }
        })
        .collect()
}

/// Fills the holes in turn; a colon-free hole drops the colons of its filling.
fn fill(spec: &[Option<String>], fillings: &[String]) -> String {
    let mut holes = fillings.iter().cycle();
    let mut n = 0;
    spec.iter()
        .map(|p| match p {
            Some(s) => s.clone(),
            None => {
                n += 1;
                let f = holes.next().cloned().unwrap_or_default();
                if n % 2 == 1 {
                    f
                } else {
                    f.replace(':', "")
                }
            }
        })
        .collect()
}

proptest! {
    // 256 cases by default; PROPTEST_CASES=N for a longer run.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256),
        ..ProptestConfig::default()
    })]

    #[test]
    fn wildcard_matcher_agrees_with_regex(p in "[ab:/*?é]{0,8}", t in "[ab:/é]{0,10}") {
        let expected = regex_oracle(&p, &t);
        prop_assert_eq!(glob_match(&p, &t), expected);
        prop_assert_eq!(Pattern::new(&p).matches(&t), expected);
    }

    /// Pieces longer than the matcher's short-piece search (the bit-parallel path), with texts
    /// built to match the pattern and then perhaps broken in one place.
    #[test]
    fn long_pieces_agree_with_regex(
        pieces in proptest::collection::vec("[abAé?]{20,90}", 1..4),
        stars in proptest::collection::vec(any::<bool>(), 5),
        fills in proptest::collection::vec("[abé]{0,12}", 5),
        broken in proptest::option::of((any::<prop::sample::Index>(), "[abBé]")),
    ) {
        let star = |i: usize| if stars[i] { "*" } else { "" };
        let mut p = String::from(star(0));
        let mut t = String::new();
        for (i, piece) in pieces.iter().enumerate() {
            if i > 0 {
                p.push('*');
            }
            p.push_str(piece);
            t.push_str(&fills[i]);
            t.push_str(&piece.replace('?', "b"));
        }
        p.push_str(star(4));
        t.push_str(&fills[4]);
        if let Some((at, c)) = broken {
            let mut chars: Vec<char> = t.chars().collect();
            if !chars.is_empty() {
                let i = at.index(chars.len());
                chars[i] = c.chars().next().unwrap();
            }
            t = chars.into_iter().collect();
        }
        let expected = regex_oracle(&p, &t);
        prop_assert_eq!(glob_match(&p, &t), expected);
        prop_assert_eq!(Pattern::new(&p).matches(&t), expected);
        let (pl, tl) = (p.to_ascii_lowercase(), t.to_ascii_uppercase());
        prop_assert_eq!(
            glob_match_ignore_ascii_case(&p, &tl),
            regex_oracle(&pl, &tl.to_ascii_lowercase())
        );
        // A specific pattern without wildcards is covered exactly when it matches.
        prop_assert_eq!(pattern_covers(&p, &t), expected);
        // The same without `?`: the `*`-only matcher's long-piece search.
        let q = p.replace('?', "b");
        prop_assert_eq!(Pattern::new(&q).matches(&t), regex_oracle(&q, &t));
    }

    #[test]
    fn partial_matcher_is_sound(
        p in "[ab:*?]{0,7}",
        spec in prop::collection::vec(prop::option::weighted(0.6, "[ab:]{0,3}"), 1..4),
        fillings in prop::collection::vec(prop::collection::vec("[ab:*]{0,3}", 3), 8),
    ) {
        let pieces = pieces_of(&spec);
        let covers = glob_covers(&p, &pieces);
        let overlaps = glob_overlaps(&p, &pieces);
        prop_assert!(!covers || overlaps);
        let mut seen = false;
        for f in &fillings {
            let text = fill(&spec, f);
            let m = glob_match(&p, &text);
            if covers { prop_assert!(m, "covers but `{}` !~ `{}`", text, p); }
            if !overlaps { prop_assert!(!m, "no overlap but `{}` =~ `{}`", text, p); }
            seen |= m;
        }
        // Without holes the three agree exactly.
        if spec.iter().all(Option::is_some) {
            let text = fill(&spec, &[]);
            prop_assert_eq!(covers, glob_match(&p, &text));
            prop_assert_eq!(overlaps, glob_match(&p, &text));
        }
        let _ = seen;
    }

    #[test]
    fn partial_overlap_is_exact(
        p in "[ab:*?]{0,6}".prop_filter("at most 3 non-star characters", |p| p.chars().filter(|c| *c != '*').count() <= 3),
        spec in prop::collection::vec(prop::option::weighted(0.5, "[ab:]{0,2}"), 1..4)
            .prop_filter("one or two holes", |s| (1..=2).contains(&s.iter().filter(|p| p.is_none()).count())),
    ) {
        // A shortest witness fills each hole only with characters that pattern literals or `?`
        // consume, so fillings of up to 3 characters over the pattern's alphabet are enough.
        let words: Vec<String> = std::iter::once(String::new())
            .chain(["a", "b", ":"].iter().map(|s| s.to_string()))
            .flat_map(|w| {
                let mut out = vec![w.clone()];
                for c in ["a", "b", ":"] {
                    out.push(format!("{w}{c}"));
                    for d in ["a", "b", ":"] {
                        out.push(format!("{w}{c}{d}"));
                    }
                }
                out
            })
            .collect();
        let holes = spec.iter().filter(|p| p.is_none()).count();
        let mut some = false;
        'outer: for a in &words {
            for b in words.iter().take(if holes == 2 { words.len() } else { 1 }) {
                if glob_match(&p, &fill(&spec, &[a.clone(), b.clone()])) {
                    some = true;
                    break 'outer;
                }
            }
        }
        prop_assert_eq!(glob_overlaps(&p, &pieces_of(&spec)), some);
    }

    #[test]
    fn order_of_statements_and_policies_never_matters(
        s in scenario(),
        r in request(1, true),
        seed in any::<u64>(),
    ) {
        let docs = docs(&s);
        let req = build(&r);
        let base = set_of(&docs).evaluate(&req);
        // Reverse, then rotate by the seed: both statement order within each document and
        // document order within each layer change.
        let mut shuffled: Vec<(PolicyKind, String, Value)> = docs
            .iter()
            .map(|(k, n, d)| {
                let mut d = d.clone();
                if let Some(st) = d.get_mut("Statement").and_then(Value::as_array_mut) {
                    st.reverse();
                    let len = st.len();
                    st.rotate_left((seed as usize) % len.max(1));
                }
                (*k, n.clone(), d)
            })
            .collect();
        shuffled.reverse();
        let other = set_of(&shuffled).evaluate(&req);
        prop_assert_eq!(essence(&base), essence(&other));
    }

    #[test]
    fn a_deny_never_allows_and_an_allow_never_denies(
        s in scenario(),
        extra in stmt(),
        r in request(1, true),
    ) {
        let req = build(&r);
        let base = set_of(&docs(&s)).evaluate(&req);
        let mut with = s.clone();
        let mut extra = extra;
        extra.deny = true;
        with.identity.push(vec![extra.clone()]);
        let denied = set_of(&docs(&with)).evaluate(&req);
        if !base.possible.contains(&Decision::Allow) {
            prop_assert!(!denied.possible.contains(&Decision::Allow), "{:?} -> {:?}", base, denied);
        }
        let mut with = s.clone();
        extra.deny = false;
        with.identity.push(vec![extra]);
        let allowed = set_of(&docs(&with)).evaluate(&req);
        if base.decision == Decision::Allow {
            prop_assert_eq!(allowed.decision, Decision::Allow);
        }
    }

    #[test]
    fn decisions_under_unknowns_hold_for_every_concrete_choice(
        s in scenario(),
        r in request(4, true),
        choices in prop::collection::vec(prop::collection::vec(given(0), KEYS.len()), 6),
        fillings in prop::collection::vec(select(&["", "1234567890123456", "dbs1", "cn-hangzhou", "x:y/z", "*"][..]), 6),
    ) {
        let set = set_of(&docs(&s));
        let req = build(&r);
        let resp = set.evaluate(&req);
        prop_assert!(!resp.possible.is_empty());
        for (n, choice) in choices.iter().enumerate() {
            // Replace every unknown key by a concrete choice (absent or values), and every
            // unknown resource part by a concrete filling.
            let keys: Vec<Given> = r.keys.iter().zip(choice).map(|(g, c)| match g {
                Given::Unknown => c.clone(),
                g => g.clone(),
            }).collect();
            // Region and account values never hold a colon (the matcher relies on it).
            let resource = Resource::from_template(&r.resource, |name| {
                let f = fillings[n % fillings.len()];
                Some(if name == "BackupPlanId" || name == "InstanceId" { f.to_string() } else { f.replace(':', "") })
            });
            let concrete = Req { action: r.action, resource: resource.to_string(), keys };
            let c = set.evaluate(&build(&concrete));
            prop_assert!(c.decision != Decision::Indeterminate, "concrete request was indeterminate: {:?}", c);
            prop_assert!(resp.possible.contains(&c.decision), "{:?} not in {:?}", c.decision, resp.possible);
            if resp.decision != Decision::Indeterminate {
                prop_assert_eq!(c.decision, resp.decision);
                if let Some(layer) = resp.layer {
                    prop_assert_eq!(c.layer, Some(layer));
                }
            }
        }
        // Nothing unknown, nothing to depend on.
        if r.keys.iter().all(|g| !matches!(g, Given::Unknown)) && Resource::parse(&r.resource).is_known() {
            prop_assert!(resp.decision != Decision::Indeterminate);
            prop_assert!(resp.depends_on.is_empty());
        }
    }

    #[test]
    fn traced_and_fast_evaluation_agree(s in scenario(), r in request(2, true)) {
        let set = set_of(&docs(&s));
        let req = build(&r);
        let (traced, trace) = set.evaluate_traced(&req);
        prop_assert_eq!(&set.evaluate(&req), &traced);
        let _ = explain(&traced, &trace);
    }
}
