//! The terminal view of a run: one line per step, a live spinner on a terminal, failure
//! details, and a closing summary.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

use anstyle::{AnsiColor, Style};
use indicatif::{ProgressBar, ProgressStyle};
use rbx_exec::events::{EventSink, OutputStream, RunEvent, RunStatus, StepInfo, StepOutcome};

/// Options of the human reporter.
#[derive(Debug, Clone, Copy)]
pub struct HumanOptions {
    /// Colours (a terminal without `NO_COLOR`).
    pub color: bool,
    /// A live spinner for the running step (a terminal only).
    pub spinner: bool,
    /// Stream step output and commands (`-v`).
    pub verbose: bool,
}

/// Writes a run for a person.
pub struct HumanReporter<W: Write + Send> {
    out: W,
    options: HumanOptions,
    /// Steps started and not finished: more than one inside a `runbook` step.
    current: Vec<StepInfo>,
    spinner: Option<ProgressBar>,
    counts: [usize; 6],
    width: usize,
    /// Output of the running step not yet ended by a newline, per `for_each` item and stream:
    /// a line written in two writes is shown as one line, and items running at once do not
    /// mix within a line.
    partial: BTreeMap<(Option<usize>, OutputStream), String>,
    /// The `confirm:` question being answered, shown with its answer.
    question: Option<String>,
}

impl<W: Write + Send> HumanReporter<W> {
    /// A reporter writing to `out`.
    pub fn new(out: W, options: HumanOptions) -> HumanReporter<W> {
        HumanReporter {
            out,
            options,
            current: Vec::new(),
            spinner: None,
            counts: [0; 6],
            width: 12,
            partial: Default::default(),
            question: None,
        }
    }

    fn paint(&self, style: Style, text: &str) -> String {
        if self.options.color { format!("{style}{text}{style:#}") } else { text.to_owned() }
    }

    fn line(&mut self, text: &str) {
        match &self.spinner {
            Some(spinner) => spinner.suspend(|| {
                let _ = writeln!(self.out, "{text}");
            }),
            None => {
                let _ = writeln!(self.out, "{text}");
            }
        }
    }

    fn output_line(&mut self, item: Option<usize>, stream: OutputStream, line: &str) {
        let marker = if stream == OutputStream::Stderr { "  ┃ " } else { "  │ " };
        self.line(&format!("{marker}{}{line}", item_label(item)));
    }

    fn stop_spinner(&mut self) {
        if let Some(spinner) = self.spinner.take() {
            spinner.finish_and_clear();
        }
    }
}

fn outcome_style(outcome: StepOutcome) -> (Style, &'static str) {
    let color = |c: AnsiColor| Style::new().fg_color(Some(c.into()));
    match outcome {
        StepOutcome::Passed => (color(AnsiColor::Green), "✓ passed   "),
        StepOutcome::Failed => (color(AnsiColor::Red).bold(), "✗ failed   "),
        StepOutcome::Tolerated => (color(AnsiColor::Yellow), "! tolerated"),
        StepOutcome::Skipped => (color(AnsiColor::BrightBlack), "- skipped  "),
        StepOutcome::Declined => (color(AnsiColor::Yellow), "⊘ declined "),
        StepOutcome::Pending => (color(AnsiColor::Cyan), "… pending  "),
    }
}

fn outcome_index(outcome: StepOutcome) -> usize {
    match outcome {
        StepOutcome::Passed => 0,
        StepOutcome::Failed => 1,
        StepOutcome::Tolerated => 2,
        StepOutcome::Skipped => 3,
        StepOutcome::Declined => 4,
        StepOutcome::Pending => 5,
    }
}

/// `[3] ` before a line about `for_each` item 3; nothing outside `for_each`.
fn item_label(item: Option<usize>) -> String {
    item.map_or_else(String::new, |index| format!("[{index}] "))
}

/// `1 MiB`, `512 KiB`, `100 bytes`.
fn human_bytes(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{} KiB", b >> 10),
        b => format!("{b} bytes"),
    }
}

/// `950ms`, `1.2s`, `2m05s`.
pub fn human_duration(millis: u64) -> String {
    match millis {
        0..1_000 => format!("{millis}ms"),
        1_000..60_000 => format!("{:.1}s", millis as f64 / 1000.0),
        _ => format!("{}m{:02}s", millis / 60_000, (millis % 60_000) / 1000),
    }
}

fn last_lines(text: &str, count: usize) -> Vec<&str> {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(count)..].to_vec()
}

impl<W: Write + Send> EventSink for HumanReporter<W> {
    fn emit(&mut self, event: &RunEvent) {
        match event {
            RunEvent::RunStarted { run_id, runbook, title, step_count, step_ids, called_step_ids, .. } => {
                let bold = Style::new().bold();
                let header = format!("{} {runbook}: {title}", self.paint(bold, "▶"));
                self.line(&header);
                let dim = Style::new().dimmed();
                let detail = self.paint(dim, &format!("  run {run_id}, {step_count} step(s)"));
                self.line(&detail);
                let ids = step_ids.iter().chain(called_step_ids);
                self.width = ids.map(|id| id.chars().count()).max().unwrap_or(0).max(8);
            }
            RunEvent::StepStarted { step, .. } => {
                if self.options.spinner {
                    let spinner = ProgressBar::new_spinner();
                    let style = ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner());
                    spinner.set_style(style);
                    spinner.set_message(format!(
                        "{:<8} {}  {}",
                        step.phase.unwrap_or(""),
                        step.id,
                        step.title.as_deref().unwrap_or("")
                    ));
                    spinner.enable_steady_tick(Duration::from_millis(100));
                    self.spinner = Some(spinner);
                }
                self.current.push(step.clone());
            }
            RunEvent::AttemptStarted { attempt, action, item, .. } => {
                if self.options.verbose
                    && let Some(action) = action
                {
                    let item = item_label(*item);
                    let prefix = if *attempt > 1 { format!("  {item}try {attempt}: ") } else { format!("  {item}") };
                    // A multi-line script keeps its shape, indented under its first line.
                    let action =
                        action.trim_end().replace('\n', &format!("\n{}  ", " ".repeat(prefix.chars().count())));
                    let text = self.paint(Style::new().dimmed(), &format!("{prefix}$ {action}"));
                    self.line(&text);
                }
            }
            RunEvent::RetryScheduled { attempt, reason, delay_ms, item, .. } => {
                let verb = if reason.starts_with("not yet") { "" } else { " failed" };
                let text = format!(
                    "  ↻ {}try {attempt}{verb}: {reason}; next try in {}",
                    item_label(*item),
                    human_duration(*delay_ms)
                );
                let painted = self.paint(Style::new().fg_color(Some(AnsiColor::Yellow.into())), &text);
                self.line(&painted);
            }
            // Output also streams for the journal; it is shown only with `-v`.
            RunEvent::Output { .. } if !self.options.verbose => {}
            RunEvent::Output { stream, text, item, .. } => {
                let partial = self.partial.entry((*item, *stream)).or_default();
                partial.push_str(text);
                let mut lines = Vec::new();
                while let Some(end) = partial.find('\n') {
                    let line: String = partial.drain(..=end).collect();
                    lines.push(line);
                }
                for line in lines {
                    self.output_line(*item, *stream, line.trim_end_matches(['\n', '\r']));
                }
            }
            // The question itself is asked by whoever answers (the prompt); keep the spinner
            // from drawing over it.
            RunEvent::ConfirmationRequested { question, .. } => {
                self.stop_spinner();
                self.question = Some(question.clone());
            }
            RunEvent::ConfirmationAnswered { confirmed, automatic, by, reason, .. } => {
                let answer = match (confirmed, automatic) {
                    (true, true) => "confirmed automatically (--yes)".to_owned(),
                    (true, false) => format!("confirmed by {}", by.as_deref().unwrap_or("the operator")),
                    (false, _) => format!("declined: {}", reason.as_deref().unwrap_or("no")),
                };
                let question = self.question.take().unwrap_or_default();
                self.line(&format!("  ? {question} → {answer}"));
            }
            RunEvent::ManualRequested { instructions, checklist, .. } => {
                self.stop_spinner();
                let label = self.paint(Style::new().fg_color(Some(AnsiColor::Cyan.into())).bold(), "manual:");
                self.line(&format!("  {label} {instructions}"));
                for entry in checklist {
                    self.line(&format!("    [ ] {entry}"));
                }
            }
            RunEvent::ManualAnswered { acknowledged, automatic, by, answers, reason, .. } => {
                let answered: Vec<String> = answers
                    .as_object()
                    .map(|answers| {
                        answers
                            .iter()
                            .map(|(name, value)| match value {
                                serde_json::Value::String(text) => format!("{name}={text}"),
                                other => format!("{name}={other}"),
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let with = if answered.is_empty() { String::new() } else { format!(" ({})", answered.join(", ")) };
                let text = match (acknowledged, automatic) {
                    (true, true) => format!("  ✓ acknowledged automatically (--yes){with}"),
                    (true, false) => format!("  ✓ done by {}{with}", by.as_deref().unwrap_or("the operator")),
                    (false, _) => format!("  … pending: {}", reason.as_deref().unwrap_or("not done")),
                };
                self.line(&text);
            }
            RunEvent::Message { text, .. } => {
                let label = self.paint(Style::new().fg_color(Some(AnsiColor::Cyan.into())).bold(), "note:");
                self.line(&format!("  {label} {text}"));
            }
            RunEvent::StepFinished { step_id, outcome, duration_ms, result, failures, error, attempts, .. } => {
                for ((item, stream), rest) in std::mem::take(&mut self.partial) {
                    if !rest.is_empty() {
                        self.output_line(item, stream, &rest);
                    }
                }
                self.stop_spinner();
                // The summary counts the run's own steps, as the header does; a called
                // runbook's steps (`CALL/STEP`: ids never hold `/`) count through their call.
                if !step_id.contains('/') {
                    self.counts[outcome_index(*outcome)] += 1;
                }
                let step = self.current.pop();
                let (style, word) = outcome_style(*outcome);
                let phase = step.as_ref().and_then(|s| s.phase).unwrap_or("");
                let title = step.as_ref().and_then(|s| s.title.clone()).unwrap_or_default();
                let items = result.get("items").and_then(|items| items.as_array()).map(Vec::len);
                let retries = match items {
                    Some(items) if u64::from(*attempts) > items as u64 => format!(" ({items} items, {attempts} tries)"),
                    Some(items) => format!(" ({items} items)"),
                    None if *attempts > 1 => format!(" ({attempts} tries)"),
                    None => String::new(),
                };
                let text = format!(
                    "{} {phase:<9}{step_id:<width$}  {title}  {}{retries}",
                    self.paint(style, word),
                    self.paint(Style::new().dimmed(), &human_duration(*duration_ms)),
                    width = self.width
                );
                self.line(text.trim_end());
                let capped = |stream: &str| result["truncated"][stream].as_bool() == Some(true);
                let cap = result["truncated"]["cap_bytes"].as_u64().map_or_else(String::new, human_bytes);
                if !matches!(outcome, StepOutcome::Failed | StepOutcome::Tolerated) {
                    // A passing step's checks and captures read only the kept part: say so, as
                    // the spec asks ("the cap is shown when it bites").
                    let streams: Vec<&str> = ["stdout", "stderr"].into_iter().filter(|s| capped(s)).collect();
                    if !streams.is_empty() {
                        let whole = "the journal's artifacts keep the whole output";
                        self.line(&format!("    {} capped at {cap} in the result; {whole}", streams.join(" and ")));
                    }
                }
                if matches!(outcome, StepOutcome::Failed | StepOutcome::Tolerated) {
                    if let Some(error) = error {
                        let text =
                            format!("    {}", self.paint(Style::new().fg_color(Some(AnsiColor::Red.into())), error));
                        self.line(&text);
                    }
                    for failure in failures {
                        self.line(&format!("    ✗ {failure}"));
                    }
                    if capped("stdout") {
                        self.line(&format!("    stdout was capped at {cap}: the result keeps its beginning"));
                    }
                    if let Some(stderr) = result.get("stderr").and_then(|s| s.as_str()) {
                        let tail = last_lines(stderr, 5);
                        if !tail.is_empty() {
                            if capped("stderr") {
                                self.line(&format!(
                                    "    stderr was capped at {cap}: the last lines kept, not the last written:"
                                ));
                            } else {
                                self.line("    stderr:");
                            }
                            for line in tail {
                                let text = format!("    ┃ {line}");
                                self.line(&text);
                            }
                        }
                    }
                }
            }
            RunEvent::RunFinished { status, duration_ms, .. } => {
                self.stop_spinner();
                let [passed, failed, tolerated, skipped, declined, pending] = self.counts;
                let mut parts = vec![format!("{passed} passed")];
                for (count, word) in [
                    (failed, "failed"),
                    (tolerated, "tolerated"),
                    (skipped, "skipped"),
                    (declined, "declined"),
                    (pending, "pending"),
                ] {
                    if count > 0 {
                        parts.push(format!("{count} {word}"));
                    }
                }
                let (style, word) = match status {
                    RunStatus::Passed => (Style::new().fg_color(Some(AnsiColor::Green.into())).bold(), "run passed"),
                    RunStatus::Failed => (Style::new().fg_color(Some(AnsiColor::Red.into())).bold(), "run failed"),
                    RunStatus::Declined => {
                        (Style::new().fg_color(Some(AnsiColor::Yellow.into())).bold(), "run declined")
                    }
                    RunStatus::Pending => (Style::new().fg_color(Some(AnsiColor::Cyan.into())).bold(), "run pending"),
                    RunStatus::Interrupted => {
                        (Style::new().fg_color(Some(AnsiColor::Red.into())).bold(), "run interrupted")
                    }
                };
                let text =
                    format!("{}: {} in {}", self.paint(style, word), parts.join(", "), human_duration(*duration_ms));
                self.line(&text);
                let _ = self.out.flush();
            }
        }
    }
}
