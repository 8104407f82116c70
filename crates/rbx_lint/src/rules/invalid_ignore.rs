//! W291: an ignore comment that names no rule, or something that is not one.

use rbx_diagnostics::Diagnostic;

use crate::context::FileContext;
use crate::rule::{Rule, RuleCheck, declare_code};
use crate::suppress::Suppressions;

declare_code! {
    /// A `# rbx-lint: ignore` comment names no rule, a code that is not a lint rule, or a load
    /// error (load errors cannot be ignored: the runbook cannot run with them).
    ///
    /// An ignore comment names the codes it silences, separated by spaces or commas. It
    /// silences them on its own line, or, alone on a line, on the next line too. A misspelt
    /// code would silence nothing and leave the reader thinking the warning was looked at.
    ///
    /// Bad:
    ///
    /// ```yaml
    /// shell: nslookup {{{inputs.host}}}  # rbx-lint: ignore W2111
    /// ```
    ///
    /// Good:
    ///
    /// ```yaml
    /// shell: nslookup {{{inputs.host}}}  # rbx-lint: ignore W211
    /// ```
    CODE = "W291", "invalid-ignore-comment", Warning
}

pub(crate) const RULE: Rule = Rule { code: CODE, check: RuleCheck::File(check) };

fn check(cx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
    for (span, problem) in Suppressions::of(cx.file()).problems {
        out.push(
            Diagnostic::new(CODE, span, problem)
                .with_label("not a rule to ignore")
                .with_help("write `# rbx-lint: ignore CODE`; `rbx lint --explain CODE` describes a rule"),
        );
    }
}
