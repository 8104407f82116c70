//! The handle on a running fake server: its address, and the levers a test pulls.

use std::net::SocketAddr;
use std::sync::Arc;

use crate::entities::WorkOrder;
use crate::fault::Fault;
use crate::fault_book::FaultStatus;
use crate::recorded::RecordedRequest;
use crate::server::Shutdown;
use crate::state::Shared;
use crate::status_page::StatusPage;
use crate::webhook_health::WebhookHealth;
use crate::webhook_receiver::WebhookReceiver;

/// A fake server that is serving; dropping it stops the server.
///
/// Every method takes effect at once, for the next request; none of them blocks on the network,
/// so they work the same from async and sync tests.
#[derive(Debug)]
pub struct Running {
    /// The address it listens on (always 127.0.0.1).
    pub addr: SocketAddr,
    /// The API key it accepts.
    pub api_key: String,
    shared: Arc<Shared>,
    _shutdown: Shutdown,
}

impl Running {
    pub(crate) fn new(shared: Arc<Shared>, shutdown: Shutdown) -> Self {
        Self { addr: shared.addr, api_key: shared.config.api_key.clone(), shared, _shutdown: shutdown }
    }

    /// `http://127.0.0.1:PORT/v1`, the base URL a MaintainX client is given.
    pub fn base_url(&self) -> String {
        format!("{}/v1", self.root_url())
    }

    /// `http://127.0.0.1:PORT`, for `/health`, the status page and webhook health.
    pub fn root_url(&self) -> String {
        self.shared.root_url()
    }

    /// The URL of `path` on this server (`url("/health")`); a missing leading `/` is added.
    pub fn url(&self, path: &str) -> String {
        let separator = if path.starts_with('/') { "" } else { "/" };
        format!("{}{separator}{path}", self.root_url())
    }

    /// Replaces the faults in force (their counters start from zero).
    pub fn set_faults(&self, faults: Vec<Fault>) {
        self.shared.lock().faults.set(faults);
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        self.set_faults(Vec::new());
    }

    /// The faults in force, with how many requests each has seen and acted on.
    pub fn faults(&self) -> Vec<FaultStatus> {
        self.shared.lock().faults.status()
    }

    /// The requests received so far (control requests excluded), oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().requests.iter().cloned().collect()
    }

    /// Forgets the requests received so far.
    pub fn clear_requests(&self) {
        self.shared.lock().requests.clear();
    }

    /// Back to a new server's state: seeded data, no faults, no requests, green status page,
    /// healthy webhooks, signatures checked.
    pub fn reset(&self) {
        self.shared.lock().reset(&self.shared.config);
    }

    /// Sets what the status page reports.
    pub fn set_status_page(&self, page: StatusPage) {
        self.shared.lock().status_page = page;
    }

    /// Sets what the webhook health endpoint reports.
    pub fn set_webhook_health(&self, health: WebhookHealth) {
        self.shared.lock().webhook_health = health;
    }

    /// Sets how the webhook receiver treats signatures.
    pub fn set_webhook_receiver(&self, receiver: WebhookReceiver) {
        self.shared.lock().webhook_receiver = receiver;
    }

    /// The work order with this id as the server holds it now.
    pub fn work_order(&self, id: u64) -> Option<WorkOrder> {
        self.shared.lock().dataset.work_order(id).cloned()
    }

    /// Every work order as the server holds it now, by ascending id.
    pub fn work_orders(&self) -> Vec<WorkOrder> {
        self.shared.lock().dataset.work_orders.clone()
    }
}
