//! W223: a secret in a URL's query string.

use rbx_diagnostics::Diagnostic;

use crate::context::FileContext;
use crate::rule::{Rule, RuleCheck, declare_code};
use crate::rules::{is_secret_reference, tag_len};
use crate::sites::Field;

declare_code! {
    /// A secret is put in a URL's query string.
    ///
    /// URLs end up in proxy and server access logs, browser history and error messages, where
    /// nobody masks them. Send the secret in a header (`Authorization`) or the body instead.
    ///
    /// Bad:
    ///
    /// ```yaml
    /// - id: users
    ///   http: { connection: api, path: /users, query: { api_key: "{{secrets.api_key}}" } }
    /// ```
    ///
    /// Good:
    ///
    /// ```yaml
    /// - id: users
    ///   http: { connection: api, path: /users, headers: { X-Api-Key: "{{secrets.api_key}}" } }
    /// ```
    CODE = "W223", "secret-in-url-query", Warning
}

pub(crate) const RULE: Rule = Rule { code: CODE, check: RuleCheck::File(check) };

fn check(cx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
    for site in &cx.templates {
        let source = site.tpl.source();
        let query_start = match site.field {
            Field::HttpQuery => 0,
            Field::Url | Field::HttpPath if site.step.is_some() => match source.find('?') {
                Some(at) => at,
                None => continue,
            },
            _ => continue,
        };
        for reference in site.tpl.template.references() {
            if reference.offset >= query_start && is_secret_reference(cx, &reference.segments) {
                let span = cx.locate(site.tpl, reference.offset, tag_len(source, reference.offset));
                out.push(
                    Diagnostic::new(CODE, span, format!("`{}` is sent in the URL's query", reference.dotted()))
                        .with_label("URLs are logged")
                        .with_help("send the secret in a header or the body"),
                );
            }
        }
    }
}
