//! Human output through miette: a snippet of the file with labels, the code,
//! help and notes. Plain (no colour) when stdout is not a terminal or when
//! `NO_COLOR` is set.

use std::fmt;
use std::io::{self, IsTerminal, Write};

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};
use panicpol_diagnostics::{Diagnostic, Severity, SourceMap};
use panicpol_kernel::Kernel;

use super::display_text;

struct Shown<'a> {
    d: &'a Diagnostic,
    source: Option<NamedSource<String>>,
    help: Option<String>,
}

impl fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}

impl std::error::Error for Shown<'_> {}

impl miette::Diagnostic for Shown<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.d.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let p = self.d.primary.as_ref()?;
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            Some(p.message.clone()),
            (p.span.start, p.span.len()),
        )];
        // Only labels in the primary's file fit in its snippet.
        labels.extend(
            self.d
                .secondary
                .iter()
                .filter(|l| l.file == p.file)
                .map(|l| {
                    LabeledSpan::new_with_span(
                        Some(l.message.clone()),
                        (l.span.start, l.span.len()),
                    )
                }),
        );
        Some(Box::new(labels.into_iter()))
    }
}

fn plain() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) || !io::stdout().is_terminal()
}

/// What the findings were checked against, for the summary line.
fn against(kernel: &Kernel) -> String {
    use panicpol_kernel::KernelSource;
    let what = match kernel.source {
        KernelSource::Vmlinux => "vmlinux",
        KernelSource::SystemMap => "System.map",
        KernelSource::Kallsyms => "kallsyms",
        KernelSource::Catalogue => return "panicpol's catalogue (no kernel given)".to_string(),
    };
    let config_version = kernel.config.as_ref().and_then(|c| c.version.as_deref());
    match (&kernel.release, config_version) {
        (Some(r), _) => format!("kernel {r} ({what})"),
        (None, Some(v)) => format!("a {what} of Linux {v} (the config's version)"),
        (None, None) => format!("a {what} of unknown release"),
    }
}

pub(super) fn write(
    w: &mut dyn Write,
    sources: &SourceMap,
    kernel: &Kernel,
    diags: &[Diagnostic],
) -> io::Result<()> {
    let theme = if plain() {
        GraphicalTheme::unicode_nocolor()
    } else {
        GraphicalTheme::unicode()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    for d in diags {
        let source = d
            .primary
            .as_ref()
            .and_then(|l| sources.get(l.file))
            .map(|f| NamedSource::new(f.name.clone(), display_text(&f.text)).with_language("text"));
        let shown = Shown {
            d,
            source,
            help: d.help.clone(),
        };
        let mut s = String::new();
        handler
            .render_report(&mut s, &shown)
            .map_err(|_| io::Error::other("rendering a diagnostic failed"))?;
        write!(w, "{}", s.trim_end())?;
        writeln!(w)?;
        // Notes are facts, not advice: shown after the help, as rustc does.
        for n in &d.notes {
            writeln!(w, "  = note: {n}")?;
        }
        writeln!(w)?;
    }
    let count = |s: Severity| diags.iter().filter(|d| d.severity == s).count();
    let (e, wn, i) = (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
    );
    // What the kernel reader could not read: the findings may miss
    // something it would have shown.
    for g in &kernel.gaps {
        writeln!(w, "note: {g}")?;
    }
    let against = against(kernel);
    writeln!(
        w,
        "{e} error(s), {wn} warning(s), {i} note(s); checked against {against}"
    )
}
