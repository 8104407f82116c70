//! Rendering cost: 10,000 step templates against a run context holding a 1 MB step result.
//!
//! `cargo bench -p rbx_template` prints the time for parsing and for rendering; the budget
//! for a 10,000-step runbook is well under 0.3 s in total.

use std::hint::black_box;
use std::time::Instant;

use rbx_template::{Destination, Renderer, Template};
use serde_json::{Value, json};

fn context() -> Value {
    let hosts: Vec<Value> =
        (0..20_000).map(|i| json!({"id": i, "name": format!("host-{i:06}-padding-padding")})).collect();
    json!({
        "inputs": {"host": "db-1.internal", "sample": 100, "api_base": "https://api.example.com/v1"},
        "secrets": {"api_key": "k"},
        "vars": {"reason": "disk full", "list": ["a", "b", "c"]},
        "steps": {"big": {"json": hosts}, "users": {"json": {"items": [{"id": 1}, {"id": 2}]}}},
        "run": {"id": "r-1"}
    })
}

const SOURCES: &[(&str, Destination)] = &[
    ("nslookup {{inputs.host}}", Destination::ShellWord),
    ("/users/{{inputs.sample}}", Destination::UrlComponent),
    ("Bearer {{secrets.api_key}}", Destination::Text),
    ("{{steps.big.json.19999.name}} has {{len steps.big.json}} hosts", Destination::Text),
    ("{{#each vars.list}}{{this}} {{/each}}", Destination::ShellWord),
    (r#"{{join (jsonpath steps.users.json "$.items[*].id") ","}}"#, Destination::Text),
    ("plain text with no expressions", Destination::Text),
];

/// Time to parse 10,000 templates cycling through `sources`.
fn parse_time(sources: &[&str]) -> std::time::Duration {
    let started = Instant::now();
    for i in 0..10_000 {
        let _ = black_box(Template::parse(sources[i % sources.len()]));
    }
    started.elapsed()
}

fn main() {
    let plain = parse_time(&["nslookup {{inputs.host}}", "{{inputs.api_base}}/users/{{vars.id}}", "plain"]);
    let full = parse_time(&["{{len steps.big.json}}", "{{#each vars.list}}{{this}}{{/each}}"]);
    println!("parse 10000: plain paths {plain:?}, helpers and blocks {full:?}");
    let context = context();
    let size = serde_json::to_string(&context).map_or(0, |text| text.len());
    let started = Instant::now();
    let templates: Vec<(Template, Destination)> = (0..10_000)
        .filter_map(|i| {
            let (source, destination) = SOURCES[i % SOURCES.len()];
            Template::parse(source).ok().map(|template| (template, destination))
        })
        .collect();
    let parsed = started.elapsed();
    let renderer = Renderer::new();
    let started = Instant::now();
    let mut bytes = 0;
    for (template, destination) in &templates {
        if let Ok(text) = renderer.render_text(template, *destination, black_box(&context)) {
            bytes += text.len();
        }
    }
    let rendered = started.elapsed();
    println!("context {size} bytes; parse 10000 templates: {parsed:?}; render 10000: {rendered:?} ({bytes} bytes out)");
}
