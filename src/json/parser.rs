//! The parser proper: one pass over the bytes with an explicit stack of open containers, so
//! nesting never touches the host stack.
//!
//! Recovery policy: a fault whose extent is clear (comment, trailing comma, bad number, bad
//! escape, raw control character, single-quoted string, unquoted key, a missing `,` or `:`
//! before something that can follow) is recorded and parsing goes on as if the text were
//! right. Anything else (end of input inside a value, a token that fits nowhere) stops the
//! parse and the root is dropped; the errors found so far are kept.

use std::collections::HashMap;

use super::{DuplicateKey, JsonError, JsonErrorKind, Member, Node, Parsed, Value, MAX_DEPTH};
use crate::source::Span;

/// Parses `text` as one strict RFC 8259 document, recording every fault it can recover from.
pub fn parse(text: &str) -> Parsed {
    let mut p = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        errors: Vec::new(),
        duplicates: Vec::new(),
        truncated: false,
    };
    let bom = text.starts_with('\u{feff}');
    if bom {
        p.pos = '\u{feff}'.len_utf8();
    }
    let root = p.document();
    Parsed {
        root,
        errors: p.errors,
        duplicates: p.duplicates,
        bom,
    }
}

/// Objects with fewer members than this are searched linearly for duplicate keys; bigger ones
/// get a hash index (built once, when they reach this size).
const LINEAR_KEYS: usize = 16;

/// The parse cannot go on; the error is already recorded.
struct Fatal;

type Step<T> = Result<T, Fatal>;

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    errors: Vec<JsonError>,
    duplicates: Vec<DuplicateKey>,
    /// A too-deep value was skipped, so the tree is incomplete and no root is returned.
    truncated: bool,
}

/// An open container. Elements and members finished so far sit on the shared scratch stacks of
/// [`Tree`] from `base` on; closing moves them into a vector of the exact size, which saves the
/// repeated reallocation of growing one vector per container.
enum Frame {
    Array { start: usize, base: usize },
    Object(ObjectFrame),
}

/// The containers being built.
struct Tree {
    stack: Vec<Frame>,
    items: Vec<Node>,
    members: Vec<Member>,
}

impl Tree {
    /// Pops the innermost container, whose closing bracket ends at `end`.
    fn close(&mut self, end: usize) -> Node {
        let (start, value) = match self.stack.pop() {
            Some(Frame::Array { start, base }) => {
                (start, Value::Array(take_from(&mut self.items, base)))
            }
            Some(Frame::Object(obj)) => (
                obj.start,
                Value::Object(take_from(&mut self.members, obj.base)),
            ),
            None => (end.saturating_sub(1), Value::Null),
        };
        Node {
            span: Span::new(start, end),
            value,
        }
    }
}

/// The elements of `v` from `at` on, in a vector allocated once at their exact size.
fn take_from<T>(v: &mut Vec<T>, at: usize) -> Vec<T> {
    match at {
        // `split_off(0)` would hand over the scratch buffer and allocate a new one.
        0 => {
            let mut out = Vec::with_capacity(v.len());
            out.append(v);
            out
        }
        _ if at < v.len() => v.split_off(at),
        _ => Vec::new(),
    }
}

/// What may follow `{` or `,` inside an object.
enum KeyOrClose {
    Key(String, Span),
    Close,
}

impl Parser<'_> {
    fn document(&mut self) -> Option<Node> {
        let content_start = self.pos;
        self.skip_ws();
        if self.pos >= self.bytes.len() {
            self.error(
                JsonErrorKind::Empty,
                Span::new(content_start, self.bytes.len()),
            );
            return None;
        }
        let root = self.value_tree().ok()?;
        self.skip_ws();
        if self.pos < self.bytes.len() {
            let end = self
                .bytes
                .iter()
                .rposition(|b| !is_ws(*b))
                .map_or(self.bytes.len(), |i| i + 1);
            self.error(JsonErrorKind::TrailingContent, Span::new(self.pos, end));
        }
        (!self.truncated).then_some(root)
    }

    /// Parses one value (with everything nested in it) starting at `pos`.
    fn value_tree(&mut self) -> Step<Node> {
        let mut tree = Tree {
            stack: Vec::with_capacity(16),
            items: Vec::with_capacity(32),
            members: Vec::with_capacity(32),
        };
        loop {
            // A value starts here: a scalar, a too-deep container, or a container to descend into.
            self.skip_ws();
            let start = self.pos;
            let mut done = match self.peek() {
                Some(b'[' | b'{') if tree.stack.len() >= MAX_DEPTH => {
                    self.error(JsonErrorKind::TooDeep, Span::new(start, start + 1));
                    self.skip_nested();
                    self.truncated = true;
                    // Placeholder so object member indices stay in step with their keys.
                    Node {
                        span: Span::new(start, self.pos),
                        value: Value::Null,
                    }
                }
                Some(b'[') => {
                    self.pos += 1;
                    tree.stack.push(Frame::Array {
                        start,
                        base: tree.items.len(),
                    });
                    self.skip_ws();
                    if self.peek() != Some(b']') {
                        continue;
                    }
                    self.pos += 1;
                    tree.close(self.pos)
                }
                Some(b'{') => {
                    self.pos += 1;
                    let mut obj = ObjectFrame::new(start, tree.members.len());
                    let next = self.key_or_close(None, "a string key or `}`")?;
                    let open = self.start_member(&mut obj, &tree.members, next)?;
                    tree.stack.push(Frame::Object(obj));
                    if open {
                        continue;
                    }
                    self.pos += 1;
                    tree.close(self.pos)
                }
                _ => self.scalar()?,
            };
            // Attach the finished value to its parent, closing containers until one wants
            // another value.
            loop {
                match tree.stack.last_mut() {
                    None => return Ok(done),
                    Some(Frame::Array { .. }) => {
                        tree.items.push(done);
                        self.skip_ws();
                        match self.peek() {
                            Some(b',') => {
                                let comma = self.pos;
                                self.pos += 1;
                                self.skip_ws();
                                if self.peek() != Some(b']') {
                                    break;
                                }
                                self.error(
                                    JsonErrorKind::TrailingComma,
                                    Span::new(comma, comma + 1),
                                );
                            }
                            Some(b']') => {}
                            Some(b) if starts_value(b) => {
                                self.unexpected_char("`,` or `]`");
                                break;
                            }
                            _ => return Err(self.unexpected("`,` or `]`")),
                        }
                    }
                    Some(Frame::Object(obj)) => {
                        obj.finish_member(&mut tree.members, done);
                        self.skip_ws();
                        let next = match self.peek() {
                            Some(b',') => {
                                let comma = self.pos;
                                self.pos += 1;
                                self.key_or_close(Some(comma), "a string key")?
                            }
                            Some(b'}') => KeyOrClose::Close,
                            Some(b'"') => {
                                self.unexpected_char("`,` or `}`");
                                self.key_or_close(None, "a string key")?
                            }
                            _ => return Err(self.unexpected("`,` or `}`")),
                        };
                        if self.start_member(obj, &tree.members, next)? {
                            break;
                        }
                    }
                }
                self.pos += 1;
                done = tree.close(self.pos);
            }
        }
    }

    /// After `{` or `,`: registers the key and reads the colon. Returns whether a member value
    /// follows (false: the object closes here).
    fn start_member(
        &mut self,
        obj: &mut ObjectFrame,
        members: &[Member],
        next: KeyOrClose,
    ) -> Step<bool> {
        match next {
            KeyOrClose::Key(key, span) => {
                obj.add_key(members, key, span, &mut self.duplicates);
                self.colon()?;
                Ok(true)
            }
            KeyOrClose::Close => Ok(false),
        }
    }

    /// Reads a key after `{` (`comma` is None) or after the `,` at `comma`.
    fn key_or_close(&mut self, comma: Option<usize>, expected: &'static str) -> Step<KeyOrClose> {
        self.skip_ws();
        let start = self.pos;
        match self.peek() {
            Some(b'"') => {
                let key = self.string(b'"')?;
                Ok(KeyOrClose::Key(key, Span::new(start, self.pos)))
            }
            Some(b'}') => {
                if let Some(c) = comma {
                    self.error(JsonErrorKind::TrailingComma, Span::new(c, c + 1));
                }
                Ok(KeyOrClose::Close)
            }
            Some(b'\'') => {
                self.unexpected_char("a double-quoted key");
                let key = self.string(b'\'')?;
                Ok(KeyOrClose::Key(key, Span::new(start, self.pos)))
            }
            Some(b) if b.is_ascii_alphabetic() || b == b'_' || b == b'$' => {
                // An unquoted key: take the identifier as the key.
                self.unexpected_char("a double-quoted key");
                let len = self.run_len(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$');
                self.pos += len;
                let key = self
                    .text
                    .get(start..self.pos)
                    .unwrap_or_default()
                    .to_owned();
                Ok(KeyOrClose::Key(key, Span::new(start, self.pos)))
            }
            _ => Err(self.unexpected(expected)),
        }
    }

    fn colon(&mut self) -> Step<()> {
        self.skip_ws();
        match self.peek() {
            Some(b':') => {
                self.pos += 1;
                Ok(())
            }
            Some(b) if starts_value(b) => {
                self.unexpected_char("`:`");
                Ok(())
            }
            _ => Err(self.unexpected("`:`")),
        }
    }

    fn scalar(&mut self) -> Step<Node> {
        let start = self.pos;
        let value = match self.peek() {
            None => return Err(self.eof()),
            Some(b'"') => Value::String(self.string(b'"')?),
            Some(b'\'') => {
                self.unexpected_char("a double-quoted string");
                Value::String(self.string(b'\'')?)
            }
            Some(b't') => self.literal(b"true", "`true`", Value::Bool(true))?,
            Some(b'f') => self.literal(b"false", "`false`", Value::Bool(false))?,
            Some(b'n') => self.literal(b"null", "`null`", Value::Null)?,
            Some(b'-' | b'+' | b'.' | b'0'..=b'9') => self.number(),
            Some(_) if self.at(b"NaN") || self.at(b"Infinity") => self.number(),
            Some(_) => return Err(self.unexpected("a value")),
        };
        Ok(Node {
            span: Span::new(start, self.pos),
            value,
        })
    }

    fn literal(&mut self, word: &[u8], expected: &'static str, value: Value) -> Step<Value> {
        for &w in word {
            match self.peek() {
                Some(b) if b == w => self.pos += 1,
                Some(_) => return Err(self.unexpected(expected)),
                None => return Err(self.eof()),
            }
        }
        Ok(value)
    }

    /// A number token is the whole run of characters that could belong to one (so `1.2.3`,
    /// `0x1F` or `-Infinity` is one bad token); it is kept as written even when malformed.
    fn number(&mut self) -> Value {
        let start = self.pos;
        self.pos +=
            self.run_len(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'-' | b'_'));
        let token = self.text.get(start..self.pos).unwrap_or_default();
        match number_shape(token.as_bytes()) {
            Some(false) => {}
            Some(true) => self.error(JsonErrorKind::LeadingZero, Span::new(start, self.pos)),
            None => self.error(JsonErrorKind::InvalidNumber, Span::new(start, self.pos)),
        }
        Value::Number(token.into())
    }

    /// Reads a string whose opening `quote` is at `pos`; returns its decoded content.
    fn string(&mut self, quote: u8) -> Step<String> {
        let content = self.pos + 1;
        let stop = find_special(self.bytes, content, quote);
        if self.bytes.get(stop) == Some(&quote) {
            // Fast path: no escapes, no control characters.
            self.pos = stop + 1;
            return Ok(self.text.get(content..stop).unwrap_or_default().to_owned());
        }
        let mut out = String::with_capacity(stop - content + 16);
        let mut segment = content;
        let mut i = stop;
        loop {
            match self.bytes.get(i) {
                None => {
                    self.pos = i;
                    return Err(self.eof());
                }
                Some(&b) if b == quote => {
                    out.push_str(self.text.get(segment..i).unwrap_or_default());
                    self.pos = i + 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    out.push_str(self.text.get(segment..i).unwrap_or_default());
                    i = self.escape(i, quote, &mut out)?;
                    segment = i;
                }
                Some(&b) => {
                    // A raw control character: reported, but kept in the value.
                    if b < 0x20 {
                        self.error(JsonErrorKind::ControlCharacter, Span::new(i, i + 1));
                    }
                    i += 1;
                }
            }
            i = find_special(self.bytes, i, quote);
        }
    }

    /// Decodes the escape whose backslash is at `at` into `out`; returns where the text goes on.
    fn escape(&mut self, at: usize, quote: u8, out: &mut String) -> Step<usize> {
        let c = match self.bytes.get(at + 1) {
            None => {
                self.pos = at + 1;
                return Err(self.eof());
            }
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'\'') if quote == b'\'' => '\'',
            Some(b'u') => return self.unicode_escape(at, out),
            Some(_) => {
                let len = self
                    .text
                    .get(at + 1..)
                    .and_then(|s| s.chars().next())
                    .map_or(1, char::len_utf8);
                self.error(JsonErrorKind::InvalidEscape, Span::new(at, at + 1 + len));
                out.push(char::REPLACEMENT_CHARACTER);
                return Ok(at + 1 + len);
            }
        };
        out.push(c);
        Ok(at + 2)
    }

    /// `\uXXXX` at `at`, joined with a following low-surrogate escape when it is a high one.
    fn unicode_escape(&mut self, at: usize, out: &mut String) -> Step<usize> {
        let unit = match hex4(self.bytes, at + 2) {
            Ok(u) => u,
            Err(bad) if bad >= self.bytes.len() => {
                self.pos = self.bytes.len();
                return Err(self.eof());
            }
            Err(bad) => {
                self.error(JsonErrorKind::InvalidEscape, Span::new(at, bad));
                out.push(char::REPLACEMENT_CHARACTER);
                return Ok(bad);
            }
        };
        let mut end = at + 6;
        let c = match unit {
            0xD800..=0xDBFF => {
                let low = match (self.bytes.get(end..end + 2), hex4(self.bytes, end + 2)) {
                    (Some(b"\\u"), Ok(low @ 0xDC00..=0xDFFF)) => Some(low),
                    _ => None,
                };
                low.and_then(|low| {
                    end += 6;
                    char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
                })
            }
            _ => char::from_u32(unit),
        };
        match c {
            Some(c) => out.push(c),
            None => {
                self.error(JsonErrorKind::LoneSurrogate, Span::new(at, end));
                out.push(char::REPLACEMENT_CHARACTER);
            }
        }
        Ok(end)
    }

    /// Skips whitespace and comments (recording each comment).
    #[inline]
    fn skip_ws(&mut self) {
        // Called before and after every token, mostly with nothing to skip: decide that inline.
        // Whitespace is below `!`, and `/` may start a comment.
        if self.peek().is_some_and(|b| b > b' ' && b != b'/') {
            return;
        }
        self.skip_ws_and_comments();
    }

    fn skip_ws_and_comments(&mut self) {
        loop {
            let rest = self.bytes.get(self.pos..).unwrap_or_default();
            self.pos += rest.iter().position(|&b| !is_ws(b)).unwrap_or(rest.len());
            match self.peek() {
                Some(b'/') => {
                    let start = self.pos;
                    let rest = self.bytes.get(start + 2..).unwrap_or_default();
                    let end = match self.bytes.get(start + 1) {
                        Some(b'/') => {
                            let eol = rest
                                .iter()
                                .position(|&b| b == b'\n')
                                .map_or(self.bytes.len(), |i| start + 2 + i);
                            self.pos = eol;
                            // The span stops before a CRLF's `\r`.
                            if eol > start + 2 && self.bytes.get(eol - 1) == Some(&b'\r') {
                                eol - 1
                            } else {
                                eol
                            }
                        }
                        Some(b'*') => {
                            self.pos = rest
                                .windows(2)
                                .position(|w| w == b"*/")
                                .map_or(self.bytes.len(), |i| start + 4 + i);
                            self.pos
                        }
                        _ => return,
                    };
                    self.error(JsonErrorKind::Comment, Span::new(start, end));
                }
                _ => return,
            }
        }
    }

    /// Steps over the too-deep container at `pos` without building it: bracket counting that
    /// skips strings, linear and stack-free whatever the depth.
    fn skip_nested(&mut self) {
        let mut depth = 0usize;
        while let Some(&b) = self.bytes.get(self.pos) {
            self.pos += 1;
            match b {
                b'[' | b'{' => depth += 1,
                b']' | b'}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return;
                    }
                }
                b'"' => loop {
                    self.pos = find_special(self.bytes, self.pos, b'"');
                    match self.bytes.get(self.pos) {
                        None => break,
                        Some(b'"') => {
                            self.pos += 1;
                            break;
                        }
                        Some(b'\\') => self.pos += 2,
                        Some(_) => self.pos += 1,
                    }
                },
                _ => {}
            }
        }
        self.pos = self.pos.min(self.bytes.len());
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn at(&self, word: &[u8]) -> bool {
        self.bytes
            .get(self.pos..)
            .is_some_and(|rest| rest.starts_with(word))
    }

    fn run_len(&self, pred: impl Fn(u8) -> bool) -> usize {
        let rest = self.bytes.get(self.pos..).unwrap_or_default();
        rest.iter().position(|&b| !pred(b)).unwrap_or(rest.len())
    }

    /// Records an error, keeping `errors` sorted by start: a trailing comma is only known to be
    /// one after the comments that follow it were recorded.
    fn error(&mut self, kind: JsonErrorKind, span: Span) {
        let at = match self.errors.last() {
            Some(last) if last.span.start > span.start => {
                self.errors.partition_point(|e| e.span.start <= span.start)
            }
            _ => self.errors.len(),
        };
        self.errors.insert(at, JsonError { kind, span });
    }

    fn eof(&mut self) -> Fatal {
        let end = self.bytes.len();
        self.error(JsonErrorKind::UnexpectedEof, Span::new(end, end));
        Fatal
    }

    /// Records the character at `pos` as unexpected (the parse may go on).
    fn unexpected_char(&mut self, expected: &'static str) {
        let found = self
            .text
            .get(self.pos..)
            .and_then(|s| s.chars().next())
            .unwrap_or(char::REPLACEMENT_CHARACTER);
        let span = Span::new(self.pos, self.pos + found.len_utf8());
        self.error(JsonErrorKind::UnexpectedChar { found, expected }, span);
    }

    /// Records the character at `pos` (or the end of input) as the reason the parse stops.
    fn unexpected(&mut self, expected: &'static str) -> Fatal {
        if self.pos >= self.bytes.len() {
            return self.eof();
        }
        self.unexpected_char(expected);
        Fatal
    }
}

/// An object being built, with what is needed to spot duplicate keys.
struct ObjectFrame {
    start: usize,
    /// Where this object's members start on the scratch stack.
    base: usize,
    /// The key whose value is being parsed.
    pending: Option<(String, Span)>,
    /// For big objects: the first member with each key, and with each ASCII-lowercased key.
    index: Option<KeyIndex>,
}

impl ObjectFrame {
    fn new(start: usize, base: usize) -> Self {
        ObjectFrame {
            start,
            base,
            pending: None,
            index: None,
        }
    }

    fn finish_member(&mut self, members: &mut Vec<Member>, value: Node) {
        if let Some((key, key_span)) = self.pending.take() {
            members.push(Member {
                key,
                key_span,
                value,
            });
        }
    }

    /// Registers the next member's key, reporting it if an earlier key equals it (preferring an
    /// exact match over a case-only one).
    fn add_key(
        &mut self,
        members: &[Member],
        key: String,
        span: Span,
        duplicates: &mut Vec<DuplicateKey>,
    ) {
        let members = members.get(self.base..).unwrap_or_default();
        if let Some((first, exact)) = self.earlier(members, &key) {
            duplicates.push(DuplicateKey {
                key: key.clone(),
                first,
                second: span,
                exact,
            });
        }
        self.pending = Some((key, span));
    }

    /// The earlier member (of `members`, this object's so far) whose key equals `key`.
    fn earlier(&mut self, members: &[Member], key: &str) -> Option<(Span, bool)> {
        if members.len() < LINEAR_KEYS {
            let mut caseless = None;
            for m in members {
                if m.key == key {
                    return Some((m.key_span, true));
                }
                if caseless.is_none() && m.key.eq_ignore_ascii_case(key) {
                    caseless = Some((m.key_span, false));
                }
            }
            return caseless;
        }
        let index = self.index.get_or_insert_with(|| {
            let mut index = KeyIndex::default();
            for (i, m) in members.iter().enumerate() {
                index.add(members, &m.key, i);
            }
            index
        });
        index.add(members, key, members.len())
    }
}

/// The keys of a big object: two maps, so each key costs one lookup in each however many
/// keys differ from it only in case.
#[derive(Default)]
struct KeyIndex {
    exact: HashMap<String, usize>,
    folded: HashMap<String, usize>,
}

impl KeyIndex {
    /// Adds `key` (the key of member `i`); returns the earlier member it duplicates, an exact
    /// match first.
    fn add(&mut self, members: &[Member], key: &str, i: usize) -> Option<(Span, bool)> {
        let span_of = |j: usize| members.get(j).map(|m| m.key_span);
        if let Some(&j) = self.exact.get(key) {
            return span_of(j).map(|s| (s, true));
        }
        self.exact.insert(key.to_string(), i);
        let folded = key.to_ascii_lowercase();
        match self.folded.get(&folded) {
            Some(&j) => span_of(j).map(|s| (s, false)),
            None => {
                self.folded.insert(folded, i);
                None
            }
        }
    }
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t')
}

/// Whether `b` can begin a value, so a missing `,` or `:` before it can be assumed.
fn starts_value(b: u8) -> bool {
    matches!(
        b,
        b'"' | b'\'' | b'[' | b'{' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n'
    )
}

/// `Some(leading_zero)` when `token` matches the RFC 8259 number grammar, allowing extra
/// leading zeros (reported separately); `None` otherwise.
fn number_shape(token: &[u8]) -> Option<bool> {
    let digits = |from: usize| {
        token
            .get(from..)
            .map_or(0, |t| t.iter().take_while(|b| b.is_ascii_digit()).count())
    };
    let mut i = usize::from(token.first() == Some(&b'-'));
    let int = digits(i);
    if int == 0 {
        return None;
    }
    let leading_zero = int > 1 && token.get(i) == Some(&b'0');
    i += int;
    if token.get(i) == Some(&b'.') {
        let frac = digits(i + 1);
        if frac == 0 {
            return None;
        }
        i += 1 + frac;
    }
    if matches!(token.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(token.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp = digits(i);
        if exp == 0 {
            return None;
        }
        i += exp;
    }
    (i == token.len()).then_some(leading_zero)
}

/// The four hex digits at `at` as a code unit, or the index of the first one that is not hex.
fn hex4(bytes: &[u8], at: usize) -> Result<u32, usize> {
    let mut unit = 0;
    for i in at..at + 4 {
        let digit = bytes
            .get(i)
            .and_then(|&b| char::from(b).to_digit(16))
            .ok_or(i)?;
        unit = unit * 16 + digit;
    }
    Ok(unit)
}

/// Index of the first byte at or after `from` that ends a plain string run: `quote`, `\` or a
/// control character (`bytes.len()` if none). Works on 8 bytes at a time (SWAR): a byte equal to
/// `n` shows as a zero byte of `word ^ n`, and `(x - 0x01..) & !x & 0x80..` flags zero bytes
/// exactly up to the first one, which is all we need.
fn find_special(bytes: &[u8], from: usize, quote: u8) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let quotes = ONES * u64::from(quote);
    let backslashes = ONES * u64::from(b'\\');
    let first_hit = |chunk: [u8; 8]| {
        let w = u64::from_le_bytes(chunk);
        let q = w ^ quotes;
        let s = w ^ backslashes;
        let hits = (q.wrapping_sub(ONES) & !q)
            | (s.wrapping_sub(ONES) & !s)
            | (w.wrapping_sub(ONES * 0x20) & !w);
        let hits = hits & HIGH;
        (hits != 0).then_some((hits.trailing_zeros() / 8) as usize)
    };
    let rest = bytes.get(from..).unwrap_or_default();
    let mut chunks = rest.chunks_exact(8);
    let mut i = from;
    for chunk in &mut chunks {
        if let Some(hit) = <[u8; 8]>::try_from(chunk).ok().and_then(first_hit) {
            return i + hit;
        }
        i += 8;
    }
    // The tail, padded with a byte that is never special.
    let tail = chunks.remainder();
    let mut padded = [b'a'; 8];
    if let Some(head) = padded.get_mut(..tail.len()) {
        head.copy_from_slice(tail);
    }
    i + first_hit(padded).unwrap_or(tail.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn number_grammar() {
        for ok in ["0", "-0", "10", "0.5", "-1.25e-3", "1E+9", "9e0"] {
            assert_eq!(number_shape(ok.as_bytes()), Some(false), "{ok}");
        }
        for zero in ["00", "01", "-01", "00.5", "012e3"] {
            assert_eq!(number_shape(zero.as_bytes()), Some(true), "{zero}");
        }
        for bad in [
            "", "-", "1.", ".1", "+1", "1e", "1e+", "1.e1", "01.", "1x", "--1", "1.2.3",
        ] {
            assert_eq!(number_shape(bad.as_bytes()), None, "{bad}");
        }
    }

    proptest! {
        #[test]
        fn find_special_matches_a_plain_scan(
            bytes in prop::collection::vec(
                prop_oneof![any::<u8>(), prop::sample::select(vec![b'"', b'\\', b'\'', 0x1f, 0x20, 0x7f, 0x80, 0xff])],
                0..40,
            ),
            from in 0..45usize,
            single in any::<bool>(),
        ) {
            let quote = if single { b'\'' } else { b'"' };
            let special = |i: &usize| bytes.get(*i).is_some_and(|&b| b == quote || b == b'\\' || b < 0x20);
            let naive = (from..bytes.len()).find(special).unwrap_or(bytes.len().max(from));
            prop_assert_eq!(find_special(&bytes, from, quote), naive);
        }
    }
}
