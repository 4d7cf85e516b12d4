//! The real corpus as a test: every document of `../shared/realworld/policies` (accepted by RAM,
//! OSS, KMS or Resource Directory) is linted and loaded by the evaluator, and checked against
//! `tests/realworld-expectations.json`: the findings it must have, the false ones it must not,
//! and no error-severity finding beyond those recorded. Skipped, with a message, where
//! `../shared` is absent; `tests/it/shapes.rs` covers the same shapes without it.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::common::{ramguard, root, shared};

fn lint(path: &Path, kind: Option<&str>) -> Value {
    let mut cmd = ramguard();
    cmd.args(["lint", "--format", "json", "--fail-on", "never"]);
    if let Some(k) = kind {
        cmd.args(["--kind", k]);
    }
    let out = cmd.arg(path).output().unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{}: lint output is not JSON: {e}", path.display()))
}

/// Loads the document in its layer and asks one request: exit 2 means it could not be loaded.
fn loads(path: &Path, kind: &str) -> bool {
    let (flag, action, resource) = match kind {
        "control" => ("--control-policy", "ecs:DescribeInstances", "*"),
        "session" => ("--session-policy", "ecs:DescribeInstances", "*"),
        "trust" => (
            "--trust-policy",
            "sts:AssumeRole",
            "acs:ram::1234567890123456:role/r",
        ),
        "oss-bucket" | "kms-key" => ("--resource-policy", "oss:GetObject", "*"),
        _ => ("--policy", "ecs:DescribeInstances", "*"),
    };
    let out = ramguard()
        .args(["simulate", flag])
        .arg(path)
        .args([
            "--action",
            action,
            "--resource",
            resource,
            "--format",
            "json",
        ])
        .args(["--principal", "acs:ram::1234567890123456:user/alice"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    match out.status.code() {
        Some(2) => false,
        _ => v.get("decision").is_some(),
    }
}

fn codes(v: &Value, severity: Option<&str>) -> BTreeSet<String> {
    v["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| severity.map_or(true, |s| d["severity"] == s))
        .filter_map(|d| d["code"].as_str().map(str::to_string))
        .collect()
}

fn list(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c.as_str().map(str::to_string))
        .collect()
}

#[test]
fn every_real_document_meets_its_expectations() {
    let Some(dir) = shared(
        "realworld/policies",
        "realworld::every_real_document_meets_its_expectations",
    ) else {
        return;
    };
    let problems = check_corpus(&dir, &root().join("tests/realworld-expectations.json"));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Checks every `.json` file of `dir` against the expectations file; returns the problems.
pub fn check_corpus(dir: &Path, expectations: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(expectations).unwrap();
    let expectations: Value = serde_json::from_str(&text).unwrap();
    let docs = expectations["documents"].as_object().unwrap();
    let mut problems = Vec::new();
    let mut seen = 0;
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    for path in paths {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let Some(want) = docs.get(&name) else {
            problems.push(format!("{name}: no expectations recorded"));
            continue;
        };
        seen += 1;
        let kind = want["kind"].as_str();
        let got = lint(&path, kind);
        let all = codes(&got, None);
        for c in list(&want["must"]).difference(&all) {
            problems.push(format!("{name}: missing {c}"));
        }
        for c in list(&want["must_not"]).intersection(&all) {
            problems.push(format!("{name}: must not have {c}"));
        }
        // Catalogue findings (RG2xx) follow the catalogue's certainty, tested there.
        let errors: BTreeSet<String> = codes(&got, Some("error"))
            .into_iter()
            .filter(|c| !c.starts_with("RG2"))
            .collect();
        for c in errors.difference(&list(&want["errors"])) {
            problems.push(format!("{name}: unexpected error {c}"));
        }
        match (want["load"].as_str(), kind) {
            (Some("ok"), Some(k)) if !loads(&path, k) => {
                problems.push(format!("{name}: the evaluator does not load it"));
            }
            (Some("refused"), Some(k)) if loads(&path, k) => {
                problems.push(format!(
                    "{name}: the evaluator loads a document that is not JSON"
                ));
            }
            _ => {}
        }
    }
    if seen != docs.len() {
        problems.push(format!("{} documents recorded, {seen} found", docs.len()));
    }
    problems
}

/// The same shapes in fixtures of our own: runs everywhere.
#[test]
fn every_shape_fixture_meets_its_expectations() {
    let problems = check_corpus(
        &root().join("tests/fixtures/shapes"),
        &root().join("tests/shapes-expectations.json"),
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
