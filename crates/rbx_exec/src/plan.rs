//! `--dry-run`: what each step would do, rendered the way a run would render it — the shell
//! command, the HTTP method and URL, the SQL text and its parameters, the Redis argument vector —
//! with `<steps.ID.field>` where only a run would know the value. Nothing is run or asked.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Mutex;

use rbx_checks::{Check, CheckKind, OperandResolver};
use rbx_model::{ForEach, Runbook, Step, StepKind};
use rbx_template::{Destination, Renderer};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::context::{RunContext, TemplateOperands};
use crate::data::{for_each_items, render_data};
use crate::events::StepInfo;
use crate::kinds::data_steps::{self, RequestContext, shell_like, without_password};
use crate::masking::Masker;
use crate::prepare::Prepared;

/// Items of a `for_each` shown one by one; the rest are counted.
const SHOWN_ITEMS: usize = 20;

/// What one step would do.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedStep {
    /// Id, position, title, phase, kind: what `StepStarted` says of it.
    #[serde(flatten)]
    pub step: StepInfo,
    /// The items of a `for_each` that only a run can know.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub for_each: Option<String>,
    /// Its `when`, described (it runs only if that holds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// The rendered `confirm:` question.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirm: Option<String>,
    /// What it does, one entry per item of a `for_each` (one entry otherwise).
    pub actions: Vec<PlannedAction>,
    /// Items not shown.
    #[serde(skip_serializing_if = "is_zero")]
    pub more_items: usize,
}

fn is_zero(count: &usize) -> bool {
    *count == 0
}

/// One action, as lines for a person and as data for a program.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedAction {
    /// The `for_each` index.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<usize>,
    /// What would be done, for a person (`$ df -P /`, `GET https://…`).
    pub lines: Vec<String>,
    /// The same as data (the request, the query and its parameters, ...).
    pub detail: Value,
}

/// The plan of a run: every selected step, then `finally`.
pub fn plan(
    runbook: &Runbook,
    prepared: &Prepared,
    env: Map<String, Value>,
    selection: &crate::Selection,
) -> Vec<PlannedStep> {
    let masker = Masker::new(prepared.secret_values());
    let mut run = Map::new();
    run.insert("id".into(), json!("<run.id>"));
    run.insert("runbook".into(), json!(runbook.id.value));
    run.insert("title".into(), json!(runbook.display_title()));
    run.insert("severity".into(), json!(runbook.severity.as_ref().map(|s| s.value.as_str())));
    let mut context = RunContext::new(prepared.inputs.clone(), prepared.secrets.clone(), env, run);
    let renderer = Renderer::with_placeholders();
    let mut planned = Vec::new();
    for (index, step) in runbook.all_steps().enumerate() {
        if !selection.runs(&step.id.value, step.in_finally) {
            continue;
        }
        if step.in_finally {
            context.set_run_field("status", json!("<run.status>"));
        }
        planned.push(plan_step(runbook, step, index, &renderer, &context, &masker));
    }
    planned
}

fn plan_step(
    runbook: &Runbook,
    step: &Step,
    index: usize,
    renderer: &Renderer,
    run_context: &RunContext,
    masker: &Masker,
) -> PlannedStep {
    let context = run_context.value();
    let text = |tpl: &rbx_model::Tpl| match renderer.render_text(&tpl.template, Destination::Text, context) {
        Ok(text) => masker.mask_str(&text).into_owned(),
        Err(error) => format!("<cannot render: {error}>"),
    };
    let mut more_items = 0;
    let mut unknown_items = None;
    let items = step.for_each.as_ref().map(|for_each| (for_each, for_each_items(renderer, for_each, context)));
    let actions = match items {
        None => vec![action(runbook, step, renderer, context, masker, None)],
        // Only a run knows the items: one action, with `<item>` and `<index>` in it.
        Some((for_each, Err(_))) => {
            unknown_items = Some(placeholder_items(for_each));
            vec![action(runbook, step, renderer, context, masker, None)]
        }
        Some((_, Ok(items))) => {
            more_items = items.len().saturating_sub(SHOWN_ITEMS);
            items
                .into_iter()
                .take(SHOWN_ITEMS)
                .enumerate()
                .map(|(item_index, item)| {
                    let mut scoped = run_context.clone();
                    scoped.set_item(item, item_index);
                    action(runbook, step, renderer, scoped.value(), masker, Some(item_index))
                })
                .collect()
        }
    };
    PlannedStep {
        step: crate::engine::step_info(step, index),
        for_each: unknown_items,
        when: (!step.when.is_empty()).then(|| {
            let cache = Mutex::new(HashMap::new());
            let operands = TemplateOperands::new(renderer, run_context.value(), &cache);
            step.when.iter().map(|check| describe(check, &operands, masker)).collect::<Vec<_>>().join(" and ")
        }),
        confirm: step.confirm.as_ref().map(text),
        actions,
        more_items,
    }
}

/// What a `for_each` template would give, when only a run knows.
fn placeholder_items(for_each: &ForEach) -> String {
    match for_each {
        ForEach::Template(tpl) => format!("each item of `{}`, known when it runs", tpl.source()),
        ForEach::List(_) => "each item of the list, known when it runs".to_owned(),
    }
}

fn action(
    runbook: &Runbook,
    step: &Step,
    renderer: &Renderer,
    context: &Value,
    masker: &Masker,
    item: Option<usize>,
) -> PlannedAction {
    let text = |tpl: &rbx_model::Tpl, destination: Destination| {
        renderer
            .render_text(&tpl.template, destination, context)
            .map(|text| masker.mask_str(&text).into_owned())
            .unwrap_or_else(|error| format!("<cannot render: {error}>"))
    };
    let cx = RequestContext { renderer, context, runbook };
    let (lines, detail): (Vec<String>, Value) = match &step.kind {
        StepKind::Shell(shell) => {
            let script = text(&shell.run, Destination::ShellWord);
            // A block scalar's final newline would print as an empty indented line.
            let mut lines = vec![format!("$ {}", script.trim_end())];
            lines
                .extend(shell.env.iter().map(|(name, value)| format!("env {name}={}", text(value, Destination::Text))));
            if let Some(cwd) = &shell.cwd {
                lines.push(format!("in {}", text(cwd, Destination::Text)));
            }
            (lines, json!({ "command": script }))
        }
        StepKind::Http(http) => match data_steps::http_request(cx, http, None) {
            Ok(request) => {
                let url = match request.sent_url() {
                    Ok(sent) => placeholders_unescaped(&without_password(&sent)),
                    // A base URL only a run knows (`<inputs.…>` as its host) does not parse yet.
                    Err(_) => {
                        let query: Vec<String> = request.query.iter().map(|(k, v)| format!("{k}={v}")).collect();
                        let base = placeholders_unescaped(&without_password(&request.url));
                        if query.is_empty() { base } else { format!("{base}?{}", query.join("&")) }
                    }
                };
                let mut lines = vec![masker.mask_str(&format!("{} {url}", request.method)).into_owned()];
                for (name, value) in request.settings.default_headers.iter().chain(&request.headers) {
                    lines.push(masker.mask_str(&format!("{name}: {value}")).into_owned());
                }
                let body = match &request.body {
                    Some(rbx_clients::HttpBody::Json(json)) => masker.mask_json(json),
                    Some(rbx_clients::HttpBody::Text(text)) => json!(masker.mask_str(text)),
                    None => Value::Null,
                };
                if !body.is_null() {
                    lines.push(format!("body: {body}"));
                }
                (lines, json!({ "method": request.method, "url": masker.mask_str(&url), "body": body }))
            }
            Err(error) => (vec![format!("<cannot render: {error}>")], Value::Null),
        },
        StepKind::Sql(sql) => match data_steps::sql_request(cx, sql, None) {
            Ok(request) => {
                let params = masker.mask_json(&Value::Array(request.params));
                let url = masker.mask_str(&without_password(&request.url)).into_owned();
                let query = masker.mask_str(&request.query).into_owned();
                (
                    vec![format!("on {url}:"), query.trim_end().to_owned(), format!("params: {params}")],
                    json!({ "url": url, "query": query, "params": params }),
                )
            }
            Err(error) => (vec![format!("<cannot render: {error}>")], Value::Null),
        },
        StepKind::Redis(redis) => match data_steps::redis_request(cx, redis, None) {
            Ok(request) => {
                let url = masker.mask_str(&without_password(&request.url)).into_owned();
                let args: Vec<String> = request.args.iter().map(|a| masker.mask_str(a).into_owned()).collect();
                (vec![format!("on {url}: {}", shell_like(&args))], json!({ "url": url, "command": args }))
            }
            Err(error) => (vec![format!("<cannot render: {error}>")], Value::Null),
        },
        StepKind::Assert(checks) => {
            let cache = Mutex::new(HashMap::new());
            let operands = TemplateOperands::new(renderer, context, &cache);
            let described: Vec<String> = checks.iter().map(|check| describe(check, &operands, masker)).collect();
            (described.iter().map(|c| format!("check {c}")).collect(), json!({ "checks": described }))
        }
        StepKind::Note(message) => {
            let message = text(message, Destination::Text);
            (vec![format!("note: {message}")], json!({ "message": message }))
        }
        StepKind::Wait(duration) => {
            let duration = rbx_model::format_duration(*duration);
            (vec![format!("wait {duration}")], json!({ "wait": duration }))
        }
        StepKind::Manual(manual) => {
            let instructions = text(&manual.instructions, Destination::Text);
            let mut lines = vec![format!("manual: {instructions}")];
            lines.extend(manual.checklist.iter().map(|entry| format!("[ ] {}", text(entry, Destination::Text))));
            let asks: Vec<&str> = manual.ask.iter().map(|ask| ask.name.value.as_str()).collect();
            if !asks.is_empty() {
                lines.push(format!("asks: {}", asks.join(", ")));
            }
            (lines, json!({ "instructions": instructions, "ask": asks }))
        }
        StepKind::Runbook(call) => {
            let inputs: Map<String, Value> = call
                .inputs
                .iter()
                .map(|(name, data)| {
                    let value = render_data(renderer, data, context)
                        .map(|value| masker.mask_json(&value))
                        .unwrap_or_else(|error| json!(format!("<cannot render: {error}>")));
                    (name.value.clone(), value)
                })
                .collect();
            let inputs = Value::Object(inputs);
            let steps: Vec<String> =
                call.callee.all_steps().map(|inner| format!("{}/{}", step.id.value, inner.id.value)).collect();
            (
                vec![format!("runbook {} with {inputs}", call.path.value), format!("runs: {}", steps.join(", "))],
                json!({ "path": call.path.value, "inputs": inputs, "steps": steps }),
            )
        }
    };
    PlannedAction { item, lines, detail }
}

/// `%3Csteps.a.b%3E` back to `<steps.a.b>`: a placeholder percent-encoded in a URL path still
/// reads as one.
fn placeholders_unescaped(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    let mut rest = url;
    while let Some(start) = rest.find("%3C") {
        let after = &rest[start + 3..];
        match after.find("%3E") {
            Some(end) if after[..end].chars().all(|c| c.is_ascii_alphanumeric() || "._[]".contains(c)) => {
                out.push_str(&rest[..start]);
                out.push('<');
                out.push_str(&after[..end]);
                out.push('>');
                rest = &after[end + 3..];
            }
            _ => {
                out.push_str(&rest[..start + 3]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A check in one line: `$.status lt 400`, `any(...)`. Operands written as templates show
/// rendered (`ge 90` for `ge: "{{inputs.limit}}"`), masked like every other line of the plan.
fn describe(check: &Check, operands: &TemplateOperands<'_>, masker: &Masker) -> String {
    let describe_all =
        |checks: &[Check]| checks.iter().map(|check| describe(check, operands, masker)).collect::<Vec<_>>().join("; ");
    match &check.kind {
        CheckKind::Path { path, operators } => {
            let operators: Vec<String> = operators
                .iter()
                .map(|operator| {
                    let written = operator.operand();
                    let shown = operands.resolve(&written).map_or_else(|_| written.clone(), Cow::into_owned);
                    format!("{} {}", operator.name(), masker.mask_str(&shown.to_string()))
                })
                .collect();
            format!("{} {}", path.source(), operators.join(", "))
        }
        CheckKind::Any(checks) => format!("any({})", describe_all(checks)),
        CheckKind::All(checks) => format!("all({})", describe_all(checks)),
        CheckKind::Not(check) => format!("not({})", describe(check, operands, masker)),
    }
}
