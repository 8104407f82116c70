//! Turns the handlebars parser's errors into messages that say what is wrong, and where.

use handlebars::TemplateErrorReason;

use super::Place;
use crate::error::{TemplateError, TemplateErrorKind};
use crate::position::Pos;
use crate::scan::{Tag, tag_around, unclosed_block};

/// Turns a handlebars parse error into one that says what is wrong, and where.
pub(super) fn explain(
    source: &str,
    place: Place<'_>,
    tags: &[Tag<'_>],
    unclosed: Option<usize>,
    error: &handlebars::TemplateError,
) -> TemplateError {
    let at = error.pos().map_or(place.offset(0), |(line, column)| place.line_column(line, column));
    let (kind, pos) = match error.reason() {
        TemplateErrorReason::MismatchingClosedHelper(open, close)
        | TemplateErrorReason::MismatchingClosedDecorator(open, close) => {
            (TemplateErrorKind::MismatchedClose { open: open.clone(), close: close.clone() }, at)
        }
        TemplateErrorReason::InvalidParam(param) => {
            let offset = source.find(param.as_str()).unwrap_or(0);
            let kind = TemplateErrorKind::InvalidExpression(excerpt(param));
            (kind, place.offset(offset))
        }
        _ => explain_syntax(source, place, tags, unclosed, at),
    };
    TemplateError::new(kind, pos)
}

fn explain_syntax(
    source: &str,
    place: Place<'_>,
    tags: &[Tag<'_>],
    unclosed: Option<usize>,
    at: Pos,
) -> (TemplateErrorKind, Pos) {
    if let Some(start) = unclosed {
        return (TemplateErrorKind::UnclosedExpression, place.offset(start));
    }
    let local = at.offset.saturating_sub(place.base);
    if local >= source.trim_end().len()
        && let Some((start, name)) = unclosed_block(tags)
    {
        let kind = TemplateErrorKind::UnclosedBlock(name.to_owned());
        return (kind, place.offset(start));
    }
    match tag_around(tags, local) {
        Some(tag) => {
            let text = &source[tag.start..tag.end];
            (TemplateErrorKind::InvalidExpression(excerpt(text)), at)
        }
        None => (TemplateErrorKind::Syntax, at),
    }
}

/// At most 60 characters of a piece of template, for a message.
pub(super) fn excerpt(text: &str) -> String {
    if text.chars().count() <= 60 {
        return text.to_owned();
    }
    let mut short: String = text.chars().take(57).collect();
    short.push('…');
    short
}
