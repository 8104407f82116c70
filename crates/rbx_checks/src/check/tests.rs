//! Check semantics, written as the runbook would write them (JSON standing in for YAML).

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::*;
use crate::{CheckFailure, CheckResult, Literal};

/// Builds a check from a mapping the way rbx_model does: `path` plus operators, `any`, `all`,
/// `not`, `message`.
fn check(spec: Value) -> Check {
    let Value::Object(members) = spec else { panic!("a check is a mapping: {spec}") };
    let message = members.get("message").and_then(Value::as_str).map(str::to_owned);
    let list = |value: &Value| value.as_array().map(|checks| checks.iter().cloned().map(check).collect());
    let kind = if let Some(checks) = members.get("any").and_then(list) {
        CheckKind::Any(checks)
    } else if let Some(checks) = members.get("all").and_then(list) {
        CheckKind::All(checks)
    } else if let Some(inner) = members.get("not") {
        CheckKind::Not(Box::new(check(inner.clone())))
    } else {
        let path = members.get("path").and_then(Value::as_str).unwrap_or_else(|| panic!("no path"));
        let path = CompiledPath::parse(path).unwrap_or_else(|error| panic!("{error}"));
        let operators = members
            .iter()
            .filter(|(name, _)| !matches!(name.as_str(), "path" | "message"))
            .map(|(name, operand)| Operator::parse(name, operand).unwrap_or_else(|error| panic!("{error}")))
            .collect();
        CheckKind::Path { path, operators }
    };
    Check { kind, message }
}

fn run(spec: Value, subject: &Value) -> CheckResult {
    check(spec).evaluate(subject, &Literal)
}

fn holds(spec: Value, subject: &Value) -> bool {
    let result = run(spec, subject);
    assert_eq!(result.passed, result.failures.is_empty(), "{result:?}");
    result.passed
}

fn texts(result: &CheckResult) -> Vec<String> {
    result.failures.iter().map(CheckFailure::to_string).collect()
}

fn number(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|error| panic!("`{text}`: {error}"))
}

fn doc() -> Value {
    json!({
        "status": 200,
        "body": "+PONG\r\n",
        "name": "héllo",
        "tags": ["a", "b", 3],
        "headers": {"content-type": "json", "x-id": "7"},
        "items": [{"id": 1, "ok": true}, {"id": 2, "ok": false}],
        "nothing": null,
        "blank": "",
        "none": [],
        "ratio": 0.5,
    })
}

#[test]
fn one_node_compares_its_value() {
    assert!(holds(json!({"path": "$.status", "equals": 200}), &doc()));
    assert!(!holds(json!({"path": "$.status", "equals": 404}), &doc()));
    assert!(holds(json!({"path": "$.items[0]", "equals": {"ok": true, "id": 1}}), &doc()));
}

#[test]
fn several_nodes_compare_as_an_array() {
    assert!(holds(json!({"path": "$.items[*].id", "equals": [1, 2]}), &doc()));
    assert!(holds(json!({"path": "$.items[*].id", "contains": 2}), &doc()));
    assert!(holds(json!({"path": "$.items[*].id", "length": 2}), &doc()));
    assert!(holds(json!({"path": "$.items[*].id", "type": "array"}), &doc()));
    assert!(!holds(json!({"path": "$.items[*].id", "equals": 1}), &doc()));
}

#[test]
fn nothing_selected_fails_every_operator_but_exists_false_and_count() {
    let operators = [
        ("equals", json!(null)),
        ("not_equals", json!(1)),
        ("lt", json!(1)),
        ("le", json!(1)),
        ("gt", json!(1)),
        ("ge", json!(1)),
        ("contains", json!("a")),
        ("not_contains", json!("a")),
        ("matches", json!("")),
        ("one_of", json!([null])),
        ("exists", json!(true)),
        ("empty", json!(true)),
        ("empty", json!(false)),
        ("length", json!(0)),
        ("type", json!("null")),
    ];
    for (name, operand) in operators {
        let result = run(json!({"path": "$.missing", name: operand}), &doc());
        assert!(!result.passed, "{name}");
        assert_eq!(result.failures[0].actual, None, "{name}");
    }
    assert!(holds(json!({"path": "$.missing", "exists": false}), &doc()));
    assert!(holds(json!({"path": "$.missing", "count": 0}), &doc()));
    assert!(holds(json!({"path": "$.missing", "count": {"lt": 1}}), &doc()));
    assert_eq!(
        texts(&run(json!({"path": "$.missing", "equals": 1}), &doc())),
        ["`$.missing` equals 1: nothing selected"]
    );
}

#[test]
fn equality_is_json_equality() {
    assert!(holds(json!({"path": "$.n", "equals": 1}), &json!({"n": number("1.0")})));
    assert!(holds(json!({"path": "$.n", "equals": number("1e2")}), &json!({"n": 100})));
    assert!(!holds(json!({"path": "$.n", "equals": 1}), &json!({"n": "1"})));
    assert!(holds(json!({"path": "$.n", "not_equals": 1}), &json!({"n": "1"})));
    assert!(holds(
        json!({"path": "$.o", "equals": {"b": [1, {"c": null}], "a": "x"}}),
        &json!({"o": {"a": "x", "b": [1.0, {"c": null}]}})
    ));
    assert!(!holds(json!({"path": "$.o", "equals": {"a": "x"}}), &json!({"o": {"a": "x", "b": 1}})));
    assert!(holds(json!({"path": "$.nothing", "equals": null}), &doc()));
    assert!(!holds(json!({"path": "$.nothing", "not_equals": null}), &doc()));
}

#[test]
fn arbitrary_precision_numbers_compare_exactly() {
    let subject = json!({"big": number("9007199254740993"), "huge": number("123456789012345678901234567890")});
    assert!(!holds(json!({"path": "$.big", "equals": number("9007199254740992")}), &subject));
    assert!(holds(json!({"path": "$.big", "gt": number("9007199254740992")}), &subject));
    assert!(holds(json!({"path": "$.huge", "equals": number("1.2345678901234567890123456789e29")}), &subject));
    assert!(holds(json!({"path": "$.huge", "type": "integer"}), &subject));
}

#[test]
fn ordering_compares_numbers_or_strings() {
    assert!(holds(json!({"path": "$.status", "lt": 400, "ge": 200, "le": 200, "gt": 199.5}), &doc()));
    assert!(!holds(json!({"path": "$.status", "lt": 200}), &doc()));
    assert!(holds(json!({"path": "$.ratio", "lt": 1, "gt": 0}), &doc()));
    assert!(holds(json!({"path": "$.name", "gt": "hello", "lt": "i"}), &doc()));
    assert!(holds(json!({"path": "$.v", "lt": "a"}), &json!({"v": "Z"})));
}

#[test]
fn ordering_anything_else_fails_as_not_comparable() {
    let result = run(json!({"path": "$.headers['x-id']", "lt": 10}), &doc());
    assert_eq!(
        texts(&result),
        [
            "`$.headers['x-id']` lt 10: got \"7\"; not comparable: string with number (only two numbers or two strings are)"
        ]
    );
    for subject in [json!(null), json!(true), json!([1]), json!({"a": 1})] {
        assert!(!holds(json!({"path": "$.v", "ge": 0}), &json!({ "v": subject })), "{subject}");
    }
}

#[test]
fn contains_looks_in_strings_arrays_and_object_keys() {
    assert!(holds(json!({"path": "$.body", "contains": "PONG"}), &doc()));
    assert!(holds(json!({"path": "$.body", "not_contains": "PING"}), &doc()));
    assert!(holds(json!({"path": "$.tags", "contains": 3}), &doc()));
    assert!(holds(json!({"path": "$.tags", "contains": number("3.0")}), &doc()));
    assert!(holds(json!({"path": "$.tags", "not_contains": "3"}), &doc()));
    assert!(holds(json!({"path": "$.items", "contains": {"ok": false, "id": 2}}), &doc()));
    assert!(holds(json!({"path": "$.headers", "contains": "x-id"}), &doc()));
    assert!(holds(json!({"path": "$.headers", "not_contains": "7"}), &doc()));
}

#[test]
fn contains_on_what_cannot_contain_fails_both_ways() {
    for operator in ["contains", "not_contains"] {
        assert!(!holds(json!({"path": "$.status", operator: "2"}), &doc()), "{operator}");
        assert!(!holds(json!({"path": "$.body", operator: 1}), &doc()), "{operator}");
        assert!(!holds(json!({"path": "$.headers", operator: 1}), &doc()), "{operator}");
    }
    assert_eq!(
        texts(&run(json!({"path": "$.status", "not_contains": 2}), &doc())),
        ["`$.status` not_contains 2: got 200; a number contains nothing (only strings, arrays and objects do)"]
    );
}

#[test]
fn matches_searches_unanchored_strings_and_number_text() {
    assert!(holds(json!({"path": "$.body", "matches": "PONG"}), &doc()));
    assert!(!holds(json!({"path": "$.body", "matches": "^PONG$"}), &doc()));
    assert!(holds(json!({"path": "$.status", "matches": "^2\\d\\d$"}), &doc()));
    assert!(holds(json!({"path": "$.n", "matches": "^1\\.50$"}), &json!({"n": number("1.50")})));
    for path in ["$.nothing", "$.tags", "$.headers", "$.items[0].ok"] {
        let result = run(json!({"path": path, "matches": ".*"}), &doc());
        assert!(!result.passed, "{path}");
        let reason = result.failures[0].reason.clone().unwrap_or_default();
        assert!(reason.ends_with("is not text (`matches` applies to strings and numbers)"), "{reason}");
    }
}

#[test]
fn one_of_uses_json_equality() {
    assert!(holds(json!({"path": "$.status", "one_of": [200, 201]}), &doc()));
    assert!(holds(json!({"path": "$.status", "one_of": [number("200.0")]}), &doc()));
    assert!(!holds(json!({"path": "$.status", "one_of": ["200", 201]}), &doc()));
    assert!(!holds(json!({"path": "$.status", "one_of": []}), &doc()));
    assert!(holds(json!({"path": "$.items[*].id", "one_of": [[1, 2], [3]]}), &doc()));
}

#[test]
fn exists_is_about_selection_not_value() {
    assert!(holds(json!({"path": "$.nothing", "exists": true}), &doc()));
    assert!(holds(json!({"path": "$.missing", "exists": false}), &doc()));
    assert!(!holds(json!({"path": "$.status", "exists": false}), &doc()));
    assert_eq!(texts(&run(json!({"path": "$.status", "exists": false}), &doc())), ["`$.status` exists false: got 200"]);
}

#[test]
fn empty_means_empty_string_array_object_or_null() {
    for path in ["$.nothing", "$.blank", "$.none", "$.o"] {
        assert!(holds(
            json!({"path": path, "empty": true}),
            &json!({"nothing": null, "blank": "", "none": [], "o": {}})
        ));
    }
    for path in ["$.status", "$.body", "$.tags", "$.headers", "$.items[0].ok"] {
        assert!(holds(json!({"path": path, "empty": false}), &doc()), "{path}");
        assert!(!holds(json!({"path": path, "empty": true}), &doc()), "{path}");
    }
}

#[test]
fn length_counts_characters_elements_and_members() {
    assert!(holds(json!({"path": "$.name", "length": 5}), &doc()));
    assert!(holds(json!({"path": "$.tags", "length": 3}), &doc()));
    assert!(holds(json!({"path": "$.headers", "length": {"ge": 2, "lt": 3, "not_equals": 0, "equals": 2}}), &doc()));
    assert!(holds(json!({"path": "$.none", "length": number("0.0")}), &doc()));
    let result = run(json!({"path": "$.tags", "length": {"gt": 0, "le": 2, "equals": 1}}), &doc());
    assert_eq!(texts(&result), ["`$.tags` length le 2: got 3", "`$.tags` length equals 1: got 3"]);
}

#[test]
fn length_of_what_has_none_fails() {
    for path in ["$.status", "$.nothing", "$.items[0].ok"] {
        assert!(!holds(json!({"path": path, "length": 0}), &doc()), "{path}");
    }
    assert_eq!(
        texts(&run(json!({"path": "$.status", "length": {"gt": 0}}), &doc())),
        ["`$.status` length {\"gt\":0}: got 200; a number has no length (only strings, arrays and objects do)"]
    );
}

#[test]
fn count_counts_selected_nodes() {
    let subject = json!({"errors": [{"status": 401}, {"status": 500}, {"status": 401}]});
    assert!(holds(json!({"path": "$.errors[?@.status == 401]", "count": 2}), &subject));
    assert!(holds(json!({"path": "$.errors[?@.status == 401]", "count": {"gt": 0}}), &subject));
    assert!(holds(json!({"path": "$.errors[?@.status == 404]", "count": 0}), &subject));
    // One node that is an array counts as one node, whatever its length.
    assert!(holds(json!({"path": "$.errors", "count": 1}), &subject));
    assert_eq!(
        texts(&run(json!({"path": "$.errors[?@.status == 404]", "count": {"gt": 0}}), &subject)),
        ["`$.errors[?@.status == 404]` count gt 0: got 0"]
    );
}

#[test]
fn type_checks_the_json_type() {
    let cases = [
        ("$.status", "integer"),
        ("$.status", "number"),
        ("$.ratio", "number"),
        ("$.body", "string"),
        ("$.items[0].ok", "boolean"),
        ("$.tags", "array"),
        ("$.headers", "object"),
        ("$.nothing", "null"),
    ];
    for (path, type_name) in cases {
        assert!(holds(json!({"path": path, "type": type_name}), &doc()), "{path} {type_name}");
    }
    assert!(!holds(json!({"path": "$.ratio", "type": "integer"}), &doc()));
    assert!(holds(json!({"path": "$.n", "type": "integer"}), &json!({"n": number("2.0")})));
    assert!(!holds(json!({"path": "$.body", "type": "number"}), &doc()));
    assert!(!holds(json!({"path": "$.nothing", "type": "object"}), &doc()));
}

#[test]
fn every_operator_of_a_check_must_hold_and_each_failure_is_reported() {
    let result = run(json!({"path": "$.status", "ge": 500, "one_of": [500, 503], "type": "integer"}), &doc());
    assert_eq!(texts(&result), ["`$.status` ge 500: got 200", "`$.status` one_of [500,503]: got 200"]);
}

#[test]
fn any_holds_when_one_branch_holds_and_reports_all_otherwise() {
    let spec = json!({"any": [{"path": "$.status", "equals": 429}, {"path": "$.status", "ge": 500}]});
    assert!(holds(spec.clone(), &json!({"status": 503})));
    assert!(holds(spec.clone(), &json!({"status": 429})));
    assert_eq!(
        texts(&run(spec, &json!({"status": 200}))),
        ["`$.status` equals 429: got 200", "`$.status` ge 500: got 200"]
    );
}

#[test]
fn all_holds_when_every_branch_holds() {
    let spec = json!({"all": [{"path": "$.status", "lt": 400}, {"path": "$.body", "contains": "PONG"}]});
    assert!(holds(spec.clone(), &doc()));
    assert_eq!(
        texts(&run(spec, &json!({"status": 500, "body": "PING"}))),
        ["`$.status` lt 400: got 500", "`$.body` contains \"PONG\": got \"PING\""]
    );
}

#[test]
fn empty_any_fails_and_empty_all_holds() {
    assert_eq!(texts(&run(json!({"any": []}), &doc())), ["any []; there is no check that could hold"]);
    assert!(holds(json!({"all": []}), &doc()));
    assert!(!holds(json!({"not": {"all": []}}), &doc()));
    assert!(holds(json!({"not": {"any": []}}), &doc()));
}

#[test]
fn not_negates_and_names_the_operators_that_held() {
    assert!(holds(json!({"not": {"path": "$.status", "equals": 500}}), &doc()));
    assert_eq!(
        texts(&run(json!({"not": {"path": "$.status", "equals": 200, "lt": 300}}), &doc())),
        ["`$.status` not equals 200: got 200", "`$.status` not lt 300: got 200"]
    );
    // One operator failing is enough for `not` of the conjunction.
    assert!(holds(json!({"not": {"path": "$.status", "equals": 200, "gt": 300}}), &doc()));
    assert!(holds(json!({"not": {"path": "$.missing", "equals": 1}}), &doc()));
    assert!(!holds(json!({"not": {"path": "$.missing", "exists": false}}), &doc()));
    assert!(holds(json!({"not": {"not": {"path": "$.status", "equals": 200}}}), &doc()));
    assert!(!holds(json!({"not": {"not": {"path": "$.status", "equals": 201}}}), &doc()));
}

#[test]
fn not_of_any_and_all_follows_de_morgan() {
    let any = json!({"not": {"any": [{"path": "$.status", "equals": 200}, {"path": "$.status", "equals": 201}]}});
    assert_eq!(texts(&run(any.clone(), &doc())), ["`$.status` not equals 200: got 200"]);
    assert!(holds(any, &json!({"status": 500})));
    let all = json!({"not": {"all": [{"path": "$.status", "equals": 200}, {"path": "$.body", "contains": "PONG"}]}});
    assert_eq!(
        texts(&run(all.clone(), &doc())),
        ["`$.status` not equals 200: got 200", "`$.body` not contains \"PONG\": got \"+PONG\\r\\n\""]
    );
    assert!(holds(all, &json!({"status": 200, "body": "PING"})));
}

#[test]
fn messages_explain_failures_and_the_innermost_wins() {
    let spec = json!({
        "message": "service is unhealthy",
        "all": [
            {"path": "$.status", "lt": 400, "message": "api returns errors"},
            {"path": "$.body", "contains": "OK"},
        ],
    });
    let result = run(spec, &json!({"status": 503, "body": "down"}));
    assert_eq!(
        texts(&result),
        [
            "api returns errors (`$.status` lt 400: got 503)",
            "service is unhealthy (`$.body` contains \"OK\": got \"down\")",
        ]
    );
    assert!(holds(json!({"path": "$.status", "equals": 200, "message": "never shown"}), &doc()));
}

/// Renders operands written `{{name}}` from a table, like the engine's template resolver.
struct Variables(BTreeMap<&'static str, Value>);

impl OperandResolver for Variables {
    fn resolve<'a>(&self, operand: &'a Value) -> Result<Cow<'a, Value>, String> {
        let Some(name) =
            operand.as_str().and_then(|text| text.strip_prefix("{{")).and_then(|text| text.strip_suffix("}}"))
        else {
            return Ok(Cow::Borrowed(operand));
        };
        self.0.get(name).cloned().map(Cow::Owned).ok_or_else(|| format!("unknown variable `{name}`"))
    }
}

fn variables() -> Variables {
    Variables(BTreeMap::from([("code", json!(200)), ("max", json!("2")), ("word", json!("PONG"))]))
}

#[test]
fn operands_are_rendered_by_the_resolver() {
    let cases = [
        json!({"path": "$.status", "equals": "{{code}}"}),
        json!({"path": "$.status", "le": "{{code}}"}),
        json!({"path": "$.body", "contains": "{{word}}"}),
        json!({"path": "$.status", "one_of": [1, "{{code}}"]}),
        json!({"path": "$.items", "length": "{{max}}"}),
        json!({"path": "$.items[*]", "count": {"le": "{{max}}"}}),
    ];
    for spec in cases {
        let result = check(spec.clone()).evaluate(&doc(), &variables());
        assert!(result.passed, "{spec}: {result:?}");
        assert!(!check(spec.clone()).evaluate(&doc(), &Literal).passed, "{spec} holds without rendering");
    }
    let result =
        check(json!({"path": "$.status", "equals": "{{code}}"})).evaluate(&json!({"status": 404}), &variables());
    assert_eq!(texts(&result), ["`$.status` equals 200: got 404"]);
}

#[test]
fn resolver_errors_are_failures_even_under_not() {
    for spec in [
        json!({"path": "$.status", "equals": "{{nope}}"}),
        json!({"not": {"path": "$.status", "equals": "{{nope}}"}}),
        json!({"not": {"path": "$.status", "equals": "{{nope}}", "lt": 0}}),
        json!({"path": "$.status", "one_of": ["{{nope}}"]}),
        json!({"path": "$.items", "length": {"gt": "{{nope}}"}}),
    ] {
        let result = check(spec.clone()).evaluate(&doc(), &variables());
        assert!(!result.passed, "{spec}");
        let reason = result.failures[0].reason.clone().unwrap_or_default();
        assert_eq!(reason, "cannot render the operand: unknown variable `nope`", "{spec}");
    }
    let result = check(json!({"path": "$.status", "equals": "{{nope}}"})).evaluate(&doc(), &variables());
    assert_eq!(
        texts(&result),
        ["`$.status` equals \"{{nope}}\": got 200; cannot render the operand: unknown variable `nope`"]
    );
}

#[test]
fn size_operands_must_render_to_numbers() {
    let result = check(json!({"path": "$.items", "length": "{{word}}"})).evaluate(&doc(), &variables());
    assert_eq!(
        texts(&result),
        ["`$.items` length \"PONG\": got 2; a size compares with a number, not the string \"PONG\""]
    );
    assert!(!check(json!({"not": {"path": "$.items", "length": "{{word}}"}})).evaluate(&doc(), &variables()).passed);
}

#[test]
fn operators_built_by_hand_outside_a_measure_do_not_panic() {
    let path = CompiledPath::parse("$.tags").unwrap_or_else(|error| panic!("{error}"));
    let operators = vec![Operator::Length(crate::Measure::Compare(vec![Operator::Exists(true)]))];
    let result = Check::new(CheckKind::Path { path: path.clone(), operators }).evaluate(&doc(), &Literal);
    assert_eq!(texts(&result), ["`$.tags` length exists true: got 3; `exists` cannot be used inside `length`"]);
    assert!(
        Check::new(CheckKind::Path { path: path.clone(), operators: Vec::new() }).evaluate(&doc(), &Literal).passed
    );
    let negated = Check::new(CheckKind::Not(Box::new(Check::new(CheckKind::Path { path, operators: Vec::new() }))));
    assert!(!negated.evaluate(&doc(), &Literal).passed);
}

#[test]
fn evaluate_all_holds_when_every_check_does() {
    let checks = [check(json!({"path": "$.status", "equals": 200})), check(json!({"path": "$.body", "matches": "^x"}))];
    let result = evaluate_all(&checks, &doc(), &Literal);
    assert_eq!(texts(&result), ["`$.body` matches \"^x\": got \"+PONG\\r\\n\""]);
    assert!(evaluate_all(&checks[..1], &doc(), &Literal).passed);
    assert!(evaluate_all(&[], &doc(), &Literal).passed);
}

#[test]
fn failure_texts() {
    let long: Vec<u32> = (0..300).collect();
    let subject = json!({"status": 503, "long": long, "queue": {"value": 1500}, "text": "ü".repeat(400)});
    let specs = [
        json!({"path": "$.status", "equals": 200}),
        json!({"path": "$.status", "one_of": [200, 201, 204]}),
        json!({"path": "$.version", "exists": true}),
        json!({"path": "$.status", "matches": "^2"}),
        json!({"path": "$.long", "length": {"le": 100}}),
        json!({"path": "$.long", "equals": []}),
        json!({"path": "$.text", "contains": "x"}),
        json!({"path": "$.queue.value", "lt": 1000, "message": "webhook queue is backed up"}),
        json!({"path": "$.status", "type": "string"}),
        json!({"not": {"path": "$.status", "ge": 500}}),
        json!({"path": "$.queue", "contains": 1}),
    ];
    let lines: Vec<String> = specs.into_iter().flat_map(|spec| texts(&run(spec, &subject))).collect();
    insta::assert_snapshot!(lines.join("\n"));
}

#[test]
fn failures_serialize_for_reporters() {
    let result = run(
        json!({"any": [{"path": "$.missing", "equals": 1}, {"path": "$.status", "lt": 100, "message": "too slow"}]}),
        &doc(),
    );
    // Through serde_json, not insta's serializer: with `arbitrary_precision` insta would show
    // serde_json's private number wrapper instead of the number.
    let text = serde_json::to_string_pretty(&result).unwrap_or_else(|error| panic!("{error}"));
    insta::assert_snapshot!(text);
}
