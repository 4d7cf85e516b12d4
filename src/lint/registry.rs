//! The one table of rules: codes, names, severities, documentation and fixtures.
//!
//! Codes are banded by category and never reused:
//! `RG0xx` syntax and grammar (what RAM itself rejects), `RG1xx` security, `RG2xx` correctness
//! against the service catalogue, `RG3xx` redundancy, `RG4xx` conditions. `RG09x` are meta rules
//! about the configuration itself (unused or expired suppressions), see [`super::meta`].

use serde::Serialize;

use std::sync::LazyLock;

use super::diagnostic::{Diagnostic, Severity};
use super::{meta, rules};
use crate::policy::{Policy, PolicyKind};
use crate::source::SourceFile;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Grammar,
    Security,
    Catalog,
    Redundancy,
    Condition,
    /// About `ramguard.toml` itself; the fixtures are configuration files, not policies.
    Meta,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Grammar => "grammar",
            Category::Security => "security",
            Category::Catalog => "catalog",
            Category::Redundancy => "redundancy",
            Category::Condition => "condition",
            Category::Meta => "meta",
        }
    }
}

/// What a model rule sees: one lowered document.
pub struct RuleContext<'a> {
    pub policy: &'a Policy,
    pub source: &'a SourceFile,
}

/// A check over the typed model. Grammar rules have none: lowering emits them.
pub type CheckFn = fn(&RuleContext<'_>, &mut Vec<Diagnostic>);

/// A rule and its documentation. The doc sections are fields so that a test can check that
/// every rule has them, and the two fixtures are linted by that test: `example` must fire the
/// rule, `instead` must not.
#[derive(Debug)]
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub category: Category,
    pub severity: Severity,
    /// What it does: one sentence.
    pub summary: &'static str,
    /// Why is this bad?
    pub why: &'static str,
    /// A document that fires the rule (bytes, so that invalid UTF-8 can be shown).
    pub example: &'static [u8],
    /// What to write instead: a document that does not fire it.
    pub instead: &'static [u8],
    /// The kind the fixtures are linted as.
    pub kind: PolicyKind,
    pub check: Option<CheckFn>,
}

/// Rules are identified by their code.
impl PartialEq for Rule {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code
    }
}
impl Eq for Rule {}

impl Rule {
    /// The link to the rule's documentation (written out on demand: findings carry it).
    pub fn url(&self) -> RuleUrl {
        RuleUrl(self.code)
    }
}

/// A rule's documentation link, as [`std::fmt::Display`].
pub struct RuleUrl(&'static str);

impl std::fmt::Display for RuleUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("https://github.com/ramguard/ramguard/blob/main/docs/rules.md#")?;
        self.0
            .chars()
            .try_for_each(|c| std::fmt::Write::write_char(f, c.to_ascii_lowercase()))
    }
}

/// The policy rules and the meta rules in one table, sorted by code.
static ALL: LazyLock<Vec<&'static Rule>> = LazyLock::new(|| {
    let mut all: Vec<&'static Rule> = rules::ALL.iter().chain(meta::ALL).copied().collect();
    all.sort_by_key(|r| r.code);
    all
});

/// Every rule, sorted by code.
pub fn all() -> &'static [&'static Rule] {
    &ALL
}

/// Position of a rule in [`all`] (the SARIF `ruleIndex`, and the index of per-rule settings).
pub fn index_of(rule: &Rule) -> Option<usize> {
    // Asked for every finding and every rule of every file: a table by code number.
    static BY_NUMBER: LazyLock<Vec<Option<usize>>> = LazyLock::new(|| {
        let mut table = vec![None; 1000];
        for (i, r) in all().iter().enumerate() {
            if let Some(slot) = code_number(r.code).and_then(|n| table.get_mut(n)) {
                *slot = Some(i);
            }
        }
        table
    });
    let i = BY_NUMBER.get(code_number(rule.code)?).copied().flatten()?;
    (all().get(i)?.code == rule.code).then_some(i)
}

/// `RG123` -> 123.
fn code_number(code: &str) -> Option<usize> {
    code.strip_prefix("RG")?.parse().ok()
}

/// A rule by code (case-insensitive) or by name.
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    all()
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
}

display_as_str!(Category);
