//! I244: a capture nothing reads.

use rbx_diagnostics::Diagnostic;

use crate::context::FileContext;
use crate::rule::{Rule, RuleCheck, declare_code};

declare_code! {
    /// A step captures a value that nothing reads.
    ///
    /// No template writes `{{vars.NAME}}` and no check reads `$.vars.NAME`. The value is still
    /// in the run record, so this is only a note: remove the capture if nobody needs it.
    ///
    /// Bad:
    ///
    /// ```yaml
    /// - id: version
    ///   shell: app --version
    ///   capture: { version: $.stdout }
    /// ```
    ///
    /// Good:
    ///
    /// ```yaml
    /// - id: version
    ///   shell: app --version
    ///   capture: { version: $.stdout }
    /// - id: report
    ///   note: "Running version {{vars.version}}"
    /// ```
    CODE = "I244", "unused-capture", Note
}

pub(crate) const RULE: Rule = Rule { code: CODE, check: RuleCheck::File(check) };

fn check(cx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
    for step in cx.runbook.all_steps() {
        for capture in &step.capture {
            if !cx.usage().reads("vars", &capture.name.value) {
                out.push(
                    Diagnostic::new(CODE, capture.name.span, format!("capture `{}` is never read", capture.name.value))
                        .with_label("captured here")
                        .with_help("read it with `{{vars.NAME}}` or `$.vars.NAME`, or remove it"),
                );
            }
        }
    }
}
