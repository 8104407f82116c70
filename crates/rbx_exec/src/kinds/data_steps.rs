//! `http`, `sql` and `redis` steps: rendered into requests here, sent by `rbx_clients`. The
//! builders are shared with `--dry-run`, which shows the same requests without sending them.

use std::time::Duration;

use rbx_clients::{HttpBody, HttpRequest, HttpSettings, RedisRequest, SqlRequest};
use rbx_model::{ConnectionKind, HttpConnection, HttpStep, RedisStep, Runbook, SqlStep, Target, Tpl};
use rbx_template::{Destination, Renderer};
use serde_json::{Map, Value, json};

use super::{Attempt, announce};
use crate::data::render_data;
use crate::engine::{Engine, Scope};

/// What a request is rendered from: the templates' context and the runbook's connections.
#[derive(Clone, Copy)]
pub struct RequestContext<'a> {
    /// Renders templates.
    pub renderer: &'a Renderer,
    /// The run context (or one item's copy of it).
    pub context: &'a Value,
    /// The runbook, for its connections.
    pub runbook: &'a Runbook,
}

impl RequestContext<'_> {
    fn text(&self, tpl: &Tpl, destination: Destination, what: &str) -> Result<String, String> {
        self.renderer.render_text(&tpl.template, destination, self.context).map_err(|e| format!("{what}: {e}"))
    }

    fn pairs(&self, pairs: &[(String, Tpl)], what: &str) -> Result<Vec<(String, String)>, String> {
        pairs
            .iter()
            .map(|(name, value)| Ok((name.clone(), self.text(value, Destination::Text, &format!("{what} `{name}`"))?)))
            .collect()
    }

    fn connection(&self, name: &str) -> Result<&ConnectionKind, String> {
        self.runbook
            .connection(name)
            .map(|connection| &connection.kind)
            .ok_or_else(|| format!("unknown connection `{name}`"))
    }

    /// The URL of a `sql` or `redis` step: its own, or its connection's.
    fn url(&self, target: &Target) -> Result<String, String> {
        match target {
            Target::Url(url) => self.text(url, Destination::Text, "url"),
            Target::Connection(name) => match self.connection(&name.value)? {
                ConnectionKind::Sql { url } | ConnectionKind::Redis { url } => {
                    self.text(url, Destination::Text, &format!("connection `{}`", name.value))
                }
                ConnectionKind::Http(_) => Err(format!("connection `{}` is an http connection", name.value)),
            },
        }
    }
}

/// The HTTP request an `http` step sends: the connection's base URL and headers, then the
/// step's path (each `{{x}}` percent-encoded), query, headers and body.
pub fn http_request(
    cx: RequestContext<'_>,
    http: &HttpStep,
    step_timeout: Option<Duration>,
) -> Result<HttpRequest, String> {
    let (base, connection) = match &http.target {
        Target::Url(url) => (cx.text(url, Destination::Text, "url")?, None),
        Target::Connection(name) => match cx.connection(&name.value)? {
            ConnectionKind::Http(connection) => {
                (cx.text(&connection.base_url, Destination::Text, "base_url")?, Some((name, connection)))
            }
            _ => return Err(format!("connection `{}` is not an http connection", name.value)),
        },
    };
    let path = match &http.path {
        Some(path) => {
            let rendered = cx.text(path, Destination::UrlComponent, "path")?;
            if dot_segments(&rendered) > dot_segments(path.template.source()) {
                // `.` and `..` are unreserved, so encoding leaves them, and URL parsing then
                // resolves them (`/users/../delete` is `/delete`): a value would pick the endpoint.
                return Err("path: a value makes a whole `.` or `..` segment, which would send the request \
                     to another endpoint; pass it in `query` instead"
                    .to_owned());
            }
            rendered
        }
        None => String::new(),
    };
    let body = match &http.body {
        Some(rbx_model::HttpBody::Json(data)) => {
            Some(HttpBody::Json(render_data(cx.renderer, data, cx.context).map_err(|e| format!("json: {e}"))?))
        }
        Some(rbx_model::HttpBody::Text(text)) => Some(HttpBody::Text(cx.text(text, Destination::Text, "body")?)),
        None => None,
    };
    let settings = match connection {
        Some((name, HttpConnection { headers, insecure, .. })) => HttpSettings {
            connection: Some(name.value.clone()),
            insecure: *insecure || http.insecure,
            default_headers: cx.pairs(headers, "header")?,
            ..HttpSettings::default()
        },
        None => HttpSettings { insecure: http.insecure, ..HttpSettings::default() },
    };
    let connection_timeout = connection.and_then(|(_, connection)| connection.timeout);
    let timeout = match (step_timeout, connection_timeout) {
        (Some(step), Some(connection)) => Some(step.min(connection)),
        (step, connection) => step.or(connection),
    };
    Ok(HttpRequest {
        method: http.method.as_str().to_owned(),
        url: join_url(&base, &path),
        query: cx.pairs(&http.query, "query")?,
        headers: cx.pairs(&http.headers, "header")?,
        body,
        timeout,
        settings,
    })
}

/// How many segments of a URL path are `.` or `..` (before any `?` or `#`).
fn dot_segments(path: &str) -> usize {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    path.split('/').filter(|segment| matches!(*segment, "." | "..")).count()
}

/// `base` + `path` with exactly one slash between them.
fn join_url(base: &str, path: &str) -> String {
    match (base.ends_with('/'), path.starts_with('/')) {
        _ if path.is_empty() => base.to_owned(),
        (true, true) => format!("{base}{}", &path[1..]),
        (false, false) => format!("{base}/{path}"),
        _ => format!("{base}{path}"),
    }
}

/// The statement a `sql` step runs, with its parameters rendered by JSON type.
pub fn sql_request(cx: RequestContext<'_>, sql: &SqlStep, timeout: Option<Duration>) -> Result<SqlRequest, String> {
    let params = sql
        .params
        .iter()
        .enumerate()
        .map(|(index, data)| render_data(cx.renderer, data, cx.context).map_err(|e| format!("params[{index}]: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(SqlRequest {
        url: cx.url(&sql.target)?,
        query: cx.text(&sql.query, Destination::Text, "query")?,
        params,
        timeout,
    })
}

/// The argument vector a `redis` step sends, each element rendered on its own.
pub fn redis_request(
    cx: RequestContext<'_>,
    redis: &RedisStep,
    timeout: Option<Duration>,
) -> Result<RedisRequest, String> {
    let args = redis
        .command
        .iter()
        .enumerate()
        .map(|(index, arg)| cx.text(arg, Destination::Text, &format!("command[{index}]")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(RedisRequest { url: cx.url(&redis.target)?, args, timeout })
}

/// A URL with its password replaced, for what is shown (a DSN's password may be literal).
pub fn without_password(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else { return url.to_owned() };
    let authority_end = url[scheme_end..].find(['/', '?', '#']).map_or(url.len(), |i| scheme_end + i);
    let Some(at) = url[scheme_end..authority_end].rfind('@').map(|i| scheme_end + i) else { return url.to_owned() };
    match url[scheme_end..at].find(':') {
        Some(colon) => format!("{}:***{}", &url[..scheme_end + colon], &url[at..]),
        None => url.to_owned(),
    }
}

fn request_context<'a>(engine: &'a Engine<'_>, scope: Scope<'a>) -> RequestContext<'a> {
    RequestContext { renderer: &engine.renderer, context: scope.context, runbook: engine.runbook() }
}

pub(crate) async fn http(
    engine: &Engine<'_>,
    scope: Scope<'_>,
    step: &rbx_model::Step,
    http: &HttpStep,
    number: u32,
    timeout: Option<Duration>,
) -> Attempt {
    let request = match http_request(request_context(engine, scope), http, timeout) {
        Ok(request) => request,
        Err(error) => return Attempt::failed(format!("template: {error}")),
    };
    announce(engine, scope, step, number, Some(format!("{} {}", request.method, without_password(&request.url))));
    match engine.options.clients.http(&request).await {
        Ok(response) => {
            let mut attempt = Attempt { result: object(response.to_result()), ..Attempt::default() };
            attempt.retry_after = response.retry_after;
            attempt
        }
        Err(error) => Attempt::failed(error.to_string()),
    }
}

pub(crate) async fn sql(
    engine: &Engine<'_>,
    scope: Scope<'_>,
    step: &rbx_model::Step,
    sql: &SqlStep,
    number: u32,
    timeout: Option<Duration>,
) -> Attempt {
    let request = match sql_request(request_context(engine, scope), sql, timeout) {
        Ok(request) => request,
        Err(error) => return Attempt::failed(format!("template: {error}")),
    };
    announce(engine, scope, step, number, Some(request.query.clone()));
    match engine.options.clients.sql(&request, engine.cancel.clone()).await {
        Ok(result) => Attempt { result: object(result.to_result()), ..Attempt::default() },
        Err(error) => Attempt { cancelled: engine.cancelled(), ..Attempt::failed(error.to_string()) },
    }
}

pub(crate) async fn redis(
    engine: &Engine<'_>,
    scope: Scope<'_>,
    step: &rbx_model::Step,
    redis: &RedisStep,
    number: u32,
    timeout: Option<Duration>,
) -> Attempt {
    let request = match redis_request(request_context(engine, scope), redis, timeout) {
        Ok(request) => request,
        Err(error) => return Attempt::failed(format!("template: {error}")),
    };
    announce(engine, scope, step, number, Some(shell_like(&request.args)));
    match engine.options.clients.redis(&request).await {
        Ok(value) => {
            let mut result = Map::new();
            result.insert("value".into(), value);
            Attempt { result, ..Attempt::default() }
        }
        Err(error) => Attempt::failed(error.to_string()),
    }
}

/// An argument vector shown the way a person would type it.
pub fn shell_like(args: &[String]) -> String {
    args.iter().map(|arg| rbx_template::shell_quote(arg)).collect::<Vec<_>>().join(" ")
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => {
            let mut map = Map::new();
            map.insert("value".into(), other);
            map
        }
    }
}

/// What an `http` step must show when it has no `expect`: a status below 400.
pub(crate) fn http_default_expectation(result: &Value) -> Option<rbx_checks::CheckFailure> {
    match result.get("status").and_then(Value::as_u64) {
        Some(status) if status < 400 => None,
        _ => Some(rbx_checks::CheckFailure {
            path: "$.status".into(),
            operator: "lt".into(),
            expected: json!(400),
            actual: result.get("status").cloned(),
            reason: None,
            message: None,
        }),
    }
}
