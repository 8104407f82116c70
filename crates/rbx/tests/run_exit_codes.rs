//! `rbx run` exit codes: 0 passed (tolerated failures included), 1 a step failed, 2 nothing ran
//! because the runbook or the command line is invalid.

mod common;

use common::{Rbx, step, step_ids, tempdir};
use serde_json::json;

#[test]
fn all_steps_passing_exits_0() {
    let outcome = Rbx::run("exit-passing.yaml").output();
    outcome.expect_code(0);
    assert!(outcome.stdout.contains("run passed: 2 passed in "), "{}", outcome.dump());
    assert_eq!(outcome.stderr, "", "nothing on stderr for a clean run");
}

#[test]
fn all_steps_passing_records_passed() {
    let outcome = Rbx::run("exit-passing.yaml").args(["--format", "json"]).output();
    outcome.expect_code(0);
    let record = outcome.record();
    assert_eq!(record["status"], json!("passed"));
    assert_eq!(step_ids(&record), ["first", "second"]);
    assert!(record["steps"].as_array().is_some_and(|s| s.iter().all(|s| s["outcome"] == json!("passed"))));
}

#[test]
fn tolerated_failure_exits_0_and_the_run_goes_on() {
    let scratch = tempdir();
    let outcome = Rbx::run("exit-tolerated.yaml").cwd(scratch.path()).output();
    outcome.expect_code(0);
    assert!(scratch.path().join("AFTER").exists(), "the step after a tolerated failure runs");
    assert!(outcome.stdout.contains("! tolerated"), "shown as tolerated\n{}", outcome.dump());
    assert!(outcome.stdout.contains("`$.exit_code` equals 0: got 4"), "the failure is shown\n{}", outcome.dump());
    assert!(outcome.stdout.contains("run passed: 2 passed, 1 tolerated in "), "{}", outcome.dump());
}

#[test]
fn tolerated_failure_is_recorded_as_tolerated() {
    let scratch = tempdir();
    let outcome = Rbx::run("exit-tolerated.yaml").cwd(scratch.path()).args(["--format", "json"]).output();
    outcome.expect_code(0);
    let record = outcome.record();
    assert_eq!(record["status"], json!("passed"));
    let flaky = step(&record, "flaky");
    assert_eq!(flaky["outcome"], json!("tolerated"));
    assert_eq!(flaky["result"]["outcome"], json!("tolerated"));
    assert_eq!(flaky["failures"][0]["actual"], json!(4));
    assert_eq!(step(&record, "saw_it")["outcome"], json!("passed"));
}

#[test]
fn failing_step_exits_1_stops_the_run_and_runs_finally() {
    let scratch = tempdir();
    let outcome = Rbx::run("exit-failing.yaml").cwd(scratch.path()).output();
    outcome.expect_code(1);
    assert!(!scratch.path().join("NEVER").exists(), "steps after a failure do not run");
    assert!(scratch.path().join("CLEANUP").exists(), "finally runs after a failure");
    assert!(outcome.stdout.contains("✗ failed"), "{}", outcome.dump());
    assert!(outcome.stdout.contains("run failed: 1 passed, 1 failed in "), "{}", outcome.dump());
}

#[test]
fn failing_step_is_recorded_and_later_steps_are_absent() {
    let scratch = tempdir();
    let outcome = Rbx::run("exit-failing.yaml").cwd(scratch.path()).args(["--format", "json"]).output();
    outcome.expect_code(1);
    let record = outcome.record();
    assert_eq!(record["status"], json!("failed"));
    assert_eq!(step_ids(&record), ["broken", "cleanup"]);
    assert_eq!(step(&record, "broken")["outcome"], json!("failed"));
    assert_eq!(step(&record, "broken")["result"]["exit_code"], json!(5));
    assert_eq!(step(&record, "cleanup")["in_finally"], json!(true));
}

#[test]
fn failing_finally_step_exits_1_and_the_other_finally_steps_still_run() {
    let scratch = tempdir();
    let outcome = Rbx::run("exit-finally-fails.yaml").cwd(scratch.path()).args(["--format", "json"]).output();
    outcome.expect_code(1);
    assert!(scratch.path().join("SECOND_CLEANUP").exists(), "every finally step runs");
    assert_eq!(outcome.record()["status"], json!("failed"));
}

#[test]
fn invalid_runbook_exits_2_and_runs_nothing() {
    let scratch = tempdir();
    let outcome = Rbx::run("invalid-runbook.yaml").cwd(scratch.path()).output();
    outcome.expect_code(2);
    assert!(outcome.stderr.contains("error[E105]"), "{}", outcome.dump());
    assert!(outcome.stderr.contains("invalid-runbook.yaml:8:14"), "points at the line and column\n{}", outcome.dump());
    assert!(outcome.stderr.contains("nothing was run"), "{}", outcome.dump());
    assert!(!scratch.path().join("RAN").exists(), "no step ran");
    assert_eq!(outcome.stdout, "");
}

#[test]
fn missing_runbook_file_exits_2() {
    let scratch = tempdir();
    let outcome = Rbx::new().arg("run").arg(scratch.path().join("absent.yaml")).output();
    outcome.expect_code(2);
    assert!(outcome.stderr.contains("absent.yaml"), "{}", outcome.dump());
}

#[test]
fn unknown_var_exits_2_with_e140_and_a_suggestion() {
    let scratch = tempdir();
    let outcome = Rbx::run("inputs-required.yaml").var("target", "db").var("cuont", "3").cwd(scratch.path()).output();
    outcome.expect_code(2);
    assert!(outcome.stderr.contains("error[E140]"), "{}", outcome.dump());
    assert!(outcome.stderr.contains("the runbook declares no input `cuont`"), "{}", outcome.dump());
    assert!(outcome.stderr.contains("did you mean `count`?"), "{}", outcome.dump());
    assert!(!scratch.path().join("RAN").exists(), "no step ran");
}

#[test]
fn unknown_var_without_a_near_name_lists_the_inputs() {
    let outcome = Rbx::run("inputs-required.yaml").var("target", "db").var("zzzzzz", "1").output();
    outcome.expect_code(2);
    assert!(outcome.stderr.contains("error[E140]"), "{}", outcome.dump());
    assert!(outcome.stderr.contains("target, count"), "the declared inputs are listed\n{}", outcome.dump());
}

#[test]
fn var_that_does_not_convert_exits_2_with_e141() {
    let scratch = tempdir();
    let outcome = Rbx::run("inputs-required.yaml").var("target", "db").var("count", "abc").cwd(scratch.path()).output();
    outcome.expect_code(2);
    assert!(outcome.stderr.contains("error[E141]"), "{}", outcome.dump());
    assert!(outcome.stderr.contains("`abc` is not an integer"), "{}", outcome.dump());
    assert!(outcome.stderr.contains("--var count=100"), "the hint shows a valid value\n{}", outcome.dump());
    assert!(!scratch.path().join("RAN").exists(), "no step ran");
}

#[test]
fn missing_required_input_exits_2_with_e142() {
    let scratch = tempdir();
    let outcome = Rbx::run("inputs-required.yaml").cwd(scratch.path()).output();
    outcome.expect_code(2);
    assert!(outcome.stderr.contains("error[E142]"), "{}", outcome.dump());
    assert!(outcome.stderr.contains("the input `target` is required"), "{}", outcome.dump());
    assert!(outcome.stderr.contains("--var target=VALUE"), "{}", outcome.dump());
    assert!(!scratch.path().join("RAN").exists(), "no step ran");
}

#[test]
fn every_input_problem_is_reported_at_once() {
    let outcome = Rbx::run("inputs-required.yaml").var("count", "abc").var("cuont", "1").output();
    outcome.expect_code(2);
    for code in ["E140", "E141", "E142"] {
        assert!(outcome.stderr.contains(&format!("error[{code}]")), "{code} missing\n{}", outcome.dump());
    }
}

#[test]
fn var_without_equals_sign_exits_2() {
    let scratch = tempdir();
    let outcome = Rbx::run("inputs-required.yaml").args(["--var", "target"]).cwd(scratch.path()).output();
    outcome.expect_code(2);
    assert!(outcome.stderr.contains("`--var target` is not NAME=VALUE"), "{}", outcome.dump());
    assert!(!scratch.path().join("RAN").exists(), "no step ran");
}

#[test]
fn var_without_a_name_exits_2() {
    let outcome = Rbx::run("inputs-required.yaml").args(["--var", "=db"]).output();
    outcome.expect_code(2);
    assert!(outcome.stderr.contains("`--var =db` is not NAME=VALUE"), "{}", outcome.dump());
}

#[test]
fn missing_vars_file_exits_2() {
    let scratch = tempdir();
    let absent = scratch.path().join("absent-vars.yaml");
    let outcome = Rbx::run("inputs-required.yaml").arg("--vars-file").arg(&absent).cwd(scratch.path()).output();
    outcome.expect_code(2);
    assert!(outcome.stderr.contains("absent-vars.yaml"), "the file is named\n{}", outcome.dump());
    assert!(outcome.stderr.contains("nothing was run"), "{}", outcome.dump());
    assert!(!scratch.path().join("RAN").exists(), "no step ran");
}

#[test]
fn vars_file_that_is_a_directory_exits_2() {
    let scratch = tempdir();
    let outcome = Rbx::run("inputs-required.yaml").var("target", "db").arg("--vars-file").arg(scratch.path()).output();
    outcome.expect_code(2);
    assert!(outcome.stderr.contains("is a directory"), "{}", outcome.dump());
}

#[cfg(unix)]
#[test]
fn unreadable_vars_file_exits_2() {
    use std::os::unix::fs::PermissionsExt;
    let scratch = tempdir();
    let file = scratch.path().join("secret-vars.yaml");
    std::fs::write(&file, "target: db\n").unwrap_or_else(|e| panic!("{e}"));
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o000)).unwrap_or_else(|e| panic!("{e}"));
    if std::fs::read(&file).is_ok() {
        eprintln!("skipped: running as a user who can read a mode-000 file (root)");
        return;
    }
    let outcome = Rbx::run("inputs-required.yaml").arg("--vars-file").arg(&file).cwd(scratch.path()).output();
    outcome.expect_code(2);
    assert!(outcome.stderr.contains("secret-vars.yaml"), "{}", outcome.dump());
    assert!(!scratch.path().join("RAN").exists(), "no step ran");
}

#[test]
fn vars_file_that_does_not_parse_exits_2() {
    let outcome = Rbx::run("inputs-typed.yaml").arg("--vars-file").arg(common::fixture("vars/broken.yaml")).output();
    outcome.expect_code(2);
    assert!(outcome.stderr.contains("broken.yaml:1:"), "points into the vars file\n{}", outcome.dump());
}

#[test]
fn vars_file_that_is_not_a_mapping_exits_2() {
    let outcome =
        Rbx::run("inputs-typed.yaml").arg("--vars-file").arg(common::fixture("vars/not-a-mapping.yaml")).output();
    outcome.expect_code(2);
    assert!(outcome.stderr.contains("a vars file is a mapping of input names to values"), "{}", outcome.dump());
}

#[test]
fn vars_file_with_an_unknown_name_exits_2_with_e140() {
    let outcome =
        Rbx::run("inputs-typed.yaml").arg("--vars-file").arg(common::fixture("vars/unknown-name.yaml")).output();
    outcome.expect_code(2);
    assert!(outcome.stderr.contains("error[E140]"), "{}", outcome.dump());
    assert!(outcome.stderr.contains("did you mean `service`?"), "{}", outcome.dump());
}

#[test]
fn vars_file_value_of_the_wrong_type_exits_2_with_e141() {
    let outcome =
        Rbx::run("inputs-typed.yaml").arg("--vars-file").arg(common::fixture("vars/wrong-type.yaml")).output();
    outcome.expect_code(2);
    assert!(outcome.stderr.contains("error[E141]"), "{}", outcome.dump());
    assert!(outcome.stderr.contains("--vars-file count"), "says where the value came from\n{}", outcome.dump());
}

#[test]
fn unsupported_format_is_a_usage_error() {
    let outcome = Rbx::run("exit-passing.yaml").args(["--format", "xml"]).output();
    outcome.expect_code(2);
    assert!(outcome.stderr.contains("xml"), "{}", outcome.dump());
}
