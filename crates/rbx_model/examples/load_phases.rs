//! Where loading a runbook spends its time: `cargo run --release -p rbx_model --example load_phases -- FILE`.

use std::time::Instant;
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
    drop(parsed);
    let t = Instant::now();
    let loaded = rbx_model::Loader::new().load_source(file);
    let load = t.elapsed();
    let t = Instant::now();
    drop(loaded);
    let dropped = t.elapsed();
    eprintln!(
        "read {read:?}; saphyr events only ({events}): {events_t:?}; events + node tree: {parse:?}; full load: {load:?}; drop: {dropped:?}"
    );
}
