//! `rbx runs`: recent runs from the journal.

use rbx_journal::{RunListing, list_runs};
use rbx_report::run_human::human_duration;

use crate::cli::{RunFormat, RunsArgs};
use crate::exit::Exit;
use crate::terminal;

pub fn run(args: RunsArgs) -> Exit {
    let root = match rbx_journal::resolve_root(args.journal.as_deref(), &|name| std::env::var(name).ok()) {
        Ok(root) => root,
        Err(error) => {
            terminal::usage_error(&error.to_string(), None);
            return Exit::Invalid;
        }
    };
    let (runs, problems) = list_runs(&root);
    for problem in problems {
        eprintln!("warning: journal: {problem}; left out");
    }
    let runs: Vec<RunListing> = runs
        .into_iter()
        .filter(|run| args.incident.is_none() || run.incident == args.incident)
        .take(args.limit)
        .collect();
    match args.format {
        RunFormat::Json => match serde_json::to_string_pretty(&runs) {
            Ok(text) => println!("{text}"),
            Err(error) => {
                terminal::usage_error(&format!("cannot print the runs: {error}"), None);
                return Exit::Failure;
            }
        },
        RunFormat::Human => print!("{}", table(&runs)),
    }
    Exit::Success
}

/// Aligned columns; an empty journal says where it looked.
/// `2026-12-06T08:13:05.1Z` as `2026-12-06 08:13:05Z`: a table wants one width, and a person
/// does not need milliseconds to tell runs apart.
fn started_to_the_second(started_at: &str) -> String {
    match started_at.get(..19) {
        Some(to_the_second) if started_at.len() > 19 => format!("{}Z", to_the_second.replacen('T', " ", 1)),
        _ => started_at.to_owned(),
    }
}

fn table(runs: &[RunListing]) -> String {
    if runs.is_empty() {
        return "no runs\n".to_owned();
    }
    let header = ["RUN", "RUNBOOK", "INCIDENT", "STARTED", "STATUS", "DURATION"].map(str::to_owned);
    let rows: Vec<[String; 6]> = runs
        .iter()
        .map(|run| {
            [
                run.run_id.clone(),
                run.runbook.clone(),
                run.incident.clone().unwrap_or_else(|| "-".into()),
                started_to_the_second(&run.started_at),
                run.status.as_str().to_owned(),
                run.duration_ms.map_or_else(|| "-".into(), human_duration),
            ]
        })
        .collect();
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let cells: Vec<String> = row.iter().zip(widths).map(|(cell, width)| format!("{cell:<width$}")).collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}
