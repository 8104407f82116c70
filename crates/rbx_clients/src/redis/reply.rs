use redis::Value as Reply;
use serde_json::{Map, Value};

use super::RedisError;

/// A reply as JSON: nil → null, integers and doubles → numbers, bulk and status strings →
/// strings (bytes that are not UTF-8 are replaced), arrays, sets and pushes → arrays, maps →
/// objects (keys as text), booleans → booleans.
pub(crate) fn to_json(reply: Reply) -> Result<Value, RedisError> {
    Ok(match reply {
        Reply::Nil => Value::Null,
        Reply::Int(i) => Value::from(i),
        Reply::BulkString(bytes) => Value::String(String::from_utf8_lossy(&bytes).into_owned()),
        Reply::SimpleString(s) => Value::String(s),
        Reply::Okay => Value::String("OK".to_owned()),
        Reply::Array(items) | Reply::Set(items) => {
            Value::Array(items.into_iter().map(to_json).collect::<Result<_, _>>()?)
        }
        Reply::Push { data, .. } => Value::Array(data.into_iter().map(to_json).collect::<Result<_, _>>()?),
        Reply::Map(pairs) => {
            let mut map = Map::new();
            for (key, value) in pairs {
                let key = match to_json(key)? {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                map.insert(key, to_json(value)?);
            }
            Value::Object(map)
        }
        Reply::Attribute { data, .. } => to_json(*data)?,
        Reply::Double(f) => crate::sql::float_json(f.to_string()),
        Reply::Boolean(b) => Value::Bool(b),
        Reply::VerbatimString { text, .. } => Value::String(text),
        Reply::BigNumber(digits) => {
            let text = String::from_utf8_lossy(&digits).into_owned();
            text.parse::<serde_json::Number>().map(Value::Number).unwrap_or(Value::String(text))
        }
        Reply::ServerError(error) => {
            return Err(RedisError::Server {
                code: error.code().to_owned(),
                message: error.details().unwrap_or_default().to_owned(),
            });
        }
        // `Value` is non-exhaustive; a kind added later is kept as its debug text, not dropped.
        other => Value::String(format!("{other:?}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reply_kind() {
        let reply = Reply::Map(vec![
            (Reply::BulkString(b"n".to_vec()), Reply::Int(3)),
            (Reply::SimpleString("nil".into()), Reply::Nil),
            (Reply::Int(7), Reply::Array(vec![Reply::Okay, Reply::Boolean(true), Reply::Double(1.5)])),
            (Reply::BulkString(b"set".to_vec()), Reply::Set(vec![Reply::BulkString(vec![0xff, b'a'])])),
        ]);
        assert_eq!(
            serde_json::to_string(&to_json(reply).unwrap()).unwrap(),
            "{\"n\":3,\"nil\":null,\"7\":[\"OK\",true,1.5],\"set\":[\"\u{fffd}a\"]}"
        );
    }
}
