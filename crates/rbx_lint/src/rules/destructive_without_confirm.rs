//! E201: a destructive action without `confirm`.

use std::sync::LazyLock;

use rbx_diagnostics::Diagnostic;
use rbx_model::{Step, StepKind, Tpl};
use regex::Regex;

use crate::context::FileContext;
use crate::rule::{Rule, RuleCheck, declare_code};

declare_code! {
    /// A step does something that cannot be undone, and nobody is asked first.
    ///
    /// Deleting files (`rm -rf`), pruning Docker, stopping a database container
    /// (`docker compose down`, `docker stop postgres`), `kill -9`, changing `iptables`,
    /// `FLUSHALL`/`FLUSHDB`/`DEL` in Redis, `DROP`/`TRUNCATE`, `DELETE` or `UPDATE` without
    /// `WHERE`, and `pg_terminate_backend`/`pg_cancel_backend` are destructive. In the middle
    /// of an incident a person should see the command and agree before it runs: add `confirm`
    /// (with `on_decline: skip` if the run may go on without it).
    ///
    /// Bad:
    ///
    /// ```yaml
    /// - id: clean
    ///   shell: rm -rf /var/cache/app
    /// ```
    ///
    /// Good:
    ///
    /// ```yaml
    /// - id: clean
    ///   confirm: Delete the application cache?
    ///   shell: rm -rf /var/cache/app
    /// ```
    CODE = "E201", "destructive-without-confirm", Error
}

pub(crate) const RULE: Rule = Rule { code: CODE, check: RuleCheck::File(check) };

fn check(cx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
    for step in cx.runbook.all_steps().filter(|step| step.confirm.is_none()) {
        if let Some(action) = destructive_action(step) {
            let span = match action.place {
                Some((tpl, start, len)) => cx.locate(tpl, start, len),
                None => step.kind_span,
            };
            out.push(
                Diagnostic::new(CODE, span, format!("{} runs without `confirm`", action.what))
                    .with_label("destructive")
                    .with_help("add `confirm: \"…?\"` to the step so that a person agrees before it runs"),
            );
        }
    }
}

/// What makes a step destructive, and where it says so (template, offset, length).
pub(crate) struct Action<'a> {
    /// A short description: "`rm -rf`".
    pub what: String,
    /// Where in which template.
    pub place: Option<(&'a Tpl, usize, usize)>,
}

struct Pattern {
    regex: Regex,
    what: &'static str,
}

fn patterns(list: &[(&str, &'static str)]) -> Vec<Pattern> {
    list.iter().filter_map(|(pattern, what)| Regex::new(pattern).ok().map(|regex| Pattern { regex, what })).collect()
}

static SHELL: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
    patterns(&[
        (
            r"\brm\s+(?:-[a-zA-Z]*(?:rf|fr)[a-zA-Z]*|-r\s+-f|-f\s+-r|--recursive\s+--force|--force\s+--recursive)\b",
            "`rm -rf`",
        ),
        (r"\bdocker\s+(?:system|volume|image|container)\s+prune\b", "`docker … prune`"),
        (r"\bdocker(?:-compose|\s+compose)\s+down\b", "`docker compose down`"),
        (
            r"\bdocker(?:-compose|\s+compose)?\s+(?:stop|restart|kill|rm)\b[^\n;|&]*?\b(?:postgres(?:ql)?|mysql|mariadb|redis|mongo(?:db)?|db|database|[\w-]+[-_]db)\b",
            "stopping a database container",
        ),
        (r"\b(?:kill|pkill|killall)\s+(?:-9|-KILL|-SIGKILL|-s\s+(?:9|KILL|SIGKILL))\b", "`kill -9`"),
        (
            r"\b(?:ip6?tables|nft)\s+(?:[^\n;|&]*\s)?(?:-[ADIRFXPZN]\b|--(?:append|delete|insert|replace|flush|delete-chain|policy|zero|new-chain)\b|(?:add|delete|flush)\s+(?:rule|table|chain)\b)",
            "an `iptables` change",
        ),
        (r"(?i)\bredis-cli\b[^\n;|&]*?\b(?:FLUSHALL|FLUSHDB|DEL|UNLINK)\b", "a destructive Redis command"),
    ])
});

static SQL: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
    patterns(&[
        (
            r"(?i)\bDROP\s+(?:TABLE|DATABASE|SCHEMA|INDEX|VIEW|MATERIALIZED\s+VIEW|SEQUENCE|FUNCTION|TRIGGER|USER|ROLE|EXTENSION)\b",
            "`DROP`",
        ),
        (r"(?i)\bTRUNCATE\b", "`TRUNCATE`"),
        (r"(?i)\bpg_(?:terminate|cancel)_backend\b", "`pg_terminate_backend`/`pg_cancel_backend`"),
    ])
});

static DELETE_OR_UPDATE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?i)\b(?:DELETE\s+FROM|UPDATE\s+\S+\s+SET)\b").ok());
static WHERE: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"(?i)\bWHERE\b").ok());
static SQL_CLIENT: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"\b(?:psql|mysql|mariadb|sqlite3|clickhouse-client)\b").ok());

/// The first destructive action of a step, if any (also used by W232).
pub(crate) fn destructive_action(step: &Step) -> Option<Action<'_>> {
    match &step.kind {
        StepKind::Shell(shell) => {
            let text = shell.run.source();
            first_match(&SHELL, &shell.run).or_else(|| {
                let has_client = SQL_CLIENT.as_ref().is_some_and(|client| client.is_match(text));
                if has_client { sql_action(&shell.run) } else { None }
            })
        }
        StepKind::Sql(sql) => sql_action(&sql.query),
        StepKind::Redis(redis) => {
            let first = redis.command.first()?;
            let name = first.source().trim().to_ascii_uppercase();
            matches!(name.as_str(), "FLUSHALL" | "FLUSHDB" | "DEL" | "UNLINK")
                .then(|| Action { what: format!("Redis `{name}`"), place: Some((first, 0, first.source().len())) })
        }
        _ => None,
    }
}

fn first_match<'a>(patterns: &[Pattern], tpl: &'a Tpl) -> Option<Action<'a>> {
    let text = tpl.source();
    patterns
        .iter()
        .filter_map(|p| p.regex.find(text).map(|m| (m.start(), m.len(), p.what)))
        .min_by_key(|(start, _, _)| *start)
        .map(|(start, len, what)| Action { what: what.to_owned(), place: Some((tpl, start, len)) })
}

fn sql_action(tpl: &Tpl) -> Option<Action<'_>> {
    if let Some(action) = first_match(&SQL, tpl) {
        return Some(action);
    }
    let (statement, where_) = (DELETE_OR_UPDATE.as_ref()?, WHERE.as_ref()?);
    let text = tpl.source();
    let mut offset = 0;
    for part in text.split(';') {
        if let Some(found) = statement.find(part)
            && !where_.is_match(&part[found.end()..])
        {
            let verb = if found.as_str().to_ascii_uppercase().starts_with("DELETE") { "DELETE" } else { "UPDATE" };
            return Some(Action {
                what: format!("`{verb}` without `WHERE`"),
                place: Some((tpl, offset + found.start(), found.len())),
            });
        }
        offset += part.len() + 1;
    }
    None
}
