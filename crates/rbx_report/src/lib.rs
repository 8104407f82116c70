//! Reporters: everything rbx shows a person or a machine. Diagnostics in human, GitHub, JSON
//! and SARIF form; run events on the terminal and as a JSON run record.

pub mod diagnostics;
pub mod run_human;
pub mod run_json;
pub mod sarif;
