//! A strict RFC 8259 JSON parser that records byte spans.
//!
//! serde_json cannot give value spans and silently keeps the last of duplicate keys, so policy
//! documents are read with this parser instead. It keeps every member (duplicates included),
//! limits nesting depth without recursion limits of the host stack, and recovers from the faults
//! it can (comments, trailing commas, leading zeros, bad escapes, control characters) so that one
//! run reports them all.

mod parser;
mod pointer;
#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

pub use parser::parse;
pub use pointer::pointer_for;

use crate::source::Span;

/// Deepest nesting of arrays and objects accepted (SEMANTICS.md section 1).
pub const MAX_DEPTH: usize = 64;

/// A JSON value with the span of its text (for strings, including the quotes).
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub span: Span,
    pub value: Value,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// The number exactly as written. It follows the RFC 8259 grammar unless `Parsed::errors`
    /// holds a `LeadingZero` or `InvalidNumber` for its span (such numbers are kept as written).
    Number(Box<str>),
    String(String),
    Array(Vec<Node>),
    Object(Vec<Member>),
}

/// One `"key": value` pair of an object, in document order.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

impl Value {
    /// Name of the JSON type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }
}

/// A fault in the JSON text itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    pub kind: JsonErrorKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JsonErrorKind {
    /// Input ended inside a value.
    UnexpectedEof,
    /// A character that cannot start or continue a value here; `expected` says what could. The
    /// span is that character. The parse goes on when the fix is plain: a missing `,` or `:`,
    /// a single-quoted string, an unquoted key.
    UnexpectedChar { found: char, expected: &'static str },
    /// `//` or `/* */` comment.
    Comment,
    /// `,` directly before `]` or `}`.
    TrailingComma,
    /// `01`, `-007`.
    LeadingZero,
    /// Any other malformed number (`1.`, `.5`, `1e`, `+1`, `NaN`, `Infinity`).
    InvalidNumber,
    /// A raw control character (U+0000..U+001F) inside a string.
    ControlCharacter,
    /// `\x` with an unknown escape letter, or a short `\u` escape.
    InvalidEscape,
    /// `\uD800` without its pair, or a low surrogate alone.
    LoneSurrogate,
    /// More than [`MAX_DEPTH`] nested arrays/objects.
    TooDeep,
    /// Something after the top-level value.
    TrailingContent,
    /// The input holds no value at all (empty or only whitespace).
    Empty,
}

impl JsonError {
    pub fn message(&self) -> String {
        match &self.kind {
            JsonErrorKind::UnexpectedEof => "unexpected end of input".into(),
            JsonErrorKind::UnexpectedChar { found, expected } => {
                format!(
                    "unexpected character `{}`, expected {expected}",
                    found.escape_debug()
                )
            }
            JsonErrorKind::Comment => "comments are not allowed in JSON".into(),
            JsonErrorKind::TrailingComma => "trailing comma".into(),
            JsonErrorKind::LeadingZero => "numbers cannot have leading zeros".into(),
            JsonErrorKind::InvalidNumber => "invalid number".into(),
            JsonErrorKind::ControlCharacter => {
                "control character inside a string must be escaped".into()
            }
            JsonErrorKind::InvalidEscape => "invalid escape sequence".into(),
            JsonErrorKind::LoneSurrogate => "lone UTF-16 surrogate in `\\u` escape".into(),
            JsonErrorKind::TooDeep => format!("nesting deeper than {MAX_DEPTH} levels"),
            JsonErrorKind::TrailingContent => "unexpected content after the JSON value".into(),
            JsonErrorKind::Empty => "the document is empty".into(),
        }
    }
}

/// Two members of one object whose keys are equal, or equal up to ASCII case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DuplicateKey {
    pub key: String,
    /// Key span of the first occurrence (what a reviewer reads).
    pub first: Span,
    /// Key span of the later occurrence.
    pub second: Span,
    /// False when the two keys differ in case only.
    pub exact: bool,
}

/// Everything a parse found.
#[derive(Clone, Debug, Default)]
pub struct Parsed {
    /// The value, when the text could be read far enough to build one. Present alongside
    /// recoverable errors (a trailing comma still yields the array); `None` after a fault the
    /// parser cannot step over (`Empty`, `UnexpectedEof`, `TooDeep`, an `UnexpectedChar` that
    /// fits nowhere).
    pub root: Option<Node>,
    /// Sorted by the start of their spans (document order).
    pub errors: Vec<JsonError>,
    /// One entry per repeated key, in document order of the repeat; `first` is the earliest
    /// member with the same key (an exact match is preferred over a case-only one).
    pub duplicates: Vec<DuplicateKey>,
    /// The text began with a UTF-8 byte-order mark (skipped; spans still count its 3 bytes).
    pub bom: bool,
}
