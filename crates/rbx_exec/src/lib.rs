//! The engine: runs a validated runbook step by step and emits [`events::RunEvent`]s.
//! It never prints; reporters (crate `rbx_report`) turn events into output.

pub mod confirm;
mod context;
mod data;
mod engine;
pub mod events;
mod kinds;
pub mod masking;
mod nested;
pub mod plan;
mod prepare;
pub mod process;
mod select;
pub mod watchdog;

pub use context::RunContext;
pub use engine::{DEFAULT_TIMEOUT, Engine, RunOptions, RunSummary, now, retry_delay};
pub use prepare::{GivenInputs, Prepared, SUPPORTED_KINDS, prepare};
pub use select::{Selection, SelectionProblem, select};
