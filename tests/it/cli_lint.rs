//! Black-box tests of `ramguard lint`, `rules` and `rule` against the contract in CLI.md, and of
//! everything around the rules: ramguard.toml (selection, severities, per-file ignores,
//! suppressions), the output formats, docs/rules.md and the pre-commit hook manifest.
//!
//! Every test runs the built binary in its own temporary directory. Assertions name the codes
//! they expect rather than counting all findings, so new rules do not break them.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails by panicking, helpers included"
)]

use std::path::{Path, PathBuf};

use serde_json::Value;

/// A policy that lints clean (the shipped example; `lint_fixtures` keeps it clean).
const CLEAN: &str = include_str!("../../policies/dbs-backup-operator.json");

/// One RG015 invalid-effect error: `"allow"` at line 5, columns 17 to 24 (CLI.md's example).
const BAD_EFFECT: &str = r#"{
  "Version": "1",
  "Statement": [
    {
      "Effect": "allow",
      "Action": "dbs:DescribeBackupPlanList",
      "Resource": "*"
    }
  ]
}
"#;

/// Statements `A` (index 0) and `B` (index 1), each with one RG025 value-type-mismatch
/// warning: the boolean `true` where RAM wants `"true"`.
const TWO_WARNINGS: &str = r#"{
  "Version": "1",
  "Statement": [
    {
      "Sid": "A",
      "Effect": "Allow",
      "Action": ["dbs:DescribeRegions", "dbs:DescribeJobErrorCode"],
      "Resource": "*",
      "Condition": {"Bool": {"acs:SecureTransport": true}}
    },
    {
      "Sid": "B",
      "Effect": "Allow",
      "Action": ["dbs:DescribeRegions", "dbs:DescribeFullBackupList"],
      "Resource": "*",
      "Condition": {"Bool": {"acs:SecureTransport": true}}
    }
  ]
}
"#;

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Output {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

fn ramguard(dir: &Path, args: &[&str]) -> Output {
    let out = crate::common::ramguard()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("run ramguard");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `ramguard lint --format json ARGS` in `dir`: exit code and the output object.
fn lint_json(dir: &Path, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["lint", "--format", "json"];
    all.extend_from_slice(args);
    let out = ramguard(dir, &all);
    (out.code, out.json())
}

/// A temporary project: an empty `ramguard.toml` at its root stops configuration discovery
/// from wandering into the directories above it.
fn project(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "ramguard.toml", config);
    dir
}

fn write(dir: &Path, rel: &str, text: &str) -> PathBuf {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(&path, text).expect("write");
    path
}

fn diagnostics(json: &Value) -> &Vec<Value> {
    json["diagnostics"].as_array().expect("diagnostics array")
}

/// `(file, code)` of every diagnostic.
fn found(json: &Value) -> Vec<(String, String)> {
    diagnostics(json)
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_string(),
                d["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// `(file, offset, code)` of every diagnostic: the order CLI.md promises.
fn order_keys(json: &Value) -> Vec<(String, u64, String)> {
    diagnostics(json)
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_string(),
                d["offset"].as_u64().unwrap(),
                d["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn has(json: &Value, file: &str, code: &str) -> bool {
    found(json).iter().any(|(f, c)| f == file && c == code)
}

fn count(json: &Value, code: &str) -> usize {
    found(json).iter().filter(|(_, c)| c == code).count()
}

// ---------------------------------------------------------------------------------------------
// PATH arguments

#[test]
fn no_path_lints_the_current_directory() {
    let dir = project("");
    write(dir.path(), "a.json", BAD_EFFECT);
    write(dir.path(), "sub/b.json", BAD_EFFECT);
    write(dir.path(), "notes.txt", BAD_EFFECT);
    let (code, json) = lint_json(dir.path(), &[]);
    assert_eq!(json["files"], 2, "{json}");
    assert!(has(&json, "a.json", "RG015"), "{json}");
    assert!(has(&json, "sub/b.json", "RG015"), "{json}");
    assert_eq!(code, 1);
}

#[test]
fn a_directory_is_searched_recursively_for_json() {
    let dir = project("");
    write(dir.path(), "policies/a.json", CLEAN);
    write(dir.path(), "policies/deep/er/b.JSON", BAD_EFFECT);
    write(dir.path(), "policies/.git/c.json", BAD_EFFECT);
    write(dir.path(), "policies/readme.md", BAD_EFFECT);
    let (code, json) = lint_json(dir.path(), &["policies"]);
    assert_eq!(json["files"], 2, "{json}");
    assert_eq!(
        found(&json),
        vec![("policies/deep/er/b.JSON".into(), "RG015".into())]
    );
    assert_eq!(code, 1);
}

#[test]
fn a_glob_selects_files() {
    let dir = project("");
    write(dir.path(), "p/a.json", BAD_EFFECT);
    write(dir.path(), "p/b.json", CLEAN);
    write(dir.path(), "p/sub/c.json", BAD_EFFECT);
    let (_, json) = lint_json(dir.path(), &["p/*.json"]);
    assert_eq!(json["files"], 2, "{json}");
    assert!(has(&json, "p/a.json", "RG015"));
    let (_, json) = lint_json(dir.path(), &["p/**/*.json"]);
    assert_eq!(json["files"], 3, "{json}");
    assert!(has(&json, "p/sub/c.json", "RG015"));
}

#[test]
fn a_file_named_explicitly_is_linted_whatever_its_extension() {
    let dir = project("");
    write(dir.path(), "policy.txt", BAD_EFFECT);
    let (code, json) = lint_json(dir.path(), &["policy.txt"]);
    assert_eq!(json["files"], 1);
    assert!(has(&json, "policy.txt", "RG015"), "{json}");
    assert_eq!(code, 1);
}

#[test]
fn kind_decides_the_grammar() {
    let dir = project("");
    let trust_with_resource = r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": ["ecs.aliyuncs.com"]}, "Resource": "*"}]}"#;
    write(dir.path(), "t.json", trust_with_resource);
    // `Principal` and `Resource`: a resource-based policy of unknown service, not a trust
    // policy (SEMANTICS.md section 1, rev 2): an info asks for the kind.
    let (_, json) = lint_json(dir.path(), &["t.json"]);
    assert!(has(&json, "t.json", "RG037"), "{json}");
    assert!(!has(&json, "t.json", "RG021"), "{json}");
    assert!(!has(&json, "t.json", "RG023"), "{json}");
    // Named a trust policy: `Resource` is what is wrong.
    let (_, json) = lint_json(dir.path(), &["--kind", "trust", "t.json"]);
    assert!(has(&json, "t.json", "RG021"), "{json}");
    // Named an identity policy: `Principal` is what is wrong.
    let (_, json) = lint_json(dir.path(), &["--kind", "identity", "t.json"]);
    assert!(has(&json, "t.json", "RG023"), "{json}");
    assert!(!has(&json, "t.json", "RG021"), "{json}");
    // A session policy may hold 2,048 characters, an identity policy 6,144.
    let mut big = CLEAN.replace("\"Version\": \"1\"", "\"Version\": \"1\"    ");
    big = big.replace("\n", &format!("\n{}", " ".repeat(60)));
    assert!(big.len() > 2_048 && big.len() < 6_144);
    write(dir.path(), "big.json", &big);
    let (_, json) = lint_json(dir.path(), &["--kind", "session", "big.json"]);
    assert!(has(&json, "big.json", "RG005"), "{json}");
    let (code, json) = lint_json(dir.path(), &["--kind", "identity", "big.json"]);
    assert!(diagnostics(&json).is_empty(), "{json}");
    assert_eq!(code, 0);
    // Kinds from the configuration apply without --kind.
    let dir = project("[lint.kinds]\n\"session/**\" = \"session\"\n");
    write(dir.path(), "session/big.json", &big);
    let (_, json) = lint_json(dir.path(), &[]);
    assert!(has(&json, "session/big.json", "RG005"), "{json}");
}

#[test]
fn an_unreadable_file_is_exit_2_and_the_others_are_still_linted() {
    let dir = project("");
    write(dir.path(), "a.json", BAD_EFFECT);
    let (code, json) = lint_json(dir.path(), &["missing.json", "a.json", "nothing/*.json"]);
    assert_eq!(code, 2);
    assert_eq!(json["files"], 3, "{json}");
    assert!(has(&json, "missing.json", "RG000"), "{json}");
    assert!(has(&json, "nothing/*.json", "RG000"), "{json}");
    assert!(has(&json, "a.json", "RG015"), "{json}");
    // RG000 cannot be deselected: it is why the run exits 2.
    let (code, json) = lint_json(dir.path(), &["--ignore", "RG0", "missing.json"]);
    assert_eq!(code, 2);
    assert!(has(&json, "missing.json", "RG000"), "{json}");
}

// ---------------------------------------------------------------------------------------------
// Output formats

#[test]
fn json_output_has_the_fields_of_cli_md() {
    let dir = project("");
    write(dir.path(), "bad.json", BAD_EFFECT);
    let (code, json) = lint_json(dir.path(), &["bad.json"]);
    assert_eq!(code, 1);
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys.len(), 4, "{keys:?}");
    for k in ["version", "files", "diagnostics", "summary"] {
        assert!(keys.contains(&k), "{k} missing: {keys:?}");
    }
    assert_eq!(json["version"], 1);
    assert_eq!(json["files"], 1);
    let d = diagnostics(&json)
        .iter()
        .find(|d| d["code"] == "RG015")
        .unwrap_or_else(|| panic!("{json}"));
    let offset = BAD_EFFECT.find("\"allow\"").unwrap();
    assert_eq!(d["name"], "invalid-effect");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["file"], "bad.json");
    assert_eq!(d["pointer"], "/Statement/0/Effect");
    assert_eq!(
        (&d["line"], &d["column"], &d["end_line"], &d["end_column"]),
        (
            &Value::from(5),
            &Value::from(17),
            &Value::from(5),
            &Value::from(24)
        )
    );
    assert_eq!(
        (&d["offset"], &d["length"]),
        (&Value::from(offset), &Value::from(7))
    );
    let message = d["message"].as_str().unwrap();
    assert!(message.contains("`allow`"), "{message}");
    assert!(
        !message.ends_with('.') && message.starts_with(char::is_lowercase),
        "{message}"
    );
    assert!(
        d["url"].as_str().unwrap().ends_with("docs/rules.md#rg015"),
        "{d}"
    );
    let allowed = [
        "code",
        "name",
        "severity",
        "message",
        "file",
        "pointer",
        "line",
        "column",
        "end_line",
        "end_column",
        "offset",
        "length",
        "help",
        "url",
    ];
    for k in d.as_object().unwrap().keys() {
        assert!(allowed.contains(&k.as_str()), "unexpected field {k}");
    }
    let errors = diagnostics(&json)
        .iter()
        .filter(|d| d["severity"] == "error")
        .count();
    assert_eq!(json["summary"]["error"], errors);
    assert!(json["summary"]["warning"].is_u64() && json["summary"]["info"].is_u64());
}

#[test]
fn json_diagnostics_are_sorted_by_file_offset_and_code() {
    let dir = project("");
    write(dir.path(), "b.json", TWO_WARNINGS);
    write(dir.path(), "a/x.json", BAD_EFFECT);
    write(
        dir.path(),
        "a.json",
        "{\"Version\": 1, \"Statement\": {}, }",
    );
    let (_, json) = lint_json(dir.path(), &["."]);
    let keys = order_keys(&json);
    assert!(keys.len() >= 4, "{json}");
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    // by file name as a string: `a.json` before `a/x.json`
    assert_eq!(keys.first().unwrap().0, "a.json");
}

#[test]
fn human_output_shows_the_finding_and_the_totals() {
    let dir = project("");
    write(dir.path(), "bad.json", BAD_EFFECT);
    let out = ramguard(dir.path(), &["lint", "bad.json"]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.contains("RG015"), "{}", out.stdout);
    assert!(out.stdout.contains("bad.json"), "{}", out.stdout);
    assert!(
        out.stdout.contains("1 file checked: 1 error"),
        "{}",
        out.stdout
    );
    let out = ramguard(
        dir.path(),
        &["lint", "--format", "human", "--select", "RG034", "bad.json"],
    );
    assert_eq!(out.code, 0);
    assert!(
        out.stdout.contains("1 file checked: no problems found"),
        "{}",
        out.stdout
    );
}

#[test]
fn sarif_output_is_valid_sarif_2_1_0() {
    let dir = project("");
    write(dir.path(), "policies/bad.json", BAD_EFFECT);
    write(dir.path(), "policies/warn.json", TWO_WARNINGS);
    let out = ramguard(dir.path(), &["lint", "--format", "sarif", "policies"]);
    assert_eq!(out.code, 1);
    let sarif = out.json();
    assert_eq!(
        sarif["$schema"],
        "https://json.schemastore.org/sarif-2.1.0.json"
    );
    assert_eq!(sarif["version"], "2.1.0");
    let runs = sarif["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "ramguard");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert!(driver["informationUri"]
        .as_str()
        .unwrap()
        .starts_with("https://"));

    // Every rule of the registry, with its documentation.
    let rules = driver["rules"].as_array().unwrap();
    let listed = ramguard(dir.path(), &["rules", "--format", "json"]).json();
    assert_eq!(rules.len(), listed.as_array().unwrap().len());
    for r in rules {
        let id = r["id"].as_str().unwrap();
        assert!(id.starts_with("RG"), "{r}");
        assert!(r["name"].is_string(), "{r}");
        assert!(
            !r["shortDescription"]["text"].as_str().unwrap().is_empty(),
            "{r}"
        );
        assert!(
            !r["fullDescription"]["text"].as_str().unwrap().is_empty(),
            "{r}"
        );
        assert!(!r["help"]["text"].as_str().unwrap().is_empty(), "{r}");
        let anchor = format!("docs/rules.md#{}", id.to_ascii_lowercase());
        assert!(r["helpUri"].as_str().unwrap().ends_with(&anchor), "{r}");
        let level = r["defaultConfiguration"]["level"].as_str().unwrap();
        assert!(["error", "warning", "note"].contains(&level), "{r}");
    }

    // Results agree with the JSON output, position for position.
    let (_, json) = lint_json(dir.path(), &["policies"]);
    let results = runs[0]["results"].as_array().unwrap();
    assert_eq!(results.len(), diagnostics(&json).len());
    for (res, d) in results.iter().zip(diagnostics(&json)) {
        assert_eq!(res["ruleId"], d["code"]);
        let index = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], d["code"]);
        let level = match d["severity"].as_str().unwrap() {
            "info" => "note",
            other => other,
        };
        assert_eq!(res["level"], level);
        assert!(res["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with(d["message"].as_str().unwrap()));
        let loc = &res["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], d["file"]);
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let region = &loc["region"];
        assert_eq!(region["startLine"], d["line"]);
        assert_eq!(region["startColumn"], d["column"]);
        assert_eq!(region["endLine"], d["end_line"]);
        assert_eq!(region["endColumn"], d["end_column"]);
    }
    assert!(results
        .iter()
        .any(|r| r["ruleId"] == "RG015" && r["level"] == "error"));
    assert!(results
        .iter()
        .any(|r| r["ruleId"] == "RG025" && r["level"] == "warning"));
}

#[test]
fn github_output_is_one_workflow_command_per_finding() {
    let dir = project("[lint.severity]\nRG025 = \"info\"\n");
    write(dir.path(), "bad.json", BAD_EFFECT);
    write(dir.path(), "odd,name.json", TWO_WARNINGS);
    let out = ramguard(dir.path(), &["lint", "--format", "github", "."]);
    assert_eq!(out.code, 1);
    let line = regex::Regex::new(
        r"^::(error|warning|notice) file=[^,:]+,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=RG\d{3} [a-z0-9-]+::[^\r\n]+$",
    )
    .unwrap();
    let lines: Vec<&str> = out.stdout.lines().collect();
    for l in &lines {
        assert!(line.is_match(l), "not a workflow command: {l}");
    }
    let (_, json) = lint_json(dir.path(), &["."]);
    assert_eq!(lines.len(), diagnostics(&json).len());
    let effect = lines.iter().find(|l| l.contains("RG015")).unwrap();
    assert!(
        effect.starts_with("::error file=bad.json,line=5,col=17,endLine=5,endColumn=24,title=RG015 invalid-effect::"),
        "{effect}"
    );
    // Info is a notice; `,` in a property is escaped.
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("::notice file=odd%2Cname.json,")
                && l.contains("title=RG025 value-type-mismatch::")),
        "{lines:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// --fail-on and exit codes

#[test]
fn fail_on_each_value() {
    let dir = project("[lint.severity]\nRG025 = \"info\"\n");
    write(dir.path(), "error.json", BAD_EFFECT);
    write(dir.path(), "warning.json", TWO_WARNINGS);
    write(dir.path(), "info/info.json", TWO_WARNINGS);
    write(dir.path(), "clean.json", CLEAN);
    let exit = |args: &[&str]| lint_json(dir.path(), args).0;
    // warning.json is linted without the config, where RG025 is a warning.
    let warn = |fail_on: &str| {
        let out = ramguard(
            dir.path(),
            &[
                "lint",
                "--config",
                "/dev/null",
                "--fail-on",
                fail_on,
                "warning.json",
            ],
        );
        out.code
    };
    assert_eq!(exit(&["clean.json"]), 0);
    // default: warning
    assert_eq!(exit(&["error.json"]), 1);
    assert_eq!(warn("warning"), 1);
    assert_eq!(exit(&["info"]), 0);
    // error
    assert_eq!(exit(&["--fail-on", "error", "error.json"]), 1);
    assert_eq!(warn("error"), 0);
    // info
    assert_eq!(exit(&["--fail-on", "info", "info"]), 1);
    assert_eq!(exit(&["--fail-on", "info", "clean.json"]), 0);
    // never
    assert_eq!(exit(&["--fail-on", "never", "error.json"]), 0);
    // never does not hide an unreadable input
    assert_eq!(exit(&["--fail-on", "never", "missing.json"]), 2);
    let out = ramguard(dir.path(), &["lint", "--fail-on", "sometimes"]);
    assert_eq!(out.code, 2);
}

// ---------------------------------------------------------------------------------------------
// Configuration

#[test]
fn config_flag_names_the_file() {
    let dir = project("");
    write(
        dir.path(),
        "elsewhere/strict.toml",
        "[lint]\nignore = [\"RG015\"]\n",
    );
    write(dir.path(), "bad.json", BAD_EFFECT);
    let (code, json) = lint_json(
        dir.path(),
        &["--config", "elsewhere/strict.toml", "bad.json"],
    );
    assert!(!has(&json, "bad.json", "RG015"), "{json}");
    assert_eq!(code, 0);
    let out = ramguard(dir.path(), &["lint", "--config", "nope.toml", "bad.json"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("nope.toml"), "{}", out.stderr);
}

#[test]
fn config_is_discovered_in_a_parent_directory() {
    let dir = project(
        "[lint]\nignore = [\"RG015\"]\n\n[[lint.per-file-ignores]]\npath = \"sub/quiet/*.json\"\ncodes = [\"RG025\"]\n",
    );
    write(dir.path(), "sub/a.json", BAD_EFFECT);
    write(dir.path(), "sub/quiet/b.json", TWO_WARNINGS);
    write(dir.path(), "sub/c.json", TWO_WARNINGS);
    let sub = dir.path().join("sub");
    let (code, json) = lint_json(&sub, &[]);
    assert_eq!(json["files"], 3);
    assert!(!has(&json, "a.json", "RG015"), "{json}");
    // Globs are relative to the configuration file, not to the current directory.
    assert!(!has(&json, "quiet/b.json", "RG025"), "{json}");
    assert!(has(&json, "c.json", "RG025"), "{json}");
    assert_eq!(code, 1);
}

#[test]
fn config_errors_are_located_and_exit_2() {
    let dir = project("[lint]\nselect = [\"RG0\"]\nignor = [\"RG013\"]\n");
    write(dir.path(), "a.json", CLEAN);
    let out = ramguard(dir.path(), &["lint", "a.json"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("ignor") && out.stderr.contains("line 3"),
        "{}",
        out.stderr
    );

    write(
        dir.path(),
        "ramguard.toml",
        "[lint]\nselect = [\"RG0\", \"RG9x\"]\n",
    );
    let out = ramguard(dir.path(), &["lint", "a.json"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("ramguard.toml:2:") && out.stderr.contains("RG9x"),
        "{}",
        out.stderr
    );

    write(
        dir.path(),
        "ramguard.toml",
        "[lint.severity]\nRG013 = \"fatal\"\n",
    );
    let out = ramguard(dir.path(), &["lint", "a.json"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("ramguard.toml:2:9") && out.stderr.contains("fatal"),
        "{}",
        out.stderr
    );
}

#[test]
fn select_and_ignore_with_prefixes() {
    let dir = project("[lint]\nselect = [\"RG02\"]\n");
    write(dir.path(), "bad.json", BAD_EFFECT);
    write(dir.path(), "warn.json", TWO_WARNINGS);
    // The file selects RG02x only: RG025 fires, RG015 does not.
    let (_, json) = lint_json(dir.path(), &["."]);
    assert_eq!(count(&json, "RG025"), 2, "{json}");
    assert_eq!(count(&json, "RG015"), 0, "{json}");
    // --select replaces it; comma-separated, any case.
    let (_, json) = lint_json(dir.path(), &["--select", "rg01,RG03", "."]);
    assert_eq!(count(&json, "RG025"), 0, "{json}");
    assert_eq!(count(&json, "RG015"), 1, "{json}");
    // The most specific selector wins: RG0 selected, RG01 ignored, RG015 selected again.
    let (_, json) = lint_json(
        dir.path(),
        &["--select", "RG0,RG015", "--ignore", "RG01,RG02", "."],
    );
    assert_eq!(count(&json, "RG015"), 1, "{json}");
    assert_eq!(count(&json, "RG025"), 0, "{json}");
    // Rule names work too.
    let (_, json) = lint_json(
        dir.path(),
        &["--select", "RG0", "--ignore", "invalid-effect", "."],
    );
    assert_eq!(count(&json, "RG015"), 0, "{json}");
    assert_eq!(count(&json, "RG025"), 2, "{json}");
    // An unknown selector is a usage error with a suggestion.
    let out = ramguard(dir.path(), &["lint", "--ignore", "invalid-efect", "."]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("did you mean `invalid-effect`"),
        "{}",
        out.stderr
    );
}

#[test]
fn severity_overrides() {
    let dir = project("[lint.severity]\nRG025 = \"error\"\nRG0 = \"info\"\n");
    write(dir.path(), "bad.json", BAD_EFFECT);
    write(dir.path(), "warn.json", TWO_WARNINGS);
    let (_, json) = lint_json(dir.path(), &["."]);
    for d in diagnostics(&json) {
        match d["code"].as_str().unwrap() {
            // RG025 is more specific than RG0
            "RG025" => assert_eq!(d["severity"], "error"),
            "RG015" => assert_eq!(d["severity"], "info"),
            _ => {}
        }
    }
    assert_eq!(count(&json, "RG025"), 2);
    let (code, _) = lint_json(dir.path(), &["--fail-on", "error", "bad.json"]);
    assert_eq!(code, 0, "RG015 is info now");
    let (code, _) = lint_json(dir.path(), &["--fail-on", "error", "warn.json"]);
    assert_eq!(code, 1, "RG025 is an error now");
}

#[test]
fn per_file_ignores() {
    let dir =
        project("[[lint.per-file-ignores]]\npath = \"legacy/**\"\ncodes = [\"RG02\", \"RG015\"]\n");
    write(dir.path(), "legacy/old/a.json", TWO_WARNINGS);
    write(dir.path(), "legacy/b.json", BAD_EFFECT);
    write(dir.path(), "new/c.json", TWO_WARNINGS);
    let (_, json) = lint_json(dir.path(), &["."]);
    assert_eq!(
        found(&json),
        vec![
            ("new/c.json".to_string(), "RG025".to_string()),
            ("new/c.json".to_string(), "RG025".to_string()),
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Suppressions

#[test]
fn a_suppression_with_a_reason_suppresses() {
    let dir = project(
        "[[suppress]]\ncode = \"RG025\"\npath = \"p/*.json\"\nreason = \"generated by a tool we do not control\"\nexpires = \"2999-12-31\"\n",
    );
    write(dir.path(), "p/a.json", TWO_WARNINGS);
    write(dir.path(), "q/b.json", TWO_WARNINGS);
    let (code, json) = lint_json(dir.path(), &["."]);
    assert_eq!(
        found(&json).iter().filter(|(f, _)| f == "p/a.json").count(),
        0,
        "{json}"
    );
    assert_eq!(count(&json, "RG025"), 2, "{json}");
    assert_eq!(json["summary"]["warning"], 2);
    assert_eq!(code, 1);
    let (code, json) = lint_json(dir.path(), &["p"]);
    assert!(diagnostics(&json).is_empty(), "{json}");
    assert_eq!(code, 0);
    // Human output counts them; SARIF keeps them, marked as suppressed with the reason.
    let out = ramguard(dir.path(), &["lint", "p"]);
    assert!(
        out.stdout.contains("no problems found (2 suppressed)"),
        "{}",
        out.stdout
    );
    let sarif = ramguard(dir.path(), &["lint", "--format", "sarif", "p"]).json();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    for r in results {
        assert_eq!(r["suppressions"][0]["kind"], "external");
        assert_eq!(
            r["suppressions"][0]["justification"],
            "generated by a tool we do not control"
        );
    }
}

#[test]
fn a_suppression_can_name_a_statement_by_sid_or_pointer() {
    let by_sid =
        "[[suppress]]\ncode = \"RG0\"\npath = \"a.json\"\nsid = \"B\"\nreason = \"accepted\"\n";
    let dir = project(by_sid);
    write(dir.path(), "a.json", TWO_WARNINGS);
    let (_, json) = lint_json(dir.path(), &["a.json"]);
    let pointers: Vec<&str> = diagnostics(&json)
        .iter()
        .map(|d| d["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(
        pointers,
        vec!["/Statement/0/Condition/Bool/acs:SecureTransport"],
        "{json}"
    );

    let by_pointer = "[[suppress]]\ncode = \"value-type-mismatch\"\npath = \"a.json\"\npointer = \"/Statement/0\"\nreason = \"accepted\"\n";
    write(dir.path(), "ramguard.toml", by_pointer);
    let (_, json) = lint_json(dir.path(), &["a.json"]);
    let pointers: Vec<&str> = diagnostics(&json)
        .iter()
        .map(|d| d["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(
        pointers,
        vec!["/Statement/1/Condition/Bool/acs:SecureTransport"],
        "{json}"
    );

    // A pointer that could never match is a config error, not a silent no-op.
    write(
        dir.path(),
        "ramguard.toml",
        &by_pointer.replace("\"/Statement/0\"", "\"Statement/0\""),
    );
    let out = ramguard(dir.path(), &["lint", "a.json"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("ramguard.toml:4:11") && out.stderr.contains("JSON Pointer"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_suppression_without_a_reason_is_a_config_error() {
    let dir = project("\n[[suppress]]\ncode = \"RG025\"\npath = \"a.json\"\n");
    write(dir.path(), "a.json", TWO_WARNINGS);
    let out = ramguard(dir.path(), &["lint", "a.json"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("reason") && out.stderr.contains("line 2"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    // An empty reason is no reason.
    write(
        dir.path(),
        "ramguard.toml",
        "[[suppress]]\ncode = \"RG025\"\npath = \"a.json\"\nreason = \"  \"\n",
    );
    let out = ramguard(dir.path(), &["lint", "a.json"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("ramguard.toml:4:10") && out.stderr.contains("reason"),
        "{}",
        out.stderr
    );
}

#[test]
fn an_expired_suppression_no_longer_suppresses_and_is_reported() {
    let config = "# temporary\n[[suppress]]\ncode = \"RG025\"\npath = \"a.json\"\nreason = \"migration\"\nexpires = 2000-01-31\n";
    let dir = project(config);
    write(dir.path(), "a.json", TWO_WARNINGS);
    let (code, json) = lint_json(dir.path(), &["a.json"]);
    assert_eq!(count(&json, "RG025"), 2, "{json}");
    let d = diagnostics(&json)
        .iter()
        .find(|d| d["code"] == "RG091")
        .unwrap_or_else(|| panic!("{json}"));
    assert_eq!(d["file"], "ramguard.toml");
    assert_eq!(d["severity"], "warning");
    assert_eq!(d["line"], 6);
    assert!(d["message"].as_str().unwrap().contains("2000-01-31"), "{d}");
    assert_eq!(
        count(&json, "RG090"),
        0,
        "an expired entry is not also stale: {json}"
    );
    assert_eq!(code, 1);
    // A bad date is a config error.
    write(
        dir.path(),
        "ramguard.toml",
        &config.replace("2000-01-31", "\"2000-02-30\""),
    );
    let out = ramguard(dir.path(), &["lint", "a.json"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("ramguard.toml:6:11") && out.stderr.contains("2000-02-30"),
        "{}",
        out.stderr
    );
}

/// Findings come sorted by file, then offset, then code, in every machine format, across more
/// files than are linted at once, with the configuration's own findings (a stale suppression)
/// in their place among the files; and the summary counts them all.
#[test]
fn findings_are_in_file_order_across_many_files_and_the_configuration() {
    let config =
        "[[suppress]]\ncode = \"RG025\"\npath = \"nothing-here.json\"\nreason = \"gone\"\n";
    let dir = project(config);
    // Names around `ramguard.toml`: some sort before it, some after.
    let mut names: Vec<String> = (0..700).map(|i| format!("p{i:03}.json")).collect();
    names.extend((0..300).map(|i| format!("z{i:03}.json")));
    for (i, name) in names.iter().enumerate() {
        write(
            dir.path(),
            name,
            if i % 3 == 0 { CLEAN } else { TWO_WARNINGS },
        );
    }
    let (code, json) = lint_json(dir.path(), &["."]);
    assert_eq!(code, 1);
    assert_eq!(json["files"], 1000);
    let keys = order_keys(&json);
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert!(has(&json, "ramguard.toml", "RG090"), "{json}");
    assert!(has(&json, "z298.json", "RG025") && has(&json, "p001.json", "RG025"));
    assert!(
        !keys.iter().any(|(f, _, _)| f == "p000.json"),
        "clean files have none"
    );
    let total: u64 = ["error", "warning", "info"]
        .iter()
        .map(|sev| json["summary"][sev].as_u64().unwrap())
        .sum();
    assert_eq!(total, keys.len() as u64, "{}", json["summary"]);
    // The other machine formats keep the same order.
    let github = ramguard(dir.path(), &["lint", "--format", "github", "."]);
    let files: Vec<&str> = github
        .stdout
        .lines()
        .filter_map(|l| l.split("file=").nth(1)?.split(',').next())
        .collect();
    let mut by_file: Vec<&str> = keys.iter().map(|(f, _, _)| f.as_str()).collect();
    by_file.dedup();
    let mut seen = files.clone();
    seen.dedup();
    assert_eq!(seen, by_file);
    let sarif: Value =
        serde_json::from_str(&ramguard(dir.path(), &["lint", "--format", "sarif", "."]).stdout)
            .unwrap();
    let uris: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(uris.len(), keys.len());
    let mut sarif_files = uris.clone();
    sarif_files.dedup();
    assert_eq!(sarif_files, by_file);
}

#[test]
fn a_stale_suppression_is_reported() {
    let config = "[lint]\nexclude = []\n\n[[suppress]]\ncode = \"RG034\"\npath = \"a.json\"\nreason = \"was a duplicate sid\"\n\n[[suppress]]\ncode = \"RG025\"\npath = \"gone.json\"\nreason = \"file was deleted\"\n\n[[suppress]]\ncode = \"RG025\"\npath = \"other.json\"\nreason = \"still needed\"\n";
    // A `[` in the project's path is not a glob character class.
    let dir = tempfile::Builder::new()
        .prefix("stale[x]")
        .tempdir()
        .unwrap();
    write(dir.path(), "ramguard.toml", config);
    write(dir.path(), "a.json", TWO_WARNINGS);
    write(dir.path(), "other.json", TWO_WARNINGS);
    let (code, json) = lint_json(dir.path(), &["a.json"]);
    assert_eq!(code, 1);
    let stale: Vec<&Value> = diagnostics(&json)
        .iter()
        .filter(|d| d["code"] == "RG090")
        .collect();
    // Line 4: linted and matched nothing. Line 9: its path matches no file. The entry for
    // other.json is not judged: that file was not part of this run.
    let lines: Vec<u64> = stale.iter().map(|d| d["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, vec![4, 9], "{json}");
    for d in &stale {
        assert_eq!(d["file"], "ramguard.toml");
        assert_eq!(d["name"], "unused-suppression");
        assert_eq!(d["severity"], "warning");
    }
    assert!(
        stale[0]["message"]
            .as_str()
            .unwrap()
            .contains("matched no finding"),
        "{json}"
    );
    assert!(
        stale[1]["message"]
            .as_str()
            .unwrap()
            .contains("matches no file"),
        "{json}"
    );
    // Linting everything: other.json's entry is used.
    let (_, json) = lint_json(dir.path(), &["."]);
    assert_eq!(count(&json, "RG090"), 2, "{json}");
    assert!(!has(&json, "other.json", "RG025"), "{json}");
    // A run that deselects a rule does not call its suppressions stale (RG034 here); RG090 is
    // a rule like the others: selected with RG09, ignored below.
    let (_, json) = lint_json(dir.path(), &["--select", "RG02", "."]);
    assert_eq!(count(&json, "RG090"), 0, "{json}");
    let (_, json) = lint_json(dir.path(), &["--select", "RG02,RG09", "."]);
    assert_eq!(count(&json, "RG090"), 1, "{json}");
    let (code, json) = lint_json(dir.path(), &["--ignore", "RG090,RG025", "."]);
    assert_eq!(count(&json, "RG090"), 0, "{json}");
    assert_eq!(code, 0);
    // Reported where the configuration is, from a subdirectory too.
    let sub = dir.path().join("sub");
    std::fs::create_dir_all(&sub).unwrap();
    let (_, json) = lint_json(&sub, &["../a.json"]);
    assert!(has(&json, "../ramguard.toml", "RG090"), "{json}");
    let out = ramguard(dir.path(), &["lint", "a.json"]);
    assert!(
        out.stdout.contains("RG090") && out.stdout.contains("ramguard.toml"),
        "{}",
        out.stdout
    );
}

#[test]
fn force_exclude_applies_exclude_to_named_files() {
    let dir = project("[lint]\nexclude = [\"fixtures/**\"]\n");
    write(dir.path(), "fixtures/bad.json", BAD_EFFECT);
    let (code, json) = lint_json(dir.path(), &["fixtures/bad.json"]);
    assert_eq!((code, json["files"].as_u64()), (1, Some(1)));
    let (code, json) = lint_json(dir.path(), &["--force-exclude", "fixtures/bad.json"]);
    assert_eq!((code, json["files"].as_u64()), (0, Some(0)));
    let (_, json) = lint_json(dir.path(), &["."]);
    assert_eq!(json["files"], 0);
}

// ---------------------------------------------------------------------------------------------
// rules, rule, docs/rules.md

#[test]
fn rules_lists_every_rule() {
    let dir = project("");
    let out = ramguard(dir.path(), &["rules"]);
    assert_eq!(out.code, 0);
    let json = ramguard(dir.path(), &["rules", "--format", "json"]).json();
    let rules = json.as_array().unwrap();
    assert!(rules.len() >= 34, "{}", rules.len());
    for r in rules {
        let keys: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
        let mut want = vec![
            "code", "name", "category", "severity", "summary", "why", "example", "instead", "url",
        ];
        want.sort_unstable();
        let mut keys = keys.clone();
        keys.sort_unstable();
        assert_eq!(keys, want);
        let code = r["code"].as_str().unwrap();
        let line = out
            .stdout
            .lines()
            .find(|l| l.starts_with(code))
            .unwrap_or_else(|| panic!("{code}"));
        assert!(
            line.contains(r["name"].as_str().unwrap())
                && line.contains(r["severity"].as_str().unwrap())
        );
    }
    let codes: Vec<&str> = rules.iter().map(|r| r["code"].as_str().unwrap()).collect();
    let mut sorted = codes.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(codes, sorted, "sorted by code, no duplicates");
    assert!(codes.contains(&"RG090") && codes.contains(&"RG091"));
}

#[test]
fn rule_prints_the_documentation() {
    let dir = project("");
    let out = ramguard(dir.path(), &["rule", "RG001"]);
    assert_eq!(out.code, 0);
    for s in [
        "RG001",
        "invalid-json",
        "## What it does",
        "## Why is this bad?",
        "## Example",
        "## Use instead",
        "```json",
    ] {
        assert!(out.stdout.contains(s), "{s} missing:\n{}", out.stdout);
    }
    // The fixtures are pretty-printed, trailing comma and all.
    assert!(
        out.stdout.contains("\n      \"Resource\": \"*\",\n    }"),
        "{}",
        out.stdout
    );
    // Any case, or the rule's name.
    assert_eq!(ramguard(dir.path(), &["rule", "rg001"]).stdout, out.stdout);
    assert_eq!(
        ramguard(dir.path(), &["rule", "invalid-json"]).stdout,
        out.stdout
    );
    let meta = ramguard(dir.path(), &["rule", "RG090"]);
    assert!(meta.stdout.contains("```toml"), "{}", meta.stdout);
}

#[test]
fn an_unknown_rule_is_exit_2_with_a_suggestion() {
    let dir = project("");
    let out = ramguard(dir.path(), &["rule", "nonsense"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("unknown rule `nonsense`") && out.stderr.contains("ramguard rules"),
        "{}",
        out.stderr
    );
    let out = ramguard(dir.path(), &["rule", "invalid-jsno"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("did you mean `invalid-json`?"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn docs_rules_md_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md");
    let want = ramguard::render::docs::rules_markdown();
    if std::env::var_os("RAMGUARD_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/rules.md is stale: regenerate it with `{}` and commit it",
        ramguard::render::docs::REGENERATE
    );
}

/// GitHub's heading anchors: lowercase, punctuation dropped, spaces to hyphens.
fn github_anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

#[test]
fn docs_rules_md_has_an_anchor_for_every_rule_url() {
    let text = ramguard::render::docs::rules_markdown();
    let anchors: Vec<String> = text
        .lines()
        .filter(|l| l.starts_with('#'))
        .map(|l| github_anchor(l.trim_start_matches('#')))
        .collect();
    for rule in ramguard::lint::registry::all() {
        let url = rule.url().to_string();
        let anchor = url.rsplit_once('#').unwrap().1;
        assert!(url.contains("/docs/rules.md#"), "{url}");
        assert_eq!(
            anchors.iter().filter(|a| *a == anchor).count(),
            1,
            "no unique heading for {url}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// pre-commit

#[test]
fn pre_commit_hook_manifest_declares_the_hook_and_its_entry_runs() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
    )
    .expect(".pre-commit-hooks.yaml");
    let hooks: Vec<&str> = text.split("\n- ").skip(1).collect();
    let hook = hooks
        .iter()
        .find(|h| h.starts_with("id: ramguard\n"))
        .unwrap_or_else(|| panic!("no `- id: ramguard` hook:\n{text}"));
    for line in [
        "name: ",
        "description: ",
        "entry: ramguard lint",
        "language: rust",
        r"files: \.(json|tf|ya?ml)$",
        "pass_filenames: true",
        "require_serial: false",
    ] {
        assert!(
            hook.lines().any(|l| l.trim_start().starts_with(line)),
            "`{line}` missing:\n{hook}"
        );
    }
    let value = |key: &str| -> String {
        hook.lines()
            .find_map(|l| l.trim_start().strip_prefix(key))
            .unwrap_or_default()
            .trim()
            .to_string()
    };
    // Run the entry as pre-commit would: entry, args, then the file names.
    let entry = value("entry:");
    let args = value("args:");
    let args: Vec<String> = args
        .trim_start_matches('[')
        .trim_end_matches(']')
        .split(',')
        .map(|a| a.trim().trim_matches('"').trim_matches('\'').to_string())
        .filter(|a| !a.is_empty())
        .collect();
    let mut words = entry.split_whitespace();
    assert_eq!(words.next(), Some("ramguard"));
    let mut argv: Vec<String> = words.map(str::to_string).collect();
    argv.extend(args);
    let dir = project("[lint]\nexclude = [\"fixtures/**\"]\n");
    write(dir.path(), "good.json", CLEAN);
    write(dir.path(), "bad.json", BAD_EFFECT);
    write(dir.path(), "fixtures/broken.json", BAD_EFFECT);
    let run = |files: &[&str]| {
        let mut all: Vec<&str> = argv.iter().map(String::as_str).collect();
        all.extend_from_slice(files);
        ramguard(dir.path(), &all)
    };
    assert_eq!(run(&["good.json"]).code, 0);
    let out = run(&["good.json", "bad.json"]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    // Excluded fixtures stay excluded although pre-commit names them.
    assert_eq!(run(&["good.json", "fixtures/broken.json"]).code, 0);

    // The system variant runs the same command.
    if let Some(system) = hooks
        .iter()
        .find(|h| h.starts_with("id: ramguard-system\n"))
    {
        assert!(system.contains("language: system"), "{system}");
        assert!(system.contains(&format!("entry: {entry}")), "{system}");
    }
}
