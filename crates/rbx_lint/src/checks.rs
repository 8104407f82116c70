//! Walking a step's checks (`when`, `expect`, `until`, `assert`) down to the path checks inside
//! `any`/`all`/`not`.

use rbx_checks::{Check, CheckKind, CompiledPath, Measure, Operator};
use rbx_model::{Step, StepKind};
use serde_json::Value;

/// Which list of a step a check is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckList {
    /// `when`: over the run context, before the step.
    When,
    /// `expect`: over the step's result.
    Expect,
    /// `until`: over the step's result, polled.
    Until,
    /// An `assert` step: over the run context.
    Assert,
}

/// One `path:` check with its operators, and whether a `not:` is above it.
#[derive(Debug, Clone, Copy)]
pub struct PathCheck<'a> {
    /// The list it is in.
    pub list: CheckList,
    /// The path.
    pub path: &'a CompiledPath,
    /// Its operators.
    pub operators: &'a [Operator],
    /// Whether it is negated (an odd number of `not:` above it) or under an `any:`, so that
    /// it failing does not make the whole list fail.
    pub optional: bool,
    /// Whether an odd number of `not:` is above it.
    pub negated: bool,
}

/// Every path check of a step, in the order written.
pub fn path_checks(step: &Step) -> Vec<PathCheck<'_>> {
    let mut found = Vec::new();
    let lists: [(CheckList, Option<&[Check]>); 4] = [
        (CheckList::When, Some(&step.when)),
        (CheckList::Expect, step.expect.as_deref()),
        (CheckList::Until, step.until.as_deref()),
        (
            CheckList::Assert,
            match &step.kind {
                StepKind::Assert(checks) => Some(checks),
                _ => None,
            },
        ),
    ];
    for (list, checks) in lists {
        for check in checks.unwrap_or_default() {
            walk(check, list, (false, false), &mut found);
        }
    }
    found
}

/// `above` is (optional, negated) for the checks above this one.
fn walk<'a>(check: &'a Check, list: CheckList, above: (bool, bool), found: &mut Vec<PathCheck<'a>>) {
    let (optional, negated) = above;
    match &check.kind {
        CheckKind::Path { path, operators } => found.push(PathCheck { list, path, operators, optional, negated }),
        CheckKind::All(checks) => checks.iter().for_each(|c| walk(c, list, above, found)),
        CheckKind::Any(checks) => checks.iter().for_each(|c| walk(c, list, (true, negated), found)),
        CheckKind::Not(inner) => walk(inner, list, (true, !negated), found),
    }
}

/// The identifiers of a JSONPath in order: `$['steps']['db'].outcome` gives `steps, db, outcome`.
pub fn path_words(path: &str) -> Vec<&str> {
    path.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).filter(|w| !w.is_empty()).collect()
}

/// The operands of an operator that may be templates (strings), nested ones included.
pub fn operand_strings(operator: &Operator) -> Vec<&str> {
    let mut strings = Vec::new();
    collect_strings(operator, &mut strings);
    strings
}

fn collect_strings<'a>(operator: &'a Operator, strings: &mut Vec<&'a str>) {
    let mut value = |v: &'a Value| {
        if let Value::String(s) = v {
            strings.push(s.as_str());
        }
    };
    match operator {
        Operator::Equals(v)
        | Operator::NotEquals(v)
        | Operator::Lt(v)
        | Operator::Le(v)
        | Operator::Gt(v)
        | Operator::Ge(v)
        | Operator::Contains(v)
        | Operator::NotContains(v) => value(v),
        Operator::OneOf(values) => values.iter().for_each(value),
        Operator::Length(measure) | Operator::Count(measure) => match measure {
            Measure::Exactly(v) => value(v),
            Measure::Compare(inner) => inner.iter().for_each(|op| collect_strings(op, strings)),
        },
        Operator::Matches(_) | Operator::Exists(_) | Operator::Empty(_) | Operator::Type(_) => {}
    }
}

/// The names a JSONPath reads from the top of the run context, as (root, name) pairs:
/// `$.steps.db.outcome` gives `("steps", "db")`. Bracket forms (`$['inputs']['x']`) count
/// too, since only the identifiers are looked at.
pub fn path_names(path: &str) -> Vec<(&str, &str)> {
    let words = path_words(path);
    words.windows(2).map(|pair| (pair[0], pair[1])).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_names_pair_roots_with_names() {
        assert_eq!(path_names("$.steps.db.outcome"), [("steps", "db"), ("db", "outcome")]);
        assert_eq!(path_names("$['inputs']['x']"), [("inputs", "x")]);
    }
}
