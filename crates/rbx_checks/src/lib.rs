//! Checks over JSON: a JSONPath (RFC 9535) selects nodes and operators test them.
//!
//! Everything here is parsed once, when a runbook loads ([`CompiledPath::parse`],
//! [`Operator::parse`]), and evaluated many times ([`Check::evaluate`], [`capture`]).
//! Evaluation never fails and never panics: whatever goes wrong becomes a [`CheckFailure`].

#![warn(missing_docs)]

mod capture;
mod check;
mod check_result;
mod compiled_regex;
mod evaluation;
mod json_type;
mod json_value;
mod number;
mod operator;
mod operator_error;
mod path;
mod resolver;
mod suggest;

pub use capture::{CaptureError, capture};
pub use check::{Check, CheckKind, evaluate_all};
pub use check_result::{CheckFailure, CheckResult};
pub use compiled_regex::{CompiledRegex, RegexError};
pub use json_type::JsonType;
pub use operator::{MEASURE_OPERATOR_NAMES, Measure, OPERATOR_NAMES, Operator};
pub use operator_error::OperatorError;
pub use path::{CompiledPath, PathError};
pub use resolver::{Literal, OperandResolver};
