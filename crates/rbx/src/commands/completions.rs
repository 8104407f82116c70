//! `rbx completions SHELL`

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::exit::Exit;

pub fn run(args: CompletionsArgs) -> Exit {
    let mut command = Cli::command();
    clap_complete::generate(args.shell, &mut command, "rbx", &mut std::io::stdout());
    Exit::Success
}
