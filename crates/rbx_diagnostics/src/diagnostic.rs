use crate::{Code, Span};

/// How serious a diagnostic is. Errors stop `rbx run` and fail `rbx lint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational (`I…` codes).
    Note,
    /// Likely a mistake, but the runbook can run (`W…` codes).
    Warning,
    /// The runbook cannot run (`E…` codes).
    Error,
}

impl Severity {
    /// The lowercase word used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A secondary place that explains the primary one ("first defined here").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What it shows.
    pub message: String,
}

/// One problem at one place of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The stable code.
    pub code: Code,
    /// Level, usually `code.severity` unless configured otherwise.
    pub severity: Severity,
    /// One line: what is wrong (lowercase, no trailing period).
    pub message: String,
    /// The primary place.
    pub span: Span,
    /// Text shown under the caret: what was expected there.
    pub label: Option<String>,
    /// Secondary places.
    pub related: Vec<Label>,
    /// What to do about it, e.g. "did you mean `timeout`?".
    pub help: Option<String>,
    /// Further notes (e.g. a nested runbook's own diagnostics in summary).
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// A diagnostic at `span` with the code's default severity.
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: code.severity,
            message: message.into(),
            span,
            label: None,
            related: Vec::new(),
            help: None,
            notes: Vec::new(),
        }
    }

    /// Sets the text under the caret.
    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = Some(label.into());
        self
    }

    /// Sets the help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Sets the help line when there is one.
    pub fn with_optional_help(mut self, help: Option<String>) -> Diagnostic {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    /// Adds a secondary place.
    pub fn with_related(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.related.push(Label { span, message: message.into() });
        self
    }

    /// Adds a note.
    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    /// Overrides the level.
    pub fn with_severity(mut self, severity: Severity) -> Diagnostic {
        self.severity = severity;
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}
