//! `http` steps through `rbx run` against the fake MaintainX API (crates/rbx_fake) on
//! 127.0.0.1: connections, secrets in headers, JSON bodies, captures, hostile values, and the
//! faults a real API has (5xx, 429 with Retry-After, slowness, a server that is not there, a
//! name that does not resolve).

mod common;

use common::{Rbx, step, tempdir};
use rbx_fake::{Config, FakeMaintainx, Fault};
use serde_json::json;

/// `rbx run http-faults.yaml` against `url`, as JSON.
fn faults_run(url: String) -> common::Outcome {
    Rbx::run("http-faults.yaml").var("url", url).args(["--format", "json"]).cwd(tempdir().path()).output()
}

fn fake() -> rbx_fake::Running {
    FakeMaintainx::spawn_in_thread(Config::default()).expect("the fake MaintainX API starts")
}

#[test]
fn a_runbook_talks_to_the_api_with_its_connection_and_secret() {
    let api = fake();
    let outcome = Rbx::run("http-maintainx.yaml")
        .var("api_base", api.base_url())
        .env("MAINTAINX_API_KEY", &api.api_key)
        .args(["--format", "json"])
        .cwd(tempdir().path())
        .output();
    outcome.expect_code(0);
    let record = outcome.record();
    let users = step(&record, "users");
    assert_eq!(users["result"]["status"], json!(200));
    assert!(users["result"]["duration_ms"].is_u64(), "{users}");
    assert!(users["result"]["url"].as_str().is_some_and(|u| u.ends_with("/v1/users?limit=5")), "{users}");
    let created_id = step(&record, "create")["result"]["json"]["id"].as_u64().expect("an id");
    let order = api.work_order(created_id).expect("the work order exists at the server");
    assert_eq!(order.title, "Pump 3 leaking; rm -rf / \"quoted\"", "the title arrived verbatim");
    let requests = api.requests();
    let posted = requests.iter().find(|r| r.method == "POST").expect("a POST");
    assert_eq!(posted.header("authorization"), Some(format!("Bearer {}", api.api_key).as_str()));
    assert_eq!(posted.json().expect("a JSON body")["assignees"][0]["type"], json!("USER"));
    let odd = requests.iter().find(|r| r.path.starts_with("/v1/users/")).expect("the odd path");
    assert_eq!(odd.path, "/v1/users/a%26b%3Dc%23d%20e%2Ff", "one path segment, percent-encoded");
    assert_eq!(odd.query.as_deref(), Some("q=a%26b%3Dc%23d+e%2Ff"), "one query value");
    assert!(!outcome.all().contains(&api.api_key), "the key is masked\n{}", outcome.dump());
}

#[test]
fn a_wrong_key_is_a_401_and_fails_the_step_by_default() {
    let api = fake();
    let outcome = Rbx::run("http-maintainx.yaml")
        .var("api_base", api.base_url())
        .env("MAINTAINX_API_KEY", "wrong-key-123")
        .args(["--format", "json"])
        .cwd(tempdir().path())
        .output();
    outcome.expect_code(1);
    let users = step(&outcome.record(), "users").clone();
    assert_eq!(users["outcome"], json!("failed"));
    assert_eq!(users["result"]["status"], json!(401));
    assert!(!outcome.all().contains("wrong-key-123"), "{}", outcome.dump());
}

#[test]
fn five_hundreds_then_success_is_retried_to_a_pass() {
    let api = fake();
    api.set_faults(vec![Fault::fail_then_succeed(2, 503)]);
    let outcome = faults_run(api.url("/health"));
    outcome.expect_code(0);
    let get = step(&outcome.record(), "get").clone();
    assert_eq!(get["attempts"], json!(3), "{get}");
    assert_eq!(get["result"]["status"], json!(200));
    assert_eq!(api.requests().len(), 3, "three requests reached the server");
}

#[test]
fn retry_after_on_429_is_waited_for() {
    let api = fake();
    api.set_faults(vec![Fault::rate_limit(1).times(1)]);
    let outcome = Rbx::run("http-faults.yaml").var("url", api.url("/health")).arg("-v").cwd(tempdir().path()).output();
    outcome.expect_code(0);
    assert!(outcome.stdout.contains("next try in 1.0s"), "the 100ms delay became Retry-After's 1s\n{}", outcome.dump());
    let requests = api.requests();
    assert_eq!(requests.len(), 2);
    let waited = requests[1].received_ms - requests[0].received_ms;
    assert!(waited >= 1000, "the second request came {waited} ms after the first");
}

#[test]
fn a_slow_response_hits_the_step_timeout() {
    let api = fake();
    api.set_faults(vec![Fault::latency(std::time::Duration::from_secs(10))]);
    let outcome = faults_run(api.url("/health"));
    outcome.expect_code(1);
    let get = step(&outcome.record(), "get").clone();
    assert!(get["error"].as_str().is_some_and(|e| e.contains("timeout")), "{get}");
}

#[test]
fn a_server_that_is_not_listening_is_a_connect_error() {
    let port = common::closed_port();
    let outcome = faults_run(format!("http://127.0.0.1:{port}/health"));
    outcome.expect_code(1);
    let get = step(&outcome.record(), "get").clone();
    assert_eq!(get["attempts"], json!(3), "retried");
    let error = get["error"].as_str().unwrap_or_default();
    assert!(error.starts_with(&format!("http connect error for http://127.0.0.1:{port}:")), "{get}");
    assert!(error.contains("refused"), "the error says why: {error}");
}

/// The host has a 64-byte label, longer than DNS allows (RFC 1035: 63): the system resolver
/// (glibc's, and musl's) refuses to build a query for it, so the lookup fails on this machine
/// and no packet leaves it. Checked with `strace -e trace=socket,connect` in an empty network
/// namespace (`unshare -n`): `rbx run` opens only local sockets (netlink, nscd's), where a
/// well-formed name, even under `.invalid`, makes it open a UDP socket to the nameserver.
#[test]
fn a_name_the_resolver_refuses_is_a_dns_error() {
    let host = format!("{}.invalid", "a".repeat(64));
    let outcome = faults_run(format!("http://{host}/health"));
    outcome.expect_code(1);
    let get = step(&outcome.record(), "get").clone();
    let error = get["error"].as_str().unwrap_or_default();
    assert!(error.starts_with(&format!("http dns error for http://{host}:")), "{get}");
}

#[test]
fn a_dropped_connection_fails_the_try_with_a_clear_error() {
    let api = fake();
    api.set_faults(vec![Fault::drop_connection()]);
    let outcome = faults_run(api.url("/health"));
    outcome.expect_code(1);
    let get = step(&outcome.record(), "get").clone();
    assert!(get["error"].as_str().is_some_and(|e| !e.is_empty()), "{get}");
}

#[test]
fn a_value_cannot_make_a_dot_segment_that_moves_the_request() {
    let api = fake();
    for value in ["..", "."] {
        let outcome = Rbx::run("http-maintainx.yaml")
            .var("api_base", api.base_url())
            .var("search", value)
            .env("MAINTAINX_API_KEY", &api.api_key)
            .args(["--format", "json"])
            .cwd(tempdir().path())
            .output();
        outcome.expect_code(0);
        let odd = step(&outcome.record(), "odd_path").clone();
        assert_eq!(odd["outcome"], json!("tolerated"), "the step fails (its failure is tolerated)");
        assert!(odd["error"].as_str().is_some_and(|e| e.contains("a whole `.` or `..` segment")), "{odd}");
    }
    let paths: Vec<String> = api.requests().into_iter().map(|r| r.path).collect();
    assert!(!paths.iter().any(|p| p == "/v1" || p == "/v1/" || p == "/v1/users/"), "{paths:?}");
}
