//! The records the fake serves, in MaintainX's JSON shapes (camelCase keys, upper-case enums).

use serde::{Deserialize, Serialize};

/// A work order, as `GET /v1/workorders/{id}` returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkOrder {
    /// Unique id; the seeded ones are 1..=N, created ones follow.
    pub id: u64,
    /// One-line summary.
    pub title: String,
    /// Longer text, if any.
    pub description: Option<String>,
    /// Where the work order is in its life cycle.
    pub status: WorkOrderStatus,
    /// How urgent it is.
    pub priority: Priority,
    /// Users or teams it is assigned to.
    pub assignees: Vec<Assignee>,
    /// The asset it concerns, if any.
    pub asset_id: Option<u64>,
    /// The location it concerns, if any.
    pub location_id: Option<u64>,
    /// Free-form categories ("Corrective", "Preventive", ...).
    pub categories: Vec<String>,
    /// RFC 3339 creation time.
    pub created_at: String,
    /// RFC 3339 time of the last change.
    pub updated_at: String,
    /// RFC 3339 due time, if any.
    pub due_date: Option<String>,
    /// RFC 3339 time it became `COMPLETED`, if it did.
    pub completed_at: Option<String>,
}

/// The statuses MaintainX documents for a work order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WorkOrderStatus {
    /// Not started.
    Open,
    /// Being worked on.
    InProgress,
    /// Paused (waiting for parts, ...).
    OnHold,
    /// Work done.
    Completed,
    /// Closed (done and reviewed, or cancelled).
    Closed,
}

impl WorkOrderStatus {
    /// Every status, in life-cycle order.
    pub const ALL: [Self; 5] = [Self::Open, Self::InProgress, Self::OnHold, Self::Completed, Self::Closed];
}

/// The priorities MaintainX documents for a work order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Priority {
    /// No priority set.
    None,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
}

impl Priority {
    /// Every priority, lowest first.
    pub const ALL: [Self; 4] = [Self::None, Self::Low, Self::Medium, Self::High];
}

/// Someone a work order is assigned to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assignee {
    /// `USER` or `TEAM`.
    #[serde(rename = "type")]
    pub kind: AssigneeKind,
    /// The user's or team's id.
    pub id: u64,
}

/// Whether an assignee is a user or a team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AssigneeKind {
    /// A single user.
    User,
    /// A team.
    Team,
}

/// A user of the MaintainX organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// Unique id.
    pub id: u64,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Email address (always under `example.com`).
    pub email: String,
    /// `ADMIN`, `TECHNICIAN`, `REQUESTER` or `VIEW_ONLY`.
    pub role: String,
    /// RFC 3339 creation time.
    pub created_at: String,
}

/// A piece of equipment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Asset {
    /// Unique id.
    pub id: u64,
    /// Display name.
    pub name: String,
    /// Manufacturer's serial number.
    pub serial_number: String,
    /// Model name.
    pub model: String,
    /// Manufacturer name.
    pub manufacturer: String,
    /// Where it is.
    pub location_id: Option<u64>,
    /// `ONLINE` or `OFFLINE`.
    pub status: String,
    /// RFC 3339 creation time.
    pub created_at: String,
}

/// A site or an area of a site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    /// Unique id.
    pub id: u64,
    /// Display name.
    pub name: String,
    /// Postal address.
    pub address: String,
    /// The enclosing location, if any.
    pub parent_id: Option<u64>,
    /// RFC 3339 creation time.
    pub created_at: String,
}
