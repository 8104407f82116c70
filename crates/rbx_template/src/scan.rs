//! A rough pass over the `{{…}}` tags of a source, before and after the real parser: it
//! bounds nesting (so deep input cannot exhaust the stack) and turns the parser's generic
//! syntax errors into messages that say what is wrong ("unclosed `{{`").

/// One `{{…}}` tag: where it starts, its content between the braces, where it ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tag<'a> {
    pub(crate) start: usize,
    pub(crate) content: &'a str,
    pub(crate) end: usize,
    /// How many `{` open it.
    open: usize,
}

impl<'a> Tag<'a> {
    /// How many braces open and close it: `(2, 2)` for `{{x}}`, `(3, 3)` for `{{{x}}}`.
    pub(crate) fn braces(&self) -> (usize, usize) {
        let close = (self.end - self.start).saturating_sub(self.open + self.content.len());
        (self.open, close)
    }

    /// The content without whitespace-control `~` and surrounding spaces.
    fn body(&self) -> &'a str {
        self.content.trim().trim_start_matches('~').trim_end_matches('~').trim()
    }

    fn opens_block(&self) -> Option<&'a str> {
        let name = self.body().strip_prefix('#')?;
        let name = name.trim_start_matches(['*', '>']).trim_start();
        Some(name.split(|c: char| c.is_whitespace() || c == '}').next().unwrap_or(""))
    }

    fn closes_block(&self) -> bool {
        self.body().starts_with('/')
    }
}

/// The tags of a source, and the start of the first `{{` that is never closed.
pub(crate) fn scan(source: &str) -> (Vec<Tag<'_>>, Option<usize>) {
    let bytes = source.as_bytes();
    let mut tags = Vec::new();
    let mut at = 0;
    while let Some(found) = source[at..].find("{{") {
        let start = at + found;
        if is_escaped(bytes, start) {
            at = start + 2;
            continue;
        }
        let braces = bytes[start..].iter().take_while(|&&b| b == b'{').count();
        let content_start = start + braces;
        let Some(close) = find_close(source, content_start) else {
            return (tags, Some(start));
        };
        let content = &source[content_start..close];
        if contains_open(content) {
            return (tags, Some(start));
        }
        let closing = bytes[close..].iter().take_while(|&&b| b == b'}').count();
        if braces > 2 && closing < braces.min(4) {
            // `{{{x}}` opens a triple stash that only a `}}}` closes.
            return (tags, Some(start));
        }
        let end = close + closing;
        tags.push(Tag { start, content, end, open: braces });
        at = end;
        if braces >= 4 && !content.trim_start().starts_with('/') {
            // A raw block: its content is text up to the closing `{{{{/`.
            match source[at..].find("{{{{/") {
                Some(closing) => at += closing,
                None => return (tags, Some(start)),
            }
        }
    }
    (tags, None)
}

/// `\{{` is an escaped (literal) `{{`; `\\{{` is a backslash followed by a real tag.
fn is_escaped(bytes: &[u8], start: usize) -> bool {
    let backslashes = bytes[..start].iter().rev().take_while(|&&b| b == b'\\').count();
    backslashes == 1
}

/// The `}}` that ends a tag whose content starts at `from`, skipping quoted strings.
fn find_close(source: &str, from: usize) -> Option<usize> {
    let bytes = source.as_bytes();
    let mut quote = None;
    let mut at = from;
    while at < bytes.len() {
        let byte = bytes[at];
        match quote {
            Some(_) if byte == b'\\' => at += 1,
            Some(q) if byte == q => quote = None,
            Some(_) => {}
            None if byte == b'"' || byte == b'\'' => quote = Some(byte),
            None if bytes[at..].starts_with(b"}}") => return Some(at),
            None => {}
        }
        at += 1;
    }
    None
}

/// Whether a tag's content holds an unescaped `{{` outside quotes (so the tag was never
/// closed before the next one opened). One pass: the content may be megabytes long.
fn contains_open(content: &str) -> bool {
    let bytes = content.as_bytes();
    let (mut quote, mut escaped) = (None, false);
    for (at, &byte) in bytes.iter().enumerate() {
        match quote {
            Some(_) if escaped => escaped = false,
            Some(_) if byte == b'\\' => escaped = true,
            Some(q) if byte == q => quote = None,
            Some(_) => {}
            None if byte == b'"' || byte == b'\'' => quote = Some(byte),
            None if bytes[at..].starts_with(b"{{") && !is_escaped(bytes, at) => return true,
            None => {}
        }
    }
    false
}

/// The start of the first tag that nests blocks or subexpressions deeper than `limit`.
pub(crate) fn too_deep(tags: &[Tag<'_>], limit: usize) -> Option<usize> {
    let mut depth = 0usize;
    for tag in tags {
        if tag.opens_block().is_some() {
            depth += 1;
        } else if tag.closes_block() {
            depth = depth.saturating_sub(1);
        }
        if depth > limit || parenthesis_depth(tag.content) > limit {
            return Some(tag.start);
        }
    }
    None
}

fn parenthesis_depth(content: &str) -> usize {
    let (mut depth, mut deepest, mut quote) = (0usize, 0usize, None);
    for byte in content.bytes() {
        match quote {
            Some(q) if byte == q => quote = None,
            Some(_) => {}
            None if byte == b'"' || byte == b'\'' => quote = Some(byte),
            None if byte == b'(' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            None if byte == b')' => depth = depth.saturating_sub(1),
            None => {}
        }
    }
    deepest
}

/// The innermost block opened and never closed: its start and name.
pub(crate) fn unclosed_block<'a>(tags: &[Tag<'a>]) -> Option<(usize, &'a str)> {
    let mut open = Vec::new();
    for tag in tags {
        if let Some(name) = tag.opens_block() {
            open.push((tag.start, name));
        } else if tag.closes_block() {
            open.pop();
        }
    }
    open.pop()
}

/// The tag around a byte offset.
pub(crate) fn tag_around<'t, 'a>(tags: &'t [Tag<'a>], offset: usize) -> Option<&'t Tag<'a>> {
    tags.iter().find(|tag| tag.start <= offset && offset <= tag.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_tags_and_unclosed_opens() {
        let (tags, unclosed) = scan(r#"a {{x}} \{{y}} {{{z}}} {{f "}}"}}"#);
        let contents: Vec<_> = tags.iter().map(|t| t.content).collect();
        assert_eq!(contents, ["x", "z", r#"f "}}""#]);
        assert_eq!(unclosed, None);
        assert_eq!(scan("ab {{x").1, Some(3));
        assert_eq!(scan("{{a {{b}}").1, Some(0));
        assert_eq!(scan("ok {{{x}}").1, Some(3));
        assert_eq!(scan("{{{{raw}}}} {{ {{{{/raw}}}}").1, None);
    }

    #[test]
    fn measures_nesting() {
        let deep_blocks = "{{#if a}}".repeat(5);
        assert_eq!(too_deep(&scan(&deep_blocks).0, 4), Some(36));
        assert_eq!(too_deep(&scan(&deep_blocks).0, 5), None);
        let deep_calls = format!("{{{{a {}1{}}}}}", "(b ".repeat(5), ")".repeat(5));
        assert_eq!(too_deep(&scan(&deep_calls).0, 4), Some(0));
        assert_eq!(too_deep(&scan(r#"{{a "((((((" }}"#).0, 4), None);
    }

    #[test]
    fn finds_the_innermost_unclosed_block() {
        let (tags, _) = scan("{{#each a}}{{#if b}}x{{/if}}{{#with c}}");
        assert_eq!(unclosed_block(&tags), Some((28, "with")));
        let (tags, _) = scan("{{#if a}}{{/if}}");
        assert_eq!(unclosed_block(&tags), None);
    }
}
