//! `rbx graph`: the drawings of every example runbook and graph fixture, snapshotted in both
//! formats and rendered by Graphviz when it is installed; invalid runbooks refused like
//! `rbx run` refuses them; `-o FILE`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Outcome, Rbx, tempdir, yaml_files};

/// The repository root: runbooks are named relative to it, so paths in diagnostics are stable.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The runbooks drawn: `examples/`, `runbooks/` (when the repository has one) and
/// `tests/fixtures/graph/` (without the runbooks they call), relative to the root.
fn drawn_runbooks() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["examples", "runbooks", "tests/fixtures/graph"] {
        for file in yaml_files(&root().join(dir)) {
            if file.components().any(|part| part.as_os_str() == "support") {
                continue;
            }
            // Other YAML beside the runbooks (runbooks/policy.yaml) is not drawn.
            let is_runbook = std::fs::read_to_string(&file).is_ok_and(|t| t.lines().any(|l| l.starts_with("rbx:")));
            if !is_runbook {
                continue;
            }
            let relative = file.strip_prefix(root()).map(Path::to_path_buf).unwrap_or(file);
            files.push(relative);
        }
    }
    assert!(files.len() >= 4, "the examples and graph fixtures are missing: {files:?}");
    files
}

fn graph(file: &Path, format: &str) -> Outcome {
    Rbx::new().arg("graph").arg(file).args(["--format", format]).cwd(&root()).output()
}

/// A stable snapshot name: `examples/hello.yaml` in mermaid → `examples__hello.mermaid`.
fn snapshot_name(file: &Path, format: &str) -> String {
    let stem = file.with_extension("").to_string_lossy().replace(['/', '\\'], "__");
    format!("{stem}.{format}")
}

#[test]
fn every_runbook_drawn_in_both_formats() {
    for file in drawn_runbooks() {
        for (format, first_line) in [("mermaid", "flowchart TB\n"), ("dot", "digraph runbook {\n")] {
            let outcome = graph(&file, format);
            outcome.expect_code(0);
            assert_eq!(outcome.stderr, "", "{}", file.display());
            assert!(outcome.stdout.starts_with(first_line), "{}", outcome.dump());
            insta::assert_snapshot!(snapshot_name(&file, format), outcome.stdout);
        }
    }
}

#[test]
fn mermaid_is_the_default_format() {
    let file = Path::new("examples/hello.yaml");
    let default = Rbx::new().arg("graph").arg(file).cwd(&root()).output();
    default.expect_code(0);
    assert_eq!(default.stdout, graph(file, "mermaid").stdout);
}

/// Whether `dot` runs; when it does not, says so (the test calling this then skips).
fn graphviz_installed() -> bool {
    let installed = Command::new("dot").arg("-V").output().is_ok();
    if !installed {
        println!("skipped: Graphviz `dot` is not installed (apt-get install graphviz)");
    }
    installed
}

/// Graphviz is optional, so this test skips (saying so) where `dot` is not installed, CI
/// included; where it is, every drawing must render to SVG without a warning.
#[test]
fn graphviz_renders_every_dot_drawing() {
    if !graphviz_installed() {
        return;
    }
    let scratch = tempdir();
    for file in drawn_runbooks() {
        let outcome = graph(&file, "dot");
        outcome.expect_code(0);
        let source = scratch.path().join("graph.dot");
        std::fs::write(&source, &outcome.stdout).unwrap_or_else(|e| panic!("cannot write {}: {e}", source.display()));
        let rendered =
            Command::new("dot").arg("-Tsvg").arg(&source).output().unwrap_or_else(|e| panic!("cannot run dot: {e}"));
        let stderr = String::from_utf8_lossy(&rendered.stderr);
        assert!(
            rendered.status.success() && stderr.is_empty(),
            "dot rejected {}:\n{stderr}\n{}",
            file.display(),
            outcome.stdout
        );
        let svg = String::from_utf8_lossy(&rendered.stdout);
        assert!(svg.contains("<svg") && svg.contains("</svg>"), "{}: not an SVG document", file.display());
    }
}

#[test]
fn hostile_labels_keep_their_text_in_the_svg() {
    if !graphviz_installed() {
        return;
    }
    let outcome = graph(Path::new("tests/fixtures/graph/hostile-labels.yaml"), "dot");
    outcome.expect_code(0);
    let scratch = tempdir();
    let source = scratch.path().join("graph.dot");
    std::fs::write(&source, &outcome.stdout).unwrap_or_else(|e| panic!("cannot write {}: {e}", source.display()));
    let rendered = Command::new("dot").arg("-Tsvg").arg(&source).output().unwrap_or_else(|e| panic!("{e}"));
    let svg = String::from_utf8_lossy(&rendered.stdout);
    // Graphviz writes each label line as one SVG <text>, XML-escaped: the author's backslashes
    // stay backslashes (no `\N` turned into the node name) and markup stays text.
    for line in [
        "Quotes &quot; &#39; and \\N \\l \\\\ &lt;b&gt;bold&lt;/b&gt; &amp; &amp;amp; #quot; #35; %% `code`",
        "line two tab",
        "émoji 💥 ünïcödé",
    ] {
        assert!(svg.contains(&format!(">{line}</text>")), "missing `{line}` in\n{svg}");
    }
}

#[test]
fn an_invalid_runbook_is_refused_with_the_diagnostics_rbx_run_prints() {
    for file in ["tests/fixtures/run/invalid-runbook.yaml", "tests/fixtures/invalid/100-nested-runbook-invalid.yaml"] {
        let drawn = Rbx::new().args(["graph", file]).cwd(&root()).output();
        drawn.expect_code(2);
        assert_eq!(drawn.stdout, "");
        let run = Rbx::new().args(["run", file]).cwd(&root()).output();
        run.expect_code(2);
        let diagnostics = |stderr: &str, last: &str| {
            stderr.strip_suffix(last).unwrap_or_else(|| panic!("no `{last}` line:\n{stderr}")).to_owned()
        };
        assert_eq!(
            diagnostics(&drawn.stderr, "error: nothing was drawn\n"),
            diagnostics(&run.stderr, "error: nothing was run\n")
        );
    }
    let drawn = Rbx::new().args(["graph", "tests/fixtures/run/invalid-runbook.yaml"]).cwd(&root()).output();
    insta::assert_snapshot!("invalid_runbook_stderr", drawn.stderr);
}

#[test]
fn a_missing_file_exits_2() {
    let outcome = Rbx::new().args(["graph", "no/such/runbook.yaml"]).cwd(&root()).output();
    outcome.expect_code(2);
    assert!(outcome.stderr.contains("E001"), "{}", outcome.dump());
    assert!(outcome.stderr.ends_with("error: nothing was drawn\n"), "{}", outcome.dump());
}

#[test]
fn output_goes_to_the_file_named_by_dash_o() {
    let scratch = tempdir();
    let target = scratch.path().join("hello.dot");
    let written =
        Rbx::new().args(["graph", "examples/hello.yaml", "--format", "dot", "-o"]).arg(&target).cwd(&root()).output();
    written.expect_code(0);
    assert_eq!(written.stdout, "");
    let text = String::from_utf8(common::read(&target)).unwrap_or_else(|e| panic!("not UTF-8: {e}"));
    assert_eq!(text, graph(Path::new("examples/hello.yaml"), "dot").stdout);
}

#[test]
fn an_unwritable_output_file_exits_2() {
    let scratch = tempdir();
    let target = scratch.path().join("no-such-dir").join("graph.mmd");
    let outcome = Rbx::new().args(["graph", "examples/hello.yaml", "--output"]).arg(&target).cwd(&root()).output();
    outcome.expect_code(2);
    assert!(outcome.stderr.starts_with("error: cannot write `"), "{}", outcome.dump());
    assert!(!target.exists());
}

#[test]
fn help_and_completions_list_graph() {
    let help = Rbx::new().arg("--help").output();
    help.expect_code(0);
    assert!(help.stdout.contains("\n  graph "), "{}", help.stdout);
    let completions = Rbx::new().args(["completions", "bash"]).output();
    completions.expect_code(0);
    assert!(completions.stdout.contains(" list graph schema "), "{}", completions.stdout);
    assert!(completions.stdout.contains("mermaid dot"), "{}", completions.stdout);
}
