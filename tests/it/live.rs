//! Live RAM against a fake metadata service, STS and RAM on 127.0.0.1: the credential chain
//! (instance role in both metadata modes, OIDC, RamRoleArn, INI), `whoami`, `fetch`, `drift`,
//! `simulate --live-role`, the library's live preflight, retries, paging and the call budget.
//! No secret may appear in any output.

use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;

use crate::common::fake_cloud::{
    Account, FakeCloud, Imds, ISSUED_SECRET_PREFIX, ISSUED_TOKEN_PREFIX, METADATA_TOKEN_PREFIX,
    OIDC_PROVIDER_ARN, OIDC_TOKEN, UID,
};
use crate::common::fake_dbs::{AK_ID, SECRET, STS_TOKEN};
use crate::common::output::json_out as stdout_json;
use crate::common::ramguard;

const OPERATOR: &str = r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":["dbs:StartBackupPlan","dbs:DescribeBackupPlanList"],"Resource":"*"}]}"#;
const READONLY: &str = "{ \"Statement\": [ {\"Effect\": \"Allow\", \"Action\": \"dbs:Describe*\", \"Resource\": \"*\"} ], \"Version\": \"1\" }";
const TRUST: &str = r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Service":["ecs.aliyuncs.com"]}}]}"#;
const SCOPED: &str = r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"dbs:StopBackupPlan","Resource":"*"}]}"#;

fn account() -> Account {
    let mut a = Account::default();
    a.policy("Custom", "dbs-operator", "v3", OPERATOR);
    a.policy("System", "AliyunDBSReadOnlyAccess", "v1", READONLY);
    a.policy("Custom", "rg-scoped", "v1", SCOPED);
    let both = vec![
        ("Custom".to_string(), "dbs-operator".to_string()),
        ("System".to_string(), "AliyunDBSReadOnlyAccess".to_string()),
    ];
    a.role_policies.insert("Runner".into(), both.clone());
    a.role_policies.insert("EcsRunner".into(), both);
    a.trust.insert("Runner".into(), TRUST.into());
    a.trust.insert("EcsRunner".into(), TRUST.into());
    a.user_policies.insert(
        "alice".into(),
        vec![("Custom".into(), "dbs-operator".into())],
    );
    a.user_groups.insert("alice".into(), vec!["ops".into()]);
    a.group_policies.insert(
        "ops".into(),
        vec![("System".into(), "AliyunDBSReadOnlyAccess".into())],
    );
    let role_principal = format!("Runner@role.{UID}.onaliyunservice.com");
    for (name, rg) in [
        ("dbs-operator", UID),
        ("rg-scoped", "rg-aek2"),
        ("dbs-operator", "rg-other"),
    ] {
        a.rg_attachments.push((
            "ServiceRole".into(),
            role_principal.clone(),
            "Custom".into(),
            name.into(),
            rg.into(),
        ));
    }
    a
}

/// `ramguard` with only the fake's endpoints, `HOME` and the given variables.
fn cmd(fake: &FakeCloud, home: &Path, env: &[(&str, &str)]) -> Command {
    let mut c = ramguard();
    c.env_clear().env("HOME", home);
    for (k, v) in fake.env() {
        c.env(k, v);
    }
    for (k, v) in env {
        c.env(k, v);
    }
    c
}

const AK_ENV: &[(&str, &str)] = &[
    ("ALIBABA_CLOUD_ACCESS_KEY_ID", AK_ID),
    ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET),
    ("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true"),
];

fn assert_no_secret(out: &Output) {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    for secret in [
        SECRET,
        STS_TOKEN,
        OIDC_TOKEN,
        ISSUED_SECRET_PREFIX,
        ISSUED_TOKEN_PREFIX,
        METADATA_TOKEN_PREFIX,
    ] {
        assert!(!text.contains(secret), "output shows `{secret}`:\n{text}");
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn whoami_with_the_instance_role_in_hardened_mode() {
    let fake = FakeCloud::start(account(), Imds::default());
    let home = tempfile::tempdir().unwrap();
    let out = cmd(&fake, home.path(), &[])
        .args(["whoami", "--format", "json"])
        .output()
        .unwrap();
    assert_no_secret(&out);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = stdout_json(&out);
    assert_eq!(v["identity_type"], "AssumedRoleUser");
    assert_eq!(v["account_id"], UID);
    assert_eq!(
        v["arn"],
        format!("acs:sts::{UID}:assumed-role/EcsRunner/ecs-instance")
    );
    assert!(v["principal_id"].is_string());
    // Token first, then every read with it; the STS call signed with the issued key.
    let imds: Vec<(String, bool)> = fake
        .calls_to("imds")
        .into_iter()
        .map(|c| (c.action, c.with_token))
        .collect();
    assert_eq!(
        imds,
        [
            ("token".to_string(), false),
            ("role".to_string(), true),
            ("credentials".to_string(), true)
        ]
    );
    let sts = fake.calls_to("sts");
    assert_eq!(sts.len(), 1);
    assert!(sts[0].key.as_deref().unwrap().starts_with("STS.issued"));
    assert!(fake.rejected().is_empty(), "{:?}", fake.rejected());

    let human = cmd(
        &fake,
        home.path(),
        &[("ALIBABA_CLOUD_ECS_METADATA", "EcsRunner")],
    )
    .arg("whoami")
    .output()
    .unwrap();
    assert_no_secret(&human);
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains("AssumedRoleUser") && text.contains("ecs_ram_role"),
        "{text}"
    );
}

#[test]
fn metadata_without_hardened_mode_falls_back_unless_imdsv1_is_disabled() {
    let imds = Imds {
        require_token: false,
        no_token_api: true,
        ..Imds::default()
    };
    let fake = FakeCloud::start(account(), imds);
    let home = tempfile::tempdir().unwrap();
    let out = cmd(&fake, home.path(), &[]).arg("whoami").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(fake.calls_to("imds").iter().skip(1).all(|c| !c.with_token));

    let out = cmd(
        &fake,
        home.path(),
        &[("ALIBABA_CLOUD_IMDSV1_DISABLED", "true")],
    )
    .arg("whoami")
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("ALIBABA_CLOUD_IMDSV1_DISABLED"),
        "{}",
        stderr(&out)
    );

    fake.clear_calls();
    let out = cmd(
        &fake,
        home.path(),
        &[("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")],
    )
    .arg("whoami")
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no Alibaba Cloud credentials"),
        "{}",
        stderr(&out)
    );
    assert!(fake.calls_to("imds").is_empty());
}

#[test]
fn expiring_instance_credentials_are_fetched_again() {
    use ramguard::credentials::imds::EcsRamRole;
    use ramguard::credentials::{ProvideCredentials, Refreshing};
    // 100 s left is inside the 180 s refresh margin: each use fetches anew.
    let fake = FakeCloud::start(
        account(),
        Imds {
            lifetime: 100,
            ..Imds::default()
        },
    );
    let endpoint = ramguard::dbs::Endpoint::parse(&fake.imds_url).unwrap();
    let transport = Arc::new(ramguard::transport::BlockingTransport::default());
    let p = Refreshing::new(EcsRamRole::new(endpoint.clone(), transport.clone()));
    let a = p.credentials().unwrap();
    let b = p.credentials().unwrap();
    assert_ne!(a.access_key_id, b.access_key_id);
    let long = FakeCloud::start(account(), Imds::default());
    let endpoint = ramguard::dbs::Endpoint::parse(&long.imds_url).unwrap();
    let p = Refreshing::new(EcsRamRole::new(endpoint, transport));
    assert_eq!(
        p.credentials().unwrap().access_key_id,
        p.credentials().unwrap().access_key_id
    );
    assert_eq!(long.calls_to("imds").len(), 3);
    assert!(!format!("{p:?} {a:?}").contains(ISSUED_SECRET_PREFIX));
}

#[test]
fn oidc_rrsa_exchanges_the_token_file() {
    let fake = FakeCloud::start(account(), Imds::default());
    let home = tempfile::tempdir().unwrap();
    let token = home.path().join("token");
    std::fs::write(&token, format!("{OIDC_TOKEN}\n")).unwrap();
    let role = format!("acs:ram::{UID}:role/Runner");
    let out = cmd(
        &fake,
        home.path(),
        &[
            ("ALIBABA_CLOUD_ROLE_ARN", &role),
            ("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", OIDC_PROVIDER_ARN),
            ("ALIBABA_CLOUD_OIDC_TOKEN_FILE", token.to_str().unwrap()),
            ("ALIBABA_CLOUD_ROLE_SESSION_NAME", "pod-a"),
        ],
    )
    .args(["whoami", "--format", "json"])
    .output()
    .unwrap();
    assert_no_secret(&out);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout_json(&out)["arn"],
        format!("acs:sts::{UID}:assumed-role/Runner/pod-a")
    );
    let actions: Vec<String> = fake.calls_to("sts").into_iter().map(|c| c.action).collect();
    assert_eq!(actions, ["AssumeRoleWithOIDC", "GetCallerIdentity"]);
    assert!(
        fake.calls_to("imds").is_empty(),
        "OIDC comes before the instance role"
    );

    std::fs::write(&token, "wrong-token").unwrap();
    let out = cmd(
        &fake,
        home.path(),
        &[
            ("ALIBABA_CLOUD_ROLE_ARN", &role),
            ("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", OIDC_PROVIDER_ARN),
            ("ALIBABA_CLOUD_OIDC_TOKEN_FILE", token.to_str().unwrap()),
            ("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true"),
        ],
    )
    .arg("whoami")
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("AuthenticationFail.OIDCToken"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("wrong-token"));
}

#[test]
fn ram_role_arn_profile_and_the_ini_file() {
    let fake = FakeCloud::start(account(), Imds::default());
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join(".aliyun")).unwrap();
    std::fs::write(
        home.path().join(".aliyun/config.json"),
        serde_json::json!({"current": "ci", "profiles": [{"name": "ci", "mode": "RamRoleArn",
            "access_key_id": AK_ID, "access_key_secret": SECRET,
            "ram_role_arn": format!("acs:ram::{UID}:role/Runner"), "ram_session_name": "ci-run",
            "expired_seconds": 900, "external_id": "ext-1"}]})
        .to_string(),
    )
    .unwrap();
    let out = cmd(
        &fake,
        home.path(),
        &[("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")],
    )
    .args(["whoami", "--format", "json"])
    .output()
    .unwrap();
    assert_no_secret(&out);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout_json(&out)["arn"],
        format!("acs:sts::{UID}:assumed-role/Runner/ci-run")
    );
    let sts = fake.calls_to("sts");
    assert_eq!(sts[0].action, "AssumeRole");
    assert_eq!(sts[0].key.as_deref(), Some(AK_ID));
    assert_eq!(sts[0].params["DurationSeconds"], "900");
    assert_eq!(sts[0].params["ExternalId"], "ext-1");

    // The INI file, when the CLI profile is off.
    std::fs::create_dir_all(home.path().join(".alibabacloud")).unwrap();
    std::fs::write(
        home.path().join(".alibabacloud/credentials"),
        format!(
            "[default]\ntype = access_key\naccess_key_id = {AK_ID}\naccess_key_secret = {SECRET}\n"
        ),
    )
    .unwrap();
    let out = cmd(
        &fake,
        home.path(),
        &[
            ("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true"),
            ("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true"),
        ],
    )
    .args(["whoami", "--format", "json"])
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout_json(&out)["arn"],
        format!("acs:ram::{UID}:user/alice")
    );
}

fn read_tree(dir: &Path) -> Vec<(String, Vec<u8>, std::time::SystemTime)> {
    let mut out = Vec::new();
    for p in crate::common::files_under(dir) {
        let meta = std::fs::metadata(&p).unwrap();
        out.push((
            p.strip_prefix(dir).unwrap().display().to_string(),
            std::fs::read(&p).unwrap(),
            meta.modified().unwrap(),
        ));
    }
    out
}

#[test]
fn fetch_role_writes_documents_and_a_manifest_byte_identical_on_a_second_run() {
    let fake = FakeCloud::start(account(), Imds::default());
    let home = tempfile::tempdir().unwrap();
    let out_dir = home.path().join("live");
    let run = || {
        cmd(&fake, home.path(), AK_ENV)
            .args(["fetch", "--role", "Runner", "--out"])
            .arg(&out_dir)
            .output()
            .unwrap()
    };
    let first = run();
    assert_no_secret(&first);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let tree = read_tree(&out_dir);
    let names: Vec<&str> = tree.iter().map(|(n, ..)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "Custom/dbs-operator.json",
            "Custom/rg-scoped.json",
            "System/AliyunDBSReadOnlyAccess.json",
            "manifest.json",
            "trust/Runner.json"
        ]
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["principal"]["name"], "Runner");
    let docs = manifest["documents"].as_array().unwrap();
    let op = docs.iter().find(|d| d["name"] == "dbs-operator").unwrap();
    assert_eq!(op["source"], "ram://policy/Custom/dbs-operator@v3");
    assert_eq!(
        op["resource_group"],
        serde_json::Value::Null,
        "account scope wins"
    );
    let rg = docs.iter().find(|d| d["name"] == "rg-scoped").unwrap();
    assert_eq!(rg["resource_group"], "rg-aek2");
    assert_eq!(manifest["layers"]["resource_group"]["status"], "fetched");
    assert_eq!(manifest["layers"]["session"]["status"], "not_fetched");
    // ListPolicyAttachments was paged (the fake caps pages at 2 rows).
    let pages = fake
        .calls_to("ram")
        .iter()
        .filter(|c| c.action == "ListPolicyAttachments")
        .count();
    assert_eq!(pages, 2);
    assert!(fake.rejected().is_empty(), "{:?}", fake.rejected());

    std::thread::sleep(std::time::Duration::from_millis(30));
    let second = run();
    assert_eq!(second.status.code(), Some(0));
    assert_eq!(
        read_tree(&out_dir),
        tree,
        "a second run changes no byte (nor mtime)"
    );

    // Without --out: the manifest with the documents inline.
    let inline = cmd(&fake, home.path(), AK_ENV)
        .args(["fetch", "--role", "Runner"])
        .output()
        .unwrap();
    let v = stdout_json(&inline);
    assert_eq!(v["documents"][0]["document"]["Version"], "1");
}

#[test]
fn drift_finds_a_changed_statement_a_live_only_policy_and_nothing_when_unchanged() {
    let fake = FakeCloud::start(account(), Imds::default());
    let home = tempfile::tempdir().unwrap();
    let repo = home.path().join("repo");
    let out = cmd(&fake, home.path(), AK_ENV)
        .args(["fetch", "--role", "Runner", "--out"])
        .arg(&repo)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Reformatted and reordered: still equal.
    std::fs::write(
        repo.join("Custom/dbs-operator.json"),
        "{\n  \"Statement\": [{\"Resource\": \"*\", \"Effect\": \"Allow\",\n   \"Action\": [\"dbs:StartBackupPlan\", \"dbs:DescribeBackupPlanList\"]}],\n  \"Version\": \"1\"\n}\n",
    )
    .unwrap();
    let drift = |format: &str| {
        cmd(&fake, home.path(), AK_ENV)
            .args(["drift", "--role", "Runner", "--format", format])
            .arg(&repo)
            .output()
            .unwrap()
    };
    let same = drift("human");
    assert_no_secret(&same);
    assert_eq!(
        same.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&same.stdout),
        stderr(&same)
    );
    assert!(String::from_utf8_lossy(&same.stdout).contains("no drift"));

    // The live policy changes a statement; a new one is attached live.
    fake.with_account(|a| {
        a.policy(
            "Custom",
            "dbs-operator",
            "v4",
            r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"dbs:*","Resource":"*"}]}"#,
        );
        a.policy("Custom", "extra", "v1", SCOPED);
        a.role_policies
            .get_mut("Runner")
            .unwrap()
            .push(("Custom".into(), "extra".into()));
    });
    let changed = drift("human");
    assert_eq!(changed.status.code(), Some(1));
    let text = String::from_utf8_lossy(&changed.stdout);
    assert!(text.contains("changed: dbs-operator"), "{text}");
    assert!(text.contains("+   \"Action\": \"dbs:*\""), "{text}");
    assert!(
        text.contains("attached live, not in the repository: extra"),
        "{text}"
    );

    let json = drift("json");
    assert_eq!(json.status.code(), Some(1));
    let v = stdout_json(&json);
    assert_eq!(v["drift"], true);
    assert_eq!(
        v["changed"][0]["source"],
        "ram://policy/Custom/dbs-operator@v4"
    );
    assert_eq!(v["changed"][0]["statements"][0]["index"], 0);
    assert_eq!(v["live_only"][0]["name"], "extra");
    let gh = drift("github");
    let gh = String::from_utf8_lossy(&gh.stdout);
    assert!(gh.starts_with("::error file="), "{gh}");

    // Offline, against the manifest the fetch wrote: equal to itself.
    let offline = cmd(&fake, home.path(), &[])
        .args(["drift", "--manifest"])
        .arg(repo.join("manifest.json"))
        .arg(&repo)
        .output()
        .unwrap();
    assert_eq!(
        offline.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&offline.stdout)
    );
}

#[test]
fn drift_matches_terraform_documents_by_their_policy_name() {
    let fake = FakeCloud::start(account(), Imds::default());
    let home = tempfile::tempdir().unwrap();
    let repo = home.path().join("repo");
    let out = cmd(&fake, home.path(), AK_ENV)
        .args(["fetch", "--role", "Runner", "--out"])
        .arg(&repo)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The custom policy lives in Terraform instead of its fetched JSON copy, with a wider
    // action: drift names it by its `policy_name`, at its Terraform address.
    std::fs::remove_file(repo.join("Custom/dbs-operator.json")).unwrap();
    std::fs::write(
        repo.join("main.tf"),
        r#"resource "alicloud_ram_policy" "operator" {
  policy_name     = "dbs-operator"
  policy_document = <<EOF
{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "dbs:*", "Resource": "*"}]}
EOF
}

resource "alicloud_ram_policy" "unnamed" {
  policy_name     = var.name
  policy_document = jsonencode({ Version = "1", Statement = [] })
}
"#,
    )
    .unwrap();
    let o = cmd(&fake, home.path(), AK_ENV)
        .args(["drift", "--role", "Runner", "--format", "json"])
        .arg(&repo)
        .output()
        .unwrap();
    assert_no_secret(&o);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v = stdout_json(&o);
    assert_eq!(v["changed"][0]["name"], "dbs-operator", "{v}");
    let at = format!(
        "{}#alicloud_ram_policy.operator",
        repo.join("main.tf").display()
    );
    assert_eq!(v["changed"][0]["file"], at.as_str(), "{v}");
    assert!(v["live_only"].as_array().unwrap().is_empty(), "{v}");
    assert!(
        stderr(&o).contains("alicloud_ram_policy.unnamed` has no literal policy name"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn simulate_live_role_decides_with_the_live_documents() {
    let fake = FakeCloud::start(account(), Imds::default());
    let home = tempfile::tempdir().unwrap();
    let sim = |action: &str| {
        cmd(&fake, home.path(), AK_ENV)
            .args([
                "simulate",
                "--live-role",
                "Runner",
                "--format",
                "json",
                "--action",
                action,
            ])
            .args([
                "--resource",
                "acs:dbs:cn-hangzhou:1234567890123456:backupplan/p1",
            ])
            .output()
            .unwrap()
    };
    let allow = sim("dbs:StartBackupPlan");
    assert_no_secret(&allow);
    assert_eq!(allow.status.code(), Some(0), "{}", stderr(&allow));
    let v = stdout_json(&allow);
    assert_eq!(v["decision"], "Allow");
    assert_eq!(
        v["matched"][0]["file"],
        "ram://policy/Custom/dbs-operator@v3"
    );
    let deny = sim("dbs:DeleteBackupPlan");
    assert_eq!(deny.status.code(), Some(1));
    assert_eq!(stdout_json(&deny)["decision"], "ImplicitDeny");
}

#[test]
fn a_caller_without_list_policies_for_role_gets_an_error_naming_it() {
    let fake = FakeCloud::start(account(), Imds::default());
    fake.deny("ListPoliciesForRole");
    let home = tempfile::tempdir().unwrap();
    let out = cmd(&fake, home.path(), AK_ENV)
        .args(["fetch", "--role", "Runner"])
        .output()
        .unwrap();
    assert_no_secret(&out);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("ram:ListPoliciesForRole"), "{err}");
    assert!(
        err.contains("\"Version\":\"1\""),
        "the minimal policy is shown: {err}"
    );
}

#[test]
fn control_policies_not_readable_are_reported_not_fetched() {
    let fake = FakeCloud::start(account(), Imds::default());
    fake.deny("ListControlPolicyAttachmentsForTarget");
    let home = tempfile::tempdir().unwrap();
    let out = cmd(&fake, home.path(), AK_ENV)
        .args(["fetch", "--user", "alice"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = stdout_json(&out);
    assert_eq!(v["layers"]["control"]["status"], "not_fetched");
    assert!(v["layers"]["control"]["reason"]
        .as_str()
        .unwrap()
        .contains("resourcemanager:ListControlPolicyAttachmentsForTarget"));
    assert!(stderr(&out).contains("control layer was not fetched"));
    // The group's policy is part of the user's set.
    let ro = v["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "AliyunDBSReadOnlyAccess")
        .unwrap();
    assert_eq!(ro["attached_to"][0], "group/ops");
}

fn library(
    fake: &FakeCloud,
) -> (
    ramguard::credentials::Endpoints,
    Arc<ramguard::transport::BlockingTransport>,
) {
    let endpoints = ramguard::credentials::Endpoints::resolve(
        &ramguard::credentials::endpoints::Overrides {
            sts: Some(fake.sts_url.clone()),
            ram: Some(fake.ram_url.clone()),
            imds: Some(fake.imds_url.clone()),
        },
        &|_| None,
    )
    .unwrap();
    (
        endpoints,
        Arc::new(ramguard::transport::BlockingTransport::default()),
    )
}

#[test]
fn throttling_is_retried_and_a_role_with_30_policies_costs_at_most_32_calls() {
    use ramguard::live::{fetch, FetchOptions, Ram, Target};
    let mut a = account();
    let mut list = Vec::new();
    for i in 0..20 {
        a.policy("System", &format!("Sys{i}"), "v1", READONLY);
        list.push(("System".to_string(), format!("Sys{i}")));
    }
    for i in 0..10 {
        a.policy("Custom", &format!("Own{i}"), "v2", OPERATOR);
        list.push(("Custom".to_string(), format!("Own{i}")));
    }
    a.role_policies.insert("Big".into(), list);
    a.trust.insert("Big".into(), TRUST.into());
    let fake = FakeCloud::start(a, Imds::default());
    let (endpoints, transport) = library(&fake);
    let creds: Arc<dyn ramguard::credentials::ProvideCredentials> =
        Arc::new(ramguard::dbs::Credentials::new(AK_ID, SECRET));
    let mut ram = Ram::new(&endpoints, creds, transport.clone());
    ram.retry.base_delay = std::time::Duration::from_millis(5);
    let sts = ramguard::credentials::sts::Sts::new(endpoints.sts.clone(), transport);
    let only_attachments = FetchOptions {
        resource_groups: false,
        control_policies: false,
    };
    let live = fetch(&ram, &sts, &Target::Role("Big".into()), only_attachments).unwrap();
    assert_eq!(live.documents.len(), 31, "30 policies and the trust policy");
    // 1 ListPoliciesForRole + 30 GetPolicy + 1 GetRole.
    assert_eq!(ram.calls(), 32);
    assert_eq!(fake.calls_to("ram").len(), 32);
    // Again, with two throttled answers: system policies come from the cache.
    fake.throttle("ListPoliciesForRole", 2);
    let again = fetch(&ram, &sts, &Target::Role("Big".into()), only_attachments).unwrap();
    assert_eq!(again.documents, live.documents);
    assert_eq!(
        ram.calls() - 32,
        3 + 10 + 1,
        "2 throttled + 1 list, 10 custom, 1 role"
    );
    assert!(fake.rejected().is_empty());
}

#[test]
fn the_live_preflight_predicts_from_attached_policies_and_falls_back_to_indeterminate() {
    use ramguard::preflight::{
        Call, CallContext, Prediction, Preflight, LIVE_POLICIES_UNAVAILABLE,
    };
    let fake = FakeCloud::start(account(), Imds::default());
    let (endpoints, transport) = library(&fake);
    let creds: Arc<dyn ramguard::credentials::ProvideCredentials> =
        Arc::new(ramguard::dbs::Credentials::new(AK_ID, SECRET));
    let live = Preflight::from_caller(creds.clone(), &endpoints, transport.clone())
        .refresh_interval(std::time::Duration::from_secs(3600));
    let call = Call::new("StartBackupPlan", "cn-hangzhou")
        .unwrap()
        .param("BackupPlanId", "p1");
    let ctx = CallContext::default();
    assert!(matches!(
        live.check(&call, &ctx).unwrap(),
        Prediction::Allowed(_)
    ));
    let calls = live.ram_calls();
    let delete = Call::new("StopBackupPlan", "cn-hangzhou")
        .unwrap()
        .param("BackupPlanId", "p1");
    assert!(matches!(
        live.check(&delete, &ctx).unwrap(),
        Prediction::Forbidden(_)
    ));
    assert_eq!(
        live.ram_calls(),
        calls,
        "cached within the refresh interval"
    );
    let eager = Preflight::from_caller(creds.clone(), &endpoints, transport.clone())
        .refresh_interval(std::time::Duration::ZERO);
    eager.check(&call, &ctx).unwrap();
    let once = eager.ram_calls();
    eager.check(&call, &ctx).unwrap();
    // Refetched; the group's system policy now comes from the cache.
    assert_eq!(eager.ram_calls(), 2 * once - 1);

    fake.deny("ListPoliciesForUser");
    let denied = Preflight::from_caller(creds, &endpoints, transport);
    match denied.check(&delete, &ctx).unwrap() {
        Prediction::Indeterminate(r) => {
            assert_eq!(r.depends_on, [LIVE_POLICIES_UNAVAILABLE]);
        }
        other => panic!("a missing read permission must not deny: {other:?}"),
    }
    assert!(denied
        .last_error()
        .unwrap()
        .contains("ram:ListPoliciesForUser"));
}

#[test]
fn marker_paging_reads_every_page() {
    let fake = FakeCloud::start(account(), Imds::default());
    let (endpoints, transport) = library(&fake);
    let creds: Arc<dyn ramguard::credentials::ProvideCredentials> =
        Arc::new(ramguard::dbs::Credentials::new(AK_ID, SECRET));
    let ram = ramguard::live::Ram::new(&endpoints, creds, transport);
    let all = ram
        .ram_pages("ListPolicies", &[], "Policies", "Policy")
        .unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(fake.calls_to("ram").len(), 2);
    assert_eq!(fake.calls_to("ram")[1].params["Marker"], "2");
}

#[test]
fn a_session_policy_given_to_assume_role_is_the_session_layer_of_simulate_live_caller() {
    let fake = FakeCloud::start(account(), Imds::default());
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join(".alibabacloud")).unwrap();
    let session = r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"dbs:Describe*","Resource":"*"}]}"#;
    std::fs::write(
        home.path().join(".alibabacloud/credentials"),
        format!(
            "[default]\ntype = ram_role_arn\naccess_key_id = {AK_ID}\naccess_key_secret = {SECRET}\n\
             role_arn = acs:ram::{UID}:role/Runner\nrole_session_name = narrowed\npolicy = {session}\n"
        ),
    )
    .unwrap();
    let sim = |action: &str| {
        cmd(
            &fake,
            home.path(),
            &[("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")],
        )
        .args([
            "simulate",
            "--live-caller",
            "--format",
            "json",
            "--action",
            action,
        ])
        .args([
            "--resource",
            "acs:dbs:cn-hangzhou:1234567890123456:backupplan/p1",
        ])
        .output()
        .unwrap()
    };
    let denied = sim("dbs:StartBackupPlan");
    assert_no_secret(&denied);
    assert_eq!(denied.status.code(), Some(1), "{}", stderr(&denied));
    let v = stdout_json(&denied);
    assert_eq!(v["decision"], "ImplicitDeny");
    assert_eq!(v["layer"], "SessionPolicy");
    let allowed = sim("dbs:DescribeBackupPlanList");
    assert_eq!(allowed.status.code(), Some(0), "{}", stderr(&allowed));
    let assume = fake
        .calls_to("sts")
        .into_iter()
        .find(|c| c.action == "AssumeRole")
        .unwrap();
    assert_eq!(assume.params["Policy"], session);
    assert_eq!(assume.params["RoleSessionName"], "narrowed");
}

#[test]
fn debug_of_providers_and_requests_shows_no_secret() {
    use ramguard::credentials::profile::Net;
    use ramguard::credentials::{DefaultChain, ProvideCredentials};
    let fake = FakeCloud::start(account(), Imds::default());
    let (endpoints, transport) = library(&fake);
    let chain = DefaultChain::new(
        Box::new(|n| match n {
            "HOME" => Some("/nonexistent".into()),
            _ => None,
        }),
        None,
        Net::new(endpoints.clone(), transport),
    );
    let creds = chain.credentials().unwrap();
    assert_eq!(chain.name(), "ecs_ram_role");
    let request = ramguard::dbs::rpc::signed_request(
        &endpoints.sts,
        &creds,
        "GetCallerIdentity",
        "2015-04-01",
        &Default::default(),
    )
    .unwrap();
    let text = format!("{chain:?} {creds:?} {request:?}");
    for secret in [
        ISSUED_SECRET_PREFIX,
        ISSUED_TOKEN_PREFIX,
        METADATA_TOKEN_PREFIX,
    ] {
        assert!(!text.contains(secret), "{text}");
    }
    assert!(text.contains("x-acs-security-token"), "{text}");
}

#[test]
fn no_metadata_service_fails_fast_without_a_fallback_attempt() {
    let fake = FakeCloud::start(account(), Imds::default());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let home = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let out = cmd(&fake, home.path(), &[])
        .env("RAMGUARD_IMDS_ENDPOINT", format!("http://127.0.0.1:{port}"))
        .arg("whoami")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    let err = stderr(&out);
    assert!(err.contains("no metadata service at"), "{err}");
    // Each provider says why it gave nothing.
    assert!(
        err.contains("config.json") && err.contains("ecs_ram_role"),
        "{err}"
    );
}

#[test]
fn a_flat_repository_without_the_trust_policy_and_unreadable_resource_groups() {
    let fake = FakeCloud::start(account(), Imds::default());
    fake.deny("ListPolicyAttachments");
    let home = tempfile::tempdir().unwrap();
    let repo = home.path().join("flat");
    std::fs::create_dir_all(&repo).unwrap();
    std::fs::write(repo.join("dbs-operator.json"), OPERATOR).unwrap();
    std::fs::write(repo.join("AliyunDBSReadOnlyAccess.json"), READONLY).unwrap();
    let out = cmd(&fake, home.path(), AK_ENV)
        .args(["drift", "--role", "Runner"])
        .arg(&repo)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(
        stderr(&out).contains("resource_group layer was not fetched"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("resourcemanager:ListPolicyAttachments"));
    // Removing a policy the role has is drift.
    std::fs::remove_file(repo.join("AliyunDBSReadOnlyAccess.json")).unwrap();
    let out = cmd(&fake, home.path(), AK_ENV)
        .args(["drift", "--role", "Runner", "--format", "json"])
        .arg(&repo)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout_json(&out)["live_only"][0]["name"],
        "AliyunDBSReadOnlyAccess"
    );
}
