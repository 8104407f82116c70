//! `rbx run --dry-run` for a person: each step with what it would do, indented under it.

use std::io::Write;

use rbx_exec::plan::PlannedStep;

/// Writes the plan; `header` is the runbook's id and title.
pub fn write_plan(out: &mut impl Write, header: (&str, &str), steps: &[PlannedStep]) -> std::io::Result<()> {
    writeln!(out, "dry run of {}: {} (nothing is run)", header.0, header.1)?;
    let mut in_finally = false;
    for (number, step) in steps.iter().enumerate() {
        if step.step.in_finally && !in_finally {
            in_finally = true;
            writeln!(out, "finally:")?;
        }
        let phase = step.step.phase.map(|p| format!(" [{p}]")).unwrap_or_default();
        let title = step.step.title.as_deref().map(|t| format!(" — {t}")).unwrap_or_default();
        writeln!(out, "{:>3}. {} ({}){phase}{title}", number + 1, step.step.id, step.step.kind)?;
        if let Some(items) = &step.for_each {
            writeln!(out, "     for {items}")?;
        }
        if let Some(when) = &step.when {
            writeln!(out, "     only if {when}")?;
        }
        if let Some(question) = &step.confirm {
            writeln!(out, "     asks first: {question}")?;
        }
        for action in &step.actions {
            let item = action.item.map(|index| format!("[{index}] ")).unwrap_or_default();
            for (line_number, line) in action.lines.iter().enumerate() {
                let lead = if line_number == 0 { item.clone() } else { " ".repeat(item.len()) };
                let indented = line.replace('\n', &format!("\n       {}", " ".repeat(lead.len())));
                writeln!(out, "     {lead}{indented}")?;
            }
        }
        if step.more_items > 0 {
            writeln!(out, "     … and {} more items", step.more_items)?;
        }
    }
    Ok(())
}
