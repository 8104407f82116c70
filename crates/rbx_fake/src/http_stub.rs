//! A generic HTTP stub: canned answers by method and path, every request recorded. For the
//! endpoints a runbook calls that are not MaintainX (an application's health check, Prometheus,
//! Grafana, Elasticsearch), where a test needs a few fixed answers rather than a whole fake.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};

use crate::error::FakeError;
use crate::recorded::RecordedRequest;
use crate::server::{Answer, Shutdown, header_map, read_body, serve_in_thread};

/// One canned answer: a status, a `Content-Type` and a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CannedReply {
    /// The HTTP status.
    pub status: u16,
    /// The `Content-Type` header.
    pub content_type: String,
    /// The body, sent as it is.
    pub body: String,
}

impl CannedReply {
    /// A JSON answer.
    pub fn json(status: u16, body: &serde_json::Value) -> Self {
        Self { status, content_type: "application/json".to_owned(), body: body.to_string() }
    }

    /// A plain-text answer.
    pub fn text(status: u16, body: impl Into<String>) -> Self {
        Self { status, content_type: "text/plain; charset=utf-8".to_owned(), body: body.into() }
    }

    fn into_response(self) -> Response<Full<Bytes>> {
        let mut response = Response::new(Full::new(Bytes::from(self.body)));
        *response.status_mut() = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if let Ok(value) = hyper::header::HeaderValue::from_str(&self.content_type) {
            response.headers_mut().insert(hyper::header::CONTENT_TYPE, value);
        }
        response
    }
}

/// The answers of one method and path, given in turn; the last one answers every request after.
#[derive(Debug)]
struct Route {
    replies: Vec<CannedReply>,
    served: usize,
}

impl Route {
    fn next(&mut self) -> Option<CannedReply> {
        let reply = self.replies.get(self.served).or_else(|| self.replies.last()).cloned();
        self.served += 1;
        reply
    }
}

#[derive(Debug)]
struct StubState {
    routes: BTreeMap<(String, String), Route>,
    requests: Vec<RecordedRequest>,
}

#[derive(Debug)]
struct Shared {
    addr: SocketAddr,
    started: Instant,
    state: Mutex<StubState>,
}

impl Shared {
    /// A panic elsewhere while holding the lock leaves data a test stub can still use.
    fn lock(&self) -> MutexGuard<'_, StubState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A running HTTP stub on 127.0.0.1; dropping it stops the server and joins its thread.
///
/// A request is answered by the route of its method and exact path (query string ignored), or
/// with 404 and a JSON message naming what was asked when there is none. Every request is
/// recorded, answered or not, so a test also sees the calls it did not expect.
#[derive(Debug)]
pub struct HttpStub {
    /// The address it listens on (always 127.0.0.1).
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    _shutdown: Shutdown,
}

impl HttpStub {
    /// Starts a stub with no routes on any free port, on a thread of its own.
    pub fn spawn_in_thread() -> Result<Self, FakeError> {
        let state = |listener: &tokio::net::TcpListener| {
            let addr = listener.local_addr().map_err(|source| FakeError::Bind { port: 0, source })?;
            let state = StubState { routes: BTreeMap::new(), requests: Vec::new() };
            Ok(Arc::new(Shared { addr, started: Instant::now(), state: Mutex::new(state) }))
        };
        let server = serve_in_thread("rbx-http-stub", 0, state, answer)?;
        Ok(Self { addr: server.state.addr, shared: server.state, _shutdown: server.shutdown })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn root_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The URL of `path` on this stub; a missing leading `/` is added.
    pub fn url(&self, path: &str) -> String {
        let separator = if path.starts_with('/') { "" } else { "/" };
        format!("{}{separator}{path}", self.root_url())
    }

    /// Answers `method path` with `reply` from now on (replacing what it answered before).
    pub fn on(&self, method: &str, path: &str, reply: CannedReply) -> &Self {
        self.on_each(method, path, vec![reply])
    }

    /// Answers `method path` with `replies` in turn, the last one again for every request after
    /// (`[503, 200]`: down once, then up). An empty list removes the route.
    pub fn on_each(&self, method: &str, path: &str, replies: Vec<CannedReply>) -> &Self {
        let key = (method.to_ascii_uppercase(), path.to_owned());
        let mut state = self.shared.lock();
        if replies.is_empty() {
            state.routes.remove(&key);
        } else {
            state.routes.insert(key, Route { replies, served: 0 });
        }
        self
    }

    /// The requests received so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().requests.clone()
    }

    /// `METHOD PATH` (with `?QUERY` when there was one) of each request received so far, in order.
    pub fn calls(&self) -> Vec<String> {
        self.requests()
            .iter()
            .map(|r| match &r.query {
                Some(query) => format!("{} {}?{query}", r.method, r.path),
                None => format!("{} {}", r.method, r.path),
            })
            .collect()
    }
}

async fn answer(shared: Arc<Shared>, request: Request<Incoming>) -> Answer {
    let (parts, body) = request.into_parts();
    let body = match read_body(body).await {
        Ok(body) => body,
        Err(answer) => return answer,
    };
    let method = parts.method.as_str().to_owned();
    let path = parts.uri.path().to_owned();
    let mut state = shared.lock();
    let reply = state.routes.get_mut(&(method.clone(), path.clone())).and_then(Route::next).unwrap_or_else(|| {
        let message = format!("no stub route for {method} {path}");
        CannedReply::json(404, &serde_json::json!({ "error": "Not Found", "message": message }))
    });
    let seq = u64::try_from(state.requests.len()).unwrap_or(u64::MAX).saturating_add(1);
    state.requests.push(RecordedRequest {
        seq,
        received_ms: u64::try_from(shared.started.elapsed().as_millis()).unwrap_or(u64::MAX),
        method,
        path,
        query: parts.uri.query().map(str::to_owned),
        headers: header_map(&parts.headers),
        body: String::from_utf8_lossy(&body).into_owned(),
        status: Some(reply.status),
        fault: None,
    });
    Ok(reply.into_response())
}
