//! `for_each`: one run of the step per item, with `{{item}}` and `{{index}}`; per-item `expect`
//! and `retry`; `confirm` asked once; the result is `{ items: [...] }` and `capture` reads it.

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
fn parallel_above_one_is_refused_until_it_runs_concurrently() {
    let scratch = tempdir();
    let runbook = scratch.path().join("parallel.yaml");
    std::fs::write(
        &runbook,
        "rbx: 1\nid: p\nsteps:\n  - id: a\n    for_each: [1, 2]\n    parallel: 2\n    shell: touch RAN\n",
    )
    .expect("write");
    let outcome = Rbx::run(runbook.to_str().expect("utf-8 path")).cwd(scratch.path()).output();
    outcome.expect_code(2);
    assert!(outcome.stderr.contains("error[E144]") && outcome.stderr.contains("`parallel`"), "{}", outcome.dump());
    assert!(!scratch.path().join("RAN").exists());
}
