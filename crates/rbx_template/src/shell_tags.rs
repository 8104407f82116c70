//! The tags of a shell command template with the context its author wrote around each (quotes,
//! substitution, comment, here-document), for the linter: the renderer decides escaping from
//! the same scan.

use crate::scan::scan;
use crate::shell_scan::{Quoting, ShellScan};

/// One `{{…}}` tag of a shell command template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellTag {
    /// Byte offset of its first `{`.
    pub start: usize,
    /// Byte offset one past its last `}`.
    pub end: usize,
    /// Whether it is a triple stash `{{{x}}}` (inserted without escaping).
    pub raw: bool,
    /// Where it lands: the quotes the author wrote around it, a comment, a here-document, …
    pub quoting: Quoting,
}

/// Every tag of `command` in source order, with the context at its start. Only the text outside
/// tags counts, as when rendering: a rendered value never changes the context.
/// A template that does not scan (an unclosed `{{`) gives the tags before the problem.
pub fn shell_tags(command: &str) -> Vec<ShellTag> {
    let (tags, _) = scan(command);
    let mut outside = String::new();
    let mut shell = ShellScan::default();
    let mut from = 0;
    let mut found = Vec::with_capacity(tags.len());
    for tag in tags {
        outside.push_str(&command[from..tag.start]);
        let quoting = shell.quoting_after(&outside);
        shell.skip_value();
        let (open, _) = tag.braces();
        found.push(ShellTag { start: tag.start, end: tag.end, raw: open == 3, quoting });
        from = tag.end;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quotings(command: &str) -> Vec<(Quoting, bool)> {
        shell_tags(command).into_iter().map(|tag| (tag.quoting, tag.raw)).collect()
    }

    #[test]
    fn tags_carry_the_authors_quoting() {
        assert_eq!(
            quotings(r#"echo {{a}} '{{b}}' "x {{{c}}}" \'{{d}}"#),
            [(Quoting::Bare, false), (Quoting::Single, false), (Quoting::Double, true), (Quoting::Bare, false)]
        );
    }

    #[test]
    fn tags_carry_substitutions_comments_and_here_documents() {
        assert_eq!(
            quotings("echo \"$(echo {{a}} \"{{b}}\")\" # {{c}}\ncat <<EOF\n{{d}}\nEOF\necho ${x:-{{e}}}"),
            [
                (Quoting::Bare, false),
                (Quoting::Double, false),
                (Quoting::Comment, false),
                (Quoting::HereDoc, false),
                (Quoting::Unsafe(crate::UnsafeShellContext::ParameterExpansion), false),
            ]
        );
    }

    #[test]
    fn a_tag_never_ends_a_here_document() {
        assert_eq!(quotings("cat <<EOF\nEOF{{a}}\n{{b}}"), [(Quoting::HereDoc, false), (Quoting::HereDoc, false)]);
    }

    #[test]
    fn quotes_inside_a_tag_do_not_count() {
        assert_eq!(
            quotings(r#"echo {{default inputs.x "a'b"}} {{y}}"#),
            [(Quoting::Bare, false), (Quoting::Bare, false)]
        );
        let tag = &shell_tags("a {{x}} b")[0];
        assert_eq!((tag.start, tag.end), (2, 7));
    }
}
