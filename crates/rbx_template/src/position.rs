//! Places in a template's source text.

/// A place in a template's source: byte offset, 1-based line, 1-based column.
///
/// Columns count characters (not bytes), and `\r\n` ends a line once, as the handlebars
/// parser counts them, so positions it reports and positions computed here agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Pos {
    pub(crate) offset: usize,
    pub(crate) line: usize,
    pub(crate) column: usize,
}

/// Start offsets of every line of a source, to convert between offsets and line/column.
pub(crate) struct LineIndex<'a> {
    source: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(source: &'a str) -> LineIndex<'a> {
        let mut starts = vec![0];
        starts.extend(source.match_indices('\n').map(|(at, _)| at + 1));
        LineIndex { source, starts }
    }

    /// The position of a 1-based line and character column; past the end clamps to the end.
    pub(crate) fn at_line_column(&self, line: usize, column: usize) -> Pos {
        let Some(&start) = self.starts.get(line.saturating_sub(1)) else {
            return self.at_offset(self.source.len());
        };
        let rest = &self.source[start..];
        let within = rest.char_indices().nth(column.saturating_sub(1)).map_or(rest.len(), |(at, _)| at);
        Pos { offset: start + within, line: line.max(1), column: column.max(1) }
    }

    /// The position of a byte offset (rounded down to a character boundary).
    pub(crate) fn at_offset(&self, offset: usize) -> Pos {
        let mut offset = offset.min(self.source.len());
        while !self.source.is_char_boundary(offset) {
            offset -= 1;
        }
        let line_index = self.starts.partition_point(|&start| start <= offset) - 1;
        let start = self.starts[line_index];
        Pos { offset, line: line_index + 1, column: self.source[start..offset].chars().count() + 1 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_and_line_columns_agree() {
        let source = "ab\nçd{{x}}\r\nz";
        let index = LineIndex::new(source);
        let pos = index.at_offset(source.find("{{").unwrap_or(0));
        assert_eq!((pos.line, pos.column), (2, 3));
        assert_eq!(index.at_line_column(2, 3), pos);
        let z = index.at_offset(source.len() - 1);
        assert_eq!((z.line, z.column), (3, 1));
        assert_eq!(index.at_line_column(3, 1).offset, source.len() - 1);
    }

    #[test]
    fn out_of_range_positions_clamp() {
        let index = LineIndex::new("abc");
        assert_eq!(index.at_line_column(9, 9).offset, 3);
        assert_eq!(index.at_line_column(1, 99).offset, 3);
        assert_eq!(index.at_offset(99).column, 4);
        let multibyte = LineIndex::new("é");
        assert_eq!(multibyte.at_offset(1).offset, 0);
    }
}
