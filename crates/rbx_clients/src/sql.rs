//! SQL statements on PostgreSQL, MySQL/MariaDB and SQLite, results as JSON.

mod error;
mod mysql;
mod numeric;
mod pool;
mod postgres;
mod request;
mod result;
mod sqlite;
mod temporal;

use std::future::Future;
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

pub use error::SqlError;
pub(crate) use pool::SqlPool;
pub use request::SqlRequest;
pub use result::SqlResult;

/// How long a cancelled statement gets to end after the server was told to stop it, before its
/// connection is thrown away instead of going back to the pool.
const CANCEL_GRACE: Duration = Duration::from_secs(5);

/// Runs `request` on `pool`.
pub(crate) async fn run(
    pool: &SqlPool,
    request: &SqlRequest,
    cancel: watch::Receiver<bool>,
) -> Result<SqlResult, SqlError> {
    let limits = Limits { deadline: request.timeout.map(|t| Instant::now() + t), timeout: request.timeout, cancel };
    match pool {
        SqlPool::Postgres(pool, options) => postgres::run(pool, options, request, limits).await,
        SqlPool::MySql(pool, options) => mysql::run(pool, options, request, limits).await,
        SqlPool::Sqlite(pool) => sqlite::run(pool, request, limits).await,
    }
}

/// The timeout and the run's cancel signal of one statement.
pub(crate) struct Limits {
    deadline: Option<Instant>,
    timeout: Option<Duration>,
    cancel: watch::Receiver<bool>,
}

/// Why a statement was stopped before it ended.
enum Stop {
    Timeout,
    Cancelled,
}

impl Limits {
    /// Waits until the deadline passes or the run is cancelled.
    async fn stopped(&mut self) -> Stop {
        let deadline = self.deadline;
        let until_deadline = async move {
            match deadline {
                Some(deadline) => tokio::time::sleep_until(deadline).await,
                None => std::future::pending().await,
            }
        };
        let cancelled = async {
            // A dropped sender means no cancel can come: wait for the deadline alone.
            if self.cancel.wait_for(|c| *c).await.is_err() {
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            () = until_deadline => Stop::Timeout,
            () = cancelled => Stop::Cancelled,
        }
    }

    fn error(&self, stop: Stop) -> SqlError {
        match stop {
            Stop::Timeout => SqlError::Timeout(self.timeout.unwrap_or_default()),
            Stop::Cancelled => SqlError::Cancelled,
        }
    }

    /// Runs a preliminary step (connecting, preparing) that has nothing to cancel on the server.
    async fn bounded<T>(&mut self, work: impl Future<Output = Result<T, SqlError>>) -> Result<T, SqlError> {
        tokio::select! {
            result = work => result,
            stop = self.stopped() => Err(self.error(stop)),
        }
    }

    /// Fails at once when a pool with no open connection points at a port where nothing
    /// listens: sqlx would retry a refused connection until its acquire timeout.
    async fn probe(&mut self, open_connections: u32, host: &str, port: u16, via_socket: bool) -> Result<(), SqlError> {
        if open_connections > 0 || via_socket {
            return Ok(());
        }
        self.bounded(async {
            match tokio::net::TcpStream::connect((host, port)).await {
                Ok(_) => Ok(()),
                Err(e) => Err(SqlError::Connect { sqlstate: None, message: format!("{host}:{port}: {e}") }),
            }
        })
        .await
    }

    /// Runs the statement; if stopped, calls `kill` (which cancels it on the server) and gives
    /// the statement `grace` to end. Returns the outcome and whether the connection is clean
    /// enough to reuse.
    async fn statement<T, K>(
        &mut self,
        work: impl Future<Output = Result<T, SqlError>>,
        kill: impl FnOnce() -> K,
        grace: Duration,
    ) -> (Result<T, SqlError>, bool)
    where
        K: Future<Output = ()>,
    {
        let mut work = std::pin::pin!(work);
        let stop = tokio::select! {
            result = &mut work => return (result, true),
            stop = self.stopped() => stop,
        };
        kill().await;
        let ended = tokio::time::timeout(grace, &mut work).await.is_ok();
        (Err(self.error(stop)), ended)
    }
}

/// Reads a statement's results: rows decoded cell by cell with `decode`, affected counts summed.
///
/// `columns` are the statement's (unique) names; when it has none (SQLite's later statements),
/// the first row's names are used.
pub(crate) async fn collect<DB: sqlx::Database>(
    mut stream: impl futures_util::Stream<Item = Result<sqlx::Either<DB::QueryResult, DB::Row>, sqlx::Error>> + Unpin,
    mut columns: Vec<String>,
    rows_affected: fn(&DB::QueryResult) -> u64,
    decode: fn(&DB::Row, usize, &str) -> Result<serde_json::Value, SqlError>,
) -> Result<SqlResult, SqlError> {
    use futures_util::TryStreamExt;
    use sqlx::{Column, Row};

    let mut rows = Vec::new();
    let mut affected = 0;
    while let Some(item) = stream.try_next().await.map_err(SqlError::query)? {
        match item {
            sqlx::Either::Left(done) => affected += rows_affected(&done),
            sqlx::Either::Right(row) => {
                if columns.is_empty() {
                    columns = result::unique_names(row.columns().iter().map(|c| c.name()));
                }
                let mut object = serde_json::Map::new();
                for (index, name) in columns.iter().enumerate() {
                    object.insert(name.clone(), decode(&row, index, name)?);
                }
                rows.push(object);
            }
        }
    }
    Ok(SqlResult { columns, rows, affected })
}

/// The unique column names of a prepared statement.
pub(crate) fn statement_columns<S: sqlx::Statement>(statement: &S) -> Vec<String> {
    use sqlx::Column;
    result::unique_names(statement.columns().iter().map(|c| c.name()))
}

/// A JSON number's text as the narrowest fitting integer, if it is one.
pub(crate) fn as_i64(value: &serde_json::Value) -> Option<i64> {
    match value {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A float as a JSON number (its shortest exact text), or a string for NaN and infinities.
pub(crate) fn float_json(text: String) -> serde_json::Value {
    match text.parse::<serde_json::Number>() {
        Ok(number) => serde_json::Value::Number(number),
        Err(_) => serde_json::Value::String(text),
    }
}

/// Text for a text parameter: strings as they are, anything else as compact JSON.
pub(crate) fn as_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
