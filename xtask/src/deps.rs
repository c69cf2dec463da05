//! `cargo xtask deps`: the Debian packages the tests and the fetch need,
//! installed with apt-get when missing (as root), or named with the command
//! to install them (otherwise).

use std::process::Command;

use crate::apt;
use crate::sh::{self, Result, bail};

/// Each package and why the project needs it.
pub(crate) const PACKAGES: &[(&str, &str)] = &[
    (
        "qemu-system-x86",
        "boots kernels in tests (qemu-system-x86_64, TCG)",
    ),
    (
        "busybox-static",
        "the guest's shell and tools in the test initrd",
    ),
    (
        "binutils",
        "nm/readelf/objdump: peers in benchmarks and cross-checks",
    ),
    ("elfutils", "eu-readelf/eu-addr2line: peers in benchmarks"),
    ("hyperfine", "timing peers and boots"),
    ("xz-utils", "unpacking the kernel source tarball"),
    (
        "zstd",
        "reading zstd-compressed modules and initramfs images",
    ),
    (
        "build-essential",
        "gcc and make for the oracle kernel and tools/bootconfig",
    ),
    ("dpkg-dev", "Debian package tools used by the fetch"),
    ("flex", "the kernel build (kconfig, dtc)"),
    ("bison", "the kernel build (kconfig)"),
    ("bc", "the kernel build (timeconst)"),
    (
        "libelf-dev",
        "objtool, which every x86-64 kernel build runs",
    ),
];

/// The packages that are not installed.
pub(crate) fn missing() -> Result<Vec<&'static str>> {
    if !sh::have("dpkg-query") || !sh::have("apt-get") {
        bail!(
            "this is not a Debian-like system (no dpkg-query/apt-get): install by hand the equivalents of {}",
            PACKAGES.iter().map(|p| p.0).collect::<Vec<_>>().join(" ")
        );
    }
    Ok(PACKAGES
        .iter()
        .map(|p| p.0)
        .filter(|p| !apt::installed(p))
        .collect())
}

/// The apt-get command line that installs `pkgs`.
fn install_command(pkgs: &[&str]) -> Command {
    let mut c = Command::new("apt-get");
    c.args(["-q", "-y", "--no-install-recommends", "install"])
        .args(pkgs);
    apt::noninteractive(&mut c);
    c
}

/// Installs what is missing; as non-root, fails with the command to run.
pub(crate) fn deps() -> Result<()> {
    let wanted = missing()?;
    if wanted.is_empty() {
        println!("deps: all {} packages are installed", PACKAGES.len());
        return Ok(());
    }
    println!("deps: missing {}", wanted.join(" "));
    if !sh::is_root() {
        bail!(
            "installing packages needs root; run:\n  sudo {}",
            sh::display(&install_command(&wanted))
        );
    }
    apt::update()?;
    sh::run(&mut install_command(&wanted))?;
    let still = missing()?;
    if !still.is_empty() {
        bail!("still missing after apt-get install: {}", still.join(" "));
    }
    println!("deps: installed {}", wanted.join(" "));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_install_command_is_noninteractive_and_names_the_packages() {
        let c = install_command(&["bc", "zstd"]);
        assert_eq!(
            sh::display(&c),
            "DEBIAN_FRONTEND=noninteractive apt-get -q -y --no-install-recommends install bc zstd"
        );
    }

    #[test]
    fn the_boot_rig_packages_are_listed() {
        for p in [
            "qemu-system-x86",
            "busybox-static",
            "libelf-dev",
            "flex",
            "bison",
            "bc",
        ] {
            assert!(PACKAGES.iter().any(|(n, _)| *n == p), "{p}");
        }
    }
}
