//! [`JournalWriter`]: the event sink that writes a run's journal as it happens.
//!
//! Every event is a line of `events.jsonl`, handed to the operating system with one `write`
//! before the next step starts (a read-only step's start is written with its end, one `write` a
//! step), so a killed rbx loses nothing it has reported. `fsync` is slower
//! (0.1 ms on an idle disk, several ms on a busy one), so `events.jsonl` is synced only where a
//! power loss would hurt: before a step with side effects starts, before a prompt, and at the
//! end. Step output goes to `artifacts/STEP.ATTEMPT.stdout|stderr` as it arrives; those files are not
//! synced one by one (that would triple the cost of a shell step): a step's result in
//! `events.jsonl`, synced, already holds the first 1 MiB of each stream.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rbx_exec::events::{EventSink, OutputStream, RunEvent};
use serde_json::Value;

use crate::{ARTIFACTS_DIR, EVENTS_FILE, JournalError, META_FILE, RunMeta};

/// Which steps need more than the default treatment.
#[derive(Debug, Clone, Default)]
pub struct WritePolicy {
    /// Steps with side effects: the journal is fsynced before each of them starts.
    pub sync_before: HashSet<String>,
    /// Steps with a `secret: true` capture. Their output may show the secret before it is known
    /// to be one, so their artifacts are written from their masked result when they end rather
    /// than streamed.
    pub output_from_result: HashSet<String>,
}

/// The first error the journal met, shared with whoever runs the engine so the run can say
/// its journal is incomplete.
#[derive(Debug, Clone, Default)]
pub struct JournalHealth(Arc<Mutex<Option<String>>>);

impl JournalHealth {
    /// The first error, if writing the journal failed.
    pub fn error(&self) -> Option<String> {
        self.0.lock().map_or_else(|poisoned| poisoned.into_inner().clone(), |error| error.clone())
    }

    fn set(&self, message: String) {
        match self.0.lock() {
            Ok(mut error) => *error = Some(message),
            Err(poisoned) => *poisoned.into_inner() = Some(message),
        }
    }
}

/// Told once about the first error, to warn the operator while the run goes on.
pub type ErrorReport = Box<dyn FnMut(&JournalError) + Send>;

/// A step's try: its id and its `for_each` item.
type TryKey = (String, Option<usize>);

/// Writes one run's journal. Never panics: the first error is reported once (to the
/// `on_error` callback and [`JournalHealth`]) and the journal stops there, so it never has
/// holes.
pub struct JournalWriter {
    dir: PathBuf,
    events: File,
    meta: RunMeta,
    policy: WritePolicy,
    /// The attempt each (step, item) is on, and the output files of the tries still running
    /// (several at once under a parallel `for_each`); closed when the try or step ends, so a
    /// long run does not hold a descriptor per step.
    attempts: HashMap<TryKey, u32>,
    outputs: HashMap<(TryKey, usize), File>,
    /// Lines not written yet: a read-only step's start waits for its end.
    pending: Vec<u8>,
    health: JournalHealth,
    on_error: Option<ErrorReport>,
    broken: bool,
}

impl JournalWriter {
    /// Creates `ROOT/RUN_ID/` with its `run.json`, `events.jsonl` and `artifacts/`, durably.
    pub fn create(root: &Path, meta: RunMeta, policy: WritePolicy) -> Result<JournalWriter, JournalError> {
        let dir = root.join(&meta.run_id);
        let artifacts = dir.join(ARTIFACTS_DIR);
        std::fs::create_dir_all(&artifacts)
            .map_err(|source| JournalError::Create { path: artifacts.clone(), source })?;
        let events_path = dir.join(EVENTS_FILE);
        let events = OpenOptions::new()
            .create_new(true)
            .append(true)
            .open(&events_path)
            .map_err(|source| JournalError::Create { path: events_path, source })?;
        write_meta(&dir, &meta, true)?;
        sync_dir(&dir)?;
        sync_dir(root)?;
        Ok(JournalWriter {
            dir,
            events,
            meta,
            policy,
            attempts: HashMap::new(),
            outputs: HashMap::new(),
            pending: Vec::with_capacity(4096),
            health: JournalHealth::default(),
            on_error: None,
            broken: false,
        })
    }

    /// The run's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A handle that tells, after the run, whether the journal is complete.
    pub fn health(&self) -> JournalHealth {
        self.health.clone()
    }

    /// Called once, with the first error, when writing fails (to tell the operator at once).
    pub fn on_error(mut self, report: ErrorReport) -> JournalWriter {
        self.on_error = Some(report);
        self
    }

    fn fail(&mut self, error: JournalError) {
        if self.broken {
            return;
        }
        self.broken = true;
        self.health.set(error.to_string());
        if let Some(report) = &mut self.on_error {
            report(&error);
        }
    }

    fn record(&mut self, event: &RunEvent) -> Result<(), JournalError> {
        match event {
            RunEvent::Output { step_id, item, stream, text } => {
                return self.output((step_id.clone(), *item), *stream, text.as_bytes());
            }
            RunEvent::RunStarted { inputs, .. } => {
                self.meta.inputs = inputs.clone();
                // Not synced: the same inputs are in `run_started`, synced with the events.
                write_meta(&self.dir, &self.meta, false)?;
            }
            RunEvent::AttemptStarted { step_id, item, attempt, .. } => {
                let key = (step_id.clone(), *item);
                self.outputs.retain(|(k, _), _| *k != key);
                self.attempts.insert(key, *attempt);
            }
            RunEvent::StepFinished { step_id, result, .. } => {
                self.outputs.retain(|((id, _), _), _| id != step_id);
                self.attempts.retain(|(id, _), _| id != step_id);
                if self.policy.output_from_result.contains(step_id) {
                    self.output_from_result(step_id, result)?;
                }
            }
            _ => {}
        }
        let start = self.pending.len();
        serde_json::to_writer(&mut self.pending, event).map_err(|error| JournalError::Write {
            path: self.dir.join(EVENTS_FILE),
            source: std::io::Error::other(error),
        })?;
        self.pending.push(b'\n');
        let prompt = is_prompt(&self.pending[start..]);
        if !self.deferred(event) {
            self.flush()?;
        }
        match event {
            RunEvent::StepStarted { step, .. } if self.policy.sync_before.contains(&step.id) => self.sync(),
            RunEvent::RunFinished { status, finished_at, duration_ms } => {
                self.sync()?;
                self.meta.status = Some(status.as_str().to_owned());
                self.meta.finished_at = Some(finished_at.clone());
                self.meta.duration_ms = Some(*duration_ms);
                // Not synced: `run_finished` is, and a reader that finds no status in
                // `run.json` reads the events.
                write_meta(&self.dir, &self.meta, false)
            }
            // Prompts (`confirmation_requested`, `manual_requested`, any later `*_requested`): a
            // person may take a long time to answer, and what led here must survive meanwhile.
            _ if prompt => self.sync(),
            _ => Ok(()),
        }
    }

    /// Whether an event may wait for the next one: the start of a read-only step, its tries
    /// and its notes are written with its end, still before the next step starts.
    fn deferred(&self, event: &RunEvent) -> bool {
        match event {
            RunEvent::StepStarted { step, .. } => !self.policy.sync_before.contains(&step.id),
            RunEvent::AttemptStarted { step_id, .. } | RunEvent::Message { step_id, .. } => {
                !self.policy.sync_before.contains(step_id)
            }
            _ => false,
        }
    }

    /// Every pending line, in one write.
    fn flush(&mut self) -> Result<(), JournalError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let written = self.events.write_all(&self.pending);
        self.pending.clear();
        written.map_err(|source| JournalError::Write { path: self.dir.join(EVENTS_FILE), source })
    }

    fn output(&mut self, key: TryKey, stream: OutputStream, bytes: &[u8]) -> Result<(), JournalError> {
        if self.policy.output_from_result.contains(&key.0) || bytes.is_empty() {
            return Ok(());
        }
        let index = usize::from(stream == OutputStream::Stderr);
        let attempt = self.attempts.get(&key).copied().unwrap_or(1);
        let name = match key.1 {
            Some(item) => format!("item-{item}.{attempt}"),
            None => attempt.to_string(),
        };
        let path = self.artifact_path(&key.0, &name, stream)?;
        let file = match self.outputs.entry((key, index)) {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => entry.insert(
                OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&path)
                    .map_err(|source| JournalError::Create { path: path.clone(), source })?,
            ),
        };
        file.write_all(bytes).map_err(|source| JournalError::Write { path, source })
    }

    /// A step whose output is not streamed: its result's `stdout`/`stderr` (masked after its
    /// captures), or each item's for `for_each`.
    fn output_from_result(&mut self, step_id: &str, result: &Value) -> Result<(), JournalError> {
        let mut tries = vec![("result".to_owned(), result)];
        if let Some(items) = result.get("items").and_then(Value::as_array) {
            tries = items.iter().enumerate().map(|(i, item)| (format!("item-{i}.result"), item)).collect();
        }
        for (name, result) in tries {
            for stream in [OutputStream::Stdout, OutputStream::Stderr] {
                let key = if stream == OutputStream::Stdout { "stdout" } else { "stderr" };
                let Some(text) = result.get(key).and_then(Value::as_str).filter(|t| !t.is_empty()) else { continue };
                let path = self.artifact_path(step_id, &name, stream)?;
                let mut file =
                    File::create(&path).map_err(|source| JournalError::Create { path: path.clone(), source })?;
                file.write_all(text.as_bytes()).map_err(|source| JournalError::Write { path, source })?;
            }
        }
        Ok(())
    }

    /// `artifacts/STEP.TRY.stdout|stderr`. A called runbook's step (`CALL/STEP`) gets the
    /// directory `artifacts/CALL/`, created here: ids are `[a-z_][a-z0-9_]*`, so `/` is the only
    /// separator they can hold.
    fn artifact_path(&self, step_id: &str, try_name: &str, stream: OutputStream) -> Result<PathBuf, JournalError> {
        let suffix = if stream == OutputStream::Stdout { "stdout" } else { "stderr" };
        let path = self.dir.join(ARTIFACTS_DIR).join(format!("{step_id}.{try_name}.{suffix}"));
        if step_id.contains('/')
            && let Some(parent) = path.parent()
        {
            std::fs::create_dir_all(parent)
                .map_err(|source| JournalError::Create { path: parent.to_path_buf(), source })?;
        }
        Ok(path)
    }

    fn sync(&mut self) -> Result<(), JournalError> {
        self.events.sync_data().map_err(|source| JournalError::Write { path: self.dir.join(EVENTS_FILE), source })
    }
}

impl EventSink for JournalWriter {
    fn emit(&mut self, event: &RunEvent) {
        if self.broken {
            return;
        }
        if let Err(error) = self.record(event) {
            self.fail(error);
        }
    }
}

/// Whether a serialized event asks a person something: its tag ends in `_requested`. Read from
/// the line rather than matched on the enum so events added later are covered too.
fn is_prompt(line: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(b"{\"event\":\"") else { return false };
    rest.iter().position(|&b| b == b'"').is_some_and(|end| rest[..end].ends_with(b"_requested"))
}

/// Writes `run.json` through a temporary file and a rename, so a reader never sees half of it;
/// `durable` syncs it first.
fn write_meta(dir: &Path, meta: &RunMeta, durable: bool) -> Result<(), JournalError> {
    let path = dir.join(META_FILE);
    let temporary = dir.join(format!("{META_FILE}.tmp"));
    let text = serde_json::to_vec_pretty(meta)
        .map_err(|error| JournalError::Write { path: path.clone(), source: std::io::Error::other(error) })?;
    let write = || -> std::io::Result<()> {
        let mut file = File::create(&temporary)?;
        file.write_all(&text)?;
        file.write_all(b"\n")?;
        if durable {
            file.sync_data()?;
        }
        std::fs::rename(&temporary, &path)
    };
    write().map_err(|source| JournalError::Write { path: path.clone(), source })
}

/// Makes a directory's new entries durable.
fn sync_dir(dir: &Path) -> Result<(), JournalError> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(|source| JournalError::Write { path: dir.to_path_buf(), source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompts_are_recognised_by_their_tag() {
        assert!(is_prompt(br#"{"event":"confirmation_requested","step_id":"a"}"#));
        assert!(is_prompt(br#"{"event":"manual_requested"}"#));
        assert!(!is_prompt(br#"{"event":"step_started","note":"x_requested"}"#));
        assert!(!is_prompt(b"garbage"));
    }
}
