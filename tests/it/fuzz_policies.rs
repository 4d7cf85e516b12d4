//! Mutational fuzzing of the shipped policies and the fixtures, in bounded time (issue 10
//! point 7): each case writes a batch of mutated documents and checks, black box, the
//! invariants an attacker relies on breaking:
//!
//! - `lint` exits 0, 1 or 2 in every format, without a panic;
//! - its JSON and SARIF are valid JSON of the documented shape;
//! - every location lies inside its file and agrees with its offset;
//! - `lint` and `simulate` agree on whether a document loads (revision 2): simulate refuses a document
//!   exactly when lint reports a grammar error that RAM would reject it for.
//!
//! The case count is fixed, so the test takes a few seconds; a failing input is shrunk and
//! saved by proptest.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use serde_json::Value;

use crate::common::{self, output};

/// The documents mutations start from: every policy the repository ships.
fn seeds() -> Vec<Vec<u8>> {
    let mut files = Vec::new();
    let mut stack = vec![common::root().join("policies")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "json") {
                files.push(p);
            }
        }
    }
    files.sort();
    files.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

/// Pieces an attacker types: JSON punctuation, policy words, escapes, control characters, a
/// Kelvin sign, a long run.
const PIECES: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "\\",
    "\\u",
    "\\ud800",
    "*",
    "?",
    "\"Allow\"",
    "\"Deny\"",
    "\"Effect\"",
    "\"Action\"",
    "\"Resource\"",
    "\"Condition\"",
    "\"Statement\"",
    "\"Version\"",
    "\"NotAction\"",
    "\"Principal\"",
    "\"dbs:*\"",
    "\"acs:dbs:*:*:*\"",
    "\"StringLike\"",
    "\"IpAddress\"",
    "\"acs:SourceIp\"",
    "\"10.0.0.0/8\"",
    "\"1\"",
    "null",
    "true",
    "1e999",
    "-0",
    "0x1",
    "\u{212a}",
    "\u{1b}[2J",
    "\r",
    "\n",
    "\t",
    "\u{feff}",
    "é",
    "中",
    "//",
    "/*",
];

#[derive(Clone, Debug)]
enum Mutation {
    Delete { at: usize, len: usize },
    Insert { at: usize, piece: usize },
    Repeat { at: usize, len: usize, times: usize },
    Byte { at: usize, byte: u8 },
    Truncate { at: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1..16usize).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), 0..PIECES.len()).prop_map(|(at, piece)| Mutation::Insert { at, piece }),
        (any::<usize>(), 1..64usize, 1..200usize).prop_map(|(at, len, times)| Mutation::Repeat {
            at,
            len,
            times
        }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Byte { at, byte }),
        any::<usize>().prop_map(|at| Mutation::Truncate { at }),
    ]
}

fn apply(doc: &mut Vec<u8>, m: &Mutation) {
    let n = doc.len().max(1);
    match *m {
        Mutation::Delete { at, len } => {
            let at = at % n;
            let end = (at + len).min(doc.len());
            if at < end {
                doc.drain(at..end);
            }
        }
        Mutation::Insert { at, piece } => {
            let at = (at % n).min(doc.len());
            let piece = PIECES[piece].as_bytes();
            doc.splice(at..at, piece.iter().copied());
        }
        Mutation::Repeat { at, len, times } => {
            let at = (at % n).min(doc.len());
            let end = (at + len).min(doc.len());
            let part = doc[at..end].to_vec();
            let copies: Vec<u8> = part
                .iter()
                .copied()
                .cycle()
                .take(part.len() * times)
                .collect();
            doc.splice(end..end, copies);
        }
        Mutation::Byte { at, byte } => {
            if !doc.is_empty() {
                let at = at % doc.len();
                doc[at] = byte;
            }
        }
        Mutation::Truncate { at } => doc.truncate(at % n),
    }
}

/// A batch of documents: a seed and the mutations made to it.
fn batch() -> impl Strategy<Value = Vec<(usize, Vec<Mutation>)>> {
    prop::collection::vec(
        (any::<usize>(), prop::collection::vec(mutation(), 1..4)),
        10,
    )
}

fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    common::ramguard()
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// Checks every diagnostic's location against its file's text (as linted: lossy UTF-8).
fn check_locations(dir: &Path, json: &Value) {
    for d in json["diagnostics"].as_array().unwrap() {
        let file = d["file"].as_str().unwrap();
        let text = String::from_utf8_lossy(&std::fs::read(dir.join(file)).unwrap()).into_owned();
        let offset = d["offset"].as_u64().unwrap() as usize;
        let length = d["length"].as_u64().unwrap() as usize;
        assert!(
            offset + length <= text.len(),
            "{d} outside {} bytes",
            text.len()
        );
        let before = &text.as_bytes()[..offset];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1;
        assert_eq!(
            (d["line"].as_u64(), d["column"].as_u64()),
            (Some(line as u64), Some(column as u64)),
            "{d}"
        );
        assert!(d["end_line"].as_u64() >= d["line"].as_u64(), "{d}");
    }
}

/// Whether `simulate` refuses a document with this finding (SEMANTICS.md section 5, rev 2):
/// a grammar error where the document cannot be read at all (not JSON, not UTF-8, a duplicate
/// key) or outside every statement; a statement's own error makes it take part as unknown.
fn refused_by(d: &Value) -> bool {
    let code = d["code"].as_str().unwrap();
    let grammar =
        d["severity"] == "error" && code.starts_with("RG0") && code != "RG019" && code != "RG005";
    let unreadable = ["RG001", "RG002", "RG004"].contains(&code);
    let in_statement = d["pointer"].as_str().unwrap().starts_with("/Statement/");
    grammar && (unreadable || !in_statement)
}

fn check_batch(seeds: &[Vec<u8>], cases: &[(usize, Vec<Mutation>)]) {
    let dir = tempfile::tempdir().unwrap();
    let mut names = Vec::new();
    for (i, (seed, mutations)) in cases.iter().enumerate() {
        let mut doc = seeds[seed % seeds.len()].clone();
        for m in mutations {
            apply(&mut doc, m);
        }
        let name = format!("m{i:02}.json");
        std::fs::write(dir.path().join(&name), &doc).unwrap();
        names.push(name);
    }
    let lint = |format: &str| {
        let o = run(
            dir.path(),
            &[
                "lint",
                "--config",
                "/dev/null",
                "--kind",
                "identity",
                "--format",
                format,
            ]
            .into_iter()
            // Named, not walked: a walk skips a mutant that lost every policy key.
            .chain(names.iter().map(String::as_str))
            .collect::<Vec<_>>(),
        );
        let code = output::code(&o);
        assert!((0..=2).contains(&code), "{format}: {}", output::show(&o));
        assert!(
            !output::stderr(&o).contains("panicked"),
            "{format}: {}",
            output::show(&o)
        );
        o
    };
    let json = output::json_out(&lint("json"));
    assert_eq!(json["files"], names.len(), "{json}");
    check_locations(dir.path(), &json);
    let sarif = output::json_out(&lint("sarif"));
    assert_eq!(sarif["version"], "2.1.0");
    assert!(sarif["runs"][0]["results"].is_array(), "{sarif}");
    let human = lint("human");
    assert!(String::from_utf8(human.stdout).is_ok());

    for name in &names {
        let refused = json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["file"] == name.as_str() && refused_by(d));
        let o = run(
            dir.path(),
            &[
                "simulate",
                "--policy",
                name,
                "--action",
                "dbs:DescribeRegions",
                "--resource",
                "*",
                "--format",
                "json",
            ],
        );
        let code = output::code(&o);
        assert!((0..=3).contains(&code), "{name}: {}", output::show(&o));
        // The request is well formed, so exit 2 can only mean the policy did not load.
        let loaded = code != 2;
        let doc = PathBuf::from(name);
        assert_eq!(
            loaded,
            !refused,
            "{}: lint and simulate disagree: {}",
            doc.display(),
            output::show(&o)
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    #[test]
    fn mutated_policies_keep_the_invariants(cases in batch()) {
        check_batch(&seeds(), &cases);
    }
}
