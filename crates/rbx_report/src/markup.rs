//! Escaping text into XML and HTML (JUnit, the HTML report).

use std::borrow::Cow;

/// `text` safe inside an XML or HTML element or a double- or single-quoted attribute: the five
/// special characters become entities, and control characters XML 1.0 forbids (every C0 but
/// tab, newline and carriage return) become U+FFFD, since no entity can carry them.
pub fn escape_xml(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if forbidden(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    matches!(c, '&' | '<' | '>' | '"' | '\'') || forbidden(c)
}

fn forbidden(c: char) -> bool {
    (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specials_and_controls() {
        assert_eq!(escape_xml("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(escape_xml("bell\u{7}\ttab\n"), "bell\u{FFFD}\ttab\n");
        assert!(matches!(escape_xml("plain"), Cow::Borrowed(_)));
    }
}
