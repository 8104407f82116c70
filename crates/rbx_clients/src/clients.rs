use std::collections::HashMap;

use tokio::sync::{Mutex, watch};

use crate::http::{self, HttpError, HttpRequest, HttpResponse, HttpSettings};
use crate::redis::{self, RedisError, RedisRequest};
use crate::sql::{self, SqlError, SqlPool, SqlRequest, SqlResult};

/// Every connection a run has opened, reused by the steps that follow.
///
/// Maps are keyed by what makes a connection different (HTTP settings, a SQL or Redis URL), so
/// two steps naming the same connection share its pool. Locks are held only while looking up or
/// creating an entry, never during a request.
#[derive(Default)]
pub struct Clients {
    http: Mutex<HashMap<HttpSettings, reqwest::Client>>,
    sql: Mutex<HashMap<String, SqlPool>>,
    redis: Mutex<HashMap<String, ::redis::aio::ConnectionManager>>,
}

impl std::fmt::Debug for Clients {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The pools hold URLs with passwords: show nothing of them.
        formatter.debug_struct("Clients").finish_non_exhaustive()
    }
}

impl Clients {
    /// No connections yet; they open on first use.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sends one HTTP request and reads the whole response.
    pub async fn http(&self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        let client = {
            let mut map = self.http.lock().await;
            match map.get(&request.settings) {
                Some(client) => client.clone(),
                None => {
                    let client = http::build_client(&request.settings)?;
                    map.insert(request.settings.clone(), client.clone());
                    client
                }
            }
        };
        http::send(&client, request).await
    }

    /// Runs one SQL statement; `cancel` turning true stops it on the server.
    pub async fn sql(&self, request: &SqlRequest, cancel: watch::Receiver<bool>) -> Result<SqlResult, SqlError> {
        let pool = {
            let mut map = self.sql.lock().await;
            match map.get(&request.url) {
                Some(pool) => pool.clone(),
                None => {
                    let pool = SqlPool::open(&request.url)?;
                    map.insert(request.url.clone(), pool.clone());
                    pool
                }
            }
        };
        sql::run(&pool, request, cancel).await
    }

    /// Sends one Redis command and turns its reply into JSON.
    pub async fn redis(&self, request: &RedisRequest) -> Result<serde_json::Value, RedisError> {
        let existing = self.redis.lock().await.get(&request.url).cloned();
        let manager = match existing {
            Some(manager) => manager,
            None => {
                // Connecting happens outside the lock: a server that does not answer must not
                // hold up steps talking to other servers. Two racing steps may both connect;
                // the later one's manager is kept and the other dropped.
                let manager = redis::connect(request).await?;
                self.redis.lock().await.insert(request.url.clone(), manager.clone());
                manager
            }
        };
        let reply = redis::send(manager, request).await;
        if matches!(reply, Err(RedisError::Timeout(_))) {
            // The server still owes this connection the reply it gave up on, and would answer
            // the next command only after it: the next step gets a connection of its own.
            self.redis.lock().await.remove(&request.url);
        }
        reply
    }

    /// Closes every SQL pool (letting servers free the sessions) and drops HTTP and Redis clients.
    pub async fn close(&self) {
        let pools: Vec<SqlPool> = self.sql.lock().await.drain().map(|(_, pool)| pool).collect();
        for pool in pools {
            pool.close().await;
        }
        self.http.lock().await.clear();
        self.redis.lock().await.clear();
    }
}
