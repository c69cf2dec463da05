//! The bootconfig footer of an initrd: attach, detach, read and show, byte for
//! byte as `tools/bootconfig -a` writes it and as the kernel finds it.
//!
//! Layout (`include/linux/bootconfig.h`, `tools/bootconfig/main.c:apply_xbc`):
//!
//! ```text
//! [initrd][text][NUL][NUL padding][le32 size][le32 checksum]["#BOOTCONFIG\n"]
//! ```
//!
//! - the padding makes the whole file a multiple of 4 bytes
//!   (`BOOTCONFIG_ALIGN`);
//! - `size` = text + 1 + padding, the bytes the kernel hands to `xbc_init`;
//! - `checksum` = the bytes of the text summed into a wrapping `u32`
//!   (`xbc_calc_checksum`; the NUL and padding add nothing);
//! - the kernel (`init/main.c:get_boot_config_from_initrd`) looks for the
//!   magic at the end and up to 3 bytes earlier ("Grub may align the size of
//!   initrd to 4"), rejects a size above `XBC_DATA_MAX` (6.12) or beyond the
//!   initrd, checks the checksum, and on success cuts the initrd before the
//!   data so the unpacker never sees it.
//!
//! Size limits differ by version: 6.1's `setup_boot_config` rejects
//! `size >= 32767`, 6.12.117 rejects `size > 32767`. [`attach`] refuses
//! anything above [`MAX_ATTACH_SIZE`] (32766) so the result boots on both.
//!
//! The file operations replace the file atomically (a temporary file in the
//! same folder, written, synced, given the original's permissions and owner,
//! renamed over the original, then the folder synced): on any error the
//! original is untouched. They read only the tail of the file to find the
//! footer and stream the rest, so a large initrd is never loaded whole.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use panicpol_syntax::bootconfig::{self, Bootconfig, Options, ParseError, XBC_DATA_MAX};

/// `BOOTCONFIG_MAGIC`.
pub const BOOTCONFIG_MAGIC: &[u8; 12] = b"#BOOTCONFIG\n";
/// Size field, checksum field and magic.
pub const FOOTER_LEN: usize = 4 + 4 + BOOTCONFIG_MAGIC.len();
/// `BOOTCONFIG_ALIGN`: the attached file's size is a multiple of this.
pub const BOOTCONFIG_ALIGN: usize = 4;
/// The largest size field (text + NUL + padding) [`attach`] writes: 6.1
/// rejects 32767 and more, 6.12 rejects more than 32767.
pub const MAX_ATTACH_SIZE: usize = XBC_DATA_MAX - 1;
/// How many bytes after the magic the kernel tolerates.
pub const MAX_TRAILING: usize = panicpol_syntax::bootconfig::FOOTER_TRAILING_MAX;

/// A footer found at the end of an initrd. Offsets are from the start of
/// the bytes that were searched (the file for the file operations).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Footer {
    /// Where the bootconfig data starts: the original initrd ends here.
    pub data_start: u64,
    /// The size field: text + NUL + padding.
    pub size: u32,
    /// The checksum field (equal to the data's sum: it was checked).
    pub checksum: u32,
    /// Where the magic starts.
    pub magic_at: u64,
    /// Bytes after the magic (0 to 3; a bootloader's alignment).
    pub trailing: usize,
}

/// Why the kernel would not use a footer whose magic is present. The
/// messages are the kernel's (6.12), with the two checksums added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FooterError {
    /// The size field is above `XBC_DATA_MAX`.
    SizeTooBig {
        /// The size field.
        size: u32,
    },
    /// The size field reaches before the start of the initrd.
    SizeBeyondInitrd {
        /// The size field.
        size: u32,
        /// The initrd's length, as the kernel prints it.
        initrd_len: u64,
    },
    /// The data does not sum to the checksum field.
    BadChecksum {
        /// The checksum field.
        stored: u32,
        /// The data's sum.
        computed: u32,
    },
}

impl fmt::Display for FooterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FooterError::SizeTooBig { size } => {
                write!(
                    f,
                    "bootconfig size {size} is greater than max size {XBC_DATA_MAX}"
                )
            }
            FooterError::SizeBeyondInitrd { size, initrd_len } => {
                write!(
                    f,
                    "bootconfig size {size} is greater than initrd size {initrd_len}"
                )
            }
            FooterError::BadChecksum { stored, computed } => write!(
                f,
                "bootconfig checksum failed: the footer says {stored}, the data sums to {computed}"
            ),
        }
    }
}

impl std::error::Error for FooterError {}

/// Why a bootconfig cannot be attached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttachError {
    /// The text has a NUL byte: the kernel would stop reading there.
    NulInText {
        /// Offset of the NUL in the text.
        offset: usize,
    },
    /// The kernel's parser rejects the text (it would log the error and
    /// ignore the bootconfig).
    Parse(ParseError),
    /// Text + NUL + padding would exceed [`MAX_ATTACH_SIZE`].
    TooBig {
        /// The size field it would need.
        size: usize,
    },
    /// The initrd already ends with a footer the kernel would reject; it is
    /// not replaced, since its extent cannot be trusted.
    BadExistingFooter(FooterError),
}

impl fmt::Display for AttachError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AttachError::NulInText { offset } => {
                write!(f, "the bootconfig text has a NUL byte at offset {offset}")
            }
            AttachError::Parse(e) => write!(f, "the kernel would reject this bootconfig: {e}"),
            AttachError::TooBig { size } => write!(
                f,
                "bootconfig size {size} (text, NUL and padding) is greater than max size {MAX_ATTACH_SIZE}"
            ),
            AttachError::BadExistingFooter(e) => {
                write!(
                    f,
                    "the initrd already ends with a broken bootconfig footer: {e}"
                )
            }
        }
    }
}

impl std::error::Error for AttachError {}

/// Why a footer's bootconfig cannot be shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShowError {
    /// The footer is broken.
    Footer(FooterError),
    /// The footer is sound but the kernel's parser rejects the data.
    Parse(ParseError),
}

impl fmt::Display for ShowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShowError::Footer(e) => e.fmt(f),
            ShowError::Parse(e) => {
                write!(f, "the kernel would reject the attached bootconfig: {e}")
            }
        }
    }
}

impl std::error::Error for ShowError {}

/// `xbc_calc_checksum`: the bytes summed into a wrapping `u32`.
pub fn checksum(data: &[u8]) -> u32 {
    data.iter()
        .fold(0u32, |acc, &b| acc.wrapping_add(u32::from(b)))
}

fn le32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes(s.try_into().ok()?))
}

/// `get_boot_config_from_initrd` on `tail`, the last bytes of an initrd
/// whose first byte is at `tail_offset`. `tail` must hold at least the
/// footer, the trailing bytes and `XBC_DATA_MAX` bytes before them (or the
/// whole initrd).
fn find_in(tail: &[u8], tail_offset: u64) -> Result<Option<Footer>, FooterError> {
    let len = tail.len();
    let total = tail_offset + len as u64;
    if total < FOOTER_LEN as u64 {
        return Ok(None);
    }
    let mut found = None;
    for i in 0..=MAX_TRAILING {
        let Some(at) = len.checked_sub(BOOTCONFIG_MAGIC.len() + i) else {
            break;
        };
        if tail.get(at..at + BOOTCONFIG_MAGIC.len()) == Some(&BOOTCONFIG_MAGIC[..]) {
            found = Some((at, i));
            break;
        }
    }
    let Some((magic_at, trailing)) = found else {
        return Ok(None);
    };
    // The two fields sit right before the magic; before the initrd's
    // start, the kernel gives up silently.
    let Some(hdr) = magic_at.checked_sub(8) else {
        return Ok(None);
    };
    let (Some(size), Some(stored)) = (le32(tail, hdr), le32(tail, hdr + 4)) else {
        return Ok(None);
    };
    if size as usize > XBC_DATA_MAX {
        return Err(FooterError::SizeTooBig { size });
    }
    let hdr_abs = tail_offset + hdr as u64;
    if u64::from(size) > hdr_abs {
        return Err(FooterError::SizeBeyondInitrd {
            size,
            initrd_len: total,
        });
    }
    // With the tail holding XBC_DATA_MAX bytes before the footer, the data
    // is inside it.
    let data = hdr
        .checked_sub(size as usize)
        .and_then(|start| tail.get(start..hdr))
        .unwrap_or_default();
    let computed = checksum(data);
    if computed != stored {
        return Err(FooterError::BadChecksum { stored, computed });
    }
    Ok(Some(Footer {
        data_start: hdr_abs - u64::from(size),
        size,
        checksum: stored,
        magic_at: tail_offset + magic_at as u64,
        trailing,
    }))
}

/// Finds and checks the footer as the 6.12 kernel does. `Ok(None)`: no
/// magic (the kernel uses the initrd as is).
pub fn read(initrd: &[u8]) -> Result<Option<Footer>, FooterError> {
    find_in(initrd, 0)
}

/// The footer's data as the kernel passes it to `xbc_init` (text, NUL,
/// padding).
pub fn footer_data<'a>(initrd: &'a [u8], footer: &Footer) -> &'a [u8] {
    let start = usize::try_from(footer.data_start).unwrap_or(usize::MAX);
    initrd
        .get(start..start.saturating_add(footer.size as usize))
        .unwrap_or_default()
}

/// The footer's text: its data up to the first NUL.
pub fn footer_text<'a>(initrd: &'a [u8], footer: &Footer) -> &'a [u8] {
    let data = footer_data(initrd, footer);
    let end = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    data.get(..end).unwrap_or_default()
}

/// A footer and its parsed bootconfig.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    /// The footer.
    pub footer: Footer,
    /// The text, up to the first NUL.
    pub text: Vec<u8>,
    /// The tree as the kernel parses the footer's data.
    pub config: Bootconfig,
}

/// Reads the footer and parses its data as the kernel would at boot.
pub fn show(initrd: &[u8]) -> Result<Option<Shown>, ShowError> {
    let Some(footer) = read(initrd).map_err(ShowError::Footer)? else {
        return Ok(None);
    };
    let config = bootconfig::parse(footer_data(initrd, &footer), Options::KERNEL)
        .map_err(ShowError::Parse)?;
    Ok(Some(Shown {
        text: footer_text(initrd, &footer).to_vec(),
        footer,
        config,
    }))
}

/// The initrd without its footer: the original bytes exactly. An initrd
/// without a footer is returned whole; one whose footer the kernel would
/// reject is an error (where the original ends is then unknown).
pub fn detach(initrd: &[u8]) -> Result<&[u8], FooterError> {
    match read(initrd)? {
        None => Ok(initrd),
        Some(f) => Ok(initrd
            .get(..usize::try_from(f.data_start).unwrap_or(initrd.len()))
            .unwrap_or(initrd)),
    }
}

/// What an attach wrote, in the terms `bootconfig -a` prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachInfo {
    /// The original initrd's length (an old footer removed).
    pub base_len: u64,
    /// Whether an old footer was replaced.
    pub replaced: bool,
    /// Text + NUL (the tool's `Size:`).
    pub text_size: usize,
    /// The size field: text + NUL + padding.
    pub size: u32,
    /// The checksum field (the tool's `Checksum:`).
    pub checksum: u32,
    /// Nodes in the parsed tree (the tool's `Number of nodes:`, the kernel's
    /// `Load bootconfig: … nodes`).
    pub nodes: usize,
}

/// Checks the text and builds everything after the original initrd: text,
/// NUL, padding and footer, for an initrd of `base_len` bytes.
fn build_tail(base_len: u64, text: &[u8]) -> Result<(Vec<u8>, AttachInfo), AttachError> {
    if let Some(offset) = text.iter().position(|&b| b == 0) {
        return Err(AttachError::NulInText { offset });
    }
    let text_size = text.len() + 1;
    let unpadded = base_len + text_size as u64 + FOOTER_LEN as u64;
    let pad =
        (BOOTCONFIG_ALIGN as u64 - unpadded % BOOTCONFIG_ALIGN as u64) as usize % BOOTCONFIG_ALIGN;
    let size = text_size + pad;
    if size > MAX_ATTACH_SIZE {
        return Err(AttachError::TooBig { size });
    }
    let mut out = Vec::with_capacity(size + FOOTER_LEN);
    out.extend_from_slice(text);
    out.resize(size, 0);
    // The kernel parses exactly these bytes: text, NUL, padding.
    let config = bootconfig::parse(&out, Options::KERNEL).map_err(AttachError::Parse)?;
    let csum = checksum(text);
    let size32 = size as u32;
    out.extend_from_slice(&size32.to_le_bytes());
    out.extend_from_slice(&csum.to_le_bytes());
    out.extend_from_slice(BOOTCONFIG_MAGIC);
    Ok((
        out,
        AttachInfo {
            base_len,
            replaced: false,
            text_size,
            size: size32,
            checksum: csum,
            nodes: config.node_count(),
        },
    ))
}

/// Attaches `text` to `initrd`, replacing a footer already there (never
/// stacking a second one). Byte-identical to `bootconfig -a`.
pub fn attach(initrd: &[u8], text: &[u8]) -> Result<Vec<u8>, AttachError> {
    attach_with_info(initrd, text).map(|(bytes, _)| bytes)
}

/// [`attach`], also returning what was written.
pub fn attach_with_info(initrd: &[u8], text: &[u8]) -> Result<(Vec<u8>, AttachInfo), AttachError> {
    let base = detach(initrd).map_err(AttachError::BadExistingFooter)?;
    let (tail, mut info) = build_tail(base.len() as u64, text)?;
    info.replaced = base.len() != initrd.len();
    let mut out = Vec::with_capacity(base.len() + tail.len());
    out.extend_from_slice(base);
    out.extend_from_slice(&tail);
    Ok((out, info))
}

/// The file-system steps of an atomic replacement, so that tests can make
/// any of them fail. [`RealFs`] does the real thing.
pub trait FileOps {
    /// Creates the new, empty temporary file (it must not exist).
    fn create(&mut self, path: &Path) -> io::Result<File> {
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
    }
    /// Writes bytes to the temporary file.
    fn write(&mut self, file: &mut File, bytes: &[u8]) -> io::Result<()> {
        file.write_all(bytes)
    }
    /// Flushes the temporary file to disk.
    fn sync(&mut self, file: &File) -> io::Result<()> {
        file.sync_all()
    }
    /// Renames the temporary file over the original.
    fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()> {
        fs::rename(from, to)
    }
}

/// The real file system.
#[derive(Debug, Default, Clone, Copy)]
pub struct RealFs;

impl FileOps for RealFs {}

/// A failed file operation; the original file is unchanged.
#[derive(Debug)]
pub enum FileError {
    /// An I/O step failed.
    Io {
        /// What was being done.
        op: &'static str,
        /// On which path.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
    /// The path is not a regular file.
    NotAFile(PathBuf),
    /// The footer already there is broken (detach).
    Footer(FooterError),
    /// The bootconfig cannot be attached.
    Attach(AttachError),
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileError::Io { op, path, source } => {
                write!(f, "cannot {op} {}: {source}", path.display())
            }
            FileError::NotAFile(p) => write!(f, "{} is not a regular file", p.display()),
            FileError::Footer(e) => e.fmt(f),
            FileError::Attach(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for FileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FileError::Io { source, .. } => Some(source),
            FileError::Footer(e) => Some(e),
            FileError::Attach(e) => Some(e),
            FileError::NotAFile(_) => None,
        }
    }
}

fn io_err<'a>(op: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> FileError + 'a {
    move |source| FileError::Io {
        op,
        path: path.to_path_buf(),
        source,
    }
}

/// An opened original: its resolved path, metadata and footer.
struct Original {
    path: PathBuf,
    file: File,
    meta: fs::Metadata,
    footer: Option<Footer>,
}

fn open_original(path: &Path) -> Result<Original, FileError> {
    // Replace the file a symlink points to, not the link.
    let path = fs::canonicalize(path).map_err(io_err("resolve", path))?;
    let mut file = File::open(&path).map_err(io_err("open", &path))?;
    let meta = file.metadata().map_err(io_err("stat", &path))?;
    if !meta.is_file() {
        return Err(FileError::NotAFile(path));
    }
    let len = meta.len();
    let tail_len = len.min((XBC_DATA_MAX + FOOTER_LEN + MAX_TRAILING) as u64);
    let tail_offset = len - tail_len;
    file.seek(SeekFrom::Start(tail_offset))
        .map_err(io_err("seek in", &path))?;
    let mut tail = Vec::with_capacity(tail_len as usize);
    (&mut file)
        .take(tail_len)
        .read_to_end(&mut tail)
        .map_err(io_err("read", &path))?;
    let footer = find_in(&tail, tail_offset).map_err(FileError::Footer)?;
    Ok(Original {
        path,
        file,
        meta,
        footer,
    })
}

/// Writes `prefix_len` bytes of the original then `tail` into a temporary
/// file next to the original, and renames it over the original.
fn replace(
    orig: &mut Original,
    prefix_len: u64,
    tail: &[u8],
    ops: &mut dyn FileOps,
) -> Result<(), FileError> {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let dir = orig.path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let name = orig
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(
        ".{name}.panicpol-{}-{}.tmp",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    ));
    let mut out = ops.create(&tmp).map_err(io_err("create", &tmp))?;
    let result = fill_and_commit(orig, prefix_len, tail, ops, &mut out, &tmp, &dir);
    if result.is_err() {
        // Best effort: the temporary file is ours and useless now.
        let _ = fs::remove_file(&tmp);
    }
    result
}

fn fill_and_commit(
    orig: &mut Original,
    prefix_len: u64,
    tail: &[u8],
    ops: &mut dyn FileOps,
    out: &mut File,
    tmp: &Path,
    dir: &Path,
) -> Result<(), FileError> {
    let path = orig.path.clone();
    orig.file
        .seek(SeekFrom::Start(0))
        .map_err(io_err("seek in", &path))?;
    let mut left = prefix_len;
    let mut buf = vec![0u8; 1 << 16];
    while left > 0 {
        let want = buf.len().min(usize::try_from(left).unwrap_or(buf.len()));
        let chunk = buf.get_mut(..want).unwrap_or_default();
        let n = orig.file.read(chunk).map_err(io_err("read", &path))?;
        if n == 0 {
            return Err(FileError::Io {
                op: "read",
                path,
                source: io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the file shrank while being read",
                ),
            });
        }
        ops.write(out, chunk.get(..n).unwrap_or_default())
            .map_err(io_err("write", tmp))?;
        left -= n as u64;
    }
    ops.write(out, tail).map_err(io_err("write", tmp))?;
    // Mode and owner of the original; before the data is durable, so a
    // crash never leaves a file with the wrong ones in place.
    out.set_permissions(orig.meta.permissions())
        .map_err(io_err("set permissions of", tmp))?;
    let (uid, gid) = (orig.meta.uid(), orig.meta.gid());
    let mine = out.metadata().map_err(io_err("stat", tmp))?;
    if mine.uid() != uid || mine.gid() != gid {
        std::os::unix::fs::fchown(&*out, Some(uid), Some(gid))
            .map_err(io_err("set the owner of", tmp))?;
    }
    ops.sync(out).map_err(io_err("sync", tmp))?;
    ops.rename(tmp, &path)
        .map_err(io_err("rename over", &path))?;
    // The rename is durable once the folder is synced. The file has been
    // replaced at this point, so a failure here is reported but the
    // temporary file is gone.
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_err("sync the folder", dir))
}

/// Attaches `text` to the initrd at `path` in place, atomically, replacing
/// an existing footer.
pub fn attach_file(path: &Path, text: &[u8]) -> Result<AttachInfo, FileError> {
    attach_file_with(path, text, &mut RealFs)
}

/// [`attach_file`] with the file-system steps supplied by the caller.
pub fn attach_file_with(
    path: &Path,
    text: &[u8],
    ops: &mut dyn FileOps,
) -> Result<AttachInfo, FileError> {
    let mut orig = open_original(path)?;
    let base_len = orig
        .footer
        .as_ref()
        .map_or(orig.meta.len(), |f| f.data_start);
    let (tail, mut info) = build_tail(base_len, text).map_err(FileError::Attach)?;
    info.replaced = orig.footer.is_some();
    replace(&mut orig, base_len, &tail, ops)?;
    Ok(info)
}

/// Removes the footer from the initrd at `path`, atomically. Returns the
/// removed footer, or `None` (and leaves the file alone) when there is none.
pub fn detach_file(path: &Path) -> Result<Option<Footer>, FileError> {
    detach_file_with(path, &mut RealFs)
}

/// [`detach_file`] with the file-system steps supplied by the caller.
pub fn detach_file_with(path: &Path, ops: &mut dyn FileOps) -> Result<Option<Footer>, FileError> {
    let mut orig = open_original(path)?;
    let Some(footer) = orig.footer.clone() else {
        return Ok(None);
    };
    replace(&mut orig, footer.data_start, &[], ops)?;
    Ok(Some(footer))
}

/// Reads the footer of the initrd at `path` and parses it, reading only the
/// file's tail.
pub fn show_file(path: &Path) -> Result<Option<Shown>, FileError> {
    let mut orig = open_original(path)?;
    let Some(footer) = orig.footer.clone() else {
        return Ok(None);
    };
    let mut data = vec![0u8; footer.size as usize];
    orig.file
        .seek(SeekFrom::Start(footer.data_start))
        .and_then(|_| orig.file.read_exact(&mut data))
        .map_err(io_err("read", &orig.path))?;
    let config = bootconfig::parse(&data, Options::KERNEL)
        .map_err(|e| FileError::Attach(AttachError::Parse(e)))?;
    let end = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    data.truncate(end);
    Ok(Some(Shown {
        footer,
        text: data,
        config,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &[u8] = b"kernel {\n\tpanic_print = 0x3\n\tcrash_kexec_post_notifiers\n}\n";

    #[test]
    fn layout_size_padding_and_checksum() {
        for base_len in 0..8 {
            let initrd = vec![0x5a; base_len];
            let out = attach(&initrd, TEXT).expect("attach");
            assert_eq!(
                out.len() % BOOTCONFIG_ALIGN,
                0,
                "aligned for base {base_len}"
            );
            assert_eq!(&out[..base_len], &initrd[..]);
            assert_eq!(&out[base_len..base_len + TEXT.len()], TEXT);
            let size = le32(&out, out.len() - 20).expect("size") as usize;
            let pad = size - TEXT.len() - 1;
            assert!(pad < 4);
            assert_eq!(base_len + size + FOOTER_LEN, out.len());
            assert!(
                out[base_len + TEXT.len()..base_len + size]
                    .iter()
                    .all(|&b| b == 0)
            );
            assert_eq!(le32(&out, out.len() - 16), Some(checksum(TEXT)));
            assert_eq!(&out[out.len() - 12..], BOOTCONFIG_MAGIC);
        }
    }

    #[test]
    fn reference_boot_footer() {
        // The reference boot: an 84-byte text on a 1,028,466-byte initrd
        // gives 85 data bytes, 1 byte of padding and a size field of 86.
        let text = [b'#'; 77]
            .iter()
            .chain(b"\na = 1\n")
            .copied()
            .collect::<Vec<u8>>();
        assert_eq!(text.len(), 84);
        let (_, info) = attach_with_info(&[0u8; 1028466], &text).expect("attach");
        assert_eq!((info.size, info.text_size), (86, 85));
        assert_eq!(checksum(b"a = 1\n"), 97 + 32 + 61 + 32 + 49 + 10);
        assert_eq!(
            checksum(&[0xff; 0x0101_0102]),
            0xff_u32.wrapping_mul(0x0101_0102)
        );
    }

    #[test]
    fn round_trip_and_no_stacking() {
        let initrd: Vec<u8> = (0..1000u32).map(|i| (i * 7) as u8).collect();
        let once = attach(&initrd, TEXT).expect("attach");
        assert_eq!(detach(&once).expect("detach"), &initrd[..]);
        assert_eq!(attach(&once, TEXT).expect("again"), once);
        let other = attach(&once, b"a = 1\n").expect("replace");
        assert_eq!(detach(&other).expect("detach"), &initrd[..]);
        let shown = show(&other).expect("show").expect("footer");
        assert_eq!(shown.text, b"a = 1\n");
        assert_eq!(detach(&initrd).expect("no footer"), &initrd[..]);
    }

    #[test]
    fn grub_alignment_is_tolerated_up_to_three_bytes() {
        let once = attach(b"initrd", TEXT).expect("attach");
        for extra in 1..=3 {
            let mut padded = once.clone();
            padded.resize(once.len() + extra, 0);
            let f = read(&padded).expect("valid").expect("found");
            assert_eq!(f.trailing, extra);
            assert_eq!(detach(&padded).expect("detach"), b"initrd");
        }
        let mut four = once.clone();
        four.resize(once.len() + 4, 0);
        assert_eq!(read(&four), Ok(None));
    }

    #[test]
    fn corrupt_footers_are_reported_as_the_kernel_reports_them() {
        let good = attach(&[7u8; 64], TEXT).expect("attach");
        let n = good.len();
        let mut bad = good.clone();
        bad[n - 16] ^= 1;
        let stored = le32(&bad, n - 16).expect("csum");
        assert_eq!(
            read(&bad),
            Err(FooterError::BadChecksum {
                stored,
                computed: checksum(TEXT)
            })
        );
        let mut bad = good.clone();
        bad[n - 20..n - 16].copy_from_slice(&40000u32.to_le_bytes());
        let e = read(&bad).expect_err("too big");
        assert_eq!(
            e.to_string(),
            "bootconfig size 40000 is greater than max size 32767"
        );
        let mut bad = good.clone();
        bad[n - 20..n - 16].copy_from_slice(&1000u32.to_le_bytes());
        let e = read(&bad).expect_err("beyond");
        assert_eq!(
            e.to_string(),
            format!("bootconfig size 1000 is greater than initrd size {n}")
        );
        assert!(matches!(
            attach(&bad, TEXT),
            Err(AttachError::BadExistingFooter(_))
        ));
        // A magic with no room for the fields: not a footer.
        assert_eq!(read(b"12345#BOOTCONFIG\n"), Ok(None));
        assert_eq!(read(b"#BOOTCONFIG\n"), Ok(None));
        assert_eq!(read(b""), Ok(None));
    }

    #[test]
    fn refusals() {
        assert_eq!(
            attach(b"", b"a\0b\n"),
            Err(AttachError::NulInText { offset: 1 })
        );
        assert!(matches!(
            attach(b"", b"a = 1\na = 2\n"),
            Err(AttachError::Parse(_))
        ));
        assert!(matches!(attach(b"", b""), Err(AttachError::Parse(_))));
        // 32765 bytes of text + NUL = 32766: the largest that boots on 6.1
        // and 6.12 (with an initrd that needs no padding).
        let mut text = vec![b'#'; 32758];
        text.extend_from_slice(b"\na = 1\n");
        assert_eq!(text.len(), 32765);
        let base = vec![0u8; (4 - (32766 + FOOTER_LEN) % 4) % 4];
        assert!(attach(&base, &text).is_ok());
        // One byte more of initrd needs one byte of padding: 32767.
        assert_eq!(
            attach(&[0u8; 1], &text),
            Err(AttachError::TooBig { size: 32767 })
        );
        text.insert(0, b'#');
        assert!(matches!(
            attach(&base, &text),
            Err(AttachError::TooBig { .. })
        ));
    }
}
