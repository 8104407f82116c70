//! Equality, ordering and short descriptions of JSON values, as checks need them.

use std::cmp::Ordering;

use serde_json::Value;

use crate::number::compare_numbers;

/// Longest rendering of a value in a failure message, in characters.
pub(crate) const PREVIEW_CHARS: usize = 200;

/// JSON equality: numbers compare by value (`1` equals `1.0`), arrays element by element, objects
/// by their keys and values whatever the key order; values of different kinds are never equal.
pub(crate) fn json_equal(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(left), Value::Bool(right)) => left == right,
        (Value::Number(left), Value::Number(right)) => compare_numbers(left, right) == Ordering::Equal,
        (Value::String(left), Value::String(right)) => left == right,
        (Value::Array(left), Value::Array(right)) => {
            left.len() == right.len() && left.iter().zip(right).all(|(left, right)| json_equal(left, right))
        }
        (Value::Object(left), Value::Object(right)) => {
            left.len() == right.len()
                && left.iter().all(|(key, left)| right.get(key).is_some_and(|right| json_equal(left, right)))
        }
        _ => false,
    }
}

/// Orders two numbers by value or two strings by code point; anything else is not comparable and
/// the error says why.
pub(crate) fn compare_ordered(left: &Value, right: &Value) -> Result<Ordering, String> {
    match (left, right) {
        (Value::Number(left), Value::Number(right)) => Ok(compare_numbers(left, right)),
        // UTF-8 byte order is code point order.
        (Value::String(left), Value::String(right)) => Ok(left.as_str().cmp(right.as_str())),
        _ => Err(format!(
            "not comparable: {} with {} (only two numbers or two strings are)",
            kind_name(left),
            kind_name(right)
        )),
    }
}

/// The JSON kind of a value, as a noun: `string`, `number`, `boolean`, `array`, `object`, `null`.
pub(crate) fn kind_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The JSON kind of a value with its article: `a string`, `an array`.
pub(crate) fn kind_with_article(value: &Value) -> &'static str {
    match value {
        Value::Null => "a null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Whether a value counts as empty: `""`, `[]`, `{}` or `null`.
pub(crate) fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(text) => text.is_empty(),
        Value::Array(items) => items.is_empty(),
        Value::Object(members) => members.is_empty(),
        Value::Bool(_) | Value::Number(_) => false,
    }
}

/// Compact JSON text of a value, cut to [`PREVIEW_CHARS`] characters with `…` when longer.
pub(crate) fn preview(value: &Value) -> String {
    truncate_chars(&value.to_string(), PREVIEW_CHARS)
}

/// `text` cut to at most `max_chars` characters (plus `…` when cut), never inside a character.
pub(crate) fn truncate_chars(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn number(text: &str) -> Value {
        serde_json::from_str(text).unwrap_or_else(|error| panic!("`{text}`: {error}"))
    }

    #[test]
    fn numbers_are_equal_by_value_not_by_spelling() {
        assert!(json_equal(&json!(1), &number("1.0")));
        assert!(json_equal(&number("100"), &number("1e2")));
        assert!(!json_equal(&json!(1), &json!(2)));
        assert!(!json_equal(&number("9007199254740993"), &number("9007199254740992")));
    }

    #[test]
    fn values_of_different_kinds_are_never_equal() {
        assert!(!json_equal(&json!("1"), &json!(1)));
        assert!(!json_equal(&json!(null), &json!(false)));
        assert!(!json_equal(&json!([]), &json!({})));
        assert!(!json_equal(&json!(""), &json!(null)));
    }

    #[test]
    fn containers_compare_deeply_and_ignore_key_order() {
        assert!(json_equal(&json!({"a": 1, "b": [1, {"c": 2}]}), &json!({"b": [1.0, {"c": 2}], "a": 1})));
        assert!(!json_equal(&json!({"a": 1}), &json!({"a": 1, "b": 2})));
        assert!(!json_equal(&json!({"a": 1, "b": 2}), &json!({"a": 1, "c": 2})));
        assert!(!json_equal(&json!([1, 2]), &json!([2, 1])));
        assert!(!json_equal(&json!([1]), &json!([1, 1])));
    }

    #[test]
    fn orders_numbers_and_strings_only() {
        assert_eq!(compare_ordered(&json!(2), &number("10.5")), Ok(Ordering::Less));
        assert_eq!(compare_ordered(&json!("b"), &json!("a")), Ok(Ordering::Greater));
        assert_eq!(compare_ordered(&json!("Z"), &json!("a")), Ok(Ordering::Less));
        assert_eq!(compare_ordered(&json!("é"), &json!("z")), Ok(Ordering::Greater));
        let error = compare_ordered(&json!("10"), &json!(9)).unwrap_err();
        assert_eq!(error, "not comparable: string with number (only two numbers or two strings are)");
        assert!(compare_ordered(&json!([1]), &json!([1])).is_err());
        assert!(compare_ordered(&json!(null), &json!(null)).is_err());
    }

    #[test]
    fn empty_means_empty_string_array_object_or_null() {
        for value in [json!(""), json!([]), json!({}), json!(null)] {
            assert!(is_empty(&value), "{value}");
        }
        for value in [json!(" "), json!([null]), json!({"a": null}), json!(0), json!(false)] {
            assert!(!is_empty(&value), "{value}");
        }
    }

    #[test]
    fn truncation_respects_character_boundaries() {
        assert_eq!(truncate_chars("héllo", 2), "hé…");
        assert_eq!(truncate_chars("héllo", 5), "héllo");
        assert_eq!(truncate_chars("日本語のテキスト", 3), "日本語…");
        assert_eq!(truncate_chars("", 0), "");
        let long = Value::String("é".repeat(500));
        assert_eq!(preview(&long).chars().count(), PREVIEW_CHARS + 1);
    }
}
