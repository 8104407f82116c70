//! Secrets never leave the process: every output goes through one Aho-Corasick automaton over
//! each secret value and the forms it takes once URL-encoded or JSON-escaped, and output that
//! arrives in chunks is held back just enough to catch a secret split between two writes.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt;
use std::io;
use std::ops::Bound;
use std::sync::Arc;

use aho_corasick::{AhoCorasick, Input, MatchKind};
use serde_json::Value;

/// What a secret is replaced with.
pub const MASK: &str = "***";

/// Replaces every secret, in each of its forms, with [`MASK`]. Built once per run; cheap to clone
/// (the automaton is shared), so a run can add a captured secret to its own copy.
#[derive(Clone, Default)]
pub struct Masker {
    /// Every form of every secret, sorted, so "can these bytes grow into a secret?" is a range
    /// lookup.
    patterns: BTreeSet<Vec<u8>>,
    longest: usize,
    matcher: Matcher,
}

#[derive(Clone, Default)]
enum Matcher {
    #[default]
    Nothing,
    Automaton(AhoCorasick),
    /// The automaton could not be built (only with gigabytes of secrets): everything is masked
    /// rather than anything leaked.
    Everything,
}

/// Shows counts only: the point of this type is that its contents are never printed.
impl fmt::Debug for Masker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Masker").field("patterns", &self.patterns.len()).field("longest", &self.longest).finish()
    }
}

impl Masker {
    /// A masker for `secrets`; empty strings are ignored.
    pub fn new(secrets: impl IntoIterator<Item = String>) -> Masker {
        let mut masker = Masker::default();
        for secret in secrets {
            masker.patterns.extend(forms_of(&secret));
        }
        masker.rebuild();
        masker
    }

    /// Adds a secret found during the run (a `secret: true` capture). Rebuilds the automaton.
    pub fn add(&mut self, secret: String) {
        let before = self.patterns.len();
        self.patterns.extend(forms_of(&secret));
        if self.patterns.len() != before {
            self.rebuild();
        }
    }

    /// Whether there is nothing to mask, so output can pass through untouched.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// The length in bytes of the longest form of any secret.
    pub fn longest(&self) -> usize {
        self.longest
    }

    /// `s` with every secret replaced by [`MASK`]; the longest one wins where two overlap.
    pub fn mask_str<'a>(&self, s: &'a str) -> Cow<'a, str> {
        match self.replace(s.as_bytes()) {
            None => Cow::Borrowed(s),
            // Secrets and MASK are UTF-8, so matches start and end on character boundaries and
            // the result is UTF-8: the lossy branch is never taken.
            Some(masked) => Cow::Owned(
                String::from_utf8(masked).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
            ),
        }
    }

    /// `b` with every secret replaced by [`MASK`]; works on any bytes, not only UTF-8.
    pub fn mask_bytes<'a>(&self, b: &'a [u8]) -> Cow<'a, [u8]> {
        match self.replace(b) {
            None => Cow::Borrowed(b),
            Some(masked) => Cow::Owned(masked),
        }
    }

    /// `v` with every string masked, object keys included. A number whose text holds a secret
    /// becomes a masked string; keys that mask to the same text collapse into one.
    pub fn mask_json(&self, v: &Value) -> Value {
        if self.is_empty() {
            return v.clone();
        }
        match v {
            Value::String(s) => Value::String(self.mask_str(s).into_owned()),
            Value::Number(n) => match self.mask_str(&n.to_string()) {
                Cow::Borrowed(_) => v.clone(),
                Cow::Owned(masked) => Value::String(masked),
            },
            Value::Array(items) => Value::Array(items.iter().map(|x| self.mask_json(x)).collect()),
            Value::Object(map) => {
                Value::Object(map.iter().map(|(key, x)| (self.mask_str(key).into_owned(), self.mask_json(x))).collect())
            }
            Value::Null | Value::Bool(_) => v.clone(),
        }
    }

    fn rebuild(&mut self) {
        self.longest = self.patterns.iter().map(Vec::len).max().unwrap_or(0);
        self.matcher = if self.patterns.is_empty() {
            Matcher::Nothing
        } else {
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .build(&self.patterns)
                .map_or(Matcher::Everything, Matcher::Automaton)
        };
    }

    /// The first secret in `haystack[from..]`, as a range of `haystack`.
    fn find_at(&self, haystack: &[u8], from: usize) -> Option<(usize, usize)> {
        match &self.matcher {
            Matcher::Nothing => None,
            Matcher::Automaton(automaton) => {
                automaton.find(Input::new(haystack).range(from..)).map(|m| (m.start(), m.end()))
            }
            Matcher::Everything => (from < haystack.len()).then_some((from, haystack.len())),
        }
    }

    /// The masked copy of `haystack`, or `None` when it holds no secret.
    fn replace(&self, haystack: &[u8]) -> Option<Vec<u8>> {
        let (mut start, mut end) = self.find_at(haystack, 0)?;
        let mut out = Vec::with_capacity(haystack.len());
        let mut pos = 0;
        loop {
            out.extend_from_slice(&haystack[pos..start]);
            out.extend_from_slice(MASK.as_bytes());
            pos = end;
            match self.find_at(haystack, pos) {
                Some(found) => (start, end) = found,
                None => break,
            }
        }
        out.extend_from_slice(&haystack[pos..]);
        Some(out)
    }

    /// Masks the part of `buffer` that no later byte can change, appending it to `out`, and
    /// returns how many bytes of `buffer` that was. The rest is a tail that could still grow
    /// into a secret, so it is shorter than [`Masker::longest`].
    fn mask_settled(&self, buffer: &[u8], out: &mut Vec<u8>) -> usize {
        let mut pos = 0;
        let mut open = self.first_open(buffer, 0);
        loop {
            match self.find_at(buffer, pos) {
                // A match that starts before any open position is final: every secret that could
                // start there, or earlier, fits in the buffer already.
                Some((start, end)) if start < open => {
                    out.extend_from_slice(&buffer[pos..start]);
                    out.extend_from_slice(MASK.as_bytes());
                    pos = end;
                    if pos > open {
                        open = self.first_open(buffer, pos);
                    }
                }
                _ => {
                    out.extend_from_slice(&buffer[pos..open]);
                    return open;
                }
            }
        }
    }

    /// The first position at or after `from` where the rest of `buffer` is the beginning of a
    /// longer secret form; `buffer.len()` if there is none.
    fn first_open(&self, buffer: &[u8], from: usize) -> usize {
        let reach = buffer.len().saturating_sub(self.longest.saturating_sub(1));
        (from.max(reach)..buffer.len()).find(|&at| self.grows_into_secret(&buffer[at..])).unwrap_or(buffer.len())
    }

    fn grows_into_secret(&self, tail: &[u8]) -> bool {
        // Sorted, the forms that extend `tail` come right after `tail` itself (if it is one).
        self.patterns
            .range::<[u8], _>((Bound::Included(tail), Bound::Unbounded))
            .take(2)
            .any(|form| form.len() > tail.len() && form.starts_with(tail))
    }
}

/// The byte strings that reveal `secret`: itself, as the common URL encoders write it, and
/// JSON-escaped as serde_json writes it inside a string.
fn forms_of(secret: &str) -> Vec<Vec<u8>> {
    if secret.is_empty() {
        return Vec::new();
    }
    let mut forms = vec![
        secret.as_bytes().to_vec(),
        // RFC 3986 unreserved characters kept (percent-encoding crates, Go's PathEscape).
        percent_encode(secret, |b| b.is_ascii_alphanumeric() || b"-._~".contains(&b), false),
        // Everything but letters and digits encoded (percent-encoding's NON_ALPHANUMERIC).
        percent_encode(secret, |b| b.is_ascii_alphanumeric(), false),
        // JavaScript's encodeURIComponent.
        percent_encode(secret, |b| b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b), false),
        // application/x-www-form-urlencoded, as reqwest and url write query strings.
        percent_encode(secret, |b| b.is_ascii_alphanumeric() || b"*-._".contains(&b), true),
    ];
    if let Ok(quoted) = serde_json::to_string(secret)
        && let Some(escaped) = quoted.strip_prefix('"').and_then(|q| q.strip_suffix('"'))
    {
        forms.push(escaped.as_bytes().to_vec());
    }
    // How a rendered shell command (shown with -v and in results) writes the value: as one
    // quoted word, or escaped inside quotes the author wrote.
    forms.push(rbx_template::shell_quote(secret).into_bytes());
    forms.extend(rbx_template::shell_escapes_in_quotes(secret).map(String::into_bytes));
    forms.sort();
    forms.dedup();
    forms
}

fn percent_encode(secret: &str, keep: impl Fn(u8) -> bool, space_as_plus: bool) -> Vec<u8> {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut encoded = Vec::with_capacity(secret.len() * 3);
    for b in secret.bytes() {
        if keep(b) {
            encoded.push(b);
        } else if b == b' ' && space_as_plus {
            encoded.push(b'+');
        } else {
            encoded.extend_from_slice(&[b'%', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
        }
    }
    encoded
}

/// The masker of the current run, shared with writers that live outside the engine (the
/// `RBX_LOG` log writer): the engine replaces it when a step captures a secret.
#[derive(Clone, Default)]
pub struct SharedMasker(Arc<std::sync::RwLock<Arc<Masker>>>);

impl SharedMasker {
    /// The masker as it is now.
    pub fn get(&self) -> Arc<Masker> {
        self.0.read().map(|m| Arc::clone(&m)).unwrap_or_default()
    }

    /// Replaces it.
    pub fn set(&self, masker: Arc<Masker>) {
        if let Ok(mut current) = self.0.write() {
            *current = masker;
        }
    }
}

impl fmt::Debug for SharedMasker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedMasker").finish_non_exhaustive()
    }
}

/// Masks output that arrives in chunks, so that a secret split across writes is still masked.
/// It holds back at most [`Masker::longest`] - 1 bytes, and only bytes that could begin a secret.
#[derive(Clone)]
pub struct MaskingStream {
    masker: Arc<Masker>,
    pending: Vec<u8>,
}

impl MaskingStream {
    /// A stream masking with `masker`.
    pub fn new(masker: Arc<Masker>) -> MaskingStream {
        MaskingStream { masker, pending: Vec::new() }
    }

    /// Switches to a masker that knows more secrets; bytes already returned stay as they were.
    pub fn set_masker(&mut self, masker: Arc<Masker>) {
        self.masker = masker;
    }

    /// Takes the next chunk and returns the bytes that are now safe to emit.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<u8> {
        if self.masker.is_empty() && self.pending.is_empty() {
            return chunk.to_vec();
        }
        self.pending.extend_from_slice(chunk);
        let mut out = Vec::with_capacity(self.pending.len());
        let settled = self.masker.mask_settled(&self.pending, &mut out);
        self.pending.drain(..settled);
        out
    }

    /// Ends the stream: returns the held-back bytes, masked.
    pub fn finish(&mut self) -> Vec<u8> {
        let rest = std::mem::take(&mut self.pending);
        match self.masker.mask_bytes(&rest) {
            Cow::Borrowed(_) => rest,
            Cow::Owned(masked) => masked,
        }
    }

    /// How many bytes are held back, waiting to see whether they begin a secret.
    pub fn held_back(&self) -> usize {
        self.pending.len()
    }
}

/// Held-back bytes are the beginning of a secret: Debug shows how many there are, not what.
impl fmt::Debug for MaskingStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MaskingStream").field("masker", &self.masker).field("held_back", &self.pending.len()).finish()
    }
}

/// An [`io::Write`] that masks everything written through it before passing it to `W`.
///
/// `flush` flushes `W`; bytes that could still begin a secret stay held back until more data
/// shows they do not, or until [`MaskingWriter::finish`] (or drop) emits them masked.
pub struct MaskingWriter<W: io::Write> {
    inner: W,
    stream: MaskingStream,
}

impl<W: io::Write> MaskingWriter<W> {
    /// Wraps `inner`, masking with `masker`.
    pub fn new(inner: W, masker: Arc<Masker>) -> MaskingWriter<W> {
        MaskingWriter { inner, stream: MaskingStream::new(masker) }
    }

    /// Switches to a masker that knows more secrets.
    pub fn set_masker(&mut self, masker: Arc<Masker>) {
        self.stream.set_masker(masker);
    }

    /// Writes the held-back bytes (masked) and flushes `W`. Writing more afterwards is fine.
    pub fn finish(&mut self) -> io::Result<()> {
        let rest = self.stream.finish();
        self.inner.write_all(&rest)?;
        self.inner.flush()
    }

    /// The wrapped writer (without the held-back bytes).
    pub fn get_ref(&self) -> &W {
        &self.inner
    }

    /// The wrapped writer; writing to it directly bypasses masking.
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.inner
    }
}

impl<W: io::Write> io::Write for MaskingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let safe = self.stream.push(buf);
        self.inner.write_all(&safe)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<W: io::Write> fmt::Debug for MaskingWriter<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MaskingWriter").field("stream", &self.stream).finish_non_exhaustive()
    }
}

/// Like `BufWriter`, output is not lost when the writer is dropped without `finish`.
impl<W: io::Write> Drop for MaskingWriter<W> {
    fn drop(&mut self) {
        // An error here has nowhere to go; `finish` is the way to see it.
        let _ = self.finish();
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    const CANARY: &str = "c4n4ry\"/&s3.cr3t! é";

    fn masker(secrets: &[&str]) -> Masker {
        Masker::new(secrets.iter().map(|s| (*s).to_owned()))
    }

    fn stream_in_pieces(masker: &Arc<Masker>, pieces: &[&[u8]]) -> Vec<u8> {
        let mut stream = MaskingStream::new(Arc::clone(masker));
        let mut out = Vec::new();
        for piece in pieces {
            out.extend(stream.push(piece));
            assert!(stream.held_back() < masker.longest().max(1));
        }
        out.extend(stream.finish());
        out
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn masks_raw_url_encoded_and_json_escaped_forms() {
        let m = masker(&[CANARY]);
        let json = serde_json::to_string(&serde_json::json!({ "token": CANARY })).unwrap();
        assert_eq!(json, r#"{"token":"c4n4ry\"/&s3.cr3t! é"}"#);
        assert_eq!(m.mask_str(&json), r#"{"token":"***"}"#);
        assert_eq!(m.mask_str(&format!("raw {CANARY} end")), "raw *** end");
        let rfc3986 = "c4n4ry%22%2F%26s3.cr3t%21%20%C3%A9";
        let non_alnum = "c4n4ry%22%2F%26s3%2Ecr3t%21%20%C3%A9";
        let component = "c4n4ry%22%2F%26s3.cr3t!%20%C3%A9";
        let form = "c4n4ry%22%2F%26s3.cr3t%21+%C3%A9";
        for encoded in [rfc3986, non_alnum, component, form] {
            let url = format!("https://x.invalid/?key={encoded}&b=1");
            assert_eq!(m.mask_str(&url), "https://x.invalid/?key=***&b=1");
        }
    }

    #[test]
    fn unchanged_text_is_borrowed() {
        let m = masker(&["hunter2"]);
        assert!(matches!(m.mask_str("nothing here"), Cow::Borrowed(_)));
        assert!(matches!(m.mask_bytes(b"nothing here"), Cow::Borrowed(_)));
    }

    #[test]
    fn empty_masker_passes_everything_through() {
        let m = Arc::new(masker(&["", ""]));
        assert!(m.is_empty());
        let data: Vec<u8> = (0..=255).collect();
        assert!(matches!(m.mask_bytes(&data), Cow::Borrowed(_)));
        let mut stream = MaskingStream::new(Arc::clone(&m));
        assert_eq!(stream.push(&data), data);
        assert_eq!(stream.held_back(), 0);
        assert!(stream.finish().is_empty());
        let v = serde_json::json!({ "a": ["b", 1] });
        assert_eq!(m.mask_json(&v), v);
    }

    #[test]
    fn longest_match_wins_on_overlaps() {
        let m = masker(&["abc", "bcdef"]);
        // Leftmost first: "abc" starts earlier than "bcdef".
        assert_eq!(m.mask_str("xabcdefx"), "x***defx");
        let m = masker(&["pass", "password123"]);
        assert_eq!(m.mask_str("password123 pass passw"), "*** *** ***w");
    }

    #[test]
    fn secret_that_is_a_prefix_of_another() {
        let m = Arc::new(masker(&["token", "token-extended"]));
        let text = b"a token-extended b token- c token";
        let expected: &[u8] = b"a *** b ***- c ***";
        assert_eq!(m.mask_bytes(text), expected);
        for split in 0..=text.len() {
            let (a, b) = text.split_at(split);
            assert_eq!(stream_in_pieces(&m, &[a, b]), expected, "split at {split}");
        }
    }

    #[test]
    fn binary_data_is_masked_and_kept_byte_for_byte() {
        let m = masker(&["k3y"]);
        let mut data: Vec<u8> = (0..=255).collect();
        data.extend_from_slice(b"k3y");
        data.extend([0xff, 0x00, 0xfe]);
        let mut expected: Vec<u8> = (0..=255).collect();
        expected.extend_from_slice(b"***");
        expected.extend([0xff, 0x00, 0xfe]);
        assert_eq!(m.mask_bytes(&data), expected.as_slice());
    }

    #[test]
    fn split_across_two_and_three_chunks_at_every_position() {
        let m = Arc::new(masker(&[CANARY, "tok", "tokenize"]));
        let json_form = r#"c4n4ry\"/&s3.cr3t! é"#;
        let text = format!("a{CANARY}b{json_form}c%{}d tokenize tok toke", "c4n4ry%22%2F%26s3.cr3t!%20%C3%A9");
        let text = text.as_bytes();
        let expected = m.mask_bytes(text).into_owned();
        assert_eq!(expected, b"a***b***c%***d *** *** ***e");
        for i in 0..=text.len() {
            assert_eq!(stream_in_pieces(&m, &[&text[..i], &text[i..]]), expected, "split {i}");
            for j in i..=text.len() {
                let pieces: [&[u8]; 3] = [&text[..i], &text[i..j], &text[j..]];
                assert_eq!(stream_in_pieces(&m, &pieces), expected, "split {i} {j}");
            }
        }
    }

    #[test]
    fn streaming_equals_masking_the_whole_on_pseudo_random_text() {
        let m = Arc::new(masker(&["abab", "ba", "aab", "bbbbbb"]));
        let mut seed: u32 = 7;
        for _ in 0..200 {
            let text: Vec<u8> = (0..24)
                .map(|_| {
                    seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    [b'a', b'b', b'c'][(seed >> 24) as usize % 3]
                })
                .collect();
            let expected = m.mask_bytes(&text).into_owned();
            for i in 0..=text.len() {
                for j in i..=text.len() {
                    let pieces: [&[u8]; 3] = [&text[..i], &text[i..j], &text[j..]];
                    assert_eq!(stream_in_pieces(&m, &pieces), expected, "{text:?} {i} {j}");
                }
            }
            let one_byte_pieces: Vec<&[u8]> = text.chunks(1).collect();
            assert_eq!(stream_in_pieces(&m, &one_byte_pieces), expected);
        }
    }

    #[test]
    fn only_bytes_that_could_begin_a_secret_are_held_back() {
        let m = Arc::new(masker(&["supersecretvalue"]));
        let mut stream = MaskingStream::new(Arc::clone(&m));
        assert_eq!(stream.push(b"progress 10%\n"), b"progress 10%\n");
        assert_eq!(stream.held_back(), 0);
        assert_eq!(stream.push(b"key=super"), b"key=");
        assert_eq!(stream.held_back(), 5);
        assert_eq!(stream.push(b"man\n"), b"superman\n");
        assert_eq!(stream.push(b"supersecret"), b"");
        assert_eq!(stream.push(b"value!"), b"***!");
    }

    #[test]
    fn writer_masks_split_writes_and_emits_the_rest_on_finish_or_drop() {
        let m = Arc::new(masker(&["hunter2"]));
        let mut writer = MaskingWriter::new(Vec::new(), Arc::clone(&m));
        writer.write_all(b"pw=hun").unwrap();
        writer.flush().unwrap();
        assert_eq!(writer.get_ref(), b"pw=");
        writer.write_all(b"ter2; pw=hunt").unwrap();
        writer.finish().unwrap();
        assert_eq!(writer.get_ref(), b"pw=***; pw=hunt");

        let mut out = Vec::new();
        {
            let mut writer = MaskingWriter::new(&mut out, Arc::clone(&m));
            write!(writer, "a hunter2 b hunter").unwrap();
        }
        assert_eq!(out, b"a *** b hunter");
    }

    #[test]
    fn added_secrets_are_masked_from_then_on() {
        let mut m = masker(&["first"]);
        m.add(String::new());
        m.add("captured-token".to_owned());
        assert_eq!(m.mask_str("first captured-token"), "*** ***");
        let mut stream = MaskingStream::new(Arc::new(masker(&["first"])));
        assert_eq!(stream.push(b"late: "), b"late: ");
        stream.set_masker(Arc::new(m));
        assert_eq!(stream.push(b"captured-token\n"), b"***\n");
    }

    #[test]
    fn json_strings_keys_and_numbers_are_masked() {
        let m = masker(&["s3cr3t", "123456"]);
        let v = serde_json::json!({
            "user": "bob",
            "s3cr3t-key": ["x s3cr3t y", 7, true, null, { "pin": 123456 }],
        });
        let masked = m.mask_json(&v);
        assert_eq!(
            masked,
            serde_json::json!({
                "user": "bob",
                "***-key": ["x *** y", 7, true, null, { "pin": "***" }],
            })
        );
        assert!(!contains(serde_json::to_string(&masked).unwrap().as_bytes(), b"s3cr3t"));
    }

    #[test]
    fn debug_never_shows_a_secret() {
        let m = masker(&["hunter2"]);
        assert!(!format!("{m:?}").contains("hunter2"));
        let mut stream = MaskingStream::new(Arc::new(m));
        assert!(stream.push(b"hunter").is_empty());
        assert!(!format!("{stream:?}").contains("hunt"));
    }
}
