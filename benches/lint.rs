#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test and benchmark code: a failure should stop with a message"
)]
//! Lint throughput: one file, and a generated corpus in process on every core.
//!
//! `cargo bench --bench lint`. The corpus comes from `../shared/bench/gen_corpus.py`
//! (`RAMGUARD_CORPUS=DIR` to use an existing `ram/all` directory instead).

use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use rayon::prelude::*;

use ramguard::lint::{lint_bytes, LintOptions};

fn corpus_dir() -> Option<PathBuf> {
    if let Ok(dir) = std::env::var("RAMGUARD_CORPUS") {
        return Some(PathBuf::from(dir));
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = root.join("target/bench-corpus");
    let dir = out.join("ram/all");
    if !dir.is_dir() {
        let gen = root.join("../shared/bench/gen_corpus.py");
        let status = std::process::Command::new("python3")
            .arg(&gen)
            .args(["--out"])
            .arg(&out)
            .args(["--files", "2000", "--requests", "10", "--seed", "20260101"])
            .status()
            .ok()?;
        if !status.success() {
            return None;
        }
    }
    Some(dir)
}

fn bench(c: &mut Criterion) {
    let options = LintOptions {
        detect_trust: true,
        ..LintOptions::default()
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for name in [
        "policies/dbs-backup-operator.json",
        "benches/data/large-policy.json",
    ] {
        let bytes = std::fs::read(root.join(name)).expect("fixture");
        let mut g = c.benchmark_group("lint_one_file");
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_function(name, |b| b.iter(|| lint_bytes(name, &bytes, options)));
        g.finish();
    }

    let Some(dir) = corpus_dir() else {
        eprintln!("no corpus: set RAMGUARD_CORPUS or provide ../shared/bench/gen_corpus.py");
        return;
    };
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .expect("corpus dir")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| (p.display().to_string(), std::fs::read(&p).expect("read")))
        .collect();
    files.sort();
    let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
    let mut g = c.benchmark_group("lint_corpus");
    g.sample_size(10);
    g.throughput(Throughput::Elements(files.len() as u64));
    g.bench_function(
        format!("{}_files_{}_bytes_parallel", files.len(), bytes),
        |b| {
            b.iter_batched(
                || (),
                |()| {
                    files
                        .par_iter()
                        .map(|(n, b)| lint_bytes(n, b, options).diagnostics.len())
                        .sum::<usize>()
                },
                BatchSize::SmallInput,
            )
        },
    );
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
