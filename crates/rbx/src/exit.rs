//! Exit codes, as the spec defines them.

/// How `rbx` ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Success (tolerated failures and lint warnings included).
    Success,
    /// A step failed, or lint found an error.
    Failure,
    /// The runbook or the command line is invalid, or a file cannot be read: nothing ran.
    Invalid,
    /// A confirmation or manual step was refused or is pending.
    Declined,
    /// Interrupted by SIGINT.
    Interrupted,
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> std::process::ExitCode {
        std::process::ExitCode::from(match exit {
            Exit::Success => 0,
            Exit::Failure => 1,
            Exit::Invalid => 2,
            Exit::Declined => 3,
            Exit::Interrupted => 130,
        })
    }
}
