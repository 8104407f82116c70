use std::collections::HashMap;

use rbx_diagnostics::{Diagnostic, SourceFile, Span, codes};
use saphyr_parser::{Event, Parser, ScalarStyle as YamlStyle, Tag};

use crate::node::{Entry, Node, NodeKind, Scalar, ScalarStyle, ScalarValue, resolve_plain};

/// Bounds that keep a hostile document from exhausting the engine.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Deepest nesting of sequences and mappings.
    pub max_depth: usize,
    /// Most nodes that aliases may add to the document in total.
    pub max_alias_nodes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { max_depth: 64, max_alias_nodes: 250_000 }
    }
}

/// What parsing produced: the root node when the YAML was well-formed, and every problem found.
#[derive(Debug)]
pub struct Parsed {
    /// The document's root node; `None` when the text is empty or does not parse.
    pub root: Option<Node>,
    /// Syntax problems, duplicate keys, refused aliases, extra documents.
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses one YAML document with the default [`Limits`].
pub fn parse(file: &SourceFile) -> Parsed {
    parse_with_limits(file, Limits::default())
}

/// Parses one YAML document.
pub fn parse_with_limits(file: &SourceFile, limits: Limits) -> Parsed {
    let mut builder = Builder {
        file,
        ascii: file.text().is_ascii(),
        limits,
        stack: Vec::new(),
        anchors: HashMap::new(),
        alias_nodes: 0,
        root: None,
        documents: 0,
        diagnostics: Vec::new(),
    };
    let outcome = builder.run();
    let root = match outcome {
        Ok(()) => builder.root,
        Err(diagnostic) => {
            builder.diagnostics.push(diagnostic);
            None
        }
    };
    Parsed { root, diagnostics: builder.diagnostics }
}

struct Built {
    node: Node,
    size: usize,
}

enum Frame {
    Seq {
        items: Vec<Node>,
        start: Span,
        last_end: usize,
        anchor: usize,
        size: usize,
    },
    Map {
        entries: Vec<Entry>,
        seen: HashMap<String, Span>,
        pending_key: Option<(String, Span, bool)>,
        merges: Vec<Node>,
        start: Span,
        last_end: usize,
        anchor: usize,
        size: usize,
    },
}

struct Builder<'f> {
    file: &'f SourceFile,
    ascii: bool,
    limits: Limits,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize)>,
    alias_nodes: usize,
    root: Option<Node>,
    documents: usize,
    diagnostics: Vec<Diagnostic>,
}

impl Builder<'_> {
    fn run(&mut self) -> Result<(), Diagnostic> {
        let mut parser = Parser::new_from_str(self.file.text());
        while let Some(next) = parser.next_event() {
            let (event, span) = next.map_err(|error| {
                let marker = error.marker();
                let offset = self.offset(marker.index(), marker.line(), marker.col());
                self.syntax_error(offset, error.info())
            })?;
            let span = self.span(&span);
            match event {
                Event::DocumentStart(_) => {
                    self.documents += 1;
                    if self.documents > 1 {
                        return Err(Diagnostic::new(
                            codes::MULTIPLE_DOCUMENTS,
                            span,
                            "a second YAML document starts here",
                        )
                        .with_help("a runbook file holds one document: move this one to its own file"));
                    }
                }
                Event::Scalar(text, style, anchor, tag) => {
                    let node = self.scalar(text.into_owned(), style, tag.as_deref(), span);
                    self.finish_node(Built { node, size: 1 }, anchor)?;
                }
                Event::Alias(anchor) => {
                    let (node, size) = self
                        .anchors
                        .get(&anchor)
                        .cloned()
                        .ok_or_else(|| Diagnostic::new(codes::YAML_SYNTAX, span, "alias to an unknown anchor"))?;
                    self.alias_nodes = self.alias_nodes.saturating_add(size);
                    if self.alias_nodes > self.limits.max_alias_nodes {
                        return Err(Diagnostic::new(
                            codes::ALIAS_BUDGET,
                            span,
                            format!(
                                "aliases expand the document past {} nodes; refused without expanding",
                                self.limits.max_alias_nodes
                            ),
                        )
                        .with_label("this alias goes past the limit")
                        .with_help("share small fragments with anchors; do not nest aliases of aliases"));
                    }
                    self.finish_node(Built { node, size }, 0)?;
                }
                Event::SequenceStart(anchor, tag) => {
                    self.check_collection_tag(tag.as_deref(), span);
                    self.push_frame(
                        Frame::Seq { items: Vec::new(), start: span, last_end: span.end, anchor, size: 1 },
                        span,
                    )?;
                }
                Event::MappingStart(anchor, tag) => {
                    self.check_collection_tag(tag.as_deref(), span);
                    self.push_frame(
                        Frame::Map {
                            entries: Vec::new(),
                            seen: HashMap::new(),
                            pending_key: None,
                            merges: Vec::new(),
                            start: span,
                            last_end: span.end,
                            anchor,
                            size: 1,
                        },
                        span,
                    )?;
                }
                Event::SequenceEnd | Event::MappingEnd => self.close_frame(span)?,
                Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
            }
        }
        Ok(())
    }

    /// A syntax error, moved to where the mistake is when the scanner only notices it later:
    /// a tab used for indentation, or a `[`/`{` opened on an earlier line and never closed.
    fn syntax_error(&self, offset: usize, info: &str) -> Diagnostic {
        let text = self.file.text();
        if info.contains("tab") {
            let offset = offset.min(text.len());
            // The scanner may stop just after the tab it complains about: search from the start
            // of its line, to the end of the next one.
            let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
            let search_end = text[offset..].match_indices('\n').nth(1).map_or(text.len(), |(i, _)| offset + i);
            if let Some(tab) = text.get(line_start..search_end).and_then(|t| t.find('\t')) {
                let tab = line_start + tab;
                return Diagnostic::new(codes::YAML_SYNTAX, Span::new(tab, tab + 1), "a tab is used for indentation")
                    .with_label("tab")
                    .with_help("indent with spaces; YAML does not allow tabs for indentation");
            }
        }
        let error_line = self.file.line_col(offset).line;
        for frame in self.stack.iter().rev() {
            let start = match frame {
                Frame::Seq { start, .. } | Frame::Map { start, .. } => start.start,
            };
            let opener = text[start.min(text.len())..].chars().next();
            if matches!(opener, Some('[' | '{')) && self.file.line_col(start).line < error_line {
                let closer = if opener == Some('[') { ']' } else { '}' };
                let opener = opener.unwrap_or('[');
                return Diagnostic::new(
                    codes::YAML_SYNTAX,
                    Span::new(start, start + 1),
                    format!("this `{opener}` is never closed"),
                )
                .with_label(format!("opened here; close it with `{closer}`"))
                .with_note(format!("the YAML parser stopped later: {info}"));
            }
        }
        Diagnostic::new(codes::YAML_SYNTAX, Span::point(offset), format!("invalid YAML: {info}"))
            .with_optional_help(syntax_hint(info))
    }

    fn push_frame(&mut self, frame: Frame, span: Span) -> Result<(), Diagnostic> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(Diagnostic::new(
                codes::TOO_DEEP,
                span,
                format!("YAML nesting goes deeper than {} levels", self.limits.max_depth),
            ));
        }
        self.stack.push(frame);
        Ok(())
    }

    fn close_frame(&mut self, end_span: Span) -> Result<(), Diagnostic> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        let (built, anchor) = match frame {
            Frame::Seq { items, start, last_end, anchor, size } => {
                let end = if end_span.end > end_span.start { end_span.end } else { last_end };
                (Built { node: Node { kind: NodeKind::Seq(items), span: Span::new(start.start, end) }, size }, anchor)
            }
            Frame::Map { mut entries, merges, start, last_end, anchor, size, .. } => {
                apply_merges(&mut entries, merges);
                let end = if end_span.end > end_span.start { end_span.end } else { last_end };
                (Built { node: Node { kind: NodeKind::Map(entries), span: Span::new(start.start, end) }, size }, anchor)
            }
        };
        self.finish_node(built, anchor)
    }

    fn finish_node(&mut self, built: Built, anchor: usize) -> Result<(), Diagnostic> {
        if anchor != 0 {
            self.anchors.insert(anchor, (built.node.clone(), built.size));
        }
        let Some(frame) = self.stack.last_mut() else {
            self.root = Some(built.node);
            return Ok(());
        };
        match frame {
            Frame::Seq { items, last_end, size, .. } => {
                *last_end = built.node.span.end;
                *size = size.saturating_add(built.size);
                items.push(built.node);
            }
            Frame::Map { entries, seen, pending_key, merges, last_end, size, .. } => {
                *last_end = built.node.span.end;
                *size = size.saturating_add(built.size);
                match pending_key.take() {
                    None => {
                        let key_span = built.node.span;
                        let (key, is_merge) = match built.node.kind {
                            NodeKind::Scalar(scalar) => {
                                let is_merge = scalar.text == "<<" && scalar.style == ScalarStyle::Plain;
                                (scalar.text, is_merge)
                            }
                            _ => {
                                let map_start = key_span.start.saturating_sub(1);
                                if self.file.text()[map_start..].starts_with("{{") {
                                    return Err(Diagnostic::new(
                                        codes::YAML_SYNTAX,
                                        Span::new(map_start, map_start + 2),
                                        "a plain value starting with `{{` is read as a YAML mapping, not a template",
                                    )
                                    .with_label("YAML reads this as `{ {...}: }`")
                                    .with_help("quote the value: `\"{{...}}\"`"));
                                }
                                return Err(Diagnostic::new(
                                    codes::UNSUPPORTED_YAML,
                                    key_span,
                                    "mapping keys must be plain text, not lists or mappings",
                                )
                                .with_help("write the key as text"));
                            }
                        };
                        *pending_key = Some((key, key_span, is_merge));
                    }
                    Some((_, _, true)) => merges.push(built.node),
                    Some((key, key_span, false)) => {
                        // Small mappings (nearly all) find duplicates by a scan; a hash index
                        // is built only for large ones, where a scan would be quadratic.
                        let first = if entries.len() < 32 {
                            entries.iter().find(|e| e.key == key).map(|e| e.key_span)
                        } else {
                            if seen.is_empty() {
                                seen.extend(entries.iter().map(|e| (e.key.clone(), e.key_span)));
                            }
                            seen.get(&key).copied()
                        };
                        if let Some(first) = first {
                            self.diagnostics.push(
                                Diagnostic::new(codes::DUPLICATE_KEY, key_span, format!("duplicate key `{key}`"))
                                    .with_related(first, "first written here")
                                    .with_help("remove one of them; YAML keys are unique in a mapping"),
                            );
                        } else {
                            if !seen.is_empty() {
                                seen.insert(key.clone(), key_span);
                            }
                            entries.push(Entry { key, key_span, value: built.node });
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn scalar(&mut self, text: String, style: YamlStyle, tag: Option<&Tag>, span: Span) -> Node {
        let style = match style {
            YamlStyle::Plain => ScalarStyle::Plain,
            YamlStyle::SingleQuoted => ScalarStyle::SingleQuoted,
            YamlStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
            YamlStyle::Literal => ScalarStyle::Literal,
            YamlStyle::Folded => ScalarStyle::Folded,
        };
        let mut value = if style == ScalarStyle::Plain { resolve_plain(&text) } else { ScalarValue::Str };
        if let Some(tag) = tag {
            match core_tag(tag) {
                Some("str") => value = ScalarValue::Str,
                Some("int" | "float" | "bool" | "null") => value = resolve_plain(&text),
                _ => self.diagnostics.push(
                    Diagnostic::new(
                        codes::UNSUPPORTED_YAML,
                        span,
                        format!("unsupported YAML tag `{}{}`", tag.handle, tag.suffix),
                    )
                    .with_help("remove the tag; runbooks use plain YAML values"),
                ),
            }
        }
        Node { kind: NodeKind::Scalar(Scalar { text, style, value }), span }
    }

    fn check_collection_tag(&mut self, tag: Option<&Tag>, span: Span) {
        if let Some(tag) = tag
            && !matches!(core_tag(tag), Some("seq" | "map"))
        {
            {
                self.diagnostics.push(
                    Diagnostic::new(
                        codes::UNSUPPORTED_YAML,
                        span,
                        format!("unsupported YAML tag `{}{}`", tag.handle, tag.suffix),
                    )
                    .with_help("remove the tag; runbooks use plain YAML values"),
                );
            }
        }
    }

    fn offset(&self, char_index: usize, line: usize, col: usize) -> usize {
        if self.ascii { char_index.min(self.file.text().len()) } else { self.file.offset_of(line, col) }
    }

    fn span(&self, span: &saphyr_parser::Span) -> Span {
        Span::new(
            self.offset(span.start.index(), span.start.line(), span.start.col()),
            self.offset(span.end.index(), span.end.line(), span.end.col()),
        )
    }
}

fn core_tag(tag: &Tag) -> Option<&str> {
    if tag.handle == "!!" || tag.handle == "tag:yaml.org,2002:" { Some(tag.suffix.as_str()) } else { None }
}

/// YAML merge keys (`<<: *base`): keys written in the mapping win over merged ones.
fn apply_merges(entries: &mut Vec<Entry>, merges: Vec<Node>) {
    if merges.is_empty() {
        return;
    }
    let mut present: std::collections::HashSet<String> = entries.iter().map(|e| e.key.clone()).collect();
    for merge in merges {
        let sources = match merge.kind {
            NodeKind::Map(merged) => vec![merged],
            NodeKind::Seq(items) => items
                .into_iter()
                .filter_map(|item| match item.kind {
                    NodeKind::Map(merged) => Some(merged),
                    _ => None,
                })
                .collect(),
            NodeKind::Scalar(_) => Vec::new(),
        };
        for merged in sources {
            for entry in merged {
                if present.insert(entry.key.clone()) {
                    entries.push(entry);
                }
            }
        }
    }
}

fn syntax_hint(info: &str) -> Option<String> {
    if info.contains("tab") {
        Some("indent with spaces; YAML does not allow tabs for indentation".to_owned())
    } else if info.contains("did not find expected key") || info.contains("mapping values are not allowed") {
        Some("check the indentation, and quote values that contain `: ` or start with `{{`".to_owned())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    fn parse_text(text: &str) -> (Parsed, std::sync::Arc<SourceFile>) {
        let file = SourceFile::new("t.yaml", text);
        (parse(&file), file)
    }

    #[test]
    fn builds_spanned_tree() {
        let (parsed, file) = parse_text("a: \"q\"\nb: [1, {c: d}]\n");
        assert!(parsed.diagnostics.is_empty());
        let root = parsed.root.unwrap();
        let b = root.get("b").unwrap();
        assert_eq!(file.slice(b.span), "[1, {c: d}]");
        let c = &b.as_seq().unwrap()[1];
        assert_eq!(c.get("c").unwrap().as_str(), Some("d"));
        assert_eq!(file.slice(root.get("a").unwrap().span), "\"q\"");
    }

    #[test]
    fn non_ascii_spans_are_byte_offsets() {
        let (parsed, file) = parse_text("title: é😀\nx: y\n");
        let root = parsed.root.unwrap();
        assert_eq!(file.slice(root.get("x").unwrap().span), "y");
        assert_eq!(file.slice(root.get("title").unwrap().span), "é😀");
    }

    #[test]
    fn duplicate_keys_are_reported_with_both_places() {
        let (parsed, file) = parse_text("a: 1\nb: 2\na: 3\n");
        assert_eq!(parsed.diagnostics.len(), 1);
        let d = &parsed.diagnostics[0];
        assert_eq!(d.code.id, "E013");
        assert_eq!(file.line_col(d.span.start).line, 3);
    }

    #[test]
    fn merge_keys_merge_without_overriding() {
        let (parsed, _) = parse_text("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n");
        let m = parsed.root.unwrap().get("m").unwrap().clone();
        assert_eq!(m.get("x").unwrap().to_json(), serde_json::json!(1));
        assert_eq!(m.get("y").unwrap().to_json(), serde_json::json!(3));
    }

    #[test]
    fn alias_bomb_is_refused_fast() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..30 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let started = Instant::now();
        let (parsed, _) = parse_text(&text);
        assert!(started.elapsed().as_millis() < 2000);
        assert!(parsed.root.is_none());
        assert_eq!(parsed.diagnostics[0].code.id, "E012");
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = format!("a: {}{}\n", "[".repeat(100), "]".repeat(100));
        let (parsed, _) = parse_text(&text);
        assert!(parsed.root.is_none());
        assert_eq!(parsed.diagnostics[0].code.id, "E011");
    }

    #[test]
    fn syntax_errors_point_at_the_problem() {
        let (parsed, file) = parse_text("a: 1\nb: \"unclosed\n");
        let d = &parsed.diagnostics[0];
        assert_eq!(d.code.id, "E010");
        assert!(file.line_col(d.span.start).line >= 2);
    }

    #[test]
    fn second_document_is_refused() {
        let (parsed, _) = parse_text("a: 1\n---\nb: 2\n");
        assert_eq!(parsed.diagnostics[0].code.id, "E014");
    }
}
