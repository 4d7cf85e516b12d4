//! What reaches the terminal, and case folding (issue 10 point 6): control characters escaped
//! on stderr and in human output, one ASCII case rule for lint and simulate, a failed write to
//! stdout explained by every subcommand.

use std::path::Path;
use std::process::Stdio;

use crate::common::{self, output};

const OPERATOR: &str = r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": ["dbs:StartBackupPlan", "dbs:DescribeRegions"], "Resource": "*"}]}"#;

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

#[test]
fn a_kelvin_sign_is_not_a_k_to_lint_or_to_simulate() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "op.json", OPERATOR);
    let kelvin = "dbs:StartBac\u{212a}upPlan";
    write(
        dir.path(),
        "kelvin.json",
        &format!(
            r#"{{"Version": "1", "Statement": [{{"Effect": "Allow", "Action": "{kelvin}", "Resource": "*"}}]}}"#
        ),
    );
    let o = common::ramguard()
        .args([
            "lint",
            "--config",
            "/dev/null",
            "--format",
            "json",
            "kelvin.json",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(output::stdout(&o).contains("RG200"), "{}", output::show(&o));
    // The request's action is not the policy's: no Allow.
    let o = common::ramguard()
        .args([
            "simulate",
            "--policy",
            "op.json",
            "--action",
            kelvin,
            "--resource",
            "*",
            "--format",
            "json",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_ne!(output::code(&o), 0, "{}", output::show(&o));
    assert!(
        !output::stdout(&o).contains("\"decision\": \"Allow\""),
        "{}",
        output::show(&o)
    );
    // Nor does a policy's Kelvin sign grant the ASCII name.
    let o = common::ramguard()
        .args([
            "simulate",
            "--policy",
            "kelvin.json",
            "--action",
            "dbs:StartBackupPlan",
            "--resource",
            "*",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_ne!(output::code(&o), 0, "{}", output::show(&o));
}

#[test]
fn stderr_messages_escape_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    let o = common::ramguard()
        .args([
            "simulate",
            "--policy",
            "gone\u{1b}]0;x\u{7}\r.json",
            "--action",
            "dbs:DescribeRegions",
            "--resource",
            "*",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stderr = output::stderr(&o);
    assert_eq!(output::code(&o), 2, "{stderr}");
    assert!(
        !stderr.contains('\u{1b}') && !stderr.contains('\r'),
        "{stderr:?}"
    );
    assert!(stderr.contains("gone\\u{1b}]0;x\\u{7}\\r.json"), "{stderr}");
}

#[test]
#[cfg(target_os = "linux")]
fn a_failed_write_to_stdout_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "op.json", OPERATOR);
    let cases: [&[&str]; 5] = [
        &[
            "simulate",
            "--policy",
            "op.json",
            "--action",
            "dbs:DescribeRegions",
            "--resource",
            "*",
        ],
        &[
            "preflight",
            "--region",
            "cn-hangzhou",
            "--account",
            "1234567890123456",
            "--api",
            "StartBackupPlan",
            "--param",
            "BackupPlanId=dbs1",
            "--policy",
            "op.json",
        ],
        &["rules"],
        &["rule", "RG100"],
        &["lint", "--config", "/dev/null", "op.json"],
    ];
    for args in cases {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let o = common::ramguard()
            .args(args)
            .current_dir(dir.path())
            .stdout(Stdio::from(full))
            .output()
            .unwrap();
        assert_eq!(output::code(&o), 2, "{args:?}: {}", output::show(&o));
        assert!(
            output::stderr(&o).contains("cannot write the output"),
            "{args:?}: {}",
            output::show(&o)
        );
    }
}
