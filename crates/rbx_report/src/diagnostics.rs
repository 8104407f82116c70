//! Diagnostics of many files in the formats `rbx lint` and `rbx run` print.

use std::sync::Arc;

use rbx_diagnostics::{Diagnostic, RenderStyle, Severity, SourceFile, render_human};
use serde::Serialize;

/// Diagnostics of one file.
#[derive(Debug, Clone)]
pub struct FileDiagnostics {
    /// The file.
    pub file: Arc<SourceFile>,
    /// Its diagnostics, in source order.
    pub diagnostics: Vec<Diagnostic>,
}

/// The output formats of diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiagnosticFormat {
    /// rustc style, with source snippets.
    Human(RenderStyle),
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// One JSON document.
    Json,
}

/// Counts by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Errors.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Notes.
    pub notes: usize,
}

impl Summary {
    /// Counts the diagnostics of every file.
    pub fn of(files: &[FileDiagnostics]) -> Summary {
        let mut summary = Summary::default();
        for diagnostic in files.iter().flat_map(|f| &f.diagnostics) {
            match diagnostic.severity {
                Severity::Error => summary.errors += 1,
                Severity::Warning => summary.warnings += 1,
                Severity::Note => summary.notes += 1,
            }
        }
        summary
    }
}

/// Renders every file's diagnostics in `format`.
pub fn render(files: &[FileDiagnostics], format: DiagnosticFormat) -> String {
    match format {
        DiagnosticFormat::Human(style) => files
            .iter()
            .filter(|f| !f.diagnostics.is_empty())
            .map(|f| render_human(&f.file, &f.diagnostics, style))
            .collect(),
        DiagnosticFormat::Github => {
            files.iter().flat_map(|f| f.diagnostics.iter().map(move |d| github_line(&f.file, d))).collect()
        }
        DiagnosticFormat::Json => {
            let document = JsonDocument {
                diagnostics: files
                    .iter()
                    .flat_map(|f| f.diagnostics.iter().map(move |d| JsonDiagnostic::new(&f.file, d)))
                    .collect(),
                summary: Summary::of(files),
            };
            let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
            text.push('\n');
            text
        }
    }
}

fn github_line(file: &SourceFile, diagnostic: &Diagnostic) -> String {
    let start = file.line_col(diagnostic.span.start);
    let end = file.line_col(diagnostic.span.end);
    let command = match diagnostic.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    };
    let mut message = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    format!(
        "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
        escape_property(&file.path().display().to_string()),
        start.line,
        start.column,
        end.line,
        end.column,
        escape_property(&format!("{} {}", diagnostic.code.id, diagnostic.code.name)),
        escape_data(&message),
    )
}

/// Workflow command data: `%`, CR and LF are escaped.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Workflow command properties also escape `:` and `,`.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[derive(Serialize)]
struct JsonDocument {
    diagnostics: Vec<JsonDiagnostic>,
    summary: Summary,
}

/// One diagnostic in `--format json`; columns count characters, `column_utf16` UTF-16 units.
#[derive(Serialize)]
struct JsonDiagnostic {
    code: &'static str,
    name: &'static str,
    severity: &'static str,
    message: String,
    file: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    column_utf16: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notes: Vec<String>,
}

impl JsonDiagnostic {
    fn new(file: &SourceFile, diagnostic: &Diagnostic) -> JsonDiagnostic {
        let start = file.line_col(diagnostic.span.start);
        let end = file.line_col(diagnostic.span.end);
        JsonDiagnostic {
            code: diagnostic.code.id,
            name: diagnostic.code.name,
            severity: diagnostic.severity.as_str(),
            message: diagnostic.message.clone(),
            file: file.path().display().to_string(),
            line: start.line,
            column: start.column,
            end_line: end.line,
            end_column: end.column,
            column_utf16: start.column_utf16,
            label: diagnostic.label.clone(),
            help: diagnostic.help.clone(),
            notes: diagnostic.notes.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rbx_diagnostics::{Span, codes};

    #[test]
    fn github_escapes_properties_and_data() {
        let file = SourceFile::new("a,b.yaml", "x: 1\n");
        let d = Diagnostic::new(codes::UNKNOWN_KEY, Span::new(0, 1), "50% bad\nnext").with_help("do: this");
        let line = github_line(&file, &d);
        assert_eq!(
            line,
            "::error file=a%2Cb.yaml,line=1,col=1,endLine=1,endColumn=2,title=E100 unknown-key::50%25 bad%0Anext%0Ahelp: do: this\n"
        );
    }
}
