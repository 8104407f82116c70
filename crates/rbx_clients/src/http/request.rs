use std::time::Duration;

/// One HTTP request, already rendered.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    /// Method as sent (`GET`, `POST`, ...).
    pub method: String,
    /// The full URL, path included; its own query is kept and `query` is appended.
    pub url: String,
    /// Query parameters appended to the URL, form-encoded.
    pub query: Vec<(String, String)>,
    /// Headers of this request; they override the settings' default headers of the same name.
    pub headers: Vec<(String, String)>,
    /// The body, if any.
    pub body: Option<HttpBody>,
    /// The whole exchange (connect, send, read the body) must end within this.
    pub timeout: Option<Duration>,
    /// What the client is built with; requests with equal settings share a client and its pool.
    pub settings: HttpSettings,
}

impl HttpRequest {
    /// A GET of `url` with default settings.
    pub fn get(url: impl Into<String>) -> Self {
        Self {
            method: "GET".to_owned(),
            url: url.into(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            timeout: None,
            settings: HttpSettings::default(),
        }
    }
}

/// A request body.
#[derive(Debug, Clone)]
pub enum HttpBody {
    /// Sent as JSON with `Content-Type: application/json` (unless a header sets another).
    Json(serde_json::Value),
    /// Sent as it is.
    Text(String),
}

/// What an HTTP client is built with: one client (and connection pool) per distinct value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HttpSettings {
    /// The connection's name, so two connections with equal settings still get their own pool.
    pub connection: Option<String>,
    /// Accept any TLS certificate (the step or connection said `insecure: true`).
    pub insecure: bool,
    /// How many redirects to follow before failing; 0 returns the redirect response itself.
    pub max_redirects: usize,
    /// Headers sent with every request of this client (a connection's `headers`).
    pub default_headers: Vec<(String, String)>,
}

/// Redirects followed by default: enough for real chains, few enough to stop a loop quickly.
pub const DEFAULT_MAX_REDIRECTS: usize = 10;

impl Default for HttpSettings {
    fn default() -> Self {
        Self { connection: None, insecure: false, max_redirects: DEFAULT_MAX_REDIRECTS, default_headers: Vec::new() }
    }
}
