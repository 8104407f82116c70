//! `rbx report --format html`: the report as one self-contained page (inline CSS, no scripts,
//! nothing fetched) that reads well in a browser and prints cleanly.

use std::fmt::Write as _;

use crate::incident_report::{IncidentReport, StepEntry};
use crate::markup::escape_xml as esc;
use crate::report_markdown::{confirmation_text, duration_line, time};
use crate::run_human::human_duration;

const STYLE: &str = "\
body{font:15px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1f2328;max-width:60rem;margin:2rem auto;padding:0 1rem}
h1{font-size:1.6rem;border-bottom:2px solid #d0d7de;padding-bottom:.3rem}
h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #d0d7de}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}
dl.facts dt{font-weight:600}dl.facts dd{margin:0}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}
th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}
code{font:13px ui-monospace,SFMono-Regular,Menlo,monospace;background:#f6f8fa;padding:.1rem .25rem;border-radius:4px}
ol.timeline{list-style:none;padding-left:0}ol.timeline li{padding:.15rem 0;border-left:3px solid #d0d7de;padding-left:.6rem}
time{font-variant-numeric:tabular-nums;color:#57606a;margin-right:.5rem}
.passed{color:#1a7f37}.failed,.killed{color:#cf222e;font-weight:600}.tolerated,.declined,.interrupted{color:#9a6700}
.skipped,.pending,.unfinished,.running{color:#57606a}
.todo{color:#57606a;font-style:italic}
@media print{body{margin:0;max-width:none}}";

/// The report as an HTML page.
pub fn render(report: &IncidentReport) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>\n{STYLE}\n</style>\n</head>\n<body>\n",
        esc(&report.title)
    );
    let _ = writeln!(out, "<h1>Incident report: {}</h1>", esc(&report.title));
    out.push_str("<dl class=\"facts\">\n");
    let mut fact = |name: &str, value: String| {
        let _ = writeln!(out, "<dt>{name}</dt><dd>{value}</dd>");
    };
    fact("Duration", esc(&duration_line(report)).into_owned());
    fact("Severity", esc(report.severity.as_deref().unwrap_or("not set")).into_owned());
    fact("Status", status(&report.status));
    if let Some(incident) = &report.incident {
        fact("Incident", esc(incident).into_owned());
    }
    fact("Runs", report.runs.iter().map(|r| format!("<code>{}</code>", esc(&r.run_id))).collect::<Vec<_>>().join(", "));
    out.push_str("</dl>\n");

    let _ = writeln!(out, "<h2>Summary</h2>\n<p>{}</p>", esc(&report.summary));

    out.push_str("<h2>Timeline</h2>\n<ol class=\"timeline\">\n");
    for entry in &report.timeline {
        let _ = writeln!(
            out,
            "<li><time datetime=\"{}\">{}</time>{}</li>",
            esc(&entry.at),
            esc(&time(&entry.at)),
            esc(&entry.text)
        );
    }
    out.push_str("</ol>\n");

    out.push_str("<h2>What was checked and found</h2>\n");
    steps_table(&mut out, &report.checks, "No read-only or checking step ran.");
    if !report.findings.is_empty() {
        out.push_str("<h3>Findings</h3>\n<ul>\n");
        for finding in &report.findings {
            let tolerated = if finding.tolerated { " <span class=\"tolerated\">(tolerated)</span>" } else { "" };
            let _ = writeln!(out, "<li><code>{}</code>{tolerated}: {}</li>", esc(&finding.step_id), esc(&finding.text));
        }
        out.push_str("</ul>\n");
    }

    out.push_str("<h2>What was changed</h2>\n");
    if report.changes.is_empty() {
        out.push_str("<p>No <code>mitigate</code> or <code>recover</code> step ran.</p>\n");
    } else {
        out.push_str("<ul>\n");
        for step in &report.changes {
            let _ = write!(
                out,
                "<li><time>{}</time><code>{}</code> ({}, {}): {}",
                esc(&time(&step.started_at)),
                esc(&step.id),
                esc(step.phase.as_deref().unwrap_or("")),
                esc(&step.kind),
                status(&step.outcome)
            );
            if let Some(title) = &step.title {
                let _ = write!(out, " — {}", esc(title));
            }
            if let Some(action) = &step.action {
                let _ = write!(out, "<br><code>$ {}</code>", esc(action));
            }
            if let Some(confirmation) = &step.confirmation {
                let _ = write!(out, "<br>{}", esc(&confirmation_text(confirmation)));
            }
            out.push_str("</li>\n");
        }
        out.push_str("</ul>\n");
    }

    out.push_str("<h2>Notes</h2>\n");
    if report.notes.is_empty() {
        out.push_str("<p>None.</p>\n");
    } else {
        out.push_str("<ul>\n");
        for note in &report.notes {
            let _ = writeln!(out, "<li><code>{}</code>: {}</li>", esc(&note.step_id), esc(&note.text));
        }
        out.push_str("</ul>\n");
    }

    for section in ["Root cause", "Impact"] {
        let _ = writeln!(out, "<h2>{section}</h2>\n<p class=\"todo\">To be written.</p>");
    }
    out.push_str("<h2>Action items</h2>\n<table>\n<tr><th>Item</th><th>Owner</th><th>Due date</th><th>Status</th></tr>\n<tr><td class=\"todo\">To be written.</td><td></td><td></td><td></td></tr>\n</table>\n");

    out.push_str("<h2>Runs</h2>\n");
    for run in &report.runs {
        let _ = writeln!(out, "<h3><code>{}</code></h3>\n<dl class=\"facts\">", esc(&run.run_id));
        let rows = [
            ("Runbook", format!("<code>{}</code> ({})", esc(&run.runbook), esc(&run.file))),
            ("Content", format!("<code>{}</code>", esc(&run.content_hash))),
            ("By", format!("{} on {}", esc(&run.user), esc(&run.host))),
            ("Status", status(&run.status)),
            ("Duration", esc(&run.duration_ms.map_or_else(|| "unknown".into(), human_duration)).into_owned()),
            ("Inputs", format!("<code>{}</code>", esc(&serde_json::to_string(&run.inputs).unwrap_or_default()))),
        ];
        for (name, value) in rows {
            let _ = writeln!(out, "<dt>{name}</dt><dd>{value}</dd>");
        }
        for problem in &run.journal_problems {
            let _ = writeln!(out, "<dt>Journal</dt><dd>{}</dd>", esc(problem));
        }
        out.push_str("</dl>\n");
        steps_table(&mut out, &run.steps, "No step started.");
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn status(word: &str) -> String {
    format!("<span class=\"{0}\">{0}</span>", esc(word))
}

fn steps_table(out: &mut String, steps: &[StepEntry], empty: &str) {
    if steps.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", esc(empty));
        return;
    }
    out.push_str("<table>\n<tr><th>Time</th><th>Step</th><th>Phase</th><th>Kind</th><th>Outcome</th><th>Duration</th><th>Output</th></tr>\n");
    for step in steps {
        let title = step.title.as_deref().map(|t| format!(" {}", esc(t))).unwrap_or_default();
        let artifacts: Vec<String> = step.artifacts.iter().map(|a| format!("<code>{}</code>", esc(a))).collect();
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td><code>{}</code>{title}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&time(&step.started_at)),
            esc(&step.id),
            esc(step.phase.as_deref().unwrap_or("")),
            esc(&step.kind),
            status(&step.outcome),
            esc(&step.duration_ms.map(human_duration).unwrap_or_default()),
            artifacts.join(" ")
        );
    }
    out.push_str("</table>\n");
}
