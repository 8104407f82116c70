//! What can go wrong reading or writing a journal.

use std::path::PathBuf;

/// A journal could not be written or read. Messages are lowercase fragments that compose
/// ("warning: journal: cannot write `…`: No space left on device").
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// A directory or file could not be created.
    #[error("cannot create `{path}`: {source}")]
    Create {
        /// What was being created.
        path: PathBuf,
        /// Why it failed.
        source: std::io::Error,
    },
    /// Writing or syncing a file failed.
    #[error("cannot write `{path}`: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why it failed.
        source: std::io::Error,
    },
    /// Reading a file failed.
    #[error("cannot read `{path}`: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why it failed.
        source: std::io::Error,
    },
    /// `run.json` is not the metadata of a run.
    #[error("`{path}` is not a run's metadata: {message}")]
    Meta {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// No run with this id under the journal root.
    #[error("no run `{run_id}` in `{root}`")]
    NotFound {
        /// The id asked for.
        run_id: String,
        /// Where it was looked for.
        root: PathBuf,
    },
    /// No journal root could be found: no `--journal`, `RBX_JOURNAL_DIR`, `XDG_STATE_HOME` or `HOME`.
    #[error("no journal directory: set --journal DIR, RBX_JOURNAL_DIR, XDG_STATE_HOME or HOME")]
    NoRoot,
}
