//! `for_each`: one run of the step per item, with `{{item}}` and `{{index}}`; per-item `expect`
//! and `retry`; `confirm` asked once; the result is `{ items: [...] }` and `capture` reads it;
//! `parallel` runs up to that many items at once.

mod common;

use common::{Rbx, step, tempdir};
use serde_json::json;

#[test]
fn runs_once_per_item_in_order_with_item_and_index() {
    let scratch = tempdir();
    let outcome = Rbx::run("for-each.yaml").args(["--yes", "--format", "json"]).cwd(scratch.path()).output();
    outcome.expect_code(0);
    assert!(!scratch.path().join("PWNED").exists(), "an item is one shell word");
    let record = outcome.record();
    let per_host = step(&record, "per_host");
    let stdouts: Vec<&str> =
        per_host["result"]["items"].as_array().expect("items").iter().filter_map(|i| i["stdout"].as_str()).collect();
    assert_eq!(stdouts, ["0=alpha", "1=beta; touch PWNED", "2=gamma"]);
    assert_eq!(per_host["result"]["items"][1]["outcome"], json!("passed"));
    assert_eq!(step(&record, "summary")["messages"], json!([r#"["0=alpha","1=beta; touch PWNED","2=gamma"]"#]));
}

#[test]
fn retry_applies_to_each_item() {
    let scratch = tempdir();
    let outcome = Rbx::run("for-each.yaml").args(["--yes", "--format", "json"]).cwd(scratch.path()).output();
    outcome.expect_code(0);
    let flaky = step(&outcome.record(), "flaky").clone();
    assert_eq!(flaky["outcome"], json!("passed"));
    assert_eq!(flaky["attempts"], json!(3), "one try for `a`, two for `b`: {flaky:#}");
}

#[test]
fn confirm_is_asked_once_for_the_whole_list() {
    let scratch = tempdir();
    let outcome = Rbx::run("for-each.yaml").args(["--yes", "--format", "json"]).cwd(scratch.path()).output();
    outcome.expect_code(0);
    let confirmed = step(&outcome.record(), "confirmed").clone();
    assert_eq!(confirmed["confirmation"]["automatic"], json!(true));
    for file in ["CONFIRMED_one", "CONFIRMED_two"] {
        assert!(scratch.path().join(file).exists(), "{file}");
    }
    let human = Rbx::run("for-each.yaml").arg("--yes").cwd(tempdir().path()).output();
    assert_eq!(human.stdout.matches("? Touch [").count(), 1, "one question for the list\n{}", human.dump());
    assert!(human.stdout.contains("[2 items: one, two]"), "the question shows the items\n{}", human.dump());
    let question = confirmed["confirmation"]["question"].as_str().unwrap_or_default();
    assert!(question.ends_with("? [2 items: one, two]"), "the record keeps what was asked: {confirmed}");

    let declined = Rbx::run("for-each.yaml").args(["--format", "json"]).cwd(scratch.path()).output();
    declined.expect_code(3);
    assert_eq!(step(&declined.record(), "confirmed")["outcome"], json!("declined"));
}

#[test]
fn a_failing_item_fails_the_step_after_every_item_ran() {
    let scratch = tempdir();
    let outcome = Rbx::run("for-each-failing.yaml").args(["--format", "json"]).cwd(scratch.path()).output();
    outcome.expect_code(1);
    for index in 0..3 {
        assert!(scratch.path().join(format!("RAN_{index}")).exists(), "item {index} ran");
    }
    assert!(!scratch.path().join("AFTER").exists());
    let items = step(&outcome.record(), "items").clone();
    assert_eq!(items["outcome"], json!("failed"));
    assert_eq!(items["error"], json!("1 of 3 items failed (index 1)"));
    let outcomes: Vec<&str> =
        items["result"]["items"].as_array().expect("items").iter().filter_map(|i| i["outcome"].as_str()).collect();
    assert_eq!(outcomes, ["passed", "failed", "passed"]);
}

#[test]
fn parallel_items_run_at_the_same_time_within_the_bound_and_report_in_item_order() {
    let scratch = tempdir();
    let outcome = Rbx::run("for-each-parallel.yaml").args(["--format", "json"]).cwd(scratch.path()).output();
    // `barrier` passes only if its four items run at once: each waits for all four to start.
    outcome.expect_code(0);
    let concurrent = String::from_utf8(common::read(&scratch.path().join("CONCURRENT"))).expect("utf-8");
    let counts: Vec<u32> = concurrent.lines().map(|line| line.trim().parse().expect("a count")).collect();
    assert_eq!(counts.len(), 6, "{concurrent}");
    assert!(counts.iter().all(|&count| count <= 2), "parallel: 2 is a bound: {counts:?}");
    assert!(counts.contains(&2), "two items ran at once: {counts:?}");
    let record = outcome.record();
    let ordered = step(&record, "ordered");
    let stdouts: Vec<&str> =
        ordered["result"]["items"].as_array().expect("items").iter().filter_map(|i| i["stdout"].as_str()).collect();
    assert_eq!(stdouts, ["3\n", "2\n", "1\n", "0\n"], "results in item order, not finishing order");
}

#[test]
fn verbose_output_of_parallel_items_is_tagged_with_the_item_index() {
    let outcome = Rbx::run("for-each-parallel.yaml").arg("-v").cwd(tempdir().path()).output();
    outcome.expect_code(0);
    for index in 0..4 {
        assert!(outcome.stdout.contains(&format!("  │ [{index}] {}", 3 - index)), "{}", outcome.dump());
    }
}
