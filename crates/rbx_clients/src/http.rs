//! HTTP requests: one `reqwest::Client` per [`HttpSettings`], whole responses, phased errors.

mod error;
mod request;
mod response;
mod retry_after;

use std::error::Error as _;
use std::time::Instant;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Client, Method, Url};

pub use error::{HttpError, HttpPhase};
pub use request::{DEFAULT_MAX_REDIRECTS, HttpBody, HttpRequest, HttpSettings};
pub use response::HttpResponse;
pub use retry_after::parse_retry_after;

/// The largest body rbx reads; a bigger one fails in the `read` phase instead of filling memory.
pub const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// Builds the client for one set of settings.
pub(crate) fn build_client(settings: &HttpSettings) -> Result<Client, HttpError> {
    let mut defaults = HeaderMap::new();
    for (name, value) in &settings.default_headers {
        let (name, value) = header_pair(name, value, "connection")?;
        defaults.append(name, value);
    }
    let policy = if settings.max_redirects == 0 {
        reqwest::redirect::Policy::none()
    } else {
        reqwest::redirect::Policy::limited(settings.max_redirects)
    };
    Client::builder()
        .default_headers(defaults)
        .redirect(policy)
        .tls_danger_accept_invalid_certs(settings.insecure)
        .build()
        .map_err(|e| HttpError::new(HttpPhase::Request, "client", chain(&e)))
}

/// Sends `request` with `client` and reads the whole response.
pub(crate) async fn send(client: &Client, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
    let url = build_url(request)?;
    let target = origin(&url);
    let method = Method::from_bytes(request.method.as_bytes())
        .map_err(|_| HttpError::new(HttpPhase::Request, &target, format!("invalid method `{}`", request.method)))?;
    let mut builder = client.request(method, url);
    let mut headers = HeaderMap::new();
    for (name, value) in &request.headers {
        let (name, value) = header_pair(name, value, &target)?;
        headers.append(name, value);
    }
    match &request.body {
        Some(HttpBody::Json(json)) => {
            let text = serde_json::to_vec(json)
                .map_err(|e| HttpError::new(HttpPhase::Request, &target, format!("json body: {e}")))?;
            if !headers.contains_key(reqwest::header::CONTENT_TYPE) {
                headers.insert(reqwest::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            }
            builder = builder.body(text);
        }
        Some(HttpBody::Text(text)) => builder = builder.body(text.clone()),
        None => {}
    }
    builder = builder.headers(headers);
    if let Some(timeout) = request.timeout {
        builder = builder.timeout(timeout);
    }

    let started = Instant::now();
    let mut response = builder.send().await.map_err(|e| classify(&e, &target, request))?;
    let status = response.status().as_u16();
    let final_url = without_credentials(response.url());
    let headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
        .collect();
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| classify(&e, &target, request))? {
        if bytes.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(HttpError::new(
                HttpPhase::Read,
                &target,
                format!("response body larger than {} MiB", MAX_BODY_BYTES / (1024 * 1024)),
            ));
        }
        bytes.extend_from_slice(&chunk);
    }
    let duration = started.elapsed();
    let json = if bytes.is_empty() { None } else { serde_json::from_slice(&bytes).ok() };
    let body = String::from_utf8_lossy(&bytes).into_owned();
    let mut result = HttpResponse { status, headers, body, json, duration, url: final_url, retry_after: None };
    if status == 429 || status == 503 {
        result.retry_after = result.header("retry-after").and_then(|v| parse_retry_after(v, jiff::Timestamp::now()));
    }
    Ok(result)
}

impl HttpRequest {
    /// The URL as it is sent: `url` parsed (dot segments resolved, the host lowercased) with
    /// `query` form-encoded (`a b` as `a+b`); what `--dry-run` shows.
    pub fn sent_url(&self) -> Result<String, HttpError> {
        build_url(self).map(String::from)
    }
}

/// The request URL with `query` appended, form-encoded.
fn build_url(request: &HttpRequest) -> Result<Url, HttpError> {
    // The error names no part of the URL: it did not parse, so we cannot tell its secrets apart.
    let mut url = Url::parse(&request.url)
        .map_err(|e| HttpError::new(HttpPhase::Request, "the request URL", format!("invalid URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(HttpError::new(
            HttpPhase::Request,
            origin(&url),
            format!("unsupported URL scheme `{}` (use http or https)", url.scheme()),
        ));
    }
    if !request.query.is_empty() {
        url.query_pairs_mut().extend_pairs(request.query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    }
    Ok(url)
}

fn header_pair(name: &str, value: &str, target: &str) -> Result<(HeaderName, HeaderValue), HttpError> {
    let header_name = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| HttpError::new(HttpPhase::Request, target, format!("invalid header name `{name}`")))?;
    // The value is not repeated: headers often carry tokens.
    let header_value = HeaderValue::from_str(value).map_err(|_| {
        HttpError::new(
            HttpPhase::Request,
            target,
            format!("invalid value for header `{name}` (control characters such as CR or LF are not allowed)"),
        )
    })?;
    Ok((header_name, header_value))
}

/// `scheme://host:port`: enough to say where a request went without its path or query.
fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

fn without_credentials(url: &Url) -> String {
    let mut url = url.clone();
    // Both only fail for URLs that cannot have credentials, which then have none to strip.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.to_string()
}

/// Sorts a reqwest error into a phase and a message that carries no URL.
fn classify(error: &reqwest::Error, target: &str, request: &HttpRequest) -> HttpError {
    let message = chain(error);
    let phase = if error.is_timeout() {
        HttpPhase::Timeout
    } else if error.is_redirect() {
        HttpPhase::Redirect
    } else if error.is_connect() {
        connect_phase(&message, target)
    } else if error.is_builder() {
        HttpPhase::Request
    } else {
        HttpPhase::Read
    };
    let message = match (phase, request.timeout) {
        (HttpPhase::Timeout, Some(timeout)) => format!("no complete response within {timeout:?}"),
        (HttpPhase::Redirect, _) => {
            format!("{message} (at most {} redirects are followed)", request.settings.max_redirects)
        }
        _ => message,
    };
    HttpError::new(phase, target, message)
}

fn connect_phase(message: &str, target: &str) -> HttpPhase {
    // hyper-util names the step that failed ("dns error", "tcp connect error"); a failure after
    // the TCP connection was made, on an https URL, is the TLS handshake (rustls's own errors
    // come through as they are: "invalid peer certificate", "received corrupt message").
    if message.contains("dns error") || message.contains("failed to lookup address") {
        HttpPhase::Dns
    } else if message.contains("tcp connect error") || !target.starts_with("https:") {
        HttpPhase::Connect
    } else {
        HttpPhase::Tls
    }
}

/// The error's causes joined with `: `, without reqwest's "for url (...)" part.
fn chain(error: &reqwest::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut source = error.source();
    while let Some(inner) = source {
        let text = inner.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = inner.source();
    }
    if parts.is_empty() {
        // No cause: reqwest's own text, with the URL taken out first.
        let bare = strip_url(error);
        return bare;
    }
    parts.join(": ")
}

fn strip_url(error: &reqwest::Error) -> String {
    let text = error.to_string();
    match error.url() {
        Some(url) => text.replace(&format!(" for url ({url})"), "").replace(url.as_str(), "the URL"),
        None => text,
    }
}
