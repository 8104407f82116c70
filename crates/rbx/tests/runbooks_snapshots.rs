//! What a responder reads from the library, snapshotted: the `--dry-run` plan of every runbook
//! under `runbooks/` (inputs at their defaults, nothing run), and every communication and
//! postmortem template of `runbooks/templates/` rendered by `rbx report --template` from real
//! runs of RB-002 against the fake MaintainX API: one that mitigated, one left waiting on a person.

mod common;
mod journal_support;

use std::path::{Path, PathBuf};

use common::{Outcome, tempdir, yaml_files};
use journal_support::{Journaled, run_id};
use rbx_fake::{Config, FakeMaintainx, Fault};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every runbook of the library (policy files are YAML but not runbooks).
fn library_runbooks() -> Vec<PathBuf> {
    yaml_files(&root().join("runbooks"))
        .into_iter()
        .filter(|file| std::fs::read_to_string(file).is_ok_and(|t| t.lines().any(|l| l.starts_with("rbx:"))))
        .collect()
}

/// The snapshot name of a library file: `maintainx/rb-001-api-unreachable.yaml` →
/// `maintainx__rb-001-api-unreachable`.
fn snapshot_name(file: &Path) -> String {
    let relative = file.strip_prefix(root().join("runbooks")).unwrap_or(file);
    relative.with_extension("").to_string_lossy().replace('/', "__")
}

#[test]
fn every_library_runbook_has_a_dry_run_plan() {
    let runbooks = library_runbooks();
    assert_eq!(runbooks.len(), 17, "5 MaintainX and 12 RepairX runbooks: {runbooks:?}");
    let library = format!("{}/", root().join("runbooks").display());
    for file in runbooks {
        let scratch = tempdir();
        let outcome = common::Rbx::new().arg("run").arg(&file).arg("--dry-run").cwd(scratch.path()).output();
        outcome.expect_code(0);
        assert!(common::entries(scratch.path()).is_empty(), "{}: a dry run ran something", file.display());
        let plan = outcome.stdout.replace(&library, "[RUNBOOKS]/");
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path("snapshots");
        settings.set_prepend_module_to_snapshot(false);
        settings.bind(|| insta::assert_snapshot!(format!("dry_run__{}", snapshot_name(&file)), plan));
    }
}

/// RB-002 against the fake with `faults`, journaled in `journal`; `args` after the runbook.
fn rb002(journal: &Journaled, faults: Vec<Fault>, args: &[&str]) -> Outcome {
    let api = FakeMaintainx::spawn_in_thread(Config::default()).expect("the fake MaintainX API starts");
    api.set_faults(faults);
    let scratch = tempdir();
    journal
        .rbx()
        .arg("run")
        .arg(root().join("runbooks/maintainx/rb-002-high-error-rate.yaml"))
        .var("api_base", api.base_url())
        .env("MAINTAINX_API_KEY", &api.api_key)
        .args(["--incident", "INC-7"])
        .args(args)
        .cwd(scratch.path())
        .output()
}

fn template_names() -> Vec<String> {
    let mut names: Vec<String> =
        common::entries(&root().join("runbooks/templates")).into_iter().filter(|n| n.ends_with(".hbs")).collect();
    names.sort();
    names
}

/// Renders every template over the report of the journal's one run, snapshotting each as
/// `template__{scenario}__{name}`.
fn render_every_template(journal: &Journaled, scenario: &str) {
    let id = run_id(&journal.only_run());
    let names = template_names();
    assert_eq!(names.len(), 6, "four communication templates and two postmortems: {names:?}");
    for name in names {
        let template = root().join("runbooks/templates").join(&name);
        let outcome = journal.rbx().args(["report", &id, "--template"]).arg(&template).output();
        outcome.expect_code(0);
        assert_eq!(outcome.stderr, "", "{name}");
        let text = outcome.stdout;
        assert!(!text.contains("null"), "{name} printed a null:\n{text}");
        let mut filters = journal_support::report_filters();
        filters.push((r"\b\d+ ms\b".into(), "[DURATION]".into()));
        let filters: Vec<(&str, &str)> = filters.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path("snapshots");
        settings.set_prepend_module_to_snapshot(false);
        for (pattern, replacement) in filters {
            settings.add_filter(pattern, replacement);
        }
        let stem = name.trim_end_matches(".md.hbs");
        settings.bind(|| insta::assert_snapshot!(format!("template__{scenario}__{stem}"), text));
    }
}

#[test]
fn the_templates_render_a_mitigated_run() {
    let journal = Journaled::new();
    // 7% of the sample fails with 503: over budget, so the 5xx mitigation runs (confirmed).
    rb002(&journal, vec![Fault::error_rate(7.0, 503).on_path("/v1/workorders")], &["--yes"]).expect_code(0);
    render_every_template(&journal, "mitigated");
}

#[test]
fn the_templates_render_a_run_waiting_on_a_person() {
    let journal = Journaled::new();
    // The same fault with no one to answer the circuit breaker's manual step: the run stops
    // pending there.
    rb002(&journal, vec![Fault::error_rate(7.0, 503).on_path("/v1/workorders")], &[]).expect_code(3);
    render_every_template(&journal, "pending");
}
