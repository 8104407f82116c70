//! The JSON Schema of the runbook format (draft 2020-12), for editors (yaml-language-server)
//! and for `rbx schema`. These types describe the *document*; the loader builds the model by
//! hand so that it can report every problem with its position. A test checks that every
//! runbook the loader accepts validates against this schema.

use std::collections::BTreeMap;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::Value;

/// The schema as pretty JSON, as written to `schema/runbook.schema.json`.
pub fn runbook_schema_json() -> String {
    let schema = schemars::schema_for!(RunbookDocument);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// Text: YAML scalars that the loader reads as text (numbers and booleans as written).
struct Text;
impl JsonSchema for Text {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Text".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": ["string", "number", "boolean"] })
    }
}

/// A name reachable from templates.
struct Name;
impl JsonSchema for Name {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Name".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string", "pattern": "^[a-z_][a-z0-9_]*$" })
    }
}

/// `250ms`, `10s`, `5m`, `1h`, `1m30s`.
struct DurationText;
impl JsonSchema for DurationText {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Duration".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": "^([0-9]+(ms|s|m|h))+$",
            "description": "One or more <integer><unit> parts, unit ms, s, m or h: 250ms, 10s, 5m, 1h, 1m30s",
        })
    }
}

/// A mapping whose keys are names.
struct NameMap<T>(std::marker::PhantomData<T>);
impl<T: JsonSchema> JsonSchema for NameMap<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("NameMap_{}", T::schema_name()).into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let value = generator.subschema_for::<T>();
        json_schema!({
            "type": "object",
            "propertyNames": { "pattern": "^[a-z_][a-z0-9_]*$" },
            "additionalProperties": value,
        })
    }
}

/// One item or a list of them.
struct OneOrMany<T>(std::marker::PhantomData<T>);
impl<T: JsonSchema> JsonSchema for OneOrMany<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("OneOrMany_{}", T::schema_name()).into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let item = generator.subschema_for::<T>();
        json_schema!({ "anyOf": [item.clone(), { "type": "array", "items": item }] })
    }
}

/// A whole rbx runbook.
#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(title = "rbx runbook", deny_unknown_fields)]
struct RunbookDocument {
    /// Format version: 1.
    #[schemars(with = "u8", range(min = 1, max = 1))]
    rbx: u8,
    /// Unique runbook id, `[a-z0-9][a-z0-9-]*`.
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9-]*$"))]
    id: String,
    /// One line for humans.
    title: Option<Text>,
    /// What the runbook is for.
    summary: Option<Text>,
    /// SEV1..SEV4 (SEV-1..SEV-4 means the same).
    severity: Option<Severity>,
    /// Alert names this runbook answers.
    triggers: Option<OneOrMany<Text>>,
    /// How the incident shows itself.
    symptoms: Option<OneOrMany<Text>>,
    /// Who to call.
    contacts: Option<Vec<Contact>>,
    /// `--var NAME=VALUE` inputs.
    inputs: Option<NameMap<ValueSpec>>,
    /// Secrets read from the environment.
    secrets: Option<NameMap<Secret>>,
    /// Named endpoints.
    connections: Option<NameMap<Connection>>,
    /// Defaults for every step.
    defaults: Option<Defaults>,
    /// The steps, in order.
    steps: Vec<Step>,
    /// Steps that always run after `steps`.
    finally: Option<Vec<Step>>,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
enum Severity {
    #[schemars(rename = "SEV1")]
    Sev1,
    #[schemars(rename = "SEV2")]
    Sev2,
    #[schemars(rename = "SEV3")]
    Sev3,
    #[schemars(rename = "SEV4")]
    Sev4,
    #[schemars(rename = "SEV-1")]
    SevDash1,
    #[schemars(rename = "SEV-2")]
    SevDash2,
    #[schemars(rename = "SEV-3")]
    SevDash3,
    #[schemars(rename = "SEV-4")]
    SevDash4,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct Contact {
    role: Text,
    name: Option<Text>,
    via: Option<Text>,
    escalation: Option<Text>,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(rename_all = "lowercase")]
enum ValueType {
    String,
    Integer,
    Number,
    Boolean,
    List,
    Object,
}

/// An input or `ask` declaration.
#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct ValueSpec {
    /// string (default) | integer | number | boolean | list | object
    #[schemars(rename = "type")]
    value_type: Option<ValueType>,
    /// Used when no value is given.
    default: Option<Value>,
    /// Refuse to start without a value (default: true when there is no default).
    required: Option<bool>,
    /// Allowed values.
    #[schemars(rename = "enum")]
    allowed: Option<Vec<Value>>,
    /// Allowed values (same as `enum`).
    choices: Option<Vec<Value>>,
    /// A regular expression string values must match.
    pattern: Option<String>,
    /// For humans.
    description: Option<Text>,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct Secret {
    /// The environment variable that holds it.
    #[schemars(regex(pattern = r"^[A-Za-z_][A-Za-z0-9_]*$"))]
    env: String,
    /// Refuse to start when unset (default true).
    required: Option<bool>,
    description: Option<Text>,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct Connection {
    http: Option<HttpConnection>,
    sql: Option<UrlConnection>,
    redis: Option<UrlConnection>,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct HttpConnection {
    base_url: Text,
    headers: Option<BTreeMap<String, Text>>,
    timeout: Option<DurationText>,
    insecure: Option<bool>,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct UrlConnection {
    /// postgres://, mysql://, sqlite://FILE, sqlite::memory:, redis://
    url: Text,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct Defaults {
    timeout: Option<DurationText>,
    retry: Option<Retry>,
    shell: Option<ShellProgram>,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(rename_all = "lowercase")]
enum ShellProgram {
    Sh,
    Bash,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct Retry {
    /// Tries in total.
    #[schemars(range(min = 1, max = 1000))]
    attempts: u32,
    delay: Option<DurationText>,
    backoff: Option<Backoff>,
    max_delay: Option<DurationText>,
    jitter: Option<bool>,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(rename_all = "lowercase")]
enum Backoff {
    Constant,
    Exponential,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(rename_all = "lowercase")]
enum Phase {
    Detect,
    Triage,
    Diagnose,
    Mitigate,
    Recover,
    Close,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(rename_all = "lowercase")]
enum OnFailure {
    Abort,
    Continue,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(rename_all = "lowercase")]
enum OnDecline {
    Stop,
    Skip,
}

/// A step: common fields and exactly one kind key.
#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, transform = exactly_one_kind)]
struct Step {
    id: Name,
    title: Option<Text>,
    phase: Option<Phase>,
    when: Option<OneOrMany<Check>>,
    expect: Option<OneOrMany<Check>>,
    capture: Option<NameMap<CaptureSpec>>,
    timeout: Option<DurationText>,
    retry: Option<Retry>,
    until: Option<OneOrMany<Check>>,
    interval: Option<DurationText>,
    on_failure: Option<OnFailure>,
    confirm: Option<Text>,
    on_decline: Option<OnDecline>,
    /// A list, or a template that renders to one.
    for_each: Option<ForEach>,
    #[schemars(range(min = 1, max = 1000))]
    parallel: Option<u32>,
    shell: Option<ShellKind>,
    http: Option<HttpKind>,
    sql: Option<SqlKind>,
    redis: Option<RedisKind>,
    assert: Option<OneOrMany<Check>>,
    manual: Option<ManualKind>,
    note: Option<Text>,
    wait: Option<DurationText>,
    runbook: Option<RunbookKind>,
}

fn exactly_one_kind(schema: &mut Schema) {
    let kinds = ["shell", "http", "sql", "redis", "assert", "manual", "note", "wait", "runbook"];
    let one_of: Vec<Value> = kinds.iter().map(|k| serde_json::json!({ "required": [k] })).collect();
    schema.insert("oneOf".to_owned(), Value::Array(one_of));
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(untagged)]
enum ForEach {
    List(Vec<Value>),
    Template(String),
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(untagged)]
enum CaptureSpec {
    Path(String),
    Detailed(CaptureDetailed),
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct CaptureDetailed {
    path: String,
    regex: Option<String>,
    secret: Option<bool>,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(untagged)]
enum ShellKind {
    Command(Text),
    Detailed(ShellDetailed),
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct ShellDetailed {
    run: Text,
    shell: Option<ShellProgram>,
    env: Option<BTreeMap<String, Text>>,
    cwd: Option<Text>,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
enum Method {
    #[schemars(rename = "GET")]
    Get,
    #[schemars(rename = "HEAD")]
    Head,
    #[schemars(rename = "POST")]
    Post,
    #[schemars(rename = "PUT")]
    Put,
    #[schemars(rename = "PATCH")]
    Patch,
    #[schemars(rename = "DELETE")]
    Delete,
    #[schemars(rename = "OPTIONS")]
    Options,
    #[schemars(rename = "get")]
    LowerGet,
    #[schemars(rename = "head")]
    LowerHead,
    #[schemars(rename = "post")]
    LowerPost,
    #[schemars(rename = "put")]
    LowerPut,
    #[schemars(rename = "patch")]
    LowerPatch,
    #[schemars(rename = "delete")]
    LowerDelete,
    #[schemars(rename = "options")]
    LowerOptions,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct HttpKind {
    connection: Option<Name>,
    url: Option<Text>,
    method: Option<Method>,
    path: Option<Text>,
    query: Option<BTreeMap<String, Text>>,
    headers: Option<BTreeMap<String, Text>>,
    json: Option<Value>,
    body: Option<Text>,
    insecure: Option<bool>,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct SqlKind {
    connection: Option<Name>,
    url: Option<Text>,
    query: Text,
    params: Option<Vec<Value>>,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct RedisKind {
    connection: Option<Name>,
    url: Option<Text>,
    #[schemars(length(min = 1))]
    command: Vec<Text>,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct ManualKind {
    instructions: Text,
    checklist: Option<Vec<Text>>,
    ask: Option<NameMap<ValueSpec>>,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct RunbookKind {
    /// Relative to the calling runbook's file.
    path: String,
    inputs: Option<BTreeMap<String, Value>>,
}

/// A check: `path` with operators, or `any` / `all` / `not`.
#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct Check {
    /// JSONPath (RFC 9535).
    path: Option<String>,
    message: Option<Text>,
    any: Option<Vec<Check>>,
    all: Option<Vec<Check>>,
    not: Option<Box<Check>>,
    equals: Option<Value>,
    not_equals: Option<Value>,
    lt: Option<Value>,
    le: Option<Value>,
    gt: Option<Value>,
    ge: Option<Value>,
    contains: Option<Value>,
    not_contains: Option<Value>,
    matches: Option<String>,
    one_of: Option<Vec<Value>>,
    exists: Option<bool>,
    empty: Option<bool>,
    length: Option<Value>,
    count: Option<Value>,
    #[schemars(rename = "type")]
    json_type: Option<JsonTypeName>,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(rename_all = "lowercase")]
enum JsonTypeName {
    String,
    Number,
    Integer,
    Boolean,
    Array,
    Object,
    Null,
}
