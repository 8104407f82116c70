//! Exact comparison of JSON numbers written in any precision.
//!
//! The workspace enables serde_json's `arbitrary_precision`, so a number keeps the text it was
//! written as (`1.0`, `1e2`, `18446744073709551617`). Comparing through `f64` would call
//! `9007199254740993` equal to `9007199254740992`; comparing the decimal digits is exact.

use std::cmp::Ordering;

use serde_json::Number;

/// A JSON number as `±0.d₁d₂…dₙ × 10^exponent`, with no leading or trailing zero digit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decimal {
    negative: bool,
    /// Significant digits (0–9); empty for zero.
    digits: Vec<u8>,
    exponent: i64,
}

/// Exponents are clamped here: past it two numbers may compare equal when they are not, which no
/// real document will notice (a float written `1e4611686018427387903` is not data).
const EXPONENT_LIMIT: i64 = i64::MAX / 2;

impl Decimal {
    /// Reads a JSON number's text (`-12.5e-3`); `None` if it is not in JSON number syntax.
    pub(crate) fn parse(text: &str) -> Option<Decimal> {
        let (negative, unsigned) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (mantissa, exponent_text) = match unsigned.find(['e', 'E']) {
            Some(at) => (&unsigned[..at], Some(&unsigned[at + 1..])),
            None => (unsigned, None),
        };
        let (integer, fraction) = match mantissa.split_once('.') {
            Some((integer, fraction)) => (integer, fraction),
            None => (mantissa, ""),
        };
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if integer.is_empty() || !all_digits(integer) || !all_digits(fraction) {
            return None;
        }
        if mantissa.contains('.') && fraction.is_empty() {
            return None;
        }
        let written_exponent = match exponent_text {
            Some(exponent) => parse_exponent(exponent)?,
            None => 0,
        };
        let digits: Vec<u8> = integer.bytes().chain(fraction.bytes()).map(|b| b - b'0').collect();
        let leading_zeros = digits.iter().take_while(|d| **d == 0).count();
        let trailing_zeros = digits.iter().rev().take_while(|d| **d == 0).count();
        if leading_zeros == digits.len() {
            return Some(Decimal { negative: false, digits: Vec::new(), exponent: 0 });
        }
        let significant = digits[leading_zeros..digits.len() - trailing_zeros].to_vec();
        let shift = clamp_len(integer.len()) - clamp_len(leading_zeros);
        let exponent = shift.saturating_add(written_exponent).clamp(-EXPONENT_LIMIT, EXPONENT_LIMIT);
        Some(Decimal { negative, digits: significant, exponent })
    }

    /// Reads a serde_json number, whichever way serde_json stores it.
    pub(crate) fn from_number(number: &Number) -> Option<Decimal> {
        Decimal::parse(&number.to_string())
    }

    /// A count, as a number.
    pub(crate) fn from_count(count: usize) -> Decimal {
        Decimal::parse(&count.to_string()).unwrap_or(Decimal { negative: false, digits: Vec::new(), exponent: 0 })
    }

    /// Whether the number has no fractional part (`3`, `3.0`, `3e2`, but not `3.5`).
    pub(crate) fn is_integer(&self) -> bool {
        i64::try_from(self.digits.len()).is_ok_and(|len| self.exponent >= len)
    }

    /// Whether the number is below zero.
    pub(crate) fn is_negative(&self) -> bool {
        self.negative
    }

    fn magnitude_cmp(&self, other: &Decimal) -> Ordering {
        match (self.digits.is_empty(), other.digits.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            // Without trailing zeros, a digit string that is a prefix of the other is smaller.
            (false, false) => self.exponent.cmp(&other.exponent).then_with(|| self.digits.cmp(&other.digits)),
        }
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Decimal) -> Ordering {
        match (self.negative, other.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.magnitude_cmp(other),
            (true, true) => other.magnitude_cmp(self),
        }
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Decimal) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

fn parse_exponent(text: &str) -> Option<i64> {
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let magnitude = digits
        .bytes()
        .fold(0i64, |acc, b| acc.saturating_mul(10).saturating_add(i64::from(b - b'0')).min(EXPONENT_LIMIT));
    Some(if negative { -magnitude } else { magnitude })
}

fn clamp_len(len: usize) -> i64 {
    i64::try_from(len).unwrap_or(EXPONENT_LIMIT).min(EXPONENT_LIMIT)
}

/// Orders two JSON numbers exactly; numbers serde_json could not have written fall back to `f64`.
pub(crate) fn compare_numbers(left: &Number, right: &Number) -> Ordering {
    match (Decimal::from_number(left), Decimal::from_number(right)) {
        (Some(left), Some(right)) => left.cmp(&right),
        _ => match (left.as_f64(), right.as_f64()) {
            (Some(left), Some(right)) => left.total_cmp(&right),
            _ => left.to_string().cmp(&right.to_string()),
        },
    }
}

/// Whether a JSON number has no fractional part.
pub(crate) fn is_integer(number: &Number) -> bool {
    match Decimal::from_number(number) {
        Some(decimal) => decimal.is_integer(),
        None => number.as_f64().is_some_and(|f| f.fract() == 0.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decimal(text: &str) -> Decimal {
        Decimal::parse(text).unwrap_or_else(|| panic!("`{text}` should parse"))
    }

    #[test]
    fn equal_values_written_differently_compare_equal() {
        for (left, right) in
            [("1", "1.0"), ("100", "1e2"), ("0.5", "5E-1"), ("-0", "0"), ("0.000", "0e10"), ("12.50", "1.25e+1")]
        {
            assert_eq!(decimal(left).cmp(&decimal(right)), Ordering::Equal, "{left} vs {right}");
        }
    }

    #[test]
    fn orders_exactly_beyond_f64_precision() {
        assert!(decimal("9007199254740993") > decimal("9007199254740992"));
        assert!(decimal("18446744073709551617") > decimal("18446744073709551616"));
        assert!(decimal("0.30000000000000000001") > decimal("0.3"));
        assert!(decimal("-2") < decimal("-1.5"));
        assert!(decimal("-0.001") < decimal("0"));
        assert!(decimal("1e400") > decimal("9e399"));
        assert!(decimal("1e-400") > decimal("0"));
        assert!(decimal("10") > decimal("9.99"));
        assert!(decimal("1.01") > decimal("1.001"));
    }

    #[test]
    fn integers_have_no_fractional_part() {
        for text in ["3", "3.0", "3e2", "-7", "0", "0.0", "1.5e1", "1e400"] {
            assert!(decimal(text).is_integer(), "{text}");
        }
        for text in ["3.5", "1e-1", "-0.25", "1.55e1"] {
            assert!(!decimal(text).is_integer(), "{text}");
        }
    }

    #[test]
    fn rejects_text_that_is_not_a_json_number() {
        for text in ["", "-", "1.", ".5", "1e", "1e+", "abc", "1.2.3", "NaN", "--1", "1e5x"] {
            assert_eq!(Decimal::parse(text), None, "{text}");
        }
    }

    #[test]
    fn huge_exponents_saturate_instead_of_overflowing() {
        assert!(decimal("1e99999999999999999999999") > decimal("1e400"));
        assert!(decimal("1e-99999999999999999999999") < decimal("1e-400"));
        assert!(decimal("1e-99999999999999999999999") > decimal("0"));
    }

    #[test]
    fn counts_become_decimals() {
        assert_eq!(Decimal::from_count(0), decimal("0"));
        assert_eq!(Decimal::from_count(1234), decimal("1.234e3"));
    }
}
