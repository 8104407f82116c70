//! `runbook` steps: the called runbook runs as a child engine inside this run. Its events flow
//! into this run's sink with step ids prefixed by the calling step (`call/step`), so every
//! reporter shows and records them without knowing about nesting.

use std::sync::Arc;

use rbx_model::{RunbookCall, Step};
use serde_json::{Map, Value, json};

use crate::engine::{Engine, Scope, millis};
use crate::events::{EventSink, RunEvent, RunStatus, StepOutcome};
use crate::kinds::{Attempt, announce};
use crate::prepare::{GivenInputs, prepare};

/// Runs the called runbook; its result is `{status, steps, vars}` and the step fails when the
/// called run does not pass.
pub(crate) async fn execute(
    engine: &Engine<'_>,
    scope: Scope<'_>,
    step: &Step,
    call: &RunbookCall,
    number: u32,
) -> Attempt {
    announce(engine, scope, step, number, Some(format!("runbook {}", call.path.value)));
    let mut file = Vec::with_capacity(call.inputs.len());
    for (name, data) in &call.inputs {
        match crate::data::render_data(&engine.renderer, data, scope.context) {
            Ok(value) => file.push((name.value.clone(), value)),
            Err(error) => return Attempt::failed(format!("input `{}`: {error}", name.value)),
        }
    }
    let given = GivenInputs { file, ..GivenInputs::default() };
    // The callee sees only the caller's secrets of the same name, whatever its own `env` says.
    let secrets = &scope.context["secrets"];
    let callee = Arc::clone(&call.callee);
    let secret_for_env = |env: &str| {
        let secret = callee.secrets.iter().find(|secret| secret.env == env)?;
        secrets.get(&secret.name.value).and_then(Value::as_str).map(str::to_owned)
    };
    let mut prepared = match prepare(&callee, &given, &secret_for_env) {
        Ok(prepared) => prepared,
        Err(problems) => {
            let reasons: Vec<String> = problems.iter().map(|problem| problem.message.clone()).collect();
            return Attempt::failed(format!("cannot call `{}`: {}", call.path.value, reasons.join("; ")));
        }
    };
    prepared.answers = engine.answers().clone();
    let mut options = engine.options.clone();
    options.run_id = format!("{}/{}", options.run_id, step.id.value);
    // `--only` / `--from` choose the caller's steps; the called runbook runs whole.
    options.selection = crate::Selection::default();
    options.restored = Default::default();
    let mut sink = NestedSink { parent: engine, prefix: format!("{}/", step.id.value) };
    let child = Engine::new(Arc::clone(&callee), prepared, options, &mut sink, engine.cancel.clone());
    let started = std::time::Instant::now();
    // Boxed: a runbook step's future contains a whole engine run, which may call again.
    let summary = Box::pin(child.run()).await;
    let mut result = Map::new();
    result.insert("status".into(), json!(summary.status.as_str()));
    result.insert("steps".into(), summary.context["steps"].clone());
    result.insert("vars".into(), summary.context["vars"].clone());
    result.insert("waited_ms".into(), json!(millis(started.elapsed())));
    let stopped_at =
        summary.outcomes.iter().rev().find(|(_, outcome)| {
            !matches!(outcome, StepOutcome::Passed | StepOutcome::Skipped | StepOutcome::Tolerated)
        });
    let why = match stopped_at {
        Some((id, outcome)) => {
            format!("the called runbook {}: step `{id}` {}", summary.status.as_str(), outcome.as_str())
        }
        None => format!("the called runbook {}", summary.status.as_str()),
    };
    let mut attempt = Attempt { result, ..Attempt::default() };
    match summary.status {
        RunStatus::Passed => {}
        RunStatus::Failed => attempt.error = Some(why),
        RunStatus::Interrupted => {
            attempt.error = Some("interrupted".to_owned());
            attempt.cancelled = true;
        }
        // Waiting on a person is not a failure: the calling step waits too, with the reason.
        RunStatus::Pending | RunStatus::Declined => {
            attempt.result.insert("reason".into(), json!(why));
            attempt.stopped =
                Some(if summary.status == RunStatus::Pending { StepOutcome::Pending } else { StepOutcome::Declined });
        }
    }
    attempt
}

/// Forwards a child run's events into the parent's sink: step ids prefixed, the child's own
/// run start and end left out (the calling step's start and end stand for them).
struct NestedSink<'p, 's> {
    parent: &'p Engine<'s>,
    prefix: String,
}

impl EventSink for NestedSink<'_, '_> {
    fn emit(&mut self, event: &RunEvent) {
        let mut event = event.clone();
        match &mut event {
            RunEvent::RunStarted { .. } | RunEvent::RunFinished { .. } => return,
            RunEvent::StepStarted { step, .. } => step.id.insert_str(0, &self.prefix),
            RunEvent::AttemptStarted { step_id, .. }
            | RunEvent::RetryScheduled { step_id, .. }
            | RunEvent::Output { step_id, .. }
            | RunEvent::ConfirmationRequested { step_id, .. }
            | RunEvent::ConfirmationAnswered { step_id, .. }
            | RunEvent::ManualRequested { step_id, .. }
            | RunEvent::ManualAnswered { step_id, .. }
            | RunEvent::Message { step_id, .. }
            | RunEvent::StepFinished { step_id, .. } => step_id.insert_str(0, &self.prefix),
        }
        self.parent.emit(&event);
    }
}
