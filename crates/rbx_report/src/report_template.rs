//! `rbx report --template FILE`: a person's own Handlebars template over the report's data
//! (the same structure `--format json` prints).

use handlebars::Handlebars;

use crate::incident_report::IncidentReport;

/// How values are escaped in a custom template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateEscape {
    /// As they are (Markdown, JSON, plain text).
    None,
    /// HTML entities, for `{{x}}` (`{{{x}}}` stays raw).
    Html,
}

/// A template that could not be parsed or rendered.
#[derive(Debug, thiserror::Error)]
#[error("template `{name}`: {message}")]
pub struct TemplateError {
    /// The template's name (its file).
    pub name: String,
    /// What handlebars said.
    pub message: String,
}

/// Renders `source` over `report`. Strict: a name the data does not have is an error rather
/// than an empty string, so a typo shows.
pub fn render(
    name: &str,
    source: &str,
    report: &IncidentReport,
    escape: TemplateEscape,
) -> Result<String, TemplateError> {
    let mut handlebars = Handlebars::new();
    handlebars.set_strict_mode(true);
    if escape == TemplateEscape::None {
        handlebars.register_escape_fn(handlebars::no_escape);
    }
    let fail = |message: String| TemplateError { name: name.to_owned(), message };
    handlebars.register_template_string(name, source).map_err(|e| fail(e.to_string()))?;
    handlebars.render(name, report).map_err(|e| fail(e.to_string()))
}
