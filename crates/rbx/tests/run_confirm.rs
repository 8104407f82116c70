//! `confirm`, `on_decline` and `--yes`: without a terminal and without `--yes` a confirmation is
//! declined (the run stops, `finally` runs, exit 3); `--yes` confirms and is recorded as
//! automatic; at a real terminal (a pseudo-terminal driven through `script`) the answer decides.

mod common;

use std::path::Path;

use common::{Rbx, read, step, tempdir};
use serde_json::json;

fn exists(dir: &Path, name: &str) -> bool {
    dir.join(name).exists()
}

#[test]
fn without_a_terminal_or_yes_the_step_is_declined_and_the_run_stops_with_exit_3() {
    let scratch = tempdir();
    let outcome = Rbx::run("confirm.yaml").args(["--format", "json"]).cwd(scratch.path()).output();
    outcome.expect_code(3);
    assert!(!exists(scratch.path(), "RESTARTED"), "a declined step does not run");
    assert!(!exists(scratch.path(), "AFTER"), "the run stops at a declined step");
    assert_eq!(read(&scratch.path().join("FINALLY")), b"declined", "finally runs and sees run.status");
    let record = outcome.record();
    assert_eq!(record["status"], json!("declined"));
    let restart = step(&record, "restart");
    assert_eq!(restart["outcome"], json!("declined"));
    assert_eq!(restart["confirmation"]["confirmed"], json!(false));
    assert_eq!(restart["confirmation"]["reason"], json!("no terminal to ask and no --yes"));
}

#[test]
fn yes_confirms_every_step_and_records_it_as_automatic() {
    let scratch = tempdir();
    let outcome = Rbx::run("confirm.yaml").args(["--yes", "--format", "json"]).cwd(scratch.path()).output();
    outcome.expect_code(0);
    for file in ["RESTARTED", "LOGGED_OUT", "AFTER"] {
        assert!(exists(scratch.path(), file), "{file} was not created\n{}", outcome.dump());
    }
    let record = outcome.record();
    let confirmation = &step(&record, "restart")["confirmation"];
    assert_eq!(confirmation["confirmed"], json!(true));
    assert_eq!(confirmation["automatic"], json!(true));
    assert!(confirmation["by"].as_str().is_some_and(|by| !by.is_empty()), "{confirmation}");
}

#[test]
fn human_output_shows_the_question_and_the_answer() {
    let scratch = tempdir();
    let declined = Rbx::run("confirm.yaml").cwd(scratch.path()).output();
    declined.expect_code(3);
    assert!(
        declined.stdout.contains("? Restart api now? → declined: no terminal to ask and no --yes"),
        "{}",
        declined.dump()
    );
    assert!(declined.stdout.contains("run declined"), "{}", declined.dump());
    let confirmed = Rbx::run("confirm.yaml").arg("-y").cwd(tempdir().path()).output();
    assert!(confirmed.stdout.contains("? Restart api now? → confirmed automatically (--yes)"), "{}", confirmed.dump());
}

/// Runs `rbx run confirm.yaml` at a pseudo-terminal, typing `answers`.
fn at_a_terminal(dir: &Path, answers: &str) -> Option<(i32, String)> {
    common::at_a_terminal(dir, "confirm.yaml", &[], answers)
}

#[test]
fn at_a_terminal_yes_runs_the_step_and_no_on_an_optional_step_skips_it() {
    let scratch = tempdir();
    let Some((code, screen)) = at_a_terminal(scratch.path(), "y\nn\n") else { return };
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("? Restart api now? [y/N]"), "the question is asked\n{screen}");
    assert!(exists(scratch.path(), "RESTARTED"), "`y` runs the step\n{screen}");
    assert!(!exists(scratch.path(), "LOGGED_OUT"), "`n` declines the optional step\n{screen}");
    assert!(exists(scratch.path(), "AFTER"), "on_decline: skip lets the run go on\n{screen}");
    assert!(screen.contains("declined: answered `n`"), "{screen}");
}

#[test]
fn at_a_terminal_no_stops_the_run_with_exit_3() {
    let scratch = tempdir();
    let Some((code, screen)) = at_a_terminal(scratch.path(), "n\n") else { return };
    assert_eq!(code, 3, "{screen}");
    assert!(!exists(scratch.path(), "RESTARTED"), "{screen}");
    assert!(!exists(scratch.path(), "AFTER"), "{screen}");
    assert_eq!(read(&scratch.path().join("FINALLY")), b"declined", "{screen}");
}
