//! Reporters: everything rbx shows a person or a machine. Diagnostics in human, GitHub and
//! JSON form; run events on the terminal and as a JSON run record; runbooks drawn as graphs.

pub mod diagnostics;
pub mod graph;
pub mod run_human;
pub mod run_json;
