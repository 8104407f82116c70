//! W211: a raw `{{{x}}}` in a shell command.

use rbx_diagnostics::Diagnostic;
use rbx_template::shell_tags;

use crate::context::FileContext;
use crate::rule::{Rule, RuleCheck, declare_code};
use crate::sites::Field;

declare_code! {
    /// A shell command inserts a value raw, with `{{{x}}}`.
    ///
    /// `{{x}}` in a shell command becomes exactly one shell word whatever the value holds;
    /// `{{{x}}}` inserts the text as it is, so a value such as `1.2.3.4; rm -rf /` runs as a
    /// command. Use `{{x}}`, or if you really need the value split into several words, say why
    /// with `# rbx-lint: ignore W211`.
    ///
    /// Bad:
    ///
    /// ```yaml
    /// - id: dns
    ///   shell: nslookup {{{inputs.host}}}
    /// ```
    ///
    /// Good:
    ///
    /// ```yaml
    /// - id: dns
    ///   shell: nslookup {{inputs.host}}
    /// ```
    CODE = "W211", "raw-template-in-shell", Warning
}

pub(crate) const RULE: Rule = Rule { code: CODE, check: RuleCheck::File(check) };

fn check(cx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
    for site in cx.templates.iter().filter(|site| site.field == Field::ShellRun) {
        for tag in shell_tags(site.tpl.source()).into_iter().filter(|tag| tag.raw) {
            let span = cx.locate(site.tpl, tag.start, tag.end - tag.start);
            out.push(
                Diagnostic::new(CODE, span, "raw `{{{…}}}` in a shell command is not quoted")
                    .with_label("inserted as it is")
                    .with_help("write `{{…}}`: rbx makes the value one shell word"),
            );
        }
    }
}
