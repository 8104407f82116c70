//! The JSON Schema: generated from the types, checked in, and in agreement with the loader.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn schema() -> Value {
    let text = std::fs::read_to_string(workspace().join("schema/runbook.schema.json")).expect("schema file");
    serde_json::from_str(&text).expect("schema is JSON")
}

fn as_json(path: &Path) -> Value {
    let file = rbx_syntax::read_source(path).expect("readable");
    let parsed = rbx_syntax::parse(&file);
    parsed.root.map(|root| root.to_json()).unwrap_or(Value::Null)
}

fn is_runbook_file(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|text| text.lines().any(|l| l.starts_with("rbx:")))
}

#[test]
fn checked_in_schema_is_what_rbx_schema_prints() {
    let output = Command::cargo_bin("rbx").unwrap().arg("schema").output().unwrap();
    assert!(output.status.success());
    let printed = String::from_utf8(output.stdout).unwrap();
    let checked_in = std::fs::read_to_string(workspace().join("schema/runbook.schema.json")).unwrap();
    assert!(
        printed == checked_in,
        "schema/runbook.schema.json is stale: run `cargo run -p rbx -- schema > schema/runbook.schema.json`"
    );
    let schema: Value = serde_json::from_str(&printed).unwrap();
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
}

/// Every runbook the loader accepts, the schema accepts: examples, the library, and every
/// valid fixture.
#[test]
fn loader_and_schema_agree_on_every_accepted_runbook() {
    let validator = jsonschema::validator_for(&schema()).expect("schema compiles");
    let files: Vec<PathBuf> = ["examples", "runbooks", "tests/fixtures"]
        .iter()
        .flat_map(|dir| common::yaml_files(&workspace().join(dir)))
        .collect();
    let mut accepted = 0;
    let mut disagreements = Vec::new();
    for path in files.iter().filter(|p| is_runbook_file(p)) {
        let loaded = rbx_model::load_file(path);
        if loaded.runbook.is_none() {
            continue;
        }
        accepted += 1;
        let instance = as_json(path);
        let errors: Vec<String> =
            validator.iter_errors(&instance).map(|e| format!("{} at {}", e, e.instance_path())).collect();
        if !errors.is_empty() {
            disagreements.push(format!("{}: {}", path.display(), errors.join("; ")));
        }
    }
    assert!(accepted >= 2, "expected runbooks to check, found {accepted}");
    assert!(disagreements.is_empty(), "the loader accepts but the schema refuses:\n{}", disagreements.join("\n"));
}

/// The structural mistakes the loader refuses, the schema refuses too (a sample that keeps
/// the two from drifting apart in the other direction).
#[test]
fn schema_refuses_structural_mistakes() {
    let validator = jsonschema::validator_for(&schema()).expect("schema compiles");
    let cases = [
        "rbx: 1\nid: x\nsteps:\n  - id: a\n    timout: 5s\n    note: hi\n",
        "rbx: 1\nid: x\nsteps:\n  - id: a\n",
        "rbx: 1\nid: x\nsteps:\n  - id: a\n    note: hi\n    wait: 5s\n",
        "rbx: 1\nid: x\nsteps:\n  - id: a\n    wait: 30\n",
        "rbx: 1\nid: x\nsteps:\n  - id: Bad-Id\n    note: hi\n",
        "rbx: 1\nid: x\nseverity: SEV9\nsteps: []\n",
        "rbx: 1\nid: x\nsteps:\n  - id: a\n    note: hi\n    phase: fixing\n",
        "rbx: 1\nid: x\nsteps:\n  - id: a\n    http: { url: x, method: FETCH }\n",
        "rbx: 2\nid: x\nsteps: []\n",
    ];
    for case in cases {
        let file = rbx_diagnostics::SourceFile::new("case.yaml", case);
        let instance = rbx_syntax::parse(&file).root.unwrap().to_json();
        assert!(!validator.is_valid(&instance), "the schema accepts what the loader refuses:\n{case}");
        let loaded = rbx_model::Loader::new().load_source(file);
        assert!(loaded.runbook.is_none(), "the loader accepts:\n{case}");
    }
}
