//! Redis commands as argument vectors; replies as JSON.

mod error;
mod info;
mod reply;
mod request;

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{IntoConnectionInfo, ProtocolVersion};

pub use error::RedisError;
pub use request::RedisRequest;

/// How long connecting may take when the step has no timeout of its own.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens the connection manager for `request.url`: RESP3 (so hashes come back as maps) unless
/// the URL asks for `protocol=resp2`; user, password and database from the URL.
pub(crate) async fn connect(request: &RedisRequest) -> Result<ConnectionManager, RedisError> {
    let target = request.target();
    let info = request.url.as_str().into_connection_info().map_err(|e| RedisError::Url(e.to_string()))?;
    let info = if request.url.contains("protocol=") {
        info
    } else {
        let settings = info.redis_settings().clone().set_protocol(ProtocolVersion::RESP3);
        info.set_redis_settings(settings)
    };
    let client = redis::Client::open(info).map_err(|e| RedisError::Url(e.to_string()))?;
    let connect_timeout = request.timeout.unwrap_or(CONNECT_TIMEOUT);
    // One quick retry: a server that is down should fail the step, not stall it. No response
    // timeout of the client's own (its default is 500 ms, which failed every slower command,
    // a `BLPOP` with a wait or a `KEYS` on a large database): the step's timeout bounds it.
    let config = ConnectionManagerConfig::new()
        .set_number_of_retries(1)
        .set_max_delay(Duration::from_millis(200))
        .set_connection_timeout(Some(connect_timeout))
        .set_response_timeout(None);
    match tokio::time::timeout(connect_timeout, ConnectionManager::new_with_config(client, config)).await {
        Ok(Ok(manager)) => Ok(manager),
        Ok(Err(error)) => Err(RedisError::connect(&target, &error)),
        Err(_) => Err(RedisError::Connect { target, message: format!("no connection within {connect_timeout:?}") }),
    }
}

/// Sends the command and maps its reply.
pub(crate) async fn send(
    mut manager: ConnectionManager,
    request: &RedisRequest,
) -> Result<serde_json::Value, RedisError> {
    let Some((name, rest)) = request.args.split_first() else {
        return Err(RedisError::EmptyCommand);
    };
    let mut command = redis::cmd(name);
    for arg in rest {
        command.arg(arg.as_bytes());
    }
    let sent = command.query_async::<redis::Value>(&mut manager);
    let value = match request.timeout {
        Some(timeout) => tokio::time::timeout(timeout, sent).await.map_err(|_| RedisError::Timeout(timeout))?,
        None => sent.await,
    }
    .map_err(|e| RedisError::command(&request.target(), &e))?;
    let json = reply::to_json(value)?;
    if name.eq_ignore_ascii_case("info")
        && let serde_json::Value::String(text) = &json
    {
        return Ok(info::parse(text));
    }
    Ok(json)
}
