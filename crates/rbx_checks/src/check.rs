use serde_json::Value;

use crate::check_result::{CheckFailure, CheckResult};
use crate::evaluation::{Evaluation, Selection, Verdict, evaluate_operator};
use crate::operator::Operator;
use crate::path::CompiledPath;
use crate::resolver::OperandResolver;

/// One check of a `when`, `expect`, `until` or `assert` list.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// What the check tests.
    pub kind: CheckKind,
    /// The author's `message:`, attached to every failure of this check that has none from a
    /// check nested inside it.
    pub message: Option<String>,
}

/// The forms a check takes.
#[derive(Debug, Clone, PartialEq)]
pub enum CheckKind {
    /// `path:` with operators, all of which must hold.
    Path {
        /// Selects what the operators test.
        path: CompiledPath,
        /// The operators, in the order written.
        operators: Vec<Operator>,
    },
    /// `any:` holds when at least one of the checks holds.
    Any(Vec<Check>),
    /// `all:` holds when every check holds.
    All(Vec<Check>),
    /// `not:` holds when the check does not.
    Not(Box<Check>),
}

impl Check {
    /// A check of `kind` without a message.
    pub fn new(kind: CheckKind) -> Check {
        Check { kind, message: None }
    }

    /// Evaluates the check over `subject`, rendering operands with `resolver`; never panics.
    pub fn evaluate(&self, subject: &Value, resolver: &dyn OperandResolver) -> CheckResult {
        let mut failures = Vec::new();
        self.collect(subject, resolver, false, &mut failures);
        CheckResult::from_failures(failures)
    }

    /// Appends this check's failures to `out` (none when it holds). Under `negated`, the check
    /// is evaluated as `not:` of itself, pushed down by De Morgan's laws so that failures still
    /// name the path and operator (`not equals`).
    fn collect(&self, subject: &Value, resolver: &dyn OperandResolver, negated: bool, out: &mut Vec<CheckFailure>) {
        let start = out.len();
        match &self.kind {
            CheckKind::Path { path, operators } => collect_path(path, operators, subject, resolver, negated, out),
            CheckKind::Any(checks) if negated => all_of(checks, subject, resolver, true, out),
            CheckKind::Any(checks) => any_of(checks, subject, resolver, false, out),
            CheckKind::All(checks) if negated => any_of(checks, subject, resolver, true, out),
            CheckKind::All(checks) => all_of(checks, subject, resolver, false, out),
            CheckKind::Not(check) => check.collect(subject, resolver, !negated, out),
        }
        if let Some(message) = &self.message {
            for failure in &mut out[start..] {
                failure.message.get_or_insert_with(|| message.clone());
            }
        }
    }
}

/// Evaluates a list of checks (as `expect:` holds them): the result passes when all of them do.
pub fn evaluate_all(checks: &[Check], subject: &Value, resolver: &dyn OperandResolver) -> CheckResult {
    let mut failures = Vec::new();
    all_of(checks, subject, resolver, false, &mut failures);
    CheckResult::from_failures(failures)
}

fn all_of(
    checks: &[Check],
    subject: &Value,
    resolver: &dyn OperandResolver,
    negated: bool,
    out: &mut Vec<CheckFailure>,
) {
    for check in checks {
        check.collect(subject, resolver, negated, out);
    }
}

fn any_of(
    checks: &[Check],
    subject: &Value,
    resolver: &dyn OperandResolver,
    negated: bool,
    out: &mut Vec<CheckFailure>,
) {
    let start = out.len();
    for check in checks {
        let before = out.len();
        check.collect(subject, resolver, negated, out);
        if out.len() == before {
            out.truncate(start);
            return;
        }
    }
    if checks.is_empty() {
        out.push(CheckFailure {
            path: String::new(),
            operator: if negated { "not all" } else { "any" }.to_owned(),
            expected: Value::Array(Vec::new()),
            actual: None,
            reason: Some("there is no check that could hold".to_owned()),
            message: None,
        });
    }
}

fn collect_path(
    path: &CompiledPath,
    operators: &[Operator],
    subject: &Value,
    resolver: &dyn OperandResolver,
    negated: bool,
    out: &mut Vec<CheckFailure>,
) {
    let selection = Selection::new(path.select(subject));
    let mut evaluations = Vec::new();
    for operator in operators {
        evaluate_operator(operator, &selection, resolver, &mut evaluations);
    }
    if negated && operators.is_empty() {
        out.push(CheckFailure {
            path: path.source().to_owned(),
            operator: "not".to_owned(),
            expected: Value::Null,
            actual: None,
            reason: Some("a check with no operators always holds".to_owned()),
            message: None,
        });
        return;
    }
    // Under `not:` one operator that does not hold is enough for the check to hold, and the
    // operators that held are the failures; an operand that could not be rendered is reported
    // whatever the other operators did.
    let some_failed = evaluations.iter().any(|evaluation| matches!(evaluation.verdict, Verdict::Failed(_)));
    let some_unresolved = evaluations.iter().any(|evaluation| matches!(evaluation.verdict, Verdict::Unresolved(_)));
    let report_held = negated && !some_failed && !some_unresolved;
    for Evaluation { operator, expected, actual, verdict } in evaluations {
        let reason = match verdict {
            Verdict::Held if report_held => None,
            Verdict::Held => continue,
            Verdict::Failed(_) if negated => continue,
            Verdict::Failed(reason) => reason,
            Verdict::Unresolved(reason) => Some(reason),
        };
        out.push(CheckFailure {
            path: path.source().to_owned(),
            operator: if negated { format!("not {operator}") } else { operator },
            expected,
            actual,
            reason,
            message: None,
        });
    }
}

#[cfg(test)]
mod tests;
