//! Placeholder until the catalogue lands.
pub fn did_you_mean<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates.into_iter().find(|c| c.eq_ignore_ascii_case(input) || strsim::damerau_levenshtein(&c.to_ascii_lowercase(), &input.to_ascii_lowercase()) <= 2)
}
