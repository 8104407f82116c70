//! `# rbx-lint: ignore CODE` comments: a comment at the end of a line silences those codes on
//! that line; a comment alone on its line silences them on the next line too. The shorter
//! `# rbx: ignore[CODE]` is read the same way.

use std::collections::HashMap;
use std::sync::LazyLock;

use rbx_diagnostics::{Diagnostic, SourceFile, Span};
use regex::Regex;

use crate::registry;

/// The ignore comments of one file.
#[derive(Debug, Default)]
pub struct Suppressions {
    /// Codes silenced on each 1-based line.
    by_line: HashMap<usize, Vec<&'static str>>,
    /// Comments that do not say what they mean to: (where, what is wrong).
    pub(crate) problems: Vec<(Span, String)>,
}

static COMMENT: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"#\s*rbx(?:-lint)?\s*:\s*ignore\b([^#\n]*)").ok());

impl Suppressions {
    /// Reads every ignore comment of `file`.
    pub fn of(file: &SourceFile) -> Suppressions {
        let mut found = Suppressions::default();
        let Some(comment) = COMMENT.as_ref() else { return found };
        let text = file.text();
        if !text.contains("ignore") {
            return found;
        }
        for captures in comment.captures_iter(text) {
            let (Some(whole), Some(list)) = (captures.get(0), captures.get(1)) else { continue };
            let line = file.line_col(whole.start()).line;
            let alone = file.line_text(line).trim_start().starts_with('#');
            let codes = found.codes(list.as_str(), list.start(), Span::new(whole.start(), whole.end()));
            for covered in if alone { line..=line + 1 } else { line..=line } {
                found.by_line.entry(covered).or_default().extend(codes.iter().copied());
            }
        }
        found
    }

    /// The rule codes named in a comment's list; what is not one is recorded as a problem.
    fn codes(&mut self, list: &str, at: usize, comment: Span) -> Vec<&'static str> {
        let mut codes = Vec::new();
        let mut words = 0;
        let mut offset = 0;
        for word in list.split([' ', '\t', ',', '[', ']']) {
            let start = at + offset;
            offset += word.len() + 1;
            if word.is_empty() {
                continue;
            }
            words += 1;
            let span = Span::new(start, start + word.len());
            match registry::find(word) {
                Some(rule) => codes.push(rule.code.id),
                None if rbx_diagnostics::codes::find(word).is_some() => {
                    self.problems.push((span, format!("`{word}` is a load error and cannot be ignored")));
                }
                None => self.problems.push((span, format!("`{word}` is not a lint rule"))),
            }
        }
        if words == 0 {
            self.problems.push((comment, "the ignore comment names no rule".to_owned()));
        }
        codes
    }

    /// Whether `diagnostic` is silenced.
    pub fn silences(&self, file: &SourceFile, diagnostic: &Diagnostic) -> bool {
        if self.by_line.is_empty() {
            return false;
        }
        let line = file.line_col(diagnostic.span.start).line;
        self.by_line.get(&line).is_some_and(|codes| codes.contains(&diagnostic.code.id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_cover_their_line_or_the_next() {
        let file = SourceFile::new(
            "f.yaml",
            "a: 1 # rbx-lint: ignore W213, I245\n# rbx-lint: ignore W211\nb: 2\nc: 3 # rbx-lint: ignore\nd: 4 # rbx-lint: ignore[X999] E105\ne: 5 # rbx: ignore[W212]\n",
        );
        let found = Suppressions::of(&file);
        assert_eq!(found.by_line.get(&1), Some(&vec!["W213", "I245"]));
        assert_eq!(found.by_line.get(&3), Some(&vec!["W211"]));
        assert_eq!(found.by_line.get(&6), Some(&vec!["W212"]));
        let problems: Vec<&str> = found.problems.iter().map(|(_, p)| p.as_str()).collect();
        assert_eq!(
            problems,
            [
                "the ignore comment names no rule",
                "`X999` is not a lint rule",
                "`E105` is a load error and cannot be ignored"
            ]
        );
    }
}
