//! The part of a file that one finding shows: the lines of its labels with one line of context
//! on each side, every long line cut to windows around the labels (`…` where text is left
//! out), control characters escaped. miette renders from this excerpt, so what it prints, and
//! the time it takes, does not grow with the file or with the line (a minified plan is one line
//! of a megabyte); its header still names the line and the column (in characters) of the file.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

use super::escape::{escape, escaped_len};
use crate::source::{SourceFile, Span};

/// Lines of context around a label: the renderer's own setting (miette's default, 1).
pub const CONTEXT_LINES: usize = 1;
/// Lines longer than this (in characters) are cut to windows.
const MAX_LINE_CHARS: usize = 160;
/// Characters kept on each side of a label in a cut line.
const MARGIN: usize = 60;
/// Longest underline, in characters: a longer label is shown from its start.
const MAX_LABEL_CHARS: usize = 120;
/// A label over more lines than this is shown on its first line only.
const MAX_LABEL_LINES: usize = 8;
/// Lines between two labels' contexts shown rather than splitting the excerpt.
const MAX_GAP: usize = 4;
const ELLIPSIS: &str = "…";

/// A run of original text copied (escaped) into the excerpt at byte `at`.
#[derive(Debug)]
struct Segment {
    orig: Range<usize>,
    at: usize,
    end_at: usize,
}

#[derive(Debug)]
struct Line {
    /// 0-based line number in the file.
    number: usize,
    /// Byte offset of the line in the excerpt.
    start: usize,
    /// Byte offset just past the line's `\n` in the excerpt.
    end: usize,
    /// Lines of one group are consecutive in the file.
    group: usize,
    segments: Vec<Segment>,
}

/// An excerpt of a [`SourceFile`], as miette's [`SourceCode`].
#[derive(Debug)]
pub struct Excerpt {
    name: String,
    text: String,
    lines: Vec<Line>,
    /// File column (0-based, in characters) of each label start, by excerpt offset: what the
    /// header shows.
    columns: Vec<(usize, usize)>,
}

fn floor_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// The offset `n` characters before `at`, not before `limit`.
fn back(text: &str, at: usize, n: usize, limit: usize) -> usize {
    let slice = text.get(limit..at).unwrap_or_default();
    slice
        .char_indices()
        .rev()
        .take(n)
        .last()
        .map_or(at, |(i, _)| limit + i)
}

/// The offset `n` characters after `at`, not past `limit`.
fn forward(text: &str, at: usize, n: usize, limit: usize) -> usize {
    let slice = text.get(at..limit).unwrap_or_default();
    slice.char_indices().nth(n).map_or(limit, |(i, _)| at + i)
}

/// A label as it will be shown: its ends in the file and their lines.
struct Clipped {
    start: usize,
    end: usize,
    first_line: usize,
    last_line: usize,
}

impl Excerpt {
    /// The excerpt that shows `spans` of `source`, and the spans in it (in the same order).
    pub fn new(source: &SourceFile, spans: &[Span]) -> (Excerpt, Vec<SourceSpan>) {
        let text: &str = &source.text;
        let content = |line: usize| {
            let r = source.line_range(line);
            let end =
                if text.as_bytes().get(r.end.wrapping_sub(1)) == Some(&b'\r') && r.end > r.start {
                    r.end - 1
                } else {
                    r.end
                };
            r.start..end
        };
        let clipped: Vec<Clipped> = spans
            .iter()
            .map(|span| {
                let start = floor_boundary(text, span.start as usize);
                let mut end = ceil_boundary(text, span.end as usize).max(start);
                let first_line = source.line_of(start);
                let mut last_line = source.line_of(end.saturating_sub(1).max(start));
                if last_line - first_line > MAX_LABEL_LINES {
                    end = content(first_line).end.max(start);
                    last_line = first_line;
                }
                if last_line == first_line {
                    end = end.min(forward(text, start, MAX_LABEL_CHARS, text.len()));
                }
                Clipped {
                    start,
                    end,
                    first_line,
                    last_line,
                }
            })
            .collect();

        let mut shown = BTreeSet::new();
        let mut interests: BTreeMap<usize, Vec<(usize, usize)>> = BTreeMap::new();
        // The empty "line" after a final newline is shown only when a label is on it.
        let lines = source.line_count();
        let last_line = if text.ends_with('\n') {
            lines.saturating_sub(2)
        } else {
            lines.saturating_sub(1)
        };
        for c in &clipped {
            let from = c.first_line.saturating_sub(CONTEXT_LINES);
            let to = (c.last_line + CONTEXT_LINES).min(last_line.max(c.last_line));
            shown.extend(from..=to);
            if c.first_line == c.last_line {
                interests
                    .entry(c.first_line)
                    .or_default()
                    .push((c.start, c.end));
            } else {
                interests
                    .entry(c.first_line)
                    .or_default()
                    .push((c.start, c.start));
                interests
                    .entry(c.last_line)
                    .or_default()
                    .push((c.end, c.end));
            }
        }

        // Labels a few lines apart are shown in one piece, as miette would.
        let listed: Vec<usize> = shown.iter().copied().collect();
        for pair in listed.windows(2) {
            if let [a, b] = *pair {
                if b - a <= MAX_GAP + 1 {
                    shown.extend(a + 1..b);
                }
            }
        }
        let mut excerpt = Excerpt {
            name: escape(&source.name).into_owned(),
            text: String::new(),
            lines: Vec::with_capacity(shown.len()),
            columns: Vec::new(),
        };
        let mut group = 0;
        let mut previous = None;
        for number in shown {
            if previous.is_some_and(|p: usize| p + 1 != number) {
                group += 1;
            }
            previous = Some(number);
            let range = content(number);
            let windows = windows(text, range.clone(), interests.get(&number));
            excerpt.push_line(text, number, group, range, &windows);
        }

        let mapped = clipped
            .iter()
            .map(|c| {
                let start = excerpt.map(text, c.first_line, c.start);
                let end = excerpt.map(text, c.last_line, c.end).max(start);
                let column = source.line_col(c.start).column - 1;
                excerpt.columns.push((start, column));
                SourceSpan::new(start.into(), end - start)
            })
            .collect();
        (excerpt, mapped)
    }

    fn push_line(
        &mut self,
        text: &str,
        number: usize,
        group: usize,
        range: Range<usize>,
        windows: &[Range<usize>],
    ) {
        let start = self.text.len();
        let mut segments = Vec::with_capacity(windows.len());
        let mut at = range.start;
        for w in windows {
            if w.start > at {
                self.text.push_str(ELLIPSIS);
            }
            let seg_at = self.text.len();
            self.text
                .push_str(&escape(text.get(w.clone()).unwrap_or_default()));
            segments.push(Segment {
                orig: w.clone(),
                at: seg_at,
                end_at: self.text.len(),
            });
            at = w.end;
        }
        if at < range.end {
            self.text.push_str(ELLIPSIS);
        }
        self.text.push('\n');
        self.lines.push(Line {
            number,
            start,
            end: self.text.len(),
            group,
            segments,
        });
    }

    /// Where file offset `offset` (on file line `number`) is in the excerpt; offsets left out
    /// go to the nearest text kept after them.
    fn map(&self, text: &str, number: usize, offset: usize) -> usize {
        let Some(line) = self
            .lines
            .binary_search_by_key(&number, |l| l.number)
            .ok()
            .and_then(|i| self.lines.get(i))
        else {
            return 0;
        };
        let mut last_end = line.start;
        for seg in &line.segments {
            if offset < seg.orig.start {
                return seg.at;
            }
            if offset <= seg.orig.end {
                let before = text.get(seg.orig.start..offset).unwrap_or_default();
                return seg.at + before.chars().map(escaped_len).sum::<usize>();
            }
            last_end = seg.end_at;
        }
        last_end
    }

    fn line_at(&self, offset: usize) -> usize {
        self.lines
            .partition_point(|l| l.start <= offset)
            .saturating_sub(1)
    }
}

/// The windows of line `range` to show: the whole line when it is short, else the text around
/// each point of interest (or the line's start when it has none).
fn windows(
    text: &str,
    range: Range<usize>,
    interests: Option<&Vec<(usize, usize)>>,
) -> Vec<Range<usize>> {
    let line = text.get(range.clone()).unwrap_or_default();
    if line.len() <= MAX_LINE_CHARS
        || line.chars().take(MAX_LINE_CHARS + 1).count() <= MAX_LINE_CHARS
    {
        return std::iter::once(range).collect();
    }
    let mut wanted: Vec<Range<usize>> = match interests {
        None => std::iter::once(
            range.start..forward(text, range.start, MAX_LINE_CHARS - MARGIN, range.end),
        )
        .collect(),
        Some(points) => points
            .iter()
            .map(|&(a, b)| back(text, a, MARGIN, range.start)..forward(text, b, MARGIN, range.end))
            .collect(),
    };
    wanted.sort_by_key(|w| w.start);
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(wanted.len());
    for w in wanted {
        match merged.last_mut() {
            Some(last) if w.start <= last.end => last.end = last.end.max(w.end),
            _ => merged.push(w),
        }
    }
    merged
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let start = span.offset();
        let end = start + span.len();
        if end > self.text.len() || self.lines.is_empty() {
            return Err(MietteError::OutOfBounds);
        }
        let first = self.line_at(start);
        let last = self.line_at(end.saturating_sub(1).max(start));
        let group = |i: usize| self.lines.get(i).map(|l| l.group);
        if group(first) != group(last) {
            // Two groups are not consecutive in the file: miette renders them apart.
            return Err(MietteError::OutOfBounds);
        }
        let mut from = first;
        while from > 0 && first - from < context_lines_before && group(from - 1) == group(first) {
            from -= 1;
        }
        let mut to = last;
        while to - last < context_lines_after && group(to + 1) == group(last) {
            to += 1;
        }
        let (Some(from_line), Some(to_line)) = (self.lines.get(from), self.lines.get(to)) else {
            return Err(MietteError::OutOfBounds);
        };
        let data_start = if context_lines_before == 0 {
            start
        } else {
            from_line.start
        };
        let data_end = if context_lines_after == 0 {
            end
        } else {
            to_line.end
        };
        let column = if context_lines_before == 0 {
            self.columns
                .iter()
                .find(|(at, _)| *at == start)
                .map_or(0, |(_, c)| *c)
        } else {
            0
        };
        let data = self
            .text
            .as_bytes()
            .get(data_start..data_end)
            .ok_or(MietteError::OutOfBounds)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            data,
            SourceSpan::new(data_start.into(), data_end - data_start),
            from_line.number,
            column,
            to - from + 1,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(excerpt: &Excerpt, span: SourceSpan) -> &str {
        &excerpt.text[span.offset()..span.offset() + span.len()]
    }

    #[test]
    fn short_files_are_shown_as_they_are() {
        let f = SourceFile::new("a.json", "{\n  \"Effect\": \"allow\"\n}\n");
        let at = f.text.find("\"allow\"").unwrap_or(0);
        let (e, spans) = Excerpt::new(&f, &[Span::new(at, at + 7)]);
        assert_eq!(e.text, f.text.as_str());
        assert_eq!(shown(&e, spans[0]), "\"allow\"");
        let header = e.read_span(&spans[0], 0, 0).map(|c| (c.line(), c.column()));
        assert_eq!(header.ok(), Some((1, 12)));
    }

    #[test]
    fn a_long_line_is_cut_around_the_label_and_keeps_its_column() {
        let text = format!(
            "[\"{}\", \"中\u{1b}x\", \"{}\"]",
            "a".repeat(100_000),
            "b".repeat(50)
        );
        let f = SourceFile::new("w.json", text.as_str());
        let at = text.find("\"中").unwrap_or(0);
        let (e, spans) = Excerpt::new(&f, &[Span::new(at, at + "\"中\u{1b}x\"".len())]);
        assert!(e.text.len() < 400, "{}", e.text.len());
        assert!(e.text.starts_with('…'));
        assert_eq!(shown(&e, spans[0]), "\"中\\u{1b}x\"");
        let column = e.read_span(&spans[0], 0, 0).map(|c| c.column());
        assert_eq!(column.ok(), Some(100_005));
    }

    #[test]
    fn far_labels_are_separate_groups_and_long_labels_are_clipped() {
        let lines: Vec<String> = (0..100).map(|i| format!("line {i}")).collect();
        let text = lines.join("\n");
        let f = SourceFile::new("l.txt", text.as_str());
        let start = |i: usize| f.line_range(i).start;
        let (e, spans) = Excerpt::new(
            &f,
            &[
                Span::new(start(2), start(3)),
                Span::new(start(50), start(90)),
            ],
        );
        // Lines 1-3 and 49-51 (0-based): the 40-line label is shown on its first line.
        assert_eq!(e.lines.len(), 6);
        assert_eq!(shown(&e, spans[1]), "line 50");
        assert!(e
            .read_span(&SourceSpan::new(0.into(), e.text.len()), 1, 1)
            .is_err());
        assert!(e.read_span(&spans[0], 1, 1).is_ok());
    }
}
