//! The generic HTTP stub: canned answers in turn, 404 for what has no route, every request
//! recorded.

mod common;

use common::Call;
use rbx_fake::{CannedReply, HttpStub};
use serde_json::json;

fn stub() -> HttpStub {
    HttpStub::spawn_in_thread().expect("the stub starts")
}

#[tokio::test]
async fn a_route_answers_its_canned_reply_with_its_content_type() {
    let stub = stub();
    assert!(stub.addr.ip().is_loopback());
    assert_eq!(stub.url("x"), format!("{}/x", stub.root_url()));
    stub.on("get", "/api/health/live", CannedReply::json(200, &json!({ "status": "ok" })));
    stub.on("GET", "/-/healthy", CannedReply::text(200, "Prometheus Server is Healthy.\n"));

    let health = Call::to(stub.addr, "GET", "/api/health/live").send().await;
    assert_eq!((health.status, health.json()), (200, json!({ "status": "ok" })));
    assert_eq!(health.header("content-type"), Some("application/json"));
    let prometheus = Call::to(stub.addr, "GET", "/-/healthy").send().await;
    assert_eq!(prometheus.text(), "Prometheus Server is Healthy.\n");
    assert_eq!(prometheus.header("content-type"), Some("text/plain; charset=utf-8"));
}

#[tokio::test]
async fn replies_are_given_in_turn_and_the_last_one_repeats() {
    let stub = stub();
    stub.on_each("GET", "/_cluster/health", vec![CannedReply::text(503, "down"), CannedReply::text(200, "up")]);
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(Call::to(stub.addr, "GET", "/_cluster/health").send().await.status);
    }
    assert_eq!(statuses, [503, 200, 200, 200]);

    // Setting a route again starts its turns over; an empty list removes it.
    stub.on_each("GET", "/_cluster/health", vec![CannedReply::text(500, "again"), CannedReply::text(200, "up")]);
    assert_eq!(Call::to(stub.addr, "GET", "/_cluster/health").send().await.status, 500);
    stub.on_each("GET", "/_cluster/health", Vec::new());
    assert_eq!(Call::to(stub.addr, "GET", "/_cluster/health").send().await.status, 404);
}

#[tokio::test]
async fn the_method_and_exact_path_pick_the_route_and_the_rest_is_404() {
    let stub = stub();
    stub.on("DELETE", "/repairx-logs-2024.01.*", CannedReply::json(200, &json!({ "acknowledged": true })));
    let wrong_method = Call::to(stub.addr, "GET", "/repairx-logs-2024.01.*").send().await;
    assert_eq!(wrong_method.status, 404);
    assert_eq!(wrong_method.json()["message"], json!("no stub route for GET /repairx-logs-2024.01.*"));
    assert_eq!(Call::to(stub.addr, "DELETE", "/repairx-logs-2024.01.*?pretty").send().await.status, 200);
}

#[tokio::test]
async fn every_request_is_recorded_in_order_answered_or_not() {
    let stub = stub();
    stub.on("POST", "/hook", CannedReply::text(202, "queued"));
    Call::to(stub.addr, "POST", "/hook?attempt=1").header("x-token", "t").body_text("payload").send().await;
    Call::to(stub.addr, "GET", "/unexpected").send().await;

    assert_eq!(stub.calls(), ["POST /hook?attempt=1", "GET /unexpected"]);
    let requests = stub.requests();
    assert_eq!(requests.iter().map(|r| r.seq).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(requests[0].body, "payload");
    assert_eq!(requests[0].header("X-Token"), Some("t"));
    assert_eq!(requests[0].query_values("attempt"), ["1"]);
    assert_eq!(requests.iter().map(|r| r.status).collect::<Vec<_>>(), [Some(202), Some(404)]);
}
