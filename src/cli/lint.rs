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
use crate::source::{self, ReadError};

#[derive(Args, Debug)]
pub struct LintArgs {
    /// Files, directories (searched for *.json; hidden directories, target/ and node_modules/
    /// are skipped), globs, or `-` for standard input. Default: the current directory.
    pub paths: Vec<String>,
    /// What the documents are; by default identity, or trust when a statement has `Principal`.
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Lowest severity that makes the run fail (exit 1).
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,
    /// Configuration file for every file (default: for each file, the ramguard.toml nearest
    /// above it).
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
    /// The configuration (index in the run's list) the file was linted with.
    config: usize,
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

/// The run's totals, and which `[[suppress]]` entries of each configuration the files used or
/// fell under.
struct Tally {
    summary: Summary,
    suppressed: usize,
    unreadable: bool,
    used: Vec<Vec<bool>>,
    in_scope: Vec<Vec<bool>>,
}

impl Tally {
    fn new(configs: &[config::Loaded]) -> Tally {
        let flags: Vec<Vec<bool>> = configs
            .iter()
            .map(|c| vec![false; c.settings.suppressions().len()])
            .collect();
        Tally {
            summary: Summary::default(),
            suppressed: 0,
            unreadable: false,
            used: flags.clone(),
            in_scope: flags,
        }
    }

    fn add(&mut self, o: &FileOutput) {
        self.summary += o.summary;
        self.suppressed += o.suppressed_count;
        self.unreadable |= o.unreadable;
        let (Some(used), Some(in_scope)) =
            (self.used.get_mut(o.config), self.in_scope.get_mut(o.config))
        else {
            return;
        };
        for (flags, hits) in [(used, &o.used), (in_scope, &o.in_scope)] {
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
    let configs = match config::Configs::new(args.config.as_deref(), &overrides) {
        Ok(c) => std::cell::RefCell::new(c),
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
    if paths.iter().filter(|p| *p == "-").count() > 1 {
        super::error("`-` (standard input) can be given once");
        return exit::ERROR;
    }
    let read_options = match args.vars.read_options() {
        Ok(o) => o,
        Err(e) => {
            super::error(e);
            return exit::ERROR;
        }
    };
    let config_of = |path: &Path| configs.borrow_mut().for_path(path, false);
    let excluded = |p: &Path| {
        let i = config_of(p);
        configs.borrow().list.get(i).is_some_and(|c| c.excludes(p))
    };
    let mut expanded = files::expand(&paths, &excluded);
    if args.force_exclude {
        expanded
            .inputs
            .retain(|i| !matches!(i, Input::File(p) if excluded(p)));
    }
    // Each input with its configuration (standard input: the current directory's).
    let inputs: Vec<(Input, usize)> = expanded
        .inputs
        .drain(..)
        .map(|i| {
            let c = match &i {
                Input::Stdin => configs.borrow_mut().for_path(Path::new("."), true),
                other => config_of(other.path()),
            };
            (i, c)
        })
        .collect();
    let configs = configs.into_inner();
    if let Some(e) = &configs.error {
        super::error(e);
        return exit::ERROR;
    }
    if expanded.skipped_dirs > 0 {
        eprintln!(
            "ramguard: skipped {} director{} (hidden, target/, node_modules/, links to directories)",
            expanded.skipped_dirs,
            if expanded.skipped_dirs == 1 { "y" } else { "ies" }
        );
    }
    // A named path that yields nothing is an error (a misconfigured CI job must fail), unless
    // `--force-exclude` asked for excluded files to be skipped silently.
    let mut nothing = false;
    for (path, excluded) in &expanded.empty {
        if *excluded > 0 && args.force_exclude {
            continue;
        }
        nothing = true;
        let why = if *excluded > 0 {
            format!(
                "its {excluded} policy file{} excluded by the configuration",
                if *excluded == 1 { " is" } else { "s are" }
            )
        } else {
            format!(
                "no policy file there (walks pick {})",
                files::WALK_EXTENSIONS
                    .iter()
                    .map(|e| format!("*.{e}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        super::error(format!("`{path}`: nothing to lint: {why}"));
    }
    let stdin_text = if inputs.iter().any(|(i, _)| *i == Input::Stdin) {
        Some(source::read_limited(
            std::io::stdin().lock(),
            source::MAX_INPUT_BYTES,
        ))
    } else {
        None
    };

    let color = render::human::use_color(std::io::stdout().is_terminal());
    let handler = render::human::handler(color);
    let sarif = args.format == Format::Sarif;
    let lint_one = |(input, config): &(Input, usize)| -> std::io::Result<FileOutput> {
        panic_for_tests(input.path());
        let Some(loaded) = configs.list.get(*config) else {
            return Ok(FileOutput::default());
        };
        let rel = loaded.relative(input.path());
        // Named on the command line (not found by a walk or a glob).
        let named = args.paths.iter().any(|p| Path::new(p) == input.path());
        let (reports, unreadable) =
            lint_input(input, named, stdin_text.as_ref(), &read_options, &|doc| {
                options_for(args.kind.map(Into::into), loaded, &rel, doc)
            });
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
                config: *config,
                unreadable,
                ..FileOutput::new(report, args.format, &handler)?
            };
            merged = Some(match merged {
                None => out,
                Some(m) => m.merge(out),
            });
        }
        Ok(merged.unwrap_or(FileOutput {
            config: *config,
            ..FileOutput::default()
        }))
    };
    // A bug met while checking or rendering one file is that file's finding; the others are
    // still reported and the run exits 2.
    let lint_one = |item: &(Input, usize)| -> std::io::Result<FileOutput> {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| lint_one(item))) {
            Ok(output) => output,
            Err(payload) => {
                let name = files::display(item.0.path());
                let report = lint::internal_error(&name, &super::panic_message(&*payload));
                Ok(FileOutput {
                    unreadable: true,
                    config: item.1,
                    ..FileOutput::new(report, args.format, &handler)?
                })
            }
        }
    };

    let files = inputs.len();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut tally = Tally::new(&configs.list);
    // The configurations' own findings (stale suppressions) are known only after every file;
    // the files whose names sort after the first configuration's wait for them.
    let first_config = configs
        .list
        .iter()
        .filter_map(|c| c.source.as_ref().map(|s| Arc::clone(&s.name)))
        .min();
    let mut run = || -> std::io::Result<()> {
        let mut writer = Writer::begin(args.format, &mut out, files)?;
        let mut held = Vec::new();
        for window in inputs.chunks(WINDOW) {
            let outputs: Vec<std::io::Result<FileOutput>> =
                window.par_iter().map(lint_one).collect();
            for o in outputs {
                let o = o?;
                tally.add(&o);
                if first_config.as_ref().is_some_and(|c| o.name > *c) {
                    held.push(o);
                } else {
                    writer.file(&mut out, o)?;
                }
            }
        }
        for (i, loaded) in configs.list.iter().enumerate() {
            if let Some(report) = config_findings(loaded, &tally, i) {
                let o = FileOutput {
                    config: i,
                    ..FileOutput::new(report, args.format, &handler)?
                };
                tally.add(&o);
                held.push(o);
            }
        }
        // Stable: the configuration's findings stay after files of the same name.
        held.sort_by(|a, b| a.name.cmp(&b.name));
        for o in held {
            writer.file(&mut out, o)?;
        }
        writer.end(&mut out, files, &tally)?;
        out.flush()
    };
    // A closed pipe is an error (exit 2), not a panic; any other failure is said.
    if let Err(e) = run() {
        super::output_failed(&e);
        return exit::ERROR;
    }

    if tally.unreadable || nothing {
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

/// Debug builds only: a file whose name is `RAMGUARD_TEST_PANIC` panics while it is checked, so
/// that a test can prove a bug in one file is contained.
#[cfg(debug_assertions)]
#[allow(clippy::panic)]
fn panic_for_tests(path: &Path) {
    if std::env::var_os("RAMGUARD_TEST_PANIC").is_some_and(|n| path.file_name() == Some(&n)) {
        panic!("RAMGUARD_TEST_PANIC");
    }
}

#[cfg(not(debug_assertions))]
fn panic_for_tests(_: &Path) {}

/// Expired and stale `[[suppress]]` entries of configuration `index`, located in its file.
fn config_findings(loaded: &config::Loaded, tally: &Tally, index: usize) -> Option<FileReport> {
    let source = loaded.source.clone()?;
    if loaded.settings.suppressions().is_empty() {
        return None;
    }
    let none = Vec::new();
    let report = loaded.settings.config_report(
        source,
        tally.used.get(index).unwrap_or(&none),
        tally.in_scope.get(index).unwrap_or(&none),
        &|s| loaded.matches_any_file(s),
    );
    (!report.diagnostics.is_empty()).then_some(report)
}

fn outputs_fail(s: &Summary, threshold: Severity) -> bool {
    match threshold {
        Severity::Error => s.error > 0,
        Severity::Warning => s.error + s.warning > 0,
        Severity::Info => s.error + s.warning + s.info > 0,
    }
}

/// The kind a document is linted as: `--kind`, else the host's (a trust policy attribute), else
/// `[lint.kinds]` by `file#address` or file, else read from the document.
fn options_for<'a>(
    kind: Option<PolicyKind>,
    loaded: &'a config::Loaded,
    rel: &Path,
    doc: &crate::document::Document,
) -> LintOptions<'a> {
    let rules = lint::ModelRules::Enabled(&loaded.settings);
    let configured = || {
        doc.address
            .as_ref()
            .and_then(|a| loaded.kind_of(Path::new(&format!("{}#{a}", rel.display()))))
            .or_else(|| loaded.kind_of(rel))
    };
    match kind.or_else(|| doc.policy_kind()).or_else(configured) {
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
}

/// Reads one input (at most [`source::MAX_INPUT_BYTES`], regular files only) and lints every
/// document it holds through the document layer.
fn lint_input<'s>(
    input: &Input,
    named: bool,
    stdin: Option<&Result<Vec<u8>, ReadError>>,
    read_options: &crate::document::ReadOptions,
    options_for: &dyn Fn(&crate::document::Document) -> LintOptions<'s>,
) -> (Vec<FileReport>, bool) {
    let name = files::display(input.path());
    let read = match input {
        Input::File(path) => source::read_input(path, source::MAX_INPUT_BYTES),
        Input::Stdin => match stdin {
            Some(Ok(bytes)) => Ok(bytes.clone()),
            Some(Err(ReadError::TooLarge { limit })) => Err(ReadError::TooLarge { limit: *limit }),
            Some(Err(e)) => Err(ReadError::Io(std::io::Error::other(e.to_string()))),
            None => Ok(Vec::new()),
        },
        Input::Missing(_, why) => Err(ReadError::Io(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            why.clone(),
        ))),
    };
    match read {
        Ok(bytes) => {
            let dir = match input {
                Input::File(path) => path.parent(),
                _ => None,
            };
            let read = crate::document::read(&name, bytes, dir, read_options);
            // CLI.md: a walk skips a JSON or YAML file that is neither a policy nor a host.
            if read.foreign && !named {
                return (Vec::new(), false);
            }
            (lint::lint_read(&read, options_for), false)
        }
        Err(ReadError::TooLarge { limit }) => (vec![lint::too_large(&name, limit)], false),
        Err(e) => (vec![lint::unreadable(&name, &e.into())], true),
    }
}
