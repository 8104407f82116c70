//! The runbook library (`runbooks/`) and the examples (`examples/`): every runbook loads with no
//! diagnostics and `rbx lint` is clean; and the runbooks that need no service run end to end:
//! the manual-only emergency procedures with `--answer`/`--yes`, and the shell-only ones against
//! `docker-compose` & co. stubbed on `PATH` (`common::stubs::Stubs`), which record their
//! arguments so the test sees which commands ran, in which order, and that destructive ones ran
//! only when confirmed.
//!
//! The MaintainX runbooks run end to end in `runbooks_maintainx.rs`, the RepairX ones that need
//! services in `runbooks_repairx.rs`; their plans and the templates are in `runbooks_snapshots.rs`.

mod common;

use std::path::{Path, PathBuf};

use common::stubs::Stubs;
use common::{Outcome, Rbx, step, tempdir, yaml_files};
use serde_json::{Value, json};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The runbooks below `dir` (other YAML there, such as policy.yaml, is not one).
fn runbooks_in(dir: &str) -> Vec<PathBuf> {
    yaml_files(&root().join(dir))
        .into_iter()
        .filter(|file| std::fs::read_to_string(file).is_ok_and(|t| t.lines().any(|l| l.starts_with("rbx:"))))
        .collect()
}

fn library_runbook(relative: &str) -> PathBuf {
    let path = root().join("runbooks").join(relative);
    assert!(path.is_file(), "missing {}", path.display());
    path
}

#[test]
fn every_runbook_and_example_loads_without_a_diagnostic() {
    let files: Vec<PathBuf> = ["runbooks", "examples"].iter().flat_map(|dir| runbooks_in(dir)).collect();
    assert_eq!(runbooks_in("runbooks/maintainx").len(), 5, "RB-001..RB-005");
    assert_eq!(runbooks_in("runbooks/repairx").len(), 12, "every RepairX procedure");
    let mut problems = Vec::new();
    for file in &files {
        let loaded = rbx_model::load_file(file);
        if loaded.runbook.is_none() || !loaded.diagnostics.is_empty() {
            let messages: Vec<&str> = loaded.diagnostics.iter().map(|d| d.message.as_str()).collect();
            problems.push(format!("{}: {messages:?}", file.display()));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_library_runbook_has_the_metadata_a_responder_needs() {
    for file in runbooks_in("runbooks") {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let shown = file.display();
        assert!(
            text.starts_with("# yaml-language-server: $schema=../../schema/runbook.schema.json\n"),
            "{shown}: the first line points editors at the schema"
        );
        let Some(runbook) = rbx_model::load_file(&file).runbook else { panic!("{shown} does not load") };
        assert!(runbook.title.is_some() && runbook.summary.is_some(), "{shown}: title and summary");
        assert!(runbook.severity.is_some(), "{shown}: severity");
        assert!(!runbook.triggers.is_empty(), "{shown}: triggers");
        for step in runbook.all_steps() {
            assert!(step.title.is_some(), "{shown}: step `{}` has no title", step.id.value);
            assert!(step.phase.is_some(), "{shown}: step `{}` has no phase", step.id.value);
        }
    }
}

#[test]
fn rbx_lint_of_the_library_and_the_examples_is_clean() {
    let outcome = Rbx::new().args(["lint", "runbooks", "examples"]).cwd(&root()).output();
    outcome.expect_code(0);
    assert!(outcome.stderr.contains(": 0 errors, 0 warnings"), "{}", outcome.dump());
}

/// `rbx run FILE --format json ARGS...` from a scratch directory.
fn run_json(file: &Path, args: &[&str]) -> Outcome {
    Rbx::new().arg("run").arg(file).args(["--format", "json"]).args(args).cwd(tempdir().path()).output()
}

fn outcomes(record: &Value) -> Vec<(String, String)> {
    record["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| {
            (s["id"].as_str().unwrap_or_default().to_owned(), s["outcome"].as_str().unwrap_or_default().to_owned())
        })
        .collect()
}

#[test]
fn the_emergency_procedures_run_end_to_end_with_answers() {
    let cases: [(&str, &[&str], &str); 3] = [
        ("repairx/emergency-data-centre-outage.yaml", &["--answer", "dr_address=203.0.113.10"], "203.0.113.10"),
        ("repairx/emergency-security-breach.yaml", &["--answer", "legal_contact=Dana (legal)"], "Dana (legal)"),
        ("repairx/emergency-key-personnel-unavailable.yaml", &["--answer", "backup_engineer=Bo"], "Bo"),
    ];
    for (file, answers, answer) in cases {
        let file = library_runbook(file);
        let outcome = run_json(&file, &[answers, &["--yes"]].concat());
        outcome.expect_code(0);
        let record = outcome.record();
        assert_eq!(record["status"], json!("passed"), "{}", outcome.dump());
        assert!(outcomes(&record).iter().all(|(_, o)| o == "passed"), "{}", outcome.dump());
        assert!(outcome.stdout.contains(answer), "the answer reaches later steps\n{}", outcome.dump());

        // Nobody to ask and no answers: the first step is pending and the run stops there.
        let pending = run_json(&file, &[]);
        pending.expect_code(3);
        let record = pending.record();
        assert_eq!(record["status"], json!("pending"));
        assert_eq!(outcomes(&record).len(), 1, "{}", pending.dump());
    }
}

#[test]
fn detection_shows_the_escalation_of_the_severity_picked() {
    let file = library_runbook("repairx/detection-alert-response.yaml");
    let answers = |severity: &str| {
        vec![
            "--yes".to_owned(),
            "--answer".to_owned(),
            format!("incident_severity={severity}"),
            "--answer".to_owned(),
            "incident_summary=checkout returns 502".to_owned(),
            "--answer".to_owned(),
            "incident_commander=Ana".to_owned(),
            "--answer".to_owned(),
            "incident_id=INC-7".to_owned(),
        ]
    };
    let sev1 = run_json(&file, &answers("SEV1").iter().map(String::as_str).collect::<Vec<_>>());
    sev1.expect_code(0);
    let record = sev1.record();
    assert_eq!(step(&record, "escalate_sev1")["outcome"], json!("passed"));
    assert_eq!(step(&record, "escalate_sev2")["outcome"], json!("skipped"));
    assert_eq!(step(&record, "escalate_minor")["outcome"], json!("skipped"));
    assert!(sev1.stdout.contains("SEV1 INCIDENT: checkout returns 502"), "{}", sev1.dump());

    let sev3 = run_json(&file, &answers("SEV3").iter().map(String::as_str).collect::<Vec<_>>());
    sev3.expect_code(0);
    let record = sev3.record();
    assert_eq!(step(&record, "escalate_sev1")["outcome"], json!("skipped"));
    assert_eq!(step(&record, "escalate_minor")["outcome"], json!("passed"));

    let refused = run_json(&file, &["--yes", "--answer", "incident_severity=SEV5"]);
    refused.expect_code(2);
}

/// The Grafana runbook with the stubs, in their scratch directory as the compose project, whose
/// `ps` shows Grafana up.
fn grafana(stubs: &Stubs, args: &[&str], password: Option<&str>) -> Outcome {
    stubs.answer("docker-compose", " ps grafana ", "grafana   grafana-server   Up 3 seconds\n", 0);
    let rbx = stubs
        .rbx(&library_runbook("repairx/grafana-issues.yaml"))
        .var("project_dir", stubs.scratch())
        .args(args)
        .env_remove("GRAFANA_ADMIN_PASSWORD");
    match password {
        Some(password) => rbx.env("GRAFANA_ADMIN_PASSWORD", password),
        None => rbx,
    }
    .output()
}

const COMPOSE: &str = "docker-compose -f docker-compose.monitoring.yml";

#[test]
fn grafana_with_yes_reads_the_logs_then_restarts_and_checks_it_runs() {
    let stubs = Stubs::new();
    let outcome = grafana(&stubs, &["--yes"], None);
    outcome.expect_code(0);
    assert_eq!(
        stubs.commands(),
        [
            format!("{COMPOSE} logs grafana --tail=50"),
            format!("{COMPOSE} restart grafana"),
            format!("{COMPOSE} ps grafana"),
        ]
    );
    let record = outcome.record();
    assert_eq!(step(&record, "restart")["outcome"], json!("passed"));
    assert_eq!(step(&record, "reset_password")["outcome"], json!("skipped"), "no new password given");
}

#[test]
fn grafana_without_yes_reads_the_logs_and_restarts_nothing() {
    let stubs = Stubs::new();
    let outcome = grafana(&stubs, &[], None);
    outcome.expect_code(3);
    assert_eq!(stubs.commands(), [format!("{COMPOSE} logs grafana --tail=50")], "the restart was declined");
    let record = outcome.record();
    assert_eq!(record["status"], json!("declined"));
    assert_eq!(step(&record, "restart")["outcome"], json!("declined"));
}

#[test]
fn grafana_resets_the_admin_password_only_when_one_is_given_and_confirmed() {
    let stubs = Stubs::new();
    let outcome = grafana(&stubs, &["--yes"], Some("n3w-Grafana-pw"));
    outcome.expect_code(0);
    let commands = stubs.commands();
    assert_eq!(commands.len(), 4, "{commands:?}");
    assert_eq!(commands[3], format!("{COMPOSE} exec -T grafana grafana-cli admin reset-admin-password n3w-Grafana-pw"));
    assert!(!outcome.all().contains("n3w-Grafana-pw"), "the password is masked\n{}", outcome.dump());
}
