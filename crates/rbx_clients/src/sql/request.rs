use std::time::Duration;

/// One SQL statement to run, already rendered.
#[derive(Debug, Clone)]
pub struct SqlRequest {
    /// `postgres://…`, `mysql://…` (or `mariadb://…`), `sqlite://FILE` or `sqlite::memory:`.
    pub url: String,
    /// The statement text, with placeholders (`$1` for PostgreSQL, `?` for MySQL and SQLite).
    pub query: String,
    /// Values for the placeholders, bound by their JSON type, never spliced into the text.
    pub params: Vec<serde_json::Value>,
    /// The statement must finish within this; past it, it is cancelled on the server.
    pub timeout: Option<Duration>,
}
