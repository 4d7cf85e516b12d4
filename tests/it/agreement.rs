//! Agreement with the reference evaluator of the benchmark corpus generator
//! (`shared/bench/gen_corpus.py`): every generated request, evaluated against its own policy as
//! an identity policy with every context key given, must get the generator's decision.
//!
//! The generator is found through `RAMGUARD_BENCH_DIR`, else `../shared/bench` beside the
//! checkout (where CI puts it). Without it the test says it was skipped (CI requires it: RAMGUARD_REQUIRE_SHARED).
//! `RAMGUARD_AGREEMENT_CORPUS=DIR` evaluates an existing corpus instead of generating one (e.g.
//! the full 10,000-request corpus).

// Test and benchmark harness code: a failed setup step should stop the run loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use ramguard::eval::{PolicySet, Request};
use ramguard::policy::PolicyKind;
use serde_json::Value;

fn generator() -> Option<PathBuf> {
    match std::env::var_os("RAMGUARD_BENCH_DIR") {
        Some(dir) => Some(PathBuf::from(dir).join("gen_corpus.py")),
        None => crate::common::shared("bench/gen_corpus.py", "agreement"),
    }
}

fn generate(out: &Path, script: &Path) {
    let status = Command::new("python3")
        .arg(script)
        .arg("--out")
        .arg(out)
        .args([
            "--files",
            "1500",
            "--requests",
            "3000",
            "--seed",
            "20260101",
            "--mistake-frac",
            "0.1",
        ])
        .args(["--subsets", "", "--tf", ""])
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("cannot run python3 {}: {e}", script.display()));
    assert!(status.success(), "{} failed: {status}", script.display());
}

fn request_of(ram: &Value) -> Request {
    let mut b = Request::builder(
        ram["action"].as_str().unwrap_or_default(),
        ram["resource"].as_str().unwrap_or_default(),
    );
    for (k, v) in ram["context"].as_object().into_iter().flatten() {
        b = b.context(
            k.as_str(),
            v.as_str().map_or_else(|| v.to_string(), str::to_string),
        );
    }
    b.build().unwrap()
}

#[test]
fn agrees_with_the_generator_reference_evaluator() {
    let tmp;
    let corpus = match std::env::var_os("RAMGUARD_AGREEMENT_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => {
            let Some(script) = generator() else { return };
            tmp = tempfile::tempdir().unwrap();
            generate(tmp.path(), &script);
            tmp.path().to_path_buf()
        }
    };
    let lines = std::fs::read_to_string(corpus.join("requests.jsonl")).unwrap();
    let mut sets: HashMap<String, PolicySet> = HashMap::new();
    let (mut total, mut agree) = (0usize, 0usize);
    let mut mismatches = Vec::new();
    for line in lines.lines().filter(|l| !l.trim().is_empty()) {
        let r: Value = serde_json::from_str(line).unwrap();
        let name = r["policy"].as_str().unwrap().to_string();
        let set = sets.entry(name.clone()).or_insert_with(|| {
            let path = corpus.join("ram/all").join(format!("{name}.json"));
            let mut set = PolicySet::new();
            if let Err(e) = set.add_file(PolicyKind::Identity, &path) {
                panic!("{}: {e}", path.display());
            }
            set
        });
        let response = set.evaluate(&request_of(&r["ram"]));
        let expected = r["expected"]["ram"].as_str().unwrap();
        total += 1;
        if response.decision.as_str() == expected && response.errors.is_empty() {
            agree += 1;
        } else if mismatches.len() < 10 {
            mismatches.push(format!(
                "request {} on {name}: expected {expected}, got {} {:?}\n  {}",
                r["id"],
                response.decision.as_str(),
                response.errors,
                r["ram"]
            ));
        }
    }
    eprintln!(
        "agreement: {agree}/{total} requests over {} policies",
        sets.len()
    );
    assert!(total > 0, "no requests in {}", corpus.display());
    assert_eq!(agree, total, "first mismatches:\n{}", mismatches.join("\n"));
}
