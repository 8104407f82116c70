//! `rbx report RUN_ID | --incident ID`: the post-incident report from the journal.

use rbx_journal::{Journal, list_runs};
use rbx_report::incident_report::IncidentReport;
use rbx_report::report_template::{TemplateEscape, render as render_template};
use rbx_report::{report_html, report_markdown};

use crate::cli::{ReportArgs, ReportFormat};
use crate::exit::Exit;
use crate::terminal;

pub fn run(args: ReportArgs) -> Exit {
    match report(&args) {
        Ok(text) => write(&args, &text),
        Err(message) => {
            terminal::usage_error(&message, None);
            Exit::Invalid
        }
    }
}

fn report(args: &ReportArgs) -> Result<String, String> {
    let root = rbx_journal::resolve_root(args.journal.as_deref(), &|name| std::env::var(name).ok())
        .map_err(|error| error.to_string())?;
    let journals = match (&args.run_id, &args.incident) {
        (Some(run_id), _) => vec![Journal::find(&root, run_id).map_err(|error| error.to_string())?],
        (None, Some(incident)) => incident_runs(&root, incident)?,
        (None, None) => return Err("name a run (RUN_ID) or an incident (--incident ID)".into()),
    };
    for journal in &journals {
        for problem in &journal.problems {
            eprintln!("warning: journal of run {}: {problem}", journal.meta.run_id);
        }
    }
    let report = IncidentReport::build(journals, args.incident.as_deref());
    if let Some(path) = &args.template {
        let source =
            std::fs::read_to_string(path).map_err(|error| format!("cannot read `{}`: {error}", path.display()))?;
        let escape = if args.format == ReportFormat::Html { TemplateEscape::Html } else { TemplateEscape::None };
        return render_template(&path.display().to_string(), &source, &report, escape).map_err(|e| e.to_string());
    }
    Ok(match args.format {
        ReportFormat::Markdown => report_markdown::render(&report),
        ReportFormat::Html => report_html::render(&report),
        ReportFormat::Json => {
            let mut text = serde_json::to_string_pretty(&report).map_err(|error| error.to_string())?;
            text.push('\n');
            text
        }
    })
}

/// Every run of the incident, read whole.
fn incident_runs(root: &std::path::Path, incident: &str) -> Result<Vec<Journal>, String> {
    let (runs, problems) = list_runs(root);
    for problem in problems {
        eprintln!("warning: journal: {problem}; left out");
    }
    let journals: Vec<Journal> = runs
        .iter()
        .filter(|run| run.incident.as_deref() == Some(incident))
        .map(|run| Journal::open(&run.dir).map_err(|error| error.to_string()))
        .collect::<Result<_, _>>()?;
    if journals.is_empty() {
        return Err(format!("no run of incident `{incident}` in `{}`", root.display()));
    }
    Ok(journals)
}

fn write(args: &ReportArgs, text: &str) -> Exit {
    match &args.output {
        Some(path) => match std::fs::write(path, text) {
            Ok(()) => Exit::Success,
            Err(error) => {
                terminal::usage_error(&format!("cannot write `{}`: {error}", path.display()), None);
                Exit::Invalid
            }
        },
        None => {
            print!("{text}");
            Exit::Success
        }
    }
}
