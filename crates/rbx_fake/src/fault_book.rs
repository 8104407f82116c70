//! The faults in force and their counters: decides, request by request, what the faults do.

use std::time::Duration;

use serde::Serialize;

use crate::fault::{Fault, FaultKind};

/// The faults set for this run, each with how many requests it has seen and acted on.
#[derive(Debug, Default)]
pub(crate) struct FaultBook {
    entries: Vec<Entry>,
}

#[derive(Debug)]
struct Entry {
    fault: Fault,
    /// Requests in its scope that reached it (while it was not exhausted).
    seen: u64,
    /// Requests it delayed or answered.
    acted: u64,
}

/// A fault with its counters, as `GET /__fake/faults` shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FaultStatus {
    /// The fault as it was set.
    pub fault: Fault,
    /// Requests in its scope that reached it.
    pub seen: u64,
    /// Requests it delayed or answered.
    pub acted: u64,
}

/// What the faults decided for one request.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Verdict {
    /// How long to wait before answering.
    pub delay: Duration,
    /// The answer a fault gives instead of the API, if one does.
    pub answer: Option<Injected>,
}

/// An answer made up by a fault.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Injected {
    /// Send this status (with `Retry-After` when set) and an error body naming the fault.
    Respond { status: u16, retry_after_secs: Option<u64>, fault: &'static str },
    /// Close the connection without an answer.
    Drop,
}

impl FaultBook {
    /// Replaces the faults; every counter starts again from zero.
    pub fn set(&mut self, faults: Vec<Fault>) {
        self.entries = faults.into_iter().map(|fault| Entry { fault, seen: 0, acted: 0 }).collect();
    }

    /// The faults with their counters.
    pub fn status(&self) -> Vec<FaultStatus> {
        self.entries.iter().map(|e| FaultStatus { fault: e.fault.clone(), seen: e.seen, acted: e.acted }).collect()
    }

    /// Runs one request past the faults, in the order they were set. Latency adds up; the
    /// first fault that answers ends the walk, so the faults after it never see the request.
    pub fn consult(&mut self, method: &str, path: &str) -> Verdict {
        let mut verdict = Verdict::default();
        for entry in &mut self.entries {
            let exhausted = entry.fault.times.is_some_and(|limit| entry.acted >= limit);
            if exhausted || !entry.fault.applies_to(method, path) {
                continue;
            }
            entry.seen += 1;
            let answer = match &entry.fault.kind {
                FaultKind::Latency(delay) => {
                    verdict.delay += *delay;
                    entry.acted += 1;
                    continue;
                }
                FaultKind::ErrorRate { rate, status } => rate.selects(entry.seen).then_some(Injected::Respond {
                    status: *status,
                    retry_after_secs: None,
                    fault: "error_rate",
                }),
                FaultKind::Status(status) => {
                    Some(Injected::Respond { status: *status, retry_after_secs: None, fault: "status" })
                }
                FaultKind::RateLimit { retry_after_secs } => Some(Injected::Respond {
                    status: 429,
                    retry_after_secs: Some(*retry_after_secs),
                    fault: "rate_limit",
                }),
                FaultKind::FailThenSucceed { failures, status } => {
                    (entry.acted < *failures).then_some(Injected::Respond {
                        status: *status,
                        retry_after_secs: None,
                        fault: "fail_then_succeed",
                    })
                }
                FaultKind::DropConnection => Some(Injected::Drop),
            };
            if let Some(answer) = answer {
                entry.acted += 1;
                verdict.answer = Some(answer);
                break;
            }
        }
        verdict
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book(faults: Vec<Fault>) -> FaultBook {
        let mut book = FaultBook::default();
        book.set(faults);
        book
    }

    fn statuses(book: &mut FaultBook, count: usize) -> Vec<Option<u16>> {
        (0..count)
            .map(|_| match book.consult("GET", "/v1/users").answer {
                Some(Injected::Respond { status, .. }) => Some(status),
                Some(Injected::Drop) => Some(0),
                None => None,
            })
            .collect()
    }

    #[test]
    fn fail_then_succeed_fails_exactly_n_times() {
        let mut book = book(vec![Fault::fail_then_succeed(2, 503)]);
        assert_eq!(statuses(&mut book, 4), [Some(503), Some(503), None, None]);
    }

    #[test]
    fn times_limits_any_fault() {
        let mut book = book(vec![Fault::rate_limit(1).times(1), Fault::drop_connection().times(1)]);
        assert_eq!(statuses(&mut book, 3), [Some(429), Some(0), None]);
    }

    #[test]
    fn latency_adds_up_and_the_first_answer_wins() {
        let mut book = book(vec![
            Fault::latency(Duration::from_millis(5)),
            Fault::latency(Duration::from_millis(7)),
            Fault::status(500),
            Fault::status(502),
        ]);
        let verdict = book.consult("GET", "/");
        assert_eq!(verdict.delay, Duration::from_millis(12));
        assert_eq!(verdict.answer, Some(Injected::Respond { status: 500, retry_after_secs: None, fault: "status" }));
        let status = book.status();
        assert_eq!((status[3].seen, status[3].acted), (0, 0));
    }

    #[test]
    fn out_of_scope_requests_are_not_counted() {
        let mut book = book(vec![Fault::error_rate(50.0, 500).on_method("POST")]);
        assert_eq!(statuses(&mut book, 3), [None, None, None]);
        assert_eq!(book.status()[0].seen, 0);
        assert!(book.consult("POST", "/v1/workorders").answer.is_none());
        assert!(book.consult("POST", "/v1/workorders").answer.is_some());
    }

    #[test]
    fn setting_faults_restarts_the_counters() {
        let mut book = book(vec![Fault::fail_then_succeed(1, 500)]);
        assert_eq!(statuses(&mut book, 2), [Some(500), None]);
        book.set(vec![Fault::fail_then_succeed(1, 500)]);
        assert_eq!(statuses(&mut book, 1), [Some(500)]);
    }
}
