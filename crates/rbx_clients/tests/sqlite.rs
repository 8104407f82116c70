//! SQLite through `Clients::sql`: bundled, so these tests always run.

mod common;

use std::time::Duration;

use common::{req, sql};
use rbx_clients::{Clients, SqlError};
use serde_json::{Value, json};

#[tokio::test]
async fn in_memory_database_keeps_its_tables_for_the_run_and_maps_storage_classes() {
    let clients = Clients::new();
    let url = "sqlite::memory:";
    sql(
        &clients,
        url,
        "CREATE TABLE t (id INTEGER PRIMARY KEY, flag BOOLEAN, n INTEGER, r REAL, s TEXT, b BLOB, z)",
        vec![],
    )
    .await
    .unwrap();
    let insert = sql(
        &clients,
        url,
        "INSERT INTO t (flag, n, r, s, b, z) VALUES (?, ?, ?, ?, X'00FF41', ?), (?, ?, ?, ?, NULL, ?)",
        vec![
            json!(true),
            json!(9223372036854775807i64),
            json!(0.1),
            json!("ü"),
            Value::Null,
            json!(false),
            json!(-1),
            json!(2.5),
            json!("{\"a\":1}"),
            json!({"k": [1]}),
        ],
    )
    .await
    .unwrap();
    assert_eq!(insert.affected, 2);
    let rows = sql(&clients, url, "SELECT flag, n, r, s, b, z FROM t ORDER BY id", vec![]).await.unwrap();
    assert_eq!(
        serde_json::to_string(&rows.to_result()).unwrap(),
        concat!(
            r#"{"rows":[{"flag":true,"n":9223372036854775807,"r":0.1,"s":"ü","b":"AP9B","z":null},"#,
            r#"{"flag":false,"n":-1,"r":2.5,"s":"{\"a\":1}","b":null,"z":"{\"k\":[1]}"}],"#,
            r#""row_count":2,"columns":["flag","n","r","s","b","z"],"affected":0}"#
        )
    );
}

#[tokio::test]
async fn a_file_database_and_hostile_params() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rbx.db");
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let clients = Clients::new();
    sql(&clients, &url, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)", vec![]).await.unwrap();
    let hostile = ["'); DROP TABLE t; --", "?1 ?2 :name @x $y", "nul\0byte and \r\n"];
    for value in hostile {
        sql(&clients, &url, "INSERT INTO t (v) VALUES (?)", vec![json!(value)]).await.unwrap();
    }
    let rows = sql(&clients, &url, "SELECT v FROM t ORDER BY id", vec![]).await.unwrap();
    let got: Vec<&str> = rows.rows.iter().map(|r| r["v"].as_str().unwrap()).collect();
    assert_eq!(got, hostile);
    clients.close().await;
    assert!(path.exists());
}

#[tokio::test]
async fn a_missing_file_is_not_created_without_mode_rwc() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("absent.db");
    let error = sql(&Clients::new(), &format!("sqlite://{}", path.display()), "SELECT 1", vec![]).await.unwrap_err();
    assert!(matches!(error, SqlError::Connect { .. }), "{error}");
    assert!(!path.exists());
}

#[tokio::test]
async fn an_empty_result_still_names_its_columns() {
    let empty = sql(&Clients::new(), "sqlite::memory:", "SELECT 1 AS a, 2 AS a WHERE 0", vec![]).await.unwrap();
    assert_eq!(empty.to_result(), json!({"rows": [], "row_count": 0, "columns": ["a", "a_2"], "affected": 0}));
}

#[tokio::test]
async fn errors_carry_the_message() {
    let error = sql(&Clients::new(), "sqlite::memory:", "SELECT * FROM nope", vec![]).await.unwrap_err();
    assert!(error.to_string().contains("no such table: nope"), "{error}");
}

#[tokio::test]
async fn an_unsupported_scheme_is_a_url_error() {
    let error = sql(&Clients::new(), "oracle://x", "SELECT 1", vec![]).await.unwrap_err();
    assert!(matches!(error, SqlError::Url(_)), "{error}");
}

#[tokio::test]
async fn a_long_query_times_out() {
    let clients = Clients::new();
    let mut request = req(
        "sqlite::memory:",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 50000000) SELECT count(*) AS n FROM c",
        vec![],
    );
    request.timeout = Some(Duration::from_millis(200));
    let error = clients.sql(&request, common::no_cancel()).await.unwrap_err();
    assert!(matches!(error, SqlError::Timeout(_)), "{error}");
}

#[tokio::test]
async fn clients_are_shared_across_tasks() {
    // The engine runs `parallel` steps as spawned tasks over one Clients: its futures must be Send.
    let clients = std::sync::Arc::new(Clients::new());
    let url = "sqlite::memory:";
    sql(&clients, url, "CREATE TABLE t (n INTEGER)", vec![]).await.unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..8 {
        let clients = clients.clone();
        tasks.spawn(
            async move { sql(&clients, url, "INSERT INTO t VALUES (?)", vec![json!(n)]).await.map(|r| r.affected) },
        );
    }
    while let Some(done) = tasks.join_next().await {
        assert_eq!(done.unwrap().unwrap(), 1);
    }
    let count = sql(&clients, url, "SELECT count(*) AS n, sum(n) AS total FROM t", vec![]).await.unwrap();
    assert_eq!(count.to_result()["rows"], json!([{"n": 8, "total": 28}]));
}
