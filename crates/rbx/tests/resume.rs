//! `rbx resume RUN_ID`: a stopped run continues from its journal. Steps that passed are not run
//! again (their results and captures come back), the step that did not finish runs again, the
//! rest run once, then `finally`. Killed, declined and pending runs all resume.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{Rbx, read, tempdir};

/// Lines of LOG, the fixture's record of what ran.
fn log(dir: &Path) -> Vec<String> {
    match std::fs::read_to_string(dir.join("LOG")) {
        Ok(text) => text.lines().map(str::to_owned).collect(),
        Err(_) => Vec::new(),
    }
}

/// The id of the only run journaled in `journal`.
fn only_run_id(journal: &Path) -> String {
    let outcome = Rbx::new().args(["runs", "--format", "json"]).env("RBX_JOURNAL_DIR", journal).output();
    outcome.expect_code(0);
    let runs: serde_json::Value = serde_json::from_str(&outcome.stdout).expect("JSON");
    let runs = runs.as_array().expect("a list of runs");
    assert_eq!(runs.len(), 1, "{runs:?}");
    runs[0]["run_id"].as_str().expect("an id").to_owned()
}

fn resume(dir: &Path, journal: &Path, run_id: &str, args: &[&str]) -> common::Outcome {
    Rbx::new().arg("resume").arg(run_id).args(args).env("RBX_JOURNAL_DIR", journal).cwd(dir).output()
}

#[test]
fn a_run_killed_mid_step_resumes_without_running_passed_steps_again() {
    let dir = tempdir();
    let journal = tempdir();
    let (mut child, _state) =
        Rbx::run("resume.yaml").var("label", "second").env("RBX_JOURNAL_DIR", journal.path()).cwd(dir.path()).spawn();
    let started = Instant::now();
    while !log(dir.path()).contains(&"slow".to_owned()) {
        assert!(started.elapsed() < Duration::from_secs(20), "`slow` never started");
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().expect("SIGKILL rbx");
    child.wait().expect("reaped");
    let run_id = only_run_id(journal.path());
    let outcome = resume(dir.path(), journal.path(), &run_id, &["--yes", "--answer", "number=7"]);
    outcome.expect_code(0);
    assert_eq!(
        log(dir.path()),
        ["one", "slow", "slow", "restart", "last-9-7-second", "finally-passed"],
        "`one` passed and is not run again; `slow` never finished and runs again; the capture and the input come back\n{}",
        outcome.dump()
    );
    assert!(
        outcome.stdout.contains(&format!("passed in run {run_id}: restored from its journal")),
        "{}",
        outcome.dump()
    );
}

#[test]
fn a_declined_run_resumes_with_yes_and_a_pending_one_with_answer() {
    let dir = tempdir();
    let journal = tempdir();
    std::fs::write(dir.path().join("SECOND"), "").expect("no sleep");
    let declined = Rbx::run("resume.yaml").env("RBX_JOURNAL_DIR", journal.path()).cwd(dir.path()).output();
    declined.expect_code(3);
    assert_eq!(log(dir.path()), ["one", "slow", "finally-declined"]);
    let run_id = only_run_id(journal.path());
    // Confirmed now, but the manual step has no answer and no one to ask: pending.
    let pending = resume(dir.path(), journal.path(), &run_id, &["--yes"]);
    pending.expect_code(3);
    assert_eq!(log(dir.path())[3..], ["restart", "finally-pending"]);
    let runs = Rbx::new().args(["runs", "--format", "json"]).env("RBX_JOURNAL_DIR", journal.path()).output();
    let runs: serde_json::Value = serde_json::from_str(&runs.stdout).expect("JSON");
    let newest = runs[0]["run_id"].as_str().expect("an id").to_owned();
    assert_ne!(newest, run_id, "a resumed run is a run of its own");
    let done = resume(dir.path(), journal.path(), &newest, &["--answer", "number=3"]);
    done.expect_code(0);
    assert_eq!(log(dir.path())[5..], ["last-9-3-first", "finally-passed"], "{}", done.dump());
    assert_eq!(log(dir.path()).iter().filter(|line| *line == "restart").count(), 1, "restored, not asked again");
}

#[test]
fn a_changed_runbook_is_refused_unless_forced_and_a_passed_run_has_nothing_to_resume() {
    let dir = tempdir();
    let journal = tempdir();
    std::fs::write(dir.path().join("SECOND"), "").expect("no sleep");
    let runbook = dir.path().join("resume.yaml");
    std::fs::copy(common::fixture("resume.yaml"), &runbook).expect("copy");
    let first = Rbx::new().arg("run").arg(&runbook).env("RBX_JOURNAL_DIR", journal.path()).cwd(dir.path()).output();
    first.expect_code(3);
    let run_id = only_run_id(journal.path());
    let text = String::from_utf8(read(&runbook)).expect("utf-8").replace("Pick a number.", "Pick any number.");
    std::fs::write(&runbook, text).expect("edit the runbook");
    let refused = resume(dir.path(), journal.path(), &run_id, &["--yes", "--answer", "number=1"]);
    refused.expect_code(2);
    assert!(refused.stderr.contains("changed since run"), "{}", refused.dump());
    assert!(refused.stderr.contains("--force"), "{}", refused.dump());
    let forced = resume(dir.path(), journal.path(), &run_id, &["--yes", "--answer", "number=1", "--force"]);
    forced.expect_code(0);
    let runs = Rbx::new().args(["runs", "--format", "json"]).env("RBX_JOURNAL_DIR", journal.path()).output();
    let runs: serde_json::Value = serde_json::from_str(&runs.stdout).expect("JSON");
    let passed = runs[0]["run_id"].as_str().expect("an id").to_owned();
    let nothing = resume(dir.path(), journal.path(), &passed, &[]);
    nothing.expect_code(2);
    assert!(nothing.stderr.contains("nothing to resume"), "{}", nothing.dump());
    let unknown = resume(dir.path(), journal.path(), "20990101T000000Z-000000", &[]);
    unknown.expect_code(2);
}
