//! Source files, byte spans and the offset -> line/column index.

use std::sync::{Arc, OnceLock};

/// A half-open byte range `start..end` into a [`SourceFile`]'s text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        // Files are capped far below 4 GiB by the loader, so the casts never truncate.
        Span {
            start: start as u32,
            end: end as u32,
        }
    }

    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    pub fn contains(self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// A value together with where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

/// 1-based line and column (columns count Unicode scalar values).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

/// A named source text. Cheap to clone: diagnostics hold one so they render on their own.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub name: Arc<str>,
    pub text: Arc<str>,
    /// Byte offsets of line starts, built on the first [`SourceFile::line_col`]: most files
    /// linted in bulk have no finding and never need it.
    line_starts: Arc<OnceLock<Box<[u32]>>>,
}

impl SourceFile {
    pub fn new(name: impl Into<Arc<str>>, text: impl Into<Arc<str>>) -> Self {
        SourceFile {
            name: name.into(),
            text: text.into(),
            line_starts: Arc::default(),
        }
    }

    fn line_starts(&self) -> &[u32] {
        self.line_starts.get_or_init(|| {
            let newlines = memchr::memchr_iter(b'\n', self.text.as_bytes());
            std::iter::once(0)
                .chain(newlines.map(|i| (i + 1) as u32))
                .collect()
        })
    }

    /// Line and column of a byte offset; offsets past the end clamp to the end.
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = offset.min(self.text.len());
        let starts = self.line_starts();
        let line = match starts.binary_search(&(offset as u32)) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = starts.get(line).copied().unwrap_or(0) as usize;
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count())
            + 1;
        LineCol {
            line: line + 1,
            column,
        }
    }

    /// Line and column of both ends of a span; the end is counted on from the start when both
    /// lie on one line (most spans).
    pub fn line_cols(&self, span: Span) -> (LineCol, LineCol) {
        let start = self.line_col(span.start as usize);
        let starts = self.line_starts();
        let same_line = starts.get(start.line).map_or(true, |&next| span.end < next);
        let end = match self.text.get(span.range()) {
            Some(between) if same_line && span.start <= span.end => LineCol {
                line: start.line,
                column: start.column + between.chars().count(),
            },
            _ => self.line_col(span.end as usize),
        };
        (start, end)
    }

    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let f = SourceFile::new("x", "ab\né€x\n");
        assert_eq!(f.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(f.line_col(3), LineCol { line: 2, column: 1 });
        // 'x' is after two multi-byte characters
        let x = f.text.find('x').unwrap_or(0);
        assert_eq!(f.line_col(x), LineCol { line: 2, column: 3 });
        assert_eq!(f.line_col(999).line, 3);
    }

    #[test]
    fn both_ends_of_a_span_agree_with_line_col() {
        let f = SourceFile::new("x", "ab\né€x\n\nyz");
        let n = f.text.len();
        for start in 0..=n {
            for end in start..=n + 2 {
                if !f.text.is_char_boundary(start.min(n)) || !f.text.is_char_boundary(end.min(n)) {
                    continue;
                }
                let span = Span::new(start, end);
                assert_eq!(
                    f.line_cols(span),
                    (f.line_col(start), f.line_col(end)),
                    "{start}..{end}"
                );
            }
        }
    }
}
