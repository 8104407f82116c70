//! The MaintainX runbooks run end to end through `rbx run` against the fake MaintainX API
//! (crates/rbx_fake), in healthy and faulty modes, with their Redis and PostgreSQL on the real
//! test servers: each branch is taken by the fault that calls for it, and each test checks the
//! effect where it happens (the requests the fake received, the keys in Redis, the rows in
//! PostgreSQL) as well as the step outcomes of the JSON record.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::stubs::Stubs;
use common::{Outcome, Rbx, as_u64, closed_port, service_url, step, tempdir, unique_name};
use rbx_clients::{Clients, RedisRequest, SqlRequest};
use rbx_fake::{Config, FakeMaintainx, Fault, Indicator, Running, StatusPage, WebhookHealth, WebhookReceiver};
use serde_json::{Value, json};

fn runbook(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../runbooks/maintainx").join(name)
}

fn fake() -> Running {
    fake_with(Config::default())
}

fn fake_with(config: Config) -> Running {
    FakeMaintainx::spawn_in_thread(config).expect("the fake MaintainX API starts")
}

/// `rbx run RUNBOOK --format json`, for a library runbook of `runbooks/maintainx/`.
fn run_json(name: &str) -> Rbx {
    Rbx::new().arg("run").arg(runbook(name)).args(["--format", "json"])
}

fn outcome_of(record: &Value, id: &str) -> Value {
    step(record, id)["outcome"].clone()
}

/// The outcomes of `ids`, to compare a whole branch table at once.
fn outcomes(record: &Value, ids: &[&str]) -> Vec<(String, Value)> {
    ids.iter().map(|&id| (id.to_owned(), outcome_of(record, id))).collect()
}

/// `ids` with the outcome each should have: `taken` ones `passed`, the others `skipped`.
fn expected_branches(ids: &[&str], taken: &[&str]) -> Vec<(String, Value)> {
    ids.iter().map(|&id| (id.to_owned(), json!(if taken.contains(&id) { "passed" } else { "skipped" }))).collect()
}

/// The message a `note` step showed.
fn message_of(record: &Value, id: &str) -> String {
    step(record, id)["result"]["message"].as_str().unwrap_or_else(|| panic!("`{id}` has no message")).to_owned()
}

/// `rbx resume RUN_ID ARGS` with the same journal directory as the run.
fn resume(record: &Value, journal: &Path, args: &[&str]) -> Rbx {
    let run_id = record["run_id"].as_str().expect("the record has the run id");
    Rbx::new().arg("resume").arg(run_id).args(["--format", "json"]).args(args).env("RBX_JOURNAL_DIR", journal)
}

/// The fake's requests as `METHOD path?query status` lines.
fn request_lines(api: &Running) -> Vec<String> {
    api.requests()
        .iter()
        .map(|r| {
            let query = r.query.as_deref().map(|q| format!("?{q}")).unwrap_or_default();
            let status = r.status.map_or("-".to_owned(), |s| s.to_string());
            format!("{} {}{query} {status}", r.method, r.path)
        })
        .collect()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime")
}

/// One command on the test Redis, through the client rbx's redis step uses.
fn redis(url: &str, args: &[&str]) -> Value {
    let request = RedisRequest {
        url: url.to_owned(),
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        timeout: Some(Duration::from_secs(10)),
    };
    runtime().block_on(Clients::new().redis(&request)).unwrap_or_else(|e| panic!("redis {args:?}: {e}"))
}

/// One statement on a SQL database, through the client rbx's sql step uses.
fn sql(clients: &Clients, runtime: &tokio::runtime::Runtime, url: &str, statement: &str) {
    let request = SqlRequest {
        url: url.to_owned(),
        query: statement.to_owned(),
        params: Vec::new(),
        timeout: Some(Duration::from_secs(30)),
    };
    let (_cancel, cancelled) = tokio::sync::watch::channel(false);
    runtime.block_on(clients.sql(&request, cancelled)).unwrap_or_else(|e| panic!("{statement}: {e}"));
}

// ---------------------------------------------------------------------------------------------
// RB-001: the API cannot be reached.

/// `nslookup` and `nc` as RB-001 calls them on a production host: `nc` opens a real TCP
/// connection, so the probe fails on a closed port exactly as `nc -z` would; `nslookup`
/// resolves nothing (the tests probe 127.0.0.1, and a real lookup could leave the machine).
fn host_tools() -> Stubs {
    let stubs = Stubs::new();
    stubs.connecting_nc().answer("nslookup", "", "Name: api\nAddress: 127.0.0.1\n", 0);
    stubs
}

/// RB-001 with the API at `api_port` and the status page of `status`.
fn rb001(tools: &Stubs, api_port: u16, status: &Running, api_key: &str) -> Rbx {
    tools
        .rbx(&runbook("rb-001-api-unreachable.yaml"))
        .var("api_base", format!("http://127.0.0.1:{api_port}/v1"))
        .var("api_host", "127.0.0.1")
        .var("api_port", api_port.to_string())
        .var("status_url", status.url("/api/v2/status.json"))
        .env("MAINTAINX_API_KEY", api_key)
}

const RB001_PROBES: [&str; 4] = ["dns", "tcp", "https", "status_page"];
const RB001_BRANCHES: [&str; 4] = ["reachable", "rejected", "maintainx_down", "local_network"];
const RB001_RECOVERY: [&str; 3] = ["restored", "verify", "catch_up"];

#[test]
fn rb001_healthy_api_is_reachable_and_nothing_is_mitigated() {
    let tools = host_tools();
    let api = fake();
    let outcome = rb001(&tools, api.addr.port(), &api, &api.api_key).cwd(tempdir().path()).output();
    outcome.expect_code(0);
    let record = outcome.record();
    let port = api.addr.port();
    assert_eq!(tools.commands(), ["nslookup 127.0.0.1".to_owned(), format!("nc -zv -w 5 127.0.0.1 {port}")]);
    assert_eq!(outcomes(&record, &RB001_PROBES), expected_branches(&RB001_PROBES, &RB001_PROBES));
    assert_eq!(outcomes(&record, &RB001_BRANCHES), expected_branches(&RB001_BRANCHES, &["reachable"]));
    assert_eq!(outcomes(&record, &RB001_RECOVERY), expected_branches(&RB001_RECOVERY, &[]));
    assert_eq!(request_lines(&api), ["GET /v1/users?limit=1 200", "GET /api/v2/status.json 200"]);
    assert_eq!(api.requests()[0].header("authorization"), Some(format!("Bearer {}", api.api_key).as_str()));
    assert!(message_of(&record, "reachable").starts_with("The API answered 200 in "), "{record:#}");
}

#[test]
fn rb001_a_401_is_an_answer_so_the_api_is_reachable_and_the_key_is_pointed_at() {
    let tools = host_tools();
    let api = fake();
    let outcome = rb001(&tools, api.addr.port(), &api, "a-revoked-key").cwd(tempdir().path()).output();
    outcome.expect_code(0);
    let record = outcome.record();
    assert_eq!(outcome_of(&record, "https"), json!("passed"), "any answer proves the API reachable");
    assert_eq!(step(&record, "https")["result"]["status"], json!(401));
    assert_eq!(outcomes(&record, &RB001_BRANCHES), expected_branches(&RB001_BRANCHES, &["rejected"]));
    assert_eq!(outcomes(&record, &RB001_RECOVERY), expected_branches(&RB001_RECOVERY, &[]));
    assert!(
        message_of(&record, "rejected")
            .starts_with("The API is reachable but answered 401: a 401 or 403 is the API key")
    );
    assert_eq!(request_lines(&api), ["GET /v1/users?limit=1 401", "GET /api/v2/status.json 200"]);
    assert!(!outcome.all().contains("a-revoked-key"), "the key is masked");
}

#[test]
fn rb001_api_down_with_an_incident_enables_fallback_then_verifies_once_it_is_back() {
    let tools = host_tools();
    let status = fake();
    status.set_status_page(StatusPage::new(Indicator::Critical));
    let port = closed_port();
    let journal = tempdir();
    let scratch = tempdir();

    // No one to acknowledge the fallback: the run stops there, pending.
    let down = rb001(&tools, port, &status, &status.api_key)
        .env("RBX_JOURNAL_DIR", journal.path())
        .cwd(scratch.path())
        .output();
    down.expect_code(3);
    let record = down.record();
    assert_eq!(tools.commands(), ["nslookup 127.0.0.1".to_owned(), format!("nc -zv -w 5 127.0.0.1 {port}")]);
    assert_eq!(
        outcomes(&record, &RB001_PROBES),
        [
            ("dns".to_owned(), json!("passed")),
            ("tcp".to_owned(), json!("tolerated")),
            ("https".to_owned(), json!("tolerated")),
            ("status_page".to_owned(), json!("passed")),
        ]
    );
    let https_error = step(&record, "https")["error"].as_str().unwrap_or_default().to_owned();
    assert!(https_error.contains("Connection refused"), "{https_error}");
    assert_eq!(outcome_of(&record, "reachable"), json!("skipped"));
    assert_eq!(outcome_of(&record, "rejected"), json!("skipped"));
    assert_eq!(outcome_of(&record, "maintainx_down"), json!("pending"));
    assert_eq!(record["status"], json!("pending"));
    assert_eq!(request_lines(&status), ["GET /api/v2/status.json 200"]);

    // MaintainX is back on the same port; the operator resumes and confirms.
    let api = fake_with(Config::default().port(port));
    let resumed = tools
        .on_path(resume(&record, journal.path(), &["--yes"]))
        .env("MAINTAINX_API_KEY", &api.api_key)
        .cwd(scratch.path())
        .output();
    resumed.expect_code(0);
    let record = resumed.record();
    assert_eq!(outcomes(&record, &RB001_BRANCHES), expected_branches(&RB001_BRANCHES, &["maintainx_down"]));
    assert_eq!(outcomes(&record, &RB001_RECOVERY), expected_branches(&RB001_RECOVERY, &RB001_RECOVERY));
    assert_eq!(request_lines(&api), ["GET /v1/users?limit=1 200"], "only `verify` runs again");
    assert_eq!(request_lines(&status), ["GET /api/v2/status.json 200"], "the probes are restored, not re-run");
    assert_eq!(tools.commands().len(), 2, "the probes are restored, not re-run");
}

#[test]
fn rb001_an_api_slower_than_the_step_timeout_with_no_incident_points_at_the_local_network() {
    let tools = host_tools();
    let api = fake();
    // Past the probe's 10 s timeout, once: `verify` then gets its answer at once.
    api.set_faults(vec![Fault::latency(Duration::from_secs(12)).on_path("/v1/users").times(1)]);
    let outcome = rb001(&tools, api.addr.port(), &api, &api.api_key).arg("--yes").cwd(tempdir().path()).output();
    outcome.expect_code(0);
    let record = outcome.record();
    assert_eq!(outcome_of(&record, "tcp"), json!("passed"), "the port is open: only the answer is late");
    assert_eq!(outcome_of(&record, "https"), json!("tolerated"));
    let https_error = step(&record, "https")["error"].as_str().unwrap_or_default().to_owned();
    assert!(https_error.contains("within 10s"), "{https_error}");
    assert_eq!(outcomes(&record, &RB001_BRANCHES), expected_branches(&RB001_BRANCHES, &["local_network"]));
    assert_eq!(outcomes(&record, &RB001_RECOVERY), expected_branches(&RB001_RECOVERY, &RB001_RECOVERY));
    assert_eq!(step(&record, "verify")["result"]["status"], json!(200));
    let users: Vec<_> = api.requests().into_iter().filter(|r| r.path == "/v1/users").collect();
    assert_eq!(users.len(), 2, "the probe and `verify`");
}

// ---------------------------------------------------------------------------------------------
// RB-002: the error rate is above 5%.

const RB002_MITIGATIONS: [&str; 7] = [
    "unauthorized",
    "rotate_key",
    "forbidden",
    "rate_limited",
    "enable_throttling",
    "server_errors",
    "circuit_breaker",
];

/// RB-002 against the fake with `faults`; `--yes` acknowledges the mitigation's manual steps.
fn rb002(faults: Vec<Fault>) -> (Value, rbx_fake::Running) {
    let api = fake();
    api.set_faults(faults);
    let key = api.api_key.clone();
    (rb002_with_key(&api, &key), api)
}

fn rb002_with_key(api: &Running, key: &str) -> Value {
    let outcome = run_json("rb-002-high-error-rate.yaml")
        .var("api_base", api.base_url())
        .env("MAINTAINX_API_KEY", key)
        .arg("--yes")
        .cwd(tempdir().path())
        .output();
    outcome.expect_code(0);
    outcome.record()
}

/// How many of the fake's answers had each status, as the runbook's `count_by` shows them.
fn status_counts(api: &Running) -> Value {
    let mut counts = serde_json::Map::new();
    for request in api.requests() {
        let status = request.status.map_or("none".to_owned(), |s| s.to_string());
        let count = counts.get(&status).map_or(0, as_u64) + 1;
        counts.insert(status, json!(count));
    }
    Value::Object(counts)
}

#[test]
fn rb002_healthy_api_is_within_budget() {
    let (record, api) = rb002(Vec::new());
    assert_eq!(api.requests().len(), 100, "the sample reached the server");
    assert_eq!(outcome_of(&record, "error_rate"), json!("passed"));
    assert_eq!(outcome_of(&record, "within_budget"), json!("passed"));
    assert_eq!(outcomes(&record, &RB002_MITIGATIONS), expected_branches(&RB002_MITIGATIONS, &[]));
    assert_eq!(outcome_of(&record, "resolution"), json!("skipped"));
}

#[test]
fn rb002_threshold_just_below_at_and_above_five_percent() {
    for (percent, over) in [(4.0, false), (5.0, false), (6.0, true), (7.0, true)] {
        let (record, api) = rb002(vec![Fault::error_rate(percent, 503).on_path("/v1/workorders")]);
        let failed = api.requests().iter().filter(|r| r.status == Some(503)).count();
        assert_eq!(failed as f64, percent, "the fake failed exactly {percent}% of 100");
        let expected = if over { "tolerated" } else { "passed" };
        assert_eq!(outcome_of(&record, "error_rate"), json!(expected), "{percent}%");
        let server_errors = if over { "passed" } else { "skipped" };
        assert_eq!(outcome_of(&record, "server_errors"), json!(server_errors), "{percent}%");
        assert_eq!(outcome_of(&record, "circuit_breaker"), json!(server_errors), "{percent}%");
    }
}

#[test]
fn rb002_each_error_class_takes_its_own_branch_and_no_other() {
    let branches: [(u16, &[&str]); 6] = [
        (401, &["unauthorized", "rotate_key"]),
        (403, &["forbidden"]),
        (429, &["rate_limited", "enable_throttling"]),
        (500, &["server_errors", "circuit_breaker"]),
        (502, &["server_errors", "circuit_breaker"]),
        (504, &["server_errors", "circuit_breaker"]),
    ];
    for (status, taken) in branches {
        let (record, api) = rb002(vec![Fault::error_rate(10.0, status).on_path("/v1/workorders")]);
        assert_eq!(status_counts(&api), json!({ "200": 90, status.to_string(): 10 }), "{status}");
        assert_eq!(outcome_of(&record, "error_rate"), json!("tolerated"), "{status}");
        assert_eq!(outcome_of(&record, "within_budget"), json!("skipped"), "{status}");
        assert_eq!(outcomes(&record, &RB002_MITIGATIONS), expected_branches(&RB002_MITIGATIONS, taken), "{status}");
        assert_eq!(outcome_of(&record, "resolution"), json!("passed"), "{status}");
        let distribution = message_of(&record, "distribution");
        assert!(
            distribution
                .starts_with(&format!("10 of 100 requests failed (10%); by status: {{\"200\":90,\"{status}\":10}}")),
            "{distribution}"
        );
    }
}

#[test]
fn rb002_a_revoked_key_fails_every_call_and_takes_the_401_row() {
    let api = fake();
    let record = rb002_with_key(&api, "a-revoked-key");
    assert_eq!(status_counts(&api), json!({ "401": 100 }));
    assert_eq!(
        outcomes(&record, &RB002_MITIGATIONS),
        expected_branches(&RB002_MITIGATIONS, &["unauthorized", "rotate_key"])
    );
    assert_eq!(
        message_of(&record, "unauthorized"),
        "401 Unauthorized (100 answers): the API key is invalid or revoked."
    );
}

#[test]
fn rb002_rate_limiting_with_retry_after_takes_the_429_row() {
    // MaintainX's own rate limiting: 429 with `Retry-After`, for the first 8 calls.
    let (record, api) = rb002(vec![Fault::rate_limit(1).on_path("/v1/workorders").times(8)]);
    assert_eq!(status_counts(&api), json!({ "200": 92, "429": 8 }));
    assert_eq!(
        outcomes(&record, &RB002_MITIGATIONS),
        expected_branches(&RB002_MITIGATIONS, &["rate_limited", "enable_throttling"])
    );
    assert_eq!(
        message_of(&record, "rate_limited"),
        "429 Rate Limited (8 answers): the integration sends too many requests."
    );
}

#[test]
fn rb002_several_classes_at_once_take_every_row_that_applies() {
    let (record, api) = rb002(vec![
        Fault::error_rate(3.0, 401).on_path("/v1/workorders"),
        // Counts only the 97 requests the first fault left: 4 of them.
        Fault::error_rate(5.0, 503).on_path("/v1/workorders"),
    ]);
    let counts = status_counts(&api);
    assert_eq!((counts["401"].clone(), counts["503"].clone()), (json!(3), json!(4)), "{counts}");
    assert_eq!(outcome_of(&record, "error_rate"), json!("tolerated"), "7% together, over 5%");
    assert_eq!(
        outcomes(&record, &RB002_MITIGATIONS),
        expected_branches(&RB002_MITIGATIONS, &["unauthorized", "rotate_key", "server_errors", "circuit_breaker"])
    );
}

#[test]
fn rb002_without_yes_stops_pending_at_the_first_mitigation() {
    let api = fake();
    api.set_faults(vec![Fault::error_rate(7.0, 503).on_path("/v1/workorders")]);
    let outcome = run_json("rb-002-high-error-rate.yaml")
        .var("api_base", api.base_url())
        .env("MAINTAINX_API_KEY", &api.api_key)
        .cwd(tempdir().path())
        .output();
    outcome.expect_code(3);
    let record = outcome.record();
    assert_eq!(record["status"], json!("pending"));
    assert_eq!(outcome_of(&record, "circuit_breaker"), json!("pending"));
    assert!(!outcome.all().contains(&api.api_key), "the key is masked");
}

// ---------------------------------------------------------------------------------------------
// RB-003: webhooks are not processed.

const WEBHOOK_SECRET: &str = "whsec-rb003-test";
const TEST_PAYLOAD: &str = r#"{"event":"rbx.signature-check","data":{}}"#;
const RB003_MITIGATIONS: [&str; 7] =
    ["check_secret", "verification_off", "endpoint_reachable", "pause", "fix_handler", "replay", "resume"];

/// The webhook queues of one test, in the real Redis under names of their own; deleted when
/// the test ends, however it ends.
struct Queues {
    url: String,
    prefix: String,
}

impl Queues {
    /// `None` (the test skips) without a Redis to use.
    fn new(queued: usize, failed: usize) -> Option<Queues> {
        let url = service_url("RBX_TEST_REDIS_URL")?;
        let queues = Queues { url, prefix: unique_name("rb003") };
        for n in 0..queued {
            redis(&queues.url, &["RPUSH", &queues.key("queue"), &format!("queued-{n}")]);
        }
        for n in 0..failed {
            redis(&queues.url, &["RPUSH", &queues.key("failed"), &format!("failed-{n}")]);
        }
        Some(queues)
    }

    fn key(&self, name: &str) -> String {
        format!("{}:{name}", self.prefix)
    }

    fn list(&self, name: &str) -> Value {
        redis(&self.url, &["LRANGE", &self.key(name), "0", "-1"])
    }

    fn exists(&self, name: &str) -> bool {
        redis(&self.url, &["EXISTS", &self.key(name)]) == json!(1)
    }

    /// Every key as it is now, to compare before and after a run.
    fn snapshot(&self) -> Value {
        json!({ "queue": self.list("queue"), "failed": self.list("failed"), "paused": self.exists("paused") })
    }

    /// RB-003 on these queues and the receiver of `app`, backed up above `max_queue_depth`.
    fn rb003(&self, app: &Running, secret: &str, max_queue_depth: usize) -> Rbx {
        run_json("rb-003-webhook-failures.yaml")
            .var("app_base", app.root_url())
            .var("redis_url", &self.url)
            .var("queue_key", self.key("queue"))
            .var("failed_key", self.key("failed"))
            .var("paused_key", self.key("paused"))
            .var("max_queue_depth", max_queue_depth.to_string())
            .var("test_payload", TEST_PAYLOAD)
            .env("MAINTAINX_WEBHOOK_SECRET", secret)
    }
}

impl Drop for Queues {
    fn drop(&mut self) {
        redis(&self.url, &["DEL", &self.key("queue"), &self.key("failed"), &self.key("paused")]);
    }
}

fn queued(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|n| format!("queued-{n}")).collect()
}

fn failed(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|n| format!("failed-{n}")).collect()
}

#[test]
fn rb003_healthy_webhooks_verify_signatures_and_nothing_is_touched() {
    let Some(queues) = Queues::new(3, 0) else { return };
    let app = fake_with(Config::default().webhook_secret(WEBHOOK_SECRET));
    let before = queues.snapshot();
    let outcome = queues.rb003(&app, WEBHOOK_SECRET, 1000).cwd(tempdir().path()).output();
    outcome.expect_code(0);
    let record = outcome.record();
    assert_eq!(step(&record, "queue_depth")["result"]["value"], json!(3));
    assert_eq!(step(&record, "failed_count")["result"]["value"], json!(0));
    assert_eq!(
        outcomes(&record, &["signed_delivery", "forged_delivery"]),
        [("signed_delivery".to_owned(), json!("passed")), ("forged_delivery".to_owned(), json!("passed")),]
    );
    assert_eq!(outcomes(&record, &RB003_MITIGATIONS), expected_branches(&RB003_MITIGATIONS, &[]));
    assert_eq!(queues.snapshot(), before, "nothing changed in Redis");

    // At the receiver, which checks the HMAC of the exact body with its own secret: the signed
    // delivery was accepted, the forged one refused.
    let deliveries: Vec<_> = app.requests().into_iter().filter(|r| r.path == "/webhooks/maintainx").collect();
    let seen: Vec<(&str, Option<u16>)> = deliveries.iter().map(|d| (d.body.as_str(), d.status)).collect();
    assert_eq!(seen, [(TEST_PAYLOAD, Some(202)), (TEST_PAYLOAD, Some(401))]);
    let signatures: Vec<&str> = deliveries.iter().filter_map(|d| d.header("x-maintainx-signature")).collect();
    assert!(signatures.iter().all(|s| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())), "{signatures:?}");
    assert!(!outcome.all().contains(WEBHOOK_SECRET), "the secret is masked");
}

#[test]
fn rb003_each_receiver_fault_takes_its_own_branch() {
    type Setup = fn(&Running);
    let cases: [(&str, &str, Setup, &[&str]); 3] = [
        // The application was deployed with another secret than MaintainX signs with.
        ("stale secret", "a-stale-secret", |_| {}, &["check_secret"]),
        (
            "no verification",
            WEBHOOK_SECRET,
            |app| app.set_webhook_receiver(WebhookReceiver { verify_signatures: false }),
            &["verification_off"],
        ),
        (
            "endpoint down",
            WEBHOOK_SECRET,
            |app| {
                app.set_webhook_health(WebhookHealth {
                    healthy: false,
                    queue_depth: 0,
                    failed: 0,
                    last_error: Some("worker crashed".to_owned()),
                });
            },
            &["endpoint_reachable", "fix_handler"],
        ),
    ];
    for (fault, secret, setup, taken) in cases {
        let Some(queues) = Queues::new(2, 0) else { return };
        let app = fake_with(Config::default().webhook_secret(WEBHOOK_SECRET));
        setup(&app);
        let outcome = queues.rb003(&app, secret, 1000).arg("--yes").cwd(tempdir().path()).output();
        outcome.expect_code(0);
        let record = outcome.record();
        assert_eq!(outcomes(&record, &RB003_MITIGATIONS), expected_branches(&RB003_MITIGATIONS, taken), "{fault}");
        let statuses: Vec<Option<u16>> =
            app.requests().iter().filter(|r| r.path == "/webhooks/maintainx").map(|r| r.status).collect();
        let expected = match fault {
            "stale secret" => [Some(401), Some(401)],
            "no verification" => [Some(202), Some(202)],
            _ => [Some(202), Some(401)],
        };
        assert_eq!(statuses, expected, "{fault}: the receiver's answers");
    }
}

#[test]
fn rb003_backed_up_with_yes_pauses_replays_the_failed_and_resumes() {
    let Some(queues) = Queues::new(8, 3) else { return };
    let app = fake_with(Config::default().webhook_secret(WEBHOOK_SECRET));
    let outcome = queues.rb003(&app, WEBHOOK_SECRET, 5).arg("--yes").cwd(tempdir().path()).output();
    outcome.expect_code(0);
    let record = outcome.record();
    assert_eq!(step(&record, "failed_recent")["result"]["value"], json!(failed(0..3)));
    assert_eq!(
        outcomes(&record, &RB003_MITIGATIONS),
        expected_branches(&RB003_MITIGATIONS, &["pause", "fix_handler", "replay", "resume"])
    );
    assert_eq!(step(&record, "pause")["confirmation"]["automatic"], json!(true));
    assert_eq!(step(&record, "pause")["result"]["value"], json!("OK"));
    assert_eq!(step(&record, "replay")["result"]["items"].as_array().map(Vec::len), Some(3));
    assert_eq!(step(&record, "resume")["result"]["value"], json!(1), "`DEL` found the pause key the run had set");

    // At the server: the failed webhooks are back at the end of the queue, in order; the failed
    // list and the pause key are gone.
    let mut expected = queued(0..8);
    expected.extend(failed(0..3));
    assert_eq!(queues.snapshot(), json!({ "queue": expected, "failed": [], "paused": false }));
}

#[test]
fn rb003_backed_up_without_yes_declines_the_pause_and_changes_nothing() {
    let Some(queues) = Queues::new(8, 3) else { return };
    let app = fake_with(Config::default().webhook_secret(WEBHOOK_SECRET));
    let before = queues.snapshot();
    let outcome = queues.rb003(&app, WEBHOOK_SECRET, 5).cwd(tempdir().path()).output();
    outcome.expect_code(3);
    let record = outcome.record();
    assert_eq!(record["status"], json!("pending"));
    assert_eq!(outcome_of(&record, "pause"), json!("declined"));
    assert_eq!(step(&record, "pause")["confirmation"]["reason"], json!("no terminal to ask and no --yes"));
    assert_eq!(outcome_of(&record, "fix_handler"), json!("pending"), "the run stops before the replay");
    assert!(record["steps"].as_array().is_some_and(|steps| steps.iter().all(|s| s["id"] != "replay")));
    assert_eq!(queues.snapshot(), before, "nothing changed in Redis");
}

#[test]
fn rb003_at_a_terminal_each_action_happens_only_when_confirmed() {
    let Some(queues) = Queues::new(8, 3) else { return };
    let app = fake_with(Config::default().webhook_secret(WEBHOOK_SECRET));
    let max_queue_depth = "max_queue_depth=5".to_owned();
    let vars = [
        format!("app_base={}", app.root_url()),
        format!("redis_url={}", queues.url),
        format!("queue_key={}", queues.key("queue")),
        format!("failed_key={}", queues.key("failed")),
        format!("paused_key={}", queues.key("paused")),
        max_queue_depth,
    ];
    let args: Vec<&str> = vars.iter().flat_map(|v| ["--var", v.as_str()]).collect();
    // Pause: yes; the handler is fixed: yes; replay: no; resume: yes.
    let scratch = tempdir();
    let Some((code, screen)) = common::at_a_terminal_with(
        scratch.path(),
        &runbook("rb-003-webhook-failures.yaml"),
        &args,
        &[("MAINTAINX_WEBHOOK_SECRET", WEBHOOK_SECRET)],
        "y\ny\nn\ny\n",
    ) else {
        return;
    };
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("Move 3 failed webhooks from"), "the replay was asked\n{screen}");
    assert!(screen.contains("declined: answered `n`"), "{screen}");
    assert_eq!(
        queues.snapshot(),
        json!({ "queue": queued(0..8), "failed": failed(0..3), "paused": false }),
        "paused and resumed, but nothing replayed\n{screen}"
    );
}

// ---------------------------------------------------------------------------------------------
// RB-004: the local store has drifted from MaintainX.

/// A `work_orders` table in a PostgreSQL schema of its own, which the runbook reaches through
/// `search_path` in its URL; dropped when the test ends.
struct LocalStore {
    // Before the runtime: fields drop in order, and the pool goes while the runtime is there.
    clients: Clients,
    runtime: tokio::runtime::Runtime,
    admin_url: String,
    schema: String,
}

impl LocalStore {
    /// `None` (the test skips) without a PostgreSQL to use.
    fn new(ids: impl IntoIterator<Item = u64>) -> Option<LocalStore> {
        let admin_url = service_url("RBX_TEST_PG_URL")?;
        let store = LocalStore { clients: Clients::new(), runtime: runtime(), admin_url, schema: unique_name("rb004") };
        let values: Vec<String> = ids.into_iter().map(|id| format!("({id})")).collect();
        let schema = &store.schema;
        store.execute(&[
            &format!("CREATE SCHEMA {schema}"),
            &format!("CREATE TABLE {schema}.work_orders (id bigint PRIMARY KEY)"),
            &format!("INSERT INTO {schema}.work_orders (id) VALUES {}", values.join(", ")),
        ]);
        Some(store)
    }

    fn execute(&self, statements: &[&str]) {
        for statement in statements {
            sql(&self.clients, &self.runtime, &self.admin_url, statement);
        }
    }

    /// The runbook's `db_url`: the same database, this schema first on the search path.
    fn url(&self) -> String {
        let separator = if self.admin_url.contains('?') { '&' } else { '?' };
        format!("{}{separator}options=-csearch_path%3D{}", self.admin_url, self.schema)
    }
}

impl Drop for LocalStore {
    fn drop(&mut self) {
        let drop_schema = format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema);
        sql(&self.clients, &self.runtime, &self.admin_url, &drop_schema);
    }
}

fn rb004(api: &Running, db_url: &str) -> Rbx {
    run_json("rb-004-data-sync-drift.yaml")
        .var("api_base", api.base_url())
        .var("db_url", db_url)
        .env("MAINTAINX_API_KEY", &api.api_key)
}

const RB004_RESYNC: [&str; 7] =
    ["full_sync", "check_delivery", "check_polling", "recheck_local", "recount", "resynced", "monitor"];

#[test]
fn rb004_in_sync_lists_nothing_and_resyncs_nothing() {
    let Some(store) = LocalStore::new(1..=100) else { return };
    let api = fake();
    let outcome = rb004(&api, &store.url()).cwd(tempdir().path()).output();
    outcome.expect_code(0);
    let record = outcome.record();
    assert_eq!(
        message_of(&record, "counts"),
        "MaintainX work orders: 100; local work orders: 100; missing locally: 0; extra locally: 0"
    );
    assert_eq!(message_of(&record, "missing_ids"), "Missing locally: []");
    assert_eq!(message_of(&record, "extra_ids"), "Extra locally: []");
    assert_eq!(outcome_of(&record, "in_sync"), json!("passed"));
    assert_eq!(outcomes(&record, &RB004_RESYNC), expected_branches(&RB004_RESYNC, &["monitor"]));
    assert_eq!(request_lines(&api), ["GET /v1/workorders?limit=100 200"]);
}

#[test]
fn rb004_drift_lists_missing_and_extra_ids_then_resumes_after_the_resync() {
    // Locally, 7 and 42 never arrived and 900 and 901 were deleted in MaintainX.
    let Some(store) = LocalStore::new((1..=100).filter(|id| ![7, 42].contains(id)).chain([900, 901])) else { return };
    let api = fake();
    let journal = tempdir();
    let scratch = tempdir();
    let drifted = rb004(&api, &store.url()).env("RBX_JOURNAL_DIR", journal.path()).cwd(scratch.path()).output();
    drifted.expect_code(3);
    let record = drifted.record();
    assert_eq!(
        message_of(&record, "counts"),
        "MaintainX work orders: 100; local work orders: 100; missing locally: 2; extra locally: 2"
    );
    assert_eq!(message_of(&record, "missing_ids"), "Missing locally: [7,42]");
    assert_eq!(message_of(&record, "extra_ids"), "Extra locally: [900,901]");
    assert_eq!(outcome_of(&record, "in_sync"), json!("tolerated"));
    assert_eq!(outcome_of(&record, "full_sync"), json!("declined"), "no one confirmed the full sync");
    assert_eq!(outcome_of(&record, "check_delivery"), json!("pending"));

    // The operator runs the sync job (here: by hand), then resumes.
    let schema = &store.schema;
    store.execute(&[
        &format!("INSERT INTO {schema}.work_orders (id) VALUES (7), (42)"),
        &format!("DELETE FROM {schema}.work_orders WHERE id > 100"),
    ]);
    let resumed =
        resume(&record, journal.path(), &["--yes"]).env("MAINTAINX_API_KEY", &api.api_key).cwd(scratch.path()).output();
    resumed.expect_code(0);
    let record = resumed.record();
    assert_eq!(outcomes(&record, &RB004_RESYNC), expected_branches(&RB004_RESYNC, &RB004_RESYNC));
    assert_eq!(step(&record, "recheck_local")["result"]["row_count"], json!(100));
    assert_eq!(request_lines(&api), ["GET /v1/workorders?limit=100 200"], "MaintainX's ids are restored, not re-read");
}

#[test]
fn rb004_an_empty_local_store_misses_everything_and_a_resync_that_did_nothing_fails() {
    // SQLite, embedded: this case runs everywhere.
    let dir = tempdir();
    let database = dir.path().join("local.db");
    let url = format!("sqlite://{}?mode=rwc", database.display());
    let clients = Clients::new();
    let runtime = runtime();
    sql(&clients, &runtime, &url, "CREATE TABLE work_orders (id INTEGER PRIMARY KEY)");
    let api = fake();
    let outcome = rb004(&api, &url).var("sample", "5").arg("--yes").cwd(dir.path()).output();
    outcome.expect_code(1);
    let record = outcome.record();
    assert_eq!(message_of(&record, "missing_ids"), "Missing locally: [1,2,3,4,5]");
    assert_eq!(message_of(&record, "extra_ids"), "Extra locally: []");
    assert_eq!(outcome_of(&record, "in_sync"), json!("tolerated"));
    assert_eq!(outcome_of(&record, "resynced"), json!("failed"), "still drifting: the run says so");
    assert_eq!(request_lines(&api), ["GET /v1/workorders?limit=5 200"]);
}

#[test]
fn rb004_one_work_order_on_each_side_still_compares_lists() {
    // One id on a side: `$[*].id` selects one node, and the comparison must still see a list
    // (the `jsonpath` helper once gave `1` there, and `difference` refused it).
    for (local_id, missing, extra, code, in_sync) in [(1, "[]", "[]", 0, "passed"), (2, "[1]", "[2]", 3, "tolerated")] {
        let dir = tempdir();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("local.db").display());
        let clients = Clients::new();
        let runtime = runtime();
        sql(&clients, &runtime, &url, "CREATE TABLE work_orders (id INTEGER PRIMARY KEY)");
        sql(&clients, &runtime, &url, &format!("INSERT INTO work_orders (id) VALUES ({local_id})"));
        let api = fake();
        let outcome = rb004(&api, &url).var("sample", "1").cwd(dir.path()).output();
        outcome.expect_code(code);
        let record = outcome.record();
        let drift = if missing == "[]" { 0 } else { 1 };
        assert_eq!(
            message_of(&record, "counts"),
            format!("MaintainX work orders: 1; local work orders: 1; missing locally: {drift}; extra locally: {drift}")
        );
        assert_eq!(message_of(&record, "missing_ids"), format!("Missing locally: {missing}"));
        assert_eq!(message_of(&record, "extra_ids"), format!("Extra locally: {extra}"));
        assert_eq!(outcome_of(&record, "in_sync"), json!(in_sync), "local id {local_id}");
    }
}

// ---------------------------------------------------------------------------------------------
// RB-005: calls to MaintainX are slow.

const RB005_MITIGATIONS: [&str; 3] = ["reduce_load", "improve_cache", "resolution"];

/// RB-005 against `api`, the test Redis as the cache and the test PostgreSQL as the local store.
fn rb005(api: &Running, redis_url: &str, pg_url: &str, slow_ms: u64, min_hit_percent: u64) -> Outcome {
    run_json("rb-005-performance-degradation.yaml")
        .var("api_base", api.base_url())
        .var("redis_url", redis_url)
        .var("db_url", pg_url)
        .var("slow_ms", slow_ms.to_string())
        .var("min_hit_percent", min_hit_percent.to_string())
        .env("MAINTAINX_API_KEY", &api.api_key)
        .arg("--yes")
        .cwd(tempdir().path())
        .output()
}

/// One cache hit and one cache miss on keys of this test, so the hit rate has something to
/// count; the key is deleted on drop.
struct CacheTraffic {
    url: String,
    key: String,
}

impl CacheTraffic {
    fn new(url: &str) -> CacheTraffic {
        let traffic = CacheTraffic { url: url.to_owned(), key: unique_name("rb005") };
        redis(url, &["SET", &traffic.key, "cached"]);
        assert_eq!(redis(url, &["GET", &traffic.key]), json!("cached"));
        assert_eq!(redis(url, &["GET", &format!("{}:absent", traffic.key)]), Value::Null);
        traffic
    }
}

impl Drop for CacheTraffic {
    fn drop(&mut self) {
        redis(&self.url, &["DEL", &self.key]);
    }
}

#[test]
fn rb005_a_slow_endpoint_is_reported_alone_with_cache_and_pool_statistics() {
    let (Some(redis_url), Some(pg_url)) = (service_url("RBX_TEST_REDIS_URL"), service_url("RBX_TEST_PG_URL")) else {
        return;
    };
    let _traffic = CacheTraffic::new(&redis_url);
    // A connection of ours left idle in the pool the runbook reads.
    let (runtime, idle) = (self::runtime(), Clients::new());
    sql(&idle, &runtime, &pg_url, "SELECT 1");

    let api = fake();
    // Only /assets is slow; the budget leaves the others seconds of room on a busy machine.
    api.set_faults(vec![Fault::latency(Duration::from_millis(3000)).on_path("/v1/assets")]);
    let outcome = rb005(&api, &redis_url, &pg_url, 2500, 100);
    outcome.expect_code(0);
    let record = outcome.record();

    let items = step(&record, "latency")["result"]["items"].as_array().cloned().unwrap_or_default();
    let by_endpoint: Vec<(Value, Value)> = items.iter().map(|i| (i["url"].clone(), i["outcome"].clone())).collect();
    let url = |endpoint: &str| json!(format!("{}/{endpoint}?limit=10", api.base_url()));
    assert_eq!(
        by_endpoint,
        [
            (url("workorders"), json!("passed")),
            (url("assets"), json!("failed")),
            (url("locations"), json!("passed")),
            (url("users"), json!("passed")),
        ]
    );
    assert_eq!(outcome_of(&record, "latency"), json!("tolerated"));
    let table = regex::Regex::new(
        r"^\[OK\] /workorders: \d+ ms; \[SLOW\] /assets: \d+ ms; \[OK\] /locations: \d+ ms; \[OK\] /users: \d+ ms; $",
    )
    .expect("a valid regex");
    let latency_table = message_of(&record, "latency_table");
    assert!(table.is_match(&latency_table), "{latency_table}");
    assert_eq!(
        request_lines(&api),
        [
            "GET /v1/workorders?limit=10 200",
            "GET /v1/assets?limit=10 200",
            "GET /v1/locations?limit=10 200",
            "GET /v1/users?limit=10 200"
        ]
    );

    // The cache: what INFO said, captured and shown; our miss keeps the rate under 100%.
    let info = &step(&record, "cache_stats")["result"]["value"];
    let (hits, misses) = (as_u64(&info["keyspace_hits"]), as_u64(&info["keyspace_misses"]));
    assert!(hits >= 1 && misses >= 1, "our hit and miss are counted: {hits} hits, {misses} misses");
    let keys = as_u64(&step(&record, "cache_size")["result"]["value"]);
    assert!(keys >= 1, "our key is in the cache");
    assert_eq!(
        message_of(&record, "cache_summary"),
        format!("Cache: {keys} keys, {hits} hits, {misses} misses (hit rate check tolerated).")
    );
    let rate = step(&record, "cache_hit_rate")["failures"][0]["expected"].as_f64().unwrap_or_default();
    assert!((rate - 100.0 * hits as f64 / (hits + misses) as f64).abs() < 1e-9, "the hit rate: {rate}");

    // The pool: the runbook's own query is active, and our connection idle.
    let pool = &step(&record, "pool")["result"]["rows"][0];
    assert!(as_u64(&pool["active"]) >= 1 && as_u64(&pool["idle"]) >= 1, "{pool}");
    assert_eq!(
        message_of(&record, "pool_summary"),
        format!(
            "Connection pool: {} active, {} idle, {} waiting on a lock.",
            pool["active"], pool["idle"], pool["waiting"]
        )
    );

    assert_eq!(outcomes(&record, &RB005_MITIGATIONS), expected_branches(&RB005_MITIGATIONS, &RB005_MITIGATIONS));
    runtime.block_on(async { drop(idle) });
}

#[test]
fn rb005_fast_endpoints_and_a_healthy_cache_need_no_mitigation() {
    let (Some(redis_url), Some(pg_url)) = (service_url("RBX_TEST_REDIS_URL"), service_url("RBX_TEST_PG_URL")) else {
        return;
    };
    let _traffic = CacheTraffic::new(&redis_url);
    let api = fake();
    let outcome = rb005(&api, &redis_url, &pg_url, 2500, 0);
    outcome.expect_code(0);
    let record = outcome.record();
    let items = step(&record, "latency")["result"]["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.iter().map(|i| i["outcome"].clone()).collect::<Vec<_>>(), vec![json!("passed"); 4]);
    assert_eq!(outcome_of(&record, "latency"), json!("passed"));
    assert_eq!(outcome_of(&record, "cache_hit_rate"), json!("passed"));
    assert_eq!(message_of(&record, "latency_table").matches("[OK]").count(), 4);
    assert_eq!(outcomes(&record, &RB005_MITIGATIONS), expected_branches(&RB005_MITIGATIONS, &[]));
    assert_eq!(api.requests().len(), 4, "one call per endpoint");
}
