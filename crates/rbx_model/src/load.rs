//! The loader: source file → spanned document → validated [`Runbook`], reporting every problem.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rbx_diagnostics::{Diagnostic, SourceFile, Span, codes, did_you_mean};
use rbx_syntax::{Node, NodeKind, read_source};

use crate::reader::{self as read, Cx, Fields};
use crate::refs::{self, RefScope};
use crate::steps::step;
use crate::types::*;

/// Most steps a runbook may have (`steps` and `finally` together).
pub const MAX_STEPS: usize = 10_000;

const TOP_LEVEL_KEYS: &[&str] = &[
    "rbx",
    "id",
    "title",
    "summary",
    "severity",
    "triggers",
    "symptoms",
    "contacts",
    "inputs",
    "secrets",
    "connections",
    "defaults",
    "steps",
    "finally",
];

/// The result of loading one file.
#[derive(Debug, Clone)]
pub struct LoadedFile {
    /// The file (empty text when it could not be read).
    pub file: Arc<SourceFile>,
    /// The runbook, when there were no errors.
    pub runbook: Option<Arc<Runbook>>,
    /// Every problem found, in source order.
    pub diagnostics: Vec<Diagnostic>,
    /// The file could not be read at all (exit 2 for every command).
    pub unreadable: bool,
}

impl LoadedFile {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Loads runbooks, following `runbook` steps to the files they call (each loaded once).
#[derive(Debug, Default)]
pub struct Loader {
    cache: HashMap<PathBuf, Result<Arc<Runbook>, usize>>,
    stack: Vec<PathBuf>,
}

impl Loader {
    /// A loader with an empty cache.
    pub fn new() -> Loader {
        Loader::default()
    }

    /// Reads and loads the runbook at `path`.
    pub fn load_path(&mut self, path: &Path) -> LoadedFile {
        match read_source(path) {
            Ok(file) => self.load_source(file),
            Err(error) => LoadedFile {
                file: SourceFile::new(path, ""),
                runbook: None,
                diagnostics: vec![
                    Diagnostic::new(error.code, Span::point(0), error.message).with_optional_help(error.help),
                ],
                unreadable: error.code == codes::IO_ERROR,
            },
        }
    }

    /// Loads a runbook from text already read.
    pub fn load_source(&mut self, file: Arc<SourceFile>) -> LoadedFile {
        let key = canonical(file.path());
        self.stack.push(key.clone());
        let mut cx = Cx {
            file: &file,
            diagnostics: Vec::new(),
            refs: Vec::new(),
            scope: RefScope::TOP,
            pending_connections: Vec::new(),
            steps: Vec::new(),
            regexes: std::collections::HashMap::new(),
            paths: std::collections::HashMap::new(),
            loader: std::mem::take(self),
        };
        let runbook = build(&mut cx);
        let mut diagnostics = std::mem::take(&mut cx.diagnostics);
        *self = std::mem::take(&mut cx.loader);
        self.stack.pop();
        diagnostics.sort_by_key(|d| (d.span.start, d.code.id));
        let runbook = if diagnostics.iter().any(Diagnostic::is_error) { None } else { runbook.map(Arc::new) };
        let error_count = diagnostics.iter().filter(|d| d.is_error()).count();
        self.cache.insert(key, runbook.clone().ok_or(error_count));
        LoadedFile { file, runbook, diagnostics, unreadable: false }
    }

    /// Loads a runbook called by another; `Err` is a diagnostic for the calling step.
    pub(crate) fn load_callee(&mut self, path: &Path, at: Span) -> Result<Arc<Runbook>, Diagnostic> {
        let key = canonical(path);
        if let Some(position) = self.stack.iter().position(|p| *p == key) {
            let chain: Vec<String> =
                self.stack[position..].iter().chain(std::iter::once(&key)).map(|p| p.display().to_string()).collect();
            return Err(Diagnostic::new(codes::NESTED_RUNBOOK_CYCLE, at, "runbooks call each other in a cycle")
                .with_label("this call closes the cycle")
                .with_note(format!("cycle: {}", chain.join(" -> "))));
        }
        if let Some(cached) = self.cache.get(&key) {
            return cached.clone().map_err(|count| invalid_callee(path, at, count));
        }
        let loaded = self.load_path(path);
        if let Some(runbook) = loaded.runbook {
            return Ok(runbook);
        }
        if loaded.unreadable || loaded.diagnostics.iter().any(|d| d.code == codes::IO_ERROR) {
            let reason = loaded.diagnostics.first().map_or_else(String::new, |d| d.message.clone());
            return Err(Diagnostic::new(
                codes::NESTED_RUNBOOK_INVALID,
                at,
                format!("the called runbook `{}` cannot be read", path.display()),
            )
            .with_label("called here")
            .with_note(reason)
            .with_help("the path is relative to the calling runbook's directory"));
        }
        if let Some(cycle) = loaded.diagnostics.iter().find(|d| d.code == codes::NESTED_RUNBOOK_CYCLE) {
            // The callee failed only because it calls back into a runbook being loaded: the
            // cycle is the problem to show here, not "the callee has errors".
            let mut diagnostic =
                Diagnostic::new(codes::NESTED_RUNBOOK_CYCLE, at, "runbooks call each other in a cycle")
                    .with_label("this call starts the cycle");
            diagnostic.notes.clone_from(&cycle.notes);
            return Err(diagnostic);
        }
        let first = loaded.diagnostics.iter().find(|d| d.is_error()).map(|d| {
            let pos = loaded.file.line_col(d.span.start);
            format!("first: {}:{}:{}: {}", path.display(), pos.line, pos.column, d.message)
        });
        let count = loaded.diagnostics.iter().filter(|d| d.is_error()).count();
        let mut diagnostic = invalid_callee(path, at, count);
        if let Some(first) = first {
            diagnostic = diagnostic.with_note(first);
        }
        Err(diagnostic)
    }
}

fn invalid_callee(path: &Path, at: Span, count: usize) -> Diagnostic {
    Diagnostic::new(
        codes::NESTED_RUNBOOK_INVALID,
        at,
        format!("the called runbook `{}` has {count} error(s)", path.display()),
    )
    .with_label("called here")
    .with_help(format!("run `rbx lint {}` to see them", path.display()))
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Loads the runbook at `path` with a fresh [`Loader`].
pub fn load_file(path: &Path) -> LoadedFile {
    Loader::new().load_path(path)
}

/// Whether parsed YAML is a runbook (a top-level mapping with the key `rbx`), so that directory
/// walks can pass over other YAML.
pub fn is_runbook(root: &Node) -> bool {
    root.get("rbx").is_some()
}

fn build(cx: &mut Cx<'_>) -> Option<Runbook> {
    let parsed = rbx_syntax::parse(cx.file);
    cx.diagnostics.extend(parsed.diagnostics);
    let Some(root) = parsed.root else {
        if cx.diagnostics.is_empty() {
            cx.error(codes::EMPTY_FILE, Span::point(0), "the file is empty");
            if let Some(last) = cx.diagnostics.last_mut() {
                last.help = Some("a runbook starts with `rbx: 1`, an `id` and `steps`; see `rbx schema`".to_owned());
            }
        }
        return None;
    };
    if root.as_map().is_none() || root.get("rbx").is_none() {
        let message = if root.as_map().is_some() {
            "this YAML is not a runbook: the top-level key `rbx` is missing"
        } else {
            "this YAML is not a runbook: the top level must be a mapping with the key `rbx`"
        };
        cx.report(
            Diagnostic::new(codes::NOT_A_RUNBOOK, Span::new(root.span.start, root.span.start), message)
                .with_help("start the file with `rbx: 1` (the format version)"),
        );
        return None;
    }
    runbook(cx, root)
}

fn runbook(cx: &mut Cx<'_>, mut root: Node) -> Option<Runbook> {
    // The steps are most of a large file's tree. Taken out of it, each step's nodes are freed
    // as soon as its step is built, so the whole tree and the whole model are never in memory
    // at once.
    let step_nodes = take_list(&mut root, "steps");
    let finally_nodes = take_list(&mut root, "finally");
    let root = &root;
    let fields = Fields::open(cx, root, "the runbook", TOP_LEVEL_KEYS)?;
    if let Some(version) = fields.get("rbx")
        && !matches!(version.as_scalar().map(|s| s.value), Some(rbx_syntax::ScalarValue::Int(1)))
    {
        {
            cx.report(
                Diagnostic::new(
                    codes::UNSUPPORTED_VERSION,
                    version.span,
                    format!("unsupported format version {}", cx.file.slice(version.span)),
                )
                .with_label("this rbx reads version 1")
                .with_help("write `rbx: 1`"),
            );
        }
    }
    let id = fields.required(cx, "id", "the runbook").and_then(|n| read::runbook_id(cx, n));
    let title = fields.get("title").and_then(|n| read::text(cx, n, "`title`"));
    let summary = fields.get("summary").and_then(|n| read::text(cx, n, "`summary`"));
    let severity = fields.get("severity").and_then(|n| severity(cx, n));
    let triggers = fields
        .get("triggers")
        .map(|n| {
            read::one_or_many(n)
                .iter()
                .filter_map(|t| read::text(cx, t, "a trigger").map(|v| Spanned::new(v, t.span)))
                .collect()
        })
        .unwrap_or_default();
    let symptoms = fields
        .get("symptoms")
        .map(|n| read::one_or_many(n).iter().filter_map(|s| read::text(cx, s, "a symptom")).collect())
        .unwrap_or_default();
    let contacts = fields.get("contacts").map(|n| contacts(cx, n)).unwrap_or_default();
    let inputs = fields.get("inputs").map(|n| inputs(cx, n)).unwrap_or_default();
    let secrets = fields.get("secrets").map(|n| secrets(cx, n)).unwrap_or_default();
    let connections = fields.get("connections").map(|n| connections(cx, n)).unwrap_or_default();
    let defaults = fields.get("defaults").map(|n| defaults(cx, n)).unwrap_or_default();

    // Still read, for what they say when `steps` is missing or not a list.
    fields.required(cx, "steps", "the runbook").and_then(|n| read::list(cx, n, "`steps`"));
    fields.get("finally").and_then(|n| read::list(cx, n, "`finally`"));
    let total = step_nodes.len() + finally_nodes.len();
    if total > MAX_STEPS {
        let at = fields.entry("steps").map_or(root.span, |e| e.key_span);
        cx.report(
            Diagnostic::new(
                codes::LIMIT_EXCEEDED,
                at,
                format!("the runbook has {total} steps; at most {MAX_STEPS} are allowed"),
            )
            .with_help("split it into runbooks that call each other with `runbook` steps"),
        );
        return None;
    }
    let step_count = step_nodes.len();
    let mut steps = Vec::with_capacity(step_count);
    let mut finally = Vec::with_capacity(finally_nodes.len());
    for (index, node) in step_nodes.into_iter().enumerate() {
        steps.extend(step(cx, &node, index, false));
    }
    for (offset, node) in finally_nodes.into_iter().enumerate() {
        finally.extend(step(cx, &node, step_count + offset, true));
    }
    cx.scope = RefScope::TOP;
    let keys = fields.entries.iter().map(|e| Spanned::new(e.key.clone(), e.key_span)).collect();
    let mut runbook = Runbook {
        file: Arc::clone(cx.file),
        id: id.unwrap_or_else(|| Spanned::new(String::new(), root.span)),
        title,
        summary,
        severity,
        triggers,
        symptoms,
        contacts,
        inputs,
        secrets,
        connections,
        defaults,
        steps,
        finally,
        keys,
        reads: Vec::new(),
    };
    refs::check_unique_step_ids(cx);
    runbook.reads = refs::validate(cx, &runbook);
    Some(runbook)
}

/// The items of the top-level list `key`, moved out of `root` (which keeps an empty list in
/// their place); nothing when `key` is missing or not a list.
fn take_list(root: &mut Node, key: &str) -> Vec<Node> {
    let NodeKind::Map(entries) = &mut root.kind else { return Vec::new() };
    match entries.iter_mut().find(|entry| entry.key == key).map(|entry| &mut entry.value.kind) {
        Some(NodeKind::Seq(items)) => std::mem::take(items),
        _ => Vec::new(),
    }
}

fn severity(cx: &mut Cx<'_>, node: &Node) -> Option<Spanned<IncidentSeverity>> {
    let text = read::text(cx, node, "`severity`")?;
    let value = match text.replace('-', "").as_str() {
        "SEV1" => IncidentSeverity::Sev1,
        "SEV2" => IncidentSeverity::Sev2,
        "SEV3" => IncidentSeverity::Sev3,
        "SEV4" => IncidentSeverity::Sev4,
        _ => {
            cx.report(
                Diagnostic::new(codes::INVALID_VALUE, node.span, format!("`{text}` is not a severity"))
                    .with_label("expected SEV1, SEV2, SEV3 or SEV4")
                    .with_help(match text.to_ascii_uppercase().replace('-', "").as_str() {
                        upper @ ("SEV1" | "SEV2" | "SEV3" | "SEV4") => format!("write `{upper}` (upper case)"),
                        _ => "write SEV1 (critical) to SEV4 (low); `SEV-1` is accepted too".to_owned(),
                    }),
            );
            return None;
        }
    };
    Some(Spanned::new(value, node.span))
}

fn contacts(cx: &mut Cx<'_>, node: &Node) -> Vec<Contact> {
    let Some(items) = read::list(cx, node, "`contacts`") else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| {
            let fields = Fields::open(cx, item, "a contact", &["role", "name", "via", "escalation"])?;
            let role = fields.required(cx, "role", "a contact").and_then(|n| read::text(cx, n, "`role`"))?;
            let mut optional = |key: &str| fields.get(key).and_then(|n| read::text(cx, n, key));
            Some(Contact { role, name: optional("name"), via: optional("via"), escalation: optional("escalation") })
        })
        .collect()
}

fn inputs(cx: &mut Cx<'_>, node: &Node) -> Vec<Input> {
    let Some(entries) = node.as_map() else {
        cx.wrong_type(node, "`inputs`", "a mapping of input names to declarations");
        return Vec::new();
    };
    entries
        .iter()
        .filter_map(|entry| {
            let name = read::name_text(cx, entry.key.clone(), entry.key_span, "input name");
            let spec = value_spec(
                cx,
                &entry.value,
                "an input",
                &["type", "default", "required", "enum", "choices", "pattern", "description"],
            );
            // An input whose declaration is broken is still declared: keep its name so that
            // its uses are not reported as unknown too (the runbook is invalid either way).
            Some(Input { name: name?, spec: spec.unwrap_or_else(ValueSpec::untyped) })
        })
        .collect()
}

const VALUE_TYPES: &[(&str, ValueType)] = &[
    ("string", ValueType::String),
    ("integer", ValueType::Integer),
    ("number", ValueType::Number),
    ("boolean", ValueType::Boolean),
    ("list", ValueType::List),
    ("object", ValueType::Object),
];

/// An input or `ask` declaration: type, default, required, enum/choices, pattern.
pub(crate) fn value_spec(cx: &mut Cx<'_>, node: &Node, what: &str, known: &[&str]) -> Option<ValueSpec> {
    if node.is_null() {
        return Some(ValueSpec::untyped());
    }
    let fields = Fields::open(cx, node, what, known)?;
    let value_type = match fields.get("type") {
        Some(n) => read::choice(cx, n, "type", VALUE_TYPES),
        None => Some(ValueType::String),
    };
    let description = fields.get("description").and_then(|n| read::text(cx, n, "`description`"));
    let pattern = fields.get("pattern").and_then(|n| {
        let text = read::text(cx, n, "`pattern`")?;
        match rbx_checks::CompiledRegex::new(&text) {
            Ok(regex) => Some(regex),
            Err(error) => {
                cx.report(
                    Diagnostic::new(codes::INVALID_REGEX, n.span, format!("invalid regular expression: {error}"))
                        .with_label("does not compile"),
                );
                None
            }
        }
    });
    let choices_node = fields.get("enum").or_else(|| fields.get("choices"));
    let mut ok = true;
    let choices: Vec<serde_json::Value> = match choices_node.map(|n| read::list(cx, n, "`enum`")) {
        Some(Some(items)) => items.iter().map(Node::to_json).collect(),
        Some(None) => {
            ok = false;
            Vec::new()
        }
        None => Vec::new(),
    };
    let default = fields.get("default").map(|n| {
        let value = n.to_json();
        let checked = value_type.map(|t| crate::values::conforms(&value, t, &choices, pattern.as_ref()));
        if let (Some(value_type), Some(Err(problem))) = (value_type, checked) {
            cx.report(
                Diagnostic::new(codes::INVALID_INPUT, n.span, format!("the default {problem}"))
                    .with_label(format!("not a valid {}", value_type.as_str())),
            );
            ok = false;
        }
        value
    });
    for choice in choices_node.and_then(Node::as_seq).unwrap_or(&[]) {
        let Some(value_type) = value_type else { break };
        if let Err(problem) = crate::values::conforms(&choice.to_json(), value_type, &[], None) {
            cx.report(Diagnostic::new(codes::INVALID_INPUT, choice.span, format!("this choice {problem}")));
            ok = false;
        }
    }
    let required = match fields.get("required") {
        Some(n) => read::boolean(cx, n, "`required`"),
        None => Some(default.is_none()),
    };
    let (Some(value_type), Some(required)) = (value_type, required) else { return None };
    ok.then_some(ValueSpec { value_type, default, required, choices, pattern, description })
}

fn secrets(cx: &mut Cx<'_>, node: &Node) -> Vec<SecretDecl> {
    let Some(entries) = node.as_map() else {
        cx.wrong_type(node, "`secrets`", "a mapping of secret names to `{ env: VAR }`");
        return Vec::new();
    };
    entries
        .iter()
        .filter_map(|entry| {
            let name = read::name_text(cx, entry.key.clone(), entry.key_span, "secret name");
            let Some(fields) = Fields::open(cx, &entry.value, "a secret", &["env", "required", "description"]) else {
                return name.map(|name| SecretDecl { name, env: String::new(), required: false });
            };
            let env = fields.required(cx, "env", "a secret").and_then(|n| {
                let text = read::text(cx, n, "`env`")?;
                let valid = text.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                    && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if !valid {
                    cx.report(
                        Diagnostic::new(
                            codes::INVALID_NAME,
                            n.span,
                            format!("`{text}` is not an environment variable name"),
                        )
                        .with_label("expected letters, digits and `_`"),
                    );
                    return None;
                }
                Some(text)
            });
            let required = fields.get("required").and_then(|n| read::boolean(cx, n, "`required`")).unwrap_or(true);
            Some(SecretDecl { name: name?, env: env.unwrap_or_default(), required })
        })
        .collect()
}

fn connections(cx: &mut Cx<'_>, node: &Node) -> Vec<Connection> {
    let Some(entries) = node.as_map() else {
        cx.wrong_type(node, "`connections`", "a mapping of connection names");
        return Vec::new();
    };
    entries
        .iter()
        .filter_map(|entry| {
            let name = read::name_text(cx, entry.key.clone(), entry.key_span, "connection name");
            let fields = Fields::open(cx, &entry.value, "a connection", &["http", "sql", "redis"])?;
            let kinds: Vec<_> =
                fields.entries.iter().filter(|e| ["http", "sql", "redis"].contains(&e.key.as_str())).collect();
            let kind_entry = match kinds.as_slice() {
                [one] => *one,
                [] => {
                    cx.report(
                        Diagnostic::new(
                            codes::CONNECTION_KIND,
                            entry.key_span,
                            format!("connection `{}` has no kind", entry.key),
                        )
                        .with_help("write `http: { base_url: ... }`, `sql: { url: ... }` or `redis: { url: ... }`"),
                    );
                    return None;
                }
                [first, second, ..] => {
                    cx.report(
                        Diagnostic::new(
                            codes::CONNECTION_KIND,
                            second.key_span,
                            format!("connection `{}` has two kinds", entry.key),
                        )
                        .with_related(first.key_span, "first kind"),
                    );
                    return None;
                }
            };
            let kind = match kind_entry.key.as_str() {
                "http" => {
                    let http = Fields::open(
                        cx,
                        &kind_entry.value,
                        "an http connection",
                        &["base_url", "headers", "timeout", "insecure"],
                    )?;
                    let base_url = http
                        .required(cx, "base_url", "an http connection")
                        .and_then(|n| read::template(cx, n, "`base_url`"));
                    let headers =
                        http.get("headers").map(|n| read::template_map(cx, n, "`headers`")).unwrap_or_default();
                    let timeout = http.get("timeout").and_then(|n| read::duration(cx, n, "`timeout`"));
                    let insecure =
                        http.get("insecure").and_then(|n| read::boolean(cx, n, "`insecure`")).unwrap_or(false);
                    ConnectionKind::Http(HttpConnection { base_url: base_url?, headers, timeout, insecure })
                }
                other => {
                    let what = format!("a {other} connection");
                    let fields = Fields::open(cx, &kind_entry.value, &what, &["url"])?;
                    let url = fields.required(cx, "url", &what).and_then(|n| read::template(cx, n, "`url`"))?;
                    if other == "sql" { ConnectionKind::Sql { url } } else { ConnectionKind::Redis { url } }
                }
            };
            Some(Connection { name: name?, kind })
        })
        .collect()
}

fn defaults(cx: &mut Cx<'_>, node: &Node) -> Defaults {
    let Some(fields) = Fields::open(cx, node, "`defaults`", &["timeout", "retry", "shell"]) else {
        return Defaults::default();
    };
    Defaults {
        timeout: fields.get("timeout").and_then(|n| read::duration(cx, n, "`timeout`")),
        retry: fields.get("retry").and_then(|n| crate::steps::retry(cx, n)),
        shell: fields.get("shell").and_then(|n| crate::steps::shell_program(cx, n)),
    }
}

/// Suggests the closest declared name for an unknown reference.
pub(crate) fn suggest<'a>(word: &str, names: impl IntoIterator<Item = &'a str>) -> Option<String> {
    did_you_mean(word, names).map(|near| format!("did you mean `{near}`?"))
}
