//! The data of `rbx report`: one or more journaled runs turned into the parts of a postmortem
//! (summary, timeline, what was checked and found, what was changed, notes, duration, and the
//! sections a person fills in). The Markdown, HTML and JSON forms and custom templates all
//! render this one structure.

use rbx_checks::CheckFailure;
use rbx_journal::{Journal, event_tag, millis_between};
use serde::Serialize;
use serde_json::Value;

/// The version of this structure's shape (the JSON report and templates see it).
pub const REPORT_VERSION: u32 = 1;

/// Phases whose steps change things: "what was changed".
const CHANGE_PHASES: [&str; 2] = ["mitigate", "recover"];

/// A post-incident report.
#[derive(Debug, Clone, Serialize)]
pub struct IncidentReport {
    /// Shape version ([`REPORT_VERSION`]).
    pub report_version: u32,
    /// `Incident INC-1: TITLE`, or the runbook's title for a single run.
    pub title: String,
    /// The incident label, when the runs have one.
    pub incident: Option<String>,
    /// The most severe of the runs' declared severities (`SEV1` before `SEV2`).
    pub severity: Option<String>,
    /// How the last run stands (`passed`, `failed`, `killed`, …).
    pub status: String,
    /// One paragraph saying what ran and how it went.
    pub summary: String,
    /// When the first run started (RFC 3339).
    pub started_at: String,
    /// When the last run ended, if it did.
    pub finished_at: Option<String>,
    /// From the first start to the last event.
    pub duration_ms: Option<u64>,
    /// Every run, oldest first.
    pub runs: Vec<RunSection>,
    /// What happened, in order, across runs.
    pub timeline: Vec<TimelineEntry>,
    /// Every step that ran a check or was read-only (`detect`, `triage`, `diagnose`, `assert`),
    /// with its outcome.
    pub checks: Vec<StepEntry>,
    /// Checks that did not hold and step errors, with the values seen.
    pub findings: Vec<Finding>,
    /// Steps of the `mitigate` and `recover` phases that ran.
    pub changes: Vec<StepEntry>,
    /// Messages of `note` steps.
    pub notes: Vec<NoteEntry>,
    /// To be written by people: empty.
    pub root_cause: String,
    /// To be written by people: empty.
    pub impact: String,
    /// To be written by people: empty.
    pub action_items: Vec<String>,
}

/// One run of a report.
#[derive(Debug, Clone, Serialize)]
pub struct RunSection {
    /// Its id.
    pub run_id: String,
    /// The runbook's id.
    pub runbook: String,
    /// Its title.
    pub title: String,
    /// The runbook path as given.
    pub file: String,
    /// `sha256:…` of the runbook when the run began.
    pub content_hash: String,
    /// Who ran it.
    pub user: String,
    /// Where.
    pub host: String,
    /// Masked inputs.
    pub inputs: Value,
    /// Start time.
    pub started_at: String,
    /// End time, if it ended.
    pub finished_at: Option<String>,
    /// Duration (until its last event when it did not end).
    pub duration_ms: Option<u64>,
    /// `passed`, `failed`, `declined`, `pending`, `interrupted`, `killed`, `running`.
    pub status: String,
    /// Steps in the order they started.
    pub steps: Vec<StepEntry>,
    /// What was wrong with its journal but tolerated (a torn last line).
    pub journal_problems: Vec<String>,
}

/// One step of a run.
#[derive(Debug, Clone, Serialize)]
pub struct StepEntry {
    /// The run it belongs to.
    pub run_id: String,
    /// Step id.
    pub id: String,
    /// Its title.
    pub title: Option<String>,
    /// Its phase.
    pub phase: Option<String>,
    /// Its kind.
    pub kind: String,
    /// `passed`, `failed`, …, or `unfinished` when the journal ends inside it.
    pub outcome: String,
    /// Start time.
    pub started_at: String,
    /// End time.
    pub finished_at: Option<String>,
    /// Duration.
    pub duration_ms: Option<u64>,
    /// Tries made.
    pub attempts: u64,
    /// What it did (the rendered command of its last try, masked), when known.
    pub action: Option<String>,
    /// Why it failed when no check did.
    pub error: Option<String>,
    /// Checks that did not hold.
    pub failures: Vec<CheckFailure>,
    /// Its confirmation, if it asked one.
    pub confirmation: Option<ConfirmationEntry>,
    /// Files of its output under the run's `artifacts/`.
    pub artifacts: Vec<String>,
}

/// A `confirm:` question and its answer.
#[derive(Debug, Clone, Serialize)]
pub struct ConfirmationEntry {
    /// The question.
    pub question: Option<String>,
    /// Whether it was confirmed (`None`: never answered).
    pub confirmed: Option<bool>,
    /// Confirmed by `--yes`.
    pub automatic: bool,
    /// Who confirmed.
    pub by: Option<String>,
    /// Why it was declined.
    pub reason: Option<String>,
    /// When it was answered.
    pub at: Option<String>,
}

/// One moment of the timeline.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineEntry {
    /// RFC 3339 time.
    pub at: String,
    /// The run.
    pub run_id: String,
    /// The step, for step events.
    pub step_id: Option<String>,
    /// `run_started`, `step`, `confirmation`, `note`, `run_finished`, `journal_ends`, or the
    /// event's own tag for events this version does not know.
    pub kind: String,
    /// One line for a person.
    pub text: String,
}

/// A check that did not hold, or a step's error.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The run.
    pub run_id: String,
    /// The step.
    pub step_id: String,
    /// Its phase.
    pub phase: Option<String>,
    /// Whether the run went on (`on_failure: continue`).
    pub tolerated: bool,
    /// The failed check (absent for an error).
    pub check: Option<CheckFailure>,
    /// The value seen, as JSON text (`nothing selected` when the path matched nothing).
    pub actual: Option<String>,
    /// One line: the check and what was seen, or the error.
    pub text: String,
}

/// A note step's message.
#[derive(Debug, Clone, Serialize)]
pub struct NoteEntry {
    /// The run.
    pub run_id: String,
    /// The step.
    pub step_id: String,
    /// When it was shown.
    pub at: Option<String>,
    /// The message.
    pub text: String,
}

impl IncidentReport {
    /// The report of these runs (of one incident, or a single run), oldest first.
    pub fn build(mut journals: Vec<Journal>, incident: Option<&str>) -> IncidentReport {
        journals.sort_by_key(|j| (j.meta.started_at.parse::<jiff::Timestamp>().ok(), j.meta.run_id.clone()));
        let mut report = IncidentReport {
            report_version: REPORT_VERSION,
            title: String::new(),
            incident: incident.map(str::to_owned).or_else(|| journals.iter().find_map(|j| j.meta.incident.clone())),
            severity: journals.iter().filter_map(|j| j.meta.severity.clone()).min(),
            status: String::new(),
            summary: String::new(),
            started_at: journals.first().map(|j| j.meta.started_at.clone()).unwrap_or_default(),
            finished_at: None,
            duration_ms: None,
            runs: Vec::new(),
            timeline: Vec::new(),
            checks: Vec::new(),
            findings: Vec::new(),
            changes: Vec::new(),
            notes: Vec::new(),
            root_cause: String::new(),
            impact: String::new(),
            action_items: Vec::new(),
        };
        let mut last_event_at = None;
        for journal in &journals {
            let run = RunBuilder::new(journal).build(&mut report);
            last_event_at = report.timeline.last().map(|t| t.at.clone()).or(last_event_at);
            report.runs.push(run);
        }
        // By time, not by text: RFC 3339 texts with fractions of different lengths
        // (`14.5Z`, `14.51Z`) do not sort as their times do. Stable, so ties keep event order.
        report.timeline.sort_by_key(|entry| entry.at.parse::<jiff::Timestamp>().ok());
        let last = report.runs.last();
        report.status = last.map(|r| r.status.clone()).unwrap_or_default();
        report.finished_at = last.and_then(|r| r.finished_at.clone());
        let end = report.finished_at.clone().or(last_event_at);
        report.duration_ms = end.and_then(|end| millis_between(&report.started_at, &end));
        let runbook_title = titles(&runbooks_run(&report));
        report.title = match &report.incident {
            Some(incident) => format!("Incident {incident}: {runbook_title}"),
            None => runbook_title,
        };
        report.summary = summary(&report);
        report
    }
}

/// Walks one journal's events.
struct RunBuilder<'a> {
    journal: &'a Journal,
    run_id: String,
    steps: Vec<StepEntry>,
    question: Option<String>,
}

impl<'a> RunBuilder<'a> {
    fn new(journal: &'a Journal) -> RunBuilder<'a> {
        RunBuilder { journal, run_id: journal.meta.run_id.clone(), steps: Vec::new(), question: None }
    }

    fn timeline(&self, report: &mut IncidentReport, at: &str, step_id: Option<&str>, kind: &str, text: String) {
        report.timeline.push(TimelineEntry {
            at: at.to_owned(),
            run_id: self.run_id.clone(),
            step_id: step_id.map(str::to_owned),
            kind: kind.to_owned(),
            text,
        });
    }

    fn build(mut self, report: &mut IncidentReport) -> RunSection {
        let meta = &self.journal.meta;
        let who = format!("by {} on {}", meta.user, meta.host);
        self.timeline(
            report,
            &meta.started_at,
            None,
            "run_started",
            format!("run {} of {} started {who}", self.run_id, meta.runbook),
        );
        for event in &self.journal.events {
            self.event(report, event);
        }
        let state = self.journal.state();
        let finished_at = self.journal.events_named("run_finished").last().and_then(|e| text(e, "finished_at"));
        if !state.is_finished() {
            let at =
                self.journal.events.iter().rev().find_map(|e| text(e, "at")).unwrap_or_else(|| meta.started_at.clone());
            let line = format!("the journal ends here: the run is {}", state.as_str());
            self.timeline(report, &at, None, "journal_ends", line);
        }
        let artifacts: Vec<String> = self
            .journal
            .artifacts()
            .iter()
            .filter_map(|path| path.strip_prefix(self.journal.artifacts_dir()).ok())
            .map(|relative| relative.to_string_lossy().into_owned())
            .collect();
        for step in &mut self.steps {
            let prefix = format!("{}.", step.id);
            step.artifacts =
                artifacts.iter().filter(|a| a.starts_with(&prefix)).map(|a| format!("artifacts/{a}")).collect();
        }
        for step in &self.steps {
            classify(report, step);
        }
        RunSection {
            run_id: self.run_id.clone(),
            runbook: meta.runbook.clone(),
            title: meta.title.clone(),
            file: meta.file.clone(),
            content_hash: meta.content_hash.clone(),
            user: meta.user.clone(),
            host: meta.host.clone(),
            inputs: meta.inputs.clone(),
            started_at: meta.started_at.clone(),
            finished_at,
            duration_ms: self.journal.duration_ms(),
            status: state.as_str().to_owned(),
            steps: self.steps,
            journal_problems: self.journal.problems.iter().map(ToString::to_string).collect(),
        }
    }

    fn event(&mut self, report: &mut IncidentReport, event: &Value) {
        let step_id = text(event, "step_id");
        match event_tag(event) {
            "step_started" => {
                let step = &event["step"];
                self.steps.push(StepEntry {
                    run_id: self.run_id.clone(),
                    id: text(step, "id").unwrap_or_default(),
                    title: text(step, "title"),
                    phase: text(step, "phase"),
                    kind: text(step, "kind").unwrap_or_default(),
                    outcome: "unfinished".into(),
                    started_at: text(event, "at").unwrap_or_default(),
                    finished_at: None,
                    duration_ms: None,
                    attempts: 0,
                    action: None,
                    error: None,
                    failures: Vec::new(),
                    confirmation: None,
                    artifacts: Vec::new(),
                });
            }
            "attempt_started" => {
                if let (Some(step), Some(action)) = (self.step_mut(step_id.as_deref()), text(event, "action")) {
                    step.action = Some(action);
                }
            }
            "confirmation_requested" => self.question = text(event, "question"),
            "confirmation_answered" => self.confirmation(report, event, step_id.as_deref()),
            "message" => {
                let at = self.step_mut(step_id.as_deref()).map(|s| s.started_at.clone());
                let note = text(event, "text").unwrap_or_default();
                if let Some(at) = &at {
                    self.timeline(report, at, step_id.as_deref(), "note", format!("note: {note}"));
                }
                report.notes.push(NoteEntry {
                    run_id: self.run_id.clone(),
                    step_id: step_id.unwrap_or_default(),
                    at,
                    text: note,
                });
            }
            "step_finished" => self.step_finished(report, event, step_id.as_deref()),
            "run_finished" => {
                let at = text(event, "finished_at").unwrap_or_default();
                let status = text(event, "status").unwrap_or_default();
                self.timeline(report, &at, None, "run_finished", format!("run {} ended: {status}", self.run_id));
            }
            "manual_answered" => {
                let at = text(event, "at").unwrap_or_default();
                let line = manual_line(step_id.as_deref().unwrap_or(""), event);
                self.timeline(report, &at, step_id.as_deref(), "manual", line);
            }
            "run_started" | "output" | "retry_scheduled" | "manual_requested" | "" => {}
            // Events of later versions (manual steps' questions and answers, …): shown as they
            // are, so the timeline never silently drops something a person did.
            other => {
                if let Some(at) = text(event, "at") {
                    let line = unknown_event_line(other, event);
                    self.timeline(report, &at, step_id.as_deref(), other, line);
                }
            }
        }
    }

    fn step_mut(&mut self, id: Option<&str>) -> Option<&mut StepEntry> {
        let id = id?;
        self.steps.iter_mut().rev().find(|s| s.id == id)
    }

    fn confirmation(&mut self, report: &mut IncidentReport, event: &Value, step_id: Option<&str>) {
        let entry = ConfirmationEntry {
            question: self.question.take(),
            confirmed: event["confirmed"].as_bool(),
            automatic: event["automatic"].as_bool().unwrap_or(false),
            by: text(event, "by"),
            reason: text(event, "reason"),
            at: text(event, "at"),
        };
        let answer = match (entry.confirmed, entry.automatic) {
            (Some(true), true) => {
                format!("confirmed automatically (--yes) for {}", entry.by.as_deref().unwrap_or("the operator"))
            }
            (Some(true), false) => format!("confirmed by {}", entry.by.as_deref().unwrap_or("the operator")),
            _ => format!("declined: {}", entry.reason.as_deref().unwrap_or("no")),
        };
        let question = entry.question.as_deref().map(|q| format!("“{q}” ")).unwrap_or_default();
        let at = entry.at.clone().unwrap_or_default();
        self.timeline(report, &at, step_id, "confirmation", format!("{question}{answer}"));
        if let Some(step) = self.step_mut(step_id) {
            step.confirmation = Some(entry);
        }
    }

    fn step_finished(&mut self, report: &mut IncidentReport, event: &Value, step_id: Option<&str>) {
        let Some(step) = self.step_mut(step_id) else { return };
        step.outcome = text(event, "outcome").unwrap_or_default();
        step.finished_at = text(event, "at");
        step.duration_ms = event["duration_ms"].as_u64();
        step.attempts = event["attempts"].as_u64().unwrap_or(0);
        step.error = text(event, "error");
        step.failures = serde_json::from_value(event["failures"].clone()).unwrap_or_default();
        let mut line = format!("{} {}", step.outcome, step.id);
        if let Some(title) = &step.title {
            line.push_str(&format!(" ({title})"));
        }
        if let Some(duration) = step.duration_ms {
            line.push_str(&format!(" in {}", crate::run_human::human_duration(duration)));
        }
        if let Some(error) = &step.error {
            line.push_str(&format!(": {error}"));
        } else if let Some(failure) = step.failures.first() {
            line.push_str(&format!(": {failure}"));
        }
        // At its end, so that its confirmation and notes come before it.
        let at = step.finished_at.clone().unwrap_or_else(|| step.started_at.clone());
        let id = step.id.clone();
        self.timeline(report, &at, Some(&id), "step", line);
    }
}

/// Files a finished step under checks, findings and changes.
fn classify(report: &mut IncidentReport, step: &StepEntry) {
    let phase = step.phase.as_deref().unwrap_or("");
    if CHANGE_PHASES.contains(&phase) && !matches!(step.outcome.as_str(), "skipped" | "declined") {
        report.changes.push(step.clone());
    } else if step.kind == "assert" || matches!(phase, "detect" | "triage" | "diagnose") {
        report.checks.push(step.clone());
    }
    let tolerated = step.outcome == "tolerated";
    let finding = |check: Option<CheckFailure>, actual: Option<String>, text: String| Finding {
        run_id: step.run_id.clone(),
        step_id: step.id.clone(),
        phase: step.phase.clone(),
        tolerated,
        check,
        actual,
        text,
    };
    if let Some(error) = &step.error {
        report.findings.push(finding(None, None, error.clone()));
    }
    for failure in &step.failures {
        let actual = match &failure.actual {
            Some(actual) => serde_json::to_string(actual).unwrap_or_default(),
            None => "nothing selected".to_owned(),
        };
        report.findings.push(finding(Some(failure.clone()), Some(actual.clone()), failure.to_string()));
    }
}

/// One runbook of the report: its id, its title, and how many of the runs ran it.
struct RunbookRuns<'r> {
    id: &'r str,
    title: &'r str,
    runs: usize,
}

/// The runbooks the runs ran, in the order each was first run.
fn runbooks_run(report: &IncidentReport) -> Vec<RunbookRuns<'_>> {
    let mut runbooks: Vec<RunbookRuns<'_>> = Vec::new();
    for run in &report.runs {
        match runbooks.iter_mut().find(|r| r.id == run.runbook) {
            Some(runbook) => runbook.runs += 1,
            None => runbooks.push(RunbookRuns { id: &run.runbook, title: &run.title, runs: 1 }),
        }
    }
    runbooks
}

/// Titles shown in a report's title: an incident often runs a few runbooks, rarely many.
const TITLES_SHOWN: usize = 3;

/// `Checkout latency`, `API outage triage, Checkout latency`, `A, B, C and 2 more`.
fn titles(runbooks: &[RunbookRuns<'_>]) -> String {
    let shown: Vec<&str> = runbooks.iter().take(TITLES_SHOWN).map(|r| r.title).collect();
    match runbooks.len().saturating_sub(TITLES_SHOWN) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

fn times(count: usize) -> String {
    match count {
        1 => "once".to_owned(),
        2 => "twice".to_owned(),
        n => format!("{n} times"),
    }
}

/// `alice`, `alice and bob`, `alice, bob and carol`.
fn listing(names: Vec<&str>) -> String {
    let mut unique: Vec<&str> = Vec::new();
    for name in names {
        if !unique.contains(&name) {
            unique.push(name);
        }
    }
    match unique.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((only, _)) => (*only).to_owned(),
        None => String::new(),
    }
}

fn summary(report: &IncidentReport) -> String {
    if report.runs.is_empty() {
        return "No runs.".to_owned();
    }
    let steps: usize = report.runs.iter().map(|r| r.steps.len()).sum();
    let failed = report.runs.iter().flat_map(|r| &r.steps).filter(|s| s.outcome == "failed").count();
    let runbooks = runbooks_run(report);
    let runs = match runbooks.as_slice() {
        [one] => format!("Runbook {} ({}) was run {}", one.id, one.title, times(one.runs)),
        many => {
            let each: Vec<String> = many.iter().map(|r| format!("{} ({}) {}", r.id, r.title, times(r.runs))).collect();
            format!("{} runbooks were run: {}", many.len(), listing(each.iter().map(String::as_str).collect()))
        }
    };
    let users = listing(report.runs.iter().map(|r| r.user.as_str()).collect());
    let hosts = listing(report.runs.iter().map(|r| r.host.as_str()).collect());
    let who = format!("by {users} on {hosts}");
    format!(
        "{runs}, {who}; the last run's status is {}. {steps} step(s) ran, {failed} failed; {} finding(s); {} change step(s) ran.",
        report.status,
        report.findings.len(),
        report.changes.len()
    )
}

/// A string field of an event.
fn text(event: &Value, key: &str) -> Option<String> {
    event.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// `manual step pick_ip done by alice (automatic, --yes); answers {"ip":"10.0.0.9"}`, or
/// `manual step pick_ip pending: no one to ask`.
fn manual_line(step_id: &str, event: &Value) -> String {
    if event["acknowledged"].as_bool() != Some(true) {
        let reason = text(event, "reason").unwrap_or_else(|| "not done".to_owned());
        return format!("manual step {step_id} pending: {reason}");
    }
    let by = text(event, "by").unwrap_or_else(|| "the operator".to_owned());
    let automatic = if event["automatic"].as_bool() == Some(true) { " (automatic, --yes)" } else { "" };
    let answers = match &event["answers"] {
        Value::Object(map) if !map.is_empty() => format!("; answers {}", event["answers"]),
        _ => String::new(),
    };
    format!("manual step {step_id} done by {by}{automatic}{answers}")
}

/// `manual answered by alice (automatic)`: an event this version does not know, from its tag
/// and the few fields every answer has.
fn unknown_event_line(tag: &str, event: &Value) -> String {
    let mut line = tag.replace('_', " ");
    if let Some(by) = text(event, "by") {
        line.push_str(&format!(" by {by}"));
    }
    if event["automatic"].as_bool() == Some(true) {
        line.push_str(" (automatic)");
    }
    if let Some(step) = text(event, "step_id") {
        line.push_str(&format!(" at step {step}"));
    }
    line
}
