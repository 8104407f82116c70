use std::fmt;
use std::sync::Arc;

use serde_json::Value;
use serde_json_path::JsonPath;

/// Longest path text accepted; real paths are a few dozen bytes.
const MAX_PATH_BYTES: usize = 4096;

/// Deepest nesting of brackets and parentheses accepted. The parser recurses on nesting (a few
/// hundred levels overflow a thread's stack) and takes time exponential in nested filters.
const MAX_NESTING: usize = 12;

/// A JSONPath (RFC 9535) parsed once, keeping the text it was written as. Clones share the
/// parsed path: a runbook repeats the same few paths (`$.stdout`, `$.status`) thousands of
/// times, and the loader parses each text once.
#[derive(Debug, Clone)]
pub struct CompiledPath {
    source: Arc<str>,
    query: Arc<Query>,
}

#[derive(Debug)]
enum Query {
    /// `$.a.b.c`: names only, the shape of nearly every path in a runbook. Walked directly, it
    /// selects what RFC 9535 selects, without the general parser (a third of the instructions
    /// spent loading a 10,000-step runbook went to parsing such paths).
    Members(Box<[Box<str>]>),
    Full(JsonPath),
}

/// The names of `$.a.b.c` when the path is only dotted ASCII names, else `None`.
fn member_names(src: &str) -> Option<Box<[Box<str>]>> {
    let rest = src.strip_prefix('$')?;
    if rest.is_empty() {
        return Some(Box::new([]));
    }
    rest.strip_prefix('.')?
        .split('.')
        .map(|name| {
            let mut bytes = name.bytes();
            let first = bytes.next()?;
            let shorthand =
                (first.is_ascii_alphabetic() || first == b'_') && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_');
            shorthand.then(|| Box::from(name))
        })
        .collect()
}

/// Why a JSONPath did not parse. Displays as a fragment for the caller to prefix:
/// "unexpected `-` at byte 17; a name with `-` needs brackets: `$.headers['content-type']`".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}{}{}", at_byte(.offset), hint_suffix(.hint))]
pub struct PathError {
    /// What is wrong, as a lowercase fragment.
    pub message: String,
    /// Byte offset in the path text where the problem was found, when known.
    pub offset: Option<usize>,
    /// How to fix it, when the mistake is a common one.
    pub hint: Option<String>,
}

fn at_byte(offset: &Option<usize>) -> String {
    offset.map(|offset| format!(" at byte {offset}")).unwrap_or_default()
}

fn hint_suffix(hint: &Option<String>) -> String {
    hint.as_ref().map(|hint| format!("; {hint}")).unwrap_or_default()
}

impl CompiledPath {
    /// Parses `src` as an RFC 9535 query such as `$.steps.check_db.outcome`.
    pub fn parse(src: &str) -> Result<CompiledPath, PathError> {
        check_limits(src)?;
        if let Some(names) = member_names(src) {
            return Ok(CompiledPath { source: Arc::from(src), query: Arc::new(Query::Members(names)) });
        }
        match JsonPath::parse(src) {
            Ok(path) => Ok(CompiledPath { source: Arc::from(src), query: Arc::new(Query::Full(path)) }),
            Err(error) => {
                // serde_json_path documents the position as 1-based, but it is the 0-based byte
                // offset of the unparsed rest; keep it only if it points inside the text.
                let offset = Some(error.position()).filter(|offset| src.is_char_boundary(*offset));
                Err(PathError {
                    message: explain(src, offset, error.message()),
                    offset,
                    hint: offset.and_then(|offset| quoted_name_hint(src, offset)),
                })
            }
        }
    }

    /// The path as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether the path can select at most one node (RFC 9535's singular query: names and
    /// indices only): no wildcard (`*`), slice (`:`), filter (`?`), union (`,`) or descendant
    /// (`..`) outside its quoted names.
    pub fn is_singular(&self) -> bool {
        match &*self.query {
            Query::Members(_) => true,
            Query::Full(_) => {
                let mut previous = '\0';
                unquoted(&self.source).all(|(_, c)| {
                    let plural = matches!(c, '*' | ':' | '?' | ',') || (c == '.' && previous == '.');
                    previous = c;
                    !plural
                })
            }
        }
    }

    /// The nodes the path selects in `value`, in document order.
    pub fn select<'a>(&self, value: &'a Value) -> Vec<&'a Value> {
        match &*self.query {
            Query::Members(names) => {
                names.iter().try_fold(value, |node, name| node.as_object()?.get(&**name)).into_iter().collect()
            }
            Query::Full(path) => path.query(value).all(),
        }
    }
}

/// serde_json_path says only "parser error" when no rule applies; say what it stopped at.
fn explain(src: &str, offset: Option<usize>, message: &str) -> String {
    if message != "parser error" {
        return message.to_owned();
    }
    match offset.map(|offset| src[offset..].chars().next()) {
        Some(None) if src.is_empty() => "the path is empty; it starts with `$`".to_owned(),
        Some(None) => "the path ends too early".to_owned(),
        Some(Some(c)) if offset == Some(0) && c != '$' => "a path starts with `$`".to_owned(),
        Some(Some(c)) if c.is_whitespace() => "unexpected whitespace".to_owned(),
        Some(Some(c)) => format!("unexpected `{}`", c.escape_debug()),
        None => message.to_owned(),
    }
}

/// `$.headers.content-type` is the mistake everyone makes: RFC 9535 shorthand names cannot hold
/// `-`. When the parser stops at a `-` inside a dotted name, suggest the bracketed form.
fn quoted_name_hint(src: &str, offset: usize) -> Option<String> {
    if !src[offset..].starts_with('-') {
        return None;
    }
    let dot = src[..offset].rfind('.')?;
    let name_start = &src[dot + 1..offset];
    if name_start.is_empty() || !name_start.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return None;
    }
    let name_end = src[offset..].find(['.', '[']).map_or(src.len(), |end| offset + end);
    let name = &src[dot + 1..name_end];
    if name.contains(['\'', '\\', ' ']) {
        return None;
    }
    Some(format!("a name with `-` needs brackets: `{}['{name}']{}`", &src[..dot], &src[name_end..]))
}

/// Refuses paths that would make the parser overflow its stack or run for minutes.
fn check_limits(src: &str) -> Result<(), PathError> {
    if src.len() > MAX_PATH_BYTES {
        return Err(PathError {
            message: format!("a path may be at most {MAX_PATH_BYTES} bytes long"),
            offset: None,
            hint: None,
        });
    }
    let mut depth = 0usize;
    for (offset, c) in unquoted(src) {
        match c {
            '[' | '(' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(PathError {
                        message: format!("brackets and parentheses may nest at most {MAX_NESTING} deep"),
                        offset: Some(offset),
                        hint: None,
                    });
                }
            }
            ']' | ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// The characters of a path outside its quoted names (`'a.b'`, `"x*"`), with their offsets;
/// the quotes themselves are left out.
fn unquoted(src: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    src.char_indices().filter(move |&(_, c)| match quote {
        Some(_) if escaped => {
            escaped = false;
            false
        }
        Some(_) if c == '\\' => {
            escaped = true;
            false
        }
        Some(open) => {
            if c == open {
                quote = None;
            }
            false
        }
        None if c == '\'' || c == '"' => {
            quote = Some(c);
            false
        }
        None => true,
    })
}

impl PartialEq for CompiledPath {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl Eq for CompiledPath {}

impl fmt::Display for CompiledPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn parses_once_and_selects_in_document_order() {
        let path = CompiledPath::parse("$.items[*].id").unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(path.source(), "$.items[*].id");
        assert_eq!(path.to_string(), "$.items[*].id");
        let doc = json!({"items": [{"id": 2}, {"id": 1}, {"name": "x"}]});
        assert_eq!(path.select(&doc), vec![&json!(2), &json!(1)]);
        assert!(path.select(&json!({"other": 1})).is_empty());
    }

    #[test]
    fn dotted_names_select_what_the_general_parser_selects() {
        let doc = json!({
            "a": {"b": {"c": 1}, "list": [1, 2], "null": null},
            "_x1": "y",
            "n": 5,
            "ü": {"k": true}
        });
        let paths = [
            "$",
            "$.a",
            "$.a.b",
            "$.a.b.c",
            "$.a.b.c.d",
            "$.a.list",
            "$.a.list.b",
            "$.a.null",
            "$.a.null.x",
            "$._x1",
            "$.missing",
            "$.n.x",
            "$.ü.k",
            "$.a..c",
            "$.a.",
            "$a",
            "$.1a",
            "$.a.b-c",
        ];
        for text in paths {
            let general = JsonPath::parse(text).map(|path| path.query(&doc).all());
            match (CompiledPath::parse(text), general) {
                (Ok(compiled), Ok(expected)) => assert_eq!(compiled.select(&doc), expected, "{text}"),
                (Err(_), Err(_)) => {}
                (compiled, general) => panic!("{text}: rbx says {compiled:?}, serde_json_path says {general:?}"),
            }
        }
        assert!(matches!(*CompiledPath::parse("$.a.b_2.C").unwrap().query, Query::Members(_)));
        assert!(matches!(*CompiledPath::parse("$.a[0]").unwrap().query, Query::Full(_)));
        assert!(matches!(*CompiledPath::parse("$.ü").unwrap().query, Query::Full(_)));
        for (text, singular) in [
            ("$", true),
            ("$.a.b", true),
            ("$.items[0].id", true),
            ("$['a.b']['c*']", true),
            ("$[\"x,y\"][-1]", true),
            ("$.items[*].id", false),
            ("$..id", false),
            ("$.items[0:2]", false),
            ("$.items[0,1]", false),
            ("$.items[?@.id == 1]", false),
        ] {
            assert_eq!(CompiledPath::parse(text).unwrap().is_singular(), singular, "{text}");
        }
    }

    #[test]
    fn filters_work() {
        let path = CompiledPath::parse("$.json.errors[?@.status == 401]").unwrap_or_else(|error| panic!("{error}"));
        let doc = json!({"json": {"errors": [{"status": 401}, {"status": 500}, {"status": 401.0}]}});
        assert_eq!(path.select(&doc).len(), 2);
    }

    #[test]
    fn errors_carry_a_byte_offset() {
        let error = CompiledPath::parse("$.ü[").unwrap_err();
        assert_eq!(error.offset, Some(4));
        assert_eq!(error.to_string(), "unexpected `[` at byte 4");
        assert_eq!(CompiledPath::parse("$.a b").unwrap_err().to_string(), "unexpected whitespace at byte 3");
        let error = CompiledPath::parse("$.a[?@.x ==]").unwrap_err();
        assert_eq!(error.offset, Some(9));
        assert!(error.message.contains("expected closing ']'"), "{}", error.message);
        assert_eq!(CompiledPath::parse("status").unwrap_err().to_string(), "a path starts with `$` at byte 0");
        assert_eq!(CompiledPath::parse("").unwrap_err().message, "the path is empty; it starts with `$`");
        assert!(CompiledPath::parse(" $.a").is_err());
    }

    #[test]
    fn dashed_names_get_a_bracket_hint() {
        let error = CompiledPath::parse("$.headers.content-type").unwrap_err();
        assert_eq!(
            error.to_string(),
            "unexpected `-` at byte 17; a name with `-` needs brackets: `$.headers['content-type']`"
        );
        let error = CompiledPath::parse("$.a.x-y-z.b[0]").unwrap_err();
        assert_eq!(error.hint.as_deref(), Some("a name with `-` needs brackets: `$.a['x-y-z'].b[0]`"));
        assert!(CompiledPath::parse("$.headers['content-type']").is_ok());
        assert_eq!(CompiledPath::parse("$[-").unwrap_err().hint, None);
    }

    #[test]
    fn deep_nesting_is_refused_before_parsing() {
        let nested = format!("$[?{}@{}]", "@[?".repeat(20), "]".repeat(20));
        let error = CompiledPath::parse(&nested).unwrap_err();
        assert_eq!(error.to_string(), "brackets and parentheses may nest at most 12 deep at byte 37");
        let parens = format!("$[?{}@.a{}]", "(".repeat(5000), ")".repeat(5000));
        assert!(CompiledPath::parse(&parens).is_err());
        let just_enough = format!("$[?{}@{}]", "@[?".repeat(11), "]".repeat(11));
        assert!(CompiledPath::parse(&just_enough).is_ok());
    }

    #[test]
    fn brackets_inside_names_do_not_count_as_nesting() {
        let name = "[(".repeat(40);
        let path = CompiledPath::parse(&format!("$['{name}']")).unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(path.select(&json!({ name.clone(): 1 })), vec![&json!(1)]);
        assert!(CompiledPath::parse(r#"$["a\"[[[[[[[[[[[[[[[[[[["]"#).is_ok());
    }

    #[test]
    fn overlong_paths_are_refused() {
        let long = format!("$.{}", "a".repeat(MAX_PATH_BYTES));
        assert_eq!(CompiledPath::parse(&long).unwrap_err().to_string(), "a path may be at most 4096 bytes long");
    }
}
