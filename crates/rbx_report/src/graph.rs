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

#[cfg(test)]
mod tests;
