use std::path::Path;
use std::sync::Arc;

use rbx_diagnostics::{Code, SourceFile, codes};

/// The largest runbook file accepted (the spec's limit).
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Why a file could not become a [`SourceFile`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceError {
    /// The code to report.
    pub code: Code,
    /// What went wrong, naming the path.
    pub message: String,
    /// What to do.
    pub help: Option<String>,
}

/// Reads a runbook file: refuses directories, files over 4 MiB (without reading them whole),
/// non-UTF-8 or binary content, and empty files.
pub fn read_source(path: &Path) -> Result<Arc<SourceFile>, SourceError> {
    let shown = path.display();
    let io_error = |what: &str, error: std::io::Error| SourceError {
        code: codes::IO_ERROR,
        message: format!("cannot {what} `{shown}`: {}", describe_io(&error)),
        help: None,
    };
    let metadata = std::fs::metadata(path).map_err(|e| io_error("read", e))?;
    if metadata.is_dir() {
        return Err(SourceError {
            code: codes::IO_ERROR,
            message: format!("`{shown}` is a directory"),
            help: Some("`rbx lint` and `rbx list` take directories; `rbx run` takes one runbook file".to_owned()),
        });
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(SourceError {
            code: codes::FILE_TOO_LARGE,
            message: format!(
                "`{shown}` is {} bytes; a runbook is at most {MAX_FILE_BYTES} bytes (4 MiB)",
                metadata.len()
            ),
            help: Some("split it into runbooks that call each other with `runbook` steps".to_owned()),
        });
    }
    let bytes = std::fs::read(path).map_err(|e| io_error("read", e))?;
    text_from_bytes(path, bytes)
}

fn text_from_bytes(path: &Path, bytes: Vec<u8>) -> Result<Arc<SourceFile>, SourceError> {
    let shown = path.display();
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(SourceError {
            code: codes::FILE_TOO_LARGE,
            message: format!("`{shown}` is larger than 4 MiB"),
            help: None,
        });
    }
    // `contains` on bytes is a vectorised memchr; the position is needed only for the message.
    if bytes.contains(&0)
        && let Some(position) = bytes.iter().position(|&b| b == 0)
    {
        return Err(SourceError {
            code: codes::NOT_TEXT,
            message: format!("`{shown}` is binary: it holds a NUL byte at offset {position}"),
            help: Some("a runbook is a UTF-8 YAML text file".to_owned()),
        });
    }
    let text = String::from_utf8(bytes).map_err(|error| SourceError {
        code: codes::NOT_TEXT,
        message: format!("`{shown}` is not UTF-8: invalid byte at offset {}", error.utf8_error().valid_up_to()),
        help: Some("save the file as UTF-8".to_owned()),
    })?;
    let text = text.strip_prefix('\u{feff}').map(str::to_owned).unwrap_or(text);
    Ok(SourceFile::new(path, text))
}

fn describe_io(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => error.to_string().to_lowercase(),
    }
}
