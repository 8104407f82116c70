//! `docs/rules.md`, generated from the rules' doc comments.

use crate::registry::RULES;
use crate::rule::summary;

/// The whole text of `docs/rules.md`.
pub fn rules_markdown() -> String {
    let mut text = String::from(
        "# Lint rules\n\n\
         <!-- Generated from the rules' doc comments in crates/rbx_lint/src/rules/; do not edit.\n     \
         Regenerate: RBX_UPDATE_DOCS=1 cargo test -p rbx_lint --test rules_doc -->\n\n\
         `rbx lint` reports load errors (`E0xx`, `E1xx`, see [diagnostics.md](diagnostics.md)) and, on\n\
         runbooks that load, the rules below: `E2xx` errors, `W2xx` warnings and `I2xx` notes. Errors\n\
         make `rbx lint` exit 1; warnings do too with `--deny warnings`. `rbx lint --explain CODE`\n\
         prints a rule's text.\n\n\
         Silence a rule on one line with `# rbx-lint: ignore CODE` at the end of the line, or on the\n\
         line above. Set levels for a repository in `.rbx.toml` (looked for in the current directory,\n\
         then its parents; or `--config FILE`):\n\n\
         ```toml\n[lint]\ndeny = [\"warnings\"]        # or codes: [\"W211\"]\n\n\
         [lint.rules]\nI245 = \"off\"                # off | note | warning | error; a code or a name\n\
         template-in-shell-quotes = \"error\"\n```\n\n\
         | code | name | default | what it finds |\n| --- | --- | --- | --- |\n",
    );
    for rule in RULES {
        let code = &rule.code;
        text.push_str(&format!(
            "| [{id}](#{anchor}) | `{name}` | {level} | {summary} |\n",
            id = code.id,
            anchor = format!("{}-{}", code.id, code.name).to_lowercase(),
            name = code.name,
            level = code.severity.as_str(),
            summary = summary(code).replace('|', "\\|"),
        ));
    }
    for rule in RULES {
        let code = &rule.code;
        text.push_str(&format!(
            "\n## {} {}\n\nDefault level: {}.\n\n{}\n",
            code.id,
            code.name,
            code.severity.as_str(),
            rule.documentation()
        ));
    }
    text
}

/// The text `rbx lint --explain CODE` prints for a rule or a load code, if `code` is one.
pub fn explain(code: &str) -> Option<String> {
    if let Some(rule) = crate::registry::find(code) {
        let c = &rule.code;
        return Some(format!("{} {} ({} by default)\n\n{}\n", c.id, c.name, c.severity.as_str(), rule.documentation()));
    }
    let c = rbx_diagnostics::codes::find(code)?;
    Some(format!("{} {} (load {}; cannot be ignored)\n\n{}\n", c.id, c.name, c.severity.as_str(), c.explanation))
}
