//! Reference checking: every name a template or run-context path reads must exist, and a step
//! only reads steps (and captures) that run before it.

use std::collections::HashMap;

use rbx_diagnostics::{Diagnostic, Span, codes};

use crate::load::suggest;
use crate::reader::Cx;
use crate::types::{Runbook, Spanned, StepRead};

/// The fields of `run` in the template context.
pub const RUN_FIELDS: &[&str] =
    &["id", "runbook", "title", "severity", "started_at", "user", "host", "incident", "status"];

/// The roots of the template context.
pub const CONTEXT_ROOTS: &[&str] = &["inputs", "secrets", "env", "vars", "steps", "item", "index", "run"];

/// Where a reference is written: which step (by position, `steps` then `finally`), and
/// whether `item`/`index` exist there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RefScope {
    step: Option<usize>,
    in_finally: bool,
    item_allowed: bool,
}

impl RefScope {
    /// Outside any step (connections, top-level fields).
    pub const TOP: RefScope = RefScope { step: None, in_finally: false, item_allowed: false };

    pub fn step(index: usize, in_finally: bool, item_allowed: bool) -> RefScope {
        RefScope { step: Some(index), in_finally, item_allowed }
    }
}

/// A reference found while reading, checked once every step is known.
#[derive(Debug, Clone)]
pub(crate) struct PendingRef {
    segments: Vec<String>,
    allows_missing: bool,
    span: Span,
    scope: RefScope,
}

impl PendingRef {
    pub fn new(reference: rbx_template::Reference, span: Span, scope: RefScope) -> PendingRef {
        PendingRef { segments: reference.segments, allows_missing: reference.allows_missing, span, scope }
    }

    pub fn from_path(segments: Vec<String>, span: Span, scope: RefScope) -> PendingRef {
        PendingRef { segments, allows_missing: false, span, scope }
    }
}

/// What reference checking needs to know of each step, recorded even for steps that have
/// other errors so that one mistake does not cascade into "unknown step" everywhere.
#[derive(Debug, Clone)]
pub(crate) struct StepFacts {
    pub index: usize,
    pub id: Option<Spanned<String>>,
    pub kind: Option<&'static str>,
    pub result_fields: &'static [&'static str],
    pub for_each: bool,
    pub vars: Vec<String>,
}

pub(crate) fn check_unique_step_ids(cx: &mut Cx<'_>) {
    let mut seen: HashMap<&str, Span> = HashMap::new();
    let mut duplicates = Vec::new();
    for facts in &cx.steps {
        let Some(id) = &facts.id else { continue };
        match seen.get(id.value.as_str()) {
            Some(first) => duplicates.push(
                Diagnostic::new(codes::DUPLICATE_STEP_ID, id.span, format!("duplicate step id `{}`", id.value))
                    .with_related(*first, "first used here")
                    .with_help("step ids are unique in a runbook, `finally` included: rename one"),
            ),
            None => {
                seen.insert(&id.value, id.span);
            }
        }
    }
    cx.diagnostics.extend(duplicates);
}

/// Steps by id and variables by name, so that checking each reference is a lookup, not a
/// scan of every step (a 10,000-step runbook has tens of thousands of references).
struct Index<'a> {
    steps: HashMap<&'a str, &'a StepFacts>,
    vars: HashMap<&'a str, Vec<&'a StepFacts>>,
    all: &'a [StepFacts],
}

impl<'a> Index<'a> {
    fn new(all: &'a [StepFacts]) -> Index<'a> {
        let mut steps = HashMap::new();
        let mut vars: HashMap<&str, Vec<&StepFacts>> = HashMap::new();
        for facts in all {
            if let Some(id) = &facts.id {
                steps.entry(id.value.as_str()).or_insert(facts);
            }
            for var in &facts.vars {
                vars.entry(var.as_str()).or_default().push(facts);
            }
        }
        Index { steps, vars, all }
    }
}

/// Checks every reference; what each step reads of earlier steps.
pub(crate) fn validate(cx: &mut Cx<'_>, runbook: &Runbook) -> Vec<StepRead> {
    let refs = std::mem::take(&mut cx.refs);
    let steps = std::mem::take(&mut cx.steps);
    let index = Index::new(&steps);
    let mut found = Vec::new();
    let mut reads = Vec::new();
    for reference in &refs {
        if let Some(diagnostic) = check(&index, runbook, reference) {
            found.push(diagnostic);
        } else if let Some(read) = step_read(&index, reference) {
            reads.push(read);
        }
    }
    cx.diagnostics.extend(found);
    for (name, kind) in std::mem::take(&mut cx.pending_connections) {
        match runbook.connection(&name.value) {
            Some(connection) if connection.kind.name() == kind => {}
            Some(connection) => cx.diagnostics.push(
                Diagnostic::new(
                    codes::WRONG_CONNECTION,
                    name.span,
                    format!(
                        "connection `{}` is {} {} connection; this is {} {kind} step",
                        name.value,
                        article(connection.kind.name()),
                        connection.kind.name(),
                        article(kind)
                    ),
                )
                .with_label(format!("needs {} {kind} connection", article(kind))),
            ),
            None => {
                let names: Vec<&str> = runbook.connections.iter().map(|c| c.name.value.as_str()).collect();
                cx.diagnostics.push(
                    Diagnostic::new(codes::WRONG_CONNECTION, name.span, format!("unknown connection `{}`", name.value))
                        .with_label("not declared under `connections`")
                        .with_optional_help(suggest(&name.value, names.iter().copied()).or_else(|| {
                            Some(if names.is_empty() {
                                "declare it under `connections:`, or write a full `url`".to_owned()
                            } else {
                                format!("declared connections: {}", names.join(", "))
                            })
                        })),
                );
            }
        }
    }
    reads
}

/// The earlier steps a valid reference depends on (none for inputs, secrets, `env`, ...).
fn step_read(index: &Index<'_>, reference: &PendingRef) -> Option<StepRead> {
    let reader = reference.scope.step?;
    let (root, name) = (reference.segments.first()?.as_str(), reference.segments.get(1)?.as_str());
    let providers: Vec<String> = match root {
        "steps" => vec![name.to_owned()],
        "vars" => index
            .vars
            .get(name)?
            .iter()
            .filter(|facts| facts.index < reader)
            .filter_map(|facts| facts.id.as_ref().map(|id| id.value.clone()))
            .collect(),
        _ => return None,
    };
    (!providers.is_empty()).then(|| StepRead {
        reader,
        reference: format!("{root}.{name}"),
        providers,
        span: reference.span,
    })
}

fn check(index: &Index<'_>, runbook: &Runbook, reference: &PendingRef) -> Option<Diagnostic> {
    let segments = &reference.segments;
    let root = segments.first()?.as_str();
    let name = segments.get(1).map(String::as_str);
    let unknown = |what: &str, names: Vec<&str>, name: &str| {
        Diagnostic::new(codes::UNKNOWN_REFERENCE, reference.span, format!("unknown {what} `{name}`"))
            .with_label(format!("no such {what}"))
            .with_optional_help(suggest(name, names.iter().copied()).or_else(|| {
                Some(if names.is_empty() {
                    format!("the runbook declares no {what}s")
                } else {
                    format!("declared: {}", names.join(", "))
                })
            }))
    };
    match root {
        "inputs" => {
            let name = name?;
            let names: Vec<&str> = runbook.inputs.iter().map(|i| i.name.value.as_str()).collect();
            (!names.contains(&name)).then(|| unknown("input", names, name))
        }
        "secrets" => {
            let name = name?;
            let names: Vec<&str> = runbook.secrets.iter().map(|s| s.name.value.as_str()).collect();
            (!names.contains(&name)).then(|| unknown("secret", names, name))
        }
        "env" => None,
        "vars" => check_var(index, reference, name?),
        "steps" => check_step(index, reference, name?, segments.get(2).map(String::as_str)),
        "item" | "index" => (!reference.scope.item_allowed).then(|| {
            Diagnostic::new(
                codes::ITEM_OUTSIDE_FOR_EACH,
                reference.span,
                format!("`{root}` is only defined inside a step with `for_each`"),
            )
            .with_label("no `for_each` here")
            .with_help("add `for_each` to this step, or read the value another way")
        }),
        "run" => {
            let name = name?;
            if !RUN_FIELDS.contains(&name) {
                return Some(unknown("run field", RUN_FIELDS.to_vec(), name));
            }
            (name == "status" && !reference.scope.in_finally).then(|| {
                Diagnostic::new(codes::UNKNOWN_REFERENCE, reference.span, "`run.status` is only known in `finally`")
                    .with_label("the run has not finished here")
            })
        }
        "this" | "" => None,
        other if other.starts_with('@') => None,
        other => Some(
            Diagnostic::new(codes::UNKNOWN_REFERENCE, reference.span, format!("`{other}` is not in the run context"))
                .with_label("unknown name")
                .with_help(match suggest(other, CONTEXT_ROOTS.iter().copied()) {
                    Some(help) => help,
                    None => format!("templates read {}", CONTEXT_ROOTS.join(", ")),
                }),
        ),
    }
}

fn position(scope: RefScope) -> usize {
    scope.step.unwrap_or(0)
}

fn check_var(index: &Index<'_>, reference: &PendingRef, name: &str) -> Option<Diagnostic> {
    if reference.allows_missing {
        return None;
    }
    let here = position(reference.scope);
    let definers: &[&StepFacts] = index.vars.get(name).map_or(&[], Vec::as_slice);
    if definers.iter().any(|s| s.index < here) {
        return None;
    }
    if let Some(later) = definers.first() {
        let who = later.id.as_ref().map_or("a later step".to_owned(), |id| format!("step `{}`", id.value));
        return Some(
            Diagnostic::new(
                codes::FORWARD_REFERENCE,
                reference.span,
                format!("`vars.{name}` is set by {who}, which runs later"),
            )
            .with_label("not set yet here")
            .with_help("move the capture before this step, or use `{{default vars.x \"...\"}}`"),
        );
    }
    let all: Vec<&str> = index.vars.keys().copied().collect();
    Some(
        Diagnostic::new(codes::UNKNOWN_REFERENCE, reference.span, format!("unknown variable `vars.{name}`"))
            .with_label("no step captures or asks for it")
            .with_optional_help(
                suggest(name, all.iter().copied())
                    .or_else(|| Some("variables come from a step's `capture` or a manual step's `ask`".to_owned())),
            ),
    )
}

fn check_step(index: &Index<'_>, reference: &PendingRef, name: &str, field: Option<&str>) -> Option<Diagnostic> {
    let Some(target) = index.steps.get(name).copied() else {
        let ids: Vec<&str> = index.all.iter().filter_map(|s| s.id.as_ref().map(|id| id.value.as_str())).collect();
        return Some(
            Diagnostic::new(codes::UNKNOWN_REFERENCE, reference.span, format!("unknown step `{name}`"))
                .with_label("no step has this id")
                .with_optional_help(suggest(name, ids.iter().copied())),
        );
    };
    let here = position(reference.scope);
    if reference.scope.step.is_none() || target.index >= here {
        let message = if target.index == here {
            format!("step `{name}` reads its own result here")
        } else {
            format!("step `{name}` runs later; its result does not exist yet")
        };
        return Some(
            Diagnostic::new(codes::FORWARD_REFERENCE, reference.span, message)
                .with_label("not available here")
                .with_help("a step reads only steps before it; a step's own result is read in `expect`, `until` and `capture` paths (`$.field`)"),
        );
    }
    let field = field?;
    if field == "outcome" || target.kind.is_none() || target.kind == Some("runbook") {
        return None;
    }
    let fields: &[&str] = if target.for_each { &["items"] } else { target.result_fields };
    (!fields.contains(&field)).then(|| {
        Diagnostic::new(
            codes::UNKNOWN_REFERENCE,
            reference.span,
            format!("step `{name}` ({}) has no field `{field}`", target.kind.unwrap_or("step")),
        )
        .with_label("unknown result field")
        .with_help(match suggest(field, fields.iter().copied()) {
            Some(help) => help,
            None => format!("its result has: {}, outcome", fields.join(", ")),
        })
    })
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u', 'h']) { "an" } else { "a" }
}
