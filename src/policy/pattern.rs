//! The `*` and `?` wildcard matcher of actions, resources and `StringLike`.
//!
//! `*` matches any run of characters (including none, `:` and `/`), `?` exactly one character.
//! Patterns are compiled once into the shape they have (exact, prefix, suffix, general glob),
//! so the common cases cost one comparison per request.

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
    /// Anything else with wildcards.
    Glob(Box<str>),
}

impl Pattern {
    pub fn new(pattern: &str) -> Pattern {
        let wild = |c: char| c == '*' || c == '?';
        match pattern.find(wild) {
            None => Pattern::Exact(pattern.into()),
            Some(_) if pattern.chars().all(|c| c == '*') => Pattern::Any,
            Some(i) if i + 1 == pattern.len() && pattern.ends_with('*') => {
                Pattern::Prefix(pattern.get(..i).unwrap_or_default().into())
            }
            Some(0) if pattern.starts_with('*') && !pattern[1..].contains(wild) => {
                Pattern::Suffix(pattern.get(1..).unwrap_or_default().into())
            }
            Some(_) => Pattern::Glob(pattern.into()),
        }
    }

    pub fn matches(&self, text: &str) -> bool {
        match self {
            Pattern::Any => true,
            Pattern::Exact(p) => **p == *text,
            Pattern::Prefix(p) => text.starts_with(&**p),
            Pattern::Suffix(p) => text.ends_with(&**p),
            Pattern::Glob(p) => glob_match(p, text),
        }
    }

    /// The literal text before the first wildcard (the whole pattern when it has none).
    pub fn literal_prefix(&self) -> &str {
        match self {
            Pattern::Any | Pattern::Suffix(_) => "",
            Pattern::Exact(p) | Pattern::Prefix(p) => p,
            Pattern::Glob(p) => p.split(['*', '?']).next().unwrap_or_default(),
        }
    }
}

/// Whether `text` matches the wildcard `pattern` (case-sensitive).
///
/// The classic greedy algorithm with one backtrack point: linear in practice, never exponential.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    if pattern.is_ascii() && text.is_ascii() {
        glob_units(pattern.as_bytes(), text.as_bytes())
    } else {
        let p: Vec<char> = pattern.chars().collect();
        let t: Vec<char> = text.chars().collect();
        glob_units(&p, &t)
    }
}

trait Unit: Copy + PartialEq {
    const STAR: Self;
    const QUESTION: Self;
}
impl Unit for u8 {
    const STAR: u8 = b'*';
    const QUESTION: u8 = b'?';
}
impl Unit for char {
    const STAR: char = '*';
    const QUESTION: char = '?';
}

fn glob_units<T: Unit>(p: &[T], t: &[T]) -> bool {
    let (mut pi, mut ti) = (0, 0);
    // Position of the last `*` in the pattern and the text position it is tried at.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some(&c) if c == T::STAR => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == T::QUESTION || Some(&c) == t.get(ti) => {
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
}
