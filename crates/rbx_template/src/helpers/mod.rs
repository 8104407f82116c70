//! The helpers templates can call. Each returns a JSON value, so `{{json (range 3)}}` works
//! and a single-expression template keeps the result's type.

mod lists;
mod logic;
mod numbers;
mod text;

use std::borrow::Cow;

use rbx_checks::CompiledPath;
use serde_json::Value;

use crate::json_text::type_name;

/// Names of the helpers a template can call (`if`, `unless`, `each`, `with` and `raw` are the
/// block helpers). All of them are reserved.
pub const HELPERS: &[&str] = &[
    "json",
    "default",
    "lower",
    "upper",
    "len",
    "jsonpath",
    "now",
    "join",
    "add",
    "sub",
    "mul",
    "div",
    "percent",
    "range",
    "difference",
    "count_by",
    "hmac_sha256",
    "eq",
    "ne",
    "gt",
    "gte",
    "lt",
    "lte",
    "and",
    "or",
    "not",
    "lookup",
    "if",
    "unless",
    "each",
    "with",
    "raw",
];

/// The block helpers: `{{#if}}`, `{{#unless}}`, `{{#each}}`, `{{#with}}`, `{{{{raw}}}}`.
pub(crate) const BLOCK_HELPERS: &[&str] = &["if", "unless", "each", "with", "raw"];

/// A helper that computes a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Helper {
    Json,
    Default,
    Lower,
    Upper,
    Len,
    JsonPath,
    Now,
    Join,
    Add,
    Sub,
    Mul,
    Div,
    Percent,
    Range,
    Difference,
    CountBy,
    HmacSha256,
    Eq,
    Ne,
    Gt,
    Gte,
    Lt,
    Lte,
    And,
    Or,
    Not,
    Lookup,
}

/// What `now` reads: the system clock, or a fixed time (tests, replays).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Clock {
    System,
    Fixed(jiff::Timestamp),
}

impl Clock {
    fn now(self) -> jiff::Timestamp {
        match self {
            Clock::System => jiff::Timestamp::now(),
            Clock::Fixed(at) => at,
        }
    }
}

impl Helper {
    /// The helper called `name`, if it computes a value (block helpers are not).
    pub(crate) fn from_name(name: &str) -> Option<Helper> {
        use Helper::*;
        let helper = match name {
            "json" => Json,
            "default" => Default,
            "lower" => Lower,
            "upper" => Upper,
            "len" => Len,
            "jsonpath" => JsonPath,
            "now" => Now,
            "join" => Join,
            "add" => Add,
            "sub" => Sub,
            "mul" => Mul,
            "div" => Div,
            "percent" => Percent,
            "range" => Range,
            "difference" => Difference,
            "count_by" => CountBy,
            "hmac_sha256" => HmacSha256,
            "eq" => Eq,
            "ne" => Ne,
            "gt" => Gt,
            "gte" => Gte,
            "lt" => Lt,
            "lte" => Lte,
            "and" => And,
            "or" => Or,
            "not" => Not,
            "lookup" => Lookup,
            _ => return None,
        };
        Some(helper)
    }

    /// The name templates call it by.
    pub(crate) fn name(self) -> &'static str {
        use Helper::*;
        match self {
            Json => "json",
            Default => "default",
            Lower => "lower",
            Upper => "upper",
            Len => "len",
            JsonPath => "jsonpath",
            Now => "now",
            Join => "join",
            Add => "add",
            Sub => "sub",
            Mul => "mul",
            Div => "div",
            Percent => "percent",
            Range => "range",
            Difference => "difference",
            CountBy => "count_by",
            HmacSha256 => "hmac_sha256",
            Eq => "eq",
            Ne => "ne",
            Gt => "gt",
            Gte => "gte",
            Lt => "lt",
            Lte => "lte",
            And => "and",
            Or => "or",
            Not => "not",
            Lookup => "lookup",
        }
    }

    /// The fewest and the most arguments it takes (`None`: no upper bound).
    pub(crate) fn arity(self) -> (usize, Option<usize>) {
        use Helper::*;
        match self {
            Now => (0, Some(0)),
            Json | Lower | Upper | Len | Not => (1, Some(1)),
            Range | CountBy => (1, Some(2)),
            And | Or => (1, None),
            _ => (2, Some(2)),
        }
    }

    /// Which argument is a JSONPath, parsed once at load time when it is a literal.
    pub(crate) fn json_path_argument(self) -> Option<usize> {
        match self {
            Helper::JsonPath | Helper::CountBy => Some(1),
            _ => None,
        }
    }

    /// Computes the helper's value. `default` is decided by the caller, which alone knows
    /// whether its first argument was missing; here it only sees values that exist.
    pub(crate) fn call(
        self,
        args: &[Cow<'_, Value>],
        json_path: Option<&CompiledPath>,
        clock: Clock,
    ) -> Result<Value, String> {
        use Helper::*;
        let args = Args(args);
        match self {
            Json => Ok(Value::String(crate::json_text::compact_json(args.get(0)?))),
            Default => args.get(0).cloned(),
            Lower => text::lower(args.get(0)?),
            Upper => text::upper(args.get(0)?),
            Len => text::len(args.get(0)?),
            JsonPath => lists::json_path(args.get(0)?, args.get(1)?, json_path),
            Now => Ok(text::now(clock.now())),
            Join => lists::join(args.get(0)?, args.get(1)?),
            Add | Sub | Mul | Div | Percent => numbers::arithmetic(self, args.get(0)?, args.get(1)?),
            Range => lists::range(args.get(0)?, args.optional(1)),
            Difference => lists::difference(args.get(0)?, args.get(1)?),
            CountBy => lists::count_by(args.get(0)?, args.optional(1), json_path),
            HmacSha256 => text::hmac_sha256(args.get(0)?, args.get(1)?),
            Eq | Ne | Gt | Gte | Lt | Lte => logic::compare(self, args.get(0)?, args.get(1)?),
            And => Ok(Value::Bool(args.0.iter().all(|v| logic::truthy(v)))),
            Or => Ok(Value::Bool(args.0.iter().any(|v| logic::truthy(v)))),
            Not => Ok(Value::Bool(!logic::truthy(args.get(0)?))),
            Lookup => logic::lookup(args.get(0)?, args.get(1)?),
        }
    }
}

/// Argument access that cannot panic, even if a call's arity was not checked.
struct Args<'a, 'v>(&'a [Cow<'v, Value>]);

impl<'a> Args<'a, '_> {
    fn get(&self, index: usize) -> Result<&'a Value, String> {
        self.0.get(index).map(AsRef::as_ref).ok_or_else(|| format!("argument {} is missing", index + 1))
    }

    fn optional(&self, index: usize) -> Option<&'a Value> {
        self.0.get(index).map(AsRef::as_ref)
    }
}

/// "expected X, got Y" for a helper argument, naming only the type of what was given.
pub(crate) fn expected(what: &str, got: &Value) -> String {
    format!("expected {what}, got {}", type_name(got))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Calls a helper on owned arguments (tests only).
    pub(crate) fn call(helper: &str, args: &[Value]) -> Result<Value, String> {
        let helper = Helper::from_name(helper).ok_or("no such helper")?;
        let args: Vec<Cow<'_, Value>> = args.iter().map(Cow::Borrowed).collect();
        let path = match (helper.json_path_argument(), args.get(1).map(AsRef::as_ref)) {
            (Some(_), Some(Value::String(path))) => CompiledPath::parse(path).ok(),
            _ => None,
        };
        helper.call(&args, path.as_ref(), Clock::System)
    }

    #[test]
    fn every_listed_name_is_a_helper_or_a_block_helper() {
        for name in HELPERS {
            let known = Helper::from_name(name).is_some_and(|h| h.name() == *name) || BLOCK_HELPERS.contains(name);
            assert!(known, "{name}");
        }
        assert!(Helper::from_name("nope").is_none());
    }

    #[test]
    fn missing_arguments_are_errors_not_panics() {
        for name in HELPERS {
            if let Some(helper) = Helper::from_name(name) {
                let result = helper.call(&[], None, Clock::System);
                let (min, _) = helper.arity();
                assert_eq!(result.is_err(), min > 0 && !matches!(helper, Helper::And | Helper::Or), "{name}");
            }
        }
    }
}
