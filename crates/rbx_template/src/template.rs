//! A parsed template: parse once when the runbook loads, render many times.

use std::str::FromStr;

use crate::compile::compile;
use crate::error::TemplateError;
use crate::reference::Reference;
use crate::scan::scan;
use crate::tree::Node;

/// A parsed template (parse once at load, render many times with a [`crate::Renderer`]).
#[derive(Debug, Clone)]
pub struct Template {
    source: String,
    nodes: Vec<Node>,
    references: Vec<Reference>,
    shape: Shape,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// Only text: rendering gives the source back.
    Literal,
    /// Exactly one `{{expr}}` or `{{{expr}}}` and nothing around it.
    SingleExpression,
    /// Anything else.
    Mixed,
}

impl Template {
    /// Parses a template. Errors carry the line and column within the template text.
    pub fn parse(source: &str) -> Result<Template, TemplateError> {
        if !source.contains("{{") {
            return Ok(Template {
                source: source.to_owned(),
                nodes: vec![Node::Text(source.to_owned())],
                references: Vec::new(),
                shape: Shape::Literal,
            });
        }
        let compiled = compile(source)?;
        let shape = match compiled.nodes.as_slice() {
            [] if source.is_empty() => Shape::Literal,
            [Node::Text(text)] if text == source => Shape::Literal,
            [Node::Output { .. }] if is_one_tag(source) => Shape::SingleExpression,
            _ => Shape::Mixed,
        };
        Ok(Template { source: source.to_owned(), nodes: compiled.nodes, references: compiled.references, shape })
    }

    /// The text the template was parsed from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether it has no expressions at all, so rendering returns the source unchanged.
    pub fn is_literal(&self) -> bool {
        self.shape == Shape::Literal
    }

    /// Whether the whole template is exactly one `{{expr}}` (or `{{{expr}}}`), so that
    /// [`crate::Renderer::render_value`] keeps the value's JSON type.
    pub fn single_expression(&self) -> bool {
        self.shape == Shape::SingleExpression
    }

    /// Every path the template reads from the top of the run context, in source order,
    /// including helper arguments and block conditions (see [`Reference`] for what is left
    /// out).
    pub fn references(&self) -> Vec<Reference> {
        self.references.clone()
    }

    pub(crate) fn nodes(&self) -> &[Node] {
        &self.nodes
    }
}

/// Whether the source is a single `{{…}}` tag from its first byte to its last (so a comment
/// beside the expression makes it text).
fn is_one_tag(source: &str) -> bool {
    match scan(source).0.as_slice() {
        [tag] => tag.start == 0 && tag.end == source.len(),
        _ => false,
    }
}

impl PartialEq for Template {
    fn eq(&self, other: &Template) -> bool {
        self.source == other.source
    }
}

impl Eq for Template {}

impl FromStr for Template {
    type Err = TemplateError;

    fn from_str(source: &str) -> Result<Template, TemplateError> {
        Template::parse(source)
    }
}

#[cfg(test)]
mod tests;
