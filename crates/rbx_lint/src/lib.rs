//! Lint rules for runbooks that load: one rule per file in `rules/`, each with a stable code
//! (`E2xx` errors, `W2xx` warnings, `I2xx` notes), a default level and its documentation in
//! its doc comment (which `--explain` and `docs/rules.md` show).
//!
//! [`lint`] runs every enabled rule over the runbooks of one run, then applies
//! `# rbx-lint: ignore CODE` comments and the levels of `.rbx.toml` ([`Config`]).

#![warn(missing_docs)]

pub mod checks;
pub mod config;
pub mod context;
pub mod docs;
mod linter;
pub mod registry;
pub mod rule;
mod rules;
pub mod sites;
pub mod suppress;
pub mod usage;

pub use config::{CONFIG_FILE_NAME, Config, ConfigError, Deny, Level};
pub use docs::{explain, rules_markdown};
pub use linter::{LintOptions, lint};
pub use registry::{RULES, find};
pub use rule::Rule;
