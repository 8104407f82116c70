//! PostgreSQL: parameters typed by the server's own inference, values decoded from binary.

use serde_json::Value;
use sqlx::postgres::{
    PgArgumentBuffer, PgConnectOptions, PgPool, PgRow, PgTypeInfo, PgTypeKind, PgValueFormat, Postgres,
};
use sqlx::{
    AssertSqlSafe, ConnectOptions, Connection, Either, Executor, Row, SqlSafeStr, Statement, TypeInfo, ValueRef,
};

use super::{
    CANCEL_GRACE, Limits, SqlError, SqlRequest, SqlResult, as_i64, as_text, collect, float_json, numeric,
    statement_columns, temporal,
};
use base64::Engine as _;

pub(super) async fn run(
    pool: &PgPool,
    options: &PgConnectOptions,
    request: &SqlRequest,
    mut limits: Limits,
) -> Result<SqlResult, SqlError> {
    limits.probe(pool.size(), options.get_host(), options.get_port(), options.get_socket().is_some()).await?;
    let mut conn = limits.bounded(async { pool.acquire().await.map_err(SqlError::connect) }).await?;
    // The session's process id lets a second session cancel this one's statement.
    let pid: i32 = limits
        .bounded(async {
            sqlx::query_scalar("SELECT pg_backend_pid()").fetch_one(&mut *conn).await.map_err(SqlError::query)
        })
        .await?;
    // Preparing first lets the server say what type each placeholder is, so a JSON 5 bound to
    // `make_interval(mins => $1)` is sent as an int4, not an int8 the function would refuse.
    let sql = AssertSqlSafe(request.query.clone()).into_sql_str();
    let statement = limits.bounded(async { (&mut *conn).prepare(sql).await.map_err(SqlError::query) }).await?;
    let types: Vec<PgTypeInfo> = match statement.parameters() {
        Some(Either::Left(types)) => types.to_vec(),
        _ => Vec::new(),
    };
    if types.len() != request.params.len() {
        return Err(SqlError::Param {
            index: request.params.len().min(types.len()) + 1,
            message: format!(
                "the query has {} placeholder(s) but {} param(s) were given",
                types.len(),
                request.params.len()
            ),
        });
    }
    let mut query = statement.query();
    for (index, (value, ty)) in request.params.iter().zip(&types).enumerate() {
        let bytes = encode(value, ty).map_err(|message| SqlError::Param { index: index + 1, message })?;
        query = query.bind(PgParam { ty: ty.clone(), bytes });
    }
    let columns = statement_columns(&statement);
    let work = collect::<Postgres>((&mut *conn).fetch_many(query), columns, |done| done.rows_affected(), decode_value);
    let (outcome, clean) = limits.statement(work, || cancel_backend(options, pid), CANCEL_GRACE).await;
    if !clean {
        conn.close_on_drop();
    }
    outcome
}

/// Asks the server, from a session of its own, to cancel `pid`'s statement.
async fn cancel_backend(options: &PgConnectOptions, pid: i32) {
    // Best effort: if this fails the statement runs on, and the caller drops its connection.
    if let Ok(mut conn) = options.connect().await {
        let _ = sqlx::query("SELECT pg_cancel_backend($1)").bind(pid).execute(&mut conn).await;
        let _ = conn.close().await;
    }
}

fn decode_value(row: &PgRow, index: usize, column: &str) -> Result<Value, SqlError> {
    let raw = row.try_get_raw(index).map_err(SqlError::query)?;
    if raw.is_null() {
        return Ok(Value::Null);
    }
    let ty = raw.type_info().into_owned();
    let type_name = ty.name().to_owned();
    let unsupported = || SqlError::Column { column: column.to_owned(), type_name: type_name.clone() };
    let bad = |message: String| SqlError::Query {
        sqlstate: None,
        message: format!("column `{column}` ({type_name}): {message}"),
    };
    if raw.format() == PgValueFormat::Text {
        return raw.as_str().map(|s| Value::String(s.to_owned())).map_err(|e| bad(e.to_string()));
    }
    let bytes = raw.as_bytes().map_err(|e| bad(e.to_string()))?;
    let fixed = |n: usize| bytes.get(..n).ok_or_else(|| bad("truncated value".into()));
    let value = match type_name.as_str() {
        "BOOL" => Value::Bool(fixed(1)?[0] != 0),
        "INT2" => i16::from_be_bytes(fixed(2)?.try_into().map_err(|_| unsupported())?).into(),
        "INT4" => i32::from_be_bytes(fixed(4)?.try_into().map_err(|_| unsupported())?).into(),
        "INT8" => i64::from_be_bytes(fixed(8)?.try_into().map_err(|_| unsupported())?).into(),
        "OID" => u32::from_be_bytes(fixed(4)?.try_into().map_err(|_| unsupported())?).into(),
        "FLOAT4" => float_json(f32::from_be_bytes(fixed(4)?.try_into().map_err(|_| unsupported())?).to_string()),
        "FLOAT8" => float_json(f64::from_be_bytes(fixed(8)?.try_into().map_err(|_| unsupported())?).to_string()),
        "NUMERIC" => numeric::decode(bytes).map_err(bad)?,
        "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" | "\"CHAR\"" | "CHAR" | "CITEXT" | "XML" | "UNKNOWN" => text(bytes),
        "JSON" => json(bytes).map_err(bad)?,
        "JSONB" => json(bytes.get(1..).unwrap_or_default()).map_err(bad)?,
        "BYTEA" => Value::String(base64::engine::general_purpose::STANDARD.encode(bytes)),
        "UUID" => Value::String(uuid_text(fixed(16)?)),
        "TIMESTAMPTZ" => Value::String(temporal::pg_timestamptz(bytes).map_err(bad)?),
        "TIMESTAMP" => Value::String(temporal::pg_timestamp_civil(bytes).map_err(bad)?),
        "DATE" => Value::String(temporal::pg_date(bytes).map_err(bad)?),
        "TIME" => Value::String(temporal::pg_time(bytes).map_err(bad)?),
        "TIMETZ" => Value::String(temporal::pg_timetz(bytes).map_err(bad)?),
        "INTERVAL" => Value::String(temporal::pg_interval(bytes).map_err(bad)?),
        // Enum values travel as their label, in binary form as in text form.
        _ if matches!(ty.kind(), PgTypeKind::Enum(_)) => text(bytes),
        _ => return Err(unsupported()),
    };
    Ok(value)
}

fn text(bytes: &[u8]) -> Value {
    Value::String(String::from_utf8_lossy(bytes).into_owned())
}

fn json(bytes: &[u8]) -> Result<Value, String> {
    serde_json::from_slice(bytes).map_err(|e| format!("invalid JSON from the server: {e}"))
}

fn uuid_text(bytes: &[u8]) -> String {
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

/// A parameter already in PostgreSQL's binary form for the type the server inferred.
struct PgParam {
    ty: PgTypeInfo,
    bytes: Option<Vec<u8>>,
}

impl sqlx::Type<Postgres> for PgParam {
    fn type_info() -> PgTypeInfo {
        PgTypeInfo::with_name("text")
    }

    fn compatible(_: &PgTypeInfo) -> bool {
        true
    }
}

impl sqlx::Encode<'_, Postgres> for PgParam {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        match &self.bytes {
            Some(bytes) => {
                buf.extend_from_slice(bytes);
                Ok(sqlx::encode::IsNull::No)
            }
            None => Ok(sqlx::encode::IsNull::Yes),
        }
    }

    fn produces(&self) -> Option<PgTypeInfo> {
        Some(self.ty.clone())
    }
}

/// Encodes one JSON value for a placeholder of type `ty`; the error never repeats the value.
fn encode(value: &Value, ty: &PgTypeInfo) -> Result<Option<Vec<u8>>, String> {
    if value.is_null() {
        return Ok(None);
    }
    let name = ty.name();
    let wrong = |want: &str| format!("expected {want} for a {name} placeholder, got {}", kind(value));
    let int = |want: &str| as_i64(value).ok_or_else(|| wrong(want));
    let float = || match value {
        Value::Number(n) => n.as_f64().ok_or_else(|| wrong("a number")),
        Value::String(s) => s.trim().parse::<f64>().map_err(|_| wrong("a number")),
        _ => Err(wrong("a number")),
    };
    let range = |_| format!("integer out of range for {name}");
    let bytes = match name {
        "BOOL" => match value {
            Value::Bool(b) => vec![u8::from(*b)],
            Value::String(s) if s == "true" || s == "false" => vec![u8::from(s == "true")],
            _ => return Err(wrong("true or false")),
        },
        "INT2" => i16::try_from(int("an integer")?).map_err(range)?.to_be_bytes().to_vec(),
        "INT4" => i32::try_from(int("an integer")?).map_err(range)?.to_be_bytes().to_vec(),
        "INT8" => int("an integer")?.to_be_bytes().to_vec(),
        "OID" => u32::try_from(int("an integer")?).map_err(range)?.to_be_bytes().to_vec(),
        "FLOAT4" => (float()? as f32).to_be_bytes().to_vec(),
        "FLOAT8" => float()?.to_be_bytes().to_vec(),
        "NUMERIC" => match value {
            Value::Number(n) => numeric::encode(&n.to_string())?,
            Value::String(s) => numeric::encode(s).map_err(|_| wrong("a decimal number"))?,
            _ => return Err(wrong("a decimal number")),
        },
        "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" | "CITEXT" | "XML" | "UNKNOWN" => as_text(value).into_bytes(),
        "JSON" => value.to_string().into_bytes(),
        "JSONB" => {
            let mut bytes = vec![1];
            bytes.extend_from_slice(value.to_string().as_bytes());
            bytes
        }
        "BYTEA" => match value {
            Value::String(s) => {
                base64::engine::general_purpose::STANDARD.decode(s).map_err(|_| wrong("base64 text"))?
            }
            _ => return Err(wrong("base64 text")),
        },
        "UUID" => parse_uuid(&as_text(value)).ok_or_else(|| wrong("a UUID"))?,
        "TIMESTAMPTZ" => temporal::pg_encode_timestamptz(&as_text(value))?,
        "TIMESTAMP" => temporal::pg_encode_timestamp(&as_text(value))?,
        "DATE" => temporal::pg_encode_date(&as_text(value))?,
        "TIME" => temporal::pg_encode_time(&as_text(value))?,
        _ if matches!(ty.kind(), PgTypeKind::Enum(_)) => as_text(value).into_bytes(),
        other => {
            return Err(format!(
                "rbx cannot send a value for a {other} placeholder; bind text and convert it in the query (for example `$n::text::{}`)",
                other.to_ascii_lowercase()
            ));
        }
    };
    Ok(Some(bytes))
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn parse_uuid(text: &str) -> Option<Vec<u8>> {
    let hex: String = text.trim().chars().filter(|c| *c != '-').collect();
    if hex.len() != 32 {
        return None;
    }
    (0..16).map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()).collect()
}
