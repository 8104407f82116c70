//! The validated runbook: what the engine runs and the linter inspects. Every value here has
//! passed load-time validation, so later stages never re-check it.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use rbx_checks::{Check, CompiledPath, CompiledRegex};
use rbx_diagnostics::{SourceFile, Span};
use rbx_template::Template;
use serde_json::Value;

/// A value with the place it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where it is written.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Pairs a value with its span.
    pub fn new(value: T, span: Span) -> Spanned<T> {
        Spanned { value, span }
    }
}

/// A parsed template with the span of the YAML scalar it came from.
#[derive(Debug, Clone)]
pub struct Tpl {
    /// The parsed template.
    pub template: Template,
    /// The scalar's span.
    pub span: Span,
}

impl Tpl {
    /// The template text as written (after YAML unescaping).
    pub fn source(&self) -> &str {
        self.template.source()
    }
}

/// Structured data whose string leaves are templates (`json:` bodies, `params`, `for_each`
/// lists, nested runbook inputs).
#[derive(Debug, Clone)]
pub enum Data {
    /// A non-string JSON scalar (null, bool, number).
    Scalar(Value),
    /// A string leaf, rendered with its JSON type kept when it is a single expression.
    Text(Tpl),
    /// A list.
    Array(Vec<Data>),
    /// A mapping, in written order.
    Object(Vec<(String, Data)>),
}

/// Incident severity; `SEV1` and `SEV-1` mean the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum IncidentSeverity {
    /// Critical.
    #[serde(rename = "SEV1")]
    Sev1,
    /// High.
    #[serde(rename = "SEV2")]
    Sev2,
    /// Medium.
    #[serde(rename = "SEV3")]
    Sev3,
    /// Low.
    #[serde(rename = "SEV4")]
    Sev4,
}

impl IncidentSeverity {
    /// `SEV1` … `SEV4`.
    pub fn as_str(self) -> &'static str {
        match self {
            IncidentSeverity::Sev1 => "SEV1",
            IncidentSeverity::Sev2 => "SEV2",
            IncidentSeverity::Sev3 => "SEV3",
            IncidentSeverity::Sev4 => "SEV4",
        }
    }
}

/// A step of the response flow, used to group output, graphs and reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Is something wrong?
    Detect,
    /// How bad, who is affected?
    Triage,
    /// Why?
    Diagnose,
    /// Stop the bleeding.
    Mitigate,
    /// Back to normal.
    Recover,
    /// Communicate and close.
    Close,
}

impl Phase {
    /// Every phase in response-flow order.
    pub const ALL: [Phase; 6] =
        [Phase::Detect, Phase::Triage, Phase::Diagnose, Phase::Mitigate, Phase::Recover, Phase::Close];

    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Detect => "detect",
            Phase::Triage => "triage",
            Phase::Diagnose => "diagnose",
            Phase::Mitigate => "mitigate",
            Phase::Recover => "recover",
            Phase::Close => "close",
        }
    }
}

/// A whole, validated runbook.
#[derive(Debug)]
pub struct Runbook {
    /// The file it was loaded from.
    pub file: Arc<SourceFile>,
    /// `id`.
    pub id: Spanned<String>,
    /// `title`.
    pub title: Option<String>,
    /// `summary`.
    pub summary: Option<String>,
    /// `severity`.
    pub severity: Option<Spanned<IncidentSeverity>>,
    /// Alert names this runbook answers.
    pub triggers: Vec<Spanned<String>>,
    /// How the incident shows itself.
    pub symptoms: Vec<String>,
    /// Who to call.
    pub contacts: Vec<Contact>,
    /// Declared inputs, in written order.
    pub inputs: Vec<Input>,
    /// Declared secrets.
    pub secrets: Vec<SecretDecl>,
    /// Named endpoints.
    pub connections: Vec<Connection>,
    /// Defaults for every step.
    pub defaults: Defaults,
    /// The steps, in order.
    pub steps: Vec<Step>,
    /// Steps that always run after `steps`.
    pub finally: Vec<Step>,
    /// Where the top-level keys are written, for lint rules that point at a missing one.
    pub keys: Vec<Spanned<String>>,
    /// What each step reads of other steps (results and captures), for `--only`/`--from`.
    pub reads: Vec<StepRead>,
}

/// A step reading another step's result (`steps.ID`) or a variable (`vars.NAME`).
#[derive(Debug, Clone)]
pub struct StepRead {
    /// The reading step's position (`steps`, then `finally`).
    pub reader: usize,
    /// The reference as written (`steps.restart`, `vars.version`).
    pub reference: String,
    /// Ids of the earlier steps that provide it; any one of them running is enough.
    pub providers: Vec<String>,
    /// Where it is written.
    pub span: Span,
}

impl Runbook {
    /// The title, or the id when there is none.
    pub fn display_title(&self) -> &str {
        self.title.as_deref().unwrap_or(&self.id.value)
    }

    /// `steps` then `finally`.
    pub fn all_steps(&self) -> impl Iterator<Item = &Step> {
        self.steps.iter().chain(self.finally.iter())
    }

    /// A declared input by name.
    pub fn input(&self, name: &str) -> Option<&Input> {
        self.inputs.iter().find(|input| input.name.value == name)
    }

    /// A connection by name.
    pub fn connection(&self, name: &str) -> Option<&Connection> {
        self.connections.iter().find(|c| c.name.value == name)
    }
}

/// An escalation contact.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Contact {
    /// The role (On-call Engineer).
    pub role: String,
    /// A person's name.
    pub name: Option<String>,
    /// How to reach them (PagerDuty, Slack #channel).
    pub via: Option<String>,
    /// When or how they are brought in.
    pub escalation: Option<String>,
}

/// The JSON type a value must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ValueType {
    /// Text.
    String,
    /// A whole number.
    Integer,
    /// Any number.
    Number,
    /// true / false.
    Boolean,
    /// A JSON array.
    List,
    /// A JSON object.
    Object,
}

impl ValueType {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            ValueType::String => "string",
            ValueType::Integer => "integer",
            ValueType::Number => "number",
            ValueType::Boolean => "boolean",
            ValueType::List => "list",
            ValueType::Object => "object",
        }
    }
}

/// The declaration of a value a person or the command line supplies (inputs, `manual.ask`).
#[derive(Debug, Clone)]
pub struct ValueSpec {
    /// Its type.
    pub value_type: ValueType,
    /// The default, already of `value_type`.
    pub default: Option<Value>,
    /// Whether a value must be given (true when there is no default and not said otherwise).
    pub required: bool,
    /// Allowed values (`enum` or `choices`).
    pub choices: Vec<Value>,
    /// A regular expression string values must match.
    pub pattern: Option<CompiledRegex>,
    /// For humans.
    pub description: Option<String>,
}

impl ValueSpec {
    /// A required string with no constraints.
    pub fn untyped() -> ValueSpec {
        ValueSpec {
            value_type: ValueType::String,
            default: None,
            required: true,
            choices: Vec::new(),
            pattern: None,
            description: None,
        }
    }
}

/// A declared input.
#[derive(Debug, Clone)]
pub struct Input {
    /// Its name.
    pub name: Spanned<String>,
    /// Type, default and constraints.
    pub spec: ValueSpec,
}

/// A secret read from the environment.
#[derive(Debug, Clone)]
pub struct SecretDecl {
    /// Its name in templates (`secrets.NAME`).
    pub name: Spanned<String>,
    /// The environment variable holding it.
    pub env: String,
    /// Whether the run refuses to start without it.
    pub required: bool,
}

/// A named endpoint.
#[derive(Debug, Clone)]
pub struct Connection {
    /// Its name.
    pub name: Spanned<String>,
    /// What it connects to.
    pub kind: ConnectionKind,
}

/// The three kinds of connection.
#[derive(Debug, Clone)]
pub enum ConnectionKind {
    /// An HTTP API.
    Http(HttpConnection),
    /// A SQL database (`postgres://`, `mysql://`, `sqlite://FILE`, `sqlite::memory:`).
    Sql { url: Tpl },
    /// A Redis server.
    Redis { url: Tpl },
}

impl ConnectionKind {
    /// `http`, `sql` or `redis`.
    pub fn name(&self) -> &'static str {
        match self {
            ConnectionKind::Http(_) => "http",
            ConnectionKind::Sql { .. } => "sql",
            ConnectionKind::Redis { .. } => "redis",
        }
    }
}

/// An HTTP connection.
#[derive(Debug, Clone)]
pub struct HttpConnection {
    /// Base URL that step paths are appended to.
    pub base_url: Tpl,
    /// Headers sent with every request.
    pub headers: Vec<(String, Tpl)>,
    /// Per-request timeout.
    pub timeout: Option<Duration>,
    /// Skip TLS verification.
    pub insecure: bool,
}

/// Defaults for every step.
#[derive(Debug, Clone, Default)]
pub struct Defaults {
    /// Each try's timeout.
    pub timeout: Option<Duration>,
    /// Retry policy.
    pub retry: Option<Retry>,
    /// Shell program for shell steps.
    pub shell: Option<ShellProgram>,
}

/// One step.
#[derive(Debug, Clone)]
pub struct Step {
    /// Unique id.
    pub id: Spanned<String>,
    /// One line for humans.
    pub title: Option<String>,
    /// Response-flow phase.
    pub phase: Option<Phase>,
    /// Run only when all hold (over the run context).
    pub when: Vec<Check>,
    /// Checks over the step's result; `None` means the kind's default expectation.
    pub expect: Option<Vec<Check>>,
    /// Values taken from the result into `vars`.
    pub capture: Vec<Capture>,
    /// Each try's timeout (or the whole polling with `until`).
    pub timeout: Option<Duration>,
    /// Re-run policy for failures.
    pub retry: Option<Retry>,
    /// Poll until these hold.
    pub until: Option<Vec<Check>>,
    /// Poll interval for `until`.
    pub interval: Option<Duration>,
    /// What a failure does to the run.
    pub on_failure: OnFailure,
    /// A question asked before the step runs.
    pub confirm: Option<Tpl>,
    /// What a declined confirmation does.
    pub on_decline: OnDecline,
    /// Run once per item.
    pub for_each: Option<ForEach>,
    /// How many items run at once.
    pub parallel: Option<u32>,
    /// What the step does.
    pub kind: StepKind,
    /// The whole step mapping.
    pub span: Span,
    /// The kind key (`shell:`), for pointing at the action.
    pub kind_span: Span,
    /// Whether it is in `finally`.
    pub in_finally: bool,
}

/// A `capture` entry.
#[derive(Debug, Clone)]
pub struct Capture {
    /// `vars.NAME`.
    pub name: Spanned<String>,
    /// What to select from the result.
    pub path: CompiledPath,
    /// Group 1 (or the whole match) of this regex in the selected string.
    pub regex: Option<CompiledRegex>,
    /// Mask the value everywhere.
    pub secret: bool,
}

/// Retry policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Retry {
    /// Tries in total.
    pub attempts: u32,
    /// Wait before the second try.
    pub delay: Duration,
    /// How waits grow.
    pub backoff: Backoff,
    /// Cap on a wait.
    pub max_delay: Option<Duration>,
    /// Spread each wait over [½, 1]×.
    pub jitter: bool,
}

/// How retry waits grow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backoff {
    /// The same delay every time.
    Constant,
    /// delay, 2×, 4×, …
    Exponential,
}

/// What a failed step does to the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OnFailure {
    /// Stop the run, then run `finally`.
    #[default]
    Abort,
    /// Record as tolerated and go on.
    Continue,
}

/// What a declined confirmation does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OnDecline {
    /// Stop the run (exit 3).
    #[default]
    Stop,
    /// Record as declined and go on.
    Skip,
}

/// The items of a `for_each`.
#[derive(Debug, Clone)]
pub enum ForEach {
    /// A list written in the runbook.
    List(Vec<Data>),
    /// A template rendering to a list.
    Template(Tpl),
}

/// The shell program of a shell step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ShellProgram {
    /// `sh -c`.
    #[default]
    Sh,
    /// `bash -c`.
    Bash,
}

impl ShellProgram {
    /// The program name.
    pub fn as_str(self) -> &'static str {
        match self {
            ShellProgram::Sh => "sh",
            ShellProgram::Bash => "bash",
        }
    }
}

/// What a step does: exactly one kind.
#[derive(Debug, Clone)]
pub enum StepKind {
    /// Run a shell command.
    Shell(ShellStep),
    /// Make an HTTP request.
    Http(HttpStep),
    /// Run a SQL query.
    Sql(SqlStep),
    /// Send a Redis command.
    Redis(RedisStep),
    /// Check the run context.
    Assert(Vec<Check>),
    /// A human step.
    Manual(ManualStep),
    /// Show a message.
    Note(Tpl),
    /// Sleep.
    Wait(Duration),
    /// Run another runbook.
    Runbook(RunbookCall),
}

impl StepKind {
    /// Every kind key.
    pub const NAMES: [&'static str; 9] =
        ["shell", "http", "sql", "redis", "assert", "manual", "note", "wait", "runbook"];

    /// The kind key.
    pub fn name(&self) -> &'static str {
        match self {
            StepKind::Shell(_) => "shell",
            StepKind::Http(_) => "http",
            StepKind::Sql(_) => "sql",
            StepKind::Redis(_) => "redis",
            StepKind::Assert(_) => "assert",
            StepKind::Manual(_) => "manual",
            StepKind::Note(_) => "note",
            StepKind::Wait(_) => "wait",
            StepKind::Runbook(_) => "runbook",
        }
    }

    /// The fields of this kind's result, for reference checking (`outcome` is on every step).
    pub fn result_fields(&self) -> &'static [&'static str] {
        match self {
            StepKind::Shell(_) => &["exit_code", "stdout", "stderr", "json", "duration_ms", "signal", "truncated"],
            StepKind::Http(_) => &["status", "headers", "body", "json", "duration_ms", "url"],
            StepKind::Sql(_) => &["rows", "row_count", "columns", "affected", "duration_ms"],
            StepKind::Redis(_) => &["value", "duration_ms"],
            StepKind::Assert(_) => &["checks", "duration_ms"],
            StepKind::Manual(_) => &["acknowledged_by", "answers", "duration_ms"],
            StepKind::Note(_) => &["message", "duration_ms"],
            StepKind::Wait(_) => &["waited_ms", "duration_ms"],
            StepKind::Runbook(_) => &["steps", "status", "run_id", "duration_ms"],
        }
    }

    /// Whether the kind changes something outside rbx (journal fsyncs before it).
    pub fn has_side_effects(&self) -> bool {
        match self {
            StepKind::Shell(_) | StepKind::Sql(_) | StepKind::Redis(_) | StepKind::Runbook(_) => true,
            StepKind::Http(http) => !matches!(http.method, Method::Get | Method::Head | Method::Options),
            StepKind::Assert(_) | StepKind::Manual(_) | StepKind::Note(_) | StepKind::Wait(_) => false,
        }
    }
}

/// A shell step.
#[derive(Debug, Clone)]
pub struct ShellStep {
    /// The command text.
    pub run: Tpl,
    /// `sh` or `bash`; `None` uses `defaults.shell`, else `sh`.
    pub shell: Option<ShellProgram>,
    /// Extra environment.
    pub env: Vec<(String, Tpl)>,
    /// Working directory.
    pub cwd: Option<Tpl>,
}

/// Where a data step connects.
#[derive(Debug, Clone)]
pub enum Target {
    /// A named connection.
    Connection(Spanned<String>),
    /// A URL written in the step.
    Url(Tpl),
}

/// HTTP methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    /// GET.
    Get,
    /// HEAD.
    Head,
    /// POST.
    Post,
    /// PUT.
    Put,
    /// PATCH.
    Patch,
    /// DELETE.
    Delete,
    /// OPTIONS.
    Options,
}

impl Method {
    /// The method as sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
        }
    }
}

/// An HTTP step.
#[derive(Debug, Clone)]
pub struct HttpStep {
    /// Connection or URL.
    pub target: Target,
    /// Method.
    pub method: Method,
    /// Appended to the base URL; values are percent-encoded.
    pub path: Option<Tpl>,
    /// Query parameters; values are percent-encoded.
    pub query: Vec<(String, Tpl)>,
    /// Extra headers.
    pub headers: Vec<(String, Tpl)>,
    /// Request body.
    pub body: Option<HttpBody>,
    /// Skip TLS verification.
    pub insecure: bool,
}

/// An HTTP request body.
#[derive(Debug, Clone)]
pub enum HttpBody {
    /// `json:`, templated leaf by leaf.
    Json(Data),
    /// `body:` text.
    Text(Tpl),
}

/// A SQL step.
#[derive(Debug, Clone)]
pub struct SqlStep {
    /// Connection or URL.
    pub target: Target,
    /// The query text (raw `{{{x}}}` only).
    pub query: Tpl,
    /// Bound parameters.
    pub params: Vec<Data>,
}

/// A Redis step.
#[derive(Debug, Clone)]
pub struct RedisStep {
    /// Connection or URL.
    pub target: Target,
    /// The argument vector.
    pub command: Vec<Tpl>,
}

/// A human step.
#[derive(Debug, Clone)]
pub struct ManualStep {
    /// What to do.
    pub instructions: Tpl,
    /// Items to tick.
    pub checklist: Vec<Tpl>,
    /// Values to ask for (set `vars.NAME`).
    pub ask: Vec<Ask>,
}

/// A value a manual step asks for.
#[derive(Debug, Clone)]
pub struct Ask {
    /// `vars.NAME`.
    pub name: Spanned<String>,
    /// Type and constraints.
    pub spec: ValueSpec,
}

/// A `runbook` step.
#[derive(Debug, Clone)]
pub struct RunbookCall {
    /// The path as written.
    pub path: Spanned<String>,
    /// The path resolved against the calling runbook's directory.
    pub resolved: PathBuf,
    /// Inputs passed to the callee.
    pub inputs: Vec<(Spanned<String>, Data)>,
    /// The loaded callee.
    pub callee: Arc<Runbook>,
}
