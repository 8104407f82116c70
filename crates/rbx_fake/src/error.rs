//! Why a fake server could not start.

use std::io;

/// Why a fake server could not start.
#[derive(Debug, thiserror::Error)]
pub enum FakeError {
    /// The port could not be bound on 127.0.0.1.
    #[error("failed to listen on 127.0.0.1:{port}: {source}")]
    Bind {
        /// The port asked for (0: any).
        port: u16,
        /// The system's reason.
        source: io::Error,
    },
    /// The server thread or its runtime could not be started.
    #[error("failed to start the server thread: {0}")]
    Thread(io::Error),
    /// The server thread ended before it was listening.
    #[error("the server thread ended before it was listening")]
    ThreadEnded,
}
