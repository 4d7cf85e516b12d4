//! The harness shared by every integration test module: the binary under test, process output
//! readers, the fake DBS server, and where the optional `../shared` material is.

pub mod fake_cloud;
pub mod fake_dbs;
pub mod output;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A command for the `ramguard` binary built with this test run.
pub fn ramguard() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ramguard"))
}

/// `../shared/<rel>` beside the checkout, or `None` (and a line on stderr saying the test was
/// skipped) when it is absent. Users clone the repository alone; CI has `../shared` and sets
/// `RAMGUARD_REQUIRE_SHARED=1`, which turns the skip into a failure.
pub fn shared(rel: &str, test: &str) -> Option<PathBuf> {
    let path = root().join("../shared").join(rel);
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var_os("RAMGUARD_REQUIRE_SHARED").is_none(),
        "{test}: ../shared/{rel} is required here (RAMGUARD_REQUIRE_SHARED is set) but absent"
    );
    // Written to the process's stderr itself, past the test harness's capture, so that a run
    // of `cargo test` shows which tests were skipped.
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "{test}: skipped: ../shared/{rel} is not beside this checkout"
    );
    None
}

/// Every file under `dir`, sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
