//! `rbx graph FILE [--format mermaid|dot] [-o FILE]`

use std::io::Write;

use rbx_model::Loader;
use rbx_report::diagnostics::{DiagnosticFormat, FileDiagnostics, render};
use rbx_report::graph::{self, GraphFormat};

use crate::cli::{self, GraphArgs};
use crate::exit::Exit;
use crate::terminal;

pub fn run(args: GraphArgs) -> Exit {
    // The same loader as `rbx run`: a runbook that would not run is not drawn either.
    let loaded = Loader::new().load_path(&args.file);
    let Some(runbook) = loaded.runbook.clone().filter(|_| !loaded.has_errors()) else {
        let files = [FileDiagnostics { file: loaded.file, diagnostics: loaded.diagnostics }];
        eprint!("{}", render(&files, DiagnosticFormat::Human(terminal::stderr_style())));
        eprintln!("error: nothing was drawn");
        return Exit::Invalid;
    };
    let format = match args.format {
        cli::GraphFormat::Mermaid => GraphFormat::Mermaid,
        cli::GraphFormat::Dot => GraphFormat::Dot,
    };
    let text = graph::render(&graph::build(&runbook), format);
    match &args.output {
        None => match std::io::stdout().lock().write_all(text.as_bytes()) {
            // A reader that stopped early (`| head`) is not a failure to draw.
            Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
                terminal::usage_error(&format!("cannot write the graph to stdout: {error}"), None);
                Exit::Invalid
            }
            _ => Exit::Success,
        },
        Some(path) => match std::fs::write(path, text) {
            Ok(()) => Exit::Success,
            Err(error) => {
                terminal::usage_error(&format!("cannot write `{}`: {error}", path.display()), None);
                Exit::Invalid
            }
        },
    }
}
