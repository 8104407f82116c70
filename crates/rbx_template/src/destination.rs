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
    /// Appends `text` to `out`, escaped for this destination.
    pub(crate) fn escape_into(self, text: &str, out: &mut String) {
        match self {
            Destination::Text => out.push_str(text),
            Destination::ShellWord => push_shell_word(text, out),
            Destination::UrlComponent => out.extend(utf8_percent_encode(text, URL_COMPONENT)),
        }
    }
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
        destination.escape_into(text, &mut out);
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
}
