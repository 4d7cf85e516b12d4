//! `ramguard lint`.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use miette::GraphicalReportHandler;
use rayon::prelude::*;

use super::files::{self, Input};
use super::{config, exit, KindArg};
use crate::lint::{self, FileReport, LintOptions, Severity};
use crate::policy::PolicyKind;
use crate::render::{self, Located, Summary, Suppressed};

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
    /// Rules to run: codes, code prefixes or names, comma-separated (replaces `select` of the
    /// configuration).
    #[arg(long, value_delimiter = ',', value_name = "CODE,...")]
    pub select: Option<Vec<String>>,
    /// Rules not to run, comma-separated (replaces `ignore` of the configuration). The most
    /// specific of `--select` and `--ignore` wins.
    #[arg(long, value_delimiter = ',', value_name = "CODE,...")]
    pub ignore: Option<Vec<String>>,
    /// Skip files matching the configuration's `exclude` even when they are named explicitly
    /// (pre-commit passes every changed file by name).
    #[arg(long)]
    pub force_exclude: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands: one annotation per finding.
    Github,
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
#[derive(Default)]
struct FileOutput {
    located: Vec<Located>,
    human: String,
    /// Only collected for SARIF, the one format that shows them.
    suppressed: Vec<Suppressed>,
    suppressed_count: usize,
    /// Indices of the `[[suppress]]` entries this file used, and of those that cover it.
    used: Vec<usize>,
    in_scope: Vec<usize>,
    unreadable: bool,
}

impl FileOutput {
    fn new(report: FileReport, format: Format, handler: &GraphicalReportHandler) -> FileOutput {
        let human = if format == Format::Human && !report.diagnostics.is_empty() {
            render::human::render_file(handler, &report)
        } else {
            String::new()
        };
        FileOutput {
            located: Located::all(report),
            human,
            ..FileOutput::default()
        }
    }
}

pub fn run(args: LintArgs) -> u8 {
    let overrides = config::Overrides {
        select: args.select.clone(),
        ignore: args.ignore.clone(),
    };
    let loaded = match config::load(args.config.as_deref(), &overrides) {
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
    let excluded = |p: &Path| loaded.is_excluded(&loaded.relative(p));
    let mut inputs = files::expand(&paths, &excluded);
    if args.force_exclude {
        inputs.retain(|i| !matches!(i, Input::File(p) if excluded(p)));
    }
    let rules = lint::ModelRules::Enabled(&loaded.settings);
    let options_for = |rel: &Path| -> LintOptions {
        match args.kind.map(Into::into).or_else(|| loaded.kind_of(rel)) {
            Some(kind) => LintOptions {
                kind,
                detect_trust: false,
                rules,
            },
            None => LintOptions {
                kind: PolicyKind::Identity,
                detect_trust: true,
                rules,
            },
        }
    };
    let color = render::human::use_color(std::io::stdout().is_terminal());
    let handler = render::human::handler(color);
    let sarif = args.format == Format::Sarif;

    let outputs: Vec<FileOutput> = inputs
        .par_iter()
        .map(|input| {
            let rel = loaded.relative(input.path());
            let (mut report, unreadable) = lint_input(input, options_for(&rel));
            let applied = loaded.settings.apply(&mut report, &rel);
            let suppressions = loaded.settings.suppressions();
            let suppressed_count = applied.suppressed.len();
            let suppressed = if sarif {
                applied
                    .suppressed
                    .into_iter()
                    .map(|(d, i)| Suppressed {
                        located: Located::new(&report.source, d),
                        reason: suppressions
                            .get(i)
                            .map(|s| s.reason.clone())
                            .unwrap_or_default(),
                    })
                    .collect()
            } else {
                Vec::new()
            };
            FileOutput {
                suppressed,
                suppressed_count,
                used: applied.used,
                in_scope: applied.in_scope,
                unreadable,
                ..FileOutput::new(report, args.format, &handler)
            }
        })
        .collect();

    let config_output = config_findings(&loaded, &outputs)
        .map(|report| FileOutput::new(report, args.format, &handler));

    let mut summary = Summary::default();
    let mut unreadable = false;
    let mut suppressed_count = 0;
    for o in outputs.iter().chain(&config_output) {
        unreadable |= o.unreadable;
        suppressed_count += o.suppressed_count;
        for l in &o.located {
            summary.add(l.severity);
        }
    }
    let files = inputs.len();
    let stdout = std::io::stdout().lock();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout);
    let written = match args.format {
        Format::Human => outputs
            .iter()
            .chain(&config_output)
            .try_for_each(|o| out.write_all(o.human.as_bytes()))
            .and_then(|()| {
                let totals = render::human::Totals {
                    files,
                    summary,
                    suppressed: suppressed_count,
                };
                writeln!(out, "{totals}")
            }),
        format => {
            // References, not moved values: the findings are sorted and written where they are.
            let mut located: Vec<&Located> = Vec::with_capacity(
                outputs
                    .iter()
                    .chain(&config_output)
                    .map(|o| o.located.len())
                    .sum(),
            );
            located.extend(
                outputs
                    .iter()
                    .chain(&config_output)
                    .flat_map(|o| &o.located),
            );
            render::sort(&mut located);
            match format {
                Format::Json => render::json::render(&mut out, files, &located, summary),
                Format::Sarif => {
                    let mut suppressed: Vec<&Suppressed> =
                        outputs.iter().flat_map(|o| &o.suppressed).collect();
                    render::sort_suppressed(&mut suppressed);
                    render::sarif::render(&mut out, &located, &suppressed)
                }
                _ => render::github::render(&mut out, &located),
            }
        }
    };
    // A closed pipe is an error (exit 2), not a panic.
    if written.and_then(|()| out.flush()).is_err() {
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

/// Expired and stale `[[suppress]]` entries, located in the configuration file.
fn config_findings(loaded: &config::Loaded, outputs: &[FileOutput]) -> Option<FileReport> {
    let source = loaded.source.clone()?;
    let n = loaded.settings.suppressions().len();
    if n == 0 {
        return None;
    }
    let mut used = vec![false; n];
    let mut in_scope = vec![false; n];
    for o in outputs {
        for &i in &o.used {
            if let Some(u) = used.get_mut(i) {
                *u = true;
            }
        }
        for &i in &o.in_scope {
            if let Some(u) = in_scope.get_mut(i) {
                *u = true;
            }
        }
    }
    let report = loaded
        .settings
        .config_report(source, &used, &in_scope, &|s| loaded.matches_any_file(s));
    (!report.diagnostics.is_empty()).then_some(report)
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
