//! Structured runbook data whose string leaves are templates (`for_each` lists, and later
//! `json:` bodies, `params`, nested runbook inputs), rendered to JSON with each leaf's type kept
//! when it is a single expression.

use rbx_model::{Data, ForEach};
use rbx_template::{RenderError, Renderer};
use serde_json::{Map, Value};

/// Renders `data` against the run context.
pub fn render_data(renderer: &Renderer, data: &Data, context: &Value) -> Result<Value, RenderError> {
    Ok(match data {
        Data::Scalar(value) => value.clone(),
        Data::Text(tpl) => renderer.render_value(&tpl.template, context)?,
        Data::Array(items) => {
            Value::Array(items.iter().map(|item| render_data(renderer, item, context)).collect::<Result<_, _>>()?)
        }
        Data::Object(entries) => Value::Object(
            entries
                .iter()
                .map(|(key, value)| Ok((key.clone(), render_data(renderer, value, context)?)))
                .collect::<Result<Map<_, _>, RenderError>>()?,
        ),
    })
}

/// The items of a `for_each`: a written list (leaves rendered), or a template that must render
/// to a list.
pub fn for_each_items(renderer: &Renderer, for_each: &ForEach, context: &Value) -> Result<Vec<Value>, String> {
    match for_each {
        ForEach::List(items) => {
            items.iter().map(|item| render_data(renderer, item, context).map_err(|e| e.to_string())).collect()
        }
        ForEach::Template(tpl) => match renderer.render_value(&tpl.template, context).map_err(|e| e.to_string())? {
            Value::Array(items) => Ok(items),
            Value::String(text) => match serde_json::from_str::<Value>(&text) {
                Ok(Value::Array(items)) => Ok(items),
                _ => Err(format!("`{}` rendered to text, not a list", tpl.source())),
            },
            other => Err(format!("`{}` rendered to {}, not a list", tpl.source(), type_of(&other))),
        },
    }
}

fn type_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}
