//! Which findings a run reports: rule selection (`select`/`ignore`), severity overrides,
//! per-file ignores and `[[suppress]]` entries.
//!
//! Everything is compiled once ([`Settings::new`]) and then applied to one file at a time by
//! [`Settings::apply`], so that linting stays parallel; what each file used is returned and
//! merged afterwards by [`Settings::config_report`] to report stale and expired suppressions.

use std::path::Path;

use glob::{MatchOptions, Pattern};

use super::rules::grammar::UNREADABLE_FILE;
use super::{meta, registry, Diagnostic, FileReport, Rule, Severity};
use crate::catalog::suggest::did_you_mean;
use crate::source::{SourceFile, Span, Spanned};

/// Globs in the configuration match like `.gitignore` patterns: `*` stays within one directory,
/// `**` crosses directories.
const GLOB: MatchOptions = MatchOptions {
    case_sensitive: true,
    require_literal_separator: true,
    require_literal_leading_dot: false,
};

/// Whether a configuration glob matches a path relative to the configuration's directory.
pub fn glob_matches(pattern: &Pattern, path: &Path) -> bool {
    pattern.matches_path_with(path, GLOB)
}

/// A selector that names no rule; the message says so, with a did-you-mean.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UnknownSelector(pub String);

/// A rule code, a code prefix (`RG1`, `RG10`) or a rule name; stored as an upper-case code
/// prefix. It must match at least one rule, so a typo is an error rather than a no-op.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selector(String);

impl Selector {
    pub fn parse(text: &str) -> Result<Selector, UnknownSelector> {
        let text = text.trim();
        if let Some(rule) = registry::all().iter().find(|r| r.name == text) {
            return Ok(Selector(rule.code.to_string()));
        }
        let upper = text.to_ascii_uppercase();
        if !upper.is_empty() && registry::all().iter().any(|r| r.code.starts_with(&upper)) {
            return Ok(Selector(upper));
        }
        let candidates = registry::all().iter().flat_map(|r| [r.code, r.name]);
        let what =
            format!("`{text}` is neither a rule code, a code prefix (`RG1`) nor a rule name");
        Err(UnknownSelector(match did_you_mean(text, candidates) {
            Some(s) => format!("{what}: did you mean `{s}`? (`ramguard rules` lists them all)"),
            None => format!("{what} (`ramguard rules` lists every code and name)"),
        }))
    }

    pub fn matches(&self, code: &str) -> bool {
        code.starts_with(&self.0)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Longer prefixes are more specific: `RG101` beats `RG1`, which beats `RG`.
    fn specificity(&self) -> usize {
        self.0.len()
    }
}

/// The specificity of the most specific selector that matches `code`.
fn most_specific<'a>(
    selectors: impl IntoIterator<Item = &'a Selector>,
    code: &str,
) -> Option<usize> {
    selectors
        .into_iter()
        .filter(|s| s.matches(code))
        .map(Selector::specificity)
        .max()
}

/// `[[lint.per-file-ignores]]`: rules switched off for the files a glob matches.
#[derive(Clone, Debug)]
pub struct PerFileIgnore {
    pub path: Pattern,
    pub codes: Vec<Selector>,
}

/// One `[[suppress]]` entry: findings of `code` in the files `path` matches (optionally only in
/// the statement with `sid`, or under the JSON `pointer`) are accepted, for `reason`.
#[derive(Clone, Debug)]
pub struct Suppression {
    pub code: Selector,
    pub path: Pattern,
    pub sid: Option<String>,
    pub pointer: Option<String>,
    /// The document address inside a host file (`alicloud_ram_policy.backup`) (rev 2).
    pub document: Option<String>,
    pub reason: String,
    /// The `expires` date as written, with its span in the configuration.
    pub expires: Option<Spanned<String>>,
    /// The date has passed: the entry suppresses nothing and is reported (RG091).
    pub expired: bool,
    /// The entry in the configuration text (where RG090 points).
    pub span: Span,
}

impl Suppression {
    fn matches(&self, d: &Diagnostic, report: &FileReport) -> bool {
        self.code.matches(d.rule.code)
            && self
                .pointer
                .as_deref()
                .map_or(true, |p| pointer_under(&d.pointer, p))
            && self
                .sid
                .as_deref()
                .map_or(true, |sid| report.sid_at(d.span) == Some(sid))
            && self
                .document
                .as_deref()
                .map_or(true, |a| d.document.as_deref() == Some(a))
    }
}

/// `pointer` is `prefix` or lies below it (whole segments: `/Statement/1` does not cover
/// `/Statement/10`).
fn pointer_under(pointer: &str, prefix: &str) -> bool {
    let prefix = prefix.strip_suffix('/').unwrap_or(prefix);
    pointer
        .strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Per rule of [`registry::all`] (same order): whether it runs, and a severity override.
#[derive(Clone, Copy, Debug)]
struct RuleSetting {
    enabled: bool,
    severity: Option<Severity>,
}

/// Everything that decides which findings a run reports, compiled once.
#[derive(Clone, Debug)]
pub struct Settings {
    rules: Vec<RuleSetting>,
    per_file: Vec<PerFileIgnore>,
    suppressions: Vec<Suppression>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings::new(None, &[], &[], Vec::new(), Vec::new())
    }
}

/// What [`Settings::apply`] did to one file.
#[derive(Clone, Debug, Default)]
pub struct Applied {
    /// Findings taken out by a `[[suppress]]` entry, with the entry's index.
    pub suppressed: Vec<(Diagnostic, usize)>,
    /// Indices of the (unexpired) entries whose `path` matches this file.
    pub in_scope: Vec<usize>,
    /// Indices of the entries that suppressed something here, sorted.
    pub used: Vec<usize>,
}

impl Settings {
    /// Rule selection follows ruff: among the `select` and `ignore` selectors that match a code,
    /// the most specific one decides, and `ignore` wins a tie. Without `select` every rule is
    /// selected. `unreadable-file` (RG000) is always reported: it makes the run exit 2.
    pub fn new(
        select: Option<&[Selector]>,
        ignore: &[Selector],
        severity: &[(Selector, Severity)],
        per_file: Vec<PerFileIgnore>,
        suppressions: Vec<Suppression>,
    ) -> Settings {
        let rules = registry::all()
            .iter()
            .map(|rule| {
                if rule.code == UNREADABLE_FILE.code {
                    return RuleSetting {
                        enabled: true,
                        severity: None,
                    };
                }
                let selected = match select {
                    None => Some(0),
                    Some(s) => most_specific(s, rule.code),
                };
                let enabled = match (selected, most_specific(ignore, rule.code)) {
                    (Some(s), Some(i)) => s > i,
                    (Some(_), None) => true,
                    (None, _) => false,
                };
                let severity = severity
                    .iter()
                    .filter(|(s, _)| s.matches(rule.code))
                    .max_by_key(|(s, _)| s.specificity())
                    .map(|(_, sev)| *sev);
                RuleSetting { enabled, severity }
            })
            .collect();
        Settings {
            rules,
            per_file,
            suppressions,
        }
    }

    pub fn suppressions(&self) -> &[Suppression] {
        &self.suppressions
    }

    /// Whether `rule` runs at all (before per-file ignores and suppressions).
    pub fn is_enabled(&self, rule: &Rule) -> bool {
        self.setting(rule).map_or(true, |s| s.enabled)
    }

    fn setting(&self, rule: &Rule) -> Option<&RuleSetting> {
        registry::index_of(rule).and_then(|i| self.rules.get(i))
    }

    /// Selection and severity override for one finding; `None` when its rule is not selected.
    fn select(&self, mut d: Diagnostic) -> Option<Diagnostic> {
        match self.setting(d.rule) {
            Some(s) if !s.enabled => None,
            Some(RuleSetting {
                severity: Some(sev),
                ..
            }) => {
                d.severity = *sev;
                Some(d)
            }
            _ => Some(d),
        }
    }

    /// Applies everything to one file's findings. `path` is the file relative to the
    /// configuration's directory (what the globs are written against).
    pub fn apply(&self, report: &mut FileReport, path: &Path) -> Applied {
        let ignored: Vec<&Selector> = self
            .per_file
            .iter()
            .filter(|p| glob_matches(&p.path, path))
            .flat_map(|p| &p.codes)
            .collect();
        let in_scope: Vec<(usize, &Suppression)> = self
            .suppressions
            .iter()
            .enumerate()
            .filter(|(_, s)| !s.expired && glob_matches(&s.path, path))
            .collect();
        let mut applied = Applied {
            in_scope: in_scope.iter().map(|(i, _)| *i).collect(),
            ..Applied::default()
        };
        let diagnostics = std::mem::take(&mut report.diagnostics);
        for d in diagnostics {
            if d.rule.code == UNREADABLE_FILE.code {
                report.diagnostics.push(d);
                continue;
            }
            let Some(d) = self.select(d) else { continue };
            if ignored.iter().any(|s| s.matches(d.rule.code)) {
                continue;
            }
            match in_scope.iter().find(|(_, s)| s.matches(&d, report)) {
                Some((i, _)) => {
                    applied.used.push(*i);
                    applied.suppressed.push((d, *i));
                }
                None => report.diagnostics.push(d),
            }
        }
        applied.used.sort_unstable();
        applied.used.dedup();
        applied
    }

    /// Findings about the configuration itself (`source`): expired entries (RG091), and entries
    /// that suppressed nothing (RG090) although their files were linted (`in_scope[i]`) or
    /// because `matches_any_file` finds no file for their `path`. An entry whose rules are all
    /// deselected in this run is not judged. Selection and severity overrides apply as usual.
    pub fn config_report(
        &self,
        source: SourceFile,
        used: &[bool],
        in_scope: &[bool],
        matches_any_file: &dyn Fn(&Suppression) -> bool,
    ) -> FileReport {
        let mut diagnostics = Vec::new();
        for (i, s) in self.suppressions.iter().enumerate() {
            let what = format!(
                "suppression of `{}` for `{}`",
                s.code.as_str(),
                s.path.as_str()
            );
            // Findings in the configuration point into its data like findings in a policy.
            let pointer = format!("/suppress/{i}");
            if s.expired {
                let (span, date) = match &s.expires {
                    Some(e) => (e.span, e.value.as_str()),
                    None => (s.span, ""),
                };
                let mut d = Diagnostic::new(
                    &meta::EXPIRED_SUPPRESSION,
                    span,
                    format!("{what} expired on {date}"),
                )
                .help("fix the findings and remove the entry, or renew it with a new `expires` date and reason");
                d.pointer = format!("{pointer}/expires");
                diagnostics.push(d);
                continue;
            }
            if used.get(i).copied().unwrap_or(false) || !self.selects_enabled_rule(&s.code) {
                continue;
            }
            let message = if in_scope.get(i).copied().unwrap_or(false) {
                format!("{what} matched no finding")
            } else if !matches_any_file(s) {
                format!("{what} matches no file")
            } else {
                // Its files were not linted in this run: nothing to say about it.
                continue;
            };
            let mut d = Diagnostic::new(&meta::UNUSED_SUPPRESSION, s.span, message)
                .help("remove the entry, or correct its `code`, `path`, `sid` or `pointer`");
            d.pointer = pointer;
            diagnostics.push(d);
        }
        let mut diagnostics: Vec<Diagnostic> = diagnostics
            .into_iter()
            .filter_map(|d| self.select(d))
            .collect();
        diagnostics.sort_by(|a, b| (a.span.start, a.rule.code).cmp(&(b.span.start, b.rule.code)));
        FileReport {
            source,
            diagnostics,
            sids: Vec::new(),
        }
    }

    fn selects_enabled_rule(&self, selector: &Selector) -> bool {
        registry::all()
            .iter()
            .zip(&self.rules)
            .any(|(r, s)| s.enabled && selector.matches(r.code))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(s: &str) -> Selector {
        Selector::parse(s).unwrap()
    }

    fn enabled(settings: &Settings, code: &str) -> bool {
        settings.is_enabled(registry::find(code).unwrap())
    }

    #[test]
    fn most_specific_selector_wins() {
        let s = Settings::new(
            Some(&[sel("RG0"), sel("RG013")]),
            &[sel("RG01")],
            &[],
            vec![],
            vec![],
        );
        assert!(enabled(&s, "RG001"));
        assert!(!enabled(&s, "RG014"));
        assert!(enabled(&s, "RG013"));
        // A tie goes to ignore.
        let s = Settings::new(Some(&[sel("RG01")]), &[sel("RG01")], &[], vec![], vec![]);
        assert!(!enabled(&s, "RG014"));
        // Not selected at all.
        let s = Settings::new(Some(&[sel("RG01")]), &[], &[], vec![], vec![]);
        assert!(!enabled(&s, "RG001"));
        // RG000 cannot be switched off.
        let s = Settings::new(None, &[sel("RG0")], &[], vec![], vec![]);
        assert!(enabled(&s, "RG000"));
        assert!(!enabled(&s, "RG001"));
    }

    #[test]
    fn selectors_are_checked() {
        assert_eq!(sel("rg01").as_str(), "RG01");
        assert_eq!(sel("duplicate-sid").as_str(), "RG034");
        let e = Selector::parse("RG9999").unwrap_err().to_string();
        assert!(e.contains("`RG9999` is neither a rule code"), "{e}");
        assert!(e.contains("`ramguard rules` lists"), "{e}");
        let e = Selector::parse("duplicate-sdi").unwrap_err().to_string();
        assert!(e.contains("did you mean `duplicate-sid`"), "{e}");
        assert!(Selector::parse("").is_err());
    }

    #[test]
    fn pointers_match_whole_segments() {
        assert!(pointer_under("/Statement/1/Action", "/Statement/1"));
        assert!(pointer_under("/Statement/1", "/Statement/1"));
        assert!(pointer_under("/Statement/1", "/Statement/1/"));
        assert!(!pointer_under("/Statement/10", "/Statement/1"));
        assert!(pointer_under("/Statement/0", ""));
    }

    #[test]
    fn globs_do_not_cross_directories_with_one_star() {
        let p = Pattern::new("policies/*.json").unwrap();
        assert!(glob_matches(&p, Path::new("policies/a.json")));
        assert!(!glob_matches(&p, Path::new("policies/x/a.json")));
        let p = Pattern::new("policies/**/*.json").unwrap();
        assert!(glob_matches(&p, Path::new("policies/x/y/a.json")));
        assert!(glob_matches(&p, Path::new("policies/a.json")));
    }
}
