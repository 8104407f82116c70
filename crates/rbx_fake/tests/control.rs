//! The `/__fake/` control API and request recording, as a test in another process uses them.

mod common;

use common::{Call, get};
use rbx_fake::{Config, FakeMaintainx, Running};
use serde_json::{Value, json};

async fn fake() -> Running {
    FakeMaintainx::start(Config::default()).await.expect("the fake starts")
}

async fn control(fake: &Running, method: &str, path: &str, body: Option<Value>) -> common::Answer {
    let call = Call::anonymous(fake, method, path);
    match body {
        Some(body) => call.json(body).send().await,
        None => call.send().await,
    }
}

#[tokio::test]
async fn requests_are_recorded_with_method_path_query_headers_and_body() {
    let fake = fake().await;
    Call::new(&fake, "POST", "/v1/workorders?skipWebhook=true&note=a%20b")
        .header("x-request-id", "abc")
        .json(json!({ "title": "Seal leak" }))
        .send()
        .await;
    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!((request.method.as_str(), request.path.as_str()), ("POST", "/v1/workorders"));
    assert_eq!(request.query.as_deref(), Some("skipWebhook=true&note=a%20b"));
    assert_eq!(request.query_values("note"), ["a b"]);
    assert_eq!(request.header("X-Request-Id"), Some("abc"));
    assert_eq!(request.header("authorization"), Some("Bearer rbx-fake-key"));
    assert_eq!(request.json(), Some(json!({ "title": "Seal leak" })));
    assert_eq!(request.status, Some(201));
    assert_eq!(request.fault, None);
}

#[tokio::test]
async fn hostile_bytes_arrive_verbatim() {
    let fake = fake().await;
    let path = "/v1/workorders/%27%3B%20DROP%20TABLE%20x%3B--";
    let answer = get(&fake, &format!("{path}?q=%0D%0AInjected%3A%201&x=%7B%7Bsecrets.k%7D%7D")).await;
    assert_eq!(answer.status, 404);
    let request = &fake.requests()[0];
    assert_eq!(request.path, path);
    assert_eq!(request.query_values("q"), ["\r\nInjected: 1"]);
    assert_eq!(request.query_values("x"), ["{{secrets.k}}"]);
}

#[tokio::test]
async fn control_requests_are_neither_recorded_nor_faulted_nor_authenticated() {
    let fake = fake().await;
    let set = json!({ "faults": [{ "kind": "status", "status": 500 }] });
    assert_eq!(control(&fake, "PUT", "/__fake/faults", Some(set)).await.status, 200);
    assert_eq!(control(&fake, "GET", "/__fake/requests", None).await.status, 200);
    assert_eq!(get(&fake, "/v1/users").await.status, 500);
    let listed = control(&fake, "GET", "/__fake/requests", None).await.json();
    assert_eq!(listed["requests"].as_array().map(Vec::len), Some(1));
    assert_eq!(listed["requests"][0]["path"], "/v1/users");
    assert_eq!(listed["requests"][0]["status"], 500);
}

#[tokio::test]
async fn faults_are_set_listed_with_counters_and_cleared() {
    let fake = fake().await;
    let faults = json!({ "faults": [
        { "kind": "error_rate", "percent": 50, "status": 503, "path_prefix": "/v1/" },
        { "kind": "latency", "ms": 1, "method": "post" },
    ] });
    let set = control(&fake, "PUT", "/__fake/faults", Some(faults)).await;
    assert_eq!(set.status, 200, "{}", set.text());
    assert_eq!(set.json()["faults"][1]["fault"], json!({ "kind": "latency", "ms": 1, "method": "POST" }));
    get(&fake, "/v1/users").await;
    get(&fake, "/v1/users").await;
    let listed = control(&fake, "GET", "/__fake/faults", None).await.json();
    assert_eq!(listed["faults"][0]["seen"], 2);
    assert_eq!(listed["faults"][0]["acted"], 1);
    assert_eq!(fake.faults().len(), 2);
    let cleared = control(&fake, "DELETE", "/__fake/faults", None).await;
    assert_eq!(cleared.json(), json!({ "faults": [] }));
    assert!(fake.faults().is_empty());
}

#[tokio::test]
async fn a_bad_fault_is_a_400_that_says_why_and_changes_nothing() {
    let fake = fake().await;
    fake.set_faults(vec![rbx_fake::Fault::status(418)]);
    for (body, reason) in [
        (json!({ "faults": [{ "kind": "error_rate" }] }), "fault `error_rate` needs `percent`"),
        (json!({ "faults": [{ "kind": "slow" }] }), "unknown variant `slow`"),
        (json!([]), "invalid control body"),
    ] {
        let answer = control(&fake, "PUT", "/__fake/faults", Some(body.clone())).await;
        assert_eq!(answer.status, 400, "{body}");
        let message = answer.json()["message"].as_str().unwrap_or_default().to_owned();
        assert!(message.contains(reason), "{body}: {message}");
    }
    assert_eq!(fake.faults().len(), 1);
}

#[tokio::test]
async fn requests_can_be_cleared() {
    let fake = fake().await;
    get(&fake, "/health").await;
    get(&fake, "/health").await;
    let cleared = control(&fake, "DELETE", "/__fake/requests", None).await;
    assert_eq!(cleared.json(), json!({ "cleared": 2 }));
    assert!(fake.requests().is_empty());
    get(&fake, "/health").await;
    assert_eq!(fake.requests()[0].seq, 3, "numbers keep counting after a clear");
    fake.clear_requests();
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn status_page_and_webhook_health_are_set_through_control() {
    let fake = fake().await;
    let page = control(&fake, "PUT", "/__fake/status-page", Some(json!({ "indicator": "critical" }))).await;
    assert_eq!(page.status, 200);
    let shown = get(&fake, "/api/v2/status.json").await.json();
    assert_eq!(shown["status"], json!({ "indicator": "critical", "description": "Major System Outage" }));

    let health = json!({ "healthy": false, "queue_depth": 5000 });
    assert_eq!(control(&fake, "PUT", "/__fake/webhook-health", Some(health)).await.status, 200);
    let webhooks = get(&fake, "/webhooks/maintainx/health").await;
    assert_eq!((webhooks.status, webhooks.json()["queue_depth"].clone()), (503, json!(5000)));
    assert_eq!(control(&fake, "GET", "/__fake/webhook-health", None).await.json()["healthy"], false);

    let bad = control(&fake, "PUT", "/__fake/status-page", Some(json!({ "indicator": "purple" }))).await;
    assert_eq!(bad.status, 400);
}

#[tokio::test]
async fn the_webhook_receiver_stops_verifying_through_control() {
    let fake = fake().await;
    let forged = || Call::anonymous(&fake, "POST", "/webhooks/maintainx").header("x-maintainx-signature", "00").send();
    assert_eq!(forged().await.status, 401);
    let off = control(&fake, "PUT", "/__fake/webhook-receiver", Some(json!({ "verify_signatures": false }))).await;
    assert_eq!((off.status, off.json()), (200, json!({ "verify_signatures": false })));
    assert_eq!(forged().await.status, 202);
    control(&fake, "POST", "/__fake/reset", None).await;
    let shown = control(&fake, "GET", "/__fake/webhook-receiver", None).await.json();
    assert_eq!(shown, json!({ "verify_signatures": true }), "a reset checks signatures again");
    assert_eq!(forged().await.status, 401);
}

#[tokio::test]
async fn reset_through_control_restores_everything() {
    let fake = fake().await;
    Call::new(&fake, "PATCH", "/v1/workorders/2").json(json!({ "status": "CLOSED" })).send().await;
    fake.set_faults(vec![rbx_fake::Fault::status(500).on_path("/v1/users")]);
    let reset = control(&fake, "POST", "/__fake/reset", None).await;
    assert_eq!(reset.json(), json!({ "reset": true }));
    assert!(fake.faults().is_empty() && fake.requests().is_empty());
    let original = rbx_fake::Dataset::generate(&Config::default());
    assert_eq!(fake.work_order(2).as_ref(), original.work_order(2));
}

#[tokio::test]
async fn unknown_control_endpoints_and_methods_are_refused() {
    let fake = fake().await;
    assert_eq!(control(&fake, "GET", "/__fake/nothing", None).await.status, 404);
    assert_eq!(control(&fake, "PATCH", "/__fake/faults", None).await.status, 405);
    assert_eq!(control(&fake, "GET", "/__fake/reset", None).await.status, 405);
}

#[tokio::test]
async fn only_the_latest_requests_are_kept_past_the_cap() {
    let config = Config { max_recorded_requests: 2, ..Config::default() };
    let fake = FakeMaintainx::start(config).await.expect("the fake starts");
    for _ in 0..3 {
        get(&fake, "/health").await;
    }
    let seqs: Vec<u64> = fake.requests().iter().map(|r| r.seq).collect();
    assert_eq!(seqs, [2, 3]);
    assert!(fake.requests().iter().all(|r| r.status == Some(200)));
}
