//! `rbx run --dry-run`: every step's rendered action (shell command, HTTP method and URL, SQL
//! and parameters, Redis argv), `<steps.ID.field>` for what only a run knows, secrets masked,
//! and nothing run or asked.

mod common;

use common::{Rbx, tempdir};
use serde_json::json;

#[test]
fn the_plan_shows_what_each_step_would_do_and_runs_nothing() {
    let scratch = tempdir();
    let outcome =
        Rbx::run("dry-run.yaml").arg("--dry-run").env("DRY_RUN_TOKEN", "tok-5ecret").cwd(scratch.path()).output();
    outcome.expect_code(0);
    assert!(common::entries(scratch.path()).is_empty(), "nothing ran: {:?}", common::entries(scratch.path()));
    assert!(!outcome.all().contains("tok-5ecret"), "the secret is masked\n{}", outcome.dump());
    assert!(!outcome.all().contains("hunter2"), "a DSN's password is hidden\n{}", outcome.dump());
    assert!(outcome.stdout.contains("?limit=5&q=api%3B+rm+-rf+%2F"), "the query as it is sent\n{}", outcome.dump());
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots");
    settings.bind(|| insta::assert_snapshot!("dry_run_human", outcome.stdout));
}

#[test]
fn the_plan_as_json_has_each_request_as_data() {
    let outcome = Rbx::run("dry-run.yaml")
        .args(["--dry-run", "--format", "json"])
        .env("DRY_RUN_TOKEN", "tok-5ecret")
        .cwd(tempdir().path())
        .output();
    outcome.expect_code(0);
    let plan: serde_json::Value = serde_json::from_str(&outcome.stdout).expect("JSON");
    assert_eq!(plan["dry_run"], json!(true));
    let steps = plan["steps"].as_array().expect("steps");
    let find = |id: &str| steps.iter().find(|s| s["id"] == id).unwrap_or_else(|| panic!("no step {id}"));
    assert_eq!(
        find("probe")["actions"][0]["detail"]["command"],
        json!("touch RAN && systemctl status 'api; rm -rf /'")
    );
    assert_eq!(
        find("users")["actions"][0]["detail"]["url"],
        json!("https://api.example.test/v1/users/<steps.probe.stdout>?limit=5&q=api%3B+rm+-rf+%2F")
    );
    assert_eq!(find("create")["actions"][0]["detail"]["body"], json!({ "title": "api; rm -rf / down", "count": 3 }));
    assert_eq!(find("sessions")["actions"][0]["detail"]["params"], json!(["api; rm -rf /"]));
    assert_eq!(find("queue")["actions"][0]["detail"]["command"], json!(["LLEN", "queue:api; rm -rf /"]));
    assert_eq!(find("per_host")["actions"].as_array().map(Vec::len), Some(2), "one action per known item");
    assert_eq!(find("restart")["confirm"], json!("Restart api; rm -rf /?"));
    assert!(find("restart")["when"].as_str().is_some_and(|w| w.contains("$.steps.probe.exit_code")));
}

#[test]
fn a_dry_run_needs_no_secret_and_respects_only() {
    let outcome = Rbx::run("dry-run.yaml")
        .args(["--dry-run", "--only", "sessions", "--format", "json"])
        .env_remove("DRY_RUN_TOKEN")
        .cwd(tempdir().path())
        .output();
    outcome.expect_code(0);
    let plan: serde_json::Value = serde_json::from_str(&outcome.stdout).expect("JSON");
    let ids: Vec<&str> = plan["steps"].as_array().expect("steps").iter().filter_map(|s| s["id"].as_str()).collect();
    assert_eq!(ids, ["sessions", "marker"]);
}
