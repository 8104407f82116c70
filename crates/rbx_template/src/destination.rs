//! Escaping of rendered values for the place they land in.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

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
    /// depends on the quotes the author wrote around the expression, so `scan` follows the
    /// command written so far.
    pub(crate) fn escape_into(self, text: &str, out: &mut String, scan: &mut ShellScan) {
        match self {
            Destination::Text => out.push_str(text),
            Destination::ShellWord => match scan.state_after(out) {
                Quoting::Bare => push_shell_word(text, out),
                Quoting::Single => push_in_single_quotes(text, out),
                Quoting::Double => push_in_double_quotes(text, out),
            },
            Destination::UrlComponent => out.extend(utf8_percent_encode(text, URL_COMPONENT)),
        }
    }
}

/// Where the next character of a shell command lands: outside quotes, or inside quotes the
/// command's author wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Quoting {
    /// Outside quotes: a value becomes one quoted word.
    #[default]
    Bare,
    /// Inside `'…'` the author wrote.
    Single,
    /// Inside `"…"` the author wrote.
    Double,
}

/// Follows POSIX quoting through a command as it is rendered, resuming where it stopped, so a
/// render scans its output once. Rendered values are escaped for the state they land in and
/// leave it unchanged, so scanning them is consistent.
#[derive(Debug, Default)]
pub(crate) struct ShellScan {
    scanned: usize,
    state: Quoting,
    escaped: bool,
}

impl ShellScan {
    pub(crate) fn state_after(&mut self, out: &str) -> Quoting {
        for byte in out.as_bytes().get(self.scanned..).unwrap_or_default() {
            if self.escaped {
                self.escaped = false;
                continue;
            }
            self.state = match (self.state, byte) {
                (Quoting::Bare, b'\\') | (Quoting::Double, b'\\') => {
                    self.escaped = true;
                    self.state
                }
                (Quoting::Bare, b'\'') => Quoting::Single,
                (Quoting::Bare, b'"') => Quoting::Double,
                (Quoting::Single, b'\'') | (Quoting::Double, b'"') => Quoting::Bare,
                (state, _) => state,
            };
        }
        self.scanned = out.len();
        self.state
    }
}

/// Inside `'…'` nothing is special but `'`, written as `'\''` (close, escaped quote, reopen).
fn push_in_single_quotes(text: &str, out: &mut String) {
    for ch in text.chars() {
        if ch == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(ch);
        }
    }
}

/// Inside `"…"`, `$`, `` ` ``, `"` and `\` keep a special meaning; a backslash removes it.
fn push_in_double_quotes(text: &str, out: &mut String) {
    for ch in text.chars() {
        if matches!(ch, '$' | '`' | '"' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
}

/// `text` escaped to sit inside `'…'` (and `"…"`) that a command's author wrote; what a shell
/// command shows of a value there, so that secret masking can recognise it.
pub fn shell_escapes_in_quotes(text: &str) -> [String; 2] {
    let (mut single, mut double) = (String::new(), String::new());
    push_in_single_quotes(text, &mut single);
    push_in_double_quotes(text, &mut double);
    [single, double]
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

fn push_shell_word(word: &str, out: &mut String) {
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

fn is_shell_safe(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"_./:=@%+,-".contains(&byte)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(destination: Destination, text: &str) -> String {
        let mut out = String::new();
        destination.escape_into(text, &mut out, &mut ShellScan::default());
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

    /// Renders `command` with `{{v}}` bound to `value` and runs it with `sh`, returning what
    /// `printf` printed: the value must arrive byte for byte, whatever quotes surround it.
    fn round_trip(command: &str, value: &str) -> String {
        let template = crate::Template::parse(command).expect("parses");
        let context = serde_json::json!({ "v": value });
        let script = crate::Renderer::new().render_text(&template, Destination::ShellWord, &context).expect("renders");
        let output = std::process::Command::new("sh").arg("-c").arg(&script).output().expect("sh runs");
        String::from_utf8(output.stdout).expect("utf-8")
    }

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
        ];
        for value in values {
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
        }
    }

    #[test]
    fn the_scan_follows_escapes_and_quote_changes() {
        let mut scan = ShellScan::default();
        assert_eq!(scan.state_after("echo '"), Quoting::Single);
        assert_eq!(scan.state_after("echo 'a' \""), Quoting::Double);
        assert_eq!(scan.state_after("echo 'a' \"b\\\""), Quoting::Double);
        assert_eq!(scan.state_after("echo 'a' \"b\\\"\""), Quoting::Bare);
        assert_eq!(ShellScan::default().state_after("echo \\'"), Quoting::Bare);
    }
}
