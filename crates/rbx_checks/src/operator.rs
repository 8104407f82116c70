use serde_json::Value;

use crate::compiled_regex::CompiledRegex;
use crate::json_type::JsonType;
use crate::json_value::{kind_name, truncate_chars};
use crate::number::Decimal;
use crate::operator_error::OperatorError;
use crate::suggest::did_you_mean;

/// Every operator name a check may use, in the order the format reference lists them.
pub const OPERATOR_NAMES: &[&str] = &[
    "equals",
    "not_equals",
    "lt",
    "le",
    "gt",
    "ge",
    "contains",
    "not_contains",
    "matches",
    "one_of",
    "exists",
    "empty",
    "length",
    "count",
    "type",
];

/// The operators allowed inside `length: { … }` and `count: { … }`.
pub const MEASURE_OPERATOR_NAMES: &[&str] = &["equals", "not_equals", "lt", "le", "gt", "ge"];

/// One test applied to the value a check's path selects.
///
/// Operands are kept as written: they may be templates that an [`OperandResolver`](crate::OperandResolver)
/// renders when the check is evaluated.
#[derive(Debug, Clone, PartialEq)]
pub enum Operator {
    /// JSON equality (`1` equals `1.0`; `"1"` does not equal `1`).
    Equals(Value),
    /// The negation of [`Operator::Equals`].
    NotEquals(Value),
    /// Less than: two numbers, or two strings by code point.
    Lt(Value),
    /// Less than or equal.
    Le(Value),
    /// Greater than.
    Gt(Value),
    /// Greater than or equal.
    Ge(Value),
    /// Substring of a string, element of an array, or key of an object.
    Contains(Value),
    /// The negation of [`Operator::Contains`] (still fails on a subject that cannot contain).
    NotContains(Value),
    /// A regular expression found anywhere in a string (or in a number's JSON text).
    Matches(CompiledRegex),
    /// JSON-equal to one of the listed values.
    OneOf(Vec<Value>),
    /// Whether the path selects anything.
    Exists(bool),
    /// Whether the value is `""`, `[]`, `{}` or `null`.
    Empty(bool),
    /// The length of a string (in characters), an array or an object.
    Length(Measure),
    /// The number of nodes the path selects.
    Count(Measure),
    /// The value's JSON type.
    Type(JsonType),
}

/// What `length` and `count` compare a size with.
#[derive(Debug, Clone, PartialEq)]
pub enum Measure {
    /// `length: 3`: the size equals this number (or a template that renders to one).
    Exactly(Value),
    /// `length: { gt: 0, le: 10 }`: every comparison holds; only `equals`, `not_equals`, `lt`,
    /// `le`, `gt` and `ge` appear here.
    Compare(Vec<Operator>),
}

impl Operator {
    /// Builds the operator `name` with its `operand`, checking the operand's shape up front.
    pub fn parse(name: &str, operand: &Value) -> Result<Operator, OperatorError> {
        let operator = match name {
            "equals" => Operator::Equals(operand.clone()),
            "not_equals" => Operator::NotEquals(operand.clone()),
            "lt" => Operator::Lt(ordered_operand("lt", operand)?),
            "le" => Operator::Le(ordered_operand("le", operand)?),
            "gt" => Operator::Gt(ordered_operand("gt", operand)?),
            "ge" => Operator::Ge(ordered_operand("ge", operand)?),
            "contains" => Operator::Contains(operand.clone()),
            "not_contains" => Operator::NotContains(operand.clone()),
            "matches" => Operator::Matches(CompiledRegex::new(string_operand("matches", operand)?)?),
            "one_of" => Operator::OneOf(list_operand(operand)?),
            "exists" => Operator::Exists(bool_operand("exists", operand)?),
            "empty" => Operator::Empty(bool_operand("empty", operand)?),
            "length" => Operator::Length(Measure::parse("length", operand)?),
            "count" => Operator::Count(Measure::parse("count", operand)?),
            "type" => Operator::Type(type_operand(operand)?),
            _ => {
                return Err(OperatorError::UnknownOperator {
                    name: name.to_owned(),
                    suggestion: did_you_mean(name, OPERATOR_NAMES),
                });
            }
        };
        Ok(operator)
    }

    /// The operator's name as a runbook writes it (`not_equals`).
    pub fn name(&self) -> &'static str {
        match self {
            Operator::Equals(_) => "equals",
            Operator::NotEquals(_) => "not_equals",
            Operator::Lt(_) => "lt",
            Operator::Le(_) => "le",
            Operator::Gt(_) => "gt",
            Operator::Ge(_) => "ge",
            Operator::Contains(_) => "contains",
            Operator::NotContains(_) => "not_contains",
            Operator::Matches(_) => "matches",
            Operator::OneOf(_) => "one_of",
            Operator::Exists(_) => "exists",
            Operator::Empty(_) => "empty",
            Operator::Length(_) => "length",
            Operator::Count(_) => "count",
            Operator::Type(_) => "type",
        }
    }

    /// The operand as written (before any template is rendered), for reports and failures.
    pub fn operand(&self) -> Value {
        match self {
            Operator::Equals(value)
            | Operator::NotEquals(value)
            | Operator::Lt(value)
            | Operator::Le(value)
            | Operator::Gt(value)
            | Operator::Ge(value)
            | Operator::Contains(value)
            | Operator::NotContains(value) => value.clone(),
            Operator::Matches(regex) => Value::String(regex.source().to_owned()),
            Operator::OneOf(values) => Value::Array(values.clone()),
            Operator::Exists(flag) | Operator::Empty(flag) => Value::Bool(*flag),
            Operator::Length(measure) | Operator::Count(measure) => measure.operand(),
            Operator::Type(json_type) => Value::String(json_type.name().to_owned()),
        }
    }
}

impl Measure {
    /// Builds the operand of `length` or `count` (named by `measure`).
    pub fn parse(measure: &'static str, operand: &Value) -> Result<Measure, OperatorError> {
        match operand {
            Value::Number(number) => match Decimal::from_number(number) {
                Some(size) if size.is_integer() && !size.is_negative() => Ok(Measure::Exactly(operand.clone())),
                _ => Err(wrong_operand(measure, MEASURE_EXPECTED, operand)),
            },
            // A template such as "{{inputs.max_rows}}"; it must render to a number.
            Value::String(_) => Ok(Measure::Exactly(operand.clone())),
            Value::Object(comparisons) if comparisons.is_empty() => Err(OperatorError::EmptyMeasure { measure }),
            Value::Object(comparisons) => comparisons
                .iter()
                .map(|(name, operand)| measure_comparison(measure, name, operand))
                .collect::<Result<Vec<_>, _>>()
                .map(Measure::Compare),
            _ => Err(wrong_operand(measure, MEASURE_EXPECTED, operand)),
        }
    }

    /// The operand as written: a number (or template), or a mapping of comparisons.
    pub fn operand(&self) -> Value {
        match self {
            Measure::Exactly(value) => value.clone(),
            Measure::Compare(operators) => Value::Object(
                operators.iter().map(|operator| (operator.name().to_owned(), operator.operand())).collect(),
            ),
        }
    }
}

const MEASURE_EXPECTED: &str = "a non-negative integer or a mapping of comparisons such as `{ gt: 0 }`";

fn measure_comparison(measure: &'static str, name: &str, operand: &Value) -> Result<Operator, OperatorError> {
    let Some(op) = MEASURE_OPERATOR_NAMES.iter().copied().find(|op| *op == name) else {
        return Err(if OPERATOR_NAMES.contains(&name) {
            OperatorError::NotAllowedInMeasure { measure, op: name.to_owned() }
        } else {
            OperatorError::UnknownOperator {
                name: name.to_owned(),
                suggestion: did_you_mean(name, MEASURE_OPERATOR_NAMES),
            }
        });
    };
    match operand {
        Value::Number(_) | Value::String(_) => Operator::parse(op, operand),
        _ => Err(wrong_operand(op, "a number", operand)),
    }
}

fn ordered_operand(op: &'static str, operand: &Value) -> Result<Value, OperatorError> {
    match operand {
        Value::Number(_) | Value::String(_) => Ok(operand.clone()),
        _ => Err(wrong_operand(op, "a number or a string", operand)),
    }
}

fn string_operand<'a>(op: &'static str, operand: &'a Value) -> Result<&'a str, OperatorError> {
    operand.as_str().ok_or_else(|| wrong_operand(op, "a string", operand))
}

fn list_operand(operand: &Value) -> Result<Vec<Value>, OperatorError> {
    match operand {
        Value::Array(values) => Ok(values.clone()),
        _ => Err(wrong_operand("one_of", "a list", operand)),
    }
}

fn bool_operand(op: &'static str, operand: &Value) -> Result<bool, OperatorError> {
    operand.as_bool().ok_or_else(|| wrong_operand(op, "true or false", operand))
}

fn type_operand(operand: &Value) -> Result<JsonType, OperatorError> {
    let Value::String(name) = operand else {
        return Err(wrong_operand(
            "type",
            "a type name: string, number, integer, boolean, array, object or \"null\" (quoted)",
            operand,
        ));
    };
    JsonType::from_name(name).ok_or_else(|| {
        let names = JsonType::ALL.map(JsonType::name);
        OperatorError::UnknownType { name: name.clone(), suggestion: did_you_mean(name, &names) }
    })
}

fn wrong_operand(op: &'static str, expected: &'static str, operand: &Value) -> OperatorError {
    OperatorError::WrongOperand { op, expected, found: describe_operand(operand) }
}

/// A short description of a written operand: its kind and (the start of) its JSON text.
fn describe_operand(operand: &Value) -> String {
    match operand {
        // YAML reads a bare `null`, `~` or an empty value as null.
        Value::Null => "nothing (null)".to_owned(),
        _ => format!("{} {}", kind_name(operand), truncate_chars(&operand.to_string(), 60)),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn parse(name: &str, operand: Value) -> Operator {
        Operator::parse(name, &operand).unwrap_or_else(|error| panic!("{name}: {error}"))
    }

    fn error(name: &str, operand: Value) -> String {
        match Operator::parse(name, &operand) {
            Ok(operator) => panic!("{name} should fail, parsed {operator:?}"),
            Err(error) => error.to_string(),
        }
    }

    #[test]
    fn every_listed_name_parses_and_names_itself() {
        let operands = [
            json!(1),
            json!(1),
            json!(1),
            json!(1),
            json!(1),
            json!(1),
            json!("a"),
            json!("a"),
            json!("a"),
            json!([1]),
            json!(true),
            json!(true),
            json!(1),
            json!(1),
            json!("string"),
        ];
        for (name, operand) in OPERATOR_NAMES.iter().zip(operands) {
            assert_eq!(parse(name, operand).name(), *name);
        }
    }

    #[test]
    fn operands_are_kept_as_written() {
        assert_eq!(parse("equals", json!({"a": [1]})), Operator::Equals(json!({"a": [1]})));
        assert_eq!(parse("one_of", json!([1, "x"])).operand(), json!([1, "x"]));
        assert_eq!(parse("matches", json!("^v\\d")).operand(), json!("^v\\d"));
        assert_eq!(parse("type", json!("null")), Operator::Type(JsonType::Null));
        assert_eq!(parse("length", json!({"gt": 0, "le": 10})).operand(), json!({"gt": 0, "le": 10}));
        assert_eq!(parse("count", json!("{{inputs.n}}")), Operator::Count(Measure::Exactly(json!("{{inputs.n}}"))));
    }

    #[test]
    fn measures_take_comparisons() {
        let Operator::Length(Measure::Compare(operators)) = parse("length", json!({"gt": 0, "le": "{{inputs.max}}"}))
        else {
            panic!("expected a comparison measure");
        };
        assert_eq!(operators, vec![Operator::Gt(json!(0)), Operator::Le(json!("{{inputs.max}}"))]);
    }

    #[test]
    fn unknown_names_suggest_the_closest_operator() {
        assert_eq!(
            Operator::parse("equal", &json!(1)),
            Err(OperatorError::UnknownOperator { name: "equal".into(), suggestion: Some("equals".into()) })
        );
        assert_eq!(error("gte", json!(1)), "unknown operator `gte`; did you mean `ge`?");
        assert_eq!(error("frobnicate", json!(1)), "unknown operator `frobnicate`");
    }

    #[test]
    fn wrong_operands_say_what_was_expected() {
        assert_eq!(error("lt", json!([1])), "`lt` takes a number or a string, found array [1]");
        assert_eq!(error("exists", json!("yes")), "`exists` takes true or false, found string \"yes\"");
        assert_eq!(error("one_of", json!(1)), "`one_of` takes a list, found number 1");
        assert_eq!(error("matches", json!(5)), "`matches` takes a string, found number 5");
        assert_eq!(
            error("type", json!(null)),
            "`type` takes a type name: string, number, integer, boolean, array, object or \"null\" (quoted), found nothing (null)"
        );
        assert_eq!(
            error("empty", json!("x".repeat(100))),
            format!("`empty` takes true or false, found string \"{}…", "x".repeat(59))
        );
    }

    #[test]
    fn bad_regexes_and_types_are_load_errors() {
        assert_eq!(error("matches", json!("(")), "invalid regular expression `(`: unclosed group");
        assert_eq!(
            error("type", json!("int")),
            "unknown type `int` (expected string, number, integer, boolean, array, object or \"null\"); did you mean `integer`?"
        );
    }

    #[test]
    fn measures_reject_what_cannot_be_a_size() {
        assert_eq!(
            error("length", json!(-1)),
            "`length` takes a non-negative integer or a mapping of comparisons such as `{ gt: 0 }`, found number -1"
        );
        assert!(error("count", json!(1.5)).starts_with("`count` takes a non-negative integer"));
        assert!(error("count", json!(true)).starts_with("`count` takes a non-negative integer"));
        assert!(Operator::parse("length", &serde_json::from_str("3.0").unwrap_or_default()).is_ok());
        assert_eq!(
            error("length", json!({})),
            "`length` needs a number or at least one comparison such as `{ gt: 0 }`"
        );
        assert_eq!(
            error("count", json!({"contains": 1})),
            "`contains` cannot be used inside `count`; use equals, not_equals, lt, le, gt or ge"
        );
        assert_eq!(error("length", json!({"gte": 1})), "unknown operator `gte`; did you mean `ge`?");
        assert_eq!(error("length", json!({"gt": [1]})), "`gt` takes a number, found array [1]");
        assert_eq!(error("length", json!({"equals": null})), "`equals` takes a number, found nothing (null)");
    }
}
