//! `rbx run` and Ctrl-C (SIGINT): the running step is stopped with everything it started,
//! `finally` runs and sees `run.status` = interrupted, and rbx exits 130.

mod common;

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use common::{Outcome, Rbx, read, tempdir};
use serde_json::json;

/// Longest a run may take to stop after SIGINT: the kill grace is 2s; this only guards
/// against a hang and says nothing about speed.
const STOP_LIMIT: Duration = Duration::from_secs(20);

/// A sleep length no other process on the machine uses, to find this run's processes.
fn unique_token(salt: u32) -> String {
    format!("61.{salt}{:07}", std::process::id())
}

fn processes_with(token: &str) -> Vec<String> {
    let output =
        Command::new("pgrep").args(["-af", token]).output().unwrap_or_else(|e| panic!("cannot run pgrep: {e}"));
    String::from_utf8_lossy(&output.stdout).lines().map(str::to_owned).collect()
}

/// Waits until `ready` holds (at most 10s), so the signal lands while the step runs.
fn wait_until(what: &str, ready: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !ready() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn sigint(child: &Child) {
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap_or_else(|e| panic!("cannot run kill: {e}"));
    assert!(status.success(), "kill -INT failed");
}

/// Waits for rbx to exit (killing it after [`STOP_LIMIT`]) and collects what it printed.
fn finish(mut child: Child, started: Instant) -> (Outcome, Duration) {
    let status = loop {
        if let Some(status) = child.try_wait().unwrap_or_else(|e| panic!("cannot wait for rbx: {e}")) {
            break status;
        }
        if started.elapsed() > STOP_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("rbx did not stop within {STOP_LIMIT:?} of SIGINT");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let took = started.elapsed();
    let mut stdout = String::new();
    let mut stderr = String::new();
    if let Some(mut out) = child.stdout.take() {
        let _ = out.read_to_string(&mut stdout);
    }
    if let Some(mut err) = child.stderr.take() {
        let _ = err.read_to_string(&mut stderr);
    }
    (Outcome { code: status.code(), stdout, stderr }, took)
}

/// Starts `rbx`, waits until `ready`, sends SIGINT; how it ended and how long it took after
/// the signal.
fn interrupt(rbx: Rbx, ready: impl Fn() -> bool) -> (Outcome, Duration) {
    let (child, _state) = rbx.spawn();
    wait_until("the step runs", ready);
    // Give the step a moment more, as a person pressing Ctrl-C would.
    std::thread::sleep(Duration::from_millis(300));
    sigint(&child);
    finish(child, Instant::now())
}

fn finally_status(dir: &Path) -> String {
    String::from_utf8_lossy(&read(&dir.join("FINALLY"))).into_owned()
}

#[test]
fn sigint_stops_the_step_runs_finally_and_exits_130() {
    let scratch = tempdir();
    let token = unique_token(1);
    let rbx = Rbx::run("interrupt-shell.yaml").var("token", &token).cwd(scratch.path());
    let (outcome, took) = interrupt(rbx, || processes_with(&format!("sleep {token}")).len() >= 2);
    outcome.expect_code(130);
    assert!(took < STOP_LIMIT);
    assert_eq!(finally_status(scratch.path()), "interrupted", "finally ran and saw run.status");
    assert!(!scratch.path().join("AFTER").exists(), "no step starts after Ctrl-C");
    assert!(outcome.stdout.contains("run interrupted"), "{}", outcome.dump());
    assert!(outcome.stderr.contains("interrupted"), "Ctrl-C is acknowledged\n{}", outcome.dump());
    let left = processes_with(&token);
    assert!(left.is_empty(), "processes of the interrupted step are still running: {left:?}");
}

#[test]
fn sigint_with_json_output_records_an_interrupted_run() {
    let scratch = tempdir();
    let token = unique_token(2);
    let rbx = Rbx::run("interrupt-shell.yaml").var("token", &token).args(["--format", "json"]).cwd(scratch.path());
    let (outcome, _) = interrupt(rbx, || processes_with(&format!("sleep {token}")).len() >= 2);
    outcome.expect_code(130);
    let record = outcome.record();
    assert_eq!(record["status"], json!("interrupted"));
    let ids: Vec<&str> =
        record["steps"].as_array().map_or(Vec::new(), |s| s.iter().filter_map(|s| s["id"].as_str()).collect());
    assert_eq!(ids, ["slow", "marker"], "the interrupted step and finally; nothing in between");
    let slow = common::step(&record, "slow");
    assert!(slow["error"].as_str().unwrap_or_default().contains("interrupted"), "{slow:#}");
    assert_eq!(common::step(&record, "marker")["outcome"], json!("passed"));
    assert!(processes_with(&token).is_empty(), "processes of the interrupted step are still running");
}

#[test]
fn sigint_kills_a_step_that_ignores_sigterm() {
    let scratch = tempdir();
    let token = unique_token(3);
    let rbx = Rbx::run("interrupt-stubborn.yaml").var("token", &token).cwd(scratch.path());
    let (outcome, took) = interrupt(rbx, || processes_with(&format!("sleep {token}")).len() >= 2);
    outcome.expect_code(130);
    assert!(took < STOP_LIMIT, "took {took:?}");
    assert_eq!(finally_status(scratch.path()), "interrupted");
    let left = processes_with(&token);
    assert!(left.is_empty(), "a step that ignores SIGTERM is still running: {left:?}");
}

#[test]
fn sigint_during_a_wait_step_exits_130_and_runs_finally() {
    let scratch = tempdir();
    let dir = scratch.path().to_owned();
    let rbx = Rbx::run("interrupt-wait.yaml").cwd(&dir);
    let (outcome, took) = interrupt(rbx, || dir.join("STARTED").exists());
    outcome.expect_code(130);
    assert!(took < STOP_LIMIT, "a 60s wait was not cut short: {took:?}");
    assert_eq!(finally_status(&dir), "interrupted");
    assert!(!dir.join("AFTER").exists());
}

#[test]
fn sigint_during_a_retry_delay_exits_130_and_runs_finally() {
    let scratch = tempdir();
    let dir = scratch.path().to_owned();
    let rbx = Rbx::run("interrupt-retry.yaml").cwd(&dir);
    let (outcome, took) = interrupt(rbx, || dir.join("STARTED").exists());
    outcome.expect_code(130);
    assert!(took < STOP_LIMIT, "a 60s retry delay was not cut short: {took:?}");
    assert_eq!(finally_status(&dir), "interrupted");
    assert!(!dir.join("AFTER").exists());
}

#[test]
fn sigkill_of_rbx_stops_the_running_step_and_its_background_jobs() {
    // rbx cannot catch SIGKILL; its watchdog (`rbx __watchdog`) sees its pipe close and stops
    // every group still running: SIGTERM, then SIGKILL after 2s.
    sigkill_leaves_no_process_of("interrupt-shell.yaml", 9);
}

#[test]
fn sigkill_of_rbx_also_stops_a_called_runbooks_step() {
    // The watchdog starts for a runbook that only calls one with shell steps.
    sigkill_leaves_no_process_of("interrupt-nested.yaml", 8);
}

/// Runs `fixture` (whose step sleeps for a unique `token`), SIGKILLs rbx while the step runs,
/// and checks that no process of the step is left. `salt` keeps tests running at once apart.
fn sigkill_leaves_no_process_of(fixture: &str, salt: u32) {
    let scratch = tempdir();
    let token = unique_token(salt);
    let (mut child, _state) = Rbx::run(fixture).var("token", &token).cwd(scratch.path()).spawn();
    wait_until("the step runs", || processes_with(&format!("sleep {token}")).len() >= 2);
    child.kill().unwrap_or_else(|e| panic!("cannot SIGKILL rbx: {e}"));
    let _ = child.wait();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !processes_with(&token).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let left = processes_with(&token);
    for line in &left {
        if let Some(pid) = line.split_whitespace().next() {
            let _ = Command::new("kill").args(["-KILL", pid]).status();
        }
    }
    assert!(left.is_empty(), "processes of the step outlived a SIGKILLed rbx: {left:?}");
}
