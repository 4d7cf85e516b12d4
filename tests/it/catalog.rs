//! The embedded catalogue against its source: ramguard's compact copy (`src/catalog/
//! services.txt`) must hold exactly the facts of `../shared/catalog/services.json` (skipped
//! when absent), and the rules built on it must stay precise on the real-world corpus.

use ramguard::catalog::{self, Access, AccessLevel, Provenance};
use serde_json::Value;

fn level(raw: &str) -> Option<AccessLevel> {
    match raw {
        "list" => Some(AccessLevel::List),
        "get" => Some(AccessLevel::Get),
        "create" => Some(AccessLevel::Create),
        "update" | "patch" => Some(AccessLevel::Update),
        "delete" => Some(AccessLevel::Delete),
        _ => None,
    }
}

fn access(raw: &str) -> Access {
    match raw {
        "read" | "list" => Access::Read,
        "readAndWrite" => Access::ReadWrite,
        _ => Access::Write,
    }
}

fn provenance(raw: Option<&str>) -> Provenance {
    match raw {
        Some("ram") => Provenance::RamActions,
        Some("doc") => Provenance::Doc,
        Some("policy") => Provenance::Policy,
        Some("assumed") => Provenance::Assumed,
        Some("spec") => Provenance::Spec,
        _ => Provenance::Api,
    }
}

#[test]
fn copy_matches_shared_services_json() {
    let Some(path) = crate::common::shared(
        "catalog/services.json",
        "catalog::copy_matches_shared_services_json",
    ) else {
        return;
    };
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let services = doc["services"].as_array().unwrap();
    assert_eq!(services.len(), catalog::services().len(), "service count");
    let newest = ["acs-metadata", "aliyun-openapi-meta"]
        .iter()
        .map(|k| doc["sources"][k]["date"].as_str().unwrap())
        .max()
        .unwrap();
    assert_eq!(catalog::date(), newest, "catalogue date");
    let mut mismatches = Vec::new();
    for s in services {
        let code = s["ram_code"].as_str().unwrap();
        let Some(ours) = catalog::service(code) else {
            mismatches.push(format!("{code}: missing"));
            continue;
        };
        if ours.complete != s["complete"].as_bool().unwrap() {
            mismatches.push(format!("{code}: complete differs"));
        }
        if ours.alias_of != s["alias_of"].as_str() {
            mismatches.push(format!("{code}: alias_of differs"));
        }
        let actions = s["actions"].as_array().unwrap();
        if ours.action_count() != actions.len() {
            mismatches.push(format!(
                "{code}: {} actions here, {} there",
                ours.action_count(),
                actions.len()
            ));
        }
        let mine: Vec<_> = ours.actions().collect();
        for a in actions {
            let name = a["name"].as_str().unwrap();
            let Some(m) = mine.iter().find(|m| m.name() == name) else {
                mismatches.push(format!("{code}:{name}: missing"));
                continue;
            };
            let flag = |k: &str| a[k].as_bool().unwrap_or(false);
            let same = m.level() == level(a["level"].as_str().unwrap())
                && m.access() == access(a["access"].as_str().unwrap())
                && m.deprecated() == flag("deprecated")
                && m.removed() == flag("removed")
                && m.derived() == flag("derived")
                && m.provenance() == provenance(a["src"].as_str());
            if !same {
                mismatches.push(format!("{code}:{name}: facts differ"));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "src/catalog/services.txt is out of date with ../shared/catalog/services.json \
         (regenerate: python3 scripts/compact_catalog.py ../shared/catalog/services.json \
         > src/catalog/services.txt):\n{}",
        mismatches[..mismatches.len().min(20)].join("\n")
    );
}

/// The catalogue and access-level rules never call a document RAM accepted an error: the
/// real-world corpus (Alibaba system policies, Terraform modules, public policies).
#[test]
fn no_catalogue_error_on_real_policies() {
    let Some(dir) = crate::common::shared(
        "realworld/policies",
        "catalog::no_catalogue_error_on_real_policies",
    ) else {
        return;
    };
    let out = crate::common::ramguard()
        .args(["lint", "--format", "json"])
        .arg(&dir)
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ours = [
        "RG200", "RG201", "RG202", "RG205", "RG206", "RG207", "RG120", "RG121", "RG122",
    ];
    let errors: Vec<String> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| ours.contains(&d["code"].as_str().unwrap()) && d["severity"] == "error")
        .map(|d| format!("{} {}: {}", d["code"], d["file"], d["message"]))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    // The RDS typo of one of Alibaba's own modules is found.
    assert!(json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["code"] == "RG207" && d["message"].as_str().unwrap().contains("dbinstances")));
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = crate::common::ramguard().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn actions_lists_what_a_pattern_grants() {
    let (code, out, _) = run(&["actions", "oss:Get*"]);
    assert_eq!(code, 0);
    let line = out
        .lines()
        .find(|l| l.starts_with("oss:GetObject "))
        .expect("oss:GetObject listed");
    assert!(line.contains(" get ") && line.contains("read"), "{line}");
    assert!(out.contains("object") && out.contains("{#BucketName}/{#ObjectPath}"));
    assert!(out.contains(&format!("as of {}", catalog::date())), "{out}");

    let (code, out, _) = run(&["actions", "OSS:get*", "--format", "json"]);
    assert_eq!(code, 0);
    let json: Value = serde_json::from_str(&out).unwrap();
    let actions = json["actions"].as_array().unwrap();
    assert_eq!(json["count"].as_u64().unwrap() as usize, actions.len());
    let get = actions
        .iter()
        .find(|a| a["action"] == "oss:GetObject")
        .unwrap();
    assert_eq!(get["access_level"], "get");
    assert_eq!(get["access"], "read");
    assert!(json["services"]["oss"]["resource_types"].is_array());
    assert_eq!(json["catalogue_date"], catalog::date());

    // DBS actions carry their ARN templates.
    let (_, out, _) = run(&["actions", "dbs:StartBackupPlan"]);
    assert!(out.contains("backupplan/{#BackupPlanId}"), "{out}");

    // Nothing matches: exit 1 and a hint.
    let (code, _, err) = run(&["actions", "ecs:DescribeInstancess"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("did you mean `ecs:DescribeInstances`?"),
        "{err}"
    );
    let (code, _, err) = run(&["actions", "ecss:Describe*"]);
    assert_eq!(code, 1);
    assert!(err.contains("did you mean `ecs`?"), "{err}");
}

/// Per-action resource types (documented and assumed) and the service condition keys the
/// sources name, in both output formats.
#[test]
fn actions_show_types_and_condition_keys() {
    let (code, out, _) = run(&["actions", "kms:Encrypt"]);
    assert_eq!(code, 0);
    let line = out.lines().next().unwrap();
    assert!(line.starts_with("kms:Encrypt "), "{out}");
    assert!(
        line.contains("on key, alias (assumed)") && line.contains("keys kms:tag/<tag-key>"),
        "{line}"
    );
    assert!(out.contains("kms condition keys (where documented; not complete):"));
    assert!(out.contains("Encrypt, Decrypt, GenerateDataKey"), "{out}");

    let (code, out, _) = run(&["actions", "kms:Encrypt", "--format", "json"]);
    assert_eq!(code, 0);
    let json: Value = serde_json::from_str(&out).unwrap();
    let a = &json["actions"][0];
    assert_eq!(a["resource_types"], serde_json::json!(["key", "alias"]));
    assert_eq!(a["assumed_resource_types"], serde_json::json!(["alias"]));
    assert_eq!(
        a["condition_keys"],
        serde_json::json!(["kms:tag/<tag-key>"])
    );
    let kms = &json["services"]["kms"];
    let key = &kms["condition_keys"][0];
    assert_eq!(key["key"], "kms:tag/<tag-key>");
    assert!(key["source"]
        .as_str()
        .unwrap()
        .contains("AlibabaCloudDocs/kms"));
    let types = kms["resource_types"].as_array().unwrap();
    assert!(types
        .iter()
        .all(|t| t["source"].as_str().is_some_and(|s| !s.is_empty())));
    let network = types.iter().find(|t| t["name"] == "networkrule").unwrap();
    assert_eq!(network["verified"], false);
    assert!(network["note"]
        .as_str()
        .unwrap()
        .contains("network/networkrule_test"));

    // An action with no recorded types or keys: `null` types, empty lists.
    let (_, out, _) = run(&["actions", "ecs:RunInstances", "--format", "json"]);
    let json: Value = serde_json::from_str(&out).unwrap();
    let a = &json["actions"][0];
    assert!(a["resource_types"].is_null());
    assert_eq!(a["assumed_resource_types"], serde_json::json!([]));
    assert_eq!(a["condition_keys"], serde_json::json!([]));

    // OSS keys the source names without an action are listed with the service.
    let (_, out, _) = run(&["actions", "oss:ListObjects"]);
    assert!(out.contains("keys oss:Prefix, oss:Delimiter"), "{out}");
    assert!(out.contains("oss:BucketTag/<tag-key>") && out.contains("(no actions named)"));
}

#[test]
fn version_and_sarif_name_the_catalogue_date() {
    let (code, out, _) = run(&["--version"]);
    assert_eq!(code, 0);
    assert!(
        out.contains(&format!("RAM action catalogue as of {}", catalog::date())),
        "{out}"
    );
    let fixture = crate::common::root().join("policies/invalid/RG200-unknown-action.json");
    let (_, out, _) = run(&["lint", "--format", "sarif", fixture.to_str().unwrap()]);
    let sarif: Value = serde_json::from_str(&out).unwrap();
    let driver = &sarif["runs"][0]["tool"]["driver"];
    assert_eq!(
        driver["properties"]["actionCatalogue"]["date"],
        catalog::date()
    );
    assert!(driver["fullName"]
        .as_str()
        .unwrap()
        .contains(catalog::date()));
}

#[test]
fn simulate_says_when_an_action_is_not_catalogued() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("p.json");
    std::fs::write(
        &policy,
        r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "ecs:Describe*", "Resource": "*"}]}"#,
    )
    .unwrap();
    let p = policy.to_str().unwrap();
    let (_, out, _) = run(&[
        "simulate",
        "--policy",
        p,
        "--action",
        "ecs:DescribeInstancess",
        "--resource",
        "*",
    ]);
    assert!(
        out.contains("not in the action catalogue") && out.contains("`ecs:DescribeInstances`"),
        "{out}"
    );
    let (_, out, _) = run(&[
        "simulate",
        "--policy",
        p,
        "--action",
        "ecs:DescribeInstances",
        "--resource",
        "*",
    ]);
    assert!(!out.contains("not in the action catalogue"), "{out}");
}
