//! Starting a fake server: the listener, the accept loop, and the walk of one request.

use std::collections::BTreeMap;
use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::thread::JoinHandle;
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
        let listener = bind(config.port).await?;
        let shared = shared_for(config, &listener)?;
        let (stop, stopped) = oneshot::channel();
        tokio::spawn(serve(listener, Arc::clone(&shared), handle, stopped));
        Ok(Running::new(shared, Shutdown::new(stop, None)))
    }

    /// Starts a server on a thread of its own, for synchronous tests. It serves until the
    /// returned [`Running`] is dropped, which also joins the thread.
    pub fn spawn_in_thread(config: Config) -> Result<Running, FakeError> {
        let port = config.port;
        let server = serve_in_thread("rbx-fake-maintainx", port, move |listener| shared_for(config, listener), handle)?;
        Ok(Running::new(server.state, server.shutdown))
    }
}

fn shared_for(config: Config, listener: &TcpListener) -> Result<Arc<Shared>, FakeError> {
    let port = config.port;
    let addr = listener.local_addr().map_err(|source| FakeError::Bind { port, source })?;
    Ok(Arc::new(Shared::new(config, addr)))
}

/// The listener on 127.0.0.1:`port` (0: any free port).
async fn bind(port: u16) -> Result<TcpListener, FakeError> {
    TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
        .await
        .map_err(|source| FakeError::Bind { port, source })
}

/// What a request handler answers: a response, or `Err` to close the connection without one.
pub(crate) type Answer = Result<Response<Full<Bytes>>, DropConnection>;

/// A server serving on a thread of its own: its state, and what stops it.
pub(crate) struct ServerThread<T> {
    pub state: Arc<T>,
    pub shutdown: Shutdown,
}

/// Stops a server when dropped: fires its stop signal, then joins its thread if it has one.
#[derive(Debug)]
pub(crate) struct Shutdown {
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Shutdown {
    pub fn new(stop: oneshot::Sender<()>, thread: Option<JoinHandle<()>>) -> Self {
        Self { stop: Some(stop), thread }
    }
}

impl Drop for Shutdown {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            // The server thread only ends by this stop; a panic in it has already been reported.
            let _ = thread.join();
        }
    }
}

/// Runs a server on a thread of its own with a current-thread runtime: binds 127.0.0.1:`port`,
/// builds the server's state from the listener, then serves with `handler` until the returned
/// sender fires or is dropped. Returns once the server is listening.
pub(crate) fn serve_in_thread<T, H, F>(
    thread_name: &str,
    port: u16,
    state: impl FnOnce(&TcpListener) -> Result<Arc<T>, FakeError> + Send + 'static,
    handler: H,
) -> Result<ServerThread<T>, FakeError>
where
    T: Send + Sync + 'static,
    H: Fn(Arc<T>, Request<Incoming>) -> F + Copy + Send + 'static,
    F: Future<Output = Answer> + Send + 'static,
{
    let (ready, is_ready) = std::sync::mpsc::channel();
    let (stop, stopped) = oneshot::channel();
    let thread = std::thread::Builder::new()
        .name(thread_name.to_owned())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(runtime) => runtime,
                Err(error) => {
                    let _ = ready.send(Err(FakeError::Thread(error)));
                    return;
                }
            };
            runtime.block_on(async move {
                let started = match bind(port).await {
                    Ok(listener) => state(&listener).map(|state| (listener, state)),
                    Err(error) => Err(error),
                };
                match started {
                    Ok((listener, state)) => {
                        let _ = ready.send(Ok(Arc::clone(&state)));
                        serve(listener, state, handler, stopped).await;
                    }
                    Err(error) => {
                        let _ = ready.send(Err(error));
                    }
                }
            });
        })
        .map_err(FakeError::Thread)?;
    let state = is_ready.recv().map_err(|_| FakeError::ThreadEnded)??;
    Ok(ServerThread { state, shutdown: Shutdown::new(stop, Some(thread)) })
}

/// Accepts connections until `stopped` fires (or its sender is dropped), answering each request
/// with `handler`; then every connection still open is aborted with the `JoinSet`.
pub(crate) async fn serve<T, H, F>(listener: TcpListener, state: Arc<T>, handler: H, mut stopped: oneshot::Receiver<()>)
where
    T: Send + Sync + 'static,
    H: Fn(Arc<T>, Request<Incoming>) -> F + Copy + Send + 'static,
    F: Future<Output = Answer> + Send + 'static,
{
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut stopped => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    // Small JSON answers: do not let Nagle hold them back.
                    let _ = stream.set_nodelay(true);
                    let state = Arc::clone(&state);
                    connections.spawn(async move {
                        let service = service_fn(move |request| handler(Arc::clone(&state), request));
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

/// A request's body, at most [`MAX_BODY_BYTES`]; `Err` holds the answer when it cannot be read
/// (413 when too large, a dropped connection when the client went away mid-body).
pub(crate) async fn read_body(body: Incoming) -> Result<Bytes, Answer> {
    match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.is::<http_body_util::LengthLimitError>() => {
            let message = format!("request body is larger than {MAX_BODY_BYTES} bytes");
            Err(Ok(ApiError::new(413, message).into_reply().into_response()))
        }
        Err(_) => Err(Err(DropConnection)),
    }
}

/// Returned by the service to make hyper close the connection without writing a response.
#[derive(Debug, thiserror::Error)]
#[error("connection dropped by an injected fault")]
pub(crate) struct DropConnection;

/// One request: read it, hand control requests over, record the rest, run the faults, answer.
async fn handle(shared: Arc<Shared>, request: Request<Incoming>) -> Answer {
    let (parts, body) = request.into_parts();
    let body = match read_body(body).await {
        Ok(body) => body,
        Err(answer) => return answer,
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

pub(crate) fn header_map(headers: &hyper::HeaderMap) -> BTreeMap<String, String> {
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
