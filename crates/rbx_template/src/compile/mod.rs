//! From source text to the compiled tree. Handlebars parses; [`builder`] checks helpers,
//! arities, paths and JSONPath literals once, and lists the references.
//!
//! The handlebars parser costs about 10 µs for a small template and its cost grows with
//! (number of tags × length), so it is kept to where it is needed: plain `{{a.b}}` paths are
//! compiled directly, other expression tags are parsed one tag at a time, and only templates
//! with blocks, comments, whitespace control or escapes go through it whole.

mod builder;
mod explain;

use std::panic::{AssertUnwindSafe, catch_unwind};

use handlebars::template::Template as Parsed;

use crate::error::{TemplateError, TemplateErrorKind};
use crate::helpers::{BLOCK_HELPERS, Helper};
use crate::position::{LineIndex, Pos};
use crate::reference::Reference;
use crate::scan::{Tag, scan, too_deep};
use crate::tree::{Expr, Node, PathExpr, PathStart};
use builder::{Compiler, push_text};
use explain::explain;

/// How deep blocks and subexpressions may nest; deeper input is refused before it can
/// exhaust the stack of the parser or the renderer.
pub(crate) const MAX_DEPTH: usize = 64;

/// The most (tags × bytes) handed to the handlebars parser in one piece: its cost grows with
/// that product (about 7 ns a unit), and a hostile runbook must not hang the loader.
pub(crate) const WHOLE_PARSE_BUDGET: usize = 32_000_000;

/// What parsing produces.
pub(crate) struct Compiled {
    pub(crate) nodes: Vec<Node>,
    pub(crate) references: Vec<Reference>,
}

/// Maps positions within a piece of the template (the whole template, or one tag) that the
/// handlebars parser reports to positions within the whole template.
#[derive(Clone, Copy)]
pub(crate) struct Place<'a> {
    piece: &'a LineIndex<'a>,
    whole: &'a LineIndex<'a>,
    base: usize,
}

impl Place<'_> {
    fn line_column(&self, line: usize, column: usize) -> Pos {
        self.offset(self.piece.at_line_column(line, column).offset)
    }

    fn offset(&self, offset: usize) -> Pos {
        self.whole.at_offset(self.base + offset)
    }
}

/// Parses and checks a template.
pub(crate) fn compile(source: &str) -> Result<Compiled, TemplateError> {
    let lines = LineIndex::new(source);
    let (tags, unclosed) = scan(source);
    if let Some(start) = too_deep(&tags, MAX_DEPTH) {
        return Err(TemplateError::new(TemplateErrorKind::TooDeep(MAX_DEPTH), lines.at_offset(start)));
    }
    if unclosed.is_none() && stand_alone(source, &tags) {
        return compile_tag_by_tag(source, &lines, &tags);
    }
    if tags.len().saturating_mul(source.len()) > WHOLE_PARSE_BUDGET {
        let (kind, at) = match unclosed {
            Some(start) => (TemplateErrorKind::UnclosedExpression, start),
            None => (TemplateErrorKind::TooLarge { tags: tags.len(), bytes: source.len() }, 0),
        };
        return Err(TemplateError::new(kind, lines.at_offset(at)));
    }
    compile_whole(source, Place { piece: &lines, whole: &lines, base: 0 }, &tags, unclosed)
}

/// Whether every tag is an expression that handlebars would parse on its own exactly as
/// within the template: no blocks, comments, partials, whitespace control (`~` trims the
/// text around it) or escaped braces.
fn stand_alone(source: &str, tags: &[Tag<'_>]) -> bool {
    !source.contains("\\{{")
        && tags.iter().all(|tag| {
            let body = tag.content.trim();
            let keyword_else =
                body == "else" || body.strip_prefix("else").is_some_and(|rest| rest.starts_with(char::is_whitespace));
            matches!(tag.braces(), (2, 2) | (3, 3))
                && !body.starts_with(['#', '/', '!', '>', '*', '^', '~'])
                && !body.ends_with('~')
                && !keyword_else
        })
}

/// Compiles plain paths directly and parses each other tag on its own; the text between
/// tags is kept as it is (handlebars does not touch text around expressions).
fn compile_tag_by_tag(source: &str, lines: &LineIndex<'_>, tags: &[Tag<'_>]) -> Result<Compiled, TemplateError> {
    let mut nodes = Vec::with_capacity(tags.len() * 2 + 1);
    let mut references = Vec::with_capacity(tags.len());
    let mut text_start = 0;
    for tag in tags {
        push_text(&mut nodes, &source[text_start..tag.start]);
        match plain_path(tag) {
            Some(segments) => {
                let pos = lines.at_offset(tag.start);
                references.push(Reference {
                    segments: segments.clone(),
                    raw: false,
                    offset: pos.offset,
                    line: pos.line,
                    column: pos.column,
                    allows_missing: false,
                });
                let path = PathExpr { raw: tag.content.to_owned(), start: PathStart::Scope { up: 0 }, segments };
                nodes.push(Node::Output { expr: Expr::Path(path), raw: false, pos });
            }
            None => {
                let piece = &source[tag.start..tag.end];
                let piece_lines = LineIndex::new(piece);
                let place = Place { piece: &piece_lines, whole: lines, base: tag.start };
                let (piece_tags, piece_unclosed) = scan(piece);
                let compiled = compile_whole(piece, place, &piece_tags, piece_unclosed)?;
                references.extend(compiled.references);
                for node in compiled.nodes {
                    match node {
                        Node::Text(text) => push_text(&mut nodes, &text),
                        other => nodes.push(other),
                    }
                }
            }
        }
        text_start = tag.end;
    }
    push_text(&mut nodes, &source[text_start..]);
    Ok(Compiled { nodes, references })
}

/// The segments of a tag that is exactly `{{name.name…}}` (names of ASCII letters, digits,
/// `_` and `-`, the first starting with a letter or `_`) and is not a helper or a keyword.
fn plain_path(tag: &Tag<'_>) -> Option<Vec<String>> {
    if tag.braces() != (2, 2) {
        return None;
    }
    let first = tag.content.bytes().next()?;
    if !(first.is_ascii_alphabetic() || first == b'_') {
        return None;
    }
    let segments: Vec<&str> = tag.content.split('.').collect();
    let plain = |segment: &&str| {
        !segment.is_empty()
            && *segment != "this"
            && segment.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    };
    if !segments.iter().all(plain) {
        return None;
    }
    if let [only] = segments.as_slice()
        && (Helper::from_name(only).is_some()
            || BLOCK_HELPERS.contains(only)
            || ["else", "as", "true", "false", "null"].contains(only))
    {
        return None;
    }
    Some(segments.into_iter().map(str::to_owned).collect())
}

/// Parses a piece with handlebars, then checks and compiles its tree.
fn compile_whole(
    piece: &str,
    place: Place<'_>,
    tags: &[Tag<'_>],
    unclosed: Option<usize>,
) -> Result<Compiled, TemplateError> {
    let parsed = parse(piece, place, tags, unclosed)?;
    let mut compiler = Compiler::new(place);
    let nodes = compiler.template(&parsed, place.offset(0))?;
    Ok(Compiled { nodes, references: compiler.references })
}

/// Runs the handlebars parser. It has `unwrap`s inside; should one of them fire on some
/// input, that input gets a syntax error instead of taking the process down.
fn parse(piece: &str, place: Place<'_>, tags: &[Tag<'_>], unclosed: Option<usize>) -> Result<Parsed, TemplateError> {
    match catch_unwind(AssertUnwindSafe(|| Parsed::compile(piece))) {
        Ok(Ok(parsed)) => Ok(parsed),
        Ok(Err(error)) => Err(explain(piece, place, tags, unclosed, &error)),
        Err(_) => Err(TemplateError::new(TemplateErrorKind::Syntax, place.offset(0))),
    }
}

#[cfg(test)]
mod tests;
