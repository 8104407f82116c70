//! `rbx list PATH... [--trigger ALERT]`

use rbx_report::diagnostics::{DiagnosticFormat, FileDiagnostics, render};

use crate::cli::{ListArgs, RunFormat};
use crate::discover;
use crate::exit::Exit;
use crate::terminal;

#[derive(serde::Serialize)]
struct Row {
    id: String,
    title: String,
    severity: Option<&'static str>,
    triggers: Vec<String>,
    file: String,
}

pub fn run(args: ListArgs) -> Exit {
    let (found, walk_failed) = discover::load_runbooks(&args.paths);
    let mut rows = Vec::new();
    let mut broken = Vec::new();
    for loaded in found {
        let Some(runbook) = loaded.runbook else {
            broken.push(FileDiagnostics { file: loaded.file, diagnostics: loaded.diagnostics });
            continue;
        };
        if let Some(trigger) = &args.trigger
            && !runbook.triggers.iter().any(|t| t.value.eq_ignore_ascii_case(trigger))
        {
            continue;
        }
        rows.push(Row {
            id: runbook.id.value.clone(),
            title: runbook.display_title().to_owned(),
            severity: runbook.severity.as_ref().map(|s| s.value.as_str()),
            triggers: runbook.triggers.iter().map(|t| t.value.clone()).collect(),
            file: loaded.file.path().display().to_string(),
        });
    }
    match args.format {
        RunFormat::Json => println!("{}", serde_json::to_string_pretty(&rows).unwrap_or_default()),
        RunFormat::Human => print_table(&rows),
    }
    if !broken.is_empty() {
        eprint!("{}", render(&broken, DiagnosticFormat::Human(terminal::stderr_style())));
        eprintln!("{} file(s) could not be listed; `rbx lint` shows every problem", broken.len());
    }
    if walk_failed || !broken.is_empty() { Exit::Invalid } else { Exit::Success }
}

fn print_table(rows: &[Row]) {
    let header = ["ID", "TITLE", "SEVERITY", "TRIGGERS", "FILE"];
    let cells: Vec<[String; 5]> = rows
        .iter()
        .map(|r| {
            [
                r.id.clone(),
                r.title.clone(),
                r.severity.unwrap_or("-").to_owned(),
                if r.triggers.is_empty() { "-".to_owned() } else { r.triggers.join(", ") },
                r.file.clone(),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for row in &cells {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cols: [&str; 5]| {
        let mut out = String::new();
        for (i, (col, width)) in cols.iter().zip(widths).enumerate() {
            if i == 4 {
                out.push_str(col);
            } else {
                out.push_str(&format!("{col:<width$}  "));
            }
        }
        out.trim_end().to_owned()
    };
    println!("{}", line(header));
    for row in &cells {
        println!("{}", line([&row[0], &row[1], &row[2], &row[3], &row[4]].map(String::as_str)));
    }
}
