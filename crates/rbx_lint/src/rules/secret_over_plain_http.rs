//! E222: a secret sent over plain `http://` to another host.

use rbx_diagnostics::Diagnostic;
use rbx_model::{ConnectionKind, Step, StepKind, Target, Tpl};

use crate::context::FileContext;
use crate::rule::{Rule, RuleCheck, declare_code};
use crate::rules::reads_secret;

declare_code! {
    /// An HTTP request that carries a secret goes to a plain `http://` URL on a host other than
    /// this machine.
    ///
    /// Anything on the path between rbx and that host can read the secret. Use `https://`.
    /// Loopback addresses (`localhost`, `127.0.0.1`, `[::1]`) are fine: the request never leaves
    /// the machine.
    ///
    /// Bad:
    ///
    /// ```yaml
    /// - id: users
    ///   http:
    ///     url: http://api.example.com/users
    ///     headers: { Authorization: "Bearer {{secrets.token}}" }
    /// ```
    ///
    /// Good:
    ///
    /// ```yaml
    /// - id: users
    ///   http:
    ///     url: https://api.example.com/users
    ///     headers: { Authorization: "Bearer {{secrets.token}}" }
    /// ```
    CODE = "E222", "secret-over-plain-http", Error
}

pub(crate) const RULE: Rule = Rule { code: CODE, check: RuleCheck::File(check) };

fn check(cx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
    for step in cx.runbook.all_steps() {
        let StepKind::Http(http) = &step.kind else { continue };
        let (url, connection_headers) = match &http.target {
            Target::Url(url) => (url, Vec::new()),
            Target::Connection(name) => match cx.runbook.connection(&name.value).map(|c| &c.kind) {
                Some(ConnectionKind::Http(connection)) => {
                    (&connection.base_url, connection.headers.iter().map(|(_, value)| value).collect())
                }
                _ => continue,
            },
        };
        if !plain_http_elsewhere(url.source()) {
            continue;
        }
        let secret = step_templates(cx, step).chain(connection_headers).any(|tpl| reads_secret(cx, tpl));
        if secret {
            out.push(
                Diagnostic::new(CODE, cx.locate(url, 0, "http://".len()), "a secret is sent over plain `http://`")
                    .with_label("not encrypted")
                    .with_help("use `https://`"),
            );
        }
    }
}

fn step_templates<'a>(cx: &'a FileContext<'_>, step: &'a Step) -> impl Iterator<Item = &'a Tpl> {
    cx.templates.iter().filter(move |site| site.step.is_some_and(|s| std::ptr::eq(s, step))).map(|site| site.tpl)
}

/// Whether a URL template starts with `http://` and a host that is not loopback.
fn plain_http_elsewhere(url: &str) -> bool {
    let Some(rest) = url.get(..7).filter(|scheme| scheme.eq_ignore_ascii_case("http://")).map(|_| &url[7..]) else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let host = if host_port.starts_with('[') {
        host_port.split(']').next().map_or("", |h| h.trim_start_matches('['))
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    let loopback = host.eq_ignore_ascii_case("localhost") || host.starts_with("127.") || host == "::1";
    !host.is_empty() && !host.contains("{{") && !loopback
}

#[cfg(test)]
mod tests {
    use super::plain_http_elsewhere;

    #[test]
    fn loopback_and_https_are_fine() {
        assert!(plain_http_elsewhere("http://api.example.com/x"));
        assert!(plain_http_elsewhere("HTTP://10.0.0.5:8080"));
        assert!(!plain_http_elsewhere("https://api.example.com"));
        assert!(!plain_http_elsewhere("http://127.0.0.1:8080/x"));
        assert!(!plain_http_elsewhere("http://localhost/x"));
        assert!(!plain_http_elsewhere("http://[::1]:80/"));
        assert!(!plain_http_elsewhere("{{inputs.base}}/x"));
    }
}
