use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::json_value::preview;

/// The outcome of evaluating a check: it passed, or the failures that say why not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    /// Whether the check held; exactly when `failures` is empty.
    pub passed: bool,
    /// One entry per operator that did not hold, in the order the checks were written.
    pub failures: Vec<CheckFailure>,
}

/// One operator that did not hold, as plain data for reporters.
///
/// In JSON, `actual` is absent when the path selected nothing and `null` when it selected a
/// `null`; `reason` and `message` are absent when there are none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckFailure {
    /// The check's JSONPath as written (empty for a failure of `any: []`).
    pub path: String,
    /// The operator, as written (`equals`, `length gt`), prefixed with `not ` under a `not:`.
    pub operator: String,
    /// The operand after rendering (as written when it could not be rendered).
    pub expected: Value,
    /// What the operator saw; `None` when the path selected nothing.
    #[serde(default, deserialize_with = "present_value", skip_serializing_if = "Option::is_none")]
    pub actual: Option<Value>,
    /// Why the operator could not hold beyond the values themselves (`not comparable: …`, an
    /// operand that could not be rendered), as a lowercase fragment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The author's `message:` from the innermost check carrying one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// A present `actual` is a value, even `null` (serde would read `null` as `None`).
fn present_value<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

impl CheckResult {
    /// The result holding exactly these failures (passed when there are none).
    pub fn from_failures(failures: Vec<CheckFailure>) -> CheckResult {
        CheckResult { passed: failures.is_empty(), failures }
    }
}

impl CheckFailure {
    /// The failure without the author's message: "`$.status` equals 200: got 404".
    pub fn summary(&self) -> String {
        let mut text = String::new();
        if !self.path.is_empty() {
            text.push_str(&format!("`{}` ", self.path));
        }
        text.push_str(&format!("{} {}", self.operator, preview(&self.expected)));
        match &self.actual {
            Some(actual) => text.push_str(&format!(": got {}", preview(actual))),
            None if !self.path.is_empty() => text.push_str(": nothing selected"),
            None => {}
        }
        if let Some(reason) = &self.reason {
            text.push_str(&format!("; {reason}"));
        }
        text
    }
}

/// The author's message first when there is one: "queue is backed up (`$.value` lt 1000: got 1500)".
/// Values longer than 200 characters are cut with `…`.
impl fmt::Display for CheckFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.message {
            Some(message) => write!(f, "{message} ({})", self.summary()),
            None => f.write_str(&self.summary()),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn failure(actual: Option<Value>) -> CheckFailure {
        CheckFailure {
            path: "$.status".into(),
            operator: "equals".into(),
            expected: json!(200),
            actual,
            reason: None,
            message: None,
        }
    }

    #[test]
    fn json_tells_nothing_selected_from_null() {
        let nothing = serde_json::to_value(failure(None)).unwrap_or_default();
        assert_eq!(nothing, json!({"path": "$.status", "operator": "equals", "expected": 200}));
        let null = serde_json::to_value(failure(Some(Value::Null))).unwrap_or_default();
        assert_eq!(null["actual"], Value::Null);
        assert!(null.as_object().is_some_and(|members| members.contains_key("actual")));
    }

    #[test]
    fn json_round_trips() {
        for actual in [None, Some(Value::Null), Some(json!([1, {"a": "b"}]))] {
            let original = CheckResult::from_failures(vec![CheckFailure {
                reason: Some("why".into()),
                message: Some("note".into()),
                ..failure(actual)
            }]);
            let text = serde_json::to_string(&original).unwrap_or_default();
            let back: CheckResult = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
            assert_eq!(back, original);
        }
    }

    #[test]
    fn display_puts_the_message_first() {
        assert_eq!(failure(Some(json!(404))).to_string(), "`$.status` equals 200: got 404");
        assert_eq!(failure(None).to_string(), "`$.status` equals 200: nothing selected");
        let with_message = CheckFailure { message: Some("api is down".into()), ..failure(Some(json!(503))) };
        assert_eq!(with_message.to_string(), "api is down (`$.status` equals 200: got 503)");
    }

    #[test]
    fn display_truncates_long_values_on_character_boundaries() {
        let long = CheckFailure { actual: Some(Value::String("é".repeat(1000))), ..failure(None) };
        let text = long.to_string();
        assert!(text.ends_with("é…"), "{text}");
        assert!(text.chars().count() < 260, "{}", text.chars().count());
    }

    #[test]
    fn passed_exactly_when_there_are_no_failures() {
        assert!(CheckResult::from_failures(Vec::new()).passed);
        assert!(!CheckResult::from_failures(vec![failure(None)]).passed);
    }
}
