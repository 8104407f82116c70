//! The control API under `/__fake/`: what a test in another process uses to steer the fake.
//!
//! Control requests are never recorded, never faulted and need no API key (the server only
//! listens on 127.0.0.1).

use serde::Deserialize;
use serde_json::json;

use crate::fault::Fault;
use crate::reply::{ApiError, Reply};
use crate::state::Shared;
use crate::status_page::StatusPage;
use crate::webhook_health::WebhookHealth;
use crate::webhook_receiver::WebhookReceiver;

/// The body of `PUT /__fake/faults`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultsBody {
    faults: Vec<Fault>,
}

/// Answers one control request.
pub(crate) fn handle(shared: &Shared, method: &str, path: &str, body: &[u8]) -> Reply {
    answer(shared, method, path, body).unwrap_or_else(ApiError::into_reply)
}

fn answer(shared: &Shared, method: &str, path: &str, body: &[u8]) -> Result<Reply, ApiError> {
    let endpoint = path.strip_prefix("/__fake/").unwrap_or_default();
    let mut state = shared.lock();
    let reply = match (method, endpoint) {
        ("GET", "faults") => faults_document(&state.faults),
        ("PUT", "faults") => {
            let body: FaultsBody = parse(body)?;
            state.faults.set(body.faults);
            faults_document(&state.faults)
        }
        ("DELETE", "faults") => {
            state.faults.set(Vec::new());
            faults_document(&state.faults)
        }
        ("GET", "requests") => Reply::json(200, json!({ "requests": state.requests })),
        ("DELETE", "requests") => {
            let cleared = state.requests.len();
            state.requests.clear();
            Reply::json(200, json!({ "cleared": cleared }))
        }
        ("POST", "reset") => {
            state.reset(&shared.config);
            Reply::json(200, json!({ "reset": true }))
        }
        ("GET", "status-page") => Reply::json(200, json!(state.status_page)),
        ("PUT", "status-page") => {
            state.status_page = parse::<StatusPage>(body)?;
            Reply::json(200, json!(state.status_page))
        }
        ("GET", "webhook-health") => Reply::json(200, json!(state.webhook_health)),
        ("PUT", "webhook-health") => {
            state.webhook_health = parse::<WebhookHealth>(body)?;
            Reply::json(200, json!(state.webhook_health))
        }
        ("GET", "webhook-receiver") => Reply::json(200, json!(state.webhook_receiver)),
        ("PUT", "webhook-receiver") => {
            state.webhook_receiver = parse::<WebhookReceiver>(body)?;
            Reply::json(200, json!(state.webhook_receiver))
        }
        (_, "faults" | "requests" | "reset" | "status-page" | "webhook-health" | "webhook-receiver") => {
            return Err(ApiError::new(405, format!("{method} is not allowed on `{path}`")));
        }
        _ => return Err(ApiError::not_found(format!("no control endpoint at `{path}`"))),
    };
    Ok(reply)
}

fn faults_document(faults: &crate::fault_book::FaultBook) -> Reply {
    Reply::json(200, json!({ "faults": faults.status() }))
}

fn parse<'de, T: Deserialize<'de>>(body: &'de [u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::bad_request(format!("invalid control body: {e}")))
}
