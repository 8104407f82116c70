use std::time::Duration;

/// A Redis command that got no usable reply.
#[derive(Debug, thiserror::Error)]
pub enum RedisError {
    /// The URL is not one rbx can open.
    #[error("invalid Redis URL: {0}")]
    Url(String),
    /// No connection: refused, unreachable, or timed out.
    #[error("cannot connect to Redis at {target}: {message}")]
    Connect {
        /// `host:port`.
        target: String,
        /// Why.
        message: String,
    },
    /// The server refused the credentials from the URL.
    #[error("Redis at {target} refused the credentials: {message}")]
    Auth {
        /// `host:port`.
        target: String,
        /// The server's message.
        message: String,
    },
    /// The server answered with an error (`WRONGTYPE`, `ERR unknown command`, …).
    #[error("Redis error {code}: {message}")]
    Server {
        /// The error's first word (`ERR`, `WRONGTYPE`, …).
        code: String,
        /// The rest of the server's message.
        message: String,
    },
    /// The reply did not arrive in time.
    #[error("no reply from Redis within {0:?}")]
    Timeout(Duration),
    /// The command list was empty.
    #[error("empty Redis command")]
    EmptyCommand,
}

impl RedisError {
    /// An error met while connecting.
    pub(crate) fn connect(target: &str, error: &redis::RedisError) -> Self {
        if error.kind() == redis::ErrorKind::AuthenticationFailed || error.code().is_some_and(is_auth_code) {
            return RedisError::Auth { target: target.to_owned(), message: message(error) };
        }
        RedisError::Connect { target: target.to_owned(), message: message(error) }
    }

    /// An error met while sending a command on an open connection.
    pub(crate) fn command(target: &str, error: &redis::RedisError) -> Self {
        match error.code() {
            Some(code) if is_auth_code(code) => RedisError::Auth { target: target.to_owned(), message: message(error) },
            Some(code) => {
                RedisError::Server { code: code.to_owned(), message: error.detail().unwrap_or_default().to_owned() }
            }
            None if error.is_io_error() || error.is_connection_refusal() || error.is_timeout() => {
                RedisError::connect(target, error)
            }
            None => RedisError::Server { code: "ERR".to_owned(), message: message(error) },
        }
    }
}

fn is_auth_code(code: &str) -> bool {
    matches!(code, "WRONGPASS" | "NOAUTH" | "NOPERM")
}

fn message(error: &redis::RedisError) -> String {
    error.to_string()
}
