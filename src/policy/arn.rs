//! The fields of an ARN, `acs:<service>:<region>:<account>:<relative-id>`, found by scanning
//! bytes: this runs for every Resource of every document linted, where `str::splitn`'s
//! character searcher costs several times more on such short texts.

/// The five fields of `s` split as `s.splitn(5, ':')` splits them (the relative ID keeps its
/// colons), or `None` when `s` has fewer than four colons. Fields may be empty; the first is
/// not checked to be `acs`.
pub fn fields(s: &str) -> Option<[&str; 5]> {
    let mut cuts = [0usize; 4];
    let mut found = 0;
    for (i, &b) in s.as_bytes().iter().enumerate() {
        if b == b':' {
            if let Some(slot) = cuts.get_mut(found) {
                *slot = i;
            }
            found += 1;
            if found == cuts.len() {
                break;
            }
        }
    }
    if found < cuts.len() {
        return None;
    }
    let [a, b, c, d] = cuts;
    Some([
        s.get(..a)?,
        s.get(a + 1..b)?,
        s.get(b + 1..c)?,
        s.get(c + 1..d)?,
        s.get(d + 1..)?,
    ])
}

/// The relative ID (the fifth field) of `s`.
pub fn relative(s: &str) -> Option<&str> {
    fields(s).map(|[.., rel]| rel)
}

/// How many colon-separated fields `s` has, counting at most five (as `splitn(5, ':')`).
pub fn field_count(s: &str) -> usize {
    (s.bytes().filter(|&b| b == b':').count() + 1).min(5)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_as_splitn_does() {
        for s in [
            "acs:ecs:*:123:instance/i-1",
            "acs:ram::123:role/x",
            "acs:oss:*:*:bucket/a:b:c",
            "acs:::: ",
            "acs:ecs:*:123",
            "",
            ":::::",
            "acs:ecs:中:1:x/中",
        ] {
            let want: Vec<&str> = s.splitn(5, ':').collect();
            match fields(s) {
                Some(f) => assert_eq!(f.to_vec(), want, "{s}"),
                None => assert!(want.len() < 5, "{s}"),
            }
            assert_eq!(field_count(s), want.len(), "{s}");
            assert_eq!(
                relative(s),
                want.get(4).copied().filter(|_| want.len() == 5)
            );
        }
    }
}
