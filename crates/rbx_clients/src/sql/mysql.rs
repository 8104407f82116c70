//! MySQL and MariaDB: parameters bound by JSON type, values decoded from the binary protocol.

use base64::Engine as _;
use serde_json::Value;
use sqlx::mysql::{MySql, MySqlArguments, MySqlConnectOptions, MySqlPool, MySqlRow};
use sqlx::query::Query;
use sqlx::{AssertSqlSafe, ConnectOptions, Connection, Executor, Row, SqlSafeStr, Statement, TypeInfo, ValueRef};

use super::{CANCEL_GRACE, Limits, SqlError, SqlRequest, SqlResult, collect, float_json, statement_columns, temporal};

pub(super) async fn run(
    pool: &MySqlPool,
    options: &MySqlConnectOptions,
    request: &SqlRequest,
    mut limits: Limits,
) -> Result<SqlResult, SqlError> {
    limits.probe(pool.size(), options.get_host(), options.get_port(), options.get_socket().is_some()).await?;
    let mut conn = limits.bounded(async { pool.acquire().await.map_err(SqlError::connect) }).await?;
    // The connection id lets a second session `KILL QUERY` this one's statement.
    let id: u64 = limits
        .bounded(async {
            sqlx::query_scalar("SELECT CONNECTION_ID()").fetch_one(&mut *conn).await.map_err(SqlError::query)
        })
        .await?;
    // Preparing first (sqlx caches the statement, so the query below reuses it) gives the
    // column names even when no row comes back.
    let sql = AssertSqlSafe(request.query.clone()).into_sql_str();
    let statement = limits.bounded(async { (&mut *conn).prepare(sql).await.map_err(SqlError::query) }).await?;
    let mut query = statement.query();
    for value in &request.params {
        query = bind(query, value);
    }
    let columns = statement_columns(&statement);
    let work = collect::<MySql>((&mut *conn).fetch_many(query), columns, |done| done.rows_affected(), decode_value);
    let (outcome, clean) = limits.statement(work, || kill_query(options, id), CANCEL_GRACE).await;
    if !clean {
        conn.close_on_drop();
    }
    outcome
}

/// Stops connection `id`'s statement from a session of its own.
async fn kill_query(options: &MySqlConnectOptions, id: u64) {
    // Best effort: if this fails the statement runs on, and the caller drops its connection.
    if let Ok(mut conn) = options.connect().await {
        // `KILL` takes no placeholder; `id` is a number we read from the server.
        let _ = (&mut conn).execute(AssertSqlSafe(format!("KILL QUERY {id}"))).await;
        let _ = conn.close().await;
    }
}

/// Binds by JSON type. MySQL converts a bound value to the type its context needs, so a
/// decimal that does not fit a float is sent as its exact text.
fn bind<'q>(query: Query<'q, MySql, MySqlArguments>, value: &Value) -> Query<'q, MySql, MySqlArguments> {
    match value {
        Value::Null => query.bind(None::<String>),
        Value::Bool(b) => query.bind(*b),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                query.bind(i)
            } else if let Some(u) = n.as_u64() {
                query.bind(u)
            } else {
                let text = n.to_string();
                match text.parse::<f64>() {
                    Ok(f) if f.to_string() == text => query.bind(f),
                    _ => query.bind(text),
                }
            }
        }
        Value::String(s) => query.bind(s.clone()),
        other => query.bind(other.to_string()),
    }
}

fn decode_value(row: &MySqlRow, index: usize, column: &str) -> Result<Value, SqlError> {
    let raw = row.try_get_raw(index).map_err(SqlError::query)?;
    if raw.is_null() {
        return Ok(Value::Null);
    }
    let type_name = raw.type_info().name().to_owned();
    let bad = |message: String| SqlError::Query {
        sqlstate: None,
        message: format!("column `{column}` ({type_name}): {message}"),
    };
    // Every statement goes through the binary protocol (sqlx prepares it because it has an
    // argument list, even an empty one), so the bytes below are binary-protocol values.
    let bytes: &[u8] = row.try_get_unchecked(index).map_err(|e| bad(e.to_string()))?;
    let value = match type_name.as_str() {
        "BOOLEAN" => Value::Bool(bytes.first().copied().unwrap_or(0) != 0),
        "TINYINT" | "SMALLINT" | "INT" | "MEDIUMINT" | "BIGINT" | "YEAR" => Value::from(signed(bytes)),
        "TINYINT UNSIGNED" | "SMALLINT UNSIGNED" | "INT UNSIGNED" | "MEDIUMINT UNSIGNED" | "BIGINT UNSIGNED" => {
            Value::from(unsigned(bytes))
        }
        "BIT" => Value::from(bytes.iter().fold(0u64, |acc, b| acc << 8 | u64::from(*b))),
        "FLOAT" => {
            let b: [u8; 4] = bytes.try_into().map_err(|_| bad("truncated value".into()))?;
            float_json(f32::from_le_bytes(b).to_string())
        }
        "DOUBLE" => {
            let b: [u8; 8] = bytes.try_into().map_err(|_| bad("truncated value".into()))?;
            float_json(f64::from_le_bytes(b).to_string())
        }
        "DECIMAL" => {
            let text = String::from_utf8_lossy(bytes);
            text.parse::<serde_json::Number>().map(Value::Number).map_err(|e| bad(e.to_string()))?
        }
        "CHAR" | "VARCHAR" | "TINYTEXT" | "TEXT" | "MEDIUMTEXT" | "LONGTEXT" | "ENUM" | "SET" => {
            Value::String(String::from_utf8_lossy(bytes).into_owned())
        }
        "JSON" => serde_json::from_slice(bytes).map_err(|e| bad(format!("invalid JSON from the server: {e}")))?,
        "BINARY" | "VARBINARY" | "TINYBLOB" | "BLOB" | "MEDIUMBLOB" | "LONGBLOB" => {
            Value::String(base64::engine::general_purpose::STANDARD.encode(bytes))
        }
        "DATE" => Value::String(temporal::mysql_datetime(bytes, false, false).map_err(bad)?),
        "DATETIME" => Value::String(temporal::mysql_datetime(bytes, true, false).map_err(bad)?),
        "TIMESTAMP" => Value::String(temporal::mysql_datetime(bytes, true, true).map_err(bad)?),
        "TIME" => Value::String(temporal::mysql_time(bytes).map_err(bad)?),
        _ => return Err(SqlError::Column { column: column.to_owned(), type_name }),
    };
    Ok(value)
}

/// A little-endian signed integer of 1, 2, 4 or 8 bytes.
fn signed(bytes: &[u8]) -> i64 {
    let mut buf = [0u8; 8];
    let n = bytes.len().min(8);
    buf[..n].copy_from_slice(&bytes[..n]);
    if n > 0 && n < 8 && bytes[n - 1] & 0x80 != 0 {
        buf[n..].fill(0xFF);
    }
    i64::from_le_bytes(buf)
}

/// A little-endian unsigned integer of 1, 2, 4 or 8 bytes.
fn unsigned(bytes: &[u8]) -> u64 {
    let mut buf = [0u8; 8];
    let n = bytes.len().min(8);
    buf[..n].copy_from_slice(&bytes[..n]);
    u64::from_le_bytes(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn little_endian_integers() {
        assert_eq!(signed(&[0xFF]), -1);
        assert_eq!(signed(&[0x7F]), 127);
        assert_eq!(signed(&[0x00, 0x80]), -32768);
        assert_eq!(unsigned(&[0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]), u64::MAX);
    }
}
