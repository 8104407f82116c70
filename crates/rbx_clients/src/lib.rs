//! The clients behind rbx's `http`, `sql` and `redis` steps.
//!
//! One [`Clients`] lives for a run: it keeps one HTTP client per connection settings, one SQL
//! pool per URL and one Redis connection manager per URL, so steps that talk to the same place
//! reuse connections. Requests arrive fully rendered; this crate never sees templates, and its
//! errors never repeat URL credentials or query values.

mod clients;
pub mod http;
pub mod redis;
pub mod sql;

pub use clients::Clients;
pub use http::{HttpBody, HttpError, HttpPhase, HttpRequest, HttpResponse, HttpSettings};
pub use redis::{RedisError, RedisRequest};
pub use sql::{SqlError, SqlRequest, SqlResult};
