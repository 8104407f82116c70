use std::borrow::Cow;

use serde_json::Value;

/// Turns an operand as written into the value to compare with, when a check is evaluated.
///
/// Operands may be templates (`equals: "{{inputs.region}}"`) that only the engine can render;
/// this crate knows nothing of templates and asks the resolver for every operand it compares.
/// An error (`unknown input \`region\``) becomes a failure of the check, never a panic.
pub trait OperandResolver {
    /// The value `operand` stands for, or why it could not be worked out.
    fn resolve<'a>(&self, operand: &'a Value) -> Result<Cow<'a, Value>, String>;
}

/// The resolver for checks without templates: every operand stands for itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Literal;

impl OperandResolver for Literal {
    fn resolve<'a>(&self, operand: &'a Value) -> Result<Cow<'a, Value>, String> {
        Ok(Cow::Borrowed(operand))
    }
}
