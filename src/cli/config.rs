//! `ramguard.toml`: for each linted file, the nearest one above it (its directory or a parent),
//! or the one named with `--config`.
//!
//! ```toml
//! [lint]
//! exclude = ["policies/invalid/**"]      # skipped by directory walks and globs
//! select = ["RG0", "RG1"]                 # codes, prefixes or rule names; default: all
//! ignore = ["RG013"]                      # the most specific selector wins, ignore wins ties
//!
//! [lint.kinds]                            # policy kind by glob
//! "policies/trust/**" = "trust"
//!
//! [lint.severity]                         # severity overrides by code or prefix
//! RG034 = "error"
//!
//! [[lint.per-file-ignores]]
//! path = "policies/legacy/**"
//! codes = ["RG3"]
//!
//! [[suppress]]                            # one accepted finding (or a few)
//! code = "RG101"
//! path = "policies/break-glass.json"
//! sid = "BreakGlass"                      # or pointer = "/Statement/0"
//! # document = "alicloud_ram_policy.x"    # in a host file: the document's address
//! reason = "break-glass role, reviewed in SEC-1234"
//! expires = "2026-12-31"                  # optional
//! ```
//!
//! Globs are relative to the directory of the configuration file. Unknown keys, missing
//! `reason`s, unknown rule codes, bad globs and bad dates are errors that name the line.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use glob::Pattern;
use serde::Deserialize;
use toml::Spanned;

use crate::lint::select::{self, PerFileIgnore, Selector, Settings, Suppression};
use crate::lint::Severity;
use crate::policy::PolicyKind;
use crate::source::{self, SourceFile, Span};

pub const FILE_NAME: &str = "ramguard.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    #[serde(default)]
    lint: LintConfig,
    #[serde(default)]
    suppress: Vec<Spanned<SuppressEntry>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct LintConfig {
    /// Globs of files that directory walks and globs skip.
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    /// Policy kind by path glob, for files linted without `--kind` (first match wins).
    #[serde(default)]
    kinds: BTreeMap<String, Spanned<String>>,
    select: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    #[serde(default)]
    severity: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    per_file_ignores: Vec<PerFileEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PerFileEntry {
    path: Spanned<String>,
    codes: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SuppressEntry {
    code: Spanned<String>,
    path: Spanned<String>,
    sid: Option<String>,
    pointer: Option<Spanned<String>>,
    /// A document address inside a host file (`alicloud_ram_policy.backup`).
    document: Option<String>,
    reason: Spanned<String>,
    /// `"2026-12-31"` or a TOML date `2026-12-31`.
    expires: Option<Spanned<toml::Value>>,
}

/// `--select` / `--ignore` from the command line: each replaces its counterpart in the file.
#[derive(Debug, Default)]
pub struct Overrides {
    pub select: Option<Vec<String>>,
    pub ignore: Option<Vec<String>>,
}

/// A loaded configuration and the directory its relative globs are resolved against.
#[derive(Debug, Default)]
pub struct Loaded {
    pub root: PathBuf,
    /// The current directory, read once: relative paths are resolved for every file linted.
    cwd: PathBuf,
    /// The configuration file as shown to users, and its text (findings can point into it).
    pub source: Option<SourceFile>,
    pub settings: Settings,
    exclude: Vec<Pattern>,
    kinds: Vec<(Pattern, PolicyKind)>,
}

impl Loaded {
    /// `path` relative to the configuration's directory, what its globs match against.
    pub fn relative(&self, path: &Path) -> PathBuf {
        let clean = absolute_from(path, &self.cwd);
        match clean.strip_prefix(&self.root) {
            Ok(rel) => rel.to_path_buf(),
            Err(_) => clean,
        }
    }

    /// Whether a file is excluded (`rel` as given by [`Loaded::relative`]).
    pub fn is_excluded(&self, rel: &Path) -> bool {
        self.exclude.iter().any(|p| select::glob_matches(p, rel))
    }

    /// [`Loaded::is_excluded`] for a path as found: made relative only when there are patterns
    /// (every file of a walk is asked).
    pub fn excludes(&self, path: &Path) -> bool {
        !self.exclude.is_empty() && self.is_excluded(&self.relative(path))
    }

    /// The kind configured for a file, if any.
    pub fn kind_of(&self, rel: &Path) -> Option<PolicyKind> {
        self.kinds
            .iter()
            .find(|(p, _)| select::glob_matches(p, rel))
            .map(|(_, k)| *k)
    }

    /// Whether any file on disk matches a suppression's `path` (for stale entries whose files
    /// were not part of the run). The search is a walk of the configuration's directory, the
    /// same as `lint`'s (no link to a directory followed, so a link cycle cannot hang it).
    pub fn matches_any_file(&self, s: &Suppression) -> bool {
        // The root is a literal path: `[` in a directory name must not start a character class.
        let Some(root) = self.root.to_str() else {
            return true;
        };
        let pattern = Path::new(&Pattern::escape(root)).join(s.path.as_str());
        match pattern.to_str().map(Pattern::new) {
            Some(Ok(pattern)) => super::files::any_match(&self.root, &pattern),
            // Not knowable: do not call the entry stale.
            _ => true,
        }
    }
}

/// The configurations of one run: the file `--config` names, or for each linted file the
/// `ramguard.toml` nearest above it (its own directory or a parent), so the answer does not
/// depend on the directory ramguard is started from.
pub struct Configs<'a> {
    overrides: &'a Overrides,
    cwd: PathBuf,
    explicit: bool,
    pub list: Vec<Loaded>,
    /// Directory (absolute) -> index in `list`.
    by_dir: HashMap<PathBuf, usize>,
    /// The index of the defaults (no configuration file found), once made.
    default: Option<usize>,
    /// The first configuration that could not be loaded.
    pub error: Option<String>,
}

impl<'a> Configs<'a> {
    /// With `explicit`, that file is loaded now (and is every file's configuration).
    pub fn new(explicit: Option<&Path>, overrides: &'a Overrides) -> Result<Configs<'a>, String> {
        let mut configs = Configs {
            overrides,
            cwd: std::env::current_dir().unwrap_or_default(),
            explicit: explicit.is_some(),
            list: Vec::new(),
            by_dir: HashMap::new(),
            default: None,
            error: None,
        };
        if let Some(path) = explicit {
            configs.list.push(load_file(path, overrides)?);
        }
        Ok(configs)
    }

    /// The index in [`Configs::list`] of the configuration for `path` (a file, or a directory
    /// for standard input); a configuration that cannot be loaded is kept in `error` and the
    /// defaults are used meanwhile.
    pub fn for_path(&mut self, path: &Path, is_dir: bool) -> usize {
        if self.explicit {
            return 0;
        }
        let absolute = absolute_from(path, &self.cwd);
        let start = if is_dir {
            Some(absolute.as_path())
        } else {
            absolute.parent()
        };
        let mut visited = Vec::new();
        let mut found = None;
        for dir in start.into_iter().flat_map(Path::ancestors) {
            if let Some(&i) = self.by_dir.get(dir) {
                found = Some(i);
                break;
            }
            visited.push(dir.to_path_buf());
            let candidate = dir.join(FILE_NAME);
            if candidate.is_file() {
                match load_file(&candidate, self.overrides) {
                    Ok(loaded) => {
                        self.list.push(loaded);
                        found = Some(self.list.len() - 1);
                    }
                    Err(e) => {
                        self.error.get_or_insert(e);
                    }
                }
                break;
            }
        }
        let index = match found {
            Some(i) => i,
            None => self.defaults(),
        };
        for dir in visited {
            self.by_dir.insert(dir, index);
        }
        index
    }

    fn defaults(&mut self) -> usize {
        if let Some(i) = self.default {
            return i;
        }
        let loaded = match settings(&LintConfig::default(), Vec::new(), self.overrides, None) {
            Ok(settings) => Loaded {
                root: self.cwd.clone(),
                cwd: self.cwd.clone(),
                settings,
                ..Loaded::default()
            },
            Err(e) => {
                self.error.get_or_insert(e);
                Loaded::default()
            }
        };
        self.list.push(loaded);
        self.default = Some(self.list.len() - 1);
        self.list.len() - 1
    }
}

/// `path` made absolute against `cwd`, without `.` components (`..` is kept, as
/// [`std::path::absolute`] does: symlinks make it unsafe to fold).
fn absolute_from(path: &Path, cwd: &Path) -> PathBuf {
    if path.is_absolute() {
        path.components().collect()
    } else {
        cwd.join(path).components().collect()
    }
}

/// A path as shown to users: relative to the current directory (`../ramguard.toml` when it
/// was found in a parent), else as it is.
fn display(path: &Path) -> String {
    let shown = match std::env::current_dir() {
        Ok(cwd) if path.is_absolute() => relative_from(path, &cwd),
        _ => path.to_path_buf(),
    };
    let s = shown.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

fn relative_from(path: &Path, base: &Path) -> PathBuf {
    let path: Vec<Component> = path.components().collect();
    let base: Vec<Component> = base.components().collect();
    let common = path.iter().zip(&base).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return path.iter().collect();
    }
    let mut out: PathBuf = base
        .iter()
        .skip(common)
        .map(|_| Component::ParentDir)
        .collect();
    out.extend(path.iter().skip(common));
    out
}

/// An error in the configuration, located at `span` of its text.
struct Located<'a> {
    name: &'a str,
    source: &'a SourceFile,
}

impl Located<'_> {
    fn at(&self, span: Range<usize>, message: impl std::fmt::Display) -> String {
        let at = self.source.line_col(span.start);
        format!("{}:{}:{}: {message}", self.name, at.line, at.column)
    }
}

/// Loads the configuration file at `path` and compiles it with the command-line `overrides`.
fn load_file(path: &Path, overrides: &Overrides) -> Result<Loaded, String> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let name = display(path);
    let text = source::read_input_text(path, source::MAX_INPUT_BYTES)
        .map_err(|e| format!("cannot read config `{name}`: {e}"))?;
    let config: Config =
        toml::from_str(&text).map_err(|e| format!("invalid config `{name}`: {e}"))?;
    let source = SourceFile::new(name.as_str(), text.as_str());
    let loc = Located {
        name: &name,
        source: &source,
    };
    let root = absolute_from(path, &cwd)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();

    let exclude = config
        .lint
        .exclude
        .iter()
        .map(|g| pattern(&loc, g))
        .collect::<Result<Vec<_>, _>>()?;
    let kinds = config
        .lint
        .kinds
        .iter()
        .map(|(g, k)| {
            let kind = PolicyKind::parse(k.get_ref()).ok_or_else(|| {
                loc.at(
                    k.span(),
                    format!(
                        "invalid kind `{}`: use identity, control, session, trust, oss-bucket or kms-key",
                        k.get_ref()
                    ),
                )
            })?;
            let pattern = Pattern::new(g)
                .map_err(|e| loc.at(k.span(), format!("invalid glob `{g}`: {e}")))?;
            Ok((pattern, kind))
        })
        .collect::<Result<Vec<_>, String>>()?;
    let today = time::OffsetDateTime::now_utc().date();
    let suppressions = config
        .suppress
        .iter()
        .map(|entry| suppression(&loc, entry, today))
        .collect::<Result<Vec<_>, _>>()?;
    let settings = settings(&config.lint, suppressions, overrides, Some(&loc))?;
    Ok(Loaded {
        root,
        cwd,
        source: Some(source.clone()),
        settings,
        exclude,
        kinds,
    })
}

fn pattern(loc: &Located, glob: &Spanned<String>) -> Result<Pattern, String> {
    Pattern::new(glob.get_ref()).map_err(|e| {
        loc.at(
            glob.span(),
            format!("invalid glob `{}`: {e}", glob.get_ref()),
        )
    })
}

fn selector(loc: &Located, text: &Spanned<String>) -> Result<Selector, String> {
    Selector::parse(text.get_ref()).map_err(|e| loc.at(text.span(), e))
}

/// Compiles selection, severities, per-file ignores and `suppressions`. `loc` is `None` when
/// there is no configuration file.
fn settings(
    lint: &LintConfig,
    suppressions: Vec<Suppression>,
    overrides: &Overrides,
    loc: Option<&Located>,
) -> Result<Settings, String> {
    let in_file = |list: &[Spanned<String>]| -> Result<Vec<Selector>, String> {
        match loc {
            Some(loc) => list.iter().map(|s| selector(loc, s)).collect(),
            None => Ok(Vec::new()),
        }
    };
    let on_command_line = |flag: &str, list: &[String]| -> Result<Vec<Selector>, String> {
        list.iter()
            .map(|s| Selector::parse(s).map_err(|e| format!("{flag}: {e}")))
            .collect()
    };
    let select = match (&overrides.select, &lint.select) {
        (Some(cli), _) => Some(on_command_line("--select", cli)?),
        (None, Some(file)) => Some(in_file(file)?),
        (None, None) => None,
    };
    let ignore = match &overrides.ignore {
        Some(cli) => on_command_line("--ignore", cli)?,
        None => in_file(&lint.ignore)?,
    };
    let mut severity = Vec::new();
    let mut per_file = Vec::new();
    if let Some(loc) = loc {
        for (code, level) in &lint.severity {
            let sev = Severity::parse(level.get_ref()).ok_or_else(|| {
                loc.at(
                    level.span(),
                    format!(
                        "invalid severity `{}`: use error, warning or info",
                        level.get_ref()
                    ),
                )
            })?;
            let sel = Selector::parse(code).map_err(|e| loc.at(level.span(), e))?;
            severity.push((sel, sev));
        }
        for entry in &lint.per_file_ignores {
            per_file.push(PerFileIgnore {
                path: pattern(loc, &entry.path)?,
                codes: in_file(&entry.codes)?,
            });
        }
    }
    Ok(Settings::new(
        select.as_deref(),
        &ignore,
        &severity,
        per_file,
        suppressions,
    ))
}

fn suppression(
    loc: &Located,
    entry: &Spanned<SuppressEntry>,
    today: time::Date,
) -> Result<Suppression, String> {
    let e = entry.get_ref();
    if e.reason.get_ref().trim().is_empty() {
        return Err(loc.at(
            e.reason.span(),
            "a suppression needs a `reason`: say why the finding is accepted",
        ));
    }
    // A suppression speaks of files under the configuration's directory: `..` or an absolute
    // path would also make the stale-entry check search the whole disk.
    let escapes = Path::new(e.path.get_ref())
        .components()
        .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir));
    if escapes {
        return Err(loc.at(
            e.path.span(),
            format!(
                "invalid `path` `{}`: it must be relative to the configuration's directory, without `..`",
                e.path.get_ref()
            ),
        ));
    }
    if let Some(p) = &e.pointer {
        if !p.get_ref().is_empty() && !p.get_ref().starts_with('/') {
            return Err(loc.at(
                p.span(),
                format!(
                    "invalid `pointer` `{}`: a JSON Pointer is empty or starts with `/`, e.g. `/Statement/0`",
                    p.get_ref()
                ),
            ));
        }
    }
    let expires = match &e.expires {
        None => None,
        Some(v) => {
            let text = match v.get_ref() {
                toml::Value::String(s) => s.clone(),
                toml::Value::Datetime(d) if d.time.is_none() && d.offset.is_none() => d.to_string(),
                other => other.to_string(),
            };
            let date = time::Date::parse(
                &text,
                time::macros::format_description!("[year]-[month]-[day]"),
            )
            .map_err(|_| {
                loc.at(
                    v.span(),
                    format!("invalid `expires` date `{text}`: write it as YYYY-MM-DD"),
                )
            })?;
            Some((text, date, v.span()))
        }
    };
    Ok(Suppression {
        code: selector(loc, &e.code)?,
        path: pattern(loc, &e.path)?,
        sid: e.sid.clone(),
        pointer: e.pointer.as_ref().map(|p| p.get_ref().clone()),
        document: e.document.clone(),
        reason: e.reason.get_ref().trim().to_string(),
        // The entry holds on the day it names and expires after it.
        expired: expires.as_ref().is_some_and(|(_, date, _)| *date < today),
        expires: expires
            .map(|(text, _, span)| source::Spanned::new(text, Span::new(span.start, span.end))),
        span: Span::new(entry.span().start, entry.span().end),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suppress_entry_span_covers_the_entry() {
        let text = "[lint]\nexclude = []\n\n[[suppress]]\ncode = \"RG0\"\npath = \"a.json\"\nreason = \"x\"\n";
        let c: Config = toml::from_str(text).unwrap();
        let span = c.suppress[0].span();
        let s = &text[span.clone()];
        // From the header to the last value: what RG090 underlines.
        assert!(
            s.starts_with("[[suppress]]") && s.ends_with("reason = \"x\""),
            "{s:?}"
        );
    }

    #[test]
    fn relative_paths_climb() {
        assert_eq!(
            relative_from(Path::new("/a/b/ramguard.toml"), Path::new("/a/b/c/d")),
            PathBuf::from("../../ramguard.toml")
        );
        assert_eq!(
            relative_from(Path::new("/a/b/x.json"), Path::new("/a/b")),
            PathBuf::from("x.json")
        );
    }
}
