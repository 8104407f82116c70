//! What journaling costs per step: the events of one step (started, attempt, a line of output,
//! finished with a small result) written by `JournalWriter`, for steps with side effects
//! (fsynced before they start) and read-only ones (written, not fsynced). A plain timing program
//! (`harness = false`); figures go to docs/performance.md.
//!
//! `cargo bench -p rbx_journal --bench write` (writes under the target directory, on disk: a
//! tmpfs would make fsync free).

use std::collections::HashSet;
use std::time::Instant;

use rbx_exec::events::{EventSink, OutputStream, RunEvent, StepInfo, StepOutcome};
use rbx_journal::{JournalWriter, RunMeta, WritePolicy};
use serde_json::{Value, json};

const STEPS: usize = 2_000;

fn meta(run_id: &str) -> RunMeta {
    RunMeta {
        journal_version: rbx_journal::JOURNAL_VERSION,
        run_id: run_id.to_owned(),
        runbook: "bench".into(),
        title: "Bench".into(),
        severity: None,
        file: "bench.yaml".into(),
        path: "/bench.yaml".into(),
        content_hash: rbx_journal::content_hash(b""),
        inputs: Value::Null,
        user: "bench".into(),
        host: "bench".into(),
        incident: None,
        started_at: "2026-12-06T10:00:00Z".into(),
        pid: std::process::id(),
        rbx_version: "bench".into(),
        status: None,
        finished_at: None,
        duration_ms: None,
    }
}

fn step(id: &str, index: usize) -> [RunEvent; 4] {
    [
        RunEvent::StepStarted {
            step: StepInfo {
                id: id.into(),
                index,
                title: None,
                phase: Some("diagnose"),
                kind: "shell",
                in_finally: false,
            },
            at: "2026-12-06T10:00:01.123Z".into(),
        },
        RunEvent::AttemptStarted {
            step_id: id.into(),
            item: None,
            attempt: 1,
            action: Some("curl -s http://127.0.0.1/health".into()),
        },
        RunEvent::Output {
            step_id: id.into(),
            item: None,
            stream: OutputStream::Stdout,
            text: "{\"status\": \"ok\"}\n".into(),
        },
        RunEvent::StepFinished {
            step_id: id.into(),
            outcome: StepOutcome::Passed,
            at: "2026-12-06T10:00:01.140Z".into(),
            duration_ms: 17,
            attempts: 1,
            result: json!({ "exit_code": 0, "json": { "status": "ok" }, "stdout": "{\"status\": \"ok\"}\n", "stderr": "", "duration_ms": 17, "outcome": "passed" }),
            failures: Vec::new(),
            error: None,
            captured: Vec::new(),
        },
    ]
}

fn measure(label: &str, side_effects: bool) {
    let base = std::env::var("RBX_BENCH_DIR").unwrap_or_else(|_| env!("CARGO_TARGET_TMPDIR").to_owned());
    let root = match tempfile::tempdir_in(&base) {
        Ok(root) => root,
        Err(error) => {
            eprintln!("cannot create a directory in {base}: {error}");
            return;
        }
    };
    let ids: Vec<String> = (0..STEPS).map(|i| format!("s{i}")).collect();
    let sync_before: HashSet<String> = if side_effects { ids.iter().cloned().collect() } else { HashSet::new() };
    let policy = WritePolicy { sync_before, ..WritePolicy::default() };
    let mut writer = match JournalWriter::create(root.path(), meta(label), policy) {
        Ok(writer) => writer,
        Err(error) => {
            eprintln!("{error}");
            return;
        }
    };
    let events: Vec<[RunEvent; 4]> = ids.iter().enumerate().map(|(i, id)| step(id, i)).collect();
    let started = Instant::now();
    for step in &events {
        for event in step {
            writer.emit(event);
        }
    }
    let elapsed = started.elapsed();
    if let Some(error) = writer.health().error() {
        eprintln!("journal error: {error}");
    }
    println!("{label:<28} {STEPS} steps: {:>8.1} µs/step", elapsed.as_secs_f64() * 1e6 / STEPS as f64);
}

/// The disk's own price: one 200-byte append and `fdatasync`, the floor of a synced step.
fn fsync_floor() {
    use std::io::Write;
    let base = std::env::var("RBX_BENCH_DIR").unwrap_or_else(|_| env!("CARGO_TARGET_TMPDIR").to_owned());
    let Ok(dir) = tempfile::tempdir_in(&base) else { return };
    let Ok(mut file) = std::fs::OpenOptions::new().create(true).append(true).open(dir.path().join("probe")) else {
        return;
    };
    let line = [b'x'; 200];
    let started = Instant::now();
    for _ in 0..STEPS / 4 {
        if file.write_all(&line).and_then(|()| file.sync_data()).is_err() {
            return;
        }
    }
    println!(
        "{:<28} {} syncs: {:>8.1} µs/sync",
        "bare append + fdatasync",
        STEPS / 4,
        started.elapsed().as_secs_f64() * 1e6 / (STEPS / 4) as f64
    );
}

fn main() {
    measure("read-only steps (no fsync)", false);
    fsync_floor();
    measure("side-effect steps (fsync)", true);
}
