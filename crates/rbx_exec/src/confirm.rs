//! Confirmations before a step runs (`confirm:`). The engine asks; the command line answers
//! (a terminal prompt, `--yes`, or no one to ask), so the engine itself never reads a terminal.

/// What the engine asks.
#[derive(Debug, Clone)]
pub struct ConfirmRequest {
    /// The step.
    pub step_id: String,
    /// Its title.
    pub title: Option<String>,
    /// The rendered question, masked.
    pub question: String,
}

/// The answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmation {
    /// Run the step.
    Confirmed {
        /// Who confirmed (the user running rbx).
        by: String,
        /// Confirmed by `--yes`, not by a person at the prompt.
        automatic: bool,
    },
    /// Do not run it.
    Declined {
        /// Why: the answer, or that there was no one to ask.
        reason: String,
    },
}

/// Answers confirmations; implemented by the command line.
pub trait Confirmer: Send + Sync + std::fmt::Debug {
    /// Asks, and waits as long as the person needs (this time never counts toward a timeout).
    fn confirm(&self, request: &ConfirmRequest) -> Confirmation;
}

/// Declines everything: for callers with no way to ask.
#[derive(Debug, Default)]
pub struct DeclineAll;

impl Confirmer for DeclineAll {
    fn confirm(&self, _request: &ConfirmRequest) -> Confirmation {
        Confirmation::Declined { reason: "no one to ask".to_owned() }
    }
}
