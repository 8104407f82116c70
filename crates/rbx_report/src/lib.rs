//! Reporters: everything rbx shows a person or a machine. Diagnostics in human, GitHub,
//! JSON and SARIF form; run events on the terminal, as a JSON run record and as JUnit XML; post-incident
//! reports from the journal in Markdown, HTML, JSON or a custom template; runbooks drawn as
//! graphs.

pub mod diagnostics;
pub mod graph;
pub mod incident_report;
pub mod junit;
pub mod markup;
pub mod plan_human;
pub mod report_html;
pub mod report_markdown;
pub mod report_template;
pub mod run_human;
pub mod run_json;
pub mod sarif;
