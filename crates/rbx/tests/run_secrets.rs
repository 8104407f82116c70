//! `rbx run`: a secret never reaches rbx's output, in any form, in any output mode; a required
//! secret that is unset refuses the run before anything runs.

mod common;

use common::{Outcome, Rbx, step, tempdir};
use serde_json::{Value, json};

/// The canary: `/`, `&` and `"` change under URL-encoding and JSON-escaping. `CANARY` appears
/// nowhere in the fixtures, so any trace of it in the output is (part of) a leak.
const CANARY: &str = "s3cr3t-CANARY/&\"x";
const MARKER: &str = "CANARY";

/// The forms the canary takes in the steps of `secret-canary.yaml`.
const CANARY_FORMS: &[&str] = &[
    CANARY,
    "s3cr3t-CANARY%2F%26%22x",
    "s3cr3t%2DCANARY%2F%26%22x",
    "s3cr3t-CANARY/&\\\"x",
    // The tail alone, as a second write would show it if the first were let through.
    "3t-CANARY/&",
];

/// A value captured with `secret: true`.
const SESSION: &str = "sess-PIGEON-7f3a";
const SESSION_MARKER: &str = "PIGEON";

fn canary_run() -> Rbx {
    Rbx::run("secret-canary.yaml").env("RBX_TEST_TOKEN", CANARY).env("RBX_TEST_SESSION", SESSION)
}

#[track_caller]
fn assert_no_canary(outcome: &Outcome) {
    for form in CANARY_FORMS {
        assert!(!outcome.stdout.contains(form), "stdout shows the secret as `{form}`\n{}", outcome.dump());
        assert!(!outcome.stderr.contains(form), "stderr shows the secret as `{form}`\n{}", outcome.dump());
    }
    assert!(!outcome.all().contains(MARKER), "part of the secret is shown\n{}", outcome.dump());
}

#[track_caller]
fn assert_no_session(outcome: &Outcome) {
    assert!(!outcome.all().contains(SESSION_MARKER), "the captured secret is shown\n{}", outcome.dump());
}

/// With `-v` the capturing step's own output streams before the value is known to be secret;
/// that one line is the only place it may appear.
#[track_caller]
fn assert_session_only_where_captured(outcome: &Outcome) {
    let all = outcome.all();
    let lines: Vec<&str> = all.lines().filter(|l| l.contains(SESSION_MARKER)).collect();
    assert_eq!(lines, vec![format!("  │ session={SESSION}")], "{}", outcome.dump());
}

#[track_caller]
fn assert_human_shows_masks(outcome: &Outcome) {
    for shown in ["note: the token is ***", "got \"***\"", "note: session ***", "↻ try 1 failed: `$.stdout` equals"] {
        assert!(outcome.stdout.contains(shown), "stdout lacks `{shown}`\n{}", outcome.dump());
    }
    assert!(
        outcome.stdout.contains("    ┃ err:***"),
        "the stderr tail of a failed step is shown masked\n{}",
        outcome.dump()
    );
}

#[test]
fn human_output_never_shows_the_secret() {
    let outcome = canary_run().output();
    outcome.expect_code(0);
    assert_no_canary(&outcome);
    assert_no_session(&outcome);
    assert_human_shows_masks(&outcome);
}

#[test]
fn verbose_output_never_shows_the_secret() {
    let outcome = canary_run().arg("-v").output();
    outcome.expect_code(0);
    assert_no_canary(&outcome);
    assert_session_only_where_captured(&outcome);
    assert_human_shows_masks(&outcome);
    for shown in
        ["│ raw:***", "│ tpl:***", "│ url:***", "│ url2:***", "│ {\"token\": \"***\"}", "┃ err:***", "│ again:***"]
    {
        assert!(outcome.stdout.contains(shown), "stdout lacks `{shown}`\n{}", outcome.dump());
    }
}

#[test]
fn verbose_output_masks_a_secret_written_in_two_pieces() {
    let outcome = canary_run().arg("-v").output();
    outcome.expect_code(0);
    let streamed: String = outcome.stdout.lines().filter(|l| l.starts_with("  │ ")).collect();
    assert!(streamed.contains("split:") && streamed.contains("***"), "{}", outcome.dump());
    assert!(!streamed.contains("s3cr"), "the first piece of the secret was let through\n{}", outcome.dump());
}

#[test]
fn json_record_never_shows_the_secret() {
    let outcome = canary_run().args(["--format", "json"]).output();
    outcome.expect_code(0);
    assert_no_canary(&outcome);
    assert_no_session(&outcome);
    let record = outcome.record();
    let stdout_of = |id: &str| step(&record, id)["result"]["stdout"].clone();
    assert_eq!(stdout_of("raw"), json!("raw:***\n"));
    assert_eq!(stdout_of("templated"), json!("tpl:***\n"));
    assert_eq!(stdout_of("url_encoded"), json!("url:***\nurl2:***\n"));
    assert_eq!(stdout_of("split_writes"), json!("split:***\n"));
    assert_eq!(step(&record, "json_escaped")["result"]["json"], json!({"token": "***"}));
    assert_eq!(step(&record, "to_stderr")["result"]["stderr"], json!("err:***\n"));
    assert_eq!(step(&record, "failing_expect")["failures"][0]["actual"], json!("***"));
    assert_eq!(step(&record, "failing_assert")["failures"][0]["actual"], json!("***"));
    assert_eq!(step(&record, "in_note")["messages"], json!(["the token is ***"]));
    assert_eq!(step(&record, "in_note")["result"]["message"], json!("the token is ***"));
    assert_eq!(step(&record, "retried")["attempts"], json!(2));
    // The capturing step's own result is recorded after the capture, so it is masked too.
    assert_eq!(stdout_of("make_session"), json!("session=***\n"));
    assert_eq!(step(&record, "make_session")["captured"], json!(["session"]));
    assert_eq!(stdout_of("print_session"), json!("again:***\n"));
    assert_eq!(step(&record, "session_note")["messages"], json!(["session ***"]));
}

#[test]
fn trace_logging_never_shows_the_secret() {
    for format in ["human", "json"] {
        let outcome =
            canary_run().env("RBX_LOG", "trace").env("RUST_LOG", "trace").args(["--format", format, "-v"]).output();
        outcome.expect_code(0);
        assert_no_canary(&outcome);
        if format == "json" {
            assert_no_session(&outcome);
            let record = outcome.record();
            assert_eq!(record["status"], json!("passed"));
        } else {
            assert_session_only_where_captured(&outcome);
        }
    }
}

#[test]
fn retry_reason_never_shows_the_start_of_a_secret_cut_by_the_value_preview() {
    // The secret starts 190 characters into a value that the failure preview cuts at 200: a
    // preview of the unmasked value shows `"000…0s3cr3t-CA…`, which no mask matches any more.
    let outcome = Rbx::run("secret-preview-cut.yaml").env("RBX_TEST_TOKEN", CANARY).output();
    outcome.expect_code(0);
    assert!(outcome.stdout.contains("↻ try 1 failed"), "{}", outcome.dump());
    assert!(!outcome.all().contains("s3cr3t"), "the start of the secret is shown\n{}", outcome.dump());
    assert!(!outcome.all().contains(MARKER), "part of the secret is shown\n{}", outcome.dump());
}

#[test]
fn verbose_command_never_shows_a_secret_in_its_shell_quoted_form() {
    // `'` makes the shell-word form `'it'\''s-CANARY-q'`, which is not the secret byte for byte
    // but shows it all the same.
    let quoted_secret = "it's-CANARY-q";
    let outcome = Rbx::run("secret-quoted.yaml").env("RBX_TEST_TOKEN", quoted_secret).arg("-v").output();
    outcome.expect_code(0);
    assert!(outcome.stdout.contains("$ printf"), "-v shows the command\n{}", outcome.dump());
    assert!(!outcome.all().contains(MARKER), "the command shows the secret\n{}", outcome.dump());
}

#[test]
fn unset_required_secret_refuses_the_run_before_any_step() {
    let scratch = tempdir();
    let outcome = Rbx::run("secret-required.yaml").env_remove("RBX_TEST_REQUIRED_TOKEN").cwd(scratch.path()).output();
    outcome.expect_code(2);
    assert!(outcome.stderr.contains("error[E143]"), "{}", outcome.dump());
    assert!(outcome.stderr.contains("RBX_TEST_REQUIRED_TOKEN"), "the message names the variable\n{}", outcome.dump());
    assert!(outcome.stderr.contains("nothing was run"), "{}", outcome.dump());
    assert!(!scratch.path().join("RAN").exists(), "a step ran although the secret is missing");
    assert_eq!(outcome.stdout, "", "no run output when nothing ran");
}

#[test]
fn empty_required_secret_refuses_the_run_like_an_unset_one() {
    let scratch = tempdir();
    let outcome = Rbx::run("secret-required.yaml").env("RBX_TEST_REQUIRED_TOKEN", "").cwd(scratch.path()).output();
    outcome.expect_code(2);
    assert!(outcome.stderr.contains("error[E143]"), "{}", outcome.dump());
    assert!(!scratch.path().join("RAN").exists(), "a step ran although the secret is empty");
}

#[test]
fn set_required_secret_lets_the_run_go() {
    let scratch = tempdir();
    let outcome = Rbx::run("secret-required.yaml").env("RBX_TEST_REQUIRED_TOKEN", CANARY).cwd(scratch.path()).output();
    outcome.expect_code(0);
    assert!(scratch.path().join("RAN").exists());
    assert_no_canary(&outcome);
}

#[test]
fn unset_optional_secret_fails_only_the_step_that_refers_to_it() {
    let scratch = tempdir();
    let outcome = Rbx::run("secret-optional.yaml")
        .env_remove("RBX_TEST_OPTIONAL_WEBHOOK")
        .cwd(scratch.path())
        .args(["--format", "json"])
        .output();
    outcome.expect_code(1);
    assert!(scratch.path().join("BEFORE").exists(), "the steps before it run");
    assert!(!scratch.path().join("AFTER").exists(), "the run stops at the failed step");
    let record = outcome.record();
    let notify = step(&record, "notify");
    assert_eq!(notify["outcome"], json!("failed"));
    let error = notify["error"].as_str().unwrap_or_default();
    assert!(error.contains("secrets.webhook"), "the error names the reference: {notify:#}");
    assert_eq!(record["status"], Value::from("failed"));
}

#[test]
fn output_cap_never_keeps_the_start_of_a_secret() {
    // The kept 1 MiB of each stream ends 6 bytes into the secret: masking the kept bytes after
    // cutting them leaves `s3cr3t` in the result.
    let outcome = Rbx::run("secret-output-cap.yaml").env("RBX_TEST_TOKEN", CANARY).args(["--format", "json"]).output();
    outcome.expect_code(0);
    let record = outcome.record();
    let result = &step(&record, "big_output")["result"];
    assert_eq!(result["truncated"]["stdout"], json!(true), "the cap bit: {}", result["truncated"]);
    assert_eq!(result["truncated"]["stderr"], json!(true), "the cap bit: {}", result["truncated"]);
    for stream in ["stdout", "stderr"] {
        let kept = result[stream].as_str().unwrap_or_default();
        let tail = &kept[kept.len().saturating_sub(20)..];
        assert!(!kept.contains("s3cr3t"), "the kept {stream} ends with the start of the secret: …{tail}");
    }
    assert!(!outcome.all().contains("s3cr3t"), "the start of the secret is shown");
}

#[test]
fn rbx_log_shows_engine_internals_on_stderr_masked() {
    let outcome = canary_run().env("RBX_LOG", "trace").args(["--format", "json"]).output();
    outcome.expect_code(0);
    for shown in ["run started", "attempt started", "step finished", "run finished"] {
        assert!(outcome.stderr.contains(shown), "the log lacks `{shown}`\n{}", outcome.dump());
    }
    assert!(
        outcome.stderr.lines().any(|l| l.contains("action") && l.contains("***")),
        "rendered commands are logged, masked\n{}",
        outcome.dump()
    );
    assert!(!outcome.stdout.contains("step finished"), "logs stay off stdout\n{}", outcome.dump());
    assert_no_canary(&outcome);
    let quiet = canary_run().args(["--format", "json"]).output();
    assert!(!quiet.stderr.contains("step finished"), "no RBX_LOG, no log\n{}", quiet.dump());
}

#[test]
fn invalid_rbx_log_filter_is_refused_with_exit_2() {
    let outcome = canary_run().env("RBX_LOG", "[[").output();
    outcome.expect_code(2);
    assert!(outcome.stderr.contains("RBX_LOG=`[[` is not a log filter"), "{}", outcome.dump());
}
