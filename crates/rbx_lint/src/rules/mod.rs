//! The rules, one per file. Each declares its code and documentation with `declare_code!`
//! and exposes `RULE`; [`crate::registry::RULES`] lists them.

pub(crate) mod destructive_without_confirm;
pub(crate) mod duplicate_trigger;
pub(crate) mod hardcoded_credential;
pub(crate) mod impossible_outcome;
pub(crate) mod invalid_ignore;
pub(crate) mod missing_metadata;
pub(crate) mod native_step_available;
pub(crate) mod parallel_too_high;
pub(crate) mod raw_template_in_shell;
pub(crate) mod raw_template_in_sql;
pub(crate) mod resplit_template;
pub(crate) mod retry_not_idempotent;
pub(crate) mod secret_in_url_query;
pub(crate) mod secret_over_plain_http;
pub(crate) mod shellcheck;
pub(crate) mod step_without_title;
pub(crate) mod template_in_quotes;
pub(crate) mod unreachable_step;
pub(crate) mod until_without_timeout;
pub(crate) mod unused_capture;
pub(crate) mod unused_connection;
pub(crate) mod unused_input;
pub(crate) mod unused_secret;
pub(crate) mod url_host_from_output;

use rbx_model::Tpl;

use crate::context::FileContext;

/// The length of the tag that starts at `offset` (`{{x}}` or `{{{x}}}`), or 2 if it does not
/// close.
pub(crate) fn tag_len(source: &str, offset: usize) -> usize {
    let rest = source.get(offset..).unwrap_or("");
    match rest.find("}}") {
        Some(close) => {
            let braces = rest[close..].bytes().take_while(|&b| b == b'}').count().min(4);
            close + braces
        }
        None => 2,
    }
}

/// Whether a reference reads a secret: `secrets.*`, or a capture marked `secret: true`.
pub(crate) fn is_secret_reference(cx: &FileContext<'_>, segments: &[String]) -> bool {
    match segments {
        [root, ..] if root == "secrets" => true,
        [root, name, ..] if root == "vars" => cx.is_secret_capture(name),
        _ => false,
    }
}

/// Whether a template reads a secret.
pub(crate) fn reads_secret(cx: &FileContext<'_>, tpl: &Tpl) -> bool {
    tpl.template.references().iter().any(|reference| is_secret_reference(cx, &reference.segments))
}

#[cfg(test)]
mod tests {
    use super::tag_len;

    #[test]
    fn tag_lengths() {
        assert_eq!(tag_len("a {{x}} b", 2), 5);
        assert_eq!(tag_len("{{{x}}}", 0), 7);
        assert_eq!(tag_len("{{x", 0), 2);
    }
}
