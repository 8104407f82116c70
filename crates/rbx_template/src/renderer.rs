//! Rendering parsed templates against a run context.

use std::borrow::Cow;

use serde_json::Value;

use crate::destination::Destination;
use crate::error::{RenderError, RenderErrorKind};
use crate::helpers::{Clock, Helper};
use crate::json_text::{is_truthy, push_text, to_text, type_name};
use crate::position::Pos;
use crate::scope::{Iteration, Scope};
use crate::shell_scan::ShellScan;
use crate::template::Template;
use crate::tree::{Block, Call, Conditional, Expr, Node};

/// Renders templates; create one per run and share it (it is cheap, `Send` and `Sync`).
///
/// Helpers are resolved when a template is parsed, and rendering borrows the run context
/// instead of copying it, so a render costs the size of its output, not of the context.
#[derive(Debug, Clone)]
pub struct Renderer {
    clock: Clock,
    placeholders: bool,
}

impl Default for Renderer {
    fn default() -> Renderer {
        Renderer::new()
    }
}

impl Renderer {
    /// A renderer whose `now` reads the system clock.
    pub fn new() -> Renderer {
        Renderer { clock: Clock::System, placeholders: false }
    }

    /// A renderer whose `now` always gives `now` (tests, replays of a journal).
    pub fn with_fixed_time(now: jiff::Timestamp) -> Renderer {
        Renderer { clock: Clock::Fixed(now), placeholders: false }
    }

    /// A renderer for `--dry-run`: a value that only a run would produce renders as its path in
    /// angle brackets (`<steps.probe.stdout>`) instead of failing.
    pub fn with_placeholders() -> Renderer {
        Renderer { clock: Clock::System, placeholders: true }
    }

    /// Renders to text; each `{{x}}` (value or helper result) is escaped for `destination`,
    /// `{{{x}}}` and the text around expressions are inserted as they are.
    pub fn render_text(
        &self,
        template: &Template,
        destination: Destination,
        context: &Value,
    ) -> Result<String, RenderError> {
        if template.is_literal() {
            return Ok(template.source().to_owned());
        }
        let mut out = String::with_capacity(template.source().len() + 32);
        let scope = Scope::root(context);
        let evaluation = Evaluation {
            clock: self.clock,
            destination,
            shell_scan: Default::default(),
            placeholders: self.placeholders,
        };
        evaluation.nodes(template.nodes(), &scope, &mut out)?;
        if destination == Destination::ShellWord {
            evaluation.shell_scan.borrow_mut().finish(&out)?;
        }
        Ok(out)
    }

    /// For fields that take data (`for_each`, `json:` leaves, `params`, check values,
    /// runbook inputs): a single-expression template gives the value with its JSON type,
    /// a literal gives its source as a string, anything else the rendered text as a string.
    pub fn render_value(&self, template: &Template, context: &Value) -> Result<Value, RenderError> {
        if template.is_literal() {
            return Ok(Value::String(template.source().to_owned()));
        }
        if let [Node::Output { expr, pos, .. }] = template.nodes() {
            let scope = Scope::root(context);
            let evaluation = Evaluation {
                clock: self.clock,
                destination: Destination::Text,
                shell_scan: Default::default(),
                placeholders: self.placeholders,
            };
            return evaluation.eval(expr, &scope, *pos).map(Cow::into_owned);
        }
        self.render_text(template, Destination::Text, context).map(Value::String)
    }
}

/// One render: the clock, where the output lands, and (for shell commands) the quoting state
/// of what has been written so far.
struct Evaluation {
    clock: Clock,
    destination: Destination,
    shell_scan: std::cell::RefCell<ShellScan>,
    /// Missing paths render as `<path>` (`--dry-run`).
    placeholders: bool,
}

impl Evaluation {
    fn nodes<'x>(&self, nodes: &'x [Node], scope: &'x Scope<'x>, out: &mut String) -> Result<(), RenderError> {
        for node in nodes {
            match node {
                Node::Text(text) => out.push_str(text),
                Node::Output { expr, raw, pos } => {
                    let value = self.eval(expr, scope, *pos)?;
                    if *raw || self.destination == Destination::Text {
                        push_text(&value, out);
                    } else {
                        self.destination.escape_into(&to_text(&value), out, &mut self.shell_scan.borrow_mut(), *pos)?;
                    }
                }
                Node::If(conditional) => self.conditional(conditional, scope, out)?,
                Node::Each(block) => self.each(block, scope, out)?,
                Node::With(block) => self.with(block, scope, out)?,
            }
        }
        Ok(())
    }

    /// A missing condition counts as false rather than failing: `{{#if}}` is how a
    /// template asks whether something exists.
    fn conditional<'x>(
        &self,
        conditional: &'x Conditional,
        scope: &'x Scope<'x>,
        out: &mut String,
    ) -> Result<(), RenderError> {
        let value = self.eval_optional(&conditional.condition, scope, conditional.pos)?;
        let holds = value.is_some_and(|value| is_truthy(&value, conditional.include_zero));
        let branch = if holds != conditional.negate { &conditional.then } else { &conditional.otherwise };
        self.nodes(branch, scope, out)
    }

    fn each<'x>(&self, block: &'x Block, scope: &'x Scope<'x>, out: &mut String) -> Result<(), RenderError> {
        if self.placeholders
            && let Expr::Path(path) = &block.target
            && scope.resolve(path).is_none()
        {
            // A plan does not know the list yet: one iteration over a stand-in shows the shape
            // of what each item will print, its own fields as `<field>`.
            let stand_in = Value::String(format!("<{}[]>", path.raw));
            let iteration = Iteration { index: 0, key: None, first: true, last: true };
            return self.nodes(&block.body, &scope.child(&stand_in, Some(iteration)), out);
        }
        let target = self.eval(&block.target, scope, block.pos)?;
        match target.as_ref() {
            Value::Array(items) if !items.is_empty() => {
                let last = items.len() - 1;
                for (index, item) in items.iter().enumerate() {
                    let iteration = Iteration { index, key: None, first: index == 0, last: index == last };
                    self.nodes(&block.body, &scope.child(item, Some(iteration)), out)?;
                }
                Ok(())
            }
            Value::Object(map) if !map.is_empty() => {
                let last = map.len() - 1;
                for (index, (key, item)) in map.iter().enumerate() {
                    let iteration = Iteration { index, key: Some(key), first: index == 0, last: index == last };
                    self.nodes(&block.body, &scope.child(item, Some(iteration)), out)?;
                }
                Ok(())
            }
            Value::Array(_) | Value::Object(_) | Value::Null => self.nodes(&block.otherwise, scope, out),
            other => Err(RenderError::new(RenderErrorKind::NotIterable { found: type_name(other) }, block.pos)),
        }
    }

    fn with<'x>(&self, block: &'x Block, scope: &'x Scope<'x>, out: &mut String) -> Result<(), RenderError> {
        let target = self.eval(&block.target, scope, block.pos)?;
        if is_truthy(&target, false) {
            self.nodes(&block.body, &scope.child(&target, None), out)
        } else {
            self.nodes(&block.otherwise, scope, out)
        }
    }

    fn eval<'x>(&self, expr: &'x Expr, scope: &Scope<'x>, pos: Pos) -> Result<Cow<'x, Value>, RenderError> {
        match expr {
            Expr::Literal(value) => Ok(Cow::Borrowed(value)),
            Expr::Path(path) => match scope.resolve(path) {
                Some(value) => Ok(value),
                None if self.placeholders => Ok(Cow::Owned(Value::String(format!("<{}>", path.raw)))),
                None => Err(RenderError::new(RenderErrorKind::Missing { path: path.raw.clone() }, pos)),
            },
            Expr::Call(call) => self.call(call, scope, pos),
        }
    }

    /// Like [`Evaluation::eval`], but a path that leads nowhere is `None`, not an error.
    fn eval_optional<'x>(
        &self,
        expr: &'x Expr,
        scope: &Scope<'x>,
        pos: Pos,
    ) -> Result<Option<Cow<'x, Value>>, RenderError> {
        match expr {
            Expr::Path(path) => Ok(scope.resolve(path)),
            other => self.eval(other, scope, pos).map(Some),
        }
    }

    fn call<'x>(&self, call: &'x Call, scope: &Scope<'x>, pos: Pos) -> Result<Cow<'x, Value>, RenderError> {
        if call.helper == Helper::Default {
            return self.default(call, scope, pos);
        }
        if self.placeholders && call.args.iter().any(|arg| unknown_yet(arg, scope)) {
            // A helper over a stand-in would fail on its type or compute nonsense: the plan
            // shows the call itself.
            return Ok(Cow::Owned(Value::String(format!("<{}>", describe_call(call)))));
        }
        let args = call.args.iter().map(|arg| self.eval(arg, scope, pos)).collect::<Result<Vec<_>, _>>()?;
        call.helper
            .call(&args, call.json_path.as_ref(), self.clock)
            .map(Cow::Owned)
            .map_err(|message| helper_error(call.helper, message, pos))
    }

    /// `default x fallback`: `x` unless it is missing or null.
    fn default<'x>(&self, call: &'x Call, scope: &Scope<'x>, pos: Pos) -> Result<Cow<'x, Value>, RenderError> {
        let (Some(value), Some(fallback)) = (call.args.first(), call.args.get(1)) else {
            return Err(helper_error(call.helper, "takes 2 arguments".to_owned(), pos));
        };
        if self.placeholders && unknown_yet(value, scope) {
            // Whether a run will have the value is not known yet: the fallback would be a guess.
            return Ok(Cow::Owned(Value::String(format!("<{}>", describe_call(call)))));
        }
        match self.eval_optional(value, scope, pos)? {
            Some(found) if !found.is_null() => Ok(found),
            _ => self.eval(fallback, scope, pos),
        }
    }
}

/// Whether `expr` reads something the context does not hold yet (a plan's stand-in).
fn unknown_yet(expr: &Expr, scope: &Scope<'_>) -> bool {
    match expr {
        Expr::Literal(_) => false,
        Expr::Path(path) => scope.resolve(path).is_none(),
        Expr::Call(call) => call.args.iter().any(|arg| unknown_yet(arg, scope)),
    }
}

/// `count_by steps.sample.rows "status"`, as a plan shows a call it cannot compute yet.
fn describe_call(call: &Call) -> String {
    let mut text = call.helper.name().to_owned();
    for arg in &call.args {
        text.push(' ');
        match arg {
            Expr::Literal(value) => text.push_str(&value.to_string()),
            Expr::Path(path) => text.push_str(&path.raw),
            Expr::Call(inner) => {
                text.push('(');
                text.push_str(&describe_call(inner));
                text.push(')');
            }
        }
    }
    text
}

fn helper_error(helper: Helper, message: String, pos: Pos) -> RenderError {
    let kind = RenderErrorKind::Helper { helper: helper.name(), message };
    RenderError::new(kind, pos)
}

#[cfg(test)]
mod tests;
