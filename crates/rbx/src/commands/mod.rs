//! One module per subcommand.

pub mod completions;
pub mod graph;
pub mod lint;
pub mod list;
pub mod run;
pub mod schema;
