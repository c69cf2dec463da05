//! What a boot-source reader found wrong or could not follow, and where.
//!
//! Readers never fail: a file they cannot fully read still yields what could
//! be read, plus [`Issue`]s pointing at the spot. The lint crate turns issues
//! into diagnostics (PP708 for syntax and constructs, PP703 for variables,
//! PP709 for files that could not be read).

use std::ops::Range;

use panicpol_diagnostics::FileId;
use serde::Serialize;

/// What kind of problem an issue is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueKind {
    /// The text breaks the format's grammar so that the tool reading the
    /// file fails (an unterminated quote stops `/bin/sh`, so `update-grub`
    /// fails; GRUB rejects the script).
    Syntax,
    /// The tool reads the text, but not as written: it skips a line, or
    /// passes a comment on as parameters.
    Suspicious,
    /// Valid, but panicpol does not evaluate it (a command substitution, a
    /// conditional): the value it would produce is unknown.
    Unsupported,
    /// A variable is used that nothing defines: it expands to nothing.
    UnknownVariable,
    /// A size or count limit was reached; the rest was not read.
    Limit,
    /// Binary data where text was expected.
    Binary,
    /// The file or directory could not be read (permissions, a symlink
    /// loop, a file where a directory is expected, too large).
    Io,
}

/// One problem, located in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    /// What kind.
    pub kind: IssueKind,
    /// The file.
    pub file: FileId,
    /// Byte range in it.
    pub span: Range<usize>,
    /// One line, lowercase start.
    pub message: String,
}

impl Issue {
    /// An issue at `span` of `file`.
    pub fn new(
        kind: IssueKind,
        file: FileId,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Issue {
        Issue {
            kind,
            file,
            span,
            message: message.into(),
        }
    }
}

/// Line-by-line iteration with byte offsets: `(start, line)` without the
/// newline, a trailing `\r` kept (callers decide).
pub fn lines(text: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let mut pos = 0;
    std::iter::from_fn(move || {
        if pos >= text.len() {
            return None;
        }
        let start = pos;
        let rest = text.get(start..).unwrap_or_default();
        let len = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        pos = start + len + 1;
        Some((start, rest.get(..len).unwrap_or_default()))
    })
}

/// [`lines`] of a configuration file whose lines are read whole: a line
/// longer than `max` is an [`IssueKind::Limit`] issue (skipped, the file
/// goes on) rather than a line, so no reader works on megabytes of one line.
pub fn bounded_lines(
    file: FileId,
    text: &[u8],
    max: usize,
) -> impl Iterator<Item = Result<(usize, &[u8]), Issue>> {
    lines(text).map(move |(start, line)| {
        if line.len() > max {
            Err(Issue::new(
                IssueKind::Limit,
                file,
                start..start + 1,
                format!("a line longer than {max} bytes is skipped"),
            ))
        } else {
            Ok((start, line))
        }
    })
}

/// Leading and trailing ASCII whitespace trimmed: the range within `s`.
pub fn trim_range(s: &[u8]) -> Range<usize> {
    let start = s
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |i| i + 1);
    start..end.max(start)
}

/// Why bytes are not text, if they are not: a NUL byte, or mostly control
/// bytes. Files with a stray control byte are still read.
pub fn binary_reason(bytes: &[u8]) -> Option<String> {
    const MAGICS: &[(&[u8], &str)] = &[
        (b"\x7fELF", "an ELF file"),
        (b"\x1f\x8b", "gzip-compressed data"),
        (b"\xfd7zXZ\0", "xz-compressed data"),
        (b"\x28\xb5\x2f\xfd", "zstd-compressed data"),
        (b"MZ", "a PE/EFI executable"),
        (b"070701", "a cpio archive"),
    ];
    if let Some((_, what)) = MAGICS.iter().find(|(m, _)| bytes.starts_with(m)) {
        return Some((*what).to_string());
    }
    if let Some(i) = bytes.iter().position(|&b| b == 0) {
        return Some(format!("binary data (a NUL byte at offset {i})"));
    }
    let head = bytes.get(..bytes.len().min(4096)).unwrap_or_default();
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0b | 0x0c))
        .count();
    (control * 10 > head.len() && control > 2).then(|| "binary data".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_with_offsets() {
        let got: Vec<_> = lines(b"a\nbc\n\nd").collect();
        assert_eq!(
            got,
            vec![
                (0, &b"a"[..]),
                (2, &b"bc"[..]),
                (5, &b""[..]),
                (6, &b"d"[..])
            ]
        );
        assert_eq!(lines(b"").count(), 0);
        assert_eq!(lines(b"x\n").count(), 1);
    }

    #[test]
    fn long_lines_are_issues_and_the_file_goes_on() {
        let text = format!("a=1\n{}\nb=2\n", "x".repeat(20));
        let got: Vec<_> = bounded_lines(FileId(3), text.as_bytes(), 10).collect();
        assert_eq!(got.len(), 3);
        assert_eq!(got[0], Ok((0, &b"a=1"[..])));
        let issue = got[1].as_ref().unwrap_err();
        assert_eq!(
            (issue.kind, issue.file, issue.span.clone()),
            (IssueKind::Limit, FileId(3), 4..5)
        );
        assert!(
            issue.message.contains("longer than 10 bytes"),
            "{}",
            issue.message
        );
        assert_eq!(got[2], Ok((25, &b"b=2"[..])));
        // The readers that use it: a line over their bound is one issue.
        let long = format!(
            "kernel.panic = {}\nkernel.panic = 5\n",
            "9".repeat(crate::sysctl_d::MAX_LINE)
        );
        let f = crate::sysctl_d::parse(FileId(0), long.as_bytes());
        assert_eq!((f.lines.len(), f.issues.len()), (1, 1));
        let long = format!("w /x - - - - {}\n", "9".repeat(crate::tmpfiles::MAX_LINE));
        assert_eq!(
            crate::tmpfiles::parse(FileId(0), long.as_bytes())
                .issues
                .len(),
            1
        );
        let long = format!("options {}\ntitle t\n", "9".repeat(crate::bls::MAX_LINE));
        let e = crate::bls::parse(FileId(0), long.as_bytes(), true);
        assert_eq!((e.fields.len(), e.issues.len()), (1, 1));
    }

    #[test]
    fn trims() {
        assert_eq!(trim_range(b"  ab c \t"), 2..6);
        assert_eq!(trim_range(b"   "), 3..3);
        assert_eq!(trim_range(b""), 0..0);
    }

    #[test]
    fn binary() {
        assert!(binary_reason(b"a\0b").is_some());
        assert_eq!(
            binary_reason(b"\x7fELF\x02").as_deref(),
            Some("an ELF file")
        );
        assert!(binary_reason(b"GRUB_X=1\n").is_none());
        assert!(binary_reason(&[1, 2, 3, 4, 5]).is_some());
    }
}
