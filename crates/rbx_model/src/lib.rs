//! The runbook model: typed, validated runbooks loaded from YAML with every problem reported
//! at its source position, and the JSON Schema of the format.

mod checks;
mod duration;
mod load;
mod reader;
mod refs;
pub mod schema;
mod steps;
mod types;
pub mod values;

pub use duration::{DurationError, format_duration, parse_duration};
pub use load::{LoadedFile, Loader, MAX_STEPS, is_runbook, load_file};
pub use refs::{CONTEXT_ROOTS, RUN_FIELDS};
pub use steps::MAX_PARALLEL;
pub use types::*;
