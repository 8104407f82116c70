//! Starting a fake server: the listener, the accept loop, and the walk of one request.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinSet;

use crate::api::{self, ApiRequest};
use crate::config::Config;
use crate::control;
use crate::error::FakeError;
use crate::fault_book::Injected;
use crate::reply::{ApiError, Reply};
use crate::running::Running;
use crate::state::{Arrival, Shared};

/// The largest request body read; a bigger one gets 413.
const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Starts fake MaintainX servers.
#[derive(Debug, Clone, Copy)]
pub struct FakeMaintainx;

impl FakeMaintainx {
    /// Starts a server on the current tokio runtime, listening on 127.0.0.1 (port from
    /// `config`, 0 for any). It serves until the returned [`Running`] is dropped.
    pub async fn start(config: Config) -> Result<Running, FakeError> {
        let (listener, shared) = bind(config).await?;
        let (stop, stopped) = oneshot::channel();
        tokio::spawn(serve(listener, Arc::clone(&shared), stopped));
        Ok(Running::new(shared, stop, None))
    }

    /// Starts a server on a thread of its own, for synchronous tests. It serves until the
    /// returned [`Running`] is dropped, which also joins the thread.
    pub fn spawn_in_thread(config: Config) -> Result<Running, FakeError> {
        let (ready, is_ready) = std::sync::mpsc::channel();
        let (stop, stopped) = oneshot::channel();
        let thread = std::thread::Builder::new()
            .name("rbx-fake-maintainx".to_owned())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                    Ok(runtime) => runtime,
                    Err(error) => {
                        let _ = ready.send(Err(FakeError::Thread(error)));
                        return;
                    }
                };
                runtime.block_on(async move {
                    match bind(config).await {
                        Ok((listener, shared)) => {
                            let _ = ready.send(Ok(Arc::clone(&shared)));
                            serve(listener, shared, stopped).await;
                        }
                        Err(error) => {
                            let _ = ready.send(Err(error));
                        }
                    }
                });
            })
            .map_err(FakeError::Thread)?;
        let shared = is_ready.recv().map_err(|_| FakeError::ThreadEnded)??;
        Ok(Running::new(shared, stop, Some(thread)))
    }
}

async fn bind(config: Config) -> Result<(TcpListener, Arc<Shared>), FakeError> {
    let port = config.port;
    let bind_error = |source| FakeError::Bind { port, source };
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await.map_err(bind_error)?;
    let addr = listener.local_addr().map_err(bind_error)?;
    Ok((listener, Arc::new(Shared::new(config, addr))))
}

/// Accepts connections until `stopped` fires (or its sender is dropped); then every
/// connection still open is aborted with the `JoinSet`.
async fn serve(listener: TcpListener, shared: Arc<Shared>, mut stopped: oneshot::Receiver<()>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut stopped => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    // Small JSON answers: do not let Nagle hold them back.
                    let _ = stream.set_nodelay(true);
                    let shared = Arc::clone(&shared);
                    connections.spawn(async move {
                        let service = service_fn(move |request| handle(Arc::clone(&shared), request));
                        // A connection that fails (client gone, dropped by a fault) concerns only itself.
                        let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                    });
                }
                // Out of file descriptors and the like: wait a little rather than spin.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// Returned by the service to make hyper close the connection without writing a response.
#[derive(Debug, thiserror::Error)]
#[error("connection dropped by an injected fault")]
struct DropConnection;

/// One request: read it, hand control requests over, record the rest, run the faults, answer.
async fn handle(shared: Arc<Shared>, request: Request<Incoming>) -> Result<Response<Full<Bytes>>, DropConnection> {
    let (parts, body) = request.into_parts();
    let body = match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(error) if error.is::<http_body_util::LengthLimitError>() => {
            let message = format!("request body is larger than {MAX_BODY_BYTES} bytes");
            return Ok(ApiError::new(413, message).into_reply().into_response());
        }
        // The client went away mid-body: nobody to answer.
        Err(_) => return Err(DropConnection),
    };
    let method = parts.method.as_str();
    let path = parts.uri.path();
    if path == "/__fake" || path.starts_with("/__fake/") {
        return Ok(control::handle(&shared, method, path, &body).into_response());
    }
    let headers = header_map(&parts.headers);
    let query = parts.uri.query();
    let (seq, verdict) = shared.arrive(Arrival { method, path, query, headers: headers.clone(), body: &body });
    if !verdict.delay.is_zero() {
        tokio::time::sleep(verdict.delay).await;
    }
    let (reply, fault) = match verdict.answer {
        Some(Injected::Drop) => {
            shared.answered(seq, None, Some("drop_connection"));
            return Err(DropConnection);
        }
        Some(Injected::Respond { status, retry_after_secs, fault }) => {
            (injected_reply(status, retry_after_secs, fault), Some(fault))
        }
        None => (api::handle(&shared, &ApiRequest { method, path, query, headers: &headers, body: &body }), None),
    };
    shared.answered(seq, Some(reply.status), fault);
    Ok(reply.into_response())
}

fn injected_reply(status: u16, retry_after_secs: Option<u64>, fault: &str) -> Reply {
    let reply = ApiError::new(status, format!("injected fault: {fault}")).into_reply();
    match retry_after_secs {
        Some(seconds) => reply.header("retry-after", seconds.to_string()),
        None => reply,
    }
}

fn header_map(headers: &hyper::HeaderMap) -> BTreeMap<String, String> {
    let mut map = BTreeMap::<String, String>::new();
    for (name, value) in headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        map.entry(name.as_str().to_owned())
            .and_modify(|joined| {
                joined.push_str(", ");
                joined.push_str(&value);
            })
            .or_insert(value);
    }
    map
}
