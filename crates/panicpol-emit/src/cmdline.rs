//! The policy as a command-line fragment for the bootloader, quoted exactly
//! as `lib/cmdline.c:next_arg` reads it.
//!
//! `next_arg` has no escape character: a `"` anywhere toggles quoting, a
//! value that starts with `"` loses that quote and a final one. So a value
//! is written bare unless it holds a kernel space (`\t\n\v\f\r`, space, or
//! byte 0xA0, which the kernel's `isspace` counts), and then in double quotes
//! (`name="a b"`), which `next_arg` removes. A value holding `"` cannot be
//! written at all (its quotes would toggle, not survive), nor one holding a
//! NUL (the command line is a C string); names are checked the same way.
//! Both are errors, never a silently different command line.

use std::fmt;

use panicpol_syntax::ctype::is_kernel_space;

use crate::params::Param;

/// Why a parameter cannot be written on a command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CmdlineError {
    /// The value holds a `"`: the kernel would toggle quoting there.
    QuoteInValue {
        /// The parameter.
        name: String,
        /// Offset of the quote in the value.
        offset: usize,
    },
    /// The value holds a NUL byte: the kernel would stop reading there.
    NulInValue {
        /// The parameter.
        name: String,
        /// Offset of the NUL in the value.
        offset: usize,
    },
    /// The name is empty or holds a byte the tokenizer would not keep in a
    /// name (a space, `"`, `=` or NUL), or is the `--` separator.
    BadName {
        /// The name.
        name: String,
    },
}

impl fmt::Display for CmdlineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CmdlineError::QuoteInValue { name, offset } => write!(
                f,
                "{name}: the value has '\"' at offset {offset}; the kernel's command line has no escape for quotes, so no spelling of it reaches the kernel intact"
            ),
            CmdlineError::NulInValue { name, offset } => write!(
                f,
                "{name}: the value has a NUL byte at offset {offset}; the kernel's command line ends there"
            ),
            CmdlineError::BadName { name } => {
                write!(f, "{name:?} cannot be written as a parameter name")
            }
        }
    }
}

impl std::error::Error for CmdlineError {}

/// Whether `next_arg` would split an unquoted value.
pub fn needs_quotes(value: &[u8]) -> bool {
    value.iter().any(|&b| is_kernel_space(b))
}

/// One token, `name` or `name=value`, quoted when needed.
pub fn token(name: &str, value: Option<&[u8]>) -> Result<Vec<u8>, CmdlineError> {
    let bad_name = name.is_empty()
        || name == "--"
        || name
            .bytes()
            .any(|b| is_kernel_space(b) || matches!(b, b'"' | b'=' | 0));
    if bad_name {
        return Err(CmdlineError::BadName {
            name: name.to_owned(),
        });
    }
    let mut out = name.as_bytes().to_vec();
    let Some(v) = value else {
        return Ok(out);
    };
    if let Some(offset) = v.iter().position(|&b| b == b'"') {
        return Err(CmdlineError::QuoteInValue {
            name: name.to_owned(),
            offset,
        });
    }
    if let Some(offset) = v.iter().position(|&b| b == 0) {
        return Err(CmdlineError::NulInValue {
            name: name.to_owned(),
            offset,
        });
    }
    out.push(b'=');
    if needs_quotes(v) {
        out.push(b'"');
        out.extend_from_slice(v);
        out.push(b'"');
    } else {
        out.extend_from_slice(v);
    }
    Ok(out)
}

/// The fragment: the parameters in order, separated by one space, without a
/// trailing newline. Empty when there is nothing to write.
pub fn render(params: &[Param]) -> Result<Vec<u8>, CmdlineError> {
    let mut out = Vec::new();
    for p in params {
        if !out.is_empty() {
            out.push(b' ');
        }
        out.extend_from_slice(&token(&p.name, p.value.as_deref())?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use panicpol_syntax::cmdline::tokenize;

    #[test]
    fn quoting_follows_next_arg() {
        type Case<'a> = (&'a str, Option<&'a [u8]>, &'a [u8]);
        let cases: &[Case<'_>] = &[
            ("panic", Some(b"10"), b"panic=10"),
            (
                "crash_kexec_post_notifiers",
                None,
                b"crash_kexec_post_notifiers",
            ),
            ("x", Some(b""), b"x="),
            ("x", Some(b"a b"), b"x=\"a b\""),
            ("x", Some(b"caf\xc3\xa0"), b"x=\"caf\xc3\xa0\""),
            ("x", Some(b"a\tb"), b"x=\"a\tb\""),
            ("x", Some(b"a=b,c"), b"x=a=b,c"),
        ];
        for (name, value, want) in cases {
            let got = token(name, *value).expect("writable");
            assert_eq!(got, *want, "{name} {value:?}");
            // next_arg gives back exactly the name and the value.
            let cl = tokenize(&got);
            assert_eq!(cl.tokens.len(), 1, "{got:?}");
            let t = &cl.tokens[0];
            assert_eq!(t.name_bytes(&got), name.as_bytes());
            assert_eq!(t.value_bytes(&got), *value);
        }
    }

    #[test]
    fn unrepresentable_values_and_names_are_refused() {
        assert_eq!(
            token("x", Some(b"a\"b")),
            Err(CmdlineError::QuoteInValue {
                name: "x".into(),
                offset: 1
            })
        );
        assert!(matches!(
            token("x", Some(b"a\0b")),
            Err(CmdlineError::NulInValue { offset: 1, .. })
        ));
        for name in ["", "--", "a b", "a\u{a0}b", "a=b", "a\"b"] {
            assert!(
                matches!(token(name, Some(b"1")), Err(CmdlineError::BadName { .. })),
                "{name:?}"
            );
        }
        let e = token("x", Some(b"\"")).expect_err("quote").to_string();
        assert!(e.contains("no escape"), "{e}");
    }
}
