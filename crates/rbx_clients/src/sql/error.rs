use std::time::Duration;

/// A SQL statement that did not run to completion.
#[derive(Debug, thiserror::Error)]
pub enum SqlError {
    /// The URL is not one rbx can open.
    #[error("invalid database URL: {0}")]
    Url(String),
    /// No session with the server (refused, unreachable, authentication failed).
    #[error("cannot connect to the database: {message}{}", state(.sqlstate))]
    Connect {
        /// The SQLSTATE, when the server sent one (for example `28P01`, wrong password).
        sqlstate: Option<String>,
        /// The server's or the driver's message.
        message: String,
    },
    /// The server refused or failed the statement.
    #[error("{message}{}", state(.sqlstate))]
    Query {
        /// The SQLSTATE (`42P01` undefined table, `23505` unique violation, …).
        sqlstate: Option<String>,
        /// The server's message.
        message: String,
    },
    /// A parameter could not be bound to its placeholder.
    #[error("parameter {index}: {message}")]
    Param {
        /// 1-based, like `$1`.
        index: usize,
        /// Why; the value itself is not repeated.
        message: String,
    },
    /// A result column of a type rbx does not map to JSON.
    #[error(
        "column `{column}` has type {type_name}, which rbx does not turn into JSON; cast it in the query (for example `{column}::text`)"
    )]
    Column {
        /// The column's name.
        column: String,
        /// The database's name for its type.
        type_name: String,
    },
    /// The timeout passed; the statement was cancelled on the server.
    #[error("query did not finish within {0:?} and was cancelled")]
    Timeout(Duration),
    /// The run was interrupted; the statement was cancelled on the server.
    #[error("query cancelled")]
    Cancelled,
}

fn state(sqlstate: &Option<String>) -> String {
    sqlstate.as_ref().map(|s| format!(" (SQLSTATE {s})")).unwrap_or_default()
}

impl SqlError {
    /// The SQLSTATE the server sent, if any.
    pub fn sqlstate(&self) -> Option<&str> {
        match self {
            SqlError::Connect { sqlstate, .. } | SqlError::Query { sqlstate, .. } => sqlstate.as_deref(),
            _ => None,
        }
    }

    /// A driver error met while connecting.
    pub(crate) fn connect(error: sqlx::Error) -> Self {
        let (sqlstate, message) = split(error);
        SqlError::Connect { sqlstate, message }
    }

    /// A driver error met while running the statement.
    pub(crate) fn query(error: sqlx::Error) -> Self {
        match error {
            sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => {
                SqlError::connect(error)
            }
            other => {
                let (sqlstate, message) = split(other);
                SqlError::Query { sqlstate, message }
            }
        }
    }
}

fn split(error: sqlx::Error) -> (Option<String>, String) {
    match error {
        sqlx::Error::Database(db) => (db.code().map(|c| c.into_owned()), db.message().to_owned()),
        sqlx::Error::PoolTimedOut => (None, "timed out waiting for a connection".to_owned()),
        other => (None, other.to_string()),
    }
}
