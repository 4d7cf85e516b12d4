//! `simulate` on hostile input (issue 10): `--requests` is streamed line by line, with a
//! per-line error for a line that is not UTF-8 and a byte-order mark accepted; request fields
//! past the documented cap are a clear exit-2 error; a huge broken policy is reported in
//! bounded time.

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::common::output::{code, show, stderr, stdout};

const OPERATOR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/policies/dbs-backup-operator.json"
);

fn allow_line() -> String {
    json!({"action": "dbs:StartBackupPlan",
           "resource": "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsqdss5tmh1",
           "context": {"acs:SourceIp": "192.0.2.10", "acs:SecureTransport": "true"}})
    .to_string()
}

fn simulate(dir: &Path, args: &[&str]) -> Output {
    crate::common::ramguard()
        .arg("simulate")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn batch(dir: &Path, bytes: &[u8]) -> Output {
    let file = dir.join("batch.jsonl");
    std::fs::write(&file, bytes).unwrap();
    simulate(
        dir,
        &[
            "--policy",
            OPERATOR,
            "--requests",
            file.to_str().unwrap(),
            "--format",
            "json",
        ],
    )
}

fn lines(o: &Output) -> Vec<Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}\n{}", show(o))))
        .collect()
}

#[test]
fn an_invalid_utf8_line_is_a_per_line_error_and_a_bom_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(allow_line().as_bytes());
    bytes.extend(b"\r\n{\"action\": \"dbs:Start\xFF\", \"resource\": \"*\"}\r\n\n");
    bytes.extend(allow_line().as_bytes());
    let o = batch(dir.path(), &bytes);
    assert_eq!(code(&o), 2, "{}", show(&o));
    let got = lines(&o);
    assert_eq!(got.len(), 3, "{}", show(&o));
    assert_eq!(got[0]["decision"], "Allow", "{}", show(&o));
    assert_eq!(got[1]["line"], 2, "{}", show(&o));
    assert!(
        got[1]["error"]
            .as_str()
            .unwrap()
            .contains("not valid UTF-8"),
        "{}",
        show(&o)
    );
    assert_eq!(got[2]["decision"], "Allow", "{}", show(&o));
}

#[test]
fn a_line_with_no_end_stops_the_batch_instead_of_filling_memory() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = allow_line().into_bytes();
    bytes.push(b'\n');
    bytes.extend(std::iter::repeat_n(b' ', 3 << 20));
    let o = batch(dir.path(), &bytes);
    assert_eq!(code(&o), 2, "{}", show(&o));
    assert_eq!(lines(&o).len(), 1, "{}", show(&o));
    assert!(
        stderr(&o).contains("line 2 is longer than 1 MiB"),
        "{}",
        show(&o)
    );

    let zero = Path::new("/dev/zero");
    if zero.exists() {
        let started = Instant::now();
        let o = simulate(
            dir.path(),
            &["--policy", OPERATOR, "--requests", "/dev/zero"],
        );
        assert_eq!(code(&o), 2, "{}", show(&o));
        assert!(started.elapsed() < Duration::from_secs(10));
    }
}

#[test]
fn request_fields_past_the_cap_are_a_usage_error_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let long_action = format!("dbs:{}", "A".repeat(100_000));
    let o = simulate(
        dir.path(),
        &[
            "--policy",
            OPERATOR,
            "--action",
            &long_action,
            "--resource",
            "*",
        ],
    );
    assert_eq!(code(&o), 2, "{}", show(&o));
    assert!(
        stderr(&o).contains("the action is 100004 bytes long")
            && stderr(&o).contains("at most 16384 bytes"),
        "{}",
        show(&o)
    );
    assert!(stderr(&o).len() < 1000, "the message quotes the field");

    let line = json!({"action": "dbs:StartBackupPlan", "resource": "*",
                      "context": {"acs:SourceIp": "1".repeat(20_000)}})
    .to_string();
    let o = batch(dir.path(), format!("{line}\n{}\n", allow_line()).as_bytes());
    assert_eq!(code(&o), 2, "{}", show(&o));
    let got = lines(&o);
    assert!(
        got[0]["error"]
            .as_str()
            .unwrap()
            .contains("a value of context key `acs:SourceIp`"),
        "{}",
        show(&o)
    );
    assert_eq!(got[1]["decision"], "Allow");
}

#[test]
fn a_policy_with_many_errors_shows_the_first_and_counts_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    // One statement repeating its `Sid` 201 times: 200 duplicate keys, and a document with a
    // duplicate key cannot be read at all (revision 2 refuses only those).
    let sids: Vec<String> = (0..=200).map(|i| format!("\"Sid\": \"s{i}\"")).collect();
    let text = format!(
        "{{\"Version\": \"1\", \"Statement\": [{{\"Effect\": \"Allow\", \"Action\": \"dbs:A\", \"Resource\": \"*\", {}}}]}}",
        sids.join(", ")
    );
    let file = dir.path().join("broken.json");
    std::fs::write(&file, text).unwrap();
    let o = simulate(
        dir.path(),
        &[
            "--policy",
            file.to_str().unwrap(),
            "--action",
            "dbs:StartBackupPlan",
            "--resource",
            "*",
        ],
    );
    assert_eq!(code(&o), 2, "{}", show(&o));
    let err = stderr(&o);
    assert!(err.contains("... and 180 more diagnostics"), "{}", show(&o));
    assert!(err.contains("duplicate key `Sid`"), "{}", show(&o));
    // Twenty rendered snippets, not two hundred.
    assert!(err.len() < 20 * 1000, "{} bytes on stderr", err.len());
}
