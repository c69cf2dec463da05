//! Inputs that made this crate's readers crash, hang or exhaust memory
//! (found by the fuzz targets in fuzz/ or by hand, issue 8), kept as
//! ordinary tests. Each names what went wrong; the input is built inline.

use panicpol_kernel::kallsyms::{self, MAX_SYMBOLS, SymbolFileError};

/// A System.map of one-letter symbols: 256 MiB of them (the CLI's limit)
/// would have been 43 million symbols and about 7 GB. Past MAX_SYMBOLS the
/// reader stops with an error that says why.
#[test]
fn symbol_count_is_bounded() {
    let mut text = String::with_capacity((MAX_SYMBOLS + 1) * 6);
    for _ in 0..=MAX_SYMBOLS {
        text.push_str("0 T a\n");
    }
    let e = kallsyms::read_kallsyms(text.as_bytes())
        .map(|_| ())
        .unwrap_err();
    assert_eq!(
        e,
        SymbolFileError::TooManySymbols {
            line: MAX_SYMBOLS + 1
        }
    );
    assert!(e.to_string().contains("more than 4000000 symbols"), "{e}");
    // One fewer is a (strange but) readable file.
    let ok = &text.as_bytes()[..MAX_SYMBOLS * 6];
    assert_eq!(
        kallsyms::read_kallsyms(ok).map(|f| f.symbols.len()),
        Ok(MAX_SYMBOLS)
    );
}
