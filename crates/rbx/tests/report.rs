//! `rbx report`: the postmortem of a run or an incident, as Markdown, JSON, HTML or through a
//! custom template; snapshotted with ids, times, durations, hashes and the host redacted.

mod common;
mod journal_support;

use journal_support::{Journaled, run_id};
use serde_json::Value;

/// One run of the incident fixture, confirmed with `--yes`.
fn incident_run() -> (Journaled, String) {
    let journal = Journaled::new();
    journal.run("journal-incident.yaml", &["--yes", "--incident", "INC-42"]).expect_code(0);
    let id = run_id(&journal.only_run());
    (journal, id)
}

fn report(journal: &Journaled, args: &[&str]) -> String {
    let outcome = journal.rbx().arg("report").args(args).output();
    outcome.expect_code(0);
    assert_eq!(outcome.stderr, "");
    outcome.stdout
}

#[test]
fn markdown_report_of_a_run() {
    let (journal, id) = incident_run();
    assert_report_snapshot!("report_markdown", report(&journal, &[&id]));
}

#[test]
fn html_report_of_a_run() {
    let (journal, id) = incident_run();
    let html = report(&journal, &[&id, "--format", "html"]);
    assert!(html.starts_with("<!DOCTYPE html>") && html.ends_with("</html>\n"));
    assert!(!html.contains("<script") && !html.contains("http"), "self-contained: nothing fetched");
    assert!(html.contains("warn: &lt;slow&gt; &amp;") || !html.contains("<slow>"), "text is escaped");
    assert_report_snapshot!("report_html", html);
}

#[test]
fn json_report_of_a_run() {
    let (journal, id) = incident_run();
    let text = report(&journal, &[&id, "--format", "json"]);
    let data: Value = serde_json::from_str(&text).unwrap_or_default();
    assert_eq!(data["report_version"], 1);
    assert_eq!(data["severity"], "SEV2");
    let changes: Vec<&str> =
        data["changes"].as_array().into_iter().flatten().filter_map(|s| s["id"].as_str()).collect();
    assert_eq!(changes, ["scale_up", "tell", "verify"]);
    let finding = &data["findings"][0];
    assert_eq!(finding["step_id"], "latency_ok");
    assert_eq!(finding["actual"], "2300");
    assert_eq!(finding["tolerated"], true);
    let scale = data["runs"][0]["steps"].as_array().and_then(|s| s.iter().find(|s| s["id"] == "scale_up")).cloned();
    let confirmation = scale.map(|s| s["confirmation"].clone()).unwrap_or_default();
    assert_eq!(confirmation["automatic"], true);
    assert_eq!(confirmation["by"], "tester");
    assert_eq!(confirmation["question"], "Scale checkout up?");
    for section in ["root_cause", "impact"] {
        assert_eq!(data[section], "", "{section} is left for people");
    }
    assert_report_snapshot!("report_json", text);
}

#[test]
fn an_incident_report_covers_every_run_of_the_incident() {
    let journal = Journaled::new();
    journal.run("snap-fail.yaml", &["--incident", "INC-7"]).expect_code(1);
    journal.run("journal-incident.yaml", &["--yes", "--incident", "INC-7"]).expect_code(0);
    journal.run("snap-pass.yaml", &["--incident", "OTHER"]).expect_code(0);
    let text = report(&journal, &["--incident", "INC-7", "--format", "json"]);
    let data: Value = serde_json::from_str(&text).unwrap_or_default();
    let runbooks: Vec<&str> =
        data["runs"].as_array().into_iter().flatten().filter_map(|r| r["runbook"].as_str()).collect();
    assert_eq!(runbooks, ["snap-fail", "journal-incident"]);
    assert_eq!(data["incident"], "INC-7");
    assert_eq!(data["title"], "Incident INC-7: API outage triage, Checkout latency", "every runbook run");
    let summary = data["summary"].as_str().unwrap_or_default();
    assert!(
        summary.starts_with(
            "2 runbooks were run: snap-fail (API outage triage) once and journal-incident (Checkout latency) once, by tester on "
        ),
        "{summary}"
    );
    assert_eq!(data["status"], "passed", "the last run's status");
    let times: Vec<jiff::Timestamp> =
        data["timeline"].as_array().into_iter().flatten().filter_map(|t| t["at"].as_str()?.parse().ok()).collect();
    assert!(times.len() > 10, "{data:#}");
    let mut sorted = times.clone();
    sorted.sort_unstable();
    assert_eq!(times, sorted, "the timeline is in time order");
}

#[test]
fn a_custom_template_renders_the_same_data() {
    let (journal, id) = incident_run();
    let scratch = common::tempdir();
    let template = scratch.path().join("brief.hbs");
    std::fs::write(
        &template,
        "{{title}} [{{severity}}] {{status}}\n{{#each findings}}- {{step_id}}: {{text}}\n{{/each}}{{#each changes}}* {{id}} {{outcome}}\n{{/each}}",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = scratch.path().join("brief.md");
    let outcome = journal.rbx().args(["report", &id, "--template"]).arg(&template).arg("-o").arg(&out).output();
    outcome.expect_code(0);
    assert_eq!(outcome.stdout, "");
    let text = std::fs::read_to_string(&out).unwrap_or_default();
    assert_report_snapshot!("report_template", text);

    let html = journal.rbx().args(["report", &id, "--format", "html", "--template"]).arg(&template).output();
    assert!(html.stdout.contains("&quot;") || html.stdout.contains("&#x60;"), "{}", html.dump());
}

#[test]
fn a_template_naming_a_missing_field_is_an_error() {
    let (journal, id) = incident_run();
    let scratch = common::tempdir();
    let template = scratch.path().join("typo.hbs");
    std::fs::write(&template, "{{titel}}").unwrap_or_else(|e| panic!("{e}"));
    let outcome = journal.rbx().args(["report", &id, "--template"]).arg(&template).output();
    outcome.expect_code(2);
    assert!(outcome.stderr.contains("titel"), "{}", outcome.dump());
}

#[test]
fn unknown_runs_and_incidents_are_errors() {
    let journal = Journaled::new();
    let outcome = journal.rbx().args(["report", "20990101T000000Z-000000"]).output();
    outcome.expect_code(2);
    assert!(outcome.stderr.contains("no run `20990101T000000Z-000000`"), "{}", outcome.dump());
    let outcome = journal.rbx().args(["report", "../etc"]).output();
    outcome.expect_code(2);
    let outcome = journal.rbx().args(["report", "--incident", "NOPE"]).output();
    outcome.expect_code(2);
    assert!(outcome.stderr.contains("no run of incident `NOPE`"), "{}", outcome.dump());
}

#[test]
fn manual_steps_show_who_did_them_and_why_they_wait() {
    let journal = Journaled::new();
    journal.run("manual.yaml", &["--yes", "--answer", "blocked_ip=10.0.0.9", "--incident", "M-1"]).expect_code(0);
    journal.run("manual.yaml", &["--incident", "M-1"]).expect_code(3);
    let text = report(&journal, &["--incident", "M-1", "--format", "json"]);
    let data: Value = serde_json::from_str(&text).unwrap_or_default();
    let lines: Vec<&str> = data["timeline"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["kind"] == "manual")
        .filter_map(|t| t["text"].as_str())
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].starts_with("manual step pick_ip done by tester (automatic, --yes)"), "{lines:?}");
    assert!(lines[0].contains("10.0.0.9"), "{lines:?}");
    assert!(lines[1].starts_with("manual step pick_ip pending: "), "{lines:?}");
    assert_eq!(data["status"], "pending");
}
