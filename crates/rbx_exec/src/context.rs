//! The run context templates and checks read: `inputs`, `secrets`, `env`, `vars`, `steps`,
//! `run` (and `item`/`index` inside `for_each`).

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Mutex;

use rbx_checks::OperandResolver;
use rbx_template::{Renderer, Template};
use serde_json::{Map, Value};

/// The JSON document of a run, grown as steps finish.
#[derive(Debug, Clone)]
pub struct RunContext {
    value: Value,
}

impl RunContext {
    /// A context with every root present.
    pub fn new(
        inputs: Map<String, Value>,
        secrets: Map<String, Value>,
        env: Map<String, Value>,
        run: Map<String, Value>,
    ) -> RunContext {
        let mut root = Map::new();
        root.insert("inputs".to_owned(), Value::Object(inputs));
        root.insert("secrets".to_owned(), Value::Object(secrets));
        root.insert("env".to_owned(), Value::Object(env));
        root.insert("vars".to_owned(), Value::Object(Map::new()));
        root.insert("steps".to_owned(), Value::Object(Map::new()));
        root.insert("run".to_owned(), Value::Object(run));
        RunContext { value: Value::Object(root) }
    }

    /// The whole document.
    pub fn value(&self) -> &Value {
        &self.value
    }

    fn root(&mut self, key: &str) -> &mut Map<String, Value> {
        let Value::Object(root) = &mut self.value else { unreachable!("the context root is an object") };
        match root.entry(key.to_owned()).or_insert_with(|| Value::Object(Map::new())) {
            Value::Object(map) => map,
            other => {
                *other = Value::Object(Map::new());
                match other {
                    Value::Object(map) => map,
                    _ => unreachable!("just set to an object"),
                }
            }
        }
    }

    /// Records a step's result (with `outcome`).
    pub fn set_step(&mut self, id: &str, result: Value) {
        self.root("steps").insert(id.to_owned(), result);
    }

    /// Sets `vars.NAME`.
    pub fn set_var(&mut self, name: &str, value: Value) {
        self.root("vars").insert(name.to_owned(), value);
    }

    /// Sets `item` and `index` for one item of a `for_each`.
    pub fn set_item(&mut self, item: Value, index: usize) {
        let Value::Object(root) = &mut self.value else { return };
        root.insert("item".to_owned(), item);
        root.insert("index".to_owned(), Value::from(index));
    }

    /// Sets a `run` field (`status` in `finally`).
    pub fn set_run_field(&mut self, name: &str, value: Value) {
        self.root("run").insert(name.to_owned(), value);
    }
}

/// Resolves check operands that are templates (`contains: "{{inputs.name}}"`) against the
/// context, parsing each distinct template once per run.
pub struct TemplateOperands<'a> {
    renderer: &'a Renderer,
    context: &'a Value,
    cache: &'a Mutex<HashMap<String, Template>>,
    first_error: Mutex<Option<String>>,
}

impl<'a> TemplateOperands<'a> {
    /// A resolver over `context`.
    pub fn new(renderer: &'a Renderer, context: &'a Value, cache: &'a Mutex<HashMap<String, Template>>) -> Self {
        TemplateOperands { renderer, context, cache, first_error: Mutex::new(None) }
    }

    /// The first operand that could not be rendered, if any: a broken template, as opposed
    /// to a check that does not hold.
    pub fn render_error(&self) -> Option<String> {
        self.first_error.lock().ok().and_then(|e| e.clone())
    }

    fn render(&self, text: &str) -> Result<Value, String> {
        let mut cache = self.cache.lock().map_err(|_| "template cache poisoned".to_owned())?;
        if !cache.contains_key(text) {
            let template = Template::parse(text).map_err(|e| e.to_string())?;
            cache.insert(text.to_owned(), template);
        }
        let template = &cache[text];
        self.renderer.render_value(template, self.context).map_err(|e| e.to_string())
    }

    fn resolve_deep(&self, value: &Value) -> Result<Value, String> {
        Ok(match value {
            Value::String(text) if text.contains("{{") => self.render(text)?,
            Value::Array(items) => Value::Array(items.iter().map(|v| self.resolve_deep(v)).collect::<Result<_, _>>()?),
            Value::Object(map) => Value::Object(
                map.iter().map(|(k, v)| Ok((k.clone(), self.resolve_deep(v)?))).collect::<Result<_, String>>()?,
            ),
            other => other.clone(),
        })
    }
}

fn has_template(value: &Value) -> bool {
    match value {
        Value::String(text) => text.contains("{{"),
        Value::Array(items) => items.iter().any(has_template),
        Value::Object(map) => map.values().any(has_template),
        _ => false,
    }
}

impl OperandResolver for TemplateOperands<'_> {
    fn resolve<'v>(&self, operand: &'v Value) -> Result<Cow<'v, Value>, String> {
        if !has_template(operand) {
            return Ok(Cow::Borrowed(operand));
        }
        self.resolve_deep(operand).map(Cow::Owned).inspect_err(|error| {
            if let Ok(mut first) = self.first_error.lock() {
                first.get_or_insert_with(|| error.clone());
            }
        })
    }
}
