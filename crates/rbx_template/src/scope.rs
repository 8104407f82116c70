//! What paths resolve against while rendering: the run context, borrowed (never cloned), and
//! the items of the enclosing `{{#each}}` / `{{#with}}` blocks.

use std::borrow::Cow;

use serde_json::Value;

use crate::tree::{Local, PathExpr, PathStart};

/// One level of blocks; the outermost level is the run context itself.
pub(crate) struct Scope<'s> {
    this: &'s Value,
    root: &'s Value,
    parent: Option<&'s Scope<'s>>,
    iteration: Option<Iteration<'s>>,
}

/// Where an `{{#each}}` is in its list or object.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Iteration<'s> {
    pub(crate) index: usize,
    pub(crate) key: Option<&'s str>,
    pub(crate) first: bool,
    pub(crate) last: bool,
}

impl<'s> Scope<'s> {
    /// The outermost scope: the run context.
    pub(crate) fn root(context: &'s Value) -> Scope<'s> {
        Scope { this: context, root: context, parent: None, iteration: None }
    }

    /// A block's scope inside this one.
    pub(crate) fn child(&'s self, this: &'s Value, iteration: Option<Iteration<'s>>) -> Scope<'s> {
        Scope { this, root: self.root, parent: Some(self), iteration }
    }

    fn up(&self, levels: usize) -> Option<&Scope<'s>> {
        let mut scope = self;
        for _ in 0..levels {
            scope = scope.parent?;
        }
        Some(scope)
    }

    /// The value a path leads to, or `None` when it does not exist.
    pub(crate) fn resolve(&self, path: &PathExpr) -> Option<Cow<'s, Value>> {
        match path.start {
            PathStart::Root => follow(self.root, &path.segments).map(Cow::Borrowed),
            PathStart::Scope { up } | PathStart::BlockParam { up, which: 0 } => {
                follow(self.up(up)?.this, &path.segments).map(Cow::Borrowed)
            }
            PathStart::BlockParam { up, .. } => {
                let iteration = self.up(up)?.iteration?;
                let key = match iteration.key {
                    Some(key) => Value::String(key.to_owned()),
                    None => Value::from(iteration.index),
                };
                owned(key, &path.segments)
            }
            PathStart::Local { up, local } => {
                let iteration = self.up(up)?.iteration?;
                let value = match local {
                    Local::Index => Value::from(iteration.index),
                    Local::Key => Value::String(iteration.key?.to_owned()),
                    Local::First => Value::Bool(iteration.first),
                    Local::Last => Value::Bool(iteration.last),
                };
                owned(value, &path.segments)
            }
        }
    }
}

fn owned<'s>(value: Value, segments: &[String]) -> Option<Cow<'s, Value>> {
    follow(&value, segments).cloned().map(Cow::Owned)
}

/// Follows object keys and list indexes (`0`, `[0]`) down from `value`.
fn follow<'v>(value: &'v Value, segments: &[String]) -> Option<&'v Value> {
    segments.iter().try_fold(value, |value, segment| match value {
        Value::Object(map) => map.get(segment),
        Value::Array(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    })
}
