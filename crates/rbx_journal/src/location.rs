//! Where runs are kept: `--journal DIR` / `RBX_JOURNAL_DIR`, else
//! `$XDG_STATE_HOME/rbx/runs`, else `~/.local/state/rbx/runs`.

use std::path::{Path, PathBuf};

use crate::JournalError;

/// The root given explicitly (by `--journal` or `RBX_JOURNAL_DIR`, which the command line
/// merges), else the default one.
pub fn resolve_root(explicit: Option<&Path>, env: &dyn Fn(&str) -> Option<String>) -> Result<PathBuf, JournalError> {
    match explicit {
        Some(dir) => Ok(dir.to_path_buf()),
        None => default_root(env),
    }
}

/// `$XDG_STATE_HOME/rbx/runs`, else `$HOME/.local/state/rbx/runs`. An empty or relative
/// `XDG_STATE_HOME` is ignored, as the XDG base directory specification asks.
pub fn default_root(env: &dyn Fn(&str) -> Option<String>) -> Result<PathBuf, JournalError> {
    let absolute = |name: &str| env(name).filter(|v| Path::new(v).is_absolute()).map(PathBuf::from);
    if let Some(state) = absolute("XDG_STATE_HOME") {
        return Ok(state.join("rbx").join("runs"));
    }
    match absolute("HOME") {
        Some(home) => Ok(home.join(".local").join("state").join("rbx").join("runs")),
        None => Err(JournalError::NoRoot),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
    }

    #[test]
    fn explicit_wins() {
        let root = resolve_root(Some(Path::new("/j")), &env(&[("XDG_STATE_HOME", "/s")])).ok();
        assert_eq!(root, Some(PathBuf::from("/j")));
    }

    #[test]
    fn xdg_then_home() {
        let xdg = default_root(&env(&[("XDG_STATE_HOME", "/s"), ("HOME", "/h")])).ok();
        assert_eq!(xdg, Some(PathBuf::from("/s/rbx/runs")));
        let relative = default_root(&env(&[("XDG_STATE_HOME", "s"), ("HOME", "/h")])).ok();
        assert_eq!(relative, Some(PathBuf::from("/h/.local/state/rbx/runs")));
        assert!(matches!(default_root(&env(&[])), Err(JournalError::NoRoot)));
    }
}
