//! Diagnostics as one SARIF 2.1.0 log, for code scanning (GitHub uploads it with
//! `github/codeql-action/upload-sarif`). Own serde structs: only the part of SARIF rbx fills.
//!
//! Columns count UTF-16 code units (`columnKind: utf16CodeUnits`, SARIF's default), lines are
//! 1-based, and every code that occurs is described under `tool.driver.rules`.

use rbx_diagnostics::{Code, Diagnostic, Severity, SourceFile};
use serde::Serialize;

use crate::diagnostics::FileDiagnostics;

/// Where the SARIF 2.1.0 schema lives (the `$schema` of every log).
pub const SARIF_SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The project's home (the workspace's `repository`): the SARIF tool's `informationUri`, and
/// the base of each rule's `helpUri`.
pub const REPOSITORY: &str = env!("CARGO_PKG_REPOSITORY");

/// The documentation page of a code, given its id and name: the rules page for lint rules, the
/// diagnostics page for load codes.
pub type HelpUri = fn(&Code) -> String;

/// Renders every file's diagnostics as one SARIF log. `full_description` gives each code's
/// long text (a rule's documentation), `help_uri` its page.
pub fn render_sarif(files: &[FileDiagnostics], full_description: fn(&Code) -> String, help_uri: HelpUri) -> String {
    let mut codes: Vec<Code> = Vec::new();
    for diagnostic in files.iter().flat_map(|f| &f.diagnostics) {
        if !codes.iter().any(|c| c.id == diagnostic.code.id) {
            codes.push(diagnostic.code);
        }
    }
    codes.sort_by_key(|c| (&c.id[1..], c.id));
    let rules = codes
        .iter()
        .map(|code| ReportingDescriptor {
            id: code.id,
            name: code.name,
            short_description: Message { text: summary(code.explanation) },
            full_description: Message { text: full_description(code) },
            help: Message { text: full_description(code) },
            help_uri: help_uri(code),
            default_configuration: Configuration { level: level(code.severity) },
        })
        .collect();
    let codes = &codes;
    let results = files.iter().flat_map(|f| f.diagnostics.iter().map(move |d| result(&f.file, d, codes))).collect();
    let log = Log {
        schema: SARIF_SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver { name: "rbx", version: env!("CARGO_PKG_VERSION"), information_uri: REPOSITORY, rules },
            },
            column_kind: "utf16CodeUnits",
            results,
        }],
    };
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}

fn result(file: &SourceFile, diagnostic: &Diagnostic, codes: &[Code]) -> SarifResult {
    let start = file.line_col(diagnostic.span.start);
    let end = file.line_col(diagnostic.span.end);
    let mut text = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    SarifResult {
        rule_id: diagnostic.code.id,
        rule_index: codes.iter().position(|c| c.id == diagnostic.code.id).unwrap_or(0),
        level: level(diagnostic.severity),
        message: Message { text },
        locations: vec![Location {
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation { uri: uri(file) },
                region: Region {
                    start_line: start.line,
                    start_column: start.column_utf16,
                    end_line: end.line,
                    end_column: end.column_utf16,
                },
            },
        }],
    }
}

/// A relative path as a URI reference: `/` separators, spaces and `%` percent-encoded.
fn uri(file: &SourceFile) -> String {
    let path = file.path().to_string_lossy().replace('\\', "/");
    let path = path.strip_prefix("./").unwrap_or(&path);
    path.replace('%', "%25").replace(' ', "%20").replace('#', "%23").replace('?', "%3F")
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// The first paragraph of an explanation, on one line.
fn summary(explanation: &str) -> String {
    let first = explanation.trim_start().split("\n\n").next().unwrap_or("");
    first.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    column_kind: &'static str,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    information_uri: &'static str,
    rules: Vec<ReportingDescriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: &'static str,
    name: &'static str,
    short_description: Message,
    full_description: Message,
    help: Message,
    help_uri: String,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Message,
    locations: Vec<Location>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

#[cfg(test)]
mod tests {
    use super::*;
    use rbx_diagnostics::{Span, codes};

    #[test]
    fn columns_count_utf16_units_and_rules_are_listed_once() {
        let file = SourceFile::new("dir/a b.yaml", "title: \"😀 x\"\nkey: 1\n");
        let x = file.text().find('x').unwrap_or(0);
        let diagnostics = vec![
            Diagnostic::new(codes::UNKNOWN_KEY, Span::new(x, x + 1), "one"),
            Diagnostic::new(codes::UNKNOWN_KEY, Span::new(14, 17), "two").with_help("fix it"),
        ];
        let text = render_sarif(
            &[FileDiagnostics { file, diagnostics }],
            |code| code.explanation.to_owned(),
            |code| format!("https://example.invalid/{}", code.id),
        );
        let log: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        let run = &log["runs"][0];
        assert_eq!(run["tool"]["driver"]["rules"].as_array().map(Vec::len), Some(1));
        let region = &run["results"][0]["locations"][0]["physicalLocation"]["region"];
        // `title: "` is 8 units, the emoji 2, the space 1: x is the 12th unit.
        assert_eq!(region["startColumn"], 12);
        assert_eq!(run["results"][1]["message"]["text"], "two\nhelp: fix it");
        assert_eq!(run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "dir/a%20b.yaml");
    }
}
