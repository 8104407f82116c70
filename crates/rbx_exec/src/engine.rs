//! The engine loop: steps in order, `when`, tries with timeouts and retries, expectations,
//! captures, `on_failure`, then `finally`. It emits [`RunEvent`]s and never prints.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use rbx_checks::{CheckFailure, evaluate_all};
use rbx_model::{Backoff, ForEach, OnDecline, OnFailure, Retry, Runbook, Step, StepKind};
use rbx_template::{Renderer, Template};
use serde_json::{Map, Value, json};
use tokio::sync::watch;

use crate::confirm::{Acknowledgement, ConfirmRequest, Confirmation, Confirmer, ManualRequest};
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
    /// Answers `confirm:` questions and `manual` steps.
    pub confirmer: Arc<dyn Confirmer>,
    /// The steps that run (`--only`, `--from`).
    pub selection: crate::Selection,
    /// HTTP clients, SQL pools and Redis connections, shared by every step of the run (and of
    /// the runbooks it calls).
    pub clients: Arc<rbx_clients::Clients>,
    /// `rbx resume`: results of the `steps` that passed (or were skipped or tolerated) in the
    /// run being resumed, by step id; they are restored, not run again.
    pub restored: Arc<HashMap<String, Value>>,
    /// `rbx resume`: the id of the run being resumed.
    pub resumed_from: Option<String>,
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
    /// The run context at the end (`steps`, `vars`, ...), unmasked: for a calling runbook.
    pub context: Value,
}

/// One run of one runbook.
pub struct Engine<'s> {
    runbook: Arc<Runbook>,
    pub(crate) renderer: Renderer,
    pub(crate) masker: Arc<Masker>,
    pub(crate) context: RunContext,
    operand_cache: Mutex<HashMap<String, Template>>,
    /// `--answer` values for `manual.ask`, typed.
    answers: Map<String, Value>,
    sink: Mutex<&'s mut dyn EventSink>,
    pub(crate) cancel: watch::Receiver<bool>,
    pub(crate) options: RunOptions,
}

/// The result of one step, before it is recorded.
/// What a try reads: the run context, or inside `for_each` one item's copy of it (with `item`
/// and `index`), which lets items run concurrently.
#[derive(Clone, Copy)]
pub(crate) struct Scope<'c> {
    /// The context templates and checks see.
    pub(crate) context: &'c Value,
    /// The `for_each` index, tagged on the try's events.
    pub(crate) item: Option<usize>,
}

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
        let answers = prepared.answers;
        let context = RunContext::new(prepared.inputs, prepared.secrets, options.env.clone(), run);
        options.log_masker.set(Arc::clone(&masker));
        Engine {
            runbook,
            renderer: Renderer::new(),
            masker,
            context,
            operand_cache: Mutex::new(HashMap::new()),
            answers,
            sink: Mutex::new(sink),
            cancel,
            options,
        }
    }

    /// Runs `steps`, then `finally`, and reports how it went.
    pub async fn run(mut self) -> RunSummary {
        let started = Instant::now();
        let runbook = Arc::clone(&self.runbook);
        let inputs = self.masker.mask_json(&self.context.value()["inputs"]);
        self.emit(&RunEvent::RunStarted {
            run_id: self.options.run_id.clone(),
            runbook: runbook.id.value.clone(),
            title: runbook.display_title().to_owned(),
            file: runbook.file.path().display().to_string(),
            started_at: now(),
            inputs,
            step_count: runbook.steps.len() + runbook.finally.len(),
            step_ids: runbook.all_steps().map(|step| step.id.value.clone()).collect(),
            called_step_ids: called_step_ids(&runbook, ""),
        });
        tracing::info!(run_id = %self.options.run_id, runbook = %runbook.id.value, "run started");
        let mut outcomes = Vec::new();
        let mut status = RunStatus::Passed;
        for (index, step) in runbook.steps.iter().enumerate() {
            if !self.options.selection.runs(&step.id.value, false) {
                continue;
            }
            if let Some(result) = self.options.restored.get(&step.id.value).cloned() {
                let outcome = self.restore(step, index, result);
                outcomes.push((step.id.value.clone(), outcome));
                continue;
            }
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
            if outcome == StepOutcome::Pending {
                status = RunStatus::Pending;
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
            if outcome == StepOutcome::Pending && status == RunStatus::Passed {
                status = RunStatus::Pending;
            }
        }
        tracing::info!(run_id = %self.options.run_id, status = status.as_str(), "run finished");
        self.emit(&RunEvent::RunFinished { status, finished_at: now(), duration_ms: millis(started.elapsed()) });
        RunSummary { run_id: self.options.run_id.clone(), status, outcomes, context: self.context.value().clone() }
    }

    /// A step that passed in the run being resumed: its result and captures come back, and it
    /// is shown as restored rather than run again.
    fn restore(&mut self, step: &Step, index: usize, result: Value) -> StepOutcome {
        let outcome = match result.get("outcome").and_then(Value::as_str) {
            Some("skipped") => StepOutcome::Skipped,
            Some("tolerated") => StepOutcome::Tolerated,
            _ => StepOutcome::Passed,
        };
        self.emit(&RunEvent::StepStarted { step: step_info(step, index), at: now() });
        let from = self.options.resumed_from.clone().unwrap_or_default();
        self.emit(&RunEvent::Message {
            step_id: step.id.value.clone(),
            text: format!("{} in run {from}: restored from its journal, not run again", outcome.as_str()),
        });
        let mut captured = Vec::new();
        if outcome == StepOutcome::Passed {
            for capture in &step.capture {
                if let Ok(value) = rbx_checks::capture(&capture.path, capture.regex.as_ref(), &result) {
                    self.context.set_var(&capture.name.value, value);
                    captured.push(capture.name.value.clone());
                }
            }
        }
        self.context.set_step(&step.id.value, result.clone());
        self.emit(&RunEvent::StepFinished {
            step_id: step.id.value.clone(),
            outcome,
            at: now(),
            duration_ms: 0,
            attempts: 0,
            result,
            failures: Vec::new(),
            error: None,
            captured,
        });
        outcome
    }

    pub(crate) fn cancelled(&self) -> bool {
        *self.cancel.borrow()
    }

    /// Sends an event to the sink. Items of a `for_each` emit concurrently; the lock is never
    /// held across an await.
    pub(crate) fn emit(&self, event: &RunEvent) {
        self.sink.lock().unwrap_or_else(PoisonError::into_inner).emit(event);
    }

    async fn run_step(&mut self, step: &Step, index: usize) -> StepOutcome {
        let started = Instant::now();
        self.emit(&RunEvent::StepStarted { step: step_info(step, index), at: now() });
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
                    let report = match (&step.kind, &step.for_each) {
                        (StepKind::Manual(manual), _) => self.run_manual(step, manual).await,
                        (_, Some(for_each)) => self.run_items(step, for_each).await,
                        (_, None) => self.run_tries(step, Scope { context: self.context.value(), item: None }).await,
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
        let question = match &step.for_each {
            // Asked once for every item: the person sees what the yes covers.
            Some(for_each) => match crate::data::for_each_items(&self.renderer, for_each, self.context.value()) {
                Ok(items) => format!("{question} {}", describe_items(&items)),
                Err(_) => question,
            },
            None => question,
        };
        let question = self.masker.mask_str(&question).into_owned();
        self.emit(&RunEvent::ConfirmationRequested { step_id: step.id.value.clone(), question: question.clone() });
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
        self.emit(&RunEvent::ConfirmationAnswered {
            step_id: step.id.value.clone(),
            confirmed,
            automatic,
            by,
            reason,
            at: now(),
        });
        Ok(confirmed)
    }

    /// A `manual` step: shown to the person at the run, who does it and supplies the asked
    /// values (or `--answer` / `--yes` do); each answer sets `vars.NAME`. Not done means
    /// pending: the run stops there and `rbx resume` continues from this step.
    async fn run_manual(&mut self, step: &Step, manual: &rbx_model::ManualStep) -> StepReport {
        let started = Instant::now();
        let mut report = StepReport {
            outcome: StepOutcome::Passed,
            result: Map::new(),
            failures: Vec::new(),
            error: None,
            attempts: 1,
            captured: Vec::new(),
        };
        let render = |template: &rbx_model::Tpl| {
            self.renderer
                .render_text(&template.template, rbx_template::Destination::Text, self.context.value())
                .map(|text| self.masker.mask_str(&text).into_owned())
        };
        let rendered = render(&manual.instructions).and_then(|instructions| {
            Ok((instructions, manual.checklist.iter().map(render).collect::<Result<Vec<_>, _>>()?))
        });
        let (instructions, checklist) = match rendered {
            Ok(rendered) => rendered,
            Err(error) => {
                report.error = Some(format!("template: {error}"));
                return report;
            }
        };
        self.emit(&RunEvent::ManualRequested {
            step_id: step.id.value.clone(),
            instructions: instructions.clone(),
            checklist: checklist.clone(),
            ask: manual.ask.iter().map(|ask| ask.name.value.clone()).collect(),
        });
        let given = manual
            .ask
            .iter()
            .filter_map(|ask| self.answers.get(&ask.name.value).map(|value| (ask.name.value.clone(), value.clone())))
            .collect();
        let request = ManualRequest {
            step_id: step.id.value.clone(),
            title: step.title.clone(),
            instructions,
            checklist,
            asks: manual.ask.clone(),
            answers: given,
        };
        let confirmer = Arc::clone(&self.options.confirmer);
        let answer = tokio::task::spawn_blocking(move || confirmer.acknowledge(&request))
            .await
            .unwrap_or_else(|_| Acknowledgement::Pending { reason: "the prompt failed".to_owned() });
        let at = now();
        match answer {
            Acknowledgement::Done { by, automatic, answers } => {
                tracing::info!(step = %step.id.value, automatic, "manual step acknowledged");
                self.emit(&RunEvent::ManualAnswered {
                    step_id: step.id.value.clone(),
                    acknowledged: true,
                    automatic,
                    by: Some(by.clone()),
                    answers: self.masker.mask_json(&Value::Object(answers.clone())),
                    reason: None,
                    at,
                });
                for (name, value) in &answers {
                    self.context.set_var(name, value.clone());
                    report.captured.push(name.clone());
                }
                report.result.insert("acknowledged_by".into(), json!(by));
                report.result.insert("automatic".into(), json!(automatic));
                report.result.insert("answers".into(), Value::Object(answers));
            }
            Acknowledgement::Pending { reason } => {
                tracing::info!(step = %step.id.value, %reason, "manual step pending");
                self.emit(&RunEvent::ManualAnswered {
                    step_id: step.id.value.clone(),
                    acknowledged: false,
                    automatic: false,
                    by: None,
                    answers: json!({}),
                    reason: Some(self.masker.mask_str(&reason).into_owned()),
                    at,
                });
                report.outcome = StepOutcome::Pending;
                report.result.insert("pending".into(), json!(reason));
            }
        }
        report.result.insert("duration_ms".into(), json!(millis(started.elapsed())));
        report
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
    pub(crate) fn holds(&self, checks: &[rbx_checks::Check], context: &Value) -> Vec<CheckFailure> {
        if checks.is_empty() {
            return Vec::new();
        }
        let operands = TemplateOperands::new(&self.renderer, context, &self.operand_cache);
        evaluate_all(checks, context, &operands).failures
    }

    async fn run_tries(&self, step: &Step, scope: Scope<'_>) -> StepReport {
        if let Some(until) = &step.until {
            return self.poll_until(step, until, scope).await;
        }
        let retry = step.retry.clone().or_else(|| self.runbook.defaults.retry.clone());
        let attempts_allowed = retry.as_ref().map_or(1, |r| r.attempts.max(1));
        let mut attempt_number = 0;
        loop {
            attempt_number += 1;
            let attempt = self.attempt(step, attempt_number, self.timeout_of(step), scope).await;
            let failures = self.expectation_failures(step, &attempt, scope);
            let failed = attempt.error.is_some() || !failures.is_empty();
            let can_retry = failed && attempt_number < attempts_allowed && !self.cancelled() && !attempt.cancelled;
            if can_retry && let Some(retry) = &retry {
                // A server's `Retry-After` (429, 503) replaces the backoff: retrying sooner would
                // only be refused again. `max_delay` still bounds how long a run waits.
                let delay = match attempt.retry_after {
                    Some(asked) => retry.max_delay.map_or(asked, |max| asked.min(max)),
                    None => retry_delay(retry, attempt_number),
                };
                let reason = self.failure_reason(&attempt, &failures);
                self.emit(&RunEvent::RetryScheduled {
                    step_id: step.id.value.clone(),
                    item: scope.item,
                    attempt: attempt_number,
                    reason,
                    delay_ms: millis(delay),
                });
                if self.sleep(delay).await {
                    continue;
                }
            }
            return finish_tries(attempt, failures, attempt_number);
        }
    }

    /// Re-runs the step every `interval` until its `until` checks hold over its result; the
    /// step's timeout bounds the whole polling, and a try that fails its expectation counts
    /// as "not yet".
    async fn poll_until(&self, step: &Step, until: &[rbx_checks::Check], scope: Scope<'_>) -> StepReport {
        let budget = self.timeout_of(step).unwrap_or(DEFAULT_TIMEOUT);
        let interval = step.interval.unwrap_or(DEFAULT_INTERVAL);
        let deadline = Instant::now() + budget;
        let mut number = 0;
        loop {
            number += 1;
            let remaining = deadline.saturating_duration_since(Instant::now());
            let mut attempt = self.attempt(step, number, Some(remaining), scope).await;
            let mut failures = self.expectation_failures(step, &attempt, scope);
            if attempt.error.is_none() && failures.is_empty() {
                failures = self.result_failures(until, &attempt, scope.context);
                if failures.is_empty() {
                    return finish_tries(attempt, failures, number);
                }
            }
            let reason = self.failure_reason(&attempt, &failures);
            if self.cancelled() || attempt.cancelled {
                return finish_tries(attempt, failures, number);
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
                return finish_tries(attempt, failures, number);
            }
            self.emit(&RunEvent::RetryScheduled {
                step_id: step.id.value.clone(),
                item: scope.item,
                attempt: number,
                reason: format!("not yet: {reason}"),
                delay_ms: millis(interval),
            });
            if !self.sleep(interval).await {
                return finish_tries(attempt, failures, number);
            }
        }
    }

    /// Checks over a try's result (`expect`, `until`).
    fn result_failures(&self, checks: &[rbx_checks::Check], attempt: &Attempt, context: &Value) -> Vec<CheckFailure> {
        let subject = Value::Object(attempt.result.clone());
        let operands = TemplateOperands::new(&self.renderer, context, &self.operand_cache);
        evaluate_all(checks, &subject, &operands).failures
    }

    /// After the tries (of every item): captures when the step succeeded, then its outcome.
    fn conclude(&mut self, step: &Step, mut report: StepReport) -> StepReport {
        if matches!(report.outcome, StepOutcome::Pending | StepOutcome::Declined) {
            return report;
        }
        if report.error.is_none() && report.failures.is_empty() {
            self.capture(step, &mut report);
        }
        if report.error.is_some() || !report.failures.is_empty() {
            report.outcome =
                if step.on_failure == OnFailure::Continue { StepOutcome::Tolerated } else { StepOutcome::Failed };
        }
        report
    }

    /// `for_each`: the step's tries once per item, with `item` and `index` set, at most
    /// `parallel` items at a time; the result is `{ items: [...] }` in item order and the step
    /// fails if any item fails.
    async fn run_items(&self, step: &Step, for_each: &ForEach) -> StepReport {
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
        let count = items.len();
        let parallel = step.parallel.map_or(1, |p| p.max(1) as usize);
        // `buffered` runs up to `parallel` items at once on this task and yields their reports
        // in item order, whatever order they finish in.
        let reports: Vec<Option<StepReport>> = futures_util::stream::iter(items.into_iter().enumerate())
            .map(|(index, item)| self.run_item(step, item, index))
            .buffered(parallel)
            .collect()
            .await;
        let mut results = Vec::with_capacity(count);
        let mut failures = Vec::new();
        let mut error = None;
        let mut attempts = 0;
        let mut failed = Vec::new();
        for (index, report) in reports.into_iter().enumerate() {
            let Some(report) = report else {
                error.get_or_insert_with(|| "interrupted".to_owned());
                continue;
            };
            attempts += report.attempts;
            let item_failed = report.error.is_some() || !report.failures.is_empty();
            if let Some(item_error) = &report.error {
                error.get_or_insert_with(|| format!("item {index}: {item_error}"));
            }
            if item_failed {
                failed.push(index.to_string());
            }
            failures.extend(report.failures);
            let mut result = report.result;
            result.insert("outcome".into(), json!(if item_failed { "failed" } else { "passed" }));
            results.push(Value::Object(result));
        }
        if error.is_none() && !failed.is_empty() {
            error = Some(format!("{} of {count} items failed (index {})", failed.len(), failed.join(", ")));
        }
        let mut result = Map::new();
        result.insert("items".into(), Value::Array(results));
        StepReport { outcome: StepOutcome::Passed, result, failures, error, attempts, captured: Vec::new() }
    }

    /// One item's tries over its own copy of the context; `None` when the run was cancelled
    /// before the item started.
    async fn run_item(&self, step: &Step, item: Value, index: usize) -> Option<StepReport> {
        if self.cancelled() {
            return None;
        }
        let mut context = self.context.clone();
        context.set_item(item, index);
        Some(self.run_tries(step, Scope { context: context.value(), item: Some(index) }).await)
    }

    async fn attempt(&self, step: &Step, number: u32, timeout: Option<Duration>, scope: Scope<'_>) -> Attempt {
        tracing::debug!(step = %step.id.value, attempt = number, item = ?scope.item, ?timeout, "attempt started");
        let started = Instant::now();
        let mut attempt = kinds::execute(self, scope, step, number, timeout).await;
        attempt.result.insert("duration_ms".into(), json!(millis(started.elapsed())));
        attempt
    }

    /// The step's own `expect`, or its kind's default expectation.
    fn expectation_failures(&self, step: &Step, attempt: &Attempt, scope: Scope<'_>) -> Vec<CheckFailure> {
        if attempt.error.is_some() {
            return attempt.failures.clone();
        }
        match &step.expect {
            Some(checks) => {
                let mut failures = attempt.failures.clone();
                failures.extend(self.result_failures(checks, attempt, scope.context));
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
        self.emit(&RunEvent::StepFinished {
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
    pub(crate) async fn sleep(&self, duration: Duration) -> bool {
        if self.cancelled() {
            return false;
        }
        let mut cancel = self.cancel.clone();
        tokio::select! {
            () = tokio::time::sleep(duration) => true,
            _ = cancel.wait_for(|cancelled| *cancelled) => false,
        }
    }

    /// `--answer` values, typed.
    pub(crate) fn answers(&self) -> &Map<String, Value> {
        &self.answers
    }

    /// The runbook being run.
    pub(crate) fn runbook(&self) -> &Runbook {
        &self.runbook
    }
}

/// Static facts about a step, for `StepStarted` (and the `--dry-run` plan).
pub(crate) fn step_info(step: &Step, index: usize) -> StepInfo {
    StepInfo {
        id: step.id.value.clone(),
        index,
        title: step.title.clone(),
        phase: step.phase.map(|p| p.as_str()),
        kind: step.kind.name(),
        in_finally: step.in_finally,
    }
}

/// The report of a step's last try, before `conclude` decides its outcome.
fn finish_tries(attempt: Attempt, failures: Vec<CheckFailure>, attempts: u32) -> StepReport {
    StepReport {
        outcome: attempt.stopped.unwrap_or(StepOutcome::Passed),
        result: attempt.result,
        failures,
        error: attempt.error,
        attempts,
        captured: Vec::new(),
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

/// `CALL/STEP` for every step of every runbook that `runbook` calls, depth first.
fn called_step_ids(runbook: &Runbook, prefix: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for step in runbook.all_steps() {
        if let StepKind::Runbook(call) = &step.kind {
            let call_prefix = format!("{prefix}{}/", step.id.value);
            for called in call.callee.all_steps() {
                ids.push(format!("{call_prefix}{}", called.id.value));
            }
            ids.extend(called_step_ids(&call.callee, &call_prefix));
        }
    }
    ids
}

/// Items shown in a `for_each` confirmation; the rest are counted.
const CONFIRMED_ITEMS_SHOWN: usize = 10;

/// `[3 items: web-1, web-2, web-3]`: strings as they are, other values as JSON.
fn describe_items(items: &[Value]) -> String {
    let shown: Vec<String> = items
        .iter()
        .take(CONFIRMED_ITEMS_SHOWN)
        .map(|item| match item {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        })
        .collect();
    let more = items.len().saturating_sub(CONFIRMED_ITEMS_SHOWN);
    let more = if more > 0 { format!(", and {more} more") } else { String::new() };
    if items.is_empty() {
        return "[no items]".to_owned();
    }
    let noun = if items.len() == 1 { "item" } else { "items" };
    format!("[{} {noun}: {}{more}]", items.len(), shown.join(", "))
}
