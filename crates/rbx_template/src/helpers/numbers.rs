//! `add`, `sub`, `mul`, `div`, `percent`: integers stay integers while the result is exact.

use serde_json::{Number, Value};

use super::{Helper, expected};

/// A number taken from an argument: a JSON number, or a string that reads as one (a value
/// captured with a regex is a string).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Num {
    Int(i128),
    Float(f64),
}

impl Num {
    pub(crate) fn from_value(value: &Value) -> Option<Num> {
        match value {
            Value::Number(number) => from_number(number),
            Value::String(text) => from_text(text.trim()),
            _ => None,
        }
    }

    pub(crate) fn as_f64(self) -> f64 {
        match self {
            Num::Int(integer) => integer as f64,
            Num::Float(float) => float,
        }
    }

    pub(crate) fn to_value(self) -> Result<Value, String> {
        match self {
            Num::Int(integer) => {
                if let Ok(small) = i64::try_from(integer) {
                    Ok(Value::from(small))
                } else if let Ok(large) = u64::try_from(integer) {
                    Ok(Value::from(large))
                } else {
                    Num::Float(integer as f64).to_value()
                }
            }
            Num::Float(float) => {
                Number::from_f64(float).map(Value::Number).ok_or_else(|| "the result is not a finite number".to_owned())
            }
        }
    }
}

fn from_number(number: &Number) -> Option<Num> {
    if let Some(integer) = number.as_i64() {
        Some(Num::Int(i128::from(integer)))
    } else if let Some(integer) = number.as_u64() {
        Some(Num::Int(i128::from(integer)))
    } else {
        number.as_f64().filter(|float| float.is_finite()).map(Num::Float)
    }
}

fn from_text(text: &str) -> Option<Num> {
    if let Ok(integer) = text.parse::<i64>() {
        return Some(Num::Int(i128::from(integer)));
    }
    if let Ok(integer) = text.parse::<u64>() {
        return Some(Num::Int(i128::from(integer)));
    }
    // Only plain decimal spellings: "inf", "NaN" and friends are not numbers here.
    let plain = text.bytes().all(|byte| byte.is_ascii_digit() || b"+-.eE".contains(&byte));
    text.parse::<f64>().ok().filter(|float| plain && float.is_finite()).map(Num::Float)
}

/// Reads argument `value` of `helper` as a number.
pub(crate) fn number_argument(value: &Value) -> Result<Num, String> {
    Num::from_value(value).ok_or_else(|| expected("a number", value))
}

pub(crate) fn arithmetic(helper: Helper, left: &Value, right: &Value) -> Result<Value, String> {
    let (left, right) = (number_argument(left)?, number_argument(right)?);
    let result = match helper {
        Helper::Add => combine(left, right, i128::checked_add, |a, b| a + b),
        Helper::Sub => combine(left, right, i128::checked_sub, |a, b| a - b),
        Helper::Mul => combine(left, right, i128::checked_mul, |a, b| a * b),
        Helper::Div => divide(left, right, "division by zero")?,
        Helper::Percent => percent(left, right)?,
        _ => return Err("not an arithmetic helper".to_owned()),
    };
    result.to_value()
}

fn combine(left: Num, right: Num, exact: fn(i128, i128) -> Option<i128>, float: fn(f64, f64) -> f64) -> Num {
    match (left, right) {
        (Num::Int(a), Num::Int(b)) => exact(a, b).map_or_else(|| Num::Float(float(a as f64, b as f64)), Num::Int),
        _ => Num::Float(float(left.as_f64(), right.as_f64())),
    }
}

fn divide(left: Num, right: Num, by_zero: &str) -> Result<Num, String> {
    if right.as_f64() == 0.0 {
        return Err(by_zero.to_owned());
    }
    Ok(match (left, right) {
        (Num::Int(a), Num::Int(b)) if a.checked_rem(b) == Some(0) => {
            a.checked_div(b).map_or(Num::Float(a as f64 / b as f64), Num::Int)
        }
        _ => Num::Float(left.as_f64() / right.as_f64()),
    })
}

/// `part * 100 / total`.
fn percent(part: Num, total: Num) -> Result<Num, String> {
    let hundred_times = combine(part, Num::Int(100), i128::checked_mul, |a, b| a * b);
    divide(hundred_times, total, "the total is zero")
}

#[cfg(test)]
mod tests {
    use crate::helpers::tests::call;
    use serde_json::{Value, json};

    fn float(text: &str) -> Value {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn integers_stay_integers() {
        assert_eq!(call("add", &[json!(1), json!(2)]), Ok(json!(3)));
        assert_eq!(call("sub", &[json!(1), json!(5)]), Ok(json!(-4)));
        assert_eq!(call("mul", &[json!(6), json!(7)]), Ok(json!(42)));
        assert_eq!(call("div", &[json!(10), json!(2)]), Ok(json!(5)));
        assert_eq!(call("add", &[json!(1), json!(2)]).map(|v| v.to_string()), Ok("3".into()));
    }

    #[test]
    fn inexact_results_are_floats() {
        assert_eq!(call("div", &[json!(7), json!(2)]), Ok(json!(3.5)));
        assert_eq!(call("add", &[json!(1.5), json!(1)]), Ok(json!(2.5)));
        assert_eq!(call("mul", &[float("0.5"), json!(3)]), Ok(json!(1.5)));
    }

    #[test]
    fn overflow_falls_back_to_floats() {
        let result = call("mul", &[json!(i64::MAX), json!(i64::MAX)]);
        assert!(matches!(result, Ok(Value::Number(n)) if n.as_f64().is_some_and(|f| f > 1e37)));
        assert_eq!(call("add", &[json!(i64::MAX), json!(1)]), Ok(json!(9223372036854775808u64)));
    }

    #[test]
    fn numeric_strings_count_as_numbers() {
        assert_eq!(call("add", &[json!("41"), json!(1)]), Ok(json!(42)));
        assert_eq!(call("add", &[json!(" 1.5 "), json!(1)]), Ok(json!(2.5)));
        assert!(call("add", &[json!("inf"), json!(1)]).is_err());
        assert!(call("add", &[json!("NaN"), json!(1)]).is_err());
    }

    #[test]
    fn division_by_zero_is_an_error() {
        assert_eq!(call("div", &[json!(1), json!(0)]), Err("division by zero".into()));
        assert_eq!(call("div", &[json!(1), json!(0.0)]), Err("division by zero".into()));
    }

    #[test]
    fn percent_of_a_total() {
        assert_eq!(call("percent", &[json!(5), json!(100)]), Ok(json!(5)));
        assert_eq!(call("percent", &[json!(3), json!(12)]), Ok(json!(25)));
        assert_eq!(call("percent", &[json!(1), json!(8)]), Ok(json!(12.5)));
        assert_eq!(call("percent", &[json!(1), json!(0)]), Err("the total is zero".into()));
    }

    #[test]
    fn non_numbers_are_refused_without_showing_the_value() {
        let error = call("add", &[json!("s3cr3t"), json!(1)]).unwrap_err();
        assert_eq!(error, "expected a number, got a string");
        assert_eq!(call("sub", &[json!([1]), json!(1)]), Err("expected a number, got a list".into()));
        assert!(call("mul", &[Value::Null, json!(1)]).is_err());
    }
}
