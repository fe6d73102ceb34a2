//! Punycode decoding (RFC 3492, <https://www.rfc-editor.org/rfc/rfc3492#section-6.2>),
//! only to tell whether an `xn--` label of an `allow_origins` entry is one a browser
//! accepts.
//!
//! The WHATWG URL Standard's "domain to ASCII"
//! (<https://url.spec.whatwg.org/#concept-domain-to-ascii>) runs UTS #46 ToASCII, which
//! refuses an `xn--` label whose rest does not decode, or decodes to ASCII only, so a
//! browser never sends such a host and an entry naming one would never match. Full UTS #46
//! validation of the decoded label (mapping status, NFC, bidi and joiner rules) is out of
//! scope: it needs the Unicode tables that this crate deliberately does not carry.
//!
//! Written by hand, because the core keeps its dependency list short; the input is one
//! DNS label, so the work is bounded.

/// RFC 3492 section 5, "Parameter values for Punycode".
const BASE: u32 = 36;
const T_MIN: u32 = 1;
const T_MAX: u32 = 26;
const SKEW: u32 = 38;
const DAMP: u32 = 700;
const INITIAL_BIAS: u32 = 72;
const INITIAL_N: u32 = 128;

/// The longest input decoded: a DNS label is at most 63 bytes, `xn--` included. Longer
/// input is refused without work.
const MAX_INPUT: usize = 63;

/// Decodes the part of a label after `xn--`, or `None` when it is not valid Punycode
/// (RFC 3492 section 6.2, "Decoding procedure").
pub(crate) fn decode(encoded: &str) -> Option<String> {
    if encoded.len() > MAX_INPUT || !encoded.is_ascii() {
        return None;
    }
    // The basic code points are those before the last delimiter, if there is one.
    let (basic, deltas) = match encoded.rfind('-') {
        Some(at) => (&encoded[..at], &encoded[at + 1..]),
        None => ("", encoded),
    };
    let mut output: Vec<char> = basic.chars().collect();
    let mut state = State {
        n: INITIAL_N,
        i: 0,
        bias: INITIAL_BIAS,
    };
    let mut digits = deltas.bytes();
    while digits.len() > 0 {
        let (at, c) = state.next_insertion(&mut digits, output.len())?;
        output.insert(at, c);
    }
    Some(output.into_iter().collect())
}

/// The decoder's variables, named as in RFC 3492.
struct State {
    n: u32,
    i: u32,
    bias: u32,
}

impl State {
    /// Reads one generalized variable-length integer and returns where the code point it
    /// encodes goes, and that code point.
    fn next_insertion(
        &mut self,
        digits: &mut impl Iterator<Item = u8>,
        len: usize,
    ) -> Option<(usize, char)> {
        let old_i = self.i;
        self.i = read_integer(digits, self.i, self.bias)?;
        let points = u32::try_from(len).ok()? + 1;
        self.bias = adapt(self.i - old_i, points, old_i == 0);
        self.n = self.n.checked_add(self.i / points)?;
        self.i %= points;
        // `n` starts at 128 and only grows, so it is never a basic code point; a surrogate
        // or a value past U+10FFFF is no code point at all.
        let c = char::from_u32(self.n)?;
        let at = self.i as usize;
        self.i += 1;
        Some((at, c))
    }
}

/// Adds one variable-length integer, read from `digits`, to `i` (overflow is failure).
fn read_integer(digits: &mut impl Iterator<Item = u8>, mut i: u32, bias: u32) -> Option<u32> {
    let mut w: u32 = 1;
    let mut k = BASE;
    loop {
        let digit = digit_value(digits.next()?)?;
        i = i.checked_add(digit.checked_mul(w)?)?;
        let t = threshold(k, bias);
        if digit < t {
            return Some(i);
        }
        w = w.checked_mul(BASE - t)?;
        k += BASE;
    }
}

fn threshold(k: u32, bias: u32) -> u32 {
    if k <= bias {
        T_MIN
    } else if k >= bias + T_MAX {
        T_MAX
    } else {
        k - bias
    }
}

/// RFC 3492 section 6.1, "Bias adaptation function".
fn adapt(delta: u32, points: u32, first_time: bool) -> u32 {
    let mut delta = if first_time { delta / DAMP } else { delta / 2 };
    delta += delta / points;
    let mut k = 0;
    while delta > ((BASE - T_MIN) * T_MAX) / 2 {
        delta /= BASE - T_MIN;
        k += BASE;
    }
    k + (BASE - T_MIN + 1) * delta / (delta + SKEW)
}

/// `a`-`z` (either case) are 0-25 and `0`-`9` are 26-35 (RFC 3492 section 5).
fn digit_value(b: u8) -> Option<u32> {
    match b {
        b'a'..=b'z' => Some(u32::from(b - b'a')),
        b'A'..=b'Z' => Some(u32::from(b - b'A')),
        b'0'..=b'9' => Some(u32::from(b - b'0') + 26),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_known_labels() {
        assert_eq!(decode("bcher-kva").as_deref(), Some("bücher"));
        assert_eq!(decode("mnchen-3ya").as_deref(), Some("münchen"));
        assert_eq!(decode("ls8h").as_deref(), Some("💩"));
        assert_eq!(decode("fiqs8s").as_deref(), Some("中国"));
        // RFC 3492 section 7.1, sample (A), Arabic (Egyptian).
        assert_eq!(
            decode("egbpdaj6bu4bxfgehfvwxn").as_deref(),
            Some("\u{644}\u{64a}\u{647}\u{645}\u{627}\u{628}\u{62a}\u{643}\u{644}\u{645}\u{648}\u{634}\u{639}\u{631}\u{628}\u{64a}\u{61f}")
        );
        // Sample (L): mixed case and basic code points before the delimiter.
        assert_eq!(
            decode("3B-ww4c5e180e575a65lsy2b").as_deref(),
            Some("3\u{5e74}B\u{7d44}\u{91d1}\u{516b}\u{5148}\u{751f}")
        );
    }

    #[test]
    fn basic_code_points_alone_decode_to_themselves() {
        assert_eq!(decode("abc-").as_deref(), Some("abc"));
        assert_eq!(decode("").as_deref(), Some(""));
    }

    #[test]
    fn malformed_input_is_refused() {
        // A digit that does not end its integer, then the end of the input.
        assert_eq!(decode("f"), None);
        assert_eq!(decode("abc-9"), None);
        // Not a Punycode digit.
        assert_eq!(decode("a_b"), None);
        assert_eq!(decode("bücher-kva"), None);
        // Overflow of `i`, and a code point past U+10FFFF.
        assert_eq!(decode("99999999999"), None);
        assert_eq!(decode("zzzzzzzz9"), None);
        assert_eq!(decode(&"a".repeat(64)), None);
    }
}
