use std::time::Duration;

/// The wait a `Retry-After` value asks for: delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
///
/// A date in the past means no wait; anything unparseable is ignored (`None`), as the RFC leaves
/// a client free to do.
pub fn parse_retry_after(value: &str, now: jiff::Timestamp) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return value.parse::<u64>().ok().map(Duration::from_secs);
    }
    // HTTP-date is IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), which RFC 2822 parsing accepts.
    let date = jiff::fmt::rfc2822::parse(value).ok()?.timestamp();
    let wait = now.duration_until(date);
    if wait.is_negative() { Some(Duration::ZERO) } else { Duration::try_from(wait).ok() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> jiff::Timestamp {
        "2024-05-01T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn seconds() {
        assert_eq!(parse_retry_after("120", now()), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after(" 0 ", now()), Some(Duration::ZERO));
    }

    #[test]
    fn http_date_in_the_future() {
        assert_eq!(parse_retry_after("Wed, 01 May 2024 12:00:30 GMT", now()), Some(Duration::from_secs(30)));
    }

    #[test]
    fn http_date_in_the_past_means_no_wait() {
        assert_eq!(parse_retry_after("Wed, 01 May 2024 11:00:00 GMT", now()), Some(Duration::ZERO));
    }

    #[test]
    fn garbage_is_ignored() {
        assert_eq!(parse_retry_after("soon", now()), None);
        assert_eq!(parse_retry_after("-5", now()), None);
        assert_eq!(parse_retry_after("", now()), None);
        assert_eq!(parse_retry_after("99999999999999999999999", now()), None);
    }
}
