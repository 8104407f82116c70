//! PostgreSQL through `Clients::sql`, against the server in `RBX_TEST_PG_URL`.

mod common;

use std::time::Duration;

use common::{req, sql};
use rbx_clients::{Clients, SqlError, SqlResult};
use serde_json::{Value, json};

fn url() -> Option<String> {
    common::service_url("RBX_TEST_PG_URL")
}

fn row_json(result: &SqlResult) -> String {
    serde_json::to_string(&result.rows[0]).unwrap()
}

#[tokio::test]
async fn every_mapped_type_keeps_its_value() {
    let Some(url) = url() else { return };
    let clients = Clients::new();
    let result = sql(
        &clients,
        &url,
        r#"SELECT 1::int2 AS i2, -2::int4 AS i4, 9223372036854775807::int8 AS i8,
                  1.5::float4 AS f4, 0.1::float8 AS f8, 'Infinity'::float8 AS finf,
                  12345678901234567890.123456789012345678::numeric AS num, 1.50::numeric(10,2) AS scaled,
                  -0.0001::numeric AS small, 'NaN'::numeric AS nan,
                  'txt'::text AS t, 'v'::varchar AS vc, 'c'::char(3) AS ch, 'pg_class'::name AS nm,
                  true AS b, '2024-02-29 13:14:15.5+02'::timestamptz AS tstz,
                  '2024-02-29 13:14:15'::timestamp AS ts, '2024-02-29'::date AS d, '13:14:15.25'::time AS tm,
                  '{"a":[1,2.50,{"b":null}],"big":12345678901234567890}'::jsonb AS jb, '{"x": 1}'::json AS j,
                  '\x00ff41'::bytea AS bytes, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS u, NULL::int AS n"#,
        vec![],
    )
    .await
    .unwrap();
    assert_eq!(
        row_json(&result),
        concat!(
            r#"{"i2":1,"i4":-2,"i8":9223372036854775807,"f4":1.5,"f8":0.1,"finf":"inf","#,
            r#""num":12345678901234567890.123456789012345678,"scaled":1.50,"small":-0.0001,"nan":"NaN","#,
            r#""t":"txt","vc":"v","ch":"c  ","nm":"pg_class","b":true,"tstz":"2024-02-29T11:14:15.5Z","#,
            r#""ts":"2024-02-29T13:14:15","d":"2024-02-29","tm":"13:14:15.25","#,
            r#""jb":{"a":[1,2.50,{"b":null}],"big":12345678901234567890},"j":{"x":1},"#,
            r#""bytes":"AP9B","u":"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11","n":null}"#
        )
    );
    assert_eq!(result.columns.len(), 24);
}

#[tokio::test]
async fn params_are_bound_by_the_type_the_server_infers() {
    let Some(url) = url() else { return };
    let clients = Clients::new();
    let result = sql(
        &clients,
        &url,
        "SELECT $1::int4 + 1 AS a, $2::text AS b, $3::numeric AS c, $4::bool AS d, $5::jsonb AS e,
                $6::timestamptz AS f, $7::float8 AS g, $8::bytea AS h, $9::uuid AS i, $10::int8 AS n,
                make_interval(mins => $11)::text AS m, $12::date AS dt, $13::numeric AS big",
        vec![
            json!(41),
            json!("x"),
            json!("1.50"),
            json!(true),
            json!({"k": [1, "two"]}),
            json!("2024-01-01T00:00:00+01:00"),
            json!(2.5),
            json!("AAE="),
            json!("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"),
            Value::Null,
            json!(5),
            json!("1999-12-31"),
            serde_json::from_str::<Value>("123456789012345678901234567890.5").unwrap(),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        row_json(&result),
        concat!(
            r#"{"a":42,"b":"x","c":1.50,"d":true,"e":{"k":[1,"two"]},"f":"2023-12-31T23:00:00Z","g":2.5,"#,
            r#""h":"AAE=","i":"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11","n":null,"m":"00:05:00","dt":"1999-12-31","#,
            r#""big":123456789012345678901234567890.5}"#
        )
    );
}

#[tokio::test]
async fn a_param_of_the_wrong_kind_names_its_position_not_its_value() {
    let Some(url) = url() else { return };
    let clients = Clients::new();
    let error = sql(&clients, &url, "SELECT $1::int4 AS a", vec![json!("s3cr3t")]).await.unwrap_err();
    assert!(matches!(error, SqlError::Param { index: 1, .. }), "{error}");
    assert!(!error.to_string().contains("s3cr3t"), "{error}");
    let error = sql(&clients, &url, "SELECT $1::int2 AS a", vec![json!(70000)]).await.unwrap_err();
    assert!(error.to_string().contains("out of range"), "{error}");
    let error = sql(&clients, &url, "SELECT $1::int AS a, $2::int AS b", vec![json!(1)]).await.unwrap_err();
    assert!(error.to_string().contains("2 placeholder(s) but 1 param(s)"), "{error}");
}

#[tokio::test]
async fn hostile_params_are_data_and_arrive_verbatim() {
    let Some(url) = url() else { return };
    let clients = Clients::new();
    let table = common::unique("pg_hostile");
    sql(&clients, &url, &format!("CREATE TABLE {table} (id serial PRIMARY KEY, v text)"), vec![]).await.unwrap();
    let hostile = [
        format!("'); DROP TABLE {table}; --"),
        "$1 $2 ?? \\x00 \\' \" `whoami` $(id)".to_owned(),
        "multi\r\nline\ttabs ünïcødé 🎉".to_owned(),
        "'".repeat(1000),
    ];
    for value in &hostile {
        let inserted =
            sql(&clients, &url, &format!("INSERT INTO {table} (v) VALUES ($1)"), vec![json!(value)]).await.unwrap();
        assert_eq!(inserted.affected, 1);
    }
    let rows = sql(&clients, &url, &format!("SELECT v FROM {table} ORDER BY id"), vec![]).await.unwrap();
    let got: Vec<&str> = rows.rows.iter().map(|r| r["v"].as_str().unwrap()).collect();
    assert_eq!(got, hostile.iter().map(String::as_str).collect::<Vec<_>>());
    sql(&clients, &url, &format!("DROP TABLE {table}"), vec![]).await.unwrap();
}

#[tokio::test]
async fn a_second_statement_cannot_be_smuggled_into_the_query() {
    let Some(url) = url() else { return };
    let clients = Clients::new();
    let error = sql(&clients, &url, "SELECT 1; SELECT 2", vec![]).await.unwrap_err();
    assert_eq!(error.sqlstate(), Some("42601"), "{error}");
}

#[tokio::test]
async fn affected_rows_and_empty_results() {
    let Some(url) = url() else { return };
    let clients = Clients::new();
    let table = common::unique("pg_affected");
    sql(&clients, &url, &format!("CREATE TABLE {table} (n int)"), vec![]).await.unwrap();
    let insert = sql(
        &clients,
        &url,
        &format!("INSERT INTO {table} VALUES ($1), ($2), ($3)"),
        vec![json!(1), json!(2), json!(3)],
    )
    .await
    .unwrap();
    assert_eq!((insert.affected, insert.rows.len()), (3, 0));
    let update =
        sql(&clients, &url, &format!("UPDATE {table} SET n = n + 10 WHERE n > $1 RETURNING n"), vec![json!(1)])
            .await
            .unwrap();
    assert_eq!(update.affected, 2);
    assert_eq!(update.to_result()["rows"], json!([{"n": 12}, {"n": 13}]));
    let empty = sql(&clients, &url, &format!("SELECT n, n AS n FROM {table} WHERE false"), vec![]).await.unwrap();
    assert_eq!(empty.to_result(), json!({"rows": [], "row_count": 0, "columns": ["n", "n_2"], "affected": 0}));
    sql(&clients, &url, &format!("DROP TABLE {table}"), vec![]).await.unwrap();
}

#[tokio::test]
async fn server_errors_carry_sqlstate_and_message() {
    let Some(url) = url() else { return };
    let clients = Clients::new();
    let error = sql(&clients, &url, "SELECT * FROM rbx_no_such_table", vec![]).await.unwrap_err();
    assert_eq!(error.sqlstate(), Some("42P01"));
    assert!(error.to_string().contains("rbx_no_such_table") && error.to_string().contains("42P01"), "{error}");
    let error = sql(&clients, &url, "SELECT 1/0", vec![]).await.unwrap_err();
    assert_eq!(error.sqlstate(), Some("22012"), "{error}");
}

#[tokio::test]
async fn an_unmapped_type_says_how_to_cast_it() {
    let Some(url) = url() else { return };
    let error = sql(&Clients::new(), &url, "SELECT '10.0.0.1'::inet AS addr", vec![]).await.unwrap_err();
    assert!(matches!(&error, SqlError::Column { column, type_name } if column == "addr" && type_name == "INET"));
    assert!(error.to_string().contains("addr::text"), "{error}");
}

#[tokio::test]
async fn intervals_read_as_postgres_writes_them_in_iso_8601() {
    let Some(url) = url() else { return };
    let clients = Clients::new();
    let cases = [
        "0",
        "1 day",
        "1 year 2 months 3 days 04:05:06.5",
        "1 month -1 day",
        "-00:00:00.5",
        "-3 hours -2 minutes",
        "100 years",
        "00:00:00.000001",
    ];
    for case in cases {
        // The server's own ISO 8601 rendering: the CTE sets the style before the cast to text.
        let result = sql(
            &clients,
            &url,
            "WITH style AS (SELECT set_config('intervalstyle', 'iso_8601', false) AS s)
             SELECT $1::text::interval AS mine, (SELECT $1::text::interval::text || left(s, 0) FROM style) AS theirs",
            vec![json!(case)],
        )
        .await
        .unwrap();
        assert_eq!(result.rows[0]["mine"], result.rows[0]["theirs"], "{case}");
    }
}

/// Whether a statement containing `marker` is still running on the server.
async fn still_running(clients: &Clients, url: &str, marker: &str) -> i64 {
    let result = sql(
        clients,
        url,
        "SELECT count(*)::int8 AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%' || $1 || '%' AND pid <> pg_backend_pid()",
        vec![json!(marker)],
    )
    .await
    .unwrap();
    result.rows[0]["n"].as_i64().unwrap()
}

#[tokio::test]
async fn a_timeout_cancels_the_query_on_the_server() {
    let Some(url) = url() else { return };
    let clients = Clients::new();
    let marker = common::unique("pg_sleep");
    let mut request = req(&url, &format!("SELECT pg_sleep(30) /* {marker} */"), vec![]);
    request.timeout = Some(Duration::from_secs(1));
    let error = clients.sql(&request, common::no_cancel()).await.unwrap_err();
    assert!(matches!(error, SqlError::Timeout(_)), "{error}");
    assert_eq!(still_running(&clients, &url, &marker).await, 0);
    // The pool still works afterwards.
    assert_eq!(sql(&clients, &url, "SELECT 1 AS one", vec![]).await.unwrap().rows[0]["one"], 1);
}

#[tokio::test]
async fn the_cancel_signal_cancels_the_query_on_the_server() {
    let Some(url) = url() else { return };
    let clients = Clients::new();
    let marker = common::unique("pg_cancel");
    let (tx, rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let _ = tx.send(true);
        tokio::time::sleep(Duration::from_secs(60)).await;
    });
    let request = req(&url, &format!("SELECT pg_sleep(30) /* {marker} */"), vec![]);
    let error = clients.sql(&request, rx).await.unwrap_err();
    assert!(matches!(error, SqlError::Cancelled), "{error}");
    assert_eq!(still_running(&clients, &url, &marker).await, 0);
}

#[tokio::test]
async fn a_missing_database_or_role_is_a_clear_connect_error() {
    let Some(url) = url() else { return };
    let base = url.rsplit_once('/').map(|(b, _)| b).unwrap_or(&url);
    let error = sql(&Clients::new(), &format!("{base}/rbx_no_such_db"), "SELECT 1", vec![]).await.unwrap_err();
    assert!(matches!(error, SqlError::Connect { .. }), "{error}");
    assert_eq!(error.sqlstate(), Some("3D000"), "{error}");
    let nobody = url.replacen("://", "://rbx_no_such_role:pw@", 1).replacen("postgres@", "", 1);
    let error = sql(&Clients::new(), &nobody, "SELECT 1", vec![]).await.unwrap_err();
    assert!(matches!(error, SqlError::Connect { .. }), "{error}");
    assert!(!error.to_string().contains(":pw"), "{error}");
}

#[tokio::test]
async fn a_server_that_is_not_listening_is_a_connect_error() {
    let port = common::closed_port();
    let mut request = req(&format!("postgres://u:secretpw@127.0.0.1:{port}/db"), "SELECT 1", vec![]);
    request.timeout = Some(Duration::from_secs(10));
    let error = Clients::new().sql(&request, common::no_cancel()).await.unwrap_err();
    assert!(matches!(error, SqlError::Connect { .. }), "{error}");
    assert!(!error.to_string().contains("secretpw"), "{error}");
}

/// rbx pings only connections idle for a second or more (sqlx would ping every one): a session
/// the server ended while the runbook waited must be replaced, not handed to the next step.
#[tokio::test]
async fn a_connection_the_server_closed_while_idle_is_replaced() {
    let Some(url) = url() else { return };
    let clients = Clients::new();
    let pid_of_session = |result: SqlResult| result.rows[0]["pid"].as_i64().expect("a pid");
    let first = pid_of_session(sql(&clients, &url, "SELECT pg_backend_pid()::int8 AS pid", vec![]).await.unwrap());
    let other = Clients::new();
    let ended = sql(&other, &url, "SELECT pg_terminate_backend($1) AS ended", vec![json!(first)]).await.unwrap();
    assert_eq!(ended.rows[0]["ended"], json!(true));
    other.close().await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let second = sql(&clients, &url, "SELECT pg_backend_pid()::int8 AS pid", vec![])
        .await
        .expect("the pool opens a new session instead of using the ended one");
    assert_ne!(pid_of_session(second), first);
}
