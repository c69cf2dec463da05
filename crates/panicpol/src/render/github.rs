//! GitHub Actions workflow commands: `::error file=…,line=…,col=…,title=…::message`.
//!
//! Escaping follows the runner's rules: in the message `%`, `\r`, `\n` become
//! `%25`, `%0D`, `%0A`; in property values `:` and `,` are escaped too
//! (`%3A`, `%2C`).

use std::io::{self, Write};

use panicpol_diagnostics::{Diagnostic, Severity, SourceMap};

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub(super) fn write(
    w: &mut dyn Write,
    sources: &SourceMap,
    diags: &[Diagnostic],
    gaps: &[String],
) -> io::Result<()> {
    // What the kernel reader could not read: the findings may miss
    // something it would have shown.
    for g in gaps {
        writeln!(
            w,
            "::warning title={}::{}",
            escape_property("panicpol: incomplete kernel facts"),
            escape_data(g)
        )?;
    }
    for d in diags {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut props = Vec::new();
        if let Some(l) = &d.primary
            && let Some(f) = sources.get(l.file)
            && !f.name.starts_with('<')
        {
            let (line, col) = f.line_col(l.span.start);
            let (end_line, end_col) = f.line_col(l.span.end);
            props.push(format!("file={}", escape_property(&f.name)));
            props.push(format!("line={line}"));
            props.push(format!("col={col}"));
            if end_line == line {
                props.push(format!("endColumn={end_col}"));
            } else {
                props.push(format!("endLine={end_line}"));
            }
        }
        props.push(format!(
            "title={}",
            escape_property(&format!("{} {}", d.code, d.message))
        ));
        let mut msg = d.message.clone();
        if let Some(h) = &d.help {
            msg.push_str("\nhelp: ");
            msg.push_str(h);
        }
        writeln!(w, "::{level} {}::{}", props.join(","), escape_data(&msg))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape_data("50%\na"), "50%25%0Aa");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
