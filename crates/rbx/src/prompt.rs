//! The command line's answers to `confirm:` and `manual` steps: `--yes`, `--answer`, a prompt
//! at a terminal, or a decline / pending when there is no one to ask (so a run in CI never
//! hangs on a question).

use std::io::{BufRead, IsTerminal, Write};

use rbx_exec::confirm::{Acknowledgement, ConfirmRequest, Confirmation, Confirmer, ManualRequest};
use rbx_model::Ask;
use serde_json::{Map, Value};

/// Times a value is asked for again after an answer its `ask` refuses.
const ASK_TRIES: usize = 3;

/// How this invocation answers.
#[derive(Debug)]
pub struct TerminalConfirmer {
    /// `--yes`: confirm everything, recorded as automatic.
    pub assume_yes: bool,
    /// Who answers, for the record.
    pub user: String,
}

impl Confirmer for TerminalConfirmer {
    fn confirm(&self, request: &ConfirmRequest) -> Confirmation {
        if self.assume_yes {
            return Confirmation::Confirmed { by: self.user.clone(), automatic: true };
        }
        if !std::io::stdin().is_terminal() {
            return Confirmation::Declined { reason: "no terminal to ask and no --yes".to_owned() };
        }
        let mut stderr = std::io::stderr().lock();
        let _ = write!(stderr, "? {} [y/N] ", request.question);
        let _ = stderr.flush();
        let mut answer = String::new();
        match std::io::stdin().lock().read_line(&mut answer) {
            Ok(0) | Err(_) => Confirmation::Declined { reason: "no answer".to_owned() },
            Ok(_) => match answer.trim().to_ascii_lowercase().as_str() {
                "y" | "yes" => Confirmation::Confirmed { by: self.user.clone(), automatic: false },
                "" => Confirmation::Declined { reason: "answered no (the default)".to_owned() },
                other => Confirmation::Declined { reason: format!("answered `{other}`") },
            },
        }
    }

    fn acknowledge(&self, request: &ManualRequest) -> Acknowledgement {
        let mut answers = request.answers.clone();
        let terminal = std::io::stdin().is_terminal();
        if !terminal || self.assume_yes {
            for ask in &request.asks {
                if let (false, Some(default)) = (answers.contains_key(&ask.name.value), &ask.spec.default) {
                    answers.insert(ask.name.value.clone(), default.clone());
                }
            }
        }
        let missing: Vec<&Ask> = request.asks.iter().filter(|ask| !answers.contains_key(&ask.name.value)).collect();
        if !terminal {
            return self.without_terminal(request, answers, &missing);
        }
        let mut stderr = std::io::stderr().lock();
        for ask in missing {
            match ask_value(&mut stderr, ask) {
                Some(value) => {
                    answers.insert(ask.name.value.clone(), value);
                }
                None => return Acknowledgement::Pending { reason: format!("no answer for `{}`", ask.name.value) },
            }
        }
        if self.assume_yes {
            return Acknowledgement::Done { by: self.user.clone(), automatic: true, answers };
        }
        let _ = write!(stderr, "? done with `{}`? [y/N] ", request.step_id);
        let _ = stderr.flush();
        match read_line().as_deref().map(str::to_ascii_lowercase).as_deref() {
            Some("y" | "yes") => Acknowledgement::Done { by: self.user.clone(), automatic: false, answers },
            Some("") => Acknowledgement::Pending { reason: "not done yet (answered no, the default)".to_owned() },
            Some(other) => Acknowledgement::Pending { reason: format!("not done yet (answered `{other}`)") },
            None => Acknowledgement::Pending { reason: "no answer".to_owned() },
        }
    }
}

impl TerminalConfirmer {
    /// No one at a terminal: `--yes` acknowledges, and so do answers given with `--answer`
    /// for every value asked (the person gave them on the command line); otherwise pending.
    fn without_terminal(
        &self,
        request: &ManualRequest,
        answers: Map<String, Value>,
        missing: &[&Ask],
    ) -> Acknowledgement {
        if !missing.is_empty() {
            let names: Vec<String> = missing.iter().map(|ask| format!("--answer {}=VALUE", ask.name.value)).collect();
            return Acknowledgement::Pending { reason: format!("no terminal to ask: pass {}", names.join(" ")) };
        }
        if self.assume_yes {
            return Acknowledgement::Done { by: self.user.clone(), automatic: true, answers };
        }
        if !request.answers.is_empty() {
            return Acknowledgement::Done { by: self.user.clone(), automatic: false, answers };
        }
        Acknowledgement::Pending { reason: "no terminal to ask and no --yes".to_owned() }
    }
}

/// Asks for one value until its `ask` accepts it (a few tries); `None` when stdin ends.
fn ask_value(stderr: &mut impl Write, ask: &Ask) -> Option<Value> {
    let spec = &ask.spec;
    let mut hint = vec![spec.value_type.as_str().to_owned()];
    if !spec.choices.is_empty() {
        let choices: Vec<String> = spec.choices.iter().map(display_value).collect();
        hint.push(format!("one of {}", choices.join(", ")));
    }
    if let Some(pattern) = &spec.pattern {
        hint.push(format!("matching {}", pattern.source()));
    }
    if let Some(default) = &spec.default {
        hint.push(format!("default {}", display_value(default)));
    }
    for _ in 0..ASK_TRIES {
        let _ = write!(stderr, "? {} ({}): ", ask.name.value, hint.join(", "));
        let _ = stderr.flush();
        let line = read_line()?;
        if line.is_empty()
            && let Some(default) = &spec.default
        {
            return Some(default.clone());
        }
        match rbx_model::values::from_text(&line, spec) {
            Ok(value) => return Some(value),
            Err(problem) => {
                let _ = writeln!(stderr, "  {problem}");
            }
        }
    }
    None
}

fn display_value(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// One line of stdin without its end; `None` at end of input or on an error.
fn read_line() -> Option<String> {
    let mut line = String::new();
    match std::io::stdin().lock().read_line(&mut line) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(line.trim().to_owned()),
    }
}
