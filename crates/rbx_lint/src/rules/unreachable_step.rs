//! W233: a step whose `when` can never hold.

use rbx_checks::Operator;
use rbx_diagnostics::Diagnostic;
use rbx_model::Input;
use serde_json::Value;

use crate::checks::{CheckList, path_checks, path_words};
use crate::context::FileContext;
use crate::rule::{Rule, RuleCheck, declare_code};

declare_code! {
    /// A step can never run: its `when` compares an input with a value the input cannot take.
    ///
    /// An input with `enum` only takes the listed values, and a typed input only values of its
    /// type (`"true"` is a string, not the boolean `true`). A `when` that requires anything else
    /// skips the step in every run, which usually means a typo or a stale value.
    ///
    /// Bad:
    ///
    /// ```yaml
    /// inputs:
    ///   region: { enum: [eu, us] }
    /// steps:
    ///   - id: failover
    ///     when: { path: $.inputs.region, equals: asia }
    ///     note: Fail over to the other region.
    /// ```
    ///
    /// Good:
    ///
    /// ```yaml
    /// inputs:
    ///   region: { enum: [eu, us, asia] }
    /// steps:
    ///   - id: failover
    ///     when: { path: $.inputs.region, equals: asia }
    ///     note: Fail over to the other region.
    /// ```
    CODE = "W233", "unreachable-step", Warning
}

pub(crate) const RULE: Rule = Rule { code: CODE, check: RuleCheck::File(check) };

fn check(cx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
    for step in cx.runbook.all_steps() {
        for check in path_checks(step).into_iter().filter(|c| c.list == CheckList::When && !c.optional) {
            let words = path_words(check.path.source());
            let ["inputs", name] = words.as_slice() else { continue };
            let Some(input) = cx.runbook.input(name) else { continue };
            for operator in check.operators {
                let values: Vec<&Value> = match operator {
                    Operator::Equals(value) => vec![value],
                    Operator::OneOf(values) => values.iter().collect(),
                    _ => continue,
                };
                if values.iter().any(|v| is_template(v)) {
                    continue;
                }
                if let Some(reason) = values.iter().map(|v| never_taken(input, v)).collect::<Option<Vec<_>>>() {
                    out.push(
                        Diagnostic::new(CODE, cx.step_key(step, "when"), format!("`{}` can never run", step.id.value))
                            .with_label("this `when` never holds")
                            .with_related(input.name.span, format!("`{name}` is declared here"))
                            .with_note(reason.join("; ")),
                    );
                }
            }
        }
    }
}

fn is_template(value: &Value) -> bool {
    value.as_str().is_some_and(|s| s.contains("{{"))
}

/// Why `input` never holds `value`, or `None` when it may.
fn never_taken(input: &Input, value: &Value) -> Option<String> {
    let name = &input.name.value;
    let spec = &input.spec;
    if !spec.choices.is_empty() && !spec.choices.contains(value) {
        return Some(format!("`{name}` is one of {}, never {value}", Value::Array(spec.choices.clone())));
    }
    // The type alone: choices were handled above, with their own message.
    let fits = rbx_model::values::conforms(value, spec.value_type, &[], None).is_ok();
    (!fits).then(|| format!("`{name}` is of type {}, and {value} is not", spec.value_type.as_str()))
}
