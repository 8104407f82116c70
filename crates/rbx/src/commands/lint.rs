//! `rbx lint PATH...`

use rbx_report::diagnostics::{DiagnosticFormat, FileDiagnostics, Summary, render};

use crate::cli::{LintArgs, LintFormat};
use crate::discover;
use crate::exit::Exit;
use crate::terminal;

pub fn run(args: LintArgs) -> Exit {
    let (loaded, walk_failed) = discover::load_runbooks(&args.paths);
    let checked = loaded.len();
    let unreadable = walk_failed || loaded.iter().any(|l| l.unreadable);
    let results: Vec<FileDiagnostics> =
        loaded.into_iter().map(|l| FileDiagnostics { file: l.file, diagnostics: l.diagnostics }).collect();
    let format = match args.format {
        LintFormat::Human => DiagnosticFormat::Human(terminal::stdout_style()),
        LintFormat::Github => DiagnosticFormat::Github,
        LintFormat::Json => DiagnosticFormat::Json,
    };
    print!("{}", render(&results, format));
    let summary = Summary::of(&results);
    if args.format == LintFormat::Human {
        eprintln!(
            "checked {checked} runbook{}: {} error{}, {} warning{}",
            plural(checked),
            summary.errors,
            plural(summary.errors),
            summary.warnings,
            plural(summary.warnings)
        );
    }
    if unreadable {
        Exit::Invalid
    } else if summary.errors > 0 {
        Exit::Failure
    } else {
        Exit::Success
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
