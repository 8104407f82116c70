//! Step kinds: the one `match` over kinds, and each kind's execution and default expectation.
//! To add a kind: a variant in `rbx_model::StepKind`, an arm in [`execute`] and
//! [`default_expectation`], and its name in `prepare::SUPPORTED_KINDS`.

mod shell;

use crate::nested;

use std::time::Duration;

use rbx_checks::CheckFailure;
use rbx_model::{Step, StepKind};
use rbx_template::Destination;
use serde_json::{Map, Value, json};

use crate::engine::{Engine, Scope, millis};
use crate::events::RunEvent;

/// One try of a step.
#[derive(Debug, Default)]
pub struct Attempt {
    /// The kind's result fields.
    pub result: Map<String, Value>,
    /// Checks the kind itself evaluated (assert).
    pub failures: Vec<CheckFailure>,
    /// Why the try failed outright (spawn error, timeout, template error).
    pub error: Option<String>,
    /// Stopped by Ctrl-C.
    pub cancelled: bool,
    /// Neither passed nor failed: waiting on a person (a called runbook pending or declined).
    pub stopped: Option<crate::events::StepOutcome>,
}

impl Attempt {
    pub(crate) fn failed(error: impl Into<String>) -> Attempt {
        Attempt { error: Some(error.into()), ..Attempt::default() }
    }
}

/// Runs one try of `step`.
pub(crate) async fn execute(
    engine: &Engine<'_>,
    scope: Scope<'_>,
    step: &Step,
    number: u32,
    timeout: Option<Duration>,
) -> Attempt {
    match &step.kind {
        StepKind::Shell(shell) => shell::execute(engine, scope, step, shell, number, timeout).await,
        StepKind::Assert(checks) => {
            announce(engine, scope, step, number, None);
            let failures = engine.holds(checks, scope.context);
            let mut result = Map::new();
            result.insert("checks".into(), json!(checks.len()));
            Attempt { result, failures, ..Attempt::default() }
        }
        StepKind::Note(message) => {
            announce(engine, scope, step, number, None);
            match engine.renderer.render_text(&message.template, Destination::Text, scope.context) {
                Ok(text) => {
                    let masked = engine.masker.mask_str(&text).into_owned();
                    engine.emit(&RunEvent::Message { step_id: step.id.value.clone(), text: masked });
                    let mut result = Map::new();
                    result.insert("message".into(), json!(text));
                    Attempt { result, ..Attempt::default() }
                }
                Err(error) => Attempt::failed(format!("template: {error}")),
            }
        }
        StepKind::Wait(duration) => {
            announce(engine, scope, step, number, Some(format!("wait {}", rbx_model::format_duration(*duration))));
            let started = std::time::Instant::now();
            let completed = engine.sleep(*duration).await;
            let mut result = Map::new();
            result.insert("waited_ms".into(), json!(millis(started.elapsed())));
            if completed {
                Attempt { result, ..Attempt::default() }
            } else {
                Attempt { result, error: Some("interrupted".into()), cancelled: true, ..Attempt::default() }
            }
        }
        StepKind::Runbook(call) => nested::execute(engine, scope, step, call, number).await,
        other => Attempt::failed(format!("`{}` steps cannot run in this build", other.name())),
    }
}

/// What a step must show when it has no `expect`.
pub(crate) fn default_expectation(kind: &StepKind, result: &Value, own: &[CheckFailure]) -> Vec<CheckFailure> {
    match kind {
        StepKind::Shell(_) => match result.get("exit_code") {
            Some(Value::Number(code)) if code.as_i64() == Some(0) => Vec::new(),
            actual => vec![CheckFailure {
                path: "$.exit_code".into(),
                operator: "equals".into(),
                expected: json!(0),
                actual: actual.cloned(),
                reason: None,
                message: None,
            }],
        },
        _ => own.to_vec(),
    }
}

pub(crate) fn announce(engine: &Engine<'_>, scope: Scope<'_>, step: &Step, attempt: u32, action: Option<String>) {
    if let Some(action) = &action {
        tracing::trace!(step = %step.id.value, attempt, action = %action, "action");
    }
    let action = action.map(|a| engine.masker.mask_str(&a).into_owned());
    engine.emit(&RunEvent::AttemptStarted { step_id: step.id.value.clone(), item: scope.item, attempt, action });
}
