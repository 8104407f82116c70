//! What a lint rule is: a stable code with its documentation, and the function that checks.

use rbx_diagnostics::{Code, Diagnostic};

use crate::context::FileContext;

/// Declares a rule's [`Code`]: the doc comment is both the item's rustdoc and the explanation
/// that `rbx lint --explain` prints and `docs/rules.md` shows, so the three cannot drift apart.
macro_rules! declare_code {
    ($(#[doc = $doc:literal])* $ident:ident = $id:literal, $name:literal, $severity:ident) => {
        $(#[doc = $doc])*
        pub const $ident: rbx_diagnostics::Code = rbx_diagnostics::Code {
            id: $id,
            name: $name,
            severity: rbx_diagnostics::Severity::$severity,
            explanation: concat!($($doc, "\n"),*),
        };
    };
}
pub(crate) use declare_code;

/// One lint rule: its code and how it checks.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// The stable code, name, default level and documentation.
    pub code: Code,
    /// What the rule looks at.
    pub(crate) check: RuleCheck,
}

/// A rule looks at one runbook at a time, or at every runbook of a lint run together.
#[derive(Debug, Clone, Copy)]
pub(crate) enum RuleCheck {
    /// One file: push diagnostics about it.
    File(fn(&FileContext<'_>, &mut Vec<Diagnostic>)),
    /// Every file of the run: push each file's diagnostics at its index.
    Project(fn(&[FileContext<'_>], &mut [Vec<Diagnostic>])),
}

impl Rule {
    /// The explanation as Markdown: the doc comment without the one space `///` leaves.
    pub fn documentation(&self) -> String {
        documentation(&self.code)
    }
}

/// A code's explanation without the leading space of each doc-comment line.
pub fn documentation(code: &Code) -> String {
    let mut text: String =
        code.explanation.lines().map(|line| line.strip_prefix(' ').unwrap_or(line)).collect::<Vec<_>>().join("\n");
    text.truncate(text.trim_end().len());
    text
}

/// The first paragraph of a code's explanation, on one line: its summary.
pub fn summary(code: &Code) -> String {
    let text = documentation(code);
    text.split("\n\n").next().unwrap_or("").split_whitespace().collect::<Vec<_>>().join(" ")
}
