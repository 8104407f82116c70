//! `rbx run` keeps a journal: its metadata, every event as a line, the steps' output as masked
//! artifacts; a torn last line and a killed run read back; secrets never reach it.

mod common;
mod journal_support;

use common::fixture;
use journal_support::{CANARY, Journaled, MARKER, all_files, events, run_id, tags};
use serde_json::Value;

#[test]
fn a_run_leaves_its_metadata_events_and_output() {
    let journal = Journaled::new();
    let outcome = journal.run("journal-incident.yaml", &["--yes", "--incident", "INC-9"]);
    outcome.expect_code(0);
    let dir = journal.only_run();
    assert!(outcome.stdout.contains(&format!("  journal: {}", dir.display())), "{}", outcome.dump());

    let meta: Value = serde_json::from_slice(&common::read(&dir.join("run.json"))).unwrap_or_default();
    let bytes = common::read(&fixture("journal-incident.yaml"));
    assert_eq!(meta["run_id"].as_str(), Some(run_id(&dir).as_str()));
    assert_eq!(meta["runbook"], "journal-incident");
    assert_eq!(meta["severity"], "SEV2");
    assert_eq!(meta["incident"], "INC-9");
    assert_eq!(meta["user"], "tester");
    assert_eq!(meta["status"], "passed");
    assert_eq!(meta["content_hash"].as_str(), Some(rbx_journal::content_hash(&bytes).as_str()));
    assert_eq!(meta["path"].as_str(), fixture("journal-incident.yaml").to_str());
    assert_eq!(meta["inputs"], serde_json::json!({}));

    let events = events(&dir);
    let tags = tags(&events);
    assert_eq!(tags.first().map(String::as_str), Some("run_started"));
    assert_eq!(tags.last().map(String::as_str), Some("run_finished"));
    assert!(!tags.contains(&"output".to_owned()), "output goes to artifacts: {tags:?}");
    let finished: Vec<&str> =
        events.iter().filter(|e| e["event"] == "step_finished").filter_map(|e| e["step_id"].as_str()).collect();
    assert_eq!(finished, ["probe", "latency_ok", "token_check", "scale_up", "tell", "verify", "closing"]);
    let answer = events.iter().find(|e| e["event"] == "confirmation_answered").cloned().unwrap_or_default();
    assert_eq!((answer["confirmed"].as_bool(), answer["automatic"].as_bool()), (Some(true), Some(true)));
    assert_eq!(answer["by"], "tester");

    let artifacts = common::entries(&dir.join("artifacts"));
    assert_eq!(artifacts, ["probe.1.stdout", "scale_up.1.stdout", "token_check.1.stderr", "token_check.1.stdout"]);
    let probe = std::fs::read_to_string(dir.join("artifacts/probe.1.stdout")).unwrap_or_default();
    assert_eq!(probe, "{\"p99_ms\": 2300, \"errors\": 12}\n");
}

#[test]
fn every_try_keeps_its_own_output() {
    let journal = Journaled::new();
    journal.run("sem-retry-exhausted.yaml", &[]);
    let dir = journal.only_run();
    let artifacts = common::entries(&dir.join("artifacts"));
    assert!(artifacts.iter().any(|a| a.ends_with(".2.stdout") || a.ends_with(".2.stderr")), "{artifacts:?}");
}

#[test]
fn json_output_is_journaled_too_and_no_journal_writes_nothing() {
    let journal = Journaled::new();
    journal.run("snap-pass.yaml", &["--format", "json"]).expect_code(0);
    let dir = journal.only_run();
    assert_eq!(tags(&events(&dir)).last().map(String::as_str), Some("run_finished"));

    let none = Journaled::new();
    let outcome = none.run("snap-pass.yaml", &["--no-journal"]);
    outcome.expect_code(0);
    assert!(none.run_dirs().is_empty());
    assert!(!outcome.stdout.contains("journal:"), "{}", outcome.dump());
}

#[test]
fn the_journal_flag_wins_over_the_environment() {
    let journal = Journaled::new();
    let elsewhere = common::tempdir();
    let outcome = journal.run("snap-pass.yaml", &["--journal", &elsewhere.path().display().to_string()]);
    outcome.expect_code(0);
    assert!(journal.run_dirs().is_empty());
    assert_eq!(common::entries(elsewhere.path()).len(), 1);
}

#[test]
fn a_journal_that_cannot_be_written_does_not_stop_the_run() {
    let journal = Journaled::new();
    std::fs::write(journal.runs(), b"a file, not a directory").unwrap_or_else(|e| panic!("{e}"));
    let outcome = journal.run("snap-pass.yaml", &[]);
    outcome.expect_code(0);
    assert!(outcome.stderr.contains("warning: journal: cannot create"), "{}", outcome.dump());
    assert!(outcome.stderr.contains("this run is not journaled"), "{}", outcome.dump());
}

#[test]
fn a_torn_last_line_is_tolerated_and_reported() {
    let journal = Journaled::new();
    journal.run("snap-fail.yaml", &[]).expect_code(1);
    let dir = journal.only_run();
    // A crash in the middle of the last write: the end cut off, `run.json` never updated.
    let path = dir.join("events.jsonl");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let cut = text.trim_end().rfind('\n').map_or(0, |i| i + 20);
    std::fs::write(&path, &text[..cut]).unwrap_or_else(|e| panic!("{e}"));
    unfinish(&dir);

    let outcome = journal.rbx().args(["report", &run_id(&dir)]).output();
    outcome.expect_code(0);
    assert!(outcome.stderr.contains("was cut short by a crash and is left out"), "{}", outcome.dump());
    assert!(outcome.stdout.contains("**Status:** killed"), "{}", outcome.dump());
    assert!(outcome.stdout.contains("the journal ends here: the run is killed"), "{}", outcome.dump());

    let runs = journal.rbx().args(["runs", "--format", "json"]).output();
    runs.expect_code(0);
    let listed: Value = serde_json::from_str(&runs.stdout).unwrap_or_default();
    assert_eq!(listed[0]["status"], "killed", "{}", runs.dump());
}

/// `run.json` as a killed rbx leaves it: no end, written by a process that is gone.
fn unfinish(dir: &std::path::Path) {
    let path = dir.join("run.json");
    let mut meta: Value = serde_json::from_slice(&common::read(&path)).unwrap_or_default();
    let gone = std::process::Command::new("true").spawn().and_then(|mut c| c.wait().map(|_| c.id()));
    let pid = gone.unwrap_or_else(|e| panic!("{e}"));
    if let Some(map) = meta.as_object_mut() {
        for key in ["status", "finished_at", "duration_ms"] {
            map.remove(key);
        }
        map.insert("pid".into(), pid.into());
    }
    std::fs::write(&path, serde_json::to_vec(&meta).unwrap_or_default()).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn the_secret_canary_never_reaches_the_journal_artifacts_junit_or_reports() {
    let journal = Journaled::new();
    let scratch = common::tempdir();
    let junit = scratch.path().join("junit.xml");
    let outcome = journal
        .rbx()
        .arg("run")
        .arg(fixture("secret-canary.yaml"))
        .args(["-v", "--incident", "INC-LEAK", "--junit"])
        .arg(&junit)
        .env("RBX_TEST_TOKEN", CANARY)
        .env("RBX_TEST_SESSION", "sess-PIGEON-7f3a")
        .cwd(scratch.path())
        .output();
    outcome.expect_code(0);
    journal.run("journal-incident.yaml", &["--yes", "--incident", "INC-LEAK"]);
    let dirs = journal.run_dirs();
    assert_eq!(dirs.len(), 2);

    let mut texts = Vec::new();
    for dir in &dirs {
        texts.extend(all_files(dir));
    }
    texts.push((junit.clone(), std::fs::read_to_string(&junit).unwrap_or_default()));
    for format in ["markdown", "json", "html"] {
        let report = journal.rbx().args(["report", "--incident", "INC-LEAK", "--format", format]).output();
        report.expect_code(0);
        texts.push((format.into(), report.stdout));
    }
    assert!(texts.len() > 10, "{texts:?}");
    for (path, text) in &texts {
        assert!(!text.contains(MARKER), "the canary is in {}:\n{text}", path.display());
        assert!(!text.contains("PIGEON"), "the captured secret is in {}:\n{text}", path.display());
    }
    let artifacts: String =
        texts.iter().filter(|(p, _)| p.to_string_lossy().contains("artifacts")).map(|(_, t)| t.as_str()).collect();
    assert!(artifacts.contains("raw:***"), "artifacts show the mask: {artifacts}");
    assert!(artifacts.contains("session=***"), "the capturing step's output is masked: {artifacts}");
}

#[test]
fn a_run_killed_mid_step_reads_back_whole_as_killed() {
    let journal = Journaled::new();
    let scratch = common::tempdir();
    // A sleep length no other test uses.
    let token = format!("62.{:07}", std::process::id());
    let (mut child, _state) = journal
        .rbx()
        .arg("run")
        .arg(fixture("interrupt-shell.yaml"))
        .args(["--var", &format!("token={token}")])
        .cwd(scratch.path())
        .spawn();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let started = || {
        journal.run_dirs().first().is_some_and(|dir| {
            std::fs::read_to_string(dir.join("events.jsonl")).is_ok_and(|t| t.contains("\"attempt_started\""))
        })
    };
    while !started() {
        assert!(std::time::Instant::now() < deadline, "the step never started");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.kill().unwrap_or_else(|e| panic!("cannot SIGKILL rbx: {e}"));
    let _ = child.wait();
    // Whatever the watchdog has left to do with the step's processes, the journal is final.
    let dir = journal.only_run();
    let events = events(&dir);
    let tags = tags(&events);
    assert_eq!(tags, ["run_started", "step_started", "attempt_started"], "every line reads back whole");

    let runs = journal.rbx().args(["runs", "--format", "json"]).output();
    runs.expect_code(0);
    let listed: Value = serde_json::from_str(&runs.stdout).unwrap_or_default();
    assert_eq!(listed[0]["status"], "killed", "{}", runs.dump());
    let report = journal.rbx().args(["report", &run_id(&dir), "--format", "json"]).output();
    report.expect_code(0);
    let data: Value = serde_json::from_str(&report.stdout).unwrap_or_default();
    assert_eq!(data["status"], "killed");
    assert_eq!(data["runs"][0]["steps"][0]["outcome"], "unfinished");
}

#[test]
fn a_called_runbooks_steps_keep_their_output_under_the_call() {
    let journal = Journaled::new();
    let scratch = common::tempdir();
    let outcome = journal
        .rbx()
        .arg("run")
        .arg(fixture("nested-call.yaml"))
        .env("PARENT_TOKEN", "t0ken")
        .cwd(scratch.path())
        .output();
    outcome.expect_code(0);
    assert!(!outcome.stderr.contains("journal"), "the journal is whole\n{}", outcome.dump());
    let dir = journal.only_run();
    assert_eq!(common::entries(&dir.join("artifacts/call")), ["token.1.stdout", "version.1.stdout"]);
    assert_eq!(std::fs::read_to_string(dir.join("artifacts/call/version.1.stdout")).unwrap_or_default(), "v42\n");

    let runs = journal.rbx().args(["runs", "--format", "json"]).output();
    let listed: Value = serde_json::from_str(&runs.stdout).unwrap_or_default();
    assert_eq!(listed[0]["status"], "passed", "{}", runs.dump());
    let report = journal.rbx().args(["report", &run_id(&dir), "--format", "json"]).output();
    report.expect_code(0);
    let data: Value = serde_json::from_str(&report.stdout).unwrap_or_default();
    let steps = data["runs"][0]["steps"].as_array().cloned().unwrap_or_default();
    let version = steps.iter().find(|s| s["id"] == "call/version").cloned().unwrap_or_default();
    assert_eq!(version["artifacts"], serde_json::json!(["artifacts/call/version.1.stdout"]), "{}", report.stdout);
}
