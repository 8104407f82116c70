//! `docs/rules.md` is generated from the rules' doc comments; this test fails when it is stale.
//! Regenerate with `RBX_UPDATE_DOCS=1 cargo test -p rbx_lint --test rules_doc`.

use std::path::Path;

#[test]
fn docs_rules_md_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules.md");
    let generated = rbx_lint::rules_markdown();
    if std::env::var_os("RBX_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &generated).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == generated,
        "docs/rules.md is stale: run `RBX_UPDATE_DOCS=1 cargo test -p rbx_lint --test rules_doc`"
    );
}

#[test]
fn every_rule_has_a_section_and_a_table_row() {
    let text = rbx_lint::rules_markdown();
    for rule in rbx_lint::RULES {
        assert!(text.contains(&format!("\n## {} {}\n", rule.code.id, rule.code.name)), "{}", rule.code.id);
        assert!(text.contains(&format!("| [{}](#", rule.code.id)), "{}", rule.code.id);
    }
}

#[test]
fn explain_knows_rules_and_load_codes() {
    let rule = rbx_lint::explain("w211").unwrap_or_default();
    assert!(rule.starts_with("W211 raw-template-in-shell (warning by default)\n\n"), "{rule}");
    assert!(rule.contains("Bad:") && !rule.contains("\n /// "));
    let load = rbx_lint::explain("E105").unwrap_or_default();
    assert!(load.starts_with("E105 invalid-duration (load error; cannot be ignored)"), "{load}");
    assert_eq!(rbx_lint::explain("W999"), None);
}
