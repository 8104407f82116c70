//! `rbx run`: a value given with `--var` (or captured from a step) lands in a shell command as
//! one harmless word. For every value of the corpus, under `sh` and `bash`: no file is created
//! by what the value says, the command's output is the value byte for byte, and the shell sees
//! exactly one word.

mod common;

use std::path::Path;

use common::{Rbx, entries, read, tempdir};

/// Values that would run something, split, glob, expand or vanish if spliced in unquoted.
const CORPUS: &[&str] = &[
    "x; touch F",
    "x && touch F",
    "x | touch F",
    "$(touch F)",
    "`touch F`",
    "a\nb",
    "a\ntouch F",
    "'single'",
    "\"double\"",
    "it's \"both\"",
    "*",
    "-rf",
    "--",
    "$HOME",
    "${HOME}",
    "$((6*7))",
    "~",
    "~root/x",
    "a{b,c}",
    "",
    "   ",
    "a b",
    "tab\there",
    "trailing\\",
    "back\\slash",
    "trailing newline\n",
    "k=v=w",
    "%s%n%d",
    "!!",
    "#not a comment",
    "héllo wörld — ✓ 日本語 🚀",
];

/// A file in the scratch directory that an unquoted `*` would expand to.
const DECOY: &str = "decoy";

/// Runs `runbook` once per corpus value and returns a description of every value that escaped.
fn escapes(runbook: &str) -> Vec<String> {
    escapes_as(runbook, |value| value.to_owned())
}

/// Like [`escapes`], where OUT must hold `expected(value)`.
fn escapes_as(runbook: &str, expected: impl Fn(&str) -> String) -> Vec<String> {
    let mut problems = Vec::new();
    for value in CORPUS {
        let scratch = tempdir();
        let dir = scratch.path();
        std::fs::write(dir.join(DECOY), "").unwrap_or_else(|e| panic!("cannot write the decoy: {e}"));
        let outcome = Rbx::run(runbook).var("v", value).cwd(dir).env("HOME", "/nonexistent-home").output();
        if let Some(problem) = check_value(dir, &expected(value), &outcome) {
            problems.push(format!("{value:?}: {problem}"));
        }
    }
    problems
}

fn check_value(dir: &Path, value: &str, outcome: &common::Outcome) -> Option<String> {
    if outcome.code != Some(0) {
        return Some(format!("exit code {:?}\n{}", outcome.code, outcome.dump()));
    }
    let files = entries(dir);
    let expected_files = ["ARGC", "OUT", DECOY];
    if files != expected_files {
        return Some(format!("the scratch directory holds {files:?}, expected only {expected_files:?}"));
    }
    let out = read(&dir.join("OUT"));
    if out != value.as_bytes() {
        return Some(format!("OUT holds {:?}", String::from_utf8_lossy(&out)));
    }
    let argc = read(&dir.join("ARGC"));
    if argc != b"1" {
        return Some(format!("the shell saw {} words, not 1", String::from_utf8_lossy(&argc)));
    }
    None
}

#[track_caller]
fn assert_no_escape(runbook: &str) {
    report(runbook, escapes(runbook));
}

#[track_caller]
fn report(runbook: &str, problems: Vec<String>) {
    assert!(problems.is_empty(), "values that escaped their shell word in {runbook}:\n{}", problems.join("\n"));
}

#[test]
fn every_value_stays_one_word_under_sh() {
    assert_no_escape("injection-sh.yaml");
}

#[test]
fn every_value_stays_one_word_under_bash() {
    assert_no_escape("injection-bash.yaml");
}

#[test]
fn every_value_stays_one_word_with_the_short_shell_form() {
    assert_no_escape("injection-default.yaml");
}

#[test]
fn a_value_captured_from_a_step_stays_one_word_in_the_next_command() {
    assert_no_escape("injection-captured.yaml");
}

#[test]
fn every_value_stays_inside_a_longer_word() {
    report("injection-concatenated.yaml", escapes_as("injection-concatenated.yaml", |v| format!("pre{v}post")));
}

#[test]
fn every_value_stays_harmless_inside_single_quotes_written_by_the_author() {
    // `'{{x}}'` must not become `''x; touch F''`, which closes the author's quotes.
    assert_no_escape("injection-single-quoted.yaml");
}

#[test]
fn every_value_stays_harmless_inside_double_quotes_written_by_the_author() {
    // `"{{x}}"` must not become `"'$(touch F)'"`, where the shell expands `$(…)`.
    assert_no_escape("injection-double-quoted.yaml");
}

#[test]
fn every_value_stays_one_word_inside_a_command_substitution_in_double_quotes() {
    // `"$(printf '%s' {{x}})"` must not escape for the outer quotes: the substitution is a
    // command of its own, where `x; touch F` would run `touch`.
    report(
        "injection-substitution.yaml",
        escapes_as("injection-substitution.yaml", |value| value.trim_end_matches('\n').to_owned()),
    );
}

#[test]
fn every_value_stays_text_inside_a_here_document() {
    // Quotes mean nothing in a here-document body; `$(…)` and backquotes run there.
    report("injection-heredoc.yaml", escapes_as("injection-heredoc.yaml", |value| format!("{value}\n")));
}

#[test]
fn no_value_leaves_a_comment() {
    // A line break would end the comment and run the rest of the value.
    report("injection-comment.yaml", escapes_as("injection-comment.yaml", |_| "ok".to_owned()));
}
