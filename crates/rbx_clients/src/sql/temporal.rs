//! Dates and times between the databases' binary forms and RFC 3339 text.
//!
//! PostgreSQL counts microseconds (and days) from 2000-01-01; MySQL sends calendar fields.
//! Values with a zone (`timestamptz`, MySQL `TIMESTAMP`, which rbx reads in UTC) get `Z`; values
//! without one (`timestamp`, `DATETIME`) are written without an offset rather than given a
//! zone they do not have.

use jiff::civil::{Date, DateTime, Time};
use jiff::{Span, Timestamp, tz::TimeZone};

/// 2000-01-01T00:00:00Z in Unix microseconds.
const PG_EPOCH_MICROS: i64 = 946_684_800_000_000;
const PG_EPOCH_DATE: Date = jiff::civil::date(2000, 1, 1);

fn be_i64(bytes: &[u8]) -> Result<i64, String> {
    bytes.get(..8).and_then(|b| b.try_into().ok()).map(i64::from_be_bytes).ok_or_else(|| "truncated value".into())
}

fn be_i32(bytes: &[u8]) -> Result<i32, String> {
    bytes.get(..4).and_then(|b| b.try_into().ok()).map(i32::from_be_bytes).ok_or_else(|| "truncated value".into())
}

fn pg_timestamp(micros: i64) -> Result<Timestamp, String> {
    micros
        .checked_add(PG_EPOCH_MICROS)
        .and_then(|m| Timestamp::from_microsecond(m).ok())
        .ok_or_else(|| "timestamp out of range".into())
}

/// `timestamptz` → `2024-01-02T03:04:05.5Z`; infinities as PostgreSQL writes them.
pub(crate) fn pg_timestamptz(bytes: &[u8]) -> Result<String, String> {
    match be_i64(bytes)? {
        i64::MAX => Ok("infinity".into()),
        i64::MIN => Ok("-infinity".into()),
        micros => Ok(pg_timestamp(micros)?.to_string()),
    }
}

/// `timestamp` → `2024-01-02T03:04:05.5` (no offset: the value has none).
pub(crate) fn pg_timestamp_civil(bytes: &[u8]) -> Result<String, String> {
    match be_i64(bytes)? {
        i64::MAX => Ok("infinity".into()),
        i64::MIN => Ok("-infinity".into()),
        micros => Ok(pg_timestamp(micros)?.to_zoned(TimeZone::UTC).datetime().to_string()),
    }
}

/// `date` → `2024-01-02`.
pub(crate) fn pg_date(bytes: &[u8]) -> Result<String, String> {
    match be_i32(bytes)? {
        i32::MAX => Ok("infinity".into()),
        i32::MIN => Ok("-infinity".into()),
        days => PG_EPOCH_DATE
            .checked_add(Span::new().try_days(days).map_err(|e| e.to_string())?)
            .map(|d| d.to_string())
            .map_err(|e| e.to_string()),
    }
}

/// `time` → `03:04:05.5`.
pub(crate) fn pg_time(bytes: &[u8]) -> Result<String, String> {
    time_of_day(be_i64(bytes)?).map(|t| t.to_string())
}

/// `timetz` → `03:04:05+02:00`.
pub(crate) fn pg_timetz(bytes: &[u8]) -> Result<String, String> {
    let time = time_of_day(be_i64(bytes)?)?;
    // PostgreSQL stores the offset in seconds *west* of UTC.
    let east = -be_i32(bytes.get(8..).unwrap_or_default())?;
    let sign = if east < 0 { '-' } else { '+' };
    let east = east.unsigned_abs();
    Ok(format!("{time}{sign}{:02}:{:02}", east / 3600, east % 3600 / 60))
}

fn time_of_day(micros: i64) -> Result<Time, String> {
    if !(0..=86_400_000_000).contains(&micros) {
        return Err("time out of range".into());
    }
    if micros == 86_400_000_000 {
        // PostgreSQL allows 24:00:00; jiff has no such time.
        return Err("24:00:00 cannot be represented; cast the column to text".into());
    }
    let seconds = micros / 1_000_000;
    Time::new(
        (seconds / 3600) as i8,
        (seconds % 3600 / 60) as i8,
        (seconds % 60) as i8,
        (micros % 1_000_000 * 1000) as i32,
    )
    .map_err(|e| e.to_string())
}

/// `interval` → ISO 8601, as PostgreSQL writes it with `IntervalStyle = iso_8601`
/// (`P1Y2M3DT4H5M6.5S`; each part keeps its own sign, as intervals may mix them: `P1M-1D`).
pub(crate) fn pg_interval(bytes: &[u8]) -> Result<String, String> {
    let micros = be_i64(bytes)?;
    let days = be_i32(bytes.get(8..).unwrap_or_default())?;
    let months = be_i32(bytes.get(12..).unwrap_or_default())?;
    if micros == 0 && days == 0 && months == 0 {
        return Ok("PT0S".into());
    }
    let mut text = String::from("P");
    for (value, unit) in [(months / 12, 'Y'), (months % 12, 'M'), (days, 'D')] {
        if value != 0 {
            text.push_str(&format!("{value}{unit}"));
        }
    }
    if micros != 0 {
        text.push('T');
        let (hours, rest) = (micros / 3_600_000_000, micros % 3_600_000_000);
        let (minutes, rest) = (rest / 60_000_000, rest % 60_000_000);
        for (value, unit) in [(hours, 'H'), (minutes, 'M')] {
            if value != 0 {
                text.push_str(&format!("{value}{unit}"));
            }
        }
        if rest != 0 {
            let sign = if rest < 0 { "-" } else { "" };
            let rest = rest.unsigned_abs();
            let fraction = fraction((rest % 1_000_000) as u32);
            text.push_str(&format!("{sign}{}{fraction}S", rest / 1_000_000));
        }
    }
    Ok(text)
}

/// A `timestamptz` parameter from RFC 3339 text.
pub(crate) fn pg_encode_timestamptz(text: &str) -> Result<Vec<u8>, String> {
    let ts: Timestamp = text.parse().map_err(|e| format!("not an RFC 3339 timestamp with an offset: {e}"))?;
    Ok((ts.as_microsecond() - PG_EPOCH_MICROS).to_be_bytes().to_vec())
}

/// A `timestamp` parameter from `2024-01-02T03:04:05` text.
pub(crate) fn pg_encode_timestamp(text: &str) -> Result<Vec<u8>, String> {
    let dt: DateTime = text.parse().map_err(|e| format!("not a date and time: {e}"))?;
    let ts = dt.to_zoned(TimeZone::UTC).map_err(|e| e.to_string())?.timestamp();
    Ok((ts.as_microsecond() - PG_EPOCH_MICROS).to_be_bytes().to_vec())
}

/// A `date` parameter from `2024-01-02`.
pub(crate) fn pg_encode_date(text: &str) -> Result<Vec<u8>, String> {
    let date: Date = text.parse().map_err(|e| format!("not a date: {e}"))?;
    let days = PG_EPOCH_DATE.until(date).map_err(|e| e.to_string())?.get_days();
    Ok(days.to_be_bytes().to_vec())
}

/// A `time` parameter from `03:04:05.5`.
pub(crate) fn pg_encode_time(text: &str) -> Result<Vec<u8>, String> {
    let time: Time = text.parse().map_err(|e| format!("not a time of day: {e}"))?;
    let micros = i64::from(time.hour()) * 3_600_000_000
        + i64::from(time.minute()) * 60_000_000
        + i64::from(time.second()) * 1_000_000
        + i64::from(time.subsec_nanosecond()) / 1000;
    Ok(micros.to_be_bytes().to_vec())
}

/// A MySQL `DATE`, `DATETIME` or `TIMESTAMP` in binary form (length byte first).
///
/// `with_time` is false for `DATE`; `utc` adds `Z` (rbx's sessions run in UTC, so `TIMESTAMP`
/// values arrive in UTC). The zero date `0000-00-00` is kept as text: it is no real date.
pub(crate) fn mysql_datetime(bytes: &[u8], with_time: bool, utc: bool) -> Result<String, String> {
    let field = |i: usize| bytes.get(i).copied().unwrap_or(0);
    let len = field(0) as usize;
    if bytes.len() < len + 1 {
        return Err("truncated value".into());
    }
    let year = u16::from_le_bytes([field(1), field(2)]);
    let date = format!("{year:04}-{:02}-{:02}", field(3), field(4));
    if !with_time {
        return Ok(date);
    }
    let micros = if len > 7 { u32::from_le_bytes([field(8), field(9), field(10), field(11)]) } else { 0 };
    let zone = if utc { "Z" } else { "" };
    Ok(format!("{date}T{:02}:{:02}:{:02}{}{zone}", field(5), field(6), field(7), fraction(micros)))
}

/// A MySQL `TIME` (a duration, possibly negative or over 24 hours) in binary form.
pub(crate) fn mysql_time(bytes: &[u8]) -> Result<String, String> {
    let field = |i: usize| bytes.get(i).copied().unwrap_or(0);
    let len = field(0) as usize;
    if bytes.len() < len + 1 {
        return Err("truncated value".into());
    }
    let negative = field(1) == 1;
    let days = u32::from_le_bytes([field(2), field(3), field(4), field(5)]);
    let hours = u64::from(days) * 24 + u64::from(field(6));
    let micros = if len > 8 { u32::from_le_bytes([field(9), field(10), field(11), field(12)]) } else { 0 };
    let sign = if negative { "-" } else { "" };
    Ok(format!("{sign}{hours:02}:{:02}:{:02}{}", field(7), field(8), fraction(micros)))
}

/// `.5` for 500000 µs, nothing for 0: the same trimming jiff uses for PostgreSQL values.
fn fraction(micros: u32) -> String {
    if micros == 0 {
        return String::new();
    }
    let text = format!(".{micros:06}");
    text.trim_end_matches('0').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pg_round_trips() {
        let ts = pg_encode_timestamptz("2024-02-29T23:59:59.123456+02:00").unwrap();
        assert_eq!(pg_timestamptz(&ts).unwrap(), "2024-02-29T21:59:59.123456Z");
        let civil = pg_encode_timestamp("1999-12-31T23:00:00").unwrap();
        assert_eq!(pg_timestamp_civil(&civil).unwrap(), "1999-12-31T23:00:00");
        assert_eq!(pg_date(&pg_encode_date("1970-01-01").unwrap()).unwrap(), "1970-01-01");
        assert_eq!(pg_time(&pg_encode_time("13:14:15.5").unwrap()).unwrap(), "13:14:15.5");
        assert_eq!(pg_timestamptz(&i64::MAX.to_be_bytes()).unwrap(), "infinity");
    }

    #[test]
    fn pg_timetz_offset_is_east_positive() {
        let mut bytes = (3_600_000_000i64).to_be_bytes().to_vec();
        bytes.extend_from_slice(&(-7200i32).to_be_bytes());
        assert_eq!(pg_timetz(&bytes).unwrap(), "01:00:00+02:00");
    }

    #[test]
    fn pg_interval_parts_and_signs() {
        let interval = |micros: i64, days: i32, months: i32| {
            let mut bytes = micros.to_be_bytes().to_vec();
            bytes.extend_from_slice(&days.to_be_bytes());
            bytes.extend_from_slice(&months.to_be_bytes());
            pg_interval(&bytes).unwrap()
        };
        assert_eq!(interval(0, 0, 0), "PT0S");
        assert_eq!(interval(14_706_500_000, 3, 14), "P1Y2M3DT4H5M6.5S");
        assert_eq!(interval(-500_000, -1, 1), "P1M-1DT-0.5S");
    }

    #[test]
    fn mysql_forms() {
        assert_eq!(mysql_datetime(&[4, 0xE8, 0x07, 2, 29], true, false).unwrap(), "2024-02-29T00:00:00");
        let full = [11, 0xE8, 0x07, 2, 29, 13, 14, 15, 0x20, 0xA1, 0x07, 0];
        assert_eq!(mysql_datetime(&full, true, true).unwrap(), "2024-02-29T13:14:15.5Z");
        assert_eq!(mysql_datetime(&[0], false, false).unwrap(), "0000-00-00");
        assert_eq!(mysql_time(&[8, 1, 1, 0, 0, 0, 2, 3, 4]).unwrap(), "-26:03:04");
        assert!(mysql_time(&[8, 1]).is_err());
    }

    #[test]
    fn bad_parameters_are_refused() {
        assert!(pg_encode_timestamptz("2024-01-01T00:00:00").is_err());
        assert!(pg_encode_date("yesterday").is_err());
    }
}
