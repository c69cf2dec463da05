//! The diagnostic model shared by every panicpol crate.
//!
//! A [`Diagnostic`] is a finding: a stable code, a severity, a message, labelled
//! byte spans into a [`SourceFile`] and optional help. This crate owns no wording
//! and renders nothing; the CLI turns diagnostics into human, JSON, SARIF,
//! GitHub or gcc-style output.

use std::ops::Range;

use serde::Serialize;

/// A byte range into the text of one [`SourceFile`].
pub type Span = Range<usize>;

/// How serious a finding is. Ordered: `Info < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; never fails a run by default.
    Info,
    /// Probably not what the author meant.
    Warning,
    /// The kernel will not do what the text says.
    Error,
}

impl Severity {
    /// The lowercase name used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// Parses `info`, `warning` (or `warn`) and `error`.
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" | "note" => Some(Severity::Info),
            "warning" | "warn" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

/// Identifies a file in a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct FileId(pub u32);

/// What kind of boot source a file is; shown with provenance.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    /// A raw command line: `--cmdline`, a file, stdin, /proc/cmdline.
    Cmdline,
    /// `/etc/default/grub` or one of its `grub.d` drop-ins.
    GrubDefault,
    /// A generated `grub.cfg`.
    GrubCfg,
    /// A Boot Loader Specification entry.
    BlsEntry,
    /// `/etc/kernel/cmdline` or `/usr/lib/kernel/cmdline`.
    KernelInstall,
    /// The `.cmdline` section of a unified kernel image or add-on.
    Uki,
    /// Bootconfig text or a bootconfig attached to an initrd.
    Bootconfig,
    /// `CONFIG_CMDLINE` built into the kernel.
    BuiltIn,
    /// sysctl.d / tmpfiles.d runtime overrides.
    Runtime,
    /// Anything else (a kernel image, a symbol file).
    Other,
}

/// One input file (or pseudo-file such as `--cmdline`), kept as raw bytes:
/// the kernel works on bytes and so does panicpol.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The name shown to users (a path, `<cmdline>`, `<stdin>`).
    pub name: String,
    /// The whole text, byte for byte.
    pub text: Vec<u8>,
    /// What kind of source this is.
    pub layer: Layer,
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// Makes a source file and indexes its line starts.
    pub fn new(name: impl Into<String>, text: impl Into<Vec<u8>>, layer: Layer) -> SourceFile {
        let text = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(
            text.iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i + 1),
        );
        SourceFile {
            name: name.into(),
            text,
            layer,
            line_starts,
        }
    }

    /// 1-based line and column (in bytes) of a byte offset; offsets past the
    /// end are clamped to the end.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.line_starts.get(line).copied().unwrap_or(0);
        (line + 1, offset - start + 1)
    }

    /// The text of a span, lossily decoded for display.
    pub fn snippet(&self, span: &Span) -> String {
        let end = span.end.min(self.text.len());
        let start = span.start.min(end);
        String::from_utf8_lossy(self.text.get(start..end).unwrap_or_default()).into_owned()
    }
}

/// All files of one run. Diagnostics refer to files by [`FileId`].
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        FileId(u32::try_from(self.files.len() - 1).unwrap_or(u32::MAX))
    }

    /// The file with this id.
    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    /// Every file with its id, in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }
}

/// A labelled span in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Label {
    /// The file the span points into.
    pub file: FileId,
    /// Byte range in that file.
    pub span: Span,
    /// Short text shown at the span.
    pub message: String,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Stable rule code, `PP` + number.
    pub code: &'static str,
    /// How serious it is.
    pub severity: Severity,
    /// One line, lowercase start, no trailing period.
    pub message: String,
    /// Where it is; `None` for findings about the whole input or the kernel.
    pub primary: Option<Label>,
    /// Other places that matter (the earlier occurrence, the file that overrides).
    pub secondary: Vec<Label>,
    /// How to fix it.
    pub help: Option<String>,
    /// Extra facts (how something was known, what the kernel prints).
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// A finding with no location yet.
    pub fn new(code: &'static str, severity: Severity, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity,
            message: message.into(),
            primary: None,
            secondary: Vec::new(),
            help: None,
            notes: Vec::new(),
        }
    }

    /// An error finding.
    pub fn error(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(code, Severity::Error, message)
    }

    /// A warning finding.
    pub fn warning(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(code, Severity::Warning, message)
    }

    /// An informational finding.
    pub fn info(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(code, Severity::Info, message)
    }

    /// Sets the primary label.
    pub fn with_primary(mut self, file: FileId, span: Span, message: impl Into<String>) -> Self {
        self.primary = Some(Label {
            file,
            span,
            message: message.into(),
        });
        self
    }

    /// Sets the primary label at a located span.
    pub fn with_primary_at(self, at: (FileId, Span), message: impl Into<String>) -> Self {
        self.with_primary(at.0, at.1, message)
    }

    /// Adds a secondary label at a located span.
    pub fn with_secondary_at(self, at: (FileId, Span), message: impl Into<String>) -> Self {
        self.with_secondary(at.0, at.1, message)
    }

    /// Adds a secondary label.
    pub fn with_secondary(mut self, file: FileId, span: Span, message: impl Into<String>) -> Self {
        self.secondary.push(Label {
            file,
            span,
            message: message.into(),
        });
        self
    }

    /// Sets the help text.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a note.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        let f = SourceFile::new("x", "ab\ncd\n", Layer::Cmdline);
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(1), (1, 2));
        assert_eq!(f.line_col(3), (2, 1));
        assert_eq!(f.line_col(4), (2, 2));
        assert_eq!(f.line_col(6), (3, 1));
        assert_eq!(f.line_col(99), (3, 1));
    }

    #[test]
    fn severities_order() {
        assert!(Severity::Error > Severity::Warning);
        assert!(Severity::Warning > Severity::Info);
        assert_eq!(Severity::parse("warn"), Some(Severity::Warning));
        assert_eq!(Severity::parse("bogus"), None);
    }
}
