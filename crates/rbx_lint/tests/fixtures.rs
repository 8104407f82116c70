//! The rule fixtures: `tests/fixtures/bad/CODE.yaml` fires rule CODE exactly where its header
//! says (`# expect: W211 12:9`, one line per diagnostic: code, 1-based line and column in
//! characters) and nothing else; `tests/fixtures/good/CODE.yaml` fires nothing at all. Each bad
//! fixture's diagnostics are also snapshot as a person reads them.

use std::path::{Path, PathBuf};

use rbx_diagnostics::{Diagnostic, RenderStyle, SourceFile, render_human};
use rbx_lint::{LintOptions, RULES, lint};
use rbx_model::Loader;

type Position = (String, usize, usize);

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn shellcheck_installed() -> bool {
    std::process::Command::new("shellcheck").arg("--version").output().is_ok_and(|o| o.status.success())
}

/// Loads one fixture (it must load without a diagnostic) and lints it alone.
fn lint_fixture(relative: &str, shellcheck: bool) -> (std::sync::Arc<SourceFile>, Vec<Diagnostic>) {
    let text = std::fs::read_to_string(fixtures().join(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"));
    let file = SourceFile::new(relative, text);
    let loaded = Loader::new().load_source(file.clone());
    let runbook = loaded.runbook.unwrap_or_else(|| {
        panic!("{relative} does not load:\n{}", render_human(&file, &loaded.diagnostics, RenderStyle::Plain))
    });
    assert!(loaded.diagnostics.is_empty(), "{relative} has load diagnostics");
    let options = LintOptions { shellcheck, ..LintOptions::default() };
    let mut diagnostics = lint(&[&runbook], &options);
    (file, diagnostics.pop().unwrap_or_default())
}

fn expected(file: &SourceFile) -> Vec<Position> {
    file.text()
        .lines()
        .filter_map(|line| line.strip_prefix("# expect: "))
        .map(|rest| {
            let (code, at) = rest.split_once(' ').unwrap_or((rest, ""));
            let (line, column) = at.split_once(':').unwrap_or(("0", "0"));
            (code.to_owned(), line.trim().parse().unwrap_or(0), column.trim().parse().unwrap_or(0))
        })
        .collect()
}

fn positions(file: &SourceFile, diagnostics: &[Diagnostic]) -> Vec<Position> {
    diagnostics
        .iter()
        .map(|d| {
            let at = file.line_col(d.span.start);
            (d.code.id.to_owned(), at.line, at.column)
        })
        .collect()
}

fn check(kind: &str, code: &str) {
    let relative = format!("{kind}/{code}.yaml");
    if code == "W251" && !shellcheck_installed() {
        eprintln!("skipped {relative}: shellcheck is not installed");
        return;
    }
    // Only W251's fixtures go through shellcheck, so that the others do not depend on it.
    let (file, diagnostics) = lint_fixture(&relative, code == "W251");
    let want = expected(&file);
    let got = positions(&file, &diagnostics);
    let rendered = render_human(&file, &diagnostics, RenderStyle::Plain);
    assert_eq!(got, want, "{relative}: diagnostics differ from its header:\n{rendered}");
    if kind == "bad" {
        assert!(!want.is_empty(), "{relative} expects nothing");
        assert!(want.iter().all(|(c, _, _)| c == code), "{relative} fires other rules");
        let mut settings = insta::Settings::clone_current();
        settings.set_omit_expression(true);
        settings.set_snapshot_suffix(code);
        settings.bind(|| insta::assert_snapshot!("bad", rendered));
    }
}

#[test]
fn every_rule_has_a_bad_and_a_good_fixture() {
    for rule in RULES {
        for kind in ["bad", "good"] {
            let path = fixtures().join(kind).join(format!("{}.yaml", rule.code.id));
            assert!(path.is_file(), "missing fixture {}", path.display());
        }
    }
}

#[test]
fn bad_fixtures_fire_where_they_say() {
    let mut failures = Vec::new();
    for rule in RULES {
        if let Err(panic) = std::panic::catch_unwind(|| check("bad", rule.code.id)) {
            failures.push(panic.downcast_ref::<String>().cloned().unwrap_or_else(|| rule.code.id.to_owned()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn good_fixtures_fire_nothing() {
    let mut failures = Vec::new();
    for rule in RULES {
        if let Err(panic) = std::panic::catch_unwind(|| check("good", rule.code.id)) {
            failures.push(panic.downcast_ref::<String>().cloned().unwrap_or_else(|| rule.code.id.to_owned()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
