//! A [`Graph`] as a Mermaid flowchart, for Markdown pages that render Mermaid (GitHub, GitLab).

use std::fmt::Write;

use super::model::{ClusterRole, EdgeStyle, Graph, Node, NodeShape};

/// The flowchart text, ending with a newline.
pub fn render(graph: &Graph) -> String {
    let mut out = String::from("flowchart TB\n");
    for node in graph.nodes.iter().filter(|node| node.cluster.is_none()) {
        write_node(&mut out, node, "  ");
    }
    for (index, cluster) in graph.clusters.iter().enumerate() {
        let _ = writeln!(out, "  subgraph {} [\"{}\"]", cluster.key.as_str(), label(&[cluster.label.as_str()]));
        out.push_str("    direction TB\n");
        for node in graph.nodes.iter().filter(|node| node.cluster == Some(index)) {
            write_node(&mut out, node, "    ");
        }
        out.push_str("  end\n");
    }
    for edge in &graph.edges {
        let arrow = match edge.style {
            EdgeStyle::Next => "-->",
            EdgeStyle::Tolerant | EdgeStyle::Calls => "-.->",
            EdgeStyle::Always => "==>",
        };
        let text = if edge.lines.is_empty() { String::new() } else { format!("|\"{}\"|", label(&edge.lines)) };
        let _ = writeln!(out, "  {} {arrow}{text} {}", edge.from.as_str(), edge.to.as_str());
    }
    write_classes(&mut out, graph);
    out
}

fn write_node(out: &mut String, node: &Node, indent: &str) {
    let (open, close) = match node.shape {
        NodeShape::Start => ("([", "])"),
        NodeShape::Action => ("[", "]"),
        NodeShape::Manual => ("[/", "/]"),
        NodeShape::Note => (">", "]"),
        NodeShape::Call => ("[[", "]]"),
        NodeShape::CalleeFile => ("(", ")"),
    };
    let _ = writeln!(out, "{indent}{}{open}\"{}\"{close}", node.key.as_str(), label(&node.lines));
}

/// Confirm and for_each steps, and the `finally` cluster, get a look of their own.
fn write_classes(out: &mut String, graph: &Graph) {
    let keys = |pick: fn(&Node) -> bool| -> Vec<&str> {
        graph.nodes.iter().filter(|node| pick(node)).map(|node| node.key.as_str()).collect()
    };
    for (class, style, members) in [
        ("confirm", "stroke:#d97706,stroke-width:3px", keys(|node| node.confirm)),
        ("for_each", "stroke-dasharray:6 3", keys(|node| node.for_each)),
    ] {
        if !members.is_empty() {
            let _ = writeln!(out, "  classDef {class} {style}");
            let _ = writeln!(out, "  class {} {class}", members.join(","));
        }
    }
    for cluster in graph.clusters.iter().filter(|cluster| cluster.role == ClusterRole::Finally) {
        let _ = writeln!(out, "  style {} stroke-dasharray:4 4", cluster.key.as_str());
    }
}

/// The lines of a label as the inside of a Mermaid `"…"` string.
///
/// Mermaid has no backslash escapes: a character that would end the string, open markup
/// (`<`, `` ` ``) or be read as an entity (`#`, `&`) is written as an entity (`#quot;`), which
/// Mermaid turns back into the character. Lines are joined with `<br/>`.
fn label<S: AsRef<str>>(lines: &[S]) -> String {
    super::escape_label(lines, "<br/>", |c, out| match c {
        '"' => out.push_str("#quot;"),
        '#' => out.push_str("#35;"),
        '&' => out.push_str("#amp;"),
        '<' => out.push_str("#lt;"),
        '>' => out.push_str("#gt;"),
        '`' => out.push_str("#96;"),
        '%' => out.push_str("#37;"),
        c => out.push(c),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_writes_markup_and_quotes_as_entities() {
        assert_eq!(label(&["say \"hi\" <b>&#1;`x` 50%"]), "say #quot;hi#quot; #lt;b#gt;#amp;#35;1;#96;x#96; 50#37;");
    }

    #[test]
    fn label_breaks_lines_and_blanks_control_characters() {
        assert_eq!(label(&["a\nb", "c\td\u{7}"]), "a<br/>b<br/>c d ");
    }
}
