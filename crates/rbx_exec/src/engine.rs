//! The engine loop: steps in order, `when`, tries with timeouts and retries, expectations,
//! captures, `on_failure`, then `finally`. It emits [`RunEvent`]s and never prints.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rbx_checks::{CheckFailure, evaluate_all};
use rbx_model::{Backoff, ForEach, OnDecline, OnFailure, Retry, Runbook, Step, StepKind};
use rbx_template::{Renderer, Template};
use serde_json::{Map, Value, json};
use tokio::sync::watch;

use crate::confirm::{ConfirmRequest, Confirmation, Confirmer};
use crate::context::{RunContext, TemplateOperands};
use crate::events::{EventSink, RunEvent, RunStatus, StepInfo, StepOutcome};
use crate::kinds::{self, Attempt};
use crate::masking::{Masker, SharedMasker};
use crate::prepare::Prepared;

/// How often `until` re-runs a step when it sets no `interval`.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(2);

/// A step's default timeout when neither the step nor `defaults` sets one.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// How to run, beyond the runbook and its inputs.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The run's id.
    pub run_id: String,
    /// Emit `Output` events as a step prints (for `-v`).
    pub stream_output: bool,
    /// The environment templates see as `env`.
    pub env: Map<String, Value>,
    /// Who runs it.
    pub user: String,
    /// Where.
    pub host: String,
    /// The incident label, if any.
    pub incident: Option<String>,
    /// Bytes of each output stream kept in a result.
    pub output_cap: usize,
    /// Kept up to date with the run's masker, for writers outside the engine (`RBX_LOG`).
    pub log_masker: SharedMasker,
    /// Kills running steps' process groups if rbx dies (see [`crate::watchdog`]).
    pub watchdog: Option<Arc<crate::watchdog::Watchdog>>,
    /// Answers `confirm:` questions.
    pub confirmer: Arc<dyn Confirmer>,
}

/// How a run ended.
#[derive(Debug, Clone)]
pub struct RunSummary {
    /// The run's id.
    pub run_id: String,
    /// Its status.
    pub status: RunStatus,
    /// Steps that ended with each outcome.
    pub outcomes: Vec<(String, StepOutcome)>,
}

/// One run of one runbook.
pub struct Engine<'s> {
    runbook: Arc<Runbook>,
    pub(crate) renderer: Renderer,
    pub(crate) masker: Arc<Masker>,
    pub(crate) context: RunContext,
    operand_cache: Mutex<HashMap<String, Template>>,
    pub(crate) sink: &'s mut dyn EventSink,
    pub(crate) cancel: watch::Receiver<bool>,
    pub(crate) options: RunOptions,
}

/// The result of one step, before it is recorded.
struct StepReport {
    outcome: StepOutcome,
    result: Map<String, Value>,
    failures: Vec<CheckFailure>,
    error: Option<String>,
    attempts: u32,
    captured: Vec<String>,
}

impl<'s> Engine<'s> {
    /// Prepares a run; nothing runs until [`Engine::run`].
    pub fn new(
        runbook: Arc<Runbook>,
        prepared: Prepared,
        options: RunOptions,
        sink: &'s mut dyn EventSink,
        cancel: watch::Receiver<bool>,
    ) -> Engine<'s> {
        let masker = Arc::new(Masker::new(prepared.secret_values()));
        let mut run = Map::new();
        run.insert("id".into(), json!(options.run_id));
        run.insert("runbook".into(), json!(runbook.id.value));
        run.insert("title".into(), json!(runbook.display_title()));
        run.insert("severity".into(), json!(runbook.severity.as_ref().map(|s| s.value.as_str())));
        run.insert("started_at".into(), json!(now()));
        run.insert("user".into(), json!(options.user));
        run.insert("host".into(), json!(options.host));
        run.insert("incident".into(), json!(options.incident));
        let context = RunContext::new(prepared.inputs, prepared.secrets, options.env.clone(), run);
        options.log_masker.set(Arc::clone(&masker));
        Engine {
            runbook,
            renderer: Renderer::new(),
            masker,
            context,
            operand_cache: Mutex::new(HashMap::new()),
            sink,
            cancel,
            options,
        }
    }

    /// Runs `steps`, then `finally`, and reports how it went.
    pub async fn run(mut self) -> RunSummary {
        let started = Instant::now();
        let runbook = Arc::clone(&self.runbook);
        let inputs = self.masker.mask_json(&self.context.value()["inputs"]);
        self.sink.emit(&RunEvent::RunStarted {
            run_id: self.options.run_id.clone(),
            runbook: runbook.id.value.clone(),
            title: runbook.display_title().to_owned(),
            file: runbook.file.path().display().to_string(),
            started_at: now(),
            inputs,
            step_count: runbook.steps.len() + runbook.finally.len(),
            step_ids: runbook.all_steps().map(|step| step.id.value.clone()).collect(),
        });
        tracing::info!(run_id = %self.options.run_id, runbook = %runbook.id.value, "run started");
        let mut outcomes = Vec::new();
        let mut status = RunStatus::Passed;
        for (index, step) in runbook.steps.iter().enumerate() {
            if self.cancelled() {
                status = RunStatus::Interrupted;
                break;
            }
            let outcome = self.run_step(step, index).await;
            outcomes.push((step.id.value.clone(), outcome));
            if self.cancelled() {
                status = RunStatus::Interrupted;
                break;
            }
            if outcome == StepOutcome::Failed {
                status = RunStatus::Failed;
                break;
            }
            if outcome == StepOutcome::Declined && step.on_decline == OnDecline::Stop {
                status = RunStatus::Declined;
                break;
            }
        }
        self.context.set_run_field("status", json!(status.as_str()));
        // `finally` runs whatever happened, even after Ctrl-C, so it gets a fresh cancel
        // signal: only a second Ctrl-C (which exits at once) stops it.
        let (_keep_alive, finally_cancel) = watch::channel(false);
        self.cancel = finally_cancel;
        for (offset, step) in runbook.finally.iter().enumerate() {
            let outcome = self.run_step(step, runbook.steps.len() + offset).await;
            outcomes.push((step.id.value.clone(), outcome));
            if outcome == StepOutcome::Failed && status == RunStatus::Passed {
                status = RunStatus::Failed;
            }
            if outcome == StepOutcome::Declined && step.on_decline == OnDecline::Stop && status == RunStatus::Passed {
                status = RunStatus::Declined;
            }
        }
        tracing::info!(run_id = %self.options.run_id, status = status.as_str(), "run finished");
        self.sink.emit(&RunEvent::RunFinished { status, finished_at: now(), duration_ms: millis(started.elapsed()) });
        RunSummary { run_id: self.options.run_id.clone(), status, outcomes }
    }

    pub(crate) fn cancelled(&self) -> bool {
        *self.cancel.borrow()
    }

    async fn run_step(&mut self, step: &Step, index: usize) -> StepOutcome {
        let started = Instant::now();
        self.sink.emit(&RunEvent::StepStarted {
            step: StepInfo {
                id: step.id.value.clone(),
                index,
                title: step.title.clone(),
                phase: step.phase.map(|p| p.as_str()),
                kind: step.kind.name(),
                in_finally: step.in_finally,
            },
            at: now(),
        });
        let skipped = |error: Option<String>| StepReport {
            outcome: if error.is_some() { StepOutcome::Failed } else { StepOutcome::Skipped },
            result: Map::new(),
            failures: Vec::new(),
            error,
            attempts: 0,
            captured: Vec::new(),
        };
        let report = match self.when_holds(&step.when) {
            Ok(true) => match self.confirmation(step).await {
                Ok(true) => {
                    let report = match &step.for_each {
                        Some(for_each) => self.run_items(step, for_each).await,
                        None => self.run_tries(step).await,
                    };
                    self.conclude(step, report)
                }
                Ok(false) => StepReport { outcome: StepOutcome::Declined, ..skipped(None) },
                Err(error) => StepReport { outcome: StepOutcome::Failed, ..skipped(Some(error)) },
            },
            Ok(false) => skipped(None),
            // A `when` that cannot be evaluated is a broken runbook, not a "no": running or
            // silently skipping the step would both hide it.
            Err(error) => {
                let mut report = skipped(Some(format!("when: {error}")));
                if step.on_failure == OnFailure::Continue {
                    report.outcome = StepOutcome::Tolerated;
                }
                report
            }
        };
        self.record(step, report, started)
    }

    /// Asks the step's `confirm:` question, if it has one; whether the step may run.
    async fn confirmation(&mut self, step: &Step) -> Result<bool, String> {
        let Some(question) = &step.confirm else { return Ok(true) };
        let question = self
            .renderer
            .render_text(&question.template, rbx_template::Destination::Text, self.context.value())
            .map_err(|error| format!("confirm: template: {error}"))?;
        let question = self.masker.mask_str(&question).into_owned();
        self.sink.emit(&RunEvent::ConfirmationRequested { step_id: step.id.value.clone(), question: question.clone() });
        let request = ConfirmRequest { step_id: step.id.value.clone(), title: step.title.clone(), question };
        let confirmer = Arc::clone(&self.options.confirmer);
        // Waiting for a person must not stall the runtime's other work.
        let answer = tokio::task::spawn_blocking(move || confirmer.confirm(&request))
            .await
            .unwrap_or_else(|_| Confirmation::Declined { reason: "the prompt failed".to_owned() });
        let (confirmed, automatic, by, reason) = match answer {
            Confirmation::Confirmed { by, automatic } => (true, automatic, Some(by), None),
            Confirmation::Declined { reason } => (false, false, None, Some(reason)),
        };
        tracing::info!(step = %step.id.value, confirmed, automatic, "confirmation answered");
        self.sink.emit(&RunEvent::ConfirmationAnswered {
            step_id: step.id.value.clone(),
            confirmed,
            automatic,
            by,
            reason,
            at: now(),
        });
        Ok(confirmed)
    }

    /// Whether a `when` holds; an error when one of its operands cannot be rendered.
    fn when_holds(&self, checks: &[rbx_checks::Check]) -> Result<bool, String> {
        if checks.is_empty() {
            return Ok(true);
        }
        let context = self.context.value();
        let operands = TemplateOperands::new(&self.renderer, context, &self.operand_cache);
        let result = evaluate_all(checks, context, &operands);
        match operands.render_error() {
            Some(error) => Err(error),
            None => Ok(result.passed),
        }
    }

    /// Evaluates checks over the run context; the failures (empty when all hold).
    pub(crate) fn holds(&self, checks: &[rbx_checks::Check]) -> Vec<CheckFailure> {
        if checks.is_empty() {
            return Vec::new();
        }
        let context = self.context.value();
        let operands = TemplateOperands::new(&self.renderer, context, &self.operand_cache);
        evaluate_all(checks, context, &operands).failures
    }

    async fn run_tries(&mut self, step: &Step) -> StepReport {
        if let Some(until) = &step.until {
            return self.poll_until(step, until).await;
        }
        let retry = step.retry.clone().or_else(|| self.runbook.defaults.retry.clone());
        let attempts_allowed = retry.as_ref().map_or(1, |r| r.attempts.max(1));
        let mut attempt_number = 0;
        loop {
            attempt_number += 1;
            let attempt = self.attempt(step, attempt_number, self.timeout_of(step)).await;
            let failures = self.expectation_failures(step, &attempt);
            let failed = attempt.error.is_some() || !failures.is_empty();
            let can_retry = failed && attempt_number < attempts_allowed && !self.cancelled() && !attempt.cancelled;
            if can_retry && let Some(retry) = &retry {
                let delay = retry_delay(retry, attempt_number);
                let reason = self.failure_reason(&attempt, &failures);
                self.sink.emit(&RunEvent::RetryScheduled {
                    step_id: step.id.value.clone(),
                    attempt: attempt_number,
                    reason,
                    delay_ms: millis(delay),
                });
                if self.sleep(delay).await {
                    continue;
                }
            }
            return self.finish_tries(step, attempt, failures, attempt_number);
        }
    }

    /// Re-runs the step every `interval` until its `until` checks hold over its result; the
    /// step's timeout bounds the whole polling, and a try that fails its expectation counts
    /// as "not yet".
    async fn poll_until(&mut self, step: &Step, until: &[rbx_checks::Check]) -> StepReport {
        let budget = self.timeout_of(step).unwrap_or(DEFAULT_TIMEOUT);
        let interval = step.interval.unwrap_or(DEFAULT_INTERVAL);
        let deadline = Instant::now() + budget;
        let mut number = 0;
        loop {
            number += 1;
            let remaining = deadline.saturating_duration_since(Instant::now());
            let mut attempt = self.attempt(step, number, Some(remaining)).await;
            let mut failures = self.expectation_failures(step, &attempt);
            if attempt.error.is_none() && failures.is_empty() {
                failures = self.result_failures(until, &attempt);
                if failures.is_empty() {
                    return self.finish_tries(step, attempt, failures, number);
                }
            }
            let reason = self.failure_reason(&attempt, &failures);
            if self.cancelled() || attempt.cancelled {
                return self.finish_tries(step, attempt, failures, number);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            // No try starts after the deadline, nor one squeezed into what is left after the
            // wait: it could only time out.
            if left <= interval {
                if !left.is_zero() {
                    self.sleep(left).await;
                }
                attempt.error = Some(format!(
                    "`until` did not hold within {} ({number} tries); last: {reason}",
                    rbx_model::format_duration(budget)
                ));
                return self.finish_tries(step, attempt, failures, number);
            }
            self.sink.emit(&RunEvent::RetryScheduled {
                step_id: step.id.value.clone(),
                attempt: number,
                reason: format!("not yet: {reason}"),
                delay_ms: millis(interval),
            });
            if !self.sleep(interval).await {
                return self.finish_tries(step, attempt, failures, number);
            }
        }
    }

    /// Checks over a try's result (`expect`, `until`).
    fn result_failures(&self, checks: &[rbx_checks::Check], attempt: &Attempt) -> Vec<CheckFailure> {
        let subject = Value::Object(attempt.result.clone());
        let operands = TemplateOperands::new(&self.renderer, self.context.value(), &self.operand_cache);
        evaluate_all(checks, &subject, &operands).failures
    }

    fn finish_tries(
        &mut self,
        _step: &Step,
        attempt: Attempt,
        failures: Vec<CheckFailure>,
        attempts: u32,
    ) -> StepReport {
        StepReport {
            outcome: StepOutcome::Passed,
            result: attempt.result,
            failures,
            error: attempt.error,
            attempts,
            captured: Vec::new(),
        }
    }

    /// After the tries (of every item): captures when the step succeeded, then its outcome.
    fn conclude(&mut self, step: &Step, mut report: StepReport) -> StepReport {
        if report.error.is_none() && report.failures.is_empty() {
            self.capture(step, &mut report);
        }
        if report.error.is_some() || !report.failures.is_empty() {
            report.outcome =
                if step.on_failure == OnFailure::Continue { StepOutcome::Tolerated } else { StepOutcome::Failed };
        }
        report
    }

    /// `for_each`: the step's tries once per item, in order, with `item` and `index` set; the
    /// result is `{ items: [...] }` and the step fails if any item fails.
    async fn run_items(&mut self, step: &Step, for_each: &ForEach) -> StepReport {
        let items = match crate::data::for_each_items(&self.renderer, for_each, self.context.value()) {
            Ok(items) => items,
            Err(error) => {
                return StepReport {
                    outcome: StepOutcome::Failed,
                    result: Map::new(),
                    failures: Vec::new(),
                    error: Some(self.masker.mask_str(&format!("for_each: {error}")).into_owned()),
                    attempts: 0,
                    captured: Vec::new(),
                };
            }
        };
        let mut results = Vec::with_capacity(items.len());
        let mut failures = Vec::new();
        let mut error = None;
        let mut attempts = 0;
        for (index, item) in items.into_iter().enumerate() {
            if self.cancelled() {
                error.get_or_insert_with(|| "interrupted".to_owned());
                break;
            }
            self.context.set_item(item, index);
            let report = self.run_tries(step).await;
            attempts += report.attempts;
            let item_failed = report.error.is_some() || !report.failures.is_empty();
            if let Some(item_error) = &report.error {
                error.get_or_insert_with(|| format!("item {index}: {item_error}"));
            }
            failures.extend(report.failures);
            let mut result = report.result;
            result.insert("outcome".into(), json!(if item_failed { "failed" } else { "passed" }));
            results.push(Value::Object(result));
        }
        self.context.clear_item();
        let failed: Vec<String> = results
            .iter()
            .enumerate()
            .filter(|(_, r)| r["outcome"] == "failed")
            .map(|(index, _)| index.to_string())
            .collect();
        if error.is_none() && !failed.is_empty() {
            error = Some(format!("{} of {} items failed (index {})", failed.len(), results.len(), failed.join(", ")));
        }
        let mut result = Map::new();
        result.insert("items".into(), Value::Array(results));
        StepReport { outcome: StepOutcome::Passed, result, failures, error, attempts, captured: Vec::new() }
    }

    async fn attempt(&mut self, step: &Step, number: u32, timeout: Option<Duration>) -> Attempt {
        tracing::debug!(step = %step.id.value, attempt = number, ?timeout, "attempt started");
        let started = Instant::now();
        let mut attempt = kinds::execute(self, step, number, timeout).await;
        attempt.result.insert("duration_ms".into(), json!(millis(started.elapsed())));
        attempt
    }

    /// The step's own `expect`, or its kind's default expectation.
    fn expectation_failures(&self, step: &Step, attempt: &Attempt) -> Vec<CheckFailure> {
        if attempt.error.is_some() {
            return attempt.failures.clone();
        }
        match &step.expect {
            Some(checks) => {
                let mut failures = attempt.failures.clone();
                failures.extend(self.result_failures(checks, attempt));
                failures
            }
            None => {
                let subject = Value::Object(attempt.result.clone());
                kinds::default_expectation(&step.kind, &subject, &attempt.failures)
            }
        }
    }

    fn capture(&mut self, step: &Step, report: &mut StepReport) {
        if step.capture.is_empty() {
            return;
        }
        let subject = Value::Object(report.result.clone());
        for capture in &step.capture {
            match rbx_checks::capture(&capture.path, capture.regex.as_ref(), &subject) {
                Ok(value) => {
                    if capture.secret {
                        let secret_text = match &value {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        Arc::make_mut(&mut self.masker).add(secret_text);
                        self.options.log_masker.set(Arc::clone(&self.masker));
                    }
                    self.context.set_var(&capture.name.value, value);
                    report.captured.push(capture.name.value.clone());
                }
                Err(error) => {
                    report.error = Some(format!("capture `{}`: {error}", capture.name.value));
                    return;
                }
            }
        }
    }

    fn record(&mut self, step: &Step, report: StepReport, started: Instant) -> StepOutcome {
        let mut result = report.result;
        result.insert("outcome".into(), json!(report.outcome.as_str()));
        let result = Value::Object(result);
        let masked_result = self.masker.mask_json(&result);
        let failures = report.failures.iter().map(|f| self.masked_failure(f)).collect();
        tracing::debug!(
            step = %step.id.value,
            outcome = report.outcome.as_str(),
            attempts = report.attempts,
            error = report.error.as_deref().unwrap_or(""),
            "step finished"
        );
        tracing::trace!(step = %step.id.value, result = %result, "step result");
        self.context.set_step(&step.id.value, result);
        self.sink.emit(&RunEvent::StepFinished {
            step_id: step.id.value.clone(),
            outcome: report.outcome,
            at: now(),
            duration_ms: millis(started.elapsed()),
            attempts: report.attempts,
            result: masked_result,
            failures,
            error: report.error.map(|e| self.masker.mask_str(&e).into_owned()),
            captured: report.captured,
        });
        report.outcome
    }

    /// Why a try did not pass, in one masked line. Masked before formatting: the text cuts long
    /// values, and a secret cut in half would no longer be recognised.
    fn failure_reason(&self, attempt: &Attempt, failures: &[CheckFailure]) -> String {
        match (&attempt.error, failures.first()) {
            (Some(error), _) => self.masker.mask_str(error).into_owned(),
            (None, Some(failure)) => self.masked_failure(failure).to_string(),
            (None, None) => String::new(),
        }
    }

    /// A check failure with every value masked, ready to leave the engine.
    fn masked_failure(&self, failure: &CheckFailure) -> CheckFailure {
        CheckFailure {
            expected: self.masker.mask_json(&failure.expected),
            actual: failure.actual.as_ref().map(|a| self.masker.mask_json(a)),
            reason: failure.reason.as_ref().map(|r| self.masker.mask_str(r).into_owned()),
            message: failure.message.as_ref().map(|m| self.masker.mask_str(m).into_owned()),
            ..failure.clone()
        }
    }

    fn timeout_of(&self, step: &Step) -> Option<Duration> {
        match (&step.kind, step.timeout, self.runbook.defaults.timeout) {
            (_, Some(own), _) => Some(own),
            (StepKind::Wait(_) | StepKind::Runbook(_) | StepKind::Manual(_), None, _) => None,
            (_, None, Some(default)) => Some(default),
            (_, None, None) => Some(DEFAULT_TIMEOUT),
        }
    }

    /// Sleeps unless cancelled; false when cancelled.
    pub(crate) async fn sleep(&mut self, duration: Duration) -> bool {
        if self.cancelled() {
            return false;
        }
        tokio::select! {
            () = tokio::time::sleep(duration) => true,
            _ = self.cancel.wait_for(|cancelled| *cancelled) => false,
        }
    }

    /// The runbook being run.
    pub(crate) fn runbook(&self) -> &Runbook {
        &self.runbook
    }
}

/// The wait before try `failed_attempt + 1`.
pub fn retry_delay(retry: &Retry, failed_attempt: u32) -> Duration {
    let base = match retry.backoff {
        Backoff::Constant => retry.delay,
        Backoff::Exponential => {
            let factor = 2u32.saturating_pow(failed_attempt.saturating_sub(1));
            retry.delay.saturating_mul(factor)
        }
    };
    let capped = retry.max_delay.map_or(base, |max| base.min(max));
    if retry.jitter {
        let fraction = 0.5 + rand::random::<f64>() * 0.5;
        capped.mul_f64(fraction)
    } else {
        capped
    }
}

/// Now, RFC 3339 UTC.
pub fn now() -> String {
    jiff::Timestamp::now().round(jiff::Unit::Millisecond).map(|t| t.to_string()).unwrap_or_default()
}

pub(crate) fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}
