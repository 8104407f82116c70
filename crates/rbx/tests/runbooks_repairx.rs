//! The RepairX runbooks with `http`, `sql` and `redis` steps, end to end through `rbx run`:
//! against the real PostgreSQL and Redis of `RBX_TEST_PG_URL` / `RBX_TEST_REDIS_URL` (seeded with
//! tables, sessions and keys of the test's own, cleaned up afterwards), the HTTP endpoints they
//! call (application health, Prometheus, Elasticsearch, the audit API) as an [`HttpStub`] on
//! 127.0.0.1, and the host commands (`docker`, `docker-compose`, `journalctl`, `iptables`) as
//! [`Stubs`] on `PATH`. The runbooks that FLUSHALL or FLUSHDB get a Redis server of the test's
//! own instead of the shared one. Each test checks the JSON record's outcomes, the commands that ran and
//! their order, that destructive steps ran only when confirmed, and the effect at the server.
//!
//! The manual-only and shell-only RepairX runbooks are in `runbooks_library.rs`.

mod common;

use std::path::{Path, PathBuf};

use common::stubs::Stubs;
use common::{Outcome, service_url, step, step_ids};
use rbx_fake::{CannedReply, HttpStub};
use serde_json::{Value, json};

fn runbook(name: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../runbooks/repairx").join(name);
    assert!(path.is_file(), "missing {}", path.display());
    path
}

fn http_stub() -> HttpStub {
    HttpStub::spawn_in_thread().expect("the HTTP stub starts")
}

fn outcome_of(record: &Value, id: &str) -> String {
    step(record, id)["outcome"].as_str().unwrap_or_default().to_owned()
}

/// Every step's id and outcome, in the record's order.
fn outcomes(record: &Value) -> Vec<(String, String)> {
    step_ids(record)
        .into_iter()
        .map(|id| {
            let outcome = outcome_of(record, &id);
            (id, outcome)
        })
        .collect()
}

/// Panics, showing the run, unless each step listed has the outcome given.
#[track_caller]
fn expect_outcomes(outcome: &Outcome, expected: &[(&str, &str)]) {
    let record = outcome.record();
    for (id, wanted) in expected {
        assert_eq!(outcome_of(&record, id), *wanted, "step `{id}`: {:?}\n{}", outcomes(&record), outcome.dump());
    }
}

/// The test PostgreSQL, seen from sessions of the test's own (sqlx on a runtime of its own, so
/// they stay open, idle, in a transaction or blocked, while `rbx` runs). Every session it opens
/// carries `application_name` = `name`, and what it creates is named `name`: a table in the test
/// database, or a whole scratch database. Dropping it ends those sessions and drops what it made.
struct Postgres {
    runtime: tokio::runtime::Runtime,
    admin_url: String,
    /// The URL the runbook is given.
    url: String,
    name: String,
    scratch_database: bool,
}

impl Postgres {
    /// On the test database, with the table `name` (`id int primary key, v int`, one row `(1, 0)`).
    fn with_table(prefix: &str) -> Option<Postgres> {
        let pg = Postgres::connect(prefix, false)?;
        let mut admin = pg.admin();
        pg.execute(&mut admin, &format!("CREATE TABLE {} (id int PRIMARY KEY, v int NOT NULL)", pg.name));
        pg.execute(&mut admin, &format!("INSERT INTO {} VALUES (1, 0)", pg.name));
        Some(pg)
    }

    /// On a database of its own, created for the test, so that what a runbook does to "every
    /// connection of this database" reaches no other test's sessions.
    fn with_database(prefix: &str) -> Option<Postgres> {
        let mut pg = Postgres::connect(prefix, true)?;
        let mut admin = pg.admin();
        pg.execute(&mut admin, &format!("CREATE DATABASE {}", pg.name));
        pg.url = database_url(&pg.admin_url, &pg.name);
        Some(pg)
    }

    fn connect(prefix: &str, scratch_database: bool) -> Option<Postgres> {
        let admin_url = service_url("RBX_TEST_PG_URL")?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("cannot start a runtime: {e}"));
        let name = common::unique_name(prefix);
        Some(Postgres { runtime, url: admin_url.clone(), admin_url, name, scratch_database })
    }

    fn open(&self, url: &str) -> sqlx::PgConnection {
        use sqlx::ConnectOptions;
        let options: sqlx::postgres::PgConnectOptions =
            url.parse().unwrap_or_else(|e| panic!("not a PostgreSQL URL: {e}"));
        let options = options.application_name(&self.name);
        self.runtime.block_on(options.connect()).unwrap_or_else(|e| panic!("cannot connect to PostgreSQL: {e}"))
    }

    /// A session on the test database (where the scratch database is created and watched from).
    fn admin(&self) -> sqlx::PgConnection {
        self.open(&self.admin_url)
    }

    /// A session on the database the runbook is given.
    fn session(&self) -> sqlx::PgConnection {
        self.open(&self.url)
    }

    fn execute(&self, session: &mut sqlx::PgConnection, sql: &str) {
        let statement = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()));
        self.runtime.block_on(statement.execute(session)).unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    fn number(&self, session: &mut sqlx::PgConnection, sql: &str) -> i64 {
        let query = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.to_owned()));
        self.runtime.block_on(query.fetch_one(session)).unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    fn pid(&self, session: &mut sqlx::PgConnection) -> i64 {
        self.number(session, "SELECT pg_backend_pid()::bigint")
    }

    /// Whether backend `pid` left pg_stat_activity, waiting a little for it: a terminated
    /// backend is signalled before `pg_terminate_backend` returns, and exits just after.
    fn backend_ends(&self, pid: i64) -> bool {
        self.count_reaches(&format!("SELECT count(*) FROM pg_stat_activity WHERE pid = {pid}"), 0)
    }

    /// Whether the count `query` gives (run from the test database) becomes `wanted` within
    /// 5 s: the server's view of sessions changes a moment after what caused it.
    fn count_reaches(&self, query: &str, wanted: i64) -> bool {
        let mut admin = self.admin();
        (0..100).any(|_| {
            let reached = self.number(&mut admin, query) == wanted;
            if !reached {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            reached
        })
    }

    /// Whether `session` still answers: a terminated one fails its next statement.
    fn answers(&self, session: &mut sqlx::PgConnection) -> bool {
        self.runtime.block_on(sqlx::raw_sql("SELECT 1").execute(session)).is_ok()
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let mut admin = self.admin();
        let name = &self.name;
        let sessions = format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '{name}' AND pid <> pg_backend_pid()"
        );
        self.execute(&mut admin, &sessions);
        let drop = if self.scratch_database {
            format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        } else {
            format!("DROP TABLE IF EXISTS {name}")
        };
        self.execute(&mut admin, &drop);
    }
}

/// `url` with its database (the last path segment) replaced by `database`.
fn database_url(url: &str, database: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(base, query)| (base, Some(query)));
    let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
    match query {
        Some(query) => format!("{server}/{database}?{query}"),
        None => format!("{server}/{database}"),
    }
}

/// A Redis server of the test's own (`redis-server` on a free port, nothing saved), for the
/// runbooks that FLUSHALL or FLUSHDB: on the shared test Redis that would delete other tests'
/// keys. `None` (the test skips, saying why) without `redis-server`, except under CI. Dropping it
/// stops the server.
struct PrivateRedis {
    server: std::process::Child,
    port: u16,
}

impl PrivateRedis {
    fn start() -> Option<PrivateRedis> {
        if std::process::Command::new("redis-server").arg("--version").output().is_err() {
            assert!(std::env::var_os("CI").is_none(), "redis-server is needed for the RepairX runbook tests");
            eprintln!("skipped: redis-server is not installed");
            return None;
        }
        // The port is free when picked; another process may take it before redis-server binds,
        // so a server that exits at once is started again on another port.
        for _ in 0..5 {
            let port = common::closed_port();
            let server = std::process::Command::new("redis-server")
                .args(["--bind", "127.0.0.1", "--port", &port.to_string(), "--save", "", "--appendonly", "no"])
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start redis-server: {e}"));
            let mut redis = PrivateRedis { server, port };
            for _ in 0..200 {
                if redis.connection(0).is_some() {
                    return Some(redis);
                }
                if matches!(redis.server.try_wait(), Ok(Some(_))) {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(25));
            }
        }
        panic!("redis-server did not start");
    }

    /// The URL of one of its databases.
    fn url(&self, database: u8) -> String {
        format!("redis://127.0.0.1:{}/{database}", self.port)
    }

    fn connection(&self, database: u8) -> Option<redis::Connection> {
        let client = redis::Client::open(self.url(database)).ok()?;
        let mut connection = client.get_connection().ok()?;
        redis::cmd("PING").query::<String>(&mut connection).ok()?;
        Some(connection)
    }

    /// Runs one command on database 0.
    fn command<T: redis::FromRedisValue>(&self, args: &[&str]) -> T {
        self.command_on(0, args)
    }

    /// Runs one command on `database`.
    fn command_on<T: redis::FromRedisValue>(&self, database: u8, args: &[&str]) -> T {
        let mut connection = self.connection(database).unwrap_or_else(|| panic!("the private Redis does not answer"));
        let mut command = redis::cmd(args[0]);
        for arg in &args[1..] {
            command.arg(*arg);
        }
        command.query(&mut connection).unwrap_or_else(|e| panic!("{args:?}: {e}"))
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

// --- service down (SEV-1) ---

const HEALTHY: &str = r#"{"status":"ok"}"#;

/// The application's backend and frontend, healthy unless a test says otherwise.
fn application() -> HttpStub {
    let app = http_stub();
    app.on("GET", "/api/health/live", CannedReply::text(200, HEALTHY));
    app.on("GET", "/health", CannedReply::text(200, HEALTHY));
    app
}

fn service_down(stubs: &Stubs, app: &HttpStub, db_url: &str, redis_url: &str, args: &[&str]) -> Outcome {
    stubs
        .rbx(&runbook("service-down.yaml"))
        .var("backend_url", app.root_url())
        .var("frontend_url", app.root_url())
        .var("project_dir", stubs.scratch())
        .var("db_url", db_url)
        .var("redis_url", redis_url)
        .args(args)
        .output()
}

/// What service-down runs on the host before any resolution, in order.
const SERVICE_DOWN_TRIAGE: [&str; 6] = [
    "docker ps",
    "docker-compose ps",
    "docker stats --no-stream",
    "docker-compose logs backend --tail=100",
    "docker-compose logs frontend --tail=100",
    "journalctl -u docker --since 1 hour ago --no-pager",
];

/// Thresholds that this host's memory and disk use never reach, and always reach.
const NO_PRESSURE: [&str; 4] = ["--var", "memory_high_percent=101", "--var", "disk_high_percent=101"];

fn pressure(memory_high: bool, disk_high: bool) -> Vec<String> {
    let percent = |high: bool| if high { 0 } else { 101 };
    ["--var".to_owned(), format!("memory_high_percent={}", percent(memory_high))]
        .into_iter()
        .chain(["--var".to_owned(), format!("disk_high_percent={}", percent(disk_high))])
        .collect()
}

#[test]
fn service_down_all_healthy_changes_nothing_it_was_not_asked_to() {
    let (Some(pg), Some(redis)) = (service_url("RBX_TEST_PG_URL"), service_url("RBX_TEST_REDIS_URL")) else { return };
    let stubs = Stubs::new();
    let app = application();
    let outcome = service_down(&stubs, &app, &pg, &redis, &NO_PRESSURE);
    outcome.expect_code(0);
    expect_outcomes(
        &outcome,
        &[
            ("backend_health", "passed"),
            ("frontend_health", "passed"),
            ("database", "passed"),
            ("redis", "passed"),
            ("compose_up", "skipped"),
            ("restart_postgres", "skipped"),
            ("database_back", "skipped"),
            ("pressure", "passed"),
            ("scale_backend", "skipped"),
            ("prune", "skipped"),
            ("verify", "passed"),
        ],
    );
    let record = outcome.record();
    let measured = &step(&record, "pressure")["result"]["json"];
    for figure in ["memory_percent", "disk_percent"] {
        assert!(measured[figure].as_u64().is_some_and(|percent| percent <= 100), "{figure}: {measured}");
    }
    assert_eq!(step(&record, "database")["result"]["rows"], json!([{ "ready": 1 }]));
    assert_eq!(step(&record, "redis")["result"]["value"], json!("PONG"));
    assert_eq!(stubs.commands(), SERVICE_DOWN_TRIAGE, "no --yes: nothing scaled or pruned");
    assert_eq!(app.calls(), ["GET /api/health/live", "GET /health", "GET /api/health/live"]);
}

#[test]
fn service_down_scales_on_memory_pressure_and_prunes_on_a_full_disk_when_confirmed() {
    let (Some(pg), Some(redis)) = (service_url("RBX_TEST_PG_URL"), service_url("RBX_TEST_REDIS_URL")) else { return };
    const SCALE: &str = "docker-compose up -d --scale backend=2";
    const PRUNE: &str = "docker system prune -f";
    let cases = [
        // memory high, disk high, --yes: outcomes of scale_backend and prune, commands after the triage
        (true, false, true, ["passed", "skipped"], vec![SCALE]),
        (false, true, true, ["skipped", "passed"], vec![PRUNE]),
        (true, true, true, ["passed", "passed"], vec![SCALE, PRUNE]),
        (true, true, false, ["declined", "declined"], vec![]),
    ];
    for (memory_high, disk_high, yes, [scaled, pruned], after_triage) in cases {
        let stubs = Stubs::new();
        let mut args = pressure(memory_high, disk_high);
        if yes {
            args.push("--yes".to_owned());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let outcome = service_down(&stubs, &application(), &pg, &redis, &args);
        outcome.expect_code(0);
        expect_outcomes(&outcome, &[("compose_up", "skipped"), ("scale_backend", scaled), ("prune", pruned)]);
        let mut expected = SERVICE_DOWN_TRIAGE.to_vec();
        expected.extend(after_triage);
        assert_eq!(stubs.commands(), expected, "memory high {memory_high}, disk high {disk_high}, --yes {yes}");
    }
}

#[test]
fn service_down_backend_down_brings_the_containers_up_when_confirmed() {
    let (Some(pg), Some(redis)) = (service_url("RBX_TEST_PG_URL"), service_url("RBX_TEST_REDIS_URL")) else { return };
    let down_then_up = || vec![CannedReply::text(503, r#"{"status":"down"}"#), CannedReply::text(200, HEALTHY)];

    let stubs = Stubs::new();
    let app = application();
    app.on_each("GET", "/api/health/live", down_then_up());
    let confirmed = service_down(&stubs, &app, &pg, &redis, &[&NO_PRESSURE[..], &["--yes"]].concat());
    confirmed.expect_code(0);
    expect_outcomes(
        &confirmed,
        &[
            ("backend_health", "tolerated"),
            ("frontend_health", "passed"),
            ("compose_up", "passed"),
            ("verify", "passed"),
        ],
    );
    let commands = stubs.commands();
    assert_eq!(commands[..6], SERVICE_DOWN_TRIAGE, "{commands:?}");
    assert_eq!(commands[6..], ["docker-compose up -d"]);

    let stubs = Stubs::new();
    let app = application();
    app.on_each("GET", "/api/health/live", down_then_up());
    let declined = service_down(&stubs, &app, &pg, &redis, &[]);
    declined.expect_code(0);
    expect_outcomes(&declined, &[("backend_health", "tolerated"), ("compose_up", "declined"), ("verify", "passed")]);
    assert_eq!(stubs.commands(), SERVICE_DOWN_TRIAGE, "nothing brought up without a confirmation");
}

#[test]
fn service_down_database_down_offers_the_restart_and_declining_skips_the_wait() {
    let Some(redis) = service_url("RBX_TEST_REDIS_URL") else { return };
    let stubs = Stubs::new();
    let nowhere = format!("postgres://postgres@127.0.0.1:{}/test", common::closed_port());
    let outcome = service_down(&stubs, &application(), &nowhere, &redis, &[]);
    outcome.expect_code(0);
    expect_outcomes(
        &outcome,
        &[
            ("database", "tolerated"),
            ("restart_postgres", "declined"),
            ("database_back", "skipped"),
            ("verify", "passed"),
        ],
    );
    let note = step(&outcome.record(), "dashboards")["result"]["message"].clone();
    assert!(note.as_str().is_some_and(|n| n.contains("Database tolerated, Redis passed")), "{note}");
    assert_eq!(stubs.commands(), SERVICE_DOWN_TRIAGE, "postgres not restarted");
}

// --- high latency (SEV-2) ---

/// What `/api/metrics` answers: Prometheus text with the request-duration histogram.
const METRICS: &str = "# TYPE http_request_duration_seconds histogram\n\
                       http_request_duration_seconds_bucket{le=\"0.5\"} 9\n\
                       http_request_duration_seconds_bucket{le=\"+Inf\"} 12\n";

/// The runbook on `pg`'s database: a database of the test's own, so that "every query active
/// for longer than `long_query_minutes`" there is only what the test started.
fn high_latency(
    stubs: &Stubs,
    backend: &HttpStub,
    pg: &Postgres,
    redis: &PrivateRedis,
    long_query_minutes: &str,
    args: &[&str],
) -> Outcome {
    stubs
        .rbx(&runbook("high-latency.yaml"))
        .var("backend_url", backend.root_url())
        .var("project_dir", stubs.scratch())
        .var("db_url", &pg.url)
        .var("redis_url", redis.url(0))
        .var("long_query_minutes", long_query_minutes)
        .args(args)
        .output()
}

/// Starts `SELECT pg_sleep(600)` on a session of `pg`'s database and returns once the server
/// shows it active; the handle gives the statement's result (a cancel is an error, 57014).
fn long_query(pg: &Postgres) -> tokio::task::JoinHandle<Result<(), sqlx::Error>> {
    let mut session = pg.session();
    let sleeper = pg.runtime.spawn(async move {
        sqlx::raw_sql("SELECT pg_sleep(600) /* rbx long query */").execute(&mut session).await.map(drop)
    });
    let active = format!(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = '{}' AND state = 'active' AND query LIKE '%rbx long query%'",
        pg.name
    );
    assert!(pg.count_reaches(&active, 1), "the long query did not start");
    sleeper
}

/// A cache of two keys, read twice (hits) and missed once, on a server nobody else uses: its
/// `INFO stats` counts exactly these.
fn warm_cache(redis: &PrivateRedis) {
    redis.command::<()>(&["SET", "cache:work-orders", "[1,2,3]"]);
    redis.command::<()>(&["SET", "cache:assets", "[]"]);
    redis.command::<Option<String>>(&["GET", "cache:work-orders"]);
    redis.command::<Option<String>>(&["GET", "cache:assets"]);
    redis.command::<Option<String>>(&["GET", "cache:locations"]);
}

#[test]
fn high_latency_reads_real_diagnostics_then_restarts_flushes_and_cancels_when_confirmed() {
    let Some(pg) = Postgres::with_database("rbx_latency") else { return };
    let Some(redis) = PrivateRedis::start() else { return };
    let mut idle = pg.session();
    pg.execute(&mut idle, "SELECT 1");
    let sleeper = long_query(&pg);
    warm_cache(&redis);
    let backend = http_stub();
    backend.on("GET", "/api/metrics", CannedReply::text(200, METRICS));
    let stubs = Stubs::new();

    // 0 minutes: a query that started before the runbook looked counts as long-running.
    let outcome = high_latency(&stubs, &backend, &pg, &redis, "0", &["--yes"]);
    outcome.expect_code(0);
    let has_statements =
        pg.number(&mut pg.admin(), "SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'") > 0;
    expect_outcomes(
        &outcome,
        &[
            ("metrics", "passed"),
            ("top_statements", if has_statements { "passed" } else { "tolerated" }),
            ("connections", "passed"),
            ("long_running", "passed"),
            ("redis_stats", "passed"),
            ("host_resources", "passed"),
            ("findings", "passed"),
            ("restart_backend", "passed"),
            ("flush_cache", "passed"),
            ("cancel_long_queries", "passed"),
            ("recheck", "passed"),
        ],
    );
    let record = outcome.record();
    let by_state = &step(&record, "connections")["result"]["rows"];
    let count_in = |state: &str| {
        by_state
            .as_array()
            .into_iter()
            .flatten()
            .find(|row| row["state"] == json!(state))
            .map(|row| row["connections"].clone())
    };
    assert!(count_in("idle").is_some_and(|n| n.as_u64() >= Some(1)), "the test's idle session: {by_state}");
    assert!(count_in("active").is_some_and(|n| n.as_u64() >= Some(1)), "the runbook's own query: {by_state}");
    let long_running = &step(&record, "long_running")["result"]["rows"];
    assert_eq!(long_running.as_array().map(Vec::len), Some(1), "only the test's long query: {long_running}");
    assert!(long_running[0]["query"].as_str().is_some_and(|q| q.contains("rbx long query")), "{long_running}");
    let cancelled = &step(&record, "cancel_long_queries")["result"]["rows"];
    assert_eq!(cancelled, &json!([{ "pid": long_running[0]["pid"], "cancelled": true }]));
    let ended = pg.runtime.block_on(sleeper).unwrap_or_else(|e| panic!("the long query's task: {e}"));
    let code = ended.as_ref().err().and_then(|e| e.as_database_error()).and_then(|e| e.code().map(|c| c.into_owned()));
    assert_eq!(code.as_deref(), Some("57014"), "the long query was cancelled by the runbook: {ended:?}");
    let stats = &step(&record, "redis_stats")["result"]["value"];
    assert_eq!((&stats["keyspace_hits"], &stats["keyspace_misses"]), (&json!(2), &json!(1)), "{stats}");

    assert_eq!(stubs.commands(), ["docker-compose restart backend"]);
    assert_eq!(redis.command::<i64>(&["DBSIZE"]), 0, "FLUSHALL emptied the cache");
    assert_eq!(backend.calls(), ["GET /api/metrics", "GET /api/metrics"], "metrics before and after");
}

#[test]
fn high_latency_without_yes_stops_for_a_person_before_any_fix() {
    let Some(pg) = Postgres::with_table("rbx_latency") else { return };
    let Some(redis) = PrivateRedis::start() else { return };
    warm_cache(&redis);
    let backend = http_stub();
    backend.on("GET", "/api/metrics", CannedReply::text(200, "# no histograms here\n"));
    let stubs = Stubs::new();

    let outcome = high_latency(&stubs, &backend, &pg, &redis, "10", &[]);
    outcome.expect_code(3);
    let record = outcome.record();
    assert_eq!(record["status"], json!("pending"), "{}", outcome.dump());
    expect_outcomes(&outcome, &[("metrics", "tolerated"), ("redis_stats", "passed"), ("host_resources", "pending")]);
    let failures = step(&record, "metrics")["failures"].to_string();
    assert!(failures.contains("the backend exports no request-duration metrics"), "{failures}");
    assert_eq!(step_ids(&record).last().map(String::as_str), Some("host_resources"), "no fix started");
    assert!(stubs.commands().is_empty(), "{:?}", stubs.commands());
    assert_eq!(redis.command::<i64>(&["DBSIZE"]), 2, "the cache is untouched");
}

// --- database connections ---

fn database_connections(pg: &Postgres, kill_idle_above_percent: &str, args: &[&str]) -> Outcome {
    common::Rbx::new()
        .arg("run")
        .arg(runbook("database-connections.yaml"))
        .args(["--format", "json"])
        .var("db_url", &pg.url)
        .var("kill_idle_above_percent", kill_idle_above_percent)
        .var("idle_minutes", "0")
        .args(args)
        .cwd(common::tempdir().path())
        .output()
}

/// Three idle sessions on the scratch database and their pids (sorted).
fn idle_sessions(pg: &Postgres) -> (Vec<sqlx::PgConnection>, Vec<i64>) {
    let mut sessions: Vec<sqlx::PgConnection> = (0..3).map(|_| pg.session()).collect();
    let mut pids: Vec<i64> = sessions.iter_mut().map(|s| pg.pid(s)).collect();
    pids.sort_unstable();
    (sessions, pids)
}

fn terminated_pids(record: &Value) -> Vec<i64> {
    let rows = step(record, "terminate_idle")["result"]["rows"].as_array().cloned().unwrap_or_default();
    assert!(rows.iter().all(|row| row["terminated"] == json!(true)), "{rows:?}");
    let mut pids: Vec<i64> = rows.iter().filter_map(|row| row["pid"].as_i64()).collect();
    pids.sort_unstable();
    pids
}

#[test]
fn database_connections_near_the_limit_terminates_the_idle_ones_of_its_database() {
    let Some(pg) = Postgres::with_database("rbx_conns") else { return };
    let (_sessions, idle) = idle_sessions(&pg);
    // Idle too, on the test database: the runbook terminates connections of its own database only.
    let mut elsewhere = pg.admin();
    // Any use is above 0%: the limit counts as nearly reached.
    let outcome = database_connections(&pg, "0", &["--yes"]);
    outcome.expect_code(0);
    expect_outcomes(
        &outcome,
        &[("ready", "passed"), ("headroom", "tolerated"), ("terminate_idle", "passed"), ("after", "passed")],
    );
    let record = outcome.record();
    assert_eq!(terminated_pids(&record), idle, "exactly the test's idle sessions");
    for pid in &idle {
        assert!(pg.backend_ends(*pid), "backend {pid} is gone from pg_stat_activity");
    }
    assert!(pg.answers(&mut elsewhere), "a session of another database is left alone");
    let note = step(&record, "result")["result"]["message"].as_str().unwrap_or_default().to_owned();
    assert!(note.starts_with("Terminated 3 idle connections;"), "{note}");
}

#[test]
fn database_connections_with_headroom_or_without_yes_terminates_nothing() {
    let Some(pg) = Postgres::with_database("rbx_conns") else { return };
    let (mut sessions, _) = idle_sessions(&pg);

    let headroom = database_connections(&pg, "100", &["--yes"]);
    headroom.expect_code(0);
    expect_outcomes(&headroom, &[("headroom", "passed"), ("terminate_idle", "skipped"), ("after", "skipped")]);
    let usage = step(&headroom.record(), "usage")["result"]["message"].as_str().unwrap_or_default().to_owned();
    let max_connections = pg.number(&mut pg.admin(), "SELECT current_setting('max_connections')::bigint");
    assert!(usage.contains(&format!(" of {max_connections} connections in use (")), "{usage}");

    let declined = database_connections(&pg, "0", &[]);
    declined.expect_code(0);
    expect_outcomes(&declined, &[("headroom", "tolerated"), ("terminate_idle", "declined"), ("after", "skipped")]);
    assert!(sessions.iter_mut().all(|session| pg.answers(session)), "no session was terminated");
}

// --- database performance and locks ---

fn database_locks(pg: &Postgres, args: &[&str]) -> Outcome {
    common::Rbx::new()
        .arg("run")
        .arg(runbook("database-performance-locks.yaml"))
        .args(["--format", "json"])
        .var("db_url", &pg.url)
        .args(args)
        .cwd(common::tempdir().path())
        .output()
}

#[test]
fn database_locks_the_blocker_picked_is_terminated_only_when_confirmed_and_the_lock_released() {
    let Some(pg) = Postgres::with_table("rbx_locks") else { return };
    let table = pg.name.clone();
    // A session holds a row lock in a transaction and goes idle (no query left to cancel) ...
    let mut holder = pg.session();
    pg.execute(&mut holder, &format!("BEGIN; SELECT v FROM {table} WHERE id = 1 FOR UPDATE"));
    let holder_pid = pg.pid(&mut holder);
    // ... and another one waits for it.
    let mut waiter = pg.session();
    let waiter_pid = pg.pid(&mut waiter);
    let update = format!("UPDATE {table} SET v = v + 1 WHERE id = 1");
    let blocked = pg.runtime.spawn(async move {
        sqlx::raw_sql(sqlx::AssertSqlSafe(update)).execute(&mut waiter).await.map(|_| ()).map_err(|e| e.to_string())
    });
    let is_waiting = format!(
        "SELECT count(*) FROM pg_stat_activity WHERE pid = {waiter_pid} AND {holder_pid} = ANY (pg_blocking_pids(pid))"
    );
    let mut admin = pg.admin();
    assert!(
        (0..200).any(|_| {
            std::thread::sleep(std::time::Duration::from_millis(25));
            pg.number(&mut admin, &is_waiting) == 1
        }),
        "the update waits for the row lock"
    );
    let answer = format!("blocking_pid={holder_pid}");

    // Not confirmed: the cancel is declined and nothing else is tried.
    let declined = database_locks(&pg, &["--answer", &answer]);
    declined.expect_code(0);
    expect_outcomes(
        &declined,
        &[
            ("locks", "passed"),
            ("pick_blocker", "passed"),
            ("cancel_blocker", "declined"),
            ("still_blocking", "skipped"),
            ("terminate_blocker", "skipped"),
            ("locks_after", "passed"),
        ],
    );
    let record = declined.record();
    let pair =
        json!({ "blocked_pid": waiter_pid, "blocking_pid": holder_pid, "blocking_state": "idle in transaction" });
    let listed = step(&record, "locks")["result"]["rows"].as_array().cloned().unwrap_or_default();
    assert!(
        listed.iter().any(|row| ["blocked_pid", "blocking_pid", "blocking_state"].iter().all(|k| row[*k] == pair[*k])),
        "the lock is listed: {listed:?}"
    );
    assert_eq!(pg.number(&mut admin, &is_waiting), 1, "the lock is still held");

    // Confirmed: the cancel does not release a session idle in a transaction, the terminate does.
    let confirmed = database_locks(&pg, &["--answer", &answer, "--yes"]);
    confirmed.expect_code(0);
    expect_outcomes(
        &confirmed,
        &[
            ("cancel_blocker", "passed"),
            ("still_blocking", "tolerated"),
            ("terminate_blocker", "passed"),
            ("locks_after", "passed"),
        ],
    );
    let record = confirmed.record();
    assert_eq!(step(&record, "terminate_blocker")["result"]["rows"], json!([{ "terminated": true }]));
    assert!(pg.backend_ends(holder_pid), "the blocking backend is gone from pg_stat_activity");
    let finished = pg.runtime.block_on(blocked).unwrap_or_else(|e| panic!("the waiting update: {e}"));
    assert_eq!(finished, Ok(()), "the waiting update got the lock");
    assert_eq!(pg.number(&mut admin, &format!("SELECT v::bigint FROM {table} WHERE id = 1")), 1);
    drop(holder);
}

// --- security incident (SEV-1/SEV-2) ---

/// nginx's combined log: 203.0.113.7 is refused five times, 198.51.100.4 twice, 192.0.2.1 is fine.
fn access_log() -> String {
    let line = |ip: &str, status: u16| {
        format!(
            "{ip} - - [10/Oct/2025:13:55:36 +0000] \"POST /api/v1/auth/login HTTP/1.1\" {status} 53 \"-\" \"curl/8.5\"\n"
        )
    };
    let mut log = String::new();
    for _ in 0..5 {
        log.push_str(&line("203.0.113.7", 401));
    }
    log.push_str(&line("198.51.100.4", 403));
    log.push_str(&line("192.0.2.1", 200));
    log.push_str(&line("198.51.100.4", 429));
    log
}

const BACKEND_LOG: &str = "backend | WARN failed login for admin from 203.0.113.7\n\
                           backend | INFO bulk export of 4000 work orders by admin\n\
                           backend | WARN role changed to admin for mallory\n";

/// The audit API, the access log and the backend's logs of one incident; session keys in the
/// sessions database (0) of a private Redis and one key in database 1.
struct Incident {
    stubs: Stubs,
    audit: HttpStub,
    redis: PrivateRedis,
}

impl Incident {
    fn new() -> Option<Incident> {
        let redis = PrivateRedis::start()?;
        redis.command::<()>(&["SET", "session:ana", "token-a"]);
        redis.command::<()>(&["SET", "refresh:ana", "token-r"]);
        redis.command_on::<()>(1, &["SET", "jobs:pending", "7"]);

        let audit = http_stub();
        let entries = json!({ "data": { "entries": [
            { "action": "login", "result": "success", "user": "ana" },
            { "action": "login", "result": "failure", "user": "admin" },
            { "action": "admin_role_change", "result": "success", "user": "mallory" },
        ] } });
        audit.on("GET", "/api/v1/auth/audit", CannedReply::json(200, &entries));

        let stubs = Stubs::new();
        std::fs::write(stubs.scratch().join("access.log"), access_log()).unwrap_or_else(|e| panic!("access.log: {e}"));
        stubs.answer("docker-compose", " logs backend ", BACKEND_LOG, 0);
        stubs.answer(
            "docker-compose",
            " logs --no-color --timestamps ",
            "2025-10-10T13:55:36Z backend | all logs\n",
            0,
        );
        Some(Incident { stubs, audit, redis })
    }

    fn run(&self, args: &[&str]) -> Outcome {
        let scratch = self.stubs.scratch();
        self.stubs
            .rbx(&runbook("security-incident.yaml"))
            .var("access_log", scratch.join("access.log"))
            .var("project_dir", scratch)
            .var("backend_url", self.audit.root_url())
            .var("redis_url", self.redis.url(0))
            .var("evidence_dir", scratch.join("evidence"))
            .args(args)
            .output()
    }

    fn session_keys(&self) -> i64 {
        self.redis.command::<i64>(&["DBSIZE"])
    }
}

/// The backend-log searches of the assessment, in order.
const SECURITY_ASSESSMENT: [&str; 4] = ["docker-compose logs backend"; 4];

#[test]
fn security_incident_blocks_exactly_the_address_picked_and_takes_every_response_confirmed() {
    let Some(incident) = Incident::new() else { return };
    let outcome = incident.run(&["--answer", "blocked_ip=203.0.113.7", "--answer", "breach_suspected=yes", "--yes"]);
    outcome.expect_code(0);
    let record = outcome.record();
    assert_eq!(record["status"], json!("passed"), "{}", outcome.dump());
    assert!(outcomes(&record).iter().all(|(_, o)| o == "passed"), "{:?}", outcomes(&record));

    let offenders = step(&record, "top_offenders")["result"]["stdout"].as_str().unwrap_or_default().to_owned();
    let offenders: Vec<Vec<&str>> = offenders.lines().map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(offenders, [vec!["5", "203.0.113.7"], vec!["2", "198.51.100.4"]]);
    // One entry matches each filter, and each is still shown as a list of entries.
    let logins = step(&record, "successful_logins")["result"]["message"].as_str().unwrap_or_default().to_owned();
    assert_eq!(logins, r#"Successful logins: [{"action":"login","result":"success","user":"ana"}]"#);
    let admin = step(&record, "admin_actions")["result"]["message"].as_str().unwrap_or_default().to_owned();
    assert_eq!(
        admin,
        r#"Administrative actions: [{"action":"admin_role_change","result":"success","user":"mallory"}]"#
    );
    assert_eq!(step(&record, "exfiltration")["result"]["exit_code"], json!(0), "the bulk export was found");
    assert_eq!(step(&record, "twofa_bypass")["result"]["exit_code"], json!(1), "nothing matched: a finding");

    let mut expected = vec!["iptables -A INPUT -s 203.0.113.7 -j DROP"];
    expected.extend(SECURITY_ASSESSMENT);
    expected.extend(["docker-compose logs --no-color --timestamps", "docker-compose restart backend"]);
    assert_eq!(incident.stubs.commands(), expected);
    assert_eq!(incident.audit.calls(), ["GET /api/v1/auth/audit"]);
    assert_eq!(incident.session_keys(), 0, "every session logged out (FLUSHDB)");
    assert_eq!(incident.redis.command_on::<i64>(1, &["DBSIZE"]), 1, "only the sessions database was flushed");
    let evidence = incident.stubs.scratch().join("evidence");
    let read = |name: &str| std::fs::read_to_string(evidence.join(name)).unwrap_or_default();
    assert_eq!(read("access.log"), access_log(), "the access log is preserved");
    assert!(read("compose-logs.txt").contains("all logs"), "the compose logs are preserved");
}

#[test]
fn security_incident_without_yes_blocks_nothing_and_stops() {
    let Some(incident) = Incident::new() else { return };
    let outcome = incident.run(&["--answer", "blocked_ip=203.0.113.7", "--answer", "breach_suspected=yes"]);
    outcome.expect_code(3);
    let record = outcome.record();
    assert_eq!(record["status"], json!("declined"));
    assert_eq!(outcome_of(&record, "block_address"), "declined");
    assert_eq!(step_ids(&record).last().map(String::as_str), Some("block_address"), "the run stopped there");
    assert!(incident.stubs.commands().is_empty(), "{:?}", incident.stubs.commands());
    assert_eq!(incident.session_keys(), 2);

    // An answer that is not an address never reaches iptables: the run does not start.
    let hostile = incident.run(&["--answer", "blocked_ip=203.0.113.7 -j ACCEPT; rm -rf /", "--yes"]);
    hostile.expect_code(2);
    assert!(hostile.stderr.contains("E145"), "{}", hostile.dump());
    assert!(incident.stubs.commands().is_empty());
}

#[test]
fn security_incident_optional_responses_are_skipped_declined_or_taken() {
    let Some(incident) = Incident::new() else { return };
    // Nobody to block and no breach, confirmed: only the restart with more logging is taken.
    let calm = incident.run(&["--answer", "blocked_ip=none", "--answer", "breach_suspected=no", "--yes"]);
    calm.expect_code(0);
    expect_outcomes(
        &calm,
        &[
            ("block_address", "skipped"),
            ("force_logout", "skipped"),
            ("reset_admin_passwords", "skipped"),
            ("more_logging", "passed"),
            ("document", "passed"),
        ],
    );
    let commands = incident.stubs.commands();
    assert!(!commands.iter().any(|c| c.starts_with("iptables")), "{commands:?}");
    assert_eq!(commands.last().map(String::as_str), Some("docker-compose restart backend"));
    assert_eq!(incident.session_keys(), 2);

    // A breach, nobody to block, not confirmed: the logout is declined and the run goes on to
    // the password reset, which waits for a person.
    let incident = Incident::new().unwrap_or_else(|| unreachable!("started once already"));
    let unconfirmed = incident.run(&["--answer", "blocked_ip=none", "--answer", "breach_suspected=yes"]);
    unconfirmed.expect_code(3);
    expect_outcomes(
        &unconfirmed,
        &[("block_address", "skipped"), ("force_logout", "declined"), ("reset_admin_passwords", "pending")],
    );
    assert_eq!(unconfirmed.record()["status"], json!("pending"));
    let mut expected = SECURITY_ASSESSMENT.to_vec();
    expected.push("docker-compose logs --no-color --timestamps");
    assert_eq!(incident.stubs.commands(), expected, "no iptables, no restart");
    assert_eq!(incident.session_keys(), 2, "nobody was logged out");
}

// --- Prometheus down ---

const PROMTOOL: &str = " promtool check config /etc/prometheus/prometheus.yml ";
const MONITORING: &str = "docker-compose -f docker-compose.monitoring.yml";

/// A monitoring runbook with the stubs' scratch directory as its compose project and `server`
/// as the service at `url_input`.
fn monitoring(stubs: &Stubs, file: &str, url_input: &str, server: &HttpStub, args: &[&str]) -> Outcome {
    stubs.rbx(&runbook(file)).var(url_input, server.root_url()).var("project_dir", stubs.scratch()).args(args).output()
}

fn prometheus(stubs: &Stubs, prometheus: &HttpStub, args: &[&str]) -> Outcome {
    monitoring(stubs, "prometheus-down.yaml", "prometheus_url", prometheus, args)
}

fn prometheus_stub(replies: Vec<CannedReply>) -> HttpStub {
    let prometheus = http_stub();
    prometheus.on_each("GET", "/-/healthy", replies);
    prometheus
}

fn healthy_prometheus() -> CannedReply {
    CannedReply::text(200, "Prometheus Server is Healthy.\n")
}

fn config_valid(stubs: &Stubs, valid: bool) {
    let (stdout, code) = if valid {
        ("SUCCESS: /etc/prometheus/prometheus.yml is valid prometheus config file syntax\n", 0)
    } else {
        ("FAILED: parsing YAML file /etc/prometheus/prometheus.yml: yaml: line 12: did not find expected key\n", 1)
    };
    stubs.answer("docker-compose", PROMTOOL, stdout, code);
}

#[test]
fn prometheus_healthy_only_checks_its_configuration() {
    let stubs = Stubs::new();
    config_valid(&stubs, true);
    let server = prometheus_stub(vec![healthy_prometheus()]);
    let outcome = prometheus(&stubs, &server, &[]);
    outcome.expect_code(0);
    expect_outcomes(
        &outcome,
        &[
            ("healthy", "passed"),
            ("check_config", "passed"),
            ("fix_config", "skipped"),
            ("restart", "skipped"),
            ("back", "passed"),
        ],
    );
    assert_eq!(stubs.commands(), [format!("{MONITORING} exec -T prometheus{}", PROMTOOL.trim_end())]);
    assert_eq!(server.calls(), ["GET /-/healthy", "GET /-/healthy"]);
}

#[test]
fn prometheus_down_is_restarted_after_the_config_check_only_when_confirmed() {
    let down_then_up = || vec![CannedReply::text(503, "Service Unavailable"), healthy_prometheus()];
    let check = format!("{MONITORING} exec -T prometheus{}", PROMTOOL.trim_end());
    let restart = format!("{MONITORING} restart prometheus");

    let stubs = Stubs::new();
    config_valid(&stubs, true);
    let confirmed = prometheus(&stubs, &prometheus_stub(down_then_up()), &["--yes"]);
    confirmed.expect_code(0);
    expect_outcomes(
        &confirmed,
        &[("healthy", "tolerated"), ("fix_config", "skipped"), ("restart", "passed"), ("back", "passed")],
    );
    assert_eq!(stubs.commands(), [check.clone(), restart.clone()], "the configuration is checked first");

    let stubs = Stubs::new();
    config_valid(&stubs, true);
    let declined = prometheus(&stubs, &prometheus_stub(down_then_up()), &[]);
    declined.expect_code(3);
    assert_eq!(declined.record()["status"], json!("declined"));
    expect_outcomes(&declined, &[("healthy", "tolerated"), ("restart", "declined")]);
    assert_eq!(stubs.commands(), [check.as_str()], "not restarted");

    // A broken configuration waits for a person before the restart.
    let stubs = Stubs::new();
    config_valid(&stubs, false);
    let broken = prometheus(&stubs, &prometheus_stub(down_then_up()), &[]);
    broken.expect_code(3);
    expect_outcomes(&broken, &[("check_config", "tolerated"), ("fix_config", "pending")]);
    assert_eq!(stubs.commands(), [check.as_str()]);

    let stubs = Stubs::new();
    config_valid(&stubs, false);
    let fixed = prometheus(&stubs, &prometheus_stub(down_then_up()), &["--yes"]);
    fixed.expect_code(0);
    expect_outcomes(&fixed, &[("check_config", "tolerated"), ("fix_config", "passed"), ("restart", "passed")]);
    assert_eq!(stubs.commands(), [check, restart]);
}

// --- ELK stack issues ---

fn cluster(status: &str) -> CannedReply {
    CannedReply::json(200, &json!({ "cluster_name": "repairx", "status": status, "number_of_nodes": 1 }))
}

/// Elasticsearch: the cluster health answers `health` in turn, the index list two old indices,
/// and deleting `repairx-logs-2024.01.*` is acknowledged.
fn elasticsearch(health: Vec<CannedReply>) -> HttpStub {
    let es = http_stub();
    es.on_each("GET", "/_cluster/health", health);
    let indices = json!([
        { "index": "repairx-logs-2024.01.01", "creation.date.string": "2024-01-01T00:00:00.000Z", "store.size": "9gb" },
        { "index": "repairx-logs-2024.01.02", "creation.date.string": "2024-01-02T00:00:00.000Z", "store.size": "8gb" },
    ]);
    es.on("GET", "/_cat/indices/repairx-logs-*", CannedReply::json(200, &indices));
    // `{{x}}` in a path is percent-encoded as one segment: the `*` arrives as %2A, which
    // Elasticsearch decodes back into a wildcard.
    es.on("DELETE", "/repairx-logs-2024.01.%2A", CannedReply::json(200, &json!({ "acknowledged": true })));
    es
}

fn elk(stubs: &Stubs, es: &HttpStub, args: &[&str]) -> Outcome {
    monitoring(stubs, "elk-stack-issues.yaml", "elasticsearch_url", es, args)
}

const INDICES: &str =
    "GET /_cat/indices/repairx-logs-*?format=json&h=index%2Ccreation.date.string%2Cstore.size&s=creation.date";

#[test]
fn elk_red_cluster_restarts_the_stack_in_order_and_deletes_the_indices_picked() {
    let stubs = Stubs::new();
    let es = elasticsearch(vec![cluster("red"), cluster("green")]);
    let outcome = elk(&stubs, &es, &["--answer", "delete_pattern=repairx-logs-2024.01.*", "--yes"]);
    outcome.expect_code(0);
    expect_outcomes(
        &outcome,
        &[
            ("cluster_health", "passed"),
            ("health_ok", "tolerated"),
            ("indices", "passed"),
            ("restart_elasticsearch", "passed"),
            ("elasticsearch_up", "passed"),
            ("restart_pipeline", "passed"),
            ("pick_indices", "passed"),
            ("delete_indices", "passed"),
            ("final_health", "passed"),
        ],
    );
    let record = outcome.record();
    assert_eq!(step(&record, "indices")["result"]["json"][0]["index"], json!("repairx-logs-2024.01.01"));
    assert_eq!(
        stubs.commands(),
        ["elasticsearch", "logstash", "kibana"].map(|service| format!("{MONITORING} restart {service}"))
    );
    assert_eq!(
        es.calls(),
        [
            "GET /_cluster/health",
            INDICES,
            "GET /_cluster/health",
            "DELETE /repairx-logs-2024.01.%2A",
            "GET /_cluster/health",
        ]
    );
}

#[test]
fn elk_without_yes_restarts_and_deletes_nothing() {
    // Red: the restart is declined and the run stops.
    let stubs = Stubs::new();
    let es = elasticsearch(vec![cluster("red"), cluster("green")]);
    let declined = elk(&stubs, &es, &["--answer", "delete_pattern=repairx-logs-2024.01.*"]);
    declined.expect_code(3);
    assert_eq!(declined.record()["status"], json!("declined"));
    expect_outcomes(&declined, &[("health_ok", "tolerated"), ("restart_elasticsearch", "declined")]);
    assert!(stubs.commands().is_empty(), "{:?}", stubs.commands());
    assert_eq!(es.calls(), ["GET /_cluster/health", INDICES]);

    // Yellow: nothing to restart; the deletion picked is declined and skipped.
    let stubs = Stubs::new();
    let es = elasticsearch(vec![cluster("yellow")]);
    let kept = elk(&stubs, &es, &["--answer", "delete_pattern=repairx-logs-2024.01.*"]);
    kept.expect_code(0);
    expect_outcomes(
        &kept,
        &[
            ("health_ok", "passed"),
            ("restart_elasticsearch", "skipped"),
            ("restart_pipeline", "skipped"),
            ("delete_indices", "declined"),
            ("final_health", "passed"),
        ],
    );
    assert!(stubs.commands().is_empty());
    assert!(!es.calls().iter().any(|c| c.starts_with("DELETE")), "{:?}", es.calls());

    // `none` keeps every index.
    let stubs = Stubs::new();
    let es = elasticsearch(vec![cluster("green")]);
    let none = elk(&stubs, &es, &["--answer", "delete_pattern=none", "--yes"]);
    none.expect_code(0);
    expect_outcomes(&none, &[("delete_indices", "skipped")]);
    assert!(!es.calls().iter().any(|c| c.starts_with("DELETE")), "{:?}", es.calls());
}
