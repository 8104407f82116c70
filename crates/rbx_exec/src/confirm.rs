//! Confirmations before a step runs (`confirm:`) and `manual` steps. The engine asks; the
//! command line answers (a terminal prompt, `--yes`, `--answer`, or no one to ask), so the
//! engine itself never reads a terminal.

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

/// The person at the run: answers confirmations and `manual` steps; implemented by the
/// command line.
pub trait Confirmer: Send + Sync + std::fmt::Debug {
    /// Asks, and waits as long as the person needs (this time never counts toward a timeout).
    fn confirm(&self, request: &ConfirmRequest) -> Confirmation;

    /// Shows a `manual` step and waits until it is done or refused (never counted toward a
    /// timeout). Without a way to ask, the step is pending.
    fn acknowledge(&self, _request: &ManualRequest) -> Acknowledgement {
        Acknowledgement::Pending { reason: "no one to ask".to_owned() }
    }
}

/// Declines everything: for callers with no way to ask.
#[derive(Debug, Default)]
pub struct DeclineAll;

impl Confirmer for DeclineAll {
    fn confirm(&self, _request: &ConfirmRequest) -> Confirmation {
        Confirmation::Declined { reason: "no one to ask".to_owned() }
    }
}

/// What a `manual` step asks of a person.
#[derive(Debug, Clone)]
pub struct ManualRequest {
    /// The step.
    pub step_id: String,
    /// Its title.
    pub title: Option<String>,
    /// The rendered instructions, masked.
    pub instructions: String,
    /// The rendered checklist, masked.
    pub checklist: Vec<String>,
    /// The values to supply, in the order written.
    pub asks: Vec<rbx_model::Ask>,
    /// Answers already given with `--answer`, typed by their `ask`.
    pub answers: serde_json::Map<String, serde_json::Value>,
}

/// The answer to a `manual` step.
#[derive(Debug, Clone, PartialEq)]
pub enum Acknowledgement {
    /// Done, with every asked value.
    Done {
        /// Who acknowledged it.
        by: String,
        /// By `--yes`, not by a person at the prompt.
        automatic: bool,
        /// One typed value per `ask`.
        answers: serde_json::Map<String, serde_json::Value>,
    },
    /// Not done (yet): the step is pending and the run stops.
    Pending {
        /// Why: the answer, or that there was no one to ask.
        reason: String,
    },
}
