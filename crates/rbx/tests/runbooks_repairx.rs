//! The RepairX runbooks with `http`, `sql` and `redis` steps, end to end through `rbx run`:
//! against the real PostgreSQL and Redis of `RBX_TEST_PG_URL` / `RBX_TEST_REDIS_URL` (seeded with
//! tables, sessions and keys of the test's own, cleaned up afterwards), the HTTP endpoints they
//! call (application health, Prometheus, Elasticsearch, the audit API) as an [`HttpStub`] on
//! 127.0.0.1, and the host commands (`docker`, `docker-compose`, `journalctl`, `iptables`) as
//! [`Stubs`] on `PATH`. The runbooks that FLUSHALL or FLUSHDB get a Redis server of the test's
//! own instead of the shared one. Each test checks the JSON record's outcomes, the commands that ran and
//! their order, that destructive steps ran only when confirmed, and the effect at the server.
//!
//! The manual-only and shell-only RepairX runbooks are in `runbooks_library.rs`.

mod common;

use std::path::{Path, PathBuf};

use common::stubs::Stubs;
use common::{Outcome, service_url, step, step_ids};
use rbx_fake::{CannedReply, HttpStub};
use serde_json::{Value, json};

fn runbook(name: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../runbooks/repairx").join(name);
    assert!(path.is_file(), "missing {}", path.display());
    path
}

fn http_stub() -> HttpStub {
    HttpStub::spawn_in_thread().expect("the HTTP stub starts")
}

fn outcome_of(record: &Value, id: &str) -> String {
    step(record, id)["outcome"].as_str().unwrap_or_default().to_owned()
}

/// Every step's id and outcome, in the record's order.
fn outcomes(record: &Value) -> Vec<(String, String)> {
    step_ids(record)
        .into_iter()
        .map(|id| {
            let outcome = outcome_of(record, &id);
            (id, outcome)
        })
        .collect()
}

/// Panics, showing the run, unless each step listed has the outcome given.
#[track_caller]
fn expect_outcomes(outcome: &Outcome, expected: &[(&str, &str)]) {
    let record = outcome.record();
    for (id, wanted) in expected {
        assert_eq!(outcome_of(&record, id), *wanted, "step `{id}`: {:?}\n{}", outcomes(&record), outcome.dump());
    }
}

// --- service down (SEV-1) ---

const HEALTHY: &str = r#"{"status":"ok"}"#;

/// The application's backend and frontend, healthy unless a test says otherwise.
fn application() -> HttpStub {
    let app = http_stub();
    app.on("GET", "/api/health/live", CannedReply::text(200, HEALTHY));
    app.on("GET", "/health", CannedReply::text(200, HEALTHY));
    app
}

fn service_down(stubs: &Stubs, app: &HttpStub, db_url: &str, redis_url: &str, args: &[&str]) -> Outcome {
    stubs
        .rbx(&runbook("service-down.yaml"))
        .var("backend_url", app.root_url())
        .var("frontend_url", app.root_url())
        .var("project_dir", stubs.scratch())
        .var("db_url", db_url)
        .var("redis_url", redis_url)
        .args(args)
        .output()
}

/// What service-down runs on the host before any resolution, in order.
const SERVICE_DOWN_TRIAGE: [&str; 6] = [
    "docker ps",
    "docker-compose ps",
    "docker stats --no-stream",
    "docker-compose logs backend --tail=100",
    "docker-compose logs frontend --tail=100",
    "journalctl -u docker --since 1 hour ago --no-pager",
];

#[test]
fn service_down_all_healthy_changes_nothing_it_was_not_asked_to() {
    let (Some(pg), Some(redis)) = (service_url("RBX_TEST_PG_URL"), service_url("RBX_TEST_REDIS_URL")) else { return };
    let stubs = Stubs::new();
    let app = application();
    let outcome = service_down(&stubs, &app, &pg, &redis, &[]);
    outcome.expect_code(0);
    expect_outcomes(
        &outcome,
        &[
            ("backend_health", "passed"),
            ("frontend_health", "passed"),
            ("database", "passed"),
            ("redis", "passed"),
            ("compose_up", "skipped"),
            ("restart_postgres", "skipped"),
            ("database_back", "skipped"),
            ("scale_backend", "declined"),
            ("prune", "declined"),
            ("verify", "passed"),
        ],
    );
    let record = outcome.record();
    assert_eq!(step(&record, "database")["result"]["rows"], json!([{ "ready": 1 }]));
    assert_eq!(step(&record, "redis")["result"]["value"], json!("PONG"));
    assert_eq!(stubs.commands(), SERVICE_DOWN_TRIAGE, "no --yes: nothing scaled or pruned");
    assert_eq!(app.calls(), ["GET /api/health/live", "GET /health", "GET /api/health/live"]);
}

#[test]
fn service_down_healthy_with_yes_scales_and_prunes_after_the_triage() {
    let (Some(pg), Some(redis)) = (service_url("RBX_TEST_PG_URL"), service_url("RBX_TEST_REDIS_URL")) else { return };
    let stubs = Stubs::new();
    let outcome = service_down(&stubs, &application(), &pg, &redis, &["--yes"]);
    outcome.expect_code(0);
    expect_outcomes(&outcome, &[("compose_up", "skipped"), ("scale_backend", "passed"), ("prune", "passed")]);
    let mut expected = SERVICE_DOWN_TRIAGE.map(str::to_owned).to_vec();
    expected.extend(["docker-compose up -d --scale backend=2".to_owned(), "docker system prune -f".to_owned()]);
    assert_eq!(stubs.commands(), expected);
}

#[test]
fn service_down_backend_down_brings_the_containers_up_when_confirmed() {
    let (Some(pg), Some(redis)) = (service_url("RBX_TEST_PG_URL"), service_url("RBX_TEST_REDIS_URL")) else { return };
    let down_then_up = || vec![CannedReply::text(503, r#"{"status":"down"}"#), CannedReply::text(200, HEALTHY)];

    let stubs = Stubs::new();
    let app = application();
    app.on_each("GET", "/api/health/live", down_then_up());
    let confirmed = service_down(&stubs, &app, &pg, &redis, &["--yes"]);
    confirmed.expect_code(0);
    expect_outcomes(
        &confirmed,
        &[
            ("backend_health", "tolerated"),
            ("frontend_health", "passed"),
            ("compose_up", "passed"),
            ("verify", "passed"),
        ],
    );
    let commands = stubs.commands();
    assert_eq!(commands[..6], SERVICE_DOWN_TRIAGE, "{commands:?}");
    assert_eq!(
        commands[6..],
        ["docker-compose up -d", "docker-compose up -d --scale backend=2", "docker system prune -f"]
    );

    let stubs = Stubs::new();
    let app = application();
    app.on_each("GET", "/api/health/live", down_then_up());
    let declined = service_down(&stubs, &app, &pg, &redis, &[]);
    declined.expect_code(0);
    expect_outcomes(&declined, &[("backend_health", "tolerated"), ("compose_up", "declined"), ("verify", "passed")]);
    assert_eq!(stubs.commands(), SERVICE_DOWN_TRIAGE, "nothing brought up without a confirmation");
}

#[test]
fn service_down_database_down_offers_the_restart_and_declining_skips_the_wait() {
    let Some(redis) = service_url("RBX_TEST_REDIS_URL") else { return };
    let stubs = Stubs::new();
    let nowhere = format!("postgres://postgres@127.0.0.1:{}/test", common::closed_port());
    let outcome = service_down(&stubs, &application(), &nowhere, &redis, &[]);
    outcome.expect_code(0);
    expect_outcomes(
        &outcome,
        &[
            ("database", "tolerated"),
            ("restart_postgres", "declined"),
            ("database_back", "skipped"),
            ("verify", "passed"),
        ],
    );
    let note = step(&outcome.record(), "dashboards")["result"]["message"].clone();
    assert!(note.as_str().is_some_and(|n| n.contains("Database tolerated, Redis passed")), "{note}");
    assert_eq!(stubs.commands(), SERVICE_DOWN_TRIAGE, "postgres not restarted");
}
