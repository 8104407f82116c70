//! Places in a template's source text.

use std::cell::Cell;

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
///
/// It remembers the last position it computed, so a run of increasing offsets on one long
/// line costs the length of the line once, not once per offset.
pub(crate) struct LineIndex<'a> {
    source: &'a str,
    starts: Vec<usize>,
    last: Cell<Pos>,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(source: &'a str) -> LineIndex<'a> {
        let mut starts = vec![0];
        starts.extend(source.match_indices('\n').map(|(at, _)| at + 1));
        LineIndex { source, starts, last: Cell::new(Pos { offset: 0, line: 1, column: 1 }) }
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
        let last = self.last.get();
        let (from, column) =
            if last.line == line_index + 1 && last.offset <= offset { (last.offset, last.column) } else { (start, 1) };
        let pos = Pos { offset, line: line_index + 1, column: column + self.source[from..offset].chars().count() };
        self.last.set(pos);
        pos
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

    #[test]
    fn remembered_positions_give_the_same_answers() {
        let source = "aé b\ncé d é\r\ne";
        let index = LineIndex::new(source);
        let fresh = |offset| LineIndex::new(source).at_offset(offset);
        let offsets: Vec<usize> = (0..=source.len()).filter(|&o| source.is_char_boundary(o)).collect();
        for &offset in offsets.iter().chain(offsets.iter().rev()) {
            assert_eq!(index.at_offset(offset), fresh(offset), "{offset}");
        }
    }
}
