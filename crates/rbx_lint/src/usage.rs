//! Which inputs, secrets, connections and captures a runbook reads anywhere.

use std::collections::HashSet;

use rbx_model::{StepKind, Target};
use rbx_template::Template;

use crate::checks::{operand_strings, path_checks, path_names};
use crate::context::FileContext;

/// Names read somewhere in a runbook, by root (`inputs`, `secrets`, `vars`) or as connections.
#[derive(Debug, Default)]
pub struct Usage {
    read: HashSet<(String, String)>,
    connections: HashSet<String>,
    /// A template reads the whole context (`{{json this}}`), so everything counts as read.
    everything: bool,
}

impl Usage {
    /// Collects every read of `cx`'s runbook: templates, check paths, check operands,
    /// connection names, and secrets passed on to nested runbooks.
    pub fn of(cx: &FileContext<'_>) -> Usage {
        let mut usage = Usage::default();
        for site in &cx.templates {
            usage.add_template(site.tpl.template.references());
        }
        for step in cx.runbook.all_steps() {
            for check in path_checks(step) {
                for (root, name) in path_names(check.path.source()) {
                    usage.read.insert((root.to_owned(), name.to_owned()));
                }
                for operand in check.operators.iter().flat_map(operand_strings) {
                    if operand.contains("{{")
                        && let Ok(template) = Template::parse(operand)
                    {
                        usage.add_template(template.references());
                    }
                }
            }
            usage.add_step_target(&step.kind);
            if let StepKind::Runbook(call) = &step.kind {
                // A called runbook gets the caller's secrets of the same name.
                for secret in &call.callee.secrets {
                    usage.read.insert(("secrets".to_owned(), secret.name.value.clone()));
                }
            }
        }
        usage
    }

    fn add_template(&mut self, references: Vec<rbx_template::Reference>) {
        for reference in references {
            if let [root, name, ..] = reference.segments.as_slice() {
                self.read.insert((root.clone(), name.clone()));
            }
            if reference.segments.is_empty() {
                self.everything = true;
            }
            if reference.segments.len() == 1 {
                // `{{json inputs}}` reads every input.
                self.read.insert((reference.segments[0].clone(), "*".to_owned()));
            }
        }
    }

    fn add_step_target(&mut self, kind: &StepKind) {
        let target = match kind {
            StepKind::Http(http) => &http.target,
            StepKind::Sql(sql) => &sql.target,
            StepKind::Redis(redis) => &redis.target,
            _ => return,
        };
        if let Target::Connection(name) = target {
            self.connections.insert(name.value.clone());
        }
    }

    /// Whether `root.name` is read (or the whole `root`).
    pub fn reads(&self, root: &str, name: &str) -> bool {
        let key = |n: &str| (root.to_owned(), n.to_owned());
        self.everything || self.read.contains(&key(name)) || self.read.contains(&key("*"))
    }

    /// Whether a step names the connection.
    pub fn uses_connection(&self, name: &str) -> bool {
        self.connections.contains(name)
    }
}
