//! The run journal: every run's events, appended as they happen to
//! `RUN_DIR/events.jsonl`, its metadata in `RUN_DIR/run.json` and its steps' output under
//! `RUN_DIR/artifacts/`, so that a run outlives the terminal (and rbx itself) and can be listed,
//! reported on and resumed. Everything written has already passed the engine's masker.
//!
//! [`JournalWriter`] is the `EventSink` that writes a run; [`Journal::open`] reads one back;
//! [`list_runs`] lists the runs under a root.

mod error;
mod listing;
mod location;
mod meta;
mod reader;
mod status;
mod writer;

pub use error::JournalError;
pub use listing::{RunListing, list_runs};
pub use location::{default_root, resolve_root};
pub use meta::{RunMeta, content_hash};
pub use reader::{Journal, JournalProblem, event_tag, millis_between};
pub use status::{RunState, this_host};
pub use writer::{ErrorReport, JournalHealth, JournalWriter, WritePolicy};

/// The file of a run's events, one JSON object a line.
pub const EVENTS_FILE: &str = "events.jsonl";
/// The file of a run's metadata.
pub const META_FILE: &str = "run.json";
/// The directory of a run's step output.
pub const ARTIFACTS_DIR: &str = "artifacts";
/// The version of the journal's layout, in `run.json`.
pub const JOURNAL_VERSION: u32 = 1;
