//! Small readers from YAML nodes to typed values. Each reports its own diagnostic and returns
//! `None` on failure, so one bad field never hides the problems of the next.

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use rbx_diagnostics::{Code, Diagnostic, SourceFile, Span, codes, did_you_mean};
use rbx_syntax::{Entry, Node, NodeKind, ScalarStyle, ScalarValue};
use regex::Regex;

use crate::duration::{DurationError, parse_duration};
use crate::refs::{PendingRef, RefScope};
use crate::types::{Data, Spanned, Tpl};

/// Reading state for one file: diagnostics so far and the template references to check once
/// every step is known.
pub(crate) struct Cx<'f> {
    pub file: &'f Arc<SourceFile>,
    pub loader: crate::load::Loader,
    pub diagnostics: Vec<Diagnostic>,
    pub refs: Vec<PendingRef>,
    pub scope: RefScope,
    pub pending_connections: Vec<(Spanned<String>, &'static str)>,
    pub steps: Vec<crate::refs::StepFacts>,
    /// Regular expressions of `matches` checks already compiled in this file.
    pub regexes: std::collections::HashMap<String, rbx_checks::CompiledRegex>,
    /// JSONPaths already parsed in this file, by text (`$.stdout` comes back in most steps).
    pub paths: std::collections::HashMap<String, rbx_checks::CompiledPath>,
}

impl Cx<'_> {
    pub fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    pub fn error(&mut self, code: Code, span: Span, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::new(code, span, message));
    }

    pub fn wrong_type(&mut self, node: &Node, what: &str, expected: &str) {
        self.report(
            Diagnostic::new(
                codes::WRONG_TYPE,
                node.span,
                format!("{what} must be {expected}, found {}", node.describe()),
            )
            .with_label(format!("expected {expected}")),
        );
    }
}

/// The fields of one mapping, with unknown keys already reported.
pub(crate) struct Fields<'n> {
    pub node: &'n Node,
    pub entries: &'n [Entry],
}

impl<'n> Fields<'n> {
    /// Opens `node` as a mapping of `what` accepting `known` keys.
    pub fn open(cx: &mut Cx<'_>, node: &'n Node, what: &str, known: &[&str]) -> Option<Fields<'n>> {
        let Some(entries) = node.as_map() else {
            cx.wrong_type(node, what, "a mapping");
            return None;
        };
        for entry in entries {
            if !known.contains(&entry.key.as_str()) {
                let suggestion = did_you_mean(&entry.key, known.iter().copied());
                let help = match suggestion {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => format!("{what} takes: {}", known.join(", ")),
                };
                cx.report(
                    Diagnostic::new(
                        codes::UNKNOWN_KEY,
                        entry.key_span,
                        format!("unknown key `{}` in {what}", entry.key),
                    )
                    .with_label("not a field here")
                    .with_help(help),
                );
            }
        }
        Some(Fields { node, entries })
    }

    pub fn get(&self, key: &str) -> Option<&'n Node> {
        self.entries.iter().find(|e| e.key == key).map(|e| &e.value)
    }

    pub fn entry(&self, key: &str) -> Option<&'n Entry> {
        self.entries.iter().find(|e| e.key == key)
    }

    /// A required field; reports it missing at the mapping's first key.
    pub fn required(&self, cx: &mut Cx<'_>, key: &str, what: &str) -> Option<&'n Node> {
        let found = self.get(key);
        if found.is_none() {
            cx.report(
                Diagnostic::new(
                    codes::MISSING_FIELD,
                    self.head_span(),
                    format!("{what} is missing the required field `{key}`"),
                )
                .with_label(format!("`{key}` is needed here")),
            );
        }
        found
    }

    /// The first key of the mapping (or the mapping itself when empty): a one-line anchor.
    pub fn head_span(&self) -> Span {
        self.entries.first().map_or(self.node.span, |e| e.key_span)
    }
}

static NAME: LazyLock<Regex> = LazyLock::new(|| Regex::new("^[a-z_][a-z0-9_]*$").expect("valid regex"));
static RUNBOOK_ID: LazyLock<Regex> = LazyLock::new(|| Regex::new("^[a-z0-9][a-z0-9-]*$").expect("valid regex"));

/// Scalar text of any non-null scalar (numbers and booleans as written).
pub(crate) fn text(cx: &mut Cx<'_>, node: &Node, what: &str) -> Option<String> {
    match &node.kind {
        NodeKind::Scalar(scalar) if scalar.value != ScalarValue::Null => Some(scalar.text.clone()),
        _ => {
            cx.wrong_type(node, what, "text");
            None
        }
    }
}

/// A name reachable from templates: `[a-z_][a-z0-9_]*`.
pub(crate) fn name(cx: &mut Cx<'_>, node: &Node, what: &str) -> Option<Spanned<String>> {
    let value = text(cx, node, what)?;
    name_text(cx, value, node.span, what)
}

pub(crate) fn name_text(cx: &mut Cx<'_>, value: String, span: Span, what: &str) -> Option<Spanned<String>> {
    if NAME.is_match(&value) {
        return Some(Spanned::new(value, span));
    }
    let fixed = suggest_name(&value);
    cx.report(
        Diagnostic::new(codes::INVALID_NAME, span, format!("{what} `{value}` is not a valid name"))
            .with_label("names match `[a-z_][a-z0-9_]*`")
            .with_optional_help(fixed.map(|f| match reached_as(what) {
                Some(root) => format!("write `{f}` (templates reach it as `{root}.{f}`)"),
                None => format!("write `{f}`"),
            })),
    );
    None
}

/// Where templates reach a name of this kind.
fn reached_as(what: &str) -> Option<&'static str> {
    match what {
        "step id" => Some("steps"),
        "input name" => Some("inputs"),
        "secret name" => Some("secrets"),
        "capture name" | "variable name" => Some("vars"),
        _ => None,
    }
}

fn suggest_name(value: &str) -> Option<String> {
    let mut fixed: String =
        value.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    if fixed.starts_with(|c: char| c.is_ascii_digit()) {
        fixed.insert(0, '_');
    }
    (!fixed.is_empty() && NAME.is_match(&fixed)).then_some(fixed)
}

/// The runbook id: `[a-z0-9][a-z0-9-]*`.
pub(crate) fn runbook_id(cx: &mut Cx<'_>, node: &Node) -> Option<Spanned<String>> {
    let value = text(cx, node, "`id`")?;
    if RUNBOOK_ID.is_match(&value) {
        return Some(Spanned::new(value, node.span));
    }
    let fixed: String =
        value.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    cx.report(
        Diagnostic::new(codes::INVALID_NAME, node.span, format!("runbook id `{value}` is not valid"))
            .with_label("runbook ids match `[a-z0-9][a-z0-9-]*`")
            .with_optional_help(RUNBOOK_ID.is_match(&fixed).then(|| format!("write `{fixed}`"))),
    );
    None
}

pub(crate) fn boolean(cx: &mut Cx<'_>, node: &Node, what: &str) -> Option<bool> {
    match &node.kind {
        NodeKind::Scalar(scalar) => match scalar.value {
            ScalarValue::Bool(b) => Some(b),
            _ => {
                let hint = match scalar.text.to_ascii_lowercase().as_str() {
                    "yes" | "on" | "y" => Some("write `true` (YAML 1.2 reads `yes` as text)"),
                    "no" | "off" | "n" => Some("write `false` (YAML 1.2 reads `no` as text)"),
                    _ => None,
                };
                cx.report(
                    Diagnostic::new(
                        codes::WRONG_TYPE,
                        node.span,
                        format!("{what} must be `true` or `false`, found {}", node.describe()),
                    )
                    .with_label("expected a boolean")
                    .with_optional_help(hint.map(str::to_owned)),
                );
                None
            }
        },
        _ => {
            cx.wrong_type(node, what, "`true` or `false`");
            None
        }
    }
}

/// A whole number in `min..=max`.
pub(crate) fn integer(cx: &mut Cx<'_>, node: &Node, what: &str, min: i64, max: i64) -> Option<i64> {
    let value = match &node.kind {
        NodeKind::Scalar(scalar) => match scalar.value {
            ScalarValue::Int(i) => Some(i),
            _ => None,
        },
        _ => None,
    };
    let Some(value) = value else {
        cx.wrong_type(node, what, "a whole number");
        return None;
    };
    if value < min || value > max {
        let code = if value > max { codes::LIMIT_EXCEEDED } else { codes::INVALID_VALUE };
        cx.report(
            Diagnostic::new(code, node.span, format!("{what} must be between {min} and {max}, found {value}"))
                .with_label("out of range"),
        );
        return None;
    }
    Some(value)
}

pub(crate) fn duration(cx: &mut Cx<'_>, node: &Node, what: &str) -> Option<Duration> {
    let Some(scalar) = node.as_scalar() else {
        cx.wrong_type(node, what, "a duration such as `30s`");
        return None;
    };
    match parse_duration(&scalar.text) {
        Ok(duration) => Some(duration),
        Err(error) => {
            let help = match &error {
                DurationError::BareNumber(n) => format!("add a unit: `{n}s` (units: ms, s, m, h)"),
                DurationError::UnknownUnit(unit) => match did_you_mean(unit, ["ms", "s", "m", "h"]) {
                    Some(near) => format!("did you mean `{near}`? units are ms, s, m and h"),
                    None => "units are ms, s, m and h: `250ms`, `10s`, `5m`, `1h`, `1m30s`".to_owned(),
                },
                _ => "write one or more `<integer><unit>` parts: `250ms`, `10s`, `5m`, `1h`, `1m30s`".to_owned(),
            };
            cx.report(
                Diagnostic::new(codes::INVALID_DURATION, node.span, format!("invalid duration for {what}: {error}"))
                    .with_label("not a duration")
                    .with_help(help),
            );
            None
        }
    }
}

/// One of a fixed set of words, with "did you mean".
pub(crate) fn choice<T: Copy>(cx: &mut Cx<'_>, node: &Node, what: &str, options: &[(&str, T)]) -> Option<T> {
    let value = text(cx, node, what)?;
    if let Some((_, found)) = options.iter().find(|(word, _)| *word == value) {
        return Some(*found);
    }
    let words: Vec<&str> = options.iter().map(|(w, _)| *w).collect();
    let help = match did_you_mean(&value, words.iter().copied()) {
        Some(near) => format!("did you mean `{near}`?"),
        None => format!("use one of: {}", words.join(", ")),
    };
    cx.report(
        Diagnostic::new(codes::INVALID_VALUE, node.span, format!("`{value}` is not a valid {what}"))
            .with_label(format!("expected one of: {}", words.join(", ")))
            .with_help(help),
    );
    None
}

/// A list, or a single item written without the list.
pub(crate) fn one_or_many(node: &Node) -> &[Node] {
    match &node.kind {
        NodeKind::Seq(items) => items,
        _ => std::slice::from_ref(node),
    }
}

/// A list of `what`.
pub(crate) fn list<'n>(cx: &mut Cx<'_>, node: &'n Node, what: &str) -> Option<&'n [Node]> {
    match &node.kind {
        NodeKind::Seq(items) => Some(items),
        _ => {
            cx.wrong_type(node, what, "a list");
            None
        }
    }
}

/// A template string; parse errors and references are recorded.
pub(crate) fn template(cx: &mut Cx<'_>, node: &Node, what: &str) -> Option<Tpl> {
    let source = text(cx, node, what)?;
    template_text(cx, source, node)
}

pub(crate) fn template_text(cx: &mut Cx<'_>, source: String, node: &Node) -> Option<Tpl> {
    match rbx_template::Template::parse(&source) {
        Ok(template) => {
            for reference in template.references() {
                let span = locate(cx.file, node, &source, reference.offset);
                cx.refs.push(PendingRef::new(reference, span, cx.scope));
            }
            Some(Tpl { template, span: node.span })
        }
        Err(error) => {
            let span = locate(cx.file, node, &source, error.offset);
            cx.report(
                Diagnostic::new(codes::TEMPLATE_SYNTAX, span, format!("template does not parse: {}", error.message()))
                    .with_label("template error here")
                    .with_optional_help(template_hint(&error.kind)),
            );
            None
        }
    }
}

/// A hint for the template errors a hint helps with; the message says enough for the others.
fn template_hint(kind: &rbx_template::TemplateErrorKind) -> Option<String> {
    use rbx_template::TemplateErrorKind as Kind;
    match kind {
        Kind::UnclosedExpression | Kind::UnclosedBlock(_) | Kind::Syntax => {
            Some("close every `{{` with `}}`; a literal `{{` is written `\\{{`".to_owned())
        }
        Kind::UnknownHelper(_) => Some(format!("helpers: {}", rbx_template::HELPERS.join(", "))),
        Kind::InvalidJsonPath { .. } => Some("JSONPath starts at `$` (RFC 9535), e.g. `$.items[*].id`".to_owned()),
        _ => None,
    }
}

/// Maps a byte offset inside a scalar's value to a span in the file. Exact for plain and
/// quoted scalars without escapes; for others it searches the expression text in the source.
pub(crate) fn locate(file: &SourceFile, node: &Node, value: &str, offset: usize) -> Span {
    let raw = file.slice(node.span);
    let content_start = match node.as_scalar().map(|s| s.style) {
        Some(ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted) => node.span.start + 1,
        _ => node.span.start,
    };
    let offset = offset.min(value.len());
    let head = &value[..floor_boundary(value, offset)];
    let expression_end = value[head.len()..].find("}}").map_or(value.len(), |i| head.len() + i + 2);
    let needle = &value[head.len()..expression_end];
    let raw_content = file.slice(Span::new(content_start, node.span.end));
    if raw_content.get(..head.len()) == Some(head) {
        return Span::new(content_start + head.len(), content_start + head.len() + needle.len());
    }
    if !needle.is_empty() {
        let occurrence = head.matches(needle).count();
        if let Some((index, _)) = raw.match_indices(needle).nth(occurrence) {
            let start = node.span.start + index;
            return Span::new(start, start + needle.len());
        }
    }
    node.span
}

fn floor_boundary(s: &str, mut index: usize) -> usize {
    while index > 0 && !s.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// Structured data with templated string leaves.
pub(crate) fn data(cx: &mut Cx<'_>, node: &Node) -> Option<Data> {
    Some(match &node.kind {
        NodeKind::Scalar(scalar) => match scalar.value {
            ScalarValue::Str => Data::Text(template_text(cx, scalar.text.clone(), node)?),
            _ => Data::Scalar(node.to_json()),
        },
        NodeKind::Seq(items) => {
            let mut out = Vec::with_capacity(items.len());
            let mut ok = true;
            for item in items {
                match data(cx, item) {
                    Some(d) => out.push(d),
                    None => ok = false,
                }
            }
            if !ok {
                return None;
            }
            Data::Array(out)
        }
        NodeKind::Map(entries) => {
            let mut out = Vec::with_capacity(entries.len());
            let mut ok = true;
            for entry in entries {
                match data(cx, &entry.value) {
                    Some(d) => out.push((entry.key.clone(), d)),
                    None => ok = false,
                }
            }
            if !ok {
                return None;
            }
            Data::Object(out)
        }
    })
}

/// A mapping of names to templates (headers, env, query).
pub(crate) fn template_map(cx: &mut Cx<'_>, node: &Node, what: &str) -> Vec<(String, Tpl)> {
    let Some(entries) = node.as_map() else {
        cx.wrong_type(node, what, "a mapping");
        return Vec::new();
    };
    entries.iter().filter_map(|entry| template(cx, &entry.value, what).map(|t| (entry.key.clone(), t))).collect()
}
