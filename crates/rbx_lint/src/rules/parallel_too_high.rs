//! W234: `parallel` above 32.

use rbx_diagnostics::Diagnostic;

use crate::context::FileContext;
use crate::rule::{Rule, RuleCheck, declare_code};

/// Above this, parallel items more likely overload what they touch than finish sooner.
pub const PARALLEL_BOUND: u32 = 32;

declare_code! {
    /// A `for_each` step runs more than 32 items at once.
    ///
    /// During an incident the systems a runbook touches are already under stress; dozens of
    /// concurrent commands or requests can make it worse, and exhaust the local machine's
    /// processes or the target's connection limits. The format allows up to 1,000; keep it
    /// small unless you know the target copes.
    ///
    /// Bad:
    ///
    /// ```yaml
    /// - id: ping_all
    ///   for_each: "{{steps.hosts.json}}"
    ///   parallel: 200
    ///   shell: ping -c1 {{item}}
    /// ```
    ///
    /// Good:
    ///
    /// ```yaml
    /// - id: ping_all
    ///   for_each: "{{steps.hosts.json}}"
    ///   parallel: 8
    ///   shell: ping -c1 {{item}}
    /// ```
    CODE = "W234", "parallel-too-high", Warning
}

pub(crate) const RULE: Rule = Rule { code: CODE, check: RuleCheck::File(check) };

fn check(cx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
    for step in cx.runbook.all_steps() {
        if let Some(parallel) = step.parallel.filter(|&n| n > PARALLEL_BOUND) {
            out.push(
                Diagnostic::new(
                    CODE,
                    cx.step_key(step, "parallel"),
                    format!("`parallel: {parallel}` is above {PARALLEL_BOUND}"),
                )
                .with_label("items at once")
                .with_help(format!("use at most {PARALLEL_BOUND} unless the target is known to cope")),
            );
        }
    }
}
