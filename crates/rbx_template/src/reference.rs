//! The paths a template reads from the run context.

/// One path a template reads, from the top of the run context.
///
/// Paths relative to a block's item (`{{name}}` inside `{{#each steps.a.json.items}}`), block
/// parameters (`as |host|`) and `@index`-style locals are not listed: they are not known before
/// the run, and the block's own path (here `steps.a.json.items`) is listed. `@root.x` and
/// `../x` that lead back to the top are listed as `x`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The segments from the top: `{{steps.a.[0].id}}` gives `["steps", "a", "0", "id"]`;
    /// empty for `{{this}}` at the top (the whole context).
    pub segments: Vec<String>,
    /// Whether the expression is a triple stash `{{{ }}}` (inserted without escaping).
    pub raw: bool,
    /// Byte offset of the enclosing `{{` in the template text.
    pub offset: usize,
    /// 1-based line of the enclosing `{{`.
    pub line: usize,
    /// 1-based column (in characters) of the enclosing `{{`.
    pub column: usize,
    /// Whether a missing value is fine here: the first argument of `default`, and the
    /// condition of `{{#if}}` / `{{#unless}}` (missing counts as false).
    pub allows_missing: bool,
}

impl Reference {
    /// The segments joined with `.` (`steps.a.0.id`).
    pub fn dotted(&self) -> String {
        self.segments.join(".")
    }
}
