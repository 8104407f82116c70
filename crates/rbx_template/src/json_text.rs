//! How JSON values read as text, compare, and count as true.

use std::borrow::Cow;
use std::fmt::Write as _;

use serde_json::Value;

/// A value as text: a string as it is, anything else as compact JSON (`null`, `[1,2]`).
pub(crate) fn to_text(value: &Value) -> Cow<'_, str> {
    match value {
        Value::String(text) => Cow::Borrowed(text),
        other => Cow::Owned(compact_json(other)),
    }
}

/// Appends a value as text (see [`to_text`]).
pub(crate) fn push_text(value: &Value, out: &mut String) {
    match value {
        Value::String(text) => out.push_str(text),
        other => out.push_str(&compact_json(other)),
    }
}

/// Compact JSON. Serializing a `Value` cannot fail (its keys are strings), so the error arm
/// is unreachable in practice and yields `null` rather than a panic.
pub(crate) fn compact_json(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

/// The type of a value in words, for error messages (never the value: it may be secret).
pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Handlebars truthiness: `false`, `null`, `0`, `""`, `[]` and `{}` are false (`0` is true
/// with `include_zero`).
pub(crate) fn is_truthy(value: &Value, include_zero: bool) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(flag) => *flag,
        Value::Number(number) => match number.as_f64() {
            Some(float) if include_zero => !float.is_nan(),
            Some(float) => float != 0.0 && !float.is_nan(),
            None => false,
        },
        Value::String(text) => !text.is_empty(),
        Value::Array(items) => !items.is_empty(),
        Value::Object(map) => !map.is_empty(),
    }
}

/// JSON equality where `1` equals `1.0` and key order does not matter.
pub(crate) fn json_equal(left: &Value, right: &Value) -> bool {
    canonical_key(left) == canonical_key(right)
}

/// A text that is equal for exactly the values [`json_equal`] calls equal, for hashing.
pub(crate) fn canonical_key(value: &Value) -> String {
    let mut out = String::new();
    push_canonical(value, &mut out);
    out
}

fn push_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Number(number) => push_canonical_number(number, out),
        Value::Array(items) => {
            out.push('[');
            for (position, item) in items.iter().enumerate() {
                if position > 0 {
                    out.push(',');
                }
                push_canonical(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by_key(|&(key, _)| key);
            out.push('{');
            for (position, (key, item)) in entries.into_iter().enumerate() {
                if position > 0 {
                    out.push(',');
                }
                out.push_str(&compact_json(&Value::String(key.clone())));
                out.push(':');
                push_canonical(item, out);
            }
            out.push('}');
        }
        other => out.push_str(&compact_json(other)),
    }
}

fn push_canonical_number(number: &serde_json::Number, out: &mut String) {
    if let Some(integer) = number.as_i64() {
        let _ = write!(out, "{integer}");
    } else if let Some(integer) = number.as_u64() {
        let _ = write!(out, "{integer}");
    } else if let Some(float) = number.as_f64() {
        // Integral floats within the exact range print as integers, so `1.0` keys like `1`.
        if float.fract() == 0.0 && float.abs() < 9.0e15 {
            let _ = write!(out, "{}", float as i64);
        } else {
            let _ = write!(out, "{float:e}");
        }
    } else {
        out.push_str(&number.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_read_as_they_are_and_the_rest_as_json() {
        assert_eq!(to_text(&json!("a \"b\"")), "a \"b\"");
        assert_eq!(to_text(&json!({"a": [1, null]})), r#"{"a":[1,null]}"#);
        assert_eq!(to_text(&json!([1, 2])), "[1,2]");
        assert_eq!(to_text(&Value::Null), "null");
        assert_eq!(to_text(&json!(1.5)), "1.5");
        assert_eq!(to_text(&json!(true)), "true");
    }

    #[test]
    fn equality_ignores_number_spelling_and_key_order() {
        let one_float: Value = serde_json::from_str("1.0").unwrap_or(Value::Null);
        assert!(json_equal(&json!(1), &one_float));
        assert!(json_equal(&json!({"a": 1, "b": 2}), &json!({"b": 2, "a": 1})));
        assert!(!json_equal(&json!("1"), &json!(1)));
        assert!(!json_equal(&json!([1, 2]), &json!([2, 1])));
        assert!(json_equal(&json!(0.5), &json!(0.5)));
    }

    #[test]
    fn truthiness_follows_handlebars() {
        for falsy in [json!(null), json!(false), json!(0), json!(""), json!([]), json!({})] {
            assert!(!is_truthy(&falsy, false), "{falsy}");
        }
        for truthy in [json!(true), json!(-1), json!("0"), json!([0]), json!({"a": 0})] {
            assert!(is_truthy(&truthy, false), "{truthy}");
        }
        assert!(is_truthy(&json!(0), true));
    }
}
