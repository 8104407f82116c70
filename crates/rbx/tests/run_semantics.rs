//! `rbx run` semantics of the common step fields: `when`, `expect`, `capture`, `finally`,
//! `retry`, `timeout`; stdout parsed as JSON; templates and their helpers at run time.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{Rbx, as_u64, read, step, step_ids, tempdir};
use serde_json::{Value, json};

/// Runs `fixture` with `--format json` in `dir`; the record.
fn record_in(fixture: &str, dir: &Path, code: i32) -> Value {
    let outcome = Rbx::run(fixture).args(["--format", "json"]).cwd(dir).output();
    outcome.expect_code(code);
    outcome.record()
}

fn outcome_of(record: &Value, id: &str) -> Value {
    step(record, id)["outcome"].clone()
}

fn file_text(path: &Path) -> String {
    String::from_utf8_lossy(&read(path)).into_owned()
}

/// Whether any process has `token` in its command line.
fn processes_with(token: &str) -> Vec<String> {
    let output =
        Command::new("pgrep").args(["-af", token]).output().unwrap_or_else(|e| panic!("cannot run pgrep: {e}"));
    String::from_utf8_lossy(&output.stdout).lines().map(str::to_owned).collect()
}

// when

#[test]
fn when_that_does_not_hold_skips_the_step() {
    let scratch = tempdir();
    let record = record_in("sem-when.yaml", scratch.path(), 0);
    assert_eq!(outcome_of(&record, "a"), json!("skipped"));
    assert_eq!(step(&record, "a")["attempts"], json!(0), "a skipped step makes no try");
    assert_eq!(step(&record, "a")["result"], json!({"outcome": "skipped"}));
    assert!(!scratch.path().join("A_RAN").exists(), "a skipped step does not run");
}

#[test]
fn later_steps_branch_on_a_skipped_outcome() {
    let scratch = tempdir();
    let record = record_in("sem-when.yaml", scratch.path(), 0);
    assert_eq!(outcome_of(&record, "b"), json!("passed"), "`$.steps.a.outcome` is `skipped`");
    assert_eq!(outcome_of(&record, "c"), json!("passed"));
    assert_eq!(outcome_of(&record, "d"), json!("skipped"));
    assert_eq!(outcome_of(&record, "e"), json!("passed"), "every check of a `when` list holds");
    assert!(scratch.path().join("C_RAN").exists());
    assert!(!scratch.path().join("D_RAN").exists());
    assert!(scratch.path().join("E_RAN").exists());
}

#[test]
fn when_that_holds_runs_the_step() {
    let scratch = tempdir();
    let outcome = Rbx::run("sem-when.yaml").var("flag", "true").args(["--format", "json"]).cwd(scratch.path()).output();
    outcome.expect_code(1);
    let record = outcome.record();
    assert_eq!(outcome_of(&record, "a"), json!("passed"));
    assert!(scratch.path().join("A_RAN").exists());
    assert_eq!(outcome_of(&record, "b"), json!("failed"), "now `a` passed, so the assert for `skipped` fails");
    assert_eq!(step(&record, "b")["failures"][0]["actual"], json!("passed"));
}

#[test]
fn skipped_steps_are_shown_and_counted() {
    let scratch = tempdir();
    let outcome = Rbx::run("sem-when.yaml").cwd(scratch.path()).output();
    outcome.expect_code(0);
    assert!(outcome.stdout.contains("- skipped"), "{}", outcome.dump());
    assert!(outcome.stdout.contains("run passed: 3 passed, 2 skipped in "), "{}", outcome.dump());
}

// expect

#[test]
fn expect_replaces_the_default_expectation() {
    let record = record_in("sem-expect.yaml", tempdir().path(), 0);
    let exits_3 = step(&record, "exits_3");
    assert_eq!(exits_3["outcome"], json!("passed"), "exit 3 passes with `expect: exit_code == 3`: {exits_3:#}");
    assert_eq!(exits_3["result"]["exit_code"], json!(3));
    assert_eq!(outcome_of(&record, "output_only"), json!("passed"), "exit 1 passes when only stdout is expected");
}

#[test]
fn expect_can_fail_a_step_that_exits_0() {
    let record = record_in("sem-expect.yaml", tempdir().path(), 0);
    let step = step(&record, "exits_0_expecting_3");
    assert_eq!(step["outcome"], json!("tolerated"));
    assert_eq!(step["failures"], json!([{"path": "$.exit_code", "operator": "equals", "expected": 3, "actual": 0}]));
}

#[test]
fn every_expect_check_must_hold_and_messages_explain_failures() {
    let outcome = Rbx::run("sem-expect.yaml").cwd(tempdir().path()).output();
    outcome.expect_code(0);
    assert!(
        outcome
            .stdout
            .contains("✗ the service is not healthy (`$.stdout` contains \"healthy\": got \"status: degraded\\n\")"),
        "{}",
        outcome.dump()
    );
    let record = record_in("sem-expect.yaml", tempdir().path(), 0);
    let several = step(&record, "several");
    assert_eq!(several["failures"].as_array().map(Vec::len), Some(1), "only the failed check: {several:#}");
    assert_eq!(several["failures"][0]["message"], json!("the service is not healthy"));
}

// capture

#[test]
fn captures_set_vars_from_paths_and_regex_groups() {
    let record = record_in("sem-capture.yaml", tempdir().path(), 0);
    assert_eq!(step(&record, "version")["captured"], json!(["version", "build", "code"]));
    assert_eq!(step(&record, "hosts")["captured"], json!(["names", "first"]));
    let check = step(&record, "check");
    assert_eq!(check["outcome"], json!("passed"), "{check:#}");
    assert_eq!(check["result"]["checks"], json!(5));
    let used = step(&record, "use");
    assert_eq!(used["result"]["stdout"], json!("1.22.3"), "the captured group, not the whole match");
}

#[test]
fn capture_that_selects_nothing_fails_the_step() {
    let scratch = tempdir();
    let record = record_in("sem-capture-fails.yaml", scratch.path(), 1);
    let nothing = step(&record, "nothing_selected");
    assert_eq!(nothing["outcome"], json!("tolerated"));
    assert_eq!(nothing["error"], json!("capture `missing`: `$.json.b` selected nothing"));
    assert_eq!(nothing["captured"], json!([]));
    let stops = step(&record, "stops_the_run");
    assert_eq!(stops["outcome"], json!("failed"));
    assert_eq!(stops["result"]["exit_code"], json!(0), "the command itself succeeded");
    assert_eq!(record["status"], json!("failed"));
    assert_eq!(step_ids(&record).last().map(String::as_str), Some("stops_the_run"));
    assert!(!scratch.path().join("NEVER").exists());
}

#[test]
fn capture_regex_that_does_not_match_fails_the_step_and_sets_nothing() {
    let record = record_in("sem-capture-fails.yaml", tempdir().path(), 1);
    let no_match = step(&record, "no_match");
    assert_eq!(no_match["outcome"], json!("tolerated"));
    let error = no_match["error"].as_str().unwrap_or_default();
    assert!(error.starts_with("capture `ver`:") && error.contains("does not match"), "{no_match:#}");
    assert_eq!(outcome_of(&record, "vars_unset"), json!("passed"), "failed captures set no var");
}

// finally

#[test]
fn finally_runs_after_a_failure_and_sees_run_status_failed() {
    let scratch = tempdir();
    let record = record_in("sem-finally.yaml", scratch.path(), 1);
    assert_eq!(file_text(&scratch.path().join("STATUS")), "failed");
    assert!(scratch.path().join("ON_FAILURE").exists(), "`when` over `$.run.status` holds in finally");
    assert!(!scratch.path().join("AFTER").exists(), "steps after the failure do not run");
    assert_eq!(step_ids(&record), ["maybe_fail", "write_status", "only_on_failure", "sees_the_failed_step"]);
    assert!(step(&record, "write_status")["in_finally"] == json!(true));
    assert_eq!(record["status"], json!("failed"));
}

#[test]
fn finally_sees_run_status_passed_after_a_clean_run() {
    let scratch = tempdir();
    let outcome =
        Rbx::run("sem-finally.yaml").var("fail", "false").args(["--format", "json"]).cwd(scratch.path()).output();
    outcome.expect_code(0);
    assert_eq!(file_text(&scratch.path().join("STATUS")), "passed");
    assert!(!scratch.path().join("ON_FAILURE").exists());
    assert!(scratch.path().join("AFTER").exists());
    assert_eq!(outcome_of(&outcome.record(), "only_on_failure"), json!("skipped"));
}

// retry

#[test]
fn retry_passes_on_the_third_try_and_waits_between_tries() {
    let scratch = tempdir();
    let record = record_in("sem-retry.yaml", scratch.path(), 0);
    let flaky = step(&record, "flaky");
    assert_eq!(flaky["outcome"], json!("passed"));
    assert_eq!(flaky["attempts"], json!(3));
    assert_eq!(flaky["result"]["stdout"], json!("try 3\n"), "the result is the last try's");
    assert_eq!(file_text(&scratch.path().join("COUNT")), "3", "exactly three runs");
    // Two waits of 300ms: the step cannot have taken less (no upper bound: machines are slow).
    let took = as_u64(&flaky["duration_ms"]);
    assert!(took >= 600, "two 300ms delays, but the step took {took}ms");
}

#[test]
fn retry_is_shown_with_the_reason_and_the_delay() {
    let scratch = tempdir();
    let outcome = Rbx::run("sem-retry.yaml").cwd(scratch.path()).output();
    outcome.expect_code(0);
    for shown in [
        "↻ try 1 failed: `$.exit_code` equals 0: got 1; next try in 300ms",
        "↻ try 2 failed: `$.exit_code` equals 0: got 1; next try in 300ms",
        "(3 tries)",
    ] {
        assert!(outcome.stdout.contains(shown), "stdout lacks `{shown}`\n{}", outcome.dump());
    }
    assert!(!outcome.stdout.contains("try 3 failed"), "{}", outcome.dump());
}

#[test]
fn exponential_backoff_doubles_the_delay_up_to_max_delay() {
    let scratch = tempdir();
    let outcome = Rbx::run("sem-retry-exponential.yaml").cwd(scratch.path()).output();
    outcome.expect_code(0);
    let retries: Vec<&str> = outcome.stdout.lines().filter(|l| l.contains("next try in")).collect();
    let delays: Vec<&str> = retries.iter().filter_map(|l| l.rsplit("next try in ").next()).collect();
    assert_eq!(delays, ["200ms", "400ms", "200ms", "250ms"], "{}", outcome.dump());

    let scratch = tempdir();
    let record = record_in("sem-retry-exponential.yaml", scratch.path(), 0);
    let flaky = as_u64(&step(&record, "flaky")["duration_ms"]);
    assert!(flaky >= 600, "waits of 200ms and 400ms, but the step took {flaky}ms");
    let capped = as_u64(&step(&record, "capped")["duration_ms"]);
    assert!(capped >= 450, "waits of 200ms and 250ms, but the step took {capped}ms");
}

#[test]
fn retries_that_run_out_fail_the_step_after_exactly_attempts_tries() {
    let scratch = tempdir();
    let record = record_in("sem-retry-exhausted.yaml", scratch.path(), 1);
    let hopeless = step(&record, "hopeless");
    assert_eq!(hopeless["outcome"], json!("failed"));
    assert_eq!(hopeless["attempts"], json!(3));
    assert_eq!(hopeless["result"]["stderr"], json!("try 3 failed\n"));
    assert_eq!(file_text(&scratch.path().join("COUNT")), "3", "no fourth try");
    assert!(!scratch.path().join("NEVER").exists());
}

// timeout

#[test]
fn timeout_stops_a_slow_step_and_fails_it() {
    let scratch = tempdir();
    let started = Instant::now();
    let outcome = Rbx::run("sem-timeout.yaml").args(["--format", "json"]).cwd(scratch.path()).output();
    let took = started.elapsed();
    outcome.expect_code(1);
    assert!(took < Duration::from_secs(20), "`sleep 30` with `timeout: 1s` took {took:?}");
    let record = outcome.record();
    let slow = step(&record, "slow");
    assert_eq!(slow["outcome"], json!("failed"));
    let error = slow["error"].as_str().unwrap_or_default();
    assert!(error.contains("timed out"), "{slow:#}");
    assert!(error.contains("1s"), "the error says which timeout: {error}");
    assert!(as_u64(&slow["duration_ms"]) >= 1000, "the step ran until its timeout: {slow:#}");
    assert!(!scratch.path().join("NEVER").exists());
}

#[test]
fn timeout_is_shown_in_human_output() {
    let outcome = Rbx::run("sem-timeout.yaml").cwd(tempdir().path()).output();
    outcome.expect_code(1);
    assert!(outcome.stdout.contains("timed out after 1s"), "{}", outcome.dump());
}

#[test]
fn timeout_kills_a_step_that_ignores_sigterm_and_leaves_nothing_running() {
    let started = Instant::now();
    let outcome = Rbx::run("sem-timeout-stubborn.yaml").args(["--format", "json"]).cwd(tempdir().path()).output();
    let took = started.elapsed();
    outcome.expect_code(1);
    assert!(took < Duration::from_secs(20), "a default timeout of 1s took {took:?}");
    let record = outcome.record();
    let error = step(&record, "stubborn")["error"].as_str().unwrap_or_default().to_owned();
    assert!(error.contains("timed out"), "{record:#}");
    let left = processes_with("sleep 30.0417");
    assert!(left.is_empty(), "processes of the timed-out step are still running: {left:?}");
}

#[test]
fn timeout_applies_to_each_try() {
    let scratch = tempdir();
    let started = Instant::now();
    let record = record_in("sem-timeout-retry.yaml", scratch.path(), 1);
    assert!(started.elapsed() < Duration::from_secs(20));
    let slow = step(&record, "slow");
    assert_eq!(slow["attempts"], json!(2));
    assert_eq!(file_text(&scratch.path().join("COUNT")), "2", "the second try ran after the first timed out");
    assert!(as_u64(&slow["duration_ms"]) >= 1000, "two tries of 500ms: {slow:#}");
}

// stdout as JSON

#[test]
fn stdout_that_is_json_is_parsed_into_json() {
    let record = record_in("sem-json.yaml", tempdir().path(), 0);
    let doc = step(&record, "doc");
    assert_eq!(doc["result"]["json"], json!({"a": {"b": [1, 2]}, "ok": true, "n": 12.5}));
    assert!(step(&record, "text")["result"].get("json").is_none(), "text stdout has no `json`");
    assert_eq!(outcome_of(&record, "check"), json!("passed"));
    assert_eq!(step(&record, "templated")["result"]["stdout"], json!("[1,2]"));
}

// templates at run time

#[test]
fn template_error_at_run_time_fails_the_step_before_anything_runs() {
    let scratch = tempdir();
    let record = record_in("sem-template-error.yaml", scratch.path(), 1);
    let undefined = step(&record, "undefined_field");
    assert_eq!(undefined["outcome"], json!("tolerated"));
    let error = undefined["error"].as_str().unwrap_or_default();
    assert!(error.contains("`steps.doc.json.missing` is not defined"), "{undefined:#}");
    let division = step(&record, "division_by_zero");
    assert!(division["error"].as_str().unwrap_or_default().contains("division by zero"), "{division:#}");
    let note = step(&record, "bad_note");
    assert!(note["error"].as_str().unwrap_or_default().contains("expected a number"), "{note:#}");
    assert!(!scratch.path().join("RAN_UNDEFINED").exists(), "no part of a command with a bad template runs");
    assert!(!scratch.path().join("RAN_DIV").exists(), "no part of a command with a bad template runs");
    assert_eq!(outcome_of(&record, "stops_the_run"), json!("failed"));
    assert!(!scratch.path().join("NEVER").exists());
}

#[test]
fn template_error_is_shown_in_human_output() {
    let outcome = Rbx::run("sem-template-error.yaml").cwd(tempdir().path()).output();
    outcome.expect_code(1);
    assert!(outcome.stdout.contains("template: `steps.doc.json.a.b.c` is not defined"), "{}", outcome.dump());
}

#[test]
fn helpers_work_in_commands_notes_and_checks() {
    let record = record_in("sem-helpers.yaml", tempdir().path(), 0);
    let lines: Vec<String> =
        step(&record, "helpers")["result"]["stdout"].as_str().unwrap_or_default().lines().map(str::to_owned).collect();
    assert_eq!(
        lines,
        ["3", "SHOUT", r#"{"a":1,"b":[true,null]}"#, "none", "a,b,c", "3", "mixed", "6", "42", "4.5", "25"],
        "add, upper, json, default, join, len, lower, sub, mul, div, percent"
    );
    assert_eq!(step(&record, "default_of_a_set_var")["result"]["stdout"], json!("chosen"));
    assert_eq!(step(&record, "in_note")["messages"], json!([r#"SHOUT 3 ["a","b","c"] n/a"#]));
    assert_eq!(outcome_of(&record, "in_check"), json!("passed"));
}

// streaming

#[test]
fn verbose_output_keeps_a_line_written_in_two_writes_whole() {
    let outcome = Rbx::run("sem-verbose-lines.yaml").arg("-v").output();
    outcome.expect_code(0);
    assert!(
        outcome.stdout.contains("  │ first-half-second-half\n"),
        "one line of output is one line\n{}",
        outcome.dump()
    );
}

#[test]
fn verbose_output_streams_commands_and_output() {
    let outcome = Rbx::run("sem-json.yaml").arg("-v").output();
    outcome.expect_code(0);
    assert!(outcome.stdout.contains("  $ echo not json\n"), "{}", outcome.dump());
    assert!(outcome.stdout.contains("  │ not json\n"), "{}", outcome.dump());
    let quiet = Rbx::run("sem-json.yaml").output();
    assert!(!quiet.stdout.contains("not json"), "without -v no output is streamed\n{}", quiet.dump());
}

#[test]
fn when_whose_operand_cannot_render_fails_the_step_instead_of_skipping_it() {
    // `expect` reports such an operand as a failure ("cannot render the operand"); `when` must
    // not quietly turn the same error into a skip that hides it.
    let scratch = tempdir();
    let outcome = Rbx::run("sem-when-error.yaml").args(["--format", "json"]).cwd(scratch.path()).output();
    let record = outcome.record();
    let guarded = step(&record, "guarded");
    assert!(!scratch.path().join("GUARDED_RAN").exists());
    assert_eq!(guarded["outcome"], json!("failed"), "a template error in `when` is silently a skip: {guarded:#}");
    assert!(guarded.to_string().contains("division by zero"), "the error is reported: {guarded:#}");
    outcome.expect_code(1);
}

// output cap

#[test]
fn capped_output_is_shown_as_capped_in_human_output() {
    // The spec: results keep 1 MiB of each stream, "and the cap is shown when it bites".
    let outcome = Rbx::run("sem-output-cap.yaml").cwd(tempdir().path()).output();
    outcome.expect_code(1);
    let json_run = Rbx::run("sem-output-cap.yaml").args(["--format", "json"]).cwd(tempdir().path()).output();
    let record = json_run.record();
    assert_eq!(step(&record, "noisy")["result"]["truncated"]["stderr"], json!(true), "the record marks the cap");
    let shown = outcome.stdout.to_lowercase();
    assert!(
        ["truncated", "1 mib", "1048576", "capped", "cut at"].iter().any(|word| shown.contains(word)),
        "the human output does not say that stderr was cut at the cap\n{}",
        outcome.dump()
    );
}

#[test]
fn a_passing_step_whose_output_was_capped_says_so_too() {
    let outcome = Rbx::run("sem-output-cap-passes.yaml").cwd(tempdir().path()).output();
    outcome.expect_code(0);
    assert!(
        outcome.stdout.contains("stdout capped at 1 MiB in the result"),
        "a passing step's checks read only the kept part: the output says so\n{}",
        outcome.dump()
    );
}
