//! Test support shared by the crates' tests: locating the real kernels and the
//! oracles that `cargo xtask fetch` downloads from Debian's packages.
//!
//! The cache lives outside the repository: `$PANICPOL_CACHE`, else
//! `$XDG_CACHE_HOME/panicpol`, else `~/.cache/panicpol`. Layout:
//! `kernels/k/<6.1|6.12>/{vmlinux,vmlinuz,System.map,config}` and
//! `oracles/{src,kbuild}` (the kernel source tree with tools/bootconfig built,
//! and a small kernel with CONFIG_BOOT_CONFIG).
//!
//! When `PANICPOL_REQUIRE_REAL=1` (CI sets it), a missing artifact fails the
//! test; otherwise the test prints why it is skipped and returns early, so a
//! plain `cargo test` on a fresh clone still works.

use std::path::PathBuf;

/// The cache folder.
pub fn cache_dir() -> PathBuf {
    if let Some(p) = std::env::var_os("PANICPOL_CACHE") {
        return PathBuf::from(p);
    }
    if let Some(p) = std::env::var_os("XDG_CACHE_HOME") {
        return PathBuf::from(p).join("panicpol");
    }
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("."));
    home.join(".cache").join("panicpol")
}

/// Whether missing real artifacts must fail tests (CI).
pub fn required() -> bool {
    std::env::var("PANICPOL_REQUIRE_REAL").is_ok_and(|v| v == "1")
}

/// A file of a real Debian kernel, e.g. `real_kernel("6.12", "vmlinux")`.
/// `None` (after printing a skip notice) when absent and not required;
/// panics when absent and required.
pub fn real_kernel(version: &str, file: &str) -> Option<PathBuf> {
    artifact(cache_dir().join("kernels").join("k").join(version).join(file))
}

/// A path inside the oracles folder, e.g. `oracle("src/tools/bootconfig/bootconfig")`.
pub fn oracle(rel: &str) -> Option<PathBuf> {
    artifact(cache_dir().join("oracles").join(rel))
}

fn artifact(p: PathBuf) -> Option<PathBuf> {
    if p.exists() {
        return Some(p);
    }
    if required() {
        panic!(
            "{} is missing and PANICPOL_REQUIRE_REAL=1: run `cargo xtask fetch`",
            p.display()
        );
    }
    eprintln!(
        "skipping: {} is missing (run `cargo xtask fetch` to get it)",
        p.display()
    );
    None
}
