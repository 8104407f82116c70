//! How a recorded run stands: the status its `run_finished` event gave, or, without one,
//! whether the rbx that wrote it is still running.

use serde::{Serialize, Serializer};

/// A recorded run's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunState {
    /// The run ended; its status (`passed`, `failed`, `declined`, `pending`, `interrupted`).
    Finished(String),
    /// No end recorded and the process that writes it is alive.
    Running,
    /// No end recorded and its process is gone: rbx was killed or the machine stopped.
    Killed,
}

impl RunState {
    /// The word shown by `rbx runs` and reports.
    pub fn as_str(&self) -> &str {
        match self {
            RunState::Finished(status) => status,
            RunState::Running => "running",
            RunState::Killed => "killed",
        }
    }

    /// Whether the run ended (with any status).
    pub fn is_finished(&self) -> bool {
        matches!(self, RunState::Finished(_))
    }

    /// The state of a run without a recorded end, written by `pid` on `host`.
    pub(crate) fn unfinished(pid: u32, host: &str, this_host: &str) -> RunState {
        if host == this_host && process_alive(pid) { RunState::Running } else { RunState::Killed }
    }
}

impl Serialize for RunState {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Whether a process exists (signal 0 checks without sending anything; EPERM means it exists
/// but belongs to someone else).
fn process_alive(pid: u32) -> bool {
    let Ok(pid) = i32::try_from(pid) else { return false };
    if pid <= 0 {
        return false;
    }
    match nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None) {
        Ok(()) => true,
        Err(errno) => errno == nix::errno::Errno::EPERM,
    }
}

/// This machine's name, as `rbx run` records it.
pub fn this_host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .or_else(|_| std::env::var("HOSTNAME"))
        .unwrap_or_else(|_| "unknown".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_process_is_running_elsewhere_killed() {
        let me = std::process::id();
        assert_eq!(RunState::unfinished(me, "h", "h"), RunState::Running);
        assert_eq!(RunState::unfinished(me, "other", "h"), RunState::Killed);
        assert_eq!(RunState::unfinished(0, "h", "h"), RunState::Killed);
    }
}
