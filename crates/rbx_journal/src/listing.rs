//! `rbx runs`: the runs under a journal root, newest first.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::reader::read_meta;
use crate::{Journal, JournalError, META_FILE, RunState};

/// One run, as `rbx runs` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct RunListing {
    /// Its id.
    pub run_id: String,
    /// The runbook's id.
    pub runbook: String,
    /// Its title.
    pub title: String,
    /// The incident label.
    pub incident: Option<String>,
    /// RFC 3339 start time.
    pub started_at: String,
    /// How it stands.
    pub status: RunState,
    /// How long it ran (until its last event, for a run that did not finish).
    pub duration_ms: Option<u64>,
    /// Its journal directory.
    pub dir: PathBuf,
}

/// Every run under `root`, newest first, with the directories that could not be read (a
/// missing root is no runs, not an error).
pub fn list_runs(root: &Path) -> (Vec<RunListing>, Vec<JournalError>) {
    let mut runs = Vec::new();
    let mut problems = Vec::new();
    let entries = match std::fs::read_dir(root) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return (runs, problems),
        Err(source) => return (runs, vec![JournalError::Read { path: root.to_path_buf(), source }]),
    };
    for entry in entries.flatten() {
        let dir = entry.path();
        if !dir.join(META_FILE).is_file() {
            continue;
        }
        match listing(&dir) {
            Ok(run) => runs.push(run),
            Err(error) => problems.push(error),
        }
    }
    // By time (not by the RFC 3339 text: `14.5Z` and `14.51Z` do not sort as their times), then id.
    runs.sort_by_key(|run| std::cmp::Reverse((run.started_at.parse::<jiff::Timestamp>().ok(), run.run_id.clone())));
    (runs, problems)
}

/// One run from its `run.json` alone when it finished, from its events when it did not (a
/// crash between the last event and `run.json`, or a run still going).
fn listing(dir: &Path) -> Result<RunListing, JournalError> {
    let meta = read_meta(dir)?;
    let (status, duration_ms) = match &meta.status {
        Some(status) => (RunState::Finished(status.clone()), meta.duration_ms),
        None => {
            let journal = Journal::open(dir)?;
            (journal.state(), journal.duration_ms())
        }
    };
    Ok(RunListing {
        run_id: meta.run_id,
        runbook: meta.runbook,
        title: meta.title,
        incident: meta.incident,
        started_at: meta.started_at,
        status,
        duration_ms,
        dir: dir.to_path_buf(),
    })
}
