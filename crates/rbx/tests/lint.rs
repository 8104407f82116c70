//! `rbx lint` as a user runs it: every output format on one fixture set, SARIF against its
//! schema, columns on a line with non-ASCII text, exit codes, `--deny`, `.rbx.toml` discovery and
//! `--config`, ignore comments, rules across files, `--shellcheck` and `--explain`.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;

/// Longer than any lint should take; a hang fails instead of blocking the suite.
const PROCESS_TIMEOUT: Duration = Duration::from_secs(120);

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lint")
}

/// `rbx` in `dir`, without colour.
fn rbx(dir: &Path) -> Command {
    let mut command = Command::cargo_bin("rbx").expect("the rbx binary is built");
    command.current_dir(dir).env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE").timeout(PROCESS_TIMEOUT);
    command
}

fn lint(dir: &Path, args: &[&str]) -> Output {
    rbx(dir).arg("lint").args(args).output().expect("rbx lint runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", stdout(output)))
}

/// A temporary directory holding `files` (relative path, text).
fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    for (path, text) in files {
        let path = dir.path().join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create directory");
        }
        std::fs::write(path, text).expect("write file");
    }
    dir
}

const CLEAN: &str = "rbx: 1\nid: clean\ntitle: Clean\nsummary: Nothing to say.\nseverity: SEV4\ntriggers: [Clean]\nsteps:\n  - id: hello\n    title: Hello\n    shell: echo hello\n";

const QUOTED: &str = "rbx: 1\nid: quoted\ntitle: Quoted\nsummary: One warning.\nseverity: SEV4\ntriggers: [Quoted]\ninputs:\n  x: { default: a }\nsteps:\n  - id: hello\n    title: Hello\n    shell: echo \"{{inputs.x}}\"\n";

fn snapshot(name: &str, output: &Output) {
    let text = format!(
        "exit: {:?}\n--- stdout ---\n{}--- stderr ---\n{}",
        output.status.code(),
        stdout(output),
        String::from_utf8_lossy(&output.stderr)
    );
    let mut settings = insta::Settings::clone_current();
    settings.set_omit_expression(true);
    // The version in SARIF changes with releases.
    settings.add_filter(r#""version": "\d+\.\d+\.\d+[^"]*""#, r#""version": "[version]""#);
    settings.bind(|| insta::assert_snapshot!(name, text));
}

#[test]
fn every_format_on_one_fixture_set() {
    for format in ["human", "github", "json", "sarif"] {
        let output = lint(&fixtures(), &["formats", "--format", format]);
        assert_eq!(output.status.code(), Some(1), "{format}: the set has errors");
        snapshot(&format!("formats_{format}"), &output);
    }
}

#[test]
fn a_line_with_non_ascii_text_has_the_right_column_in_every_format() {
    // `    shell: echo "😀 {{inputs.city}}"`: `{{` is the 20th character, the 21st UTF-16 unit.
    let file = "formats/zurich.yaml";
    let human = stdout(&lint(&fixtures(), &[file]));
    assert!(human.contains("--> formats/zurich.yaml:12:20"), "{human}");
    let github = stdout(&lint(&fixtures(), &[file, "--format", "github"]));
    assert!(github.contains("line=12,col=20,endLine=12,endColumn=35,title=W213"), "{github}");
    let document = json(&lint(&fixtures(), &[file, "--format", "json"]));
    let w213 = document["diagnostics"].as_array().and_then(|d| d.iter().find(|d| d["code"] == "W213")).cloned();
    let w213 = w213.unwrap_or_default();
    assert_eq!(
        (w213["line"].clone(), w213["column"].clone(), w213["column_utf16"].clone()),
        (12.into(), 20.into(), 21.into())
    );
    let sarif = json(&lint(&fixtures(), &[file, "--format", "sarif"]));
    let results = sarif["runs"][0]["results"].as_array().cloned().unwrap_or_default();
    let region =
        results.iter().find(|r| r["ruleId"] == "W213").map(|r| r["locations"][0]["physicalLocation"]["region"].clone());
    let region = region.unwrap_or_default();
    assert_eq!(
        (region["startLine"].clone(), region["startColumn"].clone(), region["endColumn"].clone()),
        (12.into(), 21.into(), 36.into())
    );
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("sarif-schema-2.1.0.json")).expect("the vendored schema"),
    )
    .expect("the schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let document = json(&lint(&fixtures(), &["formats", "--format", "sarif"]));
    let errors: Vec<String> =
        validator.iter_errors(&document).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "SARIF does not validate:\n{}", errors.join("\n"));
    let rules = document["runs"][0]["tool"]["driver"]["rules"].as_array().cloned().unwrap_or_default();
    let ids: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
    assert_eq!(ids, ["E105", "E201", "W213", "I245"], "every code that occurs, described once");
    assert!(rules.iter().all(|r| r["help"]["text"].as_str().is_some_and(|t| !t.is_empty())));
    assert_eq!(document["runs"][0]["columnKind"], "utf16CodeUnits");
    // A SARIF with nothing to report still validates.
    let clean = project(&[("clean.yaml", CLEAN)]);
    let empty = json(&lint(clean.path(), &["clean.yaml", "--format", "sarif"]));
    assert!(validator.is_valid(&empty));
    assert_eq!(empty["runs"][0]["results"], Value::Array(Vec::new()));
}

#[test]
fn exit_codes() {
    let dir = project(&[("clean.yaml", CLEAN), ("quoted.yaml", QUOTED)]);
    let code = |args: &[&str]| lint(dir.path(), args).status.code();
    assert_eq!(code(&["clean.yaml"]), Some(0), "clean");
    assert_eq!(code(&["quoted.yaml"]), Some(0), "warnings only");
    assert_eq!(code(&["quoted.yaml", "--deny", "warnings"]), Some(1), "denied warnings");
    assert_eq!(code(&["quoted.yaml", "--deny", "W213"]), Some(1), "a denied rule");
    assert_eq!(code(&["quoted.yaml", "--deny", "template-in-shell-quotes"]), Some(1), "a denied rule by name");
    assert_eq!(code(&["clean.yaml", "--deny", "warnings"]), Some(0), "nothing to deny");
    assert_eq!(code(&["quoted.yaml", "--deny", "W999"]), Some(2), "an unknown rule");
    assert_eq!(code(&["missing.yaml"]), Some(2), "an unreadable path");
    assert_eq!(code(&["clean.yaml", "--config", "missing.toml"]), Some(2), "an unreadable configuration");
    assert_eq!(lint(&fixtures(), &["formats"]).status.code(), Some(1), "errors");
}

#[test]
fn denied_warnings_are_shown_as_errors() {
    let dir = project(&[("quoted.yaml", QUOTED)]);
    let output = lint(dir.path(), &["quoted.yaml", "--deny", "warnings"]);
    assert!(stdout(&output).contains("error[W213]"), "{}", stdout(&output));
    assert!(String::from_utf8_lossy(&output.stderr).contains("1 error, 0 warnings"));
}

#[test]
fn rbx_toml_is_found_upwards_and_config_overrides_it() {
    let dir = project(&[
        (".rbx.toml", "[lint.rules]\nW213 = \"off\"\n"),
        ("runbooks/quoted.yaml", QUOTED),
        ("strict.toml", "[lint]\ndeny = [\"warnings\"]\n"),
        ("broken.toml", "[lint.rules]\nW213 = \"loud\"\n"),
    ]);
    let nested = dir.path().join("runbooks");
    let silenced = lint(&nested, &["quoted.yaml", "--format", "json"]);
    assert_eq!(json(&silenced)["diagnostics"], Value::Array(Vec::new()), "W213 is off in the parent's .rbx.toml");
    let strict = lint(&nested, &["quoted.yaml", "--config", "../strict.toml"]);
    assert_eq!(strict.status.code(), Some(1), "--config replaces the discovered file");
    let broken = lint(&nested, &["quoted.yaml", "--config", "../broken.toml"]);
    assert_eq!(broken.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&broken.stderr);
    assert!(stderr.contains("invalid `../broken.toml`"), "{stderr}");
}

#[test]
fn ignore_comments_silence_a_rule_on_their_line_or_the_next() {
    let text = QUOTED.replace("    shell: echo \"{{inputs.x}}\"\n", "    # rbx-lint: ignore W213\n    shell: echo \"{{inputs.x}}\"\n  - id: again\n    title: Again\n    shell: echo \"{{inputs.x}}\"  # rbx-lint: ignore W213\n  - id: third\n    title: Third\n    shell: echo \"{{inputs.x}}\"  # rbx-lint: ignore W211\n");
    let dir = project(&[("quoted.yaml", &text)]);
    let document = json(&lint(dir.path(), &["quoted.yaml", "--format", "json"]));
    let found: Vec<(String, u64)> = document["diagnostics"]
        .as_array()
        .map(|d| {
            d.iter().map(|d| (d["code"].as_str().unwrap_or("").to_owned(), d["line"].as_u64().unwrap_or(0))).collect()
        })
        .unwrap_or_default();
    assert_eq!(found, [("W213".to_owned(), 19)], "only the third step's W213 is left");
}

#[test]
fn a_trigger_in_two_runbooks_is_reported_with_the_other_place() {
    let other = CLEAN.replace("id: clean", "id: other");
    let dir = project(&[("a.yaml", CLEAN), ("b.yaml", &other)]);
    let output = lint(dir.path(), &["."]);
    let text = stdout(&output);
    assert!(text.contains("warning[W247]: trigger `Clean` is answered by another runbook too"), "{text}");
    assert!(text.contains("--> ./b.yaml:6:12") && text.contains("first listed in `./a.yaml` at 6:12"), "{text}");
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn shellcheck_is_skipped_quietly_when_it_is_not_installed() {
    let dir = project(&[("loop.yaml", &CLEAN.replace("shell: echo hello", "shell: for f in $(ls); do echo $f; done"))]);
    let empty_path = tempfile::tempdir().expect("temporary directory");
    let output = rbx(dir.path())
        .args(["lint", "loop.yaml", "--shellcheck", "--format", "json"])
        .env("PATH", empty_path.path())
        .output()
        .expect("rbx lint runs");
    assert_eq!(json(&output)["diagnostics"], Value::Array(Vec::new()));
    assert!(output.stderr.is_empty(), "{}", String::from_utf8_lossy(&output.stderr));
    let installed =
        std::process::Command::new("shellcheck").arg("--version").output().is_ok_and(|o| o.status.success());
    if !installed {
        eprintln!("skipped the half with shellcheck: it is not installed");
        return;
    }
    let checked = json(&lint(dir.path(), &["loop.yaml", "--shellcheck", "--format", "json"]));
    let codes: Vec<&str> = checked["diagnostics"]
        .as_array()
        .map(|d| d.iter().filter_map(|d| d["code"].as_str()).collect())
        .unwrap_or_default();
    assert!(!codes.is_empty() && codes.iter().all(|c| *c == "W251"), "{codes:?}");
    let without = json(&lint(dir.path(), &["loop.yaml", "--format", "json"]));
    assert_eq!(without["diagnostics"], Value::Array(Vec::new()), "opt-in only");
}

#[test]
fn explain_prints_a_rule_or_a_load_code() {
    let rule = lint(&fixtures(), &["--explain", "W211"]);
    assert_eq!(rule.status.code(), Some(0));
    snapshot("explain_w211", &rule);
    let load = stdout(&lint(&fixtures(), &["--explain", "e105"]));
    assert!(load.starts_with("E105 invalid-duration (load error; cannot be ignored)"), "{load}");
    let unknown = lint(&fixtures(), &["--explain", "W999"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("unknown code `W999`"));
}

#[test]
fn a_directory_walk_finds_runbooks_in_flow_style_and_passes_over_other_yaml() {
    let flow = r#"{"rbx": 1, "id": "flow", "title": "Flow", "summary": "Written as JSON.", "severity": "SEV4", "triggers": ["Flow"], "steps": [{"id": "hello", "title": "Hello", "shell": "echo hello"}]}"#;
    let dir = project(&[
        ("runbooks/flow.yaml", flow),
        ("runbooks/clean.yaml", CLEAN),
        ("runbooks/compose.yaml", "services: { web: { image: nginx, labels: { rbx: yes } } }\n"),
    ]);
    let output = lint(dir.path(), &["runbooks"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("checked 2 runbooks: 0 errors"), "{stderr}");
    let listed = rbx(dir.path()).args(["list", "runbooks", "--format", "json"]).output().expect("rbx list runs");
    let ids: Vec<String> = json(&listed)
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|row| row["id"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(ids, ["clean", "flow"], "{}", stdout(&listed));
}
