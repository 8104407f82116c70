//! `--only ID...` and `--from ID`: only the chosen steps run (then `finally`); an unknown id or
//! a chosen step reading a step that will not run stops the run before anything happens.

mod common;

use common::{Rbx, read, step_ids, tempdir};

#[test]
fn only_runs_the_named_steps_and_finally() {
    let scratch = tempdir();
    let outcome =
        Rbx::run("select.yaml").args(["--only", "standalone", "--format", "json"]).cwd(scratch.path()).output();
    outcome.expect_code(0);
    assert_eq!(step_ids(&outcome.record()), ["standalone", "marker"]);
    assert!(!scratch.path().join("PROBE").exists());
    assert_eq!(read(&scratch.path().join("FINALLY")), b"passed");
}

#[test]
fn from_starts_at_the_named_step() {
    let scratch = tempdir();
    let outcome =
        Rbx::run("select.yaml").args(["--from", "standalone", "--format", "json"]).cwd(scratch.path()).output();
    outcome.expect_code(0);
    assert_eq!(step_ids(&outcome.record()), ["standalone", "marker"]);
    let whole = Rbx::run("select.yaml").args(["--from", "probe", "--format", "json"]).cwd(scratch.path()).output();
    whole.expect_code(0);
    assert_eq!(read(&scratch.path().join("REPORT")), b"0 7");
}

#[test]
fn a_chosen_step_reading_a_step_left_out_is_refused_before_the_run() {
    let scratch = tempdir();
    let outcome = Rbx::run("select.yaml").args(["--only", "report", "--only", "version"]).cwd(scratch.path()).output();
    outcome.expect_code(2);
    assert!(
        outcome.stderr.contains("error[E146]: step `report` reads `steps.probe`, but `probe` will not run"),
        "{}",
        outcome.dump()
    );
    assert!(outcome.stderr.contains("select.yaml:13:28"), "points at the reference\n{}", outcome.dump());
    assert!(outcome.stderr.contains("help: add `--only probe`"), "{}", outcome.dump());
    assert_eq!(
        outcome.stderr.matches("error[E146]").count(),
        1,
        "`version` runs, so its capture is there\n{}",
        outcome.dump()
    );
    assert!(!scratch.path().join("FINALLY").exists(), "nothing ran");
    let from = Rbx::run("select.yaml").args(["--from", "version"]).cwd(scratch.path()).output();
    from.expect_code(2);
    assert!(from.stderr.contains("help: start earlier: `--from probe`"), "{}", from.dump());
}

#[test]
fn an_unknown_id_is_refused_with_a_suggestion() {
    let scratch = tempdir();
    let outcome = Rbx::run("select.yaml").args(["--only", "standalon"]).cwd(scratch.path()).output();
    outcome.expect_code(2);
    assert!(
        outcome.stderr.contains("error[E146]: `--only standalon`: the runbook has no step `standalon`"),
        "{}",
        outcome.dump()
    );
    assert!(outcome.stderr.contains("<command line>:1:8"), "{}", outcome.dump());
    assert!(outcome.stderr.contains("did you mean `standalone`?"), "{}", outcome.dump());
    assert!(!scratch.path().join("FINALLY").exists(), "nothing ran");
    let both = Rbx::run("select.yaml").args(["--only", "probe", "--from", "probe"]).cwd(scratch.path()).output();
    both.expect_code(2);
}
