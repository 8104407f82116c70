//! `RBX_LOG=debug` (any `tracing` env-filter): engine internals on stderr, separate from the
//! run's own output, and masked like every other byte rbx writes.

use std::io::Write;
use std::sync::Arc;

use rbx_exec::masking::{Masker, SharedMasker};
use tracing_subscriber::EnvFilter;

/// Installs the log subscriber when `RBX_LOG` is set. The returned masker is the one the log
/// writer reads; `rbx run` keeps it up to date with the run's secrets.
pub fn init() -> Result<SharedMasker, String> {
    let masker = SharedMasker::default();
    let Some(spec) = std::env::var_os("RBX_LOG") else { return Ok(masker) };
    let spec = spec.to_string_lossy().into_owned();
    let filter = EnvFilter::try_new(&spec).map_err(|error| format!("RBX_LOG=`{spec}` is not a log filter: {error}"))?;
    let writer_masker = masker.clone();
    let installed = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(false)
        .with_writer(move || MaskedStderr(writer_masker.get()))
        .try_init();
    if let Err(error) = installed {
        return Err(format!("cannot install the RBX_LOG logger: {error}"));
    }
    Ok(masker)
}

/// stderr through the run's masker. The formatter writes each event whole, in one call, so
/// masking each write sees every secret whole.
struct MaskedStderr(Arc<Masker>);

impl Write for MaskedStderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        std::io::stderr().lock().write_all(&self.0.mask_bytes(buf))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}
