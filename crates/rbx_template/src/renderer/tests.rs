use super::*;
use crate::RenderErrorKind;
use serde_json::json;
use std::process::Command;

fn template(source: &str) -> Template {
    match Template::parse(source) {
        Ok(template) => template,
        Err(error) => panic!("{source:?} should parse: {error}"),
    }
}

fn render_in(source: &str, destination: Destination, context: &Value) -> Result<String, RenderError> {
    Renderer::new().render_text(&template(source), destination, context)
}

fn text(source: &str, context: &Value) -> String {
    match render_in(source, Destination::Text, context) {
        Ok(rendered) => rendered,
        Err(error) => panic!("{source:?} should render: {error}"),
    }
}

fn value(source: &str, context: &Value) -> Value {
    match Renderer::new().render_value(&template(source), context) {
        Ok(value) => value,
        Err(error) => panic!("{source:?} should render: {error}"),
    }
}

fn render_error(source: &str, context: &Value) -> RenderError {
    match render_in(source, Destination::Text, context) {
        Ok(rendered) => panic!("{source:?} should fail, rendered {rendered:?}"),
        Err(error) => error,
    }
}

fn run_context() -> Value {
    json!({
        "inputs": {"host": "db-1.internal", "sample": 100, "list": ["a", "b", "c"]},
        "secrets": {"key": "Jefe"},
        "env": {"HOME": "/root"},
        "vars": {"reason": "disk full", "none": null, "zero": 0, "errors": 7, "total": 140,
                 "empty": "", "obj": {"b": 1, "a": [1, 2]}},
        "steps": {
            "hosts": {"json": {"items": [{"name": "a", "ip": "10.0.0.1"}, {"name": "b", "ip": "10.0.0.2"}]}},
            "users": {"json": {"items": [{"id": 1}, {"id": 2}, {"id": 3}]}},
            "errs": {"json": [{"status": 401}, {"status": 500}, {"status": 401}, {"status": 500}, {"status": 500}]},
            "desired": {"json": ["a", "b", "c", "d"]},
            "actual": {"json": ["b", "d"]},
        },
        "item": "x",
        "index": 0,
        "run": {"id": "run-1"}
    })
}

// ---- strict mode -------------------------------------------------------------------------

#[test]
fn missing_reference_is_an_error_with_path_and_position() {
    let error = render_error("echo {{vars.reason}} {{vars.nope}}", &run_context());
    assert_eq!(error.kind, RenderErrorKind::Missing { path: "vars.nope".into() });
    assert_eq!((error.line, error.column, error.offset), (1, 22, 21));
    assert_eq!(error.message(), "`vars.nope` is not defined");
    assert_eq!(error.to_string(), "`vars.nope` is not defined at line 1, column 22");
}

#[test]
fn missing_reference_on_a_later_line_and_inside_blocks() {
    let error = render_error("first\n  {{steps.nope.json}}", &run_context());
    assert_eq!((error.line, error.column), (2, 3));
    let error = render_error("{{#each steps.hosts.json.items}}\n{{name}} {{port}}\n{{/each}}", &run_context());
    assert_eq!(error.kind, RenderErrorKind::Missing { path: "port".into() });
    assert_eq!((error.line, error.column), (2, 10));
}

#[test]
fn missing_reference_inside_helper_arguments_is_an_error() {
    let error = render_error("{{upper vars.nope}}", &run_context());
    assert_eq!(error.kind, RenderErrorKind::Missing { path: "vars.nope".into() });
    let error = render_error("{{add 1 (len steps.x.json)}}", &run_context());
    assert_eq!(error.kind, RenderErrorKind::Missing { path: "steps.x.json".into() });
}

#[test]
fn paths_through_non_objects_and_out_of_range_indexes_are_missing() {
    let context = run_context();
    assert!(matches!(render_error("{{inputs.host.x}}", &context).kind, RenderErrorKind::Missing { .. }));
    assert!(matches!(render_error("{{inputs.list.9}}", &context).kind, RenderErrorKind::Missing { .. }));
    assert!(matches!(render_error("{{inputs.list.x}}", &context).kind, RenderErrorKind::Missing { .. }));
    assert_eq!(text("{{inputs.list.1}}{{inputs.list.[2]}}", &context), "bc");
}

#[test]
fn null_exists_and_renders_as_json() {
    assert_eq!(text("[{{vars.none}}]", &run_context()), "[null]");
}

#[test]
fn default_replaces_missing_or_null_only() {
    let context = run_context();
    assert_eq!(text(r#"{{default vars.nope "none"}}"#, &context), "none");
    assert_eq!(text(r#"{{default steps.nope.json.x "none"}}"#, &context), "none");
    assert_eq!(text(r#"{{default vars.none "none"}}"#, &context), "none");
    assert_eq!(text(r#"{{default vars.reason "none"}}"#, &context), "disk full");
    assert_eq!(text(r#"{{default vars.zero "none"}}"#, &context), "0");
    assert_eq!(text(r#"{{default vars.empty "none"}}"#, &context), "");
    assert_eq!(text("{{default vars.nope inputs.sample}}", &context), "100");
    assert_eq!(value("{{default vars.nope 5}}", &context), json!(5));
    let error = render_error("{{default vars.nope vars.also_nope}}", &context);
    assert_eq!(error.kind, RenderErrorKind::Missing { path: "vars.also_nope".into() });
}

// ---- values render as JSON -------------------------------------------------------------

#[test]
fn non_strings_render_as_compact_json() {
    let context = json!({
        "o": {"b": 1, "a": [1, "x", null]}, "l": [1, 2], "n": null, "i": 42, "f": 1.5,
        "neg": -3, "t": true, "s": "plain \"q\"", "e": [], "eo": {}
    });
    assert_eq!(text("{{o}}", &context), r#"{"b":1,"a":[1,"x",null]}"#);
    assert_eq!(text("{{l}}|{{n}}|{{i}}|{{f}}|{{neg}}|{{t}}", &context), "[1,2]|null|42|1.5|-3|true");
    assert_eq!(text("{{s}}", &context), "plain \"q\"");
    assert_eq!(text("{{e}}{{eo}}", &context), "[]{}");
    assert_eq!(text("{{{o}}}", &context), r#"{"b":1,"a":[1,"x",null]}"#);
}

#[test]
fn helper_results_render_as_json_too() {
    let context = run_context();
    assert_eq!(text("{{range 3}}", &context), "[0,1,2]");
    assert_eq!(text("{{jsonpath steps.hosts.json \"$.items[0]\"}}", &context), r#"{"name":"a","ip":"10.0.0.1"}"#);
    assert_eq!(
        text("{{#each steps.hosts.json.items}}{{this}};{{/each}}", &context),
        r#"{"name":"a","ip":"10.0.0.1"};{"name":"b","ip":"10.0.0.2"};"#
    );
}

#[test]
fn numbers_keep_their_spelling() {
    let context: Value = serde_json::from_str(r#"{"a": 1.0, "b": 10000000000000000000000}"#).unwrap_or(Value::Null);
    assert_eq!(text("{{a}} {{b}}", &context), "1.0 10000000000000000000000");
}

// ---- escaping per destination ----------------------------------------------------------

#[test]
fn text_destination_inserts_values_as_they_are() {
    let context = json!({"x": "<b>\"a\" & 'b'</b>"});
    assert_eq!(render_in("<p>{{x}}</p>", Destination::Text, &context).ok(), Some("<p><b>\"a\" & 'b'</b></p>".into()));
}

#[test]
fn shell_word_quotes_values_and_helper_results_only() {
    let context = json!({"x": "1.2.3.4; rm -rf /", "safe": "db-1.internal", "n": 42, "l": [1, 2]});
    let shell = |source: &str| render_in(source, Destination::ShellWord, &context).ok();
    assert_eq!(shell("nslookup {{x}}"), Some("nslookup '1.2.3.4; rm -rf /'".into()));
    assert_eq!(shell("ping -c 1 {{safe}}"), Some("ping -c 1 db-1.internal".into()));
    assert_eq!(shell("echo {{upper x}}"), Some("echo '1.2.3.4; RM -RF /'".into()));
    assert_eq!(shell("echo {{n}} {{l}}"), Some("echo 42 '[1,2]'".into()));
    assert_eq!(shell("echo 'a b' | grep {{{x}}}"), Some("echo 'a b' | grep 1.2.3.4; rm -rf /".into()));
    assert_eq!(shell("{{{upper safe}}}"), Some("DB-1.INTERNAL".into()));
}

#[test]
fn url_component_encodes_values_and_helper_results_only() {
    let context = json!({"x": "a/b c?d", "q": "a&b=c#d%"});
    let url = |source: &str| render_in(source, Destination::UrlComponent, &context).ok();
    assert_eq!(url("/users/{{x}}"), Some("/users/a%2Fb%20c%3Fd".into()));
    assert_eq!(url("{{q}}"), Some("a%26b%3Dc%23d%25".into()));
    assert_eq!(url("{{upper x}}"), Some("A%2FB%20C%3FD".into()));
    assert_eq!(url("/v1/{{{x}}}?a=b"), Some("/v1/a/b c?d?a=b".into()));
}

/// The values a shell word must survive byte for byte.
const INJECTION_CORPUS: &[&str] = &[
    "x; touch F",
    "$(touch F)",
    "`touch F`",
    "a\nb",
    "trailing newline\n",
    "\n",
    "it's",
    "\"double\"",
    "'",
    "''",
    "'\\''",
    "*",
    "*.txt",
    "?",
    "[a-z]",
    "-rf",
    "--",
    "-n",
    "$HOME",
    "${HOME}",
    "${IFS}",
    "$1",
    "$@",
    "",
    " ",
    "  two  spaces ",
    "\ttab",
    "ünïcödé 日本語 🦀",
    "\\",
    "\\n",
    "!",
    "!!",
    "#comment",
    "~",
    "~root",
    "&& touch F",
    "|| touch F",
    "| touch F",
    "> F",
    "< F",
    "{a,b}",
    "%s",
    "%%",
    "%b",
    "a=b",
    "PATH=/x",
    "\r",
    "é'$(touch F)'",
    "; touch F #",
    "\u{7f}",
    "\u{1b}[31m",
];

fn printf_through_sh(value: &str, directory: &std::path::Path) -> Vec<u8> {
    let context = json!({"x": value});
    let command = match render_in("printf '%s' {{x}}", Destination::ShellWord, &context) {
        Ok(command) => command,
        Err(error) => panic!("render failed: {error}"),
    };
    let output = Command::new("sh").arg("-c").arg(&command).current_dir(directory).output();
    match output {
        Ok(output) if output.status.success() => output.stdout,
        other => panic!("{command:?} failed: {other:?}"),
    }
}

#[test]
fn shell_words_round_trip_through_a_real_shell() {
    let directory = tempfile::tempdir().unwrap();
    for value in INJECTION_CORPUS {
        let printed = printf_through_sh(value, directory.path());
        assert_eq!(printed, value.as_bytes(), "value {value:?}");
    }
    let created: Vec<_> = std::fs::read_dir(directory.path()).unwrap().collect();
    assert!(created.is_empty(), "the shell created files: {created:?}");
}

#[test]
fn non_string_shell_words_round_trip_as_json() {
    let directory = tempfile::tempdir().unwrap();
    let context = json!({"x": {"a": "b c", "q": "it's"}});
    let command = render_in("printf '%s' {{x}}", Destination::ShellWord, &context).unwrap();
    let output = Command::new("sh").arg("-c").arg(&command).current_dir(directory.path()).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stdout), r#"{"a":"b c","q":"it's"}"#);
}

// ---- render_value ------------------------------------------------------------------------

#[test]
fn render_value_keeps_the_json_type_of_a_single_expression() {
    let context = run_context();
    assert_eq!(value("{{steps.hosts.json.items}}", &context), context["steps"]["hosts"]["json"]["items"]);
    let three = value("{{add 1 2}}", &context);
    assert_eq!(three, json!(3));
    assert_eq!(three.to_string(), "3");
    assert_eq!(value("{{range 3}}", &context), json!([0, 1, 2]));
    assert_eq!(value("{{inputs.sample}}", &context), json!(100));
    assert_eq!(value("{{vars.none}}", &context), Value::Null);
    assert_eq!(value("{{{vars.obj}}}", &context), json!({"b": 1, "a": [1, 2]}));
    assert_eq!(value("{{~inputs.host~}}", &context), json!("db-1.internal"));
    assert_eq!(value("{{json (range 3)}}", &context), json!("[0,1,2]"));
}

#[test]
fn render_value_gives_text_for_anything_else() {
    let context = run_context();
    assert_eq!(value("n={{inputs.sample}}", &context), json!("n=100"));
    assert_eq!(value(" {{inputs.sample}}", &context), json!(" 100"));
    assert_eq!(value("{{inputs.sample}}{{inputs.sample}}", &context), json!("100100"));
    assert_eq!(value("plain", &context), json!("plain"));
    assert_eq!(value("", &context), json!(""));
    assert_eq!(value("{{#if vars.reason}}yes{{/if}}", &context), json!("yes"));
}

#[test]
fn render_value_reports_missing_references() {
    let error = Renderer::new().render_value(&template("{{vars.nope}}"), &run_context());
    assert!(matches!(error, Err(RenderError { kind: RenderErrorKind::Missing { .. }, line: 1, column: 1, .. })));
}

// ---- helpers -----------------------------------------------------------------------------

#[test]
fn json_helper_gives_json_text() {
    let context = run_context();
    assert_eq!(text("{{json vars.obj}}", &context), r#"{"b":1,"a":[1,2]}"#);
    assert_eq!(text("{{json vars.reason}}", &context), r#""disk full""#);
    assert_eq!(
        render_in("{{json vars.reason}}", Destination::ShellWord, &context).ok(),
        Some(r#"'"disk full"'"#.into())
    );
}

#[test]
fn case_and_length_helpers() {
    let context = run_context();
    assert_eq!(text("{{upper vars.reason}} {{lower \"MiXeD\"}}", &context), "DISK FULL mixed");
    assert_eq!(text("{{len inputs.list}} {{len vars.reason}} {{len vars.obj}}", &context), "3 9 2");
    assert!(matches!(
        render_error("{{len inputs.sample}}", &context).kind,
        RenderErrorKind::Helper { helper: "len", .. }
    ));
}

#[test]
fn jsonpath_helper() {
    let context = run_context();
    assert_eq!(value(r#"{{jsonpath steps.users.json "$.items[*].id"}}"#, &context), json!([1, 2, 3]));
    assert_eq!(value(r#"{{jsonpath steps.users.json "$.items[0].id"}}"#, &context), json!(1));
    assert_eq!(value(r#"{{jsonpath steps.users.json "$.nothing"}}"#, &context), json!(null));
    assert_eq!(value(r#"{{default (jsonpath steps.users.json "$.nothing") "none"}}"#, &context), json!("none"));
    assert_eq!(value(r#"{{jsonpath steps.users.json "$.items[?@.id == 2].id"}}"#, &context), json!([2]));
    assert_eq!(text(r#"{{join (jsonpath steps.users.json "$.items[*].id") ","}}"#, &context), "1,2,3");
    let dynamic = json!({"doc": {"a": 5}, "path": "$.a", "bad": "$["});
    assert_eq!(value("{{jsonpath doc path}}", &dynamic), json!(5));
    let error = render_error("{{jsonpath doc bad}}", &dynamic);
    assert!(matches!(error.kind, RenderErrorKind::Helper { helper: "jsonpath", .. }));
}

#[test]
fn now_helper_uses_the_renderer_clock() {
    let at: jiff::Timestamp = "2026-04-05T10:11:12Z".parse().unwrap();
    let renderer = Renderer::with_fixed_time(at);
    let rendered = renderer.render_text(&template("at {{now}}"), Destination::Text, &json!({}));
    assert_eq!(rendered.ok(), Some("at 2026-04-05T10:11:12Z".into()));
    let live = Renderer::new().render_value(&template("{{now}}"), &json!({}));
    assert!(matches!(live, Ok(Value::String(ref s)) if s.parse::<jiff::Timestamp>().is_ok()));
}

#[test]
fn join_helper() {
    let context = run_context();
    assert_eq!(text(r#"{{join inputs.list ","}}"#, &context), "a,b,c");
    assert_eq!(render_in(r#"{{join inputs.list " "}}"#, Destination::ShellWord, &context).ok(), Some("'a b c'".into()));
}

#[test]
fn arithmetic_helpers() {
    let context = run_context();
    assert_eq!(text("{{add 1 2}} {{sub 1 2}} {{mul 3 4}} {{div 9 3}} {{div 1 4}}", &context), "3 -1 12 3 0.25");
    assert_eq!(text("{{add inputs.sample (mul 2 vars.errors)}}", &context), "114");
    assert_eq!(value("{{percent vars.errors vars.total}}", &context), json!(5));
    assert_eq!(value("{{percent 1 3}}", &context).as_f64().map(|p| (p * 100.0).round()), Some(3333.0));
    let error = render_error("x = {{div 1 vars.zero}}", &context);
    assert_eq!(error.kind, RenderErrorKind::Helper { helper: "div", message: "division by zero".into() });
    assert_eq!((error.line, error.column), (1, 5));
    assert_eq!(error.message(), "`div`: division by zero");
    let error = render_error("{{percent 1 0}}", &context);
    assert_eq!(error.message(), "`percent`: the total is zero");
    let error = render_error("{{add vars.reason 1}}", &context);
    assert_eq!(error.message(), "`add`: expected a number, got a string");
}

#[test]
fn list_helpers() {
    let context = run_context();
    assert_eq!(value("{{range 3}}", &context), json!([0, 1, 2]));
    assert_eq!(value("{{range 1 4}}", &context), json!([1, 2, 3]));
    assert_eq!(text("{{#each (range 1 4)}}{{this}}{{/each}}", &context), "123");
    assert_eq!(value("{{difference steps.desired.json steps.actual.json}}", &context), json!(["a", "c"]));
    assert_eq!(value(r#"{{count_by steps.errs.json "$[*].status"}}"#, &context), json!({"401": 2, "500": 3}));
    assert_eq!(text(r#"{{count_by steps.errs.json "$[*].status"}}"#, &context), r#"{"401":2,"500":3}"#);
}

#[test]
fn hmac_helper() {
    let context = json!({"secrets": {"key": "Jefe"}, "body": "what do ya want for nothing?"});
    assert_eq!(
        text("{{hmac_sha256 secrets.key body}}", &context),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
}

#[test]
fn comparison_and_lookup_helpers_work_in_conditions() {
    let context = run_context();
    let source = r#"{{#if (eq inputs.host "db-1.internal")}}eq{{/if}} {{#if (gt vars.errors 5)}}gt{{/if}} {{#if (and vars.reason (not vars.empty))}}and{{/if}} {{#if (or vars.zero vars.empty)}}or{{else}}neither{{/if}}"#;
    assert_eq!(text(source, &context), "eq gt and neither");
    assert_eq!(text("{{lookup inputs.list 1}} {{lookup vars.obj \"b\"}}", &context), "b 1");
}

// ---- blocks ------------------------------------------------------------------------------

#[test]
fn if_unless_else_chains() {
    let context = run_context();
    assert_eq!(text("{{#if vars.reason}}y{{else}}n{{/if}}", &context), "y");
    assert_eq!(text("{{#if vars.zero}}y{{else}}n{{/if}}", &context), "n");
    assert_eq!(text("{{#if vars.zero includeZero=true}}y{{else}}n{{/if}}", &context), "y");
    assert_eq!(text("{{#if vars.nope}}y{{else}}n{{/if}}", &context), "n");
    assert_eq!(text("{{#unless vars.nope}}absent{{/unless}}", &context), "absent");
    assert_eq!(
        text("{{#if vars.empty}}1{{else if vars.zero}}2{{else if vars.errors}}3{{else}}4{{/if}}", &context),
        "3"
    );
    assert_eq!(text("{{#if vars.empty}}1{{else if vars.zero}}2{{else}}4{{/if}}", &context), "4");
}

#[test]
fn each_over_lists_with_locals_and_block_params() {
    let context = run_context();
    assert_eq!(
        text(
            "{{#each steps.hosts.json.items}}{{@index}}:{{name}}={{ip}}{{#if @last}}.{{else}},{{/if}}{{/each}}",
            &context
        ),
        "0:a=10.0.0.1,1:b=10.0.0.2."
    );
    assert_eq!(
        text("{{#each inputs.list as |letter i|}}{{i}}{{letter}}{{#if @first}}!{{/if}} {{/each}}", &context),
        "0a! 1b 2c "
    );
    assert_eq!(text("{{#each vars.obj}}{{@key}}={{this}};{{/each}}", &context), r#"b=1;a=[1,2];"#);
    assert_eq!(text("{{#each vars.obj as |v k|}}{{k}}{{/each}}", &context), "ba");
}

#[test]
fn each_reaches_outward_with_parent_and_root_paths() {
    let context = run_context();
    assert_eq!(
        text("{{#each inputs.list}}{{this}}@{{../inputs.host}}/{{@root.run.id}} {{/each}}", &context),
        "a@db-1.internal/run-1 b@db-1.internal/run-1 c@db-1.internal/run-1 "
    );
    assert_eq!(
        text(
            "{{#each steps.hosts.json.items as |h|}}{{#each ../inputs.list}}{{h.name}}{{this}}{{@../index}} {{/each}}{{/each}}",
            &context
        ),
        "aa0 ab0 ac0 ba1 bb1 bc1 "
    );
}

#[test]
fn each_over_empty_or_null_renders_else_and_over_scalars_fails() {
    let context = json!({"e": [], "o": {}, "n": null, "s": "text"});
    assert_eq!(text("{{#each e}}x{{else}}none{{/each}}", &context), "none");
    assert_eq!(text("{{#each o}}x{{else}}none{{/each}}", &context), "none");
    assert_eq!(text("{{#each n}}x{{else}}none{{/each}}", &context), "none");
    assert_eq!(
        render_error("{{#each s}}x{{/each}}", &context).kind,
        RenderErrorKind::NotIterable { found: "a string" }
    );
    assert!(matches!(render_error("{{#each missing}}x{{/each}}", &context).kind, RenderErrorKind::Missing { .. }));
}

#[test]
fn with_changes_this() {
    let context = run_context();
    assert_eq!(text("{{#with steps.hosts.json}}{{len items}}{{/with}}", &context), "2");
    assert_eq!(text("{{#with vars.none}}x{{else}}none{{/with}}", &context), "none");
    assert_eq!(text("{{#with vars.obj as |o|}}{{o.b}}{{/with}}", &context), "1");
}

#[test]
fn block_values_are_escaped_but_block_text_is_not() {
    let context = json!({"hosts": ["a b", "c"]});
    let rendered = render_in("{{#each hosts}}ping '{{@index}}' {{this}}; {{/each}}", Destination::ShellWord, &context);
    assert_eq!(rendered.ok(), Some("ping '0' 'a b'; ping '1' c; ".into()));
}

#[test]
fn standalone_block_lines_are_trimmed_like_handlebars() {
    let context = json!({"ok": true});
    assert_eq!(text("a\n{{#if ok}}\nb\n{{/if}}\nc", &context), "a\nb\nc");
}

#[test]
fn raw_blocks_escapes_and_comments() {
    let context = json!({"x": 1});
    assert_eq!(text("{{{{raw}}}}{{x}} {{#if}}{{{{/raw}}}}", &context), "{{x}} {{#if}}");
    assert_eq!(text(r"\{{x}} {{x}}", &context), "{{x}} 1");
    assert_eq!(text("a{{! hidden }}b{{!-- {{x}} --}}c", &context), "abc");
}

#[test]
fn whitespace_control_trims_around_expressions() {
    assert_eq!(text("a  {{~x~}}  b", &json!({"x": 1})), "a1b");
}

#[test]
fn a_helper_name_can_be_read_as_a_path_with_brackets() {
    let context = json!({"now": "field", "json": {"a": 1}});
    assert_eq!(text("{{[now]}} {{this.json.a}}", &context), "field 1");
}

#[test]
fn renders_many_times_against_a_large_context() {
    // A 1 MB step result: rendering must borrow it, not copy it per render.
    let big: Vec<Value> =
        (0..20_000).map(|i| json!({"id": i, "name": format!("host-{i:06}-padding-padding")})).collect();
    let context = json!({"inputs": {"host": "h"}, "steps": {"big": {"json": big}}});
    let renderer = Renderer::new();
    let templates = [
        template("ssh {{inputs.host}} uptime"),
        template("{{steps.big.json.19999.name}}"),
        template("{{#if steps.big.json}}{{len steps.big.json}}{{/if}}"),
    ];
    let mut total = 0;
    for round in 0..10_000 {
        let template = &templates[round % templates.len()];
        total += renderer.render_text(template, Destination::ShellWord, &context).map_or(0, |s| s.len());
    }
    assert!(total > 0);
}

#[test]
fn renderer_and_template_can_be_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Renderer>();
    assert_send_sync::<Template>();
    assert_send_sync::<RenderError>();
    assert_send_sync::<crate::TemplateError>();
}

#[test]
fn render_error_messages_read_well() {
    let context = run_context();
    let sources = [
        "echo {{vars.nope}}",
        "a\n  {{#each steps.hosts.json.items}}{{port}}{{/each}}",
        "{{div 1 0}}",
        "{{percent vars.errors vars.zero}}",
        "{{add vars.reason 1}}",
        "{{len inputs.sample}}",
        "{{join vars.reason \",\"}}",
        "{{range 1000000}}",
        "{{#each inputs.host}}x{{/each}}",
        "{{lookup inputs.list 9}}",
    ];
    let report: Vec<String> =
        sources.iter().map(|source| format!("{source:?}\n  {}", render_error(source, &context))).collect();
    insta::assert_snapshot!(report.join("\n"));
}

#[test]
fn a_plan_shows_one_stand_in_iteration_over_a_list_only_a_run_knows() {
    let context = json!({"steps": {}, "inputs": {"list": ["a", "b"], "unset": null}});
    let plan = |source: &str| match Renderer::with_placeholders().render_text(
        &template(source),
        Destination::Text,
        &context,
    ) {
        Ok(rendered) => rendered,
        Err(error) => panic!("{source:?} should render as a plan: {error}"),
    };
    assert_eq!(
        plan("{{#each steps.locks.rows}}pid {{blocking_pid}} ({{@index}}); {{/each}}"),
        "pid <blocking_pid> (0); "
    );
    assert_eq!(plan("{{#each inputs.list}}{{this}} {{/each}}"), "a b ", "a known list is iterated as in a run");
    assert_eq!(
        plan("{{percent (len steps.sample.rows) 100}}% of {{len inputs.list}}"),
        "<percent (len steps.sample.rows) 100>% of 2",
        "a helper over what only a run knows shows as the call"
    );
    assert_eq!(
        plan(r#"{{default steps.probe.json.percent "unknown"}}% of {{default inputs.unset "none"}}"#),
        r#"<default steps.probe.json.percent "unknown">% of none"#,
        "a default over what only a run knows is not yet its fallback"
    );
    let run = render_error("{{#each steps.locks.rows}}x{{/each}}", &context);
    assert!(matches!(run.kind, RenderErrorKind::Missing { .. }), "a run still refuses a missing list: {run}");
}
