//! Builds the compiled tree from handlebars' parsed tree: resolves helpers and paths, checks
//! arities and JSONPath literals, and lists the references.

use handlebars::template::{BlockParam, HelperTemplate, Parameter, Subexpression, Template as Parsed, TemplateElement};
use handlebars::{Path, PathSeg};
use rbx_checks::CompiledPath;
use serde_json::Value;

use super::explain::excerpt;
use super::{MAX_DEPTH, Place};
use crate::error::{TemplateError, TemplateErrorKind};
use crate::helpers::{BLOCK_HELPERS, Helper};
use crate::position::Pos;
use crate::reference::Reference;
use crate::tree::{Block, Call, Conditional, Expr, Local, Node, PathExpr, PathStart};

/// A block that changes what relative paths start from: `{{#each}}` or `{{#with}}`.
struct Frame {
    /// The names of its block parameters (`as |item index|`).
    params: Vec<String>,
    /// Whether it is `{{#each}}` (which defines `@index` and friends).
    each: bool,
}

/// Builds the compiled tree from handlebars' tree, checking as it goes.
pub(super) struct Compiler<'l> {
    place: Place<'l>,
    frames: Vec<Frame>,
    pub(super) references: Vec<Reference>,
    depth: usize,
}

/// How an expression's paths are read, for the references.
#[derive(Debug, Clone, Copy)]
struct Use {
    pos: Pos,
    raw: bool,
    allows_missing: bool,
}

fn error(kind: TemplateErrorKind, pos: Pos) -> TemplateError {
    TemplateError::new(kind, pos)
}

impl<'l> Compiler<'l> {
    pub(super) fn new(place: Place<'l>) -> Compiler<'l> {
        Compiler { place, frames: Vec::new(), references: Vec::new(), depth: 0 }
    }

    fn enter(&mut self, pos: Pos) -> Result<(), TemplateError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(error(TemplateErrorKind::TooDeep(MAX_DEPTH), pos));
        }
        Ok(())
    }

    pub(super) fn template(&mut self, parsed: &Parsed, fallback: Pos) -> Result<Vec<Node>, TemplateError> {
        self.enter(fallback)?;
        let mut nodes = Vec::with_capacity(parsed.elements.len());
        for (index, element) in parsed.elements.iter().enumerate() {
            let pos =
                parsed.mapping.get(index).map_or(fallback, |mapping| self.place.line_column(mapping.0, mapping.1));
            self.element(element, pos, &mut nodes)?;
        }
        self.depth -= 1;
        Ok(nodes)
    }

    fn body(&mut self, parsed: Option<&Parsed>, fallback: Pos) -> Result<Vec<Node>, TemplateError> {
        parsed.map_or(Ok(Vec::new()), |parsed| self.template(parsed, fallback))
    }

    fn element(&mut self, element: &TemplateElement, pos: Pos, nodes: &mut Vec<Node>) -> Result<(), TemplateError> {
        match element {
            TemplateElement::RawString(text) => push_text(nodes, text),
            TemplateElement::Comment(_) => {}
            TemplateElement::Expression(helper) | TemplateElement::HtmlExpression(helper) => {
                let raw = matches!(element, TemplateElement::HtmlExpression(_));
                let usage = Use { pos, raw, allows_missing: false };
                let expr = self.expression(helper, usage)?;
                nodes.push(Node::Output { expr, raw, pos });
            }
            TemplateElement::HelperBlock(helper) => {
                for node in self.block(helper, pos)? {
                    match node {
                        Node::Text(text) => push_text(nodes, &text),
                        other => nodes.push(other),
                    }
                }
            }
            TemplateElement::DecoratorExpression(_) | TemplateElement::DecoratorBlock(_) => {
                return Err(error(TemplateErrorKind::Unsupported("decorators"), pos));
            }
            TemplateElement::PartialExpression(_) | TemplateElement::PartialBlock(_) => {
                return Err(error(TemplateErrorKind::Unsupported("partials"), pos));
            }
            _ => return Err(error(TemplateErrorKind::Unsupported("such expressions"), pos)),
        }
        Ok(())
    }

    /// `{{x}}`, `{{helper args}}`, `{{(helper args)}}`, and the inside of `(…)`.
    fn expression(&mut self, helper: &HelperTemplate, usage: Use) -> Result<Expr, TemplateError> {
        let name_only = helper.params.is_empty() && helper.hash.is_empty();
        match &helper.name {
            Parameter::Path(path) if name_only => {
                if let Some(name) = single_name(path)
                    && (Helper::from_name(name).is_some() || BLOCK_HELPERS.contains(&name))
                {
                    return self.call(name, helper, usage);
                }
                Ok(Expr::Path(self.path(path, usage)?))
            }
            Parameter::Subexpression(inner) if name_only => self.subexpression(inner, usage),
            Parameter::Literal(value) if name_only => Ok(Expr::Literal(value.clone())),
            name => {
                let name = name.as_name().unwrap_or_default().to_owned();
                self.call(&name, helper, usage)
            }
        }
    }

    fn subexpression(&mut self, inner: &Subexpression, usage: Use) -> Result<Expr, TemplateError> {
        self.enter(usage.pos)?;
        let expr = match inner.as_element() {
            TemplateElement::Expression(helper) => self.expression(helper, usage),
            _ => Err(error(TemplateErrorKind::Unsupported("such subexpressions"), usage.pos)),
        };
        self.depth -= 1;
        expr
    }

    fn call(&mut self, name: &str, helper: &HelperTemplate, usage: Use) -> Result<Expr, TemplateError> {
        let pos = usage.pos;
        let Some(function) = Helper::from_name(name) else {
            let kind = if BLOCK_HELPERS.contains(&name) {
                TemplateErrorKind::BlockHelperInline(name.to_owned())
            } else {
                TemplateErrorKind::UnknownHelper(name.to_owned())
            };
            return Err(error(kind, pos));
        };
        if !helper.hash.is_empty() {
            return Err(error(TemplateErrorKind::NamedArguments(name.to_owned()), pos));
        }
        check_arity(function, helper.params.len(), pos)?;
        let mut args = Vec::with_capacity(helper.params.len());
        for (index, param) in helper.params.iter().enumerate() {
            let allows_missing = function == Helper::Default && index == 0;
            let usage = Use { allows_missing, ..usage };
            args.push(self.param(param, usage)?);
        }
        let json_path = literal_json_path(function, &args, pos)?;
        Ok(Expr::Call(Box::new(Call { helper: function, args, json_path })))
    }

    fn param(&mut self, param: &Parameter, usage: Use) -> Result<Expr, TemplateError> {
        match param {
            Parameter::Literal(value) => Ok(Expr::Literal(value.clone())),
            Parameter::Path(path) => Ok(Expr::Path(self.path(path, usage)?)),
            Parameter::Subexpression(inner) => self.subexpression(inner, usage),
            Parameter::Name(name) => {
                let kind = TemplateErrorKind::InvalidExpression(excerpt(name));
                Err(error(kind, usage.pos))
            }
            _ => Err(error(TemplateErrorKind::Unsupported("such arguments"), usage.pos)),
        }
    }

    fn block(&mut self, helper: &HelperTemplate, pos: Pos) -> Result<Vec<Node>, TemplateError> {
        let name = helper.name.as_name().unwrap_or_default();
        match name {
            "if" | "unless" => Ok(vec![self.conditional(helper, name == "unless", pos)?]),
            "each" | "with" => Ok(vec![self.scoped_block(helper, name == "each", pos)?]),
            "raw" => {
                check_block_arity(name, helper, 0, pos)?;
                self.body(helper.template.as_ref(), pos)
            }
            other if Helper::from_name(other).is_some() => {
                Err(error(TemplateErrorKind::NotABlockHelper(other.to_owned()), pos))
            }
            other => Err(error(TemplateErrorKind::UnknownHelper(other.to_owned()), pos)),
        }
    }

    fn conditional(&mut self, helper: &HelperTemplate, negate: bool, pos: Pos) -> Result<Node, TemplateError> {
        let name = if negate { "unless" } else { "if" };
        check_block_arity(name, helper, 1, pos)?;
        let include_zero = include_zero(name, helper, pos)?;
        let usage = Use { pos, raw: false, allows_missing: true };
        let condition = self.first_param(helper, usage)?;
        let then = self.body(helper.template.as_ref(), pos)?;
        let otherwise = self.body(helper.inverse.as_ref(), pos)?;
        Ok(Node::If(Box::new(Conditional { condition, negate, include_zero, then, otherwise, pos })))
    }

    fn scoped_block(&mut self, helper: &HelperTemplate, each: bool, pos: Pos) -> Result<Node, TemplateError> {
        let name = if each { "each" } else { "with" };
        check_block_arity(name, helper, 1, pos)?;
        if !helper.hash.is_empty() {
            return Err(error(TemplateErrorKind::NamedArguments(name.to_owned()), pos));
        }
        let usage = Use { pos, raw: false, allows_missing: false };
        let target = self.first_param(helper, usage)?;
        let params = block_param_names(helper.block_param.as_ref(), each, pos)?;
        self.frames.push(Frame { params, each });
        let body = self.body(helper.template.as_ref(), pos);
        self.frames.pop();
        let block = Block { target, body: body?, otherwise: self.body(helper.inverse.as_ref(), pos)?, pos };
        Ok(if each { Node::Each(Box::new(block)) } else { Node::With(Box::new(block)) })
    }

    fn first_param(&mut self, helper: &HelperTemplate, usage: Use) -> Result<Expr, TemplateError> {
        match helper.params.first() {
            Some(param) => self.param(param, usage),
            None => Err(error(TemplateErrorKind::Syntax, usage.pos)),
        }
    }

    fn path(&mut self, path: &Path, usage: Use) -> Result<PathExpr, TemplateError> {
        match path {
            Path::Local((up, name, raw)) => self.local(*up, name, raw, usage),
            Path::Relative((segments, raw)) => self.relative(segments, raw, usage),
        }
    }

    fn local(&mut self, up: usize, name: &str, raw: &str, usage: Use) -> Result<PathExpr, TemplateError> {
        if name == "root" && up == 0 {
            self.reference(Vec::new(), usage);
            return Ok(PathExpr { raw: raw.to_owned(), start: PathStart::Root, segments: Vec::new() });
        }
        let Some(local) = Local::from_name(name) else {
            return Err(error(TemplateErrorKind::UnknownLocal(raw.to_owned()), usage.pos));
        };
        let in_each = self
            .frames
            .len()
            .checked_sub(up + 1)
            .and_then(|index| self.frames.get(index))
            .is_some_and(|frame| frame.each);
        if !in_each {
            return Err(error(TemplateErrorKind::LocalOutsideEach(raw.to_owned()), usage.pos));
        }
        Ok(PathExpr { raw: raw.to_owned(), start: PathStart::Local { up, local }, segments: Vec::new() })
    }

    fn relative(&mut self, parts: &[PathSeg], raw: &str, usage: Use) -> Result<PathExpr, TemplateError> {
        let (mut from_root, mut up, mut segments) = (false, 0usize, Vec::new());
        for part in parts {
            match part {
                PathSeg::Named(name) => segments.push(name.clone()),
                // The grammar's rule type is private; its `Debug` names are all we can see.
                PathSeg::Ruled(rule) => match format!("{rule:?}").as_str() {
                    "path_root" => from_root = true,
                    "path_up" => up += 1,
                    _ => return Err(error(invalid(raw), usage.pos)),
                },
                _ => return Err(error(invalid(raw), usage.pos)),
            }
        }
        let raw = raw.to_owned();
        if from_root {
            self.reference(segments.clone(), usage);
            return Ok(PathExpr { raw, start: PathStart::Root, segments });
        }
        if up > self.frames.len() {
            return Err(error(TemplateErrorKind::PathAboveTop(raw), usage.pos));
        }
        if up == 0
            && let Some((level, which)) = segments.first().and_then(|first| self.block_param(first))
        {
            segments.remove(0);
            let start = PathStart::BlockParam { up: level, which };
            return Ok(PathExpr { raw, start, segments });
        }
        if up == self.frames.len() {
            self.reference(segments.clone(), usage);
        }
        Ok(PathExpr { raw, start: PathStart::Scope { up }, segments })
    }

    /// The block parameter called `name`, innermost first: how many blocks out, which one.
    fn block_param(&self, name: &str) -> Option<(usize, usize)> {
        self.frames.iter().rev().enumerate().find_map(|(level, frame)| {
            let which = frame.params.iter().position(|param| param == name)?;
            Some((level, which))
        })
    }

    fn reference(&mut self, segments: Vec<String>, usage: Use) {
        self.references.push(Reference {
            segments,
            raw: usage.raw,
            offset: usage.pos.offset,
            line: usage.pos.line,
            column: usage.pos.column,
            allows_missing: usage.allows_missing,
        });
    }
}

fn invalid(raw: &str) -> TemplateErrorKind {
    TemplateErrorKind::InvalidExpression(excerpt(raw))
}

pub(super) fn push_text(nodes: &mut Vec<Node>, text: &str) {
    if text.is_empty() {
        return;
    }
    if let Some(Node::Text(previous)) = nodes.last_mut() {
        previous.push_str(text);
    } else {
        nodes.push(Node::Text(text.to_owned()));
    }
}

/// The name of a one-segment path written bare (`now`, not `this.now` or `[now]`).
fn single_name(path: &Path) -> Option<&str> {
    match path {
        Path::Relative((segments, raw)) => match segments.as_slice() {
            [PathSeg::Named(name)] if name == raw => Some(name),
            _ => None,
        },
        Path::Local(_) => None,
    }
}

fn check_arity(helper: Helper, got: usize, pos: Pos) -> Result<(), TemplateError> {
    let (min, max) = helper.arity();
    if got >= min && max.is_none_or(|max| got <= max) {
        return Ok(());
    }
    let kind =
        TemplateErrorKind::ArgumentCount { helper: helper.name().to_owned(), expected: describe_arity(min, max), got };
    Err(error(kind, pos))
}

fn describe_arity(min: usize, max: Option<usize>) -> String {
    let plural = |n: usize| if n == 1 { "argument" } else { "arguments" };
    match max {
        Some(0) => "no arguments".to_owned(),
        Some(max) if max == min => format!("{min} {}", plural(min)),
        Some(max) if max == min + 1 => format!("{min} or {max} {}", plural(max)),
        Some(max) => format!("{min} to {max} arguments"),
        None => format!("at least {min} {}", plural(min)),
    }
}

fn check_block_arity(name: &str, helper: &HelperTemplate, count: usize, pos: Pos) -> Result<(), TemplateError> {
    if helper.params.len() == count {
        return Ok(());
    }
    let kind = TemplateErrorKind::ArgumentCount {
        helper: name.to_owned(),
        expected: describe_arity(count, Some(count)),
        got: helper.params.len(),
    };
    Err(error(kind, pos))
}

/// `includeZero=true` is the one named argument rbx keeps (on `if` and `unless`).
fn include_zero(name: &str, helper: &HelperTemplate, pos: Pos) -> Result<bool, TemplateError> {
    let mut include_zero = false;
    for (key, value) in &helper.hash {
        match (key.as_str(), value) {
            ("includeZero", Parameter::Literal(Value::Bool(flag))) => include_zero = *flag,
            _ => return Err(error(TemplateErrorKind::NamedArguments(name.to_owned()), pos)),
        }
    }
    Ok(include_zero)
}

fn block_param_names(params: Option<&BlockParam>, each: bool, pos: Pos) -> Result<Vec<String>, TemplateError> {
    let name = |param: &Parameter| param.as_name().unwrap_or_default().to_owned();
    match params {
        None => Ok(Vec::new()),
        Some(BlockParam::Single(item)) => Ok(vec![name(item)]),
        Some(BlockParam::Pair((item, key))) if each => Ok(vec![name(item), name(key)]),
        Some(_) => Err(error(TemplateErrorKind::Unsupported("two block parameters on `with`"), pos)),
    }
}

/// Parses a literal JSONPath argument once, so a bad path is an error at load time.
fn literal_json_path(helper: Helper, args: &[Expr], pos: Pos) -> Result<Option<CompiledPath>, TemplateError> {
    match helper.json_path_argument().and_then(|index| args.get(index)) {
        Some(Expr::Literal(Value::String(text))) => CompiledPath::parse(text).map(Some).map_err(|e| {
            let kind = TemplateErrorKind::InvalidJsonPath { path: text.clone(), reason: e.to_string() };
            error(kind, pos)
        }),
        Some(Expr::Literal(_)) => Err(error(TemplateErrorKind::JsonPathNotString(helper.name().to_owned()), pos)),
        _ => Ok(None),
    }
}
