//! Running the built `rbx` binary the way a user does, for the CLI tests.
//!
//! `Rbx::run("fixture.yaml").var("v", "x").cwd(dir).output()` reads like the session it stands
//! for. Every run gets a clean environment for colour and logging, and its own state directory so
//! that no test writes a journal into the developer's home.

#![allow(dead_code)]

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

pub mod stubs;

/// Every `*.yaml` / `*.yml` below `dir`, sorted (none when it does not exist).
pub fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            out.extend(yaml_files(&path));
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
    out
}

/// The directory of the fixture runbooks these tests use.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/run")
}

/// The path of one fixture runbook (or vars file).
pub fn fixture(name: &str) -> PathBuf {
    let path = fixtures().join(name);
    assert!(path.exists(), "missing fixture {}", path.display());
    path
}

/// A fresh temporary directory.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("cannot create a temporary directory: {e}"))
}

/// Every file name in `dir`, sorted.
pub fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.map(|e| e.file_name().to_string_lossy().into_owned()).unwrap_or_default())
        .collect();
    names.sort();
    names
}

/// A file's bytes, or a panic naming it.
pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// One `rbx` invocation being put together.
pub struct Rbx {
    command: Command,
    // Held so the directory lives as long as the command.
    _state: tempfile::TempDir,
}

impl Rbx {
    /// `rbx run FIXTURE`.
    pub fn run(fixture_name: &str) -> Rbx {
        Rbx::new().arg("run").arg(fixture(fixture_name))
    }

    /// `rbx` with no arguments yet.
    pub fn new() -> Rbx {
        let state = tempdir();
        let mut command = Command::new(env!("CARGO_BIN_EXE_rbx"));
        command
            .env("NO_COLOR", "1")
            .env_remove("CLICOLOR_FORCE")
            .env_remove("RBX_LOG")
            .env_remove("RUST_LOG")
            .env("XDG_STATE_HOME", state.path())
            .env("RBX_JOURNAL_DIR", state.path().join("runs"))
            .stdin(Stdio::null());
        Rbx { command, _state: state }
    }

    /// One more argument.
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Rbx {
        self.command.arg(arg);
        self
    }

    /// Several more arguments.
    pub fn args<I, S>(mut self, args: I) -> Rbx
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.command.args(args);
        self
    }

    /// `--var NAME=VALUE`.
    pub fn var(self, name: &str, value: impl AsRef<OsStr>) -> Rbx {
        let mut pair = OsString::from(format!("{name}="));
        pair.push(value);
        self.arg("--var").arg(pair)
    }

    /// An environment variable for rbx (and the steps it runs).
    pub fn env(mut self, name: &str, value: impl AsRef<OsStr>) -> Rbx {
        self.command.env(name, value);
        self
    }

    /// An environment variable removed.
    pub fn env_remove(mut self, name: &str) -> Rbx {
        self.command.env_remove(name);
        self
    }

    /// The working directory rbx (and so every step without `cwd`) starts in.
    pub fn cwd(mut self, dir: &Path) -> Rbx {
        self.command.current_dir(dir);
        self
    }

    /// Runs to the end.
    pub fn output(mut self) -> Outcome {
        let output = self.command.output().unwrap_or_else(|e| panic!("cannot run rbx: {e}"));
        Outcome {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Starts it and returns at once, with stdout and stderr piped.
    pub fn spawn(mut self) -> (Child, tempfile::TempDir) {
        self.command.stdout(Stdio::piped()).stderr(Stdio::piped());
        let child = self.command.spawn().unwrap_or_else(|e| panic!("cannot start rbx: {e}"));
        (child, self._state)
    }
}

/// How one invocation ended.
#[derive(Debug)]
pub struct Outcome {
    /// The exit code (`None` when killed by a signal).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Outcome {
    /// Panics, showing both streams, unless rbx exited with `code`.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Outcome {
        assert_eq!(self.code, Some(code), "expected exit code {code}\n{}", self.dump());
        self
    }

    /// Both streams, for assertion messages.
    pub fn dump(&self) -> String {
        format!("--- stdout ---\n{}\n--- stderr ---\n{}", self.stdout, self.stderr)
    }

    /// Stdout and stderr together (where a leak would show).
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// Stdout parsed as the JSON run record.
    #[track_caller]
    pub fn record(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not one JSON document: {e}\n{}", self.dump()))
    }
}

/// The step `id` in a JSON run record.
#[track_caller]
pub fn step<'a>(record: &'a Value, id: &str) -> &'a Value {
    record["steps"]
        .as_array()
        .and_then(|steps| steps.iter().find(|s| s["id"].as_str() == Some(id)))
        .unwrap_or_else(|| panic!("no step `{id}` in the record:\n{record:#}"))
}

/// Step ids in the order the record lists them.
pub fn step_ids(record: &Value) -> Vec<String> {
    record["steps"]
        .as_array()
        .map(|steps| steps.iter().filter_map(|s| s["id"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

/// A number in a record as u64 (the workspace uses serde_json's arbitrary precision).
#[track_caller]
pub fn as_u64(value: &Value) -> u64 {
    value.as_u64().unwrap_or_else(|| panic!("not an unsigned integer: {value}"))
}

/// The same record with the values that change from run to run replaced by placeholders:
/// ids, timestamps, durations and the runbook's path.
pub fn stable_record(record: &Value) -> Value {
    match record {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, value)| {
                    let replaced = match key.as_str() {
                        "run_id" => Value::String("[RUN_ID]".into()),
                        "started_at" | "finished_at" | "at" => Value::String("[TIMESTAMP]".into()),
                        "duration_ms" | "waited_ms" => Value::String("[DURATION]".into()),
                        "file" => Value::String(
                            Path::new(value.as_str().unwrap_or_default())
                                .file_name()
                                .map(|n| format!("[FIXTURES]/{}", n.to_string_lossy()))
                                .unwrap_or_default(),
                        ),
                        _ => stable_record(value),
                    };
                    (key.clone(), replaced)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(stable_record).collect()),
        other => other.clone(),
    }
}

/// insta filters for a run's human output: durations, run ids, RFC 3339 times, temp paths.
pub fn human_filters() -> Vec<(&'static str, &'static str)> {
    vec![
        (r"\d{8}T\d{6}Z-[0-9a-f]{6}", "[RUN_ID]"),
        (r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})", "[TIMESTAMP]"),
        // A step's duration ends its line (before an optional "(N tries)"); so does the run's.
        (
            r"(?m)^([✓✗!⊘…-] +(?:passed|failed|tolerated|skipped|declined|pending)\b.*?)\d+(?:ms|\.\d+s|m\d{2}s)((?: \(\d+ tries\))?)$",
            "${1}[DURATION]${2}",
        ),
        (
            r"(?m)^(run (?:passed|failed|declined|pending|interrupted): .* in )\d+(?:ms|\.\d+s|m\d{2}s)$",
            "${1}[DURATION]",
        ),
        (r"/tmp/[^\s'`]+|/var/folders/[^\s'`]+", "[TEMP]"),
    ]
}

/// Runs `rbx run FIXTURE ARGS...` at a pseudo-terminal (util-linux `script`), typing
/// `answers`; the exit code and the screen. `None` when `script` is not installed (a laptop;
/// CI has it: it is part of util-linux).
pub fn at_a_terminal(dir: &Path, fixture_name: &str, args: &[&str], answers: &str) -> Option<(i32, String)> {
    at_a_terminal_with(dir, &fixture(fixture_name), args, &[], answers)
}

/// [`at_a_terminal`] for any runbook file, with environment variables for rbx (secrets).
pub fn at_a_terminal_with(
    dir: &Path,
    runbook: &Path,
    args: &[&str],
    env: &[(&str, &str)],
    answers: &str,
) -> Option<(i32, String)> {
    use std::io::Write;
    if Command::new("script").arg("--version").output().is_err() {
        assert!(std::env::var_os("CI").is_none(), "`script` (util-linux) is needed for the terminal tests");
        eprintln!("skipped: `script` (util-linux) is not installed");
        return None;
    }
    let rbx = env!("CARGO_BIN_EXE_rbx");
    let mut command = format!("'{rbx}' run '{}'", runbook.display());
    for arg in args {
        command.push_str(&format!(" '{arg}'"));
    }
    let state = tempdir();
    let mut script = Command::new("script");
    script
        .args(["-qec", &command, "/dev/null"])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("RBX_JOURNAL_DIR", state.path())
        .env_remove("RBX_LOG");
    for (name, value) in env {
        script.env(name, value);
    }
    let mut child =
        script.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("start script");
    child.stdin.take().expect("stdin").write_all(answers.as_bytes()).expect("type the answers");
    let output = child.wait_with_output().expect("script finishes");
    Some((output.status.code().unwrap_or(-1), String::from_utf8_lossy(&output.stdout).into_owned()))
}

/// The URL of a test service from its environment variable (`RBX_TEST_PG_URL`, ...). `None`
/// (the test skips, saying why) when unset on a laptop; under `CI` a missing service fails the
/// test, so a green CI always exercised the real thing.
pub fn service_url(variable: &str) -> Option<String> {
    match std::env::var(variable) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(std::env::var_os("CI").is_none(), "{variable} is not set: CI must run every service test");
            eprintln!("skipped: {variable} is not set (scripts/test sets it)");
            None
        }
    }
}

/// A name no other test run uses, for tables and keys.
pub fn unique_name(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("{prefix}_{}_{}", std::process::id(), nanos % 1_000_000_000)
}

/// A port on 127.0.0.1 that nothing listens on (bound, then released).
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").port()
}
