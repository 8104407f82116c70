//! Templating for rbx runbooks: Handlebars syntax (strict mode) over the run context
//! (`inputs`, `secrets`, `env`, `vars`, `steps`, `item`, `index`, `run`).
//!
//! Handlebars parses; rbx compiles the parsed tree once into its own form and renders that
//! against a borrowed context, because the spec's rules differ from handlebars' renderer:
//!
//! - a reference to something that does not exist is an error, never an empty string
//!   (except `{{default x "fallback"}}`, and the condition of `{{#if}}` / `{{#unless}}`,
//!   where missing counts as false);
//! - strings render as they are, every other value (helper results too) as compact JSON;
//! - `{{x}}` is escaped for its [`Destination`] (one shell word, one URL component, or as
//!   it is), `{{{x}}}` never is, and text outside expressions never is;
//! - a template that is exactly one expression keeps the value's JSON type
//!   ([`Renderer::render_value`]).
//!
//! ```
//! use rbx_template::{Destination, Renderer, Template};
//! use serde_json::json;
//!
//! let template = Template::parse("nslookup {{inputs.host}}")?;
//! let context = json!({"inputs": {"host": "1.2.3.4; rm -rf /"}});
//! let command = Renderer::new().render_text(&template, Destination::ShellWord, &context)?;
//! assert_eq!(command, "nslookup '1.2.3.4; rm -rf /'");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod compile;
mod destination;
mod error;
mod helpers;
mod json_text;
mod position;
mod reference;
mod renderer;
mod scan;
mod scope;
mod template;
mod tree;

pub use destination::{Destination, shell_quote};
pub use error::{RenderError, RenderErrorKind, TemplateError, TemplateErrorKind};
pub use helpers::HELPERS;
pub use reference::Reference;
pub use renderer::Renderer;
pub use template::Template;
