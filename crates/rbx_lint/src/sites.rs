//! Every template of a runbook with the field it sits in, so that rules about templates walk
//! the model in one place.

use rbx_model::{Connection, ConnectionKind, Data, ForEach, HttpBody, Runbook, Step, StepKind, Target, Tpl};

/// The field a template is written in; decides how its values are escaped, and so which
/// rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// A shell step's command.
    ShellRun,
    /// A shell step's `env` value.
    ShellEnv,
    /// A shell step's `cwd`.
    ShellCwd,
    /// An http step's `url`, a step's `url` for sql/redis, or a connection's URL.
    Url,
    /// An http step's `path`.
    HttpPath,
    /// An http step's `query` value.
    HttpQuery,
    /// A header of an http step or connection.
    HttpHeader,
    /// An http step's body (`json:` leaves or `body:`).
    HttpBody,
    /// A SQL step's query text.
    SqlQuery,
    /// A SQL parameter.
    SqlParam,
    /// An element of a Redis command.
    RedisCommand,
    /// Text shown to a person: notes, manual steps, `confirm`.
    Text,
    /// `for_each`.
    ForEach,
    /// An input passed to a nested runbook.
    RunbookInput,
}

/// One template and where it is.
#[derive(Debug, Clone, Copy)]
pub struct TemplateSite<'a> {
    /// The step it belongs to; `None` for a connection.
    pub step: Option<&'a Step>,
    /// The connection it belongs to, if any.
    pub connection: Option<&'a Connection>,
    /// Its field.
    pub field: Field,
    /// The template.
    pub tpl: &'a Tpl,
}

/// Every template of `runbook`: connections first, then steps and `finally` in order.
pub fn template_sites(runbook: &Runbook) -> Vec<TemplateSite<'_>> {
    let mut sites = Vec::new();
    for connection in &runbook.connections {
        let mut push = |field, tpl| sites.push(TemplateSite { step: None, connection: Some(connection), field, tpl });
        match &connection.kind {
            ConnectionKind::Http(http) => {
                push(Field::Url, &http.base_url);
                for (_, value) in &http.headers {
                    push(Field::HttpHeader, value);
                }
            }
            ConnectionKind::Sql { url } | ConnectionKind::Redis { url } => push(Field::Url, url),
        }
    }
    for step in runbook.all_steps() {
        step_sites(step, &mut sites);
    }
    sites
}

fn step_sites<'a>(step: &'a Step, sites: &mut Vec<TemplateSite<'a>>) {
    let mut push = |field, tpl| sites.push(TemplateSite { step: Some(step), connection: None, field, tpl });
    if let Some(confirm) = &step.confirm {
        push(Field::Text, confirm);
    }
    match &step.for_each {
        Some(ForEach::Template(tpl)) => push(Field::ForEach, tpl),
        Some(ForEach::List(items)) => items.iter().for_each(|item| data(item, Field::ForEach, &mut push)),
        None => {}
    }
    match &step.kind {
        StepKind::Shell(shell) => {
            push(Field::ShellRun, &shell.run);
            shell.env.iter().for_each(|(_, value)| push(Field::ShellEnv, value));
            if let Some(cwd) = &shell.cwd {
                push(Field::ShellCwd, cwd);
            }
        }
        StepKind::Http(http) => {
            target(&http.target, &mut push);
            if let Some(path) = &http.path {
                push(Field::HttpPath, path);
            }
            http.query.iter().for_each(|(_, value)| push(Field::HttpQuery, value));
            http.headers.iter().for_each(|(_, value)| push(Field::HttpHeader, value));
            match &http.body {
                Some(HttpBody::Json(json)) => data(json, Field::HttpBody, &mut push),
                Some(HttpBody::Text(text)) => push(Field::HttpBody, text),
                None => {}
            }
        }
        StepKind::Sql(sql) => {
            target(&sql.target, &mut push);
            push(Field::SqlQuery, &sql.query);
            sql.params.iter().for_each(|param| data(param, Field::SqlParam, &mut push));
        }
        StepKind::Redis(redis) => {
            target(&redis.target, &mut push);
            redis.command.iter().for_each(|arg| push(Field::RedisCommand, arg));
        }
        StepKind::Manual(manual) => {
            push(Field::Text, &manual.instructions);
            manual.checklist.iter().for_each(|item| push(Field::Text, item));
        }
        StepKind::Note(text) => push(Field::Text, text),
        StepKind::Runbook(call) => {
            call.inputs.iter().for_each(|(_, value)| data(value, Field::RunbookInput, &mut push))
        }
        StepKind::Assert(_) | StepKind::Wait(_) => {}
    }
}

fn target<'a>(target: &'a Target, push: &mut impl FnMut(Field, &'a Tpl)) {
    if let Target::Url(url) = target {
        push(Field::Url, url);
    }
}

fn data<'a>(data_value: &'a Data, field: Field, push: &mut impl FnMut(Field, &'a Tpl)) {
    match data_value {
        Data::Text(tpl) => push(field, tpl),
        Data::Array(items) => items.iter().for_each(|item| data(item, field, push)),
        Data::Object(entries) => entries.iter().for_each(|(_, value)| data(value, field, push)),
        Data::Scalar(_) => {}
    }
}
