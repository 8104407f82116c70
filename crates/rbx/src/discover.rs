//! Finding runbooks below the paths a user names.

use std::path::{Path, PathBuf};

/// A path that could not be walked.
#[derive(Debug)]
pub struct WalkError {
    pub path: PathBuf,
    pub message: String,
}

/// Files named explicitly, and `*.yaml`/`*.yml` found below directories (sorted, hidden
/// directories and `target/` skipped). `explicit` tells which were named by the user.
pub fn expand(paths: &[PathBuf]) -> (Vec<(PathBuf, bool)>, Vec<WalkError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk(path, &mut files, &mut errors),
            // A file named explicitly is loaded even when it cannot be read, so that the
            // problem is a diagnostic (E001) in every output format.
            _ => files.push((path.clone(), true)),
        }
    }
    (files, errors)
}

fn walk(dir: &Path, files: &mut Vec<(PathBuf, bool)>, errors: &mut Vec<WalkError>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) => {
            errors.push(WalkError { path: dir.to_path_buf(), message: describe(&error) });
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if !name.starts_with('.') && name != "target" && name != "node_modules" {
                walk(&path, files, errors);
            }
        } else if name.ends_with(".yaml") || name.ends_with(".yml") {
            files.push((path, false));
        }
    }
}

/// Whether a file found in a directory walk is meant as a runbook: its top level has `rbx`.
/// A file that does not parse counts when a line starts with `rbx:`, so that a broken runbook
/// is reported rather than silently passed over.
pub fn looks_like_runbook(text: &str) -> bool {
    text.lines().any(|line| {
        let line = line.trim_end();
        line.starts_with("rbx:") || line.starts_with("\"rbx\":") || line.starts_with("'rbx':")
    })
}

fn describe(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => error.to_string().to_lowercase(),
    }
}
