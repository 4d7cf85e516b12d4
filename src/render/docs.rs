//! Rule documentation from the registry: `ramguard rule CODE`, the SARIF `help.markdown` and
//! `docs/rules.md` all come from here, so they cannot drift apart.

use std::fmt::Write;

use crate::lint::{registry, Category, Rule};

/// How `docs/rules.md` is regenerated (its header and the stale-file test say so).
pub const REGENERATE: &str = "RAMGUARD_BLESS=1 cargo test --test cli_lint docs_rules_md";

/// A rule's page for `ramguard rule CODE`: title, metadata, then the sections.
pub fn rule_page(rule: &Rule) -> String {
    format!(
        "# {} {}\n\nCategory: {} · Default severity: {} · {}\n\n{}",
        rule.code,
        rule.name,
        rule.category.as_str(),
        rule.severity.as_str(),
        rule.url(),
        rule_sections(rule, 2)
    )
}

/// *What it does*, *Why is this bad?*, *Example*, *Use instead*, as Markdown headings of
/// `level`.
pub fn rule_sections(rule: &Rule, level: usize) -> String {
    let h = "#".repeat(level);
    format!(
        "{h} What it does\n\n{}\n\n{h} Why is this bad?\n\n{}\n\n{h} Example\n\n{}\n{h} Use instead\n\n{}",
        rule.summary,
        rule.why,
        fixture(rule, rule.example),
        fixture(rule, rule.instead),
    )
}

/// A fixture as a fenced block: configuration files as written, policies pretty-printed, with
/// a note for what the page cannot show (a byte-order mark, bytes that are not UTF-8).
fn fixture(rule: &Rule, bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "_No document: the file is missing or cannot be read._\n".to_string();
    }
    if rule.category == Category::Meta {
        let text = String::from_utf8_lossy(bytes);
        return format!("```toml\n{}\n```\n", text.trim_end());
    }
    let (bom, bytes) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (true, rest),
        None => (false, bytes),
    };
    let text = String::from_utf8_lossy(bytes);
    let mut out = format!("```json\n{}\n```\n", pretty_json(&text));
    if bom {
        out.push_str("\nThe file starts with a UTF-8 byte-order mark (bytes `EF BB BF`).\n");
    }
    if std::str::from_utf8(bytes).is_err() {
        out.push_str("\n`\u{FFFD}` stands for bytes that are not UTF-8.\n");
    }
    out
}

/// Re-indents JSON text two spaces per level without parsing it, so the broken documents of
/// the examples (trailing commas, duplicate keys, comments) are shown exactly as they are.
pub fn pretty_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut depth = 0usize;
    // A line break is owed after `{`, `[` or `,`; it is written before the next token, at the
    // depth that token belongs to.
    let mut owed = false;
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.push_str(&"  ".repeat(depth));
    };
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        if matches!(c, '}' | ']') {
            depth = depth.saturating_sub(1);
            owed = false;
            newline(&mut out, depth);
            out.push(c);
            continue;
        }
        if owed {
            newline(&mut out, depth);
            owed = false;
        }
        match c {
            '"' => {
                out.push(c);
                while let Some(s) = chars.next() {
                    out.push(s);
                    match s {
                        '\\' => out.extend(chars.next()),
                        '"' => break,
                        _ => {}
                    }
                }
            }
            '{' | '[' => {
                while chars.peek().is_some_and(|n| n.is_whitespace()) {
                    chars.next();
                }
                let close = if c == '{' { '}' } else { ']' };
                out.push(c);
                if chars.peek() == Some(&close) {
                    chars.next();
                    out.push(close);
                } else {
                    depth += 1;
                    owed = true;
                }
            }
            ',' => {
                out.push(',');
                owed = true;
            }
            ':' => out.push_str(": "),
            '/' if chars.peek() == Some(&'/') => {
                if !out.ends_with(char::is_whitespace) {
                    out.push(' ');
                }
                out.push(c);
                for s in chars.by_ref() {
                    if s == '\n' {
                        break;
                    }
                    out.push(s);
                }
                owed = true;
            }
            '/' if chars.peek() == Some(&'*') => {
                out.push(c);
                let mut star = false;
                for s in chars.by_ref() {
                    out.push(s);
                    if star && s == '/' {
                        break;
                    }
                    star = s == '*';
                }
            }
            _ => out.push(c),
        }
    }
    out
}

fn category_title(category: Category) -> &'static str {
    match category {
        Category::Grammar => "Grammar: what RAM rejects",
        Category::Meta => "Meta: the configuration itself",
        Category::Security => "Security",
        Category::Catalog => "Catalogue: actions, resources and keys that do not exist",
        Category::Redundancy => "Redundancy",
        Category::Condition => "Conditions",
    }
}

/// `docs/rules.md`: an index table, then one section per rule under its code, so that
/// `Rule::url()`'s `#rgnnn` anchors land on it.
pub fn rules_markdown() -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!-- Generated from the rule registry by `{REGENERATE}`; do not edit by hand. -->\n\n\
         # ramguard rules\n\n\
         Every rule of `ramguard lint`. `ramguard rule CODE` prints one of these pages and \
         `ramguard rules` lists them; `ramguard.toml` selects, ignores and re-grades them \
         (see the README's *Configuration* and *Suppressions*).\n\n\
         | Code | Name | Category | Severity | What it does |\n|---|---|---|---|---|\n"
    );
    for r in registry::all() {
        let _ = writeln!(
            out,
            "| [{}](#{}) | `{}` | {} | {} | {} |",
            r.code,
            r.code.to_ascii_lowercase(),
            r.name,
            r.category.as_str(),
            r.severity.as_str(),
            r.summary.replace('|', "\\|")
        );
    }
    let mut category = None;
    for r in registry::all() {
        if category != Some(r.category) {
            category = Some(r.category);
            let _ = write!(out, "\n## {}\n", category_title(r.category));
        }
        let _ = write!(
            out,
            "\n### {}\n\n`{}` · default severity: {}\n\n{}",
            r.code,
            r.name,
            r.severity.as_str(),
            rule_sections(r, 4)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_json_keeps_broken_documents() {
        assert_eq!(
            pretty_json(r#"{"a": [1,2,], "b":{}, "c": "x,{y}\"", "d": []}"#),
            "{\n  \"a\": [\n    1,\n    2,\n  ],\n  \"b\": {},\n  \"c\": \"x,{y}\\\"\",\n  \"d\": []\n}"
        );
        assert_eq!(
            pretty_json("{\"a\": 1 // c d\n}"),
            "{\n  \"a\": 1 // c d\n}"
        );
    }

    #[test]
    fn every_rule_page_has_its_sections() {
        for r in registry::all() {
            let page = rule_page(r);
            for s in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "## Use instead",
            ] {
                assert!(page.contains(s), "{} lacks {s}", r.code);
            }
        }
    }
}
