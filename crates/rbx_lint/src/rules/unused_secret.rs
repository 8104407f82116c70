//! W242: a secret nothing reads.

use rbx_diagnostics::Diagnostic;

use crate::context::FileContext;
use crate::rule::{Rule, RuleCheck, declare_code};

declare_code! {
    /// A secret is declared but nothing reads it.
    ///
    /// A required secret still has to be set before the run starts, so an unused one makes
    /// responders hunt for a value that does nothing. Remove it. A secret that a nested runbook
    /// declares under the same name counts as used: the called runbook receives it.
    ///
    /// Bad:
    ///
    /// ```yaml
    /// secrets:
    ///   token: { env: API_TOKEN }
    /// steps:
    ///   - id: health
    ///     http: { url: "https://api.example.com/health" }
    /// ```
    ///
    /// Good:
    ///
    /// ```yaml
    /// secrets:
    ///   token: { env: API_TOKEN }
    /// steps:
    ///   - id: health
    ///     http: { url: "https://api.example.com/health", headers: { Authorization: "Bearer {{secrets.token}}" } }
    /// ```
    CODE = "W242", "unused-secret", Warning
}

pub(crate) const RULE: Rule = Rule { code: CODE, check: RuleCheck::File(check) };

fn check(cx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
    for secret in &cx.runbook.secrets {
        if !cx.usage().reads("secrets", &secret.name.value) {
            out.push(
                Diagnostic::new(CODE, secret.name.span, format!("secret `{}` is never used", secret.name.value))
                    .with_label("declared here")
                    .with_help("remove it, or read it with `{{secrets.NAME}}`"),
            );
        }
    }
}
