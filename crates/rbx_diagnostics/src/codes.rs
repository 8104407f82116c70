//! The registry of load-time diagnostic codes. Codes are stable: never reuse or renumber one.
//! Lint rules (crate `rbx_lint`) register their own `W`/`I`/`E2xx` codes beside their rules.

use crate::Severity;

/// A stable diagnostic code with its name and one-paragraph explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Code {
    /// The code itself, e.g. `E105`.
    pub id: &'static str,
    /// A kebab-case name, e.g. `invalid-duration`.
    pub name: &'static str,
    /// The level it has unless configured otherwise.
    pub severity: Severity,
    /// What the code means and how to fix it.
    pub explanation: &'static str,
}

macro_rules! codes {
    ($($ident:ident = $id:literal, $name:literal, $severity:ident, $explanation:literal;)*) => {
        $(
            #[doc = $explanation]
            pub const $ident: Code = Code { id: $id, name: $name, severity: Severity::$severity, explanation: $explanation };
        )*
        /// Every load-time code, in code order.
        pub const ALL: &[Code] = &[$($ident),*];
    };
}

codes! {
    IO_ERROR = "E001", "unreadable-file", Error,
        "The file could not be read: it does not exist, is a directory, or permissions forbid it.";
    FILE_TOO_LARGE = "E002", "file-too-large", Error,
        "A runbook file is at most 4 MiB, so that a hostile or broken file cannot exhaust the engine.";
    NOT_TEXT = "E003", "not-utf8-text", Error,
        "A runbook is UTF-8 text; the file holds invalid UTF-8 or NUL bytes (a binary file).";
    EMPTY_FILE = "E004", "empty-file", Error,
        "The file is empty or holds only comments: a runbook needs at least `rbx`, `id` and `steps`.";
    NOT_A_RUNBOOK = "E005", "not-a-runbook", Error,
        "A runbook's top-level mapping has the key `rbx` (the format version). Files named explicitly must be runbooks; directories pass over other YAML.";
    YAML_SYNTAX = "E010", "yaml-syntax", Error,
        "The YAML does not parse. Common causes: a tab used for indentation, an unclosed quote or bracket, a plain scalar starting with `{{` (quote it).";
    TOO_DEEP = "E011", "nesting-too-deep", Error,
        "YAML nesting is limited to 64 levels.";
    ALIAS_BUDGET = "E012", "alias-budget-exceeded", Error,
        "Aliases would expand the document past the allowed size (an \"alias bomb\"). Anchors and aliases are fine for sharing small fragments.";
    DUPLICATE_KEY = "E013", "duplicate-key", Error,
        "A mapping has the same key twice; YAML forbids it and the second would silently win elsewhere.";
    MULTIPLE_DOCUMENTS = "E014", "multiple-documents", Error,
        "A runbook file holds exactly one YAML document; split the others into their own files.";
    UNSUPPORTED_YAML = "E015", "unsupported-yaml", Error,
        "A YAML feature rbx does not accept here: custom tags, or complex (non-scalar) mapping keys.";
    UNKNOWN_KEY = "E100", "unknown-key", Error,
        "The key is not part of the runbook format at this place. Check the spelling (a suggestion is shown when one is close) and the indentation.";
    MISSING_FIELD = "E101", "missing-field", Error,
        "A required field is missing.";
    WRONG_TYPE = "E102", "wrong-type", Error,
        "The value has the wrong YAML type here, e.g. a list where a mapping is expected.";
    INVALID_VALUE = "E103", "invalid-value", Error,
        "The value is not one of those allowed here (phase, severity, method, backoff, on_failure, on_decline, input type, ...).";
    INVALID_NAME = "E104", "invalid-name", Error,
        "Names that templates and JSONPath reach (step ids, inputs, secrets, connections, captures) match `[a-z_][a-z0-9_]*`; a runbook id matches `[a-z0-9][a-z0-9-]*`.";
    INVALID_DURATION = "E105", "invalid-duration", Error,
        "Durations are one or more `<integer><unit>` parts with unit ms, s, m or h: `250ms`, `10s`, `5m`, `1h`, `1m30s`. A bare number has no unit.";
    STEP_WITHOUT_KIND = "E106", "step-without-kind", Error,
        "Every step has exactly one kind key: shell, http, sql, redis, assert, manual, note, wait or runbook.";
    STEP_WITH_SEVERAL_KINDS = "E107", "step-with-several-kinds", Error,
        "A step has exactly one kind key; split it into one step per kind.";
    DUPLICATE_STEP_ID = "E108", "duplicate-step-id", Error,
        "Step ids are unique in a runbook, `finally` included, because results are reached as `steps.<id>`.";
    UNSUPPORTED_VERSION = "E109", "unsupported-version", Error,
        "This rbx reads format version 1 (`rbx: 1`).";
    INVALID_JSONPATH = "E110", "invalid-jsonpath", Error,
        "The JSONPath does not compile (RFC 9535). Paths start with `$`; quote paths containing `[` `]` inside `{ }`.";
    INVALID_REGEX = "E111", "invalid-regex", Error,
        "The regular expression does not compile (Rust `regex` syntax: no look-around or back-references).";
    INVALID_CHECK = "E112", "invalid-check", Error,
        "A check has an unknown operator, an operand of the wrong type, or no `path` (checks are `path` + operators, or `any`/`all`/`not`).";
    LIMIT_EXCEEDED = "E113", "limit-exceeded", Error,
        "A limit of the format is exceeded (at most 10,000 steps, parallel at most 1,000, ...).";
    INVALID_FIELD_COMBINATION = "E114", "invalid-field-combination", Error,
        "Two fields that exclude each other, or one that needs another (`parallel` needs `for_each`, `interval` needs `until`, `on_decline` needs `confirm`, `json` and `body` together, `connection` and `url` together).";
    CONNECTION_KIND = "E115", "connection-kind", Error,
        "A connection has exactly one kind key: `http`, `sql` or `redis`.";
    TEMPLATE_SYNTAX = "E120", "template-syntax", Error,
        "The Handlebars template does not parse, e.g. an unclosed `{{`.";
    TEMPLATE_IN_SQL = "E121", "template-in-sql", Error,
        "Values never go into SQL text: write a placeholder (`$1` for PostgreSQL and SQLite, `?` for MySQL) and pass the value in `params`.";
    UNKNOWN_REFERENCE = "E122", "unknown-reference", Error,
        "A template or path reads an input, secret, connection, variable, step or field that the runbook does not declare.";
    FORWARD_REFERENCE = "E123", "forward-reference", Error,
        "A step reads the result of itself or of a step that runs later; steps only see earlier steps.";
    ITEM_OUTSIDE_FOR_EACH = "E124", "item-outside-for-each", Error,
        "`item` and `index` exist only inside a step with `for_each`.";
    WRONG_CONNECTION = "E125", "wrong-connection", Error,
        "The step names a connection that does not exist or is of another kind (an http step needs an http connection).";
    INVALID_INPUT = "E126", "invalid-input-declaration", Error,
        "An input's default does not match its type, enum or pattern.";
    SHELL_VALUE_PLACE = "E127", "unescapable-shell-value", Error,
        "A `{{x}}` in a shell command sits where no escaping makes a value harmless (inside `${…}` or `$'…'`, right after `$` or `\\`, in a here-document delimiter, in nested backquotes): pass the value in `env` and write `\"$NAME\"`.";
    NESTED_RUNBOOK_CYCLE = "E130", "nested-runbook-cycle", Error,
        "Runbooks call each other in a cycle, which would never end.";
    NESTED_RUNBOOK_INVALID = "E131", "nested-runbook-invalid", Error,
        "The runbook a `runbook` step calls cannot be read or is invalid; its own diagnostics follow.";
    NESTED_RUNBOOK_INPUT = "E132", "nested-runbook-input", Error,
        "A `runbook` step passes an input the called runbook does not declare, or omits a required one.";
    UNKNOWN_INPUT = "E140", "unknown-input", Error,
        "`--var` or `--vars-file` names an input the runbook does not declare.";
    INVALID_INPUT_VALUE = "E141", "invalid-input-value", Error,
        "A value given for an input does not convert to its declared type, or is not one of its allowed values.";
    MISSING_INPUT = "E142", "missing-input", Error,
        "A required input (one with no default) was not given: pass it with `--var NAME=VALUE` or `--vars-file FILE`.";
    MISSING_SECRET = "E143", "missing-secret", Error,
        "A required secret's environment variable is unset or empty; the run refuses to start without it.";
    UNSUPPORTED_STEP = "E144", "unsupported-step-kind", Error,
        "The runbook uses a step kind this build of rbx cannot run yet.";
    UNKNOWN_ANSWER = "E145", "unknown-answer", Error,
        "`--answer NAME=VALUE` names a value no `manual` step of the runbook asks for, or gives one its `ask` refuses.";
    INVALID_SELECTION = "E146", "invalid-selection", Error,
        "`--only` or `--from` names a step the runbook does not have, or a step that runs reads the result of one that would not.";
}

/// Looks a load-time code up by its id (`E105`).
pub fn find(id: &str) -> Option<&'static Code> {
    ALL.iter().find(|code| code.id.eq_ignore_ascii_case(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_names_are_unique() {
        let mut ids: Vec<_> = ALL.iter().map(|c| c.id).collect();
        let mut names: Vec<_> = ALL.iter().map(|c| c.name).collect();
        ids.sort();
        names.sort();
        let (id_count, name_count) = (ids.len(), names.len());
        ids.dedup();
        names.dedup();
        assert_eq!((ids.len(), names.len()), (id_count, name_count));
    }
}
