//! Running a shell step: the shell gets its own process group, both pipes are read at once (kept
//! in memory up to a cap, every chunk handed on), and when the step ends, times out or is
//! cancelled, nothing it started is left alive.

use std::fmt;
use std::io;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use nix::errno::Errno;
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::{Child, ChildStderr, ChildStdout, Command};
use tokio::sync::watch;
use tokio::time::{Instant, sleep_until};

/// Time between SIGTERM and SIGKILL when a step times out or is cancelled (the spec's `timeout`).
pub const KILL_GRACE: Duration = Duration::from_secs(2);

/// How long reading goes on once the group is dead. Only a process that left the group
/// (`setsid`, a daemon) can still hold a pipe then; its output is dropped rather than hang the run.
const DRAIN_GRACE: Duration = Duration::from_millis(500);

/// How often a group sent SIGTERM is checked for survivors, so that a group which obeys at once
/// does not wait out the whole grace.
const SURVIVOR_POLL: Duration = Duration::from_millis(50);

const READ_BUFFER: usize = 64 * 1024;

/// A shell step ready to run as `program -c script`.
#[derive(Clone)]
pub struct ShellCommand {
    /// The shell: `sh` or `bash`, looked up in `PATH`.
    pub program: String,
    /// The script, passed as the argument of `-c`.
    pub script: String,
    /// Added to the environment rbx inherited.
    pub env: Vec<(String, String)>,
    /// Where the shell starts; rbx's own working directory when `None`.
    pub cwd: Option<PathBuf>,
    /// The whole group is stopped after this long.
    pub timeout: Option<Duration>,
    /// Bytes of each stream kept in [`ShellOutput`]; every byte still goes to `on_chunk`.
    pub output_cap: usize,
    /// Kills the step's group if rbx dies while it runs (see [`crate::watchdog`]).
    pub watchdog: Option<std::sync::Arc<crate::watchdog::Watchdog>>,
}

/// Env values and the script usually hold rendered secrets: Debug shows their shape only.
impl fmt::Debug for ShellCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let env_names: Vec<&str> = self.env.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("ShellCommand")
            .field("program", &self.program)
            .field("script", &format_args!("<{} bytes>", self.script.len()))
            .field("env", &env_names)
            .field("cwd", &self.cwd)
            .field("timeout", &self.timeout)
            .field("output_cap", &self.output_cap)
            .field("watchdog", &self.watchdog.is_some())
            .finish()
    }
}

/// Which pipe a chunk of output came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stream {
    /// The shell's standard output.
    Stdout,
    /// The shell's standard error.
    Stderr,
}

impl fmt::Display for Stream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stream::Stdout => "stdout",
            Stream::Stderr => "stderr",
        })
    }
}

/// Why a shell step stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ended {
    /// The shell exited by itself (with any status, or killed by a signal rbx did not send).
    Exited,
    /// The step's timeout passed and rbx stopped the group.
    TimedOut,
    /// The run was cancelled (Ctrl-C) and rbx stopped the group.
    Cancelled,
}

/// What a shell step left behind: how it ended and the first `output_cap` bytes of each stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellOutput {
    /// The shell's exit code, when it exited rather than being killed by a signal.
    pub exit_code: Option<i32>,
    /// The signal that killed the shell, if one did.
    pub signal: Option<i32>,
    /// The first `output_cap` bytes of stdout.
    pub stdout: Vec<u8>,
    /// The first `output_cap` bytes of stderr.
    pub stderr: Vec<u8>,
    /// Stdout was longer than `output_cap`.
    pub stdout_truncated: bool,
    /// Stderr was longer than `output_cap`.
    pub stderr_truncated: bool,
    /// Why the step stopped.
    pub ended: Ended,
    /// From spawn to the end of reading.
    pub duration: Duration,
}

/// A shell step that could not be started or watched.
#[derive(Debug, thiserror::Error)]
pub enum ProcessError {
    /// The shell program is not on `PATH` (or its path does not exist).
    #[error("shell program `{program}` not found")]
    ProgramNotFound { program: String },
    /// The step's `cwd` does not exist.
    #[error("working directory `{}` does not exist", .path.display())]
    CwdNotFound { path: PathBuf },
    /// The step's `cwd` is a file.
    #[error("working directory `{}` is not a directory", .path.display())]
    CwdNotADirectory { path: PathBuf },
    /// Any other failure to start the shell.
    #[error("failed to start `{program}` in {}", describe_cwd(.cwd.as_deref()))]
    Spawn {
        program: String,
        cwd: Option<PathBuf>,
        #[source]
        source: io::Error,
    },
    /// Reading one of the shell's pipes failed.
    #[error("failed to read the {stream} of `{program}` (pid {pid})")]
    Read {
        program: String,
        pid: i32,
        stream: Stream,
        #[source]
        source: io::Error,
    },
    /// Waiting for the shell to exit failed.
    #[error("failed to wait for `{program}` (pid {pid})")]
    Wait {
        program: String,
        pid: i32,
        #[source]
        source: io::Error,
    },
}

fn describe_cwd(cwd: Option<&Path>) -> String {
    match cwd {
        Some(path) => format!("`{}`", path.display()),
        None => "the current directory".to_owned(),
    }
}

/// Runs `cmd` to the end, passing every chunk of output to `on_chunk` as it arrives.
///
/// The step ends when the shell exits; what it left running in its process group is then
/// SIGKILLed. On timeout or when `cancel` becomes true, the group gets SIGTERM, then SIGKILL
/// [`KILL_GRACE`] later if anything in it is still alive. If `cancel` is already true, nothing is
/// spawned and the output says `Cancelled`.
///
/// On Linux the shell also gets SIGKILL if the thread that spawned it exits (so if rbx is
/// killed): poll this future on a runtime worker or `block_on` thread, not in `spawn_blocking`,
/// whose idle threads exit.
pub async fn run_shell(
    cmd: &ShellCommand,
    on_chunk: &mut (dyn FnMut(Stream, &[u8]) + Send),
    cancel: &mut watch::Receiver<bool>,
) -> Result<ShellOutput, ProcessError> {
    check_cwd(cmd.cwd.as_deref()).await?;
    if *cancel.borrow_and_update() {
        return Ok(ShellOutput::not_started(Ended::Cancelled));
    }
    let started = Instant::now();
    let mut child = spawn(cmd)?;
    let Some(pid) = child.id().and_then(|pid| i32::try_from(pid).ok()) else {
        let source = io::Error::other("the shell has no process id right after spawning");
        return Err(spawn_error(cmd, source));
    };
    let mut run = ShellRun {
        program: &cmd.program,
        pid,
        stdout: Pipe::new(child.stdout.take(), Stream::Stdout, cmd.output_cap),
        stderr: Pipe::new(child.stderr.take(), Stream::Stderr, cmd.output_cap),
        group: ProcessGroup::new(pid, cmd.watchdog.clone()),
        child,
        status: None,
        phase: Phase::Running { deadline: cmd.timeout.map(|timeout| started + timeout) },
        ended: Ended::Exited,
        watching_cancel: true,
    };
    let status = run.supervise(on_chunk, cancel).await?;
    Ok(ShellOutput {
        exit_code: status.code(),
        signal: status.signal(),
        stdout_truncated: run.stdout.truncated,
        stderr_truncated: run.stderr.truncated,
        stdout: run.stdout.kept,
        stderr: run.stderr.kept,
        ended: run.ended,
        duration: started.elapsed(),
    })
}

impl ShellOutput {
    fn not_started(ended: Ended) -> ShellOutput {
        ShellOutput {
            exit_code: None,
            signal: None,
            stdout: Vec::new(),
            stderr: Vec::new(),
            stdout_truncated: false,
            stderr_truncated: false,
            ended,
            duration: Duration::ZERO,
        }
    }
}

async fn check_cwd(cwd: Option<&Path>) -> Result<(), ProcessError> {
    let Some(path) = cwd else { return Ok(()) };
    match tokio::fs::metadata(path).await {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => Err(ProcessError::CwdNotADirectory { path: path.to_owned() }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(ProcessError::CwdNotFound { path: path.to_owned() }),
        // Anything else (a permission problem) is reported by the spawn, with the directory.
        Err(_) => Ok(()),
    }
}

fn spawn(cmd: &ShellCommand) -> Result<Child, ProcessError> {
    let mut command = Command::new(&cmd.program);
    command
        .arg("-c")
        .arg(&cmd.script)
        .envs(cmd.env.iter().map(|(name, value)| (name, value)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    if let Some(cwd) = &cmd.cwd {
        command.current_dir(cwd);
    }
    command.spawn().map_err(|source| spawn_error(cmd, source))
}

fn spawn_error(cmd: &ShellCommand, source: io::Error) -> ProcessError {
    // The cwd was checked just before, so a missing file is the program.
    if source.kind() == io::ErrorKind::NotFound {
        return ProcessError::ProgramNotFound { program: cmd.program.clone() };
    }
    ProcessError::Spawn { program: cmd.program.clone(), cwd: cmd.cwd.clone(), source }
}

/// Where a running step is in its life.
enum Phase {
    /// Nothing signalled yet; the timeout, if any, falls at `deadline`.
    Running { deadline: Option<Instant> },
    /// The group got SIGTERM: survivors are looked for at `next_check`, and killed at `kill_at`.
    Terminating { kill_at: Instant, next_check: Instant },
    /// The group got SIGKILL (or emptied): reading stops at `drain_until`.
    Killed { drain_until: Instant },
}

struct ShellRun<'a> {
    program: &'a str,
    pid: i32,
    child: Child,
    group: ProcessGroup,
    stdout: Pipe<ChildStdout>,
    stderr: Pipe<ChildStderr>,
    status: Option<ExitStatus>,
    phase: Phase,
    ended: Ended,
    watching_cancel: bool,
}

impl ShellRun<'_> {
    /// Reads, waits and signals until the shell is reaped, its group dead and the pipes drained.
    async fn supervise(
        &mut self,
        on_chunk: &mut (dyn FnMut(Stream, &[u8]) + Send),
        cancel: &mut watch::Receiver<bool>,
    ) -> Result<ExitStatus, ProcessError> {
        loop {
            if let (Some(status), Phase::Killed { .. }) = (self.status, &self.phase)
                && !self.stdout.is_open()
                && !self.stderr.is_open()
            {
                return Ok(status);
            }
            let alarm = self.next_alarm();
            let running = matches!(self.phase, Phase::Running { .. });
            tokio::select! {
                read = self.stdout.read(), if self.stdout.is_open() => {
                    self.stdout
                        .deliver(read, on_chunk)
                        .map_err(|e| self.read_error(Stream::Stdout, e))?;
                }
                read = self.stderr.read(), if self.stderr.is_open() => {
                    self.stderr
                        .deliver(read, on_chunk)
                        .map_err(|e| self.read_error(Stream::Stderr, e))?;
                }
                status = self.child.wait(), if self.status.is_none() => {
                    let status = status.map_err(|source| self.wait_error(source))?;
                    self.on_exit(status);
                }
                changed = cancel.changed(), if running && self.watching_cancel => match changed {
                    Ok(()) if *cancel.borrow_and_update() => self.terminate(Ended::Cancelled),
                    Ok(()) => {}
                    // The sender is gone: nobody can cancel any more.
                    Err(_) => self.watching_cancel = false,
                },
                () = sleep_until_some(alarm) => self.on_alarm(),
            }
        }
    }

    fn next_alarm(&self) -> Option<Instant> {
        match self.phase {
            Phase::Running { deadline } => deadline,
            Phase::Terminating { next_check, .. } => Some(next_check),
            Phase::Killed { drain_until } => (self.stdout.is_open() || self.stderr.is_open()).then_some(drain_until),
        }
    }

    fn on_exit(&mut self, status: ExitStatus) {
        self.status = Some(status);
        // A step ends with its shell: background jobs go too. A terminating group keeps its
        // grace, so that the jobs' own SIGTERM clean-up can finish.
        if let Phase::Running { .. } = self.phase {
            self.kill();
        }
    }

    fn on_alarm(&mut self) {
        let now = Instant::now();
        match self.phase {
            Phase::Running { .. } => self.terminate(Ended::TimedOut),
            Phase::Terminating { kill_at, .. } if now >= kill_at => self.kill(),
            Phase::Terminating { kill_at, .. } => {
                if self.group.has_survivors() {
                    let next_check = (now + SURVIVOR_POLL).min(kill_at);
                    self.phase = Phase::Terminating { kill_at, next_check };
                } else {
                    self.group.emptied();
                    self.phase = Phase::Killed { drain_until: now + DRAIN_GRACE };
                }
            }
            Phase::Killed { .. } => {
                self.stdout.close();
                self.stderr.close();
            }
        }
    }

    fn terminate(&mut self, ended: Ended) {
        self.ended = ended;
        self.group.signal(Signal::SIGTERM);
        let now = Instant::now();
        self.phase = Phase::Terminating { kill_at: now + KILL_GRACE, next_check: now + SURVIVOR_POLL };
    }

    fn kill(&mut self) {
        self.group.kill();
        self.phase = Phase::Killed { drain_until: Instant::now() + DRAIN_GRACE };
    }

    fn read_error(&self, stream: Stream, source: io::Error) -> ProcessError {
        ProcessError::Read { program: self.program.to_owned(), pid: self.pid, stream, source }
    }

    fn wait_error(&self, source: io::Error) -> ProcessError {
        ProcessError::Wait { program: self.program.to_owned(), pid: self.pid, source }
    }
}

async fn sleep_until_some(alarm: Option<Instant>) {
    match alarm {
        Some(at) => sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// One of the shell's output pipes, with the part of its output kept in memory.
struct Pipe<R> {
    reader: Option<R>,
    stream: Stream,
    buffer: Box<[u8]>,
    kept: Vec<u8>,
    cap: usize,
    truncated: bool,
}

impl<R: AsyncRead + Unpin> Pipe<R> {
    fn new(reader: Option<R>, stream: Stream, cap: usize) -> Pipe<R> {
        Pipe {
            reader,
            stream,
            buffer: vec![0; READ_BUFFER].into_boxed_slice(),
            kept: Vec::new(),
            cap,
            truncated: false,
        }
    }

    fn is_open(&self) -> bool {
        self.reader.is_some()
    }

    fn close(&mut self) {
        self.reader = None;
    }

    async fn read(&mut self) -> io::Result<usize> {
        match &mut self.reader {
            Some(reader) => reader.read(&mut self.buffer).await,
            None => std::future::pending().await,
        }
    }

    /// Keeps what fits under the cap of the chunk just read and hands it on; closes at end of file.
    fn deliver(&mut self, read: io::Result<usize>, on_chunk: &mut (dyn FnMut(Stream, &[u8]) + Send)) -> io::Result<()> {
        let n = match read {
            Ok(0) => {
                self.close();
                return Ok(());
            }
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return Ok(()),
            Err(e) => return Err(e),
        };
        let chunk = &self.buffer[..n];
        let room = self.cap.saturating_sub(self.kept.len());
        self.kept.extend_from_slice(&chunk[..n.min(room)]);
        self.truncated |= n > room;
        on_chunk(self.stream, chunk);
        Ok(())
    }
}

/// The shell's process group. Whatever is left of it is SIGKILLed when this is dropped, so an
/// error or a dropped future leaves no orphans either.
struct ProcessGroup {
    pgid: Pid,
    watchdog: Option<std::sync::Arc<crate::watchdog::Watchdog>>,
    /// SIGKILL was sent, or the group was seen empty: later signals could only hit a stranger
    /// that reused the id.
    done: bool,
}

impl ProcessGroup {
    fn new(pgid: i32, watchdog: Option<std::sync::Arc<crate::watchdog::Watchdog>>) -> ProcessGroup {
        if let Some(watchdog) = &watchdog {
            watchdog.watch(pgid);
        }
        ProcessGroup { pgid: Pid::from_raw(pgid), watchdog, done: false }
    }

    fn signal(&self, signal: Signal) {
        // ESRCH (nobody left) is the outcome we want; EPERM cannot happen for our child's group.
        let _ = killpg(self.pgid, signal);
    }

    fn kill(&mut self) {
        if !self.done {
            self.signal(Signal::SIGKILL);
            self.done = true;
        }
    }

    fn emptied(&mut self) {
        self.done = true;
    }

    /// Whether a member of the group is still running; zombies waiting for their reaper
    /// (reparented jobs) do not count.
    fn has_survivors(&self) -> bool {
        match killpg(self.pgid, None) {
            Err(Errno::ESRCH) => false,
            _ => live_member_in_group(self.pgid.as_raw()).unwrap_or(true),
        }
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        self.kill();
        if let Some(watchdog) = &self.watchdog {
            watchdog.release(self.pgid.as_raw());
        }
    }
}

/// Scans /proc for a member of `pgid` that is not a zombie; `None` when /proc cannot be read.
#[cfg(target_os = "linux")]
fn live_member_in_group(pgid: i32) -> Option<bool> {
    let entries = std::fs::read_dir("/proc").ok()?;
    let live = entries.flatten().any(|entry| {
        let is_pid = entry.file_name().to_str().is_some_and(|name| name.bytes().all(|b| b.is_ascii_digit()));
        is_pid
            && std::fs::read_to_string(entry.path().join("stat"))
                .ok()
                .and_then(|stat| parse_state_and_group(&stat))
                .is_some_and(|(state, group)| group == pgid && state != 'Z' && state != 'X')
    });
    Some(live)
}

#[cfg(not(target_os = "linux"))]
fn live_member_in_group(_pgid: i32) -> Option<bool> {
    None
}

/// The state letter and process group of a `/proc/PID/stat` line: `pid (comm) S ppid pgrp ...`,
/// where `comm` may itself hold spaces and parentheses.
#[cfg(target_os = "linux")]
fn parse_state_and_group(stat: &str) -> Option<(char, i32)> {
    let (_, rest) = stat.rsplit_once(')')?;
    let mut fields = rest.split_ascii_whitespace();
    let state = fields.next()?.chars().next()?;
    let _ppid = fields.next()?;
    let pgrp = fields.next()?.parse().ok()?;
    Some((state, pgrp))
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn stat_line_with_odd_command_name() {
        let stat = "4242 (my (weird) prog) S 1 4240 4240 0 -1 4194560";
        assert_eq!(parse_state_and_group(stat), Some(('S', 4240)));
        assert_eq!(parse_state_and_group("garbage"), None);
    }

    #[test]
    fn secrets_stay_out_of_debug() {
        let cmd = ShellCommand {
            program: "sh".into(),
            script: "curl -u admin:hunter2 example.invalid".into(),
            env: vec![("PGPASSWORD".into(), "hunter2".into())],
            cwd: None,
            timeout: None,
            output_cap: 16,
            watchdog: None,
        };
        let debug = format!("{cmd:?}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(debug.contains("PGPASSWORD"), "{debug}");
    }
}
