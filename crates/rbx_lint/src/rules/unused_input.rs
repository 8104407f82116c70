//! W241: an input no template or check reads.

use rbx_diagnostics::Diagnostic;

use crate::context::FileContext;
use crate::rule::{Rule, RuleCheck, declare_code};

declare_code! {
    /// An input is declared but nothing reads it.
    ///
    /// Nothing in the runbook writes `{{inputs.NAME}}` or a check path `$.inputs.NAME`, so the
    /// value a responder passes with `--var` changes nothing. Remove the input, or use it where
    /// it was meant to go.
    ///
    /// Bad:
    ///
    /// ```yaml
    /// inputs:
    ///   host: { description: The host to inspect }
    /// steps:
    ///   - id: disk
    ///     shell: df -h /
    /// ```
    ///
    /// Good:
    ///
    /// ```yaml
    /// inputs:
    ///   host: { description: The host to inspect }
    /// steps:
    ///   - id: disk
    ///     shell: ssh {{inputs.host}} df -h /
    /// ```
    CODE = "W241", "unused-input", Warning
}

pub(crate) const RULE: Rule = Rule { code: CODE, check: RuleCheck::File(check) };

fn check(cx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
    for input in &cx.runbook.inputs {
        if !cx.usage().reads("inputs", &input.name.value) {
            out.push(
                Diagnostic::new(CODE, input.name.span, format!("input `{}` is never used", input.name.value))
                    .with_label("declared here")
                    .with_help("remove it, or read it with `{{inputs.NAME}}` or `$.inputs.NAME`"),
            );
        }
    }
}
