//! One module per subcommand.

pub mod completions;
pub mod graph;
pub mod lint;
pub mod list;
pub mod report;
pub mod resume;
pub mod run;
pub mod run_journal;
pub mod runs;
pub mod schema;
