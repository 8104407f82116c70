//! `rbx lint PATH...`: load errors of every runbook, then the lint rules on those that load.

use std::path::PathBuf;

use rbx_diagnostics::Code;
use rbx_lint::{Config, ConfigError, Deny, LintOptions};
use rbx_model::Runbook;
use rbx_report::diagnostics::{DiagnosticFormat, FileDiagnostics, Summary, render};
use rbx_report::sarif::render_sarif;

use crate::cli::{LintArgs, LintFormat};
use crate::discover;
use crate::exit::Exit;
use crate::terminal;

pub fn run(args: LintArgs) -> Exit {
    if let Some(code) = &args.explain {
        return explain(code);
    }
    let options = match options(&args) {
        Ok(options) => options,
        Err(error) => {
            terminal::usage_error(&error.to_string(), None);
            return Exit::Invalid;
        }
    };
    let (loaded, walk_failed) = discover::load_runbooks(&args.paths);
    let checked = loaded.len();
    let unreadable = walk_failed || loaded.iter().any(|l| l.unreadable);
    let runbooks: Vec<&Runbook> = loaded.iter().filter_map(|l| l.runbook.as_deref()).collect();
    let mut found = rbx_lint::lint(&runbooks, &options).into_iter();
    let results: Vec<FileDiagnostics> = loaded
        .iter()
        .map(|l| {
            let mut diagnostics = l.diagnostics.clone();
            if l.runbook.is_some() {
                diagnostics.extend(found.next().unwrap_or_default());
                diagnostics.sort_by_key(|d| d.span.start);
            }
            FileDiagnostics { file: l.file.clone(), diagnostics }
        })
        .collect();
    print!("{}", output(&results, args.format));
    let summary = Summary::of(&results);
    if args.format == LintFormat::Human {
        let notes = match summary.notes {
            0 => String::new(),
            n => format!(", {n} note{}", plural(n)),
        };
        eprintln!(
            "checked {checked} runbook{}: {} error{}, {} warning{}{notes}",
            plural(checked),
            summary.errors,
            plural(summary.errors),
            summary.warnings,
            plural(summary.warnings),
        );
    }
    // The process ends next: freeing every step of every runbook one by one only delays the
    // exit (4% of linting a 10,000-step file).
    std::mem::forget(loaded);
    if unreadable {
        Exit::Invalid
    } else if summary.errors > 0 {
        Exit::Failure
    } else {
        Exit::Success
    }
}

fn output(results: &[FileDiagnostics], format: LintFormat) -> String {
    match format {
        LintFormat::Human => render(results, DiagnosticFormat::Human(terminal::stdout_style())),
        LintFormat::Github => render(results, DiagnosticFormat::Github),
        LintFormat::Json => render(results, DiagnosticFormat::Json),
        LintFormat::Sarif => render_sarif(results, full_description, help_uri),
    }
}

/// The options from `--config` (or the discovered `.rbx.toml`), `--deny` and `--shellcheck`.
fn options(args: &LintArgs) -> Result<LintOptions, ConfigError> {
    let path: Option<PathBuf> = match &args.config {
        Some(path) => Some(path.clone()),
        None => std::env::current_dir().ok().and_then(|dir| Config::discover(&dir)),
    };
    let mut config = match &path {
        Some(path) => Config::read(path)?,
        None => Config::default(),
    };
    for deny in &args.deny {
        config.deny(Deny::parse(deny)?);
    }
    Ok(LintOptions { config, shellcheck: args.shellcheck })
}

fn explain(code: &str) -> Exit {
    match rbx_lint::explain(code) {
        Some(text) => {
            print!("{text}");
            Exit::Success
        }
        None => {
            terminal::usage_error(
                &format!("unknown code `{code}`"),
                Some("docs/rules.md lists the lint rules, docs/diagnostics.md the load errors"),
            );
            Exit::Invalid
        }
    }
}

/// A rule's documentation, or a load code's explanation.
fn full_description(code: &Code) -> String {
    match rbx_lint::find(code.id) {
        Some(rule) => rule.documentation(),
        None => code.explanation.to_owned(),
    }
}

fn help_uri(code: &Code) -> String {
    let page = if rbx_lint::find(code.id).is_some() { "rules" } else { "diagnostics" };
    let anchor = format!("{}-{}", code.id, code.name).to_lowercase();
    format!("{}/blob/main/docs/{page}.md#{anchor}", rbx_report::sarif::REPOSITORY)
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
