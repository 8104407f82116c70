//! The compiled form of a template: what rendering walks, resolved once at parse time.

use rbx_checks::CompiledPath;
use serde_json::Value;

use crate::helpers::Helper;
use crate::position::Pos;

/// One piece of a template body.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    /// Text outside expressions, never escaped.
    Text(String),
    /// `{{expr}}` (escaped for the destination) or `{{{expr}}}` (`raw`).
    Output { expr: Expr, raw: bool, pos: Pos },
    /// `{{#if}}` / `{{#unless}}` (`negate`).
    If(Box<Conditional>),
    /// `{{#each}}`.
    Each(Box<Block>),
    /// `{{#with}}`.
    With(Box<Block>),
}

/// `{{#if cond}}then{{else}}otherwise{{/if}}`.
#[derive(Debug, Clone)]
pub(crate) struct Conditional {
    pub(crate) condition: Expr,
    pub(crate) negate: bool,
    pub(crate) include_zero: bool,
    pub(crate) then: Vec<Node>,
    pub(crate) otherwise: Vec<Node>,
    pub(crate) pos: Pos,
}

/// `{{#each target}}body{{else}}otherwise{{/each}}`, and the same for `with`.
#[derive(Debug, Clone)]
pub(crate) struct Block {
    pub(crate) target: Expr,
    pub(crate) body: Vec<Node>,
    pub(crate) otherwise: Vec<Node>,
    pub(crate) pos: Pos,
}

/// Something that evaluates to a JSON value.
#[derive(Debug, Clone)]
pub(crate) enum Expr {
    Literal(Value),
    Path(PathExpr),
    Call(Box<Call>),
}

/// A helper call with its arguments; `json_path` holds a literal JSONPath argument parsed once.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub(crate) helper: Helper,
    pub(crate) args: Vec<Expr>,
    pub(crate) json_path: Option<CompiledPath>,
}

/// A path, resolved at parse time to where it starts.
#[derive(Debug, Clone)]
pub(crate) struct PathExpr {
    /// As written, for error messages.
    pub(crate) raw: String,
    pub(crate) start: PathStart,
    pub(crate) segments: Vec<String>,
}

/// Where a path starts before its segments are followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PathStart {
    /// The top of the run context (`@root.x`, or `x` outside blocks).
    Root,
    /// The item of the block `up` levels out (`x` inside a block is `up: 0`, `../x` is 1).
    Scope { up: usize },
    /// A block parameter: the item (`which: 0`) or its index/key (`which: 1`) of a block.
    BlockParam { up: usize, which: usize },
    /// `@index`, `@key`, `@first`, `@last` of an `{{#each}}` `up` levels out.
    Local { up: usize, local: Local },
}

/// The loop variables of `{{#each}}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Local {
    Index,
    Key,
    First,
    Last,
}

impl Local {
    pub(crate) fn from_name(name: &str) -> Option<Local> {
        match name {
            "index" => Some(Local::Index),
            "key" => Some(Local::Key),
            "first" => Some(Local::First),
            "last" => Some(Local::Last),
            _ => None,
        }
    }
}
