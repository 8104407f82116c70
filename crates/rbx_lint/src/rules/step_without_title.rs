//! I245: a step without a title.

use rbx_diagnostics::Diagnostic;

use crate::context::FileContext;
use crate::rule::{Rule, RuleCheck, declare_code};

declare_code! {
    /// A step has no `title`.
    ///
    /// Responders read titles in the terminal, the run record and the post-incident report; an
    /// id such as `chk2` tells them little. Write one line that says what the step finds out or
    /// changes.
    ///
    /// Bad:
    ///
    /// ```yaml
    /// - id: chk2
    ///   shell: df -h /
    /// ```
    ///
    /// Good:
    ///
    /// ```yaml
    /// - id: disk
    ///   title: How full is the root filesystem?
    ///   shell: df -h /
    /// ```
    CODE = "I245", "step-without-title", Note
}

pub(crate) const RULE: Rule = Rule { code: CODE, check: RuleCheck::File(check) };

fn check(cx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
    for step in cx.runbook.all_steps().filter(|step| step.title.is_none()) {
        out.push(
            Diagnostic::new(CODE, step.id.span, format!("step `{}` has no `title`", step.id.value))
                .with_help("add `title:` with one line for the responder"),
        );
    }
}
