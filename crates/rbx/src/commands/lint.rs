//! `rbx lint PATH...`

use rbx_model::Loader;
use rbx_report::diagnostics::{DiagnosticFormat, FileDiagnostics, Summary, render};

use crate::cli::{LintArgs, LintFormat};
use crate::discover;
use crate::exit::Exit;
use crate::terminal;

pub fn run(args: LintArgs) -> Exit {
    let (files, walk_errors) = discover::expand(&args.paths);
    for error in &walk_errors {
        terminal::usage_error(&format!("cannot read `{}`: {}", error.path.display(), error.message), None);
    }
    let mut loader = Loader::new();
    let mut results = Vec::new();
    let mut unreadable = !walk_errors.is_empty();
    let mut checked = 0usize;
    for (path, explicit) in files {
        if !explicit {
            match std::fs::read_to_string(&path) {
                Ok(text) if !discover::looks_like_runbook(&text) => continue,
                _ => {}
            }
        }
        checked += 1;
        let loaded = loader.load_path(&path);
        unreadable |= loaded.unreadable;
        results.push(FileDiagnostics { file: loaded.file, diagnostics: loaded.diagnostics });
    }
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
