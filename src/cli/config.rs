//! `ramguard.toml`: found in the current directory or a parent, or named with `--config`.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::policy::PolicyKind;

pub const FILE_NAME: &str = "ramguard.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub lint: LintConfig,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LintConfig {
    /// Globs (relative to the config file) of files that directory walks and globs skip.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Policy kind by path glob, for files linted without `--kind` (first match wins).
    #[serde(default)]
    pub kinds: std::collections::BTreeMap<String, String>,
}

/// A loaded configuration and the directory its relative globs are resolved against.
#[derive(Debug, Default)]
pub struct Loaded {
    pub config: Config,
    pub root: PathBuf,
    pub path: Option<PathBuf>,
    exclude: Vec<glob::Pattern>,
    kinds: Vec<(glob::Pattern, PolicyKind)>,
}

impl Loaded {
    /// Whether a discovered file is excluded.
    pub fn is_excluded(&self, path: &Path) -> bool {
        let rel = relative_to(path, &self.root);
        self.exclude.iter().any(|p| p.matches_path(&rel))
    }

    /// The kind configured for a file, if any.
    pub fn kind_of(&self, path: &Path) -> Option<PolicyKind> {
        let rel = relative_to(path, &self.root);
        self.kinds
            .iter()
            .find(|(p, _)| p.matches_path(&rel))
            .map(|(_, k)| *k)
    }
}

/// `path` relative to `root` when it lies below it (both made absolute first).
pub fn relative_to(path: &Path, root: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let clean: PathBuf = abs.components().collect();
    clean
        .strip_prefix(root)
        .map(Path::to_path_buf)
        .unwrap_or(clean)
}

/// Loads `explicit`, or the nearest `ramguard.toml` from the current directory upwards.
pub fn load(explicit: Option<&Path>) -> Result<Loaded, String> {
    let path = match explicit {
        Some(p) => Some(p.to_path_buf()),
        None => discover(),
    };
    let Some(path) = path else {
        let root = std::env::current_dir().unwrap_or_default();
        return Ok(Loaded {
            root,
            ..Loaded::default()
        });
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read config `{}`: {e}", path.display()))?;
    let config: Config =
        toml::from_str(&text).map_err(|e| format!("invalid config `{}`: {e}", path.display()))?;
    let abs = std::path::absolute(&path).unwrap_or_else(|_| path.clone());
    let root: PathBuf = abs
        .parent()
        .map(|p| p.components().collect())
        .unwrap_or_default();
    let exclude = config
        .lint
        .exclude
        .iter()
        .map(|g| {
            glob::Pattern::new(g)
                .map_err(|e| format!("invalid exclude glob `{g}` in `{}`: {e}", path.display()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let kinds = config
        .lint
        .kinds
        .iter()
        .map(|(g, k)| {
            let kind = PolicyKind::parse(k).ok_or_else(|| {
                format!(
                    "invalid kind `{k}` for `{g}` in `{}`: use identity, control, session or trust",
                    path.display()
                )
            })?;
            let pattern = glob::Pattern::new(g)
                .map_err(|e| format!("invalid kinds glob `{g}` in `{}`: {e}", path.display()))?;
            Ok((pattern, kind))
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Loaded {
        config,
        root,
        path: Some(path),
        exclude,
        kinds,
    })
}

fn discover() -> Option<PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    cwd.ancestors()
        .map(|d| d.join(FILE_NAME))
        .find(|p| p.is_file())
}
