//! What a drawing of a runbook holds, independent of the text format it is written in.

/// A runbook drawn as nodes, clusters and edges; the renderers only write it out.
#[derive(Debug, Clone, PartialEq)]
pub struct Graph {
    /// Groups of nodes, in the order they are drawn.
    pub clusters: Vec<Cluster>,
    /// Every node; a node names the cluster it belongs to, if any.
    pub nodes: Vec<Node>,
    /// Every edge, in execution order.
    pub edges: Vec<Edge>,
}

/// A name that is safe as a node or cluster identifier in every format: ASCII letters, digits
/// and `_`, starting with a letter, and never a keyword (it always has a prefix).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NodeKey(String);

impl NodeKey {
    /// `prefix_name` when `name` is made of ASCII letters, digits and `_` (every step id the
    /// loader accepts is), else `prefix{index}`, which is unique as long as `index` is.
    pub fn new(prefix: &str, name: &str, index: usize) -> NodeKey {
        let readable = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if readable {
            NodeKey(format!("{prefix}_{name}"))
        } else {
            // A digit right after the prefix cannot collide with the readable form (`prefix_…`).
            NodeKey(format!("{prefix}{index}"))
        }
    }

    /// The identifier.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A group of nodes drawn inside one box: a phase of the response flow, or `finally`.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    /// Its identifier.
    pub key: NodeKey,
    /// The caption.
    pub label: String,
    /// What the cluster stands for, which decides its look.
    pub role: ClusterRole,
}

/// What a cluster groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClusterRole {
    /// Steps of one phase.
    Phase,
    /// The `finally` steps, which run whatever happened.
    Finally,
}

/// One box in the drawing.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Its identifier.
    pub key: NodeKey,
    /// The label, one entry per line; any text (the renderers escape it).
    pub lines: Vec<String>,
    /// Its outline.
    pub shape: NodeShape,
    /// The step asks a `confirm:` question before it runs.
    pub confirm: bool,
    /// The step runs once per item of a `for_each`.
    pub for_each: bool,
    /// The index in [`Graph::clusters`] of the cluster it is drawn in.
    pub cluster: Option<usize>,
}

/// The outline of a node, chosen by what it stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeShape {
    /// Where the run begins (the runbook itself).
    Start,
    /// A step that does something by itself: shell, http, sql, redis, assert, wait.
    Action,
    /// A step a person does (`manual`).
    Manual,
    /// A message (`note`).
    Note,
    /// A call of another runbook (`runbook`).
    Call,
    /// The file a `runbook` step calls.
    CalleeFile,
}

/// An arrow between two nodes.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    /// Where it starts.
    pub from: NodeKey,
    /// Where it ends.
    pub to: NodeKey,
    /// The label, one entry per line (none for a plain arrow); any text.
    pub lines: Vec<String>,
    /// How it is drawn.
    pub style: EdgeStyle,
}

/// What an arrow means, which decides how it is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeStyle {
    /// The run goes on to the next step when this one passed (solid).
    Next,
    /// The run goes on even when this step failed: `on_failure: continue` (dashed).
    Tolerant,
    /// From the last step to `finally`, which runs whatever happened (thick).
    Always,
    /// A `runbook` step calls that file (dotted).
    Calls,
}
