//! The emitters: parameters made from the input are written as a
//! command-line fragment and as bootconfig text. Whatever they accept must
//! read back as written: the fragment tokenizes (as `next_arg` does) into
//! the same names and values, and the bootconfig text is parsed back by the
//! emitter itself (a mismatch there is an error, never output).

#![no_main]

use libfuzzer_sys::fuzz_target;
use panicpol_emit::params::{Param, Source};
use panicpol_emit::{bootconfig, cmdline};

fuzz_target!(|data: &[u8]| {
    // Lines are parameters; `name=value`, or a bare `name`; a leading `!`
    // marks an early parameter.
    let mut params = Vec::new();
    for line in data.split(|&b| b == b'\n').take(64) {
        let (early, line) = match line.strip_prefix(b"!") {
            Some(rest) => (true, rest),
            None => (false, line),
        };
        let (name, value) = match line.iter().position(|&b| b == b'=') {
            Some(eq) => (
                line.get(..eq).unwrap_or_default(),
                Some(line.get(eq + 1..).unwrap_or_default().to_vec()),
            ),
            None => (line, None),
        };
        params.push(Param {
            name: String::from_utf8_lossy(name).into_owned(),
            value,
            early,
            sysctl: None,
            field: None,
            default: false,
            source: Source::Set { index: 0 },
        });
    }
    if let Ok(text) = cmdline::render(&params) {
        let toks = panicpol_syntax::cmdline::tokenize(&text);
        assert_eq!(toks.tokens.len(), params.len(), "{text:?}");
        for (t, p) in toks.tokens.iter().zip(&params) {
            assert_eq!(t.name_bytes(&text), p.name.as_bytes(), "{text:?}");
            assert_eq!(t.value_bytes(&text), p.value.as_deref(), "{text:?}");
        }
    }
    let _ = bootconfig::render(&params);
});
