//! Lowering the spanned JSON tree into the typed model, collecting every grammar problem.

use super::model::{
    Condition, Effect, Element, Policy, PolicyKind, Principal, PrincipalKind, Statement, Unreadable,
};
use super::operator::{Family, Operator, SetOp};
use super::placeholder::placeholder;
use super::problem::{Level, Problem, ProblemKind as K};
use super::values::{date_problem, parse_bool, Decimal, IpNet};
use crate::catalog::suggest::did_you_mean;
use crate::json::{Member, Node, Value};
use crate::source::{Span, Spanned};

/// The model and the grammar problems found while building it.
#[derive(Debug, Default)]
pub struct Lowered {
    pub policy: Policy,
    pub problems: Vec<Problem>,
}

const TOP_ELEMENTS: &[&str] = &["Version", "Statement"];
const STATEMENT_ELEMENTS: &[&str] = &[
    "Sid",
    "Effect",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Principal",
    "Condition",
];

/// Lowers a parsed document. `kind` is what the caller says the document is; with
/// `detect_trust`, a document whose statements carry `Principal` is read as a trust policy.
pub fn lower(root: &Node, kind: PolicyKind, detect_trust: bool) -> Lowered {
    let mut cx = Lowerer {
        diags: Vec::new(),
        errors: 0,
        kind,
    };
    let policy = cx.policy(root, detect_trust);
    Lowered {
        policy,
        problems: cx.diags,
    }
}

struct Lowerer {
    diags: Vec<Problem>,
    /// Error-level problems so far (a statement is valid when it adds none): counted as
    /// they come, not recounted per statement.
    errors: usize,
    kind: PolicyKind,
}

/// Objects up to this many members are deduplicated by comparing keys pairwise.
const SMALL_OBJECT: usize = 16;

/// The first member with each key; later duplicates were already reported by the JSON layer
/// and are ignored, because a reviewer reads the first one.
fn first_members(members: &[Member]) -> Vec<&Member> {
    // A policy's objects have a handful of keys: comparing with the kept ones costs less
    // than folding and hashing every key.
    if members.len() <= SMALL_OBJECT {
        let mut kept: Vec<&Member> = Vec::with_capacity(members.len());
        for m in members {
            if !kept.iter().any(|k| k.key.eq_ignore_ascii_case(&m.key)) {
                kept.push(m);
            }
        }
        return kept;
    }
    // A set of the folded keys: an object of 40,000 keys stays linear.
    let mut seen = std::collections::HashSet::with_capacity(members.len());
    members
        .iter()
        .filter(|m| seen.insert(m.key.to_ascii_lowercase()))
        .collect()
}

/// The kind of a document that names none (SEMANTICS.md section 1, rev 2): with `Principal`,
/// a trust policy when every action is an `sts:` action and no statement has `Resource`; with
/// `Resource` too, a bucket policy (all `oss:`), a key policy (all `kms:`) or a resource-based
/// policy of unknown service. A bucket policy is never read as a trust policy.
fn recognise(items: &[&Node]) -> Option<PolicyKind> {
    let objects = || {
        items.iter().filter_map(|n| match &n.value {
            Value::Object(ms) => Some(ms),
            _ => None,
        })
    };
    if !objects().any(|ms| ms.iter().any(|m| m.key == "Principal")) {
        return None;
    }
    let has_resource = objects().any(|ms| {
        ms.iter()
            .any(|m| m.key == "Resource" || m.key == "NotResource")
    });
    let mut actions = objects()
        .flat_map(|ms| {
            ms.iter()
                .filter(|m| m.key == "Action" || m.key == "NotAction")
        })
        .flat_map(|m| match &m.value.value {
            Value::Array(items) => items.iter().collect::<Vec<_>>(),
            _ => vec![&m.value],
        })
        .map(|n| match &n.value {
            Value::String(s) => s.to_ascii_lowercase(),
            _ => String::new(),
        })
        .peekable();
    let first = actions.peek().is_some();
    let (mut sts, mut oss, mut kms) = (first, first, first);
    for a in actions {
        sts &= a.starts_with("sts:");
        oss &= a.starts_with("oss:");
        kms &= a.starts_with("kms:");
    }
    Some(if !has_resource {
        // Without `Resource` it can only be a trust policy; its grammar reports odd actions.
        PolicyKind::Trust
    } else if oss {
        PolicyKind::OssBucket
    } else if kms {
        PolicyKind::KmsKey
    } else {
        let _ = sts;
        PolicyKind::Resource
    })
}

/// The STS actions a trust policy may grant besides `sts:AssumeRole` (session tags, source
/// identity, the federated forms).
const TRUST_ACTIONS: &[&str] = &[
    "sts:AssumeRole",
    "sts:AssumeRoleWithSAML",
    "sts:AssumeRoleWithOIDC",
    "sts:SetSourceIdentity",
    "sts:TagSession",
    "sts:SetContext",
];

/// `*`, or `acs:<service>:<region>:<account>:<relative-id>` with a service and a relative ID:
/// what the grammar accepts as a resource (RG029 reports the rest).
pub fn well_formed_resource(v: &str) -> bool {
    if v == "*" {
        return true;
    }
    matches!(
        super::arn::fields(v),
        Some(["acs", svc, _, _, rel]) if !svc.is_empty() && !rel.is_empty()
    )
}

fn get<'a>(members: &[&'a Member], key: &str) -> Option<&'a Member> {
    members.iter().copied().find(|m| m.key == key)
}

impl Lowerer {
    fn push(&mut self, d: Problem) {
        self.errors += usize::from(d.level == Level::Error);
        self.diags.push(d);
    }

    fn policy(&mut self, root: &Node, detect_trust: bool) -> Policy {
        let mut policy = Policy {
            kind: self.kind,
            span: root.span,
            ..Policy::default()
        };
        let Value::Object(members) = &root.value else {
            self.push(Problem::new(
                K::InvalidDocument,
                root.span,
                format!(
                    "a policy must be a JSON object, found {}",
                    root.value.type_name()
                ),
            ));
            return policy;
        };
        let members = first_members(members);
        for m in &members {
            if !TOP_ELEMENTS.contains(&m.key.as_str()) {
                self.unknown_element(m, TOP_ELEMENTS, "top level");
            }
        }

        match get(&members, "Version") {
            None => self.push(
                Problem::new(K::InvalidVersion, root.span, "missing `Version`")
                    .help("add `\"Version\": \"1\"`"),
            ),
            Some(m) => match &m.value.value {
                Value::String(s) if s == "1" => {
                    policy.version = Some(Spanned::new(s.clone(), m.value.span));
                }
                // ROS templates write `Version: 1` in YAML: a data-type warning (rev 2).
                Value::Number(n) if n.to_string() == "1" => {
                    policy.version = self.scalar(&m.value, "Version");
                }
                other => {
                    let shown = match other {
                        Value::String(s) => format!("`{s}`"),
                        Value::Number(n) => format!("the number `{n}`"),
                        v => format!("a {}", v.type_name()),
                    };
                    self.push(
                        Problem::new(
                            K::InvalidVersion,
                            m.value.span,
                            format!("`Version` must be the string `\"1\"`, found {shown}"),
                        )
                        .help("write `\"Version\": \"1\"`: it is the only version RAM accepts"),
                    );
                }
            },
        }

        let Some(stmts) = get(&members, "Statement") else {
            self.push(Problem::new(
                K::InvalidStatement,
                root.span,
                "missing `Statement`",
            ));
            return policy;
        };
        let items: Vec<&Node> = match &stmts.value.value {
            Value::Array(items) if items.is_empty() => {
                self.push(Problem::new(
                    K::InvalidStatement,
                    stmts.value.span,
                    "`Statement` must hold at least one statement",
                ));
                Vec::new()
            }
            Value::Array(items) => items.iter().collect(),
            Value::Object(_) => {
                self.push(
                    Problem::new(
                        K::StatementObjectForm,
                        stmts.value.span,
                        "`Statement` is a single object; RAM documents only the array form",
                    )
                    .help("wrap the statement in `[` `]`"),
                );
                vec![&stmts.value]
            }
            other => {
                self.push(Problem::new(
                    K::InvalidStatement,
                    stmts.value.span,
                    format!(
                        "`Statement` must be an array of objects, found a {}",
                        other.type_name()
                    ),
                ));
                Vec::new()
            }
        };

        if detect_trust && self.kind == PolicyKind::Identity {
            if let Some(kind) = recognise(&items) {
                self.kind = kind;
                policy.kind = kind;
                if kind == PolicyKind::Resource {
                    self.push(
                        Problem::new(
                            K::ResourcePolicyKind,
                            root.span,
                            "statements carry `Principal` and `Resource`: read as a resource-based policy of an unknown service",
                        )
                        .help("name the kind with `--kind oss-bucket`, `--kind kms-key` or a `[lint.kinds]` entry"),
                    );
                }
            }
        }

        // Sized once and hashed fast: every document has one.
        let mut sids: foldhash::HashMap<String, Span> =
            foldhash::HashMap::with_capacity_and_hasher(items.len(), Default::default());
        for (index, node) in items.into_iter().enumerate() {
            let st = match self.statement(node, index) {
                Ok(st) => st,
                Err(partial) => {
                    policy.unreadable.push(partial);
                    continue;
                }
            };
            if let Some(sid) = &st.sid {
                match sids.get(&sid.value) {
                    Some(first) => self.push(
                        Problem::new(
                            K::DuplicateSid,
                            sid.span,
                            format!("duplicate `Sid` `{}`", sid.value),
                        )
                        .label(*first, "first used here")
                        .help("give every statement its own `Sid`, or none"),
                    ),
                    None => {
                        sids.insert(sid.value.clone(), sid.span);
                    }
                }
            }
            policy.statements.push(st);
        }
        policy
    }

    fn unknown_element(&mut self, m: &Member, known: &[&'static str], place: &str) {
        let suggestion = did_you_mean(&m.key, known.iter().copied());
        let mut d = Problem::new(
            K::UnknownElement,
            m.key_span,
            format!("`{}` is not a valid element at the {place}", m.key),
        );
        d = match suggestion {
            Some(s) if s.eq_ignore_ascii_case(&m.key) => d.help(format!(
                "element names are case-sensitive: did you mean `{s}`?"
            )),
            Some(s) => d.help(format!("did you mean `{s}`?")),
            None if m.key == "NotPrincipal" => {
                d.help("`NotPrincipal` exists only in AWS IAM; RAM trust policies use `Principal`")
            }
            None => d.help(format!("valid elements here: {}", known.join(", "))),
        };
        self.push(d);
    }

    /// Reads a string or a non-empty array of strings. Numbers and booleans are accepted as
    /// their text with a warning; anything else is an error and is left out.
    fn strings(&mut self, node: &Node, what: &str) -> Vec<Spanned<String>> {
        match &node.value {
            Value::Array(items) => {
                if items.is_empty() {
                    self.push(Problem::new(
                        K::EmptyList,
                        node.span,
                        format!("`{what}` is an empty list"),
                    ));
                }
                items.iter().filter_map(|n| self.scalar(n, what)).collect()
            }
            _ => self.scalar(node, what).into_iter().collect(),
        }
    }

    fn scalar(&mut self, node: &Node, what: &str) -> Option<Spanned<String>> {
        let text = match &node.value {
            Value::String(s) => return Some(Spanned::new(s.clone(), node.span)),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            other => {
                self.push(Problem::new(
                    K::InvalidValueType,
                    node.span,
                    format!(
                        "`{what}` values must be strings, found a {}",
                        other.type_name()
                    ),
                ));
                return None;
            }
        };
        self.push(
            Problem::new(
                K::ValueTypeMismatch,
                node.span,
                format!(
                    "data type mismatch: `{what}` values are strings, found the {} `{text}`",
                    node.value.type_name()
                ),
            )
            .help(format!("write it as a string: `\"{text}\"`")),
        );
        Some(Spanned::new(text, node.span))
    }

    fn statement(&mut self, node: &Node, index: usize) -> Result<Statement, Unreadable> {
        let unreadable = Unreadable {
            index,
            span: node.span,
            action: None,
            resource: None,
        };
        let Value::Object(members) = &node.value else {
            self.push(Problem::new(
                K::InvalidStatement,
                node.span,
                format!(
                    "a statement must be a JSON object, found a {}",
                    node.value.type_name()
                ),
            ));
            return Err(unreadable);
        };
        let errors_before = self.error_count();
        let members = first_members(members);
        for m in &members {
            if !STATEMENT_ELEMENTS.contains(&m.key.as_str()) {
                self.unknown_element(m, STATEMENT_ELEMENTS, "statement level");
            }
        }

        let sid = get(&members, "Sid").and_then(|m| match &m.value.value {
            Value::String(s) => Some(Spanned::new(s.clone(), m.value.span)),
            other => {
                self.push(Problem::new(
                    K::InvalidValueType,
                    m.value.span,
                    format!("`Sid` must be a string, found a {}", other.type_name()),
                ));
                None
            }
        });

        let effect = self.effect(node.span, get(&members, "Effect"));
        let action = self.action(
            node.span,
            get(&members, "Action"),
            get(&members, "NotAction"),
        );
        let resource = self.resource(
            node.span,
            get(&members, "Resource"),
            get(&members, "NotResource"),
        );
        let principal = self.principal(node.span, get(&members, "Principal"));
        let (condition_span, conditions) = match get(&members, "Condition") {
            Some(m) => (Some(m.value.span), self.conditions(&m.value)),
            None => (None, Vec::new()),
        };

        let valid = self.error_count() == errors_before;
        let (effect, action) = match (effect, action) {
            (Some(e), Some(a)) => (e, a),
            (_, action) => {
                return Err(Unreadable {
                    action,
                    resource,
                    ..unreadable
                })
            }
        };
        Ok(Statement {
            index,
            span: node.span,
            sid,
            effect,
            action,
            resource,
            principal,
            condition_span,
            conditions,
            valid,
        })
    }

    fn error_count(&self) -> usize {
        self.errors
    }

    fn effect(&mut self, stmt: Span, m: Option<&Member>) -> Option<Spanned<Effect>> {
        let Some(m) = m else {
            self.push(
                Problem::new(K::InvalidEffect, stmt, "statement has no `Effect`")
                    .help("add `\"Effect\": \"Allow\"` or `\"Effect\": \"Deny\"`"),
            );
            return None;
        };
        let span = m.value.span;
        match &m.value.value {
            Value::String(s) if s == "Allow" => Some(Spanned::new(Effect::Allow, span)),
            Value::String(s) if s == "Deny" => Some(Spanned::new(Effect::Deny, span)),
            Value::String(s) => {
                let help = match did_you_mean(s, ["Allow", "Deny"]) {
                    Some(e) => format!("did you mean `{e}`? `Effect` is case-sensitive"),
                    None => "`Effect` is `Allow` or `Deny`".to_string(),
                };
                self.push(
                    Problem::new(
                        K::InvalidEffect,
                        span,
                        format!("invalid `Effect` value `{s}`"),
                    )
                    .help(help),
                );
                // `allow` is an error, but its meaning is plain: the model rules still look at
                // the statement (it stays invalid, so the evaluator takes it as unknown).
                if s.eq_ignore_ascii_case("allow") {
                    Some(Spanned::new(Effect::Allow, span))
                } else if s.eq_ignore_ascii_case("deny") {
                    Some(Spanned::new(Effect::Deny, span))
                } else {
                    None
                }
            }
            other => {
                self.push(
                    Problem::new(
                        K::InvalidEffect,
                        span,
                        format!("`Effect` must be a string, found a {}", other.type_name()),
                    )
                    .help("`Effect` is `\"Allow\"` or `\"Deny\"`"),
                );
                None
            }
        }
    }

    fn element(&mut self, m: &Member, negated: bool) -> Element {
        let values = self.strings(&m.value, &m.key);
        Element {
            negated,
            key_span: m.key_span,
            span: m.value.span,
            values,
        }
    }

    fn action(
        &mut self,
        stmt: Span,
        action: Option<&Member>,
        not: Option<&Member>,
    ) -> Option<Element> {
        let (m, negated) = match (action, not) {
            (Some(a), Some(n)) => {
                let later = if a.key_span.start > n.key_span.start {
                    a
                } else {
                    n
                };
                let earlier = if a.key_span.start > n.key_span.start {
                    n
                } else {
                    a
                };
                self.push(
                    Problem::new(
                        K::ActionAndNotAction,
                        later.key_span,
                        "a statement cannot have both `Action` and `NotAction`",
                    )
                    .label(earlier.key_span, "also given here")
                    .help("keep exactly one of the two"),
                );
                (a, false)
            }
            (Some(a), None) => (a, false),
            (None, Some(n)) => (n, true),
            (None, None) => {
                self.push(
                    Problem::new(
                        K::MissingAction,
                        stmt,
                        "statement has neither `Action` nor `NotAction`",
                    )
                    .help("add `\"Action\": [\"<service>:<Operation>\"]`"),
                );
                return None;
            }
        };
        let el = self.element(m, negated);
        for v in &el.values {
            self.check_action(v);
        }
        if self.kind == PolicyKind::Trust && !negated {
            let odd: Vec<&str> = el
                .iter()
                .filter(|v| {
                    !v.is_empty() && !TRUST_ACTIONS.iter().any(|t| t.eq_ignore_ascii_case(v))
                })
                .collect();
            if !odd.is_empty() {
                let shown: Vec<String> = odd.iter().map(|a| format!("`{a}`")).collect();
                self.push(
                    Problem::new(
                        K::TrustAction,
                        el.span,
                        format!(
                            "trust policies grant `sts:AssumeRole` (and STS session actions), not {}",
                            shown.join(", ")
                        ),
                    )
                    .help("use `\"Action\": \"sts:AssumeRole\"`"),
                );
            }
        }
        Some(el)
    }

    fn check_action(&mut self, v: &Spanned<String>) {
        let s = v.value.as_str();
        if s == "*" {
            return;
        }
        let problem = match s.split_once(':') {
            _ if s.is_empty() => Some("an action cannot be empty"),
            _ if s.chars().any(char::is_whitespace) => Some("an action cannot contain spaces"),
            None => Some("an action has the form `<service>:<Action>`"),
            Some((svc, name)) if svc.is_empty() || name.is_empty() => {
                Some("both the service code and the action name must be given")
            }
            Some((svc, _))
                if !svc
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '*' | '?')) =>
            {
                Some("the service code may hold only letters, digits, `-` and wildcards")
            }
            Some(_) => None,
        };
        if let Some(p) = problem {
            let mut d = Problem::new(
                K::InvalidAction,
                v.span,
                format!("invalid action `{s}`: {p}"),
            )
            .help("e.g. `dbs:StartBackupPlan`, `dbs:Describe*` or `*`");
            // Resource Directory has been seen to accept `"Action": "1"` (rev 2): there it
            // matches no action, which is a mistake but not a rejected document.
            if self.kind == PolicyKind::Control && !s.contains(':') && !s.is_empty() {
                d.level = Level::Warning;
                d.message =
                    format!("action `{s}` has no `<service>:` prefix and matches no action");
            }
            self.push(d);
        }
    }

    fn resource(
        &mut self,
        stmt: Span,
        res: Option<&Member>,
        not: Option<&Member>,
    ) -> Option<Element> {
        if self.kind == PolicyKind::Trust {
            for m in [res, not].into_iter().flatten() {
                self.push(
                    Problem::new(
                        K::ResourceInTrustPolicy,
                        m.key_span,
                        format!("a trust policy cannot have `{}`", m.key),
                    )
                    .help("the resource of a trust policy is the role itself: remove the element"),
                );
            }
            return None;
        }
        if let Some(n) = not {
            self.push(
                Problem::new(
                    K::NotResource,
                    n.key_span,
                    "`NotResource` is not part of the current RAM policy grammar",
                )
                .help("list the resources in `Resource`, and deny the exceptions in a `Deny` statement"),
            );
        }
        let (m, negated) = match (res, not) {
            (Some(r), Some(n)) => {
                self.push(
                    Problem::new(
                        K::ResourceAndNotResource,
                        n.key_span,
                        "a statement cannot have both `Resource` and `NotResource`",
                    )
                    .label(r.key_span, "also given here"),
                );
                (r, false)
            }
            (Some(r), None) => (r, false),
            (None, Some(n)) => (n, true),
            (None, None) => {
                self.push(
                    Problem::new(K::MissingResource, stmt, "statement has no `Resource`")
                        .help(format!(
                            "{} policies require `Resource`; use `\"Resource\": \"*\"` for every resource",
                            self.kind.as_str()
                        )),
                );
                return None;
            }
        };
        let el = self.element(m, negated);
        // One malformed entry beside valid ones is a dead entry (`dead-resource-entry`, a
        // warning): the statement still works for the others. Alone, it is a grammar error.
        let any_ok = el.values.iter().any(|v| well_formed_resource(&v.value));
        for v in &el.values {
            if !any_ok || well_formed_resource(&v.value) {
                self.check_arn(v);
            }
        }
        Some(el)
    }

    fn check_arn(&mut self, v: &Spanned<String>) {
        let s = v.value.as_str();
        if s == "*" {
            return;
        }
        if s.starts_with("arn:") {
            self.push(
                Problem::new(
                    K::InvalidArn,
                    v.span,
                    format!("`{s}` is an AWS ARN; RAM resources start with `acs:`"),
                )
                .help("write `acs:<service>:<region>:<account-id>:<relative-id>`"),
            );
            return;
        }
        let problem = match super::arn::fields(s) {
            _ if !s.starts_with("acs:") && s != "acs" => {
                Some("a resource is `*` or an ARN starting with `acs:`".to_string())
            }
            None => Some(format!(
                "an ARN has 5 colon-separated fields (`acs:<service>:<region>:<account-id>:<relative-id>`), found {}",
                super::arn::field_count(s)
            )),
            Some([_, "", ..]) => Some("the service field of an ARN cannot be empty".to_string()),
            Some([.., ""]) => Some("the relative-id field of an ARN cannot be empty".to_string()),
            Some(_) => None,
        };
        if let Some(p) = problem {
            self.push(
                Problem::new(
                    K::InvalidArn,
                    v.span,
                    format!("invalid resource `{s}`: {p}"),
                )
                .help("e.g. `acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsqdss5tmh1`"),
            );
        }
    }

    fn principal(&mut self, stmt: Span, m: Option<&Member>) -> Option<Principal> {
        let Some(m) = m else {
            if self.kind.has_principal() {
                let help = match self.kind {
                    PolicyKind::OssBucket => "add e.g. `\"Principal\": [\"1234567890123456\"]`",
                    PolicyKind::Trust => {
                        "add e.g. `\"Principal\": {\"Service\": [\"ecs.aliyuncs.com\"]}`"
                    }
                    _ => {
                        "add e.g. `\"Principal\": {\"RAM\": [\"acs:ram::1234567890123456:root\"]}`"
                    }
                };
                self.push(
                    Problem::new(
                        K::MissingPrincipal,
                        stmt,
                        format!("{} policy statement has no `Principal`", self.kind.as_str()),
                    )
                    .help(help),
                );
            }
            return None;
        };
        if !self.kind.has_principal() {
            self.push(
                Problem::new(
                    K::PrincipalOutsideTrust,
                    m.key_span,
                    format!(
                        "`Principal` is only valid in trust and resource-based policies, not in {} policies",
                        self.kind.as_str()
                    ),
                )
                .help("remove `Principal`, or lint the file with `--kind trust` (or `oss-bucket`, `kms-key`)"),
            );
            return None;
        }
        let mut p = Principal {
            span: m.value.span,
            any: None,
            entries: Vec::new(),
            ids: None,
        };
        let list_form = matches!(self.kind, PolicyKind::OssBucket | PolicyKind::Resource);
        match &m.value.value {
            Value::String(s) if s == "*" => p.any = Some(m.value.span),
            Value::String(_) | Value::Array(_) if list_form => {
                let mut el = self.element(m, false);
                if let Some(star) = el.values.iter().find(|v| v.value == "*") {
                    p.any = Some(star.span);
                }
                el.values.retain(|v| v.value != "*");
                p.ids = Some(el);
            }
            Value::Object(_) if self.kind == PolicyKind::OssBucket => self.push(
                Problem::new(
                    K::InvalidPrincipal,
                    m.value.span,
                    "a bucket policy's `Principal` is a list of account or RAM user IDs, or `[\"*\"]`",
                )
                .help("write e.g. `\"Principal\": [\"1234567890123456\"]`"),
            ),
            Value::Object(members) => {
                for pm in first_members(members) {
                    let kind = PrincipalKind::ALL
                        .iter()
                        .copied()
                        .find(|k| k.as_str() == pm.key);
                    match kind {
                        Some(kind) => {
                            let el = self.element(pm, false);
                            p.entries.push((kind, el));
                        }
                        None => {
                            let names = PrincipalKind::ALL.map(PrincipalKind::as_str);
                            let help = match did_you_mean(&pm.key, names) {
                                Some(s) => format!("did you mean `{s}`?"),
                                None if pm.key == "AWS" => {
                                    "RAM principals use the key `RAM`".to_string()
                                }
                                None => "principal types are `RAM`, `Service` and `Federated`"
                                    .to_string(),
                            };
                            self.push(
                                Problem::new(
                                    K::InvalidPrincipal,
                                    pm.key_span,
                                    format!("`{}` is not a principal type", pm.key),
                                )
                                .help(help),
                            );
                        }
                    }
                }
                if members.is_empty() {
                    self.push(Problem::new(
                        K::InvalidPrincipal,
                        m.value.span,
                        "`Principal` is empty",
                    ));
                }
            }
            other => self.push(Problem::new(
                K::InvalidPrincipal,
                m.value.span,
                format!(
                    "`Principal` must be an object such as `{{\"RAM\": [...]}}`, found a {}",
                    other.type_name()
                ),
            )),
        }
        Some(p)
    }

    fn conditions(&mut self, node: &Node) -> Vec<Condition> {
        let Value::Object(ops) = &node.value else {
            self.push(Problem::new(
                K::InvalidValueType,
                node.span,
                format!(
                    "`Condition` must be an object, found a {}",
                    node.value.type_name()
                ),
            ));
            return Vec::new();
        };
        let mut out = Vec::new();
        for om in first_members(ops) {
            let Some((set, operator)) = SetOp::parse(&om.key) else {
                self.unknown_operator(om);
                continue;
            };
            if set.is_some() {
                self.push(
                    Problem::new(
                        K::SetOperator,
                        om.key_span,
                        format!("`{}` is a set operator that RAM accepts but does not document", om.key),
                    )
                    .help(match set {
                        Some(SetOp::ForAllValues) => "it holds when the key is absent or every request value satisfies the operator; keep the prefix: without it the test is a different one",
                        _ => "it holds when at least one request value satisfies the operator (never when the key is absent)",
                    }),
                );
            }
            let Value::Object(keys) = &om.value.value else {
                self.push(Problem::new(
                    K::InvalidValueType,
                    om.value.span,
                    format!(
                        "`{}` must map condition keys to values, found a {}",
                        om.key,
                        om.value.value.type_name()
                    ),
                ));
                continue;
            };
            for km in first_members(keys) {
                self.check_condition_key(km);
                let values = self.strings(&km.value, &km.key);
                self.check_condition_values(operator, km, &values);
                out.push(Condition {
                    operator,
                    set,
                    operator_span: om.key_span,
                    key: km.key.clone(),
                    key_span: km.key_span,
                    values_span: km.value.span,
                    values,
                });
            }
        }
        out
    }

    fn unknown_operator(&mut self, om: &Member) {
        let mut d = Problem::new(
            K::UnknownOperator,
            om.key_span,
            format!("unknown condition operator `{}`", om.key),
        );
        if let Some(why) = Operator::aws_only(&om.key) {
            d.message = format!("`{}` is not a RAM condition operator: {why}", om.key);
            let base = om.key.trim_end_matches("IfExists");
            if let Some(op) = Operator::parse(base) {
                d = d.help(format!(
                    "RAM has no `IfExists` variants: `{}` is false when the key is absent, so a Deny with it does not apply then",
                    op.name()
                ));
            }
        } else if let Some(s) = did_you_mean(&om.key, Operator::ALL.iter().map(|o| o.name())) {
            d = d.help(format!("did you mean `{s}`?"));
        }
        self.push(d);
    }

    /// A key without a colon (`"Action"`) is legal and always absent (rev 2): the
    /// `key-never-present` rule says what that does. Only keys no request could carry are errors.
    fn check_condition_key(&mut self, km: &Member) {
        let ok = match km.key.split_once(':') {
            None => !km.key.is_empty() && !km.key.chars().any(char::is_whitespace),
            Some((svc, rest)) => {
                !svc.is_empty()
                    && svc.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    && !rest.is_empty()
                    && !rest.chars().any(char::is_whitespace)
            }
        };
        if !ok {
            self.push(
                Problem::new(
                    K::InvalidConditionKey,
                    km.key_span,
                    format!("invalid condition key `{}`: keys have the form `acs:<key>` or `<service>:<key>`", km.key),
                )
                .help("e.g. `acs:SourceIp` or `acs:ResourceTag/env`"),
            );
        }
    }

    fn check_condition_values(&mut self, op: Operator, km: &Member, values: &[Spanned<String>]) {
        // A documentation mask or an unrendered template (`42.120.XX.X/24`, `${ip}`) is
        // reported by `template-placeholder`, which says what it is.
        let values: Vec<&Spanned<String>> = values
            .iter()
            .filter(|v| placeholder(&v.value).is_none())
            .collect();
        match op.family() {
            Family::Bool => {
                if values.len() > 1 {
                    self.push(
                        Problem::new(
                            K::MultipleBoolValues,
                            km.value.span,
                            format!("multiple Boolean values for `{}`", km.key),
                        )
                        .help("`Bool` takes exactly one value, `\"true\"` or `\"false\"`"),
                    );
                }
                for v in values {
                    if parse_bool(&v.value).is_none() {
                        self.bad_value(op, v, "`Bool` takes `\"true\"` or `\"false\"`");
                    }
                }
            }
            Family::Numeric => {
                for v in values {
                    if Decimal::parse(&v.value).is_none() {
                        self.bad_value(op, v, "not a decimal number");
                    }
                }
            }
            Family::Date => {
                for v in values {
                    if let Some(p) = date_problem(&v.value) {
                        self.bad_value(op, v, p);
                    }
                }
            }
            Family::Ip => {
                for v in values {
                    if IpNet::parse(&v.value).is_none() {
                        self.bad_value(op, v, "not an IPv4/IPv6 address or CIDR block");
                    }
                }
            }
            Family::String | Family::StringIgnoreCase | Family::StringLike => {}
        }
    }

    fn bad_value(&mut self, op: Operator, v: &Spanned<String>, why: &str) {
        let example = match op.family() {
            Family::Numeric => "e.g. `10` or `-2.5`",
            Family::Date => "e.g. `2026-01-01T00:00:00Z`",
            Family::Ip => "e.g. `192.0.2.0/24` or `2001:db8::/32`",
            _ => "`\"true\"` or `\"false\"`",
        };
        self.push(
            Problem::new(
                K::InvalidConditionValue,
                v.span,
                format!("invalid `{}` value `{}`: {why}", op.name(), v.value),
            )
            .help(format!(
                "{} values are {} values, {example}",
                op.name(),
                op.family().as_str()
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind_of(text: &str) -> PolicyKind {
        let parsed = crate::json::parse(text);
        let root = parsed.root.unwrap_or_else(|| panic!("not JSON: {text}"));
        lower(&root, PolicyKind::Identity, true).policy.kind
    }

    /// SEMANTICS.md section 1, "Recognising the kind" (rev 2).
    #[test]
    fn kinds_are_recognised_from_the_document() {
        let stmt = |s: &str| format!(r#"{{"Version": "1", "Statement": [{s}]}}"#);
        assert_eq!(
            kind_of(&stmt(
                r#"{"Effect": "Allow", "Action": "ecs:*", "Resource": "*"}"#
            )),
            PolicyKind::Identity
        );
        assert_eq!(
            kind_of(&stmt(
                r#"{"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"], "Principal": {"Service": "ecs.aliyuncs.com"}}"#
            )),
            PolicyKind::Trust
        );
        assert_eq!(
            kind_of(&stmt(
                r#"{"Effect": "Allow", "Action": ["oss:GetObject"], "Principal": ["*"], "Resource": ["acs:oss:*:*:b/*"]}"#
            )),
            PolicyKind::OssBucket
        );
        assert_eq!(
            kind_of(&stmt(
                r#"{"Effect": "Allow", "Action": ["kms:*"], "Principal": {"RAM": ["acs:ram::1:*"]}, "Resource": ["*"]}"#
            )),
            PolicyKind::KmsKey
        );
        // `sts:` actions with `Resource`: not a trust policy.
        assert_eq!(
            kind_of(&stmt(
                r#"{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"RAM": "acs:ram::1:root"}, "Resource": "*"}"#
            )),
            PolicyKind::Resource
        );
        assert_eq!(
            kind_of(&stmt(
                r#"{"Effect": "Allow", "Action": ["oss:GetObject", "mns:SendMessage"], "Principal": ["*"], "Resource": "*"}"#
            )),
            PolicyKind::Resource
        );
    }

    #[test]
    fn bucket_principals_are_a_list_of_ids() {
        let text = r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "oss:GetObject",
            "Principal": ["1234567890123456", "*"], "Resource": "acs:oss:*:*:b/*"}]}"#;
        let root = crate::json::parse(text).root.unwrap();
        let lowered = lower(&root, PolicyKind::OssBucket, false);
        assert!(lowered.problems.is_empty(), "{:?}", lowered.problems);
        let p = lowered.policy.statements[0].principal.as_ref().unwrap();
        assert!(p.any.is_some());
        let ids: Vec<&str> = p.ids.iter().flat_map(|e| e.iter()).collect();
        assert_eq!(ids, ["1234567890123456"]);
        // The object form is a trust/key policy's, not a bucket policy's.
        let text = r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "oss:GetObject",
            "Principal": {"RAM": ["acs:ram::1:root"]}, "Resource": "acs:oss:*:*:b/*"}]}"#;
        let root = crate::json::parse(text).root.unwrap();
        let lowered = lower(&root, PolicyKind::OssBucket, false);
        assert!(lowered
            .problems
            .iter()
            .any(|p| p.kind == K::InvalidPrincipal));
    }
}
