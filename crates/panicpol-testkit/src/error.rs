//! The boot rig's error type: everything that can go wrong while building an
//! initrd or running QEMU, each with enough context to act on.

use std::fmt;
use std::path::PathBuf;

/// Why the rig could not build an initrd or boot a kernel.
#[derive(Debug)]
pub enum RigError {
    /// Reading or writing a file failed.
    Io {
        /// What the rig was doing, e.g. "reading busybox".
        context: String,
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A program could not be started (not installed, not executable).
    Spawn {
        /// The program.
        program: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// No busybox was found (neither `$BUSYBOX` nor on `PATH`).
    BusyboxNotFound,
    /// The busybox found is not a static ELF executable: the guest has no
    /// shared libraries, so a dynamic one cannot run as init.
    BusyboxNotStatic {
        /// The busybox binary that was rejected.
        path: PathBuf,
        /// Why it was rejected.
        reason: String,
    },
    /// An archive member cannot be represented in a cpio newc archive.
    Cpio {
        /// The member's name.
        name: String,
        /// Why it cannot be written.
        reason: String,
    },
}

impl fmt::Display for RigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RigError::Io {
                context,
                path,
                source,
            } => write!(f, "{context} {}: {source}", path.display()),
            RigError::Spawn { program, source } => {
                write!(f, "cannot run {}: {source}", program.display())
            }
            RigError::BusyboxNotFound => write!(
                f,
                "no busybox found: install busybox-static (`cargo xtask deps`) or set BUSYBOX"
            ),
            RigError::BusyboxNotStatic { path, reason } => write!(
                f,
                "{} cannot be the guest's busybox ({reason}); install busybox-static or set BUSYBOX",
                path.display()
            ),
            RigError::Cpio { name, reason } => {
                write!(f, "cannot add {name:?} to the initrd: {reason}")
            }
        }
    }
}

impl std::error::Error for RigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RigError::Io { source, .. } | RigError::Spawn { source, .. } => Some(source),
            _ => None,
        }
    }
}
