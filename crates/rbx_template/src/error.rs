//! The errors of parsing and rendering templates.

use crate::position::Pos;

/// A template that does not parse, with where in the template text.
///
/// `line` and `column` are 1-based (columns count characters); `offset` is the byte offset,
/// all within the template text itself (the caller adds where the template sits in its file).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at line {line}, column {column}")]
pub struct TemplateError {
    /// What is wrong.
    pub kind: TemplateErrorKind,
    /// 1-based line in the template text.
    pub line: usize,
    /// 1-based column (in characters) in the template text.
    pub column: usize,
    /// Byte offset in the template text.
    pub offset: usize,
}

impl TemplateError {
    pub(crate) fn new(kind: TemplateErrorKind, pos: Pos) -> TemplateError {
        TemplateError { kind, line: pos.line, column: pos.column, offset: pos.offset }
    }

    /// The message without the position, for diagnostics that show the position themselves.
    pub fn message(&self) -> String {
        self.kind.to_string()
    }
}

/// What makes a template invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TemplateErrorKind {
    /// A `{{` without its `}}`.
    #[error("unclosed `{{{{`")]
    UnclosedExpression,
    /// A `{{#name}}` without its `{{/name}}`.
    #[error("unclosed block `{{{{#{0}}}}}`")]
    UnclosedBlock(String),
    /// A block closed with another name.
    #[error("block `{{{{#{open}}}}}` is closed by `{{{{/{close}}}}}`")]
    MismatchedClose {
        /// The name the block was opened with.
        open: String,
        /// The name it was closed with.
        close: String,
    },
    /// An expression that does not parse.
    #[error("invalid expression `{0}`")]
    InvalidExpression(String),
    /// Any other syntax error.
    #[error("invalid template syntax")]
    Syntax,
    /// A call of a helper that does not exist.
    #[error("unknown helper `{0}`")]
    UnknownHelper(String),
    /// A helper called with too few or too many arguments.
    #[error("`{helper}` takes {expected}, got {got}")]
    ArgumentCount {
        /// The helper.
        helper: String,
        /// How many it takes, in words (`2 arguments`, `1 or 2 arguments`).
        expected: String,
        /// How many it got.
        got: usize,
    },
    /// `name=value` arguments where none are taken.
    #[error("`{0}` takes no named arguments")]
    NamedArguments(String),
    /// `{{if x}}` instead of `{{#if x}}…{{/if}}`.
    #[error("`{0}` is a block helper: write `{{{{#{0} …}}}}…{{{{/{0}}}}}`")]
    BlockHelperInline(String),
    /// `{{#upper x}}`: a helper that cannot open a block.
    #[error("`{0}` cannot open a block")]
    NotABlockHelper(String),
    /// Partials, decorators and other handlebars features rbx does not offer.
    #[error("{0} are not supported")]
    Unsupported(&'static str),
    /// `../x` above the outermost block.
    #[error("`{0}` reaches above the top of the template")]
    PathAboveTop(String),
    /// `@name` other than `@index`, `@key`, `@first`, `@last` and `@root`.
    #[error("unknown variable `{0}`: use `@index`, `@key`, `@first`, `@last` or `@root`")]
    UnknownLocal(String),
    /// `@index`, `@key`, `@first`, `@last` outside an `{{#each}}` block.
    #[error("`{0}` is only defined inside `{{{{#each}}}}`")]
    LocalOutsideEach(String),
    /// A JSONPath literal that does not parse.
    #[error("invalid JSONPath `{path}`: {reason}")]
    InvalidJsonPath {
        /// The path as written.
        path: String,
        /// Why it does not parse.
        reason: String,
    },
    /// A literal that is not a string where a JSONPath is expected.
    #[error("`{0}` takes a JSONPath string as its second argument")]
    JsonPathNotString(String),
    /// A template too large for the full parser (needed for blocks, comments, `~` and
    /// escapes): its cost grows with tags × bytes.
    #[error("template too large to parse with blocks, comments or `~`: {tags} tags in {bytes} bytes")]
    TooLarge {
        /// How many `{{…}}` tags it has.
        tags: usize,
        /// How long it is.
        bytes: usize,
    },
    /// Blocks or subexpressions nested deeper than the limit.
    #[error("template nests more than {0} levels deep")]
    TooDeep(usize),
}

/// A template that failed to render, with where in the template text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at line {line}, column {column}")]
pub struct RenderError {
    /// What went wrong.
    pub kind: RenderErrorKind,
    /// 1-based line of the failing expression in the template text.
    pub line: usize,
    /// 1-based column (in characters) of the failing expression.
    pub column: usize,
    /// Byte offset of the failing expression.
    pub offset: usize,
}

impl RenderError {
    pub(crate) fn new(kind: RenderErrorKind, pos: Pos) -> RenderError {
        RenderError { kind, line: pos.line, column: pos.column, offset: pos.offset }
    }

    /// The message without the position, for diagnostics that show the position themselves.
    pub fn message(&self) -> String {
        self.kind.to_string()
    }
}

/// Why rendering failed. Messages never include values (they may be secret), only paths,
/// helper names and types.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RenderErrorKind {
    /// A reference to something that does not exist (strict mode).
    #[error("`{path}` is not defined")]
    Missing {
        /// The path as written in the template (`vars.reason`, `steps.a.[0]`).
        path: String,
    },
    /// A helper refused its arguments.
    #[error("`{helper}`: {message}")]
    Helper {
        /// The helper's name.
        helper: &'static str,
        /// Why, as a lowercase fragment.
        message: String,
    },
    /// `{{#each x}}` over something that is neither a list nor an object.
    #[error("`#each` takes a list or an object, got {found}")]
    NotIterable {
        /// The type found (`a string`, `a number`, …).
        found: &'static str,
    },
    /// A value lands in a shell command where it cannot be escaped.
    #[error(transparent)]
    Shell(#[from] crate::shell_scan::ShellEscapeError),
}
