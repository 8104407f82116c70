//! The command-line arguments. Nothing below the binary sees these types.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// rbx runs incident runbooks written as YAML data, and checks them.
#[derive(Debug, Parser)]
#[command(name = "rbx", version, about, propagate_version = true, arg_required_else_help = true)]
#[command(
    after_help = "Examples:\n  rbx run examples/quickstart.yaml\n  rbx lint runbooks/\n  rbx list runbooks/ --trigger MaintainXHighErrorRate\n\nExit codes: 0 success, 1 a step failed or lint found errors, 2 invalid runbook or command line, 3 declined or pending, 130 interrupted."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a runbook.
    #[command(
        after_help = "Examples:\n  rbx run examples/quickstart.yaml\n  rbx run rb-002.yaml --var api_base=http://127.0.0.1:8080/v1 --var sample=200\n  rbx run rb-002.yaml --vars-file incident.json --format json"
    )]
    Run(RunArgs),
    /// Check runbooks: every problem with its file:line:column and a stable code.
    #[command(
        after_help = "PATH is a runbook file or a directory (every *.yaml / *.yml with a top-level `rbx` key below it; other YAML is passed over).\n\nRule levels come from `.rbx.toml` in the current directory or the nearest one above it (or --config FILE). Silence a rule on one line with `# rbx-lint: ignore CODE` on that line or the line above. The rules: docs/rules.md.\n\nExamples:\n  rbx lint runbooks/\n  rbx lint rb-002.yaml --format github\n  rbx lint runbooks/ --format sarif > rbx.sarif\n  rbx lint runbooks/ --deny warnings --shellcheck\n  rbx lint --explain W211\n\nExit codes: 0 clean (warnings and notes allowed), 1 errors found (or denied warnings), 2 a path or the configuration cannot be read."
    )]
    Lint(LintArgs),
    /// List runbooks: id, title, severity, triggers, file.
    #[command(after_help = "Examples:\n  rbx list runbooks/\n  rbx list runbooks/ --trigger MaintainXHighErrorRate")]
    List(ListArgs),
    /// Draw a runbook as a flowchart: phases, steps, conditions, `finally`.
    #[command(
        after_help = "Examples:\n  rbx graph rb-002.yaml > rb-002.mmd\n  rbx graph rb-002.yaml --format dot | dot -Tsvg -o rb-002.svg\n  rbx graph rb-002.yaml --format dot -o rb-002.dot\n\nExit codes: 0 drawn, 2 invalid runbook or the output cannot be written."
    )]
    Graph(GraphArgs),
    /// Print the JSON Schema of the runbook format (draft 2020-12).
    #[command(
        after_help = "Example:\n  rbx schema > runbook.schema.json\n\nName it in a runbook for editor completion:\n  # yaml-language-server: $schema=../schema/runbook.schema.json"
    )]
    Schema,
    /// List recent runs from the journal: id, runbook, incident, started, status, duration.
    #[command(after_help = "Examples:\n  rbx runs\n  rbx runs --incident INC-4211 --format json")]
    Runs(RunsArgs),
    /// The post-incident report of a run, or of every run of an incident.
    #[command(
        after_help = "Examples:\n  rbx report 20261206T101500Z-3f9a1c\n  rbx report --incident INC-4211 --format html -o report.html\n  rbx report --incident INC-4211 --template postmortem.hbs"
    )]
    Report(ReportArgs),
    /// Continue a stopped run (failed, declined, pending, interrupted or killed): steps that
    /// passed are restored from its journal, the others run, then `finally`.
    Resume(ResumeArgs),
    /// Internal: the watchdog a run starts to stop its steps if rbx dies.
    #[command(name = "__watchdog", hide = true)]
    Watchdog,
    /// Print shell completions.
    #[command(
        after_help = "Examples:\n  rbx completions bash > /etc/bash_completion.d/rbx\n  rbx completions zsh > ~/.zfunc/_rbx\n  rbx completions fish > ~/.config/fish/completions/rbx.fish"
    )]
    Completions(CompletionsArgs),
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The runbook file.
    pub file: PathBuf,
    /// Set an input: NAME=VALUE (repeatable; wins over --vars-file).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// A YAML or JSON mapping of input names to values.
    #[arg(long, value_name = "FILE")]
    pub vars_file: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = RunFormat::Human)]
    pub format: RunFormat,
    /// Stream step output live.
    #[arg(short, long)]
    pub verbose: bool,
    /// Confirm every `confirm:` question and acknowledge every `manual` step without asking
    /// (recorded as automatic).
    #[arg(short, long)]
    pub yes: bool,
    /// Answer a `manual` step's `ask`: NAME=VALUE (repeatable).
    #[arg(long = "answer", value_name = "NAME=VALUE")]
    pub answers: Vec<String>,
    /// Run only this step (repeatable), plus `finally`.
    #[arg(long = "only", value_name = "ID", conflicts_with = "from")]
    pub only: Vec<String>,
    /// Start at this step, skipping the ones before it.
    #[arg(long, value_name = "ID")]
    pub from: Option<String>,
    /// Print what each step would do (commands, requests, queries) without running or asking
    /// anything.
    #[arg(long)]
    pub dry_run: bool,
    /// A label grouping the runs of one incident (`rbx runs`, `rbx report`).
    #[arg(long, value_name = "ID")]
    pub incident: Option<String>,
    /// Keep runs here instead of $XDG_STATE_HOME/rbx/runs.
    #[arg(long, value_name = "DIR", env = "RBX_JOURNAL_DIR")]
    pub journal: Option<PathBuf>,
    /// Do not journal this run.
    #[arg(long)]
    pub no_journal: bool,
    /// Also write the steps as a JUnit XML report to FILE.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ResumeArgs {
    /// The run to continue (see `rbx runs`).
    pub run_id: String,
    /// Confirm every `confirm:` question and acknowledge every `manual` step without asking.
    #[arg(short, long)]
    pub yes: bool,
    /// Answer a `manual` step's `ask`: NAME=VALUE (repeatable).
    #[arg(long = "answer", value_name = "NAME=VALUE")]
    pub answers: Vec<String>,
    /// Resume even though the runbook file changed since the run began.
    #[arg(long)]
    pub force: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = RunFormat::Human)]
    pub format: RunFormat,
    /// Stream step output live.
    #[arg(short, long)]
    pub verbose: bool,
    /// Where runs are journaled.
    #[arg(long, value_name = "DIR", env = "RBX_JOURNAL_DIR")]
    pub journal: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RunsArgs {
    /// Only the runs of this incident.
    #[arg(long, value_name = "ID")]
    pub incident: Option<String>,
    /// At most N runs, newest first.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub limit: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = RunFormat::Human)]
    pub format: RunFormat,
    /// Where runs are kept (default $XDG_STATE_HOME/rbx/runs).
    #[arg(long, value_name = "DIR", env = "RBX_JOURNAL_DIR")]
    pub journal: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The run to report on.
    #[arg(value_name = "RUN_ID", required_unless_present = "incident", conflicts_with = "incident")]
    pub run_id: Option<String>,
    /// Report on every run of this incident instead.
    #[arg(long, value_name = "ID")]
    pub incident: Option<String>,
    /// Output format (with --template: how values are escaped).
    #[arg(long, value_enum, default_value_t = ReportFormat::Markdown)]
    pub format: ReportFormat,
    /// A Handlebars template rendered over the report's data (see docs/journal.md).
    #[arg(long, value_name = "FILE")]
    pub template: Option<PathBuf>,
    /// Write the report to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Where runs are kept (default $XDG_STATE_HOME/rbx/runs).
    #[arg(long, value_name = "DIR", env = "RBX_JOURNAL_DIR")]
    pub journal: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Markdown, in the shape of a postmortem.
    Markdown,
    /// One JSON document: the report's data.
    Json,
    /// One self-contained HTML page.
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RunFormat {
    Human,
    Json,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Runbook files or directories.
    #[arg(required_unless_present = "explain", value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = LintFormat::Human)]
    pub format: LintFormat,
    /// Make these fail like errors: a rule code or name, or `warnings` for every warning (repeatable).
    #[arg(long, value_name = "CODE|warnings")]
    pub deny: Vec<String>,
    /// Read rule levels from this file instead of the discovered `.rbx.toml`.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Also check shell steps with `shellcheck` (W251), if it is installed.
    #[arg(long)]
    pub shellcheck: bool,
    /// Print what a code means (a lint rule or a load error), then exit.
    #[arg(long, value_name = "CODE", conflicts_with_all = ["paths", "format", "deny", "config", "shellcheck"])]
    pub explain: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LintFormat {
    /// rustc-style snippets.
    Human,
    /// GitHub Actions annotations.
    Github,
    /// One SARIF 2.1.0 log (code scanning).
    Sarif,
    /// One JSON document.
    Json,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Runbook files or directories.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Only runbooks answering this alert.
    #[arg(long, value_name = "ALERT")]
    pub trigger: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = RunFormat::Human)]
    pub format: RunFormat,
}

#[derive(Debug, Args)]
pub struct GraphArgs {
    /// The runbook file.
    pub file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
    pub format: GraphFormat,
    /// Write the graph to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// A Mermaid flowchart (GitHub and GitLab render it in Markdown).
    Mermaid,
    /// Graphviz DOT (`dot -Tsvg`).
    Dot,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}
