//! W231: `until` without a `timeout` of its own.

use rbx_diagnostics::Diagnostic;

use crate::context::FileContext;
use crate::rule::{Rule, RuleCheck, declare_code};

declare_code! {
    /// A step polls with `until` but does not say how long it may poll.
    ///
    /// With `until`, the step's `timeout` bounds the whole polling. Without one the step polls
    /// for `defaults.timeout` (or 5 minutes), a limit chosen for single tries, not for waiting on
    /// recovery. Say how long waiting makes sense.
    ///
    /// Bad:
    ///
    /// ```yaml
    /// - id: healthy
    ///   http: { connection: api, path: /health }
    ///   until: { path: $.status, equals: 200 }
    /// ```
    ///
    /// Good:
    ///
    /// ```yaml
    /// - id: healthy
    ///   http: { connection: api, path: /health }
    ///   until: { path: $.status, equals: 200 }
    ///   interval: 5s
    ///   timeout: 2m
    /// ```
    CODE = "W231", "until-without-timeout", Warning
}

pub(crate) const RULE: Rule = Rule { code: CODE, check: RuleCheck::File(check) };

fn check(cx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
    for step in cx.runbook.all_steps().filter(|step| step.until.is_some() && step.timeout.is_none()) {
        out.push(
            Diagnostic::new(CODE, cx.step_key(step, "until"), "`until` without a `timeout`")
                .with_label("polls until the default timeout")
                .with_help("add `timeout:` to the step: it bounds the whole polling"),
        );
    }
}
