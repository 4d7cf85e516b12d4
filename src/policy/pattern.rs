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
    if needle.len() > SHORT_PIECE {
        return find_long(hay, needle);
    }
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

/// [`find`] for a long needle, where trying each place could cost |hay|·|needle|.
fn find_long(hay: &[u8], needle: &[u8]) -> Option<usize> {
    kmp(needle, hay, |c| c).map(|end| end - needle.len())
}

/// Whether `text` matches the wildcard `pattern` (case-sensitive).
///
/// Linear in the text: see `wild_match`. ASCII pattern and text are matched as bytes; others
/// as characters, so that `?` takes one whole character.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    // Most patterns the linter compares have no wildcard at all: plain equality then.
    if !pattern.bytes().any(|b| b == b'*' || b == b'?') {
        return pattern == text;
    }
    if pattern.is_ascii() && text.is_ascii() {
        wild_match(pattern.as_bytes(), text.as_bytes(), |c| c, |_| true)
    } else {
        let p: Vec<char> = pattern.chars().collect();
        let t: Vec<char> = text.chars().collect();
        wild_match(&p, &t, |c| c, |_| true)
    }
}

/// Patterns that made the greedy matcher cost |pattern|·|text| (each about 5 KB, and none
/// matches a text of `a`s), for the tests and the benchmark.
#[doc(hidden)]
pub fn hostile_patterns() -> Vec<(&'static str, String)> {
    let long = "a".repeat(5000);
    let short = "a".repeat(20);
    vec![
        ("suffix-after-star", format!("dbs:*{long}b")),
        ("long-piece", format!("dbs:*{long}b*")),
        ("long-piece-with-one", format!("dbs:*{long}?b*")),
        (
            "many-pieces",
            format!("dbs:*{}*b", vec![short.as_str(); 240].join("*")),
        ),
        ("alternating-ones", format!("dbs:*{}b*", "a?".repeat(2500))),
    ]
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
/// Past [`MAX_PRODUCT`] states (far beyond any ARN) it answers `false`, which is always sound.
pub fn glob_covers(pattern: &str, text: &[Piece<'_>]) -> bool {
    let p = symbols(pattern);
    let t = piece_symbols(text);
    if (p.len() + 1).saturating_mul(t.len() + 1) > MAX_PRODUCT {
        return false;
    }
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
    if !pattern.bytes().any(|b| b == b'*' || b == b'?') {
        return pattern.eq_ignore_ascii_case(text);
    }
    if pattern.is_ascii() && text.is_ascii() {
        wild_match(
            pattern.as_bytes(),
            text.as_bytes(),
            |c| c.to_ascii_lowercase(),
            |_| true,
        )
    } else {
        let p: Vec<char> = pattern.chars().collect();
        let t: Vec<char> = text.chars().collect();
        wild_match(&p, &t, |c| c.to_ascii_lowercase(), |_| true)
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
    covers_by(general, specific, |g| g, |g| g)
}

/// [`pattern_covers`] ignoring ASCII case, for actions.
pub fn pattern_covers_ignore_ascii_case(general: &str, specific: &str) -> bool {
    covers_by(
        general,
        specific,
        |g: u8| g.to_ascii_lowercase(),
        |g: char| g.to_ascii_lowercase(),
    )
}

/// `specific` read as text whose `*` and `?` are plain units: a literal of `general` absorbs
/// only the same literal (never a `*` or `?`, which no literal equals), its `?` one unit that is
/// not a `*`, its `*` anything. `key_*` fold case, or not.
fn covers_by(
    general: &str,
    specific: &str,
    key_byte: fn(u8) -> u8,
    key_char: fn(char) -> char,
) -> bool {
    if general.is_ascii() && specific.is_ascii() {
        wild_match(general.as_bytes(), specific.as_bytes(), key_byte, |s| {
            s != b'*'
        })
    } else {
        let g: Vec<char> = general.chars().collect();
        let s: Vec<char> = specific.chars().collect();
        wild_match(&g, &s, key_char, |s| s != '*')
    }
}

trait Unit: Copy + Eq + std::hash::Hash {
    const STAR: Self;
    const ONE: Self;
    /// An index below 256 for the units a table can hold (bytes, ASCII characters).
    fn small(self) -> Option<usize>;
}
impl Unit for u8 {
    const STAR: u8 = b'*';
    const ONE: u8 = b'?';
    fn small(self) -> Option<usize> {
        Some(usize::from(self))
    }
}
impl Unit for char {
    const STAR: char = '*';
    const ONE: char = '?';
    fn small(self) -> Option<usize> {
        usize::try_from(u32::from(self)).ok().filter(|&i| i < 256)
    }
}

/// Pieces up to this long are searched for by trying each start (at most this many
/// comparisons per text unit); longer ones with a bit-parallel automaton.
const SHORT_PIECE: usize = 32;

/// Wildcard matching of `p` against `t`, in time linear in the text: `*` in `p` absorbs any
/// run of `t`, `?` one unit `u` of `t` for which `one_ok(u)`, any other unit of `p` one unit of
/// `t` equal to it under `key` (case folding, or none).
///
/// The pieces between stars have fixed length, so the piece before the first star is anchored
/// at the start, the piece after the last at the end, and each piece between is taken at its
/// leftmost place after the previous one, which never loses a match. Each search scans the text
/// once from where the previous piece ended: with at most [`SHORT_PIECE`] comparisons per unit
/// for a short piece, Knuth-Morris-Pratt for a long one without `?` (linear), and one step of
/// a shift-and automaton (a word per 64 pattern units) for a long one with `?`. No
/// backtracking: the greedy algorithm's O(|p|·|t|) worst case is gone.
fn wild_match<T: Unit>(p: &[T], t: &[T], key: fn(T) -> T, one_ok: fn(T) -> bool) -> bool {
    let fits = |piece: &[T], at: &[T]| {
        piece.len() <= at.len()
            && piece.iter().zip(at).all(|(&c, &u)| {
                if c == T::ONE {
                    one_ok(u)
                } else {
                    key(c) == key(u)
                }
            })
    };
    let (Some(head), Some(tail)) = (
        p.iter().position(|&c| c == T::STAR),
        p.iter().rposition(|&c| c == T::STAR),
    ) else {
        return p.len() == t.len() && fits(p, t);
    };
    let (first, last) = (
        p.get(..head).unwrap_or_default(),
        p.get(tail + 1..).unwrap_or_default(),
    );
    let Some(rest) = t.len().checked_sub(first.len() + last.len()) else {
        return false;
    };
    let end = first.len() + rest;
    if !fits(first, t) || !fits(last, t.get(end..).unwrap_or_default()) {
        return false;
    }
    let mut window = t.get(first.len()..end).unwrap_or_default();
    for piece in p
        .get(head + 1..tail)
        .unwrap_or_default()
        .split(|&c| c == T::STAR)
        .filter(|piece| !piece.is_empty())
    {
        let found = if piece.len() <= SHORT_PIECE {
            (0..=window.len().saturating_sub(piece.len()))
                .find(|&at| fits(piece, window.get(at..).unwrap_or_default()))
                .map(|at| at + piece.len())
        } else if piece.contains(&T::ONE) {
            shift_and(piece, window, key, one_ok)
        } else {
            kmp(piece, window, key)
        };
        match found {
            Some(after) => window = window.get(after..).unwrap_or_default(),
            None => return false,
        }
    }
    true
}

/// The end of the leftmost match of `needle` (literal units only) in `hay` under `key`, by
/// Knuth-Morris-Pratt: O(|needle| + |hay|) whatever the texts.
fn kmp<T: Unit>(needle: &[T], hay: &[T], key: fn(T) -> T) -> Option<usize> {
    let needle: Vec<T> = needle.iter().map(|&c| key(c)).collect();
    // fail[i]: length of the longest proper border of needle[..=i].
    let mut fail = vec![0usize; needle.len()];
    let mut k = 0;
    for (i, &c) in needle.iter().enumerate().skip(1) {
        while k > 0 && needle.get(k) != Some(&c) {
            k = fail.get(k - 1).copied().unwrap_or(0);
        }
        if needle.get(k) == Some(&c) {
            k += 1;
        }
        if let Some(f) = fail.get_mut(i) {
            *f = k;
        }
    }
    let mut k = 0;
    for (i, &u) in hay.iter().enumerate() {
        let u = key(u);
        while k > 0 && needle.get(k) != Some(&u) {
            k = fail.get(k - 1).copied().unwrap_or(0);
        }
        if needle.get(k) == Some(&u) {
            k += 1;
        }
        if k == needle.len() {
            return Some(i + 1);
        }
    }
    None
}

/// The end of the leftmost match of `piece` (no `*`) in `hay`, by the shift-and automaton:
/// bit `j` of the state says that the last `j + 1` units read match the piece's first `j + 1`.
fn shift_and<T: Unit>(
    piece: &[T],
    hay: &[T],
    key: fn(T) -> T,
    one_ok: fn(T) -> bool,
) -> Option<usize> {
    let words = piece.len().div_ceil(64);
    let mut ones = vec![0u64; words];
    // Masks of the literal units: in a table for small units, a map for the others.
    let mut table: Vec<Option<Vec<u64>>> = vec![None; 256];
    let mut others: std::collections::HashMap<T, Vec<u64>> = std::collections::HashMap::new();
    for (j, &c) in piece.iter().enumerate() {
        let slot = if c == T::ONE {
            ones.get_mut(j / 64)
        } else {
            let k = key(c);
            let mask = match k.small().and_then(|i| table.get_mut(i)) {
                Some(entry) => entry.get_or_insert_with(|| vec![0u64; words]),
                None => others.entry(k).or_insert_with(|| vec![0u64; words]),
            };
            mask.get_mut(j / 64)
        };
        if let Some(w) = slot {
            *w |= 1 << (j % 64);
        }
    }
    let last = piece.len().checked_sub(1)?;
    let (top, top_bit) = (last / 64, 1u64 << (last % 64));
    let zero = vec![0u64; words];
    let mut state = vec![0u64; words];
    for (i, &u) in hay.iter().enumerate() {
        let k = key(u);
        let lit = match k.small() {
            Some(i) => table.get(i).and_then(Option::as_ref),
            None => others.get(&k),
        }
        .unwrap_or(&zero);
        let one = if one_ok(u) { &ones } else { &zero };
        let mut carry = 1u64;
        for ((s, &o), &l) in state.iter_mut().zip(one).zip(lit) {
            let next = ((*s << 1) | carry) & (o | l);
            carry = *s >> 63;
            *s = next;
        }
        if state.get(top).is_some_and(|w| w & top_bit != 0) {
            return Some(i + 1);
        }
    }
    None
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

    /// Patterns that cost the greedy matcher |pattern|·|text| steps (13 s for the first): a
    /// 5 KB pattern, within RAM's 6,144-character policy limit, against a 1 MB text (64 KB in a
    /// debug build, which is some 30 times slower). `benches/eval.rs` (`pattern/*`) has the
    /// release figures.
    #[test]
    fn hostile_patterns_take_time_linear_in_the_text() {
        let size = if cfg!(debug_assertions) {
            1 << 16
        } else {
            1 << 20
        };
        let text = format!("dbs:{}", "a".repeat(size));
        let upper = text.to_ascii_uppercase();
        for (name, pattern) in hostile_patterns() {
            let started = std::time::Instant::now();
            assert!(!glob_match(&pattern, &text), "{name}");
            assert!(!Pattern::new(&pattern).matches(&text), "{name}");
            assert!(!glob_match_ignore_ascii_case(&pattern, &upper), "{name}");
            let took = started.elapsed();
            assert!(
                took.as_secs_f64() < 1.5,
                "{name}: {took:?} for three matches"
            );
        }
    }

    #[test]
    fn partial_texts_past_the_state_bound_are_answered_soundly_at_once() {
        let long = "a".repeat(1 << 14);
        let text = [Piece::Literal(&long), Piece::Hole];
        let pattern = format!("*{}", "a?".repeat(2500));
        let started = std::time::Instant::now();
        assert!(!glob_covers(&pattern, &text));
        assert!(glob_overlaps(&pattern, &text));
        assert!(started.elapsed().as_secs_f64() < 0.5);
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
