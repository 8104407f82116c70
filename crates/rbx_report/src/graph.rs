//! `rbx graph`: a runbook drawn as a flowchart, in Mermaid or Graphviz DOT.
//!
//! Two stages: [`build`] turns the validated runbook into a [`Graph`] (what to draw: phases as
//! clusters in response-flow order, steps as nodes, execution order as edges, `finally` apart),
//! and a renderer writes that in one text format, escaping every label for it.

mod build;
mod dot;
mod mermaid;
mod model;

pub use build::build;
pub use model::{Cluster, ClusterRole, Edge, EdgeStyle, Graph, Node, NodeKey, NodeShape};

/// The text formats a graph is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphFormat {
    /// A Mermaid flowchart (renders in GitHub and GitLab Markdown).
    Mermaid,
    /// Graphviz DOT (`dot -Tsvg`).
    Dot,
}

/// Writes `graph` in `format`; the text ends with a newline.
pub fn render(graph: &Graph, format: GraphFormat) -> String {
    match format {
        GraphFormat::Mermaid => mermaid::render(graph),
        GraphFormat::Dot => dot::render(graph),
    }
}

/// The lines of a label as one string in a format's quoted string: `escape` writes each
/// character (the format's quoting), except line breaks, written as `line_break`, and other
/// control characters, written as spaces (no format shows them, and some refuse them).
fn escape_label<S: AsRef<str>>(lines: &[S], line_break: &str, escape: fn(char, &mut String)) -> String {
    let mut out = String::new();
    for (index, line) in lines.iter().enumerate() {
        if index > 0 {
            out.push_str(line_break);
        }
        for c in line.as_ref().chars() {
            match c {
                '\n' => out.push_str(line_break),
                c if c.is_control() => out.push(' '),
                c => escape(c, &mut out),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
