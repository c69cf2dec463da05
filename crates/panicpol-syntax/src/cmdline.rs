//! The kernel command-line tokenizer, byte for byte as `lib/cmdline.c:next_arg`.
//!
//! `next_arg` works in place on a C string: it NUL-terminates the name at the
//! first `=`, skips one leading quote of the token and one leading quote of the
//! value, and NULs a trailing quote. Every one of those edits only trims the
//! ends of the name or the value, so each token here is three spans into the
//! original text: the whole token, its name and its value.
//!
//! The rules, each a line of `next_arg`:
//! - a token ends at the first kernel space (`\t\n\v\f\r`, space, byte 0xA0)
//!   outside quotes; every `"` toggles quoting, anywhere in the token;
//! - there is no escape character;
//! - the first `=` separates name and value, except at index 0 (index 0 is the
//!   "not found" sentinel of `equals`), so `=foo` is a name;
//! - a token starting with `"` loses that quote, and then a final `"` too;
//! - a value starting with `"` loses that quote, and then a final `"` too;
//! - an unterminated quote swallows the rest of the line;
//! - the command line is a C string: it ends at the first NUL byte.

use std::ops::Range;

use serde::Serialize;

use crate::ctype::{is_kernel_space, skip_spaces};

/// A byte range into the command line.
pub type Span = Range<usize>;

/// One token as `next_arg` returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Token {
    /// The token as written, from its first byte to the byte before the space
    /// that ends it (quotes included).
    pub span: Span,
    /// The name (`param`), after `next_arg` removed quotes at its ends.
    pub name: Span,
    /// The value (`val`), `None` when the token has no `=` after index 0.
    pub value: Option<Span>,
    /// The token started with a `"`.
    pub quoted: bool,
    /// A quote was still open at the end of the token: it swallowed the rest
    /// of the command line.
    pub open_quote: bool,
}

impl Token {
    /// The name's bytes.
    pub fn name_bytes<'a>(&self, text: &'a [u8]) -> &'a [u8] {
        slice(text, &self.name)
    }

    /// The value's bytes, if the token has a value.
    pub fn value_bytes<'a>(&self, text: &'a [u8]) -> Option<&'a [u8]> {
        self.value.as_ref().map(|v| slice(text, v))
    }

    /// The token's bytes as written.
    pub fn raw<'a>(&self, text: &'a [u8]) -> &'a [u8] {
        slice(text, &self.span)
    }

    /// `parse_args` stops at a bare `--` (no value; a quoted `"--"` counts).
    pub fn is_separator(&self, text: &[u8]) -> bool {
        self.value.is_none() && self.name_bytes(text) == b"--"
    }

    /// The string `init/main.c:repair_env_string` rebuilds for `__setup`
    /// matching and for init: `name=value` with the value's quotes removed,
    /// or just the name.
    pub fn repaired(&self, text: &[u8]) -> Vec<u8> {
        let mut out = self.name_bytes(text).to_vec();
        if let Some(v) = self.value_bytes(text) {
            out.push(b'=');
            out.extend_from_slice(v);
        }
        out
    }
}

/// A command line split into tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cmdline {
    /// Tokens in order, including `--` separators.
    pub tokens: Vec<Token>,
    /// Where the kernel's C string ends: the first NUL byte, or the length.
    pub end: usize,
}

impl Cmdline {
    /// The byte offset of the first NUL, if the text has one (the kernel never
    /// sees anything after it).
    pub fn nul_at(&self, text: &[u8]) -> Option<usize> {
        (self.end < text.len()).then_some(self.end)
    }
}

fn slice<'a>(text: &'a [u8], span: &Span) -> &'a [u8] {
    text.get(span.clone()).unwrap_or_default()
}

/// Splits a command line into tokens exactly as `parse_args` + `next_arg` do,
/// including the tokens after `--` (the caller decides what they mean).
pub fn tokenize(text: &[u8]) -> Cmdline {
    let end = text.iter().position(|&b| b == 0).unwrap_or(text.len());
    let s = text.get(..end).unwrap_or_default();
    let mut tokens = Vec::new();
    // parse_args: "Chew leading spaces".
    let mut pos = skip_spaces(s, 0);
    while pos < s.len() {
        let (token, next) = next_arg(s, pos);
        tokens.push(token);
        pos = next;
    }
    Cmdline { tokens, end }
}

/// One step of `next_arg` starting at `start` (not a space). Returns the token
/// and the index where the next one starts (after `skip_spaces`).
fn next_arg(s: &[u8], start: usize) -> (Token, usize) {
    let mut args = start;
    let mut in_quote = false;
    let mut quoted = false;
    if s.get(args) == Some(&b'"') {
        args += 1;
        in_quote = true;
        quoted = true;
    }
    // `equals` is relative to `args`; 0 means "not found".
    let mut equals = 0usize;
    let mut i = 0usize;
    while let Some(&c) = s.get(args + i) {
        if is_kernel_space(c) && !in_quote {
            break;
        }
        if equals == 0 && c == b'=' {
            equals = i;
        }
        if c == b'"' {
            in_quote = !in_quote;
        }
        i += 1;
    }
    let token_end = args + i;
    // The byte before the end, which next_arg may NUL (it reads `args[i-1]`).
    let last_is_quote = i > 0 && s.get(token_end - 1) == Some(&b'"');
    let mut name_end = if equals != 0 {
        args + equals
    } else {
        token_end
    };
    let mut value = None;
    let mut value_trimmed = false;
    if equals != 0 {
        let mut v_start = args + equals + 1;
        let mut v_end = token_end;
        if s.get(v_start) == Some(&b'"') {
            v_start += 1;
            if last_is_quote {
                v_end = token_end - 1;
                value_trimmed = true;
            }
        }
        value = Some(v_start..v_end.max(v_start));
    }
    // "if (quoted && i > 0 && args[i-1] == '"') args[i-1] = '\0';" — a no-op
    // when the value branch already NULed that byte.
    if quoted && last_is_quote && !value_trimmed {
        match &mut value {
            Some(v) => {
                // The quote ends the value (which did not start with one).
                v.end = (token_end - 1).max(v.start);
            }
            None => name_end = token_end - 1,
        }
    }
    if equals == 0 {
        name_end = name_end.max(args);
    }
    let token = Token {
        span: start..token_end,
        name: args..name_end,
        value,
        quoted,
        open_quote: in_quote,
    };
    // NUL the terminating space (if any) and skip the following spaces.
    let next = if token_end < s.len() {
        token_end + 1
    } else {
        token_end
    };
    (token, skip_spaces(s, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(text: &str) -> Vec<(String, Option<String>)> {
        let t = text.as_bytes();
        tokenize(t)
            .tokens
            .iter()
            .map(|k| {
                (
                    String::from_utf8_lossy(k.name_bytes(t)).into_owned(),
                    k.value_bytes(t)
                        .map(|v| String::from_utf8_lossy(v).into_owned()),
                )
            })
            .collect()
    }

    fn one(text: &str) -> (String, Option<String>) {
        let mut p = parts(text);
        assert_eq!(p.len(), 1, "{text:?} gave {p:?}");
        p.remove(0)
    }

    #[test]
    fn reference_table_of_next_arg() {
        assert_eq!(one("foo"), ("foo".into(), None));
        assert_eq!(one("foo="), ("foo".into(), Some("".into())));
        assert_eq!(one("foo=\"a b\""), ("foo".into(), Some("a b".into())));
        assert_eq!(one("\"foo=a b\""), ("foo".into(), Some("a b".into())));
        assert_eq!(
            one("foo=a\"b c\"d"),
            ("foo".into(), Some("a\"b c\"d".into()))
        );
        assert_eq!(one("=foo"), ("=foo".into(), None));
        assert_eq!(one("=foo=bar"), ("=foo".into(), Some("bar".into())));
        assert_eq!(one("\"--\""), ("--".into(), None));
        assert_eq!(one("foo=\""), ("foo".into(), Some("".into())));
        assert_eq!(one("\"foo\""), ("foo".into(), None));
        assert_eq!(one("\"foo=\"bar\"\""), ("foo".into(), Some("bar\"".into())));
        assert_eq!(one("\"foo=bar\"x"), ("foo".into(), Some("bar\"x".into())));
    }

    #[test]
    fn unterminated_quote_swallows_the_rest() {
        let t = b"a foo=\"x y -- z";
        let c = tokenize(t);
        assert_eq!(c.tokens.len(), 2);
        assert!(c.tokens[1].open_quote);
        assert_eq!(c.tokens[1].value_bytes(t), Some(&b"x y -- z"[..]));
    }

    #[test]
    fn nbsp_splits_even_inside_utf8() {
        // "à" is C3 A0: the A0 byte is a kernel space.
        let t = "x=\u{e0}b".as_bytes();
        let c = tokenize(t);
        assert_eq!(c.tokens.len(), 2);
        assert_eq!(c.tokens[0].value_bytes(t), Some(&[0xc3][..]));
        assert_eq!(c.tokens[1].name_bytes(t), b"b");
    }

    #[test]
    fn nul_ends_the_string() {
        let t = b"a b\0c";
        let c = tokenize(t);
        assert_eq!(c.tokens.len(), 2);
        assert_eq!(c.nul_at(t), Some(3));
    }

    #[test]
    fn spans_point_into_the_text() {
        let t = b"  console=ttyS0   \"x=1 2\"\tq";
        let c = tokenize(t);
        assert_eq!(c.tokens[0].span, 2..15);
        assert_eq!(c.tokens[1].span, 18..25);
        assert_eq!(c.tokens[1].repaired(t), b"x=1 2");
        assert_eq!(c.tokens[2].span, 26..27);
    }

    #[test]
    fn invalid_utf8_is_fine() {
        let t = b"\xff\xfe=\x80 ok";
        let c = tokenize(t);
        assert_eq!(c.tokens.len(), 2);
        assert_eq!(c.tokens[0].value_bytes(t), Some(&b"\x80"[..]));
    }
}
