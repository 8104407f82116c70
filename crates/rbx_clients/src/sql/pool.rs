use std::str::FromStr;
use std::time::Duration;

use sqlx::mysql::{MySqlConnectOptions, MySqlPool, MySqlPoolOptions};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};

use sqlx::Connection;
use sqlx::pool::PoolConnectionMetadata;

use super::SqlError;

/// Connections per server URL: a runbook's steps run one at a time except under `parallel`.
const MAX_CONNECTIONS: u32 = 4;
/// How long to wait for a free or new connection when the step has no timeout of its own.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);
/// A connection idle for longer than this is pinged before a step gets it: the server (or a
/// proxy) may have closed it while a runbook waited. One returned just now is not, which saves a
/// round trip per statement when steps or `for_each` items follow each other.
const PING_WHEN_IDLE_FOR: Duration = Duration::from_secs(1);

/// One pool for one database URL, typed per backend (`sqlx::Any` cannot decode common types).
#[derive(Clone)]
pub(crate) enum SqlPool {
    /// PostgreSQL, with the options to open a second session that cancels a query.
    Postgres(PgPool, PgConnectOptions),
    /// MySQL or MariaDB, likewise.
    MySql(MySqlPool, MySqlConnectOptions),
    /// SQLite, in-process.
    Sqlite(SqlitePool),
}

impl SqlPool {
    /// A lazy pool: nothing connects until the first statement.
    pub(crate) fn open(url: &str) -> Result<Self, SqlError> {
        let scheme = url.split(':').next().unwrap_or_default().to_ascii_lowercase();
        // sqlx's parse errors never echo the URL, so its messages are safe to show.
        let bad = |e: sqlx::Error| SqlError::Url(e.to_string());
        match scheme.as_str() {
            "postgres" | "postgresql" => {
                let options = PgConnectOptions::from_str(url).map_err(bad)?.application_name("rbx");
                let pool = PgPoolOptions::new()
                    .max_connections(MAX_CONNECTIONS)
                    .acquire_timeout(ACQUIRE_TIMEOUT)
                    .test_before_acquire(false)
                    .before_acquire(|conn, meta| Box::pin(ping_if_idle(conn, meta)))
                    .connect_lazy_with(options.clone());
                Ok(SqlPool::Postgres(pool, options))
            }
            "mysql" | "mariadb" => {
                let normalized = match url.strip_prefix("mariadb:") {
                    Some(rest) => format!("mysql:{rest}"),
                    None => url.to_owned(),
                };
                let options = MySqlConnectOptions::from_str(&normalized).map_err(bad)?;
                let pool = MySqlPoolOptions::new()
                    .max_connections(MAX_CONNECTIONS)
                    .acquire_timeout(ACQUIRE_TIMEOUT)
                    .test_before_acquire(false)
                    .before_acquire(|conn, meta| Box::pin(ping_if_idle(conn, meta)))
                    .connect_lazy_with(options.clone());
                Ok(SqlPool::MySql(pool, options))
            }
            "sqlite" => {
                let options = SqliteConnectOptions::from_str(url).map_err(bad)?;
                // An in-memory database lives as long as its connection: one connection, never
                // closed for idleness, keeps its tables for the whole run.
                let in_memory = url.contains(":memory:") || url.contains("mode=memory");
                let pool_options = SqlitePoolOptions::new().acquire_timeout(ACQUIRE_TIMEOUT);
                let pool_options = if in_memory {
                    pool_options.max_connections(1).min_connections(1).idle_timeout(None).max_lifetime(None)
                } else {
                    pool_options.max_connections(MAX_CONNECTIONS)
                };
                Ok(SqlPool::Sqlite(pool_options.connect_lazy_with(options)))
            }
            _ => Err(SqlError::Url(format!(
                "unsupported scheme `{scheme}` (use postgres://, mysql://, sqlite://FILE or sqlite::memory:)"
            ))),
        }
    }

    /// Closes the pool's connections.
    pub(crate) async fn close(&self) {
        match self {
            SqlPool::Postgres(pool, _) => pool.close().await,
            SqlPool::MySql(pool, _) => pool.close().await,
            SqlPool::Sqlite(pool) => pool.close().await,
        }
    }
}

/// sqlx's `test_before_acquire`, but only for a connection idle long enough to have been closed
/// under us; a failed ping makes the pool open a fresh connection instead.
async fn ping_if_idle<C: Connection>(conn: &mut C, meta: PoolConnectionMetadata) -> Result<bool, sqlx::Error> {
    if meta.idle_for >= PING_WHEN_IDLE_FOR {
        conn.ping().await?;
    }
    Ok(true)
}
