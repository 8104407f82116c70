use std::sync::Arc;

use proptest::prelude::*;
use rbx_diagnostics::SourceFile;
use rbx_model::{Loader, Runbook};

use super::*;

fn load(yaml: &str) -> Option<Arc<Runbook>> {
    let loaded = Loader::new().load_source(SourceFile::new("/nonexistent/graph.yaml", yaml));
    if loaded.has_errors() { None } else { loaded.runbook }
}

#[track_caller]
fn graph_of(yaml: &str) -> Graph {
    let Some(runbook) = load(yaml) else { panic!("the test runbook does not load:\n{yaml}") };
    build(&runbook)
}

fn edge<'a>(graph: &'a Graph, from: &str, to: &str) -> &'a Edge {
    graph
        .edges
        .iter()
        .find(|edge| edge.from.as_str() == from && edge.to.as_str() == to)
        .unwrap_or_else(|| panic!("no edge {from} -> {to} in {:#?}", graph.edges))
}

fn node<'a>(graph: &'a Graph, key: &str) -> &'a Node {
    graph.nodes.iter().find(|node| node.key.as_str() == key).unwrap_or_else(|| panic!("no node {key}"))
}

const FLOW: &str = r#"
rbx: 1
id: flow
title: A flow
steps:
  - { id: fix, phase: mitigate, shell: "true", on_failure: continue }
  - { id: look, phase: detect, title: Look, note: hi }
  - id: again
    phase: mitigate
    when: { path: $.steps.fix.outcome, equals: tolerated }
    confirm: Restart it?
    on_decline: skip
    for_each: [a, b]
    parallel: 2
    shell: echo {{item}}
  - { id: loose, wait: 1s }
finally:
  - { id: bye, phase: close, note: bye }
  - { id: tell, when: { path: $.run.status, equals: failed }, manual: { instructions: Call someone } }
"#;

#[test]
fn phases_are_clusters_in_response_flow_order_and_finally_comes_last() {
    let graph = graph_of(FLOW);
    let labels: Vec<&str> = graph.clusters.iter().map(|cluster| cluster.label.as_str()).collect();
    assert_eq!(labels, ["detect", "mitigate", "finally (always runs)"]);
    assert_eq!(node(&graph, "step_look").cluster, Some(0));
    assert_eq!(node(&graph, "step_fix").cluster, Some(1));
    assert_eq!(node(&graph, "step_loose").cluster, None);
    // A `finally` step's phase does not take it out of `finally`.
    assert_eq!(node(&graph, "step_bye").cluster, Some(2));
    assert_eq!(node(&graph, "step_tell").cluster, Some(2));
}

#[test]
fn edges_follow_execution_order_with_conditions_and_tolerated_failures() {
    let graph = graph_of(FLOW);
    let order: Vec<(&str, &str)> = graph.edges.iter().map(|e| (e.from.as_str(), e.to.as_str())).collect();
    assert_eq!(
        order,
        [
            ("runbook_start", "step_fix"),
            ("step_fix", "step_look"),
            ("step_look", "step_again"),
            ("step_again", "step_loose"),
            ("step_loose", "step_bye"),
            ("step_bye", "step_tell"),
        ]
    );
    let tolerant = edge(&graph, "step_fix", "step_look");
    assert_eq!(tolerant.style, EdgeStyle::Tolerant);
    assert_eq!(tolerant.lines, ["on failure: continue"]);
    let conditional = edge(&graph, "step_look", "step_again");
    assert_eq!(conditional.style, EdgeStyle::Next);
    assert_eq!(conditional.lines, ["when $.steps.fix.outcome equals \"tolerated\""]);
    let into_finally = edge(&graph, "step_loose", "step_bye");
    assert_eq!(into_finally.style, EdgeStyle::Always);
    assert_eq!(into_finally.lines, ["finally: always"]);
    assert_eq!(edge(&graph, "step_bye", "step_tell").lines, ["when $.run.status equals \"failed\""]);
}

#[test]
fn step_labels_carry_id_kind_title_and_what_changes_how_it_runs() {
    let graph = graph_of(FLOW);
    assert_eq!(node(&graph, "runbook_start").lines, ["flow", "A flow"]);
    assert_eq!(node(&graph, "step_look").lines, ["look · note", "Look"]);
    assert_eq!(node(&graph, "step_loose").lines, ["loose · wait 1s"]);
    let again = node(&graph, "step_again");
    assert_eq!(again.lines, ["again · shell", "confirm: Restart it? (decline skips)", "for each: 2 items (2 at once)"]);
    assert!(again.confirm && again.for_each);
    assert_eq!(node(&graph, "step_tell").shape, NodeShape::Manual);
    assert_eq!(node(&graph, "step_bye").shape, NodeShape::Note);
}

#[test]
fn nested_checks_read_as_one_line() {
    let graph = graph_of(
        r#"
rbx: 1
id: checks
steps:
  - { id: a, shell: "true" }
  - id: b
    when:
      - any: [ { path: $.steps.a.exit_code, equals: 0 }, { not: { path: $.steps.a.stdout, matches: "x|y" } } ]
      - { path: $.steps.a.stdout, exists: true }
    until: { path: $.stdout, length: { gt: 1, le: 5 } }
    shell: "true"
"#,
    );
    // Cut at 80 characters: a label sums up, the runbook has the whole condition.
    assert_eq!(
        edge(&graph, "step_a", "step_b").lines,
        ["when any($.steps.a.exit_code equals 0; not($.steps.a.stdout matches \"x|y\")) and $.st…"]
    );
    assert_eq!(node(&graph, "step_b").lines, ["b · shell", "until $.stdout length {\"gt\":1,\"le\":5}"]);
}

#[test]
fn node_keys_are_readable_for_loader_ids_and_safe_for_anything_else() {
    assert_eq!(NodeKey::new("step", "check_db", 3).as_str(), "step_check_db");
    assert_eq!(NodeKey::new("step", "end", 3).as_str(), "step_end");
    assert_eq!(NodeKey::new("step", "a-b", 3).as_str(), "step3");
    assert_eq!(NodeKey::new("step", "", 0).as_str(), "step0");
    assert_eq!(NodeKey::new("step", "ü", 7).as_str(), "step7");
}

#[test]
fn both_formats_draw_the_same_nodes_and_edges() {
    let graph = graph_of(FLOW);
    let mermaid = render(&graph, GraphFormat::Mermaid);
    let dot = render(&graph, GraphFormat::Dot);
    assert!(mermaid.starts_with("flowchart TB\n"));
    assert!(mermaid.contains("  step_fix -.->|\"on failure: continue\"| step_look\n"), "{mermaid}");
    assert!(mermaid.contains("  step_loose ==>|\"finally: always\"| step_bye\n"), "{mermaid}");
    assert!(mermaid.contains("  class step_again confirm\n"), "{mermaid}");
    assert!(dot.starts_with("digraph runbook {\n"));
    assert!(dot.contains("  \"step_fix\" -> \"step_look\" [label=\"on failure: continue\", style=dashed];\n"), "{dot}");
    assert!(dot.contains("  subgraph \"cluster_finally_steps\" {\n"), "{dot}");
    for key in ["step_fix", "step_look", "step_again", "step_loose", "step_bye", "step_tell"] {
        assert!(mermaid.contains(&format!("{key}[")) || mermaid.contains(&format!("{key}>")), "{key}: {mermaid}");
        assert!(dot.contains(&format!("\"{key}\" [label=")), "{key}: {dot}");
    }
}

// ---------------------------------------------------------------------------------------------
// Any text in any label gives well-formed output that reads back as that text.

/// Every quoted string of a DOT document, unescaped, or why the document is malformed: an
/// unterminated string, an unknown escape, an `&` other than `&amp;`, a brace outside a string that does not balance.
fn dot_strings(dot: &str) -> Result<Vec<String>, String> {
    let mut strings = Vec::new();
    let mut depth = 0i32;
    let mut chars = dot.chars();
    while let Some(c) = chars.next() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            '"' => {
                let mut text = String::new();
                loop {
                    match chars.next() {
                        None => return Err("unterminated string".to_owned()),
                        Some('"') => break,
                        Some('\n') => return Err("raw line break in a string".to_owned()),
                        Some('\\') => match chars.next() {
                            Some('\\') => text.push('\\'),
                            Some('"') => text.push('"'),
                            Some('n') => text.push('\n'),
                            other => return Err(format!("escape \\{other:?} in a string")),
                        },
                        // Graphviz decodes entities in labels: `&` only ever starts `&amp;`.
                        Some('&') => {
                            let entity: String = chars.by_ref().take(4).collect();
                            if entity != "amp;" {
                                return Err(format!("`&{entity}` in a string"));
                            }
                            text.push('&');
                        }
                        Some(c) => text.push(c),
                    }
                }
                strings.push(text);
            }
            _ => {}
        }
        if depth < 0 {
            return Err("`}` before its `{`".to_owned());
        }
    }
    if depth != 0 {
        return Err("unbalanced braces".to_owned());
    }
    Ok(strings)
}

/// Every `"…"` string of a Mermaid document with its entities and `<br/>` decoded, or why the
/// document is malformed: an odd number of quotes on a line, markup or a raw `#` inside a string,
/// or `subgraph` without its `end`.
fn mermaid_strings(mermaid: &str) -> Result<Vec<String>, String> {
    let mut strings = Vec::new();
    let mut open_subgraphs = 0;
    for line in mermaid.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("subgraph ") {
            open_subgraphs += 1;
        } else if trimmed == "end" {
            open_subgraphs -= 1;
        }
        if trimmed.starts_with("%%") {
            return Err(format!("a comment line: {line}"));
        }
        let parts: Vec<&str> = line.split('"').collect();
        if parts.len().is_multiple_of(2) {
            return Err(format!("odd number of quotes: {line}"));
        }
        for inside in parts.iter().skip(1).step_by(2) {
            strings.push(decode_mermaid(inside)?);
        }
    }
    if open_subgraphs != 0 {
        return Err("a subgraph without its end".to_owned());
    }
    Ok(strings)
}

fn decode_mermaid(inside: &str) -> Result<String, String> {
    let text = inside.replace("<br/>", "\n");
    if text.contains(['<', '>', '`', '%', '&']) {
        return Err(format!("raw markup in a label: {inside}"));
    }
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find('#') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let Some(end) = after.find(';') else { return Err(format!("a raw `#` in a label: {inside}")) };
        out.push(match &after[..end] {
            "quot" => '"',
            "35" => '#',
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "96" => '`',
            "37" => '%',
            other => return Err(format!("unknown entity #{other}; in {inside}")),
        });
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// A label line as the renderers must show it: control characters other than line breaks
/// become spaces.
fn shown(text: &str) -> String {
    text.chars().map(|c| if c.is_control() && c != '\n' { ' ' } else { c }).collect()
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        prop::collection::vec(
            prop::sample::select(vec![
                "\"", "'", "\\", "\\n", "\n", "\r\n", "\t", "<", ">", "<br/>", "&", "&amp;", "#", "#quot;", "#35;",
                "%%", "`", "{", "}", "[", "]", "(", ")", "|", ";", "-->", "end", "subgraph", "->", "cluster", "é",
                "💥", "\u{0}", "\u{7f}", "\u{2028}", " ", "a",
            ]),
            0..12
        )
        .prop_map(|parts| parts.concat()),
    ]
}

prop_compose! {
    fn any_graph()(
        names in prop::collection::vec(any_text(), 1..6),
        node_lines in prop::collection::vec(prop::collection::vec(any_text(), 0..3), 6),
        cluster_labels in prop::collection::vec(any_text(), 0..3),
        edge_lines in prop::collection::vec(any_text(), 6),
        clusters_of in prop::collection::vec(any::<prop::sample::Index>(), 6),
    ) -> Graph {
        let clusters: Vec<Cluster> = cluster_labels
            .into_iter()
            .enumerate()
            .map(|(index, label)| Cluster { key: NodeKey::new("phase", &label, index), label, role: ClusterRole::Phase })
            .collect();
        let shapes = [NodeShape::Start, NodeShape::Action, NodeShape::Manual, NodeShape::Note, NodeShape::Call, NodeShape::CalleeFile];
        let nodes: Vec<Node> = names
            .iter()
            .enumerate()
            .map(|(index, name)| Node {
                key: NodeKey::new("step", name, index),
                lines: node_lines[index].clone(),
                shape: shapes[index % shapes.len()],
                confirm: index % 2 == 0,
                for_each: index % 3 == 0,
                cluster: (!clusters.is_empty()).then(|| clusters_of[index].index(clusters.len() + 1)).filter(|c| *c < clusters.len()),
            })
            .collect();
        let styles = [EdgeStyle::Next, EdgeStyle::Tolerant, EdgeStyle::Always, EdgeStyle::Calls];
        let edges = nodes
            .windows(2)
            .enumerate()
            .map(|(index, pair)| Edge {
                from: pair[0].key.clone(),
                to: pair[1].key.clone(),
                lines: if index % 2 == 0 { vec![edge_lines[index].clone()] } else { Vec::new() },
                style: styles[index % styles.len()],
            })
            .collect();
        Graph { clusters, nodes, edges }
    }
}

/// The texts a renderer must show, in the order it writes them.
fn expected_texts(graph: &Graph) -> Vec<String> {
    let mut texts = Vec::new();
    for node in graph.nodes.iter().filter(|node| node.cluster.is_none()) {
        texts.push(shown(&node.lines.join("\n")));
    }
    for (index, cluster) in graph.clusters.iter().enumerate() {
        texts.push(shown(&cluster.label));
        for node in graph.nodes.iter().filter(|node| node.cluster == Some(index)) {
            texts.push(shown(&node.lines.join("\n")));
        }
    }
    texts.extend(graph.edges.iter().filter(|edge| !edge.lines.is_empty()).map(|edge| shown(&edge.lines.join("\n"))));
    texts
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn any_label_gives_mermaid_that_reads_back(graph in any_graph()) {
        let mermaid = render(&graph, GraphFormat::Mermaid);
        let strings = mermaid_strings(&mermaid).map_err(|e| TestCaseError::fail(format!("{e}\n{mermaid}")))?;
        prop_assert_eq!(strings, expected_texts(&graph));
    }

    #[test]
    fn any_label_gives_dot_that_reads_back(graph in any_graph()) {
        let dot = render(&graph, GraphFormat::Dot);
        dot_strings(&dot).map_err(|e| TestCaseError::fail(format!("{e}\n{dot}")))?;
        // DOT also quotes node keys, cluster names and colours: keep only the labels.
        let labels: Vec<String> = dot
            .lines()
            .filter_map(|line| line.find("label=\"").map(|at| &line[at + "label=".len()..]))
            .map(|rest| dot_strings(rest).map(|mut s| s.remove(0)))
            .collect::<Result<_, _>>()
            .map_err(TestCaseError::fail)?;
        prop_assert_eq!(labels, expected_texts(&graph));
    }

    #[test]
    fn any_title_and_question_in_a_runbook_draws_well_formed(
        id in "[a-z_][a-z0-9_]{0,12}",
        title in any_text(),
        question in any_text(),
    ) {
        let yaml = format!(
            "rbx: 1\nid: rb\ntitle: {title}\nsteps:\n  - id: {id}\n    title: {title}\n    phase: triage\n    confirm: {question}\n    on_failure: continue\n    note: hi\n  - id: {id}_next\n    when: {{ path: $.steps.{id}.outcome, equals: {question} }}\n    note: hi\nfinally:\n  - {{ id: {id}_last, title: {title}, note: bye }}\n",
            title = serde_json::Value::String(title).to_string(),
            question = serde_json::Value::String(question).to_string(),
        );
        // Text YAML cannot hold (some control characters) is the loader's business.
        let Some(runbook) = load(&yaml) else { return Ok(()) };
        let graph = build(&runbook);
        prop_assert_eq!(graph.nodes.len(), 4);
        prop_assert_eq!(graph.edges.len(), 3);
        mermaid_strings(&render(&graph, GraphFormat::Mermaid)).map_err(TestCaseError::fail)?;
        dot_strings(&render(&graph, GraphFormat::Dot)).map_err(TestCaseError::fail)?;
    }
}
