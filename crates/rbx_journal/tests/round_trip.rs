//! A run written by `JournalWriter` reads back whole through `Journal::open` and `list_runs`.

use std::collections::HashSet;
use std::io::Write;

use rbx_exec::events::{EventSink, OutputStream, RunEvent, RunStatus, StepInfo, StepOutcome};
use rbx_journal::{Journal, JournalProblem, JournalWriter, RunMeta, RunState, WritePolicy, list_runs};
use serde_json::{Value, json};

fn meta(run_id: &str, incident: Option<&str>) -> RunMeta {
    RunMeta {
        journal_version: rbx_journal::JOURNAL_VERSION,
        run_id: run_id.to_owned(),
        runbook: "demo".into(),
        title: "Demo".into(),
        severity: Some("sev2".into()),
        file: "demo.yaml".into(),
        path: "/abs/demo.yaml".into(),
        content_hash: rbx_journal::content_hash(b"rbx: 1"),
        inputs: Value::Null,
        user: "alice".into(),
        host: "nowhere".into(),
        incident: incident.map(str::to_owned),
        started_at: "2026-12-06T10:00:00Z".into(),
        pid: 0,
        rbx_version: "0.1.0".into(),
        status: None,
        finished_at: None,
        duration_ms: None,
    }
}

fn step_events(id: &str, output: &str) -> Vec<RunEvent> {
    vec![
        RunEvent::StepStarted {
            step: StepInfo {
                id: id.into(),
                index: 0,
                title: None,
                phase: Some("mitigate"),
                kind: "shell",
                in_finally: false,
            },
            at: "2026-12-06T10:00:01Z".into(),
        },
        RunEvent::AttemptStarted { step_id: id.into(), item: None, attempt: 1, action: Some("echo".into()) },
        RunEvent::Output { step_id: id.into(), item: None, stream: OutputStream::Stdout, text: output.into() },
        RunEvent::StepFinished {
            step_id: id.into(),
            outcome: StepOutcome::Passed,
            at: "2026-12-06T10:00:02Z".into(),
            duration_ms: 1000,
            attempts: 1,
            result: json!({ "stdout": output, "outcome": "passed" }),
            failures: Vec::new(),
            error: None,
            captured: Vec::new(),
        },
    ]
}

fn started() -> RunEvent {
    RunEvent::RunStarted {
        run_id: "r1".into(),
        runbook: "demo".into(),
        title: "Demo".into(),
        file: "demo.yaml".into(),
        started_at: "2026-12-06T10:00:00Z".into(),
        inputs: json!({ "name": "x" }),
        step_count: 1,
        step_ids: vec!["a".into()],
        called_step_ids: Vec::new(),
    }
}

#[test]
fn events_meta_and_artifacts_read_back() {
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let policy = WritePolicy { sync_before: HashSet::from(["a".to_owned()]), ..WritePolicy::default() };
    let mut writer =
        JournalWriter::create(root.path(), meta("r1", Some("INC-1")), policy).unwrap_or_else(|e| panic!("create: {e}"));
    let health = writer.health();
    writer.emit(&started());
    for event in step_events("a", "hello\n") {
        writer.emit(&event);
    }
    writer.emit(&RunEvent::RunFinished {
        status: RunStatus::Passed,
        finished_at: "2026-12-06T10:00:03Z".into(),
        duration_ms: 3000,
    });
    assert_eq!(health.error(), None);

    let journal = Journal::open(&root.path().join("r1")).unwrap_or_else(|e| panic!("open: {e}"));
    let tags: Vec<&str> = journal.events.iter().map(rbx_journal::event_tag).collect();
    // Output goes to artifacts, not to the event log.
    assert_eq!(tags, ["run_started", "step_started", "attempt_started", "step_finished", "run_finished"]);
    assert_eq!(journal.state(), RunState::Finished("passed".into()));
    assert_eq!(journal.meta.inputs, json!({ "name": "x" }));
    assert_eq!(journal.meta.status.as_deref(), Some("passed"));
    assert_eq!(journal.duration_ms(), Some(3000));
    let artifacts = journal.artifacts();
    assert_eq!(artifacts.len(), 1);
    assert!(artifacts[0].ends_with("artifacts/a.1.stdout"));
    assert_eq!(std::fs::read_to_string(&artifacts[0]).ok().as_deref(), Some("hello\n"));

    let (runs, problems) = list_runs(root.path());
    assert!(problems.is_empty());
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].incident.as_deref(), Some("INC-1"));
    assert_eq!(runs[0].status.as_str(), "passed");
}

#[test]
fn a_killed_run_reads_back_with_its_torn_line() {
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    // A step with side effects: its start is written (and synced) before it runs.
    let policy = WritePolicy { sync_before: HashSet::from(["a".to_owned()]), ..WritePolicy::default() };
    let mut writer =
        JournalWriter::create(root.path(), meta("r2", None), policy).unwrap_or_else(|e| panic!("create: {e}"));
    writer.emit(&started());
    writer.emit(&step_events("a", "x").remove(0));
    drop(writer);
    let events = root.path().join("r2").join("events.jsonl");
    let mut file = std::fs::OpenOptions::new().append(true).open(&events).unwrap_or_else(|e| panic!("{e}"));
    file.write_all(b"{\"event\":\"step_fini").unwrap_or_else(|e| panic!("{e}"));

    let journal = Journal::open(&root.path().join("r2")).unwrap_or_else(|e| panic!("open: {e}"));
    assert_eq!(journal.events.len(), 2);
    assert_eq!(journal.problems, vec![JournalProblem::TornLastLine { line: 3, bytes: 19 }]);
    // pid 0 on another host: nobody is writing it any more.
    assert_eq!(journal.state(), RunState::Killed);
    assert_eq!(journal.duration_ms(), Some(1000));
    let (runs, _) = list_runs(root.path());
    assert_eq!(runs[0].status, RunState::Killed);
}

#[test]
fn secret_capturing_steps_keep_their_masked_result_not_the_stream() {
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let policy = WritePolicy { output_from_result: HashSet::from(["a".to_owned()]), ..WritePolicy::default() };
    let mut writer =
        JournalWriter::create(root.path(), meta("r3", None), policy).unwrap_or_else(|e| panic!("create: {e}"));
    let mut events = step_events("a", "session=***\n");
    // The stream showed the value before the capture made it a secret.
    events[2] = RunEvent::Output {
        step_id: "a".into(),
        item: None,
        stream: OutputStream::Stdout,
        text: "session=PIGEON\n".into(),
    };
    for event in events {
        writer.emit(&event);
    }
    let text = std::fs::read_to_string(root.path().join("r3/artifacts/a.result.stdout")).unwrap_or_default();
    assert_eq!(text, "session=***\n");
}

#[test]
fn a_write_error_is_reported_once_and_stops_the_journal() {
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let reports = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = std::sync::Arc::clone(&reports);
    let mut writer = JournalWriter::create(root.path(), meta("r4", None), WritePolicy::default())
        .unwrap_or_else(|e| panic!("create: {e}"))
        .on_error(Box::new(move |error| seen.lock().map(|mut r| r.push(error.to_string())).unwrap_or(())));
    let health = writer.health();
    // The artifacts directory replaced by a file: every artifact write fails.
    let artifacts = root.path().join("r4/artifacts");
    std::fs::remove_dir(&artifacts).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&artifacts, b"").unwrap_or_else(|e| panic!("{e}"));
    for event in step_events("a", "one").into_iter().chain(step_events("b", "two")) {
        writer.emit(&event);
    }
    let reports = reports.lock().map(|r| r.clone()).unwrap_or_default();
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert!(reports[0].starts_with("cannot create"), "{reports:?}");
    assert!(health.error().is_some());
}

#[test]
fn a_read_only_step_is_written_whole_when_it_ends() {
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut writer = JournalWriter::create(root.path(), meta("r5", None), WritePolicy::default())
        .unwrap_or_else(|e| panic!("create: {e}"));
    writer.emit(&started());
    let mut events = step_events("a", "x");
    let finished = events.pop();
    for event in &events {
        writer.emit(event);
    }
    let lines = || std::fs::read_to_string(root.path().join("r5/events.jsonl")).unwrap_or_default().lines().count();
    assert_eq!(lines(), 1, "only run_started: the read-only step's start waits for its end");
    if let Some(finished) = finished {
        writer.emit(&finished);
    }
    assert_eq!(lines(), 4, "started, attempt and finished, before the next step starts");
}
