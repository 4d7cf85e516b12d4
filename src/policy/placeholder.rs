//! Values that are not real yet: unrendered templates and documentation masks. Lowering
//! leaves them to the `template-placeholder` rule, which says what they are.

/// A documentation mask: digits followed by at least two `*`, `x` or `X`
/// (`123456789012****`, `27737962156157xxxx`), as Alibaba's pages print account IDs.
pub fn is_mask(token: &str) -> bool {
    let digits = token.trim_end_matches(['*', 'x', 'X']);
    token.len() - digits.len() >= 2
        && digits.len() >= 3
        && digits.bytes().all(|b| b.is_ascii_digit())
}

/// What kind of placeholder a value holds, if any, and the placeholder itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placeholder<'a> {
    /// `${var}`, `%{...}`, `$name`, `<name>`, `{#name}`: a template that was not rendered.
    Template(&'a str),
    /// `123456789012****`, `42.120.XX.X`: a value masked by documentation.
    Mask(&'a str),
}

const OPENER: u8 = 1;
const MASK: u8 = 2;
const DIGIT: u8 = 4;
const DOT: u8 = 8;

/// The kinds of bytes [`placeholder`] looks for.
static BYTE_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = match b as u8 {
            b'$' | b'%' | b'{' | b'<' => OPENER,
            b'*' | b'x' | b'X' => MASK,
            b'0'..=b'9' => DIGIT,
            b'.' => DOT,
            _ => 0,
        };
        b += 1;
    }
    t
};

/// The first placeholder in a value: an unrendered template or a documentation mask. Runs on
/// every value of every statement, so each form is first looked for with one cheap byte test.
pub fn placeholder(v: &str) -> Option<Placeholder<'_>> {
    let bytes = v.as_bytes();
    // One table-driven pass says which kinds of bytes occur; pairs are looked at only when
    // both halves of one do.
    let seen = bytes
        .iter()
        .fold(0u8, |seen, &b| seen | BYTE_CLASS[usize::from(b)]);
    let masked = |c: u8| matches!(c, b'*' | b'x' | b'X');
    if seen & OPENER != 0 {
        if let Some(t) = template(v) {
            return Some(Placeholder::Template(t));
        }
    }
    // A mask character after a digit, or before a dot.
    let mask_like = seen & MASK != 0
        && seen & (DIGIT | DOT) != 0
        && bytes
            .windows(2)
            .any(|w| w[0].is_ascii_digit() && masked(w[1]) || masked(w[0]) && w[1] == b'.');
    if !mask_like {
        return None;
    }
    let tokens = || v.split(|c: char| !(c.is_ascii_alphanumeric() || c == '*'));
    if let Some(t) = tokens().find(|t| is_mask(t)) {
        return Some(Placeholder::Mask(t));
    }
    // `42.120.XX.X/24`: an address with letters for digits.
    let parts = || v.split(['.', '/']);
    let address_like = parts().count() >= 4
        && parts().any(|t| !t.is_empty() && t.bytes().all(|c| c.is_ascii_digit()))
        && parts().all(|t| {
            !t.is_empty()
                && t.bytes()
                    .all(|c| c.is_ascii_digit() || c == b'X' || c == b'x')
        });
    if address_like {
        if let Some(t) = parts().find(|t| t.bytes().any(|c| c == b'X' || c == b'x')) {
            return Some(Placeholder::Mask(t));
        }
    }
    None
}

/// `${var}`, `%{...}`, `{#name}`, `$name`, `<name>`: the first one in `v`.
fn template(v: &str) -> Option<&str> {
    let bytes = v.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if !matches!(b, b'$' | b'%' | b'{' | b'<') {
            continue;
        }
        let rest = v.get(i..).unwrap_or_default();
        let next = bytes.get(i + 1).copied();
        let closed = |open: usize, close: char| {
            rest.get(open..)
                .and_then(|r| r.find(close))
                .and_then(|end| rest.get(..open + end + 1))
        };
        let token = match (b, next) {
            (b'$' | b'%', Some(b'{')) | (b'{', Some(b'#')) => closed(2, '}'),
            (b'$', Some(c)) if c.is_ascii_alphabetic() => {
                let end = rest
                    .bytes()
                    .skip(1)
                    .position(|c| !(c.is_ascii_alphanumeric() || c == b'_'))
                    .map_or(rest.len(), |p| p + 1);
                rest.get(..end)
            }
            (b'<', Some(c)) if c.is_ascii_alphabetic() => closed(1, '>').filter(|t| {
                t.bytes()
                    .skip(1)
                    .take(t.len().saturating_sub(2))
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b' '))
            }),
            _ => None,
        };
        if token.is_some() {
            return token;
        }
    }
    None
}
