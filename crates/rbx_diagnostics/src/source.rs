use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A byte range `[start, end)` in a [`SourceFile`]'s text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
pub struct Span {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end` (bytes).
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end: end.max(start) }
    }

    /// An empty span at `offset`, for "something is missing here".
    pub fn point(offset: usize) -> Span {
        Span { start: offset, end: offset }
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// A 1-based line and column. `column` counts Unicode scalar values (characters);
/// `column_utf16` counts UTF-16 code units, as SARIF and LSP clients expect by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct LineCol {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column in characters.
    pub column: usize,
    /// 1-based column in UTF-16 code units.
    pub column_utf16: usize,
}

/// The text of one file, with the index needed to turn byte offsets into lines and columns.
#[derive(Debug)]
pub struct SourceFile {
    path: PathBuf,
    text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// Wraps already-read text. `path` is what diagnostics show.
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Arc<SourceFile> {
        let text = text.into();
        let line_starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        Arc::new(SourceFile { path: path.into(), text, line_starts })
    }

    /// The path as given when the file was opened.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The whole text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Number of lines (a final line without newline counts).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte offset where 1-based `line` starts (clamped to the text).
    pub fn line_start(&self, line: usize) -> usize {
        let index = line.saturating_sub(1).min(self.line_starts.len() - 1);
        self.line_starts[index]
    }

    /// Byte offset of 1-based `line` and 0-based character column `col` (clamped).
    pub fn offset_of(&self, line: usize, col_chars: usize) -> usize {
        let start = self.line_start(line);
        let rest = &self.text[start..];
        let line_text = rest.split('\n').next().unwrap_or("");
        let within = line_text.char_indices().nth(col_chars).map(|(i, _)| i).unwrap_or(line_text.len());
        start + within
    }

    /// Line and column of a byte offset (clamped to the text, and to a char boundary).
    pub fn line_col(&self, offset: usize) -> LineCol {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line_index = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let prefix = &self.text[self.line_starts[line_index]..offset];
        LineCol {
            line: line_index + 1,
            column: prefix.chars().count() + 1,
            column_utf16: prefix.encode_utf16().count() + 1,
        }
    }

    /// The text of 1-based `line`, without its newline.
    pub fn line_text(&self, line: usize) -> &str {
        let start = self.line_start(line);
        let rest = &self.text[start..];
        rest.split('\n').next().unwrap_or("").trim_end_matches('\r')
    }

    /// The text covered by `span` (empty if out of range).
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_and_utf16_units() {
        let file = SourceFile::new("x.yaml", "a: 1\ntitle: \"é😀x\"\n");
        let x = file.text().find('x').unwrap();
        let pos = file.line_col(x);
        assert_eq!((pos.line, pos.column, pos.column_utf16), (2, 11, 12));
        assert_eq!(file.offset_of(2, 10), x);
        assert_eq!(file.line_text(2), "title: \"é😀x\"");
    }

    #[test]
    fn offsets_past_the_end_are_clamped() {
        let file = SourceFile::new("x.yaml", "ab");
        assert_eq!(file.line_col(99).column, 3);
        assert_eq!(file.offset_of(7, 9), 2);
    }
}
