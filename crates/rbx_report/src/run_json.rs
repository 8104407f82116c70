//! `rbx run --format json`: one JSON document describing the whole run, printed at its end.
//! The shape is documented in docs/run-record.md.

use std::collections::HashMap;
use std::io::Write;

use rbx_checks::CheckFailure;
use rbx_exec::events::{EventSink, RunEvent, RunStatus, StepInfo, StepOutcome};
use serde::Serialize;
use serde_json::Value;

/// A step as the run record shows it.
#[derive(Debug, Clone, Serialize)]
pub struct StepRecord {
    /// Static facts.
    #[serde(flatten)]
    pub info: StepInfo,
    /// How it ended.
    pub outcome: StepOutcome,
    /// When it started and finished (RFC 3339).
    pub started_at: String,
    /// Finish time.
    pub finished_at: String,
    /// Duration in milliseconds.
    pub duration_ms: u64,
    /// Tries made.
    pub attempts: u32,
    /// The result later steps saw (masked).
    pub result: Value,
    /// Failed checks.
    pub failures: Vec<CheckFailure>,
    /// Why it failed when no check did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Variables it set.
    pub captured: Vec<String>,
    /// The answer to its `confirm:` question, if it had one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirmation: Option<Value>,
    /// Messages it showed (notes).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<String>,
}

/// The whole run.
#[derive(Debug, Clone, Serialize, Default)]
pub struct RunRecord {
    /// Format version of this document.
    pub record_version: u32,
    /// The run's id.
    pub run_id: String,
    /// The runbook's id.
    pub runbook: String,
    /// Its title.
    pub title: String,
    /// Its file.
    pub file: String,
    /// How it ended.
    pub status: Option<RunStatus>,
    /// Start time.
    pub started_at: String,
    /// End time.
    pub finished_at: String,
    /// Duration in milliseconds.
    pub duration_ms: u64,
    /// Inputs (secrets masked).
    pub inputs: Value,
    /// Steps in the order they ran.
    pub steps: Vec<StepRecord>,
}

/// Collects events into a [`RunRecord`] and writes it when the run finishes.
pub struct JsonRecorder<W: Write + Send> {
    out: W,
    record: RunRecord,
    /// Steps started and not finished: more than one inside a `runbook` step.
    pending: Vec<(StepInfo, String)>,
    /// Per step id: a calling step's confirmation must not land on a step of the called runbook.
    messages: HashMap<String, Vec<String>>,
    confirmations: HashMap<String, Value>,
    /// The question asked, until its answer comes.
    questions: HashMap<String, String>,
}

impl<W: Write + Send> JsonRecorder<W> {
    /// A recorder writing to `out`.
    pub fn new(out: W) -> JsonRecorder<W> {
        JsonRecorder {
            out,
            record: RunRecord { record_version: 1, ..RunRecord::default() },
            pending: Vec::new(),
            messages: HashMap::new(),
            confirmations: HashMap::new(),
            questions: HashMap::new(),
        }
    }
}

impl<W: Write + Send> EventSink for JsonRecorder<W> {
    fn emit(&mut self, event: &RunEvent) {
        match event {
            RunEvent::RunStarted { run_id, runbook, title, file, started_at, inputs, .. } => {
                self.record.run_id.clone_from(run_id);
                self.record.runbook.clone_from(runbook);
                self.record.title.clone_from(title);
                self.record.file.clone_from(file);
                self.record.started_at.clone_from(started_at);
                self.record.inputs = inputs.clone();
            }
            RunEvent::StepStarted { step, at } => {
                self.pending.push((step.clone(), at.clone()));
            }
            RunEvent::Message { step_id, text } => self.messages.entry(step_id.clone()).or_default().push(text.clone()),
            RunEvent::ConfirmationRequested { step_id, question } => {
                self.questions.insert(step_id.clone(), question.clone());
            }
            RunEvent::ConfirmationAnswered { step_id, confirmed, automatic, by, reason, at } => {
                self.confirmations.insert(step_id.clone(), serde_json::json!({
                    "question": self.questions.remove(step_id),
                    "confirmed": confirmed,
                    "automatic": automatic,
                    "by": by,
                    "reason": reason,
                    "at": at,
                }));
            }
            RunEvent::StepFinished {
                step_id, outcome, at, duration_ms, attempts, result, failures, error, captured
            } => {
                if let Some((info, started_at)) = self.pending.pop() {
                    self.record.steps.push(StepRecord {
                        info,
                        outcome: *outcome,
                        started_at,
                        finished_at: at.clone(),
                        duration_ms: *duration_ms,
                        attempts: *attempts,
                        result: result.clone(),
                        failures: failures.clone(),
                        error: error.clone(),
                        captured: captured.clone(),
                        messages: self.messages.remove(step_id).unwrap_or_default(),
                        confirmation: self.confirmations.remove(step_id),
                    });
                }
            }
            RunEvent::RunFinished { status, finished_at, duration_ms } => {
                self.record.status = Some(*status);
                self.record.finished_at.clone_from(finished_at);
                self.record.duration_ms = *duration_ms;
                if let Ok(text) = serde_json::to_string_pretty(&self.record) {
                    let _ = writeln!(self.out, "{text}");
                    let _ = self.out.flush();
                }
            }
            RunEvent::AttemptStarted { .. }
            | RunEvent::RetryScheduled { .. }
            | RunEvent::Output { .. }
            // The step's result holds who acknowledged a manual step and the answers.
            | RunEvent::ManualRequested { .. }
            | RunEvent::ManualAnswered { .. } => {}
        }
    }
}
