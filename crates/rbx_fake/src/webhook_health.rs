//! The health of the webhook receiver the runbooks check (`/webhooks/maintainx/health`).

use serde::{Deserialize, Serialize};

/// What `/webhooks/maintainx/health` reports: 200 when healthy, 503 when not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookHealth {
    /// Whether the receiver is healthy.
    pub healthy: bool,
    /// Webhooks waiting to be processed.
    #[serde(default)]
    pub queue_depth: u64,
    /// Webhooks that failed processing.
    #[serde(default)]
    pub failed: u64,
    /// The last processing error, if any.
    #[serde(default)]
    pub last_error: Option<String>,
}

impl Default for WebhookHealth {
    fn default() -> Self {
        Self { healthy: true, queue_depth: 0, failed: 0, last_error: None }
    }
}

impl WebhookHealth {
    /// The HTTP status the endpoint answers with.
    pub(crate) fn http_status(&self) -> u16 {
        if self.healthy { 200 } else { 503 }
    }

    /// The endpoint's JSON body.
    pub(crate) fn document(&self) -> serde_json::Value {
        serde_json::json!({
            "status": if self.healthy { "ok" } else { "unhealthy" },
            "queue_depth": self.queue_depth,
            "failed": self.failed,
            "last_error": self.last_error,
        })
    }
}
