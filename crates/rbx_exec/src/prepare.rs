//! Before any step runs: inputs typed and checked, secrets read from the environment. Every
//! problem is reported at once, pointing at the declaration it concerns.

use rbx_diagnostics::{Diagnostic, Span, codes, did_you_mean};
use rbx_model::{Runbook, StepKind, values};
use serde_json::{Map, Value};

/// Input values as the user gave them.
#[derive(Debug, Clone, Default)]
pub struct GivenInputs {
    /// `--var NAME=VALUE`, in order (later wins).
    pub vars: Vec<(String, String)>,
    /// Values from `--vars-file`, already parsed (YAML or JSON).
    pub file: Vec<(String, Value)>,
    /// `--answer NAME=VALUE` for `manual.ask`, in order (later wins).
    pub answers: Vec<(String, String)>,
}

/// What a run starts from.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// Every input, typed.
    pub inputs: Map<String, Value>,
    /// Secret values by name; only declared secrets that are set.
    pub secrets: Map<String, Value>,
    /// `--answer` values, typed by the `ask` that names them.
    pub answers: Map<String, Value>,
}

impl Prepared {
    /// The secret values, for the masker.
    pub fn secret_values(&self) -> Vec<String> {
        self.secrets.values().filter_map(|v| v.as_str().map(str::to_owned)).collect()
    }
}

/// Step kinds the engine runs today.
pub const SUPPORTED_KINDS: &[&str] = &["shell", "assert", "note", "wait", "manual", "runbook"];

/// Resolves inputs (`--var` over `--vars-file` over `default`) and secrets (from `env`).
pub fn prepare(
    runbook: &Runbook,
    given: &GivenInputs,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Prepared, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let inputs_span = runbook.keys.iter().find(|k| k.value == "inputs").map_or(runbook.id.span, |k| k.span);
    let declared: Vec<&str> = runbook.inputs.iter().map(|i| i.name.value.as_str()).collect();
    for name in given.vars.iter().map(|(n, _)| n).chain(given.file.iter().map(|(n, _)| n)) {
        if runbook.input(name).is_none() {
            let help = match did_you_mean(name, declared.iter().copied()) {
                Some(near) => format!("did you mean `{near}`?"),
                None if declared.is_empty() => "this runbook declares no inputs".to_owned(),
                None => format!("its inputs are: {}", declared.join(", ")),
            };
            problems.push(
                Diagnostic::new(codes::UNKNOWN_INPUT, inputs_span, format!("the runbook declares no input `{name}`"))
                    .with_help(help),
            );
        }
    }
    let mut inputs = Map::new();
    for input in &runbook.inputs {
        let name = &input.name.value;
        let from_var = given.vars.iter().rev().find(|(n, _)| n == name);
        let from_file = given.file.iter().rev().find(|(n, _)| n == name);
        let (value, source) = match (from_var, from_file) {
            (Some((_, text)), _) => (values::from_text(text, &input.spec), "--var"),
            (None, Some((_, value))) => (values::from_json(value.clone(), &input.spec), "--vars-file"),
            (None, None) => match &input.spec.default {
                Some(default) => (Ok(default.clone()), "default"),
                None if input.spec.required => {
                    problems.push(
                        Diagnostic::new(
                            codes::MISSING_INPUT,
                            input.name.span,
                            format!("the input `{name}` is required"),
                        )
                        .with_label("declared here without a default")
                        .with_help(format!("pass it: `--var {name}=VALUE`")),
                    );
                    continue;
                }
                None => (Ok(Value::Null), "unset"),
            },
        };
        match value {
            Ok(value) => {
                inputs.insert(name.clone(), value);
            }
            Err(problem) => problems.push(
                Diagnostic::new(codes::INVALID_INPUT_VALUE, input.name.span, format!("{source} {name}: {problem}"))
                    .with_label(format!("declared as {}", input.spec.value_type.as_str()))
                    .with_help(input_hint(input)),
            ),
        }
    }
    let mut secrets = Map::new();
    for secret in &runbook.secrets {
        match env(&secret.env).filter(|v| !v.is_empty()) {
            Some(value) => {
                secrets.insert(secret.name.value.clone(), Value::String(value));
            }
            None if secret.required => problems.push(
                Diagnostic::new(
                    codes::MISSING_SECRET,
                    secret.name.span,
                    format!(
                        "the secret `{}` needs the environment variable `{}`, which is unset or empty",
                        secret.name.value, secret.env
                    ),
                )
                .with_label("required secret")
                .with_help(format!("export {}=... before `rbx run`, or mark the secret `required: false`", secret.env)),
            ),
            None => {}
        }
    }
    for step in runbook.all_steps() {
        if !SUPPORTED_KINDS.contains(&step.kind.name()) {
            problems.push(unsupported(step.kind_span, &step.kind, &step.id.value));
        }
        // A called runbook's diagnostics would point into another file: point at the call.
        if let StepKind::Runbook(call) = &step.kind {
            for inner in every_step(&call.callee) {
                if !SUPPORTED_KINDS.contains(&inner.kind.name()) {
                    let id = format!("{}/{}", step.id.value, inner.id.value);
                    problems.push(unsupported(step.kind_span, &inner.kind, &id));
                }
            }
        }
    }
    let answers = typed_answers(runbook, &given.answers, &mut problems);
    if problems.is_empty() { Ok(Prepared { inputs, secrets, answers }) } else { Err(problems) }
}

fn unsupported(span: Span, kind: &StepKind, id: &str) -> Diagnostic {
    Diagnostic::new(
        codes::UNSUPPORTED_STEP,
        span,
        format!("step `{id}`: this build of rbx cannot run `{}` steps yet", kind.name()),
    )
    .with_label("not runnable yet")
    .with_help(format!("runnable kinds: {}; `rbx lint` still checks this runbook", SUPPORTED_KINDS.join(", ")))
}

fn input_hint(input: &rbx_model::Input) -> String {
    let spec = &input.spec;
    let mut hint = match spec.value_type {
        rbx_model::ValueType::Integer => "give a whole number, e.g. `--var NAME=100`".to_owned(),
        rbx_model::ValueType::Number => "give a number, e.g. `--var NAME=0.05`".to_owned(),
        rbx_model::ValueType::Boolean => "give `true` or `false`".to_owned(),
        rbx_model::ValueType::List => "give a JSON list, e.g. `--var NAME='[\"a\",\"b\"]'`".to_owned(),
        rbx_model::ValueType::Object => "give a JSON object, e.g. `--var NAME='{\"k\":1}'`".to_owned(),
        rbx_model::ValueType::String => "give text".to_owned(),
    }
    .replace("NAME", &input.name.value);
    if !spec.choices.is_empty() {
        let listed: Vec<String> =
            spec.choices.iter().map(|c| c.as_str().map_or_else(|| c.to_string(), str::to_owned)).collect();
        hint = format!("one of: {}", listed.join(", "));
    }
    hint
}

/// `--answer` values checked against the `ask` that declares them (the first, when several
/// manual steps ask the same name), so a typo or a bad value stops the run before it starts.
fn typed_answers(runbook: &Runbook, given: &[(String, String)], problems: &mut Vec<Diagnostic>) -> Map<String, Value> {
    let own_steps = runbook.all_steps().count();
    // Asks of called runbooks come after the runbook's own; their spans are in other files.
    let asks: Vec<(&rbx_model::Ask, bool)> = every_step(runbook)
        .into_iter()
        .enumerate()
        .filter_map(|(position, step)| match &step.kind {
            StepKind::Manual(manual) => Some(manual.ask.iter().map(move |ask| (ask, position < own_steps))),
            _ => None,
        })
        .flatten()
        .collect();
    let mut answers = Map::new();
    for (name, text) in given {
        let Some(&(ask, own)) = asks.iter().find(|(ask, _)| &ask.name.value == name) else {
            let help = match did_you_mean(name, asks.iter().map(|(a, _)| a.name.value.as_str())) {
                Some(near) => format!("did you mean `{near}`?"),
                None if asks.is_empty() => "no `manual` step of this runbook asks for a value".to_owned(),
                None => format!(
                    "the values asked for are: {}",
                    asks.iter().map(|(a, _)| a.name.value.as_str()).collect::<Vec<_>>().join(", ")
                ),
            };
            problems.push(
                Diagnostic::new(codes::UNKNOWN_ANSWER, runbook.id.span, format!("no `manual` step asks for `{name}`"))
                    .with_label("in this runbook")
                    .with_help(help),
            );
            continue;
        };
        match values::from_text(text, &ask.spec) {
            Ok(value) => {
                answers.insert(name.clone(), value);
            }
            Err(problem) => problems.push(
                Diagnostic::new(
                    codes::UNKNOWN_ANSWER,
                    if own { ask.name.span } else { runbook.id.span },
                    format!("--answer {name}: {problem}"),
                )
                .with_label(format!("asked here as {}", ask.spec.value_type.as_str())),
            ),
        }
    }
    answers
}

/// The runbook's steps and, depth first, those of every runbook it calls (a cycle of calls is
/// refused when loading, so this ends).
fn every_step(runbook: &Runbook) -> Vec<&rbx_model::Step> {
    let mut steps = Vec::new();
    for step in runbook.all_steps() {
        steps.push(step);
        if let StepKind::Runbook(call) = &step.kind {
            steps.extend(every_step(&call.callee));
        }
    }
    steps
}
