//! Reporters: everything rbx shows a person or a machine. Diagnostics in human, GitHub, JSON
//! and SARIF form; run events on the terminal, as JSON, JUnit, and the post-incident report.

pub mod diagnostics;
