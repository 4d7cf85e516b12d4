//! The `*` and `?` wildcard matcher of actions, resources and `StringLike`.
//!
//! `*` matches any run of characters (including none, `:` and `/`), `?` exactly one character.
//! Patterns are compiled once into the shape they have (exact, prefix, suffix, general glob),
//! so the common cases cost one comparison per request.

/// The shape of a wildcard pattern: which cheap test decides it. Callers that keep pattern
/// texts in their own storage (the evaluator keeps them in one arena) store the shape beside the
/// text and call [`Shape::matches`]; [`Pattern`] owns its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Shape {
    /// Only `*`s: everything.
    Any,
    /// No wildcard.
    Exact,
    /// `abc*`
    Prefix,
    /// `*abc`
    Suffix,
    /// Several `*` and no `?`: `acs:ecs:*:123:instance/*`.
    Segments,
    /// Anything with `?`.
    Glob,
}

impl Shape {
    pub fn of(pattern: &str) -> Shape {
        let wild = |c: char| c == '*' || c == '?';
        match pattern.find(wild) {
            None => Shape::Exact,
            Some(_) if pattern.chars().all(|c| c == '*') => Shape::Any,
            Some(_) if pattern.contains('?') => Shape::Glob,
            Some(i) if i + 1 == pattern.len() => Shape::Prefix,
            Some(0) if !pattern.get(1..).unwrap_or_default().contains('*') => Shape::Suffix,
            Some(_) => Shape::Segments,
        }
    }

    /// Whether `text` matches `pattern`, whose shape this is (`Shape::of(pattern)`).
    #[inline]
    pub fn matches(self, pattern: &str, text: &str) -> bool {
        match self {
            Shape::Any => true,
            Shape::Exact => pattern == text,
            Shape::Prefix => text.starts_with(
                pattern
                    .get(..pattern.len().saturating_sub(1))
                    .unwrap_or_default(),
            ),
            Shape::Suffix => text.ends_with(pattern.get(1..).unwrap_or_default()),
            Shape::Segments => segments_match(pattern, text),
            Shape::Glob => glob_match(pattern, text),
        }
    }
}

/// A compiled wildcard pattern. Case folding, where wanted, is done by the caller on both sides
/// (actions are lowercased once at compile time and once per request).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pattern {
    /// `*`: everything.
    Any,
    Exact(Box<str>),
    /// `abc*`
    Prefix(Box<str>),
    /// `*abc`
    Suffix(Box<str>),
    /// `*` wildcards only (no `?`), not of the shapes above; the whole pattern.
    Segments(Box<str>),
    /// Anything with `?`; the whole pattern.
    Glob(Box<str>),
}

impl Pattern {
    pub fn new(pattern: &str) -> Pattern {
        match Shape::of(pattern) {
            Shape::Any => Pattern::Any,
            Shape::Exact => Pattern::Exact(pattern.into()),
            Shape::Prefix => Pattern::Prefix(
                pattern
                    .get(..pattern.len().saturating_sub(1))
                    .unwrap_or_default()
                    .into(),
            ),
            Shape::Suffix => Pattern::Suffix(pattern.get(1..).unwrap_or_default().into()),
            Shape::Segments => Pattern::Segments(pattern.into()),
            Shape::Glob => Pattern::Glob(pattern.into()),
        }
    }

    pub fn matches(&self, text: &str) -> bool {
        match self {
            Pattern::Any => true,
            Pattern::Exact(p) => **p == *text,
            Pattern::Prefix(p) => text.starts_with(&**p),
            Pattern::Suffix(p) => text.ends_with(&**p),
            Pattern::Segments(p) => segments_match(p, text),
            Pattern::Glob(p) => glob_match(p, text),
        }
    }

    /// The literal text before the first wildcard (the whole pattern when it has none).
    pub fn literal_prefix(&self) -> &str {
        match self {
            Pattern::Any | Pattern::Suffix(_) => "",
            Pattern::Exact(p) | Pattern::Prefix(p) => p,
            Pattern::Segments(p) | Pattern::Glob(p) => {
                p.split(['*', '?']).next().unwrap_or_default()
            }
        }
    }
}

/// A `*`-only pattern (at least one `*`): the pieces before the first and after the last star
/// are anchored, each piece between is taken at its leftmost place, which for `*`-only
/// patterns never loses a match.
fn segments_match(pattern: &str, text: &str) -> bool {
    // Bytes throughout: `*` is ASCII, so splitting at it keeps pieces on character boundaries.
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (Some(head), Some(tail)) = (
        p.iter().position(|&b| b == b'*'),
        p.iter().rposition(|&b| b == b'*'),
    ) else {
        return p == t;
    };
    let (first, last) = (
        p.get(..head).unwrap_or_default(),
        p.get(tail + 1..).unwrap_or_default(),
    );
    if t.len() < first.len() + last.len() || !t.starts_with(first) || !t.ends_with(last) {
        return false;
    }
    let mut window = t.get(first.len()..t.len() - last.len()).unwrap_or_default();
    for piece in p
        .get(head + 1..tail)
        .unwrap_or_default()
        .split(|&b| b == b'*')
    {
        if piece.is_empty() {
            continue;
        }
        match find(window, piece) {
            Some(at) => window = window.get(at + piece.len()..).unwrap_or_default(),
            None => return false,
        }
    }
    true
}

/// Leftmost occurrence of `needle` in `hay`: a scan for the needle's last byte, then a
/// comparison of the rest. The pieces are short, where this beats a two-way searcher's set-up;
/// anchoring on the last byte (`/` in `:123:instance/`) skips the many `:` of an ARN. A match
/// found this way starts on a character boundary (a UTF-8 lead byte never equals a
/// continuation byte).
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let (&last, init) = needle.split_last()?;
    let mut end = init.len();
    while let Some(i) = hay.get(end..)?.iter().position(|&b| b == last) {
        let at = end + i;
        let start = at - init.len();
        if hay.get(start..at) == Some(init) {
            return Some(start);
        }
        end = at + 1;
    }
    None
}

/// Whether `text` matches the wildcard `pattern` (case-sensitive).
///
/// The classic greedy algorithm with one backtrack point: linear in practice, never exponential.
/// It walks bytes, so it never allocates; `?` and the backtrack step move by whole characters,
/// which keeps both positions on character boundaries (UTF-8 is self-synchronising, so a literal
/// byte-for-byte match of pattern characters consumes whole text characters).
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0, 0);
    // Position of the last `*` in the pattern and the text position it is tried at.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some(b'*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(b'?') => {
                pi += 1;
                ti += char_width(t, ti);
            }
            Some(&c) if Some(&c) == t.get(ti) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    let next = st + char_width(t, st);
                    pi = sp + 1;
                    ti = next;
                    star = Some((sp, next));
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|&c| c == b'*'))
}

/// Width in bytes of the UTF-8 character starting at `i` (1 past the end).
fn char_width(t: &[u8], i: usize) -> usize {
    match t.get(i) {
        Some(&b) if b >= 0xF0 => 4,
        Some(&b) if b >= 0xE0 => 3,
        Some(&b) if b >= 0xC0 => 2,
        _ => 1,
    }
}

/// A piece of a text some of whose parts are not known (an ARN rendered from a template with a
/// missing parameter).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    Literal(&'a str),
    /// Any string at all, including the empty string and strings holding `:`, `/` or `*`.
    Hole,
    /// Any string without `:` (an unknown region or account: ARN fields before the relative ID
    /// never hold a colon).
    Field,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tok {
    Char(char),
    /// `colon`: the hole may produce `:`.
    Hole {
        colon: bool,
    },
}

fn tokens(pieces: &[Piece<'_>]) -> Vec<Tok> {
    let mut out = Vec::new();
    for piece in pieces {
        match piece {
            Piece::Literal(s) => out.extend(s.chars().map(Tok::Char)),
            Piece::Hole => out.push(Tok::Hole { colon: true }),
            Piece::Field => out.push(Tok::Hole { colon: false }),
        }
    }
    out
}

/// Reachability over the product of pattern positions and text positions. `step` lists the
/// successors of a state; the answer is whether `(pattern end, text end)` is reachable.
/// O(|pattern| * |text|) time and space: these texts are ARNs, and this is not the hot path.
fn reachable(np: usize, nt: usize, step: impl Fn(usize, usize, &mut Vec<(usize, usize)>)) -> bool {
    let width = nt + 1;
    let mut seen = vec![false; (np + 1) * width];
    let mut stack = vec![(0usize, 0usize)];
    let mut next = Vec::new();
    while let Some((i, j)) = stack.pop() {
        let Some(slot) = seen.get_mut(i * width + j) else {
            continue;
        };
        if *slot {
            continue;
        }
        *slot = true;
        if i == np && j == nt {
            return true;
        }
        next.clear();
        step(i, j, &mut next);
        stack.extend(next.iter().copied().filter(|&(a, b)| a <= np && b <= nt));
    }
    false
}

/// Whether `pattern` matches the text for **every** way of filling its holes.
///
/// Decided symbolically: each hole must be swallowed whole by one `*` of the pattern, which then
/// absorbs whatever the hole turns out to be. That is sound (a `true` holds for every filling)
/// and exact for the way ARN patterns are written (`acs:dbs:*:*:backupplan/*`, holes facing `*`
/// runs or literals that the empty filling already breaks). It answers `false` although every
/// filling matches only when the alignment of a `?` or a literal would have to depend on the
/// filling, e.g. pattern `?*` against `<hole>x` (every filling is at least one character long).
pub fn glob_covers(pattern: &str, text: &[Piece<'_>]) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t = tokens(text);
    reachable(p.len(), t.len(), |i, j, out| match (p.get(i), t.get(j)) {
        (Some('*'), tok) => {
            out.push((i + 1, j));
            if tok.is_some() {
                out.push((i, j + 1));
            }
        }
        (Some('?'), Some(Tok::Char(_))) => out.push((i + 1, j + 1)),
        (Some(&c), Some(&Tok::Char(d))) if c == d => out.push((i + 1, j + 1)),
        _ => {}
    })
}

/// Whether `pattern` matches the text for **some** way of filling its holes. Exact: this is the
/// non-emptiness of the intersection of two wildcard languages, walked as a product automaton.
pub fn glob_overlaps(pattern: &str, text: &[Piece<'_>]) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t = tokens(text);
    reachable(p.len(), t.len(), |i, j, out| {
        let (pc, tok) = (p.get(i).copied(), t.get(j).copied());
        // A hole may end here (it has produced all its characters, perhaps none).
        if matches!(tok, Some(Tok::Hole { .. })) {
            out.push((i, j + 1));
        }
        match (pc, tok) {
            // A star may end here; or it eats the next text character. Against a hole, the star
            // and the hole absorb each other until one of them ends (the two moves above).
            (Some('*'), Some(Tok::Char(_))) => out.extend([(i + 1, j), (i, j + 1)]),
            (Some('*'), _) => out.push((i + 1, j)),
            // The hole produces the one character the pattern asks for, and may go on.
            (Some(c), Some(Tok::Hole { colon })) if colon || c != ':' => out.push((i + 1, j)),
            (Some('?'), Some(Tok::Char(_))) => out.push((i + 1, j + 1)),
            (Some(c), Some(Tok::Char(d))) if c == d => out.push((i + 1, j + 1)),
            _ => {}
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert_eq!(Pattern::new("*"), Pattern::Any);
        assert_eq!(Pattern::new("**"), Pattern::Any);
        assert_eq!(
            Pattern::new("dbs:Describe*"),
            Pattern::Prefix("dbs:Describe".into())
        );
        assert_eq!(
            Pattern::new("*:Describe"),
            Pattern::Suffix(":Describe".into())
        );
        assert_eq!(Pattern::new("a?c"), Pattern::Glob("a?c".into()));
        assert_eq!(Pattern::new("abc"), Pattern::Exact("abc".into()));
    }

    #[test]
    fn matching() {
        let m = |p: &str, t: &str| Pattern::new(p).matches(t);
        assert!(m("dbs:Describe*", "dbs:DescribeRegions"));
        assert!(m("*:Describe*", "dbs:DescribeRegions"));
        assert!(!m("pai:*", "paidataset:GetX"));
        assert!(m(
            "acs:oss:*:*:mybucket/*",
            "acs:oss:cn-hangzhou:1:mybucket/a/b/c"
        ));
        assert!(m(
            "acs:*:*cn-beijing*:*:*",
            "acs:ecs:cn-beijing:1:instance/i"
        ));
        assert!(m("a?c", "abc"));
        assert!(!m("a?c", "ac"));
        assert!(m("a?c", "aéc"));
        assert!(m("*a*b*c*", "xxaxxbxxcxx"));
        assert!(!m("*a*b*c", "xxaxxbxxcxx"));
        assert!(m("", ""));
        assert!(!m("", "a"));
        assert!(m("*", ""));
    }

    #[test]
    fn non_ascii_text_without_allocation() {
        assert!(glob_match("a?c", "aéc"));
        assert!(glob_match("*é", "xxé"));
        assert!(!glob_match("a?c", "aééc"));
        assert!(glob_match("a??c", "aééc"));
        assert!(glob_match("*€*", "x€y"));
        assert!(glob_match("?", "€"));
        assert!(!glob_match("??", "€"));
    }

    #[test]
    fn partial_texts() {
        use Piece::{Hole, Literal as L};
        let arn = [L("acs:dbs:cn-hangzhou:"), Hole, L(":backupplan/"), Hole];
        assert!(glob_covers("acs:dbs:*:*:backupplan/*", &arn));
        assert!(glob_covers("*", &arn));
        assert!(!glob_covers("acs:dbs:*:*:backupplan/dbs1", &arn));
        assert!(glob_overlaps("acs:dbs:*:*:backupplan/dbs1", &arn));
        assert!(!glob_overlaps("acs:rds:*:*:*", &arn));
        assert!(!glob_covers("acs:rds:*:*:*", &arn));
        // A hole may be empty: `?*` is not covered by a lone hole, but overlaps it.
        assert!(!glob_covers("?*", &[Hole]));
        assert!(glob_overlaps("?*", &[Hole]));
        // Without holes both agree with glob_match.
        assert!(glob_covers("a*c", &[L("abc")]));
        assert!(glob_overlaps("a*c", &[L("abc")]));
        assert!(!glob_overlaps("a*d", &[L("abc")]));
        // A hole can hold anything, including the separators.
        assert!(glob_overlaps(
            "acs:dbs:*:1:backupplan/x",
            &[L("acs:dbs:"), Hole, L(":backupplan/x")]
        ));
        assert!(glob_overlaps("ab", &[L("a"), Hole, L("b")]));
        assert!(glob_covers("a*b", &[L("a"), Hole, L("b")]));
        assert!(!glob_covers("a?b", &[L("a"), Hole, L("b")]));
        assert!(glob_overlaps("a?b", &[L("a"), Hole, L("b")]));
        // An unknown account cannot smuggle in the colon a pattern needs.
        let acct = [L("acs:oss:cn-hangzhou:"), Piece::Field, L(":otherbucket/x")];
        assert!(!glob_overlaps("acs:oss:*:*:mybucket/*", &acct));
        let any = [L("acs:oss:cn-hangzhou:"), Hole, L(":otherbucket/x")];
        assert!(glob_overlaps("acs:oss:*:*:mybucket/*", &any));
        assert!(glob_overlaps("a?b", &[L("a"), Piece::Field, L("b")]));
        assert!(!glob_overlaps("a:b", &[L("a"), Piece::Field, L("b")]));
    }
}
