use std::fmt;

use serde_json::Value;

use crate::number;

/// A JSON type that the `type` operator tests for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JsonType {
    /// A JSON string.
    String,
    /// Any JSON number, integers included.
    Number,
    /// A number with no fractional part (`3`, `3.0`, `3e2`).
    Integer,
    /// `true` or `false`.
    Boolean,
    /// A JSON array.
    Array,
    /// A JSON object.
    Object,
    /// `null`.
    Null,
}

impl JsonType {
    /// Every type, in the order the docs list them.
    pub const ALL: [JsonType; 7] = [
        JsonType::String,
        JsonType::Number,
        JsonType::Integer,
        JsonType::Boolean,
        JsonType::Array,
        JsonType::Object,
        JsonType::Null,
    ];

    /// The type named `name` as written in a runbook (`integer`, `"null"`), if there is one.
    pub fn from_name(name: &str) -> Option<JsonType> {
        JsonType::ALL.into_iter().find(|json_type| json_type.name() == name)
    }

    /// The name a runbook writes for this type.
    pub fn name(self) -> &'static str {
        match self {
            JsonType::String => "string",
            JsonType::Number => "number",
            JsonType::Integer => "integer",
            JsonType::Boolean => "boolean",
            JsonType::Array => "array",
            JsonType::Object => "object",
            JsonType::Null => "null",
        }
    }

    /// Whether `value` is of this type.
    pub fn holds_for(self, value: &Value) -> bool {
        match (self, value) {
            (JsonType::String, Value::String(_))
            | (JsonType::Number, Value::Number(_))
            | (JsonType::Boolean, Value::Bool(_))
            | (JsonType::Array, Value::Array(_))
            | (JsonType::Object, Value::Object(_))
            | (JsonType::Null, Value::Null) => true,
            (JsonType::Integer, Value::Number(n)) => number::is_integer(n),
            _ => false,
        }
    }
}

impl fmt::Display for JsonType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn names_round_trip() {
        for json_type in JsonType::ALL {
            assert_eq!(JsonType::from_name(json_type.name()), Some(json_type));
        }
        assert_eq!(JsonType::from_name("int"), None);
        assert_eq!(JsonType::from_name("String"), None);
    }

    #[test]
    fn integers_are_numbers_and_whole_floats_are_integers() {
        let one_point_zero: Value = serde_json::from_str("1.0").unwrap_or_default();
        assert!(JsonType::Number.holds_for(&json!(3)));
        assert!(JsonType::Integer.holds_for(&json!(3)));
        assert!(JsonType::Integer.holds_for(&one_point_zero));
        assert!(JsonType::Number.holds_for(&json!(1.5)));
        assert!(!JsonType::Integer.holds_for(&json!(1.5)));
        assert!(!JsonType::Integer.holds_for(&json!("3")));
    }

    #[test]
    fn each_kind_has_exactly_its_type() {
        let cases = [
            (json!("s"), JsonType::String),
            (json!(true), JsonType::Boolean),
            (json!([]), JsonType::Array),
            (json!({}), JsonType::Object),
            (json!(null), JsonType::Null),
        ];
        for (value, expected) in cases {
            for json_type in JsonType::ALL {
                assert_eq!(json_type.holds_for(&value), json_type == expected, "{json_type} on {value}");
            }
        }
    }
}
