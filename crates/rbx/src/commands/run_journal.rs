//! The journal and JUnit sinks of `rbx run`: set up before the run, reported on after it.

use std::path::{Path, PathBuf};

use rbx_journal::{JournalHealth, JournalWriter, RunMeta, WritePolicy};
use rbx_model::Runbook;

use crate::cli::RunArgs;

/// Who, where and which run, for `run.json`.
pub struct RunIdentity<'a> {
    pub run_id: &'a str,
    pub user: &'a str,
    pub host: &'a str,
}

/// The run's journal, unless `--no-journal`. A journal that cannot be created does not stop
/// the run (an incident is no time to refuse to act); it is reported on stderr at once.
pub fn start(args: &RunArgs, runbook: &Runbook, who: &RunIdentity<'_>) -> Option<JournalWriter> {
    if args.no_journal {
        return None;
    }
    let root = match rbx_journal::resolve_root(args.journal.as_deref(), &|name| std::env::var(name).ok()) {
        Ok(root) => root,
        Err(error) => {
            eprintln!("warning: journal: {error}; this run is not journaled");
            return None;
        }
    };
    let bytes = std::fs::read(runbook.file.path()).unwrap_or_else(|_| runbook.file.text().as_bytes().to_vec());
    let meta = RunMeta {
        journal_version: rbx_journal::JOURNAL_VERSION,
        run_id: who.run_id.to_owned(),
        runbook: runbook.id.value.clone(),
        title: runbook.display_title().to_owned(),
        severity: runbook.severity.as_ref().map(|s| s.value.as_str().to_owned()),
        file: args.file.display().to_string(),
        path: absolute(&args.file).display().to_string(),
        content_hash: rbx_journal::content_hash(&bytes),
        inputs: serde_json::Value::Null,
        user: who.user.to_owned(),
        host: who.host.to_owned(),
        incident: args.incident.clone(),
        started_at: rbx_exec::now(),
        pid: std::process::id(),
        rbx_version: env!("CARGO_PKG_VERSION").to_owned(),
        status: None,
        finished_at: None,
        duration_ms: None,
    };
    let policy = WritePolicy {
        sync_before: runbook.all_steps().filter(|s| s.kind.has_side_effects()).map(|s| s.id.value.clone()).collect(),
        output_from_result: runbook
            .all_steps()
            .filter(|s| s.capture.iter().any(|c| c.secret))
            .map(|s| s.id.value.clone())
            .collect(),
    };
    match JournalWriter::create(&root, meta, policy) {
        Ok(writer) => Some(writer.on_error(Box::new(|error| {
            eprintln!("warning: journal: {error}; the rest of this run is not journaled");
        }))),
        Err(error) => {
            eprintln!("warning: journal: {error}; this run is not journaled");
            None
        }
    }
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// After the run: where its journal is (human output), or that it is incomplete.
pub fn finish(dir: Option<&Path>, health: Option<&JournalHealth>, human: bool) {
    if let Some(error) = health.and_then(JournalHealth::error) {
        eprintln!("warning: the journal of this run is incomplete: {error}");
    }
    if human && let Some(dir) = dir {
        println!("  journal: {}", dir.display());
    }
}
