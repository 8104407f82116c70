//! A fake MaintainX API server for rbx's tests, examples and benchmarks.
//!
//! It serves the endpoints MaintainX runbooks call (`/v1/users`, `/v1/assets`,
//! `/v1/locations`, `/v1/workorders` with cursor pagination, Bearer-key checking), a
//! statuspage.io status page, a webhook health endpoint and a webhook receiver that checks
//! HMAC-SHA256 signatures, from a seeded dataset. A test injects
//! faults (latency, exact error rates, fixed statuses, 429 with `Retry-After`,
//! fail-N-then-succeed, dropped connections) and reads back every request the server received,
//! either through [`Running`] in-process or through the `/__fake/` control API from another
//! process (`rbx-fake-maintainx`). See `docs/fake-maintainx.md`.
//!
//! [`HttpStub`] is its generic sibling for every other endpoint a runbook calls (an
//! application's health check, Prometheus, Elasticsearch): canned answers by method and path,
//! given in turn, and every request recorded. See `docs/http-stub.md`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), rbx_fake::FakeError> {
//! use rbx_fake::{Config, FakeMaintainx, Fault};
//! let fake = FakeMaintainx::start(Config::default()).await?;
//! fake.set_faults(vec![Fault::error_rate(7.0, 503).on_path("/v1/")]);
//! // ... point a client at fake.base_url() with `Authorization: Bearer rbx-fake-key` ...
//! assert!(fake.requests().iter().all(|r| r.path.starts_with("/v1/")));
//! # Ok(()) }
//! ```

mod api;
mod config;
mod control;
mod dataset;
mod entities;
mod error;
mod fault;
mod fault_book;
mod http_stub;
mod pagination;
mod query;
mod recorded;
mod reply;
mod running;
mod server;
mod state;
mod status_page;
mod webhook_health;
mod webhook_receiver;

pub use config::{Config, DEFAULT_API_KEY, DEFAULT_WEBHOOK_SECRET};
pub use dataset::Dataset;
pub use entities::{Asset, Assignee, AssigneeKind, Location, Priority, User, WorkOrder, WorkOrderStatus};
pub use error::FakeError;
pub use fault::{Fault, FaultError, FaultKind, FaultKindName, FaultSpec, Rate};
pub use fault_book::FaultStatus;
pub use http_stub::{CannedReply, HttpStub};
pub use pagination::{DEFAULT_LIMIT, MAX_LIMIT};
pub use recorded::RecordedRequest;
pub use running::Running;
pub use server::FakeMaintainx;
pub use status_page::{Indicator, StatusPage};
pub use webhook_health::WebhookHealth;
pub use webhook_receiver::WebhookReceiver;
