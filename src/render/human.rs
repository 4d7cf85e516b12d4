//! `--format human`: miette's graphical report with the snippet, the underline and the help.

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource, Report,
};

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
}

/// Renders every diagnostic of one file.
pub fn render_file(handler: &GraphicalReportHandler, report: &FileReport) -> String {
    let mut out = String::new();
    for d in &report.diagnostics {
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
    out
}

fn to_miette(report: &FileReport, d: &Diagnostic) -> Report {
    let severity = match d.severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    };
    let mut labels = vec![LabeledSpan::new_primary_with_span(
        Some(d.rule.name.to_string()),
        d.span.range(),
    )];
    labels.extend(
        d.labels
            .iter()
            .map(|l| LabeledSpan::new_with_span(Some(l.message.clone()), l.span.range())),
    );
    let message = match &d.document {
        Some(document) => format!("{} (in `{document}`)", d.message),
        None => d.message.clone(),
    };
    let mut m = MietteDiagnostic::new(message)
        .with_code(d.rule.code)
        .with_severity(severity)
        .with_labels(labels);
    if let Some(h) = &d.help {
        m = m.with_help(h.clone());
    }
    Report::new(m).with_source_code(
        NamedSource::new(&report.source.name, report.source.text.to_string()).with_language("json"),
    )
}

/// Used if miette cannot render (it never should): still one readable line.
fn fallback(report: &FileReport, d: &Diagnostic) -> String {
    let at = report.source.line_col(d.span.start as usize);
    format!(
        "{}:{}:{}: {} {}: {}\n",
        report.source.name,
        at.line,
        at.column,
        d.severity.as_str(),
        d.rule.code,
        d.message
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
