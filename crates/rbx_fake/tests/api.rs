//! The MaintainX endpoints: shapes, pagination, auth, creating and changing work orders.

mod common;

use common::{Call, get};
use hmac::{Hmac, Mac};
use rbx_fake::{
    Config, FakeMaintainx, Indicator, MAX_LIMIT, StatusPage, WebhookHealth, WebhookReceiver, WorkOrderStatus,
};
use serde_json::{Value, json};

async fn fake() -> rbx_fake::Running {
    FakeMaintainx::start(Config::default()).await.expect("the fake starts")
}

#[tokio::test]
async fn urls_point_at_127_0_0_1_and_v1() {
    let fake = fake().await;
    assert!(fake.addr.ip().is_loopback());
    assert_eq!(fake.base_url(), format!("http://127.0.0.1:{}/v1", fake.addr.port()));
    assert_eq!(fake.url("health"), format!("{}/health", fake.root_url()));
    assert_eq!(fake.api_key, "rbx-fake-key");
}

#[tokio::test]
async fn each_list_has_its_key_and_a_next_cursor() {
    let fake = fake().await;
    for (path, key, total) in
        [("/v1/users", "users", 25), ("/v1/assets", "assets", 60), ("/v1/locations", "locations", 12)]
    {
        let answer = get(&fake, path).await;
        assert_eq!(answer.status, 200, "{path}");
        assert_eq!(answer.header("content-type"), Some("application/json"));
        let body = answer.json();
        assert_eq!(body[key].as_array().map(Vec::len), Some(total), "{path}");
        assert_eq!(body["nextCursor"], Value::Null, "{path}");
    }
    let users = get(&fake, "/v1/users?limit=1").await.json();
    let user = &users["users"][0];
    for field in ["id", "firstName", "lastName", "email", "role", "createdAt"] {
        assert!(user.get(field).is_some(), "user has no {field}: {user}");
    }
    assert!(users["nextCursor"].is_string());
}

#[tokio::test]
async fn walking_the_work_orders_by_cursor_visits_each_once_in_order() {
    let fake = fake().await;
    let mut ids = Vec::new();
    let mut pages = 0;
    let mut target = "/v1/workorders?limit=100".to_owned();
    loop {
        let page = get(&fake, &target).await.json();
        pages += 1;
        ids.extend(page["workOrders"].as_array().unwrap().iter().map(|w| w["id"].as_u64().unwrap()));
        match page["nextCursor"].as_str() {
            Some(cursor) => target = format!("/v1/workorders?limit=100&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(ids, (1..=250).collect::<Vec<u64>>());
}

#[tokio::test]
async fn the_default_page_is_100_and_bad_paging_is_a_400() {
    let fake = fake().await;
    let page = get(&fake, "/v1/workorders").await.json();
    assert_eq!(page["workOrders"].as_array().map(Vec::len), Some(100));
    let too_big = format!("/v1/workorders?limit={}", MAX_LIMIT + 1);
    for target in ["/v1/workorders?limit=0", too_big.as_str(), "/v1/workorders?cursor=nonsense"] {
        let answer = get(&fake, target).await;
        assert_eq!(answer.status, 400, "{target}");
        assert_eq!(answer.json()["error"], "Bad Request");
    }
}

#[tokio::test]
async fn a_work_order_has_maintainx_fields() {
    let fake = fake().await;
    let answer = get(&fake, "/v1/workorders/7").await;
    assert_eq!(answer.status, 200);
    let order = answer.json();
    assert_eq!(order["id"], 7);
    for field in ["title", "status", "priority", "assignees", "categories", "createdAt", "updatedAt", "dueDate"] {
        assert!(order.get(field).is_some(), "no {field}: {order}");
    }
    let expected = serde_json::to_value(fake.work_order(7).unwrap()).unwrap();
    assert_eq!(order, expected);
}

#[tokio::test]
async fn single_users_assets_and_locations_are_found_by_id() {
    let fake = fake().await;
    for path in ["/v1/users", "/v1/assets", "/v1/locations"] {
        let list = get(&fake, &format!("{path}?limit=1")).await.json();
        let first = list.as_object().unwrap().values().next().unwrap()[0].clone();
        let one = get(&fake, &format!("{path}/{}", first["id"])).await;
        assert_eq!(one.status, 200, "{path}");
        assert_eq!(one.json(), first);
    }
}

#[tokio::test]
async fn unknown_ids_and_paths_are_404_and_wrong_methods_405() {
    let fake = fake().await;
    for target in ["/v1/workorders/9999", "/v1/workorders/abc", "/v1/users/1", "/v1/parts", "/v2/users", "/"] {
        let answer = get(&fake, target).await;
        assert_eq!(answer.status, 404, "{target}");
        assert_eq!(answer.json()["error"], "Not Found", "{target}");
    }
    let answer = Call::new(&fake, "DELETE", "/v1/workorders/1").send().await;
    assert_eq!(answer.status, 405);
    assert_eq!(answer.header("allow"), Some("GET, HEAD, PATCH"));
    assert_eq!(Call::new(&fake, "POST", "/v1/users").send().await.status, 405);
}

#[tokio::test]
async fn a_missing_or_wrong_key_is_a_401_with_a_json_error() {
    let fake = fake().await;
    let cases = [
        Call::anonymous(&fake, "GET", "/v1/users?limit=1"),
        Call::new(&fake, "GET", "/v1/users?limit=1").header("authorization", "Bearer wrong-key"),
        Call::new(&fake, "GET", "/v1/users?limit=1").header("authorization", "Basic cmJ4OmtleQ=="),
        Call::new(&fake, "GET", "/v1/users?limit=1").header("authorization", "rbx-fake-key"),
    ];
    for call in cases {
        let answer = call.send().await;
        assert_eq!(answer.status, 401);
        assert_eq!(answer.header("www-authenticate"), Some("Bearer"));
        let body = answer.json();
        assert_eq!(body["error"], "Unauthorized");
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let unknown_path = Call::anonymous(&fake, "DELETE", "/v1/parts").send().await;
    assert_eq!(unknown_path.status, 401, "the key is checked before the path");
    let scheme_any_case = Call::new(&fake, "GET", "/v1/users?limit=1").header("authorization", "bearer rbx-fake-key");
    assert_eq!(scheme_any_case.send().await.status, 200);
}

#[tokio::test]
async fn another_api_key_is_the_only_one_accepted() {
    let fake = FakeMaintainx::start(Config::default().api_key("s3cret")).await.unwrap();
    assert_eq!(fake.api_key, "s3cret");
    assert_eq!(get(&fake, "/v1/users").await.status, 200);
    let old_key = Call::new(&fake, "GET", "/v1/users").header("authorization", "Bearer rbx-fake-key");
    assert_eq!(old_key.send().await.status, 401);
}

#[tokio::test]
async fn health_status_page_and_webhook_health_need_no_key() {
    let fake = fake().await;
    let health = Call::anonymous(&fake, "GET", "/health").send().await;
    assert_eq!((health.status, health.json()), (200, json!({ "status": "ok" })));

    let page = Call::anonymous(&fake, "GET", "/api/v2/status.json").send().await;
    assert_eq!(page.status, 200);
    let page = page.json();
    assert_eq!(page["status"], json!({ "indicator": "none", "description": "All Systems Operational" }));
    assert_eq!(page["page"]["name"], "MaintainX");

    let webhooks = Call::anonymous(&fake, "GET", "/webhooks/maintainx/health").send().await;
    assert_eq!(webhooks.status, 200);
    assert_eq!(webhooks.json()["status"], "ok");
}

#[tokio::test]
async fn the_status_page_and_webhook_health_follow_the_test() {
    let fake = fake().await;
    fake.set_status_page(StatusPage::new(Indicator::Major));
    let page = get(&fake, "/api/v2/status.json").await.json();
    assert_eq!(page["status"], json!({ "indicator": "major", "description": "Partial System Outage" }));
    fake.set_status_page(StatusPage::new(Indicator::Critical).description("API down"));
    assert_eq!(get(&fake, "/api/v2/status.json").await.json()["status"]["description"], "API down");

    fake.set_webhook_health(WebhookHealth {
        healthy: false,
        queue_depth: 1200,
        failed: 9,
        last_error: Some("signature mismatch".to_owned()),
    });
    let webhooks = get(&fake, "/webhooks/maintainx/health").await;
    assert_eq!(webhooks.status, 503);
    assert_eq!(
        webhooks.json(),
        json!({ "status": "unhealthy", "queue_depth": 1200, "failed": 9, "last_error": "signature mismatch" })
    );
}

fn signature(secret: &str, body: &str) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(body.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[tokio::test]
async fn the_webhook_receiver_accepts_only_deliveries_signed_with_its_secret() {
    let fake = FakeMaintainx::start(Config::default().webhook_secret("whsec-1")).await.expect("the fake starts");
    let body = r#"{"event":"workorder.updated","data":{"id":7}}"#;
    let deliver = |signature: Option<String>| {
        let call = Call::anonymous(&fake, "POST", "/webhooks/maintainx").body_text(body);
        match signature {
            Some(signature) => call.header("x-maintainx-signature", &signature),
            None => call,
        }
    };
    let signed = deliver(Some(signature("whsec-1", body))).send().await;
    assert_eq!((signed.status, signed.json()), (202, json!({ "accepted": true })));
    let forged = deliver(Some(signature("not-the-secret", body))).send().await;
    assert_eq!((forged.status, forged.header("www-authenticate")), (401, None));
    assert_eq!(forged.json(), json!({ "error": "Unauthorized", "message": "invalid webhook signature" }));
    assert_eq!(deliver(None).send().await.status, 401);
    let statuses: Vec<Option<u16>> = fake.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [Some(202), Some(401), Some(401)], "deliveries are recorded like any request");
    assert_eq!(Call::anonymous(&fake, "GET", "/webhooks/maintainx").send().await.status, 405);

    fake.set_webhook_receiver(WebhookReceiver { verify_signatures: false });
    assert_eq!(
        deliver(Some(signature("not-the-secret", body))).send().await.status,
        202,
        "a receiver that does not verify"
    );
}

#[tokio::test]
async fn creating_a_work_order_gives_the_next_id_and_keeps_it() {
    let fake = fake().await;
    let body = json!({
        "title": "Pump Station #3 - Seal Leak Repair",
        "priority": "HIGH",
        "assignees": [{ "type": "USER", "id": 1003 }],
        "assetId": 5001,
        "categories": ["Corrective"],
    });
    let answer = Call::new(&fake, "POST", "/v1/workorders").json(body).send().await;
    assert_eq!(answer.status, 201, "{}", answer.text());
    let created = answer.json();
    assert_eq!(created["id"], 251);
    assert_eq!(created["status"], "OPEN");
    assert_eq!(created["priority"], "HIGH");
    assert_eq!(get(&fake, "/v1/workorders/251").await.json(), created);
    assert_eq!(fake.work_orders().len(), 251);
    let first_page = get(&fake, "/v1/workorders?limit=200").await.json();
    let cursor = first_page["nextCursor"].as_str().unwrap();
    let last_page = get(&fake, &format!("/v1/workorders?limit=200&cursor={cursor}")).await.json();
    assert_eq!(last_page["workOrders"].as_array().unwrap().last().unwrap()["id"], 251);
}

#[tokio::test]
async fn bad_work_orders_are_refused_with_a_reason() {
    let fake = fake().await;
    for (body, reason) in [
        (json!({}), "missing field `title`"),
        (json!({ "title": "  " }), "`title` must not be empty"),
        (json!({ "title": "x", "priority": "URGENT" }), "unknown variant `URGENT`"),
        (json!({ "title": "x", "assetId": 1 }), "asset `1` does not exist"),
        (json!({ "title": "x", "locationId": 1 }), "location `1` does not exist"),
        (json!({ "title": "x", "assignees": [{ "type": "USER", "id": 1 }] }), "user `1` does not exist"),
        (json!({ "title": "x", "colour": "red" }), "unknown field `colour`"),
    ] {
        let answer = Call::new(&fake, "POST", "/v1/workorders").json(body.clone()).send().await;
        assert_eq!(answer.status, 400, "{body}");
        let message = answer.json()["message"].as_str().unwrap_or_default().to_owned();
        assert!(message.contains(reason), "{body}: {message}");
    }
    let not_json = Call::new(&fake, "POST", "/v1/workorders").body_text("title=x").send().await;
    assert_eq!(not_json.status, 400);
    assert_eq!(fake.work_orders().len(), 250);
}

#[tokio::test]
async fn patching_a_status_changes_the_server_side_work_order() {
    let fake = fake().await;
    let id = fake.work_orders().iter().find(|w| w.status == WorkOrderStatus::Open).unwrap().id;
    let path = format!("/v1/workorders/{id}");
    let answer = Call::new(&fake, "PATCH", &path).json(json!({ "status": "COMPLETED" })).send().await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(answer.json()["status"], "COMPLETED");
    let order = fake.work_order(id).unwrap();
    assert_eq!(order.status, WorkOrderStatus::Completed);
    assert!(order.completed_at.is_some());

    let reopened = Call::new(&fake, "PATCH", &path).json(json!({ "status": "OPEN", "priority": "LOW" })).send().await;
    assert_eq!(reopened.status, 200);
    let order = fake.work_order(id).unwrap();
    assert_eq!((order.status, order.completed_at), (WorkOrderStatus::Open, None));
    assert_eq!(get(&fake, &path).await.json()["priority"], "LOW");

    let bad = Call::new(&fake, "PATCH", &path).json(json!({ "status": "DONE" })).send().await;
    assert_eq!(bad.status, 400);
    let missing = Call::new(&fake, "PATCH", "/v1/workorders/9999").json(json!({ "status": "OPEN" })).send().await;
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn reset_restores_the_seeded_data() {
    let fake = fake().await;
    let before = fake.work_orders();
    Call::new(&fake, "PATCH", "/v1/workorders/1").json(json!({ "title": "changed" })).send().await;
    Call::new(&fake, "POST", "/v1/workorders").json(json!({ "title": "new" })).send().await;
    fake.set_status_page(StatusPage::new(Indicator::Minor));
    assert_ne!(fake.work_orders(), before);
    fake.reset();
    assert_eq!(fake.work_orders(), before);
    assert!(fake.requests().is_empty());
    assert_eq!(get(&fake, "/api/v2/status.json").await.json()["status"]["indicator"], "none");
}

#[tokio::test]
async fn two_servers_with_one_config_serve_the_same_data() {
    let (a, b) = (fake().await, fake().await);
    assert_ne!(a.addr, b.addr);
    assert_eq!(get(&a, "/v1/workorders?limit=50").await.body, get(&b, "/v1/workorders?limit=50").await.body);
}
