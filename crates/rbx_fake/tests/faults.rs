//! Each fault kind, seen from a client, and the exact error rate.

mod common;

use std::time::{Duration, Instant};

use common::{Call, get};
use rbx_fake::{Config, FakeMaintainx, Fault, Running};

async fn fake() -> Running {
    FakeMaintainx::start(Config::default()).await.expect("the fake starts")
}

async fn statuses(fake: &Running, target: &str, count: usize) -> Vec<u16> {
    let mut statuses = Vec::with_capacity(count);
    for _ in 0..count {
        statuses.push(get(fake, target).await.status);
    }
    statuses
}

#[tokio::test]
async fn an_error_rate_of_7_percent_fails_exactly_7_of_100_requests() {
    let fake = fake().await;
    fake.set_faults(vec![Fault::error_rate(7.0, 503)]);
    let statuses = statuses(&fake, "/v1/users?limit=1", 100).await;
    assert_eq!(statuses.iter().filter(|&&s| s == 503).count(), 7);
    assert_eq!(statuses.iter().filter(|&&s| s == 200).count(), 93);
    // Spread evenly, not bunched at the start: a detector over any window sees the rate.
    assert_eq!(statuses[..14].iter().filter(|&&s| s == 503).count(), 0);
    assert_eq!(statuses[14], 503);
    // The server's own record agrees with what the client saw.
    let recorded: Vec<u16> = fake.requests().iter().filter_map(|r| r.status).collect();
    assert_eq!(recorded, statuses);
    let injected = fake.requests().iter().filter(|r| r.fault.as_deref() == Some("error_rate")).count();
    assert_eq!(injected, 7);
}

#[tokio::test]
async fn injected_errors_have_the_json_error_shape() {
    let fake = fake().await;
    fake.set_faults(vec![Fault::status(500)]);
    let answer = get(&fake, "/v1/workorders").await;
    assert_eq!(answer.status, 500);
    assert_eq!(answer.json()["error"], "Internal Server Error");
    assert_eq!(answer.json()["message"], "injected fault: status");
}

#[tokio::test]
async fn a_fixed_status_answers_every_request_in_its_scope() {
    let fake = fake().await;
    fake.set_faults(vec![Fault::status(502).on_path("/v1/workorders").on_method("GET")]);
    assert_eq!(statuses(&fake, "/v1/workorders?limit=1", 3).await, [502, 502, 502]);
    assert_eq!(get(&fake, "/v1/users?limit=1").await.status, 200);
    let create = Call::new(&fake, "POST", "/v1/workorders").json(serde_json::json!({ "title": "x" }));
    assert_eq!(create.send().await.status, 201);
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let fake = fake().await;
    fake.set_faults(vec![Fault::rate_limit(3).times(2)]);
    for _ in 0..2 {
        let answer = get(&fake, "/v1/users").await;
        assert_eq!(answer.status, 429);
        assert_eq!(answer.header("retry-after"), Some("3"));
        assert_eq!(answer.json()["error"], "Too Many Requests");
    }
    assert_eq!(get(&fake, "/v1/users").await.status, 200);
}

#[tokio::test]
async fn fail_then_succeed_fails_n_times_then_serves() {
    let fake = fake().await;
    fake.set_faults(vec![Fault::fail_then_succeed(2, 503)]);
    assert_eq!(statuses(&fake, "/v1/workorders/1", 4).await, [503, 503, 200, 200]);
    let counters = &fake.faults()[0];
    assert_eq!((counters.seen, counters.acted), (4, 2));
}

#[tokio::test]
async fn drop_connection_closes_the_socket_without_an_answer() {
    let fake = fake().await;
    fake.set_faults(vec![Fault::drop_connection().times(1)]);
    let dropped = Call::new(&fake, "GET", "/v1/users").try_send().await;
    assert!(dropped.is_err(), "expected no answer, got {dropped:?}");
    assert_eq!(get(&fake, "/v1/users").await.status, 200);
    let requests = fake.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!((requests[0].status, requests[0].fault.as_deref()), (None, Some("drop_connection")));
    assert_eq!(requests[1].status, Some(200));
}

#[tokio::test]
async fn latency_delays_the_answer_by_at_least_its_duration() {
    let fake = fake().await;
    let delay = Duration::from_millis(300);
    fake.set_faults(vec![Fault::latency(delay).on_path("/v1/assets")]);
    let start = Instant::now();
    let answer = get(&fake, "/v1/assets?limit=1").await;
    // A lower bound only: the fault guarantees the wait, nothing bounds how slow a machine is.
    assert!(start.elapsed() >= delay, "answered after {:?}", start.elapsed());
    assert_eq!(answer.status, 200);
    assert_eq!(fake.faults()[0].acted, 1);
    get(&fake, "/v1/users?limit=1").await;
    assert_eq!(fake.faults()[0].seen, 1, "a request out of scope is not delayed");
}

#[tokio::test]
async fn latency_then_an_error_gives_a_slow_error() {
    let fake = fake().await;
    let delay = Duration::from_millis(100);
    fake.set_faults(vec![Fault::latency(delay), Fault::status(504)]);
    let start = Instant::now();
    assert_eq!(get(&fake, "/health").await.status, 504);
    assert!(start.elapsed() >= delay);
}

#[tokio::test]
async fn faults_come_before_auth_and_clearing_them_restores_service() {
    let fake = fake().await;
    fake.set_faults(vec![Fault::status(503)]);
    assert_eq!(Call::anonymous(&fake, "GET", "/v1/users").send().await.status, 503);
    fake.clear_faults();
    assert!(fake.faults().is_empty());
    assert_eq!(Call::anonymous(&fake, "GET", "/v1/users").send().await.status, 401);
    assert_eq!(get(&fake, "/v1/users").await.status, 200);
}

#[tokio::test]
async fn a_retry_after_wait_shows_in_the_recorded_arrival_times() {
    let fake = fake().await;
    fake.set_faults(vec![Fault::rate_limit(1).times(1)]);
    let first = get(&fake, "/v1/users").await;
    let wait: u64 = first.header("retry-after").unwrap().parse().unwrap();
    tokio::time::sleep(Duration::from_secs(wait)).await;
    assert_eq!(get(&fake, "/v1/users").await.status, 200);
    let requests = fake.requests();
    assert!(requests[1].received_ms - requests[0].received_ms >= 1000, "{requests:?}");
}
