//! How a fake server is set up: its API key and the size and seed of its dataset.

/// The API key a fake server accepts unless told otherwise.
pub const DEFAULT_API_KEY: &str = "rbx-fake-key";

/// The secret the webhook receiver checks signatures with unless told otherwise.
pub const DEFAULT_WEBHOOK_SECRET: &str = "rbx-fake-webhook-secret";

/// Settings of one fake MaintainX server.
///
/// The dataset is generated from `seed`, so two servers with the same `Config` serve the same
/// users, assets, locations and work orders, byte for byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The key expected in `Authorization: Bearer <key>` on `/v1/...`.
    pub api_key: String,
    /// The secret `POST /webhooks/maintainx` expects deliveries to be signed with (HMAC-SHA256).
    pub webhook_secret: String,
    /// Port to bind on 127.0.0.1; 0 lets the system pick a free one.
    pub port: u16,
    /// Number of work orders in the dataset (ids 1..=N).
    pub work_orders: usize,
    /// Number of users in the dataset.
    pub users: usize,
    /// Number of assets in the dataset.
    pub assets: usize,
    /// Number of locations in the dataset.
    pub locations: usize,
    /// Seed of the dataset generator.
    pub seed: u64,
    /// How many received requests are kept; the oldest go first, so a long-running fake stays small.
    pub max_recorded_requests: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            api_key: DEFAULT_API_KEY.to_owned(),
            webhook_secret: DEFAULT_WEBHOOK_SECRET.to_owned(),
            port: 0,
            work_orders: 250,
            users: 25,
            assets: 60,
            locations: 12,
            seed: 7,
            max_recorded_requests: 100_000,
        }
    }
}

impl Config {
    /// Sets the accepted API key.
    #[must_use]
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = key.into();
        self
    }

    /// Sets the secret webhook deliveries must be signed with.
    #[must_use]
    pub fn webhook_secret(mut self, secret: impl Into<String>) -> Self {
        self.webhook_secret = secret.into();
        self
    }

    /// Sets the port to bind on 127.0.0.1 (0: any free port).
    #[must_use]
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Sets the number of work orders in the dataset.
    #[must_use]
    pub fn work_orders(mut self, count: usize) -> Self {
        self.work_orders = count;
        self
    }

    /// Sets the seed of the dataset generator.
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
}
