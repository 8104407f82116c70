//! `rbx run --junit FILE`: the run as JUnit XML, one `testcase` per step, for CI systems that
//! show test reports. Written by hand (the format is small) when the run finishes.
//!
//! A failed step has a `failure` naming its failed checks (with the values seen) or its error;
//! a skipped, declined or pending step, and a step that never started because the run stopped
//! first, is `skipped`; a tolerated failure passes (the run did) and says so in `system-out`.

use std::fmt::Write as _;
use std::io::Write;

use rbx_checks::CheckFailure;
use rbx_exec::events::{EventSink, RunEvent, StepInfo, StepOutcome};
use serde_json::Value;

use crate::markup::escape_xml;

/// One step as a test case.
#[derive(Debug, Clone)]
struct Case {
    id: String,
    classname: String,
    duration_ms: u64,
    verdict: Verdict,
    notes: Vec<String>,
    stdout: String,
    stderr: String,
}

#[derive(Debug, Clone)]
enum Verdict {
    Passed,
    Failed { message: String, details: String },
    Skipped(String),
}

/// Collects the run's events into JUnit XML, written to `out` when the run finishes.
pub struct JunitReporter<W: Write + Send> {
    out: W,
    suite: String,
    run_id: String,
    file: String,
    started_at: String,
    step_ids: Vec<String>,
    cases: Vec<Case>,
    current: Option<StepInfo>,
    notes: Vec<String>,
}

impl<W: Write + Send> JunitReporter<W> {
    /// A reporter writing to `out`.
    pub fn new(out: W) -> JunitReporter<W> {
        JunitReporter {
            out,
            suite: String::new(),
            run_id: String::new(),
            file: String::new(),
            started_at: String::new(),
            step_ids: Vec::new(),
            cases: Vec::new(),
            current: None,
            notes: Vec::new(),
        }
    }

    fn classname(&self, phase: Option<&str>) -> String {
        match phase {
            Some(phase) => format!("{}.{phase}", self.suite),
            None => self.suite.clone(),
        }
    }

    fn finish_step(
        &mut self,
        outcome: StepOutcome,
        duration_ms: u64,
        result: &Value,
        failures: &[CheckFailure],
        error: Option<&str>,
    ) {
        let Some(step) = self.current.take() else { return };
        let mut notes = std::mem::take(&mut self.notes);
        let problem = || failure_text(failures, error);
        let verdict = match outcome {
            StepOutcome::Passed => Verdict::Passed,
            StepOutcome::Tolerated => {
                notes.push(format!("failed, tolerated (on_failure: continue): {}", problem().1));
                Verdict::Passed
            }
            StepOutcome::Failed => {
                let (message, details) = problem();
                Verdict::Failed { message, details }
            }
            StepOutcome::Skipped => Verdict::Skipped("skipped: its `when` did not hold".into()),
            StepOutcome::Declined => {
                Verdict::Skipped(format!("declined{}", error.map(|e| format!(": {e}")).unwrap_or_default()))
            }
            StepOutcome::Pending => Verdict::Skipped("pending: waiting for a person".into()),
        };
        let text = |key: &str| result.get(key).and_then(Value::as_str).unwrap_or_default().to_owned();
        self.cases.push(Case {
            classname: self.classname(step.phase),
            id: step.id,
            duration_ms,
            verdict,
            notes,
            stdout: text("stdout"),
            stderr: text("stderr"),
        });
    }

    fn write(&mut self, status: &str, duration_ms: u64) {
        let started: Vec<&str> = self.cases.iter().map(|c| c.id.as_str()).collect();
        let never: Vec<String> = self.step_ids.iter().filter(|id| !started.contains(&id.as_str())).cloned().collect();
        for id in never {
            let classname = self.classname(None);
            self.cases.push(Case {
                id,
                classname,
                duration_ms: 0,
                verdict: Verdict::Skipped(format!("not run: the run ended ({status}) before this step")),
                notes: Vec::new(),
                stdout: String::new(),
                stderr: String::new(),
            });
        }
        let xml = self.render(status, duration_ms);
        let _ = self.out.write_all(xml.as_bytes());
        let _ = self.out.flush();
    }

    fn render(&self, status: &str, duration_ms: u64) -> String {
        let tests = self.cases.len();
        let failures = self.cases.iter().filter(|c| matches!(c.verdict, Verdict::Failed { .. })).count();
        let skipped = self.cases.iter().filter(|c| matches!(c.verdict, Verdict::Skipped(_))).count();
        let time = seconds(duration_ms);
        let suite = escape_xml(&self.suite);
        let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let counts =
            format!("tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"{time}\"");
        let _ = writeln!(xml, "<testsuites name=\"rbx\" {counts}>");
        let _ = writeln!(xml, "  <testsuite name=\"{suite}\" {counts} timestamp=\"{}\">", escape_xml(&self.started_at));
        xml.push_str("    <properties>\n");
        for (name, value) in [("run_id", &self.run_id), ("file", &self.file), ("status", &status.to_owned())] {
            let _ = writeln!(xml, "      <property name=\"{name}\" value=\"{}\"/>", escape_xml(value));
        }
        xml.push_str("    </properties>\n");
        for case in &self.cases {
            render_case(&mut xml, case);
        }
        xml.push_str("  </testsuite>\n</testsuites>\n");
        xml
    }
}

fn render_case(xml: &mut String, case: &Case) {
    let _ = write!(
        xml,
        "    <testcase name=\"{}\" classname=\"{}\" time=\"{}\"",
        escape_xml(&case.id),
        escape_xml(&case.classname),
        seconds(case.duration_ms)
    );
    let mut out = case.notes.join("\n");
    if !case.stdout.is_empty() {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&case.stdout);
    }
    if matches!(case.verdict, Verdict::Passed) && out.is_empty() && case.stderr.is_empty() {
        xml.push_str("/>\n");
        return;
    }
    xml.push_str(">\n");
    match &case.verdict {
        Verdict::Passed => {}
        Verdict::Failed { message, details } => {
            let _ = writeln!(
                xml,
                "      <failure message=\"{}\" type=\"failed\">{}</failure>",
                escape_xml(message),
                escape_xml(details)
            );
        }
        Verdict::Skipped(message) => {
            let _ = writeln!(xml, "      <skipped message=\"{}\"/>", escape_xml(message));
        }
    }
    if !out.is_empty() {
        let _ = writeln!(xml, "      <system-out>{}</system-out>", escape_xml(&out));
    }
    if !case.stderr.is_empty() {
        let _ = writeln!(xml, "      <system-err>{}</system-err>", escape_xml(&case.stderr));
    }
    xml.push_str("    </testcase>\n");
}

/// The first problem as a one-line message, and every problem, one a line.
fn failure_text(failures: &[CheckFailure], error: Option<&str>) -> (String, String) {
    let message = error.map(str::to_owned).or_else(|| failures.first().map(ToString::to_string));
    let mut lines: Vec<String> = error.map(str::to_owned).into_iter().collect();
    // The message shows a preview of the value; the details show all of it.
    lines.extend(failures.iter().map(|f| {
        let actual = match &f.actual {
            Some(actual) => format!("actual: {}", serde_json::to_string(actual).unwrap_or_default()),
            None => "actual: nothing selected".to_owned(),
        };
        format!("{f}\n  {actual}")
    }));
    (message.unwrap_or_else(|| "failed".to_owned()), lines.join("\n"))
}

/// Milliseconds as JUnit's seconds with three decimals.
fn seconds(millis: u64) -> String {
    format!("{}.{:03}", millis / 1000, millis % 1000)
}

impl<W: Write + Send> EventSink for JunitReporter<W> {
    fn emit(&mut self, event: &RunEvent) {
        match event {
            RunEvent::RunStarted { run_id, runbook, file, started_at, step_ids, .. } => {
                self.suite.clone_from(runbook);
                self.run_id.clone_from(run_id);
                self.file.clone_from(file);
                self.started_at.clone_from(started_at);
                self.step_ids.clone_from(step_ids);
            }
            RunEvent::StepStarted { step, .. } => {
                self.current = Some(step.clone());
                self.notes.clear();
            }
            RunEvent::Message { text, .. } => self.notes.push(format!("note: {text}")),
            RunEvent::ConfirmationAnswered { confirmed, automatic, by, reason, at, .. } => {
                self.notes.push(match (confirmed, automatic) {
                    (true, true) => format!("confirmed automatically (--yes) at {at}"),
                    (true, false) => format!("confirmed by {} at {at}", by.as_deref().unwrap_or("the operator")),
                    (false, _) => format!("declined at {at}: {}", reason.as_deref().unwrap_or("no")),
                });
            }
            RunEvent::StepFinished { outcome, duration_ms, result, failures, error, .. } => {
                self.finish_step(*outcome, *duration_ms, result, failures, error.as_deref());
            }
            RunEvent::RunFinished { status, duration_ms, .. } => self.write(status.as_str(), *duration_ms),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use rbx_exec::events::RunStatus;
    use serde_json::json;

    use super::*;

    fn finished(id: &str, outcome: StepOutcome, error: Option<&str>) -> RunEvent {
        RunEvent::StepFinished {
            step_id: id.into(),
            outcome,
            at: "2026-12-06T10:00:01Z".into(),
            duration_ms: 1500,
            attempts: 1,
            result: json!({ "outcome": outcome.as_str() }),
            failures: Vec::new(),
            error: error.map(str::to_owned),
            captured: Vec::new(),
        }
    }

    fn started(id: &str) -> RunEvent {
        RunEvent::StepStarted {
            step: StepInfo { id: id.into(), index: 0, title: None, phase: None, kind: "shell", in_finally: false },
            at: "2026-12-06T10:00:00Z".into(),
        }
    }

    #[test]
    fn declined_and_unstarted_steps_are_skipped_with_a_reason() {
        let mut out = Vec::new();
        let mut junit = JunitReporter::new(&mut out);
        junit.emit(&RunEvent::RunStarted {
            run_id: "r".into(),
            runbook: "rb<&>".into(),
            title: "t".into(),
            file: "f.yaml".into(),
            started_at: "2026-12-06T10:00:00Z".into(),
            inputs: json!({}),
            step_count: 2,
            step_ids: vec!["a".into(), "b".into()],
            called_step_ids: Vec::new(),
        });
        junit.emit(&started("a"));
        junit.emit(&finished("a", StepOutcome::Declined, Some("answered no")));
        junit.emit(&RunEvent::RunFinished {
            status: RunStatus::Declined,
            finished_at: "2026-12-06T10:00:02Z".into(),
            duration_ms: 2000,
        });
        let xml = String::from_utf8(out).unwrap_or_default();
        assert!(xml.contains("<testsuite name=\"rb&lt;&amp;&gt;\" tests=\"2\" failures=\"0\" errors=\"0\" skipped=\"2\" time=\"2.000\""), "{xml}");
        assert!(xml.contains("<testcase name=\"a\" classname=\"rb&lt;&amp;&gt;\" time=\"1.500\">"), "{xml}");
        assert!(xml.contains("<skipped message=\"declined: answered no\"/>"), "{xml}");
        assert!(xml.contains("<skipped message=\"not run: the run ended (declined) before this step\"/>"), "{xml}");
    }
}
