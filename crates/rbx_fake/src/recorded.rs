//! What the fake received, so a test can check a runbook's effect at the server.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One request as the server received it, with what it answered.
///
/// Control requests (`/__fake/...`) are not recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedRequest {
    /// 1-based arrival number since the server started (not reset by clearing).
    pub seq: u64,
    /// Milliseconds from the server's start to the request's arrival (to measure a client's waits).
    pub received_ms: u64,
    /// Method, upper case.
    pub method: String,
    /// Path, as sent (percent-encoding kept).
    pub path: String,
    /// Query string without `?`, as sent; `None` when the URL had none.
    pub query: Option<String>,
    /// Headers by lower-case name; repeated headers joined with `, `.
    pub headers: BTreeMap<String, String>,
    /// The body, as UTF-8 (invalid bytes replaced).
    pub body: String,
    /// The status answered; `None` while in flight, or when the connection was dropped.
    pub status: Option<u16>,
    /// The injected fault that answered (`error_rate`, `drop_connection`, ...), if one did.
    pub fault: Option<String>,
}

impl RecordedRequest {
    /// A header's value, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(&name.to_ascii_lowercase()).map(String::as_str)
    }

    /// The body parsed as JSON, when it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_str(&self.body).ok()
    }

    /// The decoded values of a query parameter, in order.
    pub fn query_values(&self, name: &str) -> Vec<String> {
        crate::query::parse(self.query.as_deref().unwrap_or_default())
            .into_iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value)
            .collect()
    }
}
