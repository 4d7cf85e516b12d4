//! Agreement with the reference evaluator of the benchmark corpus generator
//! (`shared/bench/gen_corpus.py`): every generated request, evaluated against its own policy as
//! an identity policy with every context key given, must get the generator's decision.
//!
//! Always on the corpus the repository holds (`tests/data/agreement/`, written by its
//! `make.py`: 357 policies, 3,000 requests); and, where the generator is present (CI), on a
//! larger corpus generated afresh. The generator is found through `RAMGUARD_BENCH_DIR`, else
//! `../shared/bench` beside the checkout; without it that test says it was skipped.
//! `RAMGUARD_AGREEMENT_CORPUS=DIR` evaluates an existing generator output instead (e.g. the
//! full 10,000-request corpus).

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

/// Evaluates each `(policy, request, expected decision)` and fails with the first mismatches.
fn check<'a>(
    cases: impl Iterator<Item = (String, &'a Value, &'a str)>,
    mut load: impl FnMut(&str) -> PolicySet,
    corpus: &Path,
) {
    let mut sets: HashMap<String, PolicySet> = HashMap::new();
    let (mut total, mut agree) = (0usize, 0usize);
    let mut mismatches = Vec::new();
    for (name, ram, expected) in cases {
        let set = sets.entry(name.clone()).or_insert_with(|| load(&name));
        let response = set.evaluate(&request_of(ram));
        total += 1;
        if response.decision.as_str() == expected && response.errors.is_empty() {
            agree += 1;
        } else if mismatches.len() < 10 {
            mismatches.push(format!(
                "on {name}: expected {expected}, got {} {:?}\n  {ram}",
                response.decision.as_str(),
                response.errors,
            ));
        }
    }
    eprintln!(
        "agreement: {agree}/{total} requests over {} policies ({})",
        sets.len(),
        corpus.display()
    );
    assert!(total > 0, "no requests in {}", corpus.display());
    assert_eq!(agree, total, "first mismatches:\n{}", mismatches.join("\n"));
}

fn read_jsonl(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn agrees_on_the_corpus_the_repository_holds() {
    let dir = crate::common::root().join("tests/data/agreement");
    let policies: HashMap<String, String> = read_jsonl(&dir.join("policies.jsonl"))
        .into_iter()
        .map(|p| {
            let name = p["name"].as_str().unwrap().to_string();
            (name, p["document"].to_string())
        })
        .collect();
    assert!(policies.len() >= 300, "{} policies", policies.len());
    let requests = read_jsonl(&dir.join("requests.jsonl"));
    assert!(requests.len() >= 3000, "{} requests", requests.len());
    let cases = requests.iter().map(|r| {
        let name = r["policy"].as_str().unwrap().to_string();
        (name, &r["ram"], r["expected"].as_str().unwrap())
    });
    let load = |name: &str| {
        let text = policies
            .get(name)
            .unwrap_or_else(|| panic!("no policy {name}"));
        let mut set = PolicySet::new();
        set.add_text(PolicyKind::Identity, name, text)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        set
    };
    check(cases, load, &dir);
}

#[test]
fn agrees_with_a_freshly_generated_corpus() {
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
    let requests = read_jsonl(&corpus.join("requests.jsonl"));
    let cases = requests.iter().map(|r| {
        let name = r["policy"].as_str().unwrap().to_string();
        (name, &r["ram"], r["expected"]["ram"].as_str().unwrap())
    });
    let load = |name: &str| {
        let path = corpus.join("ram/all").join(format!("{name}.json"));
        let mut set = PolicySet::new();
        set.add_file(PolicyKind::Identity, &path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        set
    };
    check(cases, load, &corpus);
}
