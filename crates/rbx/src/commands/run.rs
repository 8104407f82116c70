//! `rbx run FILE`: load, resolve inputs and secrets, run, report.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;

use rbx_diagnostics::{Diagnostic, SourceFile, Span, codes};
use rbx_exec::events::{EventSink, Fanout, RunStatus};
use rbx_exec::{Engine, GivenInputs, RunOptions, SelectionProblem, prepare};
use rbx_model::Loader;
use rbx_report::diagnostics::{DiagnosticFormat, FileDiagnostics, render};
use rbx_report::run_human::{HumanOptions, HumanReporter};
use rbx_report::run_json::JsonRecorder;
use serde_json::{Map, Value};

use super::run_journal::{self, RunIdentity};
use crate::cli::{RunArgs, RunFormat};
use crate::exit::Exit;
use crate::terminal;

/// Bytes of each output stream a result keeps (the spec's 1 MiB).
const OUTPUT_CAP: usize = 1024 * 1024;

/// What `rbx resume` carries over from the run it continues.
pub struct Resumed {
    /// The run being continued.
    pub run_id: String,
    /// Its inputs, as its journal recorded them.
    pub inputs: Vec<(String, Value)>,
    /// Results of the steps that need not run again, by id.
    pub restored: std::collections::HashMap<String, Value>,
}

pub fn run(args: RunArgs, log_masker: rbx_exec::masking::SharedMasker) -> Exit {
    run_resumed(args, log_masker, None)
}

/// `rbx run`, or the continuation of a stopped run (`rbx resume`).
pub fn run_resumed(args: RunArgs, log_masker: rbx_exec::masking::SharedMasker, resumed: Option<Resumed>) -> Exit {
    let started = std::time::Instant::now();
    let loaded = Loader::new().load_path(&args.file);
    tracing::debug!(file = %args.file.display(), elapsed = ?started.elapsed(), errors = loaded.has_errors(), "runbook loaded");
    let Some(runbook) = loaded.runbook.clone().filter(|_| !loaded.has_errors()) else {
        report_invalid(vec![FileDiagnostics { file: loaded.file, diagnostics: loaded.diagnostics }]);
        return Exit::Invalid;
    };
    let given = match given_inputs(&args) {
        Ok(mut given) => {
            if let Some(resumed) = &resumed {
                given.file.extend(resumed.inputs.iter().cloned());
            }
            given
        }
        Err(files) => {
            report_invalid(files);
            return Exit::Invalid;
        }
    };
    // A dry run shows requests without sending them, so an unset secret is no reason to stop:
    // it is shown masked like any other.
    let secret_env = |name: &str| std::env::var(name).ok().or_else(|| args.dry_run.then(|| format!("<${name}>")));
    let prepared = match prepare(&runbook, &given, &secret_env) {
        Ok(prepared) => prepared,
        Err(diagnostics) => {
            report_invalid(vec![FileDiagnostics { file: Arc::clone(&runbook.file), diagnostics }]);
            return Exit::Invalid;
        }
    };
    let selection = match rbx_exec::select(&runbook, &args.only, args.from.as_deref()) {
        Ok(selection) => selection,
        Err(problems) => {
            report_invalid(selection_diagnostics(&runbook, problems));
            return Exit::Invalid;
        }
    };
    if args.dry_run {
        return dry_run(&runbook, &prepared, &selection, args.format);
    }
    let clients = Arc::new(rbx_clients::Clients::new());
    let user = current_user();
    let (run_id, host) = (new_run_id(), hostname());
    let junit = match &args.junit {
        Some(path) => match std::fs::File::create(path) {
            Ok(file) => Some(rbx_report::junit::JunitReporter::new(std::io::BufWriter::new(file))),
            Err(error) => {
                terminal::usage_error(&format!("cannot write `{}`: {error}", path.display()), None);
                return Exit::Invalid;
            }
        },
        None => None,
    };
    let journal = run_journal::start(&args, &runbook, &RunIdentity { run_id: &run_id, user: &user, host: &host });
    let journal_dir = journal.as_ref().map(|j| j.dir().to_path_buf());
    let journal_health = journal.as_ref().map(rbx_journal::JournalWriter::health);
    let options = RunOptions {
        run_id,
        // The journal keeps every step's output whole, so it needs it as it comes.
        stream_output: args.verbose || journal.is_some(),
        env: std::env::vars().map(|(k, v)| (k, Value::String(v))).collect::<Map<_, _>>(),
        user: user.clone(),
        host,
        incident: args.incident.clone(),
        output_cap: OUTPUT_CAP,
        log_masker,
        watchdog: start_watchdog(&runbook),
        confirmer: Arc::new(crate::prompt::TerminalConfirmer { assume_yes: args.yes, user }),
        selection,
        clients: Arc::clone(&clients),
        restored: Arc::new(resumed.as_ref().map(|r| r.restored.clone()).unwrap_or_default()),
        resumed_from: resumed.as_ref().map(|r| r.run_id.clone()),
    };
    let reporter: Box<dyn EventSink> = match args.format {
        RunFormat::Json => Box::new(JsonRecorder::new(std::io::stdout())),
        RunFormat::Human => {
            let stdout_is_terminal = std::io::stdout().is_terminal();
            Box::new(HumanReporter::new(
                anstream::stdout(),
                HumanOptions {
                    color: terminal::stdout_style() == rbx_diagnostics::RenderStyle::Styled,
                    spinner: stdout_is_terminal,
                    verbose: args.verbose,
                },
            ))
        }
    };
    let mut sink = Fanout::new();
    sink.push(reporter);
    if let Some(journal) = journal {
        sink.push(Box::new(journal));
    }
    if let Some(junit) = junit {
        sink.push(Box::new(junit));
    }
    // One thread: the engine already runs on the `block_on` thread, and worker threads only
    // added a cross-thread hand-off to every request (hyper's connection task, sqlx's socket):
    // 1,000 GETs took a quarter to a half more CPU with two workers. Blocking work (prompts) goes to
    // `spawn_blocking`, which this runtime still has.
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            terminal::usage_error(&format!("cannot start the async runtime: {error}"), None);
            return Exit::Failure;
        }
    };
    let summary = runtime.block_on(async {
        let (cancel_tx, cancel_rx) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                let _ = cancel_tx.send(true);
                eprintln!(
                    "\ninterrupted: stopping the running step, then running `finally` (Ctrl-C again to quit now)"
                );
                if tokio::signal::ctrl_c().await.is_ok() {
                    std::process::exit(130);
                }
            }
        });
        let summary = Engine::new(runbook, prepared, options, &mut sink, cancel_rx).run().await;
        // SQL servers free the sessions now rather than when their idle timeout ends.
        clients.close().await;
        summary
    });
    run_journal::finish(journal_dir.as_deref(), journal_health.as_ref(), args.format == RunFormat::Human);
    match summary.status {
        RunStatus::Passed => Exit::Success,
        RunStatus::Failed => Exit::Failure,
        RunStatus::Declined | RunStatus::Pending => Exit::Declined,
        RunStatus::Interrupted => Exit::Interrupted,
    }
}

/// Starts `rbx __watchdog` when the runbook starts processes. Without it (it could not start)
/// the run goes on: steps are still stopped on timeout, Ctrl-C and exit, just not if rbx
/// itself is killed.
fn start_watchdog(runbook: &rbx_model::Runbook) -> Option<Arc<rbx_exec::watchdog::Watchdog>> {
    if !starts_processes(runbook) {
        return None;
    }
    let exe = std::env::current_exe().ok()?;
    let mut command = std::process::Command::new(exe);
    command.arg("__watchdog").stderr(std::process::Stdio::null());
    match rbx_exec::watchdog::Watchdog::start(command) {
        Ok(watchdog) => Some(Arc::new(watchdog)),
        Err(error) => {
            tracing::warn!(%error, "the watchdog did not start: steps will not be stopped if rbx is killed");
            None
        }
    }
}

/// `--dry-run`: the plan on stdout, as text or JSON; nothing runs, nothing is asked.
fn dry_run(
    runbook: &rbx_model::Runbook,
    prepared: &rbx_exec::Prepared,
    selection: &rbx_exec::Selection,
    format: RunFormat,
) -> Exit {
    let env = std::env::vars().map(|(k, v)| (k, Value::String(v))).collect::<Map<_, _>>();
    let steps = rbx_exec::plan::plan(runbook, prepared, env, selection);
    let mut out = std::io::stdout().lock();
    let written = match format {
        RunFormat::Human => {
            rbx_report::plan_human::write_plan(&mut out, (&runbook.id.value, runbook.display_title()), &steps)
        }
        RunFormat::Json => {
            let plan = serde_json::json!({ "dry_run": true, "runbook": runbook.id.value, "steps": steps });
            serde_json::to_writer_pretty(&mut out, &plan).map_err(std::io::Error::from).and_then(|()| {
                use std::io::Write;
                writeln!(out)
            })
        }
    };
    match written {
        Ok(()) => Exit::Success,
        // A closed pipe (`| head`) is not a failure of the plan.
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Exit::Success,
        Err(error) => {
            terminal::usage_error(&format!("cannot write the plan: {error}"), None);
            Exit::Failure
        }
    }
}

/// Unknown ids point at the command line; unmet reads at the runbook.
fn selection_diagnostics(runbook: &rbx_model::Runbook, problems: Vec<SelectionProblem>) -> Vec<FileDiagnostics> {
    let mut command_line = String::new();
    let mut on_command_line = Vec::new();
    let mut in_runbook = Vec::new();
    for problem in problems {
        match problem {
            SelectionProblem::UnknownStep { flag, id, suggestion } => {
                if !command_line.is_empty() {
                    command_line.push('\n');
                }
                let start = command_line.len() + flag.len() + 1;
                command_line.push_str(&format!("{flag} {id}"));
                let steps: Vec<&str> = runbook.steps.iter().map(|step| step.id.value.as_str()).collect();
                let help = match suggestion {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => format!("its steps are: {}", steps.join(", ")),
                };
                on_command_line.push(
                    Diagnostic::new(
                        codes::INVALID_SELECTION,
                        Span::new(start, start + id.len()),
                        format!("`{flag} {id}`: the runbook has no step `{id}`"),
                    )
                    .with_help(help),
                );
            }
            SelectionProblem::Unmet(diagnostic) => in_runbook.push(diagnostic),
        }
    }
    let mut files = Vec::new();
    if !on_command_line.is_empty() {
        files.push(FileDiagnostics {
            file: SourceFile::new("<command line>", command_line),
            diagnostics: on_command_line,
        });
    }
    if !in_runbook.is_empty() {
        files.push(FileDiagnostics { file: Arc::clone(&runbook.file), diagnostics: in_runbook });
    }
    files
}

/// Whether the runbook, or one it calls, has a shell step.
fn starts_processes(runbook: &rbx_model::Runbook) -> bool {
    runbook.all_steps().any(|step| match &step.kind {
        rbx_model::StepKind::Shell(_) => true,
        rbx_model::StepKind::Runbook(call) => starts_processes(&call.callee),
        _ => false,
    })
}

fn report_invalid(files: Vec<FileDiagnostics>) {
    eprint!("{}", render(&files, DiagnosticFormat::Human(terminal::stderr_style())));
    eprintln!("error: nothing was run");
}

/// `--var NAME=VALUE` and `--answer NAME=VALUE` pairs and the `--vars-file` mapping.
fn given_inputs(args: &RunArgs) -> Result<GivenInputs, Vec<FileDiagnostics>> {
    let mut given = GivenInputs::default();
    let flags: Vec<(&str, &String)> =
        args.vars.iter().map(|v| ("--var", v)).chain(args.answers.iter().map(|a| ("--answer", a))).collect();
    let command_line = SourceFile::new(
        "<command line>",
        flags.iter().map(|(flag, value)| format!("{flag} {value}")).collect::<Vec<_>>().join("\n"),
    );
    let mut problems = Vec::new();
    let mut offset = 0;
    for (flag, pair) in flags {
        let start = offset + flag.len() + 1;
        match pair.split_once('=') {
            Some((name, value)) if !name.trim().is_empty() => {
                let entry = (name.trim().to_owned(), value.to_owned());
                if flag == "--var" { given.vars.push(entry) } else { given.answers.push(entry) }
            }
            _ => problems.push(
                Diagnostic::new(
                    codes::INVALID_INPUT_VALUE,
                    Span::new(start, start + pair.len()),
                    format!("`{flag} {pair}` is not NAME=VALUE"),
                )
                .with_help(format!("write `{flag} name=value`")),
            ),
        }
        offset += flag.len() + 1 + pair.len() + 1;
    }
    let mut files = Vec::new();
    if !problems.is_empty() {
        files.push(FileDiagnostics { file: command_line, diagnostics: problems });
    }
    if let Some(path) = &args.vars_file {
        match vars_file(path) {
            Ok(values) => given.file = values,
            Err(diagnostics) => files.push(diagnostics),
        }
    }
    if files.is_empty() { Ok(given) } else { Err(files) }
}

fn vars_file(path: &Path) -> Result<Vec<(String, Value)>, FileDiagnostics> {
    let file = match rbx_syntax::read_source(path) {
        Ok(file) => file,
        Err(error) => {
            return Err(FileDiagnostics {
                file: SourceFile::new(path, ""),
                diagnostics: vec![
                    Diagnostic::new(error.code, Span::point(0), error.message)
                        .with_help("--vars-file takes a YAML or JSON file mapping input names to values"),
                ],
            });
        }
    };
    let parsed = rbx_syntax::parse(&file);
    let fail = |diagnostics| Err(FileDiagnostics { file: Arc::clone(&file), diagnostics });
    if !parsed.diagnostics.is_empty() {
        return fail(parsed.diagnostics);
    }
    match parsed.root.as_ref().and_then(|root| root.as_map()) {
        Some(entries) => Ok(entries.iter().map(|e| (e.key.clone(), e.value.to_json())).collect()),
        None => fail(vec![
            Diagnostic::new(
                codes::WRONG_TYPE,
                parsed.root.as_ref().map_or(Span::point(0), |r| r.span),
                "a vars file is a mapping of input names to values",
            )
            .with_help("write `name: value` lines (YAML) or a JSON object"),
        ]),
    }
}

/// Who runs rbx, for the record: `$USER`, else the account name of the process's user.
fn current_user() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .ok()
        .filter(|name| !name.is_empty())
        .or_else(|| {
            let uid = nix::unistd::getuid();
            nix::unistd::User::from_uid(uid).ok().flatten().map(|user| user.name).or(Some(format!("uid {uid}")))
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

/// `20261123T183000Z-3f9a1c`: sortable by time, unique enough across machines.
fn new_run_id() -> String {
    let now = jiff::Timestamp::now();
    let stamp = now.strftime("%Y%m%dT%H%M%SZ").to_string();
    format!("{stamp}-{:06x}", rand_suffix())
}

fn rand_suffix() -> u32 {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    (nanos ^ std::process::id().rotate_left(12)) & 0xff_ffff
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .or_else(|_| std::env::var("HOSTNAME"))
        .unwrap_or_else(|_| "unknown".into())
}
