//! The handlebars built-ins kept for conditions: `eq`, `ne`, `gt`, `gte`, `lt`, `lte`, `and`,
//! `or`, `not`, `lookup`.

use std::cmp::Ordering;

use serde_json::Value;

use super::numbers::Num;
use super::{Helper, expected};
use crate::json_text::{is_truthy, json_equal};

pub(crate) fn truthy(value: &Value) -> bool {
    is_truthy(value, false)
}

/// `eq`/`ne` use JSON equality; the orderings take two numbers or two strings.
pub(crate) fn compare(helper: Helper, left: &Value, right: &Value) -> Result<Value, String> {
    let holds = match helper {
        Helper::Eq => json_equal(left, right),
        Helper::Ne => !json_equal(left, right),
        _ => {
            let ordering = order(left, right)?;
            match helper {
                Helper::Gt => ordering == Ordering::Greater,
                Helper::Gte => ordering != Ordering::Less,
                Helper::Lt => ordering == Ordering::Less,
                _ => ordering != Ordering::Greater,
            }
        }
    };
    Ok(Value::Bool(holds))
}

fn order(left: &Value, right: &Value) -> Result<Ordering, String> {
    match (left, right) {
        (Value::String(a), Value::String(b)) => Ok(a.cmp(b)),
        (Value::Number(_), Value::Number(_)) => match (Num::from_value(left), Num::from_value(right)) {
            (Some(Num::Int(a)), Some(Num::Int(b))) => Ok(a.cmp(&b)),
            (Some(a), Some(b)) => {
                a.as_f64().partial_cmp(&b.as_f64()).ok_or_else(|| "the numbers cannot be compared".to_owned())
            }
            _ => Err("the numbers cannot be compared".to_owned()),
        },
        _ => {
            Err(expected("two numbers or two strings", if left.is_number() || left.is_string() { right } else { left }))
        }
    }
}

/// `lookup obj key`: an object's entry or a list's item; missing is an error (strict mode).
pub(crate) fn lookup(container: &Value, key: &Value) -> Result<Value, String> {
    let found = match (container, key) {
        (Value::Object(map), Value::String(key)) => map.get(key),
        (Value::Array(items), key) => match Num::from_value(key) {
            Some(Num::Int(index)) => usize::try_from(index).ok().and_then(|i| items.get(i)),
            _ => return Err(expected("an integer index", key)),
        },
        (Value::Object(_), other) => return Err(expected("a string key", other)),
        (other, _) => return Err(expected("an object or a list", other)),
    };
    found.cloned().ok_or_else(|| "the key or index is not defined".to_owned())
}

#[cfg(test)]
mod tests {
    use crate::helpers::tests::call;
    use serde_json::json;

    #[test]
    fn comparisons() {
        assert_eq!(call("eq", &[json!(1), serde_json::from_str("1.0").unwrap()]), Ok(json!(true)));
        assert_eq!(call("eq", &[json!("1"), json!(1)]), Ok(json!(false)));
        assert_eq!(call("ne", &[json!("a"), json!("b")]), Ok(json!(true)));
        assert_eq!(call("gt", &[json!(2), json!(1.5)]), Ok(json!(true)));
        assert_eq!(call("gte", &[json!(2), json!(2)]), Ok(json!(true)));
        assert_eq!(call("lt", &[json!("a"), json!("b")]), Ok(json!(true)));
        assert_eq!(call("lte", &[json!(3), json!(2)]), Ok(json!(false)));
        assert_eq!(
            call("gt", &[json!(1), json!("1")]),
            Err("expected two numbers or two strings, got a string".into())
        );
        assert!(call("lt", &[json!(null), json!(1)]).is_err());
    }

    #[test]
    fn logic() {
        assert_eq!(call("and", &[json!(1), json!("x")]), Ok(json!(true)));
        assert_eq!(call("and", &[json!(1), json!("")]), Ok(json!(false)));
        assert_eq!(call("or", &[json!(0), json!([])]), Ok(json!(false)));
        assert_eq!(call("or", &[json!(0), json!([1])]), Ok(json!(true)));
        assert_eq!(call("not", &[json!({})]), Ok(json!(true)));
    }

    #[test]
    fn lookup_finds_entries_and_items() {
        assert_eq!(call("lookup", &[json!({"a": [1]}), json!("a")]), Ok(json!([1])));
        assert_eq!(call("lookup", &[json!(["x", "y"]), json!(1)]), Ok(json!("y")));
        assert_eq!(call("lookup", &[json!(["x", "y"]), json!("0")]), Ok(json!("x")));
        assert!(call("lookup", &[json!(["x"]), json!(5)]).is_err());
        assert!(call("lookup", &[json!(["x"]), json!(-1)]).is_err());
        assert!(call("lookup", &[json!({"a": 1}), json!("b")]).is_err());
        assert!(call("lookup", &[json!("ab"), json!(0)]).is_err());
    }
}
