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

/// The symbols of a partly known text: a hole is `*`, a field a run without `:`.
fn piece_symbols(pieces: &[Piece<'_>]) -> Vec<Sym> {
    let mut out = Vec::new();
    for piece in pieces {
        match piece {
            Piece::Literal(s) => out.extend(s.chars().map(Sym::Char)),
            Piece::Hole => out.push(Sym::Any),
            Piece::Field => out.push(Sym::Field),
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
    let p = symbols(pattern);
    let t = piece_symbols(text);
    reachable(p.len(), t.len(), |i, j, out| match (p.get(i), t.get(j)) {
        (Some(Sym::Any), tok) => {
            out.push((i + 1, j));
            if tok.is_some() {
                out.push((i, j + 1));
            }
        }
        (Some(Sym::One), Some(Sym::Char(_))) => out.push((i + 1, j + 1)),
        (Some(Sym::Char(c)), Some(Sym::Char(d))) if c == d => out.push((i + 1, j + 1)),
        _ => {}
    })
}

/// Whether `pattern` matches the text for **some** way of filling its holes. Exact: the
/// intersection of the pattern's language with the text's (a hole is `*`, a field a run
/// without `:`), decided by [`symbols_intersect`] (which says `true` past [`MAX_PRODUCT`]
/// states, far beyond any ARN: the evaluator then answers unknown, never a wrong `false`).
pub fn glob_overlaps(pattern: &str, text: &[Piece<'_>]) -> bool {
    symbols_intersect(&symbols(pattern), &piece_symbols(text))
}

/// [`glob_match`] ignoring ASCII case, as actions are matched (SEMANTICS.md section 2).
pub fn glob_match_ignore_ascii_case(pattern: &str, text: &str) -> bool {
    if pattern.is_ascii() && text.is_ascii() {
        glob_units(pattern.as_bytes(), text.as_bytes(), |p, t| {
            p == b'?' || p.eq_ignore_ascii_case(&t)
        })
    } else {
        let p: Vec<char> = pattern.chars().collect();
        let t: Vec<char> = text.chars().collect();
        glob_units(&p, &t, |p, t| p == '?' || p.eq_ignore_ascii_case(&t))
    }
}

/// Whether every string that `specific` matches is also matched by `general` (both wildcard
/// patterns, case-sensitive, as resources are compared).
///
/// Exact when `specific` has no wildcards (it is then [`glob_match`]). With wildcards it is
/// sound but not complete: `specific` is read as text in which its `*` (any run) can only be
/// absorbed by a `*` of `general`, and its `?` (any one character) by a `?` or a `*`. So a
/// `true` is always right, while a few equivalent spellings are missed (`*?` does not cover
/// `?*` here, although both mean "one or more characters"). The linter only reports on a
/// `true`, so a miss costs a finding, never a false one.
pub fn pattern_covers(general: &str, specific: &str) -> bool {
    covers_by(general, specific, |g, s| g == s, |g, s| g == s)
}

/// [`pattern_covers`] ignoring ASCII case, for actions.
pub fn pattern_covers_ignore_ascii_case(general: &str, specific: &str) -> bool {
    covers_by(
        general,
        specific,
        |g: u8, s: u8| g.eq_ignore_ascii_case(&s),
        |g: char, s: char| g.eq_ignore_ascii_case(&s),
    )
}

fn covers_by(
    general: &str,
    specific: &str,
    eq_byte: impl Fn(u8, u8) -> bool,
    eq_char: impl Fn(char, char) -> bool,
) -> bool {
    // A literal of `general` absorbs only the same literal; `?` absorbs one literal or `?`.
    if general.is_ascii() && specific.is_ascii() {
        glob_units(general.as_bytes(), specific.as_bytes(), |g, s| {
            if g == b'?' {
                s != b'*'
            } else {
                s != b'*' && s != b'?' && eq_byte(g, s)
            }
        })
    } else {
        let g: Vec<char> = general.chars().collect();
        let s: Vec<char> = specific.chars().collect();
        glob_units(&g, &s, |g, s| {
            if g == '?' {
                s != '*'
            } else {
                s != '*' && s != '?' && eq_char(g, s)
            }
        })
    }
}

trait Unit: Copy + PartialEq {
    const STAR: Self;
}
impl Unit for u8 {
    const STAR: u8 = b'*';
}
impl Unit for char {
    const STAR: char = '*';
}

/// Greedy glob matching where `*` in `p` absorbs any run of `t` and every other unit of `p`
/// absorbs one unit of `t` when `unit(p, t)`. Remembering only the last `*` is enough for
/// any per-unit predicate: the pieces between stars have fixed length, and matching each at
/// its leftmost place never loses a match.
fn glob_units<T: Unit>(p: &[T], t: &[T], unit: impl Fn(T, T) -> bool) -> bool {
    let (mut pi, mut ti) = (0, 0);
    // Position of the last `*` in the pattern and the text position it is tried at.
    let mut star: Option<(usize, usize)> = None;
    while let Some(&tc) = t.get(ti) {
        match p.get(pi) {
            Some(&c) if c == T::STAR => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if unit(c, tc) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|&c| c == T::STAR))
}

/// `*`, `**`, ...: the pattern matches everything.
pub fn is_all_stars(pattern: &str) -> bool {
    !pattern.is_empty() && pattern.bytes().all(|c| c == b'*')
}

/// One position of a pattern-like language, for [`symbols_intersect`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sym {
    /// Exactly this character.
    Char(char),
    /// `?`: any one character.
    One,
    /// `*`: any run of characters, including none.
    Any,
    /// A run, possibly empty, of characters other than `:` and `/`: one field or path segment
    /// of an ARN, such as a template variable (`{#BackupPlanId}`).
    Segment,
    /// A run, possibly empty, of characters other than `:`: an unknown region or account.
    Field,
}

/// The symbols of a policy wildcard pattern.
pub fn symbols(pattern: &str) -> Vec<Sym> {
    pattern
        .chars()
        .map(|c| match c {
            '*' => Sym::Any,
            '?' => Sym::One,
            c => Sym::Char(c),
        })
        .collect()
}

/// What one character consumed at a token may be.
#[derive(Clone, Copy)]
enum Class {
    Exactly(char),
    Anything,
    NotSeparator,
    NotColon,
}

fn is_separator(c: char) -> bool {
    c == ':' || c == '/'
}

impl Sym {
    /// The characters the token consumes, and whether it may repeat.
    fn step(self) -> (Class, bool) {
        match self {
            Sym::Char(c) => (Class::Exactly(c), false),
            Sym::One => (Class::Anything, false),
            Sym::Any => (Class::Anything, true),
            Sym::Segment => (Class::NotSeparator, true),
            Sym::Field => (Class::NotColon, true),
        }
    }
}

fn classes_meet(a: Class, b: Class) -> bool {
    match (a, b) {
        (Class::Exactly(x), Class::Exactly(y)) => x == y,
        (Class::Exactly(c), Class::NotSeparator) | (Class::NotSeparator, Class::Exactly(c)) => {
            !is_separator(c)
        }
        (Class::Exactly(c), Class::NotColon) | (Class::NotColon, Class::Exactly(c)) => c != ':',
        // Every other pair shares some letter.
        _ => true,
    }
}

/// Most product states [`symbols_intersect`] explores (1 MiB of flags).
pub const MAX_PRODUCT: usize = 1 << 20;

/// Whether some string belongs to both token languages: exact (a search of the product
/// automaton over the positions of both, visiting each pair at most once, so at worst
/// `(a.len() + 1) * (b.len() + 1)` steps and usually only the diagonal).
///
/// Beyond [`MAX_PRODUCT`] states (values far longer than any ARN) it answers `true` without
/// looking: callers only conclude something from a `false`, so they stay sound.
pub fn symbols_intersect(a: &[Sym], b: &[Sym]) -> bool {
    let width = b.len() + 1;
    let Some(states) = (a.len() + 1)
        .checked_mul(width)
        .filter(|&n| n <= MAX_PRODUCT)
    else {
        return true;
    };
    let mut seen = vec![false; states];
    let mut stack = vec![(0usize, 0usize)];
    while let Some((i, j)) = stack.pop() {
        let Some(slot) = seen.get_mut(i * width + j) else {
            continue;
        };
        if *slot {
            continue;
        }
        *slot = true;
        let (ta, tb) = (a.get(i).map(|t| t.step()), b.get(j).map(|t| t.step()));
        match (ta, tb) {
            (None, None) => return true,
            (Some((ca, la)), Some((cb, lb))) => {
                if la {
                    stack.push((i + 1, j));
                }
                if lb {
                    stack.push((i, j + 1));
                }
                // Both consume one character; a repeating token stays where it is.
                if !(la && lb) && classes_meet(ca, cb) {
                    stack.push((i + usize::from(!la), j + usize::from(!lb)));
                }
            }
            // One side is done: the other must be able to stop, skipping repeating symbols.
            (Some((_, true)), None) => stack.push((i + 1, j)),
            (None, Some((_, true))) => stack.push((i, j + 1)),
            _ => {}
        }
    }
    false
}

/// Whether some string matches both wildcard patterns (case-sensitive).
pub fn patterns_intersect(a: &str, b: &str) -> bool {
    if is_all_stars(a) || is_all_stars(b) {
        return true;
    }
    symbols_intersect(&symbols(a), &symbols(b))
}

/// [`patterns_intersect`] ignoring ASCII case, for actions.
pub fn patterns_intersect_ignore_ascii_case(a: &str, b: &str) -> bool {
    if is_all_stars(a) || is_all_stars(b) {
        return true;
    }
    let lower = |s: &str| {
        s.chars()
            .map(|c| match c {
                '*' => Sym::Any,
                '?' => Sym::One,
                c => Sym::Char(c.to_ascii_lowercase()),
            })
            .collect::<Vec<_>>()
    };
    symbols_intersect(&lower(a), &lower(b))
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

    /// Every string over `alphabet` of length at most `max`.
    fn strings(alphabet: &[char], max: usize) -> Vec<String> {
        let mut out = vec![String::new()];
        let mut layer = vec![String::new()];
        for _ in 0..max {
            let mut next = Vec::new();
            for s in &layer {
                for c in alphabet {
                    next.push(format!("{s}{c}"));
                }
            }
            out.extend(next.iter().cloned());
            layer = next;
        }
        out
    }

    /// Which of `texts` the pattern matches, as a bit set.
    fn bits(pattern: &str, texts: &[String]) -> Vec<u64> {
        let mut out = vec![0u64; texts.len().div_ceil(64)];
        for (k, t) in texts.iter().enumerate() {
            if glob_match(pattern, t) {
                out[k / 64] |= 1 << (k % 64);
            }
        }
        out
    }

    #[test]
    fn intersect_and_covers_agree_with_brute_force() {
        // Two patterns of length <= 4 that intersect have a witness of length <= 8: every
        // character of the shortest witness advances at least one non-repeating token.
        let patterns = strings(&['a', ':', '*', '?'], 4);
        let texts = strings(&['a', 'b', ':'], 8);
        let table: Vec<Vec<u64>> = patterns.iter().map(|p| bits(p, &texts)).collect();
        let mut covered = 0;
        for (i, a) in patterns.iter().enumerate() {
            for (j, b) in patterns.iter().enumerate() {
                let brute_meet = table[i].iter().zip(&table[j]).any(|(x, y)| x & y != 0);
                assert_eq!(
                    patterns_intersect(a, b),
                    brute_meet,
                    "intersect {a:?} {b:?}"
                );
                let brute_covers = table[j].iter().zip(&table[i]).all(|(s, g)| s & !g == 0);
                if pattern_covers(a, b) {
                    covered += 1;
                    assert!(brute_covers, "{a:?} does not cover {b:?}");
                }
                if !b.contains(['*', '?']) {
                    // Exact for literals.
                    assert_eq!(pattern_covers(a, b), glob_match(a, b), "{a:?} {b:?}");
                }
            }
        }
        assert!(covered > 10_000, "{covered}");
    }

    /// A direct reading of a token list, for the oracle.
    fn sym_match(syms: &[Sym], text: &[char]) -> bool {
        match syms.split_first() {
            None => text.is_empty(),
            Some((Sym::Char(c), rest)) => {
                text.first() == Some(c) && sym_match(rest, text.get(1..).unwrap_or_default())
            }
            Some((Sym::One, rest)) => {
                !text.is_empty() && sym_match(rest, text.get(1..).unwrap_or_default())
            }
            Some((Sym::Any, rest)) => (0..=text.len()).any(|k| sym_match(rest, &text[k..])),
            Some((Sym::Segment, rest)) => (0..=text.len())
                .take_while(|&k| k == 0 || !is_separator(text[k - 1]))
                .any(|k| sym_match(rest, &text[k..])),
            Some((Sym::Field, rest)) => (0..=text.len())
                .take_while(|&k| k == 0 || text[k - 1] != ':')
                .any(|k| sym_match(rest, &text[k..])),
        }
    }

    #[test]
    fn segments_stop_at_separators() {
        // `V` a path segment, `F` a field.
        let template = |s: &str| -> Vec<Sym> {
            s.chars()
                .map(|c| match c {
                    'V' => Sym::Segment,
                    'F' => Sym::Field,
                    c => Sym::Char(c),
                })
                .collect()
        };
        let texts: Vec<Vec<char>> = strings(&['a', 'b', ':', '/'], 6)
            .iter()
            .map(|s| s.chars().collect())
            .collect();
        let patterns = strings(&['a', ':', '/', '*', '?'], 3);
        for t in [
            "a:V", "V/V", "aV:b", "V", ":/V", "Va", "F", "a:F/b", "F:V", "FV",
        ] {
            let tt = template(t);
            for p in &patterns {
                let pt = symbols(p);
                let brute = texts.iter().any(|x| sym_match(&pt, x) && sym_match(&tt, x));
                assert_eq!(symbols_intersect(&pt, &tt), brute, "{p:?} vs {t:?}");
            }
        }
    }

    #[test]
    fn arn_examples() {
        let plan = "acs:dbs:V:V:backupplan/V";
        let t: Vec<Sym> = plan
            .chars()
            .map(|c| if c == 'V' { Sym::Segment } else { Sym::Char(c) })
            .collect();
        let can = |p: &str| symbols_intersect(&symbols(p), &t);
        assert!(can("*"));
        assert!(can("acs:dbs:*:*:*"));
        assert!(can("acs:dbs:*:*:backupplan/*"));
        assert!(can("acs:*:*:*:backupplan/dbs1"));
        assert!(can("acs:dbs:cn-hangzhou:123:backupplan/dbsq?ss5tmh1"));
        assert!(!can("acs:rds:*:*:*"));
        assert!(!can("acs:dbs:*:*:instance/*"));
        assert!(!can("acs:dbs:*:*:backupplan/a/b"));
        assert!(!can(""));
        // With `*` for the variables the last two would wrongly meet.
        assert!(patterns_intersect(
            "acs:dbs:*:*:instance/*",
            "acs:dbs:*:*:backupplan/*"
        ));
    }

    #[test]
    fn covers_examples() {
        assert!(pattern_covers("*", "acs:dbs:*:*:*"));
        assert!(pattern_covers("acs:dbs:*:*:*", "acs:dbs:*:*:backupplan/*"));
        assert!(pattern_covers(
            "acs:dbs:*",
            "acs:dbs:cn-hangzhou:1:backupplan/x"
        ));
        assert!(!pattern_covers("acs:dbs:*:*:backupplan/*", "acs:dbs:*:*:*"));
        assert!(!pattern_covers("a?", "a*"));
        assert!(pattern_covers("a*", "a?"));
        assert!(!pattern_covers("", "*"));
        assert!(pattern_covers("", ""));
        assert!(pattern_covers_ignore_ascii_case(
            "DBS:Describe*",
            "dbs:describeRegions"
        ));
        assert!(!pattern_covers("DBS:Describe*", "dbs:describeRegions"));
        assert!(!pattern_covers_ignore_ascii_case("*:*", "*"));
        assert!(pattern_covers_ignore_ascii_case("*", "*:*"));
        assert!(glob_match_ignore_ascii_case(
            "dbs:describe*",
            "DBS:DescribeRegions"
        ));
        assert!(patterns_intersect_ignore_ascii_case(
            "DBS:Desc*",
            "dbs:*Regions"
        ));
        assert!(!patterns_intersect_ignore_ascii_case(
            "dbs:Desc*",
            "dbs:Start*"
        ));
        assert!(pattern_covers("é*", "éa"));
        assert!(!patterns_intersect("", "a"));
        // Beyond the budget the answer is the safe "may intersect".
        let huge = "a".repeat(MAX_PRODUCT);
        assert!(patterns_intersect(&huge, "b*"));
        assert!(patterns_intersect("", "**"));
    }
}
