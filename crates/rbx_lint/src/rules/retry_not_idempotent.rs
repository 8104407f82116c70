//! W232: `retry` on a step that is not safe to repeat.

use rbx_diagnostics::Diagnostic;
use rbx_model::{Method, Step, StepKind};

use crate::context::FileContext;
use crate::rule::{Rule, RuleCheck, declare_code};
use crate::rules::destructive_without_confirm::destructive_action;

declare_code! {
    /// A step that is not safe to repeat (an HTTP `POST`, `PATCH` or `DELETE`, or a destructive
    /// command) is retried, and nobody confirms it.
    ///
    /// A try that timed out may have done its work: retrying a `POST` can create the thing
    /// twice, and retrying a destructive command repeats it on whatever is there now. Retry
    /// only requests that are idempotent, or add `confirm` so a person decides.
    /// `defaults.retry` counts too.
    ///
    /// Bad:
    ///
    /// ```yaml
    /// - id: page
    ///   http: { connection: pager, method: POST, path: /incidents, json: { title: disk full } }
    ///   retry: { attempts: 3 }
    /// ```
    ///
    /// Good:
    ///
    /// ```yaml
    /// - id: page
    ///   http: { connection: pager, method: POST, path: /incidents, json: { title: disk full } }
    /// ```
    CODE = "W232", "retry-not-idempotent", Warning
}

pub(crate) const RULE: Rule = Rule { code: CODE, check: RuleCheck::File(check) };

fn check(cx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
    let default_retry = cx.runbook.defaults.retry.as_ref().is_some_and(|retry| retry.attempts > 1);
    for step in cx.runbook.all_steps().filter(|step| step.confirm.is_none()) {
        let retried = match &step.retry {
            Some(retry) => retry.attempts > 1,
            None => default_retry,
        };
        if !retried {
            continue;
        }
        if let Some(what) = not_idempotent(step) {
            let span = if step.retry.is_some() { cx.step_key(step, "retry") } else { step.kind_span };
            out.push(
                Diagnostic::new(CODE, span, format!("{what} is retried"))
                    .with_label("may run twice")
                    .with_help("retry only idempotent steps, or add `confirm` so that a person decides"),
            );
        }
    }
}

fn not_idempotent(step: &Step) -> Option<String> {
    match &step.kind {
        StepKind::Http(http) if matches!(http.method, Method::Post | Method::Patch | Method::Delete) => {
            Some(format!("an HTTP `{}`", http.method.as_str()))
        }
        _ => destructive_action(step).map(|action| action.what),
    }
}
