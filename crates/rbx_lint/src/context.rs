//! What a rule sees of one runbook: the model, its file, every template with the field it sits
//! in, and ways to turn a place inside a template into a place in the file.

use rbx_diagnostics::{SourceFile, Span};
use rbx_model::{Runbook, Step, Tpl};

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use crate::sites::{TemplateSite, template_sites};
use crate::usage::Usage;

/// One runbook being linted.
pub struct FileContext<'a> {
    /// The validated runbook.
    pub runbook: &'a Runbook,
    /// Every template of the runbook, in source order.
    pub templates: Vec<TemplateSite<'a>>,
    /// Whether `--shellcheck` asked for shell steps to go through shellcheck.
    pub shellcheck: bool,
    usage: OnceLock<Usage>,
    steps_by_id: OnceLock<HashMap<&'a str, &'a Step>>,
    secret_captures: OnceLock<HashSet<&'a str>>,
}

impl<'a> FileContext<'a> {
    /// Gathers what rules need of `runbook`.
    pub fn new(runbook: &'a Runbook, shellcheck: bool) -> FileContext<'a> {
        FileContext {
            runbook,
            templates: template_sites(runbook),
            shellcheck,
            usage: OnceLock::new(),
            steps_by_id: OnceLock::new(),
            secret_captures: OnceLock::new(),
        }
    }

    /// The runbook's file.
    pub fn file(&self) -> &'a SourceFile {
        &self.runbook.file
    }

    /// What the runbook reads, computed once for the rules that need it.
    pub fn usage(&self) -> &Usage {
        self.usage.get_or_init(|| Usage::of(self))
    }

    /// The step (`finally` included) with this id. Indexed once: a rule that looked each
    /// reference up by scanning the steps was quadratic on a large runbook.
    pub fn step(&self, id: &str) -> Option<&'a Step> {
        let index = self.steps_by_id.get_or_init(|| {
            let mut index = HashMap::new();
            for step in self.runbook.all_steps() {
                // The first of duplicated ids wins, as a scan would have found it.
                index.entry(step.id.value.as_str()).or_insert(step);
            }
            index
        });
        index.get(id).copied()
    }

    /// Whether some step captures `vars.NAME` with `secret: true`.
    pub fn is_secret_capture(&self, name: &str) -> bool {
        self.secret_captures
            .get_or_init(|| {
                let captures = self.runbook.all_steps().flat_map(|step| &step.capture);
                captures.filter(|capture| capture.secret).map(|capture| capture.name.value.as_str()).collect()
            })
            .contains(name)
    }

    /// The place in the file of `len` bytes at `offset` in the template's text (which YAML
    /// may have unescaped, folded or de-indented). Found by looking for the same text in the
    /// scalar's source; when YAML changed it (escapes), the scalar's start is the answer.
    pub fn locate(&self, tpl: &Tpl, offset: usize, len: usize) -> Span {
        locate_in(self.file(), tpl.span, tpl.source(), offset, len)
    }

    /// Where `key:` is written among a step's own keys (`until`, `retry`, `when`), else the
    /// step's id.
    pub fn step_key(&self, step: &Step, key: &str) -> Span {
        key_in(self.file(), step.span, key).unwrap_or(step.id.span)
    }
}

/// See [`FileContext::locate`].
pub(crate) fn locate_in(file: &SourceFile, scalar: Span, text: &str, offset: usize, len: usize) -> Span {
    let fallback = Span::new(scalar.start, scalar.start);
    let end = (offset + len).min(text.len());
    let Some(needle) = text.get(offset..end) else { return fallback };
    // Block scalars lose their indentation at line ends: look for the first line only.
    let needle = needle.split('\n').next().unwrap_or("");
    if needle.is_empty() {
        return fallback;
    }
    let Some(before) = text.get(..offset) else { return fallback };
    let nth = before.match_indices(needle).filter(|(at, _)| at + needle.len() <= offset).count();
    let source = file.slice(scalar);
    match source.match_indices(needle).nth(nth) {
        Some((at, _)) => Span::new(scalar.start + at, scalar.start + at + needle.len()),
        None => fallback,
    }
}

/// The span of `key` written as a mapping key inside `within`: at the start of a line (after
/// indentation or `- `), or after `{` or `,` in flow style.
pub(crate) fn key_in(file: &SourceFile, within: Span, key: &str) -> Option<Span> {
    let text = file.slice(within);
    let mut candidates = text.match_indices(key).filter(|(at, _)| {
        let after = text[at + key.len()..].trim_start_matches([' ', '\t']);
        if !after.starts_with(':') {
            return false;
        }
        let before = text[..*at].trim_end_matches([' ', '\t']);
        let line_start = before.rsplit('\n').next().unwrap_or("");
        before.is_empty() || before.ends_with(['\n', '{', ',']) || line_start.trim_start_matches([' ', '-']).is_empty()
    });
    candidates.next().map(|(at, _)| Span::new(within.start + at, within.start + at + key.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_text_in_plain_quoted_and_block_scalars() {
        let text = "a: echo {{x}} {{x}}\nb: \"say \\\"hi\\\" {{y}}\"\nc: |\n  one\n  two {{z}}\n";
        let file = SourceFile::new("f.yaml", text);
        let plain = Span::new(3, 19);
        let second = locate_in(&file, plain, "echo {{x}} {{x}}", 11, 5);
        assert_eq!(file.slice(second), "{{x}}");
        assert_eq!(second.start, text.find("{{x}} {{x}}").unwrap_or(0) + 6);
        let quoted_start = text.find("\"say").unwrap_or(0);
        let quoted = Span::new(quoted_start, text.find("}}\"").unwrap_or(0) + 3);
        let y = locate_in(&file, quoted, "say \"hi\" {{y}}", 9, 5);
        assert_eq!(file.slice(y), "{{y}}");
        let block = Span::new(text.find('|').unwrap_or(0), text.len());
        let z = locate_in(&file, block, "one\ntwo {{z}}\n", 8, 5);
        assert_eq!(file.line_col(z.start).line, 5);
        assert_eq!(file.slice(z), "{{z}}");
    }

    #[test]
    fn finds_keys_not_words_in_values() {
        let text = "- id: a\n  shell: echo until: no\n  until: { path: $.x, exists: true }\n";
        let file = SourceFile::new("f.yaml", text);
        let span = key_in(&file, Span::new(0, text.len()), "until").map(|s| file.line_col(s.start));
        assert_eq!(span.map(|p| (p.line, p.column)), Some((3, 3)));
        let flow = SourceFile::new("g.yaml", "- { id: a, retry: { attempts: 2 } }\n");
        assert!(key_in(&flow, Span::new(0, 36), "retry").is_some());
        assert!(key_in(&flow, Span::new(0, 36), "when").is_none());
    }
}
