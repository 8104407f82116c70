//! A [`Graph`] in Graphviz's DOT language (`rbx graph FILE --format dot | dot -Tsvg`).

use std::fmt::Write;

use super::model::{ClusterRole, EdgeStyle, Graph, Node, NodeShape};

/// The `digraph` text, ending with a newline.
pub fn render(graph: &Graph) -> String {
    let mut out = String::from("digraph runbook {\n");
    out.push_str("  graph [fontname=\"Helvetica\"];\n");
    out.push_str("  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=10];\n");
    for node in graph.nodes.iter().filter(|node| node.cluster.is_none()) {
        write_node(&mut out, node, "  ");
    }
    for (index, cluster) in graph.clusters.iter().enumerate() {
        // Graphviz draws a subgraph as a box only when its name starts with `cluster`.
        let _ = writeln!(out, "  subgraph \"cluster_{}\" {{", cluster.key.as_str());
        let _ = writeln!(out, "    label=\"{}\";", quoted(&[&cluster.label]));
        if cluster.role == ClusterRole::Finally {
            out.push_str("    style=dashed;\n");
        }
        for node in graph.nodes.iter().filter(|node| node.cluster == Some(index)) {
            write_node(&mut out, node, "    ");
        }
        out.push_str("  }\n");
    }
    for edge in &graph.edges {
        let mut attributes = Vec::new();
        if !edge.lines.is_empty() {
            attributes.push(format!("label=\"{}\"", quoted(&edge.lines)));
        }
        match edge.style {
            EdgeStyle::Next => {}
            EdgeStyle::Tolerant => attributes.push("style=dashed".to_owned()),
            EdgeStyle::Always => attributes.push("style=bold".to_owned()),
            EdgeStyle::Calls => attributes.push("style=dotted, arrowhead=empty".to_owned()),
        }
        let _ = write!(out, "  \"{}\" -> \"{}\"", edge.from.as_str(), edge.to.as_str());
        if !attributes.is_empty() {
            let _ = write!(out, " [{}]", attributes.join(", "));
        }
        out.push_str(";\n");
    }
    out.push_str("}\n");
    out
}

fn write_node(out: &mut String, node: &Node, indent: &str) {
    let shape = match node.shape {
        NodeShape::Start => "shape=oval, style=solid",
        NodeShape::Action => "",
        NodeShape::Manual => "shape=parallelogram, style=solid",
        NodeShape::Note => "shape=note, style=solid",
        NodeShape::Call => "shape=component, style=solid",
        NodeShape::CalleeFile => "shape=folder, style=solid",
    };
    let mut attributes = vec![format!("label=\"{}\"", quoted(&node.lines))];
    if !shape.is_empty() {
        attributes.push(shape.to_owned());
    }
    if node.confirm {
        attributes.push("color=\"#d97706\", penwidth=3".to_owned());
    }
    if node.for_each {
        attributes.push("peripheries=2".to_owned());
    }
    let _ = writeln!(out, "{indent}\"{}\" [{}];", node.key.as_str(), attributes.join(", "));
}

/// The lines of a label as the inside of a DOT `"…"` string, one line each.
///
/// A backslash is doubled, so that nothing the author wrote becomes one of Graphviz's label
/// escapes (`\N`, `\G`, `\l`); `&` becomes `&amp;`, because Graphviz decodes HTML entities in
/// every label (`&lt;` would show as `<`); a quote is escaped; line breaks become `\n`; other
/// control characters become spaces.
fn quoted<S: AsRef<str>>(lines: &[S]) -> String {
    super::escape_label(lines, "\\n", |c, out| match c {
        '\\' => out.push_str("\\\\"),
        '"' => out.push_str("\\\""),
        '&' => out.push_str("&amp;"),
        c => out.push(c),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_escapes_backslashes_and_quotes_and_breaks_lines() {
        assert_eq!(quoted(&["a \"b\" \\N <c> &lt;", "d\ne\u{1}"]), "a \\\"b\\\" \\\\N <c> &amp;lt;\\nd\\ne ");
    }
}
