use rbx_diagnostics::Span;

/// A YAML node with the span of its text in the source file.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// What the node holds.
    pub kind: NodeKind,
    /// Where it is written (for an alias: where the anchored node is written).
    pub span: Span,
}

/// The three shapes of YAML nodes.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    /// A scalar (string, number, bool, null).
    Scalar(Scalar),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in document order. Keys are scalars and unique (duplicates are diagnosed).
    Map(Vec<Entry>),
}

/// One `key: value` pair of a mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key's text.
    pub key: String,
    /// Where the key is written.
    pub key_span: Span,
    /// The value.
    pub value: Node,
}

/// How a scalar was written; decides how it resolves (quoted text is always a string).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarStyle {
    /// Unquoted.
    Plain,
    /// `'...'`.
    SingleQuoted,
    /// `"..."`.
    DoubleQuoted,
    /// `|` block.
    Literal,
    /// `>` block.
    Folded,
}

/// A scalar's value under the YAML 1.2 core schema.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ScalarValue {
    /// `null`, `~` or nothing.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer that fits in i64.
    Int(i64),
    /// A float (including `.inf`, `.nan`).
    Float(f64),
    /// Anything else: the text is the value.
    Str,
}

/// A scalar: its text as written (after unescaping) and its resolved value.
#[derive(Debug, Clone, PartialEq)]
pub struct Scalar {
    /// The text after YAML unescaping and folding.
    pub text: String,
    /// How it was written.
    pub style: ScalarStyle,
    /// What it resolves to.
    pub value: ScalarValue,
}

impl Node {
    /// The scalar, if this is one.
    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            NodeKind::Scalar(scalar) => Some(scalar),
            _ => None,
        }
    }

    /// The entries, if this is a mapping.
    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.kind {
            NodeKind::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The items, if this is a sequence.
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.kind {
            NodeKind::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// The text of a string scalar (quoted, or plain that does not resolve to another type).
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar(Scalar { text, value: ScalarValue::Str, .. }) => Some(text),
            _ => None,
        }
    }

    /// The value of `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?.iter().find(|entry| entry.key == key).map(|entry| &entry.value)
    }

    /// Whether this is a null scalar.
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, NodeKind::Scalar(Scalar { value: ScalarValue::Null, .. }))
    }

    /// A short noun for messages: "a mapping", "a list", "a string", "the number 30".
    pub fn describe(&self) -> String {
        match &self.kind {
            NodeKind::Map(_) => "a mapping".to_owned(),
            NodeKind::Seq(_) => "a list".to_owned(),
            NodeKind::Scalar(scalar) => match scalar.value {
                ScalarValue::Null => "null (nothing)".to_owned(),
                ScalarValue::Bool(b) => format!("the boolean `{b}`"),
                ScalarValue::Int(_) | ScalarValue::Float(_) => format!("the number `{}`", scalar.text),
                ScalarValue::Str => "a string".to_owned(),
            },
        }
    }

    /// Converts to JSON (for operands, literal data, `json:` bodies). Floats that JSON cannot
    /// hold (NaN, infinities) become strings.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.kind {
            NodeKind::Scalar(scalar) => match scalar.value {
                ScalarValue::Null => Value::Null,
                ScalarValue::Bool(b) => Value::Bool(b),
                ScalarValue::Int(i) => Value::from(i),
                ScalarValue::Float(f) => serde_json::Number::from_f64(f)
                    .map(Value::Number)
                    .unwrap_or_else(|| Value::String(scalar.text.clone())),
                ScalarValue::Str => Value::String(scalar.text.clone()),
            },
            NodeKind::Seq(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            NodeKind::Map(entries) => {
                Value::Object(entries.iter().map(|entry| (entry.key.clone(), entry.value.to_json())).collect())
            }
        }
    }
}

/// Resolves a plain scalar under the YAML 1.2 core schema.
pub(crate) fn resolve_plain(text: &str) -> ScalarValue {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return ScalarValue::Null,
        "true" | "True" | "TRUE" => return ScalarValue::Bool(true),
        "false" | "False" | "FALSE" => return ScalarValue::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return ScalarValue::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return ScalarValue::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return ScalarValue::Float(f64::NAN),
        _ => {}
    }
    let bytes = text.as_bytes();
    let starts_numeric = matches!(bytes[0], b'0'..=b'9' | b'-' | b'+' | b'.');
    if !starts_numeric {
        return ScalarValue::Str;
    }
    if let Some(hex) = text.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).map_or(ScalarValue::Str, ScalarValue::Int);
    }
    if let Some(octal) = text.strip_prefix("0o") {
        return i64::from_str_radix(octal, 8).map_or(ScalarValue::Str, ScalarValue::Int);
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return text
            .parse::<i64>()
            .map_or_else(|_| text.parse::<f64>().map_or(ScalarValue::Str, ScalarValue::Float), ScalarValue::Int);
    }
    let looks_float = digits.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'))
        && digits.bytes().any(|b| b.is_ascii_digit());
    if looks_float && let Ok(value) = text.parse::<f64>() {
        return ScalarValue::Float(value);
    }
    ScalarValue::Str
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_scalars_resolve_like_yaml_1_2() {
        assert_eq!(resolve_plain("30"), ScalarValue::Int(30));
        assert_eq!(resolve_plain("-7"), ScalarValue::Int(-7));
        assert_eq!(resolve_plain("1.5"), ScalarValue::Float(1.5));
        assert_eq!(resolve_plain("1e3"), ScalarValue::Float(1000.0));
        assert_eq!(resolve_plain("0x1F"), ScalarValue::Int(31));
        assert_eq!(resolve_plain("~"), ScalarValue::Null);
        assert_eq!(resolve_plain("true"), ScalarValue::Bool(true));
        assert_eq!(resolve_plain("yes"), ScalarValue::Str);
        assert_eq!(resolve_plain("30s"), ScalarValue::Str);
        assert_eq!(resolve_plain("1.2.3"), ScalarValue::Str);
        assert_eq!(resolve_plain("-"), ScalarValue::Str);
        assert_eq!(resolve_plain("99999999999999999999"), ScalarValue::Float(1e20));
    }
}
