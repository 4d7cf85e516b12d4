//! Which files a `lint` run reads: explicit files, directories searched for policy files, globs,
//! and `-` (standard input).
//!
//! Directory walks, and globs (which walk from their literal prefix), skip hidden directories
//! (`.git`), `target/` and `node_modules/`, and never follow a symbolic link to a directory, so
//! a link cycle cannot make them loop; how many directories were skipped is said on stderr.
//! Files are de-duplicated by their real path, so two spellings of one file (`./a.json`,
//! `a.json`, a link) are linted once and two files whose names differ only in bytes that are
//! not UTF-8 are both linted.

use std::borrow::Cow;
use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

use glob::{MatchOptions, Pattern};

/// The extensions a directory walk picks (a file named explicitly is linted whatever its
/// extension). The one list: readers of new host formats add theirs here.
pub const WALK_EXTENSIONS: &[&str] = &["json", "tf", "yaml", "yml"];

/// The directory names a walk does not enter (besides hidden ones, whose name starts with `.`).
pub const SKIPPED_DIRS: &[&str] = &["target", "node_modules"];

/// The name standard input is shown under.
pub const STDIN_NAME: &str = "<stdin>";

/// One input: a path to read, standard input, or a path that could not be expanded (reported
/// as unreadable).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    File(PathBuf),
    Stdin,
    Missing(PathBuf, String),
}

impl Input {
    pub fn path(&self) -> &Path {
        match self {
            Input::File(p) | Input::Missing(p, _) => p,
            Input::Stdin => Path::new(STDIN_NAME),
        }
    }
}

/// What the PATH arguments expanded to.
#[derive(Debug, Default)]
pub struct Expanded {
    /// Sorted by the name shown, de-duplicated by real path.
    pub inputs: Vec<Input>,
    /// Directories not entered: hidden, `target/`, `node_modules/`, links to directories.
    pub skipped_dirs: usize,
    /// Arguments that yielded no file, each with the number of files the configuration
    /// excluded from it.
    pub empty: Vec<(String, usize)>,
}

fn is_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// Whether a walk picks this file (by its extension).
pub fn walk_picks(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| WALK_EXTENSIONS.iter().any(|w| e.eq_ignore_ascii_case(w)))
}

fn skips_dir(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('.') && name != "." && name != ".." || SKIPPED_DIRS.contains(&name.as_ref())
}

/// Counts of one argument's expansion.
#[derive(Default)]
struct Found {
    files: usize,
    excluded: usize,
}

/// Expands the PATH arguments. Files found by walking a directory or matching a glob are
/// dropped when `excluded` says so; a file named explicitly is always read.
pub fn expand(paths: &[String], excluded: &dyn Fn(&Path) -> bool) -> Expanded {
    let mut out = Expanded::default();
    // Each input with its real path when the walk that found it knows it already.
    let mut inputs: Vec<(Input, Option<PathBuf>)> = Vec::new();
    for p in paths {
        let path = Path::new(p);
        let mut found = Found::default();
        if p == "-" {
            inputs.push((Input::Stdin, None));
            continue;
        }
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => {
                walk(path, None, excluded, &mut inputs, &mut found, &mut out);
            }
            // A file, or a FIFO or device named explicitly: reading it says what it is.
            Ok(_) => {
                inputs.push((Input::File(path.to_path_buf()), None));
                continue;
            }
            Err(_) if is_glob(p) => match Pattern::new(p) {
                Ok(pattern) => {
                    let base = literal_prefix(path);
                    let before = inputs.len();
                    if base.as_os_str().is_empty() || base.is_dir() {
                        walk(
                            &base,
                            Some(&pattern),
                            excluded,
                            &mut inputs,
                            &mut found,
                            &mut out,
                        );
                    }
                    if inputs.len() == before && found.excluded == 0 {
                        inputs.push((
                            Input::Missing(
                                path.to_path_buf(),
                                "no file matches this pattern".into(),
                            ),
                            None,
                        ));
                    } else if found.files == 0 {
                        out.empty.push((p.clone(), found.excluded));
                    }
                    continue;
                }
                Err(e) => {
                    inputs.push((
                        Input::Missing(path.to_path_buf(), format!("invalid glob pattern: {e}")),
                        None,
                    ));
                    continue;
                }
            },
            Err(_) => {
                inputs.push((
                    Input::Missing(path.to_path_buf(), "no such file or directory".into()),
                    None,
                ));
                continue;
            }
        }
        if found.files == 0 {
            out.empty.push((p.clone(), found.excluded));
        }
    }
    // In the order of the names as shown, which is the order of the output (CLI.md: by file),
    // the bytes breaking ties; each real file once.
    inputs.sort_by_cached_key(|(i, _)| (display(i.path()), i.path().as_os_str().to_owned()));
    let mut seen = HashSet::new();
    inputs.retain(|(i, real)| match i {
        Input::File(p) => seen.insert(real.clone().unwrap_or_else(|| real_path(p))),
        Input::Stdin => seen.insert(PathBuf::from("-")),
        Input::Missing(..) => true,
    });
    out.inputs = inputs.into_iter().map(|(i, _)| i).collect();
    out
}

/// The path with links resolved, or made absolute when it cannot be resolved.
fn real_path(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| std::path::absolute(path).unwrap_or_default())
}

/// The leading components of a glob that hold no pattern character: where its walk starts.
fn literal_prefix(pattern: &Path) -> PathBuf {
    let mut base = PathBuf::new();
    for c in pattern.components() {
        match c {
            Component::Normal(s) if is_glob(&s.to_string_lossy()) => break,
            c => base.push(c),
        }
    }
    base
}

const GLOB: MatchOptions = MatchOptions {
    case_sensitive: true,
    require_literal_separator: true,
    require_literal_leading_dot: false,
};

/// Collects the files under `dir`: with no pattern, those a walk picks; with one, the files it
/// matches and the files a walk picks under the directories it matches. Uses an explicit
/// stack (deep trees cannot overflow the call stack) and does not follow links to directories.
///
/// Since no link to a directory is entered, a file found that is not a link itself has the
/// real path of `dir` joined with its path below `dir`: one `canonicalize` per walk instead of
/// one per file (which resolves every component anew).
fn walk(
    dir: &Path,
    pattern: Option<&Pattern>,
    excluded: &dyn Fn(&Path) -> bool,
    out: &mut Vec<(Input, Option<PathBuf>)>,
    found: &mut Found,
    expanded: &mut Expanded,
) {
    // How deep below `dir` a match can lie: a pattern without `**` matches at one depth only,
    // so the walk does not search the whole tree for `policies/*.json`.
    let max_depth = match pattern {
        Some(p) if !p.as_str().contains("**") => Path::new(p.as_str())
            .components()
            .count()
            .saturating_sub(dir.components().count()),
        _ => usize::MAX,
    };
    // Each directory with its depth below `dir` and whether a pattern matched it or a
    // directory above it.
    let real_dir = std::fs::canonicalize(if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    })
    .ok();
    let mut stack = vec![(dir.to_path_buf(), 0usize, pattern.is_none())];
    while let Some((d, depth, picked)) = stack.pop() {
        let read = if d.as_os_str().is_empty() {
            std::fs::read_dir(".")
        } else {
            std::fs::read_dir(&d)
        };
        let entries = match read {
            Ok(e) => e,
            Err(e) => {
                out.push((Input::Missing(d.clone(), e.to_string()), None));
                continue;
            }
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let path = d.join(&name);
            let Ok(ft) = entry.file_type() else { continue };
            let matched = pattern.is_some_and(|p| p.matches_path_with(&path, GLOB));
            if ft.is_dir() {
                if skips_dir(&name) {
                    expanded.skipped_dirs += 1;
                } else if picked || matched || depth + 1 < max_depth {
                    stack.push((path, depth + 1, picked || matched));
                }
                continue;
            }
            if ft.is_symlink() && path.is_dir() {
                expanded.skipped_dirs += 1;
                continue;
            }
            let file = ft.is_file() || ft.is_symlink() && path.is_file();
            if file && (matched || picked && walk_picks(&path)) {
                if excluded(&path) {
                    found.excluded += 1;
                } else {
                    found.files += 1;
                    let real = match (&real_dir, ft.is_symlink()) {
                        (Some(root), false) => path.strip_prefix(dir).ok().map(|r| root.join(r)),
                        _ => None,
                    };
                    out.push((Input::File(path), real));
                }
            }
        }
    }
}

/// Whether any file under `dir` matches `pattern` (as [`expand`] would find it for a glob).
pub fn any_match(dir: &Path, pattern: &Pattern) -> bool {
    let mut inputs = Vec::new();
    walk(
        dir,
        Some(pattern),
        &|_| false,
        &mut inputs,
        &mut Found::default(),
        &mut Expanded::default(),
    );
    inputs.iter().any(|(i, _)| matches!(i, Input::File(_)))
}

/// The path as shown to users: relative paths stay as given, without a leading `./`; bytes
/// that are not UTF-8 are shown as U+FFFD (the real path is what is read).
pub fn display(path: &Path) -> String {
    shown(path).into_owned()
}

fn shown(path: &Path) -> Cow<'_, str> {
    match path.to_string_lossy() {
        Cow::Borrowed(s) => Cow::Borrowed(s.strip_prefix("./").unwrap_or(s)),
        Cow::Owned(s) => Cow::Owned(s.strip_prefix("./").unwrap_or(&s).to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_prefixes() {
        assert_eq!(
            literal_prefix(Path::new("a/b/*.json")),
            PathBuf::from("a/b")
        );
        assert_eq!(literal_prefix(Path::new("**/*.json")), PathBuf::new());
        assert_eq!(literal_prefix(Path::new("/x/[ab]/c")), PathBuf::from("/x"));
    }
}
