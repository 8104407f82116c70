//! "Did you mean" suggestions for misspelled operator and type names.

/// Names other tools use for rbx operators and types, so that `gte` suggests `ge` rather than `gt`
/// and `int` suggests `integer`.
const ALIASES: &[(&str, &str)] = &[
    ("eq", "equals"),
    ("equal", "equals"),
    ("is", "equals"),
    ("ne", "not_equals"),
    ("neq", "not_equals"),
    ("not_equal", "not_equals"),
    ("gte", "ge"),
    ("lte", "le"),
    ("in", "one_of"),
    ("any_of", "one_of"),
    ("regex", "matches"),
    ("match", "matches"),
    ("len", "length"),
    ("size", "length"),
    ("includes", "contains"),
    ("present", "exists"),
    ("type_of", "type"),
    ("int", "integer"),
    ("bool", "boolean"),
    ("str", "string"),
    ("text", "string"),
    ("float", "number"),
    ("list", "array"),
    ("map", "object"),
    ("dict", "object"),
    ("none", "null"),
    ("nil", "null"),
];

/// The candidate `word` was most likely meant to be, if any is close enough to be a typo.
pub(crate) fn did_you_mean(word: &str, candidates: &[&str]) -> Option<String> {
    let lower = word.to_ascii_lowercase().replace('-', "_");
    if let Some(exact) = candidates.iter().find(|candidate| **candidate == lower) {
        return Some((*exact).to_owned());
    }
    if let Some((_, target)) = ALIASES.iter().find(|(alias, target)| *alias == lower && candidates.contains(target)) {
        return Some((*target).to_owned());
    }
    let word_chars = lower.chars().count();
    candidates
        .iter()
        .map(|candidate| (strsim::damerau_levenshtein(&lower, candidate), *candidate))
        .filter(|(distance, candidate)| {
            let longest = word_chars.max(candidate.chars().count());
            *distance <= 2.max(longest / 3) && *distance < longest
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OPERATOR_NAMES;

    #[test]
    fn suggests_typos_case_and_aliases() {
        let cases = [
            ("equal", Some("equals")),
            ("Equals", Some("equals")),
            ("not-equals", Some("not_equals")),
            ("notequals", Some("not_equals")),
            ("gte", Some("ge")),
            ("regex", Some("matches")),
            ("lenght", Some("length")),
            ("exist", Some("exists")),
            ("oneof", Some("one_of")),
            ("banana", None),
            ("x", None),
        ];
        for (word, expected) in cases {
            assert_eq!(did_you_mean(word, OPERATOR_NAMES).as_deref(), expected, "{word}");
        }
    }

    #[test]
    fn aliases_only_suggest_available_candidates() {
        assert_eq!(did_you_mean("regex", &["lt", "gt"]), None);
        assert_eq!(did_you_mean("gte", &["lt", "le", "gt", "ge"]).as_deref(), Some("ge"));
    }
}
