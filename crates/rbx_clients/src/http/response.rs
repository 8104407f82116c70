use std::time::Duration;

use serde_json::{Map, Value};

/// A response, read whole.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Headers in arrival order, names lowercase; a repeated header appears once per line.
    pub headers: Vec<(String, String)>,
    /// The body as text (invalid UTF-8 replaced).
    pub body: String,
    /// The body parsed, when it is JSON.
    pub json: Option<Value>,
    /// From sending the request to the end of the body.
    pub duration: Duration,
    /// The URL that answered (after redirects), without credentials.
    pub url: String,
    /// How long the server asked to wait, from `Retry-After` on a 429 or 503.
    pub retry_after: Option<Duration>,
}

impl HttpResponse {
    /// The step result: `{status, headers, body, json?, duration_ms, url}`.
    ///
    /// Headers become an object; a header sent several times is joined with `, ` as RFC 9110
    /// allows for list-valued fields (`set-cookie` is joined too, so read it with care).
    pub fn to_result(&self) -> Value {
        let mut headers = Map::new();
        for (name, value) in &self.headers {
            match headers.get_mut(name) {
                Some(Value::String(existing)) => {
                    existing.push_str(", ");
                    existing.push_str(value);
                }
                _ => {
                    headers.insert(name.clone(), Value::String(value.clone()));
                }
            }
        }
        let mut result = Map::new();
        result.insert("status".into(), self.status.into());
        result.insert("headers".into(), Value::Object(headers));
        result.insert("body".into(), Value::String(self.body.clone()));
        if let Some(json) = &self.json {
            result.insert("json".into(), json.clone());
        }
        result.insert("duration_ms".into(), duration_ms(self.duration).into());
        result.insert("url".into(), Value::String(self.url.clone()));
        Value::Object(result)
    }

    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

fn duration_ms(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}
