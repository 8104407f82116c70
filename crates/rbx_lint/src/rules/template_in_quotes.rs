//! W213: `{{x}}` inside quotes in a shell command.

use rbx_diagnostics::Diagnostic;
use rbx_template::{Quoting, ShellTag, shell_tags};

use crate::context::FileContext;
use crate::rule::{Rule, RuleCheck, declare_code};
use crate::sites::Field;

declare_code! {
    /// A shell command puts quotes around `{{x}}`, which rbx quotes already.
    ///
    /// rbx renders `{{x}}` as exactly one shell word. Inside quotes the author wrote, it escapes
    /// the value for those quotes instead, so the command is safe either way, but the quotes
    /// suggest that they are what protects the value, and copying the command into a terminal
    /// or a script drops that protection. Remove them.
    ///
    /// Only quotes written right around the value count: in `"$(echo {{x}})"` the value sits in
    /// a command of its own, where rbx makes it one word, and the outer quotes keep the output
    /// of the substitution whole, so they stay. Values in comments and here-documents are
    /// escaped for those places and are not concerned either.
    ///
    /// Bad:
    ///
    /// ```yaml
    /// - id: logs
    ///   shell: grep "{{inputs.pattern}}" /var/log/app.log
    /// ```
    ///
    /// Good:
    ///
    /// ```yaml
    /// - id: logs
    ///   shell: grep {{inputs.pattern}} /var/log/app.log
    /// ```
    CODE = "W213", "template-in-shell-quotes", Warning
}

pub(crate) const RULE: Rule = Rule { code: CODE, check: RuleCheck::File(check) };

fn check(cx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
    for site in cx.templates.iter().filter(|site| site.field == Field::ShellRun) {
        let tags = shell_tags(site.tpl.source());
        let quoted = |tag: &ShellTag| matches!(tag.quoting, Quoting::Single | Quoting::Double);
        for tag in tags.into_iter().filter(|tag| !tag.raw && quoted(tag)) {
            let quotes = if tag.quoting == Quoting::Single { "'…'" } else { "\"…\"" };
            let span = cx.locate(site.tpl, tag.start, tag.end - tag.start);
            out.push(
                Diagnostic::new(CODE, span, format!("`{{{{…}}}}` inside `{quotes}` in a shell command"))
                    .with_label("rbx quotes this value already")
                    .with_help("remove the quotes around it: rbx makes the value one shell word"),
            );
        }
    }
}
