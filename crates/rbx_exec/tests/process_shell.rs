//! `run_shell` against real shells: exit statuses, both streams, the memory cap, env and cwd, and
//! that no process of a step's group outlives the step however it ends.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rbx_exec::process::{Ended, ProcessError, ShellCommand, ShellOutput, Stream, run_shell};
use tokio::sync::watch;

/// Longer than any test should take, far shorter than the `sleep 60` a leak would wait for.
const HANG: Duration = Duration::from_secs(30);

fn shell(script: &str) -> ShellCommand {
    ShellCommand {
        program: "sh".to_owned(),
        script: script.to_owned(),
        env: Vec::new(),
        cwd: None,
        timeout: None,
        output_cap: 1 << 20,
        watchdog: None,
    }
}

/// Everything `on_chunk` was given, per stream.
#[derive(Default)]
struct Delivered {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

impl Delivered {
    fn push(&mut self, stream: Stream, chunk: &[u8]) {
        match stream {
            Stream::Stdout => self.stdout.extend_from_slice(chunk),
            Stream::Stderr => self.stderr.extend_from_slice(chunk),
        }
    }

    /// The first line of stdout: the tests print the shell's `$$`, which is the group id.
    fn pgid(&self) -> i32 {
        let text = String::from_utf8_lossy(&self.stdout);
        let first = text.lines().next().unwrap_or_default();
        first.trim().parse().unwrap_or_else(|_| panic!("no pid in stdout {text:?}"))
    }
}

async fn run(cmd: &ShellCommand) -> (Result<ShellOutput, ProcessError>, Delivered) {
    let (_cancel_tx, mut cancel) = watch::channel(false);
    let mut delivered = Delivered::default();
    let mut on_chunk = |stream: Stream, chunk: &[u8]| delivered.push(stream, chunk);
    let result = tokio::time::timeout(HANG, run_shell(cmd, &mut on_chunk, &mut cancel)).await.expect("run_shell hung");
    (result, delivered)
}

async fn run_ok(cmd: &ShellCommand) -> (ShellOutput, Delivered) {
    let (result, delivered) = run(cmd).await;
    (result.expect("the shell runs"), delivered)
}

/// Whether a process of group `pgid` is alive (zombies waiting for their reaper are not).
fn group_alive(pgid: i32) -> bool {
    std::fs::read_dir("/proc").expect("/proc").flatten().any(|entry| {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            return false;
        };
        let Some((_, rest)) = stat.rsplit_once(')') else {
            return false;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        fields.len() > 2 && fields[2] == pgid.to_string() && fields[0] != "Z" && fields[0] != "X"
    })
}

/// SIGKILL is delivered asynchronously, so give the kernel a moment before calling it a leak.
async fn assert_group_gone(pgid: i32) {
    for _ in 0..100 {
        if !group_alive(pgid) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("process group {pgid} outlived its step");
}

#[tokio::test]
async fn exit_codes_are_reported() {
    for code in [0, 1, 3, 255] {
        let (out, _) = run_ok(&shell(&format!("exit {code}"))).await;
        assert_eq!((out.exit_code, out.signal, out.ended), (Some(code), None, Ended::Exited));
    }
}

#[tokio::test]
async fn a_shell_killed_by_someone_else_reports_the_signal() {
    let (out, _) = run_ok(&shell("kill -KILL $$")).await;
    assert_eq!((out.exit_code, out.signal, out.ended), (None, Some(9), Ended::Exited));
}

#[tokio::test]
async fn stdout_and_stderr_are_captured_and_streamed() {
    let (out, delivered) = run_ok(&shell("printf 'to out\\n'; printf 'to err' >&2; printf more")).await;
    assert_eq!(out.stdout, b"to out\nmore");
    assert_eq!(out.stderr, b"to err");
    assert!(!out.stdout_truncated && !out.stderr_truncated);
    assert_eq!(delivered.stdout, out.stdout);
    assert_eq!(delivered.stderr, out.stderr);
}

#[tokio::test]
async fn output_cap_keeps_the_first_bytes_and_flags_the_rest() {
    let mut cmd = shell("printf abcd; printf abcde >&2");
    cmd.output_cap = 4;
    let (out, delivered) = run_ok(&cmd).await;
    assert_eq!((out.stdout.as_slice(), out.stdout_truncated), (&b"abcd"[..], false));
    assert_eq!((out.stderr.as_slice(), out.stderr_truncated), (&b"abcd"[..], true));
    assert_eq!(delivered.stderr, b"abcde");
}

#[tokio::test]
async fn ten_megabytes_on_both_streams_are_capped_in_memory_but_fully_delivered() {
    const TEN_MB: usize = 10_000_000;
    // stderr first: a runner reading only stdout would deadlock on a full stderr pipe.
    let mut cmd = shell("head -c 10000000 /dev/zero >&2; head -c 10000000 /dev/zero; echo done >&2");
    cmd.output_cap = 1 << 20;
    let (mut counts, mut last_err) = ((0, 0), Vec::new());
    let (_cancel_tx, mut cancel) = watch::channel(false);
    let mut on_chunk = |stream: Stream, chunk: &[u8]| match stream {
        Stream::Stdout => counts.0 += chunk.len(),
        Stream::Stderr => {
            counts.1 += chunk.len();
            last_err = chunk.to_vec();
        }
    };
    let out = tokio::time::timeout(HANG, run_shell(&cmd, &mut on_chunk, &mut cancel))
        .await
        .expect("chatty child deadlocked")
        .expect("the shell runs");
    assert_eq!(counts, (TEN_MB, TEN_MB + 5));
    assert!(last_err.ends_with(b"done\n"));
    assert_eq!((out.stdout.len(), out.stderr.len()), (1 << 20, 1 << 20));
    assert!(out.stdout_truncated && out.stderr_truncated);
    assert_eq!(out.exit_code, Some(0));
}

#[tokio::test]
async fn env_is_added_and_cwd_is_used() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut cmd = shell("printf '%s|%s|' \"$RBX_TEST_VALUE\" \"${HOME:+inherited}\"; pwd -P");
    cmd.env = vec![("RBX_TEST_VALUE".to_owned(), "two words; $(not run)".to_owned())];
    cmd.cwd = Some(dir.path().to_owned());
    let (out, _) = run_ok(&cmd).await;
    let canonical = dir.path().canonicalize().expect("canonical temp dir");
    let expected = format!("two words; $(not run)|inherited|{}\n", canonical.display());
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected);
}

#[tokio::test]
async fn a_missing_cwd_is_named_in_the_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("no-such-dir");
    let mut cmd = shell("true");
    cmd.cwd = Some(missing.clone());
    let (result, _) = run(&cmd).await;
    let err = result.expect_err("missing cwd");
    assert!(matches!(err, ProcessError::CwdNotFound { .. }), "{err:?}");
    assert!(err.to_string().contains(&missing.display().to_string()), "{err}");

    let file = dir.path().join("a-file");
    std::fs::write(&file, "").expect("write file");
    cmd.cwd = Some(file.clone());
    let err = run(&cmd).await.0.expect_err("cwd is a file");
    assert!(matches!(err, ProcessError::CwdNotADirectory { .. }), "{err:?}");
    assert!(err.to_string().contains(&file.display().to_string()), "{err}");
}

#[tokio::test]
async fn a_missing_program_is_named_in_the_error() {
    let mut cmd = shell("true");
    cmd.program = "rbx-no-such-shell".to_owned();
    let err = run(&cmd).await.0.expect_err("missing program");
    assert!(matches!(err, ProcessError::ProgramNotFound { .. }), "{err:?}");
    assert_eq!(err.to_string(), "shell program `rbx-no-such-shell` not found");
}

#[tokio::test]
async fn timeout_stops_the_whole_group() {
    let mut cmd = shell("echo $$; sleep 60 & sleep 60");
    cmd.timeout = Some(Duration::from_secs(1));
    let (out, delivered) = run_ok(&cmd).await;
    assert_eq!(out.ended, Ended::TimedOut);
    assert_eq!((out.exit_code, out.signal), (None, Some(15)));
    assert_group_gone(delivered.pgid()).await;
}

#[tokio::test]
async fn timeout_escalates_to_sigkill_when_sigterm_is_ignored() {
    let mut cmd = shell("trap '' TERM; echo $$; sleep 60 & sleep 60");
    cmd.timeout = Some(Duration::from_secs(1));
    let (out, delivered) = run_ok(&cmd).await;
    assert_eq!(out.ended, Ended::TimedOut);
    assert_eq!((out.exit_code, out.signal), (None, Some(9)));
    assert_group_gone(delivered.pgid()).await;
}

#[tokio::test]
async fn cancel_stops_the_whole_group() {
    let (cancel_tx, mut cancel) = watch::channel(false);
    let delivered = Arc::new(Mutex::new(Delivered::default()));
    let sink = Arc::clone(&delivered);
    // Cancel as soon as the shell has started its jobs, as Ctrl-C would.
    let mut on_chunk = move |stream: Stream, chunk: &[u8]| {
        sink.lock().expect("lock").push(stream, chunk);
        let _ = cancel_tx.send(true);
    };
    let cmd = shell("sleep 60 & echo $$; sleep 60");
    let out = tokio::time::timeout(HANG, run_shell(&cmd, &mut on_chunk, &mut cancel))
        .await
        .expect("cancel did not stop the step")
        .expect("the shell runs");
    assert_eq!(out.ended, Ended::Cancelled);
    assert_eq!(out.signal, Some(15));
    let pgid = delivered.lock().expect("lock").pgid();
    assert_group_gone(pgid).await;
}

#[tokio::test]
async fn an_already_cancelled_run_starts_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let marker = dir.path().join("ran");
    let cmd = shell(&format!("touch '{}'", marker.display()));
    let (_cancel_tx, mut cancel) = watch::channel(true);
    let out = run_shell(&cmd, &mut |_, _| {}, &mut cancel).await.expect("no error");
    assert_eq!((out.ended, out.exit_code), (Ended::Cancelled, None));
    assert!(!marker.exists());
}

#[tokio::test]
async fn background_jobs_die_when_the_shell_exits() {
    let script = "echo $$; sleep 60 & sleep 60 >/dev/null 2>&1 & (sleep 0.2; echo too late) &";
    let (out, delivered) = run_ok(&shell(script)).await;
    assert_eq!((out.exit_code, out.ended), (Some(0), Ended::Exited));
    // The step ended with the shell: a job does not get to add output afterwards.
    assert!(!String::from_utf8_lossy(&delivered.stdout).contains("too late"));
    assert_group_gone(delivered.pgid()).await;
}

#[tokio::test]
async fn a_process_that_left_the_group_cannot_hang_the_step() {
    // `setsid` takes the job out of the group, beyond the reach of killpg, with our pipes open;
    // the shell waits until it has left (/proc/PID/stat field 5 is the group).
    let script = "echo $$; setsid sleep 60 & echo $!
        while [ \"$(cut -d' ' -f5 /proc/$!/stat)\" = $$ ]; do sleep 0.01; done";
    let (out, delivered) = run_ok(&shell(script)).await;
    let text = String::from_utf8_lossy(&delivered.stdout).into_owned();
    let escaped: i32 = text.lines().nth(1).and_then(|l| l.trim().parse().ok()).expect("pid of $!");
    let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(escaped), nix::sys::signal::SIGKILL);
    assert_eq!((out.exit_code, out.ended), (Some(0), Ended::Exited));
}

#[tokio::test]
async fn dropping_the_run_kills_the_group() {
    let delivered = Arc::new(Mutex::new(Delivered::default()));
    let sink = Arc::clone(&delivered);
    let mut on_chunk = move |stream: Stream, chunk: &[u8]| sink.lock().expect("lock").push(stream, chunk);
    let (_cancel_tx, mut cancel) = watch::channel(false);
    let cmd = shell("echo $$; sleep 60 & sleep 60");
    let run = run_shell(&cmd, &mut on_chunk, &mut cancel);
    let dropped = tokio::time::timeout(Duration::from_millis(500), run).await;
    assert!(dropped.is_err(), "the step should still be running");
    let pgid = delivered.lock().expect("lock").pgid();
    assert_group_gone(pgid).await;
}

const PID_FILE_VAR: &str = "RBX_TEST_WATCHDOG_PID_FILE";
const SERVE_VAR: &str = "RBX_TEST_SERVE_AS_WATCHDOG";

/// Plays `rbx __watchdog` for the fake rbx below, in a process of its own; a no-op otherwise.
#[test]
fn helper_serves_as_watchdog() {
    if std::env::var_os(SERVE_VAR).is_some() {
        rbx_exec::watchdog::serve(std::io::stdin().lock());
    }
}

/// Plays rbx for `the_whole_group_dies_when_rbx_is_killed`, in a process of its own: starts a
/// watchdog, then a shell with a background job, and waits; a no-op otherwise.
#[tokio::test]
async fn helper_runs_a_shell_until_killed() {
    let Ok(pid_file) = std::env::var(PID_FILE_VAR) else {
        return;
    };
    let mut watchdog = std::process::Command::new(std::env::current_exe().expect("test binary"));
    watchdog.args(["--exact", "helper_serves_as_watchdog", "--test-threads=1"]).env(SERVE_VAR, "1");
    let watchdog = rbx_exec::watchdog::Watchdog::start(watchdog).expect("start the watchdog");
    let script = format!("sleep 61 & echo $$ > '{pid_file}.tmp' && mv '{pid_file}.tmp' '{pid_file}'; sleep 60");
    let mut cmd = shell(&script);
    cmd.watchdog = Some(Arc::new(watchdog));
    let _ = run(&cmd).await;
}

#[tokio::test]
async fn the_whole_group_dies_when_rbx_is_killed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pid_file = dir.path().join("shell.pid");
    let exe = std::env::current_exe().expect("test binary");
    let mut fake_rbx = std::process::Command::new(exe)
        .args(["--exact", "helper_runs_a_shell_until_killed", "--test-threads=1"])
        .env(PID_FILE_VAR, &pid_file)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start the fake rbx");
    let mut shell_pid = None;
    for _ in 0..200 {
        shell_pid = std::fs::read_to_string(&pid_file).ok().and_then(|s| s.trim().parse().ok());
        if shell_pid.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let shell_pid: i32 = shell_pid.expect("the fake rbx started its shell");
    assert!(group_alive(shell_pid), "the group runs before rbx is killed");
    fake_rbx.kill().expect("SIGKILL the fake rbx");
    fake_rbx.wait().expect("reap the fake rbx");
    // The watchdog sends SIGTERM at once and SIGKILL after its grace period.
    for _ in 0..120 {
        if !group_alive(shell_pid) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let survived = group_alive(shell_pid);
    let _ = nix::sys::signal::killpg(nix::unistd::Pid::from_raw(shell_pid), nix::sys::signal::SIGKILL);
    assert!(!survived, "a process of group {shell_pid} (the shell or its background job) outlived rbx");
}
