//! PostgreSQL `numeric` in its binary form, to and from decimal text, without loss.
//!
//! The wire form is base-10000 digits with a weight (the power of the first digit), a sign and a
//! display scale; writing it ourselves keeps every digit and the scale (`1.50` stays `1.50`),
//! which a trip through `f64` or a fixed-precision decimal would not.

use serde_json::Value;

const POSITIVE: u16 = 0x0000;
const NEGATIVE: u16 = 0x4000;
const NAN: u16 = 0xC000;
const PLUS_INFINITY: u16 = 0xD000;
const MINUS_INFINITY: u16 = 0xF000;

/// The largest exponent accepted in a parameter: far beyond numeric's own range, small enough
/// that expanding it costs nothing.
const MAX_EXPONENT: i64 = 200_000;

/// A binary `numeric` as a JSON number (exact text), or a string for NaN and ±Infinity.
pub(crate) fn decode(bytes: &[u8]) -> Result<Value, String> {
    let field = |i: usize| -> Result<u16, String> {
        bytes.get(i..i + 2).map(|b| u16::from_be_bytes([b[0], b[1]])).ok_or_else(|| "truncated numeric".to_owned())
    };
    let ndigits = field(0)? as usize;
    let weight = field(2)? as i16 as i64;
    let sign = field(4)?;
    let dscale = field(6)? as usize;
    match sign {
        NAN => return Ok(Value::String("NaN".into())),
        PLUS_INFINITY => return Ok(Value::String("Infinity".into())),
        MINUS_INFINITY => return Ok(Value::String("-Infinity".into())),
        POSITIVE | NEGATIVE => {}
        other => return Err(format!("unknown numeric sign {other:#x}")),
    }
    let digits = (0..ndigits).map(|k| field(8 + 2 * k)).collect::<Result<Vec<u16>, String>>()?;
    let digit = |k: i64| -> u16 { usize::try_from(k).ok().and_then(|k| digits.get(k)).copied().unwrap_or(0) };
    let mut text = String::new();
    if sign == NEGATIVE {
        text.push('-');
    }
    if weight < 0 {
        text.push('0');
    } else {
        for k in 0..=weight {
            if k == 0 {
                text.push_str(&digit(k).to_string());
            } else {
                text.push_str(&format!("{:04}", digit(k)));
            }
        }
    }
    if dscale > 0 {
        let mut fraction = String::with_capacity(dscale + 4);
        let mut k = weight + 1;
        while fraction.len() < dscale {
            fraction.push_str(&format!("{:04}", digit(k)));
            k += 1;
        }
        fraction.truncate(dscale);
        text.push('.');
        text.push_str(&fraction);
    }
    text.parse::<serde_json::Number>().map(Value::Number).map_err(|e| format!("numeric {text}: {e}"))
}

/// Decimal text (`-12.50`, `1e5`, `NaN`, `Infinity`) as a binary `numeric`.
pub(crate) fn encode(text: &str) -> Result<Vec<u8>, String> {
    let text = text.trim();
    let special = match text.to_ascii_lowercase().as_str() {
        "nan" => Some(NAN),
        "infinity" | "+infinity" | "inf" => Some(PLUS_INFINITY),
        "-infinity" | "-inf" => Some(MINUS_INFINITY),
        _ => None,
    };
    if let Some(sign) = special {
        return Ok(header(0, 0, sign, 0));
    }
    let (negative, unsigned) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => {
            let exponent: i64 = unsigned[at + 1..].parse().map_err(|_| "not a decimal number".to_owned())?;
            (&unsigned[..at], exponent)
        }
        None => (unsigned, 0),
    };
    if exponent.abs() > MAX_EXPONENT {
        return Err("exponent out of range".into());
    }
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int_part.is_empty() && frac_part.is_empty() || !all_digits(int_part) || !all_digits(frac_part) {
        return Err("not a decimal number".into());
    }
    let digits = format!("{int_part}{frac_part}");
    let point = int_part.len() as i64 + exponent;
    let scale = (digits.len() as i64 - point).max(0);
    let (int_text, frac_text) = if point <= 0 {
        (String::new(), format!("{}{digits}", "0".repeat((-point) as usize)))
    } else if point as usize >= digits.len() {
        (format!("{digits}{}", "0".repeat(point as usize - digits.len())), String::new())
    } else {
        (digits[..point as usize].to_owned(), digits[point as usize..].to_owned())
    };
    let int_text = int_text.trim_start_matches('0');
    let int_padded = format!("{}{int_text}", "0".repeat((4 - int_text.len() % 4) % 4));
    let frac_padded = format!("{frac_text}{}", "0".repeat((4 - frac_text.len() % 4) % 4));
    let group = |chunk: &[u8]| chunk.iter().fold(0u16, |acc, b| acc * 10 + u16::from(b - b'0'));
    let mut groups: Vec<u16> = int_padded.as_bytes().chunks(4).map(group).collect();
    let mut weight = groups.len() as i64 - 1;
    groups.extend(frac_padded.as_bytes().chunks(4).map(group));
    let leading = groups.iter().take_while(|g| **g == 0).count();
    groups.drain(..leading);
    weight -= leading as i64;
    while groups.last() == Some(&0) {
        groups.pop();
    }
    if groups.is_empty() {
        weight = 0;
    }
    let weight = i16::try_from(weight).map_err(|_| "value out of numeric's range".to_owned())?;
    let scale = u16::try_from(scale).ok().filter(|s| *s <= 16383).ok_or("too many decimal places for numeric")?;
    let ndigits = u16::try_from(groups.len()).map_err(|_| "too many digits for numeric".to_owned())?;
    let sign = if negative && !groups.is_empty() { NEGATIVE } else { POSITIVE };
    let mut bytes = header(ndigits, weight as u16, sign, scale);
    for g in groups {
        bytes.extend_from_slice(&g.to_be_bytes());
    }
    Ok(bytes)
}

fn header(ndigits: u16, weight: u16, sign: u16, scale: u16) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(8);
    for field in [ndigits, weight, sign, scale] {
        bytes.extend_from_slice(&field.to_be_bytes());
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str) -> String {
        match decode(&encode(text).unwrap()).unwrap() {
            Value::Number(n) => n.to_string(),
            Value::String(s) => s,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn keeps_every_digit_and_the_scale() {
        for (given, expected) in [
            ("0", "0"),
            ("1.50", "1.50"),
            ("-0.0001", "-0.0001"),
            ("12345678901234567890.123456789012345678", "12345678901234567890.123456789012345678"),
            ("10000", "10000"),
            ("100000000", "100000000"),
            ("0.00001", "0.00001"),
            ("1e5", "100000"),
            ("1.5E-3", "0.0015"),
            ("-42", "-42"),
            ("+7.0", "7.0"),
            ("NaN", "NaN"),
            ("-Infinity", "-Infinity"),
        ] {
            assert_eq!(round_trip(given), expected, "{given}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_number() {
        for bad in ["", "abc", "1.2.3", "--1", "1e", ".", "1e999999999", "1 000"] {
            assert!(encode(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn truncated_bytes_are_an_error() {
        assert!(decode(&[0, 1, 0]).is_err());
        assert!(decode(&header(2, 0, 0, 0)).is_err());
    }
}
