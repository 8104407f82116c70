//! `rbx runs`: recent runs, newest first, filtered by incident, limited, as a table or JSON.

mod common;
mod journal_support;

use journal_support::Journaled;
use serde_json::Value;

fn three_runs() -> Journaled {
    let journal = Journaled::new();
    journal.run("snap-pass.yaml", &["--incident", "INC-1"]).expect_code(0);
    journal.run("snap-fail.yaml", &["--incident", "INC-1"]).expect_code(1);
    journal.run("snap-pass.yaml", &["--incident", "INC-2"]).expect_code(0);
    journal
}

fn listed(journal: &Journaled, args: &[&str]) -> Vec<Value> {
    let outcome = journal.rbx().arg("runs").args(args).args(["--format", "json"]).output();
    outcome.expect_code(0);
    serde_json::from_str::<Value>(&outcome.stdout).ok().and_then(|v| v.as_array().cloned()).unwrap_or_default()
}

#[test]
fn runs_are_listed_newest_first_and_filtered_by_incident() {
    let journal = three_runs();
    let all = listed(&journal, &[]);
    let summary: Vec<(String, String, String)> = all
        .iter()
        .map(|r| {
            let text = |k: &str| r[k].as_str().unwrap_or_default().to_owned();
            (text("runbook"), text("incident"), text("status"))
        })
        .collect();
    let expected =
        [("snap-pass", "INC-2", "passed"), ("snap-fail", "INC-1", "failed"), ("snap-pass", "INC-1", "passed")];
    let expected: Vec<(String, String, String)> =
        expected.iter().map(|(a, b, c)| ((*a).to_owned(), (*b).to_owned(), (*c).to_owned())).collect();
    assert_eq!(summary, expected);
    assert!(all.iter().all(|r| r["duration_ms"].is_u64()));

    let incident = listed(&journal, &["--incident", "INC-1"]);
    assert_eq!(incident.len(), 2);
    assert!(incident.iter().all(|r| r["incident"] == "INC-1"));
    assert_eq!(listed(&journal, &["--limit", "1"]).len(), 1);
}

#[test]
fn the_table_shows_id_runbook_incident_started_status_duration() {
    let journal = three_runs();
    let outcome = journal.rbx().args(["runs", "--incident", "INC-1"]).output();
    outcome.expect_code(0);
    assert_report_snapshot!("runs_table", outcome.stdout);
}

#[test]
fn no_runs_yet() {
    let journal = Journaled::new();
    let outcome = journal.rbx().arg("runs").output();
    outcome.expect_code(0);
    assert_eq!(outcome.stdout, "no runs\n");
}
