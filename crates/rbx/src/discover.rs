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

/// Every runbook below `paths`, each file read once; one loader per thread, so a runbook called
/// by several others of the same share is loaded once. Walk errors are printed as they come.
pub fn load_runbooks(paths: &[PathBuf]) -> (Vec<rbx_model::LoadedFile>, bool) {
    let (files, walk_errors) = expand(paths);
    for error in &walk_errors {
        crate::terminal::usage_error(&format!("cannot read `{}`: {}", error.path.display(), error.message), None);
    }
    // Files load independently: one loader per core, each over a contiguous share of the
    // files so that the results keep the order given. (Linting 1,000 runbooks is loading them.)
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
    let share = files.len().div_ceil(threads).max(1);
    let loaded: Vec<rbx_model::LoadedFile> = std::thread::scope(|scope| {
        let workers: Vec<_> = files.chunks(share).map(|chunk| scope.spawn(move || load_share(chunk))).collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    });
    (loaded, !walk_errors.is_empty())
}

/// Loads the runbooks among `files` (`true`: named on the command line, so loaded whatever it
/// holds).
fn load_share(files: &[(PathBuf, bool)]) -> Vec<rbx_model::LoadedFile> {
    let mut loader = rbx_model::Loader::new();
    let mut loaded = Vec::new();
    for (path, explicit) in files {
        let file = match rbx_syntax::read_source(path) {
            Ok(file) => file,
            // The loader turns the read error into a diagnostic (E001..E003).
            Err(_) => {
                loaded.push(loader.load_path(path));
                continue;
            }
        };
        if *explicit || looks_like_runbook(file.text()) || is_flow_style_runbook(&file) {
            loaded.push(loader.load_source(file));
        }
    }
    loaded
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

/// A runbook written in flow style or as JSON (`{"rbx": 1, ...}`) has no line starting with
/// `rbx:`: parsed, its top level says. Only files that have a `rbx` key somewhere get this far.
fn is_flow_style_runbook(file: &rbx_diagnostics::SourceFile) -> bool {
    file.text().contains("rbx") && rbx_syntax::parse(file).root.as_ref().is_some_and(rbx_model::is_runbook)
}

fn describe(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => error.to_string().to_lowercase(),
    }
}
