//! Typed values for inputs and `manual.ask` answers: conversion from command-line text and
//! conformance to a declaration.

use rbx_checks::CompiledRegex;
use serde_json::Value;

use crate::types::{ValueSpec, ValueType};

/// Checks a JSON value against a type, allowed choices and a pattern; the error completes
/// "the value …".
pub fn conforms(
    value: &Value,
    value_type: ValueType,
    choices: &[Value],
    pattern: Option<&CompiledRegex>,
) -> Result<(), String> {
    let type_ok = match value_type {
        ValueType::String => value.is_string(),
        ValueType::Integer => value.is_i64() || value.is_u64(),
        ValueType::Number => value.is_number(),
        ValueType::Boolean => value.is_boolean(),
        ValueType::List => value.is_array(),
        ValueType::Object => value.is_object(),
    };
    if !type_ok {
        return Err(format!("`{}` is not of type {}", compact(value), value_type.as_str()));
    }
    if !choices.is_empty() && !choices.iter().any(|choice| json_equal(choice, value)) {
        let listed: Vec<String> = choices.iter().map(compact).collect();
        return Err(format!("`{}` is not one of {}", compact(value), listed.join(", ")));
    }
    if let (Some(pattern), Some(text)) = (pattern, value.as_str())
        && !pattern.regex().is_match(text)
    {
        return Err(format!("`{text}` does not match the pattern `{}`", pattern.source()));
    }
    Ok(())
}

/// Converts command-line text (`--var`, `--answer`) to the declared type and checks it.
pub fn from_text(text: &str, spec: &ValueSpec) -> Result<Value, String> {
    let value = match spec.value_type {
        ValueType::String => Value::String(text.to_owned()),
        ValueType::Integer => {
            text.trim().parse::<i64>().map(Value::from).map_err(|_| format!("`{text}` is not an integer"))?
        }
        ValueType::Number => serde_json::from_str::<Value>(text.trim())
            .ok()
            .filter(Value::is_number)
            .ok_or_else(|| format!("`{text}` is not a number"))?,
        ValueType::Boolean => match text.trim() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return Err(format!("`{text}` is not a boolean (write true or false)")),
        },
        ValueType::List | ValueType::Object => {
            serde_json::from_str::<Value>(text).map_err(|e| format!("`{text}` is not JSON: {e}"))?
        }
    };
    conforms(&value, spec.value_type, &spec.choices, spec.pattern.as_ref())?;
    Ok(value)
}

/// Checks a value that arrived already typed (a `--vars-file`), converting strings of scalar
/// types the same way as the command line does.
pub fn from_json(value: Value, spec: &ValueSpec) -> Result<Value, String> {
    match (&value, spec.value_type) {
        (Value::String(text), ValueType::Integer | ValueType::Number | ValueType::Boolean) => from_text(text, spec),
        _ => {
            conforms(&value, spec.value_type, &spec.choices, spec.pattern.as_ref())?;
            Ok(value)
        }
    }
}

fn json_equal(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

fn compact(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
