//! MySQL/MariaDB through `Clients::sql`, against the server in `RBX_TEST_MYSQL_URL`.

mod common;

use std::time::Duration;

use common::{req, sql};
use rbx_clients::{Clients, SqlError};
use serde_json::{Value, json};

fn url() -> Option<String> {
    common::service_url("RBX_TEST_MYSQL_URL")
}

#[tokio::test]
async fn column_types_round_trip_through_params() {
    let Some(url) = url() else { return };
    let clients = Clients::new();
    let table = common::unique("my_types");
    sql(
        &clients,
        &url,
        &format!(
            "CREATE TABLE {table} (id INT PRIMARY KEY AUTO_INCREMENT, b BOOLEAN, ti TINYINT, i BIGINT, u BIGINT UNSIGNED,
             f FLOAT, d DOUBLE, dec_col DECIMAL(40,9), s VARCHAR(100), tx TEXT, bl BLOB, vb VARBINARY(10),
             dt DATETIME(6), ts TIMESTAMP(6) NULL, dd DATE, tm TIME, e ENUM('a','b'), y YEAR, n INT NULL)"
        ),
        vec![],
    )
    .await
    .unwrap();
    let insert = sql(
        &clients,
        &url,
        &format!(
            "INSERT INTO {table} (b, ti, i, u, f, d, dec_col, s, tx, bl, vb, dt, ts, dd, tm, e, y, n)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, UNHEX('00FF41'), ?, ?, ?, ?, ?, ?, ?)"
        ),
        vec![
            json!(true),
            json!(-128),
            json!(-9223372036854775807i64),
            json!(18446744073709551615u64),
            json!(1.5),
            json!(0.1),
            serde_json::from_str::<Value>("1234567890123456789012345678901.123456789").unwrap(),
            json!("vär"),
            json!("text"),
            json!("raw"),
            json!("2024-02-29 13:14:15.5"),
            json!("2024-02-29 13:14:15"),
            json!("2024-02-29"),
            json!("-26:03:04"),
            json!("b"),
            json!(2024),
            Value::Null,
        ],
    )
    .await
    .unwrap();
    assert_eq!(insert.affected, 1);
    let result = sql(
        &clients,
        &url,
        &format!("SELECT b, ti, i, u, f, d, dec_col, s, tx, bl, vb, dt, ts, dd, tm, e, y, n FROM {table}"),
        vec![],
    )
    .await
    .unwrap();
    assert_eq!(
        serde_json::to_string(&result.rows[0]).unwrap(),
        concat!(
            r#"{"b":true,"ti":-128,"i":-9223372036854775807,"u":18446744073709551615,"f":1.5,"d":0.1,"#,
            r#""dec_col":1234567890123456789012345678901.123456789,"s":"vär","tx":"text","bl":"cmF3","vb":"AP9B","#,
            r#""dt":"2024-02-29T13:14:15.5","ts":"2024-02-29T13:14:15Z","dd":"2024-02-29","tm":"-26:03:04","#,
            r#""e":"b","y":2024,"n":null}"#
        )
    );
    sql(&clients, &url, &format!("DROP TABLE {table}"), vec![]).await.unwrap();
}

#[tokio::test]
async fn hostile_params_are_data_and_arrive_verbatim() {
    let Some(url) = url() else { return };
    let clients = Clients::new();
    let table = common::unique("my_hostile");
    sql(&clients, &url, &format!("CREATE TABLE {table} (id INT PRIMARY KEY AUTO_INCREMENT, v TEXT)"), vec![])
        .await
        .unwrap();
    let hostile = [
        format!("'); DROP TABLE {table}; --"),
        "? ?? \\' \\\" \\\\ `x` /* c */ # h".to_owned(),
        "multi\r\nline\ttabs ünïcødé".to_owned(),
    ];
    for value in &hostile {
        sql(&clients, &url, &format!("INSERT INTO {table} (v) VALUES (?)"), vec![json!(value)]).await.unwrap();
    }
    let rows = sql(&clients, &url, &format!("SELECT v FROM {table} ORDER BY id"), vec![]).await.unwrap();
    let got: Vec<&str> = rows.rows.iter().map(|r| r["v"].as_str().unwrap()).collect();
    assert_eq!(got, hostile.iter().map(String::as_str).collect::<Vec<_>>());
    let update =
        sql(&clients, &url, &format!("UPDATE {table} SET v = 'x' WHERE id > ?"), vec![json!(1)]).await.unwrap();
    assert_eq!(update.affected, 2);
    let empty = sql(&clients, &url, &format!("SELECT v, v FROM {table} WHERE id < ?"), vec![json!(0)]).await.unwrap();
    assert_eq!(empty.to_result(), json!({"rows": [], "row_count": 0, "columns": ["v", "v_2"], "affected": 0}));
    sql(&clients, &url, &format!("DROP TABLE {table}"), vec![]).await.unwrap();
}

#[tokio::test]
async fn server_errors_carry_sqlstate_and_message() {
    let Some(url) = url() else { return };
    let error = sql(&Clients::new(), &url, "SELECT * FROM rbx_no_such_table", vec![]).await.unwrap_err();
    assert_eq!(error.sqlstate(), Some("42S02"), "{error}");
    assert!(error.to_string().contains("rbx_no_such_table"), "{error}");
}

#[tokio::test]
async fn a_timeout_kills_the_query_on_the_server() {
    let Some(url) = url() else { return };
    let clients = Clients::new();
    let marker = common::unique("my_sleep");
    let mut request = req(&url, &format!("SELECT SLEEP(30) AS s /* {marker} */"), vec![]);
    request.timeout = Some(Duration::from_secs(1));
    let error = clients.sql(&request, common::no_cancel()).await.unwrap_err();
    assert!(matches!(error, SqlError::Timeout(_)), "{error}");
    let running = sql(
        &clients,
        &url,
        "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE INFO LIKE CONCAT('%', ?, '%') AND ID <> CONNECTION_ID()",
        vec![json!(marker)],
    )
    .await
    .unwrap();
    assert_eq!(running.rows[0]["n"], 0);
}

#[tokio::test]
async fn a_wrong_password_is_a_clear_connect_error() {
    let Some(url) = url() else { return };
    let Some((scheme, rest)) = url.split_once("://") else { panic!("bad URL {url}") };
    let host = rest.rsplit_once('@').map(|(_, h)| h).unwrap_or(rest);
    let wrong = format!("{scheme}://rbx_nobody:wr0ngpw@{host}");
    let error = sql(&Clients::new(), &wrong, "SELECT 1", vec![]).await.unwrap_err();
    assert!(matches!(error, SqlError::Connect { .. }), "{error}");
    assert_eq!(error.sqlstate(), Some("28000"), "{error}");
    assert!(!error.to_string().contains("wr0ngpw"), "{error}");
}

#[tokio::test]
async fn a_server_that_is_not_listening_is_a_connect_error() {
    let port = common::closed_port();
    let error =
        sql(&Clients::new(), &format!("mysql://root@127.0.0.1:{port}/test"), "SELECT 1", vec![]).await.unwrap_err();
    assert!(matches!(error, SqlError::Connect { .. }), "{error}");
    assert!(error.to_string().contains(&port.to_string()), "{error}");
}
