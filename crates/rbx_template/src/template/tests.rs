use super::*;
use crate::{Destination, Renderer, TemplateErrorKind};
use proptest::prelude::*;
use serde_json::json;

fn parse(source: &str) -> Template {
    match Template::parse(source) {
        Ok(template) => template,
        Err(error) => panic!("{source:?} should parse: {error}"),
    }
}

fn parse_error(source: &str) -> TemplateError {
    match Template::parse(source) {
        Ok(_) => panic!("{source:?} should not parse"),
        Err(error) => error,
    }
}

/// Kind, line and column of a parse error.
fn failure(source: &str) -> (TemplateErrorKind, usize, usize) {
    let error = parse_error(source);
    (error.kind, error.line, error.column)
}

fn segments(template: &Template) -> Vec<String> {
    template.references().iter().map(Reference::dotted).collect()
}

#[test]
fn text_without_expressions_is_literal() {
    for source in ["", "plain text", "echo } { }} {", "multi\nline"] {
        let template = parse(source);
        assert!(template.is_literal(), "{source:?}");
        assert!(!template.single_expression());
        assert!(template.references().is_empty());
        assert_eq!(template.source(), source);
    }
}

#[test]
fn escaped_or_commented_braces_are_not_literal() {
    assert!(!parse(r"\{{x}}").is_literal());
    assert!(!parse("{{! note }}").is_literal());
    assert!(parse(r"\{{x}}").references().is_empty());
}

#[test]
fn single_expression_is_exactly_one_expression() {
    for source in ["{{x}}", "{{{x}}}", "{{~x~}}", "{{add 1 2}}", "{{steps.a.json.items}}", "{{&x}}"] {
        assert!(parse(source).single_expression(), "{source:?}");
        assert!(!parse(source).is_literal());
    }
    for source in [" {{x}}", "{{x}} ", "a{{x}}", "{{x}}{{y}}", "{{#if a}}b{{/if}}", "{{! c }}{{x}}"] {
        assert!(!parse(source).single_expression(), "{source:?}");
    }
}

#[test]
fn references_split_paths_into_segments() {
    let template = parse("{{steps.check_db.json.items}} {{steps.a.[0]}} {{steps.a.0.id}} {{a/b}}");
    assert_eq!(segments(&template), ["steps.check_db.json.items", "steps.a.0", "steps.a.0.id", "a.b"]);
    let bracketed = parse("{{steps.a.[odd key]}}").references();
    assert_eq!(bracketed[0].segments, ["steps", "a", "odd key"]);
}

#[test]
fn references_carry_position_and_raw_flag() {
    let template = parse("echo {{inputs.host}}\n  {{{vars.table}}}");
    let references = template.references();
    assert_eq!(references.len(), 2);
    let (host, table) = (&references[0], &references[1]);
    assert_eq!((host.offset, host.line, host.column, host.raw), (5, 1, 6, false));
    assert_eq!((table.offset, table.line, table.column, table.raw), (23, 2, 3, true));
    assert!(!host.allows_missing);
}

#[test]
fn references_include_helper_arguments_and_subexpressions() {
    let template = parse(r#"{{join vars.list ","}} {{json (jsonpath steps.users.json "$.items[*].id")}}"#);
    assert_eq!(segments(&template), ["vars.list", "steps.users.json"]);
    let template = parse("{{add (mul inputs.a 2) (len vars.b)}}");
    assert_eq!(segments(&template), ["inputs.a", "vars.b"]);
}

#[test]
fn default_and_if_allow_missing() {
    let template = parse(r#"{{default vars.x "none"}} {{default "a" vars.y}}"#);
    let flags: Vec<_> = template.references().iter().map(|r| (r.dotted(), r.allows_missing)).collect();
    assert_eq!(flags, [("vars.x".to_owned(), true), ("vars.y".to_owned(), false)]);
    let template = parse("{{#if vars.flag}}{{vars.a}}{{else}}{{vars.b}}{{/if}}{{#unless vars.c}}{{/unless}}");
    let flags: Vec<_> = template.references().iter().map(|r| (r.dotted(), r.allows_missing)).collect();
    assert_eq!(
        flags,
        [
            ("vars.flag".to_owned(), true),
            ("vars.a".to_owned(), false),
            ("vars.b".to_owned(), false),
            ("vars.c".to_owned(), true)
        ]
    );
}

#[test]
fn references_inside_blocks_skip_item_relative_paths() {
    let template = parse(
        "{{#each steps.hosts.json.items as |host i|}}{{name}} {{host.ip}} {{i}} {{@index}} \
         {{@root.vars.x}} {{../vars.y}} {{this}}{{/each}}{{#with inputs.cfg}}{{port}}{{/with}}",
    );
    assert_eq!(segments(&template), ["steps.hosts.json.items", "vars.x", "vars.y", "inputs.cfg"]);
}

#[test]
fn this_at_the_top_reads_the_whole_context() {
    let references = parse("{{this}}").references();
    assert_eq!(references.len(), 1);
    assert!(references[0].segments.is_empty());
    assert_eq!(segments(&parse("{{this.inputs.a}} {{./vars.b}}")), ["inputs.a", "vars.b"]);
}

#[test]
fn unclosed_expression_points_at_its_opening() {
    assert_eq!(failure("echo {{x"), (TemplateErrorKind::UnclosedExpression, 1, 6));
    assert_eq!(failure("a\nb {{x.y }"), (TemplateErrorKind::UnclosedExpression, 2, 3));
    assert_eq!(failure("{{a {{b}}"), (TemplateErrorKind::UnclosedExpression, 1, 1));
    assert_eq!(failure("ok {{{x}}"), (TemplateErrorKind::UnclosedExpression, 1, 4));
    let error = parse_error("echo {{x");
    assert_eq!(error.offset, 5);
    assert_eq!(error.to_string(), "unclosed `{{` at line 1, column 6");
    assert_eq!(error.message(), "unclosed `{{`");
}

#[test]
fn unclosed_and_mismatched_blocks() {
    assert_eq!(failure("x\n{{#if a}}y"), (TemplateErrorKind::UnclosedBlock("if".into()), 2, 1));
    assert_eq!(failure("{{#each a}}{{#if b}}{{/if}}"), (TemplateErrorKind::UnclosedBlock("each".into()), 1, 1));
    let (kind, line, column) = failure("{{#if a}}x{{/each}}");
    assert_eq!(kind, TemplateErrorKind::MismatchedClose { open: "if".into(), close: "each".into() });
    assert_eq!((line, column), (1, 11));
    assert_eq!(parse_error("{{#if a}}x{{/each}}").message(), "block `{{#if}}` is closed by `{{/each}}`");
}

#[test]
fn invalid_expressions_show_their_text() {
    let (kind, line, column) = failure("a {{foo 1.2.3}}");
    assert_eq!(kind, TemplateErrorKind::InvalidExpression("{{foo 1.2.3}}".into()));
    assert_eq!((line, column), (1, 12));
    assert!(matches!(failure("{{}}").0, TemplateErrorKind::InvalidExpression(_)));
    assert!(matches!(failure("{{else}}").0, TemplateErrorKind::InvalidExpression(_)));
}

#[test]
fn unknown_helpers_and_wrong_arity_are_load_time_errors() {
    assert_eq!(failure("x\n  {{foo bar}}"), (TemplateErrorKind::UnknownHelper("foo".into()), 2, 3));
    assert_eq!(failure("{{upper (nope 1)}}").0, TemplateErrorKind::UnknownHelper("nope".into()));
    assert_eq!(parse_error("{{add 1}}").message(), "`add` takes 2 arguments, got 1");
    assert_eq!(parse_error("{{range 1 2 3}}").message(), "`range` takes 1 or 2 arguments, got 3");
    assert_eq!(parse_error("{{now 1}}").message(), "`now` takes no arguments, got 1");
    assert_eq!(parse_error("{{len}}").message(), "`len` takes 1 argument, got 0");
    assert_eq!(parse_error("{{#if}}x{{/if}}").message(), "`if` takes 1 argument, got 0");
    assert_eq!(parse_error("{{json x pretty=true}}").message(), "`json` takes no named arguments");
}

#[test]
fn block_helpers_must_be_blocks_and_others_must_not() {
    assert_eq!(failure("{{if x}}").0, TemplateErrorKind::BlockHelperInline("if".into()));
    assert_eq!(failure("{{each}}").0, TemplateErrorKind::BlockHelperInline("each".into()));
    assert_eq!(failure("{{#upper x}}y{{/upper}}").0, TemplateErrorKind::NotABlockHelper("upper".into()));
    assert_eq!(failure("{{#nope x}}y{{/nope}}").0, TemplateErrorKind::UnknownHelper("nope".into()));
    assert_eq!(parse_error("{{if x}}").message(), "`if` is a block helper: write `{{#if …}}…{{/if}}`");
}

#[test]
fn partials_decorators_and_bad_paths_are_refused() {
    assert_eq!(failure("{{> header}}").0, TemplateErrorKind::Unsupported("partials"));
    assert_eq!(failure("{{* deco}}").0, TemplateErrorKind::Unsupported("decorators"));
    assert_eq!(failure("a {{../x}}"), (TemplateErrorKind::PathAboveTop("../x".into()), 1, 3));
    assert_eq!(failure("{{#each a}}{{../../x}}{{/each}}").0, TemplateErrorKind::PathAboveTop("../../x".into()));
    assert_eq!(failure("{{@index}}").0, TemplateErrorKind::LocalOutsideEach("@index".into()));
    assert_eq!(failure("{{#with a}}{{@key}}{{/with}}").0, TemplateErrorKind::LocalOutsideEach("@key".into()));
    assert_eq!(failure("{{#each a}}{{@foo}}{{/each}}").0, TemplateErrorKind::UnknownLocal("@foo".into()));
    assert!(matches!(failure("{{#with a as |x y|}}{{/with}}").0, TemplateErrorKind::Unsupported(_)));
}

#[test]
fn jsonpath_literals_are_checked_at_load_time() {
    let (kind, _, _) = failure(r#"{{jsonpath steps.a.json "$["}}"#);
    assert!(matches!(kind, TemplateErrorKind::InvalidJsonPath { ref path, .. } if path == "$["));
    assert_eq!(failure("{{count_by steps.a.json 3}}").0, TemplateErrorKind::JsonPathNotString("count_by".into()));
    assert!(Template::parse("{{jsonpath steps.a.json vars.path}}").is_ok());
}

#[test]
fn deep_nesting_is_refused_not_a_crash() {
    let blocks = format!("{}x{}", "{{#if a}}".repeat(65), "{{/if}}".repeat(65));
    assert_eq!(failure(&blocks).0, TemplateErrorKind::TooDeep(64));
    let fine = format!("{}x{}", "{{#if a}}".repeat(20), "{{/if}}".repeat(20));
    assert!(Template::parse(&fine).is_ok());
    let calls = format!("{{{{len {}1{}}}}}", "(add 1 ".repeat(100), ")".repeat(100));
    assert_eq!(failure(&calls).0, TemplateErrorKind::TooDeep(64));
    // Far deeper than any stack allows, in a thread with a small stack.
    let huge = format!("{}{}", "{{#if a}}".repeat(200_000), "(".repeat(200_000));
    let outcome = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || Template::parse(&huge).is_err())
        .map(|handle| handle.join());
    assert!(matches!(outcome, Ok(Ok(true))));
}

#[test]
fn a_deeply_nested_jsonpath_is_refused_not_a_stack_overflow() {
    // serde_json_path recurses once per level: thousands of levels overflowed the stack, at
    // load for a literal path and in the middle of a run for one computed then.
    let deep = format!("$[?{}@.a{}]", "(".repeat(1000), ")".repeat(1000));
    let (kind, _, _) = failure(&format!("{{{{jsonpath x \"{deep}\"}}}}"));
    assert!(
        matches!(&kind, TemplateErrorKind::InvalidJsonPath { reason, .. } if reason.contains("nest at most")),
        "{kind:?}"
    );
    let template = parse("{{jsonpath doc path}}");
    let context = serde_json::json!({ "doc": {"a": 1}, "path": deep });
    let error = Renderer::new().render_value(&template, &context).map(drop).unwrap_err();
    assert!(error.to_string().contains("nest at most"), "{error}");
}

#[test]
fn every_error_message_is_a_lowercase_fragment() {
    let sources = [
        "{{x",
        "{{#if a}}",
        "{{#if a}}{{/each}}",
        "{{foo 1.2.3}}",
        "{{foo x}}",
        "{{add 1}}",
        "{{json x a=1}}",
        "{{if x}}",
        "{{#upper x}}{{/upper}}",
        "{{> p}}",
        "{{../x}}",
        "{{@index}}",
        "{{#each a}}{{@foo}}{{/each}}",
        r#"{{jsonpath x "$["}}"#,
        "{{jsonpath x 1}}",
    ];
    for source in sources {
        let message = parse_error(source).message();
        let first = message.chars().next().unwrap_or('?');
        assert!(!first.is_uppercase(), "{message}");
        assert!(!message.ends_with('.'), "{message}");
    }
}

#[test]
fn parsed_templates_compare_by_source() {
    assert_eq!(parse("{{x}}"), "{{x}}".parse().unwrap());
    assert_ne!(parse("{{x}}"), parse("{{ x }}"));
}

fn template_soup() -> impl Strategy<Value = String> {
    let token = prop::sample::select(vec![
        "{{",
        "}}",
        "{{{",
        "}}}",
        "{{#if ",
        "{{#each ",
        "{{#with ",
        "{{/if}}",
        "{{/each}}",
        "{{/with}}",
        "{{else}}",
        "{{else if ",
        "{{^}}",
        "(",
        ")",
        " ",
        "vars.x",
        "vars.n",
        "inputs.list",
        "inputs.host",
        "steps.a.json",
        "this",
        "../",
        "@index",
        "@key",
        "@root.",
        "\"",
        "'",
        "\\",
        "~",
        "add ",
        "div ",
        "default ",
        "jsonpath ",
        "count_by ",
        "range ",
        "join ",
        "lookup ",
        "len ",
        "\"$[*]\"",
        "\"$..x\"",
        "1",
        "0",
        "-1",
        "1e3",
        ".",
        "[0]",
        " as |a b|",
        " as |a|",
        "a",
        "b",
        "\n",
        "{{!",
        "{{!--",
        "--}}",
        "{{>",
        "{{*",
        "{{{{raw}}}}",
        "{{{{/raw}}}}",
        "é",
        "=",
        "includeZero=true",
        "null",
        "true",
        "[1,2]",
        "{\"k\":1}",
    ]);
    prop::collection::vec(token, 0..40).prop_map(|tokens| tokens.concat())
}

fn small_context() -> serde_json::Value {
    json!({
        "inputs": {"list": [1, 2, 3], "host": "a b", "cfg": {"port": 5432}},
        "secrets": {"key": "k"},
        "env": {"HOME": "/root"},
        "vars": {"x": "y", "n": 3, "none": null},
        "steps": {"a": {"json": {"x": [{"x": 1}], "items": ["p", "q"]}}},
        "item": {"name": "n"},
        "index": 0,
        "run": {"id": "r1"}
    })
}

proptest! {
    #[test]
    fn parsing_and_rendering_never_panic(
        source in prop_oneof![any::<String>(), "\\PC{0,60}", template_soup()]
    ) {
        if let Ok(template) = Template::parse(&source) {
            let renderer = Renderer::new();
            let context = small_context();
            for destination in [Destination::Text, Destination::ShellWord, Destination::UrlComponent] {
                let _ = renderer.render_text(&template, destination, &context);
            }
            let _ = renderer.render_value(&template, &context);
            let _ = template.references();
            if template.is_literal() {
                let rendered = renderer.render_text(&template, Destination::ShellWord, &context);
                prop_assert_eq!(rendered.ok(), Some(source.clone()));
            }
        }
    }
}

#[test]
fn error_messages_read_well() {
    let sources = [
        "echo {{inputs.host",
        "line 1\n{{#each steps.a.json}}\n{{name}}",
        "{{#if a}}x{{/each}}",
        "{{foo 1.2.3}}",
        "curl {{urlencode vars.q}}",
        "{{add 1}}",
        "{{range 1 2 3}}",
        "{{json x pretty=true}}",
        "{{if vars.x}}",
        "{{#upper x}}y{{/upper}}",
        "{{> header}}",
        "{{../vars.x}}",
        "{{@index}}",
        "{{#each a}}{{@foo}}{{/each}}",
        r#"{{jsonpath steps.a.json "$["}}"#,
        "{{count_by steps.a.json 3}}",
    ];
    let report: Vec<String> = sources.iter().map(|source| format!("{source:?}\n  {}", parse_error(source))).collect();
    insta::assert_snapshot!(report.join("\n"));
}
