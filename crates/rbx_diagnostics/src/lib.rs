//! Source positions, diagnostics and their rendering: the one error currency of rbx.
//!
//! Every stage that reads user input (YAML syntax, the runbook model, lint rules) reports
//! problems as [`Diagnostic`] values pointing into a [`SourceFile`]; the CLI renders them
//! in one place, in the format the user asked for.

pub mod codes;
mod diagnostic;
mod render;
mod source;
mod suggest;

pub use codes::Code;
pub use diagnostic::{Diagnostic, Label, Severity};
pub use render::{RenderStyle, render_human};
pub use source::{LineCol, SourceFile, Span};
pub use suggest::did_you_mean;
