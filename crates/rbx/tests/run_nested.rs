//! `runbook` steps: the called runbook runs inside the run with the inputs passed and the
//! caller's secrets of the same name; its steps appear as `call/step`; its result is
//! `{status, steps, vars}`; it fails, or waits, when the called run does.

mod common;

use common::{Rbx, read, step, step_ids, tempdir};
use serde_json::json;

#[test]
fn the_called_runbook_runs_with_the_inputs_passed_and_its_result_is_readable() {
    let scratch = tempdir();
    let outcome = Rbx::run("nested-call.yaml")
        .var("who", "bravo")
        .env("PARENT_TOKEN", "canary-9f8e7d")
        .args(["--format", "json"])
        .cwd(scratch.path())
        .output();
    outcome.expect_code(0);
    assert_eq!(read(&scratch.path().join("CHILD_bravo")), b"bravo");
    assert_eq!(read(&scratch.path().join("AFTER")), b"42", "a later step reads the called run's vars");
    let record = outcome.record();
    assert_eq!(
        step_ids(&record),
        ["call/write", "call/token", "call/version", "call/maybe_fail", "call", "after", "marker"]
    );
    let call = step(&record, "call");
    assert_eq!(call["result"]["status"], json!("passed"));
    assert_eq!(call["result"]["vars"], json!({ "version": "42" }));
    assert_eq!(call["result"]["steps"]["token"]["stdout"], json!("token=***"), "the secret passed and masked");
    assert!(!outcome.all().contains("canary-9f8e7d"), "{}", outcome.dump());
}

#[test]
fn a_failing_called_run_fails_the_calling_step() {
    let scratch = tempdir();
    let outcome = Rbx::run("nested-call.yaml")
        .var("fail", "true")
        .env("PARENT_TOKEN", "x")
        .args(["--format", "json"])
        .cwd(scratch.path())
        .output();
    outcome.expect_code(1);
    let record = outcome.record();
    assert_eq!(step(&record, "call/maybe_fail")["outcome"], json!("failed"));
    let call = step(&record, "call");
    assert_eq!(call["outcome"], json!("failed"));
    assert_eq!(call["error"], json!("the called runbook failed: step `maybe_fail` failed"));
    assert!(!scratch.path().join("AFTER").exists());
    assert_eq!(read(&scratch.path().join("FINALLY")), b"failed");
}

#[test]
fn a_pending_called_run_leaves_the_calling_run_pending() {
    let scratch = tempdir();
    let outcome = Rbx::run("nested-pending.yaml").args(["--format", "json"]).cwd(scratch.path()).output();
    outcome.expect_code(3);
    let record = outcome.record();
    assert_eq!(record["status"], json!("pending"));
    assert_eq!(step(&record, "call")["outcome"], json!("pending"));
    assert!(!scratch.path().join("AFTER").exists());
    let acknowledged = Rbx::run("nested-pending.yaml").arg("--yes").cwd(scratch.path()).output();
    acknowledged.expect_code(0);
    assert!(scratch.path().join("AFTER").exists(), "{}", acknowledged.dump());
}

#[test]
fn the_human_view_shows_the_called_steps_under_the_calling_one() {
    let outcome = Rbx::run("nested-call.yaml").env("PARENT_TOKEN", "x").cwd(tempdir().path()).output();
    outcome.expect_code(0);
    let column_of = |title: &str| {
        let line = outcome.stdout.lines().find(|line| line.contains(title));
        line.and_then(|line| line.find(title)).unwrap_or_else(|| panic!("no `{title}` line\n{}", outcome.dump()))
    };
    assert!(outcome.stdout.contains("call/write "), "{}", outcome.dump());
    assert_eq!(
        column_of("Write the marker"),
        column_of("Run the child"),
        "titles line up, the longest called id (`call/maybe_fail`) included\n{}",
        outcome.dump()
    );
    assert!(
        outcome.stdout.contains("run passed: 3 passed in"),
        "the summary counts the run's own 3 steps, not the called runbook's\n{}",
        outcome.dump()
    );
}
