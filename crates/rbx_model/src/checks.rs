//! `when`, `expect`, `until`, `assert` and `capture`: YAML → `rbx_checks` values, with positions
//! for every error.

use rbx_checks::{Check, CheckKind, CompiledPath, CompiledRegex, OPERATOR_NAMES, Operator, OperatorError};
use rbx_diagnostics::{Diagnostic, codes};
use rbx_syntax::{Node, NodeKind, ScalarValue};

use crate::reader::{self as read, Cx, Fields};
use crate::refs::PendingRef;
use crate::types::Capture;

/// What a check's paths select from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Subject {
    /// The run context (`when`, `assert`): `$.steps.x` must name an earlier step.
    Context,
    /// The step's own result (`expect`, `until`).
    Result,
}

/// A check or a list of checks.
pub(crate) fn checks(cx: &mut Cx<'_>, node: &Node, what: &str, subject: Subject) -> Vec<Check> {
    if node.is_null() {
        cx.wrong_type(node, what, "a check or a list of checks");
        return Vec::new();
    }
    read::one_or_many(node).iter().filter_map(|item| check(cx, item, what, subject)).collect()
}

static CHECK_KEYS: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
    ["path", "message", "any", "all", "not"].into_iter().chain(OPERATOR_NAMES.iter().copied()).collect()
});

fn check(cx: &mut Cx<'_>, node: &Node, what: &str, subject: Subject) -> Option<Check> {
    if let Some(text) = node.as_str() {
        let help = match expression_as_check(text) {
            Some(check) => format!("write the check as a mapping: `{check}`"),
            None => "write the check as a mapping: `{ path: $.status, equals: 200 }`".to_owned(),
        };
        cx.report(
            Diagnostic::new(
                codes::WRONG_TYPE,
                node.span,
                format!("a check in {what} must be a mapping, found a string"),
            )
            .with_label("expected a mapping")
            .with_help(help),
        );
        return None;
    }
    let fields = Fields::open(cx, node, &format!("a check in {what}"), &CHECK_KEYS)?;
    let message = fields.get("message").and_then(|n| read::text(cx, n, "`message`"));
    let combinators: Vec<_> =
        fields.entries.iter().filter(|e| ["any", "all", "not"].contains(&e.key.as_str())).collect();
    let operators: Vec<_> = fields.entries.iter().filter(|e| OPERATOR_NAMES.contains(&e.key.as_str())).collect();
    let path_entry = fields.entry("path");

    if let Some(first) = combinators.first() {
        if combinators.len() > 1 || path_entry.is_some() || !operators.is_empty() {
            cx.report(
                Diagnostic::new(
                    codes::INVALID_CHECK,
                    first.key_span,
                    format!("`{}` stands alone in its check", first.key),
                )
                .with_help("put the other conditions inside it, or in a check of their own"),
            );
            return None;
        }
        let kind = match first.key.as_str() {
            "not" => {
                if first.value.as_seq().is_some() {
                    cx.wrong_type(&first.value, "`not`", "one check (use `any` or `all` for lists)");
                    return None;
                }
                CheckKind::Not(Box::new(check(cx, &first.value, what, subject)?))
            }
            combinator => {
                let items = read::list(cx, &first.value, &format!("`{combinator}`"))?;
                let parsed: Vec<Check> = items.iter().filter_map(|item| check(cx, item, what, subject)).collect();
                if parsed.len() != items.len() {
                    return None;
                }
                if combinator == "any" { CheckKind::Any(parsed) } else { CheckKind::All(parsed) }
            }
        };
        return Some(Check { kind, message });
    }

    let Some(path_entry) = path_entry else {
        cx.report(
            Diagnostic::new(codes::INVALID_CHECK, fields.head_span(), "this check has no `path`")
                .with_label("what does it look at?")
                .with_help("write `path: $.field` and an operator, e.g. `{ path: $.status, equals: 200 }`"),
        );
        return None;
    };
    let path = path(cx, &path_entry.value);
    let has_unknown_keys = fields.entries.iter().any(|e| !CHECK_KEYS.contains(&e.key.as_str()));
    if operators.is_empty() && has_unknown_keys {
        return None;
    }
    if operators.is_empty() {
        cx.report(
            Diagnostic::new(codes::INVALID_CHECK, path_entry.key_span, "this check has a `path` but no operator")
                .with_help("add one, e.g. `equals: 200`, `exists: true`, `matches: \"PONG\"`"),
        );
        return None;
    }
    let mut parsed = Vec::with_capacity(operators.len());
    for entry in operators {
        record_operand_templates(cx, &entry.value);
        // Runbooks repeat the same patterns (`matches: "PONG"`); compile each one once.
        let pattern = (entry.key == "matches").then(|| entry.value.as_str()).flatten();
        if let Some(compiled) = pattern.and_then(|p| cx.regexes.get(p)) {
            parsed.push(Operator::Matches(compiled.clone()));
            continue;
        }
        match Operator::parse(&entry.key, &entry.value.to_json()) {
            Ok(operator) => {
                if let (Some(pattern), Operator::Matches(compiled)) = (pattern, &operator) {
                    cx.regexes.insert(pattern.to_owned(), compiled.clone());
                }
                parsed.push(operator);
            }
            Err(error) => {
                let code = if matches!(error, OperatorError::BadRegex { .. }) {
                    codes::INVALID_REGEX
                } else {
                    codes::INVALID_CHECK
                };
                let mut diagnostic =
                    Diagnostic::new(code, entry.value.span, format!("invalid `{}` operand: {error}", entry.key))
                        .with_label("here");
                if let Some(help) = yaml_1_1_boolean_help(&entry.value) {
                    diagnostic = diagnostic.with_help(help);
                }
                cx.report(diagnostic);
            }
        }
    }
    let path = path?;
    if subject == Subject::Context
        && let Some(scope_path) = path_reference(&path)
    {
        cx.refs.push(PendingRef::from_path(scope_path, path_entry.value.span, cx.scope));
    }
    Some(Check { kind: CheckKind::Path { path, operators: parsed }, message })
}

/// Operand strings may be templates; their references are checked like any other.
fn record_operand_templates(cx: &mut Cx<'_>, node: &Node) {
    match &node.kind {
        NodeKind::Scalar(scalar) if scalar.value == ScalarValue::Str && scalar.text.contains("{{") => {
            read::template_text(cx, scalar.text.clone(), node);
        }
        NodeKind::Seq(items) => items.iter().for_each(|item| record_operand_templates(cx, item)),
        NodeKind::Map(entries) => entries.iter().for_each(|e| record_operand_templates(cx, &e.value)),
        NodeKind::Scalar(_) => {}
    }
}

/// The leading names of a run-context path (`$.steps.x.outcome` → `steps`, `x`, `outcome`),
/// checked like template references. Bracket forms and wildcards end the prefix.
fn path_reference(path: &CompiledPath) -> Option<Vec<String>> {
    let rest = path.source().strip_prefix("$.")?;
    let segments: Vec<String> = rest
        .split('.')
        .map_while(|part| {
            let name: String = part.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            (!name.is_empty() && name.len() == part.len()).then_some(name)
        })
        .take(3)
        .collect();
    let root = rest.split(['.', '[']).next()?;
    match segments.first() {
        Some(first) if first == root => Some(segments),
        _ if !root.is_empty() && root.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => {
            Some(vec![root.to_owned()])
        }
        _ => None,
    }
}

pub(crate) fn path(cx: &mut Cx<'_>, node: &Node) -> Option<CompiledPath> {
    let text = read::text(cx, node, "`path`")?;
    if let Some(compiled) = cx.paths.get(text.as_str()) {
        return Some(compiled.clone());
    }
    match CompiledPath::parse(&text) {
        Ok(path) => {
            cx.paths.insert(text, path.clone());
            Some(path)
        }
        Err(error) => {
            let help = if !text.starts_with('$') {
                format!("JSONPath starts at the root: `$.{}`", text.trim_start_matches('.'))
            } else {
                "see RFC 9535; quote paths that contain `[` `]` inside `{ }`".to_owned()
            };
            cx.report(
                Diagnostic::new(codes::INVALID_JSONPATH, node.span, format!("invalid JSONPath `{text}`: {error}"))
                    .with_label("does not compile")
                    .with_help(help),
            );
            None
        }
    }
}

/// `capture: { NAME: PATH | { path, regex, secret } }`.
pub(crate) fn captures(cx: &mut Cx<'_>, node: &Node) -> Vec<Capture> {
    let Some(entries) = node.as_map() else {
        cx.wrong_type(node, "`capture`", "a mapping of variable names to JSONPaths");
        return Vec::new();
    };
    entries
        .iter()
        .filter_map(|entry| {
            let name = read::name_text(cx, entry.key.clone(), entry.key_span, "capture name");
            let (path, regex, secret) = if entry.value.as_map().is_some() {
                let fields = Fields::open(cx, &entry.value, "a capture", &["path", "regex", "secret"])?;
                let path = fields.required(cx, "path", "a capture").and_then(|n| path(cx, n));
                let regex = fields.get("regex").and_then(|n| {
                    let text = read::text(cx, n, "`regex`")?;
                    CompiledRegex::new(&text)
                        .map_err(|error| {
                            cx.report(
                                Diagnostic::new(
                                    codes::INVALID_REGEX,
                                    n.span,
                                    format!("invalid regular expression: {error}"),
                                )
                                .with_label("does not compile"),
                            )
                        })
                        .ok()
                });
                let secret = fields.get("secret").and_then(|n| read::boolean(cx, n, "`secret`")).unwrap_or(false);
                (path, regex, secret)
            } else {
                (path(cx, &entry.value), None, false)
            };
            Some(Capture { name: name?, path: path?, regex, secret })
        })
        .collect()
}

/// `$.exit_code == 0` as the check it means, `{ path: $.exit_code, equals: 0 }`, when the text
/// is a path, a comparison and a value.
fn expression_as_check(text: &str) -> Option<String> {
    const OPERATORS: [(&str, &str); 6] =
        [("==", "equals"), ("!=", "not_equals"), ("<=", "le"), (">=", "ge"), ("<", "lt"), (">", "gt")];
    let (path, operator, value) = OPERATORS.iter().find_map(|(symbol, name)| {
        let (path, value) = text.split_once(symbol)?;
        Some((path.trim(), *name, value.trim()))
    })?;
    let is_path = path.starts_with('$') && !path.contains(char::is_whitespace);
    (is_path && !value.is_empty()).then(|| format!("{{ path: {path}, {operator}: {value} }}"))
}

/// `yes`, `no`, `on`, `off` were booleans in YAML 1.1; runbooks are read as YAML 1.2, where
/// they are text.
fn yaml_1_1_boolean_help(value: &Node) -> Option<String> {
    let text = value.as_str()?;
    let meant = match text.to_ascii_lowercase().as_str() {
        "yes" | "on" | "y" => "true",
        "no" | "off" | "n" => "false",
        _ => return None,
    };
    Some(format!("write `{meant}`: YAML 1.2 reads `{text}` as text, not as a boolean"))
}
