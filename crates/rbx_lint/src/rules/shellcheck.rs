//! W251: shellcheck's findings in shell steps (with `--shellcheck`).

use std::io::Write;
use std::process::{Command, Stdio};

use rbx_diagnostics::Diagnostic;
use rbx_model::{ShellProgram, StepKind};
use rbx_template::shell_tags;
use serde::Deserialize;

use crate::context::FileContext;
use crate::rule::{Rule, RuleCheck, declare_code};

declare_code! {
    /// `shellcheck` found a problem in a shell step (only with `rbx lint --shellcheck`, and only
    /// when `shellcheck` is installed; otherwise nothing is checked and nothing is said).
    ///
    /// Each shell step's command goes to `shellcheck` for the step's shell (`sh` or `bash`),
    /// with every `{{…}}` replaced by a plain word of the same width, and each finding is
    /// reported at its place in the runbook with shellcheck's code (`SC2086`). Silence one with
    /// `# rbx-lint: ignore W251` or with shellcheck's own `# shellcheck disable=SC2086` in the
    /// command. It is opt-in because it starts one process per shell step.
    ///
    /// Bad:
    ///
    /// ```yaml
    /// - id: sizes
    ///   shell: for f in $(ls /var/log); do du -sh $f; done
    /// ```
    ///
    /// Good:
    ///
    /// ```yaml
    /// - id: sizes
    ///   shell: du -sh /var/log/*
    /// ```
    CODE = "W251", "shellcheck", Warning
}

pub(crate) const RULE: Rule = Rule { code: CODE, check: RuleCheck::File(check) };

#[derive(Deserialize)]
struct Report {
    comments: Vec<Comment>,
}

#[derive(Deserialize)]
struct Comment {
    line: usize,
    column: usize,
    #[serde(rename = "endLine")]
    end_line: usize,
    #[serde(rename = "endColumn")]
    end_column: usize,
    code: u32,
    message: String,
}

fn check(cx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
    if !cx.shellcheck {
        return;
    }
    let default_shell = cx.runbook.defaults.shell.unwrap_or_default();
    for step in cx.runbook.all_steps() {
        let StepKind::Shell(shell) = &step.kind else { continue };
        let program = shell.shell.unwrap_or(default_shell);
        let source = shell.run.source();
        // Not installed, or it failed: `--shellcheck` is best effort, so say nothing.
        let Some(report) = run_shellcheck(&without_templates(source), program) else { return };
        for comment in report.comments {
            let start = offset_of(source, comment.line, comment.column);
            let end = if comment.end_line == comment.line {
                offset_of(source, comment.line, comment.end_column).max(start)
            } else {
                source[start..].find('\n').map_or(source.len(), |at| start + at)
            };
            out.push(
                Diagnostic::new(
                    CODE,
                    cx.locate(&shell.run, start, end - start),
                    format!("SC{}: {}", comment.code, comment.message),
                )
                .with_help(format!("see https://www.shellcheck.net/wiki/SC{}", comment.code)),
            );
        }
    }
}

/// The command with each tag replaced by `x`s of the same width, so that positions agree.
fn without_templates(source: &str) -> String {
    let mut text = String::with_capacity(source.len());
    let mut from = 0;
    for tag in shell_tags(source) {
        text.push_str(&source[from..tag.start]);
        text.extend(std::iter::repeat_n('x', source[tag.start..tag.end].chars().count()));
        from = tag.end;
    }
    text.push_str(&source[from..]);
    text
}

fn run_shellcheck(script: &str, program: ShellProgram) -> Option<Report> {
    let mut child = Command::new("shellcheck")
        .args(["--format=json1", "--shell", program.as_str(), "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let mut stdin = child.stdin.take()?;
    // Written from a thread so that a large report on stdout cannot deadlock the write.
    let script = script.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(script.as_bytes()));
    let output = child.wait_with_output().ok()?;
    writer.join().ok()?.ok()?;
    serde_json::from_slice(&output.stdout).ok()
}

/// Byte offset of a 1-based line and column (shellcheck counts characters) in `text`.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text.split_inclusive('\n').take(line.saturating_sub(1)).map(str::len).sum();
    let rest = &text[line_start.min(text.len())..];
    let line_text = rest.split('\n').next().unwrap_or("");
    line_start + line_text.char_indices().nth(column.saturating_sub(1)).map_or(line_text.len(), |(at, _)| at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_become_words_of_the_same_width() {
        assert_eq!(without_templates("echo {{inputs.x}} $y"), "echo xxxxxxxxxxxx $y");
        assert_eq!(offset_of("ab\ncdé f", 2, 4), 3 + "cdé".len());
    }
}
