//! "Did you mean ...?" for any closed vocabulary: operation names, element names, condition
//! operators, condition keys.
//!
//! Similarity is the Damerau-Levenshtein distance (a swapped pair of letters is one edit, the
//! most common typo) between the lowercased strings, relative to the longer one. Comparing
//! lowercase means a wrong case never hides a real typo; callers that care about case (element
//! names are case-sensitive) get the canonical spelling back and can say so.

use std::cmp::Ordering;

/// Returns the candidate the user most likely meant by `input`, or `None` when nothing is close.
///
/// Ranking, so the answer never depends on the order of `candidates`:
/// 1. a case-insensitive exact match (a case-sensitive one first);
/// 2. otherwise the highest similarity that passes the threshold: at most 30% of the longer
///    string edited, or a single edit when both strings have at least 3 characters (so
///    `Sd` does not become `Id`, but `Sdi` becomes `Sid`);
/// 3. ties: the length closest to the input, then the smallest candidate in byte order.
///
/// Empty strings never match.
pub fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let input_lower = input.to_lowercase();
    let input_len = input_lower.chars().count();
    if input_len == 0 {
        return None;
    }
    let input_bag = input.is_ascii().then(|| bag(input));
    let mut best: Option<Score<'a>> = None;
    for candidate in candidates {
        // The distance is at least the difference in length: most candidates are turned away
        // by that alone (ASCII ones keep their length when lowercased).
        if candidate.is_ascii() && !may_be_close(input_len, candidate.len()) {
            continue;
        }
        // An edit changes the letter counts by at most two, so half their difference is a
        // lower bound of the distance too; it turns away most same-length names cheaply.
        if let Some(ib) = &input_bag {
            if candidate.is_ascii() {
                let bound = bag_difference(ib, &bag(candidate)).div_ceil(2);
                if !is_close(bound, input_len, candidate.len()) {
                    continue;
                }
            }
        }
        let lower = candidate.to_lowercase();
        let len = lower.chars().count();
        if len == 0 {
            continue;
        }
        let distance = strsim::damerau_levenshtein(&input_lower, &lower);
        let longest = input_len.max(len);
        let close = is_close(distance, input_len, len);
        if !close {
            continue;
        }
        let score = Score {
            exact: candidate == input,
            distance,
            longest,
            len_diff: input_len.abs_diff(len),
            candidate,
        };
        let better = match &best {
            Some(b) => score.cmp(b) == Ordering::Greater,
            None => true,
        };
        if better {
            best = Some(score);
        }
    }
    best.map(|b| b.candidate)
}

/// The threshold of [`did_you_mean`]: at most 30% of the longer string edited, or one edit
/// between strings of at least 3 characters.
fn is_close(distance: usize, a: usize, b: usize) -> bool {
    distance == 0 || distance * 10 <= a.max(b) * 3 || (distance == 1 && a.min(b) >= 3)
}

/// Whether strings of these lengths can be close at all: [`is_close`] at the least distance
/// their lengths allow.
fn may_be_close(a: usize, b: usize) -> bool {
    is_close(a.abs_diff(b), a, b)
}

/// Counts of each ASCII byte, case folded.
fn bag(s: &str) -> [u8; 128] {
    let mut counts = [0u8; 128];
    for b in s.bytes() {
        if let Some(c) = counts.get_mut(usize::from(b.to_ascii_lowercase() & 0x7f)) {
            *c = c.saturating_add(1);
        }
    }
    counts
}

/// The number of letters by which two bags differ (sum of the count differences).
fn bag_difference(a: &[u8; 128], b: &[u8; 128]) -> usize {
    a.iter()
        .zip(b)
        .map(|(x, y)| usize::from(x.abs_diff(*y)))
        .sum()
}

/// A candidate's rank; `Greater` is better.
struct Score<'a> {
    exact: bool,
    distance: usize,
    longest: usize,
    len_diff: usize,
    candidate: &'a str,
}

impl Score<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        // Lower relative distance is better; compared as exact fractions (d1/l1 vs d2/l2).
        let relative = (other.distance * self.longest).cmp(&(self.distance * other.longest));
        // A case-insensitive exact match has distance 0 and therefore wins `relative` already;
        // among several of those the case-sensitive one wins.
        (self.distance == 0 && self.exact)
            .cmp(&(other.distance == 0 && other.exact))
            .then(relative)
            .then(other.len_diff.cmp(&self.len_diff))
            .then(other.candidate.cmp(self.candidate))
    }
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    const ELEMENTS: &[&str] = &[
        "Version",
        "Statement",
        "Effect",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
        "Principal",
        "Sid",
    ];

    fn dym(input: &str, candidates: &[&'static str]) -> Option<&'static str> {
        did_you_mean(input, candidates.iter().copied())
    }

    #[test]
    fn exact_case_insensitive_wins() {
        assert_eq!(dym("effect", ELEMENTS), Some("Effect"));
        assert_eq!(dym("STATEMENT", ELEMENTS), Some("Statement"));
        assert_eq!(dym("Effect", ELEMENTS), Some("Effect"));
        // Among case variants, the identical one, whatever the order.
        assert_eq!(dym("foo", &["FOO", "foo", "Foo"]), Some("foo"));
        assert_eq!(dym("fOO", &["Foo", "FOO"]), Some("FOO"));
    }

    #[test]
    fn typos() {
        assert_eq!(dym("Efect", ELEMENTS), Some("Effect"));
        assert_eq!(dym("Actions", ELEMENTS), Some("Action"));
        assert_eq!(dym("Resources", ELEMENTS), Some("Resource"));
        assert_eq!(dym("Statment", ELEMENTS), Some("Statement"));
        assert_eq!(dym("Condtion", ELEMENTS), Some("Condition"));
        assert_eq!(dym("Sdi", ELEMENTS), Some("Sid"));
        assert_eq!(dym("notresource", ELEMENTS), Some("NotResource"));
        assert_eq!(
            dym("StringEqual", &["StringEquals", "StringLike"]),
            Some("StringEquals")
        );
        assert_eq!(
            dym("IpAdress", &["IpAddress", "NotIpAddress"]),
            Some("IpAddress")
        );
    }

    #[test]
    fn nothing_close() {
        assert_eq!(dym("xyz", ELEMENTS), None);
        assert_eq!(dym("", ELEMENTS), None);
        assert_eq!(dym("Sd", &["Id"]), None);
        assert_eq!(dym("Null", &["Bool"]), None);
        assert_eq!(dym("anything", &[]), None);
        assert_eq!(dym("a", &[""]), None);
    }

    #[test]
    fn ties_do_not_depend_on_order() {
        // "abcd" is one edit from both; same length, so byte order decides.
        let a = dym("abcd", &["abce", "abcf"]);
        let b = dym("abcd", &["abcf", "abce"]);
        assert_eq!(a, Some("abce"));
        assert_eq!(a, b);
        let mut names = vec![
            "StartBackupPlan",
            "StopBackupPlan",
            "StartRestoreTask",
            "StartTask",
        ];
        let first = dym("StatBackupPlan", &names);
        names.reverse();
        assert_eq!(first, Some("StartBackupPlan"));
        assert_eq!(dym("StatBackupPlan", &names), first);
    }

    #[test]
    fn letter_count_bound_keeps_real_matches() {
        // Transpositions and substitutions pass the cheap bound.
        assert_eq!(
            dym(
                "DescribeInstacnes",
                &["DescribeInstances", "DescribeImages"]
            ),
            Some("DescribeInstances")
        );
        assert_eq!(
            dym("PutObjet", &["PutObject", "GetObject"]),
            Some("PutObject")
        );
        assert_eq!(dym("Xtatement", ELEMENTS), Some("Statement"));
    }

    #[test]
    fn relative_distance_prefers_longer_match() {
        // The closest operation, not merely one within the threshold.
        assert_eq!(
            dym("StartBackupPlna", &["StopBackupPlan", "StartBackupPlan"]),
            Some("StartBackupPlan")
        );
    }
}
