//! W235: a check on a step's `outcome` that the step cannot have.

use rbx_checks::Operator;
use rbx_diagnostics::Diagnostic;
use rbx_model::{OnDecline, OnFailure, Step, StepKind};
use serde_json::Value;

use crate::checks::{CheckList, path_checks, path_words};
use crate::context::FileContext;
use crate::rule::{Rule, RuleCheck, declare_code};

declare_code! {
    /// A `when` (or `assert`) compares a step's `outcome` with a value that step cannot have
    /// where the check runs.
    ///
    /// `tolerated` needs `on_failure: continue`; `skipped` needs a `when`; `declined` needs
    /// `confirm` (and, outside `finally`, `on_decline: skip`, since a declined step otherwise
    /// stops the run); `pending` needs a `manual` step and is only seen in `finally`; `failed`
    /// is only seen in `finally`, because a failure stops the run (with `on_failure: continue`
    /// it is `tolerated`). Any other word is not an outcome at all.
    ///
    /// Bad:
    ///
    /// ```yaml
    /// - id: restart
    ///   shell: systemctl restart app
    /// - id: escalate
    ///   when: { path: $.steps.restart.outcome, equals: failed }
    ///   note: Restart failed, page the owner.
    /// ```
    ///
    /// Good:
    ///
    /// ```yaml
    /// - id: restart
    ///   shell: systemctl restart app
    ///   on_failure: continue
    /// - id: escalate
    ///   when: { path: $.steps.restart.outcome, equals: tolerated }
    ///   note: Restart failed, page the owner.
    /// ```
    CODE = "W235", "impossible-outcome", Warning
}

pub(crate) const RULE: Rule = Rule { code: CODE, check: RuleCheck::File(check) };

fn check(cx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
    for step in cx.runbook.all_steps() {
        for check in path_checks(step) {
            if !matches!(check.list, CheckList::When | CheckList::Assert) || check.negated {
                continue;
            }
            let words = path_words(check.path.source());
            let ["steps", id, "outcome"] = words.as_slice() else { continue };
            let Some(target) = cx.step(id) else { continue };
            for operator in check.operators {
                let values: Vec<&str> = match operator {
                    Operator::Equals(Value::String(value)) => vec![value.as_str()],
                    Operator::OneOf(values) => values.iter().filter_map(Value::as_str).collect(),
                    _ => continue,
                };
                let reasons: Vec<String> = values.iter().filter_map(|v| impossible(target, step, v)).collect();
                if reasons.is_empty() || reasons.len() < values.len() {
                    continue;
                }
                let key = if check.list == CheckList::When { "when" } else { "assert" };
                let mut diagnostic = Diagnostic::new(
                    CODE,
                    cx.step_key(step, key),
                    format!("`steps.{id}.outcome` is never {} here", quoted_list(&values)),
                )
                .with_label("this check never holds")
                .with_related(target.id.span, format!("`{id}` is here"));
                for reason in reasons {
                    diagnostic = diagnostic.with_note(reason);
                }
                out.push(diagnostic);
            }
        }
    }
}

fn quoted_list(values: &[&str]) -> String {
    values.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(" or ")
}

/// Why `target` cannot have `outcome` when `reader` looks at it, or `None` if it can.
fn impossible(target: &Step, reader: &Step, outcome: &str) -> Option<String> {
    let id = &target.id.value;
    let finally = reader.in_finally;
    match outcome {
        "passed" => None,
        "failed" if target.on_failure == OnFailure::Continue => {
            Some(format!("with `on_failure: continue`, a failure of `{id}` is `tolerated`"))
        }
        "failed" if !finally => Some(format!("a failure of `{id}` stops the run, so only `finally` sees `failed`")),
        "tolerated" if target.on_failure != OnFailure::Continue => {
            Some(format!("`{id}` has no `on_failure: continue`, so it is never `tolerated`"))
        }
        "skipped" if target.when.is_empty() && !finally => {
            Some(format!("`{id}` has no `when`, so it is never skipped"))
        }
        "declined" if target.confirm.is_none() => Some(format!("`{id}` has no `confirm`, so it is never declined")),
        "declined" if target.on_decline == OnDecline::Stop && !finally => {
            Some(format!("declining `{id}` stops the run; add `on_decline: skip` to go on"))
        }
        "pending" if !matches!(target.kind, StepKind::Manual(_)) => {
            Some(format!("only `manual` steps are `pending`, and `{id}` is not one"))
        }
        "pending" if !finally => Some(format!("a pending `{id}` stops the run, so only `finally` sees it")),
        "failed" | "tolerated" | "skipped" | "declined" | "pending" => None,
        other => Some(format!("`{other}` is not an outcome: passed, failed, tolerated, skipped, declined or pending")),
    }
}
