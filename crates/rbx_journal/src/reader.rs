//! [`Journal::open`]: a run's journal read back, tolerating what a crash leaves behind.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::status::this_host;
use crate::{ARTIFACTS_DIR, EVENTS_FILE, JournalError, META_FILE, RunMeta, RunState};

/// Something wrong in a journal that did not stop it from being read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JournalProblem {
    /// The last line was cut short (rbx or the machine stopped mid-write); it is left out.
    TornLastLine {
        /// 1-based line number.
        line: usize,
        /// How many bytes it had.
        bytes: usize,
    },
    /// A line in the middle is not JSON; it is left out.
    BadLine {
        /// 1-based line number.
        line: usize,
        /// The parser's message.
        message: String,
    },
}

impl std::fmt::Display for JournalProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JournalProblem::TornLastLine { line, bytes } => {
                write!(f, "the last line ({line}, {bytes} bytes) was cut short by a crash and is left out")
            }
            JournalProblem::BadLine { line, message } => {
                write!(f, "line {line} is not JSON ({message}) and is left out")
            }
        }
    }
}

/// One recorded run.
#[derive(Debug, Clone)]
pub struct Journal {
    /// Its directory.
    pub dir: PathBuf,
    /// `run.json`.
    pub meta: RunMeta,
    /// Every event, in order, as JSON objects with an `event` tag (the serialized
    /// `RunEvent`s). Kept as JSON so events added by later versions read back too.
    pub events: Vec<Value>,
    /// What was wrong but tolerated.
    pub problems: Vec<JournalProblem>,
}

impl Journal {
    /// Reads the run in `dir`.
    pub fn open(dir: &Path) -> Result<Journal, JournalError> {
        let meta = read_meta(dir)?;
        let path = dir.join(EVENTS_FILE);
        let bytes = std::fs::read(&path).map_err(|source| JournalError::Read { path, source })?;
        let (events, problems) = parse_events(&bytes);
        Ok(Journal { dir: dir.to_path_buf(), meta, events, problems })
    }

    /// Reads run `run_id` under `root`.
    pub fn find(root: &Path, run_id: &str) -> Result<Journal, JournalError> {
        let dir = root.join(run_id);
        // An id is a directory name, never a path: `../x` must not read elsewhere.
        let plain = !run_id.is_empty() && !run_id.contains(['/', '\\']) && run_id != "." && run_id != "..";
        if !plain || !dir.join(META_FILE).is_file() {
            return Err(JournalError::NotFound { run_id: run_id.to_owned(), root: root.to_path_buf() });
        }
        Journal::open(&dir)
    }

    /// The events with this tag (`step_finished`, …).
    pub fn events_named<'a>(&'a self, tag: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.events.iter().filter(move |e| event_tag(e) == tag)
    }

    /// How the run stands: its `run_finished` status, else running or killed.
    pub fn state(&self) -> RunState {
        match self.events_named("run_finished").last().and_then(|e| e["status"].as_str()) {
            Some(status) => RunState::Finished(status.to_owned()),
            None => RunState::unfinished(self.meta.pid, &self.meta.host, &this_host()),
        }
    }

    /// The run's duration: as recorded at its end, else from its start to its last event.
    pub fn duration_ms(&self) -> Option<u64> {
        if let Some(duration) = self.events_named("run_finished").last().and_then(|e| e["duration_ms"].as_u64()) {
            return Some(duration);
        }
        let last = self.events.iter().rev().find_map(|e| e.get("at").or_else(|| e.get("started_at"))?.as_str())?;
        millis_between(&self.meta.started_at, last)
    }

    /// The directory of the run's output files.
    pub fn artifacts_dir(&self) -> PathBuf {
        self.dir.join(ARTIFACTS_DIR)
    }

    /// The files under `artifacts/`, sorted: `STEP.TRY.stdout|stderr`, and `CALL/STEP.TRY.…` for
    /// the steps of called runbooks.
    pub fn artifacts(&self) -> Vec<PathBuf> {
        let mut found = Vec::new();
        let mut pending = vec![self.artifacts_dir()];
        while let Some(dir) = pending.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else { continue };
            for entry in entries.filter_map(Result::ok) {
                let path = entry.path();
                if entry.file_type().is_ok_and(|kind| kind.is_dir()) {
                    pending.push(path);
                } else {
                    found.push(path);
                }
            }
        }
        found.sort();
        found
    }
}

/// The `event` tag of a recorded event (empty when it has none).
pub fn event_tag(event: &Value) -> &str {
    event.get("event").and_then(Value::as_str).unwrap_or("")
}

/// Milliseconds from one RFC 3339 time to another (`None` if either does not parse or the
/// second is earlier).
pub fn millis_between(from: &str, to: &str) -> Option<u64> {
    let from: jiff::Timestamp = from.parse().ok()?;
    let to: jiff::Timestamp = to.parse().ok()?;
    let span = to.duration_since(from);
    u64::try_from(span.as_millis()).ok()
}

pub(crate) fn read_meta(dir: &Path) -> Result<RunMeta, JournalError> {
    let path = dir.join(META_FILE);
    let text = std::fs::read(&path).map_err(|source| JournalError::Read { path: path.clone(), source })?;
    serde_json::from_slice(&text).map_err(|error| JournalError::Meta { path, message: error.to_string() })
}

/// Lines to JSON objects. A last line without its newline that does not parse is a write cut
/// short; anything else that does not parse is reported and skipped.
fn parse_events(bytes: &[u8]) -> (Vec<Value>, Vec<JournalProblem>) {
    let mut events = Vec::new();
    let mut problems = Vec::new();
    let ends_whole = bytes.ends_with(b"\n");
    let lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
    let count = lines.len();
    for (index, line) in lines.into_iter().enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let last = index + 1 == count;
        match serde_json::from_slice::<Value>(line) {
            Ok(value) if value.is_object() => events.push(value),
            Ok(_) => problems.push(JournalProblem::BadLine { line: index + 1, message: "not an object".into() }),
            Err(_) if last && !ends_whole => {
                problems.push(JournalProblem::TornLastLine { line: index + 1, bytes: line.len() });
            }
            Err(error) => problems.push(JournalProblem::BadLine { line: index + 1, message: error.to_string() }),
        }
    }
    (events, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_torn_last_line_is_reported_and_left_out() {
        let (events, problems) = parse_events(b"{\"event\":\"a\"}\n{\"event\":\"b\"}\n{\"event\":\"c\",\"x\":");
        assert_eq!(events.len(), 2);
        assert_eq!(problems, vec![JournalProblem::TornLastLine { line: 3, bytes: 17 }]);
    }

    #[test]
    fn a_bad_middle_line_is_skipped() {
        let (events, problems) = parse_events(b"{\"event\":\"a\"}\nnope\n{\"event\":\"b\"}\n");
        assert_eq!(events.len(), 2);
        assert!(matches!(problems.as_slice(), [JournalProblem::BadLine { line: 2, .. }]));
    }

    #[test]
    fn a_whole_journal_has_no_problems() {
        let (events, problems) = parse_events(b"{\"event\":\"a\"}\n");
        assert_eq!((events.len(), problems.len()), (1, 0));
    }
}
