//! Black-box tests of `ramguard simulate` against the contract in CLI.md.
//!
//! - `decision_cases_through_the_cli` runs the whole decision-case corpus (`tests/cases/*.json`,
//!   the one `eval_cases.rs` runs through the library) through `simulate --requests`: policies
//!   written to files by layer, one JSONL line per case, every result line checked.
//! - The other tests pin the flags, the result object, the human explanation and the exit codes.
//!
//! Exit code of a `--requests` batch with mixed results (documented in README.md and tested
//! here): 2 if any line is not a valid request, else 1 if any request is denied, else 3 if any is
//! indeterminate, else 0. The batch always prints one line per request line, invalid ones
//! included (`{"error": ..., "line": N}`); blank lines are skipped and `line` counts physical
//! lines of the file.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails by panicking, helpers included"
)]

use crate::common::output::{code, json_out, show, stderr, stdout};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::{json, Value};

const OPERATOR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/policies/dbs-backup-operator.json"
);
const PLAN1: &str = "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsqdss5tmh1";
const OTHER_PLAN: &str = "acs:dbs:cn-hangzhou:1234567890123456:backupplan/dbsotherplan";

/// Runs the binary in `dir` (a temp dir, so no `ramguard.toml` of the repository is found).
fn run_in(dir: &Path, args: &[&str]) -> Output {
    crate::common::ramguard()
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run ramguard")
}

fn simulate(dir: &Path, args: &[&str]) -> Output {
    let mut all = vec!["simulate"];
    all.extend_from_slice(args);
    run_in(dir, &all)
}

/// Every stdout line as JSON.
fn json_lines(o: &Output) -> Vec<Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: line {l:?}\n{}", show(o))))
        .collect()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, text).unwrap();
    path
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temp path")
}

// ---------------------------------------------------------------------------------------------
// (a) The decision-case corpus through `simulate --requests`.
// ---------------------------------------------------------------------------------------------

fn case_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

/// One policy written to disk: its corpus name and the document it holds.
struct Written {
    name: String,
    document: Value,
    text: String,
}

/// Writes a case file's policies under `dir/<layer>/<name>` and returns the simulate flags and
/// a map from the path passed on the command line back to the policy.
fn write_policies(dir: &Path, policies: &Value) -> (Vec<String>, HashMap<String, Written>) {
    let mut args = Vec::new();
    let mut written = HashMap::new();
    let mut add = |layer: &str, flag: &str, entry: &Value| {
        let name = entry["name"].as_str().expect("policy name").to_string();
        let text = serde_json::to_string_pretty(&entry["document"]).unwrap();
        let path = write(dir, &format!("{layer}/{name}"), &text);
        let path = s(&path).to_string();
        args.push(flag.to_string());
        args.push(path.clone());
        written.insert(
            path,
            Written {
                name,
                document: entry["document"].clone(),
                text,
            },
        );
    };
    for entry in policies["identity"].as_array().into_iter().flatten() {
        add("identity", "--policy", entry);
    }
    for entry in policies["control"].as_array().into_iter().flatten() {
        add("control", "--control-policy", entry);
    }
    if !policies["session"].is_null() {
        add("session", "--session-policy", &policies["session"]);
    }
    if !policies["trust"].is_null() {
        add("trust", "--trust-policy", &policies["trust"]);
    }
    (args, written)
}

/// The character at a 1-based line and column (columns count characters).
fn char_at(text: &str, line: u64, column: u64) -> Option<char> {
    let l = text
        .lines()
        .nth(usize::try_from(line).ok()?.checked_sub(1)?)?;
    l.chars().nth(usize::try_from(column).ok()?.checked_sub(1)?)
}

/// Differences between one result line and the case's expectation; `matched` files are mapped
/// back from the paths passed to the corpus names, and each matched statement is checked against
/// the written file (Sid, Effect, and the location of its opening brace).
fn compare(expect: &Value, got: &Value, written: &HashMap<String, Written>) -> Vec<String> {
    let mut out = Vec::new();
    for field in ["decision", "layer", "possible", "depends_on"] {
        if expect[field] != got[field] {
            out.push(format!(
                "{field}: expected {}, got {}",
                expect[field], got[field]
            ));
        }
    }
    let mut matched = Vec::new();
    for m in got["matched"].as_array().into_iter().flatten() {
        let path = m["file"].as_str().unwrap_or_default();
        let Some(w) = written.get(path) else {
            out.push(format!("matched names a file that was not passed: {m}"));
            continue;
        };
        matched.push(json!({"file": w.name, "statement": m["statement"]}));
        let index = m["statement"].as_u64().unwrap_or(u64::MAX);
        let statements = &w.document["Statement"];
        let st = statements
            .as_array()
            .and_then(|a| a.get(usize::try_from(index).unwrap_or(usize::MAX)))
            .unwrap_or(statements);
        let sid = st.get("Sid").cloned().unwrap_or(Value::Null);
        if m["sid"] != sid || m["effect"] != st["Effect"] {
            out.push(format!(
                "matched {m}: the statement has Sid {sid} and Effect {}",
                st["Effect"]
            ));
        }
        let brace = char_at(
            &w.text,
            m["line"].as_u64().unwrap_or(0),
            m["column"].as_u64().unwrap_or(0),
        );
        if brace != Some('{') {
            out.push(format!(
                "matched {m}: line/column point at {brace:?}, not at `{{`"
            ));
        }
    }
    if expect["matched"] != Value::Array(matched.clone()) {
        out.push(format!(
            "matched: expected {}, got {}",
            expect["matched"],
            Value::Array(matched)
        ));
    }
    let pairs = |v: &Value| -> BTreeSet<(String, String)> {
        v.as_array()
            .into_iter()
            .flatten()
            .map(|e| {
                (
                    e["key"].as_str().unwrap_or_default().to_string(),
                    e["value"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    };
    if pairs(&expect["errors"]) != pairs(&got["errors"]) {
        out.push(format!(
            "errors: expected {}, got {}",
            expect["errors"], got["errors"]
        ));
    }
    let forbidden = match expect["decision"].as_str() {
        Some("Allow") => json!(false),
        Some("ExplicitDeny" | "ImplicitDeny") => json!(true),
        _ => Value::Null,
    };
    if got["forbidden"] != forbidden {
        out.push(format!(
            "forbidden: expected {forbidden}, got {}",
            got["forbidden"]
        ));
    }
    out
}

/// The batch exit code the contract gives for these decisions (no invalid line).
fn batch_exit(decisions: &[&str]) -> i32 {
    if decisions.iter().any(|d| d.ends_with("Deny")) {
        1
    } else if decisions.contains(&"Indeterminate") {
        3
    } else {
        0
    }
}

#[test]
fn decision_cases_through_the_cli() {
    let mut failures = Vec::new();
    let mut cases = 0;
    for file in case_files() {
        let file_name = file.file_name().unwrap().to_string_lossy().to_string();
        let corpus: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap())
            .unwrap_or_else(|e| panic!("{file_name}: {e}"));
        let dir = tempfile::tempdir().unwrap();
        let (mut args, written) = write_policies(dir.path(), &corpus["policies"]);
        // A case whose action is not `<code>:<name>` (`pai:`) is for the library: the CLI
        // refuses it before judging (CLI.md rev 2; tested in input_checks).
        let well_formed = |c: &&Value| {
            let action = c["request"]["action"].as_str().unwrap_or_default();
            action
                .split_once(':')
                .is_some_and(|(a, b)| !a.is_empty() && !b.is_empty())
        };
        let list: Vec<&Value> = corpus["cases"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(well_formed)
            .collect();
        let mut jsonl = String::new();
        for case in &list {
            jsonl.push_str(&serde_json::to_string(&case["request"]).unwrap());
            jsonl.push('\n');
        }
        let requests = write(dir.path(), "requests.jsonl", &jsonl);
        args.extend([
            "--requests".into(),
            s(&requests).into(),
            "--format".into(),
            "json".into(),
        ]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = simulate(dir.path(), &args);

        let lines: Vec<&str> = std::str::from_utf8(&o.stdout).unwrap().lines().collect();
        if lines.len() != list.len() {
            failures.push(format!(
                "{file_name}: {} cases but {} result lines\n{}",
                list.len(),
                lines.len(),
                show(&o)
            ));
            continue;
        }
        let decisions: Vec<&str> = list
            .iter()
            .map(|c| c["expect"]["decision"].as_str().unwrap_or_default())
            .collect();
        if code(&o) != batch_exit(&decisions) {
            failures.push(format!(
                "{file_name}: exit {} for decisions {decisions:?}, expected {}\n{}",
                code(&o),
                batch_exit(&decisions),
                stderr(&o)
            ));
        }
        for (case, line) in list.iter().zip(&lines) {
            cases += 1;
            let name = format!("{file_name} / {}", case["name"]);
            let got: Value = match serde_json::from_str(line) {
                Ok(v) => v,
                Err(e) => {
                    failures.push(format!("{name}: result is not JSON ({e}): {line}"));
                    continue;
                }
            };
            let problems = compare(&case["expect"], &got, &written);
            if !problems.is_empty() {
                failures.push(format!("{name}:\n    {}", problems.join("\n    ")));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} problem(s) over {cases} cases:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert!(cases >= 120, "only {cases} cases ran");
}

// ---------------------------------------------------------------------------------------------
// (b) The CLI contract of `simulate`.
// ---------------------------------------------------------------------------------------------

/// The flags of a request on plan 1 of the shipped operator policy, plus `extra`.
fn plan1<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec![
        "--policy",
        OPERATOR,
        "--action",
        "dbs:StartBackupPlan",
        "--resource",
        PLAN1,
    ];
    v.extend_from_slice(extra);
    v
}

#[test]
fn json_result_object_has_exactly_the_contract_fields() {
    let dir = tempfile::tempdir().unwrap();
    let o = simulate(
        dir.path(),
        &plan1(&[
            "--context",
            "acs:SourceIp=192.0.2.10",
            "--context",
            "acs:SecureTransport=true",
            "--format",
            "json",
        ]),
    );
    assert_eq!(code(&o), 0, "{}", show(&o));
    let text = stdout(&o);
    let v = json_out(&o);
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    let want = [
        "decision",
        "layer",
        "possible",
        "depends_on",
        "matched",
        "errors",
        "warnings",
        "notes",
        "forbidden",
    ];
    assert_eq!(
        keys.iter().copied().collect::<BTreeSet<_>>(),
        want.iter().copied().collect::<BTreeSet<_>>(),
        "{text}"
    );
    // In the contract's order.
    let at: Vec<usize> = want
        .iter()
        .map(|k| text.find(&format!("\"{k}\"")).unwrap())
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "field order: {text}");
    assert_eq!(
        v,
        json!({
            "decision": "Allow",
            "layer": "AccountLevelIdentityBasedPolicy",
            "possible": ["Allow"],
            "depends_on": [],
            "matched": [{"file": OPERATOR, "statement": 0, "sid": "RunListedBackupPlans",
                         "effect": "Allow", "line": 4, "column": 5,
                         "layer": "AccountLevelIdentityBasedPolicy"}],
            "errors": [],
            "warnings": [],
            "notes": [],
            "forbidden": false
        })
    );
    assert_eq!(stderr(&o), "", "nothing on stderr for a clean run");
}

#[test]
fn decision_exit_codes_allow_deny_indeterminate() {
    let dir = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| {
        let mut a = plan1(&["--context", "acs:SecureTransport=true", "--format", "json"]);
        a.extend_from_slice(extra);
        simulate(dir.path(), &a)
    };

    let allow = run(&["--context", "acs:SourceIp=198.51.100.7"]);
    assert_eq!(code(&allow), 0, "{}", show(&allow));
    assert_eq!(json_out(&allow)["decision"], "Allow");

    // Outside both ranges.
    let deny = run(&["--context", "acs:SourceIp=203.0.113.5"]);
    assert_eq!(code(&deny), 1, "{}", show(&deny));
    let v = json_out(&deny);
    assert_eq!(v["decision"], "ImplicitDeny");
    assert_eq!(v["layer"], "AccountLevelIdentityBasedPolicy");
    assert_eq!(v["matched"], json!([]));
    assert_eq!(v["forbidden"], true);

    // Unknown: may be inside or outside the ranges.
    let unknown = run(&["--unknown", "acs:SourceIp"]);
    assert_eq!(code(&unknown), 3, "{}", show(&unknown));
    let v = json_out(&unknown);
    assert_eq!(v["decision"], "Indeterminate");
    assert_eq!(v["layer"], Value::Null);
    assert_eq!(v["possible"], json!(["Allow", "ImplicitDeny"]));
    assert_eq!(v["depends_on"], json!(["acs:SourceIp"]));
    assert_eq!(v["forbidden"], Value::Null);

    // Neither given nor unknown: absent, so the positive IpAddress operator is false.
    let absent = run(&[]);
    assert_eq!(code(&absent), 1, "{}", show(&absent));
    assert_eq!(json_out(&absent)["decision"], "ImplicitDeny");
    assert_eq!(json_out(&absent)["depends_on"], json!([]));
}

#[test]
fn a_repeated_context_key_is_multi_valued() {
    let dir = tempfile::tempdir().unwrap();
    let policy = write(
        dir.path(),
        "tags.json",
        r#"{"Version": "1", "Statement": [
  {"Effect": "Allow", "Action": "dbs:*", "Resource": "*",
   "Condition": {"StringEquals": {"acs:TagKeys": "team"}}},
  {"Sid": "NoSecretTag", "Effect": "Deny", "Action": "dbs:*", "Resource": "*",
   "Condition": {"StringEquals": {"acs:TagKeys": "secret"}}}
]}"#,
    );
    let run = |ctx: &[&str]| {
        let mut a = vec![
            "--policy",
            s(&policy),
            "--action",
            "dbs:DescribeBackupPlanList",
            "--resource",
            "*",
            "--format",
            "json",
        ];
        for c in ctx {
            a.extend(["--context", c]);
        }
        simulate(dir.path(), &a)
    };
    let team = run(&["acs:TagKeys=team"]);
    assert_eq!(json_out(&team)["decision"], "Allow", "{}", show(&team));
    // Both values are present whatever their order: neither the first nor the last one wins.
    for ctx in [
        ["acs:TagKeys=team", "acs:TagKeys=secret"],
        ["acs:TagKeys=secret", "acs:TagKeys=team"],
        ["acs:TagKeys=secret", "ACS:tagkeys=team"],
    ] {
        let o = run(&ctx);
        assert_eq!(code(&o), 1, "{ctx:?}: {}", show(&o));
        let v = json_out(&o);
        assert_eq!(v["decision"], "ExplicitDeny", "{ctx:?}");
        assert_eq!(v["matched"][0]["sid"], "NoSecretTag", "{ctx:?}");
    }
}

#[test]
fn unknown_resource_parts_and_the_principal() {
    let dir = tempfile::tempdir().unwrap();
    // `{#accountId}` marks an unknown part of the ARN.
    let o = simulate(
        dir.path(),
        &[
            "--policy",
            OPERATOR,
            "--action",
            "dbs:StartBackupPlan",
            "--resource",
            "acs:dbs:cn-hangzhou:{#accountId}:backupplan/dbsqdss5tmh1",
            "--context",
            "acs:SourceIp=192.0.2.10",
            "--context",
            "acs:SecureTransport=true",
            "--format",
            "json",
        ],
    );
    assert_eq!(code(&o), 3, "{}", show(&o));
    assert_eq!(json_out(&o)["depends_on"], json!(["accountId"]));

    // `--principal` against the shipped trust policy (ECS may assume the role).
    let trust = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/policies/trust/ecs-backup-runner-role.json"
    );
    let caller = write(
        dir.path(),
        "caller.json",
        r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
            "Resource": "acs:ram::1234567890123456:role/*"}]}"#,
    );
    let assume = |principal: Option<&str>| {
        let mut a = vec![
            "--policy",
            s(&caller),
            "--trust-policy",
            trust,
            "--action",
            "sts:AssumeRole",
            "--resource",
            "acs:ram::1234567890123456:role/ecs-backup-runner",
            "--format",
            "json",
        ];
        if let Some(p) = principal {
            a.extend(["--principal", p]);
        }
        simulate(dir.path(), &a)
    };
    let ecs = assume(Some("ecs.aliyuncs.com"));
    assert_eq!(code(&ecs), 0, "{}", show(&ecs));
    let v = json_out(&ecs);
    // A service has no identity policies: the trust policy alone decides (rev 2).
    assert_eq!(v["matched"][0]["file"], trust);
    assert_eq!(v["layer"], "ResourceBasedPolicy");
    let user = assume(Some("acs:ram::1234567890123456:user/alice"));
    assert_eq!(code(&user), 1, "{}", show(&user));
    assert_eq!(json_out(&user)["layer"], "ResourceBasedPolicy");
    let nobody = assume(None);
    assert_eq!(code(&nobody), 3, "{}", show(&nobody));
    assert_eq!(json_out(&nobody)["depends_on"], json!(["principal"]));
}

#[test]
fn a_request_value_an_operator_cannot_read_is_reported_in_errors() {
    let dir = tempfile::tempdir().unwrap();
    let o = simulate(
        dir.path(),
        &plan1(&[
            "--context",
            "acs:SourceIp=not-an-ip",
            "--context",
            "acs:SecureTransport=true",
            "--format",
            "json",
        ]),
    );
    assert_eq!(code(&o), 3, "{}", show(&o));
    let v = json_out(&o);
    assert_eq!(v["decision"], "Indeterminate");
    assert_eq!(
        v["depends_on"],
        json!([]),
        "a bad value is not an unknown key"
    );
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{v}");
    assert_eq!(errors[0]["key"], "acs:SourceIp");
    assert_eq!(errors[0]["value"], "not-an-ip");
    assert_eq!(errors[0]["file"], OPERATOR);
    assert_eq!(errors[0]["statement"], 0);
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("`not-an-ip`"),
        "{v}"
    );
}

#[test]
fn request_file_gives_the_same_result_as_flags() {
    let dir = tempfile::tempdir().unwrap();
    let request = write(
        dir.path(),
        "request.json",
        &json!({
            "action": "dbs:StartBackupPlan",
            "resource": PLAN1,
            "context": {"acs:SourceIp": "203.0.113.5", "acs:SecureTransport": true},
            "unknown": ["acs:MFAPresent"],
            "principal": "acs:ram::1234567890123456:user/alice"
        })
        .to_string(),
    );
    let from_file = simulate(
        dir.path(),
        &[
            "--policy",
            OPERATOR,
            "--request",
            s(&request),
            "--format",
            "json",
        ],
    );
    let from_flags = simulate(
        dir.path(),
        &plan1(&[
            "--context",
            "acs:SourceIp=203.0.113.5",
            "--context",
            "acs:SecureTransport=true",
            "--unknown",
            "acs:MFAPresent",
            "--principal",
            "acs:ram::1234567890123456:user/alice",
            "--format",
            "json",
        ]),
    );
    assert_eq!(code(&from_file), 1, "{}", show(&from_file));
    assert_eq!(code(&from_flags), 1, "{}", show(&from_flags));
    assert_eq!(json_out(&from_file), json_out(&from_flags));
    assert_eq!(json_out(&from_file)["decision"], "ImplicitDeny");

    // A request file cannot be mixed with request flags.
    let mixed = simulate(
        dir.path(),
        &[
            "--policy",
            OPERATOR,
            "--request",
            s(&request),
            "--context",
            "acs:SourceIp=192.0.2.1",
        ],
    );
    assert_eq!(code(&mixed), 2, "{}", show(&mixed));
    assert_eq!(stdout(&mixed), "");
}

fn request_line(resource: &str, context: Value) -> String {
    json!({"action": "dbs:StartBackupPlan", "resource": resource, "context": context}).to_string()
}

/// Allow, ImplicitDeny and Indeterminate request lines for the operator policy.
fn allow_line() -> String {
    request_line(
        PLAN1,
        json!({"acs:SourceIp": "192.0.2.10", "acs:SecureTransport": "true"}),
    )
}
fn deny_line() -> String {
    request_line(
        OTHER_PLAN,
        json!({"acs:SourceIp": "192.0.2.10", "acs:SecureTransport": "true"}),
    )
}
fn indeterminate_line() -> String {
    json!({"action": "dbs:StartBackupPlan", "resource": PLAN1,
           "context": {"acs:SecureTransport": "true"}, "unknown": ["acs:SourceIp"]})
    .to_string()
}

fn batch(dir: &Path, lines: &[String], format: &str) -> Output {
    let mut text = lines.join("\n");
    text.push('\n');
    let file = write(dir, "batch.jsonl", &text);
    simulate(
        dir,
        &[
            "--policy",
            OPERATOR,
            "--requests",
            s(&file),
            "--format",
            format,
        ],
    )
}

#[test]
fn requests_prints_one_line_per_request_in_order() {
    let dir = tempfile::tempdir().unwrap();
    // Many lines, so that a parallel evaluation that lost the order would show.
    let kinds = [
        ("Allow", allow_line()),
        ("ImplicitDeny", deny_line()),
        ("Indeterminate", indeterminate_line()),
    ];
    let mut lines = Vec::new();
    let mut want = Vec::new();
    for i in 0..150 {
        let (d, l) = &kinds[(i * 7 + i / 5) % 3];
        lines.push(l.clone());
        want.push(*d);
    }
    let o = batch(dir.path(), &lines, "json");
    assert_eq!(code(&o), 1, "{}", show(&o));
    let got: Vec<String> = json_lines(&o)
        .iter()
        .map(|v| v["decision"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(got, want);
    // Each line is a complete result object.
    let first = &json_lines(&o)[0];
    assert_eq!(first["matched"][0]["sid"], "RunListedBackupPlans");
    assert_eq!(first["forbidden"], false);
}

#[test]
fn batch_exit_code_with_mixed_results() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&[String], i32)] = &[
        (&[allow_line(), allow_line()], 0),
        (&[allow_line(), indeterminate_line()], 3),
        (&[indeterminate_line(), allow_line(), deny_line()], 1),
        (&[deny_line(), indeterminate_line()], 1),
        (&[allow_line(), "{not json".to_string(), deny_line()], 2),
    ];
    for (lines, want) in cases {
        let o = batch(dir.path(), lines, "json");
        assert_eq!(code(&o), *want, "{lines:?}\n{}", show(&o));
        assert_eq!(json_lines(&o).len(), lines.len(), "{}", show(&o));
    }
}

#[test]
fn an_invalid_request_line_does_not_stop_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let lines = [
        allow_line(),
        "{\"action\": \"dbs:StartBackupPlan\"}".to_string(), // no resource
        String::new(),                                       // blank: skipped
        "not json at all".to_string(),
        json!({"action": "dbs:X", "resource": "*", "context": {"k:a": null}}).to_string(),
        json!({"action": "dbs:X", "resource": "*", "contexts": {}}).to_string(),
        deny_line(),
    ];
    let o = batch(dir.path(), &lines, "json");
    assert_eq!(code(&o), 2, "{}", show(&o));
    let out = json_lines(&o);
    assert_eq!(
        out.len(),
        6,
        "one line per non-blank request line: {}",
        show(&o)
    );
    assert_eq!(out[0]["decision"], "Allow");
    for (v, line) in out[1..5].iter().zip([2, 4, 5, 6]) {
        assert_eq!(v["line"], line, "{v}");
        let e = v["error"]
            .as_str()
            .unwrap_or_else(|| panic!("no error: {v}"));
        assert!(e.starts_with("invalid request"), "{e}");
    }
    assert!(
        out[1]["error"].as_str().unwrap().contains("resource"),
        "{}",
        out[1]
    );
    assert!(
        out[3]["error"].as_str().unwrap().contains("null"),
        "{}",
        out[3]
    );
    assert!(
        out[4]["error"].as_str().unwrap().contains("contexts"),
        "{}",
        out[4]
    );
    assert_eq!(out[5]["decision"], "ImplicitDeny");

    // The human format prints one line per request (README), in order.
    let human = batch(dir.path(), &lines, "human");
    assert_eq!(code(&human), 2, "{}", show(&human));
    let text = stdout(&human);
    let human_lines: Vec<&str> = text.lines().collect();
    assert_eq!(human_lines.len(), out.len(), "{text}");
    assert!(
        human_lines[0].starts_with("line 1: Allow dbs:StartBackupPlan on `"),
        "{text}"
    );
    assert!(
        human_lines[5].starts_with("line 7: ImplicitDeny "),
        "{text}"
    );
    assert!(human_lines[2].contains("\"line\":4"), "{text}");
}

#[test]
fn requests_cannot_be_combined_with_single_request_flags() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "r.jsonl", &format!("{}\n", deny_line()));
    for extra in [
        ["--context", "acs:SourceIp=192.0.2.10"],
        ["--unknown", "acs:SourceIp"],
        ["--principal", "acs:ram::1234567890123456:user/alice"],
        ["--request", "other.json"],
        ["--action", "dbs:StartBackupPlan"],
    ] {
        let mut a = vec![
            "--policy",
            OPERATOR,
            "--requests",
            s(&file),
            "--format",
            "json",
        ];
        a.extend_from_slice(&extra);
        let o = simulate(dir.path(), &a);
        assert_eq!(code(&o), 2, "{extra:?}: {}", show(&o));
        // No result lines: the error object of CLI.md (rev 2), stdout never empty.
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert!(v["error"]["message"].is_string(), "{extra:?}: {v}");
    }
}

#[test]
fn human_format_tells_a_denied_user_why() {
    let dir = tempfile::tempdir().unwrap();
    let o = simulate(
        dir.path(),
        &plan1(&[
            "--context",
            "acs:SourceIp=203.0.113.5",
            "--context",
            "acs:SecureTransport=true",
        ]),
    );
    assert_eq!(code(&o), 1, "{}", show(&o));
    let text = stdout(&o);
    assert!(text.starts_with("ImplicitDeny"), "{text}");
    for needle in [
        "dbs:StartBackupPlan",
        PLAN1,
        OPERATOR,
        "RunListedBackupPlans",
        "line 4, column 5",
        "condition failed",
        // key, operator, expected and actual values of the failed condition
        "IpAddress acs:SourceIp",
        "192.0.2.0/24, 198.51.100.0/24",
        "got 203.0.113.5",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    // The statement that does not apply is counted, not listed.
    assert!(!text.contains("ReadBackupMetadata"), "{text}");

    // Indeterminate: says on what it depends.
    let o = simulate(
        dir.path(),
        &plan1(&[
            "--unknown",
            "acs:SourceIp",
            "--context",
            "acs:SecureTransport=true",
        ]),
    );
    assert_eq!(code(&o), 3, "{}", show(&o));
    let text = stdout(&o);
    assert!(
        text.contains("Indeterminate: Allow or ImplicitDeny depending on acs:SourceIp"),
        "{text}"
    );
    assert!(text.contains("condition unknown"), "{text}");

    // Explicit deny: names the Deny statement.
    let deny = write(
        dir.path(),
        "deny.json",
        r#"{"Version": "1", "Statement": [{"Sid": "NoStart", "Effect": "Deny",
            "Action": "dbs:Start*", "Resource": "*"}]}"#,
    );
    let o = simulate(
        dir.path(),
        &plan1(&[
            "--policy",
            s(&deny),
            "--context",
            "acs:SourceIp=192.0.2.10",
            "--context",
            "acs:SecureTransport=true",
        ]),
    );
    assert_eq!(code(&o), 1, "{}", show(&o));
    let text = stdout(&o);
    assert!(text.starts_with("ExplicitDeny"), "{text}");
    assert!(text.contains("Sid NoStart"), "{text}");
}

#[test]
fn unloadable_policies_and_inputs_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let invalid = |name: &str| format!("{}/policies/invalid/{name}", env!("CARGO_MANIFEST_DIR"));
    let dup = invalid("RG004-duplicate-key.json");
    let comma = invalid("RG001-invalid-json-trailing-comma.json");
    let missing = dir.path().join("no-such-policy.json");
    for (flag, path) in [
        ("--policy", dup.as_str()),
        ("--policy", comma.as_str()),
        ("--control-policy", dup.as_str()),
        ("--session-policy", comma.as_str()),
        ("--policy", s(&missing)),
    ] {
        let o = simulate(
            dir.path(),
            &[
                "--policy",
                OPERATOR,
                flag,
                path,
                "--action",
                "dbs:StartBackupPlan",
                "--resource",
                PLAN1,
                "--format",
                "json",
            ],
        );
        assert_eq!(code(&o), 2, "{flag} {path}: {}", show(&o));
        // No result, but the error object of CLI.md (rev 2): stdout is never empty.
        let v = json_out(&o);
        assert!(
            v["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains(path)),
            "{flag} {path}: {v}"
        );
        assert!(v["error"]["diagnostics"].is_array(), "{v}");
        assert!(v.get("decision").is_none(), "{v}");
        let err = stderr(&o);
        assert!(
            err.contains(path),
            "{flag} {path}: stderr names the file: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
    let o = simulate(
        dir.path(),
        &[
            "--policy",
            &dup,
            "--action",
            "dbs:StartBackupPlan",
            "--resource",
            PLAN1,
        ],
    );
    assert!(
        stderr(&o).to_lowercase().contains("duplicate"),
        "{}",
        show(&o)
    );

    // A missing request file, a missing batch file, a malformed request file.
    let bad = write(dir.path(), "bad.json", "{\"action\": 1}");
    for args in [
        vec!["--request", "nope.json"],
        vec!["--requests", "nope.jsonl"],
        vec!["--request", s(&bad)],
        vec![
            "--action",
            "dbs:StartBackupPlan",
            "--resource",
            PLAN1,
            "--context",
            "no-equals-sign",
        ],
        // The same key known and unknown.
        vec![
            "--action",
            "dbs:StartBackupPlan",
            "--resource",
            PLAN1,
            "--context",
            "acs:SourceIp=192.0.2.1",
            "--unknown",
            "acs:SourceIP",
        ],
        // No request at all.
        vec![],
    ] {
        let mut a = vec!["--policy", OPERATOR];
        a.extend_from_slice(&args);
        let o = simulate(dir.path(), &a);
        assert_eq!(code(&o), 2, "{args:?}: {}", show(&o));
        assert_eq!(stdout(&o), "", "{args:?}");
        assert!(stderr(&o).contains("error"), "{args:?}: {}", show(&o));
    }
}
