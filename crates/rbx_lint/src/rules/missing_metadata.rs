//! W246: a runbook without `summary`, `severity` or `triggers`.

use rbx_diagnostics::Diagnostic;

use crate::context::FileContext;
use crate::rule::{Rule, RuleCheck, declare_code};

declare_code! {
    /// A runbook lacks `summary`, `severity` or `triggers`.
    ///
    /// `rbx list --trigger ALERT` finds runbooks by their triggers, and responders pick one by
    /// its summary and severity. A runbook without them is hard to find when it is needed.
    ///
    /// Bad:
    ///
    /// ```yaml
    /// rbx: 1
    /// id: disk-full
    /// title: Disk full
    /// steps: [ ... ]
    /// ```
    ///
    /// Good:
    ///
    /// ```yaml
    /// rbx: 1
    /// id: disk-full
    /// title: Disk full
    /// summary: A filesystem is above 95%; find what grew and free space.
    /// severity: SEV3
    /// triggers: [HostDiskUsageHigh]
    /// steps: [ ... ]
    /// ```
    CODE = "W246", "missing-metadata", Warning
}

pub(crate) const RULE: Rule = Rule { code: CODE, check: RuleCheck::File(check) };

fn check(cx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
    let runbook = cx.runbook;
    let missing: Vec<&str> = [
        ("summary", runbook.summary.is_none()),
        ("severity", runbook.severity.is_none()),
        ("triggers", runbook.triggers.is_empty()),
    ]
    .into_iter()
    .filter_map(|(key, missing)| missing.then_some(key))
    .collect();
    if missing.is_empty() {
        return;
    }
    let list = missing.iter().map(|key| format!("`{key}`")).collect::<Vec<_>>().join(", ");
    out.push(
        Diagnostic::new(CODE, runbook.id.span, format!("the runbook has no {list}"))
            .with_label("this runbook")
            .with_help("say what it is for (`summary`), how bad (`severity: SEV1`…`SEV4`) and which alerts it answers (`triggers`)"),
    );
}
