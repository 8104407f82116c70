//! `rbx`: the command line. Argument parsing and wiring only; the work is in the library crates.

// The run's future nests the engine, `for_each` streams, step kinds and the HTTP/SQL/Redis
// clients; computing its layout in a release build goes past the default query depth (128).
#![recursion_limit = "256"]

mod cli;
mod commands;
mod discover;
mod exit;
mod logging;
mod prompt;
mod terminal;

use clap::Parser;

// Loading builds many small values (one per YAML node) and a run many small results; glibc
// malloc spent ~40% of a 10,000-step load in allocation and page faults (see
// docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use crate::cli::{Cli, Command};

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let log_masker = match logging::init() {
        Ok(masker) => masker,
        Err(message) => {
            terminal::usage_error(&message, Some("examples: RBX_LOG=debug, RBX_LOG=rbx_exec=trace"));
            return exit::Exit::Invalid.into();
        }
    };
    let exit = match cli.command {
        Command::Lint(args) => commands::lint::run(args),
        Command::List(args) => commands::list::run(args),
        Command::Graph(args) => commands::graph::run(args),
        Command::Run(args) => commands::run::run(args, log_masker),
        Command::Runs(args) => commands::runs::run(args),
        Command::Report(args) => commands::report::run(args),
        Command::Resume(args) => commands::resume::run(args, log_masker),
        Command::Schema => commands::schema::run(),
        Command::Watchdog => {
            rbx_exec::watchdog::serve(std::io::stdin().lock());
            exit::Exit::Success
        }
        Command::Completions(args) => commands::completions::run(args),
    };
    exit.into()
}
