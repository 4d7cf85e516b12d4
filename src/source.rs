//! Source files, byte spans, the offset -> line/column index, and the one way input files are
//! read (regular files only, with a size limit).

use std::io::Read;
use std::path::Path;
use std::sync::{Arc, OnceLock};

/// The largest input ramguard reads, for every file it is given (policies, requests, the
/// configuration, credentials): far above RAM's own limit (6,144 characters for an identity
/// policy) and a large Terraform plan, and far below `u32::MAX`, so no [`Span`] offset wraps.
pub const MAX_INPUT_BYTES: u64 = 64 << 20;

/// The largest `simulate --requests` file: one request per line, many of them.
pub const MAX_BATCH_BYTES: u64 = 1 << 30;

/// Why an input could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// A directory, a FIFO, a device (`/dev/zero`), a socket: reading it could block or never end.
    #[error("not a regular file (it is {0})")]
    NotRegular(&'static str),
    #[error("the file is larger than {limit} bytes, the most ramguard reads")]
    TooLarge { limit: u64 },
}

impl From<ReadError> for std::io::Error {
    fn from(e: ReadError) -> std::io::Error {
        match e {
            ReadError::Io(e) => e,
            other => std::io::Error::new(std::io::ErrorKind::InvalidInput, other.to_string()),
        }
    }
}

fn file_type_name(ft: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a FIFO";
        }
        if ft.is_char_device() || ft.is_block_device() {
            return "a device";
        }
        if ft.is_socket() {
            return "a socket";
        }
    }
    if ft.is_dir() {
        "a directory"
    } else {
        "not a file"
    }
}

/// Opens `path` for reading when it is a regular file (symbolic links followed). The type is
/// checked before opening, so a FIFO is never opened (that would block).
pub fn open_regular(path: &Path) -> Result<std::fs::File, ReadError> {
    open_regular_sized(path).map(|(file, _)| file)
}

/// [`open_regular`], with the size of the file opened.
fn open_regular_sized(path: &Path) -> Result<(std::fs::File, u64), ReadError> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(file_type_name(meta.file_type())));
    }
    let file = std::fs::File::open(path)?;
    // The path may have been swapped between the two calls.
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(file_type_name(meta.file_type())));
    }
    Ok((file, meta.len()))
}

/// Reads a whole input file: a regular file of at most `limit` bytes
/// (normally [`MAX_INPUT_BYTES`]). Every file ramguard reads goes through here.
pub fn read_input(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    // `--config /dev/null` is the usual way to say "no configuration": an empty file.
    if path == Path::new("/dev/null") {
        return Ok(Vec::new());
    }
    let (file, size) = open_regular_sized(path)?;
    if size > limit {
        return Err(ReadError::TooLarge { limit });
    }
    // Sized to the file (plus one byte to see the end), so the read does not grow the buffer.
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0).saturating_add(1));
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(bytes)
}

/// [`read_input`] as UTF-8 text (configuration and credential files).
pub fn read_input_text(path: &Path, limit: u64) -> Result<String, ReadError> {
    let bytes = read_input(path, limit)?;
    String::from_utf8(bytes).map_err(|_| {
        ReadError::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        ))
    })
}

/// Reads at most `limit` bytes from `reader`; more is [`ReadError::TooLarge`] (standard input,
/// and a file that grew after its size was checked).
pub fn read_limited(reader: impl Read, limit: u64) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(bytes)
}

/// A half-open byte range `start..end` into a [`SourceFile`]'s text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        // Inputs are capped far below 4 GiB ([`MAX_INPUT_BYTES`]); should a longer text reach
        // here anyway, offsets saturate rather than wrap to the start of the file.
        let cast = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Span {
            start: cast(start),
            end: cast(end),
        }
    }

    pub fn len(self) -> usize {
        self.end.saturating_sub(self.start) as usize
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
    /// An `Arc<String>`, not an `Arc<str>`: a file read into a `String` is shared without
    /// copying its bytes again.
    pub text: Arc<String>,
    /// Byte offsets of line starts, built on the first [`SourceFile::line_col`]: most files
    /// linted in bulk have no finding and never need it.
    line_starts: Arc<OnceLock<Box<[u32]>>>,
    /// Characters before each [`CHAR_BLOCK`]-byte block, built when a column far from its line's
    /// start is asked for: columns on a long line cost a block, not the line.
    char_marks: Arc<OnceLock<Box<[u32]>>>,
}

/// Bytes per entry of the character index.
const CHAR_BLOCK: usize = 1024;

/// Characters that start in `bytes` (a UTF-8 text cut anywhere): the bytes that are not
/// continuation bytes.
fn chars_in(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
}

impl SourceFile {
    pub fn new(name: impl Into<Arc<str>>, text: impl Into<String>) -> Self {
        SourceFile {
            name: name.into(),
            text: Arc::new(text.into()),
            line_starts: Arc::default(),
            char_marks: Arc::default(),
        }
    }

    /// Characters in `text[..offset]` (`offset` is clamped to the text).
    fn chars_before(&self, offset: usize) -> usize {
        let bytes = self.text.as_bytes();
        let offset = offset.min(bytes.len());
        let marks = self.char_marks.get_or_init(|| {
            let mut total = 0u32;
            let mut marks = vec![0u32];
            for block in bytes.chunks(CHAR_BLOCK) {
                total = total.saturating_add(chars_in(block) as u32);
                marks.push(total);
            }
            marks.into_boxed_slice()
        });
        let block = offset / CHAR_BLOCK;
        let base = marks.get(block).copied().unwrap_or(0) as usize;
        base + chars_in(bytes.get(block * CHAR_BLOCK..offset).unwrap_or_default())
    }

    /// Characters from `start` to `offset`, counted directly when they are close.
    fn chars_between(&self, start: usize, offset: usize) -> usize {
        if offset.saturating_sub(start) <= 2 * CHAR_BLOCK {
            chars_in(self.text.as_bytes().get(start..offset).unwrap_or_default())
        } else {
            self.chars_before(offset) - self.chars_before(start)
        }
    }

    /// Number of lines (a text without a newline has one).
    pub fn line_count(&self) -> usize {
        self.line_starts().len()
    }

    /// The 0-based line that holds byte `offset` (clamped to the text).
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        match self.line_starts().binary_search(&(offset as u32)) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// Byte range of 0-based `line`'s text, without its `\n` (a `\r` before it is kept).
    pub fn line_range(&self, line: usize) -> std::ops::Range<usize> {
        let starts = self.line_starts();
        let len = self.text.len();
        let start = starts.get(line).map_or(len, |&s| s as usize);
        let end = starts
            .get(line + 1)
            .map_or(len, |&s| (s as usize).saturating_sub(1));
        start..end.max(start)
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
        let line = self.line_of(offset);
        let start = self.line_starts().get(line).copied().unwrap_or(0) as usize;
        let column = self.chars_between(start, offset) + 1;
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
            Some(_) if same_line && span.start <= span.end => LineCol {
                line: start.line,
                column: start.column + self.chars_between(span.start as usize, span.end as usize),
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
