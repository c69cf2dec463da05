//! `file:line:col: severity: message [code]`, one finding per line, as gcc and
//! most editors' problem matchers expect.

use std::io::{self, Write};

use panicpol_diagnostics::{Diagnostic, SourceMap};

pub(super) fn write(
    w: &mut dyn Write,
    sources: &SourceMap,
    diags: &[Diagnostic],
    gaps: &[String],
) -> io::Result<()> {
    // What the kernel reader could not read: the findings may miss
    // something it would have shown.
    for g in gaps {
        writeln!(w, "<kernel>:1:1: note: {g}")?;
    }
    for d in diags {
        let (name, line, col) = match &d.primary {
            Some(l) => match sources.get(l.file) {
                Some(f) => {
                    let (line, col) = f.line_col(l.span.start);
                    (f.name.as_str(), line, col)
                }
                None => ("<unknown>", 1, 1),
            },
            None => ("<kernel>", 1, 1),
        };
        writeln!(
            w,
            "{name}:{line}:{col}: {}: {} [{}]",
            d.severity.as_str(),
            d.message,
            d.code
        )?;
    }
    Ok(())
}
