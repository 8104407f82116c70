//! `rbx report --format markdown`: the report in the shape of the seeds' postmortem templates.

use std::fmt::Write as _;

use crate::incident_report::{IncidentReport, StepEntry};
use crate::run_human::human_duration;

/// The report as Markdown.
pub fn render(report: &IncidentReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Incident report: {}\n", md(&report.title));
    let _ = writeln!(out, "**Date:** {}  ", date(&report.started_at));
    let _ = writeln!(out, "**Duration:** {}  ", duration_line(report));
    let _ = writeln!(out, "**Severity:** {}  ", report.severity.as_deref().unwrap_or("not set"));
    let _ = writeln!(out, "**Status:** {}  ", report.status);
    if let Some(incident) = &report.incident {
        let _ = writeln!(out, "**Incident:** {}  ", md(incident));
    }
    let _ = writeln!(out, "**Runs:** {}\n", report.runs.iter().map(|r| code(&r.run_id)).collect::<Vec<_>>().join(", "));

    let _ = writeln!(out, "## Summary\n\n{}\n", md(&report.summary));

    out.push_str("## Timeline\n\n");
    for entry in &report.timeline {
        let _ = writeln!(out, "- **{}** {}", time(&entry.at), md(&entry.text));
    }
    out.push('\n');

    out.push_str("## What was checked and found\n\n");
    steps_table(&mut out, &report.checks, "No read-only or checking step ran.");
    if !report.findings.is_empty() {
        out.push_str("**Findings:**\n\n");
        for finding in &report.findings {
            let tolerated = if finding.tolerated { " (tolerated)" } else { "" };
            let _ = writeln!(out, "- {}{tolerated}: {}", code(&finding.step_id), md(&finding.text));
        }
        out.push('\n');
    }

    out.push_str("## What was changed\n\n");
    if report.changes.is_empty() {
        out.push_str("No `mitigate` or `recover` step ran.\n");
    }
    for step in &report.changes {
        let _ = write!(
            out,
            "- **{}** {} ({}, {}): {}",
            time(&step.started_at),
            code(&step.id),
            step.phase.as_deref().unwrap_or(""),
            step.kind,
            step.outcome
        );
        if let Some(title) = &step.title {
            let _ = write!(out, " — {}", md(title));
        }
        if let Some(action) = &step.action {
            let _ = write!(out, "\n  {}", code(&format!("$ {action}")));
        }
        if let Some(confirmation) = &step.confirmation {
            let _ = write!(out, "\n  {}", md(&confirmation_text(confirmation)));
        }
        out.push('\n');
    }
    out.push('\n');

    out.push_str("## Notes\n\n");
    if report.notes.is_empty() {
        out.push_str("None.\n");
    }
    for note in &report.notes {
        let _ = writeln!(out, "- {}: {}", code(&note.step_id), md(&note.text));
    }
    out.push('\n');

    out.push_str("## Root cause\n\n_To be written._\n\n## Impact\n\n_To be written._\n\n## Action items\n\n");
    out.push_str("| Item | Owner | Due date | Status |\n| --- | --- | --- | --- |\n|  |  |  |  |\n\n");

    out.push_str("## Runs\n\n");
    for run in &report.runs {
        let _ = writeln!(out, "### {}\n", code(&run.run_id));
        let _ = writeln!(out, "- Runbook: {} ({}), {}", code(&run.runbook), md(&run.file), code(&run.content_hash));
        let _ = writeln!(out, "- By {} on {}", md(&run.user), md(&run.host));
        let _ = writeln!(
            out,
            "- Started {}, {}, {}",
            run.started_at,
            run.status,
            run.duration_ms.map_or_else(|| "duration unknown".into(), human_duration)
        );
        let _ = writeln!(out, "- Inputs: {}", code(&serde_json::to_string(&run.inputs).unwrap_or_default()));
        for problem in &run.journal_problems {
            let _ = writeln!(out, "- Journal: {}", md(problem));
        }
        out.push('\n');
        steps_table(&mut out, &run.steps, "No step started.");
    }
    out
}

fn steps_table(out: &mut String, steps: &[StepEntry], empty: &str) {
    if steps.is_empty() {
        let _ = writeln!(out, "{empty}\n");
        return;
    }
    out.push_str(
        "| Time | Step | Phase | Kind | Outcome | Duration | Output |\n| --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for step in steps {
        let _ = writeln!(
            out,
            "| {} | {}{} | {} | {} | {} | {} | {} |",
            time(&step.started_at),
            code(&step.id),
            step.title.as_deref().map(|t| format!(" {}", md(t))).unwrap_or_default(),
            step.phase.as_deref().unwrap_or(""),
            step.kind,
            step.outcome,
            step.duration_ms.map(human_duration).unwrap_or_default(),
            step.artifacts.iter().map(|a| code(a)).collect::<Vec<_>>().join(" "),
        );
    }
    out.push('\n');
}

/// “Question” confirmed by alice at 10:00:01.
pub(crate) fn confirmation_text(c: &crate::incident_report::ConfirmationEntry) -> String {
    let question = c.question.as_deref().map(|q| format!("“{q}” ")).unwrap_or_default();
    let at = c.at.as_deref().map(|a| format!(" at {}", time(a))).unwrap_or_default();
    match (c.confirmed, c.automatic) {
        (Some(true), true) => format!("{question}confirmed automatically (--yes){at}"),
        (Some(true), false) => format!("{question}confirmed by {}{at}", c.by.as_deref().unwrap_or("the operator")),
        (Some(false), _) => format!("{question}declined{at}: {}", c.reason.as_deref().unwrap_or("no")),
        (None, _) => format!("{question}not answered"),
    }
}

/// `HH:MM:SS` of an RFC 3339 time (UTC), or the text as it is.
pub(crate) fn time(at: &str) -> String {
    at.parse::<jiff::Timestamp>().map_or_else(|_| at.to_owned(), |t| t.strftime("%H:%M:%S").to_string())
}

fn date(at: &str) -> String {
    at.parse::<jiff::Timestamp>().map_or_else(|_| at.to_owned(), |t| t.strftime("%Y-%m-%d").to_string())
}

/// `10:00:00 – 10:05:00 UTC (5m00s)`.
pub(crate) fn duration_line(report: &IncidentReport) -> String {
    let end = report.finished_at.as_deref().map_or_else(|| "…".to_owned(), time);
    let length = report.duration_ms.map(|d| format!(" ({})", human_duration(d))).unwrap_or_default();
    format!("{} – {end} UTC{length}", time(&report.started_at))
}

/// Text with Markdown's special characters escaped, on one line.
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A code span long enough for the backticks inside it, on one line.
fn code(text: &str) -> String {
    let text = text.replace(['\n', '\r'], " ").replace('|', "\\|");
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(md("a*b|c\nd"), "a\\*b\\|c d");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("x"), "`x`");
    }
}
