//! `ramguard documents PATH...`: every policy document found, with its address, kind, place
//! and unknown parts; and the `--var` / `--var-file` / `--parameters` arguments that fill
//! unknown parts in, shared by the commands that read documents.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde::Serialize;

use super::files::{self, Input};
use super::{exit, policies::key_value};
use crate::document::{self, ReadOptions, Vars};

#[derive(Args, Debug, Clone, Default)]
pub struct VarArgs {
    /// A value for an unknown part of a host (`--var account_id=1234567890123456` fills
    /// `${var.account_id}`; a ROS parameter or `ALIYUN::TenantId` likewise); repeatable.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// A `.tfvars` file, or a JSON/YAML file of ROS parameters; repeatable.
    #[arg(long = "var-file", visible_alias = "parameters", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
}

impl VarArgs {
    pub fn read_options(&self) -> Result<ReadOptions, String> {
        let mut vars = Vars::new();
        for f in &self.var_files {
            vars.load_file(f)?;
        }
        for v in &self.vars {
            let (k, v) = key_value(v)?;
            vars.set(k, v);
        }
        Ok(ReadOptions { vars })
    }
}

#[derive(Args, Debug)]
pub struct DocumentsArgs {
    /// Files, directories or globs.
    #[arg(required = true)]
    pub paths: Vec<String>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    #[command(flatten)]
    pub vars: VarArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(Serialize)]
struct Listed {
    file: String,
    address: Option<String>,
    host: &'static str,
    kind: Option<&'static str>,
    line: usize,
    column: usize,
    unknown: Vec<String>,
}

pub fn run(args: DocumentsArgs) -> u8 {
    let options = match args.vars.read_options() {
        Ok(o) => o,
        Err(e) => {
            super::error(e);
            return exit::ERROR;
        }
    };
    let mut listed = Vec::new();
    let mut failed = false;
    for input in files::expand(&args.paths, &|_| false).inputs {
        let path = match &input {
            Input::File(p) => p,
            Input::Missing(p, why) => {
                super::error(format!("`{}`: {why}", files::display(p)));
                failed = true;
                continue;
            }
            Input::Stdin => {
                super::error("`documents` reads files, not standard input");
                failed = true;
                continue;
            }
        };
        let name = files::display(path);
        let read = match document::read_path(path, &name, &options) {
            Ok(r) => r,
            Err(e) => {
                super::error(format!("cannot read `{name}`: {e}"));
                failed = true;
                continue;
            }
        };
        for p in &read.problems {
            let at = p.file.line_col(p.span.start as usize);
            eprintln!("{}:{}:{}: {}", p.file.name, at.line, at.column, p.message);
        }
        for d in &read.documents {
            let at = d.host_file.line_col(d.span.start as usize);
            listed.push(Listed {
                file: d.host_file.name.to_string(),
                address: d.address.as_deref().map(str::to_string),
                host: d.host.as_str(),
                kind: d.kind,
                line: at.line,
                column: at.column,
                unknown: d.unknown.clone(),
            });
        }
    }
    let text = match args.format {
        Format::Json => {
            let value = serde_json::json!({ "documents": listed });
            serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
        }
        Format::Human => {
            let mut out = String::new();
            for l in &listed {
                let name = match &l.address {
                    Some(a) => format!("{}#{a}", l.file),
                    None => l.file.clone(),
                };
                out.push_str(&format!(
                    "{}:{}:{}: {} ({}, {})",
                    l.file,
                    l.line,
                    l.column,
                    name,
                    l.kind.unwrap_or("kind from the document"),
                    l.host
                ));
                if !l.unknown.is_empty() {
                    out.push_str(&format!("; unknown: {}", l.unknown.join(", ")));
                }
                out.push('\n');
            }
            out.push_str(&format!("{} document(s)\n", listed.len()));
            out
        }
    };
    let code = super::print(&text);
    if failed {
        exit::ERROR
    } else {
        code
    }
}
