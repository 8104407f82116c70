//! [`JournalWriter`]: the event sink that writes a run's journal as it happens.
//!
//! Every event is one line of `events.jsonl`, handed to the operating system in one `write`
//! before the engine goes on, so a killed rbx loses nothing it has reported. `fsync` is slower
//! (0.1 ms on an idle disk, several ms on a busy one), so `events.jsonl` is synced only where a
//! power loss would hurt: before a step with side effects starts, before a prompt, and at the
//! end. Step output goes to `artifacts/STEP.TRY.stdout|stderr` as it arrives; those files are not
//! synced one by one (that would triple the cost of a shell step): a step's result in
//! `events.jsonl`, synced, already holds the first 1 MiB of each stream.

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

/// The output files of the try being run.
struct TryFiles {
    step_id: String,
    try_number: u32,
    streams: [Option<File>; 2],
}

/// Writes one run's journal. Never panics: the first error is reported once (to the
/// `on_error` callback and [`JournalHealth`]) and the journal stops there, so it never has
/// holes.
pub struct JournalWriter {
    dir: PathBuf,
    events: File,
    meta: RunMeta,
    policy: WritePolicy,
    current: Option<TryFiles>,
    tries: HashMap<String, u32>,
    line: Vec<u8>,
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
        write_meta(&dir, &meta)?;
        sync_dir(&dir)?;
        sync_dir(root)?;
        Ok(JournalWriter {
            dir,
            events,
            meta,
            policy,
            current: None,
            tries: HashMap::new(),
            line: Vec::with_capacity(1024),
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
            RunEvent::Output { step_id, stream, text } => return self.output(step_id, *stream, text.as_bytes()),
            RunEvent::RunStarted { inputs, .. } => {
                self.meta.inputs = inputs.clone();
                write_meta(&self.dir, &self.meta)?;
            }
            RunEvent::AttemptStarted { step_id, .. } => {
                self.close_try();
                *self.tries.entry(step_id.clone()).or_insert(0) += 1;
            }
            RunEvent::StepFinished { step_id, result, .. } => {
                self.close_try();
                if self.policy.output_from_result.contains(step_id) {
                    self.output_from_result(step_id, result)?;
                }
            }
            _ => {}
        }
        self.append(event)?;
        match event {
            RunEvent::StepStarted { step, .. } if self.policy.sync_before.contains(&step.id) => self.sync(),
            RunEvent::RunFinished { status, finished_at, duration_ms } => {
                self.sync()?;
                sync_dir(&self.dir.join(ARTIFACTS_DIR))?;
                self.meta.status = Some(status.as_str().to_owned());
                self.meta.finished_at = Some(finished_at.clone());
                self.meta.duration_ms = Some(*duration_ms);
                write_meta(&self.dir, &self.meta)?;
                sync_dir(&self.dir)
            }
            // Prompts (`confirmation_requested`, and any later `*_requested`): a person may
            // take a long time to answer, and what led here must survive meanwhile.
            _ if is_prompt(&self.line) => self.sync(),
            _ => Ok(()),
        }
    }

    /// One event as one line, in one write.
    fn append(&mut self, event: &RunEvent) -> Result<(), JournalError> {
        self.line.clear();
        let path = || self.dir.join(EVENTS_FILE);
        serde_json::to_writer(&mut self.line, event)
            .map_err(|error| JournalError::Write { path: path(), source: std::io::Error::other(error) })?;
        self.line.push(b'\n');
        self.events.write_all(&self.line).map_err(|source| JournalError::Write { path: path(), source })
    }

    fn output(&mut self, step_id: &str, stream: OutputStream, bytes: &[u8]) -> Result<(), JournalError> {
        if self.policy.output_from_result.contains(step_id) || bytes.is_empty() {
            return Ok(());
        }
        let try_number = self.tries.get(step_id).copied().unwrap_or(1);
        let same = self.current.as_ref().is_some_and(|c| c.step_id == step_id && c.try_number == try_number);
        if !same {
            self.close_try();
            self.current = Some(TryFiles { step_id: step_id.to_owned(), try_number, streams: [None, None] });
        }
        let index = usize::from(stream == OutputStream::Stderr);
        let path = self.artifact_path(step_id, &try_number.to_string(), stream);
        let Some(current) = self.current.as_mut() else { return Ok(()) };
        if current.streams[index].is_none() {
            let file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .map_err(|source| JournalError::Create { path: path.clone(), source })?;
            current.streams[index] = Some(file);
        }
        match &mut current.streams[index] {
            Some(file) => file.write_all(bytes).map_err(|source| JournalError::Write { path, source }),
            None => Ok(()),
        }
    }

    /// A step whose output is not streamed: its result's `stdout`/`stderr` (masked after its
    /// captures), or each item's for `for_each`.
    fn output_from_result(&mut self, step_id: &str, result: &Value) -> Result<(), JournalError> {
        let mut tries = vec![("1".to_owned(), result)];
        if let Some(items) = result.get("items").and_then(Value::as_array) {
            tries = items.iter().enumerate().map(|(i, item)| ((i + 1).to_string(), item)).collect();
        }
        for (name, result) in tries {
            for stream in [OutputStream::Stdout, OutputStream::Stderr] {
                let key = if stream == OutputStream::Stdout { "stdout" } else { "stderr" };
                let Some(text) = result.get(key).and_then(Value::as_str).filter(|t| !t.is_empty()) else { continue };
                let path = self.artifact_path(step_id, &name, stream);
                let mut file =
                    File::create(&path).map_err(|source| JournalError::Create { path: path.clone(), source })?;
                file.write_all(text.as_bytes()).map_err(|source| JournalError::Write { path, source })?;
            }
        }
        Ok(())
    }

    fn artifact_path(&self, step_id: &str, try_name: &str, stream: OutputStream) -> PathBuf {
        let suffix = if stream == OutputStream::Stdout { "stdout" } else { "stderr" };
        self.dir.join(ARTIFACTS_DIR).join(format!("{step_id}.{try_name}.{suffix}"))
    }

    /// The running try's files are done (closed: a run of 10,000 steps must not hold 10,000
    /// descriptors).
    fn close_try(&mut self) {
        self.current = None;
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

/// Writes `run.json` through a temporary file and a rename, so a reader never sees half of it.
fn write_meta(dir: &Path, meta: &RunMeta) -> Result<(), JournalError> {
    let path = dir.join(META_FILE);
    let temporary = dir.join(format!("{META_FILE}.tmp"));
    let text = serde_json::to_vec_pretty(meta)
        .map_err(|error| JournalError::Write { path: path.clone(), source: std::io::Error::other(error) })?;
    let write = || -> std::io::Result<()> {
        let mut file = File::create(&temporary)?;
        file.write_all(&text)?;
        file.write_all(b"\n")?;
        file.sync_data()?;
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
