//! `ramguard rules` (the list) and `ramguard rule CODE` (one rule's documentation).

use std::fmt::Write;

use clap::{Args, ValueEnum};
use serde::Serialize;

use super::exit;
use crate::catalog::suggest::did_you_mean;
use crate::lint::{registry, Category, Rule, Severity};
use crate::render::docs;

#[derive(Args, Debug)]
pub struct RulesArgs {
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    pub format: ListFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Human,
    Json,
}

#[derive(Args, Debug)]
pub struct RuleArgs {
    /// A rule code (`RG001`, any case) or name (`invalid-json`).
    pub code: String,
}

#[derive(Serialize)]
struct RuleJson {
    code: &'static str,
    name: &'static str,
    category: Category,
    severity: Severity,
    summary: &'static str,
    why: &'static str,
    /// The fixtures as text (bytes that are not UTF-8 become U+FFFD).
    example: String,
    instead: String,
    url: String,
}

impl RuleJson {
    fn new(r: &Rule) -> RuleJson {
        RuleJson {
            code: r.code,
            name: r.name,
            category: r.category,
            severity: r.severity,
            summary: r.summary,
            why: r.why,
            example: String::from_utf8_lossy(r.example).into_owned(),
            instead: String::from_utf8_lossy(r.instead).into_owned(),
            url: r.url().to_string(),
        }
    }
}

pub fn list(args: RulesArgs) -> u8 {
    let rules = registry::all();
    let text = match args.format {
        ListFormat::Json => {
            let all: Vec<RuleJson> = rules.iter().map(|r| RuleJson::new(r)).collect();
            let mut s = serde_json::to_string_pretty(&all).unwrap_or_default();
            s.push('\n');
            s
        }
        ListFormat::Human => {
            let width = rules.iter().map(|r| r.name.len()).max().unwrap_or(0);
            let mut s = String::new();
            for r in rules {
                let _ = writeln!(
                    s,
                    "{}  {:width$}  {:10}  {:7}  {}",
                    r.code,
                    r.name,
                    r.category.as_str(),
                    r.severity.as_str(),
                    r.summary
                );
            }
            let _ = writeln!(
                s,
                "\n{} rules; `ramguard rule CODE` explains one.",
                rules.len()
            );
            s
        }
    };
    super::print(&text)
}

pub fn show(args: RuleArgs) -> u8 {
    let wanted = args.code.trim();
    match registry::find(wanted).or_else(|| registry::find(&wanted.to_ascii_lowercase())) {
        Some(rule) => super::print(&docs::rule_page(rule)),
        None => {
            let candidates = registry::all().iter().flat_map(|r| [r.code, r.name]);
            match did_you_mean(wanted, candidates) {
                Some(s) => super::error(format!("unknown rule `{wanted}`: did you mean `{s}`?")),
                None => super::error(format!(
                    "unknown rule `{wanted}`: `ramguard rules` lists every rule"
                )),
            }
            exit::ERROR
        }
    }
}
