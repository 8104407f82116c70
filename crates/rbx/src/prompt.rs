//! The command line's answers to `confirm:`: `--yes`, a prompt at a terminal, or a decline when
//! there is no one to ask (so a run in CI never hangs on a question).

use std::io::{BufRead, IsTerminal, Write};

use rbx_exec::confirm::{ConfirmRequest, Confirmation, Confirmer};

/// How this invocation answers.
#[derive(Debug)]
pub struct TerminalConfirmer {
    /// `--yes`: confirm everything, recorded as automatic.
    pub assume_yes: bool,
    /// Who answers, for the record.
    pub user: String,
}

impl Confirmer for TerminalConfirmer {
    fn confirm(&self, request: &ConfirmRequest) -> Confirmation {
        if self.assume_yes {
            return Confirmation::Confirmed { by: self.user.clone(), automatic: true };
        }
        if !std::io::stdin().is_terminal() {
            return Confirmation::Declined { reason: "no terminal to ask and no --yes".to_owned() };
        }
        let mut stderr = std::io::stderr().lock();
        let _ = write!(stderr, "? {} [y/N] ", request.question);
        let _ = stderr.flush();
        let mut answer = String::new();
        match std::io::stdin().lock().read_line(&mut answer) {
            Ok(0) | Err(_) => Confirmation::Declined { reason: "no answer".to_owned() },
            Ok(_) => match answer.trim().to_ascii_lowercase().as_str() {
                "y" | "yes" => Confirmation::Confirmed { by: self.user.clone(), automatic: false },
                "" => Confirmation::Declined { reason: "answered no (the default)".to_owned() },
                other => Confirmation::Declined { reason: format!("answered `{other}`") },
            },
        }
    }
}
