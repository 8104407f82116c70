//! The watchdog: a small process started once per run that kills a step's whole process group
//! when rbx dies, even by SIGKILL, which rbx cannot catch.
//!
//! rbx tells it, over a pipe, which groups are running (`+PGID`) and which are done (`-PGID`).
//! When the pipe closes — rbx exited or was killed — the watchdog stops every group still
//! registered: SIGTERM, then SIGKILL two seconds later. Because rbx no longer needs a hook in
//! each forked shell (a parent-death signal, which also only reached the shell itself, not what
//! it started), shells are spawned the fast way (`posix_spawn`), and grandchildren are covered.

use std::collections::BTreeSet;
use std::io::{self, BufRead, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use nix::sys::signal::{SigHandler, Signal, killpg, signal};
use nix::unistd::Pid;

/// How long a group gets between SIGTERM and SIGKILL once rbx is gone.
pub const WATCHDOG_GRACE: Duration = Duration::from_secs(2);

/// rbx's side: the pipe to a running watchdog.
pub struct Watchdog {
    input: Mutex<Option<ChildStdin>>,
    child: Mutex<Child>,
}

impl std::fmt::Debug for Watchdog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watchdog").finish_non_exhaustive()
    }
}

impl Watchdog {
    /// Starts `command` (which must call [`serve`] on its standard input) as the watchdog.
    pub fn start(mut command: Command) -> io::Result<Watchdog> {
        command.stdin(Stdio::piped()).stdout(Stdio::null());
        let mut child = command.spawn()?;
        let input = child.stdin.take().ok_or_else(|| io::Error::other("the watchdog has no standard input"))?;
        Ok(Watchdog { input: Mutex::new(Some(input)), child: Mutex::new(child) })
    }

    /// Registers a running process group.
    pub fn watch(&self, pgid: i32) {
        self.send('+', pgid);
    }

    /// The group is gone: forget it (its id may be reused by a stranger).
    pub fn release(&self, pgid: i32) {
        self.send('-', pgid);
    }

    fn send(&self, op: char, pgid: i32) {
        if let Ok(mut input) = self.input.lock()
            && let Some(pipe) = input.as_mut()
        {
            // A watchdog that died cannot be helped; the run goes on without it.
            let _ = writeln!(pipe, "{op}{pgid}");
        }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        // Closing the pipe is the watchdog's signal to finish; then reap it.
        if let Ok(mut input) = self.input.lock() {
            input.take();
        }
        if let Ok(mut child) = self.child.lock() {
            let _ = child.wait();
        }
    }
}

/// The watchdog's side: reads `+PGID` / `-PGID` lines until the input ends, then stops every
/// group still registered.
pub fn serve(input: impl BufRead) {
    // Ctrl-C at the terminal reaches rbx's process group, which the watchdog shares; rbx handles
    // it, and the watchdog must stay to guard `finally`.
    // SAFETY: installing SIG_IGN runs no handler code.
    let _ = unsafe { signal(Signal::SIGINT, SigHandler::SigIgn) };
    let mut groups = BTreeSet::new();
    for line in input.lines() {
        let Ok(line) = line else { break };
        let (op, number) = line.split_at(line.len().min(1));
        let Ok(pgid) = number.trim().parse::<i32>() else { continue };
        // Never 0 or 1: killpg on those would hit rbx's own group or init's.
        if pgid <= 1 {
            continue;
        }
        match op {
            "+" => {
                groups.insert(pgid);
            }
            "-" => {
                groups.remove(&pgid);
            }
            _ => {}
        }
    }
    stop(groups);
}

fn stop(mut groups: BTreeSet<i32>) {
    if groups.is_empty() {
        return;
    }
    for &pgid in &groups {
        let _ = killpg(Pid::from_raw(pgid), Signal::SIGTERM);
    }
    let deadline = Instant::now() + WATCHDOG_GRACE;
    while Instant::now() < deadline {
        groups.retain(|&pgid| killpg(Pid::from_raw(pgid), None).is_ok());
        if groups.is_empty() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    for &pgid in &groups {
        let _ = killpg(Pid::from_raw(pgid), Signal::SIGKILL);
    }
}
