//! Where loading a runbook spends its time: `cargo run --release -p rbx_model --example load_phases -- FILE`.

use std::time::Instant;
/// Peak and current resident memory, from /proc (Linux).
fn memory() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status.lines().find(|l| l.starts_with(name)).map(|l| l[name.len()..].trim().to_owned()).unwrap_or_default()
    };
    format!("(rss {}, peak {})", field("VmRSS:"), field("VmHWM:"))
}

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: load_phases FILE");
        std::process::exit(2);
    };
    let t = Instant::now();
    let file = match rbx_syntax::read_source(std::path::Path::new(&path)) {
        Ok(file) => file,
        Err(error) => {
            eprintln!("{}", error.message);
            std::process::exit(2);
        }
    };
    let read = t.elapsed();
    let t = Instant::now();
    let events = saphyr_parser::Parser::new_from_str(file.text()).count();
    let events_t = t.elapsed();
    let t = Instant::now();
    let parsed = rbx_syntax::parse(&file);
    let parse = t.elapsed();
    eprintln!("after the node tree {}", memory());
    drop(parsed);
    let t = Instant::now();
    let loaded = rbx_model::Loader::new().load_source(file);
    let load = t.elapsed();
    eprintln!("after the full load {}", memory());
    let t = Instant::now();
    drop(loaded);
    let dropped = t.elapsed();
    eprintln!(
        "read {read:?}; saphyr events only ({events}): {events_t:?}; events + node tree: {parse:?}; full load: {load:?}; drop: {dropped:?}"
    );
}
