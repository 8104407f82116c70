//! `until` and `interval`: a step re-runs until its checks hold over its result, bounded by its
//! timeout. Time is asserted from the recorded run, with lower bounds only.

mod common;

use common::{Rbx, step, tempdir};
use serde_json::json;

#[test]
fn polls_until_the_checks_hold() {
    let scratch = tempdir();
    let outcome = Rbx::run("until-counter.yaml").args(["--format", "json"]).cwd(scratch.path()).output();
    outcome.expect_code(0);
    let record = outcome.record();
    let poll = step(&record, "poll");
    assert_eq!(poll["outcome"], json!("passed"));
    assert_eq!(poll["attempts"], json!(3), "{poll:#}");
    assert_eq!(poll["result"]["stdout"], json!("3\n"), "the result is the last try's");
    let waited = common::as_u64(&poll["duration_ms"]);
    assert!(waited >= 600, "two waits of the 300ms interval between three tries, took {waited}ms");
}

#[test]
fn fails_when_the_timeout_passes_first_and_says_why() {
    let scratch = tempdir();
    let outcome = Rbx::run("until-never.yaml").args(["--format", "json"]).cwd(scratch.path()).output();
    outcome.expect_code(1);
    let record = outcome.record();
    let poll = step(&record, "poll");
    assert_eq!(poll["outcome"], json!("failed"));
    let error = poll["error"].as_str().unwrap_or_default();
    assert!(error.contains("`until` did not hold within 1s"), "{poll:#}");
    assert!(error.contains("equals \"yes\""), "the last failed check is named: {error}");
    assert_eq!(poll["failures"][0]["path"], json!("$.stdout"));
    let took = common::as_u64(&poll["duration_ms"]);
    assert!(took >= 1000, "the whole polling lasts the timeout, took {took}ms");
    assert!(took < 20_000, "and stops then, took {took}ms");
    assert!(common::as_u64(&poll["attempts"]) >= 2, "{poll:#}");
    assert!(!scratch.path().join("AFTER").exists(), "the run stopped at the failed step");
}

#[test]
fn a_try_that_fails_its_expectation_counts_as_not_yet() {
    let scratch = tempdir();
    let outcome = Rbx::run("until-failing-tries.yaml").args(["--format", "json"]).cwd(scratch.path()).output();
    outcome.expect_code(0);
    let poll = step(&outcome.record(), "poll").clone();
    assert_eq!(poll["outcome"], json!("passed"));
    assert_eq!(poll["attempts"], json!(3));
}

#[test]
fn human_output_shows_each_not_yet() {
    let scratch = tempdir();
    let outcome = Rbx::run("until-counter.yaml").cwd(scratch.path()).output();
    outcome.expect_code(0);
    assert!(outcome.stdout.contains("↻ try 1: not yet: `$.stdout` matches \"^3\": got \"1\\n\""), "{}", outcome.dump());
    assert!(outcome.stdout.contains("(3 tries)"), "{}", outcome.dump());
}
