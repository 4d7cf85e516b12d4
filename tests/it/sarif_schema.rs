//! Every SARIF file ramguard writes validates against the official OASIS SARIF 2.1.0 schema
//! (`../shared/schemas/sarif-schema-2.1.0.json`, draft-04): clean, with findings, and with
//! suppressions. The schema stays in `../shared`; without it the test says it was skipped.

use std::path::Path;

use serde_json::Value;

fn lint_sarif(dir: &Path, paths: &[&str]) -> Value {
    let o = crate::common::ramguard()
        .args(["lint", "--format", "sarif", "--fail-on", "never"])
        .args(paths)
        .current_dir(dir)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn sarif_output_validates_against_the_official_schema() {
    let Some(path) = crate::common::shared(
        "schemas/sarif-schema-2.1.0.json",
        "sarif_output_validates_against_the_official_schema",
    ) else {
        return;
    };
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::draft4::new(&schema).unwrap();
    let root = crate::common::root();

    let clean = lint_sarif(root, &["policies/"]);
    assert!(clean["runs"][0]["results"].as_array().unwrap().is_empty());

    let invalid: Vec<String> = std::fs::read_dir(root.join("policies/invalid"))
        .unwrap()
        .map(|e| {
            format!(
                "policies/invalid/{}",
                e.unwrap().file_name().to_string_lossy()
            )
        })
        .collect();
    let args: Vec<&str> = invalid.iter().map(String::as_str).collect();
    let findings = lint_sarif(root, &args);
    assert!(findings["runs"][0]["results"].as_array().unwrap().len() > 50);

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ramguard.toml"),
        "[[suppress]]\ncode = \"RG015\"\npath = \"p.json\"\nreason = \"kept on purpose\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("p.json"),
        r#"{"Version": "1", "Statement": [{"Effect": "allow", "Action": "dbs:DescribeRegions", "Resource": "*"}]}"#,
    )
    .unwrap();
    let suppressed = lint_sarif(dir.path(), &["p.json"]);
    assert_eq!(
        suppressed["runs"][0]["results"][0]["suppressions"][0]["kind"],
        "external"
    );

    for (what, sarif) in [
        ("clean", clean),
        ("findings", findings),
        ("suppressions", suppressed),
    ] {
        let errors: Vec<String> = validator
            .iter_errors(&sarif)
            .take(10)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(
            errors.is_empty(),
            "{what}: SARIF fails the schema:\n{}",
            errors.join("\n")
        );
    }
}
