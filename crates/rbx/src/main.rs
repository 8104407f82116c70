//! `rbx`: the command line. Argument parsing and wiring only; the work is in the library crates.

mod cli;
mod commands;
mod discover;
mod exit;
mod terminal;

use clap::Parser;

use crate::cli::{Cli, Command};

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let exit = match cli.command {
        Command::Lint(args) => commands::lint::run(args),
        Command::List(args) => commands::list::run(args),
        Command::Run(args) => commands::run::run(args),
        Command::Schema => commands::schema::run(),
        Command::Completions(args) => commands::completions::run(args),
    };
    exit.into()
}
