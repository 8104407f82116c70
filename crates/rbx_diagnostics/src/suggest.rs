/// The closest of `candidates` to `word`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word_lower = word.to_ascii_lowercase();
    let candidates: Vec<&'a str> = candidates.into_iter().collect();
    // An abbreviation (`int` for `integer`) is a likelier intent than a short edit distance.
    if word.len() >= 3
        && let Some(longer) = candidates
            .iter()
            .filter(|c| c.len() > word.len() && c.to_ascii_lowercase().starts_with(&word_lower))
            .min_by_key(|c| c.len())
    {
        return Some(longer);
    }
    candidates
        .into_iter()
        .map(|candidate| (strsim::damerau_levenshtein(&word_lower, &candidate.to_ascii_lowercase()), candidate))
        .filter(|(distance, candidate)| {
            let longest = word.chars().count().max(candidate.chars().count());
            *candidate != word && *distance <= 2.max(longest / 3) && *distance < longest
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_misses_only() {
        let keys = ["timeout", "title", "retry", "when"];
        assert_eq!(did_you_mean("timout", keys), Some("timeout"));
        assert_eq!(did_you_mean("Retry", keys), Some("retry"));
        assert_eq!(did_you_mean("banana", keys), None);
        assert_eq!(did_you_mean("x", keys), None);
        assert_eq!(did_you_mean("int", ["string", "integer", "list"]), Some("integer"));
    }
}
