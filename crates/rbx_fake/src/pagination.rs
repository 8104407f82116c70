//! MaintainX's cursor pagination: `?limit=N&cursor=C` in, `{"<items>": [...], "nextCursor": C|null}` out.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::reply::ApiError;

/// Items per page when `limit` is not given.
pub const DEFAULT_LIMIT: usize = 100;
/// The largest `limit` accepted.
pub const MAX_LIMIT: usize = 200;

/// Where a page starts and how long it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PageRequest {
    limit: usize,
    /// The page holds items with ids above this one.
    after: Option<u64>,
}

impl PageRequest {
    /// Reads `limit` and `cursor` from a query; `collection` names the list the cursor must be for.
    pub fn from_query(pairs: &[(String, String)], collection: &str) -> Result<Self, ApiError> {
        let mut request = Self { limit: DEFAULT_LIMIT, after: None };
        for (name, value) in pairs {
            match name.as_str() {
                "limit" => {
                    request.limit =
                        value.parse().ok().filter(|limit| (1..=MAX_LIMIT).contains(limit)).ok_or_else(|| {
                            ApiError::bad_request(format!("`limit` must be an integer from 1 to {MAX_LIMIT}"))
                        })?;
                }
                "cursor" if !value.is_empty() => request.after = Some(decode_cursor(value, collection)?),
                _ => {}
            }
        }
        Ok(request)
    }

    /// The page of `items` (sorted by ascending id) under `key`, with the cursor of the next page.
    pub fn page<T: Serialize>(self, items: &[T], id: impl Fn(&T) -> u64, key: &str, collection: &str) -> Value {
        let start = match self.after {
            Some(after) => items.partition_point(|item| id(item) <= after),
            None => 0,
        };
        let end = start.saturating_add(self.limit).min(items.len());
        let page = &items[start..end];
        let next_cursor = match page.last() {
            Some(last) if end < items.len() => Value::String(encode_cursor(collection, id(last))),
            _ => Value::Null,
        };
        let mut document = Map::new();
        document.insert(key.to_owned(), serde_json::to_value(page).unwrap_or(Value::Array(Vec::new())));
        document.insert("nextCursor".to_owned(), next_cursor);
        Value::Object(document)
    }
}

/// Cursors are opaque to clients: hex of `collection:last_id`, so one cannot be mistaken for an
/// offset, and a cursor of one list is refused by another.
fn encode_cursor(collection: &str, last_id: u64) -> String {
    hex::encode(format!("{collection}:{last_id}"))
}

fn decode_cursor(cursor: &str, collection: &str) -> Result<u64, ApiError> {
    let invalid = || ApiError::bad_request(format!("invalid cursor `{cursor}`"));
    let bytes = hex::decode(cursor).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (name, id) = text.split_once(':').ok_or_else(invalid)?;
    if name != collection {
        return Err(invalid());
    }
    id.parse().map_err(|_| invalid())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(query: &str) -> Vec<(String, String)> {
        crate::query::parse(query)
    }

    #[test]
    fn a_walk_visits_every_item_once() {
        let items: Vec<u64> = (1..=25).collect();
        let mut seen = Vec::new();
        let mut query = "limit=10".to_owned();
        loop {
            let page = PageRequest::from_query(&pairs(&query), "n").unwrap().page(&items, |i| *i, "items", "n");
            seen.extend(page["items"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()));
            match page["nextCursor"].as_str() {
                Some(cursor) => query = format!("limit=10&cursor={cursor}"),
                None => break,
            }
        }
        assert_eq!(seen, items);
    }

    #[test]
    fn bad_limits_and_cursors_are_refused() {
        for query in ["limit=0", "limit=201", "limit=ten", "cursor=zz", "cursor=6e3a78"] {
            assert!(PageRequest::from_query(&pairs(query), "n").is_err(), "{query}");
        }
        let other_list = encode_cursor("users", 4);
        assert!(PageRequest::from_query(&pairs(&format!("cursor={other_list}")), "workorders").is_err());
    }

    #[test]
    fn an_exact_last_page_has_no_next_cursor() {
        let items: Vec<u64> = (1..=4).collect();
        let page = PageRequest::from_query(&pairs("limit=4"), "n").unwrap().page(&items, |i| *i, "items", "n");
        assert_eq!(page["nextCursor"], Value::Null);
    }
}
