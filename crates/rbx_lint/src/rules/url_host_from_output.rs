//! W215: a request's host taken from a step's output.

use rbx_diagnostics::Diagnostic;

use crate::context::FileContext;
use crate::rule::{Rule, RuleCheck, declare_code};
use crate::rules::tag_len;
use crate::sites::Field;

declare_code! {
    /// A step's URL takes its host (or scheme) from what an earlier step printed or returned.
    ///
    /// Output of a command or an API is data, not a place to send credentials: a compromised or
    /// confused service can answer with a host of its choosing, and the next request, with
    /// the connection's headers, goes there. Take hosts from inputs or connections, and use
    /// step output in the path or query.
    ///
    /// Bad:
    ///
    /// ```yaml
    /// - id: follow
    ///   http: { url: "{{steps.lookup.json.endpoint}}/health" }
    /// ```
    ///
    /// Good:
    ///
    /// ```yaml
    /// - id: follow
    ///   http: { connection: api, path: "/services/{{steps.lookup.json.id}}/health" }
    /// ```
    CODE = "W215", "url-host-from-output", Warning
}

pub(crate) const RULE: Rule = Rule { code: CODE, check: RuleCheck::File(check) };

fn check(cx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
    let asked: Vec<&str> = cx
        .runbook
        .all_steps()
        .filter_map(|step| match &step.kind {
            rbx_model::StepKind::Manual(manual) => Some(manual.ask.iter().map(|a| a.name.value.as_str())),
            _ => None,
        })
        .flatten()
        .collect();
    for site in cx.templates.iter().filter(|site| site.field == Field::Url && site.step.is_some()) {
        let source = site.tpl.source();
        let host_end = host_end(source);
        for reference in site.tpl.template.references() {
            let from_output = match reference.segments.as_slice() {
                [root, ..] if root == "steps" => true,
                [root, name, ..] if root == "vars" => !asked.contains(&name.as_str()),
                _ => false,
            };
            if from_output && reference.offset < host_end {
                let span = cx.locate(site.tpl, reference.offset, tag_len(source, reference.offset));
                out.push(
                    Diagnostic::new(CODE, span, format!("the URL's host comes from `{}`", reference.dotted()))
                        .with_label("output of an earlier step")
                        .with_help("take the host from an input or a connection; use step output in the path or query"),
                );
            }
        }
    }
}

/// Where the host part of a URL template ends: the first `/`, `?` or `#` after `://`; a
/// template without `://` before its first expression may put the host anywhere up to the
/// first `/` after it.
fn host_end(url: &str) -> usize {
    let after_scheme = url.find("://").map_or(0, |at| at + 3);
    url[after_scheme..].find(['/', '?', '#']).map_or(url.len(), |at| after_scheme + at).max(if url.contains("://") {
        0
    } else {
        url.find("}}").map_or(url.len(), |at| at + 2)
    })
}

#[cfg(test)]
mod tests {
    use super::host_end;

    #[test]
    fn the_host_ends_at_the_first_slash_after_the_scheme() {
        assert_eq!(host_end("https://{{x}}/a"), 13);
        assert_eq!(host_end("{{x}}/a"), 5);
        assert_eq!(host_end("https://api.example.com/{{x}}"), 23);
    }
}
