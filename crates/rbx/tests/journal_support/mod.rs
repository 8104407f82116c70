//! What the journal, runs, report and JUnit tests share: a run whose journal root the test
//! keeps, the run directories in it, and the redactions for snapshots of reports.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use crate::common::{Outcome, Rbx, tempdir};

/// The canary secret of the engine's secret tests; `CANARY` appears in no fixture.
pub const CANARY: &str = "s3cr3t-CANARY/&\"x";
/// Any trace of the canary.
pub const MARKER: &str = "CANARY";

/// A journal root that outlives the runs written into it.
pub struct Journaled {
    pub root: tempfile::TempDir,
}

impl Journaled {
    pub fn new() -> Journaled {
        Journaled { root: tempdir() }
    }

    /// The runs directory (what `RBX_JOURNAL_DIR` points at).
    pub fn runs(&self) -> PathBuf {
        self.root.path().join("runs")
    }

    /// `rbx ARGS...` with this journal root and a fixed user name.
    pub fn rbx(&self) -> Rbx {
        Rbx::new().env("RBX_JOURNAL_DIR", self.runs()).env("USER", "tester")
    }

    /// `rbx run FIXTURE ARGS...` in a scratch directory.
    pub fn run(&self, fixture: &str, args: &[&str]) -> Outcome {
        let scratch = tempdir();
        self.rbx().arg("run").arg(crate::common::fixture(fixture)).args(args).cwd(scratch.path()).output()
    }

    /// Every run directory, sorted (oldest first: ids start with the time).
    pub fn run_dirs(&self) -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(self.runs()) else { return Vec::new() };
        let mut dirs: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_dir()).collect();
        dirs.sort();
        dirs
    }

    /// The one run directory.
    #[track_caller]
    pub fn only_run(&self) -> PathBuf {
        let dirs = self.run_dirs();
        assert_eq!(dirs.len(), 1, "expected one run in {}: {dirs:?}", self.runs().display());
        dirs[0].clone()
    }
}

/// The run id of a run directory.
pub fn run_id(dir: &Path) -> String {
    dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// `events.jsonl` parsed, one JSON object a line.
#[track_caller]
pub fn events(dir: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(dir.join("events.jsonl")).unwrap_or_else(|e| panic!("events.jsonl: {e}"));
    text.lines().map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))).collect()
}

/// The `event` tags in order.
pub fn tags(events: &[serde_json::Value]) -> Vec<String> {
    events.iter().map(|e| e["event"].as_str().unwrap_or_default().to_owned()).collect()
}

/// Every file below `dir`, with its text.
pub fn all_files(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(all_files(&path));
        } else {
            let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap_or_default()).into_owned();
            out.push((path, text));
        }
    }
    out
}

/// Redactions for reports and JUnit: ids, times, durations, hashes, the machine's name, paths.
pub fn report_filters() -> Vec<(String, String)> {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").map(|h| h.trim().to_owned()).unwrap_or_default();
    let mut filters: Vec<(String, String)> = vec![
        (r"\d{8}T\d{6}Z-[0-9a-f]{6}".into(), "[RUN_ID]".into()),
        (r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?Z".into(), "[TIMESTAMP]".into()),
        (r"\b\d{4}-\d{2}-\d{2}\b".into(), "[DATE]".into()),
        (r"\b\d{2}:\d{2}:\d{2}\b".into(), "[TIME]".into()),
        (r"sha256:[0-9a-f]{64}".into(), "sha256:[HASH]".into()),
        (r#""(duration_ms|pid)": \d+"#.into(), r#""$1": "[N]""#.into()),
        (r#"time="\d+\.\d{3}""#.into(), r#"time="[SECONDS]""#.into()),
        (r"\b\d+(?:ms|\.\d+s|m\d{2}s)\b".into(), "[DURATION]".into()),
        (r#"[^\s"'`(]*/tests/fixtures/run/"#.into(), "[FIXTURES]/".into()),
        (r#"/tmp/[^\s"'`<)]+"#.into(), "[TEMP]".into()),
    ];
    if !host.is_empty() {
        filters.push((format!(r"\b{}\b", regex::escape(&host)), "[HOST]".into()));
    }
    filters
}

/// Snapshots `text` with the report redactions.
#[macro_export]
macro_rules! assert_report_snapshot {
    ($name:expr, $text:expr) => {
        let filters = $crate::journal_support::report_filters();
        let filters: Vec<(&str, &str)> = filters.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        insta::with_settings!({ filters => filters }, {
            insta::assert_snapshot!($name, $text);
        })
    };
}
