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
//! Helpers (names reserved; each returns a JSON value, so `{{json (range 3)}}` works):
//!
//! | helper | gives |
//! | --- | --- |
//! | `json x` | `x` as compact JSON text |
//! | `default x fallback` | `x`, or `fallback` when `x` is missing or null |
//! | `lower x`, `upper x` | `x` as text, lower or upper case |
//! | `len x` | characters of a string, items of a list, entries of an object |
//! | `jsonpath x "$.path"` | a singular path (names and indices only): the value or null; any other path: a list |
//! | `now` | the time in RFC 3339, UTC, to the second (`2026-04-05T10:00:00Z`) |
//! | `join list sep` | the items as text, separated by `sep` |
//! | `add`, `sub`, `mul`, `div a b` | integers stay integers while exact; `div` by zero fails |
//! | `percent part total` | `part * 100 / total` as a number; a total of zero fails |
//! | `range n`, `range a b` | `[0..n)`, `[a..b)`; empty when the end is not past the start; at most 100,000 items |
//! | `difference a b` | items of `a` not in `b` (JSON equality: `1` equals `1.0`), in `a`'s order |
//! | `count_by x "$.path"` | `{"401": 3, "500": 12}`: how often each selected value occurs, keyed by the value as text, in first-seen order; without a path, over the items of the list `x` |
//! | `hmac_sha256 key message` | lowercase hex HMAC-SHA256 of the message (as text) with the key (as text) |
//! | `eq`, `ne`, `gt`, `gte`, `lt`, `lte`, `and`, `or`, `not`, `lookup` | handlebars' built-ins, kept for conditions |
//!
//! Arithmetic takes numbers or strings that read as numbers (a regex capture is a string).
//! Blocks: `{{#if}}` / `{{#unless}}` (with `{{else}}`, `{{else if …}}`, `includeZero=true`),
//! `{{#each}}` (`@index`, `@key`, `@first`, `@last`, `as |item index|`, `../`, `@root`),
//! `{{#with}}`, `{{{{raw}}}}`. Partials and decorators are refused. Helper names, arities and
//! literal JSONPaths are checked when the template is parsed.
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

#![warn(missing_docs)]

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
mod shell_scan;
mod shell_tags;
mod template;
mod tree;

pub use destination::{Destination, shell_escapes_in_quotes, shell_quote};
pub use error::{RenderError, RenderErrorKind, TemplateError, TemplateErrorKind};
pub use helpers::HELPERS;
pub use reference::Reference;
pub use renderer::Renderer;
pub use shell_scan::{Quoting, ShellEscapeError, UnsafeShellContext};
pub use shell_tags::{ShellTag, shell_tags};
pub use template::Template;
