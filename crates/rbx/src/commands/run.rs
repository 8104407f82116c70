//! `rbx run FILE`

use rbx_model::Loader;
use rbx_report::diagnostics::{DiagnosticFormat, FileDiagnostics, render};

use crate::cli::RunArgs;
use crate::exit::Exit;
use crate::terminal;

pub fn run(args: RunArgs) -> Exit {
    let loaded = Loader::new().load_path(&args.file);
    if loaded.runbook.is_none() || loaded.has_errors() {
        let files = [FileDiagnostics { file: loaded.file, diagnostics: loaded.diagnostics }];
        eprint!("{}", render(&files, DiagnosticFormat::Human(terminal::stderr_style())));
        eprintln!("error: the runbook is invalid; nothing was run");
        return Exit::Invalid;
    }
    Exit::Success
}
