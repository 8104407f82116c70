use std::fmt;

use regex::Regex;

/// A regular expression (Rust `regex` syntax) compiled once, keeping the text it was written as.
#[derive(Debug, Clone)]
pub struct CompiledRegex {
    regex: Regex,
}

/// Why a regular expression did not compile. Displays as the bare problem (`unclosed group`)
/// for the caller to prefix with what it was compiling.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct RegexError {
    /// The pattern as written.
    pub pattern: String,
    /// What is wrong, as a lowercase fragment (`unclosed group`).
    pub message: String,
}

impl CompiledRegex {
    /// Compiles `pattern`; it matches anywhere in a string unless anchored with `^…$`.
    pub fn new(pattern: &str) -> Result<CompiledRegex, RegexError> {
        Regex::new(pattern)
            .map(|regex| CompiledRegex { regex })
            .map_err(|error| RegexError { pattern: pattern.to_owned(), message: short_message(&error) })
    }

    /// The pattern as written.
    pub fn source(&self) -> &str {
        self.regex.as_str()
    }

    /// The compiled expression.
    pub fn regex(&self) -> &Regex {
        &self.regex
    }
}

/// The regex crate prints syntax errors over several lines with a caret under the pattern; a
/// diagnostic wants the last line (`error: unclosed group`) without its prefix.
fn short_message(error: &regex::Error) -> String {
    match error {
        regex::Error::Syntax(text) => {
            let last = text.lines().rev().find(|line| !line.trim().is_empty()).unwrap_or(text);
            last.trim().trim_start_matches("error:").trim().to_owned()
        }
        regex::Error::CompiledTooBig(limit) => {
            format!("the compiled expression would be larger than the {limit} byte limit")
        }
        other => other.to_string(),
    }
}

impl PartialEq for CompiledRegex {
    fn eq(&self, other: &Self) -> bool {
        self.source() == other.source()
    }
}

impl Eq for CompiledRegex {}

impl fmt::Display for CompiledRegex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.source())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_source_and_searches_unanchored() {
        let regex = CompiledRegex::new("PONG").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(regex.source(), "PONG");
        assert!(regex.regex().is_match("+PONG\r\n"));
    }

    #[test]
    fn syntax_errors_become_one_lowercase_line() {
        let error = CompiledRegex::new("v(\\d+").unwrap_err();
        assert_eq!(error.message, "unclosed group");
        assert_eq!(error.to_string(), "unclosed group");
        assert_eq!(error.pattern, "v(\\d+");
    }

    #[test]
    fn oversized_expressions_are_errors_not_hangs() {
        let error = CompiledRegex::new("(((a{100}){100}){100}){100}").unwrap_err();
        assert!(error.message.contains("limit"), "{}", error.message);
    }
}
