//! `rbx resume RUN_ID`: continue a stopped run from its journal. Steps that passed (or were
//! skipped or tolerated) are restored with their results and captures; a step that failed, was
//! declined, is pending or never finished runs again, asking again if it has `confirm`; then
//! `finally` runs. The resumed run is a new run of the same incident.

use std::collections::HashMap;
use std::path::PathBuf;

use rbx_journal::{Journal, RunState, content_hash};
use serde_json::Value;

use crate::cli::{ResumeArgs, RunArgs};
use crate::exit::Exit;
use crate::terminal;

pub fn run(args: ResumeArgs, log_masker: rbx_exec::masking::SharedMasker) -> Exit {
    let root = match rbx_journal::resolve_root(args.journal.as_deref(), &|name| std::env::var(name).ok()) {
        Ok(root) => root,
        Err(error) => return refuse(&format!("journal: {error}"), None),
    };
    let journal = match Journal::find(&root, &args.run_id) {
        Ok(journal) => journal,
        Err(error) => return refuse(&error.to_string(), Some("`rbx runs` lists the runs that can be resumed")),
    };
    match journal.state() {
        RunState::Finished(status) if status == "passed" => {
            return refuse(&format!("run {} passed: there is nothing to resume", args.run_id), None);
        }
        RunState::Running => {
            return refuse(&format!("run {} is still running (its process is alive)", args.run_id), None);
        }
        _ => {}
    }
    let path = PathBuf::from(&journal.meta.path);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(error) => return refuse(&format!("cannot read the runbook `{}`: {error}", path.display()), None),
    };
    if content_hash(&bytes) != journal.meta.content_hash && !args.force {
        return refuse(
            &format!("`{}` changed since run {} began", path.display(), args.run_id),
            Some("resuming would mix two versions of the runbook; pass --force to resume anyway"),
        );
    }
    let resumed = crate::commands::run::Resumed {
        run_id: args.run_id.clone(),
        inputs: recorded_inputs(&journal),
        restored: restorable_steps(&journal),
    };
    let run_args = RunArgs {
        file: path,
        vars: Vec::new(),
        vars_file: None,
        format: args.format,
        verbose: args.verbose,
        yes: args.yes,
        answers: args.answers,
        only: Vec::new(),
        from: None,
        dry_run: false,
        incident: journal.meta.incident.clone(),
        journal: args.journal,
        no_journal: false,
        junit: None,
    };
    crate::commands::run::run_resumed(run_args, log_masker, Some(resumed))
}

fn refuse(message: &str, help: Option<&str>) -> Exit {
    terminal::usage_error(message, help);
    Exit::Invalid
}

/// The inputs the run started with (secrets in them are masked in the journal).
fn recorded_inputs(journal: &Journal) -> Vec<(String, Value)> {
    journal
        .events_named("run_started")
        .next()
        .and_then(|event| event["inputs"].as_object())
        .map(|inputs| inputs.iter().map(|(name, value)| (name.clone(), value.clone())).collect())
        .unwrap_or_default()
}

/// Top-level steps whose last end was passed, skipped or tolerated, with their results. A
/// step of a called runbook (`call/step`) is not one: the call runs whole again.
fn restorable_steps(journal: &Journal) -> HashMap<String, Value> {
    let mut restored = HashMap::new();
    for event in journal.events_named("step_finished") {
        let Some(id) = event["step_id"].as_str().filter(|id| !id.contains('/')) else { continue };
        match event["outcome"].as_str() {
            Some("passed" | "skipped" | "tolerated") => {
                restored.insert(id.to_owned(), event["result"].clone());
            }
            _ => {
                restored.remove(id);
            }
        }
    }
    restored
}
