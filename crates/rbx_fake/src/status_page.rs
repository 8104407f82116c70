//! The status page (statuspage.io's `/api/v2/status.json`) a test can turn red.

use serde::{Deserialize, Serialize};

/// What `/api/v2/status.json` reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusPage {
    /// The overall indicator.
    pub indicator: Indicator,
    /// The sentence shown with it; statuspage.io's usual one for the indicator when not given.
    #[serde(default)]
    pub description: Option<String>,
}

/// statuspage.io's status indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Indicator {
    /// All systems operational.
    None,
    /// Minor outage.
    Minor,
    /// Partial outage.
    Major,
    /// Major outage.
    Critical,
}

impl Default for StatusPage {
    fn default() -> Self {
        Self::new(Indicator::None)
    }
}

impl StatusPage {
    /// A status page with this indicator and its usual description.
    pub fn new(indicator: Indicator) -> Self {
        Self { indicator, description: None }
    }

    /// Sets the description.
    #[must_use]
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// The description shown: the one set, or statuspage.io's usual one for the indicator.
    pub fn shown_description(&self) -> &str {
        self.description.as_deref().unwrap_or(match self.indicator {
            Indicator::None => "All Systems Operational",
            Indicator::Minor => "Minor Service Outage",
            Indicator::Major => "Partial System Outage",
            Indicator::Critical => "Major System Outage",
        })
    }

    /// The `/api/v2/status.json` document, in statuspage.io's shape.
    pub(crate) fn document(&self, page_url: &str, updated_at: &str) -> serde_json::Value {
        serde_json::json!({
            "page": {
                "id": "rbxfakemaintainx",
                "name": "MaintainX",
                "url": page_url,
                "time_zone": "Etc/UTC",
                "updated_at": updated_at,
            },
            "status": { "indicator": self.indicator, "description": self.shown_description() },
        })
    }
}
