//! Reading inputs with limits: the CLI is the only place that touches files.
//!
//! Every failure names the path and says what is wrong; nothing here panics or
//! reads an unbounded amount of memory.

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use panicpol_diagnostics::{Layer, SourceFile};

/// A failure that stops the run (exit code 2).
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) message: String,
    pub(crate) kind: Option<io::ErrorKind>,
}

impl Failure {
    pub(crate) fn new(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            kind: None,
        }
    }

    pub(crate) fn io(context: impl fmt::Display, err: &io::Error) -> Failure {
        Failure {
            message: format!("{context}: {}", describe_io(err)),
            kind: Some(err.kind()),
        }
    }

    pub(crate) fn is_broken_pipe(&self) -> bool {
        self.kind == Some(io::ErrorKind::BrokenPipe)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

fn describe_io(err: &io::Error) -> String {
    match err.kind() {
        io::ErrorKind::NotFound => "no such file or directory".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        io::ErrorKind::IsADirectory => "is a directory".into(),
        _ => err.to_string(),
    }
}

/// The largest file panicpol reads as text. A command line is at most a few
/// KiB; a grub.cfg or bootconfig a few hundred.
pub(crate) const TEXT_LIMIT: u64 = 4 << 20;

/// Reads at most `limit` bytes of `path`; more is an error, not a truncation.
pub(crate) fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, Failure> {
    let shown = path.display();
    let file = File::open(path).map_err(|e| Failure::io(&shown, &e))?;
    let meta = file.metadata().map_err(|e| Failure::io(&shown, &e))?;
    if meta.is_dir() {
        return Err(Failure::new(format!("{shown}: is a directory, not a file")));
    }
    read_all(file.take(limit + 1), limit, &shown.to_string())
}

/// Reads standard input with the same limit.
pub(crate) fn read_stdin(limit: u64) -> Result<Vec<u8>, Failure> {
    read_all(io::stdin().lock().take(limit + 1), limit, "<stdin>")
}

fn read_all(mut r: impl Read, limit: u64, shown: &str) -> Result<Vec<u8>, Failure> {
    let mut buf = Vec::new();
    r.read_to_end(&mut buf)
        .map_err(|e| Failure::io(shown, &e))?;
    if buf.len() as u64 > limit {
        return Err(Failure::new(format!(
            "{shown}: larger than {} MiB; this is not a command line or configuration file",
            limit >> 20
        )));
    }
    Ok(buf)
}

/// Why bytes are not a text file, if they are not.
pub(crate) fn binary_reason(bytes: &[u8]) -> Option<&'static str> {
    const MAGICS: &[(&[u8], &str)] = &[
        (b"\x7fELF", "an ELF file"),
        (b"\x1f\x8b", "gzip-compressed data"),
        (b"\xfd7zXZ\0", "xz-compressed data"),
        (b"\x28\xb5\x2f\xfd", "zstd-compressed data"),
        (b"MZ", "a PE/EFI executable"),
        (b"070701", "a cpio archive"),
    ];
    for (magic, what) in MAGICS {
        if bytes.starts_with(magic) {
            return Some(what);
        }
    }
    // A few stray control bytes are findings (PP103); mostly control bytes is
    // not text at all.
    let head = bytes.get(..4096).unwrap_or(bytes);
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0b | 0x0c))
        .count();
    (control * 10 > head.len() && control > 2).then_some("binary data")
}

/// A command line given in a file (or `-` for stdin), checked to be text.
pub(crate) fn cmdline_file(path: &Path) -> Result<SourceFile, Failure> {
    let (name, bytes) = if path == Path::new("-") {
        ("<stdin>".to_string(), read_stdin(TEXT_LIMIT)?)
    } else {
        (path.display().to_string(), read_limited(path, TEXT_LIMIT)?)
    };
    // No kernel takes more than 1 MiB (s390's largest COMMAND_LINE_SIZE).
    if bytes.len() > 1 << 20 {
        return Err(Failure::new(format!(
            "{name}: {} bytes: longer than any kernel accepts; not a command line",
            bytes.len()
        )));
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Failure::new(format!(
            "{name}: empty; there is no command line to check"
        )));
    }
    if let Some(what) = binary_reason(&bytes) {
        return Err(Failure::new(format!(
            "{name}: looks like {what}, not a command line"
        )));
    }
    Ok(SourceFile::new(name, bytes, Layer::Cmdline))
}

/// The command-line part of a raw command-line file: without trailing newlines
/// (`/proc/cmdline` ends with one; the kernel's string does not).
pub(crate) fn cmdline_extent(text: &[u8]) -> usize {
    let mut end = text.len();
    while end > 0 && matches!(text.get(end - 1), Some(b'\n' | b'\r')) {
        end -= 1;
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_detection() {
        assert_eq!(binary_reason(b"\x7fELF\x02\x01"), Some("an ELF file"));
        assert_eq!(binary_reason(b"console=ttyS0 quiet\n"), None);
        assert_eq!(binary_reason(b"a=1\0b=2\n"), None);
        assert_eq!(
            binary_reason(&[0u8, 1, 2, 3, 4, 5, 6, 7, 8]),
            Some("binary data")
        );
    }

    #[test]
    fn extent_drops_trailing_newlines() {
        assert_eq!(cmdline_extent(b"a b\n"), 3);
        assert_eq!(cmdline_extent(b"a b\r\n\n"), 3);
        assert_eq!(cmdline_extent(b""), 0);
    }
}
