use serde_json::{Map, Value};

/// `INFO` text as one flat object: `redis_version`, `connected_clients`, `db0`, …
///
/// Section headers (`# Server`) are dropped, since field names are unique across sections.
/// A value that is a JSON number (`12`, `0.5`) becomes a number, so checks can compare it;
/// anything else (`7.0.15`, `00000000`) stays text. `k=v,k=v` values (`db0`, `cmdstat_get`)
/// become objects of the same kind.
pub(crate) fn parse(text: &str) -> Value {
    let mut map = Map::new();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some((key, value)) = line.split_once(':') {
            map.insert(key.to_owned(), field(value));
        }
    }
    Value::Object(map)
}

fn field(value: &str) -> Value {
    if value.contains('=') {
        let pairs: Option<Map<String, Value>> =
            value.split(',').map(|part| part.split_once('=').map(|(k, v)| (k.to_owned(), scalar(v)))).collect();
        if let Some(pairs) = pairs {
            return Value::Object(pairs);
        }
    }
    scalar(value)
}

fn scalar(value: &str) -> Value {
    match serde_json::from_str::<serde_json::Number>(value) {
        Ok(number) => Value::Number(number),
        Err(_) => Value::String(value.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_numbers_and_nested_fields() {
        let text = "# Server\r\nredis_version:7.0.15\r\nredis_git_sha1:00000000\r\n\r\n# Clients\r\nconnected_clients:3\r\nmem_fragmentation_ratio:1.25\r\n# Keyspace\r\ndb0:keys=12,expires=0,avg_ttl=0\r\nexecutable:/usr/bin/redis-server\r\n";
        let parsed = parse(text);
        assert_eq!(
            serde_json::to_string(&parsed).unwrap(),
            r#"{"redis_version":"7.0.15","redis_git_sha1":"00000000","connected_clients":3,"mem_fragmentation_ratio":1.25,"db0":{"keys":12,"expires":0,"avg_ttl":0},"executable":"/usr/bin/redis-server"}"#
        );
    }
}
