//! The bad-input corpus, `tests/fixtures/invalid/`: every fixture is linted and run through the
//! built binary, and what it reports must be exactly what its header says, no more and no less.
//!
//! A fixture starts with one line per expected diagnostic, `# expect: E105 10:14` (code, then the
//! 1-based line and column in characters of the primary position; the header lines count). Files
//! under `support/` are helpers that fixtures call with `runbook` steps, not fixtures themselves.
//! Inputs that cannot be committed as text (NUL bytes, invalid UTF-8, 4 MiB, 10,001 steps, zero bytes,
//! a missing file) are generated into a temporary directory by the tests at the end of this file.
//!
//! Tests named `fixture_*` show a known loader bug: they expect the correct output and fail until
//! the loader is fixed; their failure message says what is wrong. Do not weaken them: fix the loader,
//! then review and accept the snapshot they create.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::Duration;

use assert_cmd::Command;
use regex::Regex;
use serde_json::Value;

/// One diagnostic as the corpus compares it: code, line, column.
type Position = (String, usize, usize);

/// Text that the diagnostic with this code, line and column must hold in its message or help.
type Says = (&'static str, usize, usize, &'static str);

/// Longer than any load should take; a hang fails instead of blocking the suite.
const PROCESS_TIMEOUT: Duration = Duration::from_secs(120);

/// How many fixtures the corpus holds at least, so that a lost directory cannot pass quietly.
const MIN_FIXTURES: usize = 70;

macro_rules! known_bug {
    () => {
        None
    };
    ($bug:literal) => {
        Some($bug)
    };
}

macro_rules! corpus {
    ($(
        $test:ident => $file:literal
        $(, bug = $bug:literal)?
        $(, says = [$(($code:literal, $line:literal, $column:literal, $text:literal)),* $(,)?])?;
    )*) => {
        $(
            #[test]
            fn $test() {
                check_fixture($file, known_bug!($($bug)?), &[$($(($code, $line, $column, $text)),*)?]);
            }
        )*

        /// Every fixture that has a test above.
        const FIXTURES: &[&str] = &[$($file),*];
    };
}

corpus! {
    fixture_001_yaml_tab_indentation => "001-yaml-tab-indentation.yaml";
    fixture_002_yaml_unclosed_double_quote => "002-yaml-unclosed-double-quote.yaml";
    fixture_003_yaml_unclosed_flow_sequence => "003-yaml-unclosed-flow-sequence.yaml";
    fixture_004_yaml_plain_scalar_starts_with_braces => "004-yaml-plain-scalar-starts-with-braces.yaml";
    fixture_005_yaml_second_document => "005-yaml-second-document.yaml";
    fixture_006_not_a_runbook => "006-not-a-runbook.yaml";
    fixture_007_empty_file_only_comment => "007-empty-file-only-comment.yaml";
    fixture_008_alias_bomb => "008-alias-bomb.yaml";
    fixture_009_nesting_too_deep => "009-nesting-too-deep.yaml";
    fixture_010_duplicate_keys => "010-duplicate-keys.yaml";
    fixture_011_unsupported_version => "011-unsupported-version.yaml";
    fixture_012_unsupported_yaml_tag => "012-unsupported-yaml-tag.yaml";
    fixture_013_wrong_type_steps_is_mapping => "013-wrong-type-steps-is-mapping.yaml";
    fixture_014_wrong_type_step_is_string => "014-wrong-type-step-is-string.yaml";
    fixture_015_wrong_type_fields => "015-wrong-type-fields.yaml";
    fixture_016_unknown_top_level_key => "016-unknown-top-level-key.yaml";
    fixture_017_unknown_step_key => "017-unknown-step-key.yaml";
    fixture_018_unknown_check_operator => "018-unknown-check-operator.yaml";
    fixture_019_unknown_http_key => "019-unknown-http-key.yaml";
    fixture_020_unknown_retry_key => "020-unknown-retry-key.yaml";
    fixture_021_unknown_capture_key => "021-unknown-capture-key.yaml";
    fixture_022_unknown_keys_in_declarations => "022-unknown-keys-in-declarations.yaml";
    fixture_023_missing_runbook_id => "023-missing-runbook-id.yaml";
    fixture_024_missing_steps => "024-missing-steps.yaml";
    fixture_025_missing_rbx_version => "025-missing-rbx-version.yaml";
    fixture_026_http_without_connection_or_url => "026-http-without-connection-or-url.yaml";
    fixture_027_sql_without_query => "027-sql-without-query.yaml";
    fixture_028_redis_without_command => "028-redis-without-command.yaml";
    fixture_029_manual_without_instructions => "029-manual-without-instructions.yaml";
    fixture_030_runbook_step_without_path => "030-runbook-step-without-path.yaml";
    fixture_031_retry_without_attempts => "031-retry-without-attempts.yaml";
    fixture_032_secret_without_env => "032-secret-without-env.yaml";
    fixture_033_contact_without_role => "033-contact-without-role.yaml";
    fixture_034_step_without_id => "034-step-without-id.yaml";
    fixture_035_step_without_kind => "035-step-without-kind.yaml";
    fixture_036_step_with_two_kinds => "036-step-with-two-kinds.yaml";
    fixture_037_duplicate_step_id => "037-duplicate-step-id.yaml";
    fixture_038_duplicate_step_id_in_finally => "038-duplicate-step-id-in-finally.yaml";
    fixture_039_step_id_with_dash => "039-step-id-with-dash.yaml";
    fixture_040_step_id_uppercase => "040-step-id-uppercase.yaml";
    fixture_041_invalid_runbook_id => "041-invalid-runbook-id.yaml";
    fixture_042_invalid_declared_names => "042-invalid-declared-names.yaml",
        says = [("E104", 8, 3, "`inputs.api_base`"), ("E104", 10, 3, "`secrets.apikey`"), ("E104", 18, 7, "`vars._9lives`")];
    fixture_043_secret_env_not_a_variable_name => "043-secret-env-not-a-variable-name.yaml";
    fixture_044_duration_bare_number => "044-duration-bare-number.yaml";
    fixture_045_duration_unknown_unit => "045-duration-unknown-unit.yaml";
    fixture_046_duration_fraction => "046-duration-fraction.yaml";
    fixture_047_duration_empty => "047-duration-empty.yaml";
    fixture_048_invalid_phase => "048-invalid-phase.yaml";
    fixture_049_invalid_severity => "049-invalid-severity.yaml";
    fixture_050_invalid_backoff => "050-invalid-backoff.yaml";
    fixture_051_invalid_on_failure => "051-invalid-on-failure.yaml";
    fixture_052_invalid_on_decline => "052-invalid-on-decline.yaml";
    fixture_053_invalid_http_method => "053-invalid-http-method.yaml";
    fixture_054_invalid_input_type => "054-invalid-input-type.yaml",
        says = [("E103", 5, 19, "`integer`")];
    fixture_055_invalid_shell_program => "055-invalid-shell-program.yaml";
    fixture_056_input_default_wrong_type => "056-input-default-wrong-type.yaml";
    fixture_057_input_default_not_in_enum => "057-input-default-not-in-enum.yaml";
    fixture_058_input_default_pattern_mismatch => "058-input-default-pattern-mismatch.yaml";
    fixture_059_input_enum_choice_wrong_type => "059-input-enum-choice-wrong-type.yaml";
    fixture_060_invalid_jsonpath => "060-invalid-jsonpath.yaml";
    fixture_061_invalid_regex_matches => "061-invalid-regex-matches.yaml";
    fixture_062_invalid_regex_capture => "062-invalid-regex-capture.yaml";
    fixture_063_invalid_regex_input_pattern => "063-invalid-regex-input-pattern.yaml";
    fixture_064_check_without_path => "064-check-without-path.yaml";
    fixture_065_check_path_without_operator => "065-check-path-without-operator.yaml";
    fixture_066_check_combinator_with_path => "066-check-combinator-with-path.yaml";
    fixture_067_check_exists_not_boolean => "067-check-exists-not-boolean.yaml";
    fixture_068_check_count_unknown_comparison => "068-check-count-unknown-comparison.yaml";
    fixture_069_check_not_with_list => "069-check-not-with-list.yaml";
    fixture_070_template_unclosed => "070-template-unclosed.yaml";
    fixture_071_template_in_sql => "071-template-in-sql.yaml";
    fixture_072_unknown_input_reference => "072-unknown-input-reference.yaml";
    fixture_073_unknown_secret_reference => "073-unknown-secret-reference.yaml";
    fixture_074_unknown_variable_reference => "074-unknown-variable-reference.yaml";
    fixture_075_unknown_step_reference => "075-unknown-step-reference.yaml";
    fixture_076_unknown_step_field => "076-unknown-step-field.yaml";
    fixture_077_unknown_run_field => "077-unknown-run-field.yaml";
    fixture_078_unknown_context_root => "078-unknown-context-root.yaml";
    fixture_079_forward_reference_later_step => "079-forward-reference-later-step.yaml";
    fixture_080_forward_reference_self => "080-forward-reference-self.yaml";
    fixture_081_forward_reference_variable => "081-forward-reference-variable.yaml";
    fixture_082_forward_reference_in_when_path => "082-forward-reference-in-when-path.yaml";
    fixture_083_item_outside_for_each => "083-item-outside-for-each.yaml";
    fixture_084_index_outside_for_each => "084-index-outside-for-each.yaml";
    fixture_085_run_status_outside_finally => "085-run-status-outside-finally.yaml";
    fixture_086_unknown_connection => "086-unknown-connection.yaml";
    fixture_087_wrong_connection_kind => "087-wrong-connection-kind.yaml";
    fixture_088_parallel_without_for_each => "088-parallel-without-for-each.yaml";
    fixture_089_interval_without_until => "089-interval-without-until.yaml";
    fixture_090_on_decline_without_confirm => "090-on-decline-without-confirm.yaml";
    fixture_091_http_json_and_body => "091-http-json-and-body.yaml";
    fixture_092_connection_and_url => "092-connection-and-url.yaml";
    fixture_093_parallel_above_limit => "093-parallel-above-limit.yaml";
    fixture_094_retry_attempts_zero => "094-retry-attempts-zero.yaml";
    fixture_095_redis_empty_command => "095-redis-empty-command.yaml";
    fixture_096_connection_without_kind => "096-connection-without-kind.yaml";
    fixture_097_connection_with_two_kinds => "097-connection-with-two-kinds.yaml";
    fixture_098_nested_runbook_cycle => "098-nested-runbook-cycle.yaml";
    fixture_099_nested_runbook_calls_itself => "099-nested-runbook-calls-itself.yaml";
    fixture_100_nested_runbook_invalid => "100-nested-runbook-invalid.yaml";
    fixture_101_nested_runbook_missing_file => "101-nested-runbook-missing-file.yaml",
        says = [("E131", 6, 22, "cannot")];
    fixture_102_nested_runbook_unknown_input => "102-nested-runbook-unknown-input.yaml";
    fixture_103_nested_runbook_missing_required_input => "103-nested-runbook-missing-required-input.yaml";
    fixture_104_check_path_unknown_step_field => "104-check-path-unknown-step-field.yaml";
    fixture_105_check_path_unknown_context_root => "105-check-path-unknown-context-root.yaml";
    fixture_106_runbook_step_expect_reads_callee_result => "106-runbook-step-expect-reads-callee-result.yaml";
    fixture_107_retry_every_field_invalid => "107-retry-every-field-invalid.yaml";
    fixture_108_complex_mapping_key => "108-complex-mapping-key.yaml";
    fixture_109_input_enum_not_a_list_and_bad_default => "109-input-enum-not-a-list-and-bad-default.yaml";
    fixture_110_manual_checklist_not_a_list_and_bad_ask => "110-manual-checklist-not-a-list-and-bad-ask.yaml";
    fixture_111_multi_top_level_and_declarations => "111-multi-top-level-and-declarations.yaml";
    fixture_112_multi_step_kinds_and_ids => "112-multi-step-kinds-and-ids.yaml";
    fixture_113_multi_checks => "113-multi-checks.yaml";
    fixture_114_multi_references => "114-multi-references.yaml";
    fixture_115_multi_connections => "115-multi-connections.yaml";
    fixture_116_multi_step_fields => "116-multi-step-fields.yaml";
    fixture_117_multi_manual_and_nested => "117-multi-manual-and-nested.yaml",
        says = [("E104", 14, 9, "`vars.target_host`")];
    fixture_118_wrong_type_check_item => "118-wrong-type-check-item.yaml";
    fixture_119_wrong_type_capture_list => "119-wrong-type-capture-list.yaml";
    fixture_120_sql_query_key_typo => "120-sql-query-key-typo.yaml";
    fixture_121_runbook_step_unknown_key => "121-runbook-step-unknown-key.yaml";
    fixture_122_check_operands_wrong_types => "122-check-operands-wrong-types.yaml";
    fixture_123_duplicate_input_declaration => "123-duplicate-input-declaration.yaml";
    fixture_124_yaml_explicit_start_then_second_document => "124-yaml-explicit-start-then-second-document.yaml";
    fixture_125_wrong_type_kind_values => "125-wrong-type-kind-values.yaml";
    fixture_126_unknown_operator_in_nested_check => "126-unknown-operator-in-nested-check.yaml";
    fixture_127_template_in_sql_block_scalar => "127-template-in-sql-block-scalar.yaml";
    fixture_128_unknown_reference_in_connection => "128-unknown-reference-in-connection.yaml";
    fixture_129_item_in_for_each_list_and_confirm => "129-item-in-for-each-list-and-confirm.yaml";
    fixture_130_step_reads_finally_step => "130-step-reads-finally-step.yaml";
    fixture_131_nested_runbook_input_of_the_wrong_type => "131-nested-runbook-input-of-the-wrong-type.yaml";
    fixture_132_manual_step_with_for_each_retry_until => "132-manual-step-with-for-each-retry-until.yaml";
    fixture_133_jsonpath_helper_nested_too_deep => "133-jsonpath-helper-nested-too-deep.yaml";
    fixture_134_yaml_tab_before_a_sequence_item => "134-yaml-tab-before-a-sequence-item.yaml";
    fixture_135_check_written_as_an_expression => "135-check-written-as-an-expression.yaml";
    fixture_136_yes_as_a_boolean_operand => "136-yes-as-a-boolean-operand.yaml";
    fixture_137_shell_value_inside_parameter_expansion => "137-shell-value-inside-parameter-expansion.yaml";
}

fn fixtures_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/invalid");
    dir.canonicalize().unwrap_or(dir)
}

/// Checks a committed fixture against its `# expect:` header.
fn check_fixture(file: &str, bug: Option<&str>, says: &[Says]) {
    let dir = fixtures_dir();
    let text = std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("cannot read fixture {file}: {e}"));
    let expected = match expected_header(&text) {
        Ok(expected) => expected,
        Err(problem) => panic!("fixture {file}: {problem}"),
    };
    check_file(&dir, file, &expected, bug, says);
}

/// The diagnostics a fixture's header lines announce, sorted.
fn expected_header(text: &str) -> Result<Vec<Position>, String> {
    static HEADER: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^# expect: ([EWI]\d{3}) (\d+):(\d+)$").expect("valid regex"));
    let mut expected = Vec::new();
    for line in text.lines().take_while(|line| line.starts_with("# expect:")) {
        let captures = HEADER.captures(line).ok_or_else(|| format!("malformed header line `{line}`"))?;
        expected.push((captures[1].to_owned(), captures[2].parse().unwrap_or(0), captures[3].parse().unwrap_or(0)));
    }
    if expected.is_empty() {
        return Err("no `# expect: CODE LINE:COLUMN` header line".to_owned());
    }
    expected.sort();
    Ok(expected)
}

/// Lints `file` (relative to `dir`, which is the working directory, so that paths in the output
/// are the fixture-relative ones) as JSON and runs it, comparing both with `expected`; then
/// snapshots the human output. Every mismatch is collected before failing once.
fn check_file(dir: &Path, file: &str, expected: &[Position], bug: Option<&str>, says: &[Says]) {
    let (lint_json, mut problems) = lint_problems(dir, file, expected, says);
    let (run_stderr, run_problems) = run_problems(dir, file, expected);
    problems.extend(run_problems);
    if !problems.is_empty() {
        let known = bug.map_or(String::new(), |bug| format!("KNOWN LOADER BUG: {bug}\n"));
        panic!(
            "{known}fixture {file}: the output differs from the header\nexpected: {}\n{}\n\n\
             --- rbx lint --format json ---\n{lint_json}\n--- rbx run (stderr) ---\n{run_stderr}",
            list(expected),
            problems.join("\n"),
        );
    }
    if bug.is_some() {
        panic!(
            "fixture {file} passes: the loader bug it shows is fixed; rename its test from `fixture_*` to `fixture_*`"
        );
    }
    snapshot_human_lint(dir, file);
}

/// `rbx lint FILE --format json`: positions, exit code and required texts. Returns the output too.
fn lint_problems(dir: &Path, file: &str, expected: &[Position], says: &[Says]) -> (String, Vec<String>) {
    let unreadable = expected.iter().any(|(code, _, _)| code == "E001");
    let want_exit = if unreadable { 2 } else { 1 };
    let lint = rbx(dir).args(["lint", file, "--format", "json"]).output().expect("rbx lint runs");
    let mut problems = Vec::new();
    match lint_json_positions(&lint.stdout) {
        Ok(linted) if linted == expected => {}
        Ok(linted) => problems.push(format!("`rbx lint --format json` reports\n{}", difference(expected, &linted))),
        Err(problem) => problems.push(format!("`rbx lint --format json`: {problem}")),
    }
    problems.extend(says.iter().filter_map(|said| missing_text(&lint.stdout, said)));
    if lint.status.code() != Some(want_exit) {
        problems.push(format!("`rbx lint` exits {:?}, expected {want_exit}", lint.status.code()));
    }
    (String::from_utf8_lossy(&lint.stdout).into_owned(), problems)
}

/// `rbx run FILE`: refused with exit 2, the same diagnostics on stderr, nothing run or journaled.
/// Returns the stderr too.
fn run_problems(dir: &Path, file: &str, expected: &[Position]) -> (String, Vec<String>) {
    let state = tempfile::tempdir().expect("temporary directory");
    let (journal, xdg_state) = (state.path().join("journal"), state.path().join("state"));
    let run = rbx(dir)
        .args(["run", file])
        .env("RBX_JOURNAL_DIR", &journal)
        .env("XDG_STATE_HOME", &xdg_state)
        .write_stdin(Vec::new())
        .output()
        .expect("rbx run runs");
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    let mut problems = Vec::new();
    let ran = human_positions(&stderr);
    if ran != expected {
        problems.push(format!("`rbx run` prints on stderr\n{}", difference(expected, &ran)));
    }
    if run.status.code() != Some(2) {
        problems.push(format!("`rbx run` exits {:?}, expected 2", run.status.code()));
    }
    if !run.stdout.is_empty() {
        problems.push(format!("`rbx run` printed on stdout:\n{}", String::from_utf8_lossy(&run.stdout)));
    }
    for trace in [journal, xdg_state] {
        if trace.exists() {
            problems.push(format!("`rbx run` of an invalid runbook wrote `{}`", trace.display()));
        }
    }
    (stderr, problems)
}

/// One insta snapshot of `rbx lint FILE` as a person sees it (both streams and the exit code).
fn snapshot_human_lint(dir: &Path, file: &str) {
    let human = rbx(dir).args(["lint", file]).output().expect("rbx lint runs");
    let snapshot = format!(
        "exit: {:?}\n--- stdout ---\n{}--- stderr ---\n{}",
        human.status.code(),
        String::from_utf8_lossy(&human.stdout),
        String::from_utf8_lossy(&human.stderr)
    );
    let name = file.trim_end_matches(".yaml");
    let mut settings = insta::Settings::clone_current();
    settings.set_description(format!("rbx lint {file}"));
    settings.set_omit_expression(true);
    // A cycle note names canonical paths; keep them relative to the fixture directory.
    settings.add_filter(&regex::escape(&format!("{}/", dir.display())), "");
    settings.bind(|| insta::assert_snapshot!(name, snapshot));
}

/// `rbx` in `dir`, without colour, unable to hang the suite.
fn rbx(dir: &Path) -> Command {
    let mut command = Command::cargo_bin("rbx").expect("the rbx binary is built");
    command.current_dir(dir).env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE").timeout(PROCESS_TIMEOUT);
    command
}

/// The `(code, line, column)` of every diagnostic of a `--format json` document, sorted; the
/// summary must count them.
fn lint_json_positions(stdout: &[u8]) -> Result<Vec<Position>, String> {
    let document: Value = serde_json::from_slice(stdout).map_err(|e| format!("the output is not JSON: {e}"))?;
    let diagnostics = document["diagnostics"].as_array().ok_or("no `diagnostics` array")?;
    let mut positions = Vec::with_capacity(diagnostics.len());
    for diagnostic in diagnostics {
        let code = diagnostic["code"].as_str().ok_or_else(|| format!("a diagnostic without `code`: {diagnostic}"))?;
        let number = |key: &str| {
            diagnostic[key]
                .as_u64()
                .map(|n| n as usize)
                .ok_or_else(|| format!("a diagnostic without `{key}`: {diagnostic}"))
        };
        positions.push((code.to_owned(), number("line")?, number("column")?));
    }
    let errors = diagnostics.iter().filter(|d| d["severity"] == "error").count() as u64;
    if document["summary"]["errors"].as_u64() != Some(errors) {
        return Err(format!(
            "`summary.errors` is {}, but {errors} diagnostics are errors",
            document["summary"]["errors"]
        ));
    }
    positions.sort();
    Ok(positions)
}

/// Why the diagnostic at `said`'s position does not hold its text in message or help, if it does not.
fn missing_text(stdout: &[u8], said: &Says) -> Option<String> {
    let (code, line, column, text) = *said;
    let document: Value = serde_json::from_slice(stdout).ok()?;
    let at = |d: &&Value| {
        d["code"] == code && d["line"].as_u64() == Some(line as u64) && d["column"].as_u64() == Some(column as u64)
    };
    let Some(diagnostic) = document["diagnostics"].as_array().and_then(|all| all.iter().find(at)) else {
        return Some(format!("no {code} {line}:{column} to check for the text `{text}`"));
    };
    let said =
        format!("{} {}", diagnostic["message"].as_str().unwrap_or(""), diagnostic["help"].as_str().unwrap_or(""));
    (!said.contains(text))
        .then(|| format!("{code} {line}:{column} should say {text} in its message or help; it says: {said}"))
}

/// The `(code, line, column)` of every diagnostic in human output: `error[E105]: ...` then
/// ` --> file:line:column`.
fn human_positions(text: &str) -> Vec<Position> {
    static TITLE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^(?:error|warning|note)\[([EWI]\d{3})\]").expect("valid regex"));
    static LOCATION: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\s*--> .*:(\d+):(\d+)$").expect("valid regex"));
    let mut positions = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(title) = TITLE.captures(line) else { continue };
        let location = lines.next().and_then(|next| LOCATION.captures(next));
        let (line, column) = location.map_or((0, 0), |l| (l[1].parse().unwrap_or(0), l[2].parse().unwrap_or(0)));
        positions.push((title[1].to_owned(), line, column));
    }
    positions.sort();
    positions
}

fn list(positions: &[Position]) -> String {
    let items: Vec<String> = positions.iter().map(|(code, line, column)| format!("{code} {line}:{column}")).collect();
    format!("[{}]", items.join(", "))
}

/// What is missing from and extra in `actual`, as multisets.
fn difference(expected: &[Position], actual: &[Position]) -> String {
    let mut counts: BTreeMap<&Position, i64> = BTreeMap::new();
    for position in expected {
        *counts.entry(position).or_default() += 1;
    }
    for position in actual {
        *counts.entry(position).or_default() -= 1;
    }
    let pick = |sign: i64| -> Vec<Position> {
        counts
            .iter()
            .filter(|(_, n)| n.signum() == sign)
            .flat_map(|(position, n)| std::iter::repeat_n((*position).clone(), n.unsigned_abs() as usize))
            .collect()
    };
    format!("  actual:  {}\n  missing: {}\n  extra:   {}", list(actual), list(&pick(1)), list(&pick(-1)))
}

#[test]
fn every_fixture_has_a_test_and_a_header() {
    let dir = fixtures_dir();
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .expect("the fixture directory exists")
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.path().is_file())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = FIXTURES.iter().map(|f| (*f).to_owned()).collect();
    listed.sort();
    let unlisted: Vec<&String> = on_disk.iter().filter(|f| !listed.contains(f)).collect();
    let missing: Vec<&String> = listed.iter().filter(|f| !on_disk.contains(f)).collect();
    assert!(
        unlisted.is_empty() && missing.is_empty(),
        "fixtures without a test: {unlisted:?}; tests without a fixture: {missing:?}"
    );
    let named = Regex::new(r"^\d{3}-[a-z0-9-]+\.yaml$").expect("valid regex");
    let misnamed: Vec<&String> = on_disk.iter().filter(|f| !named.is_match(f)).collect();
    assert!(misnamed.is_empty(), "fixtures not named `NNN-short-description.yaml`: {misnamed:?}");
    assert!(on_disk.len() >= MIN_FIXTURES, "only {} fixtures, expected at least {MIN_FIXTURES}", on_disk.len());
    let several = on_disk
        .iter()
        .filter(|f| {
            let text = std::fs::read_to_string(dir.join(f)).unwrap_or_default();
            expected_header(&text).is_ok_and(|expected| expected.len() >= 4)
        })
        .count();
    assert!(several >= 6, "only {several} fixtures announce 4 or more diagnostics, expected at least 6");
}

/// Writes `bytes` as `name` into a fresh temporary directory, which lives as long as the result.
fn generated(name: &str, bytes: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    std::fs::write(dir.path().join(name), bytes).expect("write generated runbook");
    dir
}

fn at(code: &str, line: usize, column: usize) -> Position {
    (code.to_owned(), line, column)
}

#[test]
fn generated_nul_byte_is_not_text() {
    let dir = generated("nul-byte.yaml", b"rbx: 1\nid: nul-byte\nsteps:\n  - id: greet\n    shell: echo \0hello\n");
    check_file(&tempdir_path(&dir), "nul-byte.yaml", &[at("E003", 1, 1)], None, &[]);
}

#[test]
fn generated_invalid_utf8_is_not_text() {
    let dir =
        generated("latin1.yaml", b"rbx: 1\nid: latin1\ntitle: Caf\xe9 down\nsteps:\n  - id: greet\n    shell: echo\n");
    check_file(&tempdir_path(&dir), "latin1.yaml", &[at("E003", 1, 1)], None, &[]);
}

#[test]
fn generated_file_over_4_mib_is_refused() {
    let mut text = String::from("rbx: 1\nid: too-large\nsteps:\n  - id: greet\n    shell: echo hello\n");
    let padding = "# padding to push the file past the 4 MiB limit\n";
    while text.len() <= 4 * 1024 * 1024 {
        text.push_str(padding);
    }
    let dir = generated("too-large.yaml", text.as_bytes());
    check_file(&tempdir_path(&dir), "too-large.yaml", &[at("E002", 1, 1)], None, &[]);
}

#[test]
fn generated_zero_byte_file_is_empty() {
    let dir = generated("zero-bytes.yaml", b"");
    check_file(&tempdir_path(&dir), "zero-bytes.yaml", &[at("E004", 1, 1)], None, &[]);
}

fn many_steps(count: usize) -> String {
    let mut text = String::from("rbx: 1\nid: many-steps\nsteps:\n");
    for index in 0..count {
        text.push_str(&format!("  - {{ id: s{index}, note: step {index} }}\n"));
    }
    text
}

#[test]
fn generated_10001_steps_exceed_the_limit() {
    let dir = generated("too-many-steps.yaml", many_steps(10_001).as_bytes());
    check_file(&tempdir_path(&dir), "too-many-steps.yaml", &[at("E113", 3, 1)], None, &[]);
}

#[test]
fn generated_10000_steps_are_within_the_limit() {
    let dir = generated("many-steps.yaml", many_steps(10_000).as_bytes());
    // Lint rules are off: this is about the loader's limit, and the generated steps have no titles.
    std::fs::write(dir.path().join(".rbx.toml"), "[lint.rules]\nI245 = \"off\"\nW246 = \"off\"\n")
        .expect("write .rbx.toml");
    let lint = rbx(dir.path()).args(["lint", "many-steps.yaml", "--format", "json"]).output().expect("rbx lint runs");
    assert_eq!(lint_json_positions(&lint.stdout), Ok(Vec::new()), "{}", String::from_utf8_lossy(&lint.stdout));
    assert_eq!(lint.status.code(), Some(0));
}

#[test]
fn fixture_generated_missing_file_is_e001_in_lint_json() {
    // A missing file named explicitly is a diagnostic (E001 1:1) in every format, as in `rbx run`.
    let dir = tempfile::tempdir().expect("temporary directory");
    check_file(&tempdir_path(&dir), "missing.yaml", &[at("E001", 1, 1)], None, &[]);
}

fn tempdir_path(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().canonicalize().unwrap_or_else(|_| dir.path().to_path_buf())
}

/// The valid corpus: every example runbook lints clean (`examples/ci/` holds CI configuration,
/// not runbooks).
#[test]
fn every_example_lints_clean() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let files: Vec<PathBuf> =
        common::yaml_files(&examples).into_iter().filter(|file| !file.starts_with(examples.join("ci"))).collect();
    assert!(!files.is_empty(), "no *.yaml under {}", examples.display());
    let mut failures = Vec::new();
    for file in &files {
        let lint = rbx(&examples).arg("lint").arg(file).args(["--format", "json"]).output().expect("rbx lint runs");
        if lint.status.code() != Some(0) {
            failures.push(format!(
                "{} (exit {:?}):\n{}",
                file.display(),
                lint.status.code(),
                String::from_utf8_lossy(&lint.stdout)
            ));
        }
    }
    assert!(failures.is_empty(), "examples that do not lint clean:\n{}", failures.join("\n"));
}
