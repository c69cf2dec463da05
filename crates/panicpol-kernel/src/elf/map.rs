//! The bytes of an image: a read-only memory map of the file (a vmlinux is
//! 300–600 MB and only a few sections are read), or an owned buffer.

use super::error::Error;
use std::fs::File;
use std::path::Path;

/// The bytes of an image.
#[derive(Debug)]
pub(crate) enum Bytes {
    Map(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl Bytes {
    pub(crate) fn as_slice(&self) -> &[u8] {
        match self {
            Bytes::Map(m) => m,
            Bytes::Owned(v) => v,
        }
    }
}

/// Maps `path` read-only.
///
/// Sound enough for our use: memmap2 requires that the file is not modified
/// while mapped, which we cannot enforce. We only ever read the mapping and
/// treat every byte as untrusted input (bounds-checked, no pointers into it
/// are trusted), so a concurrent change can give wrong results or a read
/// error, not undefined behaviour in our own logic; a truncation under us
/// can raise SIGBUS, as it would for any mmap reader (nm, readelf, gdb).
#[allow(unsafe_code)]
fn map_file(file: &File) -> std::io::Result<memmap2::Mmap> {
    // SAFETY: see the function comment: read-only mapping, untrusted bytes.
    unsafe { memmap2::Mmap::map(file) }
}

/// Opens and maps a file. Empty files are read into an empty buffer
/// (mapping zero bytes fails on Linux). Anything but a regular file is
/// refused before it is opened: a FIFO would block the open until a writer
/// comes (a `.ko` FIFO in a modules folder hung `--modules`), and no
/// device or socket can be mapped.
pub(crate) fn open(path: &Path) -> Result<Bytes, Error> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    if !std::fs::metadata(path).map_err(io)?.is_file() {
        return Err(io(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file (a directory, FIFO, socket or device)",
        )));
    }
    let file = File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    if len == 0 {
        return Ok(Bytes::Owned(Vec::new()));
    }
    map_file(&file).map(Bytes::Map).map_err(io)
}
