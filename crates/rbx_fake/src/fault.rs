//! Faults a test injects: what they do, which requests they touch, and their JSON form.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// One injected fault: what it does, which requests it applies to, and how many it may touch.
///
/// Its JSON form (the control API's) is flat:
/// `{"kind": "error_rate", "percent": 7, "status": 503, "path_prefix": "/v1/", "method": "GET", "times": 10}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "FaultSpec", into = "FaultSpec")]
pub struct Fault {
    /// What the fault does to a request it applies to.
    pub kind: FaultKind,
    /// Only requests whose path starts with this (e.g. `/v1/workorders`); `None`: every path.
    pub path_prefix: Option<String>,
    /// Only requests with this method (upper case); `None`: every method.
    pub method: Option<String>,
    /// The fault acts on at most this many requests, then steps aside; `None`: no limit.
    pub times: Option<u64>,
}

/// What a fault does.
#[derive(Debug, Clone, PartialEq)]
pub enum FaultKind {
    /// Waits this long before answering (the request then goes on to later faults and the API).
    Latency(Duration),
    /// Answers an exact share of requests with `status`: of the first N requests it sees,
    /// exactly ⌊N × rate⌋ fail, spread evenly (7% → the 15th, 29th, 43rd, ... request).
    ErrorRate {
        /// Share of requests that fail.
        rate: Rate,
        /// Status of the failures.
        status: u16,
    },
    /// Answers every request with this status.
    Status(u16),
    /// Answers `429 Too Many Requests` with `Retry-After: <seconds>`.
    RateLimit {
        /// The `Retry-After` value, in seconds.
        retry_after_secs: u64,
    },
    /// Answers the first `failures` requests with `status`, then lets every request through.
    FailThenSucceed {
        /// How many requests fail.
        failures: u64,
        /// Status of the failures.
        status: u16,
    },
    /// Closes the connection without writing any response.
    DropConnection,
}

/// An exact rate, in parts per million so that the arithmetic never rounds differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    per_million: u64,
}

const MILLION: u64 = 1_000_000;

impl Rate {
    /// A rate given in percent (`7.0` = 7%); `None` unless it is within 0..=100.
    pub fn from_percent(percent: f64) -> Option<Self> {
        (0.0..=100.0).contains(&percent).then(|| Self { per_million: (percent * 10_000.0).round() as u64 })
    }

    /// The rate in percent.
    pub fn percent(self) -> f64 {
        self.per_million as f64 / 10_000.0
    }

    /// Whether the `n`-th request (1-based) is one of the failing ones: the count of failures
    /// among the first `n` requests is ⌊n × rate⌋, and this request is where it goes up.
    pub fn selects(self, n: u64) -> bool {
        let failures_up_to = |k: u64| u128::from(k) * u128::from(self.per_million) / u128::from(MILLION);
        n > 0 && failures_up_to(n) > failures_up_to(n - 1)
    }
}

impl Fault {
    fn new(kind: FaultKind) -> Self {
        Self { kind, path_prefix: None, method: None, times: None }
    }

    /// A fixed delay before every answer.
    pub fn latency(delay: Duration) -> Self {
        Self::new(FaultKind::Latency(delay))
    }

    /// `percent`% of requests (exactly, see [`FaultKind::ErrorRate`]) answered with `status`.
    /// A percent outside 0..=100 is clamped into it.
    pub fn error_rate(percent: f64, status: u16) -> Self {
        let rate = Rate::from_percent(percent.clamp(0.0, 100.0)).unwrap_or(Rate { per_million: 0 });
        Self::new(FaultKind::ErrorRate { rate, status })
    }

    /// Every request answered with `status`.
    pub fn status(status: u16) -> Self {
        Self::new(FaultKind::Status(status))
    }

    /// Every request answered `429` with `Retry-After: retry_after_secs`.
    pub fn rate_limit(retry_after_secs: u64) -> Self {
        Self::new(FaultKind::RateLimit { retry_after_secs })
    }

    /// The first `failures` requests answered with `status`, the rest served.
    pub fn fail_then_succeed(failures: u64, status: u16) -> Self {
        Self::new(FaultKind::FailThenSucceed { failures, status })
    }

    /// Connections closed without a response.
    pub fn drop_connection() -> Self {
        Self::new(FaultKind::DropConnection)
    }

    /// Limits the fault to paths starting with `prefix`.
    #[must_use]
    pub fn on_path(mut self, prefix: impl Into<String>) -> Self {
        self.path_prefix = Some(prefix.into());
        self
    }

    /// Limits the fault to one method.
    #[must_use]
    pub fn on_method(mut self, method: &str) -> Self {
        self.method = Some(method.to_ascii_uppercase());
        self
    }

    /// Lets the fault act on at most `count` requests.
    #[must_use]
    pub fn times(mut self, count: u64) -> Self {
        self.times = Some(count);
        self
    }

    /// Whether a request with this method and path is one the fault applies to.
    pub fn applies_to(&self, method: &str, path: &str) -> bool {
        self.path_prefix.as_deref().is_none_or(|prefix| path.starts_with(prefix))
            && self.method.as_deref().is_none_or(|m| m.eq_ignore_ascii_case(method))
    }
}

/// Why a fault's JSON was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FaultError {
    /// The kind needs a field that is missing.
    #[error("fault `{kind}` needs `{field}`")]
    Missing {
        /// The fault's kind.
        kind: &'static str,
        /// The missing field.
        field: &'static str,
    },
    /// A field was given that the kind does not use.
    #[error("fault `{kind}` does not take `{field}`")]
    Unused {
        /// The fault's kind.
        kind: &'static str,
        /// The field it does not take.
        field: &'static str,
    },
    /// `percent` is not within 0..=100.
    #[error("`percent` must be within 0 and 100, not {0}")]
    Percent(f64),
    /// A status is not an HTTP status a server can send.
    #[error("`status` must be within 100 and 599, not {0}")]
    Status(u16),
    /// `path_prefix` does not start with `/`.
    #[error("`path_prefix` must start with `/`, not `{0}`")]
    PathPrefix(String),
}

/// The names of the fault kinds in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKindName {
    /// [`FaultKind::Latency`].
    Latency,
    /// [`FaultKind::ErrorRate`].
    ErrorRate,
    /// [`FaultKind::Status`].
    Status,
    /// [`FaultKind::RateLimit`].
    RateLimit,
    /// [`FaultKind::FailThenSucceed`].
    FailThenSucceed,
    /// [`FaultKind::DropConnection`].
    DropConnection,
}

impl FaultKindName {
    fn as_str(self) -> &'static str {
        match self {
            Self::Latency => "latency",
            Self::ErrorRate => "error_rate",
            Self::Status => "status",
            Self::RateLimit => "rate_limit",
            Self::FailThenSucceed => "fail_then_succeed",
            Self::DropConnection => "drop_connection",
        }
    }
}

impl fmt::Display for FaultKindName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The JSON form of a [`Fault`]: every field a kind may take, checked by `TryFrom`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// The fault's kind.
    pub kind: Option<FaultKindName>,
    /// `latency`: the delay in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ms: Option<u64>,
    /// `error_rate`: the share of failing requests, in percent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent: Option<f64>,
    /// `error_rate`, `fail_then_succeed` (default 500 and 503), `status` (required): the status sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// `rate_limit`: the `Retry-After` seconds (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// `fail_then_succeed`: how many requests fail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failures: Option<u64>,
    /// Any kind: only paths starting with this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_prefix: Option<String>,
    /// Any kind: only this method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Any kind: act on at most this many requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u64>,
}

impl TryFrom<FaultSpec> for Fault {
    type Error = FaultError;

    fn try_from(spec: FaultSpec) -> Result<Self, FaultError> {
        let Some(name) = spec.kind else {
            return Err(FaultError::Missing { kind: "?", field: "kind" });
        };
        let kind_str = name.as_str();
        let allowed: &[&str] = match name {
            FaultKindName::Latency => &["ms"],
            FaultKindName::ErrorRate => &["percent", "status"],
            FaultKindName::Status => &["status"],
            FaultKindName::RateLimit => &["retry_after"],
            FaultKindName::FailThenSucceed => &["failures", "status"],
            FaultKindName::DropConnection => &[],
        };
        let given = [
            ("ms", spec.ms.is_some()),
            ("percent", spec.percent.is_some()),
            ("status", spec.status.is_some()),
            ("retry_after", spec.retry_after.is_some()),
            ("failures", spec.failures.is_some()),
        ];
        if let Some((field, _)) = given.iter().find(|(field, present)| *present && !allowed.contains(field)) {
            return Err(FaultError::Unused { kind: kind_str, field });
        }
        let missing = |field| FaultError::Missing { kind: kind_str, field };
        let status = |default: Option<u16>| match spec.status.or(default) {
            None => Err(missing("status")),
            Some(code) if (100..=599).contains(&code) => Ok(code),
            Some(code) => Err(FaultError::Status(code)),
        };
        let kind = match name {
            FaultKindName::Latency => FaultKind::Latency(Duration::from_millis(spec.ms.ok_or_else(|| missing("ms"))?)),
            FaultKindName::ErrorRate => {
                let percent = spec.percent.ok_or_else(|| missing("percent"))?;
                let rate = Rate::from_percent(percent).ok_or(FaultError::Percent(percent))?;
                FaultKind::ErrorRate { rate, status: status(Some(500))? }
            }
            FaultKindName::Status => FaultKind::Status(status(None)?),
            FaultKindName::RateLimit => FaultKind::RateLimit { retry_after_secs: spec.retry_after.unwrap_or(1) },
            FaultKindName::FailThenSucceed => FaultKind::FailThenSucceed {
                failures: spec.failures.ok_or_else(|| missing("failures"))?,
                status: status(Some(503))?,
            },
            FaultKindName::DropConnection => FaultKind::DropConnection,
        };
        if let Some(prefix) = spec.path_prefix.as_ref().filter(|p| !p.starts_with('/')) {
            return Err(FaultError::PathPrefix(prefix.clone()));
        }
        Ok(Self {
            kind,
            path_prefix: spec.path_prefix,
            method: spec.method.map(|m| m.to_ascii_uppercase()),
            times: spec.times,
        })
    }
}

impl From<Fault> for FaultSpec {
    fn from(fault: Fault) -> Self {
        let mut spec = FaultSpec {
            path_prefix: fault.path_prefix,
            method: fault.method,
            times: fault.times,
            ..FaultSpec::default()
        };
        spec.kind = Some(match fault.kind {
            FaultKind::Latency(delay) => {
                spec.ms = Some(u64::try_from(delay.as_millis()).unwrap_or(u64::MAX));
                FaultKindName::Latency
            }
            FaultKind::ErrorRate { rate, status } => {
                spec.percent = Some(rate.percent());
                spec.status = Some(status);
                FaultKindName::ErrorRate
            }
            FaultKind::Status(status) => {
                spec.status = Some(status);
                FaultKindName::Status
            }
            FaultKind::RateLimit { retry_after_secs } => {
                spec.retry_after = Some(retry_after_secs);
                FaultKindName::RateLimit
            }
            FaultKind::FailThenSucceed { failures, status } => {
                spec.failures = Some(failures);
                spec.status = Some(status);
                FaultKindName::FailThenSucceed
            }
            FaultKind::DropConnection => FaultKindName::DropConnection,
        });
        spec
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<Fault, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn an_exact_rate_fails_exactly_its_share_of_any_prefix() {
        let rate = Rate::from_percent(7.0).unwrap();
        let failures = (1..=100).filter(|&n| rate.selects(n)).count();
        assert_eq!(failures, 7);
        assert_eq!((1..=1000).filter(|&n| rate.selects(n)).count(), 70);
        assert_eq!((1..=14).filter(|&n| rate.selects(n)).count(), 0);
        assert!(rate.selects(15));
    }

    #[test]
    fn the_extreme_rates_fail_nothing_or_everything() {
        let none = Rate::from_percent(0.0).unwrap();
        let all = Rate::from_percent(100.0).unwrap();
        assert!((1..=50).all(|n| !none.selects(n) && all.selects(n)));
        assert_eq!(Rate::from_percent(100.5), None);
        assert_eq!(Rate::from_percent(f64::NAN), None);
    }

    #[test]
    fn every_kind_parses_and_prints_back() {
        for json in [
            r#"{"kind":"latency","ms":250}"#,
            r#"{"kind":"error_rate","percent":7.0,"status":503,"path_prefix":"/v1/"}"#,
            r#"{"kind":"status","status":500,"method":"POST"}"#,
            r#"{"kind":"rate_limit","retry_after":2,"times":1}"#,
            r#"{"kind":"fail_then_succeed","status":502,"failures":2}"#,
            r#"{"kind":"drop_connection"}"#,
        ] {
            let fault = parse(json).unwrap();
            assert_eq!(serde_json::to_string(&fault).unwrap(), json);
        }
    }

    #[test]
    fn defaults_fill_optional_fields() {
        assert_eq!(parse(r#"{"kind":"error_rate","percent":5}"#).unwrap(), Fault::error_rate(5.0, 500));
        assert_eq!(parse(r#"{"kind":"rate_limit"}"#).unwrap(), Fault::rate_limit(1));
        assert_eq!(parse(r#"{"kind":"fail_then_succeed","failures":3}"#).unwrap(), Fault::fail_then_succeed(3, 503));
        assert_eq!(parse(r#"{"kind":"status","status":418,"method":"get"}"#).unwrap().method.as_deref(), Some("GET"));
    }

    #[test]
    fn bad_faults_are_refused_with_the_reason() {
        for (json, reason) in [
            (r#"{"ms":5}"#, "fault `?` needs `kind`"),
            (r#"{"kind":"latency"}"#, "fault `latency` needs `ms`"),
            (r#"{"kind":"status"}"#, "fault `status` needs `status`"),
            (r#"{"kind":"latency","ms":5,"status":500}"#, "fault `latency` does not take `status`"),
            (r#"{"kind":"error_rate","percent":120}"#, "`percent` must be within 0 and 100, not 120"),
            (r#"{"kind":"status","status":1000}"#, "`status` must be within 100 and 599, not 1000"),
            (r#"{"kind":"drop_connection","path_prefix":"v1"}"#, "`path_prefix` must start with `/`, not `v1`"),
            (r#"{"kind":"teleport"}"#, "unknown variant `teleport`"),
            (r#"{"kind":"latency","ms":5,"delay":1}"#, "unknown field `delay`"),
        ] {
            let error = parse(json).unwrap_err();
            assert!(error.contains(reason), "{json}: {error}");
        }
    }

    #[test]
    fn scope_matches_path_prefix_and_method() {
        let fault = Fault::status(500).on_path("/v1/workorders").on_method("post");
        assert!(fault.applies_to("POST", "/v1/workorders/3"));
        assert!(!fault.applies_to("GET", "/v1/workorders"));
        assert!(!fault.applies_to("POST", "/v1/users"));
        assert!(Fault::status(500).applies_to("DELETE", "/anything"));
    }
}
