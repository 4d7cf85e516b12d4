//! Which files a `lint` run reads: explicit files, directories searched for `*.json`, globs.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

/// One input: a path to read, or a path that could not be expanded (reported as unreadable).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    File(PathBuf),
    Missing(PathBuf, String),
}

impl Input {
    pub fn path(&self) -> &Path {
        match self {
            Input::File(p) | Input::Missing(p, _) => p,
        }
    }
}

fn is_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// Expands the PATH arguments into sorted, de-duplicated inputs. Files found by walking a
/// directory or matching a glob are dropped when `excluded` says so; a file named explicitly is
/// always read.
pub fn expand(paths: &[String], excluded: &dyn Fn(&Path) -> bool) -> Vec<Input> {
    let mut out = Vec::new();
    for p in paths {
        let path = Path::new(p);
        if path.is_file() {
            out.push(Input::File(path.to_path_buf()));
        } else if path.is_dir() {
            walk(path, excluded, &mut out);
        } else if is_glob(p) {
            match glob::glob(p) {
                Ok(paths) => {
                    let before = out.len();
                    for entry in paths {
                        match entry {
                            Ok(f) if f.is_file() && !excluded(&f) => out.push(Input::File(f)),
                            Ok(d) if d.is_dir() => walk(&d, excluded, &mut out),
                            Ok(_) => {}
                            Err(e) => out.push(Input::Missing(
                                e.path().to_path_buf(),
                                e.error().to_string(),
                            )),
                        }
                    }
                    if out.len() == before {
                        out.push(Input::Missing(
                            path.to_path_buf(),
                            "no file matches this pattern".into(),
                        ));
                    }
                }
                Err(e) => out.push(Input::Missing(
                    path.to_path_buf(),
                    format!("invalid glob pattern: {e}"),
                )),
            }
        } else {
            out.push(Input::Missing(
                path.to_path_buf(),
                "no such file or directory".into(),
            ));
        }
    }
    // In the order of the names as shown, which is the order of the output (CLI.md: by file);
    // two spellings of one file (`./a.json`, `a.json`) are linted once.
    out.sort_by(|a, b| shown(a.path()).cmp(&shown(b.path())));
    out.dedup_by(|a, b| shown(a.path()) == shown(b.path()));
    out
}

/// Recursively collects `*.json`, `*.tf`, `*.yaml` and `*.yml` files, skipping hidden directories (`.git`) and `target`.
fn walk(dir: &Path, excluded: &dyn Fn(&Path) -> bool, out: &mut Vec<Input>) {
    // An explicit stack: deep trees cannot overflow the call stack.
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = match std::fs::read_dir(&d) {
            Ok(e) => e,
            Err(e) => {
                out.push(Input::Missing(d.clone(), e.to_string()));
                continue;
            }
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let Ok(ft) = entry.file_type() else { continue };
            if ft.is_dir() {
                if !name.starts_with('.') && name != "target" && name != "node_modules" {
                    stack.push(path);
                }
            } else if (ft.is_file() || ft.is_symlink() && path.is_file())
                && path.extension().is_some_and(|e| {
                    ["json", "tf", "yaml", "yml"]
                        .iter()
                        .any(|x| e.eq_ignore_ascii_case(x))
                })
                && !excluded(&path)
            {
                out.push(Input::File(path));
            }
        }
    }
}

/// The path as shown to users: relative paths stay as given, without a leading `./`.
pub fn display(path: &Path) -> String {
    shown(path).into_owned()
}

fn shown(path: &Path) -> Cow<'_, str> {
    match path.to_string_lossy() {
        Cow::Borrowed(s) => Cow::Borrowed(s.strip_prefix("./").unwrap_or(s)),
        Cow::Owned(s) => Cow::Owned(s.strip_prefix("./").unwrap_or(&s).to_string()),
    }
}
