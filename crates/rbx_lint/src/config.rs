//! `.rbx.toml`: rule levels per repository, and `--deny`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rbx_diagnostics::{Diagnostic, Severity};
use serde::Deserialize;

use crate::registry;

/// The name of the configuration file looked for from the current directory upwards.
pub const CONFIG_FILE_NAME: &str = ".rbx.toml";

/// Why a configuration could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read `{path}`: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML or has unknown keys.
    #[error("invalid `{path}`: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What the TOML parser said.
        message: String,
    },
    /// A rule code or name that is not a rule.
    #[error("unknown rule `{0}` (see `rbx lint --explain CODE` and docs/rules.md)")]
    UnknownRule(String),
}

/// The level a rule is set to: a severity, or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The rule does not run.
    Off,
    /// Reported as a note.
    Note,
    /// Reported as a warning.
    Warning,
    /// Reported as an error (fails `rbx lint`).
    Error,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    lint: LintSection,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct LintSection {
    #[serde(default)]
    rules: HashMap<String, Level>,
    #[serde(default)]
    deny: Vec<String>,
}

/// What `--deny` and `deny = [...]` make fail: every warning, or one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deny {
    /// Every warning becomes an error.
    Warnings,
    /// This rule's diagnostics become errors.
    Rule(&'static str),
}

impl Deny {
    /// Reads `warnings`, a rule code or a rule name.
    pub fn parse(text: &str) -> Result<Deny, ConfigError> {
        if text == "warnings" {
            return Ok(Deny::Warnings);
        }
        registry::find(text)
            .map(|rule| Deny::Rule(rule.code.id))
            .ok_or_else(|| ConfigError::UnknownRule(text.to_owned()))
    }
}

/// Rule levels and denials, from `.rbx.toml` and the command line.
#[derive(Debug, Clone, Default)]
pub struct Config {
    levels: HashMap<&'static str, Level>,
    deny: Vec<Deny>,
    /// The file it was read from, if any.
    pub path: Option<PathBuf>,
}

impl Config {
    /// Parses the text of a configuration file.
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let file: ConfigFile = toml::from_str(text)
            .map_err(|error| ConfigError::Parse { path: path.to_path_buf(), message: error.message().to_owned() })?;
        let mut config = Config { path: Some(path.to_path_buf()), ..Config::default() };
        for (key, level) in file.lint.rules {
            let rule = registry::find(&key).ok_or(ConfigError::UnknownRule(key))?;
            config.levels.insert(rule.code.id, level);
        }
        for deny in &file.lint.deny {
            config.deny.push(Deny::parse(deny)?);
        }
        Ok(config)
    }

    /// Reads a configuration file.
    pub fn read(path: &Path) -> Result<Config, ConfigError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.to_path_buf(), source })?;
        Config::parse(path, &text)
    }

    /// The `.rbx.toml` in `start` or the nearest directory above it, if there is one.
    pub fn discover(start: &Path) -> Option<PathBuf> {
        start.ancestors().map(|dir| dir.join(CONFIG_FILE_NAME)).find(|candidate| candidate.is_file())
    }

    /// Adds a denial (`--deny`).
    pub fn deny(&mut self, deny: Deny) {
        self.deny.push(deny);
    }

    /// Whether the rule runs at all.
    pub fn enabled(&self, code: &str) -> bool {
        self.levels.get(code) != Some(&Level::Off)
    }

    /// Applies the configured level and denials to a rule's diagnostic.
    pub fn apply(&self, mut diagnostic: Diagnostic) -> Diagnostic {
        match self.levels.get(diagnostic.code.id) {
            Some(Level::Note) => diagnostic.severity = Severity::Note,
            Some(Level::Warning) => diagnostic.severity = Severity::Warning,
            Some(Level::Error) => diagnostic.severity = Severity::Error,
            Some(Level::Off) | None => {}
        }
        let denied = self.deny.iter().any(|deny| match deny {
            Deny::Warnings => diagnostic.severity == Severity::Warning,
            Deny::Rule(code) => *code == diagnostic.code.id,
        });
        if denied {
            diagnostic.severity = Severity::Error;
        }
        diagnostic
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rbx_diagnostics::Span;

    #[test]
    fn levels_and_denials_apply() {
        let text = "[lint]\ndeny = [\"W211\"]\n[lint.rules]\nI245 = \"off\"\nraw-template-in-sql = \"error\"\nW213 = \"note\"\n";
        let config = Config::parse(Path::new(".rbx.toml"), text).map_err(|e| e.to_string());
        let Ok(mut config) = config else { panic!("{config:?}") };
        assert!(!config.enabled("I245"));
        assert!(config.enabled("W213"));
        let at = |code| Diagnostic::new(code, Span::point(0), "x");
        let rules = crate::rules::raw_template_in_sql::CODE;
        assert_eq!(config.apply(at(rules)).severity, Severity::Error);
        assert_eq!(config.apply(at(crate::rules::template_in_quotes::CODE)).severity, Severity::Note);
        assert_eq!(config.apply(at(crate::rules::raw_template_in_shell::CODE)).severity, Severity::Error);
        config.deny(Deny::Warnings);
        assert_eq!(config.apply(at(crate::rules::missing_metadata::CODE)).severity, Severity::Error);
    }

    #[test]
    fn unknown_rules_and_keys_are_refused() {
        let unknown = Config::parse(Path::new("c"), "[lint.rules]\nW999 = \"off\"\n").map_err(|e| e.to_string());
        assert_eq!(
            unknown.err().as_deref(),
            Some("unknown rule `W999` (see `rbx lint --explain CODE` and docs/rules.md)")
        );
        assert!(Config::parse(Path::new("c"), "[lint]\nrule = 1\n").is_err());
        assert!(Config::parse(Path::new("c"), "[lint.rules]\nW211 = \"loud\"\n").is_err());
        assert!(Deny::parse("warnings").is_ok() && Deny::parse("nope").is_err());
    }
}
