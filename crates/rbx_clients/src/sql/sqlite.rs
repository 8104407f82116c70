//! SQLite, bundled: values keep the storage class they have in the file.

use std::time::Duration;

use base64::Engine as _;
use futures_util::TryStreamExt;
use serde_json::{Map, Value};
use sqlx::query::Query;
use sqlx::sqlite::{Sqlite, SqliteArguments, SqlitePool, SqliteRow};
use sqlx::{AssertSqlSafe, Column, Either, Executor, Row, TypeInfo, ValueRef};

use super::result::unique_names;
use super::{Limits, SqlError, SqlRequest, SqlResult, float_json};

pub(super) async fn run(pool: &SqlitePool, request: &SqlRequest, mut limits: Limits) -> Result<SqlResult, SqlError> {
    let mut conn = limits.bounded(async { pool.acquire().await.map_err(SqlError::connect) }).await?;
    let mut query = sqlx::query(AssertSqlSafe(request.query.clone()));
    for value in &request.params {
        query = bind(query, value);
    }
    let work = async {
        let mut result = SqlResult::default();
        let mut stream = (&mut *conn).fetch_many(query);
        while let Some(item) = stream.try_next().await.map_err(SqlError::query)? {
            match item {
                Either::Left(done) => result.affected += done.rows_affected(),
                Either::Right(row) => {
                    if result.columns.is_empty() {
                        result.columns = unique_names(row.columns().iter().map(|c| c.name()));
                    }
                    let row = decode_row(&row, &result.columns)?;
                    result.rows.push(row);
                }
            }
        }
        Ok(result)
    };
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

fn decode_row(row: &SqliteRow, columns: &[String]) -> Result<Map<String, Value>, SqlError> {
    let mut map = Map::new();
    for (index, name) in columns.iter().enumerate() {
        map.insert(name.clone(), decode_value(row, index, name)?);
    }
    Ok(map)
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
