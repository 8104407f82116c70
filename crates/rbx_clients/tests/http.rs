//! HTTP requests against a small axum server on 127.0.0.1, port 0.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::{ConnectInfo, Path, Request};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use rbx_clients::{Clients, HttpBody, HttpPhase, HttpRequest, HttpSettings};
use serde_json::{Value, json};

async fn echo(ConnectInfo(peer): ConnectInfo<SocketAddr>, request: Request) -> Response {
    let method = request.method().to_string();
    let uri = request.uri().to_string();
    let pairs: Vec<(String, String)> = request.uri().query().map(form_pairs).unwrap_or_default();
    let headers: serde_json::Map<String, Value> = request
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), Value::String(String::from_utf8_lossy(v.as_bytes()).into_owned())))
        .collect();
    let body = axum::body::to_bytes(request.into_body(), 1 << 20).await.unwrap_or_default();
    let out = json!({
        "method": method,
        "uri": uri,
        "query": pairs,
        "headers": headers,
        "body": String::from_utf8_lossy(&body),
        "peer_port": peer.port(),
    });
    ([(header::CONTENT_TYPE, "application/json")], out.to_string()).into_response()
}

/// application/x-www-form-urlencoded decoding, as a server framework does it.
fn form_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(text: &str) -> String {
    let bytes = text.replace('+', " ").into_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

async fn status(Path(code): Path<u16>) -> Response {
    (StatusCode::from_u16(code).unwrap(), format!("status {code}")).into_response()
}

async fn retry_seconds() -> Response {
    (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, "7")], "slow down").into_response()
}

async fn retry_date() -> Response {
    let later = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(120);
    let date = jiff::fmt::rfc2822::DateTimePrinter::new().timestamp_to_rfc9110_string(&later).unwrap();
    (StatusCode::SERVICE_UNAVAILABLE, [(header::RETRY_AFTER, date)], "maintenance").into_response()
}

async fn slow() -> &'static str {
    tokio::time::sleep(Duration::from_secs(10)).await;
    "late"
}

async fn redirect(Path(n): Path<u32>) -> Response {
    if n == 0 {
        return "arrived".into_response();
    }
    (StatusCode::FOUND, [(header::LOCATION, format!("/redirect/{}", n - 1))]).into_response()
}

async fn text_body() -> Response {
    ([(header::CONTENT_TYPE, "text/plain")], "plain, not { json").into_response()
}

async fn repeated_headers() -> Response {
    let mut headers = HeaderMap::new();
    headers.append("x-many", "a".parse().unwrap());
    headers.append("x-many", "b".parse().unwrap());
    (headers, "{\"ok\": true}").into_response()
}

async fn gzipped(request: Request) -> Response {
    use std::io::Write;
    let accepts = request.headers().get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or("");
    let text = json!({"compressed": true, "accept_encoding": accepts}).to_string();
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(text.as_bytes()).unwrap();
    let body = encoder.finish().unwrap();
    ([(header::CONTENT_ENCODING, "gzip"), (header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// Starts the server and returns its base URL.
async fn server() -> String {
    let app = Router::new()
        .route("/echo", any(echo))
        .route("/echo/{*rest}", any(echo))
        .route("/status/{code}", get(status))
        .route("/retry/seconds", get(retry_seconds))
        .route("/retry/date", get(retry_date))
        .route("/slow", get(slow))
        .route("/redirect/{n}", get(redirect))
        .route("/text", get(text_body))
        .route("/repeated", get(repeated_headers))
        .route("/gzip", get(gzipped));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await.unwrap();
    });
    format!("http://{addr}")
}

fn request(url: String) -> HttpRequest {
    HttpRequest::get(url)
}

#[tokio::test]
async fn get_returns_the_result_shape() {
    let base = server().await;
    let clients = Clients::new();
    let response = clients.http(&request(format!("{base}/echo/users"))).await.unwrap();
    assert_eq!(response.status, 200);
    let result = response.to_result();
    let keys: Vec<&str> = result.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["status", "headers", "body", "json", "duration_ms", "url"]);
    assert_eq!(result["json"]["method"], "GET");
    assert_eq!(result["headers"]["content-type"], "application/json");
    assert_eq!(result["url"], format!("{base}/echo/users"));
    assert!(result["duration_ms"].is_u64());
}

#[tokio::test]
async fn a_body_that_is_not_json_has_no_json_field() {
    let base = server().await;
    let response = Clients::new().http(&request(format!("{base}/text"))).await.unwrap();
    assert_eq!(response.body, "plain, not { json");
    assert!(response.to_result().get("json").is_none());
}

#[tokio::test]
async fn error_statuses_are_responses_not_errors() {
    let base = server().await;
    let response = Clients::new().http(&request(format!("{base}/status/503"))).await.unwrap();
    assert_eq!(response.status, 503);
    assert_eq!(response.body, "status 503");
    assert_eq!(response.retry_after, None);
}

#[tokio::test]
async fn json_body_method_headers_and_query_arrive() {
    let base = server().await;
    let mut req = request(format!("{base}/echo/items?fixed=1"));
    req.method = "PATCH".into();
    req.query = vec![("limit".into(), "5".into()), ("q".into(), "a b".into())];
    req.headers = vec![("X-Trace".into(), "abc".into())];
    req.body = Some(HttpBody::Json(json!({"note": "hi", "n": 12345678901234567890u64})));
    let response = Clients::new().http(&req).await.unwrap();
    let echo = response.json.unwrap();
    assert_eq!(echo["method"], "PATCH");
    assert_eq!(echo["query"], json!([["fixed", "1"], ["limit", "5"], ["q", "a b"]]));
    assert_eq!(echo["headers"]["x-trace"], "abc");
    assert_eq!(echo["headers"]["content-type"], "application/json");
    assert_eq!(echo["body"], r#"{"note":"hi","n":12345678901234567890}"#);
}

#[tokio::test]
async fn text_body_is_sent_as_is() {
    let base = server().await;
    let mut req = request(format!("{base}/echo"));
    req.method = "POST".into();
    req.body = Some(HttpBody::Text("line1\r\nline2 ünïcode".into()));
    let echo = Clients::new().http(&req).await.unwrap().json.unwrap();
    assert_eq!(echo["body"], "line1\r\nline2 ünïcode");
}

#[tokio::test]
async fn hostile_path_and_query_values_arrive_verbatim() {
    let base = server().await;
    let hostile = "a&b=c#frag%2F;x='1' OR 1=1--\r\nX-Injected: yes ü";
    let mut req = request(format!("{base}/echo/a%2Fb/%20x;y=1?pre=%26"));
    req.query = vec![("v".into(), hostile.into()), (hostile.into(), "k".into())];
    let echo = Clients::new().http(&req).await.unwrap().json.unwrap();
    assert_eq!(echo["query"], json!([["pre", "&"], ["v", hostile], [hostile, "k"]]));
    // The already-encoded path is not decoded or re-encoded on the way.
    assert!(echo["uri"].as_str().unwrap().starts_with("/echo/a%2Fb/%20x;y=1?pre=%26&"), "{}", echo["uri"]);
    assert!(echo["headers"].get("x-injected").is_none());
}

#[tokio::test]
async fn a_header_value_with_cr_lf_is_refused_and_not_repeated() {
    let base = server().await;
    let mut req = request(format!("{base}/echo"));
    req.headers = vec![("X-Token".into(), "secret-value\r\nX-Injected: yes".into())];
    let error = Clients::new().http(&req).await.unwrap_err();
    assert_eq!(error.phase(), HttpPhase::Request);
    assert!(error.to_string().contains("X-Token"), "{error}");
    assert!(!error.to_string().contains("secret-value"), "{error}");
}

#[tokio::test]
async fn default_headers_are_sent_and_a_step_header_overrides_them() {
    let base = server().await;
    let mut req = request(format!("{base}/echo"));
    req.settings.default_headers = vec![("Authorization".into(), "Bearer k".into()), ("X-Env".into(), "prod".into())];
    req.headers = vec![("X-Env".into(), "staging".into())];
    let echo = Clients::new().http(&req).await.unwrap().json.unwrap();
    assert_eq!(echo["headers"]["authorization"], "Bearer k");
    assert_eq!(echo["headers"]["x-env"], "staging");
}

#[tokio::test]
async fn gzip_bodies_are_asked_for_and_decoded() {
    let base = server().await;
    let response = Clients::new().http(&request(format!("{base}/gzip"))).await.unwrap();
    let json = response.json.unwrap();
    assert_eq!(json["compressed"], true);
    assert!(json["accept_encoding"].as_str().unwrap().contains("gzip"), "{json}");
}

#[tokio::test]
async fn repeated_response_headers_are_joined() {
    let base = server().await;
    let response = Clients::new().http(&request(format!("{base}/repeated"))).await.unwrap();
    assert_eq!(response.to_result()["headers"]["x-many"], "a, b");
}

#[tokio::test]
async fn retry_after_in_seconds_and_as_a_date() {
    let base = server().await;
    let clients = Clients::new();
    let seconds = clients.http(&request(format!("{base}/retry/seconds"))).await.unwrap();
    assert_eq!(seconds.status, 429);
    assert_eq!(seconds.retry_after, Some(Duration::from_secs(7)));
    let date = clients.http(&request(format!("{base}/retry/date"))).await.unwrap();
    assert_eq!(date.status, 503);
    let wait = date.retry_after.unwrap();
    // The date has whole seconds, so the wait is a little under 120 s.
    assert!(wait > Duration::from_secs(100) && wait <= Duration::from_secs(120), "{wait:?}");
}

#[tokio::test]
async fn redirects_are_followed_up_to_the_limit() {
    let base = server().await;
    let clients = Clients::new();
    let mut req = request(format!("{base}/redirect/3"));
    req.settings.max_redirects = 3;
    let response = clients.http(&req).await.unwrap();
    assert_eq!(response.body, "arrived");
    assert_eq!(response.url, format!("{base}/redirect/0"));

    req.url = format!("{base}/redirect/4");
    let error = clients.http(&req).await.unwrap_err();
    assert_eq!(error.phase(), HttpPhase::Redirect, "{error}");

    req.settings.max_redirects = 0;
    let response = clients.http(&req).await.unwrap();
    assert_eq!(response.status, 302);
}

#[tokio::test]
async fn a_slow_response_hits_the_timeout() {
    let base = server().await;
    let mut req = request(format!("{base}/slow?token=s3cr3t"));
    req.timeout = Some(Duration::from_millis(300));
    let error = Clients::new().http(&req).await.unwrap_err();
    assert_eq!(error.phase(), HttpPhase::Timeout, "{error}");
    assert!(!error.to_string().contains("s3cr3t"), "{error}");
}

#[tokio::test]
async fn connection_refused_is_a_connect_error_without_credentials_or_query() {
    let port = common::closed_port();
    let req = request(format!("http://user:pa55word@127.0.0.1:{port}/x?api_key=k3y"));
    let error = Clients::new().http(&req).await.unwrap_err();
    assert_eq!(error.phase(), HttpPhase::Connect, "{error}");
    let text = error.to_string();
    assert!(text.contains("refused"), "{text}");
    assert!(text.contains(&format!("127.0.0.1:{port}")), "{text}");
    for secret in ["pa55word", "k3y", "user", "/x"] {
        assert!(!text.contains(secret), "{text}");
    }
}

#[tokio::test]
async fn tls_to_a_plain_http_server_is_a_tls_error() {
    let base = server().await;
    let req = request(base.replace("http://", "https://") + "/echo");
    let error = Clients::new().http(&req).await.unwrap_err();
    assert_eq!(error.phase(), HttpPhase::Tls, "{error}");
}

#[tokio::test]
async fn a_bad_url_or_method_is_a_request_error() {
    let clients = Clients::new();
    let error = clients.http(&request("not a url ?secret=1".into())).await.unwrap_err();
    assert_eq!(error.phase(), HttpPhase::Request);
    assert!(!error.to_string().contains("secret"), "{error}");
    let error = clients.http(&request("ftp://127.0.0.1/x".into())).await.unwrap_err();
    assert_eq!(error.phase(), HttpPhase::Request);
    let mut req = request("http://127.0.0.1:1/".into());
    req.method = "GE T".into();
    assert_eq!(clients.http(&req).await.unwrap_err().phase(), HttpPhase::Request);
}

#[tokio::test]
async fn the_result_url_has_no_credentials() {
    let base = server().await;
    let url = base.replace("http://", "http://me:pw@") + "/echo";
    let response = Clients::new().http(&request(url)).await.unwrap();
    assert_eq!(response.url, format!("{base}/echo"));
}

#[tokio::test]
async fn equal_settings_share_a_connection_and_other_connections_do_not() {
    let base = server().await;
    let clients = Clients::new();
    let port = |r: rbx_clients::HttpResponse| r.json.unwrap()["peer_port"].as_u64().unwrap();
    let first = port(clients.http(&request(format!("{base}/echo"))).await.unwrap());
    let second = port(clients.http(&request(format!("{base}/echo"))).await.unwrap());
    assert_eq!(first, second, "the second request should reuse the pooled connection");
    let mut other = request(format!("{base}/echo"));
    other.settings = HttpSettings { connection: Some("other".into()), ..HttpSettings::default() };
    let third = port(clients.http(&other).await.unwrap());
    assert_ne!(first, third);
}

#[tokio::test]
async fn http_and_redis_futures_can_be_spawned() {
    let base = server().await;
    let clients = std::sync::Arc::new(Clients::new());
    let shared = clients.clone();
    let status =
        tokio::spawn(async move { shared.http(&request(format!("{base}/status/204"))).await.map(|r| r.status) });
    assert_eq!(status.await.unwrap().unwrap(), 204);
    let shared = clients.clone();
    let port = common::closed_port();
    let redis = tokio::spawn(async move {
        let request = rbx_clients::RedisRequest {
            url: format!("redis://127.0.0.1:{port}"),
            args: vec!["PING".into()],
            timeout: Some(Duration::from_secs(5)),
        };
        shared.redis(&request).await
    });
    assert!(redis.await.unwrap().is_err());
}
