//! Whatever a runbook or a step result holds, parsing and evaluating checks must not panic.

use proptest::prelude::*;
use rbx_checks::{
    Check, CheckKind, CheckResult, CompiledPath, CompiledRegex, Literal, OPERATOR_NAMES, Operator, capture,
};
use serde_json::{Map, Number, Value};

/// JSON numbers as text in any precision: `-0.000e+99999999999999999999`, `123456789…`.
fn number_text() -> impl Strategy<Value = Value> {
    "-?(0|[1-9][0-9]{0,30})(\\.[0-9]{1,25})?([eE][+-]?[0-9]{1,22})?"
        .prop_filter_map("valid JSON number", |text| serde_json::from_str::<Number>(&text).ok().map(Value::Number))
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        number_text(),
        any::<String>().prop_map(Value::String),
        prop::sample::select(vec!["", "a", "1", "-", "null", "{{x}}", "string", "integer", "ü"])
            .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((prop_oneof!["[a-c]", "gt|le|equals|contains|x-y", ".*"], inner), 0..6)
                .prop_map(|members| Value::Object(members.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Strings built from JSONPath tokens, so that many of them parse and reach `select`.
fn path_text() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("$"),
        Just("@"),
        Just("."),
        Just(".."),
        Just("*"),
        Just("["),
        Just("]"),
        Just("?"),
        Just("("),
        Just(")"),
        Just(","),
        Just(":"),
        Just("a"),
        Just("b"),
        Just("'a'"),
        Just("\"\\u00e9\""),
        Just("0"),
        Just("-1"),
        Just("9007199254740993"),
        Just("1e400"),
        Just("::-1"),
        Just(" == "),
        Just(" < "),
        Just(" && "),
        Just(" || "),
        Just("!"),
        Just("length("),
        Just("count("),
        Just("match("),
        Just("search("),
        Just("value("),
        Just("null"),
        Just("true"),
    ];
    prop_oneof![
        any::<String>(),
        prop::collection::vec(token, 0..24).prop_map(|tokens| tokens.concat()),
        prop::collection::vec(prop_oneof![Just("[?"), Just("("), Just("@"), Just("]"), Just(")")], 0..60)
            .prop_map(|tokens| format!("${}", tokens.concat())),
    ]
}

const SAMPLE_PATHS: &[&str] = &["$", "$.a", "$.*", "$..*", "$[0]", "$[*]", "$.a[?@.b > 1]", "$..b[-1:]"];

fn check_for(path: &str, operators: Vec<Operator>) -> Option<Check> {
    let path = CompiledPath::parse(path).ok()?;
    Some(Check::new(CheckKind::Path { path, operators }))
}

fn assert_consistent(result: &CheckResult) {
    assert_eq!(result.passed, result.failures.is_empty());
    for failure in &result.failures {
        let _ = failure.to_string();
        let text = serde_json::to_string(failure).unwrap_or_default();
        let _: Value = serde_json::from_str(&text).unwrap_or_default();
    }
}

proptest! {
    // Integration tests have no lib.rs next to them for proptest to keep regressions beside.
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn parsing_any_path_never_panics(src in path_text(), subject in json_value()) {
        match CompiledPath::parse(&src) {
            Ok(path) => {
                prop_assert_eq!(path.source(), src.as_str());
                let _ = path.select(&subject);
            }
            Err(error) => {
                if let Some(offset) = error.offset {
                    prop_assert!(src.is_char_boundary(offset));
                }
                let _ = error.to_string();
            }
        }
    }

    #[test]
    fn every_operator_on_any_value_never_panics(
        operand in json_value(),
        subject in json_value(),
        path_index in 0..SAMPLE_PATHS.len(),
    ) {
        for name in OPERATOR_NAMES {
            let Ok(operator) = Operator::parse(name, &operand) else { continue };
            prop_assert_eq!(operator.name(), *name);
            let Some(check) = check_for(SAMPLE_PATHS[path_index], vec![operator]) else { continue };
            let direct = check.evaluate(&subject, &Literal);
            assert_consistent(&direct);
            let negated = Check::new(CheckKind::Not(Box::new(check.clone())));
            let negated_result = negated.evaluate(&subject, &Literal);
            assert_consistent(&negated_result);
            // `not` is exactly the opposite, except when an operand cannot be used at all (a
            // `length: "text"` that is no number), which fails both ways.
            let unusable_operand = direct.failures.iter().any(|failure| {
                failure.reason.as_deref().is_some_and(|reason| reason.starts_with("a size compares with a number"))
            });
            prop_assert!(direct.passed != negated_result.passed || unusable_operand);
            let any = Check::new(CheckKind::Any(vec![check, negated]));
            prop_assert!(any.evaluate(&subject, &Literal).passed || unusable_operand);
        }
    }

    /// Dotted paths take a shortcut past the general parser; they must select exactly what it
    /// selects.
    #[test]
    fn dotted_paths_select_what_rfc_9535_selects(
        names in prop::collection::vec(prop_oneof!["[a-c]", "_[a-c0-9]{0,2}", "[A-Z][a-z]?"], 0..5),
        subject in json_value(),
    ) {
        let text = std::iter::once("$".to_owned()).chain(names).collect::<Vec<_>>().join(".");
        let compiled = CompiledPath::parse(&text).map_err(|error| TestCaseError::fail(format!("{text}: {error}")))?;
        let general = serde_json_path::JsonPath::parse(&text).map_err(|error| TestCaseError::fail(error.to_string()))?;
        prop_assert_eq!(compiled.select(&subject), general.query(&subject).all());
    }

    #[test]
    fn operand_shapes_never_panic_when_parsed(name in "[a-z_]{0,12}", operand in json_value()) {
        if let Err(error) = Operator::parse(&name, &operand) {
            let _ = error.to_string();
        }
    }

    #[test]
    fn capture_never_panics(pattern in prop_oneof![any::<String>(), Just("v(\\d+)?".to_owned()), Just("".to_owned())],
                            subject in json_value(), path_index in 0..SAMPLE_PATHS.len()) {
        let Ok(path) = CompiledPath::parse(SAMPLE_PATHS[path_index]) else { return Ok(()) };
        let regex = CompiledRegex::new(&pattern).ok();
        match capture(&path, regex.as_ref(), &subject) {
            Ok(value) => if regex.is_some() { prop_assert!(value.is_string()) },
            Err(error) => { let _ = error.to_string(); }
        }
    }
}
