//! `ramguard lint`.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use rayon::prelude::*;

use super::files::{self, Input};
use super::{config, exit, KindArg};
use crate::lint::{self, FileReport, LintOptions, Severity};
use crate::policy::PolicyKind;
use crate::render::{self, Located, Summary};

#[derive(Args, Debug)]
pub struct LintArgs {
    /// Files, directories (searched for *.json) or globs. Default: the current directory.
    pub paths: Vec<String>,
    /// What the documents are; by default identity, or trust when a statement has `Principal`.
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Lowest severity that makes the run fail (exit 1).
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,
    /// Configuration file (default: ramguard.toml in the current directory or a parent).
    #[arg(long)]
    pub config: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

impl FailOn {
    fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }
}

/// What one file contributes to the output, rendered in parallel so that file texts can be
/// dropped as soon as they are done.
struct FileOutput {
    located: Vec<Located>,
    human: String,
    unreadable: bool,
}

pub fn run(args: LintArgs) -> u8 {
    let loaded = match config::load(args.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            super::error(e);
            return exit::ERROR;
        }
    };
    let paths = if args.paths.is_empty() {
        vec![".".to_string()]
    } else {
        args.paths.clone()
    };
    let inputs = files::expand(&paths, &|p| loaded.is_excluded(p));
    let options_for = |input: &Input| -> LintOptions {
        let configured = match (args.kind, input) {
            (None, Input::File(p)) => loaded.kind_of(p),
            _ => None,
        };
        match args.kind.map(Into::into).or(configured) {
            Some(kind) => LintOptions {
                kind,
                detect_trust: false,
            },
            None => LintOptions {
                kind: PolicyKind::Identity,
                detect_trust: true,
            },
        }
    };
    let color = crate::render::human::use_color(std::io::stdout().is_terminal());
    let handler = crate::render::human::handler(color);
    let human = args.format == Format::Human;

    let outputs: Vec<FileOutput> = inputs
        .par_iter()
        .map(|input| {
            let (report, unreadable) = lint_input(input, options_for(input));
            FileOutput {
                located: Located::all(&report),
                human: if human && !report.diagnostics.is_empty() {
                    crate::render::human::render_file(&handler, &report)
                } else {
                    String::new()
                },
                unreadable,
            }
        })
        .collect();

    let mut summary = Summary::default();
    let mut located = Vec::new();
    let mut unreadable = false;
    for o in &outputs {
        unreadable |= o.unreadable;
        for l in &o.located {
            summary.add(l.severity);
        }
    }
    let text = match args.format {
        Format::Json => {
            for o in outputs {
                located.extend(o.located);
            }
            render::json::render(inputs.len(), &located, summary)
        }
        Format::Human => {
            let mut s: String = outputs.iter().map(|o| o.human.as_str()).collect();
            s.push_str(
                &crate::render::human::Totals {
                    files: inputs.len(),
                    summary,
                }
                .to_string(),
            );
            s.push('\n');
            s
        }
    };
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        return exit::ERROR;
    }

    if unreadable {
        return exit::ERROR;
    }
    let failed = args
        .fail_on
        .threshold()
        .is_some_and(|t| outputs_fail(&summary, t));
    if failed {
        exit::FAILED
    } else {
        exit::OK
    }
}

fn outputs_fail(s: &Summary, threshold: Severity) -> bool {
    match threshold {
        Severity::Error => s.error > 0,
        Severity::Warning => s.error + s.warning > 0,
        Severity::Info => s.error + s.warning + s.info > 0,
    }
}

fn lint_input(input: &Input, options: LintOptions) -> (FileReport, bool) {
    match input {
        Input::File(path) => {
            let name = files::display(path);
            match std::fs::read(path) {
                Ok(bytes) => (lint::lint_bytes(&name, &bytes, options), false),
                Err(e) => (lint::unreadable(&name, &e), true),
            }
        }
        Input::Missing(path, why) => {
            let e = std::io::Error::new(std::io::ErrorKind::NotFound, why.clone());
            (lint::unreadable(&files::display(path), &e), true)
        }
    }
}
