use annotate_snippets::renderer::DecorStyle;
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use crate::{Diagnostic, Severity, SourceFile};

/// Whether human output may use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RenderStyle {
    /// ANSI colours (a terminal without `NO_COLOR`).
    Styled,
    /// Plain text (pipes, files, snapshots).
    Plain,
}

/// Renders diagnostics of one file in the rustc style: `error[E105]: ...`, `--> path:line:col`,
/// the source line with a caret under the span, the label, and `help:` / `note:` lines.
pub fn render_human(file: &SourceFile, diagnostics: &[Diagnostic], style: RenderStyle) -> String {
    let renderer = match style {
        RenderStyle::Styled => Renderer::styled(),
        RenderStyle::Plain => Renderer::plain(),
    }
    .decor_style(DecorStyle::Ascii);
    let path = file.path().display().to_string();
    let mut out = String::new();
    for diagnostic in diagnostics {
        let level = match diagnostic.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
            Severity::Note => Level::NOTE,
        };
        let span = clamp(file, diagnostic.span.start..diagnostic.span.end);
        let mut primary = AnnotationKind::Primary.span(span);
        if let Some(label) = &diagnostic.label {
            primary = primary.label(label.as_str());
        }
        let mut snippet = Snippet::source(file.text()).path(path.as_str()).annotation(primary);
        for related in &diagnostic.related {
            snippet = snippet.annotation(
                AnnotationKind::Context
                    .span(clamp(file, related.span.start..related.span.end))
                    .label(related.message.as_str()),
            );
        }
        let mut group = level.primary_title(diagnostic.message.as_str()).id(diagnostic.code.id).element(snippet);
        if let Some(help) = &diagnostic.help {
            group = group.element(Level::HELP.message(help.as_str()));
        }
        for note in &diagnostic.notes {
            group = group.element(Level::NOTE.message(note.as_str()));
        }
        let report: [Group<'_>; 1] = [group];
        out.push_str(&renderer.render(&report));
        out.push_str("\n\n");
    }
    out
}

fn clamp(file: &SourceFile, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let len = file.text().len();
    let mut start = range.start.min(len);
    let mut end = range.end.min(len).max(start);
    while !file.text().is_char_boundary(start) {
        start -= 1;
    }
    while !file.text().is_char_boundary(end) {
        end += 1;
    }
    start..end
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Span, codes};

    #[test]
    fn renders_position_caret_and_help() {
        let file = SourceFile::new("rb.yaml", "rbx: 1\nsteps:\n  - id: a\n    timout: 5s\n");
        let start = file.text().find("timout").unwrap();
        let diagnostic =
            Diagnostic::new(codes::UNKNOWN_KEY, Span::new(start, start + 6), "unknown key `timout` in step")
                .with_label("not a step field")
                .with_help("did you mean `timeout`?");
        let text = render_human(&file, &[diagnostic], RenderStyle::Plain);
        insta::assert_snapshot!(text);
    }
}
