//! Test support shared by the crates' tests and by `cargo xtask`: where the
//! real kernels and the oracles that `cargo xtask fetch` downloads from
//! Debian's packages live, and a QEMU boot rig ([`initrd`], [`mod@boot`]).
//!
//! The cache lives outside the repository: `$PANICPOL_CACHE`, else
//! `$XDG_CACHE_HOME/panicpol`, else `~/.cache/panicpol`. Layout:
//! `kernels/k/<6.1|6.12>/{vmlinux,vmlinuz,System.map,config}` and
//! `oracles/{src,kbuild}` (the kernel source tree with tools/bootconfig built,
//! and a small kernel with CONFIG_BOOT_CONFIG); see [`layout`].
//!
//! When `PANICPOL_REQUIRE_REAL=1` (`cargo xtask test` sets it), a missing
//! artifact or host tool fails the test; otherwise the test prints why it is
//! skipped and returns early, so a plain `cargo test` on a fresh clone works.

pub mod boot;
pub mod cpio;
pub mod error;
pub mod initrd;
pub mod scratch;

use std::path::{Path, PathBuf};

pub use boot::{BootResult, Qemu, Report, boot};
pub use error::RigError;
pub use initrd::{InitrdOptions, make_initrd};
pub use scratch::Scratch;

/// Paths inside the cache, shared by the tests and by `cargo xtask fetch`
/// (which creates them).
pub mod layout {
    /// The kernel series the tests use, as folder names under `kernels/k/`.
    pub const KERNEL_SERIES: [&str; 2] = ["6.1", "6.12"];
    /// The files linked in each `kernels/k/<series>/` folder.
    pub const KERNEL_FILES: [&str; 4] = ["vmlinuz", "config", "vmlinux", "System.map"];
    /// Under `oracles/`: the bootconfig-enabled test kernel.
    pub const ORACLE_BZIMAGE: &str = "kbuild/arch/x86/boot/bzImage";
    /// Under `oracles/`: that kernel's `.config`, copied out of the build.
    pub const ORACLE_KERNEL_CONFIG: &str = "config-bootconfig-min";
    /// Under `oracles/`: the kernel's own userspace bootconfig parser.
    pub const ORACLE_BOOTCONFIG_TOOL: &str = "src/tools/bootconfig/bootconfig";
    /// Under `oracles/`: the parser's sample files (`good-*.bconf`, `bad-*.bconf`).
    pub const ORACLE_BOOTCONFIG_SAMPLES: &str = "src/tools/bootconfig/samples";
    /// Under `oracles/`: the extracted kernel source tree.
    pub const ORACLE_SOURCE: &str = "src";
}

/// The cache folder.
pub fn cache_dir() -> PathBuf {
    if let Some(p) = std::env::var_os("PANICPOL_CACHE").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    if let Some(p) = std::env::var_os("XDG_CACHE_HOME").filter(|p| !p.is_empty()) {
        return PathBuf::from(p).join("panicpol");
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    home.join(".cache").join("panicpol")
}

/// `<cache>/kernels`: Debian's kernel packages and the `k/` links.
pub fn kernels_dir() -> PathBuf {
    cache_dir().join("kernels")
}

/// `<cache>/oracles`: the kernel source, the bootconfig tool, the test kernel.
pub fn oracles_dir() -> PathBuf {
    cache_dir().join("oracles")
}

/// Whether missing real artifacts must fail tests (CI).
pub fn required() -> bool {
    std::env::var("PANICPOL_REQUIRE_REAL").is_ok_and(|v| v == "1")
}

/// A file of a real Debian kernel, e.g. `real_kernel("6.12", "vmlinux")`.
/// `None` (after printing a skip notice) when absent and not required;
/// panics when absent and required.
pub fn real_kernel(version: &str, file: &str) -> Option<PathBuf> {
    artifact(kernels_dir().join("k").join(version).join(file))
}

/// The modules folder (`…/lib/modules/<abi>/kernel`) of a real Debian
/// kernel, found through the `k/<version>` links `cargo xtask fetch` makes:
/// `which` is `"unsigned"` for the installed modules of the image package
/// (6.1: `.ko`; 6.12: `.ko.xz`) or `"dbg"` for the uncompressed modules
/// with debug info of the `-dbg` package. Same skip-or-fail rule as
/// [`real_kernel`]; panics on any other `which`.
pub fn real_modules(version: &str, which: &str) -> Option<PathBuf> {
    // The image's link names the package and, in its file name, the ABI.
    let link = match which {
        "unsigned" => "vmlinuz",
        "dbg" => "vmlinux",
        other => panic!("real_modules: `which` is \"unsigned\" or \"dbg\", not {other:?}"),
    };
    let image = real_kernel(version, link)?;
    let found = std::fs::canonicalize(&image).ok().and_then(|real| {
        let name = real.file_name()?.to_string_lossy().into_owned();
        let abi = name.split_once('-')?.1.to_owned();
        // Two levels up from the image, in both packages:
        // unsigned: <pkg>/boot/vmlinuz-ABI → <pkg>/lib/modules/ABI;
        // dbg: <pkg>/usr/lib/debug/boot/vmlinux-ABI → <pkg>/usr/lib/debug/lib/modules/ABI.
        let base = real.parent()?.parent()?;
        Some(base.join("lib/modules").join(abi).join("kernel"))
    });
    match found {
        Some(dir) if dir.is_dir() => Some(dir),
        _ => {
            skip_or_fail(&format!(
                "no {which} modules folder for the {version} kernel next to {} (run `cargo xtask fetch`)",
                image.display()
            ));
            None
        }
    }
}

/// A path inside the oracles folder, e.g. `oracle("src/tools/bootconfig/bootconfig")`
/// (the [`layout`] constants name the usual ones).
pub fn oracle(rel: &str) -> Option<PathBuf> {
    artifact(oracles_dir().join(rel))
}

/// A program on `PATH` that a test needs, e.g. `host_tool("qemu-system-x86_64")`,
/// with the same skip-or-fail rule as [`real_kernel`].
pub fn host_tool(name: &str) -> Option<PathBuf> {
    match which(name) {
        Some(p) => Some(p),
        None => {
            skip_or_fail(&format!(
                "{name} is not installed (run `cargo xtask deps` as root)"
            ));
            None
        }
    }
}

/// The static busybox for the test initrd (`$BUSYBOX` or `busybox` on
/// `PATH`), with the same skip-or-fail rule as [`real_kernel`].
pub fn busybox() -> Option<PathBuf> {
    match initrd::find_busybox() {
        Ok(p) => Some(p),
        Err(e) => {
            skip_or_fail(&e.to_string());
            None
        }
    }
}

/// The first executable file called `name` in the folders of `PATH`.
pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    p.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

fn artifact(p: PathBuf) -> Option<PathBuf> {
    if p.exists() {
        return Some(p);
    }
    skip_or_fail(&format!(
        "{} is missing (run `cargo xtask fetch` to get it)",
        p.display()
    ));
    None
}

/// Panics when real artifacts are required, otherwise prints a skip notice:
/// a test helper's way of saying why a test did not run.
fn skip_or_fail(why: &str) {
    if required() {
        panic!("{why}, and PANICPOL_REQUIRE_REAL=1");
    }
    eprintln!("skipping: {why}");
}
