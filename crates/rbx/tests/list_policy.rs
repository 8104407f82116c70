//! `rbx list` shows each runbook's escalation chain next to its severity, from the
//! `policy.yaml` nearest to the runbook (its directory, then each parent).

mod common;

use std::path::{Path, PathBuf};

use common::{Rbx, tempdir};
use serde_json::{Value, json};

const POLICY: &str = "\
severities:
  SEV-1:
    escalation:
      - { role: On-call, within: 5m }
      - { role: Lead, within: 15m }
  SEV2:
    escalation:
      - { role: On-call }
";

fn write(path: &Path, text: &str) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    }
    std::fs::write(path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

fn runbook(id: &str, severity: Option<&str>) -> String {
    let severity = severity.map(|s| format!("severity: {s}\n")).unwrap_or_default();
    format!("rbx: 1\nid: {id}\n{severity}steps:\n  - id: hello\n    note: hi\n")
}

fn list_json(path: &Path) -> Vec<Value> {
    let outcome = Rbx::new().args(["list", "--format", "json"]).arg(path).output();
    outcome.expect_code(0);
    match serde_json::from_str(&outcome.stdout) {
        Ok(Value::Array(rows)) => rows,
        _ => panic!("not a JSON array\n{}", outcome.dump()),
    }
}

fn row<'a>(rows: &'a [Value], id: &str) -> &'a Value {
    rows.iter().find(|r| r["id"] == json!(id)).unwrap_or_else(|| panic!("no row `{id}` in {rows:?}"))
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn a_policy_in_a_parent_directory_gives_each_severity_its_chain() {
    let dir = tempdir();
    write(&dir.path().join("policy.yaml"), POLICY);
    write(&dir.path().join("team/critical.yaml"), &runbook("critical", Some("SEV1")));
    write(&dir.path().join("team/major.yaml"), &runbook("major", Some("SEV-2")));
    write(&dir.path().join("team/minor.yaml"), &runbook("minor", Some("SEV3")));
    write(&dir.path().join("team/unrated.yaml"), &runbook("unrated", None));

    let rows = list_json(&dir.path().join("team"));
    assert_eq!(
        row(&rows, "critical")["escalation"],
        json!([{ "role": "On-call", "within": "5m" }, { "role": "Lead", "within": "15m" }])
    );
    assert_eq!(row(&rows, "major")["escalation"], json!([{ "role": "On-call" }]));
    assert_eq!(row(&rows, "minor")["escalation"], json!([]), "a severity the policy does not name");
    assert!(row(&rows, "unrated").get("escalation").is_none(), "no severity, no chain");

    let table = Rbx::new().arg("list").arg(dir.path()).output();
    table.expect_code(0);
    let header = table.stdout.lines().next().unwrap_or_default();
    assert!(header.contains("SEVERITY  ESCALATION"), "{}", table.dump());
    let critical = table.stdout.lines().find(|l| l.starts_with("critical")).unwrap_or_default();
    assert!(critical.contains("SEV1      On-call (5m) → Lead (15m)"), "{}", table.dump());
    let minor = table.stdout.lines().find(|l| l.starts_with("minor")).unwrap_or_default();
    assert!(minor.contains("SEV3      -"), "{}", table.dump());
}

#[test]
fn the_nearest_policy_wins() {
    let dir = tempdir();
    write(&dir.path().join("policy.yaml"), POLICY);
    write(
        &dir.path().join("vendor/policy.yaml"),
        "severities:\n  SEV1:\n    escalation: [{ role: Vendor desk, within: 1h }]\n",
    );
    write(&dir.path().join("vendor/outage.yaml"), &runbook("outage", Some("SEV1")));
    write(&dir.path().join("ours/outage.yaml"), &runbook("our-outage", Some("SEV1")));
    let rows = list_json(dir.path());
    assert_eq!(row(&rows, "outage")["escalation"], json!([{ "role": "Vendor desk", "within": "1h" }]));
    assert_eq!(row(&rows, "our-outage")["escalation"][1]["role"], json!("Lead"));
}

#[test]
fn without_a_policy_the_listing_is_unchanged() {
    let dir = tempdir();
    write(&dir.path().join("a.yaml"), &runbook("a", Some("SEV1")));
    let rows = list_json(dir.path());
    assert!(row(&rows, "a").get("escalation").is_none(), "{rows:?}");
    let table = Rbx::new().arg("list").arg(dir.path()).output();
    table.expect_code(0);
    assert!(table.stdout.starts_with("ID  TITLE  SEVERITY  TRIGGERS  FILE\n"), "{}", table.dump());
}

#[test]
fn a_broken_policy_is_reported_and_the_exit_code_is_2() {
    let dir = tempdir();
    write(&dir.path().join("policy.yaml"), "severities:\n  SEV1:\n    escalation: [{ within: 5m }]\n");
    write(&dir.path().join("a.yaml"), &runbook("a", Some("SEV1")));
    let outcome = Rbx::new().arg("list").arg(dir.path()).output();
    outcome.expect_code(2);
    assert!(outcome.stderr.contains("an escalation entry of `SEV1` has no `role`"), "{}", outcome.dump());
    assert!(outcome.stdout.contains("a "), "the runbooks are still listed\n{}", outcome.dump());

    write(&dir.path().join("policy.yaml"), "severities: [\n");
    let outcome = Rbx::new().arg("list").arg(dir.path()).output();
    outcome.expect_code(2);
    assert!(outcome.stderr.contains("it is not valid YAML"), "{}", outcome.dump());
}

#[test]
fn the_library_shows_the_repairx_and_maintainx_chains() {
    let rows = list_json(&workspace().join("runbooks"));
    let repairx_sev1 = &row(&rows, "rx-service-down")["escalation"];
    let roles: Vec<&str> =
        repairx_sev1.as_array().into_iter().flatten().filter_map(|level| level["role"].as_str()).collect();
    assert_eq!(roles, ["On-Call Engineer", "Technical Lead", "Engineering Manager", "CTO/VP Engineering"]);
    assert_eq!(row(&rows, "rb-001")["escalation"][0], json!({ "role": "On-call Engineer", "within": "15m" }));
    assert!(rows.iter().all(|r| r["escalation"].as_array().is_some_and(|c| !c.is_empty())), "{rows:?}");
}
