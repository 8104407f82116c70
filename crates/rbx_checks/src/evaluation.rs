//! Applying one operator to what a path selected.

use std::borrow::Cow;
use std::cmp::Ordering;

use serde_json::Value;

use crate::compiled_regex::CompiledRegex;
use crate::json_value::{compare_ordered, is_empty, json_equal, kind_name, kind_with_article, preview};
use crate::number::Decimal;
use crate::operator::{Measure, Operator};
use crate::resolver::OperandResolver;

/// What a path selected: one node is its value, several an array of them, none nothing.
pub(crate) struct Selection<'a> {
    count: usize,
    value: Option<Cow<'a, Value>>,
}

impl<'a> Selection<'a> {
    pub(crate) fn new(nodes: Vec<&'a Value>) -> Selection<'a> {
        let count = nodes.len();
        let value = match nodes.as_slice() {
            [] => None,
            [one] => Some(Cow::Borrowed(*one)),
            _ => Some(Cow::Owned(Value::Array(nodes.into_iter().cloned().collect()))),
        };
        Selection { count, value }
    }

    fn value(&self) -> Option<&Value> {
        self.value.as_deref()
    }
}

/// One operator (or one comparison inside `length`/`count`) applied to a selection.
#[derive(Debug)]
pub(crate) struct Evaluation {
    /// `equals`, or `length gt` for a comparison inside a measure.
    pub(crate) operator: String,
    pub(crate) expected: Value,
    pub(crate) actual: Option<Value>,
    pub(crate) verdict: Verdict,
}

/// Whether an operator held.
#[derive(Debug, PartialEq)]
pub(crate) enum Verdict {
    Held,
    /// It did not hold, with the reason when the values alone do not say it.
    Failed(Option<String>),
    /// It could not be evaluated (an operand did not render); a failure even under `not:`.
    Unresolved(String),
}

impl Verdict {
    fn from_bool(held: bool) -> Verdict {
        if held { Verdict::Held } else { Verdict::Failed(None) }
    }

    fn from_result(result: Result<bool, String>) -> Verdict {
        match result {
            Ok(held) => Verdict::from_bool(held),
            Err(reason) => Verdict::Failed(Some(reason)),
        }
    }
}

/// Applies `operator` to `selection`, appending one evaluation (several for a measure with
/// several comparisons) to `out`.
pub(crate) fn evaluate_operator(
    operator: &Operator,
    selection: &Selection<'_>,
    resolver: &dyn OperandResolver,
    out: &mut Vec<Evaluation>,
) {
    let subject = selection.value();
    let name = operator.name();
    let evaluation = match operator {
        Operator::Exists(wanted) => {
            plain(name, Value::Bool(*wanted), subject, Verdict::from_bool(subject.is_some() == *wanted))
        }
        Operator::Count(measure) => return evaluate_measure("count", measure, selection.count, resolver, out),
        Operator::Length(measure) => match subject.map(length_of) {
            Some(Ok(length)) => return evaluate_measure("length", measure, length, resolver, out),
            Some(Err(reason)) => plain(name, measure.operand(), subject, Verdict::Failed(Some(reason))),
            None => plain(name, measure.operand(), None, Verdict::Failed(None)),
        },
        Operator::Matches(regex) => {
            let verdict = subject.map_or(Verdict::Failed(None), |s| Verdict::from_result(search(regex, s)));
            plain(name, Value::String(regex.source().to_owned()), subject, verdict)
        }
        Operator::Empty(wanted) => {
            let verdict = subject.map_or(Verdict::Failed(None), |s| Verdict::from_bool(is_empty(s) == *wanted));
            plain(name, Value::Bool(*wanted), subject, verdict)
        }
        Operator::Type(json_type) => {
            let verdict = subject.map_or(Verdict::Failed(None), |s| Verdict::from_bool(json_type.holds_for(s)));
            plain(name, Value::String(json_type.name().to_owned()), subject, verdict)
        }
        Operator::OneOf(candidates) => match resolve_all(candidates, resolver) {
            Ok(candidates) => {
                let verdict = subject.map_or(Verdict::Failed(None), |s| {
                    Verdict::from_bool(candidates.iter().any(|candidate| json_equal(s, candidate)))
                });
                plain(name, Value::Array(candidates), subject, verdict)
            }
            Err(reason) => plain(name, operator.operand(), subject, Verdict::Unresolved(reason)),
        },
        Operator::Equals(operand)
        | Operator::NotEquals(operand)
        | Operator::Lt(operand)
        | Operator::Le(operand)
        | Operator::Gt(operand)
        | Operator::Ge(operand)
        | Operator::Contains(operand)
        | Operator::NotContains(operand) => match resolve(operand, resolver) {
            Ok(expected) => {
                let verdict = subject.map_or(Verdict::Failed(None), |s| compare(operator, s, &expected));
                plain(name, expected.into_owned(), subject, verdict)
            }
            Err(reason) => plain(name, operand.clone(), subject, Verdict::Unresolved(reason)),
        },
    };
    out.push(evaluation);
}

fn plain(operator: &str, expected: Value, actual: Option<&Value>, verdict: Verdict) -> Evaluation {
    Evaluation { operator: operator.to_owned(), expected, actual: actual.cloned(), verdict }
}

/// The binary operators: `subject <operator> expected`.
fn compare(operator: &Operator, subject: &Value, expected: &Value) -> Verdict {
    match operator {
        Operator::Equals(_) => Verdict::from_bool(json_equal(subject, expected)),
        Operator::NotEquals(_) => Verdict::from_bool(!json_equal(subject, expected)),
        Operator::Contains(_) => Verdict::from_result(contains(subject, expected)),
        Operator::NotContains(_) => Verdict::from_result(contains(subject, expected).map(|found| !found)),
        _ => match ordering_test(operator) {
            Some(test) => Verdict::from_result(compare_ordered(subject, expected).map(test)),
            None => Verdict::Unresolved(format!("`{}` is not a comparison", operator.name())),
        },
    }
}

/// The test on `subject.cmp(expected)` that a comparison operator makes.
fn ordering_test(operator: &Operator) -> Option<fn(Ordering) -> bool> {
    match operator {
        Operator::Equals(_) => Some(Ordering::is_eq),
        Operator::NotEquals(_) => Some(Ordering::is_ne),
        Operator::Lt(_) => Some(Ordering::is_lt),
        Operator::Le(_) => Some(Ordering::is_le),
        Operator::Gt(_) => Some(Ordering::is_gt),
        Operator::Ge(_) => Some(Ordering::is_ge),
        _ => None,
    }
}

/// Substring of a string, element of an array (JSON equality), key of an object.
fn contains(subject: &Value, needle: &Value) -> Result<bool, String> {
    match (subject, needle) {
        (Value::String(text), Value::String(part)) => Ok(text.contains(part.as_str())),
        (Value::Array(items), _) => Ok(items.iter().any(|item| json_equal(item, needle))),
        (Value::Object(members), Value::String(key)) => Ok(members.contains_key(key)),
        (Value::String(_) | Value::Object(_), _) => {
            Err(format!("{} can only contain a string, not {}", kind_with_article(subject), kind_with_article(needle)))
        }
        _ => Err(format!("{} contains nothing (only strings, arrays and objects do)", kind_with_article(subject))),
    }
}

/// Searches a string, or the JSON text of a number (so `matches: "^5"` works on a status code).
fn search(regex: &CompiledRegex, subject: &Value) -> Result<bool, String> {
    match subject {
        Value::String(text) => Ok(regex.regex().is_match(text)),
        Value::Number(number) => Ok(regex.regex().is_match(&number.to_string())),
        _ => Err(format!("{} is not text (`matches` applies to strings and numbers)", kind_with_article(subject))),
    }
}

/// Characters of a string, elements of an array, members of an object.
fn length_of(subject: &Value) -> Result<usize, String> {
    match subject {
        Value::String(text) => Ok(text.chars().count()),
        Value::Array(items) => Ok(items.len()),
        Value::Object(members) => Ok(members.len()),
        _ => Err(format!("{} has no length (only strings, arrays and objects do)", kind_with_article(subject))),
    }
}

/// Compares a size (`length` or `count`) with the measure's number or each of its comparisons.
fn evaluate_measure(
    measure: &'static str,
    expected: &Measure,
    size: usize,
    resolver: &dyn OperandResolver,
    out: &mut Vec<Evaluation>,
) {
    match expected {
        Measure::Exactly(operand) => {
            out.push(compare_size(measure.to_owned(), operand, Ordering::is_eq, size, resolver));
        }
        Measure::Compare(comparisons) => {
            for comparison in comparisons {
                let label = format!("{measure} {}", comparison.name());
                let operand = comparison.operand();
                out.push(match ordering_test(comparison) {
                    Some(test) => compare_size(label, &operand, test, size, resolver),
                    None => Evaluation {
                        operator: label,
                        expected: operand,
                        actual: Some(Value::from(size)),
                        verdict: Verdict::Unresolved(format!(
                            "`{}` cannot be used inside `{measure}`",
                            comparison.name()
                        )),
                    },
                });
            }
        }
    }
}

fn compare_size(
    operator: String,
    operand: &Value,
    test: fn(Ordering) -> bool,
    size: usize,
    resolver: &dyn OperandResolver,
) -> Evaluation {
    let actual = Some(Value::from(size));
    let resolved = match resolve(operand, resolver) {
        Ok(resolved) => resolved.into_owned(),
        Err(reason) => {
            return Evaluation { operator, expected: operand.clone(), actual, verdict: Verdict::Unresolved(reason) };
        }
    };
    let verdict = match size_operand(&resolved) {
        Some(bound) => Verdict::from_bool(test(Decimal::from_count(size).cmp(&bound))),
        None => Verdict::Unresolved(format!(
            "a size compares with a number, not the {} {}",
            kind_name(&resolved),
            preview(&resolved)
        )),
    };
    Evaluation { operator, expected: resolved, actual, verdict }
}

/// A rendered size operand: a number, or text that is one (templates render to text).
fn size_operand(operand: &Value) -> Option<Decimal> {
    match operand {
        Value::Number(number) => Decimal::from_number(number),
        Value::String(text) => Decimal::parse(text.trim()),
        _ => None,
    }
}

fn resolve<'a>(operand: &'a Value, resolver: &dyn OperandResolver) -> Result<Cow<'a, Value>, String> {
    resolver.resolve(operand).map_err(|error| format!("cannot render the operand: {error}"))
}

fn resolve_all(operands: &[Value], resolver: &dyn OperandResolver) -> Result<Vec<Value>, String> {
    operands.iter().map(|operand| resolve(operand, resolver).map(Cow::into_owned)).collect()
}
