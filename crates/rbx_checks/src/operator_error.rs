use crate::compiled_regex::RegexError;

/// Why an operator and its operand could not be turned into an [`Operator`](crate::Operator).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OperatorError {
    /// The name is not an operator (or not one allowed where it was written).
    #[error("unknown operator `{name}`{}", did_you_mean(suggestion))]
    UnknownOperator {
        /// The name as written.
        name: String,
        /// The operator probably meant.
        suggestion: Option<String>,
    },
    /// The operand has the wrong JSON type or value for the operator.
    #[error("`{op}` takes {expected}, found {found}")]
    WrongOperand {
        /// The operator's name.
        op: &'static str,
        /// What the operator takes, as a noun phrase (`a list`).
        expected: &'static str,
        /// What was written instead, described briefly.
        found: String,
    },
    /// The `matches` pattern is not a valid regular expression.
    #[error("invalid regular expression `{pattern}`: {message}")]
    BadRegex {
        /// The pattern as written.
        pattern: String,
        /// What is wrong with it.
        message: String,
    },
    /// The `type` operand names no JSON type.
    #[error(
        "unknown type `{name}` (expected string, number, integer, boolean, array, object or \"null\"){}",
        did_you_mean(suggestion)
    )]
    UnknownType {
        /// The name as written.
        name: String,
        /// The type probably meant.
        suggestion: Option<String>,
    },
    /// An operator other than a comparison was written inside `length` or `count`.
    #[error("`{op}` cannot be used inside `{measure}`; use equals, not_equals, lt, le, gt or ge")]
    NotAllowedInMeasure {
        /// `length` or `count`.
        measure: &'static str,
        /// The operator written inside it.
        op: String,
    },
    /// `length` or `count` was given an empty mapping.
    #[error("`{measure}` needs a number or at least one comparison such as `{{ gt: 0 }}`")]
    EmptyMeasure {
        /// `length` or `count`.
        measure: &'static str,
    },
}

fn did_you_mean(suggestion: &Option<String>) -> String {
    match suggestion {
        Some(suggestion) => format!("; did you mean `{suggestion}`?"),
        None => String::new(),
    }
}

impl From<RegexError> for OperatorError {
    fn from(error: RegexError) -> Self {
        OperatorError::BadRegex { pattern: error.pattern, message: error.message }
    }
}
