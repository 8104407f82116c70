//! E214: a rendered value passed through `ssh`, `sh -c` or `eval`, which split it again.

use std::sync::LazyLock;

use rbx_diagnostics::Diagnostic;
use rbx_model::{Runbook, ValueType};
use rbx_template::shell_tags;
use regex::Regex;

use crate::context::FileContext;
use crate::rule::{Rule, RuleCheck, declare_code};
use crate::sites::Field;

declare_code! {
    /// A value is handed to a second shell (`ssh host …`, `sh -c '…'`, `eval`, `su -c`, `watch`)
    /// that splits and interprets it again.
    ///
    /// rbx quotes `{{x}}` for the shell that runs the step. `ssh` joins its arguments and the
    /// remote shell reads them afresh, and so do `sh -c`, `eval` and `watch`: the quoting is gone
    /// there, and `x = "a; rm -rf /"` runs `rm` on the other side. Pass only values that cannot
    /// hold shell syntax: an input with `enum`, a `pattern`, or a number or boolean type, which
    /// this rule accepts.
    ///
    /// Bad:
    ///
    /// ```yaml
    /// - id: restart
    ///   shell: ssh {{inputs.host}} systemctl restart {{inputs.service}}
    /// ```
    ///
    /// Good:
    ///
    /// ```yaml
    /// inputs:
    ///   service: { enum: [api, worker] }
    /// steps:
    ///   - id: restart
    ///     shell: ssh {{inputs.host}} systemctl restart {{inputs.service}}
    /// ```
    ///
    /// (The host is ssh's own argument, not part of the remote command. Likewise, after
    /// `sh -c SCRIPT` the words that follow are the script's arguments, `$1`…, and are not read
    /// again: `sh -c 'grep -- "$1" app.log' _ {{inputs.pattern}}` is the safe way to hand a
    /// value to a second shell.)
    CODE = "E214", "template-resplit", Error
}

pub(crate) const RULE: Rule = Rule { code: CODE, check: RuleCheck::File(check) };

/// Commands whose arguments a second shell reads: the match ends where the re-read text starts.
static RESPLIT: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?m)(?:^|[;&|(\s])(?:(?:ba|da|k|z)?sh\s+(?:-[a-z]+\s+)*-c|eval|su\s+(?:\S+\s+)*?-c|watch(?:\s+-n\s*\S+)?)\s|(?:^|[;&|(\s])ssh\s+(?:-\S+(?:\s+[^-\s]\S*)?\s+)*[^-\s]\S*\s",
    )
    .ok()
});

fn check(cx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
    let Some(resplit) = RESPLIT.as_ref() else { return };
    for site in cx.templates.iter().filter(|site| site.field == Field::ShellRun) {
        let source = site.tpl.source();
        let tags = shell_tags(source);
        let references = site.tpl.template.references();
        for found in resplit.find_iter(source) {
            let line_end = source[found.end()..].find('\n').map_or(source.len(), |at| found.end() + at);
            // `sh -c SCRIPT ARGS…` and `su -c COMMAND USER` read only the word after `-c` as
            // code; the words after it are arguments (`$1`…) and stay as they are. `eval`,
            // `watch` and `ssh` join all their words into the command.
            let reread_end = if found.as_str().trim_end().ends_with("-c") {
                found.end() + first_word_len(&source[found.end()..line_end])
            } else {
                line_end
            };
            for tag in tags.iter().filter(|tag| tag.start >= found.end() && tag.start < reread_end) {
                let read: Vec<&[String]> =
                    references.iter().filter(|r| r.offset == tag.start).map(|r| r.segments.as_slice()).collect();
                if !read.is_empty() && read.iter().all(|segments| cannot_hold_shell_syntax(cx.runbook, segments)) {
                    continue;
                }
                let span = cx.locate(site.tpl, tag.start, tag.end - tag.start);
                let program =
                    found.as_str().split_whitespace().next().unwrap_or("").trim_start_matches([';', '&', '|', '(']);
                out.push(
                    Diagnostic::new(CODE, span, format!("the value is split and read again by `{program}`"))
                        .with_label("quoted once, interpreted twice")
                        .with_help(
                            "pass only an input with `enum`, a `pattern` or a number type here, or send the value another way (a file, an environment variable)",
                        ),
                );
            }
        }
    }
}

/// Bytes up to the end of the first shell word of `text` (leading blanks included), following
/// the quotes it is written with. Template tags count as part of the word they are glued to.
fn first_word_len(text: &str) -> usize {
    let start = text.len() - text.trim_start_matches([' ', '\t']).len();
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (offset, c) in text[start..].char_indices() {
        match quote {
            _ if escaped => escaped = false,
            Some('"') if c == '\\' => escaped = true,
            Some(open) if c == open => quote = None,
            Some(_) => {}
            None if c == '\\' => escaped = true,
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c.is_whitespace() || matches!(c, ';' | '&' | '|' | ')') => return start + offset,
            None => {}
        }
    }
    text.len()
}

/// Whether a reference reads a value that cannot hold shell syntax: an input constrained to
/// known values, a number, a boolean, or `index`.
fn cannot_hold_shell_syntax(runbook: &Runbook, segments: &[String]) -> bool {
    match segments {
        [root] if root == "index" => true,
        [root, name, ..] if root == "inputs" => runbook.input(name).is_some_and(|input| {
            let spec = &input.spec;
            !spec.choices.is_empty()
                || spec.pattern.is_some()
                || matches!(spec.value_type, ValueType::Integer | ValueType::Number | ValueType::Boolean)
        }),
        _ => false,
    }
}
