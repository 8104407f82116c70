//! Escaping of rendered values for the place they land in.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::error::RenderError;
use crate::position::Pos;
use crate::shell_scan::ShellScan;

/// Where a rendered value lands; decides the escaping of `{{x}}` (never of `{{{x}}}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Destination {
    /// Inserted as it is: no HTML escaping, no quoting (env, cwd, headers, bodies, notes).
    Text,
    /// Exactly one POSIX shell word, quoted when needed (a `shell` command).
    ShellWord,
    /// Percent-encoded as one URL path segment or query value (`/`, `?`, `#`, `&`, `=`, `%`
    /// and spaces included).
    UrlComponent,
}

/// Everything but the RFC 3986 unreserved characters is encoded.
const URL_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

impl Destination {
    /// Appends `text` to `out`, escaped for this destination. For shell commands the escaping
    /// depends on where the author put the expression (quotes, substitutions, comments,
    /// here-documents), so `scan` follows the command written so far; where no escaping is
    /// safe, rendering fails at `pos`.
    pub(crate) fn escape_into(
        self,
        text: &str,
        out: &mut String,
        scan: &mut ShellScan,
        pos: Pos,
    ) -> Result<(), RenderError> {
        match self {
            Destination::Text => out.push_str(text),
            Destination::ShellWord => scan.push_value(text, out, pos)?,
            Destination::UrlComponent => out.extend(utf8_percent_encode(text, URL_COMPONENT)),
        }
        Ok(())
    }
}

/// Inside `'…'` nothing is special but `'`, written as `'\''` (close, escaped quote, reopen).
pub(crate) fn push_in_single_quotes(text: &str, out: &mut String) {
    for ch in text.chars() {
        if ch == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(ch);
        }
    }
}

/// Inside `"…"`, `$`, `` ` ``, `"` and `\` keep a special meaning; a backslash removes it.
pub(crate) fn push_in_double_quotes(text: &str, out: &mut String) {
    for ch in text.chars() {
        if matches!(ch, '$' | '`' | '"' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
}

/// In a here-document body with an unquoted delimiter, `$`, `` ` `` and `\` keep a special
/// meaning (`"` does not); a backslash removes it.
pub(crate) fn push_in_here_doc(text: &str, out: &mut String) {
    for ch in text.chars() {
        if matches!(ch, '$' | '`' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
}

/// A comment's text is never executed: only a line break, which ends the comment, could make
/// part of a value a command, so each becomes a space.
pub(crate) fn push_in_comment(text: &str, out: &mut String) {
    out.extend(text.chars().map(|ch| if matches!(ch, '\n' | '\r') { ' ' } else { ch }));
}

/// `text` escaped to sit inside `'…'`, inside `"…"`, in a here-document body and in a comment
/// that a command's author wrote; what a shell command shows of a value there, so that secret
/// masking can recognise it.
pub fn shell_escapes_in_quotes(text: &str) -> [String; 4] {
    let [mut single, mut double, mut here_doc, mut comment] = Default::default();
    push_in_single_quotes(text, &mut single);
    push_in_double_quotes(text, &mut double);
    push_in_here_doc(text, &mut here_doc);
    push_in_comment(text, &mut comment);
    [single, double, here_doc, comment]
}

/// Quotes `word` so that a POSIX shell reads it back as exactly one word, byte for byte.
///
/// Words made only of `[A-Za-z0-9_./:=@%+,-]` stay as they are; anything else (the empty
/// word included) is single-quoted, with each `'` written as `'\''`.
pub fn shell_quote(word: &str) -> String {
    let mut out = String::with_capacity(word.len() + 2);
    push_shell_word(word, &mut out);
    out
}

pub(crate) fn push_shell_word(word: &str, out: &mut String) {
    if !word.is_empty() && word.bytes().all(is_shell_safe) {
        out.push_str(word);
        return;
    }
    out.push('\'');
    for part in word.split_inclusive('\'') {
        match part.strip_suffix('\'') {
            Some(before_quote) => {
                out.push_str(before_quote);
                out.push_str("'\\''");
            }
            None => out.push_str(part),
        }
    }
    out.push('\'');
}

pub(crate) fn is_shell_safe(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"_./:=@%+,-".contains(&byte)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(destination: Destination, text: &str) -> String {
        let mut out = String::new();
        destination.escape_into(text, &mut out, &mut ShellScan::default(), Pos::default()).expect("escapes");
        out
    }

    #[test]
    fn safe_words_stay_as_they_are() {
        for word in ["abc", "1.2.3.4", "a/b:c=d@e%f+g,h-i_j", "-rf", "https://x.io/a"] {
            assert_eq!(shell_quote(word), word);
        }
    }

    #[test]
    fn other_words_are_single_quoted() {
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote("''"), "''\\'''\\'''");
        assert_eq!(shell_quote("$HOME"), "'$HOME'");
        assert_eq!(shell_quote("~"), "'~'");
        assert_eq!(shell_quote("é"), "'é'");
    }

    #[test]
    fn url_component_encodes_separators() {
        assert_eq!(escaped(Destination::UrlComponent, "a/b c?d"), "a%2Fb%20c%3Fd");
        assert_eq!(escaped(Destination::UrlComponent, "#&=%+é"), "%23%26%3D%25%2B%C3%A9");
        assert_eq!(escaped(Destination::UrlComponent, "A-z_0.9~"), "A-z_0.9~");
    }

    #[test]
    fn text_is_inserted_as_it_is() {
        assert_eq!(escaped(Destination::Text, "<a href='x'>&</a>"), "<a href='x'>&</a>");
    }

    /// Renders `command` with `{{v}}` bound to `value`.
    fn render(command: &str, value: &str) -> Result<String, crate::RenderError> {
        let template = crate::Template::parse(command).expect("parses");
        let context = serde_json::json!({ "v": value });
        crate::Renderer::new().render_text(&template, Destination::ShellWord, &context)
    }

    /// Runs `script` with `shell` in an empty directory, returning what it printed and whether
    /// it created anything there (the mark of an injected command).
    fn run_in_empty_dir(shell: &str, script: &str) -> (String, bool) {
        let dir = tempfile::tempdir().expect("temp dir");
        let output =
            std::process::Command::new(shell).arg("-c").arg(script).current_dir(dir.path()).output().expect("sh runs");
        let created = std::fs::read_dir(dir.path()).expect("reads").next().is_some();
        (String::from_utf8_lossy(&output.stdout).into_owned(), created)
    }

    /// Renders `command` with `{{v}}` bound to `value` and runs it with `sh`, returning what
    /// it printed: the value must arrive byte for byte, whatever context surrounds it, and no
    /// file may appear in the directory it runs in.
    fn round_trip(command: &str, value: &str) -> String {
        let script = render(command, value).expect("renders");
        let (printed, created) = run_in_empty_dir("sh", &script);
        assert!(!created, "{command:?} with {value:?} ran an injected command: {script:?}");
        let (printed_by_bash, created) = run_in_empty_dir("bash", &script);
        assert!(!created, "{command:?} with {value:?} ran an injected command in bash: {script:?}");
        assert_eq!(printed, printed_by_bash, "sh and bash differ on {script:?}");
        printed
    }

    const INJECTIONS: [&str; 9] = [
        "a; touch X",
        "$(touch X)",
        "`touch X`",
        "x\ntouch X #",
        "EOF\ntouch X",
        "'; touch X; '",
        "\"; touch X; \"",
        ") ; touch X ; (",
        "\\`touch X`",
    ];

    #[test]
    fn values_inside_author_written_quotes_arrive_byte_for_byte() {
        let values = [
            "x; echo INJECTED",
            "$(echo INJECTED)",
            "`echo INJECTED`",
            "it's",
            "say \"hi\"",
            "back\\slash",
            "$HOME",
            "a\nb",
            "",
            "a#b",
            "(x) ) (",
            "esac",
        ];
        for value in values.into_iter().chain(INJECTIONS) {
            assert_eq!(round_trip("printf '%s' {{v}}", value), value, "bare");
            assert_eq!(round_trip("printf '%s' '{{v}}'", value), value, "inside single quotes");
            assert_eq!(round_trip("printf '%s' \"{{v}}\"", value), value, "inside double quotes");
            assert_eq!(
                round_trip("printf '%s' \"pre-{{v}}-post\"", value),
                format!("pre-{value}-post"),
                "glued in double quotes"
            );
            assert_eq!(
                round_trip("printf '%s' 'it'\\''s {{v}}'", value),
                format!("it's {value}"),
                "after an escaped quote"
            );
            let trimmed = value.trim_end_matches('\n');
            for command in [
                "printf '%s' \"$(printf '%s' {{v}})\"",
                "printf '%s' \"`printf '%s' {{v}}`\"",
                "printf '%s' `printf '%s' {{v}}`",
                "printf '%s' \"$(echo \"$(printf '%s' {{v}})\")\"",
                "printf '%s' \"$(printf '%s' \"{{v}}\")\"",
                "printf '%s' \"$( (printf '%s' {{v}}) )\"",
                "printf '%s' \"$(case a in a) printf '%s' {{v}};; esac)\"",
            ] {
                let printed = round_trip(command, value);
                // Unquoted, the output of a substitution is split into words again.
                let want =
                    if command.contains('"') { trimmed.to_owned() } else { trimmed.split_whitespace().collect() };
                assert_eq!(printed, want, "{command:?}");
            }
        }
    }

    #[test]
    fn values_in_here_documents_arrive_byte_for_byte() {
        for value in ["plain", "$HOME `x` \\ \" '", "a\nb", "EOF.", " EOF", "x\n", "", ") ; touch X ; (", "$(touch X)"]
        {
            for command in ["cat <<EOF\n{{v}}\nEOF", "cat <<'EOF'\n{{v}}\nEOF", "cat << \"EOF\"\n{{v}}\nEOF"] {
                assert_eq!(round_trip(command, value), format!("{value}\n"), "{command:?}");
            }
            assert_eq!(round_trip("cat <<-EOF\n\t{{v}}\n\tEOF", value), format!("{value}\n"), "<<-");
            for command in
                ["printf '%s' \"$(cat <<EOF\n{{v}}\nEOF\n)\"", "printf '%s' \"$(cat <<'EOF'\n{{v}}\nEOF\n)\""]
            {
                assert_eq!(round_trip(command, value), value.trim_end_matches('\n'), "{command:?}");
            }
            assert_eq!(
                round_trip("cat <<EOF | tr a a\npre {{v}} $(printf '%s' {{v}}) post\nEOF\nprintf %s {{v}}", value),
                format!("pre {value} {} post\n{value}", value.trim_end_matches('\n')),
                "around and after a here-document"
            );
        }
    }

    #[test]
    fn here_documents_refuse_a_value_that_would_end_them() {
        for (command, value) in [
            ("cat <<EOF\n{{v}}\nEOF", "EOF\ntouch X"),
            ("cat <<EOF\n{{v}}\nEOF", "EOF"),
            ("cat <<'EOF'\n{{v}}\nEOF", "a\nEOF\ntouch X"),
            ("cat <<-EOF\n{{v}}\nEOF", "\t\tEOF\ntouch X"),
            ("cat <<EOF\nEO{{v}}\nEOF", "F"),
            ("cat <<EOF\nEOF{{v}}", "\ntouch X"),
            ("cat <<EOF\n$(printf %s {{v}})\nEOF", "a\nEOF\ntouch X"),
        ] {
            let error = render(command, value).expect_err(command);
            assert!(error.message().contains("delimiter `EOF`"), "{command:?}: {error}");
        }
    }

    #[test]
    fn comments_swallow_the_value_whole() {
        for value in INJECTIONS.into_iter().chain(["plain", "captured stdout\n", "a\r\nb"]) {
            assert_eq!(round_trip("printf ok # {{v}}", value), "ok");
            assert_eq!(round_trip("printf ok # it's {{v}}\nprintf 1", value), "ok1");
            assert_eq!(round_trip("printf '%s' \"$(printf ok # {{v}}\n)\"", value), "ok");
        }
        for (command, value) in
            [("printf '%s' a#{{v}}", "b c"), ("printf '%s' $#{{v}}", "x"), ("printf '%s' ${#v}{{v}}", "ab")]
        {
            let printed = round_trip(command, value);
            assert!(printed.ends_with(value), "{command:?} is not a comment: {printed:?}");
        }
    }

    #[test]
    fn arithmetic_takes_integers_only() {
        assert_eq!(round_trip("printf '%s' $(( {{v}} + 1 ))", "41"), "42");
        assert_eq!(round_trip("printf '%s' \"$(( ({{v}}) * 2 ))\"", "-4"), "-8");
        for value in ["$(touch X)", "a[$(touch X)]", "1 + 1", ""] {
            for command in ["echo $(( {{v}} ))", "((x = {{v}}))", "echo $[ {{v}} ]"] {
                let error = render(command, value).expect_err(value);
                assert!(error.message().contains("integer"), "{command:?}: {error}");
            }
        }
    }

    #[test]
    fn contexts_that_cannot_be_escaped_refuse_to_render() {
        for command in [
            "echo ${x:-{{v}}}",
            "echo \"${x:-\"{{v}}\"}\"",
            "echo $'{{v}}'",
            "echo \"${{v}}\"",
            "echo ${{v}}",
            "echo \\\\{{v}}",
            "cat <<{{v}}",
            "echo `echo \\`echo {{v}}\\``",
        ] {
            let error = render(command, "(touch X)").expect_err(command);
            assert!(error.message().contains("cannot be escaped"), "{command:?}: {error}");
        }
    }

    #[test]
    fn reserved_words_and_assignments_stay_arguments_where_a_command_starts() {
        assert_eq!(render("{{v}} x", "esac").expect("renders"), "'esac' x");
        assert_eq!(render("$({{v}} x)", "PATH=/tmp").expect("renders"), "$('PATH=/tmp' x)");
        assert_eq!(render("echo {{v}}", "esac").expect("renders"), "echo esac");
    }

    proptest::proptest! {
        #[test]
        fn no_value_escapes_its_context(value in "[a-c $`'\"\\;&|()<>#{}\n\t*?~=E-]{0,12}") {
            for command in [
                "printf '%s' {{v}}",
                "printf '%s' \"{{v}}\"",
                "printf '%s' '{{v}}'",
                "printf '%s' \"$(printf '%s' {{v}})\"",
                "printf '%s' \"`printf '%s' {{v}}`\"",
                "cat <<E\n{{v}}\nE",
                "cat <<'E'\n{{v}}\nE",
            ] {
                let Ok(script) = render(command, &value) else {
                    proptest::prop_assert!(command.starts_with("cat") && value.split('\n').any(|line| line == "E"));
                    continue;
                };
                let (printed, created) = run_in_empty_dir("sh", &script);
                proptest::prop_assert!(!created, "{:?} ran an injected command: {:?}", command, script);
                let want = if command.starts_with("cat") {
                    format!("{value}\n")
                } else if command.contains("printf '%s' {{v}})") || command.contains("{{v}}`") {
                    value.trim_end_matches('\n').to_owned()
                } else {
                    value.clone()
                };
                proptest::prop_assert_eq!(printed, want, "{:?}", command);
            }
            let script = render("printf ok # {{v}}", &value).expect("renders");
            let (printed, created) = run_in_empty_dir("sh", &script);
            proptest::prop_assert!(!created);
            proptest::prop_assert_eq!(printed, "ok");
        }
    }
}
