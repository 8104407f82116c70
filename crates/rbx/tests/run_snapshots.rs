//! What a person reads from `rbx run`: the human output of a passing and of a failing run, and
//! the JSON record of a small run, snapshotted with durations, run ids, timestamps and paths
//! redacted.

mod common;

use common::{Outcome, Rbx, stable_record, tempdir};

/// Snapshots `text` with the human-output redactions.
macro_rules! assert_human_snapshot {
    ($name:expr, $text:expr) => {
        insta::with_settings!({ filters => common::human_filters() }, {
            insta::assert_snapshot!($name, $text);
        })
    };
}

fn human(fixture: &str, verbose: bool) -> Outcome {
    let scratch = tempdir();
    let mut rbx = Rbx::run(fixture).cwd(scratch.path());
    if verbose {
        rbx = rbx.arg("-v");
    }
    rbx.output()
}

#[test]
fn human_output_of_a_passing_run() {
    let outcome = human("snap-pass.yaml", false);
    outcome.expect_code(0);
    assert_eq!(outcome.stderr, "");
    assert_human_snapshot!("human_passing", outcome.stdout);
}

#[test]
fn human_output_of_a_failing_run() {
    let outcome = human("snap-fail.yaml", false);
    outcome.expect_code(1);
    assert_eq!(outcome.stderr, "");
    assert_human_snapshot!("human_failing", outcome.stdout);
}

#[test]
fn verbose_human_output_of_a_failing_run() {
    let outcome = human("snap-fail.yaml", true);
    outcome.expect_code(1);
    assert_human_snapshot!("human_failing_verbose", outcome.stdout);
}

#[test]
fn json_record_of_a_small_run() {
    let scratch = tempdir();
    let outcome = Rbx::run("snap-record.yaml").args(["--format", "json"]).cwd(scratch.path()).output();
    outcome.expect_code(0);
    let record = stable_record(&outcome.record());
    let text = serde_json::to_string_pretty(&record).unwrap_or_else(|e| panic!("cannot print the record: {e}"));
    insta::assert_snapshot!("json_record", text);
}

#[test]
fn human_filters_redact_what_changes_between_runs() {
    // The filters above must catch every volatile part: two runs snapshot the same.
    let first = human("snap-fail.yaml", false);
    let second = human("snap-fail.yaml", false);
    let redact = |text: &str| {
        common::human_filters().iter().fold(text.to_owned(), |text, (pattern, replacement)| {
            regex::Regex::new(pattern)
                .unwrap_or_else(|e| panic!("bad filter {pattern}: {e}"))
                .replace_all(&text, *replacement)
                .into_owned()
        })
    };
    assert_ne!(first.stdout, second.stdout, "run ids differ between runs");
    assert_eq!(redact(&first.stdout), redact(&second.stdout));
    assert!(redact(&first.stdout).contains("run [RUN_ID], 5 step(s)"), "{}", redact(&first.stdout));
}
