//! `sql` and `redis` steps through `rbx run` against real servers: SQLite embedded (always),
//! PostgreSQL, MariaDB and Redis from `RBX_TEST_PG_URL`, `RBX_TEST_MYSQL_URL` and
//! `RBX_TEST_REDIS_URL` (skipped on a laptop without them, never in CI).

mod common;

use common::{Rbx, service_url, step, tempdir, unique_name};
use serde_json::json;

const HOSTILE: &str = "Robert'); DROP TABLE students;--";

fn sql_round_trip(fixture: &str, url: &str) {
    let table = unique_name("rbx_sql");
    let outcome = Rbx::run(fixture)
        .var("db_url", url)
        .var("table", &table)
        .args(["--format", "json"])
        .cwd(tempdir().path())
        .output();
    outcome.expect_code(0);
    let record = outcome.record();
    let select = step(&record, "select");
    assert_eq!(select["result"]["rows"], json!([{ "id": 1, "name": HOSTILE, "score": 42 }]), "{select}");
    assert_eq!(select["result"]["columns"], json!(["id", "name", "score"]));
    assert_eq!(step(&record, "insert")["result"]["affected"], json!(1));
    assert_eq!(step(&record, "drop")["outcome"], json!("passed"), "finally dropped the table");
}

#[test]
fn sqlite_embedded_needs_no_server() {
    let dir = tempdir();
    // `mode=rwc` creates the file; without it a missing database is an error (a typo in a path
    // should not silently start an empty database).
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
    sql_round_trip("sql-backend.yaml", &url);
}

#[test]
fn postgres_binds_parameters_and_types_columns() {
    let Some(url) = service_url("RBX_TEST_PG_URL") else { return };
    sql_round_trip("sql-backend.yaml", &url);
}

#[test]
fn mariadb_binds_parameters_and_types_columns() {
    let Some(url) = service_url("RBX_TEST_MYSQL_URL") else { return };
    sql_round_trip("sql-backend-qmark.yaml", &url);
}

#[test]
fn a_postgres_query_past_its_timeout_is_cancelled_on_the_server() {
    let Some(url) = service_url("RBX_TEST_PG_URL") else { return };
    let marker = unique_name("rbx_sleep");
    let outcome = Rbx::run("sql-timeout.yaml")
        .var("db_url", &url)
        .var("marker", &marker)
        .args(["--format", "json"])
        .cwd(tempdir().path())
        .output();
    outcome.expect_code(1);
    let sleep = step(&outcome.record(), "sleep").clone();
    assert!(sleep["error"].as_str().is_some_and(|e| e.contains("timed out") || e.contains("cancel")), "{sleep}");
    let check = tempdir();
    let checker = check.path().join("check.yaml");
    std::fs::write(
        &checker,
        format!(
            "rbx: 1\nid: check\nsteps:\n  - id: active\n    sql: {{ url: \"{url}\", query: \"SELECT count(*) AS n FROM pg_stat_activity WHERE query LIKE '%pg_sleep%' AND query NOT LIKE '%pg_stat_activity%' AND state = 'active'\" }}\n    expect: {{ path: \"$.rows[0].n\", equals: 0 }}\n"
        ),
    )
    .expect("write");
    Rbx::new().arg("run").arg(&checker).output().expect_code(0);
}

#[test]
fn a_database_that_is_not_there_fails_the_step_clearly() {
    let port = common::closed_port();
    let outcome = Rbx::run("sql-backend.yaml")
        .var("db_url", format!("postgres://postgres@127.0.0.1:{port}/test"))
        .var("table", "t")
        .args(["--format", "json"])
        .cwd(tempdir().path())
        .output();
    outcome.expect_code(1);
    let create = step(&outcome.record(), "create").clone();
    assert!(create["error"].as_str().is_some_and(|e| e.contains("connect") || e.contains("refused")), "{create}");
}

#[test]
fn postgres_errors_carry_the_sqlstate() {
    let Some(url) = service_url("RBX_TEST_PG_URL") else { return };
    let table = unique_name("rbx_sql");
    // The table already exists when `create` runs a second time.
    let twice = tempdir();
    let runbook = twice.path().join("twice.yaml");
    std::fs::write(
        &runbook,
        format!(
            "rbx: 1\nid: twice\nsteps:\n  - id: one\n    sql: {{ url: \"{url}\", query: \"CREATE TABLE {table} (id int)\" }}\n  - id: two\n    sql: {{ url: \"{url}\", query: \"CREATE TABLE {table} (id int)\" }}\nfinally:\n  - id: drop\n    sql: {{ url: \"{url}\", query: \"DROP TABLE IF EXISTS {table}\" }}\n"
        ),
    )
    .expect("write");
    let outcome = Rbx::new().args(["run", "--format", "json"]).arg(&runbook).output();
    outcome.expect_code(1);
    let two = step(&outcome.record(), "two").clone();
    assert!(two["error"].as_str().is_some_and(|e| e.contains("42P07") && e.contains("already exists")), "{two}");
}

#[test]
fn redis_commands_are_argument_vectors_and_replies_are_json() {
    let Some(url) = service_url("RBX_TEST_REDIS_URL") else { return };
    let key = unique_name("rbx:test");
    let outcome = Rbx::run("redis-steps.yaml")
        .var("redis_url", &url)
        .var("key", &key)
        .args(["--format", "json"])
        .cwd(tempdir().path())
        .output();
    outcome.expect_code(0);
    let record = outcome.record();
    assert_eq!(step(&record, "get")["result"]["value"], json!("a\r\nSET injected 1\r\n"));
    assert!(step(&record, "info")["result"]["value"]["redis_version"].is_string());
    assert_eq!(step(&record, "cleanup")["result"]["value"], json!(1));
}

#[test]
fn a_slow_redis_reply_waits_for_the_step_timeout_and_a_timed_out_one_does_not_block_the_next() {
    let Some(url) = service_url("RBX_TEST_REDIS_URL") else { return };
    let outcome = Rbx::run("redis-slow.yaml")
        .var("redis_url", &url)
        .var("key", unique_name("rbx:test:slow"))
        .args(["--format", "json"])
        .cwd(tempdir().path())
        .output();
    outcome.expect_code(0);
    let record = outcome.record();
    assert_eq!(step(&record, "wait_a_second")["outcome"], json!("passed"), "{}", outcome.dump());
    let too_long = step(&record, "wait_too_long").clone();
    assert_eq!(too_long["outcome"], json!("tolerated"));
    assert!(too_long["error"].as_str().is_some_and(|e| e.contains("1s")), "{too_long}");
    // Queued behind the abandoned 5 s BLPOP, the PING would pass its own 2 s timeout.
    assert_eq!(step(&record, "ping")["outcome"], json!("passed"), "{}", outcome.dump());
}

#[test]
fn redis_that_is_down_fails_the_step() {
    let port = common::closed_port();
    let outcome = Rbx::run("redis-steps.yaml")
        .var("redis_url", format!("redis://127.0.0.1:{port}/0"))
        .var("key", "k")
        .args(["--format", "json"])
        .cwd(tempdir().path())
        .output();
    outcome.expect_code(1);
    let set = step(&outcome.record(), "set").clone();
    assert_eq!(set["outcome"], json!("failed"));
    assert!(set["error"].as_str().is_some_and(|e| !e.is_empty()), "{set}");
}

#[test]
fn a_wrong_redis_password_fails_the_step_without_showing_it() {
    let Some(url) = service_url("RBX_TEST_REDIS_URL") else { return };
    let Some(host) = url.strip_prefix("redis://") else { panic!("a redis:// URL: {url}") };
    // A user of our own with a password: the default user of a test server has none (and a
    // user without a password accepts any).
    let user = unique_name("rbx_auth");
    let dir = tempdir();
    let runbook = dir.path().join("auth.yaml");
    std::fs::write(
        &runbook,
        format!(
            "rbx: 1\nid: auth\nsteps:\n  - id: create\n    redis: {{ url: \"{url}\", command: [ACL, SETUSER, {user}, \"on\", \">right-password-1\", \"+ping\"] }}\n  - id: wrong\n    redis: {{ url: \"redis://{user}:not-the-password-4242@{host}\", command: [PING] }}\nfinally:\n  - id: drop\n    redis: {{ url: \"{url}\", command: [ACL, DELUSER, {user}] }}\n"
        ),
    )
    .expect("write");
    let outcome = Rbx::new().args(["run", "--format", "json"]).arg(&runbook).output();
    outcome.expect_code(1);
    let record = outcome.record();
    let wrong = step(&record, "wrong").clone();
    assert_eq!(wrong["outcome"], json!("failed"));
    let error = wrong["error"].as_str().unwrap_or_default().to_lowercase();
    assert!(error.contains("wrongpass") || error.contains("password") || error.contains("auth"), "{wrong}");
    assert!(!error.contains("not-the-password-4242"), "{wrong}");
    assert_eq!(step(&record, "drop")["outcome"], json!("passed"), "the user is removed");
}
