//! A runbook → its [`Graph`]: phases as clusters in response-flow order, steps as nodes, and
//! the order the engine runs them in as edges.

use rbx_checks::{Check, CheckKind};
use rbx_model::{ForEach, OnDecline, OnFailure, Phase, Runbook, Step, StepKind, format_duration};

use super::model::{Cluster, ClusterRole, Edge, EdgeStyle, Graph, Node, NodeKey, NodeShape};

/// Longest condition, question or item list shown in a label, in characters: a label is a
/// summary, and the runbook itself has the whole text.
const MAX_DETAIL_CHARS: usize = 80;

/// Draws `runbook`: a start node, one node per step (and per file a `runbook` step calls),
/// one cluster per phase used by `steps`, and a cluster for `finally`.
pub fn build(runbook: &Runbook) -> Graph {
    let mut builder = Builder::new(runbook);
    let start = builder.start_node(runbook);
    let mut last = Last { key: start, tolerant: false };
    for (index, step) in runbook.steps.iter().enumerate() {
        let key = builder.step_node(step, index);
        let style = if last.tolerant { EdgeStyle::Tolerant } else { EdgeStyle::Next };
        let mut lines = Vec::new();
        if last.tolerant {
            lines.push("on failure: continue".to_owned());
        }
        builder.edge(last.key, key.clone(), lines, style, step);
        builder.callee(step, &key, index);
        last = Last { key, tolerant: step.on_failure == OnFailure::Continue };
    }
    // `finally` runs after the last step, and also after any step that stopped the run.
    let mut style = EdgeStyle::Always;
    let mut lines = vec!["finally: always".to_owned()];
    for (offset, step) in runbook.finally.iter().enumerate() {
        let key = builder.step_node(step, runbook.steps.len() + offset);
        builder.edge(last.key, key.clone(), std::mem::take(&mut lines), style, step);
        builder.callee(step, &key, runbook.steps.len() + offset);
        style = EdgeStyle::Next;
        last = Last { key, tolerant: false };
    }
    builder.graph
}

/// The node the next edge starts from.
struct Last {
    key: NodeKey,
    /// The run goes on from it even when it failed.
    tolerant: bool,
}

struct Builder {
    graph: Graph,
    /// The cluster index of each phase in [`Phase::ALL`] order, when a step uses it.
    phase_clusters: [Option<usize>; Phase::ALL.len()],
    finally_cluster: Option<usize>,
}

impl Builder {
    /// Declares the clusters up front, so they are drawn in response-flow order whatever order
    /// the steps use them in.
    fn new(runbook: &Runbook) -> Builder {
        let mut graph = Graph { clusters: Vec::new(), nodes: Vec::new(), edges: Vec::new() };
        let mut phase_clusters = [None; Phase::ALL.len()];
        for (slot, phase) in phase_clusters.iter_mut().zip(Phase::ALL) {
            if runbook.steps.iter().any(|step| step.phase == Some(phase)) {
                *slot = Some(graph.clusters.len());
                graph.clusters.push(Cluster {
                    key: NodeKey::new("phase", phase.as_str(), graph.clusters.len()),
                    label: phase.as_str().to_owned(),
                    role: ClusterRole::Phase,
                });
            }
        }
        let finally_cluster = (!runbook.finally.is_empty()).then(|| {
            graph.clusters.push(Cluster {
                key: NodeKey::new("finally", "steps", graph.clusters.len()),
                label: "finally (always runs)".to_owned(),
                role: ClusterRole::Finally,
            });
            graph.clusters.len() - 1
        });
        Builder { graph, phase_clusters, finally_cluster }
    }

    fn start_node(&mut self, runbook: &Runbook) -> NodeKey {
        let key = NodeKey::new("runbook", "start", 0);
        let mut lines = vec![runbook.id.value.clone()];
        lines.extend(runbook.title.clone());
        self.graph.nodes.push(Node {
            key: key.clone(),
            lines,
            shape: NodeShape::Start,
            confirm: false,
            for_each: false,
            cluster: None,
        });
        key
    }

    /// The step's node.
    fn step_node(&mut self, step: &Step, index: usize) -> NodeKey {
        let key = NodeKey::new("step", &step.id.value, index);
        self.graph.nodes.push(Node {
            key: key.clone(),
            lines: step_lines(step),
            shape: shape_of(&step.kind),
            confirm: step.confirm.is_some(),
            for_each: step.for_each.is_some(),
            cluster: self.cluster_of(step),
        });
        key
    }

    /// `finally` for a `finally` step (whatever its phase), else its phase's cluster.
    fn cluster_of(&self, step: &Step) -> Option<usize> {
        if step.in_finally {
            return self.finally_cluster;
        }
        let phase = step.phase?;
        Phase::ALL.iter().position(|p| *p == phase).and_then(|i| self.phase_clusters[i])
    }

    /// For a `runbook` step, the node of the file it calls, beside the step, and the edge to it.
    fn callee(&mut self, step: &Step, key: &NodeKey, index: usize) {
        let StepKind::Runbook(call) = &step.kind else { return };
        let callee = NodeKey::new("callee", &step.id.value, index);
        self.graph.nodes.push(Node {
            key: callee.clone(),
            lines: vec![call.path.value.clone(), format!("{}: {}", call.callee.id.value, call.callee.display_title())],
            shape: NodeShape::CalleeFile,
            confirm: false,
            for_each: false,
            cluster: self.cluster_of(step),
        });
        self.graph.edges.push(Edge {
            from: key.clone(),
            to: callee,
            lines: vec!["calls".to_owned()],
            style: EdgeStyle::Calls,
        });
    }

    /// The edge into `step`, with its `when` condition added to the label.
    fn edge(&mut self, from: NodeKey, to: NodeKey, mut lines: Vec<String>, style: EdgeStyle, step: &Step) {
        if !step.when.is_empty() {
            lines.push(format!("when {}", shorten(&checks_text(&step.when))));
        }
        self.graph.edges.push(Edge { from, to, lines, style });
    }
}

/// The label of a step: id and kind, title, then what changes how it runs.
fn step_lines(step: &Step) -> Vec<String> {
    let mut lines = vec![format!("{} · {}", step.id.value, kind_text(&step.kind))];
    lines.extend(step.title.clone());
    if let Some(question) = &step.confirm {
        let skip = if step.on_decline == OnDecline::Skip { " (decline skips)" } else { "" };
        lines.push(format!("confirm: {}{skip}", shorten(question.source())));
    }
    if let Some(for_each) = &step.for_each {
        let items = match for_each {
            ForEach::List(items) => format!("{} items", items.len()),
            ForEach::Template(template) => shorten(template.source()),
        };
        let parallel = match step.parallel {
            Some(parallel) if parallel > 1 => format!(" ({parallel} at once)"),
            _ => String::new(),
        };
        lines.push(format!("for each: {items}{parallel}"));
    }
    if let Some(until) = &step.until {
        lines.push(format!("until {}", shorten(&checks_text(until))));
    }
    lines
}

/// The kind key, with the one detail that tells steps of a kind apart at a glance.
fn kind_text(kind: &StepKind) -> String {
    match kind {
        StepKind::Http(http) => format!("http {}", http.method.as_str()),
        StepKind::Wait(duration) => format!("wait {}", format_duration(*duration)),
        other => other.name().to_owned(),
    }
}

fn shape_of(kind: &StepKind) -> NodeShape {
    match kind {
        StepKind::Manual(_) => NodeShape::Manual,
        StepKind::Note(_) => NodeShape::Note,
        StepKind::Runbook(_) => NodeShape::Call,
        StepKind::Shell(_)
        | StepKind::Http(_)
        | StepKind::Sql(_)
        | StepKind::Redis(_)
        | StepKind::Assert(_)
        | StepKind::Wait(_) => NodeShape::Action,
    }
}

/// A list of checks as one line: `$.steps.a.outcome equals "passed" and …`.
fn checks_text(checks: &[Check]) -> String {
    checks.iter().map(check_text).collect::<Vec<_>>().join(" and ")
}

fn check_text(check: &Check) -> String {
    match &check.kind {
        CheckKind::Path { path, operators } => {
            let tests: Vec<String> = operators
                .iter()
                .map(|operator| {
                    let operand = serde_json::to_string(&operator.operand()).unwrap_or_default();
                    format!("{} {operand}", operator.name())
                })
                .collect();
            if tests.is_empty() { path.source().to_owned() } else { format!("{} {}", path.source(), tests.join(", ")) }
        }
        CheckKind::Any(checks) => format!("any({})", checks.iter().map(check_text).collect::<Vec<_>>().join("; ")),
        CheckKind::All(checks) => format!("all({})", checks.iter().map(check_text).collect::<Vec<_>>().join("; ")),
        CheckKind::Not(check) => format!("not({})", check_text(check)),
    }
}

/// `text` on one line (runs of white space, line breaks included, become one space), cut to
/// [`MAX_DETAIL_CHARS`] characters with `…` when something was cut.
fn shorten(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= MAX_DETAIL_CHARS {
        return text;
    }
    let mut cut: String = text.chars().take(MAX_DETAIL_CHARS - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shorten_cuts_on_characters_and_marks_the_cut() {
        assert_eq!(shorten("  two\n  lines  "), "two lines");
        let long = "é".repeat(MAX_DETAIL_CHARS + 5);
        let cut = shorten(&long);
        assert_eq!(cut.chars().count(), MAX_DETAIL_CHARS);
        assert!(cut.ends_with('…'));
    }
}
