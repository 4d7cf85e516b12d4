//! Snapshot tests (insta) of what users read: the human lint output of every fixture in
//! `policies/invalid/`, `simulate` explanations, and SARIF. `cargo insta review` (or
//! `INSTA_UPDATE=always cargo test --test it snapshots`) accepts a deliberate change.

use std::path::Path;

fn run(dir: &Path, args: &[&str]) -> String {
    let o = crate::common::ramguard()
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let mut text = String::from_utf8_lossy(&o.stdout).into_owned();
    text.push_str(&format!("[exit {}]\n", o.status.code().unwrap_or(-1)));
    text
}

#[test]
fn human_lint_output_of_every_invalid_fixture() {
    let root = crate::common::root();
    let mut names: Vec<String> = std::fs::read_dir(root.join("policies/invalid"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() > 50);
    for name in names {
        let text = run(root, &["lint", &format!("policies/invalid/{name}")]);
        insta::assert_snapshot!(format!("lint_human__{name}"), text);
    }
}

#[test]
fn simulate_explanations() {
    let root = crate::common::root();
    let plan = "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsqdss5tmh1";
    let cases: [(&str, Vec<&str>); 4] = [
        ("allowed", vec!["--context", "acs:SourceIp=192.0.2.10"]),
        (
            "outside_the_range",
            vec!["--context", "acs:SourceIp=203.0.113.9"],
        ),
        ("source_ip_unknown", vec!["--unknown", "acs:SourceIp"]),
        (
            "protected_by_control_policy",
            vec![
                "--control-policy",
                "policies/control/protect-backup-plans.json",
            ],
        ),
    ];
    for (name, extra) in cases {
        let mut args = vec![
            "simulate",
            "--policy",
            "policies/dbs-backup-operator.json",
            "--action",
            "dbs:StartBackupPlan",
            "--resource",
            plan,
        ];
        args.extend(extra);
        insta::assert_snapshot!(format!("simulate__{name}"), run(root, &args));
    }
}

#[test]
fn sarif_of_findings() {
    let root = crate::common::root();
    let text = run(
        root,
        &[
            "lint",
            "--format",
            "sarif",
            "policies/invalid/RG015-invalid-effect.json",
            "policies/invalid/RG004-duplicate-key.json",
        ],
    );
    // The version changes with every release.
    let text = text.replace(
        &format!("\"version\": \"{}\"", env!("CARGO_PKG_VERSION")),
        "\"version\": \"[version]\"",
    );
    insta::assert_snapshot!("sarif__findings", text);
}
