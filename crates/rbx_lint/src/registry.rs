//! Every lint rule, in code order.

use crate::rule::Rule;
use crate::rules::*;

/// Every rule, in code order. Codes are stable: never reuse or renumber one.
pub const RULES: &[Rule] = &[
    destructive_without_confirm::RULE,
    raw_template_in_shell::RULE,
    raw_template_in_sql::RULE,
    template_in_quotes::RULE,
    resplit_template::RULE,
    url_host_from_output::RULE,
    hardcoded_credential::RULE,
    secret_over_plain_http::RULE,
    secret_in_url_query::RULE,
    until_without_timeout::RULE,
    retry_not_idempotent::RULE,
    unreachable_step::RULE,
    parallel_too_high::RULE,
    impossible_outcome::RULE,
    unused_input::RULE,
    unused_secret::RULE,
    unused_connection::RULE,
    unused_capture::RULE,
    step_without_title::RULE,
    missing_metadata::RULE,
    duplicate_trigger::RULE,
    native_step_available::RULE,
    shellcheck::RULE,
    invalid_ignore::RULE,
];

/// A rule by its code (`W211`, any case) or its name (`raw-template-in-shell`).
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    RULES.iter().find(|rule| rule.code.id.eq_ignore_ascii_case(code_or_name) || rule.code.name == code_or_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_sorted_and_apart_from_load_codes() {
        let ids: Vec<&str> = RULES.iter().map(|rule| rule.code.id).collect();
        let mut sorted = ids.clone();
        sorted.sort_by_key(|id| &id[1..]);
        sorted.dedup();
        assert_eq!(ids, sorted, "rules are listed once each, in number order");
        for rule in RULES {
            assert!(rbx_diagnostics::codes::find(rule.code.id).is_none(), "{} is a load code", rule.code.id);
            let letter = match rule.code.severity {
                rbx_diagnostics::Severity::Error => 'E',
                rbx_diagnostics::Severity::Warning => 'W',
                rbx_diagnostics::Severity::Note => 'I',
            };
            assert!(rule.code.id.starts_with(letter), "{}'s letter says its default level", rule.code.id);
        }
    }

    #[test]
    fn every_rule_documents_a_bad_and_a_good_example() {
        for rule in RULES {
            let doc = rule.documentation();
            assert!(doc.contains("Bad:") && doc.contains("Good:"), "{} lacks examples", rule.code.id);
            assert!(doc.contains("```yaml"), "{} lacks a YAML example", rule.code.id);
        }
    }
}
