//! Everything a running fake holds, shared by its connections and its `Running` handle.

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use crate::config::Config;
use crate::dataset::Dataset;
use crate::fault_book::{FaultBook, Verdict};
use crate::recorded::RecordedRequest;
use crate::status_page::StatusPage;
use crate::webhook_health::WebhookHealth;
use crate::webhook_receiver::WebhookReceiver;

/// The server's settings and its state behind one lock (requests are short; nothing awaits
/// while holding it).
#[derive(Debug)]
pub(crate) struct Shared {
    pub config: Config,
    pub addr: SocketAddr,
    pub started: Instant,
    state: Mutex<State>,
}

#[derive(Debug)]
pub(crate) struct State {
    pub dataset: Dataset,
    pub faults: FaultBook,
    pub requests: VecDeque<RecordedRequest>,
    pub next_seq: u64,
    pub status_page: StatusPage,
    pub webhook_health: WebhookHealth,
    pub webhook_receiver: WebhookReceiver,
}

/// A request as it arrives, before anything answers it.
pub(crate) struct Arrival<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: Option<&'a str>,
    pub headers: BTreeMap<String, String>,
    pub body: &'a [u8],
}

impl Shared {
    pub fn new(config: Config, addr: SocketAddr) -> Self {
        let state = State::fresh(&config);
        Self { config, addr, started: Instant::now(), state: Mutex::new(state) }
    }

    /// The state. A panic elsewhere while holding the lock leaves data that is still consistent
    /// enough for a test fake, so a poisoned lock is used as it is.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `http://127.0.0.1:PORT`.
    pub fn root_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Records an arriving request and runs it past the faults, under one lock so that the
    /// order of the record is the order the faults counted in. Returns its number and verdict.
    pub fn arrive(&self, arrival: Arrival<'_>) -> (u64, Verdict) {
        let received_ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let mut state = self.lock();
        let verdict = state.faults.consult(arrival.method, arrival.path);
        state.next_seq += 1;
        let seq = state.next_seq;
        if state.requests.len() >= self.config.max_recorded_requests {
            state.requests.pop_front();
        }
        if self.config.max_recorded_requests > 0 {
            state.requests.push_back(RecordedRequest {
                seq,
                received_ms,
                method: arrival.method.to_owned(),
                path: arrival.path.to_owned(),
                query: arrival.query.map(str::to_owned),
                headers: arrival.headers,
                body: String::from_utf8_lossy(arrival.body).into_owned(),
                status: None,
                fault: None,
            });
        }
        (seq, verdict)
    }

    /// Notes what request `seq` was answered with (if it is still recorded).
    pub fn answered(&self, seq: u64, status: Option<u16>, fault: Option<&str>) {
        let mut state = self.lock();
        // Records are in arrival order, so the one looked for is found by binary search.
        if let Ok(index) = state.requests.binary_search_by_key(&seq, |r| r.seq)
            && let Some(record) = state.requests.get_mut(index)
        {
            record.status = status;
            record.fault = fault.map(str::to_owned);
        }
    }
}

impl State {
    fn fresh(config: &Config) -> Self {
        Self {
            dataset: Dataset::generate(config),
            faults: FaultBook::default(),
            requests: VecDeque::new(),
            next_seq: 0,
            status_page: StatusPage::default(),
            webhook_health: WebhookHealth::default(),
            webhook_receiver: WebhookReceiver::default(),
        }
    }

    /// Back to the state of a new server: the seeded data, no faults, nothing recorded, a green
    /// status page, healthy webhooks checking signatures. Request numbers keep counting.
    pub fn reset(&mut self, config: &Config) {
        let next_seq = self.next_seq;
        *self = Self::fresh(config);
        self.next_seq = next_seq;
    }
}
