//! Policies where they live: Terraform, plans, ROS templates, API envelopes and JSON strings,
//! every finding located on the host file's line and column.

use serde_json::Value;

use crate::common;

const DIR: &str = "tests/fixtures/hosts";

fn run(args: &[&str]) -> (i32, String) {
    let out = common::ramguard()
        .args(args)
        .current_dir(common::root().join(DIR))
        .output()
        .expect("run ramguard");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

fn lint(file: &str) -> (i32, Vec<Value>) {
    let out = common::ramguard()
        .args(["lint", "--format", "json", file])
        .current_dir(common::root().join(DIR))
        .output()
        .expect("run ramguard");
    let json: Value = serde_json::from_slice(&out.stdout).expect("json output");
    let diags = json["diagnostics"].as_array().cloned().unwrap_or_default();
    (out.status.code().unwrap_or(-1), diags)
}

/// Line and 1-based column (in characters) of the `nth` occurrence of `needle` in `file`.
fn at(file: &str, needle: &str, nth: usize) -> (u64, u64) {
    let text = std::fs::read_to_string(common::root().join(DIR).join(file)).unwrap();
    let offset = text
        .match_indices(needle)
        .nth(nth)
        .map(|(i, _)| i)
        .unwrap_or_else(|| panic!("`{needle}` not in {file}"));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before[before.rfind('\n').map_or(0, |i| i + 1)..]
        .chars()
        .count()
        + 1;
    (line as u64, col as u64)
}

fn find<'a>(diags: &'a [Value], code: &str, document: &str) -> &'a Value {
    diags
        .iter()
        .find(|d| d["code"] == code && d["document"] == document)
        .unwrap_or_else(|| panic!("no {code} in {document}: {diags:#?}"))
}

fn pos(d: &Value) -> (u64, u64) {
    (d["line"].as_u64().unwrap(), d["column"].as_u64().unwrap())
}

#[test]
fn terraform_findings_land_on_the_host_lines() {
    let (exit, diags) = lint("main.tf");
    assert_eq!(exit, 1);
    // A heredoc: the inner `"allow"`.
    let d = find(&diags, "RG015", "alicloud_ram_policy.backup");
    assert_eq!(pos(d), at("main.tf", "\"allow\"", 0));
    assert_eq!(d["file"], "main.tf");
    // A quoted string with `\"` escapes.
    let d = find(&diags, "RG014", "alicloud_ram_policy.quoted");
    assert_eq!(pos(d), at("main.tf", "\\\"Efect\\\"", 0));
    // jsonencode: the HCL key typo on its HCL line, and `Version = 1` the type finding.
    let d = find(&diags, "RG014", "alicloud_ram_policy.encoded");
    assert_eq!(pos(d), at("main.tf", "Actoin", 0));
    let d = find(&diags, "RG025", "alicloud_ram_policy.encoded");
    assert_eq!(pos(d), at("main.tf", "1\n", 0));
    // The interpolated ARN is not an invalid ARN; the clean trust policy (`<<-`) and the data
    // source have no finding.
    for d in &diags {
        assert_ne!(d["code"], "RG029", "{d}");
        assert_ne!(d["document"], "alicloud_ram_role.runner", "{d}");
        assert_ne!(d["document"], "alicloud_ram_policy.from_data", "{d}");
    }
    // file(): the finding is located in the file it names.
    let d = diags
        .iter()
        .find(|d| d["file"] == "policy.json" && d["document"] == "alicloud_ram_policy.from_file")
        .expect("file() finding");
    assert_eq!(d["code"], "RG026");
}

#[test]
fn envelope_and_json_string_map_through_escapes() {
    let (exit, diags) = lint("response.json");
    assert_eq!(exit, 1);
    let d = find(&diags, "RG015", "/PolicyVersion/PolicyDocument");
    assert_eq!(pos(d), at("response.json", "\\\"Alow\\\"", 0));
    let (exit, diags) = lint("string.json");
    assert_eq!(exit, 0, "{diags:#?}");
}

#[test]
fn plan_documents_by_resource_address() {
    let (_, diags) = lint("plan.json");
    let d = find(&diags, "RG032", "module.db.alicloud_ram_policy.backup");
    assert_eq!(pos(d), at("plan.json", "\\\"flase\\\"", 0));
    let (exit, out) = run(&["documents", "--format", "json", "plan.json"]);
    assert_eq!(exit, 0, "{out}");
    let json: Value = serde_json::from_str(&out).unwrap();
    let docs = json["documents"].as_array().unwrap();
    let addresses: Vec<&str> = docs
        .iter()
        .map(|d| d["address"].as_str().unwrap())
        .collect();
    assert_eq!(
        addresses,
        [
            "alicloud_ram_policy.root",
            "alicloud_ram_role.pending",
            "module.db.alicloud_ram_policy.backup"
        ]
    );
    let pending = &docs[1];
    assert_eq!(pending["kind"], "trust");
    assert!(!pending["unknown"].as_array().unwrap().is_empty());
}

#[test]
fn ros_yaml_templates() {
    let (exit, diags) = lint("template.yaml");
    assert_eq!(exit, 1);
    // A YAML duplicate key is the JSON duplicate-key error, on the second key.
    let d = find(&diags, "RG004", "BackupRole.Policies[1]");
    assert_eq!(pos(d), at("template.yaml", "Action: oss:PutObject", 0));
    // A JSON string in a block scalar, located line by line.
    let d = find(&diags, "RG014", "Guard");
    assert_eq!(pos(d), at("template.yaml", "\"Conditon\"", 0));
    // `!Sub` and `Fn::Join` with `Ref` are unknown parts, not findings.
    assert!(diags.iter().all(|d| !d["document"]
        .as_str()
        .unwrap_or("")
        .starts_with("BackupRole.A")
        && d["document"] != "BackupRole.Policies[0]"));
    let (_, out) = run(&["documents", "--format", "json", "template.yaml"]);
    let json: Value = serde_json::from_str(&out).unwrap();
    let docs = json["documents"].as_array().unwrap();
    let kinds: Vec<(&str, &str)> = docs
        .iter()
        .map(|d| (d["address"].as_str().unwrap(), d["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("BackupRole.AssumeRolePolicyDocument", "trust"),
            ("BackupRole.Policies[0]", "identity"),
            ("BackupRole.Policies[1]", "identity"),
            ("Guard", "control")
        ]
    );
    assert_eq!(docs[1]["unknown"], serde_json::json!(["BucketName"]));
}

#[test]
fn syntax_errors_are_one_finding_and_the_others_go_on() {
    let (exit, diags) = lint(".");
    assert_eq!(exit, 1);
    for (file, line) in [("broken.tf", 5), ("broken.yaml", 7)] {
        let mine: Vec<&Value> = diags.iter().filter(|d| d["file"] == file).collect();
        assert_eq!(mine.len(), 1, "{file}: {mine:#?}");
        assert_eq!(mine[0]["code"], "RG001");
        assert_eq!(mine[0]["line"], line);
    }
    assert!(diags.iter().any(|d| d["file"] == "main.tf"));
    assert!(diags.iter().any(|d| d["file"] == "template.yaml"));
}

#[test]
fn simulate_and_preflight_take_document_addresses() {
    let (exit, out) = run(&[
        "simulate",
        "--policy",
        "main.tf#alicloud_ram_policy.from_data",
        "--action",
        "oss:GetObject",
        "--resource",
        "acs:oss:*:*:mybucket/a.txt",
        "--format",
        "json",
    ]);
    assert_eq!(exit, 0, "{out}");
    let json: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["decision"], "Allow");
    assert_eq!(
        json["matched"][0]["line"],
        at("main.tf", "statement {", 0).0
    );

    let (exit, out) = run(&[
        "simulate",
        "--policy",
        "plan.json#alicloud_ram_policy.root",
        "--action",
        "dbs:StartBackupPlan",
        "--resource",
        "*",
    ]);
    assert_eq!(exit, 0, "{out}");

    // An address that names nothing lists what the file holds.
    let (exit, out) = run(&[
        "simulate",
        "--policy",
        "main.tf#alicloud_ram_policy.bakup",
        "--action",
        "oss:GetObject",
        "--resource",
        "*",
    ]);
    assert_eq!(exit, 2);
    assert!(out.contains("alicloud_ram_policy.backup"), "{out}");

    // A variable fills the interpolation in.
    let (exit, out) = run(&[
        "documents",
        "--format",
        "json",
        "--var",
        "account_id=1234567890123456",
        "main.tf",
    ]);
    assert_eq!(exit, 0, "{out}");
    let json: Value = serde_json::from_str(&out).unwrap();
    let backup = json["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["address"] == "alicloud_ram_policy.backup")
        .unwrap();
    assert_eq!(backup["unknown"], serde_json::json!([]));
}

#[test]
fn unknown_parts_make_simulate_indeterminate_and_vars_decide() {
    let sim = |extra: &[&str], resource: &str| -> (i32, Value) {
        let mut args = vec![
            "simulate",
            "--policy",
            "template.yaml#BackupRole.Policies[0]",
            "--action",
            "oss:GetObject",
            "--resource",
            resource,
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let (exit, out) = run(&args);
        let json = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
        (exit, json)
    };
    let (exit, json) = sim(&[], "acs:oss:*:*:mybucket/a.txt");
    assert_eq!(
        (exit, json["decision"].as_str()),
        (3, Some("Indeterminate"))
    );
    let (exit, json) = sim(
        &["--var", "BucketName=mybucket"],
        "acs:oss:*:*:mybucket/a.txt",
    );
    assert_eq!((exit, json["decision"].as_str()), (0, Some("Allow")));
    let (exit, json) = sim(&["--var", "BucketName=other"], "acs:oss:*:*:mybucket/a.txt");
    assert_eq!((exit, json["decision"].as_str()), (1, Some("ImplicitDeny")));
    // No value of the unknown part could match another service's resource.
    let (exit, json) = sim(&[], "acs:ecs:*:*:instance/i-1");
    assert_eq!((exit, json["decision"].as_str()), (1, Some("ImplicitDeny")));
}

#[test]
fn an_unknown_condition_value_makes_its_statement_unknown_and_vars_decide() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ip.tf"),
        r#"resource "alicloud_ram_policy" "ip" {
  policy_name     = "dbs-from-office"
  policy_document = <<EOF
{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "dbs:*", "Resource": "*",
  "Condition": {"IpAddress": {"acs:SourceIp": "${var.cidr}"}}}]}
EOF
}
"#,
    )
    .unwrap();
    let sim = |extra: &[&str]| -> (i32, Value) {
        let mut args = vec![
            "simulate",
            "--policy",
            "ip.tf#alicloud_ram_policy.ip",
            "--action",
            "dbs:DescribeRegions",
            "--resource",
            "*",
            "--context",
            "acs:SourceIp=192.0.2.7",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let out = common::ramguard()
            .args(&args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let json = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
        (out.status.code().unwrap_or(-1), json)
    };
    let (exit, json) = sim(&[]);
    assert_eq!(
        (exit, json["decision"].as_str()),
        (3, Some("Indeterminate")),
        "{json}"
    );
    assert!(json["errors"].to_string().contains("var.cidr"), "{json}");
    let (exit, json) = sim(&["--var", "cidr=192.0.2.0/24"]);
    assert_eq!(
        (exit, json["decision"].as_str()),
        (0, Some("Allow")),
        "{json}"
    );
    let (exit, json) = sim(&["--var", "cidr=198.51.100.0/24"]);
    assert_eq!(
        (exit, json["decision"].as_str()),
        (1, Some("ImplicitDeny")),
        "{json}"
    );
}

#[test]
fn a_walk_skips_json_that_is_neither_a_policy_nor_a_host() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("package.json"),
        r#"{"name": "x", "dependencies": {}}"#,
    )
    .unwrap();
    // A policy with misspelt top-level keys is still a policy to lint.
    std::fs::write(
        dir.path().join("typo.json"),
        r#"{"version": "1", "Statment": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#,
    )
    .unwrap();
    let lint = |path: &str| {
        let out = common::ramguard()
            .args(["lint", "--config", "/dev/null", "--format", "json", path])
            .current_dir(dir.path())
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["file"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let walked = lint(".");
    assert!(
        !walked.iter().any(|f| f.ends_with("package.json")),
        "{walked:?}"
    );
    assert!(
        walked.iter().any(|f| f.ends_with("typo.json")),
        "{walked:?}"
    );
    // Named explicitly, it is linted as a policy (and is a poor one).
    assert!(lint("package.json").iter().any(|f| f == "package.json"));
}

#[test]
fn preflight_takes_a_plan_address() {
    let (exit, out) = run(&[
        "preflight",
        "--api",
        "StartBackupPlan",
        "--region",
        "cn-hangzhou",
        "--account",
        "1234567890123456",
        "--param",
        "BackupPlanId=dbsplan1",
        "--policy",
        "plan.json#alicloud_ram_policy.root",
    ]);
    assert_eq!(exit, 0, "{out}");
}

#[test]
fn rules_that_need_a_value_skip_unknown_parts() {
    let dir = tempfile::tempdir().unwrap();
    let tf = dir.path().join("u.tf");
    std::fs::write(
        &tf,
        r#"resource "alicloud_ram_policy" "u" {
  policy_document = <<EOT
{
  "Version": "1",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["ecs:${var.op}", "${var.action}"],
      "Resource": ["acs:ecs:${var.region}:${var.account}:instance/*", "${var.arn}"],
      "Condition": {"IpAddress": {"acs:SourceIp": "${var.cidr}"}, "StringEquals": {"${var.key}": "x"}, "Bool": {"acs:MFAPresent": "${var.mfa}"}}
    }
  ]
}
EOT
}
"#,
    )
    .unwrap();
    let out = common::ramguard()
        .args(["lint", "--format", "json"])
        .arg(&tf)
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    for grammar in ["RG028", "RG029", "RG031", "RG032"] {
        assert!(!codes.contains(&grammar), "{codes:?}");
    }
}

#[test]
fn terraform_json_syntax() {
    let (exit, diags) = lint("roles.tf.json");
    assert_eq!(exit, 1);
    let d = find(&diags, "RG015", "alicloud_ram_role.ops");
    assert_eq!(pos(d), at("roles.tf.json", "\\\"Alow\\\"", 0));
    assert_eq!(diags.len(), 1, "{diags:#?}");
}

#[test]
fn config_kinds_and_suppressions_by_document_address() {
    let dir = tempfile::tempdir().unwrap();
    let doc = |effect: &str| {
        format!(
            r#"{{\"Version\": \"1\", \"Statement\": [{{\"Effect\": \"{effect}\", \"Action\": \"oss:GetObject\", \"Resource\": \"*\"}}]}}"#
        )
    };
    std::fs::write(
        dir.path().join("main.tf"),
        format!(
            "resource \"alicloud_ram_policy\" \"a\" {{\n  policy_document = \"{}\"\n}}\n\nresource \"alicloud_ram_policy\" \"b\" {{\n  policy_document = \"{}\"\n}}\n",
            doc("allow"),
            doc("allow")
        ),
    )
    .unwrap();
    let trust =
        r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}"#;
    let envelope =
        serde_json::json!({"PolicyVersion": {"PolicyDocument": trust, "VersionId": "v1"}});
    std::fs::write(dir.path().join("r.json"), envelope.to_string()).unwrap();
    std::fs::write(
        dir.path().join("ramguard.toml"),
        r#"[lint.kinds]
"r.json#/PolicyVersion/PolicyDocument" = "trust"

[[suppress]]
code = "RG015"
path = "main.tf"
document = "alicloud_ram_policy.a"
reason = "accepted in the test"
"#,
    )
    .unwrap();
    let out = common::ramguard()
        .args(["lint", "--format", "json", "main.tf", "r.json"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let found: Vec<(String, String)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["document"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert!(
        found.contains(&("RG015".into(), "alicloud_ram_policy.b".into())),
        "{found:?}"
    );
    assert!(
        !found.contains(&("RG015".into(), "alicloud_ram_policy.a".into())),
        "{found:?}"
    );
    // Read as a trust policy: no Principal is the finding, not a missing Resource.
    assert!(found.iter().any(|(c, _)| c == "RG022"), "{found:?}");
    assert!(!found.iter().any(|(c, _)| c == "RG018"), "{found:?}");
}

#[test]
fn ros_embedded_terraform_is_read_and_located_in_the_template() {
    let (exit, diags) = lint("ros-terraform.yaml");
    assert_eq!(exit, 1);
    let d = find(&diags, "RG014", "main.tf/alicloud_ram_policy.embedded");
    assert_eq!(d["file"], "ros-terraform.yaml");
    assert_eq!(pos(d), at("ros-terraform.yaml", "\"Resourse\"", 0));
}

/// A 10,000-line `.tf` with 1,000 policies: every one is found (the time is in the README).
#[test]
fn a_large_terraform_file_is_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for i in 0..1000 {
        text.push_str(&format!(
            "resource \"alicloud_ram_policy\" \"p{i}\" {{\n  policy_name     = \"p{i}\"\n  policy_document = <<EOF\n{{\n  \"Version\": \"1\",\n  \"Statement\": [{{\"Effect\": \"Allow\", \"Action\": \"oss:GetObject\", \"Resource\": \"acs:oss:*:*:b{i}/*\"}}]\n}}\nEOF\n}}\n\n"
        ));
    }
    assert!(text.lines().count() >= 10_000);
    std::fs::write(dir.path().join("big.tf"), &text).unwrap();
    let out = common::ramguard()
        .args(["documents", "--format", "json", "big.tf"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["documents"].as_array().unwrap().len(), 1000);
    let out = common::ramguard()
        .args(["lint", "big.tf"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn deprecated_statement_blocks_and_role_services() {
    let (exit, diags) = lint("legacy.tf");
    assert_eq!(exit, 1);
    let d = find(&diags, "RG015", "alicloud_ram_policy.legacy");
    assert_eq!(pos(d), at("legacy.tf", "\"Alow\"", 0));
    assert_eq!(diags.len(), 1, "{diags:#?}");
    // The role's `services` make a trust policy that lints clean (only the policy's finding).
    let (_, out) = run(&["documents", "--format", "json", "legacy.tf"]);
    let json: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["documents"][1]["kind"], "trust");
}

#[test]
fn ros_json_templates_with_intrinsic_functions() {
    let (exit, diags) = lint("ros.json");
    assert_eq!((exit, diags.len()), (0, 0), "{diags:#?}");
    let (_, out) = run(&["documents", "--format", "json", "ros.json"]);
    let json: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        json["documents"][0]["unknown"],
        serde_json::json!(["ALIYUN::TenantId", "Bucket.Arn"])
    );
    let sim = |extra: &[&str]| {
        let mut args = vec![
            "simulate",
            "--policy",
            "ros.json#Reader",
            "--action",
            "oss:GetObject",
            "--resource",
            "acs:oss:*:1234567890123456:bucket/a",
        ];
        args.extend_from_slice(extra);
        run(&args).0
    };
    assert_eq!(sim(&[]), 3);
    assert_eq!(sim(&["--var", "ALIYUN::TenantId=1234567890123456"]), 0);
}

#[test]
fn an_unknown_condition_value_or_document_is_exit_2_naming_it() {
    let (exit, out) = run(&[
        "simulate",
        "--policy",
        "main.tf#alicloud_ram_policy.opaque",
        "--action",
        "ecs:StartInstance",
        "--resource",
        "*",
    ]);
    assert_eq!(exit, 2);
    assert!(out.contains("`var.policy`"), "{out}");
}
