//! Durations as the format writes them: `250ms`, `10s`, `5m`, `1h`, `1m30s`.

use std::time::Duration;

/// Why a duration did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// Empty text.
    #[error("the duration is empty")]
    Empty,
    /// A number without a unit.
    #[error("`{0}` has no unit")]
    BareNumber(String),
    /// A unit other than ms, s, m, h.
    #[error("unknown unit `{0}`")]
    UnknownUnit(String),
    /// Something that is not `<integer><unit>`.
    #[error("`{0}` is not `<integer><unit>` parts")]
    Malformed(String),
    /// Too long to represent.
    #[error("the duration is too long")]
    Overflow,
}

/// Parses one or more `<integer><unit>` parts with unit `ms`, `s`, `m` or `h`.
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(DurationError::Empty);
    }
    if text.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return Err(DurationError::BareNumber(text.to_owned()));
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(DurationError::Malformed(text.to_owned()));
        }
        let number: u64 = rest[..digits].parse().map_err(|_| DurationError::Overflow)?;
        rest = &rest[digits..];
        let unit_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let part = match unit {
            "ms" => Duration::from_millis(number),
            "s" => Duration::from_secs(number),
            "m" => Duration::from_secs(number.checked_mul(60).ok_or(DurationError::Overflow)?),
            "h" => Duration::from_secs(number.checked_mul(3600).ok_or(DurationError::Overflow)?),
            "" => return Err(DurationError::Malformed(text.to_owned())),
            other => return Err(DurationError::UnknownUnit(other.to_owned())),
        };
        total = total.checked_add(part).ok_or(DurationError::Overflow)?;
    }
    Ok(total)
}

/// Writes a duration the way the format reads it (`1m30s`, `250ms`).
pub fn format_duration(duration: Duration) -> String {
    let mut millis = duration.as_millis();
    if millis == 0 {
        return "0s".to_owned();
    }
    let mut out = String::new();
    for (unit, size) in [("h", 3_600_000u128), ("m", 60_000), ("s", 1_000), ("ms", 1)] {
        if millis >= size {
            out.push_str(&format!("{}{unit}", millis / size));
            millis %= size;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_spec_forms() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
    }

    #[test]
    fn refuses_everything_else() {
        assert_eq!(parse_duration("30"), Err(DurationError::BareNumber("30".into())));
        assert_eq!(parse_duration("5 m"), Err(DurationError::Malformed("5 m".into())));
        assert_eq!(parse_duration("5d"), Err(DurationError::UnknownUnit("d".into())));
        assert_eq!(parse_duration("1.5s"), Err(DurationError::Malformed("1.5s".into())));
        assert_eq!(parse_duration(""), Err(DurationError::Empty));
        assert_eq!(parse_duration("99999999999999999999h"), Err(DurationError::Overflow));
        assert_eq!(parse_duration("s"), Err(DurationError::Malformed("s".into())));
    }

    #[test]
    fn formats_round_trip() {
        for text in ["250ms", "10s", "5m", "1h", "1m30s", "1h2m3s4ms"] {
            assert_eq!(format_duration(parse_duration(text).unwrap()), text);
        }
    }
}
