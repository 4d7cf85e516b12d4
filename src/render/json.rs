//! `--format json`: one object with every finding (CLI.md).

use serde::Serialize;

use super::{Located, Summary};

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    files: usize,
    diagnostics: &'a [Located],
    summary: Summary,
}

pub fn render(files: usize, diagnostics: &[Located], summary: Summary) -> String {
    let out = Output {
        version: 1,
        files,
        diagnostics,
        summary,
    };
    let mut s = serde_json::to_string_pretty(&out).unwrap_or_default();
    s.push('\n');
    s
}
