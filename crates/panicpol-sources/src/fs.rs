//! Reading files of an image or root tree as the booted system would see
//! them, with bounds.
//!
//! A root tree is an unpacked image or a mounted disk: its absolute
//! symlinks (`/etc/sysctl.d/99-sysctl.conf -> /etc/sysctl.conf`) point into
//! the image, not into the host. [`Root::resolve`] follows every symlink
//! component by component inside the root, as a `chroot` would: an absolute
//! target restarts at the root, `..` never climbs above it, and more than
//! [`MAX_SYMLINK_HOPS`] links (the kernel's `MAXSYMLINKS`) is a loop. Every
//! failure is an [`FsError`] value for the caller to report; nothing here
//! panics, and reads never take more than the limit they are given.

use std::collections::VecDeque;
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::fs::{self, File};
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

/// The largest text file read (a grub.cfg is a few dozen KiB).
pub const TEXT_LIMIT: u64 = 4 << 20;
/// The most symlinks followed for one path (Linux's `MAXSYMLINKS`).
pub const MAX_SYMLINK_HOPS: usize = 40;
/// The most entries read from one directory.
pub const MAX_DIR_ENTRIES: usize = 10_000;

/// Why a path could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FsError {
    /// It does not exist.
    NotFound,
    /// A component that must be a directory is a file.
    NotADirectory {
        /// The component, inside the root.
        at: String,
    },
    /// A file was expected.
    IsADirectory,
    /// Too many symlinks: a loop.
    SymlinkLoop,
    /// No permission.
    PermissionDenied,
    /// Larger than the limit.
    TooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// Another I/O error.
    Io(String),
}

impl fmt::Display for FsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FsError::NotFound => f.write_str("no such file or directory"),
            FsError::NotADirectory { at } if at.is_empty() => {
                f.write_str("a file, not a directory")
            }
            FsError::NotADirectory { at } => write!(f, "{at} is a file, not a directory"),
            FsError::IsADirectory => f.write_str("is a directory, not a file"),
            FsError::SymlinkLoop => {
                write!(f, "more than {MAX_SYMLINK_HOPS} symbolic links: a loop")
            }
            FsError::PermissionDenied => f.write_str("permission denied"),
            FsError::TooLarge { limit } => write!(
                f,
                "larger than {} KiB; not a configuration file",
                limit >> 10
            ),
            FsError::Io(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for FsError {}

fn io_error(e: &io::Error) -> FsError {
    match e.kind() {
        io::ErrorKind::NotFound => FsError::NotFound,
        io::ErrorKind::PermissionDenied => FsError::PermissionDenied,
        io::ErrorKind::IsADirectory => FsError::IsADirectory,
        io::ErrorKind::NotADirectory => FsError::NotADirectory { at: String::new() },
        _ if e.raw_os_error() == Some(40) => FsError::SymlinkLoop,
        _ => FsError::Io(e.to_string()),
    }
}

/// Refuses what is not a regular file before it is opened: opening a FIFO
/// blocks until a writer comes.
fn regular(path: &Path) -> Result<(), FsError> {
    let meta = fs::metadata(path).map_err(|e| io_error(&e))?;
    if meta.is_dir() {
        return Err(FsError::IsADirectory);
    }
    if !meta.is_file() {
        return Err(FsError::Io(
            "not a regular file (a FIFO, socket or device): not read".into(),
        ));
    }
    Ok(())
}

/// Reads at most `limit` bytes of a file; more is an error, not a cut.
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, FsError> {
    regular(path)?;
    let file = File::open(path).map_err(|e| io_error(&e))?;
    let meta = file.metadata().map_err(|e| io_error(&e))?;
    if meta.is_dir() {
        return Err(FsError::IsADirectory);
    }
    let mut buf = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut buf)
        .map_err(|e| io_error(&e))?;
    if buf.len() as u64 > limit {
        return Err(FsError::TooLarge { limit });
    }
    Ok(buf)
}

/// Reads `len` bytes at `offset` (fewer at the end of the file).
pub fn read_at(path: &Path, offset: u64, len: usize) -> Result<Vec<u8>, FsError> {
    regular(path)?;
    let mut file = File::open(path).map_err(|e| io_error(&e))?;
    file.seek(SeekFrom::Start(offset))
        .map_err(|e| io_error(&e))?;
    let mut buf = Vec::new();
    file.take(len as u64)
        .read_to_end(&mut buf)
        .map_err(|e| io_error(&e))?;
    Ok(buf)
}

/// The last `len` bytes of a file (all of it when shorter), and the file's
/// length.
pub fn read_tail(path: &Path, len: u64) -> Result<(Vec<u8>, u64), FsError> {
    let meta = fs::metadata(path).map_err(|e| io_error(&e))?;
    if meta.is_dir() {
        return Err(FsError::IsADirectory);
    }
    let size = meta.len();
    let start = size.saturating_sub(len);
    let bytes = read_at(
        path,
        start,
        usize::try_from(size - start).unwrap_or(usize::MAX),
    )?;
    Ok((bytes, size))
}

/// An image or root tree.
#[derive(Debug, Clone)]
pub struct Root {
    base: PathBuf,
}

impl Root {
    /// A root at `base`.
    pub fn new(base: impl Into<PathBuf>) -> Root {
        Root { base: base.into() }
    }

    /// The directory on the host.
    pub fn base(&self) -> &Path {
        &self.base
    }

    /// How a path inside the image is shown to users: the host path.
    pub fn display(&self, path: &str) -> String {
        self.base
            .join(path.trim_start_matches('/'))
            .display()
            .to_string()
    }

    /// Resolves an absolute path inside the image to a host path, following
    /// symlinks inside the root. The last component need not exist (the
    /// caller learns that when it opens the path).
    pub fn resolve(&self, path: &str) -> Result<PathBuf, FsError> {
        let mut queue: VecDeque<OsString> = components(Path::new(path));
        let mut current: Vec<OsString> = Vec::new();
        let mut hops = 0usize;
        while let Some(c) = queue.pop_front() {
            if c == OsStr::new("..") {
                current.pop();
                continue;
            }
            let mut host = self.base.clone();
            host.extend(&current);
            host.push(&c);
            let meta = match fs::symlink_metadata(&host) {
                Ok(m) => m,
                Err(e) if e.kind() == io::ErrorKind::NotFound && queue.is_empty() => {
                    return Ok(host);
                }
                Err(e) => return Err(io_error(&e)),
            };
            if meta.file_type().is_symlink() {
                hops += 1;
                if hops > MAX_SYMLINK_HOPS {
                    return Err(FsError::SymlinkLoop);
                }
                let target = fs::read_link(&host).map_err(|e| io_error(&e))?;
                if target.is_absolute() {
                    current.clear();
                }
                let mut t = components(&target);
                t.extend(queue);
                queue = t;
                continue;
            }
            if !queue.is_empty() && !meta.is_dir() {
                let mut shown = PathBuf::from("/");
                shown.extend(&current);
                shown.push(&c);
                return Err(FsError::NotADirectory {
                    at: shown.display().to_string(),
                });
            }
            // A FIFO, socket or device is never a file of the image to read,
            // and opening a FIFO blocks until a writer comes: every path of
            // the image passes here, so refuse it here.
            if queue.is_empty() && !meta.is_dir() && !meta.is_file() {
                return Err(FsError::Io(
                    "not a regular file (a FIFO, socket or device): not read".into(),
                ));
            }
            current.push(c);
        }
        let mut host = self.base.clone();
        host.extend(&current);
        Ok(host)
    }

    /// Reads a file of the image, at most `limit` bytes.
    pub fn read(&self, path: &str, limit: u64) -> Result<Vec<u8>, FsError> {
        let host = self.resolve(path)?;
        read_limited(&host, limit)
    }

    /// Whether a path of the image exists (after symlinks).
    pub fn exists(&self, path: &str) -> bool {
        self.resolve(path).is_ok_and(|p| p.exists())
    }

    /// Whether a path of the image is a directory (after symlinks).
    pub fn is_dir(&self, path: &str) -> bool {
        self.resolve(path).is_ok_and(|p| p.is_dir())
    }

    /// Whether a path is a symlink to `/dev/null` (systemd's way to mask a
    /// vendor file).
    pub fn is_masked_link(&self, path: &str) -> bool {
        let Some((dir, name)) = path.rsplit_once('/') else {
            return false;
        };
        let Ok(dir) = self.resolve(if dir.is_empty() { "/" } else { dir }) else {
            return false;
        };
        fs::read_link(dir.join(name)).is_ok_and(|t| t == Path::new("/dev/null"))
    }

    /// The names in a directory of the image, in byte order. A missing
    /// directory is `NotFound`; more than [`MAX_DIR_ENTRIES`] is cut.
    pub fn list(&self, dir: &str) -> Result<Vec<String>, FsError> {
        let host = self.resolve(dir)?;
        let rd = fs::read_dir(&host).map_err(|e| io_error(&e))?;
        let mut names = Vec::new();
        for e in rd.take(MAX_DIR_ENTRIES) {
            let e = e.map_err(|e| io_error(&e))?;
            names.push(e.file_name().to_string_lossy().into_owned());
        }
        names.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
        Ok(names)
    }
}

fn components(p: &Path) -> VecDeque<OsString> {
    p.components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_os_string()),
            Component::ParentDir => Some(OsString::from("..")),
            _ => None,
        })
        .filter(|s| !s.as_bytes().is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("panicpol-fs-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).expect("tmp");
        d
    }

    #[test]
    fn symlinks_stay_inside_the_root() {
        let d = tmp("links");
        fs::create_dir_all(d.join("etc/sysctl.d")).expect("mkdir");
        fs::write(d.join("etc/sysctl.conf"), b"kernel.panic = 5\n").expect("write");
        symlink("../sysctl.conf", d.join("etc/sysctl.d/99-sysctl.conf")).expect("ln");
        symlink("/etc/sysctl.conf", d.join("etc/sysctl.d/98-abs.conf")).expect("ln");
        symlink(
            "/../../../../etc/sysctl.conf",
            d.join("etc/sysctl.d/97-up.conf"),
        )
        .expect("ln");
        symlink("loop-b", d.join("etc/loop-a")).expect("ln");
        symlink("loop-a", d.join("etc/loop-b")).expect("ln");
        symlink("/dev/null", d.join("etc/sysctl.d/50-masked.conf")).expect("ln");
        let r = Root::new(&d);
        for p in [
            "/etc/sysctl.d/99-sysctl.conf",
            "/etc/sysctl.d/98-abs.conf",
            "/etc/sysctl.d/97-up.conf",
        ] {
            assert_eq!(
                r.read(p, TEXT_LIMIT).expect(p),
                b"kernel.panic = 5\n",
                "{p}"
            );
        }
        assert_eq!(r.read("/etc/loop-a", TEXT_LIMIT), Err(FsError::SymlinkLoop));
        assert_eq!(r.read("/etc/nope", TEXT_LIMIT), Err(FsError::NotFound));
        assert!(matches!(
            r.read("/etc/sysctl.conf/x", TEXT_LIMIT),
            Err(FsError::NotADirectory { .. })
        ));
        assert_eq!(r.read("/etc", TEXT_LIMIT), Err(FsError::IsADirectory));
        assert!(r.is_masked_link("/etc/sysctl.d/50-masked.conf"));
        assert!(!r.is_masked_link("/etc/sysctl.d/99-sysctl.conf"));
        assert_eq!(
            r.list("/etc/sysctl.d").expect("list"),
            [
                "50-masked.conf",
                "97-up.conf",
                "98-abs.conf",
                "99-sysctl.conf"
            ]
        );
        assert_eq!(r.list("/nope"), Err(FsError::NotFound));
        assert!(matches!(
            r.list("/etc/sysctl.conf"),
            Err(FsError::Io(_)) | Err(FsError::NotADirectory { .. })
        ));
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn bounded_reads() {
        let d = tmp("bounded");
        let fifo = d.join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            assert!(
                matches!(read_limited(&fifo, 10), Err(FsError::Io(_))),
                "a FIFO is refused, not opened"
            );
            assert!(matches!(read_at(&fifo, 0, 10), Err(FsError::Io(_))));
        }
        fs::write(d.join("big"), vec![b'a'; 5000]).expect("write");
        assert_eq!(
            read_limited(&d.join("big"), 4096),
            Err(FsError::TooLarge { limit: 4096 })
        );
        assert_eq!(
            read_limited(&d.join("big"), 5000).map(|b| b.len()),
            Ok(5000)
        );
        let (tail, size) = read_tail(&d.join("big"), 100).expect("tail");
        assert_eq!((tail.len(), size), (100, 5000));
        let (tail, _) = read_tail(&d.join("big"), 10_000).expect("tail");
        assert_eq!(tail.len(), 5000);
        let _ = fs::remove_dir_all(&d);
    }
}
