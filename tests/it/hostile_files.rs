//! Which files `lint` reads, and how every input is read (issue 10 points 3 and 4, issue 9
//! points 7 and 8): no file silently skipped, no hang on link cycles, FIFOs or devices, a
//! size limit, nothing-to-lint is an error, the configuration nearest each file, `lint -`.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{self, output};

const CLEAN: &str = include_str!("../../policies/dbs-backup-operator.json");
const ALLOW_ALL: &str =
    r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#;

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn lint(dir: &Path, args: &[&str]) -> std::process::Output {
    common::ramguard()
        .arg("lint")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn files_of(json: &Value) -> Vec<String> {
    let mut files: Vec<String> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap().to_string())
        .collect();
    files.dedup();
    files
}

#[test]
#[cfg(unix)]
fn two_names_that_differ_in_invalid_utf8_are_both_linted() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join(std::ffi::OsStr::from_bytes(b"p\xff.json"));
    let b = dir.path().join(std::ffi::OsStr::from_bytes(b"p\xfe.json"));
    std::fs::write(a, CLEAN).unwrap();
    std::fs::write(b, ALLOW_ALL).unwrap();
    let o = lint(
        dir.path(),
        &["--config", "/dev/null", "--format", "json", "."],
    );
    let json = output::json_out(&o);
    assert_eq!(json["files"], 2, "{json}");
    assert_eq!(output::code(&o), 1, "{json}");
    assert!(json.to_string().contains("RG100"), "{json}");
}

#[test]
fn skipped_directories_are_said_and_a_glob_agrees_with_the_walk() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "p/a.json", CLEAN);
    write(dir.path(), "p/.git/x.json", ALLOW_ALL);
    write(dir.path(), "p/target/x.json", ALLOW_ALL);
    write(dir.path(), "p/node_modules/m/x.json", ALLOW_ALL);
    for arg in ["p", "p/**/*.json", "p/*.json"] {
        let o = lint(
            dir.path(),
            &["--config", "/dev/null", "--format", "json", arg],
        );
        let json = output::json_out(&o);
        assert_eq!(
            (output::code(&o), &json["files"]),
            (0, &Value::from(1)),
            "{arg}: {json}"
        );
        let stderr = output::stderr(&o);
        assert!(stderr.contains("skipped 3 directories"), "{arg}: {stderr}");
    }
}

#[test]
#[cfg(unix)]
fn link_cycles_do_not_hang_walks_globs_or_the_stale_suppression_check() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "p/a.json", CLEAN);
    write(dir.path(), "p/sub/b.json", CLEAN);
    std::os::unix::fs::symlink(".", dir.path().join("p/self")).unwrap();
    std::os::unix::fs::symlink("..", dir.path().join("p/sub/up")).unwrap();
    std::os::unix::fs::symlink("../sub", dir.path().join("p/sub/again")).unwrap();
    write(
        dir.path(),
        "ramguard.toml",
        "[[suppress]]\ncode = \"RG100\"\npath = \"**/gone.json\"\nreason = \"x\"\n",
    );
    for arg in [".", "p", "**/*.json", "p/a.json"] {
        let start = Instant::now();
        let o = lint(dir.path(), &["--format", "json", arg]);
        assert!(start.elapsed() < Duration::from_secs(5), "{arg}");
        let json = output::json_out(&o);
        let expected = if arg == "p/a.json" { 1 } else { 2 };
        assert_eq!(json["files"], expected, "{arg}: {json}");
        // The stale entry is found stale (it matches no file) after a walk that ended.
        assert!(json.to_string().contains("RG090"), "{arg}: {json}");
    }
}

#[test]
fn a_suppression_path_stays_inside_the_configuration_directory() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.json", CLEAN);
    for path in ["../../**/x.json", "/etc/*.json"] {
        write(
            dir.path(),
            "ramguard.toml",
            &format!("[[suppress]]\ncode = \"RG100\"\npath = \"{path}\"\nreason = \"x\"\n"),
        );
        let o = lint(dir.path(), &["a.json"]);
        assert_eq!(output::code(&o), 2, "{}", output::show(&o));
        assert!(
            output::stderr(&o).contains("without `..`"),
            "{}",
            output::show(&o)
        );
    }
}

/// Runs `ramguard` with a deadline: a read that blocks or never ends fails the test.
fn run_briefly(args: &[&str], dir: &Path) -> std::process::Output {
    let mut child = common::ramguard()
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(10) {
            child.kill().unwrap();
            panic!("{args:?} did not end");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[test]
#[cfg(unix)]
fn devices_and_fifos_are_refused_promptly() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.json", CLEAN);
    let fifo = dir.path().join("fifo");
    let made = Command::new("mkfifo").arg(&fifo).status();
    let fifo = fifo.to_str().unwrap();
    let mut cases: Vec<Vec<&str>> = vec![
        vec!["lint", "--config", "/dev/zero", "a.json"],
        vec!["lint", "/dev/zero"],
        vec![
            "simulate",
            "--policy",
            "/dev/zero",
            "--action",
            "dbs:DescribeRegions",
            "--resource",
            "*",
        ],
        vec!["simulate", "--policy", "a.json", "--request", "/dev/zero"],
        vec!["simulate", "--policy", "a.json", "--requests", "/dev/zero"],
    ];
    if made.is_ok_and(|s| s.success()) {
        cases.push(vec!["simulate", "--policy", "a.json", "--request", fifo]);
        cases.push(vec!["lint", fifo]);
    }
    for args in cases {
        let o = run_briefly(&args, dir.path());
        assert_eq!(output::code(&o), 2, "{args:?}: {}", output::show(&o));
        let all = format!("{}{}", output::stdout(&o), output::stderr(&o));
        assert!(all.contains("not a regular file"), "{args:?}: {all}");
    }
}

#[test]
fn a_file_over_the_size_limit_is_one_finding_not_parsed() {
    let dir = tempfile::tempdir().unwrap();
    // A sparse file one byte over the limit: the size alone refuses it, nothing is read.
    let big = std::fs::File::create(dir.path().join("big.json")).unwrap();
    big.set_len(ramguard::source::MAX_INPUT_BYTES + 1).unwrap();
    let o = lint(
        dir.path(),
        &["--config", "/dev/null", "--format", "json", "big.json"],
    );
    let json = output::json_out(&o);
    let diags = json["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1, "{json}");
    assert_eq!(diags[0]["code"], "RG005", "{json}");
    assert_eq!(output::code(&o), 1);
}

#[test]
fn a_named_path_without_policies_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("empty")).unwrap();
    write(dir.path(), "docs/readme.md", "# not a policy");
    write(
        dir.path(),
        "ramguard.toml",
        "[lint]\nexclude = [\"fixtures/**\"]\n",
    );
    write(dir.path(), "fixtures/bad.json", ALLOW_ALL);
    for arg in ["empty", "docs", "fixtures", "fixtures/*.json"] {
        let o = lint(dir.path(), &[arg]);
        assert_eq!(output::code(&o), 2, "{arg}: {}", output::show(&o));
        assert!(
            output::stderr(&o).contains("nothing to lint"),
            "{arg}: {}",
            output::show(&o)
        );
    }
    // Under --force-exclude (pre-commit), excluded files are skipped and nothing left is fine.
    let o = lint(
        dir.path(),
        &["--force-exclude", "fixtures", "fixtures/bad.json"],
    );
    assert_eq!(output::code(&o), 0, "{}", output::show(&o));
}

#[test]
fn the_configuration_is_the_one_nearest_each_file() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "repo/ramguard.toml",
        "[lint]\nignore = [\"RG100\"]\n",
    );
    write(dir.path(), "repo/policies/all.json", ALLOW_ALL);
    write(dir.path(), "repo/other/ramguard.toml", "");
    write(dir.path(), "repo/other/all.json", ALLOW_ALL);
    let from_root = output::json_out(&lint(
        &dir.path().join("repo"),
        &["--format", "json", "policies", "other"],
    ));
    let from_above = output::json_out(&lint(
        dir.path(),
        &["--format", "json", "repo/policies", "repo/other"],
    ));
    let codes = |json: &Value| -> Vec<(String, String)> {
        json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                let file = d["file"].as_str().unwrap();
                (
                    file.trim_start_matches("repo/").to_string(),
                    d["code"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    assert_eq!(codes(&from_root), codes(&from_above));
    // The nearer configuration (other/) does not ignore RG100; the repository's does.
    assert_eq!(
        files_of(&from_above),
        vec!["repo/other/all.json".to_string()],
        "{from_above}"
    );
}

#[test]
fn lint_dash_reads_standard_input() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let mut child = common::ramguard()
        .args(["lint", "--config", "/dev/null", "--format", "json", "-"])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(ALLOW_ALL.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    let json = output::json_out(&o);
    assert_eq!(output::code(&o), 1, "{json}");
    assert_eq!(json["files"], 1);
    assert_eq!(files_of(&json), vec!["<stdin>".to_string()]);
}
