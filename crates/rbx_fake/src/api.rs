//! The endpoints a client of MaintainX sees: `/v1/...`, the status page, `/health`; and those of
//! our application it talks to: webhook health and the webhook receiver.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::json;

use crate::dataset::{Dataset, find};
use crate::entities::{Assignee, AssigneeKind, Priority, WorkOrder, WorkOrderStatus};
use crate::pagination::PageRequest;
use crate::reply::{ApiError, Reply};
use crate::state::Shared;
use crate::webhook_receiver::SIGNATURE_HEADER;

/// The collections under `/v1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Collection {
    Users,
    Assets,
    Locations,
    WorkOrders,
}

impl Collection {
    fn from_segment(segment: &str) -> Option<Self> {
        Some(match segment {
            "users" => Self::Users,
            "assets" => Self::Assets,
            "locations" => Self::Locations,
            "workorders" => Self::WorkOrders,
            _ => return None,
        })
    }

    /// The path segment, also the cursor's namespace.
    fn segment(self) -> &'static str {
        match self {
            Self::Users => "users",
            Self::Assets => "assets",
            Self::Locations => "locations",
            Self::WorkOrders => "workorders",
        }
    }

    /// The key of the list in a page document.
    fn list_key(self) -> &'static str {
        match self {
            Self::Users => "users",
            Self::Assets => "assets",
            Self::Locations => "locations",
            Self::WorkOrders => "workOrders",
        }
    }

    /// The singular, for messages.
    fn noun(self) -> &'static str {
        match self {
            Self::Users => "user",
            Self::Assets => "asset",
            Self::Locations => "location",
            Self::WorkOrders => "work order",
        }
    }
}

/// What a path names, before the method is checked.
enum Resource<'a> {
    Health,
    StatusPage,
    WebhookHealth,
    Webhooks,
    List(Collection),
    Item(Collection, &'a str),
}

/// A request the API understood: the one `match` over endpoints.
enum Route<'a> {
    Health,
    StatusPage,
    WebhookHealth,
    WebhookDelivery,
    List(Collection),
    Get(Collection, &'a str),
    CreateWorkOrder,
    UpdateWorkOrder(&'a str),
}

/// A request as the API needs it.
pub(crate) struct ApiRequest<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: Option<&'a str>,
    pub headers: &'a BTreeMap<String, String>,
    pub body: &'a [u8],
}

/// Answers one (non-control) request.
pub(crate) fn handle(shared: &Shared, request: &ApiRequest<'_>) -> Reply {
    answer(shared, request).unwrap_or_else(|error| {
        let status = error.status;
        let reply = error.into_reply();
        match status {
            // Only the API takes a Bearer key; a refused webhook delivery is not a login challenge.
            401 if is_api_path(request.path) => reply.header("www-authenticate", "Bearer"),
            405 => reply.header("allow", allowed_methods(request.path).unwrap_or("GET, HEAD")),
            _ => reply,
        }
    })
}

fn answer(shared: &Shared, request: &ApiRequest<'_>) -> Result<Reply, ApiError> {
    // The key is checked before the path, as an API gateway does: without a valid key, every
    // `/v1` path is a 401, existing or not.
    if is_api_path(request.path) {
        authorize(request.headers, &shared.config.api_key)?;
    }
    let route = route(request.method, request.path)?;
    let pairs = crate::query::parse(request.query.unwrap_or_default());
    match route {
        Route::Health => Ok(Reply::json(200, json!({ "status": "ok" }))),
        Route::StatusPage => {
            let updated_at = jiff::Timestamp::now().to_string();
            Ok(Reply::json(200, shared.lock().status_page.document(&shared.root_url(), &updated_at)))
        }
        Route::WebhookHealth => {
            let health = shared.lock().webhook_health.clone();
            Ok(Reply::json(health.http_status(), health.document()))
        }
        Route::WebhookDelivery => {
            let receiver = shared.lock().webhook_receiver;
            let signature = request.headers.get(SIGNATURE_HEADER).map(String::as_str);
            receiver.check(&shared.config.webhook_secret, signature, request.body)?;
            Ok(Reply::json(202, json!({ "accepted": true })))
        }
        Route::List(collection) => {
            let page = PageRequest::from_query(&pairs, collection.segment())?;
            Ok(Reply::json(200, list(&shared.lock().dataset, collection, page)))
        }
        Route::Get(collection, id) => get(&shared.lock().dataset, collection, id).map(|item| Reply::json(200, item)),
        Route::CreateWorkOrder => create_work_order(&mut shared.lock().dataset, request.body),
        Route::UpdateWorkOrder(id) => update_work_order(&mut shared.lock().dataset, id, request.body),
    }
}

fn is_api_path(path: &str) -> bool {
    path == "/v1" || path.starts_with("/v1/")
}

fn route<'a>(method: &str, path: &'a str) -> Result<Route<'a>, ApiError> {
    let resource = resource(path).ok_or_else(|| ApiError::not_found(format!("no endpoint at `{path}`")))?;
    let route = match (&resource, method) {
        (Resource::Health, "GET" | "HEAD") => Route::Health,
        (Resource::StatusPage, "GET" | "HEAD") => Route::StatusPage,
        (Resource::WebhookHealth, "GET" | "HEAD") => Route::WebhookHealth,
        (Resource::Webhooks, "POST") => Route::WebhookDelivery,
        (Resource::List(collection), "GET" | "HEAD") => Route::List(*collection),
        (Resource::List(Collection::WorkOrders), "POST") => Route::CreateWorkOrder,
        (Resource::Item(collection, id), "GET" | "HEAD") => Route::Get(*collection, id),
        (Resource::Item(Collection::WorkOrders, id), "PATCH") => Route::UpdateWorkOrder(id),
        _ => return Err(ApiError::new(405, format!("{method} is not allowed on `{path}`"))),
    };
    Ok(route)
}

fn resource(path: &str) -> Option<Resource<'_>> {
    match path {
        "/health" => return Some(Resource::Health),
        "/api/v2/status.json" => return Some(Resource::StatusPage),
        "/webhooks/maintainx/health" => return Some(Resource::WebhookHealth),
        "/webhooks/maintainx" => return Some(Resource::Webhooks),
        _ => {}
    }
    let rest = path.strip_prefix("/v1/")?;
    match rest.split('/').collect::<Vec<_>>().as_slice() {
        [name] => Collection::from_segment(name).map(Resource::List),
        [name, id] if !id.is_empty() => Collection::from_segment(name).map(|c| Resource::Item(c, id)),
        _ => None,
    }
}

fn authorize(headers: &BTreeMap<String, String>, api_key: &str) -> Result<(), ApiError> {
    let unauthorized = |message: &str| ApiError::new(401, message);
    let header = headers
        .get("authorization")
        .ok_or_else(|| unauthorized("missing API key: send `Authorization: Bearer <key>`"))?;
    let (scheme, key) = header.trim().split_once(' ').unwrap_or((header.as_str(), ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(unauthorized("invalid authorization scheme: send `Authorization: Bearer <key>`"));
    }
    if key.trim() != api_key {
        return Err(unauthorized("invalid API key"));
    }
    Ok(())
}

fn list(dataset: &Dataset, collection: Collection, page: PageRequest) -> serde_json::Value {
    let (key, segment) = (collection.list_key(), collection.segment());
    match collection {
        Collection::Users => page.page(&dataset.users, |u| u.id, key, segment),
        Collection::Assets => page.page(&dataset.assets, |a| a.id, key, segment),
        Collection::Locations => page.page(&dataset.locations, |l| l.id, key, segment),
        Collection::WorkOrders => page.page(&dataset.work_orders, |w| w.id, key, segment),
    }
}

fn get(dataset: &Dataset, collection: Collection, id: &str) -> Result<serde_json::Value, ApiError> {
    let not_found = || ApiError::not_found(format!("{} `{id}` not found", collection.noun()));
    let id: u64 = id.parse().map_err(|_| not_found())?;
    let item = match collection {
        Collection::Users => find(&dataset.users, id, |u| u.id).map(serde_json::to_value),
        Collection::Assets => find(&dataset.assets, id, |a| a.id).map(serde_json::to_value),
        Collection::Locations => find(&dataset.locations, id, |l| l.id).map(serde_json::to_value),
        Collection::WorkOrders => dataset.work_order(id).map(serde_json::to_value),
    };
    item.ok_or_else(not_found)?.map_err(|e| ApiError::new(500, e.to_string()))
}

/// The fields `POST /v1/workorders` takes.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct WorkOrderCreate {
    title: String,
    description: Option<String>,
    status: Option<WorkOrderStatus>,
    priority: Option<Priority>,
    #[serde(default)]
    assignees: Vec<Assignee>,
    asset_id: Option<u64>,
    location_id: Option<u64>,
    #[serde(default)]
    categories: Vec<String>,
    due_date: Option<String>,
}

/// The fields `PATCH /v1/workorders/{id}` takes; absent ones are left as they are.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct WorkOrderPatch {
    title: Option<String>,
    description: Option<String>,
    status: Option<WorkOrderStatus>,
    priority: Option<Priority>,
    assignees: Option<Vec<Assignee>>,
    asset_id: Option<u64>,
    location_id: Option<u64>,
    categories: Option<Vec<String>>,
    due_date: Option<String>,
}

fn parse_body<'de, T: Deserialize<'de>>(body: &'de [u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::bad_request(format!("invalid request body: {e}")))
}

fn check_references(
    dataset: &Dataset,
    asset_id: Option<u64>,
    location_id: Option<u64>,
    assignees: &[Assignee],
) -> Result<(), ApiError> {
    if let Some(id) = asset_id.filter(|id| !dataset.has_asset(*id)) {
        return Err(ApiError::bad_request(format!("asset `{id}` does not exist")));
    }
    if let Some(id) = location_id.filter(|id| !dataset.has_location(*id)) {
        return Err(ApiError::bad_request(format!("location `{id}` does not exist")));
    }
    // Teams are not modelled, so only user assignees are checked.
    if let Some(a) = assignees.iter().find(|a| a.kind == AssigneeKind::User && !dataset.has_user(a.id)) {
        return Err(ApiError::bad_request(format!("user `{}` does not exist", a.id)));
    }
    Ok(())
}

fn check_title(title: &str) -> Result<(), ApiError> {
    if title.trim().is_empty() { Err(ApiError::bad_request("`title` must not be empty")) } else { Ok(()) }
}

fn create_work_order(dataset: &mut Dataset, body: &[u8]) -> Result<Reply, ApiError> {
    let input: WorkOrderCreate = parse_body(body)?;
    check_title(&input.title)?;
    check_references(dataset, input.asset_id, input.location_id, &input.assignees)?;
    let now = jiff::Timestamp::now().to_string();
    let status = input.status.unwrap_or(WorkOrderStatus::Open);
    let order = WorkOrder {
        id: dataset.next_work_order_id(),
        title: input.title,
        description: input.description,
        status,
        priority: input.priority.unwrap_or(Priority::None),
        assignees: input.assignees,
        asset_id: input.asset_id,
        location_id: input.location_id,
        categories: input.categories,
        created_at: now.clone(),
        updated_at: now.clone(),
        due_date: input.due_date,
        completed_at: (status == WorkOrderStatus::Completed).then_some(now),
    };
    let document = serde_json::to_value(&order).map_err(|e| ApiError::new(500, e.to_string()))?;
    dataset.work_orders.push(order);
    Ok(Reply::json(201, document))
}

fn update_work_order(dataset: &mut Dataset, id: &str, body: &[u8]) -> Result<Reply, ApiError> {
    let not_found = || ApiError::not_found(format!("work order `{id}` not found"));
    let id: u64 = id.parse().map_err(|_| not_found())?;
    dataset.work_order(id).ok_or_else(not_found)?;
    let patch: WorkOrderPatch = parse_body(body)?;
    if let Some(title) = &patch.title {
        check_title(title)?;
    }
    check_references(dataset, patch.asset_id, patch.location_id, patch.assignees.as_deref().unwrap_or_default())?;
    let order = dataset.work_order_mut(id).ok_or_else(not_found)?;
    let now = jiff::Timestamp::now().to_string();
    if let Some(status) = patch.status {
        if status != order.status {
            order.completed_at = match status {
                WorkOrderStatus::Completed => Some(now.clone()),
                // Closing keeps the completion time; reopening clears it.
                WorkOrderStatus::Closed => order.completed_at.take(),
                _ => None,
            };
        }
        order.status = status;
    }
    apply(&mut order.title, patch.title);
    apply(&mut order.priority, patch.priority);
    apply(&mut order.assignees, patch.assignees);
    apply(&mut order.categories, patch.categories);
    order.description = patch.description.or(order.description.take());
    order.asset_id = patch.asset_id.or(order.asset_id);
    order.location_id = patch.location_id.or(order.location_id);
    order.due_date = patch.due_date.or(order.due_date.take());
    order.updated_at = now;
    let document = serde_json::to_value(&*order).map_err(|e| ApiError::new(500, e.to_string()))?;
    Ok(Reply::json(200, document))
}

fn apply<T>(field: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *field = value;
    }
}

/// The `Allow` header value for a path, for 405 answers.
fn allowed_methods(path: &str) -> Option<&'static str> {
    Some(match resource(path)? {
        Resource::List(Collection::WorkOrders) => "GET, HEAD, POST",
        Resource::Item(Collection::WorkOrders, _) => "GET, HEAD, PATCH",
        Resource::Webhooks => "POST",
        _ => "GET, HEAD",
    })
}
