use std::fmt;

/// Which part of an HTTP exchange failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpPhase {
    /// The request could not be built: bad URL, method or header.
    Request,
    /// The host name did not resolve.
    Dns,
    /// No TCP connection (refused, unreachable, reset while connecting).
    Connect,
    /// The TLS handshake failed (certificate, protocol).
    Tls,
    /// The timeout passed before the response was read.
    Timeout,
    /// The connection broke or the body could not be read or decoded.
    Read,
    /// Too many redirects, or a redirect to an unusable location.
    Redirect,
}

impl HttpPhase {
    /// A lowercase word for messages and records.
    pub fn as_str(self) -> &'static str {
        match self {
            HttpPhase::Request => "request",
            HttpPhase::Dns => "dns",
            HttpPhase::Connect => "connect",
            HttpPhase::Tls => "tls",
            HttpPhase::Timeout => "timeout",
            HttpPhase::Read => "read",
            HttpPhase::Redirect => "redirect",
        }
    }
}

impl fmt::Display for HttpPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An HTTP request that got no usable response.
///
/// The message names the phase and the host but never the URL's credentials or query values.
#[derive(Debug, thiserror::Error)]
#[error("http {phase} error for {target}: {message}")]
pub struct HttpError {
    phase: HttpPhase,
    target: String,
    message: String,
}

impl HttpError {
    pub(crate) fn new(phase: HttpPhase, target: impl Into<String>, message: impl Into<String>) -> Self {
        Self { phase, target: target.into(), message: message.into() }
    }

    /// Which part of the exchange failed.
    pub fn phase(&self) -> HttpPhase {
        self.phase
    }

    /// What went wrong, without the target.
    pub fn message(&self) -> &str {
        &self.message
    }
}
