//! Whether output goes to a person: colour and live progress only then.

use std::io::IsTerminal;

use rbx_diagnostics::RenderStyle;

/// Colour for stdout: a terminal and no `NO_COLOR`.
pub fn stdout_style() -> RenderStyle {
    style_for(std::io::stdout().is_terminal())
}

/// Colour for stderr: a terminal and no `NO_COLOR`.
pub fn stderr_style() -> RenderStyle {
    style_for(std::io::stderr().is_terminal())
}

fn style_for(is_terminal: bool) -> RenderStyle {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    if is_terminal && !no_color { RenderStyle::Styled } else { RenderStyle::Plain }
}

/// Prints an error of the command line itself (not of a runbook) in one consistent shape.
pub fn usage_error(message: &str, help: Option<&str>) {
    eprintln!("error: {message}");
    if let Some(help) = help {
        eprintln!("  = help: {help}");
    }
}
