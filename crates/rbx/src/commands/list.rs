//! `rbx list PATH... [--trigger ALERT]`
//!
//! Beside each runbook's severity, the escalation chain for that severity from the
//! `policy.yaml` nearest to the runbook (its directory, then each parent), when there is one.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rbx_report::diagnostics::{DiagnosticFormat, FileDiagnostics, render};
use serde_json::Value;

use crate::cli::{ListArgs, RunFormat};
use crate::discover;
use crate::exit::Exit;
use crate::terminal;

#[derive(serde::Serialize)]
struct Row {
    id: String,
    title: String,
    severity: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    escalation: Option<Vec<Escalation>>,
    triggers: Vec<String>,
    file: String,
}

/// One level of an escalation chain: who is paged, and by when.
#[derive(Debug, Clone, serde::Serialize)]
struct Escalation {
    role: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    within: Option<String>,
}

/// A policy file: the escalation chain of each severity, keyed `SEV1`..`SEV4`.
type Policy = HashMap<String, Vec<Escalation>>;

pub fn run(args: ListArgs) -> Exit {
    let (found, walk_failed) = discover::load_runbooks(&args.paths);
    let mut rows = Vec::new();
    let mut broken = Vec::new();
    let mut policies = Policies::default();
    let mut listed = Vec::new();
    for loaded in found {
        let Some(runbook) = loaded.runbook.clone() else {
            broken.push(FileDiagnostics { file: loaded.file, diagnostics: loaded.diagnostics });
            continue;
        };
        if let Some(trigger) = &args.trigger
            && !runbook.triggers.iter().any(|t| t.value.eq_ignore_ascii_case(trigger))
        {
            continue;
        }
        let severity = runbook.severity.as_ref().map(|s| s.value.as_str());
        let escalation = severity.and_then(|severity| {
            let policy = policies.nearest(loaded.file.path())?;
            Some(policy.get(severity).cloned().unwrap_or_default())
        });
        rows.push(Row {
            id: runbook.id.value.clone(),
            title: runbook.display_title().to_owned(),
            severity,
            escalation,
            triggers: runbook.triggers.iter().map(|t| t.value.clone()).collect(),
            file: loaded.file.path().display().to_string(),
        });
        listed.push(loaded);
    }
    match args.format {
        RunFormat::Json => println!("{}", serde_json::to_string_pretty(&rows).unwrap_or_default()),
        RunFormat::Human => print_table(&rows),
    }
    if !broken.is_empty() {
        eprint!("{}", render(&broken, DiagnosticFormat::Human(terminal::stderr_style())));
        eprintln!("{} file(s) could not be listed; `rbx lint` shows every problem", broken.len());
    }
    // As in `rbx lint`: the process ends next, and freeing a large runbook step by step only
    // delays the exit.
    std::mem::forget(listed);
    if walk_failed || !broken.is_empty() || policies.failed { Exit::Invalid } else { Exit::Success }
}

/// The policy files found so far, by directory (`None`: the directory has none).
#[derive(Default)]
struct Policies {
    by_dir: HashMap<PathBuf, Option<Arc<Policy>>>,
    failed: bool,
}

impl Policies {
    /// The policy nearest to `runbook`: `policy.yaml` in its directory or the closest parent.
    fn nearest(&mut self, runbook: &Path) -> Option<Arc<Policy>> {
        let dir = runbook
            .parent()
            .and_then(|d| std::fs::canonicalize(if d.as_os_str().is_empty() { Path::new(".") } else { d }).ok())?;
        let mut visited = Vec::new();
        let mut found = None;
        for ancestor in dir.ancestors() {
            if let Some(known) = self.by_dir.get(ancestor) {
                found = known.clone();
                break;
            }
            visited.push(ancestor.to_path_buf());
            let candidate = ancestor.join("policy.yaml");
            if candidate.is_file() {
                found = self.read(&candidate).map(Arc::new);
                break;
            }
        }
        for dir in visited {
            self.by_dir.insert(dir, found.clone());
        }
        found
    }

    /// Reads a policy file; a broken one is reported (once: the result is cached by directory).
    fn read(&mut self, path: &Path) -> Option<Policy> {
        let file = match rbx_syntax::read_source(path) {
            Ok(file) => file,
            Err(error) => return self.refuse(path, &error.message),
        };
        let parsed = rbx_syntax::parse(&file);
        if !parsed.diagnostics.is_empty() {
            eprint!(
                "{}",
                render(
                    &[FileDiagnostics { file: file.clone(), diagnostics: parsed.diagnostics }],
                    DiagnosticFormat::Human(terminal::stderr_style())
                )
            );
            return self.refuse(path, "it is not valid YAML");
        }
        let document = parsed.root.map(|root| root.to_json()).unwrap_or(Value::Null);
        match policy_from_json(&document) {
            Ok(policy) => Some(policy),
            Err(problem) => self.refuse(path, &problem),
        }
    }

    fn refuse(&mut self, path: &Path, problem: &str) -> Option<Policy> {
        self.failed = true;
        terminal::usage_error(
            &format!("cannot read the policy `{}`: {problem}", path.display()),
            Some(
                "a policy.yaml has `severities: { SEV1: { escalation: [ { role, within } ] } }`; see runbooks/policy.yaml",
            ),
        );
        None
    }
}

/// `severities.SEVn.escalation[]` of a policy document; severity keys are read as the runbook
/// format reads them (`SEV-1` and `sev1` are `SEV1`).
fn policy_from_json(document: &Value) -> Result<Policy, String> {
    let severities = document.get("severities").and_then(Value::as_object).ok_or("it has no `severities` mapping")?;
    let mut policy = Policy::new();
    for (name, level) in severities {
        let key = name.to_ascii_uppercase().replace('-', "");
        let chain = match level.get("escalation") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| {
                    let role = item
                        .get("role")
                        .and_then(Value::as_str)
                        .ok_or(format!("an escalation entry of `{name}` has no `role`"))?;
                    let within = item.get("within").and_then(|w| match w {
                        Value::String(text) => Some(text.clone()),
                        Value::Null => None,
                        other => Some(other.to_string()),
                    });
                    Ok(Escalation { role: role.to_owned(), within })
                })
                .collect::<Result<_, String>>()?,
            Some(_) => return Err(format!("`{name}.escalation` is not a list")),
        };
        policy.insert(key, chain);
    }
    Ok(policy)
}

/// `On-Call Engineer (5m) → Technical Lead (15m)`.
fn describe_chain(chain: &[Escalation]) -> String {
    if chain.is_empty() {
        return "-".to_owned();
    }
    let levels: Vec<String> = chain
        .iter()
        .map(|level| match &level.within {
            Some(within) => format!("{} ({within})", level.role),
            None => level.role.clone(),
        })
        .collect();
    levels.join(" → ")
}

fn print_table(rows: &[Row]) {
    // The escalation column only appears when a policy was found, so that listing runbooks
    // without one looks as it always did.
    let with_escalation = rows.iter().any(|r| r.escalation.is_some());
    let mut header = vec!["ID", "TITLE", "SEVERITY"];
    if with_escalation {
        header.push("ESCALATION");
    }
    header.extend(["TRIGGERS", "FILE"]);
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut row = vec![r.id.clone(), r.title.clone(), r.severity.unwrap_or("-").to_owned()];
            if with_escalation {
                row.push(r.escalation.as_deref().map_or_else(|| "-".to_owned(), describe_chain));
            }
            row.push(if r.triggers.is_empty() { "-".to_owned() } else { r.triggers.join(", ") });
            row.push(r.file.clone());
            row
        })
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &cells {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let last = header.len() - 1;
    let line = |cols: Vec<&str>| {
        let mut out = String::new();
        for (i, (col, width)) in cols.iter().zip(&widths).enumerate() {
            if i == last {
                out.push_str(col);
            } else {
                // `{:<width$}` pads by chars, which is what the widths count.
                out.push_str(&format!("{col:<width$}  "));
            }
        }
        out.trim_end().to_owned()
    };
    println!("{}", line(header.clone()));
    for row in &cells {
        println!("{}", line(row.iter().map(String::as_str).collect()));
    }
}
