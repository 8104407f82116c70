//! `jsonpath`, `join`, `range`, `difference`, `count_by`.

use std::collections::HashSet;

use rbx_checks::CompiledPath;
use serde_json::{Map, Value};

use super::expected;
use super::numbers::{Num, number_argument};
use crate::json_text::{canonical_key, push_text, to_text};

/// The most items `range` makes, so a typo cannot exhaust memory.
pub(crate) const MAX_RANGE: i128 = 100_000;

/// The shape follows the path, not the data: a path that can select at most one node (names
/// and indices only, RFC 9535's singular query) gives that node's value, or null; any other
/// path gives a list, even of one item or none. Were the shape to follow the number of nodes,
/// `$.rows[*].id` over one row would give `7` where the runbook expects `[7]`.
pub(crate) fn json_path(value: &Value, path_argument: &Value, parsed: Option<&CompiledPath>) -> Result<Value, String> {
    let (nodes, singular) = with_path(path_argument, parsed, |path| (path.select(value), path.is_singular()))?;
    Ok(match nodes.as_slice() {
        [one] if singular => (*one).clone(),
        [] if singular => Value::Null,
        many => Value::Array(many.iter().map(|node| (*node).clone()).collect()),
    })
}

/// Runs `query` with the load-time parsed path, or parses a path computed at render time.
fn with_path<T>(
    path_argument: &Value,
    parsed: Option<&CompiledPath>,
    query: impl FnOnce(&CompiledPath) -> T,
) -> Result<T, String> {
    if let Some(path) = parsed {
        return Ok(query(path));
    }
    let Value::String(text) = path_argument else {
        return Err(expected("a JSONPath string", path_argument));
    };
    let path = CompiledPath::parse(text).map_err(|error| format!("invalid JSONPath: {error}"))?;
    Ok(query(&path))
}

/// The items of a list as text, separated by `separator`.
pub(crate) fn join(list: &Value, separator: &Value) -> Result<Value, String> {
    let Value::Array(items) = list else {
        return Err(expected("a list", list));
    };
    let separator = to_text(separator);
    let mut out = String::new();
    for (position, item) in items.iter().enumerate() {
        if position > 0 {
            out.push_str(&separator);
        }
        push_text(item, &mut out);
    }
    Ok(Value::String(out))
}

/// `range 3` is `[0, 1, 2]`; `range 1 4` is `[1, 2, 3]`; an empty range is `[]`.
pub(crate) fn range(first: &Value, second: Option<&Value>) -> Result<Value, String> {
    let (start, end) = match second {
        None => (0, integer_argument(first)?),
        Some(end) => (integer_argument(first)?, integer_argument(end)?),
    };
    let count = end.saturating_sub(start);
    if count > MAX_RANGE {
        return Err(format!("a range of {count} items is more than {MAX_RANGE}"));
    }
    Ok(Value::Array((start..end).filter_map(|n| Num::Int(n).to_value().ok()).collect()))
}

fn integer_argument(value: &Value) -> Result<i128, String> {
    match number_argument(value)? {
        Num::Int(integer) => Ok(integer),
        Num::Float(_) => Err(expected("an integer", value)),
    }
}

/// The items of `left` that are not in `right` (JSON equality), in `left`'s order.
pub(crate) fn difference(left: &Value, right: &Value) -> Result<Value, String> {
    let (Value::Array(left), Value::Array(right)) = (left, right) else {
        let not_a_list = if left.is_array() { right } else { left };
        return Err(expected("two lists", not_a_list));
    };
    let exclude: HashSet<String> = right.iter().map(canonical_key).collect();
    Ok(Value::Array(left.iter().filter(|item| !exclude.contains(&canonical_key(item))).cloned().collect()))
}

/// How many times each value occurs: over the nodes a JSONPath selects in `value`, or over
/// the items of the list `value` when no path is given. Keys are the values as text, in the
/// order they first occur.
pub(crate) fn count_by(
    value: &Value,
    path_argument: Option<&Value>,
    parsed: Option<&CompiledPath>,
) -> Result<Value, String> {
    let counts = match path_argument {
        Some(path_argument) => with_path(path_argument, parsed, |path| count(path.select(value).into_iter()))?,
        None => match value {
            Value::Array(items) => count(items.iter()),
            other => return Err(expected("a list", other)),
        },
    };
    Ok(Value::Object(counts))
}

fn count<'v>(values: impl Iterator<Item = &'v Value>) -> Map<String, Value> {
    let mut tallies: Map<String, Value> = Map::new();
    for value in values {
        let key = to_text(value).into_owned();
        let previous = tallies.get(&key).and_then(Value::as_u64).unwrap_or(0);
        tallies.insert(key, Value::from(previous + 1));
    }
    tallies
}

#[cfg(test)]
mod tests {
    use crate::helpers::tests::call;
    use serde_json::json;

    #[test]
    fn jsonpath_gives_a_value_for_a_singular_path_and_a_list_for_any_other() {
        let doc = json!({"items": [{"id": 1}, {"id": 2}], "one": [{"id": "x"}], "a.b": {"c": 3}});
        assert_eq!(call("jsonpath", &[doc.clone(), json!("$.items[*].id")]), Ok(json!([1, 2])));
        assert_eq!(call("jsonpath", &[doc.clone(), json!("$.one[*].id")]), Ok(json!(["x"])));
        assert_eq!(call("jsonpath", &[doc.clone(), json!("$.one[?@.id == 'y'].id")]), Ok(json!([])));
        assert_eq!(call("jsonpath", &[doc.clone(), json!("$..id")]), Ok(json!([1, 2, "x"])));
        assert_eq!(call("jsonpath", &[doc.clone(), json!("$.items[0:1].id")]), Ok(json!([1])));
        assert_eq!(call("jsonpath", &[doc.clone(), json!("$.items[0,1].id")]), Ok(json!([1, 2])));
        assert_eq!(call("jsonpath", &[doc.clone(), json!("$.items[1].id")]), Ok(json!(2)));
        assert_eq!(call("jsonpath", &[doc.clone(), json!("$['a.b'].c")]), Ok(json!(3)));
        assert_eq!(call("jsonpath", &[doc.clone(), json!("$['a.b']['c']")]), Ok(json!(3)));
        assert_eq!(call("jsonpath", &[doc.clone(), json!("$.nope")]), Ok(json!(null)));
        assert_eq!(call("jsonpath", &[doc.clone(), json!("$.items[5]")]), Ok(json!(null)));
        assert_eq!(call("jsonpath", &[doc.clone(), json!("$")]), Ok(doc.clone()));
        assert!(call("jsonpath", &[doc.clone(), json!("$[")]).is_err_and(|e| e.starts_with("invalid JSONPath")));
        assert_eq!(call("jsonpath", &[doc, json!(3)]), Err("expected a JSONPath string, got a number".into()));
    }

    #[test]
    fn join_writes_items_as_text() {
        assert_eq!(call("join", &[json!(["a", 1, null, [2]]), json!(",")]), Ok(json!("a,1,null,[2]")));
        assert_eq!(call("join", &[json!([]), json!(",")]), Ok(json!("")));
        assert_eq!(call("join", &[json!(["a", "b"]), json!(" | ")]), Ok(json!("a | b")));
        assert_eq!(call("join", &[json!("ab"), json!(",")]), Err("expected a list, got a string".into()));
    }

    #[test]
    fn range_counts_up() {
        assert_eq!(call("range", &[json!(3)]), Ok(json!([0, 1, 2])));
        assert_eq!(call("range", &[json!(1), json!(4)]), Ok(json!([1, 2, 3])));
        assert_eq!(call("range", &[json!(0)]), Ok(json!([])));
        assert_eq!(call("range", &[json!(-2)]), Ok(json!([])));
        assert_eq!(call("range", &[json!(4), json!(1)]), Ok(json!([])));
        assert_eq!(call("range", &[json!("2")]), Ok(json!([0, 1])));
        assert!(call("range", &[json!(1.5)]).is_err());
        assert!(call("range", &[json!(u64::MAX)]).is_err_and(|e| e.contains("more than 100000")));
        assert!(call("range", &[json!(i64::MIN), json!(i64::MAX)]).is_err());
    }

    #[test]
    fn difference_keeps_order_and_uses_json_equality() {
        let one_float: serde_json::Value = serde_json::from_str("1.0").unwrap();
        assert_eq!(call("difference", &[json!(["a", "b", "c", "b"]), json!(["b"])]), Ok(json!(["a", "c"])));
        assert_eq!(call("difference", &[json!([1, 2, "1"]), json!([one_float])]), Ok(json!([2, "1"])));
        assert_eq!(call("difference", &[json!([{"a": 1}]), json!([{"a": 1}])]), Ok(json!([])));
        assert_eq!(call("difference", &[json!([1]), json!("x")]), Err("expected two lists, got a string".into()));
    }

    #[test]
    fn count_by_counts_values_as_text() {
        let errors = json!([
            {"status": 401}, {"status": 500}, {"status": 401}, {"status": "500"}, {"other": 1}
        ]);
        assert_eq!(call("count_by", &[errors, json!("$[*].status")]), Ok(json!({"401": 2, "500": 2})));
        assert_eq!(call("count_by", &[json!(["b", "a", "b"])]), Ok(json!({"b": 2, "a": 1})));
        assert_eq!(call("count_by", &[json!([]), json!("$[*]")]), Ok(json!({})));
        assert!(call("count_by", &[json!({"a": 1})]).is_err());
    }
}
