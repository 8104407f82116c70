//! `shell` steps: rendered with shell-word quoting, run in their own process group.

use std::time::Duration;

use rbx_model::{ShellStep, Step};
use rbx_template::Destination;
use serde_json::{Map, Value, json};

use super::{Attempt, announce};
use crate::engine::{Engine, Scope};
use crate::events::{OutputStream, RunEvent};
use crate::masking::{Masker, MaskingStream};
use crate::process::{Ended, ShellCommand, Stream, run_shell};

pub(crate) async fn execute(
    engine: &Engine<'_>,
    scope: Scope<'_>,
    step: &Step,
    shell: &ShellStep,
    number: u32,
    timeout: Option<Duration>,
) -> Attempt {
    let context = scope.context;
    let script = match engine.renderer.render_text(&shell.run.template, Destination::ShellWord, context) {
        Ok(script) => script,
        Err(error) => return Attempt::failed(format!("template: {error}")),
    };
    let mut env = Vec::with_capacity(shell.env.len());
    for (name, value) in &shell.env {
        match engine.renderer.render_text(&value.template, Destination::Text, context) {
            Ok(value) => env.push((name.clone(), value)),
            Err(error) => return Attempt::failed(format!("template in env `{name}`: {error}")),
        }
    }
    let cwd = match &shell.cwd {
        Some(cwd) => match engine.renderer.render_text(&cwd.template, Destination::Text, context) {
            Ok(cwd) => Some(cwd.into()),
            Err(error) => return Attempt::failed(format!("template in cwd: {error}")),
        },
        None => None,
    };
    let program = shell.shell.or(engine.runbook().defaults.shell).unwrap_or_default();
    announce(engine, scope, step, number, Some(script.clone()));
    let command = ShellCommand {
        program: program.as_str().to_owned(),
        script,
        env,
        cwd,
        timeout,
        // Keep enough past the cap to mask a secret that straddles it, then cut (below).
        output_cap: engine.options.output_cap + engine.masker.longest(),
        watchdog: engine.options.watchdog.clone(),
    };

    let stream_output = engine.options.stream_output;
    let step_id = step.id.value.clone();
    let mut streams = [MaskingStream::new(engine.masker.clone()), MaskingStream::new(engine.masker.clone())];
    let emit = |stream: OutputStream, bytes: Vec<u8>| {
        if !bytes.is_empty() {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            engine.emit(&RunEvent::Output { step_id: step_id.clone(), item: scope.item, stream, text });
        }
    };
    let mut on_chunk = |stream: Stream, chunk: &[u8]| {
        if stream_output {
            let (index, kind) = match stream {
                Stream::Stdout => (0, OutputStream::Stdout),
                Stream::Stderr => (1, OutputStream::Stderr),
            };
            let safe = streams[index].push(chunk);
            emit(kind, safe);
        }
    };
    let mut cancel = engine.cancel.clone();
    let outcome = run_shell(&command, &mut on_chunk, &mut cancel).await;
    if stream_output {
        let [out, err] = &mut streams;
        emit(OutputStream::Stdout, out.finish());
        emit(OutputStream::Stderr, err.finish());
    }
    let output = match outcome {
        Ok(output) => output,
        Err(error) => return Attempt::failed(error.to_string()),
    };
    let cap = engine.options.output_cap;
    let (stdout, stdout_cut) = masked_and_capped(&engine.masker, &output.stdout, cap);
    let (stderr, stderr_cut) = masked_and_capped(&engine.masker, &output.stderr, cap);
    let stdout_truncated = output.stdout_truncated || stdout_cut;
    let stderr_truncated = output.stderr_truncated || stderr_cut;
    let mut result = Map::new();
    result.insert("exit_code".into(), json!(output.exit_code));
    if let Some(json) = parse_json(&stdout) {
        result.insert("json".into(), json);
    }
    result.insert("stdout".into(), json!(stdout));
    result.insert("stderr".into(), json!(stderr));
    if let Some(signal) = output.signal {
        result.insert("signal".into(), json!(signal));
    }
    if stdout_truncated || stderr_truncated {
        result.insert(
            "truncated".into(),
            json!({ "stdout": stdout_truncated, "stderr": stderr_truncated, "cap_bytes": cap }),
        );
    }
    let (error, cancelled) = match output.ended {
        Ended::Exited => (None, false),
        Ended::TimedOut => (
            Some(format!(
                "timed out after {} (process group killed)",
                rbx_model::format_duration(timeout.unwrap_or_default())
            )),
            false,
        ),
        Ended::Cancelled => (Some("interrupted (process group killed)".to_owned()), true),
    };
    Attempt { result, error, cancelled, ..Attempt::default() }
}

/// Output as the result keeps it: masked first (a secret cut by the cap would no longer be
/// recognised), then cut to `cap` bytes on a character boundary; true when it was cut.
fn masked_and_capped(masker: &Masker, bytes: &[u8], cap: usize) -> (String, bool) {
    let mut text = masker.mask_str(&String::from_utf8_lossy(bytes)).into_owned();
    if text.len() <= cap {
        return (text, false);
    }
    let mut end = cap;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    (text, true)
}

fn parse_json(stdout: &str) -> Option<Value> {
    let trimmed = stdout.trim();
    if trimmed.is_empty() {
        return None;
    }
    serde_json::from_str(trimmed).ok()
}
