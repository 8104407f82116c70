//! `--only ID...` and `--from ID`: which of the runbook's `steps` run (`finally` always does).
//! Checked before the run: an unknown id, or a step that would read a step left out, stops the
//! run before anything happens.

use std::collections::HashSet;

use rbx_diagnostics::{Diagnostic, codes, did_you_mean};
use rbx_model::Runbook;

/// The steps a run runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Ids of the `steps` that run; `None`: all of them.
    pub steps: Option<HashSet<String>>,
}

impl Selection {
    /// Whether the step with this id runs (`finally` steps always do).
    pub fn runs(&self, id: &str, in_finally: bool) -> bool {
        in_finally || self.steps.as_ref().is_none_or(|steps| steps.contains(id))
    }
}

/// A problem with `--only` / `--from`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SelectionProblem {
    /// The id names no step; with the nearest id, if one is close.
    UnknownStep {
        /// The flag (`--only` or `--from`).
        flag: &'static str,
        /// The id given.
        id: String,
        /// A close id.
        suggestion: Option<String>,
    },
    /// A selected step reads a step that would not run (a diagnostic on the runbook).
    Unmet(Diagnostic),
}

/// Resolves `--only` (repeatable) or `--from` against the runbook.
pub fn select(runbook: &Runbook, only: &[String], from: Option<&str>) -> Result<Selection, Vec<SelectionProblem>> {
    let ids: Vec<&str> = runbook.steps.iter().map(|step| step.id.value.as_str()).collect();
    let finally_ids: Vec<&str> = runbook.finally.iter().map(|step| step.id.value.as_str()).collect();
    let mut problems = Vec::new();
    let mut check_known = |flag: &'static str, id: &str| {
        let known = ids.contains(&id) || (flag == "--only" && finally_ids.contains(&id));
        if !known {
            let suggestion = did_you_mean(id, ids.iter().copied()).map(str::to_owned);
            problems.push(SelectionProblem::UnknownStep { flag, id: id.to_owned(), suggestion });
        }
    };
    let selected: Option<HashSet<String>> = match (only, from) {
        ([], None) => None,
        (only, None) => {
            only.iter().for_each(|id| check_known("--only", id));
            Some(only.iter().cloned().collect())
        }
        (_, Some(from)) => {
            check_known("--from", from);
            let start = ids.iter().position(|id| *id == from).unwrap_or(ids.len());
            Some(ids[start..].iter().map(|id| (*id).to_owned()).collect())
        }
    };
    let selection = Selection { steps: selected };
    if problems.is_empty() {
        let fix = if from.is_some() { "start earlier: `--from" } else { "add `--only" };
        problems.extend(unmet_reads(runbook, &selection, fix).into_iter().map(SelectionProblem::Unmet));
    }
    if problems.is_empty() { Ok(selection) } else { Err(problems) }
}

/// Each read of a step, by a step that runs, where none of the steps providing the value runs.
fn unmet_reads(runbook: &Runbook, selection: &Selection, fix: &str) -> Vec<Diagnostic> {
    let steps: Vec<&rbx_model::Step> = runbook.all_steps().collect();
    let mut problems = Vec::new();
    for read in &runbook.reads {
        let Some(reader) = steps.get(read.reader) else { continue };
        if !selection.runs(&reader.id.value, reader.in_finally) {
            continue;
        }
        let provided = read.providers.iter().any(|provider| {
            steps.iter().any(|step| step.id.value == *provider && selection.runs(provider, step.in_finally))
        });
        if !provided {
            let providers: Vec<String> = read.providers.iter().map(|p| format!("`{p}`")).collect();
            problems.push(
                Diagnostic::new(
                    codes::INVALID_SELECTION,
                    read.span,
                    format!(
                        "step `{}` reads `{}`, but {} will not run",
                        reader.id.value,
                        read.reference,
                        providers.join(" or ")
                    ),
                )
                .with_label("not set in this run")
                .with_help(format!("{fix} {}`", read.providers[0])),
            );
        }
    }
    problems
}
