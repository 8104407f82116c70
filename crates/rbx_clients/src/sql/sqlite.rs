//! SQLite, bundled: values keep the storage class they have in the file.

use std::time::Duration;

use base64::Engine as _;
use serde_json::Value;
use sqlx::query::Query;
use sqlx::sqlite::{Sqlite, SqliteArguments, SqlitePool, SqliteRow};
use sqlx::{AssertSqlSafe, Column, Executor, Row, SqlSafeStr, Statement, TypeInfo, ValueRef};

use super::{Limits, SqlError, SqlRequest, SqlResult, collect, float_json, statement_columns};

pub(super) async fn run(pool: &SqlitePool, request: &SqlRequest, mut limits: Limits) -> Result<SqlResult, SqlError> {
    let mut conn = limits.bounded(async { pool.acquire().await.map_err(SqlError::connect) }).await?;
    let sql = AssertSqlSafe(request.query.clone()).into_sql_str();
    let statement = limits.bounded(async { (&mut *conn).prepare(sql).await.map_err(SqlError::query) }).await?;
    let mut query = statement.query();
    for value in &request.params {
        query = bind(query, value);
    }
    let columns = statement_columns(&statement);
    let work = collect::<Sqlite>((&mut *conn).fetch_many(query), columns, |done| done.rows_affected(), decode_value);
    // SQLite runs in this process: there is no server to tell, so a stopped statement is
    // abandoned at once; the connection's worker thread finishes it before serving the next
    // one. The connection goes back to the pool, because closing it would lose an in-memory
    // database.
    let (outcome, _) = limits.statement(work, || async {}, Duration::ZERO).await;
    outcome
}

fn bind<'q>(query: Query<'q, Sqlite, SqliteArguments>, value: &Value) -> Query<'q, Sqlite, SqliteArguments> {
    match value {
        Value::Null => query.bind(None::<String>),
        Value::Bool(b) => query.bind(*b),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => query.bind(i),
            (None, Some(f)) => query.bind(f),
            (None, None) => query.bind(n.to_string()),
        },
        Value::String(s) => query.bind(s.clone()),
        other => query.bind(other.to_string()),
    }
}

fn decode_value(row: &SqliteRow, index: usize, column: &str) -> Result<Value, SqlError> {
    let raw = row.try_get_raw(index).map_err(SqlError::query)?;
    if raw.is_null() {
        return Ok(Value::Null);
    }
    // The value's own storage class decides, except that a column declared BOOLEAN holding an
    // integer reads as true/false, as its author meant.
    let storage = raw.type_info().name().to_owned();
    let declared = row.columns().get(index).map(|c| c.type_info().name().to_ascii_uppercase()).unwrap_or_default();
    let bad = |e: sqlx::Error| SqlError::Query { sqlstate: None, message: format!("column `{column}`: {e}") };
    let value = match storage.as_str() {
        "INTEGER" => {
            let i: i64 = row.try_get_unchecked(index).map_err(bad)?;
            if declared == "BOOLEAN" || declared == "BOOL" { Value::Bool(i != 0) } else { Value::from(i) }
        }
        "REAL" => float_json(row.try_get_unchecked::<f64, _>(index).map_err(bad)?.to_string()),
        "TEXT" => Value::String(row.try_get_unchecked(index).map_err(bad)?),
        "BLOB" => {
            let bytes: Vec<u8> = row.try_get_unchecked(index).map_err(bad)?;
            Value::String(base64::engine::general_purpose::STANDARD.encode(bytes))
        }
        _ => return Err(SqlError::Column { column: column.to_owned(), type_name: storage }),
    };
    Ok(value)
}
