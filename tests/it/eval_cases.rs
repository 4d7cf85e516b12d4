//! Runs the decision-case corpus `tests/cases/*.json` through the evaluator and reports every
//! mismatch at once.
//!
//! File format (the CLI runs the same files through `simulate --requests`):
//!
//! ```json
//! {"description": "...",
//!  "policies": {"identity": [{"name": "a.json", "document": {...}}], "control": [...],
//!               "session": {"name": ..., "document": ...} | null, "trust": ... | null},
//!  "cases": [{"name": "...", "request": {<CLI request object>},
//!             "expect": {"decision": "...", "layer": "..." | null, "possible": [...],
//!                        "depends_on": [...], "matched": [{"file": "a.json", "statement": 0}],
//!                        "errors": [{"key": "...", "value": "..."}]}}]}
//! ```
//!
//! `matched` is compared in order; `errors` (optional: none expected when absent) is compared as
//! a set of (key, value) pairs.

// Test and benchmark harness code: a failed setup step should stop the run loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use ramguard::eval::{explain, PolicySet, Request, Response};
use ramguard::policy::{Operator, PolicyKind};
use serde_json::Value;

fn case_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

fn load_set(file: &Path, policies: &Value) -> Result<PolicySet, String> {
    let mut set = PolicySet::new();
    let mut add = |kind: PolicyKind, entry: &Value| -> Result<(), String> {
        let name = entry["name"].as_str().ok_or("policy without a name")?;
        let text = serde_json::to_string_pretty(&entry["document"]).map_err(|e| e.to_string())?;
        set.add_text(kind, name, &text)
            .map_err(|e| format!("{}: {name}: {e}", file.display()))
    };
    for (key, kind) in [
        ("control", PolicyKind::Control),
        ("identity", PolicyKind::Identity),
    ] {
        for entry in policies[key].as_array().into_iter().flatten() {
            add(kind, entry)?;
        }
    }
    for (key, kind) in [
        ("session", PolicyKind::Session),
        ("trust", PolicyKind::Trust),
    ] {
        if !policies[key].is_null() {
            add(kind, &policies[key])?;
        }
    }
    Ok(set)
}

/// The response in the shape of an expectation.
fn observed(r: &Response) -> Value {
    let mut v = serde_json::to_value(r).unwrap();
    let matched: Vec<Value> = r
        .matched
        .iter()
        .map(|m| serde_json::json!({"file": m.file, "statement": m.statement}))
        .collect();
    v["matched"] = Value::Array(matched);
    v
}

fn error_pairs(v: &Value) -> BTreeSet<(String, String)> {
    v.as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                e["key"].as_str().unwrap_or_default().to_string(),
                e["value"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn check(expect: &Value, got: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for field in ["decision", "layer", "possible", "depends_on", "matched"] {
        if expect[field] != got[field] {
            out.push(format!(
                "{field}: expected {}, got {}",
                expect[field], got[field]
            ));
        }
    }
    let (want, have) = (error_pairs(&expect["errors"]), error_pairs(&got["errors"]));
    if want != have {
        out.push(format!("errors: expected {want:?}, got {have:?}"));
    }
    out
}

#[test]
fn decision_cases() {
    let mut failures = Vec::new();
    let mut cases = 0;
    let mut documents = String::new();
    for file in case_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        let corpus: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        documents.push_str(&corpus["policies"].to_string());
        let set = match load_set(&file, &corpus["policies"]) {
            Ok(s) => s,
            Err(e) => {
                failures.push(e);
                continue;
            }
        };
        for case in corpus["cases"].as_array().into_iter().flatten() {
            cases += 1;
            let name = format!(
                "{} / {}",
                file.file_name().unwrap().to_string_lossy(),
                case["name"]
            );
            let request: Request = match serde_json::from_value(case["request"].clone()) {
                Ok(r) => r,
                Err(e) => {
                    failures.push(format!("{name}: bad request: {e}"));
                    continue;
                }
            };
            let (response, trace) = set.evaluate_traced(&request);
            if set.evaluate(&request) != response {
                failures.push(format!("{name}: traced and untraced responses differ"));
            }
            let problems = check(&case["expect"], &observed(&response));
            if !problems.is_empty() {
                failures.push(format!(
                    "{name}:\n    {}\n{}",
                    problems.join("\n    "),
                    explain(&response, &trace)
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {cases} cases failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert!(cases >= 120, "only {cases} cases");
    // Every operator appears in some corpus document.
    for op in Operator::ALL {
        assert!(
            documents.contains(&format!("\"{}\"", op.name())),
            "no case uses {}",
            op.name()
        );
    }
}
