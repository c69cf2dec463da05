//! Writing an output file atomically: a reader (a bootloader script, an
//! image build) sees the old file or the new one, never a part.
//!
//! The same steps as [`crate::initrd`]'s in-place edits, through the same
//! [`FileOps`] so tests can make any of them fail: a temporary file in the
//! target's folder, written, given the old file's mode and owner (0644 for a
//! new file), synced, renamed over the target, then the folder synced. On
//! any error the temporary file is removed and the target is untouched.

use std::fs::{self, File};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::initrd::{FileError, FileOps, RealFs};

/// The mode of a file that did not exist before.
pub const NEW_FILE_MODE: u32 = 0o644;

fn io_err<'a>(op: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> FileError + 'a {
    move |source| FileError::Io {
        op,
        path: path.to_path_buf(),
        source,
    }
}

/// Replaces (or creates) `path` with `bytes`, atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    write_atomic_with(path, bytes, &mut RealFs)
}

/// [`write_atomic`] with the file-system steps supplied by the caller.
pub fn write_atomic_with(
    path: &Path,
    bytes: &[u8],
    ops: &mut dyn FileOps,
) -> Result<(), FileError> {
    // Replace the file a symlink points to, not the link.
    let (target, old) = match fs::metadata(path) {
        Ok(meta) => {
            if !meta.is_file() {
                return Err(FileError::NotAFile(path.to_path_buf()));
            }
            let t = fs::canonicalize(path).map_err(io_err("resolve", path))?;
            (t, Some(meta))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (path.to_path_buf(), None),
        Err(e) => return Err(io_err("stat", path)(e)),
    };
    let dir: PathBuf = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| FileError::NotAFile(path.to_path_buf()))?;
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let tmp = dir.join(format!(
        ".{name}.panicpol-{}-{}.tmp",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    ));
    let mut out = ops.create(&tmp).map_err(io_err("create", &tmp))?;
    let result = (|| {
        ops.write(&mut out, bytes).map_err(io_err("write", &tmp))?;
        match &old {
            Some(meta) => {
                out.set_permissions(meta.permissions())
                    .map_err(io_err("set permissions of", &tmp))?;
                let mine = out.metadata().map_err(io_err("stat", &tmp))?;
                if mine.uid() != meta.uid() || mine.gid() != meta.gid() {
                    std::os::unix::fs::fchown(&out, Some(meta.uid()), Some(meta.gid()))
                        .map_err(io_err("set the owner of", &tmp))?;
                }
            }
            None => out
                .set_permissions(fs::Permissions::from_mode(NEW_FILE_MODE))
                .map_err(io_err("set permissions of", &tmp))?,
        }
        ops.sync(&out).map_err(io_err("sync", &tmp))?;
        ops.rename(&tmp, &target)
            .map_err(io_err("rename over", &target))
    })();
    if result.is_err() {
        // Best effort: the temporary file is ours and useless now.
        let _ = fs::remove_file(&tmp);
        return result;
    }
    // The rename is durable once the folder is synced; the file is already
    // in place, so a failure here is reported without undoing anything.
    File::open(&dir)
        .and_then(|d| d.sync_all())
        .map_err(io_err("sync the folder", &dir))
}

#[cfg(test)]
mod tests {
    use super::*;
    use panicpol_testkit::Scratch;
    use std::io;

    /// Fails every write with "no space left on device".
    struct Full;

    impl FileOps for Full {
        fn write(&mut self, _: &mut File, _: &[u8]) -> io::Result<()> {
            Err(io::Error::from_raw_os_error(28))
        }
    }

    #[test]
    fn creates_replaces_keeps_mode_and_follows_links() {
        let s = Scratch::new("ok");
        let p = s.path().join("policy.conf");
        write_atomic(&p, b"one\n").expect("create");
        assert_eq!(fs::read(&p).expect("read"), b"one\n");
        assert_eq!(
            fs::metadata(&p).expect("stat").permissions().mode() & 0o777,
            NEW_FILE_MODE
        );
        fs::set_permissions(&p, fs::Permissions::from_mode(0o600)).expect("chmod");
        let link = s.path().join("link");
        std::os::unix::fs::symlink(&p, &link).expect("symlink");
        write_atomic(&link, b"two\n").expect("replace");
        assert_eq!(fs::read(&p).expect("read"), b"two\n");
        assert!(fs::symlink_metadata(&link).expect("lstat").is_symlink());
        assert_eq!(
            fs::metadata(&p).expect("stat").permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(s.names(), ["link", "policy.conf"]);
    }

    #[test]
    fn a_full_disk_leaves_the_old_file_and_no_temporary() {
        let s = Scratch::new("full");
        let p = s.path().join("out");
        fs::write(&p, b"old").expect("write");
        let e = write_atomic_with(&p, b"new", &mut Full).expect_err("full");
        assert!(e.to_string().contains("cannot write"), "{e}");
        assert!(e.to_string().contains("No space left"), "{e}");
        assert_eq!(fs::read(&p).expect("read"), b"old");
        assert_eq!(s.names(), ["out"]);
    }

    #[test]
    fn a_folder_or_a_missing_parent_is_an_error() {
        let s = Scratch::new("bad");
        assert!(matches!(
            write_atomic(s.path(), b"x"),
            Err(FileError::NotAFile(_))
        ));
        let e = write_atomic(&s.path().join("no/such/dir/file"), b"x").expect_err("missing");
        assert!(matches!(e, FileError::Io { op: "create", .. }), "{e}");
    }
}
