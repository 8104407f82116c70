//! I248: `curl`, `psql` or `redis-cli` in a shell step.

use std::sync::LazyLock;

use rbx_diagnostics::Diagnostic;
use regex::Regex;

use crate::context::FileContext;
use crate::rule::{Rule, RuleCheck, declare_code};
use crate::sites::Field;

declare_code! {
    /// A shell step runs `curl`/`wget`, `psql`/`mysql` or `redis-cli`, where an `http`, `sql`
    /// or `redis` step would do.
    ///
    /// Native steps give structured results that checks and captures read directly (`$.status`,
    /// `$.rows`, `$.value`), take secrets without putting them on a command line, retry on
    /// `429`/`503`, and do not need the client installed on the responder's machine. A note,
    /// since a pipeline of shell tools is sometimes the clearer way.
    ///
    /// Bad:
    ///
    /// ```yaml
    /// - id: health
    ///   shell: curl -fsS https://api.example.com/health
    /// ```
    ///
    /// Good:
    ///
    /// ```yaml
    /// - id: health
    ///   http: { url: "https://api.example.com/health" }
    /// ```
    CODE = "I248", "native-step-available", Note
}

pub(crate) const RULE: Rule = Rule { code: CODE, check: RuleCheck::File(check) };

/// A client in command position: at the start of a line or after `;`, `&`, `|`, `(` or `sudo`.
static CLIENT: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?m)(?:^|[;&|(]|\bsudo)\s*(curl|wget|psql|mysql|mariadb|redis-cli)\b").ok());

fn check(cx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
    let Some(client) = CLIENT.as_ref() else { return };
    for site in cx.templates.iter().filter(|site| site.field == Field::ShellRun) {
        let source = site.tpl.source();
        let Some(found) = client.captures(source).and_then(|c| c.get(1)) else { continue };
        let kind = match found.as_str() {
            "curl" | "wget" => "http",
            "redis-cli" => "redis",
            _ => "sql",
        };
        out.push(
            Diagnostic::new(
                CODE,
                cx.locate(site.tpl, found.start(), found.len()),
                format!("`{}` in a shell step", found.as_str()),
            )
            .with_label(format!("an `{kind}` step can do this"))
            .with_help(format!("an `{kind}` step gives a structured result that checks and captures read directly")),
        );
    }
}
