//! The loader never panics, hangs or blows up, whatever the input: arbitrary bytes-as-text,
//! YAML-shaped noise built from runbook vocabulary, and mutations of a valid runbook.

use std::time::{Duration, Instant};

use proptest::prelude::*;
use rbx_diagnostics::SourceFile;
use rbx_model::Loader;

const VALID: &str = include_str!("../../../examples/quickstart.yaml");

fn load(text: &str) -> Duration {
    let started = Instant::now();
    let file = SourceFile::new("/nonexistent/prop.yaml", text);
    let loaded = Loader::new().load_source(file);
    // Every diagnostic points inside the text, so rendering it can never go out of bounds.
    for diagnostic in &loaded.diagnostics {
        assert!(diagnostic.span.start <= diagnostic.span.end);
        assert!(diagnostic.span.end <= text.len(), "span past the end: {diagnostic:?}");
    }
    let _ = rbx_diagnostics::render_human(&loaded.file, &loaded.diagnostics, rbx_diagnostics::RenderStyle::Plain);
    started.elapsed()
}

fn vocabulary() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "rbx",
        "id",
        "steps",
        "finally",
        "shell",
        "http",
        "sql",
        "redis",
        "assert",
        "manual",
        "note",
        "wait",
        "runbook",
        "when",
        "expect",
        "capture",
        "retry",
        "until",
        "timeout",
        "for_each",
        "parallel",
        "confirm",
        "path",
        "equals",
        "matches",
        "any",
        "not",
        "inputs",
        "secrets",
        "connections",
        "query",
        "params",
        "command",
        "{{inputs.x}}",
        "{{{raw}}}",
        "{{",
        "}}",
        "$.steps.a",
        "$[",
        "30s",
        "5",
        "-",
        ":",
        "[",
        "]",
        "{",
        "}",
        "&a",
        "*a",
        "<<",
        "'",
        "\"",
        "\n",
        "\n  ",
        "\n    ",
        "\t",
        "#",
        "---",
        "~",
        "null",
        "true",
        "é😀",
        "\\",
    ])
    .prop_map(str::to_owned)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        prop_assert!(load(&text) < Duration::from_secs(2));
    }

    #[test]
    fn yaml_shaped_noise_never_panics(words in prop::collection::vec(vocabulary(), 0..120)) {
        let text: String = words.concat();
        prop_assert!(load(&text) < Duration::from_secs(2));
    }

    #[test]
    fn mutated_runbooks_never_panic(cut in 0usize..VALID.len(), insert in vocabulary(), delete in 0usize..20) {
        let mut text = VALID.to_owned();
        let mut at = cut.min(text.len());
        while !text.is_char_boundary(at) { at -= 1; }
        let mut end = (at + delete).min(text.len());
        while !text.is_char_boundary(end) { end -= 1; }
        text.replace_range(at..end.max(at), &insert);
        prop_assert!(load(&text) < Duration::from_secs(2));
    }
}

#[test]
fn alias_bomb_is_refused_in_milliseconds() {
    let mut text = String::from("rbx: 1\nid: bomb\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..12 {
        let p = i - 1;
        text.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"));
    }
    text.push_str("steps: *a11\n");
    let file = SourceFile::new("bomb.yaml", text);
    let started = Instant::now();
    let loaded = Loader::new().load_source(file);
    assert!(started.elapsed() < Duration::from_millis(500), "took {:?}", started.elapsed());
    assert_eq!(loaded.diagnostics[0].code.id, "E012");
}

#[test]
fn deep_nesting_is_refused() {
    for text in [format!("rbx: 1\nsteps: {}{}\n", "[".repeat(10_000), "]".repeat(10_000)), {
        let mut t = String::from("rbx: 1\n");
        for depth in 0..200 {
            t.push_str(&"  ".repeat(depth));
            t.push_str("k:\n");
        }
        t
    }] {
        let loaded = Loader::new().load_source(SourceFile::new("deep.yaml", text));
        assert!(loaded.runbook.is_none());
        assert!(
            loaded.diagnostics.iter().any(|d| d.code.id == "E011" || d.code.id == "E010"),
            "{:?}",
            loaded.diagnostics
        );
    }
}
