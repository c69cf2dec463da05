//! Turning results into output: human (miette), JSON, SARIF, GitHub workflow
//! commands and gcc-style. The wire
//! formats are owned here, by the outermost crate.

mod gcc;
mod github;
mod human;
mod json;
mod sarif;

use std::io::{self, Write};

use panicpol_diagnostics::{Diagnostic, FileId, SourceMap};
use panicpol_kernel::Kernel;
use panicpol_policy::dispatch::Dispatch;
use panicpol_policy::policy::Policy;

use crate::args::{Format, OutputArgs};
use crate::input::Failure;

/// One command line that was checked, for renderers that show tokens.
pub(crate) struct CheckedCmdline {
    pub(crate) file: FileId,
    /// The boot entry's name (a file, a menu entry, a BLS entry …).
    pub(crate) entry: String,
    pub(crate) text: Vec<u8>,
    /// Where each byte of `text` came from.
    pub(crate) map: panicpol_syntax::provenance::Composed,
    pub(crate) dispatch: Dispatch,
    pub(crate) policy: Policy,
}

/// Writes the result of `check` in the chosen format to stdout.
pub(crate) fn check_report(
    out: &OutputArgs,
    sources: &SourceMap,
    kernel: &Kernel,
    checked: &[CheckedCmdline],
    diagnostics: &[Diagnostic],
) -> Result<(), Failure> {
    let stdout = io::stdout();
    let mut w = io::BufWriter::new(stdout.lock());
    let r = match out.format {
        Format::Human => human::write(&mut w, sources, kernel, diagnostics),
        Format::Json => json::write(&mut w, sources, kernel, checked, diagnostics),
        Format::Gcc => gcc::write(&mut w, sources, diagnostics, &kernel.gaps),
        Format::Github => github::write(&mut w, sources, diagnostics, &kernel.gaps),
        Format::Sarif => sarif::write(&mut w, sources, diagnostics, &kernel.gaps),
    };
    r.and_then(|()| w.flush())
        .map_err(|e| Failure::io("stdout", &e))
}

/// Prints a failure that stopped the run.
pub(crate) fn report_failure(f: &Failure) {
    let _ = writeln!(io::stderr(), "panicpol: error: {f}");
}

/// The text of a file for display, with the same byte offsets: every byte of
/// an invalid UTF-8 sequence becomes one `?`, so spans stay valid.
pub(crate) fn display_text(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        s.push_str(chunk.valid());
        for _ in chunk.invalid() {
            s.push('?');
        }
    }
    s
}

/// Sets `key` of a JSON object built with `json!({…})`. Indexing a
/// `serde_json::Value` panics when it is not an object; this cannot, and
/// leaves a non-object alone (which no caller builds).
pub(crate) fn set_field(v: &mut serde_json::Value, key: &str, value: serde_json::Value) {
    if let Some(map) = v.as_object_mut() {
        map.insert(key.to_owned(), value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_text_keeps_offsets() {
        let b = b"a\xffb\xc3\xa0c\xc3";
        let s = display_text(b);
        assert_eq!(s.len(), b.len());
        assert_eq!(s, "a?b\u{e0}c?");
    }
}
