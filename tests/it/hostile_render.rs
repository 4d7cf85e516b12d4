//! Hostile input to `lint`'s human output (issue 10 point 1, issue 9 points 6 and 8): no panic
//! and no trace on any input, bounded output for long lines, columns in characters.

use std::path::Path;

use crate::common::{self, output};

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// A one-line policy whose only finding is `col` characters from the line start.
fn finding_at_column(col: usize) -> String {
    let head = r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"dbs:DescribeRegions","Resource":"acs:dbs:*:*:backupplan/"#;
    let pad = "a".repeat(col - head.len() - 1);
    format!(r#"{head}{pad}","Condition":{{"Bool":{{"acs:SecureTransport":true}}}}}}]}}"#)
}

#[test]
fn a_finding_past_column_65535_is_printed_without_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "wide.json", &finding_at_column(70_000));
    write(dir.path(), "z-other.json", &finding_at_column(300));
    let o = common::ramguard()
        .args(["lint", "--config", "/dev/null", "wide.json", "z-other.json"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let (stdout, stderr) = (output::stdout(&o), output::stderr(&o));
    assert_eq!(output::code(&o), 1, "{}", output::show(&o));
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stdout.contains("RG025") && stdout.contains("z-other.json"),
        "{stdout}"
    );
    // The header names the column; the line is shown as a window around the finding.
    let json = common::ramguard()
        .args([
            "lint",
            "--config",
            "/dev/null",
            "--format",
            "json",
            "wide.json",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let report = output::json_out(&json);
    let rg025 = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "RG025")
        .unwrap();
    let column = rg025["column"].as_u64().unwrap();
    assert!(column > 70_000, "{column}");
    assert!(
        stdout.contains(&format!("wide.json:1:{column}]")),
        "{stdout}"
    );
    assert!(stdout.len() < 8_000, "{} bytes of output", stdout.len());
}

#[test]
fn a_long_line_is_shown_around_the_span_only() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "long.json", &finding_at_column(100_000));
    let o = common::ramguard()
        .args(["lint", "--config", "/dev/null", "long.json"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = output::stdout(&o);
    assert!(stdout.contains('…'), "{stdout}");
    assert!(stdout.lines().all(|l| l.chars().count() < 400), "{stdout}");
}

#[test]
fn the_human_column_counts_characters() {
    let dir = tempfile::tempdir().unwrap();
    // Line 4: `"Sid": "读取备份计划", "Effect": true` (a finding after Chinese text).
    let text = "{\n  \"Version\": \"1\",\n  \"Statement\": [\n    {\"Sid\": \"读取备份计划\", \"Effect\": \"allow\", \"Action\": \"dbs:DescribeRegions\", \"Resource\": \"*\"}\n  ]\n}\n";
    write(dir.path(), "cn.json", text);
    let json = common::ramguard()
        .args([
            "lint",
            "--config",
            "/dev/null",
            "--format",
            "json",
            "cn.json",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let d = &output::json_out(&json)["diagnostics"][0];
    assert_eq!(
        (d["code"].as_str(), d["line"].as_u64()),
        (Some("RG015"), Some(4))
    );
    let column = d["column"].as_u64().unwrap();
    assert_eq!(column, 33);
    let human = common::ramguard()
        .args(["lint", "--config", "/dev/null", "cn.json"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = output::stdout(&human);
    assert!(
        stdout.contains(&format!("[cn.json:4:{column}]")),
        "{stdout}"
    );
}

#[test]
fn thousands_of_findings_are_capped_per_file_in_human_output() {
    let dir = tempfile::tempdir().unwrap();
    let actions: Vec<String> = (0..500).map(|i| format!("\"dbs:NoSuch{i}\"")).collect();
    let text = format!(
        "{{\"Version\": \"1\", \"Statement\": [{{\"Effect\": \"Allow\", \"Action\": [{}], \"Resource\": \"*\"}}]}}",
        actions.join(",\n")
    );
    write(dir.path(), "many.json", &text);
    let o = common::ramguard()
        .args(["lint", "--config", "/dev/null", "many.json"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = output::stdout(&o);
    // Every name is an action not in the (incomplete) DBS list: an info each, all counted.
    assert_eq!(stdout.matches("RG200").count(), 100, "{stdout}");
    assert!(stdout.contains("... and 401 more"), "{stdout}");
    assert!(
        stdout.contains("1 error, 0 warnings, 500 infos"),
        "{stdout}"
    );
}

#[test]
fn control_characters_reach_the_terminal_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let text = "{\"Version\": \"1\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"dbs:No\u{1b}]0;pwned\u{7}Such\", \"Resource\": \"*\"}]}";
    write(dir.path(), "esc\rname.json", text);
    let o = common::ramguard()
        .args(["lint", "--config", "/dev/null", "."])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = output::stdout(&o);
    assert!(
        !stdout.contains('\u{1b}') && !stdout.contains('\r'),
        "{stdout:?}"
    );
    assert!(stdout.contains("\\u{1b}]0;pwned"), "{stdout}");
    assert!(stdout.contains("esc\\rname.json"), "{stdout}");
}

/// A bug met while checking one file (forced in debug builds) is that file's finding.
#[test]
#[cfg(debug_assertions)]
fn a_panic_in_one_file_is_contained() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "boom.json", &finding_at_column(300));
    write(dir.path(), "fine.json", &finding_at_column(300));
    for format in ["human", "json"] {
        let o = common::ramguard()
            .args(["lint", "--config", "/dev/null", "--format", format, "."])
            .env("RAMGUARD_TEST_PANIC", "boom.json")
            .current_dir(dir.path())
            .output()
            .unwrap();
        let (stdout, stderr) = (output::stdout(&o), output::stderr(&o));
        assert_eq!(output::code(&o), 2, "{}", output::show(&o));
        assert!(
            !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
            "{stderr}"
        );
        assert!(stdout.contains("internal error"), "{stdout}");
        assert!(
            stdout.contains("fine.json") && stdout.contains("RG025"),
            "{stdout}"
        );
    }
}
