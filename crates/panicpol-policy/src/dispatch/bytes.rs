//! Command-line bytes as text: one escape notation for JSON output and for
//! the test vectors, because the kernel reads bytes, not UTF-8.
//!
//! The notation: valid UTF-8 is written as is, a backslash is written `\\`,
//! and every byte that is not part of valid UTF-8 is written `\xNN` (two
//! lowercase hex digits). On input, `\xNN` may denote any byte (so `\xa0`
//! writes the kernel's no-break space even where it would be valid text),
//! `\\` is a backslash, `\t` `\n` `\r` `\0` are the usual bytes, and `\"`
//! is a plain double quote (handy inside quoted vector fields).

use std::fmt;

use serde::{Serialize, Serializer};

/// A byte string from the command line, shown in the escape notation of this
/// module.
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Bytes(pub Vec<u8>);

impl Bytes {
    /// The raw bytes.
    pub fn as_slice(&self) -> &[u8] {
        &self.0
    }

    /// The escaped text (see the module documentation).
    pub fn escaped(&self) -> String {
        escape(&self.0)
    }
}

impl From<&[u8]> for Bytes {
    fn from(b: &[u8]) -> Bytes {
        Bytes(b.to_vec())
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(b: Vec<u8>) -> Bytes {
        Bytes(b)
    }
}

impl fmt::Debug for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "b\"{}\"", escape(&self.0))
    }
}

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&escape(&self.0))
    }
}

impl Serialize for Bytes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&escape(&self.0))
    }
}

/// Writes bytes in the escape notation: UTF-8 as is, `\` as `\\`, any other
/// byte as `\xNN`.
pub fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c == '\\' {
                out.push_str("\\\\");
            } else {
                out.push(c);
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// Why an escaped string could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscapeError {
    /// Byte offset of the offending backslash in the input.
    pub at: usize,
    /// What was wrong.
    pub what: &'static str,
}

impl fmt::Display for EscapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bad escape at byte {}: {}", self.at, self.what)
    }
}

impl std::error::Error for EscapeError {}

/// Reads the escape notation back into bytes.
pub fn unescape(text: &str) -> Result<Vec<u8>, EscapeError> {
    let src = text.as_bytes();
    let mut out = Vec::with_capacity(src.len());
    let mut i = 0;
    while let Some(&b) = src.get(i) {
        if b != b'\\' {
            out.push(b);
            i += 1;
            continue;
        }
        let at = i;
        let Some(&kind) = src.get(i + 1) else {
            return Err(EscapeError {
                at,
                what: "backslash at the end",
            });
        };
        match kind {
            b'\\' => out.push(b'\\'),
            b'"' => out.push(b'"'),
            b't' => out.push(b'\t'),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b'0' => out.push(0),
            b'x' => {
                let hi = src.get(i + 2).and_then(|&c| hex(c));
                let lo = src.get(i + 3).and_then(|&c| hex(c));
                match (hi, lo) {
                    (Some(h), Some(l)) => out.push(h << 4 | l),
                    _ => {
                        return Err(EscapeError {
                            at,
                            what: "\\x needs two hex digits",
                        });
                    }
                }
                i += 4;
                continue;
            }
            _ => {
                return Err(EscapeError {
                    at,
                    what: "unknown escape (use \\\\, \\\", \\t, \\n, \\r, \\0 or \\xNN)",
                });
            }
        }
        i += 2;
    }
    Ok(out)
}

fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_escapes_only_what_it_must() {
        let cases: &[(&[u8], &str)] = &[
            (b"plain=1", "plain=1"),
            (b"a\\b", "a\\\\b"),
            (b"\xff\xfe", "\\xff\\xfe"),
            ("\u{e0}".as_bytes(), "\u{e0}"),
            (b"x\xa0y", "x\\xa0y"),
        ];
        for (raw, text) in cases {
            assert_eq!(escape(raw), *text);
            assert_eq!(unescape(text).as_deref(), Ok(*raw));
        }
    }

    #[test]
    fn input_escapes() {
        assert_eq!(
            unescape("\\t\\n\\r\\0\\\"").as_deref(),
            Ok(&b"\t\n\r\0\""[..])
        );
        assert_eq!(unescape("\\xA0").as_deref(), Ok(&b"\xa0"[..]));
        assert!(unescape("\\").is_err());
        assert!(unescape("\\x1").is_err());
        assert!(unescape("\\q").is_err());
    }
}
