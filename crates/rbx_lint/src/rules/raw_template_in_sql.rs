//! W212: a raw `{{{x}}}` in SQL text.

use rbx_diagnostics::Diagnostic;
use rbx_template::shell_tags;

use crate::context::FileContext;
use crate::rule::{Rule, RuleCheck, declare_code};
use crate::sites::Field;

declare_code! {
    /// A SQL query splices a value into its text with `{{{x}}}`.
    ///
    /// Values belong in `params` (`$1` for PostgreSQL and SQLite, `?` for MySQL), where the
    /// database never reads them as SQL. The loader refuses `{{x}}` in a query (E121) and
    /// allows `{{{x}}}` for what cannot be a parameter, such as a table name; make sure such a
    /// value cannot come from an untrusted place (an input with `enum` is the safe way).
    ///
    /// Bad:
    ///
    /// ```yaml
    /// - id: count
    ///   sql: { connection: db, query: "SELECT count(*) FROM jobs WHERE state = '{{{inputs.state}}}'" }
    /// ```
    ///
    /// Good:
    ///
    /// ```yaml
    /// - id: count
    ///   sql: { connection: db, query: "SELECT count(*) FROM jobs WHERE state = $1", params: ["{{inputs.state}}"] }
    /// ```
    CODE = "W212", "raw-template-in-sql", Warning
}

pub(crate) const RULE: Rule = Rule { code: CODE, check: RuleCheck::File(check) };

fn check(cx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
    for site in cx.templates.iter().filter(|site| site.field == Field::SqlQuery) {
        for tag in shell_tags(site.tpl.source()).into_iter().filter(|tag| tag.raw) {
            let span = cx.locate(site.tpl, tag.start, tag.end - tag.start);
            out.push(
                Diagnostic::new(CODE, span, "raw `{{{…}}}` splices a value into SQL text")
                    .with_label("read as SQL")
                    .with_help("pass the value in `params` and write `$1` (or `?` for MySQL) in the query"),
            );
        }
    }
}
