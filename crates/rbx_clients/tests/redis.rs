//! Redis through `Clients::redis`, against the server in `RBX_TEST_REDIS_URL`.

mod common;

use std::time::Duration;

use rbx_clients::{Clients, RedisError, RedisRequest};
use serde_json::{Value, json};

fn url() -> Option<String> {
    common::service_url("RBX_TEST_REDIS_URL")
}

async fn cmd(clients: &Clients, url: &str, args: &[&str]) -> Result<Value, RedisError> {
    let request = RedisRequest {
        url: url.to_owned(),
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        timeout: Some(Duration::from_secs(10)),
    };
    clients.redis(&request).await
}

#[tokio::test]
async fn replies_of_every_kind() {
    let Some(url) = url() else { return };
    let clients = Clients::new();
    let key = common::unique("redis_kinds");
    let (hash, list, set, zset) = (format!("{key}:h"), format!("{key}:l"), format!("{key}:s"), format!("{key}:z"));
    assert_eq!(cmd(&clients, &url, &["PING"]).await.unwrap(), "PONG");
    assert_eq!(cmd(&clients, &url, &["SET", &key, "v"]).await.unwrap(), "OK");
    assert_eq!(cmd(&clients, &url, &["GET", &key]).await.unwrap(), "v");
    assert_eq!(cmd(&clients, &url, &["GET", &format!("{key}:missing")]).await.unwrap(), Value::Null);
    assert_eq!(cmd(&clients, &url, &["INCRBY", &format!("{key}:n"), "41"]).await.unwrap(), 41);
    cmd(&clients, &url, &["HSET", &hash, "a", "1", "b", "two"]).await.unwrap();
    assert_eq!(cmd(&clients, &url, &["HGETALL", &hash]).await.unwrap(), json!({"a": "1", "b": "two"}));
    cmd(&clients, &url, &["RPUSH", &list, "x", "y", "z"]).await.unwrap();
    assert_eq!(cmd(&clients, &url, &["LRANGE", &list, "0", "-1"]).await.unwrap(), json!(["x", "y", "z"]));
    assert_eq!(cmd(&clients, &url, &["LLEN", &list]).await.unwrap(), 3);
    cmd(&clients, &url, &["SADD", &set, "only"]).await.unwrap();
    assert_eq!(cmd(&clients, &url, &["SMEMBERS", &set]).await.unwrap(), json!(["only"]));
    cmd(&clients, &url, &["ZADD", &zset, "1.5", "m"]).await.unwrap();
    assert_eq!(cmd(&clients, &url, &["ZSCORE", &zset, "m"]).await.unwrap(), json!(1.5));
    let deleted = cmd(&clients, &url, &["DEL", &key, &format!("{key}:n"), &hash, &list, &set, &zset]).await.unwrap();
    assert_eq!(deleted, 6);
}

#[tokio::test]
async fn arguments_with_cr_lf_and_protocol_text_arrive_verbatim() {
    let Some(url) = url() else { return };
    let clients = Clients::new();
    let key = common::unique("redis_hostile");
    let injected = format!("{key}:injected");
    let hostile = format!("v\r\n*3\r\n$3\r\nSET\r\n${}\r\n{injected}\r\n$1\r\nx\r\n ünï \0 end", injected.len());
    assert_eq!(cmd(&clients, &url, &["SET", &key, &hostile]).await.unwrap(), "OK");
    assert_eq!(cmd(&clients, &url, &["GET", &key]).await.unwrap(), Value::String(hostile.clone()));
    assert_eq!(cmd(&clients, &url, &["EXISTS", &injected]).await.unwrap(), 0);
    let spaced_key = format!("{key} with spaces\r\nDEL *");
    cmd(&clients, &url, &["SET", &spaced_key, "1"]).await.unwrap();
    assert_eq!(cmd(&clients, &url, &["EXISTS", &spaced_key]).await.unwrap(), 1);
    cmd(&clients, &url, &["DEL", &key, &spaced_key]).await.unwrap();
}

#[tokio::test]
async fn info_is_parsed_into_a_map() {
    let Some(url) = url() else { return };
    let clients = Clients::new();
    let info = cmd(&clients, &url, &["INFO"]).await.unwrap();
    assert!(info["redis_version"].is_string(), "{info}");
    assert!(info["connected_clients"].is_u64(), "{info}");
    let server = cmd(&clients, &url, &["info", "server"]).await.unwrap();
    assert!(server["tcp_port"].is_u64(), "{server}");
    assert!(server.get("connected_clients").is_none());
}

#[tokio::test]
async fn server_errors_carry_their_code() {
    let Some(url) = url() else { return };
    let clients = Clients::new();
    let key = common::unique("redis_wrongtype");
    cmd(&clients, &url, &["RPUSH", &key, "x"]).await.unwrap();
    let error = cmd(&clients, &url, &["GET", &key]).await.unwrap_err();
    assert!(matches!(&error, RedisError::Server { code, .. } if code == "WRONGTYPE"), "{error:?}");
    let error = cmd(&clients, &url, &["NOSUCHCOMMAND", "x"]).await.unwrap_err();
    assert!(matches!(&error, RedisError::Server { code, .. } if code == "ERR"), "{error:?}");
    assert!(error.to_string().contains("unknown command"), "{error}");
    cmd(&clients, &url, &["DEL", &key]).await.unwrap();
    assert!(matches!(cmd(&clients, &url, &[]).await.unwrap_err(), RedisError::EmptyCommand));
}

/// `url` pointing at database `db`.
fn with_db(url: &str, db: u8) -> String {
    let (scheme, rest) = url.split_once("://").unwrap();
    let authority = rest.split(['/', '?']).next().unwrap();
    format!("{scheme}://{authority}/{db}")
}

#[tokio::test]
async fn the_database_comes_from_the_url() {
    let Some(url) = url() else { return };
    let clients = Clients::new();
    let key = common::unique("redis_db");
    let (db5, db6) = (with_db(&url, 5), with_db(&url, 6));
    cmd(&clients, &db5, &["SET", &key, "in5"]).await.unwrap();
    assert_eq!(cmd(&clients, &db5, &["GET", &key]).await.unwrap(), "in5");
    assert_eq!(cmd(&clients, &db6, &["GET", &key]).await.unwrap(), Value::Null);
    cmd(&clients, &db5, &["DEL", &key]).await.unwrap();
}

#[tokio::test]
async fn credentials_come_from_the_url_and_a_wrong_password_is_clear() {
    let Some(url) = url() else { return };
    let clients = Clients::new();
    let user = common::unique("redis_user");
    cmd(&clients, &url, &["ACL", "SETUSER", &user, "on", ">right-pw", "~*", "+@all"]).await.unwrap();
    let authority = url.split_once("://").unwrap().1.split(['/', '?']).next().unwrap();
    let authority = authority.rsplit_once('@').map(|(_, h)| h).unwrap_or(authority);
    let good = format!("redis://{user}:right-pw@{authority}/0");
    assert_eq!(cmd(&clients, &good, &["ACL", "WHOAMI"]).await.unwrap(), Value::String(user.clone()));
    let bad = format!("redis://{user}:wr0ng-pw@{authority}/0");
    let error = cmd(&clients, &bad, &["PING"]).await.unwrap_err();
    assert!(matches!(error, RedisError::Auth { .. }), "{error:?}");
    assert!(!error.to_string().contains("wr0ng-pw"), "{error}");
    cmd(&clients, &url, &["ACL", "DELUSER", &user]).await.unwrap();
}

#[tokio::test]
async fn a_server_that_is_down_is_a_connect_error() {
    let port = common::closed_port();
    let error = cmd(&Clients::new(), &format!("redis://:pw@127.0.0.1:{port}/0"), &["PING"]).await.unwrap_err();
    assert!(
        matches!(&error, RedisError::Connect { target, .. } if target == &format!("127.0.0.1:{port}")),
        "{error:?}"
    );
    assert!(!error.to_string().contains("pw"), "{error}");
}

#[tokio::test]
async fn a_reply_that_does_not_come_in_time_is_a_timeout() {
    let Some(url) = url() else { return };
    let key = common::unique("redis_block");
    let request = RedisRequest {
        url: url.clone(),
        args: vec!["BLPOP".into(), key, "5".into()],
        timeout: Some(Duration::from_millis(300)),
    };
    let error = Clients::new().redis(&request).await.unwrap_err();
    assert!(matches!(error, RedisError::Timeout(_)), "{error:?}");
}
