//! `rbx run --junit FILE`: one testcase per step, failures with the failed checks, skipped
//! steps skipped; valid against a JUnit XSD (with xmllint) and snapshotted.

mod common;
mod journal_support;

use std::path::{Path, PathBuf};

use journal_support::Journaled;

fn junit_of(fixture: &str, args: &[&str], code: i32) -> (String, PathBuf, tempfile::TempDir) {
    let journal = Journaled::new();
    let scratch = common::tempdir();
    let path = scratch.path().join("report.xml");
    let path_arg = path.display().to_string();
    let mut all = vec!["--junit", path_arg.as_str()];
    all.extend_from_slice(args);
    journal.run(fixture, &all).expect_code(code);
    let xml = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("no JUnit file: {e}"));
    (xml, path, scratch)
}

/// Validates with xmllint against the vendored XSD; skipped (with a reason) without xmllint.
fn assert_valid(path: &Path) {
    let xsd = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/junit/junit.xsd");
    match std::process::Command::new("xmllint").arg("--noout").arg("--schema").arg(&xsd).arg(path).output() {
        Ok(output) => assert!(
            output.status.success(),
            "not valid JUnit:\n{}\n{}",
            String::from_utf8_lossy(&output.stderr),
            std::fs::read_to_string(path).unwrap_or_default()
        ),
        Err(error) => {
            eprintln!("skipped the XSD validation: xmllint is not available ({error}); apt-get install libxml2-utils")
        }
    }
}

/// The testcase elements' names, in order, by a plain scan (the structure the snapshot shows).
fn testcases(xml: &str) -> Vec<String> {
    xml.match_indices("<testcase name=\"")
        .map(|(at, m)| xml[at + m.len()..].split('"').next().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn a_failing_run_as_junit() {
    let (xml, path, _keep) = junit_of("snap-fail.yaml", &[], 1);
    assert_valid(&path);
    assert_eq!(testcases(&xml), ["probe", "optional_cache", "check_api", "notify", "never"]);
    assert!(xml.contains("tests=\"5\" failures=\"1\" errors=\"0\" skipped=\"1\""), "{xml}");
    assert!(xml.contains("classname=\"snap-fail.diagnose\""), "{xml}");
    assert!(xml.contains("<failure message=\"the API is not healthy"), "{xml}");
    assert_report_snapshot!("junit_failing", xml);
}

#[test]
fn phases_skips_confirmations_and_escaping() {
    let (xml, path, _keep) = junit_of("journal-incident.yaml", &["--yes"], 0);
    assert_valid(&path);
    assert!(xml.contains("failures=\"0\""), "tolerated failures pass: {xml}");
    assert!(xml.contains("warn: &lt;slow&gt; &amp; &quot;odd&quot;"), "{xml}");
    assert!(xml.contains("confirmed automatically (--yes)"), "{xml}");
    assert_report_snapshot!("junit_incident", xml);
}

#[test]
fn a_skipped_step_is_skipped() {
    let (xml, path, _keep) = junit_of("sem-when.yaml", &[], 0);
    assert_valid(&path);
    assert!(xml.contains("<skipped message=\"skipped: its `when` did not hold\"/>"), "{xml}");
}

#[test]
fn an_unwritable_junit_file_is_a_command_line_error() {
    let journal = Journaled::new();
    let outcome = journal.run("snap-pass.yaml", &["--junit", "/nonexistent-dir/x.xml"]);
    outcome.expect_code(2);
    assert!(outcome.stderr.contains("cannot write `/nonexistent-dir/x.xml`"), "{}", outcome.dump());
    assert!(journal.run_dirs().is_empty(), "nothing ran");
}
