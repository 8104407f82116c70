//! Steps: the common fields and every kind. The one `match` over kind keys lives here.

use rbx_diagnostics::{Diagnostic, codes};
use rbx_syntax::{Entry, Node, NodeKind, ScalarValue};

use crate::checks::{Subject, captures, checks};
use crate::reader::{self as read, Cx, Fields};
use crate::refs::RefScope;
use crate::types::*;

const COMMON_KEYS: &[&str] = &[
    "id",
    "title",
    "phase",
    "when",
    "expect",
    "capture",
    "timeout",
    "retry",
    "until",
    "interval",
    "on_failure",
    "confirm",
    "on_decline",
    "for_each",
    "parallel",
];

/// Most items a `for_each` may run at once.
pub const MAX_PARALLEL: i64 = 1_000;

static STEP_KEYS: std::sync::LazyLock<Vec<&'static str>> =
    std::sync::LazyLock::new(|| COMMON_KEYS.iter().chain(StepKind::NAMES.iter()).copied().collect());

/// Reads one step; `index` counts `steps` then `finally`.
pub(crate) fn step(cx: &mut Cx<'_>, node: &Node, index: usize, in_finally: bool) -> Option<Step> {
    let fields = Fields::open(cx, node, "a step", &STEP_KEYS)?;
    let has_for_each = fields.get("for_each").is_some();
    cx.scope = RefScope::step(index, in_finally, false);

    let id = fields.required(cx, "id", "a step").and_then(|n| read::name(cx, n, "step id"));
    let title = fields.get("title").and_then(|n| read::text(cx, n, "`title`"));
    let phase = fields.get("phase").and_then(|n| read::choice(cx, n, "phase", &PHASES));
    let when = fields.get("when").map(|n| checks(cx, n, "`when`", Subject::Context)).unwrap_or_default();
    let confirm = fields.get("confirm").and_then(|n| read::template(cx, n, "`confirm`"));
    let timeout = fields.get("timeout").and_then(|n| read::duration(cx, n, "`timeout`"));
    let retry = fields.get("retry").and_then(|n| retry(cx, n));
    let interval = fields.get("interval").and_then(|n| read::duration(cx, n, "`interval`"));
    let on_failure = fields
        .get("on_failure")
        .and_then(|n| {
            read::choice(cx, n, "on_failure", &[("abort", OnFailure::Abort), ("continue", OnFailure::Continue)])
        })
        .unwrap_or_default();
    let on_decline = fields
        .get("on_decline")
        .and_then(|n| read::choice(cx, n, "on_decline", &[("stop", OnDecline::Stop), ("skip", OnDecline::Skip)]))
        .unwrap_or_default();
    let for_each = fields.get("for_each").and_then(|n| for_each(cx, n));
    let parallel =
        fields.get("parallel").and_then(|n| read::integer(cx, n, "`parallel`", 1, MAX_PARALLEL)).map(|p| p as u32);

    cx.scope = RefScope::step(index, in_finally, has_for_each);
    let kind_and_span = kind(cx, &fields);
    let expect = fields.get("expect").map(|n| checks(cx, n, "`expect`", Subject::Result));
    let until = fields.get("until").map(|n| checks(cx, n, "`until`", Subject::Result));
    cx.scope = RefScope::step(index, in_finally, false);
    let capture = fields.get("capture").map(|n| captures(cx, n)).unwrap_or_default();

    combination_rules(cx, &fields);
    let mut vars: Vec<String> = capture.iter().map(|c| c.name.value.clone()).collect();
    if let Some((StepKind::Manual(manual), _)) = &kind_and_span {
        vars.extend(manual.ask.iter().map(|a| a.name.value.clone()));
    }
    cx.steps.push(crate::refs::StepFacts {
        index,
        id: id.clone(),
        kind: kind_and_span.as_ref().map(|(k, _)| k.name()),
        result_fields: kind_and_span.as_ref().map_or(&[], |(k, _)| k.result_fields()),
        for_each: has_for_each,
        vars,
    });
    let (kind, kind_span) = kind_and_span?;
    Some(Step {
        id: id?,
        title,
        phase,
        when,
        expect,
        capture,
        timeout,
        retry,
        until,
        interval,
        on_failure,
        confirm,
        on_decline,
        for_each,
        parallel,
        kind,
        span: node.span,
        kind_span,
        in_finally,
    })
}

const PHASES: [(&str, Phase); 6] = [
    ("detect", Phase::Detect),
    ("triage", Phase::Triage),
    ("diagnose", Phase::Diagnose),
    ("mitigate", Phase::Mitigate),
    ("recover", Phase::Recover),
    ("close", Phase::Close),
];

fn combination_rules(cx: &mut Cx<'_>, fields: &Fields<'_>) {
    if fields.get("manual").is_some() {
        // A person is asked once: repeating the question per item, per try or until a check
        // holds is not something rbx does, and silently ignoring the key would mislead.
        let helps = [
            ("for_each", "list the items in the instructions or the checklist"),
            ("retry", "to check what the person did, add a step after this one"),
            ("until", "to check what the person did, add a step after this one"),
        ];
        for (field, help) in helps {
            if let Some(entry) = fields.entry(field) {
                cx.report(
                    Diagnostic::new(
                        codes::INVALID_FIELD_COMBINATION,
                        entry.key_span,
                        format!("a `manual` step is asked once: `{field}` does not apply to it"),
                    )
                    .with_label("not for a manual step")
                    .with_help(format!("remove `{field}`; {help}")),
                );
            }
        }
    }
    let needs = [("parallel", "for_each"), ("interval", "until"), ("on_decline", "confirm")];
    for (field, needed) in needs {
        if let (Some(entry), None) = (fields.entry(field), fields.get(needed)) {
            cx.report(
                Diagnostic::new(
                    codes::INVALID_FIELD_COMBINATION,
                    entry.key_span,
                    format!("`{field}` has no effect without `{needed}`"),
                )
                .with_label(format!("needs `{needed}`"))
                .with_help(format!("add `{needed}` or remove `{field}`")),
            );
        }
    }
}

fn kind(cx: &mut Cx<'_>, fields: &Fields<'_>) -> Option<(StepKind, rbx_diagnostics::Span)> {
    let kinds: Vec<&Entry> = fields.entries.iter().filter(|e| StepKind::NAMES.contains(&e.key.as_str())).collect();
    let entry = match kinds.as_slice() {
        [one] => *one,
        [] => {
            cx.report(
                Diagnostic::new(codes::STEP_WITHOUT_KIND, fields.head_span(), "this step has no kind: it does nothing")
                    .with_label("no kind key in this step")
                    .with_help(format!("add exactly one of: {}", StepKind::NAMES.join(", "))),
            );
            return None;
        }
        [first, second, ..] => {
            cx.report(
                Diagnostic::new(
                    codes::STEP_WITH_SEVERAL_KINDS,
                    second.key_span,
                    format!("this step has two kinds, `{}` and `{}`", first.key, second.key),
                )
                .with_related(first.key_span, "first kind")
                .with_help("split it into two steps, one per kind"),
            );
            return None;
        }
    };
    let node = &entry.value;
    let kind = match entry.key.as_str() {
        "shell" => StepKind::Shell(shell(cx, node)?),
        "http" => StepKind::Http(http(cx, node)?),
        "sql" => StepKind::Sql(sql(cx, node)?),
        "redis" => StepKind::Redis(redis(cx, node)?),
        "assert" => StepKind::Assert(checks(cx, node, "`assert`", Subject::Context)),
        "manual" => StepKind::Manual(manual(cx, node)?),
        "note" => StepKind::Note(read::template(cx, node, "`note`")?),
        "wait" => StepKind::Wait(read::duration(cx, node, "`wait`")?),
        "runbook" => StepKind::Runbook(runbook_call(cx, node)?),
        _ => return None,
    };
    Some((kind, entry.key_span))
}

/// `retry: { attempts, delay, backoff, max_delay, jitter }`.
pub(crate) fn retry(cx: &mut Cx<'_>, node: &Node) -> Option<Retry> {
    let fields = Fields::open(cx, node, "`retry`", &["attempts", "delay", "backoff", "max_delay", "jitter"])?;
    let attempts =
        fields.required(cx, "attempts", "`retry`").and_then(|n| read::integer(cx, n, "`attempts`", 1, 1_000));
    let delay = match fields.get("delay") {
        Some(n) => read::duration(cx, n, "`delay`"),
        None => Some(std::time::Duration::from_secs(1)),
    };
    let backoff = match fields.get("backoff") {
        Some(n) => {
            read::choice(cx, n, "backoff", &[("constant", Backoff::Constant), ("exponential", Backoff::Exponential)])
        }
        None => Some(Backoff::Constant),
    };
    let max_delay = fields.get("max_delay").map(|n| read::duration(cx, n, "`max_delay`"));
    let jitter = fields.get("jitter").map(|n| read::boolean(cx, n, "`jitter`"));
    let (Some(attempts), Some(delay), Some(backoff)) = (attempts, delay, backoff) else { return None };
    let (max_delay, jitter) = match (max_delay, jitter) {
        (Some(None), _) | (_, Some(None)) => return None,
        (max_delay, jitter) => (max_delay.flatten(), jitter.flatten().unwrap_or(false)),
    };
    Some(Retry { attempts: attempts as u32, delay, backoff, max_delay, jitter })
}

pub(crate) fn shell_program(cx: &mut Cx<'_>, node: &Node) -> Option<ShellProgram> {
    read::choice(cx, node, "shell", &[("sh", ShellProgram::Sh), ("bash", ShellProgram::Bash)])
}

fn for_each(cx: &mut Cx<'_>, node: &Node) -> Option<ForEach> {
    match &node.kind {
        NodeKind::Seq(items) => {
            let data: Vec<Data> = items.iter().filter_map(|item| read::data(cx, item)).collect();
            (data.len() == items.len()).then_some(ForEach::List(data))
        }
        NodeKind::Scalar(scalar) if scalar.value == ScalarValue::Str => {
            read::template(cx, node, "`for_each`").map(ForEach::Template)
        }
        _ => {
            cx.wrong_type(node, "`for_each`", "a list or a template that renders to one");
            None
        }
    }
}

fn shell(cx: &mut Cx<'_>, node: &Node) -> Option<ShellStep> {
    if node.as_map().is_none() {
        return Some(ShellStep { run: shell_command(cx, node, "`shell`")?, shell: None, env: Vec::new(), cwd: None });
    }
    let fields = Fields::open(cx, node, "`shell`", &["run", "shell", "env", "cwd"])?;
    let run = fields.required(cx, "run", "`shell`").and_then(|n| shell_command(cx, n, "`run`"));
    let program = fields.get("shell").and_then(|n| shell_program(cx, n));
    let env = fields.get("env").map(|n| read::template_map(cx, n, "`env`")).unwrap_or_default();
    let cwd = fields.get("cwd").and_then(|n| read::template(cx, n, "`cwd`"));
    Some(ShellStep { run: run?, shell: program, env, cwd })
}

/// A shell command template. A `{{x}}` where the renderer would refuse any value (inside
/// `${…}`, right after `$`, ...) is an error now, before anything runs, rather than a failure
/// of the step when it renders.
fn shell_command(cx: &mut Cx<'_>, node: &Node, what: &str) -> Option<Tpl> {
    let tpl = read::template(cx, node, what)?;
    for tag in rbx_template::shell_tags(tpl.source()) {
        if let (false, rbx_template::Quoting::Unsafe(place)) = (tag.raw, tag.quoting) {
            let span = read::locate(cx.file, node, tpl.source(), tag.start);
            cx.report(
                Diagnostic::new(
                    codes::SHELL_VALUE_PLACE,
                    span,
                    format!("a value {place} of a shell command cannot be escaped"),
                )
                .with_label("no escaping makes a value harmless here")
                .with_help("pass it in `env` (`env: { NAME: \"{{…}}\" }`) and write `\"$NAME\"` in the command"),
            );
        }
    }
    Some(tpl)
}

fn target(cx: &mut Cx<'_>, fields: &Fields<'_>, what: &str, kind: &'static str) -> Option<Target> {
    match (fields.entry("connection"), fields.get("url")) {
        (Some(connection), Some(_)) => {
            cx.report(
                Diagnostic::new(
                    codes::INVALID_FIELD_COMBINATION,
                    connection.key_span,
                    format!("{what} has both `connection` and `url`"),
                )
                .with_help("keep one: a named connection, or a full `url`"),
            );
            None
        }
        (Some(connection), None) => {
            let name = read::name(cx, &connection.value, "connection name")?;
            cx.pending_connections.push((name.clone(), kind));
            Some(Target::Connection(name))
        }
        (None, Some(url)) => read::template(cx, url, "`url`").map(Target::Url),
        (None, None) => {
            cx.report(
                Diagnostic::new(
                    codes::MISSING_FIELD,
                    fields.head_span(),
                    format!("{what} needs `connection` or `url`"),
                )
                .with_label("where does it connect?")
                .with_help("name a connection declared under `connections`, or write a full `url`"),
            );
            None
        }
    }
}

const METHODS: [(&str, Method); 7] = [
    ("GET", Method::Get),
    ("HEAD", Method::Head),
    ("POST", Method::Post),
    ("PUT", Method::Put),
    ("PATCH", Method::Patch),
    ("DELETE", Method::Delete),
    ("OPTIONS", Method::Options),
];

fn http(cx: &mut Cx<'_>, node: &Node) -> Option<HttpStep> {
    let fields = Fields::open(
        cx,
        node,
        "an http step",
        &["connection", "url", "method", "path", "query", "headers", "json", "body", "insecure"],
    )?;
    let target = target(cx, &fields, "an http step", "http");
    let method = match fields.get("method") {
        Some(n) => {
            let upper = n.as_scalar().map(|s| s.text.to_ascii_uppercase()).unwrap_or_default();
            match METHODS.iter().find(|(name, _)| *name == upper) {
                Some((_, method)) => Some(*method),
                None => read::choice(cx, n, "HTTP method", &METHODS),
            }
        }
        None => Some(Method::Get),
    };
    let path = fields.get("path").and_then(|n| read::template(cx, n, "`path`"));
    let query = fields.get("query").map(|n| read::template_map(cx, n, "`query`")).unwrap_or_default();
    let headers = fields.get("headers").map(|n| read::template_map(cx, n, "`headers`")).unwrap_or_default();
    let insecure = fields.get("insecure").and_then(|n| read::boolean(cx, n, "`insecure`")).unwrap_or(false);
    let body = match (fields.entry("json"), fields.get("body")) {
        (Some(json), Some(_)) => {
            cx.report(
                Diagnostic::new(
                    codes::INVALID_FIELD_COMBINATION,
                    json.key_span,
                    "an http step has both `json` and `body`",
                )
                .with_help("send structured data with `json`, or text with `body`, not both"),
            );
            None
        }
        (Some(json), None) => read::data(cx, &json.value).map(HttpBody::Json),
        (None, Some(body)) => read::template(cx, body, "`body`").map(HttpBody::Text),
        (None, None) => None,
    };
    Some(HttpStep { target: target?, method: method?, path, query, headers, body, insecure })
}

fn sql(cx: &mut Cx<'_>, node: &Node) -> Option<SqlStep> {
    let fields = Fields::open(cx, node, "a sql step", &["connection", "url", "query", "params"])?;
    let target = target(cx, &fields, "a sql step", "sql");
    let query = fields.required(cx, "query", "a sql step").and_then(|n| {
        let tpl = read::template(cx, n, "`query`")?;
        let escaped: Vec<_> = tpl.template.references().into_iter().filter(|r| !r.raw).collect();
        for reference in &escaped {
            let span = read::locate(cx.file, n, tpl.source(), reference.offset);
            cx.report(
                Diagnostic::new(
                    codes::TEMPLATE_IN_SQL,
                    span,
                    format!("`{{{{{}}}}}` in SQL text", reference.segments.join(".")),
                )
                .with_label("values are never spliced into SQL")
                .with_help("write a placeholder (`$1`, or `?` for MySQL) and pass the value in `params`"),
            );
        }
        escaped.is_empty().then_some(tpl)
    });
    let params = match fields.get("params") {
        Some(n) => {
            let items = read::list(cx, n, "`params`")?;
            let data: Vec<Data> = items.iter().filter_map(|item| read::data(cx, item)).collect();
            if data.len() != items.len() {
                return None;
            }
            data
        }
        None => Vec::new(),
    };
    Some(SqlStep { target: target?, query: query?, params })
}

fn redis(cx: &mut Cx<'_>, node: &Node) -> Option<RedisStep> {
    let fields = Fields::open(cx, node, "a redis step", &["connection", "url", "command"])?;
    let target = target(cx, &fields, "a redis step", "redis");
    let command = fields.required(cx, "command", "a redis step").and_then(|n| {
        let items = read::list(cx, n, "`command`")?;
        if items.is_empty() {
            cx.report(
                Diagnostic::new(codes::INVALID_VALUE, n.span, "`command` is empty")
                    .with_help("write the argument vector, e.g. `[LLEN, my:queue]`"),
            );
            return None;
        }
        let args: Vec<Tpl> = items.iter().filter_map(|item| read::template(cx, item, "a command argument")).collect();
        (args.len() == items.len()).then_some(args)
    });
    Some(RedisStep { target: target?, command: command? })
}

fn manual(cx: &mut Cx<'_>, node: &Node) -> Option<ManualStep> {
    let fields = Fields::open(cx, node, "a manual step", &["instructions", "checklist", "ask"])?;
    let instructions =
        fields.required(cx, "instructions", "a manual step").and_then(|n| read::template(cx, n, "`instructions`"));
    let checklist = match fields.get("checklist").map(|n| read::list(cx, n, "`checklist`")) {
        Some(Some(items)) => {
            Some(items.iter().filter_map(|item| read::template(cx, item, "a checklist item")).collect())
        }
        Some(None) => None,
        None => Some(Vec::new()),
    };
    let ask = match fields.get("ask") {
        Some(n) => {
            let Some(entries) = n.as_map() else {
                cx.wrong_type(n, "`ask`", "a mapping of variable names to declarations");
                return None;
            };
            entries
                .iter()
                .filter_map(|entry| {
                    let name = read::name_text(cx, entry.key.clone(), entry.key_span, "variable name");
                    let spec = crate::load::value_spec(
                        cx,
                        &entry.value,
                        "an `ask` entry",
                        &["type", "default", "required", "enum", "choices", "pattern", "description"],
                    );
                    Some(Ask { name: name?, spec: spec? })
                })
                .collect()
        }
        None => Vec::new(),
    };
    Some(ManualStep { instructions: instructions?, checklist: checklist?, ask })
}

fn runbook_call(cx: &mut Cx<'_>, node: &Node) -> Option<RunbookCall> {
    let fields = Fields::open(cx, node, "a runbook step", &["path", "inputs"])?;
    let path_node = fields.required(cx, "path", "a runbook step")?;
    let path = read::text(cx, path_node, "`path`")?;
    let base = cx.file.path().parent().map(std::path::Path::to_path_buf).unwrap_or_default();
    let resolved = base.join(&path);
    let mut inputs = Vec::new();
    let mut value_spans = Vec::new();
    if let Some(n) = fields.get("inputs") {
        let Some(entries) = n.as_map() else {
            cx.wrong_type(n, "`inputs`", "a mapping of input names to values");
            return None;
        };
        for entry in entries {
            if let Some(value) = read::data(cx, &entry.value) {
                inputs.push((rbx_model_spanned(entry), value));
                value_spans.push(entry.value.span);
            }
        }
    }
    let callee = match cx.loader.load_callee(&resolved, path_node.span) {
        Ok(callee) => callee,
        Err(diagnostic) => {
            cx.report(diagnostic);
            return None;
        }
    };
    let mut ok = true;
    for (name, _) in &inputs {
        if callee.input(&name.value).is_none() {
            let declared: Vec<&str> = callee.inputs.iter().map(|i| i.name.value.as_str()).collect();
            cx.report(
                Diagnostic::new(
                    codes::NESTED_RUNBOOK_INPUT,
                    name.span,
                    format!("`{}` declares no input `{}`", path, name.value),
                )
                .with_label("unknown input")
                .with_optional_help(
                    crate::load::suggest(&name.value, declared.iter().copied())
                        .or_else(|| (!declared.is_empty()).then(|| format!("its inputs are: {}", declared.join(", ")))),
                ),
            );
            ok = false;
        }
    }
    for ((name, value), at) in inputs.iter().zip(&value_spans) {
        let (Some(input), Some(literal)) = (callee.input(&name.value), literal_json(value)) else { continue };
        // A value written out in full is checked here, where the author can see where it is;
        // a rendered one can only be checked when the step runs.
        if let Err(problem) = crate::values::from_json(literal, &input.spec) {
            cx.report(
                Diagnostic::new(
                    codes::NESTED_RUNBOOK_INPUT,
                    *at,
                    format!("`{path}` refuses this value for its input `{}`: {problem}", name.value),
                )
                .with_label("refused by the called runbook")
                .with_note(format!(
                    "{path} declares `{}` as {}",
                    name.value,
                    input.spec.value_type.as_str()
                )),
            );
            ok = false;
        }
    }
    for input in &callee.inputs {
        if input.spec.required
            && input.spec.default.is_none()
            && !inputs.iter().any(|(n, _)| n.value == input.name.value)
        {
            cx.report(
                Diagnostic::new(
                    codes::NESTED_RUNBOOK_INPUT,
                    path_node.span,
                    format!("`{path}` requires the input `{}`", input.name.value),
                )
                .with_label("missing input")
                .with_help(format!("add `inputs: {{ {}: ... }}`", input.name.value)),
            );
            ok = false;
        }
    }
    ok.then(|| RunbookCall { path: Spanned::new(path, path_node.span), resolved, inputs, callee })
}

/// The JSON of a value with no template in it, `None` when rendering is needed.
fn literal_json(data: &Data) -> Option<serde_json::Value> {
    Some(match data {
        Data::Scalar(value) => value.clone(),
        Data::Text(tpl) if tpl.template.is_literal() => serde_json::Value::String(tpl.source().to_owned()),
        Data::Text(_) => return None,
        Data::Array(items) => serde_json::Value::Array(items.iter().map(literal_json).collect::<Option<_>>()?),
        Data::Object(entries) => serde_json::Value::Object(
            entries.iter().map(|(key, value)| Some((key.clone(), literal_json(value)?))).collect::<Option<_>>()?,
        ),
    })
}

fn rbx_model_spanned(entry: &Entry) -> Spanned<String> {
    Spanned::new(entry.key.clone(), entry.key_span)
}
