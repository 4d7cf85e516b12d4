//! `ramguard lint`.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

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
    #[command(flatten)]
    pub vars: super::documents::VarArgs,
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

/// Files linted at once. Each window's outputs are written, in order, before the next window
/// starts: memory holds one window's findings, not the whole run's, and output starts at once.
const WINDOW: usize = 512;

/// What one file contributes to the output, rendered in parallel so that file texts can be
/// dropped as soon as they are done.
#[derive(Default)]
struct FileOutput {
    /// The file as shown, the order of every format.
    name: Arc<str>,
    /// The findings in the chosen format (SARIF aside: one log is written at the end, from
    /// `located`).
    text: Vec<u8>,
    summary: Summary,
    /// Only kept for SARIF, like the suppressed findings (the one format that shows them).
    located: Vec<Located>,
    suppressed: Vec<Suppressed>,
    suppressed_count: usize,
    /// Indices of the `[[suppress]]` entries this file used, and of those that cover it.
    used: Vec<usize>,
    in_scope: Vec<usize>,
    unreadable: bool,
}

impl FileOutput {
    fn new(
        report: FileReport,
        format: Format,
        handler: &GraphicalReportHandler,
    ) -> std::io::Result<FileOutput> {
        let mut summary = Summary::default();
        for d in &report.diagnostics {
            summary.add(d.severity);
        }
        let mut out = FileOutput {
            name: Arc::clone(&report.source.name),
            summary,
            ..FileOutput::default()
        };
        match format {
            Format::Human if !report.diagnostics.is_empty() => {
                out.text = render::human::render_file(handler, &report).into_bytes();
            }
            Format::Human => {}
            Format::Json => out.text = render::json::findings(&Located::all(report))?,
            Format::Github => {
                let located = Located::all(report);
                render::github::render(&mut out.text, &located.iter().collect::<Vec<_>>())?;
            }
            Format::Sarif => out.located = Located::all(report),
        }
        Ok(out)
    }
}

impl FileOutput {
    /// One input's outputs together (a host whose `file()` documents are located elsewhere).
    fn merge(mut self, other: FileOutput) -> FileOutput {
        self.text.extend(other.text);
        self.summary += other.summary;
        self.located.extend(other.located);
        self.suppressed.extend(other.suppressed);
        self.suppressed_count += other.suppressed_count;
        self.used.extend(other.used);
        self.in_scope.extend(other.in_scope);
        self.unreadable |= other.unreadable;
        self
    }
}

/// The run's totals, and which `[[suppress]]` entries the files used or fell under.
struct Tally {
    summary: Summary,
    suppressed: usize,
    unreadable: bool,
    used: Vec<bool>,
    in_scope: Vec<bool>,
}

impl Tally {
    fn new(suppressions: usize) -> Tally {
        Tally {
            summary: Summary::default(),
            suppressed: 0,
            unreadable: false,
            used: vec![false; suppressions],
            in_scope: vec![false; suppressions],
        }
    }

    fn add(&mut self, o: &FileOutput) {
        self.summary += o.summary;
        self.suppressed += o.suppressed_count;
        self.unreadable |= o.unreadable;
        for (flags, hits) in [(&mut self.used, &o.used), (&mut self.in_scope, &o.in_scope)] {
            for &i in hits {
                if let Some(f) = flags.get_mut(i) {
                    *f = true;
                }
            }
        }
    }
}

/// Writes file outputs in the order they are given (the run's order).
enum Writer {
    Human,
    Json(render::json::Stream),
    Github,
    /// SARIF's results come after its rule table: everything is collected, then sorted.
    Sarif(Vec<Located>, Vec<Suppressed>),
}

impl Writer {
    fn begin(format: Format, out: &mut dyn Write, files: usize) -> std::io::Result<Writer> {
        Ok(match format {
            Format::Human => Writer::Human,
            Format::Json => Writer::Json(render::json::begin(out, files)?),
            Format::Github => Writer::Github,
            Format::Sarif => Writer::Sarif(Vec::new(), Vec::new()),
        })
    }

    fn file(&mut self, out: &mut dyn Write, o: FileOutput) -> std::io::Result<()> {
        match self {
            Writer::Human | Writer::Github => out.write_all(&o.text),
            Writer::Json(stream) => stream.write(out, &o.text),
            Writer::Sarif(located, suppressed) => {
                located.extend(o.located);
                suppressed.extend(o.suppressed);
                Ok(())
            }
        }
    }

    fn end(self, out: &mut dyn Write, files: usize, tally: &Tally) -> std::io::Result<()> {
        match self {
            Writer::Human => {
                let totals = render::human::Totals {
                    files,
                    summary: tally.summary,
                    suppressed: tally.suppressed,
                };
                writeln!(out, "{totals}")
            }
            Writer::Json(stream) => stream.end(out, tally.summary),
            Writer::Github => Ok(()),
            Writer::Sarif(located, suppressed) => {
                let mut located: Vec<&Located> = located.iter().collect();
                render::sort(&mut located);
                let mut suppressed: Vec<&Suppressed> = suppressed.iter().collect();
                render::sort_suppressed(&mut suppressed);
                render::sarif::render(out, &located, &suppressed)
            }
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
    let excluded = |p: &Path| loaded.excludes(p);
    let mut inputs = files::expand(&paths, &excluded);
    if args.force_exclude {
        inputs.retain(|i| !matches!(i, Input::File(p) if excluded(p)));
    }
    let read_options = match args.vars.read_options() {
        Ok(o) => o,
        Err(e) => {
            super::error(e);
            return exit::ERROR;
        }
    };
    let rules = lint::ModelRules::Enabled(&loaded.settings);
    // The kind: `--kind`, else the host's (a trust policy attribute), else `[lint.kinds]` by
    // `file#address` or file, else read from the document.
    let options_for = |rel: &Path, doc: &crate::document::Document| -> LintOptions<'_> {
        let configured = || {
            doc.address
                .as_ref()
                .and_then(|a| loaded.kind_of(Path::new(&format!("{}#{a}", rel.display()))))
                .or_else(|| loaded.kind_of(rel))
        };
        let kind = args
            .kind
            .map(Into::into)
            .or_else(|| doc.policy_kind())
            .or_else(configured);
        match kind {
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
    let lint_one = |input: &Input| -> std::io::Result<FileOutput> {
        let rel = loaded.relative(input.path());
        let (reports, unreadable) = lint_input(input, &read_options, &|doc| options_for(&rel, doc));
        let mut merged: Option<FileOutput> = None;
        for mut report in reports {
            let rel = loaded.relative(Path::new(&*report.source.name));
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
            let out = FileOutput {
                suppressed,
                suppressed_count,
                used: applied.used,
                in_scope: applied.in_scope,
                unreadable,
                ..FileOutput::new(report, args.format, &handler)?
            };
            merged = Some(match merged {
                None => out,
                Some(m) => m.merge(out),
            });
        }
        Ok(merged.unwrap_or_default())
    };

    let files = inputs.len();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut tally = Tally::new(loaded.settings.suppressions().len());
    // The configuration's own findings (stale suppressions) are known only after every file;
    // the files whose names sort after the configuration's wait for them.
    let config_name = loaded.source.as_ref().map(|s| Arc::clone(&s.name));
    let mut run = || -> std::io::Result<()> {
        let mut writer = Writer::begin(args.format, &mut out, files)?;
        let mut held = Vec::new();
        for window in inputs.chunks(WINDOW) {
            let outputs: Vec<std::io::Result<FileOutput>> =
                window.par_iter().map(lint_one).collect();
            for o in outputs {
                let o = o?;
                tally.add(&o);
                if config_name.as_ref().is_some_and(|c| o.name > *c) {
                    held.push(o);
                } else {
                    writer.file(&mut out, o)?;
                }
            }
        }
        if let Some(report) = config_findings(&loaded, &tally) {
            let o = FileOutput::new(report, args.format, &handler)?;
            tally.add(&o);
            writer.file(&mut out, o)?;
        }
        for o in held {
            writer.file(&mut out, o)?;
        }
        writer.end(&mut out, files, &tally)?;
        out.flush()
    };
    // A closed pipe is an error (exit 2), not a panic; any other failure is said.
    if let Err(e) = run() {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            super::error(format!("cannot write the output: {e}"));
        }
        return exit::ERROR;
    }

    if tally.unreadable {
        return exit::ERROR;
    }
    let failed = args
        .fail_on
        .threshold()
        .is_some_and(|t| outputs_fail(&tally.summary, t));
    if failed {
        exit::FAILED
    } else {
        exit::OK
    }
}

/// Expired and stale `[[suppress]]` entries, located in the configuration file.
fn config_findings(loaded: &config::Loaded, tally: &Tally) -> Option<FileReport> {
    let source = loaded.source.clone()?;
    if loaded.settings.suppressions().is_empty() {
        return None;
    }
    let report = loaded
        .settings
        .config_report(source, &tally.used, &tally.in_scope, &|s| {
            loaded.matches_any_file(s)
        });
    (!report.diagnostics.is_empty()).then_some(report)
}

fn outputs_fail(s: &Summary, threshold: Severity) -> bool {
    match threshold {
        Severity::Error => s.error > 0,
        Severity::Warning => s.error + s.warning > 0,
        Severity::Info => s.error + s.warning + s.info > 0,
    }
}

/// Reads a file through the document layer and lints every document it holds.
fn lint_input<'s>(
    input: &Input,
    read_options: &crate::document::ReadOptions,
    options_for: &dyn Fn(&crate::document::Document) -> LintOptions<'s>,
) -> (Vec<FileReport>, bool) {
    match input {
        Input::File(path) => {
            let name = files::display(path);
            match crate::document::read_path(path, &name, read_options) {
                Ok(read) => (lint::lint_read(&read, options_for), false),
                Err(e) => (vec![lint::unreadable(&name, &e)], true),
            }
        }
        Input::Missing(path, why) => {
            let e = std::io::Error::new(std::io::ErrorKind::NotFound, why.clone());
            (vec![lint::unreadable(&files::display(path), &e)], true)
        }
    }
}
