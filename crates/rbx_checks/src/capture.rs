use serde_json::Value;

use crate::compiled_regex::CompiledRegex;
use crate::json_value::kind_with_article;
use crate::path::CompiledPath;

/// Why a `capture` found nothing to capture; it fails the step.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaptureError {
    /// The path selected no node.
    #[error("`{path}` selected nothing")]
    NothingSelected {
        /// The path as written.
        path: String,
    },
    /// A regex was given but the selection is not a single string.
    #[error("`{path}` selected {found}, but a regex can only search a string")]
    NotAString {
        /// The path as written.
        path: String,
        /// What was selected (`a number`, `3 nodes`).
        found: String,
    },
    /// The regex does not match the selected string.
    #[error("regex `{pattern}` does not match the string at `{path}`")]
    NoMatch {
        /// The path as written.
        path: String,
        /// The regex as written.
        pattern: String,
    },
    /// The regex matched, but its first group took no part in the match (`v(\d+)?` on `v`).
    #[error("regex `{pattern}` matches the string at `{path}` but its first group captures nothing")]
    GroupNotMatched {
        /// The path as written.
        path: String,
        /// The regex as written.
        pattern: String,
    },
}

/// The value a `capture` stores: the one node's value or an array of several; with a regex,
/// group 1 of its first match in the selected string (the whole match if it has no group).
pub fn capture(path: &CompiledPath, regex: Option<&CompiledRegex>, subject: &Value) -> Result<Value, CaptureError> {
    let nodes = path.select(subject);
    let path_text = || path.source().to_owned();
    let Some(regex) = regex else {
        return match nodes.as_slice() {
            [] => Err(CaptureError::NothingSelected { path: path_text() }),
            [one] => Ok((*one).clone()),
            _ => Ok(Value::Array(nodes.into_iter().cloned().collect())),
        };
    };
    let text = match nodes.as_slice() {
        [] => return Err(CaptureError::NothingSelected { path: path_text() }),
        [Value::String(text)] => text,
        [other] => {
            return Err(CaptureError::NotAString { path: path_text(), found: kind_with_article(other).to_owned() });
        }
        several => {
            return Err(CaptureError::NotAString { path: path_text(), found: format!("{} nodes", several.len()) });
        }
    };
    let pattern = || regex.source().to_owned();
    let Some(captures) = regex.regex().captures(text) else {
        return Err(CaptureError::NoMatch { path: path_text(), pattern: pattern() });
    };
    let group = if captures.len() > 1 { 1 } else { 0 };
    match captures.get(group) {
        Some(found) => Ok(Value::String(found.as_str().to_owned())),
        None => Err(CaptureError::GroupNotMatched { path: path_text(), pattern: pattern() }),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn path(text: &str) -> CompiledPath {
        CompiledPath::parse(text).unwrap_or_else(|error| panic!("{error}"))
    }

    fn regex(text: &str) -> CompiledRegex {
        CompiledRegex::new(text).unwrap_or_else(|error| panic!("{error}"))
    }

    fn subject() -> Value {
        json!({"version": "rbx v12.3", "items": [{"id": 1}, {"id": 2}], "status": 200, "tag": null})
    }

    #[test]
    fn one_node_captures_its_value() {
        assert_eq!(capture(&path("$.status"), None, &subject()), Ok(json!(200)));
        assert_eq!(capture(&path("$.items[0]"), None, &subject()), Ok(json!({"id": 1})));
        assert_eq!(capture(&path("$.tag"), None, &subject()), Ok(Value::Null));
    }

    #[test]
    fn several_nodes_capture_an_array() {
        assert_eq!(capture(&path("$.items[*].id"), None, &subject()), Ok(json!([1, 2])));
    }

    #[test]
    fn no_node_is_an_error() {
        let error = capture(&path("$.missing"), None, &subject()).unwrap_err();
        assert_eq!(error.to_string(), "`$.missing` selected nothing");
        assert!(capture(&path("$.missing"), Some(&regex("x")), &subject()).is_err());
    }

    #[test]
    fn a_regex_captures_group_one_or_the_whole_match() {
        assert_eq!(capture(&path("$.version"), Some(&regex(r"v(\d+)")), &subject()), Ok(json!("12")));
        assert_eq!(capture(&path("$.version"), Some(&regex(r"v\d+\.\d+")), &subject()), Ok(json!("v12.3")));
        assert_eq!(capture(&path("$.version"), Some(&regex(r"(?:rbx) v(\d+)\.(\d+)")), &subject()), Ok(json!("12")));
    }

    #[test]
    fn a_regex_needs_a_matching_string() {
        let not_string = capture(&path("$.status"), Some(&regex(r"\d")), &subject()).unwrap_err();
        assert_eq!(not_string.to_string(), "`$.status` selected a number, but a regex can only search a string");
        let several = capture(&path("$.items[*].id"), Some(&regex(r"\d")), &subject()).unwrap_err();
        assert_eq!(several.to_string(), "`$.items[*].id` selected 2 nodes, but a regex can only search a string");
        let object = capture(&path("$.items[0]"), Some(&regex(r"\d")), &subject()).unwrap_err();
        assert!(object.to_string().contains("selected an object"), "{object}");
        let no_match = capture(&path("$.version"), Some(&regex(r"^v")), &subject()).unwrap_err();
        assert_eq!(no_match.to_string(), "regex `^v` does not match the string at `$.version`");
        let no_group = capture(&path("$.version"), Some(&regex(r"rbx (x)?")), &subject()).unwrap_err();
        assert!(matches!(no_group, CaptureError::GroupNotMatched { .. }), "{no_group}");
    }
}
