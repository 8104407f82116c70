//! E221: a credential written into the runbook.

use std::sync::LazyLock;

use rbx_diagnostics::Diagnostic;
use regex::Regex;

use crate::context::FileContext;
use crate::rule::{Rule, RuleCheck, declare_code};
use crate::sites::Field;

declare_code! {
    /// A credential is written into the runbook: a bearer token, a password in a URL, an
    /// AWS-style access key, a well-known token format (GitHub, GitLab, Slack, Stripe), a
    /// private key, `password=…` in a command, or a long high-entropy string.
    ///
    /// Runbooks live in repositories and show up in pull requests, logs and reports. Declare the
    /// value under `secrets:` (read from the environment, masked in every output) and write
    /// `{{secrets.NAME}}` where it is needed. The diagnostic never shows the value.
    ///
    /// Bad:
    ///
    /// ```yaml
    /// headers: { Authorization: "Bearer 3f9a8c1e5b7d2f4a6c8e0b1d3f5a7c9e" }
    /// ```
    ///
    /// Good:
    ///
    /// ```yaml
    /// secrets:
    ///   api_token: { env: API_TOKEN }
    /// # ...
    /// headers: { Authorization: "Bearer {{secrets.api_token}}" }
    /// ```
    CODE = "E221", "hardcoded-credential", Error
}

pub(crate) const RULE: Rule = Rule { code: CODE, check: RuleCheck::File(check) };

const PASSWORD_OR_KEY: &str = "a password or key";

struct Pattern {
    regex: Regex,
    what: &'static str,
    /// The capture group holding the credential (0: the whole match).
    group: usize,
}

static PATTERNS: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
    [
        (r"(?i)\bbearer\s+([A-Za-z0-9\-._~+/]{16,}=*)", "a bearer token", 1),
        (r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@{}]+:([^\s@/{}$]+)@", "a password in a URL", 1),
        (r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b", "an AWS access key id", 0),
        (r"(?i)\baws_secret_access_key\s*[=:]\s*[A-Za-z0-9/+=]{40}\b", "an AWS secret access key", 0),
        (r"\b(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{22,})\b", "a GitHub token", 0),
        (r"\bglpat-[A-Za-z0-9_-]{20,}\b", "a GitLab token", 0),
        (r"\bxox[abprs]-[A-Za-z0-9-]{10,}\b", "a Slack token", 0),
        (r"\b[rs]k_live_[A-Za-z0-9]{16,}\b", "a Stripe key", 0),
        (r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----", "a private key", 0),
        (
            r#"(?i)\b(?:[a-z_]*password|passwd|pwd|api_?key|access_?token|auth_?token|client_secret)\s*[=:]\s*["']?([^\s"'{}$<>]{6,})"#,
            PASSWORD_OR_KEY,
            1,
        ),
    ]
    .into_iter()
    .filter_map(|(pattern, what, group)| Regex::new(pattern).ok().map(|regex| Pattern { regex, what, group }))
    .collect()
});

static TOKEN: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"[A-Za-z0-9+_=-]{32,}").ok());

fn check(cx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
    for site in &cx.templates {
        let text = site.tpl.source();
        let found = find_credential(text)
            // "Reset the password: follow the wiki" in instructions is prose, not a password.
            .filter(|(_, _, what)| !(site.field == Field::Text && *what == PASSWORD_OR_KEY));
        if let Some((start, len, what)) = found {
            out.push(
                Diagnostic::new(CODE, cx.locate(site.tpl, start, len), format!("hard-coded credential: {what}"))
                    .with_label("written in the runbook")
                    .with_help("declare it under `secrets:` (read from the environment) and write `{{secrets.NAME}}`"),
            );
        }
    }
}

/// The first credential in `text`: offset, length and what it looks like.
pub(crate) fn find_credential(text: &str) -> Option<(usize, usize, &'static str)> {
    for pattern in PATTERNS.iter() {
        for captures in pattern.regex.captures_iter(text) {
            if let Some(found) = captures.get(pattern.group)
                && !is_placeholder(found.as_str())
                && (pattern.what != PASSWORD_OR_KEY || !found.as_str().bytes().all(|b| b.is_ascii_alphabetic()))
            {
                return Some((found.start(), found.len(), pattern.what));
            }
        }
    }
    let tokens = TOKEN.as_ref()?;
    tokens
        .find_iter(text)
        .find(|token| looks_random(token.as_str()))
        .map(|t| (t.start(), t.len(), "a high-entropy token"))
}

/// Example values people write on purpose: `xxxx`, `changeme`, `<token>`, `${VAR}`.
fn is_placeholder(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    ["changeme", "example", "placeholder", "redacted", "password", "xxxx", "****", "secret", "dummy"]
        .iter()
        .any(|word| lower.contains(word))
        || value.starts_with('$')
}

/// Mixed letters and digits with more than 4.2 bits of entropy per character: more than any
/// hexadecimal string (at most 4), so checksums and commit ids do not count.
fn looks_random(token: &str) -> bool {
    let has = |f: fn(&u8) -> bool| token.as_bytes().iter().any(f);
    if !(has(u8::is_ascii_lowercase) && has(u8::is_ascii_uppercase) && has(u8::is_ascii_digit)) {
        return false;
    }
    let mut counts = [0usize; 256];
    for &byte in token.as_bytes() {
        counts[usize::from(byte)] += 1;
    }
    let len = token.len() as f64;
    let entropy: f64 = counts.iter().filter(|&&n| n > 0).map(|&n| n as f64 / len).map(|p| -p * p.log2()).sum();
    entropy > 4.2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_credentials_and_not_templates() {
        let found = |text: &str| find_credential(text).map(|(_, _, what)| what);
        assert_eq!(found("Bearer abcdefghijklmnop1234"), Some("a bearer token"));
        assert_eq!(found("Bearer {{secrets.token}}"), None);
        assert_eq!(found("postgres://app:hunter22@db:5432/x"), Some("a password in a URL"));
        assert_eq!(found("postgres://app:{{secrets.pw}}@db:5432/x"), None);
        assert_eq!(found("postgres://app@db:5432/x"), None);
        assert_eq!(found("AKIAIOSFODNN7EXAMPLQ"), Some("an AWS access key id"));
        assert_eq!(found("PGPASSWORD=s3cr3tpw psql"), Some("a password or key"));
        assert_eq!(found("PGPASSWORD=$PGPASS psql"), None);
        assert_eq!(found("mysql --password=letmein"), None, "words alone are too often prose");
        assert_eq!(found("sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"), None);
        assert_eq!(found("token Zx8kQ2mP9vL4rT7wY1nB6cH3jF5gD0sA"), Some("a high-entropy token"));
    }
}
