use std::time::Duration;

/// One Redis command, already rendered.
#[derive(Debug, Clone)]
pub struct RedisRequest {
    /// `redis://[user:password@]host[:port][/db][?protocol=resp2]`.
    pub url: String,
    /// The command and its arguments, each sent as one bulk string, whatever bytes it holds.
    pub args: Vec<String>,
    /// The reply must arrive within this.
    pub timeout: Option<Duration>,
}

impl RedisRequest {
    /// `host:port` for messages: the URL without credentials or database.
    pub(crate) fn target(&self) -> String {
        match reqwest::Url::parse(&self.url) {
            Ok(url) => format!("{}:{}", url.host_str().unwrap_or("?"), url.port().unwrap_or(6379)),
            Err(_) => "the Redis URL".to_owned(),
        }
    }
}
