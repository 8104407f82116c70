//! W243: a connection no step names.

use rbx_diagnostics::Diagnostic;

use crate::context::FileContext;
use crate::rule::{Rule, RuleCheck, declare_code};

declare_code! {
    /// A connection is declared but no step names it.
    ///
    /// Its URL and headers are still rendered before the run, and a reader looks for the step
    /// that talks to it. Remove it, or point the step that should use it at it with
    /// `connection: NAME`.
    ///
    /// Bad:
    ///
    /// ```yaml
    /// connections:
    ///   cache: { redis: { url: "redis://127.0.0.1:6379/0" } }
    /// steps:
    ///   - id: depth
    ///     redis: { url: "redis://127.0.0.1:6379/0", command: [LLEN, jobs] }
    /// ```
    ///
    /// Good:
    ///
    /// ```yaml
    /// connections:
    ///   cache: { redis: { url: "redis://127.0.0.1:6379/0" } }
    /// steps:
    ///   - id: depth
    ///     redis: { connection: cache, command: [LLEN, jobs] }
    /// ```
    CODE = "W243", "unused-connection", Warning
}

pub(crate) const RULE: Rule = Rule { code: CODE, check: RuleCheck::File(check) };

fn check(cx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
    for connection in &cx.runbook.connections {
        if !cx.usage().uses_connection(&connection.name.value)
            && !cx.usage().reads("connections", &connection.name.value)
        {
            out.push(
                Diagnostic::new(
                    CODE,
                    connection.name.span,
                    format!("connection `{}` is never used", connection.name.value),
                )
                .with_label("declared here")
                .with_help("remove it, or name it in a step with `connection:`"),
            );
        }
    }
}
