//! Query strings: `application/x-www-form-urlencoded` pairs, decoded.

use percent_encoding::percent_decode_str;

/// The decoded `(name, value)` pairs of a query string, in order (`+` is a space).
pub(crate) fn parse(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(name), decode(value))
        })
        .collect()
}

fn decode(text: &str) -> String {
    percent_decode_str(&text.replace('+', " ")).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn pairs_are_decoded_in_order() {
        let pairs = super::parse("limit=10&cursor=a%2Fb&q=two+words&flag&&x=%E2%9C%93");
        let expected = [("limit", "10"), ("cursor", "a/b"), ("q", "two words"), ("flag", ""), ("x", "✓")];
        assert_eq!(pairs, expected.map(|(k, v)| (k.to_owned(), v.to_owned())));
    }
}
