//! `rbx run` inputs: `--var` over `--vars-file` (YAML or JSON) over `default`, each value
//! converted to its declared type and seen by steps with that type.

mod common;

use common::{Outcome, Rbx, fixture, step};
use serde_json::{Value, json};

fn typed() -> Rbx {
    Rbx::run("inputs-typed.yaml").args(["--format", "json"])
}

/// The inputs as the run record shows them, after checking that the typed assert passed.
#[track_caller]
fn inputs_of(outcome: &Outcome) -> Value {
    outcome.expect_code(0);
    let record = outcome.record();
    assert_eq!(step(&record, "types")["outcome"], json!("passed"), "{record:#}");
    record["inputs"].clone()
}

#[test]
fn defaults_apply_when_nothing_is_given() {
    let inputs = inputs_of(&typed().output());
    assert_eq!(
        inputs,
        json!({"service": "api", "count": 1, "ratio": 0.5, "enabled": false, "hosts": [], "labels": {}, "region": "eu"})
    );
}

#[test]
fn var_values_are_converted_to_their_declared_types() {
    let outcome = typed()
        .var("count", "42")
        .var("ratio", "0.05")
        .var("enabled", "true")
        .var("hosts", r#"["a.example", 2]"#)
        .var("labels", r#"{"team": "sre"}"#)
        .var("service", "123")
        .output();
    let inputs = inputs_of(&outcome);
    assert_eq!(inputs["count"], json!(42));
    assert!(inputs["count"].is_u64(), "an integer, not the text `42`: {}", inputs["count"]);
    assert_eq!(inputs["ratio"], json!(0.05));
    assert_eq!(inputs["enabled"], json!(true));
    assert_eq!(inputs["hosts"], json!(["a.example", 2]));
    assert_eq!(inputs["labels"], json!({"team": "sre"}));
    assert_eq!(inputs["service"], json!("123"), "a string input keeps digits as text");
}

#[test]
fn typed_values_reach_a_shell_command_as_json_text() {
    let outcome = typed().var("count", "42").var("hosts", r#"["x"]"#).output();
    outcome.expect_code(0);
    let record = outcome.record();
    let shown: Value = serde_json::from_str(step(&record, "show")["result"]["stdout"].as_str().unwrap_or_default())
        .unwrap_or_else(|e| panic!("`json inputs` is not JSON: {e}"));
    assert_eq!(shown["count"], json!(42));
    assert_eq!(shown["hosts"], json!(["x"]));
    assert_eq!(step(&record, "show")["result"]["json"]["count"], json!(42), "stdout parsed into `json`");
}

#[test]
fn the_same_value_declared_as_text_fails_a_type_check() {
    let outcome = Rbx::run("inputs-untyped.yaml").args(["--format", "json"]).var("count", "42").output();
    outcome.expect_code(1);
    let record = outcome.record();
    let types = step(&record, "types");
    assert_eq!(types["outcome"], json!("failed"));
    assert_eq!(types["failures"][0]["operator"], json!("type"));
    assert_eq!(types["failures"][0]["actual"], json!("42"));
}

#[test]
fn negative_integers_convert() {
    let inputs = inputs_of(&typed().var("count", "-4").output());
    assert_eq!(inputs["count"], json!(-4));
}

#[test]
fn values_that_do_not_convert_are_refused() {
    for (name, value) in [
        ("count", "abc"),
        ("count", "1.5"),
        ("ratio", "abc"),
        ("enabled", "yes"),
        ("hosts", "a,b"),
        ("hosts", r#"{"a": 1}"#),
        ("labels", "[1]"),
        ("region", "asia"),
    ] {
        let outcome = typed().var(name, value).output();
        assert_eq!(outcome.code, Some(2), "--var {name}={value} should be refused\n{}", outcome.dump());
        assert!(outcome.stderr.contains("error[E141]"), "--var {name}={value}\n{}", outcome.dump());
        assert_eq!(outcome.stdout, "", "nothing ran for --var {name}={value}");
    }
}

#[test]
fn enum_refusal_lists_the_choices() {
    let outcome = typed().var("region", "asia").output();
    outcome.expect_code(2);
    assert!(outcome.stderr.contains("one of: eu, us"), "{}", outcome.dump());
}

#[test]
fn vars_file_in_yaml_sets_typed_values() {
    let outcome = typed().arg("--vars-file").arg(fixture("vars/typed.yaml")).output();
    assert_eq!(
        inputs_of(&outcome),
        json!({
            "service": "web", "count": 7, "ratio": 0.25, "enabled": true,
            "hosts": ["a.example", "b.example"], "labels": {"team": "sre"}, "region": "us"
        })
    );
}

#[test]
fn vars_file_in_json_sets_typed_values() {
    let outcome = typed().arg("--vars-file").arg(fixture("vars/typed.json")).output();
    assert_eq!(
        inputs_of(&outcome),
        json!({
            "service": "worker", "count": 9, "ratio": 1.5, "enabled": false,
            "hosts": ["c.example"], "labels": {"tier": 1}, "region": "eu"
        })
    );
}

#[test]
fn vars_file_strings_are_converted_like_var_text() {
    let inputs = inputs_of(&typed().arg("--vars-file").arg(fixture("vars/strings.yaml")).output());
    assert_eq!(inputs["count"], json!(12));
    assert_eq!(inputs["enabled"], json!(true));
}

#[test]
fn var_wins_over_vars_file() {
    let outcome =
        typed().arg("--vars-file").arg(fixture("vars/typed.yaml")).var("count", "3").var("hosts", "[]").output();
    let inputs = inputs_of(&outcome);
    assert_eq!(inputs["count"], json!(3), "--var wins");
    assert_eq!(inputs["hosts"], json!([]), "--var wins");
    assert_eq!(inputs["service"], json!("web"), "the file still sets what --var does not");
}

#[test]
fn var_wins_over_vars_file_whatever_the_order_on_the_command_line() {
    let outcome = typed().var("count", "3").arg("--vars-file").arg(fixture("vars/typed.json")).output();
    assert_eq!(inputs_of(&outcome)["count"], json!(3));
}

#[test]
fn the_last_var_wins() {
    let outcome = typed().var("count", "3").var("count", "4").output();
    assert_eq!(inputs_of(&outcome)["count"], json!(4));
}

#[test]
fn a_value_may_hold_equals_signs() {
    let outcome = typed().var("service", "a=b=c").output();
    assert_eq!(inputs_of(&outcome)["service"], json!("a=b=c"));
}
