use super::*;
use proptest::prelude::*;

fn show(result: &Result<Compiled, TemplateError>) -> String {
    match result {
        Ok(compiled) => format!("{:?}\n{:?}", compiled.nodes, compiled.references),
        Err(error) => format!("{error:?}"),
    }
}

/// Tag by tag and whole, as comparable text; `None` when the template does not stand alone.
/// When the whole template has several errors, the two ways may report a different one
/// first, so errors compare as "an error".
fn both_ways(source: &str) -> Option<(String, String)> {
    let lines = LineIndex::new(source);
    let (tags, unclosed) = scan(source);
    if unclosed.is_some() || !stand_alone(source, &tags) {
        return None;
    }
    let by_tag = compile_tag_by_tag(source, &lines, &tags);
    let whole = compile_whole(source, Place { piece: &lines, whole: &lines, base: 0 }, &tags, unclosed);
    if by_tag.is_err() && whole.is_err() && tags.len() > 1 {
        return Some(("an error".to_owned(), "an error".to_owned()));
    }
    Some((show(&by_tag), show(&whole)))
}

#[test]
fn tag_by_tag_compiles_exactly_like_the_whole_template() {
    let sources = [
        "{{a}}",
        "echo {{inputs.host}} and {{steps.check_db.json.items.0.id}}",
        "line 1\n  {{vars.x}}\r\n{{vars.y}}\n\n",
        "ünï {{inputs.naive}} 日本 {{b}} {{naïve}}",
        "{{steps.a.headers.content-type}}",
        "}} } { {{x}} }",
        "{{a_b}}{{c}}{{{d}}}{{&e}}",
        "  {{x}}  ",
        "a\n  {{json (jsonpath steps.a.json \"$.x\")}}\n b {{default vars.x 'none'}}",
        "{{add 1 2}} {{now}} {{ x }} {{this}} {{@root.a}} {{a.[0]}} {{a/b}} {{1}} {{true}}",
        "x\n  {{add 1}}",
        "x\r\n y {{nope a}}",
        "é {{jsonpath a \"$[\"}}",
        "{{foo 1.2.3}}",
        "{{../a}}",
        "{{@index}}",
        "{{if a}}",
    ];
    for source in sources {
        let Some((by_tag, whole)) = both_ways(source) else {
            panic!("{source:?} should stand alone");
        };
        assert_eq!(by_tag, whole, "{source:?}");
    }
}

#[test]
fn templates_with_blocks_comments_or_trimming_are_parsed_whole() {
    let sources = [
        "{{#if a}}{{/if}}",
        "{{! c }}",
        "{{!-- c --}}",
        "{{~a}}",
        "{{a~}}",
        "{{else}}",
        "{{^}}",
        "{{else if a}}",
        r"\{{a}}",
        r"a\\{{b}}",
        "{{{{raw}}}}{{{{/raw}}}}",
        "{{* d}}",
        "{{x}}}}",
    ];
    for source in sources {
        assert!(both_ways(source).is_none(), "{source:?}");
    }
}

#[test]
fn huge_templates_that_need_the_whole_parser_are_refused_quickly() {
    let source = format!("{{{{#if a}}}}{}{{{{/if}}}}", "{{x}} padding ".repeat(200_000));
    let started = std::time::Instant::now();
    let error = compile(&source).err().map(|error| error.kind);
    assert!(matches!(error, Some(TemplateErrorKind::TooLarge { tags: 200_002, .. })), "{error:?}");
    assert!(started.elapsed().as_secs() < 5);
}

#[test]
fn huge_templates_of_expressions_compile_in_linear_time() {
    let source = "{{len x}} padding padding ".repeat(20_000);
    let started = std::time::Instant::now();
    let compiled = compile(&source);
    assert!(matches!(compiled, Ok(ref c) if c.references.len() == 20_000));
    assert!(started.elapsed().as_secs() < 5);
}

fn expression_tag() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z_][a-z0-9_-]{0,6}(\\.[a-z0-9_-]{1,6}){0,3}".prop_map(|path| format!("{{{{{path}}}}}")),
        "[a-z]{1,4}( [a-z.\"'0-9$]{1,6}){0,3}".prop_map(|call| format!("{{{{{call}}}}}")),
        "[a-z.]{1,8}".prop_map(|path| format!("{{{{{{{path}}}}}}}")),
        Just("{{add (len x) 1}}".to_owned()),
    ]
}

proptest! {
    #[test]
    fn tag_by_tag_agrees_with_the_whole_parser_on_generated_templates(
        parts in prop::collection::vec(
            prop_oneof![
                expression_tag(),
                "[^{}\\\\]{0,8}",
                Just("\n".to_owned()),
                Just("\r\n".to_owned()),
                Just(" \n  ".to_owned()),
                Just("}".to_owned()),
            ],
            0..8,
        )
    ) {
        let source = parts.concat();
        if let Some((by_tag, whole)) = both_ways(&source) {
            prop_assert_eq!(by_tag, whole);
        }
    }
}
