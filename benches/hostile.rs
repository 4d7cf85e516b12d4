#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test and benchmark code: a failure should stop with a message"
)]
//! Hostile inputs (issue 10): each must lint in well under half a second, in the format named.
//! The binary is run as users run it, on files generated here:
//!
//! - 80,000 unknown actions in one array (1.9 MB), JSON output;
//! - 40,000 keys of one object that differ only in case, JSON output;
//! - 8,000 findings, human output;
//! - a 58 KB one-line file, human output;
//! - 40,000 unknown condition keys, JSON output.
//!
//! `cargo bench --bench hostile`.

use std::path::Path;
use std::process::{Command, Stdio};

use criterion::{criterion_group, criterion_main, Criterion};

fn policy(actions: &[String], separator: &str) -> String {
    format!(
        r#"{{"Version":"1","Statement":[{{"Effect":"Allow","Action":[{}],"Resource":"*"}}]}}"#,
        actions.join(separator)
    )
}

fn cases() -> Vec<(&'static str, &'static str, String)> {
    let unknown: Vec<String> = (0..80_000).map(|i| format!("\"dbs:Unknown{i}\"")).collect();
    let case_keys: Vec<String> = (0..40_000u32)
        .map(|i| {
            let key: String = "conditionkeyabcd"
                .chars()
                .enumerate()
                .map(|(b, c)| {
                    if i >> b & 1 == 1 {
                        c.to_ascii_uppercase()
                    } else {
                        c
                    }
                })
                .collect();
            format!("\"{key}\":1")
        })
        .collect();
    let findings: Vec<String> = (0..8_000).map(|i| format!("\"dbs:NoSuch{i}\"")).collect();
    let one_line: Vec<String> = (0..3_300).map(|i| format!("\"dbs:Unknown{i}\"")).collect();
    let keys: Vec<String> = (0..40_000)
        .map(|i| format!("\"acs:Key{i}\":\"v\""))
        .collect();
    vec![
        ("unknown_actions_80k", "json", policy(&unknown, ",\n")),
        (
            "case_only_keys_40k",
            "json",
            format!("{{{}}}", case_keys.join(",")),
        ),
        ("findings_8k", "human", policy(&findings, ",\n")),
        ("one_line_58kb", "human", policy(&one_line, ",")),
        (
            "unknown_condition_keys_40k",
            "json",
            format!(
                r#"{{"Version":"1","Statement":[{{"Effect":"Allow","Action":"dbs:DescribeRegions","Resource":"*","Condition":{{"StringEquals":{{{}}}}}}}]}}"#,
                keys.join(",\n")
            ),
        ),
    ]
}

fn lint(file: &Path, format: &str) {
    let status = Command::new(env!("CARGO_BIN_EXE_ramguard"))
        .args(["lint", "--config", "/dev/null", "--format", format])
        .arg(file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(matches!(status.code(), Some(0..=2)), "{status}");
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut g = c.benchmark_group("hostile");
    g.sample_size(10);
    for (name, format, text) in cases() {
        let file = dir.path().join(format!("{name}.json"));
        std::fs::write(&file, &text).unwrap();
        g.bench_function(format!("{name}_{}_bytes_{format}", text.len()), |b| {
            b.iter(|| lint(&file, format))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
