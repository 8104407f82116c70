//! Shared by the service tests: which services to use, and unique names.

#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use rbx_clients::{Clients, SqlError, SqlRequest, SqlResult};
use serde_json::Value;

/// The URL in `var`, or `None` (the test skips itself and says why). Under `CI` a missing
/// variable is a failure: there every service must be there.
pub fn service_url(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => panic!("{var} is not set; under CI every service test must run"),
        _ => {
            eprintln!("skipped: {var} is not set");
            None
        }
    }
}

/// A name no other test (or other run of this test) uses: `rbx_t_<what>_<pid>_<n>`.
pub fn unique(what: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    format!("rbx_t_{what}_{}_{n}_{nanos}", std::process::id())
}

/// A port on 127.0.0.1 where nothing listens (bound, then released).
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A `watch` receiver that never fires, and its sender (kept alive by the caller if needed).
pub fn no_cancel() -> tokio::sync::watch::Receiver<bool> {
    let (tx, rx) = tokio::sync::watch::channel(false);
    // Leaking one small sender per test keeps the channel open, like the engine's.
    std::mem::forget(tx);
    rx
}

/// A SQL request with a 30 s timeout.
pub fn req(url: &str, query: &str, params: Vec<Value>) -> SqlRequest {
    SqlRequest { url: url.to_owned(), query: query.to_owned(), params, timeout: Some(Duration::from_secs(30)) }
}

/// Runs one statement with no cancel signal.
pub async fn sql(clients: &Clients, url: &str, query: &str, params: Vec<Value>) -> Result<SqlResult, SqlError> {
    clients.sql(&req(url, query, params), no_cancel()).await
}
