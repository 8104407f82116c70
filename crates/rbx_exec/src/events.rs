//! Run events: the one interface between the engine and everything that shows or records a
//! run (terminal, JSON, journal, JUnit, report). The engine never prints; it emits these,
//! already masked.

use rbx_checks::CheckFailure;
use serde::Serialize;
use serde_json::Value;

/// How a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StepOutcome {
    /// Ran and met its expectation.
    Passed,
    /// Ran and did not; the run stops (then `finally`).
    Failed,
    /// Failed with `on_failure: continue`; the run goes on.
    Tolerated,
    /// Its `when` did not hold.
    Skipped,
    /// Its confirmation was refused.
    Declined,
    /// Waiting for a person.
    Pending,
}

impl StepOutcome {
    /// The lowercase word.
    pub fn as_str(self) -> &'static str {
        match self {
            StepOutcome::Passed => "passed",
            StepOutcome::Failed => "failed",
            StepOutcome::Tolerated => "tolerated",
            StepOutcome::Skipped => "skipped",
            StepOutcome::Declined => "declined",
            StepOutcome::Pending => "pending",
        }
    }
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    /// Every step passed, was skipped or tolerated.
    Passed,
    /// A step failed.
    Failed,
    /// A confirmation was refused.
    Declined,
    /// A manual step waits for a person.
    Pending,
    /// Stopped by Ctrl-C.
    Interrupted,
}

impl RunStatus {
    /// The lowercase word (also `run.status` in `finally`).
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Passed => "passed",
            RunStatus::Failed => "failed",
            RunStatus::Declined => "declined",
            RunStatus::Pending => "pending",
            RunStatus::Interrupted => "interrupted",
        }
    }
}

/// Which stream a chunk of output came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputStream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// Static facts about a step, sent when it starts.
#[derive(Debug, Clone, Serialize)]
pub struct StepInfo {
    /// The step id.
    pub id: String,
    /// Position among `steps` then `finally`.
    pub index: usize,
    /// Its title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Its phase.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<&'static str>,
    /// Its kind key.
    pub kind: &'static str,
    /// Whether it is in `finally`.
    pub in_finally: bool,
}

/// Something that happened during a run. Every string in it is masked.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum RunEvent {
    /// The run began.
    RunStarted {
        /// The run's id.
        run_id: String,
        /// The runbook's id.
        runbook: String,
        /// Its title.
        title: String,
        /// The file it came from.
        file: String,
        /// RFC 3339 time.
        started_at: String,
        /// Resolved inputs (secrets masked).
        inputs: Value,
        /// Steps in `steps` and `finally`.
        step_count: usize,
        /// Their ids, in order (reporters size their columns from them).
        step_ids: Vec<String>,
        /// The steps of the runbooks that `runbook` steps call, as `CALL/STEP` (nested calls
        /// too): they show in the run's output under those ids.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        called_step_ids: Vec<String>,
    },
    /// A step began (after its `when` held, or to be skipped).
    StepStarted {
        /// The step.
        step: StepInfo,
        /// RFC 3339 time.
        at: String,
    },
    /// A try of a step began.
    AttemptStarted {
        /// The step id.
        step_id: String,
        /// The `for_each` index, for a try of one item.
        #[serde(skip_serializing_if = "Option::is_none")]
        item: Option<usize>,
        /// 1-based.
        attempt: u32,
        /// What is being done, for humans (the rendered command, masked).
        #[serde(skip_serializing_if = "Option::is_none")]
        action: Option<String>,
    },
    /// A try failed and another follows after `delay_ms`.
    RetryScheduled {
        /// The step id.
        step_id: String,
        /// The `for_each` index, for a try of one item.
        #[serde(skip_serializing_if = "Option::is_none")]
        item: Option<usize>,
        /// The try that failed.
        attempt: u32,
        /// Why it failed.
        reason: String,
        /// Wait before the next try.
        delay_ms: u64,
    },
    /// A chunk of a step's output (for live streaming).
    Output {
        /// The step id.
        step_id: String,
        /// The `for_each` index, for a try of one item.
        #[serde(skip_serializing_if = "Option::is_none")]
        item: Option<usize>,
        /// Which stream.
        stream: OutputStream,
        /// The text.
        text: String,
    },
    /// A step waits for a person to confirm it (`confirm:`).
    ConfirmationRequested {
        /// The step id.
        step_id: String,
        /// The rendered question.
        question: String,
    },
    /// The confirmation was answered.
    ConfirmationAnswered {
        /// The step id.
        step_id: String,
        /// Whether the step may run.
        confirmed: bool,
        /// Confirmed by `--yes` rather than by a person.
        automatic: bool,
        /// Who answered (confirmed only).
        #[serde(skip_serializing_if = "Option::is_none")]
        by: Option<String>,
        /// Why it was declined.
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        /// RFC 3339 time.
        at: String,
    },
    /// A `manual` step waits for a person.
    ManualRequested {
        /// The step id.
        step_id: String,
        /// The rendered instructions.
        instructions: String,
        /// The rendered checklist.
        checklist: Vec<String>,
        /// Names of the values asked for.
        ask: Vec<String>,
    },
    /// The `manual` step was done, or left pending.
    ManualAnswered {
        /// The step id.
        step_id: String,
        /// Whether it was done.
        acknowledged: bool,
        /// Acknowledged by `--yes` rather than by a person.
        automatic: bool,
        /// Who acknowledged it.
        #[serde(skip_serializing_if = "Option::is_none")]
        by: Option<String>,
        /// The values supplied (masked).
        answers: Value,
        /// Why it is pending.
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        /// RFC 3339 time.
        at: String,
    },
    /// A message for the operator (`note` steps).
    Message {
        /// The step id.
        step_id: String,
        /// The message.
        text: String,
    },
    /// A step ended.
    StepFinished {
        /// The step id.
        step_id: String,
        /// How it ended.
        outcome: StepOutcome,
        /// RFC 3339 time.
        at: String,
        /// Duration of the whole step (all tries).
        duration_ms: u64,
        /// Tries made.
        attempts: u32,
        /// The result as later steps see it.
        result: Value,
        /// Checks that failed.
        failures: Vec<CheckFailure>,
        /// Why it failed when no check did (spawn error, timeout, template error).
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<String>,
        /// Names of the variables it set.
        captured: Vec<String>,
    },
    /// The run ended (after `finally`).
    RunFinished {
        /// How.
        status: RunStatus,
        /// RFC 3339 time.
        finished_at: String,
        /// Total duration.
        duration_ms: u64,
    },
}

/// Anything that consumes run events.
pub trait EventSink: Send {
    /// Called for every event, in order.
    fn emit(&mut self, event: &RunEvent);
}

/// Sends every event to several sinks.
#[derive(Default)]
pub struct Fanout {
    sinks: Vec<Box<dyn EventSink>>,
}

impl Fanout {
    /// An empty fan-out.
    pub fn new() -> Fanout {
        Fanout::default()
    }

    /// Adds a sink.
    pub fn push(&mut self, sink: Box<dyn EventSink>) {
        self.sinks.push(sink);
    }
}

impl EventSink for Fanout {
    fn emit(&mut self, event: &RunEvent) {
        for sink in &mut self.sinks {
            sink.emit(event);
        }
    }
}
