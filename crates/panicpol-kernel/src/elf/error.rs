//! The one error type of the vmlinux reader: every way a file can fail to be
//! a readable kernel image, each with enough context to act on.

use super::decompress::{Compression, hex};
use std::fmt;
use std::path::PathBuf;

/// Why a vmlinux (or a module) could not be read.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The file could not be opened or mapped.
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The first bytes are not `\x7fELF`.
    NotElf,
    /// A 32-bit ELF: only ELF64 kernels are supported for now.
    Not64Bit,
    /// A big-endian ELF: only little-endian kernels are supported for now.
    BigEndian,
    /// The ELF header itself is malformed (goblin's message).
    BadHeader(String),
    /// A structure lies (partly) past the end of the file.
    Truncated {
        /// What was being read.
        what: String,
        /// Its file offset.
        offset: u64,
        /// Its size in bytes.
        size: u64,
        /// The file size.
        file_size: u64,
    },
    /// A count or size in the file is not plausible.
    Absurd {
        /// What was being counted.
        what: String,
        /// The value found.
        value: u64,
    },
    /// No `.symtab`: a stripped image (e.g. the vmlinux inside a vmlinuz).
    NoSymtab,
    /// A symbol the reader needs is missing.
    MissingSymbol(String),
    /// A section the reader needs is missing.
    MissingSection(String),
    /// A pointer in a table does not point into the image.
    BadPointer {
        /// What the pointer is (e.g. "name of __param entry 12").
        what: String,
        /// Its value.
        addr: u64,
    },
    /// A string in the image is not NUL-terminated within its section or
    /// within the reader's bound.
    BadString {
        /// What the string is.
        what: String,
        /// Its address.
        addr: u64,
    },
    /// A compressed module's data is damaged, truncated, or needs more
    /// memory than the decoder's bound (dictionary or window).
    Decompress {
        /// The format told by the magic bytes.
        format: Compression,
        /// The decoder's reason.
        reason: String,
    },
    /// A compressed module decompresses to more than the bound
    /// ([`super::decompress::MAX_DECOMPRESSED`] when reading modules).
    DecompressedTooLarge {
        /// The format told by the magic bytes.
        format: Compression,
        /// The bound, in bytes.
        limit: u64,
    },
    /// Bytes that start with no known compression magic (nor, for a file
    /// named `.ko.xz`/`.ko.zst`/`.ko.gz`, with ELF's).
    NotCompressed {
        /// The first bytes of the file (up to 6).
        head: Vec<u8>,
        /// The suffix the file name gave after `.ko.` (`xz`, `zst` …), if
        /// it was named as compressed.
        named: Option<String>,
    },
    /// A line of the embedded notifier catalogue is malformed.
    Catalogue {
        /// 1-based line number in `grammar/notifiers.tsv`.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { path, source } => write!(f, "cannot read {}: {source}", path.display()),
            Error::NotElf => write!(f, "not an ELF file (no \\x7fELF magic)"),
            Error::Not64Bit => write!(f, "32-bit ELF: only 64-bit kernels are supported"),
            Error::BigEndian => {
                write!(
                    f,
                    "big-endian ELF: only little-endian kernels are supported"
                )
            }
            Error::BadHeader(m) => write!(f, "malformed ELF header: {m}"),
            Error::Truncated {
                what,
                offset,
                size,
                file_size,
            } => write!(
                f,
                "truncated or corrupt file: {what} at offset {offset:#x} ({size} bytes) \
                 ends past the end of the file ({file_size} bytes)"
            ),
            Error::Absurd { what, value } => {
                write!(f, "corrupt file: implausible {what} ({value})")
            }
            Error::NoSymtab => write!(
                f,
                "no .symtab: this image is stripped; use the debug vmlinux (e.g. Debian's -dbg \
                 package) or give a System.map"
            ),
            Error::MissingSymbol(s) => write!(f, "symbol `{s}` not found in the image"),
            Error::MissingSection(s) => write!(f, "section `{s}` not found in the image"),
            Error::BadPointer { what, addr } => {
                write!(f, "{what}: pointer {addr:#x} does not point into the image")
            }
            Error::BadString { what, addr } => {
                write!(f, "{what}: no NUL-terminated string at {addr:#x}")
            }
            Error::Decompress { format, reason } => {
                write!(f, "cannot decompress {format} data: {reason}")
            }
            Error::DecompressedTooLarge { format, limit } => {
                let bound = if limit % (1 << 20) == 0 {
                    format!("{} MiB", limit >> 20)
                } else {
                    format!("{limit} bytes")
                };
                write!(
                    f,
                    "{format} data decompresses to more than {bound}, the bound on a module's size"
                )
            }
            Error::NotCompressed { head, named } => {
                let what = match named.as_deref() {
                    Some(s) => match Compression::from_suffix(s) {
                        Some(c) => format!("named .ko.{s} but neither {c}-compressed nor ELF"),
                        None => format!(
                            "named .ko.{s}, an unknown compression, and neither xz, zstd, gzip nor ELF"
                        ),
                    },
                    None => "not xz, zstd or gzip data".to_string(),
                };
                write!(f, "{what} (first bytes: {})", hex(head))
            }
            Error::Catalogue { line, message } => {
                write!(f, "notifier catalogue line {line}: {message}")
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}
