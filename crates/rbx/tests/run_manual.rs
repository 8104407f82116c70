//! `manual` steps: shown, then done by a person at a terminal, by `--answer` values, or by
//! `--yes`; with no one to ask they are pending (the run stops, `finally` runs, exit 3). Each
//! answer sets `vars.NAME`; a bad `--answer` stops the run before it starts.

mod common;

use common::{Rbx, at_a_terminal, read, step, tempdir};
use serde_json::json;

#[test]
fn without_a_terminal_answers_or_yes_the_step_is_pending_and_the_run_stops_with_exit_3() {
    let scratch = tempdir();
    let outcome = Rbx::run("manual.yaml").args(["--format", "json"]).cwd(scratch.path()).output();
    outcome.expect_code(3);
    assert!(!scratch.path().join("BLOCKED").exists(), "the run stops at a pending step");
    assert_eq!(read(&scratch.path().join("FINALLY")), b"pending", "finally runs and sees run.status");
    let record = outcome.record();
    assert_eq!(record["status"], json!("pending"));
    let pick = step(&record, "pick_ip");
    assert_eq!(pick["outcome"], json!("pending"));
    assert_eq!(pick["result"]["pending"], json!("no terminal to ask: pass --answer blocked_ip=VALUE"));
}

#[test]
fn answers_on_the_command_line_do_the_step_and_set_vars() {
    let scratch = tempdir();
    let outcome = Rbx::run("manual.yaml")
        .args(["--answer", "blocked_ip=10.0.0.7", "--answer", "scope=cluster", "--format", "json"])
        .cwd(scratch.path())
        .output();
    outcome.expect_code(0);
    assert_eq!(read(&scratch.path().join("BLOCKED")), b"10.0.0.7 cluster");
    let record = outcome.record();
    let result = &step(&record, "pick_ip")["result"];
    assert_eq!(result["answers"], json!({ "blocked_ip": "10.0.0.7", "scope": "cluster" }));
    assert_eq!(result["automatic"], json!(false));
    assert!(result["acknowledged_by"].as_str().is_some_and(|by| !by.is_empty()), "{result}");
    assert_eq!(step(&record, "pick_ip")["captured"], json!(["blocked_ip", "scope"]));
}

#[test]
fn an_ask_with_a_default_takes_it_when_not_answered() {
    let scratch = tempdir();
    let outcome = Rbx::run("manual.yaml").args(["--answer", "blocked_ip=10.0.0.8"]).cwd(scratch.path()).output();
    outcome.expect_code(0);
    assert_eq!(read(&scratch.path().join("BLOCKED")), b"10.0.0.8 host");
    assert!(outcome.stdout.contains("manual: Look at the top offenders"), "{}", outcome.dump());
    assert!(outcome.stdout.contains("[ ] Check the traffic graph"), "{}", outcome.dump());
}

#[test]
fn yes_acknowledges_automatically_but_cannot_invent_a_value() {
    let missing = Rbx::run("manual.yaml").args(["--yes", "--format", "json"]).cwd(tempdir().path()).output();
    missing.expect_code(3);
    let scratch = tempdir();
    let outcome = Rbx::run("manual.yaml")
        .args(["--yes", "--answer", "blocked_ip=10.1.1.1", "--format", "json"])
        .cwd(scratch.path())
        .output();
    outcome.expect_code(0);
    assert_eq!(step(&outcome.record(), "pick_ip")["result"]["automatic"], json!(true));
    let plain = Rbx::run("manual-acknowledge.yaml").arg("--yes").cwd(scratch.path()).output();
    plain.expect_code(0);
    assert!(plain.stdout.contains("acknowledged automatically (--yes)"), "{}", plain.dump());
    let refused = Rbx::run("manual-acknowledge.yaml").cwd(tempdir().path()).output();
    refused.expect_code(3);
    assert!(refused.stdout.contains("pending: no terminal to ask and no --yes"), "{}", refused.dump());
}

#[test]
fn a_bad_answer_is_refused_before_anything_runs() {
    let scratch = tempdir();
    let outcome = Rbx::run("manual.yaml")
        .args(["--answer", "blocked_ip=not-an-ip", "--answer", "scop=host"])
        .cwd(scratch.path())
        .output();
    outcome.expect_code(2);
    assert!(!scratch.path().join("FINALLY").exists(), "nothing ran");
    assert!(
        outcome.stderr.contains("error[E145]: --answer blocked_ip: `not-an-ip` does not match"),
        "{}",
        outcome.dump()
    );
    assert!(outcome.stderr.contains("manual.yaml:13:9"), "points at the ask\n{}", outcome.dump());
    assert!(outcome.stderr.contains("no `manual` step asks for `scop`"), "{}", outcome.dump());
    assert!(outcome.stderr.contains("did you mean `scope`?"), "{}", outcome.dump());
    let malformed = Rbx::run("manual.yaml").args(["--answer", "blocked_ip"]).cwd(scratch.path()).output();
    malformed.expect_code(2);
    assert!(malformed.stderr.contains("`--answer blocked_ip` is not NAME=VALUE"), "{}", malformed.dump());
}

#[test]
fn at_a_terminal_the_person_types_the_values_and_says_done() {
    let scratch = tempdir();
    // A refused value is asked again; an empty answer takes the default.
    let Some((code, screen)) = at_a_terminal(scratch.path(), "manual.yaml", &[], "nope\n10.9.9.9\n\ny\n") else {
        return;
    };
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("? blocked_ip (string, matching ^[0-9.]+$): "), "{screen}");
    assert!(screen.contains("does not match the pattern"), "{screen}");
    assert!(screen.contains("? scope (string, one of host, cluster, default host): "), "{screen}");
    assert!(screen.contains("? done with `pick_ip`? [y/N]"), "{screen}");
    assert_eq!(read(&scratch.path().join("BLOCKED")), b"10.9.9.9 host", "{screen}");
}

#[test]
fn at_a_terminal_not_done_leaves_the_step_pending() {
    let scratch = tempdir();
    let Some((code, screen)) = at_a_terminal(scratch.path(), "manual-acknowledge.yaml", &[], "n\n") else { return };
    assert_eq!(code, 3, "{screen}");
    assert!(screen.contains("pending: not done yet (answered `n`)"), "{screen}");
    assert!(!scratch.path().join("AFTER").exists(), "{screen}");
}
