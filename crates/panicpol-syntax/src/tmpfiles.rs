//! `tmpfiles.d` lines that write files (`w`, `w+`), as `systemd-tmpfiles
//! --boot --create` runs them at boot — after the kernel has read its
//! command line. A line writing `/sys/module/kernel/parameters/…` or
//! `/proc/sys/…` changes a panic parameter for the rest of the uptime.
//!
//! Lines (`tmpfiles.d(5)`, systemd `src/tmpfiles/tmpfiles.c`): `Type Path
//! Mode User Group Age Argument`; the first six fields are words (quotes and
//! C escapes allowed), the argument is the rest of the line, with C escapes
//! (`\n`, `\t`, `\\`, `\xHH`, octal) interpreted for `w`. The type is a
//! letter followed by modifiers among `+ ! - = ~ ^` (`w+` appends; `~`
//! means the argument is base64). Comments start with `#`.
//!
//! Only `w` lines are returned; when several files or lines name the same
//! path, the first in the order the caller gives wins (`systemd-tmpfiles`
//! logs "Duplicate line for path" for the others).

use std::ops::Range;

use panicpol_diagnostics::FileId;

use crate::issue::{Issue, IssueKind, bounded_lines};

/// The longest line read.
pub const MAX_LINE: usize = 64 * 1024;

/// The directories `systemd-tmpfiles` reads, highest priority first.
pub const DIRS: &[&str] = &[
    "etc/tmpfiles.d",
    "run/tmpfiles.d",
    "usr/local/lib/tmpfiles.d",
    "usr/lib/tmpfiles.d",
    "lib/tmpfiles.d",
];

/// A `w` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteLine {
    /// The path written, unescaped.
    pub path: String,
    /// Where the path is.
    pub path_span: Range<usize>,
    /// The bytes written (without a trailing newline, as tmpfiles writes).
    pub argument: Vec<u8>,
    /// Where the argument is.
    pub argument_span: Range<usize>,
    /// `w+`: appends instead of writing.
    pub append: bool,
    /// `w!`: only at boot (always true for us: boot is what we model).
    pub boot_only: bool,
    /// The path is a glob.
    pub glob: bool,
}

/// A parsed file: its `w` lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TmpfilesFile {
    /// The `w` lines in order.
    pub writes: Vec<WriteLine>,
    /// Problems found.
    pub issues: Vec<Issue>,
}

/// `extract_first_word` with unquoting and C escapes: the word, its span
/// relative to `s`, and the rest.
fn first_word(s: &[u8]) -> Option<(Vec<u8>, Range<usize>, usize)> {
    let start = s.iter().position(|b| !b.is_ascii_whitespace())?;
    let mut out = Vec::new();
    let mut i = start;
    let mut quote: Option<u8> = None;
    while let Some(&c) = s.get(i) {
        match (quote, c) {
            (None, c) if c.is_ascii_whitespace() => break,
            (None, b'"' | b'\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (_, b'\\') => {
                let (bytes, used) = unescape_one(s.get(i + 1..).unwrap_or_default());
                out.extend_from_slice(&bytes);
                i += used;
            }
            (_, c) => out.push(c),
        }
        i += 1;
    }
    Some((out, start..i, i))
}

/// One C escape after a backslash: the bytes and how many input bytes were
/// used.
fn unescape_one(s: &[u8]) -> (Vec<u8>, usize) {
    let hex = |b: u8| (b as char).to_digit(16);
    match s.first().copied() {
        None => (vec![b'\\'], 0),
        Some(b'n') => (vec![b'\n'], 1),
        Some(b't') => (vec![b'\t'], 1),
        Some(b'r') => (vec![b'\r'], 1),
        Some(b'a') => (vec![7], 1),
        Some(b'b') => (vec![8], 1),
        Some(b'f') => (vec![12], 1),
        Some(b'v') => (vec![11], 1),
        Some(b's') => (vec![b' '], 1),
        Some(b'x') => match (
            s.get(1).copied().and_then(hex),
            s.get(2).copied().and_then(hex),
        ) {
            (Some(a), Some(b)) => (vec![(a * 16 + b) as u8], 3),
            _ => (vec![b'x'], 1),
        },
        Some(c @ b'0'..=b'7') => {
            let mut v = u32::from(c - b'0');
            let mut used = 1;
            while used < 3 {
                match s.get(used) {
                    Some(&d @ b'0'..=b'7') => {
                        v = v * 8 + u32::from(d - b'0');
                        used += 1;
                    }
                    _ => break,
                }
            }
            (vec![(v & 0xff) as u8], used)
        }
        Some(c) => (vec![c], 1),
    }
}

/// C-unescapes a whole argument.
fn unescape(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&c) = s.get(i) {
        if c == b'\\' {
            let (bytes, used) = unescape_one(s.get(i + 1..).unwrap_or_default());
            out.extend_from_slice(&bytes);
            i += used + 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// Parses one file.
pub fn parse(file: FileId, text: &[u8]) -> TmpfilesFile {
    let mut out = TmpfilesFile {
        writes: Vec::new(),
        issues: Vec::new(),
    };
    for l in bounded_lines(file, text, MAX_LINE) {
        let (start, line) = match l {
            Ok(l) => l,
            Err(issue) => {
                out.issues.push(issue);
                continue;
            }
        };
        let lead = line.iter().take_while(|b| b.is_ascii_whitespace()).count();
        if line.get(lead).is_none_or(|&b| b == b'#') {
            continue;
        }
        let mut pos = 0;
        let mut fields: Vec<(Vec<u8>, Range<usize>)> = Vec::new();
        while fields.len() < 6 {
            let Some((w, span, next)) = first_word(line.get(pos..).unwrap_or_default()) else {
                break;
            };
            fields.push((w, pos + span.start..pos + span.end));
            pos += next;
        }
        let Some((ty, ty_span)) = fields.first() else {
            continue;
        };
        if ty.first() != Some(&b'w') {
            continue;
        }
        let mods = ty.get(1..).unwrap_or_default();
        if let Some(bad) = mods.iter().find(|b| !b"+!-=~^".contains(b)) {
            out.issues.push(Issue::new(
                IssueKind::Suspicious,
                file,
                start + ty_span.start..start + ty_span.end,
                format!(
                    "unknown modifier `{}`: systemd-tmpfiles ignores this line",
                    *bad as char
                ),
            ));
            continue;
        }
        let Some((path, path_span)) = fields.get(1) else {
            out.issues.push(Issue::new(
                IssueKind::Suspicious,
                file,
                start + ty_span.start..start + ty_span.end,
                "a `w` line without a path: systemd-tmpfiles ignores it",
            ));
            continue;
        };
        let rest = line.get(pos..).unwrap_or_default();
        let arg_lead = rest.iter().take_while(|b| b.is_ascii_whitespace()).count();
        let arg_raw = rest.get(arg_lead..).unwrap_or_default();
        let arg_start = start + pos + arg_lead;
        if fields.len() < 6 || arg_raw.is_empty() {
            out.issues.push(Issue::new(
                IssueKind::Suspicious,
                file,
                start + ty_span.start..start + line.len(),
                "`w` requires an argument: systemd-tmpfiles ignores this line",
            ));
            continue;
        }
        if mods.contains(&b'~') || mods.contains(&b'^') {
            out.issues.push(Issue::new(
                IssueKind::Unsupported,
                file,
                arg_start..arg_start + arg_raw.len(),
                "a base64 or credential argument: panicpol does not decode it, the value written is unknown",
            ));
            continue;
        }
        let path = String::from_utf8_lossy(path).into_owned();
        if path.contains('%') && !path.contains("%%") {
            out.issues.push(Issue::new(
                IssueKind::Unsupported,
                file,
                start + path_span.start..start + path_span.end,
                "a path with specifiers: panicpol does not expand them",
            ));
            continue;
        }
        out.writes.push(WriteLine {
            glob: path.contains(['*', '?', '[']),
            path: path.replace("%%", "%"),
            path_span: start + path_span.start..start + path_span.end,
            argument: unescape(arg_raw),
            argument_span: arg_start..arg_start + arg_raw.len(),
            append: mods.contains(&b'+'),
            boot_only: mods.contains(&b'!'),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_lines() {
        let text = "# Type Path Mode User Group Age Argument\n\
d /run/foo 0755 root root -\n\
w /sys/module/kernel/parameters/crash_kexec_post_notifiers - - - - Y\n\
w+ \"/proc/sys/kernel/panic\" - - - - 10\\n\n\
w! /sys/kernel/mm/transparent_hugepage/enabled - - - - never\n";
        let f = parse(FileId(1), text.as_bytes());
        assert!(f.issues.is_empty(), "{:?}", f.issues);
        assert_eq!(f.writes.len(), 3);
        let w = &f.writes[0];
        assert_eq!(
            w.path,
            "/sys/module/kernel/parameters/crash_kexec_post_notifiers"
        );
        assert_eq!(w.argument, b"Y");
        assert_eq!(&text[w.argument_span.clone()], "Y");
        assert_eq!(
            &text[w.path_span.clone()],
            "/sys/module/kernel/parameters/crash_kexec_post_notifiers"
        );
        assert!(f.writes[1].append);
        assert_eq!(f.writes[1].path, "/proc/sys/kernel/panic");
        assert_eq!(f.writes[1].argument, b"10\n");
        assert!(f.writes[2].boot_only);
    }

    #[test]
    fn bad_lines() {
        // (line, issue kind)
        let cases: &[(&str, IssueKind)] = &[
            ("w /sys/x\n", IssueKind::Suspicious),
            ("w /sys/x - - - -\n", IssueKind::Suspicious),
            ("wz /sys/x - - - - 1\n", IssueKind::Suspicious),
            ("w~ /sys/x - - - - MQ==\n", IssueKind::Unsupported),
            ("w /sys/%b/x - - - - 1\n", IssueKind::Unsupported),
            ("w\n", IssueKind::Suspicious),
        ];
        for (line, kind) in cases {
            let f = parse(FileId(0), line.as_bytes());
            assert!(f.writes.is_empty(), "{line:?}");
            assert_eq!(f.issues.first().map(|i| i.kind), Some(*kind), "{line:?}");
        }
        let garbage: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
        let _ = parse(FileId(0), &garbage);
        assert_eq!(unescape(b"a\\x41\\101\\\\\\"), b"aAA\\\\");
    }
}
