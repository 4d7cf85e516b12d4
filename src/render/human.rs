//! `--format human`: miette's graphical report with the snippet, the underline and the help.

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, Report};

use super::escape::escape;
use super::excerpt::{Excerpt, CONTEXT_LINES};
use super::Summary;
use crate::lint::{Diagnostic, FileReport, Severity};

/// Whether to print colours: only on a terminal, and never with `NO_COLOR` set.
pub fn use_color(is_terminal: bool) -> bool {
    is_terminal && std::env::var_os("NO_COLOR").map_or(true, |v| v.is_empty())
}

pub fn handler(color: bool) -> GraphicalReportHandler {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(110)
        .with_links(false)
        .with_context_lines(CONTEXT_LINES)
}

/// Findings shown per file; the rest are counted ("... and 12 more"). Every format but this one
/// lists them all.
pub const MAX_SHOWN: usize = 100;

/// Renders the diagnostics of one file (the first [`MAX_SHOWN`]).
pub fn render_file(handler: &GraphicalReportHandler, report: &FileReport) -> String {
    let mut out = String::new();
    for d in report.diagnostics.iter().take(MAX_SHOWN) {
        let report_obj = to_miette(report, d);
        let mut one = String::new();
        if handler
            .render_report(&mut one, report_obj.as_ref())
            .is_err()
        {
            one = fallback(report, d);
        }
        out.push_str(&one);
        out.push('\n');
    }
    if let Some(more) = report
        .diagnostics
        .len()
        .checked_sub(MAX_SHOWN)
        .filter(|&n| n > 0)
    {
        out.push_str(&format!(
            "{}: ... and {more} more (--format json lists them all)\n\n",
            escape(&report.source.name)
        ));
    }
    out
}

fn to_miette(report: &FileReport, d: &Diagnostic) -> Report {
    let severity = match d.severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    };
    let spans: Vec<_> = std::iter::once(d.span)
        .chain(d.labels.iter().map(|l| l.span))
        .collect();
    let (excerpt, spans) = Excerpt::new(&report.source, &spans);
    let mut spans = spans.into_iter();
    let mut labels = Vec::with_capacity(d.labels.len() + 1);
    if let Some(primary) = spans.next() {
        labels.push(LabeledSpan::new_primary_with_span(
            Some(d.rule.name.to_string()),
            primary,
        ));
    }
    labels.extend(
        d.labels
            .iter()
            .zip(spans)
            .map(|(l, span)| LabeledSpan::new_with_span(Some(text(&l.message)), span)),
    );
    let message = match &d.document {
        Some(document) => format!("{} (in `{document}`)", d.message),
        None => d.message.clone(),
    };
    let mut m = MietteDiagnostic::new(text(&message))
        .with_code(d.rule.code)
        .with_severity(severity)
        .with_labels(labels);
    if let Some(h) = &d.help {
        m = m.with_help(text(h));
    }
    Report::new(m).with_source_code(excerpt)
}

/// Words (runs without a space) longer than this are shortened in messages: a message quotes
/// the value it is about, and a value may be a megabyte long.
const MAX_WORD_CHARS: usize = 120;

/// A message, help or label as shown: escaped, each overlong word cut in its middle.
fn text(s: &str) -> String {
    let s = escape(s);
    if s.len() <= MAX_WORD_CHARS {
        return s.into_owned();
    }
    let mut out = String::with_capacity(s.len().min(4 * MAX_WORD_CHARS));
    for (i, word) in s.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let chars = word.chars().count();
        if chars <= MAX_WORD_CHARS {
            out.push_str(word);
        } else {
            let head = MAX_WORD_CHARS * 2 / 3;
            let tail = MAX_WORD_CHARS / 6;
            out.extend(word.chars().take(head));
            out.push('…');
            out.extend(word.chars().skip(chars - tail));
        }
    }
    out
}

/// Used if miette cannot render (it never should): still one readable line.
fn fallback(report: &FileReport, d: &Diagnostic) -> String {
    let at = report.source.line_col(d.span.start as usize);
    format!(
        "{}:{}:{}: {} {}: {}\n",
        escape(&report.source.name),
        at.line,
        at.column,
        d.severity.as_str(),
        d.rule.code,
        escape(&d.message)
    )
}

/// The closing line: counts and files.
pub struct Totals {
    pub files: usize,
    pub summary: Summary,
    /// Findings accepted by `[[suppress]]` entries.
    pub suppressed: usize,
}

impl fmt::Display for Totals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.summary;
        let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
        if s.error + s.warning + s.info == 0 {
            write!(
                f,
                "{} checked: no problems found",
                plural(self.files, "file")
            )?;
        } else {
            write!(
                f,
                "{} checked: {}, {}, {}",
                plural(self.files, "file"),
                plural(s.error, "error"),
                plural(s.warning, "warning"),
                plural(s.info, "info")
            )?;
        }
        if self.suppressed > 0 {
            write!(f, " ({} suppressed)", self.suppressed)?;
        }
        Ok(())
    }
}
