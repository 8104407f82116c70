//! Runs every enabled rule over the runbooks of one lint run, then applies ignore comments,
//! configured levels and denials.

use std::sync::atomic::{AtomicUsize, Ordering};

use rbx_diagnostics::Diagnostic;
use rbx_model::Runbook;

use crate::config::Config;
use crate::context::FileContext;
use crate::registry::RULES;
use crate::rule::RuleCheck;
use crate::suppress::Suppressions;

/// How to lint.
#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    /// Levels and denials.
    pub config: Config,
    /// Run `shellcheck` over shell steps (W251) when it is installed.
    pub shellcheck: bool,
}

/// The rule diagnostics of each runbook (same order as `runbooks`), sorted by position.
/// Runbooks are linted together so that rules across files (W247) see all of them.
pub fn lint(runbooks: &[&Runbook], options: &LintOptions) -> Vec<Vec<Diagnostic>> {
    let contexts: Vec<FileContext<'_>> =
        runbooks.iter().map(|runbook| FileContext::new(runbook, options.shellcheck)).collect();
    let enabled: Vec<RuleCheck> =
        RULES.iter().filter(|rule| options.config.enabled(rule.code.id)).map(|rule| rule.check).collect();
    let file_checks: Vec<FileCheck> = enabled
        .iter()
        .filter_map(|check| match check {
            RuleCheck::File(check) => Some(*check),
            RuleCheck::Project(_) => None,
        })
        .collect();
    let steps: usize = runbooks.iter().map(|runbook| runbook.steps.len() + runbook.finally.len()).sum();
    // Each rule code is its own, and diagnostics are sorted by position and code below: running
    // the project rules after the file rules changes no output.
    let mut found = if steps >= PARALLEL_MIN_STEPS {
        run_in_parallel(&contexts, &file_checks)
    } else {
        run_in_order(&contexts, &file_checks)
    };
    for check in &enabled {
        if let RuleCheck::Project(check) = check {
            check(&contexts, &mut found);
        }
    }
    contexts
        .iter()
        .zip(found)
        .map(|(cx, diagnostics)| {
            let suppressions = Suppressions::of(cx.file());
            let mut kept: Vec<Diagnostic> = diagnostics
                .into_iter()
                .filter(|diagnostic| !suppressions.silences(cx.file(), diagnostic))
                .map(|diagnostic| options.config.apply(diagnostic))
                .collect();
            kept.sort_by_key(|d| (d.span.start, d.code.id));
            kept
        })
        .collect()
}

type FileCheck = fn(&FileContext<'_>, &mut Vec<Diagnostic>);

/// Below this many steps in all, the rules run on the calling thread: a thread costs more
/// than it saves.
const PARALLEL_MIN_STEPS: usize = 256;

fn run_in_order(contexts: &[FileContext<'_>], checks: &[FileCheck]) -> Vec<Vec<Diagnostic>> {
    let mut found: Vec<Vec<Diagnostic>> = vec![Vec::new(); contexts.len()];
    for check in checks {
        for (cx, out) in contexts.iter().zip(found.iter_mut()) {
            check(cx, out);
        }
    }
    found
}

/// Every (rule, file) pair is a job, taken from a shared counter by one thread per core (this
/// one included); each job's diagnostics are then appended in job order, so the result is the
/// one [`run_in_order`] gives. A single large file is spread over the cores by its rules, a
/// directory of small files by its files.
fn run_in_parallel(contexts: &[FileContext<'_>], checks: &[FileCheck]) -> Vec<Vec<Diagnostic>> {
    let jobs: Vec<(FileCheck, usize)> =
        checks.iter().flat_map(|check| (0..contexts.len()).map(move |file| (*check, file))).collect();
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let job = next.fetch_add(1, Ordering::Relaxed);
            let Some(&(check, file)) = jobs.get(job) else { return done };
            let mut out = Vec::new();
            check(&contexts[file], &mut out);
            if !out.is_empty() {
                done.push((job, out));
            }
        }
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
    let mut by_job: Vec<(usize, Vec<Diagnostic>)> = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
        let mut done = work();
        for helper in helpers {
            done.extend(helper.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
        }
        done
    });
    by_job.sort_unstable_by_key(|(job, _)| *job);
    let mut found: Vec<Vec<Diagnostic>> = vec![Vec::new(); contexts.len()];
    for (job, diagnostics) in by_job {
        found[jobs[job].1].extend(diagnostics);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every bad rule fixture at once, over both cores: the same diagnostics in the same order
    /// as one rule and one file after another.
    #[test]
    fn rules_in_parallel_find_what_rules_in_order_find() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bad");
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .collect();
        paths.sort();
        let runbooks: Vec<_> =
            paths.iter().filter_map(|path| rbx_model::Loader::new().load_path(path).runbook).collect();
        assert!(runbooks.len() > 20, "{} fixtures loaded", runbooks.len());
        let contexts: Vec<FileContext<'_>> = runbooks.iter().map(|runbook| FileContext::new(runbook, false)).collect();
        let checks: Vec<FileCheck> = RULES
            .iter()
            .filter_map(|rule| match rule.check {
                RuleCheck::File(check) => Some(check),
                RuleCheck::Project(_) => None,
            })
            .collect();
        let in_order = run_in_order(&contexts, &checks);
        assert!(in_order.iter().filter(|found| !found.is_empty()).count() > 20);
        assert_eq!(run_in_parallel(&contexts, &checks), in_order);
    }
}
