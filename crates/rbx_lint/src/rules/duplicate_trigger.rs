//! W247: one alert answered by two runbooks.

use std::collections::HashMap;

use rbx_diagnostics::Diagnostic;

use crate::context::FileContext;
use crate::rule::{Rule, RuleCheck, declare_code};

declare_code! {
    /// The same trigger is listed by two runbooks of one lint run (or twice in one runbook).
    ///
    /// When the alert fires, `rbx list --trigger ALERT` shows both and the responder has to
    /// choose. Merge the runbooks, or make one call the other with a `runbook` step.
    ///
    /// Bad:
    ///
    /// ```yaml
    /// # disk-full.yaml
    /// triggers: [HostDiskUsageHigh]
    /// # disk-cleanup.yaml
    /// triggers: [HostDiskUsageHigh]
    /// ```
    ///
    /// Good:
    ///
    /// ```yaml
    /// # disk-full.yaml
    /// triggers: [HostDiskUsageHigh]
    /// # disk-cleanup.yaml: called by disk-full.yaml with a `runbook` step
    /// triggers: []
    /// ```
    CODE = "W247", "duplicate-trigger", Warning
}

pub(crate) const RULE: Rule = Rule { code: CODE, check: RuleCheck::Project(check) };

fn check(files: &[FileContext<'_>], out: &mut [Vec<Diagnostic>]) {
    // The first place each trigger is listed: file index and span.
    let mut first: HashMap<&str, (usize, rbx_diagnostics::Span)> = HashMap::new();
    for (index, cx) in files.iter().enumerate() {
        for trigger in &cx.runbook.triggers {
            let Some(&(first_index, first_span)) = first.get(trigger.value.as_str()) else {
                first.insert(&trigger.value, (index, trigger.span));
                continue;
            };
            let mut diagnostic = Diagnostic::new(
                CODE,
                trigger.span,
                format!("trigger `{}` is answered by another runbook too", trigger.value),
            )
            .with_label("listed again")
            .with_help("merge the runbooks, or call one from the other with a `runbook` step");
            if first_index == index {
                diagnostic.message = format!("trigger `{}` is listed twice", trigger.value);
                diagnostic = diagnostic.with_related(first_span, "first listed here");
            } else {
                let other = files[first_index].file();
                let at = other.line_col(first_span.start);
                diagnostic = diagnostic.with_note(format!(
                    "first listed in `{}` at {}:{}",
                    other.path().display(),
                    at.line,
                    at.column
                ));
            }
            if let Some(diagnostics) = out.get_mut(index) {
                diagnostics.push(diagnostic);
            }
        }
    }
}
