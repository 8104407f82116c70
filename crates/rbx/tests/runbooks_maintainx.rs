//! The MaintainX runbooks run end to end against the fake MaintainX API (crates/rbx_fake), in
//! healthy and faulty modes: each RB-002 branch is taken by the fault that calls for it, and the
//! 5% threshold is tested just below, at and above.

mod common;

use std::path::PathBuf;

use common::{Rbx, step, tempdir};
use rbx_fake::{Config, FakeMaintainx, Fault};
use serde_json::{Value, json};

fn runbook(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../runbooks/maintainx").join(name)
}

/// RB-002 against the fake with `faults`; `--yes` acknowledges the mitigation's manual steps.
fn rb002(faults: Vec<Fault>) -> (Value, rbx_fake::Running) {
    let api = FakeMaintainx::spawn_in_thread(Config::default()).expect("the fake MaintainX API starts");
    api.set_faults(faults);
    let outcome = Rbx::new()
        .arg("run")
        .arg(runbook("rb-002-high-error-rate.yaml"))
        .var("api_base", api.base_url())
        .env("MAINTAINX_API_KEY", &api.api_key)
        .args(["--yes", "--format", "json"])
        .cwd(tempdir().path())
        .output();
    outcome.expect_code(0);
    (outcome.record(), api)
}

fn outcome_of(record: &Value, id: &str) -> Value {
    step(record, id)["outcome"].clone()
}

#[test]
fn rb002_healthy_api_is_within_budget() {
    let (record, api) = rb002(Vec::new());
    assert_eq!(api.requests().len(), 100, "the sample reached the server");
    assert_eq!(outcome_of(&record, "error_rate"), json!("passed"));
    assert_eq!(outcome_of(&record, "within_budget"), json!("passed"));
    for mitigation in ["unauthorized", "forbidden", "rate_limited", "server_errors", "resolution"] {
        assert_eq!(outcome_of(&record, mitigation), json!("skipped"), "{mitigation}");
    }
}

#[test]
fn rb002_threshold_just_below_at_and_above_five_percent() {
    for (percent, over) in [(4.0, false), (5.0, false), (6.0, true), (7.0, true)] {
        let (record, api) = rb002(vec![Fault::error_rate(percent, 503).on_path("/v1/workorders")]);
        let failed = api.requests().iter().filter(|r| r.status == Some(503)).count();
        assert_eq!(failed as f64, percent, "the fake failed exactly {percent}% of 100");
        let expected = if over { "tolerated" } else { "passed" };
        assert_eq!(outcome_of(&record, "error_rate"), json!(expected), "{percent}%");
        let server_errors = if over { "passed" } else { "skipped" };
        assert_eq!(outcome_of(&record, "server_errors"), json!(server_errors), "{percent}%");
        assert_eq!(outcome_of(&record, "circuit_breaker"), json!(server_errors), "{percent}%");
    }
}

#[test]
fn rb002_each_error_class_takes_its_own_branch() {
    let branches: [(u16, &[&str]); 3] =
        [(401, &["unauthorized", "rotate_key"]), (403, &["forbidden"]), (429, &["rate_limited", "enable_throttling"])];
    for (status, taken) in branches {
        let (record, _api) = rb002(vec![Fault::error_rate(10.0, status).on_path("/v1/workorders")]);
        assert_eq!(outcome_of(&record, "error_rate"), json!("tolerated"), "{status}");
        for &id in taken {
            assert_eq!(outcome_of(&record, id), json!("passed"), "{status}: {id}");
        }
        assert_eq!(outcome_of(&record, "server_errors"), json!("skipped"), "{status}");
        assert_eq!(outcome_of(&record, "resolution"), json!("passed"), "{status}");
    }
}

#[test]
fn rb002_without_yes_stops_pending_at_the_first_mitigation() {
    let api = FakeMaintainx::spawn_in_thread(Config::default()).expect("the fake MaintainX API starts");
    api.set_faults(vec![Fault::error_rate(7.0, 503).on_path("/v1/workorders")]);
    let outcome = Rbx::new()
        .arg("run")
        .arg(runbook("rb-002-high-error-rate.yaml"))
        .var("api_base", api.base_url())
        .env("MAINTAINX_API_KEY", &api.api_key)
        .args(["--format", "json"])
        .cwd(tempdir().path())
        .output();
    outcome.expect_code(3);
    let record = outcome.record();
    assert_eq!(record["status"], json!("pending"));
    assert_eq!(outcome_of(&record, "circuit_breaker"), json!("pending"));
    assert!(!outcome.all().contains(&api.api_key), "the key is masked");
}
