//! `lower`, `upper`, `len`, `now`, `hmac_sha256`.

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use super::expected;
use crate::json_text::to_text;

/// Lower case of the value as text.
pub(crate) fn lower(value: &Value) -> Result<Value, String> {
    Ok(Value::String(to_text(value).to_lowercase()))
}

/// Upper case of the value as text.
pub(crate) fn upper(value: &Value) -> Result<Value, String> {
    Ok(Value::String(to_text(value).to_uppercase()))
}

/// Characters of a string, items of a list, entries of an object.
pub(crate) fn len(value: &Value) -> Result<Value, String> {
    let length = match value {
        Value::String(text) => text.chars().count(),
        Value::Array(items) => items.len(),
        Value::Object(map) => map.len(),
        other => return Err(expected("a string, a list or an object", other)),
    };
    Ok(Value::from(length))
}

/// RFC 3339 in UTC to the second: `2026-04-05T10:00:00Z`.
pub(crate) fn now(at: jiff::Timestamp) -> Value {
    Value::String(at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// HMAC-SHA256 of the message (as text) with the key (as text), in lowercase hex.
pub(crate) fn hmac_sha256(key: &Value, message: &Value) -> Result<Value, String> {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(to_text(key).as_bytes()).map_err(|_| "the key cannot be used".to_owned())?;
    mac.update(to_text(message).as_bytes());
    Ok(Value::String(hex::encode(mac.finalize().into_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::helpers::tests::call;
    use serde_json::json;

    #[test]
    fn case_helpers_work_on_text() {
        assert_eq!(call("lower", &[json!("AbÇ")]), Ok(json!("abç")));
        assert_eq!(call("upper", &[json!("abç")]), Ok(json!("ABÇ")));
        assert_eq!(call("upper", &[json!(true)]), Ok(json!("TRUE")));
    }

    #[test]
    fn len_counts_characters_items_and_entries() {
        assert_eq!(call("len", &[json!("héllo")]), Ok(json!(5)));
        assert_eq!(call("len", &[json!([1, 2, 3])]), Ok(json!(3)));
        assert_eq!(call("len", &[json!({"a": 1})]), Ok(json!(1)));
        assert_eq!(call("len", &[json!(12)]), Err("expected a string, a list or an object, got a number".into()));
    }

    #[test]
    fn now_is_rfc3339_utc() {
        let fixed: jiff::Timestamp = "2026-04-05T10:11:12.345Z".parse().unwrap();
        assert_eq!(now(fixed), json!("2026-04-05T10:11:12Z"));
        let Ok(Value::String(current)) = call("now", &[]) else {
            panic!("now gives a string");
        };
        assert!(current.ends_with('Z'));
        assert!(current.parse::<jiff::Timestamp>().is_ok(), "{current}");
    }

    #[test]
    fn hmac_matches_rfc4231_test_case_2() {
        assert_eq!(
            call("hmac_sha256", &[json!("Jefe"), json!("what do ya want for nothing?")]),
            Ok(json!("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"))
        );
        let Ok(Value::String(empty)) = call("hmac_sha256", &[json!(""), json!("")]) else {
            panic!("hmac gives a string");
        };
        assert_eq!(empty.len(), 64);
    }
}
