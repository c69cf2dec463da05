//! Debian's package tools as the xtask uses them: whether a package is
//! installed, `apt-get update` at most once per run, and `apt-get download`
//! into a folder (retrying once after an update, as a fresh machine or a
//! stale package list is the usual reason a download fails).

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::sh::{self, Result, bail};

/// Set once `apt-get update` has run in this process.
static UPDATED: AtomicBool = AtomicBool::new(false);

/// Whether dpkg says `pkg` is installed.
pub(crate) fn installed(pkg: &str) -> bool {
    sh::output(Command::new("dpkg-query").args(["-W", "-f=${db:Status-Abbrev}", pkg]))
        .is_ok_and(|s| s.starts_with("ii"))
}

/// `apt-get update`, unless it already ran in this process.
pub(crate) fn update() -> Result<()> {
    if UPDATED.swap(true, Ordering::SeqCst) {
        return Ok(());
    }
    sh::run(noninteractive(
        Command::new("apt-get").args(["-q", "update"]),
    ))
}

/// Marks a command as never asking questions (CI has no stdin).
pub(crate) fn noninteractive(cmd: &mut Command) -> &mut Command {
    cmd.env("DEBIAN_FRONTEND", "noninteractive")
}

/// `apt-get download SPEC` in `dir` (SPEC is `pkg` or `pkg=version`). When it
/// fails and we are root, updates the package lists and tries once more.
pub(crate) fn download(spec: &str, dir: &Path) -> Result<()> {
    let attempt = || {
        sh::run(
            Command::new("apt-get")
                .args(["-q", "download", spec])
                .current_dir(dir),
        )
    };
    match attempt() {
        Ok(()) => Ok(()),
        Err(first) if !UPDATED.load(Ordering::SeqCst) && sh::is_root() => {
            println!("download failed ({first}); updating the package lists and retrying");
            update()?;
            attempt()
        }
        Err(e) if !sh::is_root() => bail!(
            "{e}\n  hint: the package lists may be stale; run `sudo apt-get update` and retry"
        ),
        Err(e) => Err(e),
    }
}

/// A field of a .deb's control file, e.g. `field(deb, "Version")`.
pub(crate) fn deb_field(deb: &Path, field: &str) -> Result<String> {
    sh::output(Command::new("dpkg-deb").arg("-f").arg(deb).arg(field))
}
