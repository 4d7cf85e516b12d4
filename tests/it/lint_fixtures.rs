#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test and benchmark code: a failure should stop with a message"
)]
//! Every fixture under `policies/invalid/` fires the rule its name starts with, through the real
//! binary, and the shipped policies lint clean.

use std::path::{Path, PathBuf};

use serde_json::Value;

fn root() -> PathBuf {
    crate::common::root().to_path_buf()
}

/// Runs `ramguard lint --format json ARGS` in the repository root (so `ramguard.toml` applies).
fn lint_json(args: &[&str]) -> (i32, Value) {
    let out = crate::common::ramguard()
        .current_dir(root())
        .arg("lint")
        .arg("--format")
        .arg("json")
        .args(args)
        .output()
        .expect("run ramguard");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {stdout}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), json)
}

fn fixtures() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("policies/invalid"))
        .expect("policies/invalid")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

fn rel(p: &Path) -> String {
    p.strip_prefix(root())
        .expect("under root")
        .to_string_lossy()
        .replace('\\', "/")
}

#[test]
fn every_fixture_fires_its_rule() {
    let files = fixtures();
    assert!(files.len() >= 40, "only {} fixtures", files.len());
    let mut failures = Vec::new();
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let code = &name[..5];
        assert!(
            code.starts_with("RG"),
            "fixture {name} must start with its rule code"
        );
        let (exit, json) = lint_json(&[&rel(f)]);
        let diags = json["diagnostics"].as_array().expect("diagnostics");
        let hit = diags.iter().find(|d| d["code"] == code);
        match hit {
            None => failures.push(format!("{name}: no {code} in {diags:?}")),
            Some(d) => {
                let severity = d["severity"].as_str().unwrap();
                let want_exit = if severity == "info" { 0 } else { 1 };
                if exit != want_exit && !(severity == "info" && exit == 1) {
                    failures.push(format!("{name}: exit {exit}, want {want_exit}"));
                }
                assert!(d["line"].as_u64().unwrap() >= 1);
                assert!(d["column"].as_u64().unwrap() >= 1);
                assert_eq!(d["file"], rel(f));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The malformed documents of the lint issue: each gets an error at the line of `needle`.
#[test]
fn errors_are_at_the_right_line() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "RG001-invalid-json-trailing-comma.json",
            "RG001",
            "\"Resource\": \"*\",",
        ),
        ("RG001-invalid-json-comment.json", "RG001", "// read-only"),
        ("RG004-duplicate-key.json", "RG004", "\"Effect\": \"Allow\""),
        ("RG004-duplicate-key-case.json", "RG004", "acs:SourceIP"),
        ("RG011-invalid-version.json", "RG011", "2012-10-17"),
        (
            "RG014-unknown-element-resources.json",
            "RG014",
            "\"Resources\"",
        ),
        ("RG014-unknown-element-case.json", "RG014", "\"effect\""),
        ("RG014-unknown-element-top-level.json", "RG014", "\"Id\""),
        ("RG015-invalid-effect.json", "RG015", "\"allow\""),
        (
            "RG015-invalid-effect-not-string.json",
            "RG015",
            "\"Effect\": true",
        ),
        ("RG016-missing-action.json", "RG016", "{\n      \"Effect\""),
        ("RG017-action-and-not-action.json", "RG017", "\"NotAction\""),
        (
            "RG018-missing-resource.json",
            "RG018",
            "{\n      \"Effect\"",
        ),
        ("RG028-invalid-action.json", "RG028", "\"StartBackupPlan\""),
        ("RG029-invalid-arn-aws.json", "RG029", "arn:aws:s3"),
        (
            "RG029-invalid-arn-missing-field.json",
            "RG029",
            "acs:dbs:cn-hangzhou:backupplan",
        ),
        ("RG030-unknown-operator.json", "RG030", "StringEqual"),
        ("RG030-unknown-operator-aws-only.json", "RG030", "IfExists"),
        (
            "RG032-invalid-condition-value-cidr.json",
            "RG032",
            "10.0.0.0/33",
        ),
        (
            "RG032-invalid-condition-value-date.json",
            "RG032",
            "2026-02-30",
        ),
        (
            "RG032-invalid-condition-value-number.json",
            "RG032",
            "thirty",
        ),
        (
            "RG033-multiple-bool-values.json",
            "RG033",
            "\"acs:SecureTransport\": [",
        ),
        ("RG002-invalid-utf8.json", "RG002", "caf"),
    ];
    for (file, code, needle) in cases {
        let path = root().join("policies/invalid").join(file);
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).to_string();
        let offset = text
            .find(needle)
            .unwrap_or_else(|| panic!("{file}: needle {needle:?}"));
        let want_line = text[..offset].matches('\n').count() + 1;
        let (exit, json) = lint_json(&[&rel(&path)]);
        assert_eq!(exit, 1, "{file}");
        let d = json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == *code && d["severity"] == "error")
            .unwrap_or_else(|| panic!("{file}: no error {code}: {json}"));
        assert_eq!(
            d["line"].as_u64().unwrap() as usize,
            want_line,
            "{file}: {d}"
        );
    }
}

#[test]
fn shipped_policies_lint_clean() {
    let (exit, json) = lint_json(&["policies/"]);
    assert_eq!(json["diagnostics"], Value::Array(vec![]), "{json}");
    assert_eq!(exit, 0);
    assert!(json["files"].as_u64().unwrap() >= 5);
}

#[test]
fn broken_files_never_stop_the_others() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.json"), "{").unwrap();
    std::fs::write(dir.path().join("b.json"), [0xffu8, 0xfe, 0x00]).unwrap();
    std::fs::write(dir.path().join("c.json"), "[".repeat(100_000)).unwrap();
    std::fs::write(
        dir.path().join("d.json"),
        r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"dbs:Describe*","Resource":"*"}]}"#,
    )
    .unwrap();
    let out = crate::common::ramguard()
        .args(["lint", "--format", "json", "--config", "/dev/null"])
        .arg(dir.path())
        .arg(dir.path().join("missing.json"))
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    // the missing file makes it exit 2, after every other file was linted
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(json["files"], 5);
    let files: Vec<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    for f in ["a.json", "b.json", "c.json", "missing.json"] {
        assert!(
            files.iter().any(|x| x.ends_with(f)),
            "{f} not reported: {files:?}"
        );
    }
    assert!(!files.iter().any(|x| x.ends_with("d.json")));
}
