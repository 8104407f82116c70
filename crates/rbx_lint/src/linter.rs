//! Runs every enabled rule over the runbooks of one lint run, then applies ignore comments,
//! configured levels and denials.

use rbx_diagnostics::Diagnostic;
use rbx_model::Runbook;

use crate::config::Config;
use crate::context::FileContext;
use crate::registry::RULES;
use crate::rule::RuleCheck;
use crate::suppress::Suppressions;

/// How to lint.
#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    /// Levels and denials.
    pub config: Config,
    /// Run `shellcheck` over shell steps (W251) when it is installed.
    pub shellcheck: bool,
}

/// The rule diagnostics of each runbook (same order as `runbooks`), sorted by position.
/// Runbooks are linted together so that rules across files (W247) see all of them.
pub fn lint(runbooks: &[&Runbook], options: &LintOptions) -> Vec<Vec<Diagnostic>> {
    let contexts: Vec<FileContext<'_>> =
        runbooks.iter().map(|runbook| FileContext::new(runbook, options.shellcheck)).collect();
    let mut found: Vec<Vec<Diagnostic>> = vec![Vec::new(); contexts.len()];
    for rule in RULES.iter().filter(|rule| options.config.enabled(rule.code.id)) {
        match rule.check {
            RuleCheck::File(check) => {
                for (cx, out) in contexts.iter().zip(found.iter_mut()) {
                    check(cx, out);
                }
            }
            RuleCheck::Project(check) => check(&contexts, &mut found),
        }
    }
    contexts
        .iter()
        .zip(found)
        .map(|(cx, diagnostics)| {
            let suppressions = Suppressions::of(cx.file());
            let mut kept: Vec<Diagnostic> = diagnostics
                .into_iter()
                .filter(|diagnostic| !suppressions.silences(cx.file(), diagnostic))
                .map(|diagnostic| options.config.apply(diagnostic))
                .collect();
            kept.sort_by_key(|d| (d.span.start, d.code.id));
            kept
        })
        .collect()
}
