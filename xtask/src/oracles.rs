//! `cargo xtask fetch --oracles`: the two bootconfig oracles, built from
//! Debian's own kernel source package in `<cache>/oracles`:
//!
//! 1. `linux-source-6.12` downloaded into `debs/`, its source tarball
//!    unpacked into `src/` (skipped when `src/.panicpol-src` names the same
//!    package, version and .deb sha256);
//! 2. the kernel's userspace bootconfig parser (`tools/bootconfig`), built
//!    and checked with the kernel's own test script every run (~1 s);
//! 3. a minimal x86-64 kernel with `CONFIG_BOOT_CONFIG=y` (tinyconfig plus
//!    [`ENABLE`], minus [`DISABLE`], [`SET_VAL`]) built out of tree in
//!    `kbuild/` (skipped when `kbuild/.panicpol-config` holds the same stamp
//!    and the bzImage is newer than `.config`).
//!
//! The stamps have the same format as the project's earlier shell tooling,
//! so a cache it built is reused as is.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use panicpol_testkit::layout;

use crate::apt;
use crate::sh::{self, Context, Result, bail};

/// The source package.
pub(crate) const SOURCE_PKG: &str = "linux-source-6.12";
/// The default source version: the one the pinned 6.12 kernel was built
/// from, so the oracles and the real kernel share one source of truth.
pub(crate) const SOURCE_VERSION_DEFAULT: &str = "6.12.117-1~deb12u1";

/// Options enabled on top of tinyconfig: a 64-bit kernel with a serial
/// console, initramfs, /proc and /sys, sysrq, kallsyms, bootconfig, and
/// ACPI + PCI (without both, `poweroff -f` halts instead of ending QEMU).
pub(crate) const ENABLE: &[&str] = &[
    "64BIT",
    "PRINTK",
    "PRINTK_TIME",
    "TTY",
    "SERIAL_8250",
    "SERIAL_8250_CONSOLE",
    "BLK_DEV_INITRD",
    "RD_GZIP",
    "BINFMT_ELF",
    "BINFMT_SCRIPT",
    "PROC_FS",
    "PROC_SYSCTL",
    "SYSFS",
    "DEVTMPFS",
    "MAGIC_SYSRQ",
    "BOOT_CONFIG",
    "DEBUG_KERNEL",
    "KALLSYMS",
    "KALLSYMS_ALL",
    "MULTIUSER",
    "FUTEX",
    "EPOLL",
    "ACPI",
    "PCI",
    "KERNEL_GZIP",
];

/// Options disabled: BOOT_CONFIG_FORCE (so `bootconfig` must be on the
/// command line, as on distribution kernels) and what olddefconfig pulls in
/// that a serial-console boot does not need (shorter build).
pub(crate) const DISABLE: &[&str] = &[
    "BOOT_CONFIG_FORCE",
    "BOOT_CONFIG_EMBED",
    "PANIC_ON_OOPS",
    "KERNEL_XZ",
    "VT",
    "INPUT",
    "SERIO",
    "HID_SUPPORT",
    "VGA_CONSOLE",
    "ACPI_AC",
    "ACPI_BATTERY",
    "ACPI_BUTTON",
    "ACPI_FAN",
    "ACPI_THERMAL",
    "ACPI_PROCESSOR",
    "ACPI_TABLE_UPGRADE",
    "ACPI_SPCR_TABLE",
    "THERMAL",
    "POWER_SUPPLY",
    "CPU_IDLE",
    "LEGACY_PTYS",
    "UNIX98_PTYS",
    "LEGACY_TIOCSTI",
    "X86_KERNEL_IBT",
    "X86_5LEVEL",
    "X86_MPPARSE",
    "X86_INTEL_MEMORY_PROTECTION_KEYS",
    "RD_BZIP2",
    "RD_LZMA",
    "RD_XZ",
    "RD_LZO",
    "RD_LZ4",
    "RD_ZSTD",
    "XZ_DEC",
    "SERIAL_8250_DEPRECATED_OPTIONS",
    "SERIAL_8250_PNP",
    "PCIEASPM",
    "PCI_MMCONFIG",
    "PCI_QUIRKS",
    "VGA_ARB",
    "INTEL_MEI",
    "PNP_DEBUG_MESSAGES",
    "X86_VSYSCALL_EMULATION",
    "SERIAL_8250_PCI",
    "SERIAL_8250_EXAR",
    "SERIAL_8250_LPSS",
    "SERIAL_8250_MID",
    "SERIAL_8250_PERICOM",
    "PERF_EVENTS_INTEL_UNCORE",
    "PERF_EVENTS_INTEL_RAPL",
    "PERF_EVENTS_INTEL_CSTATE",
];

/// Options set to a value: no panic timeout compiled in, so `panic=` alone decides.
pub(crate) const SET_VAL: &[(&str, &str)] = &[("PANIC_TIMEOUT", "0")];

/// Which source version to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SourceVersion {
    /// Exactly this Debian version.
    Exact(String),
    /// Whatever apt's candidate is (or the newest .deb already cached).
    Candidate,
}

impl SourceVersion {
    pub(crate) fn parse(s: &str) -> SourceVersion {
        if s == "candidate" {
            SourceVersion::Candidate
        } else {
            SourceVersion::Exact(s.to_owned())
        }
    }
}

/// Build settings taken from the environment.
#[derive(Debug, Clone)]
pub(crate) struct Build {
    /// `make -j`.
    pub(crate) jobs: usize,
    /// A compiler override for the kernel build, e.g. `ccache gcc`.
    pub(crate) kernel_cc: Option<String>,
}

/// The stamp that says which source and options `kbuild/` was built with.
pub(crate) fn kernel_stamp(source_stamp: &str) -> String {
    // Each list is "A B C " (every word followed by a space), as the stamp
    // format has always been.
    let words = |v: &[&str]| v.iter().map(|w| format!("{w} ")).collect::<String>();
    let vals: Vec<String> = SET_VAL.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!(
        "{source_stamp} | {}| {}| {}",
        words(ENABLE),
        words(DISABLE),
        vals.join(" ")
    )
}

/// Runs steps 1–3 in `dir` and prints where things are.
pub(crate) fn fetch(dir: &Path, version: &SourceVersion, build: &Build) -> Result<()> {
    let t_all = Instant::now();
    let debs = dir.join("debs");
    let logs = dir.join("logs");
    for d in [&debs, &logs] {
        fs::create_dir_all(d).ctx(|| format!("creating {}", d.display()))?;
    }
    for tool in [
        "apt-get",
        "dpkg-deb",
        "tar",
        "xz",
        "gcc",
        "make",
        "flex",
        "bison",
        "bc",
        "sha256sum",
    ] {
        if !sh::have(tool) {
            bail!("missing tool {tool}: run `cargo xtask deps` as root");
        }
    }

    // 1. source
    let t = Instant::now();
    let deb = ensure_source_deb(&debs, version)?;
    let ver = apt::deb_field(&deb, "Version")?;
    let sha = sha256(&deb)?;
    let source_stamp = format!("{SOURCE_PKG} {ver} {sha}");
    println!(
        "  {SOURCE_PKG} {ver}, {} bytes, sha256 {sha}",
        sh::size(&deb)
    );
    let src = dir.join(layout::ORACLE_SOURCE);
    let kb = dir.join("kbuild");
    let stamp_file = src.join(".panicpol-src");
    if fs::read_to_string(&stamp_file).is_ok_and(|s| s.trim_end() == source_stamp) {
        println!("oracles: source already unpacked in src/");
    } else {
        println!("oracles: unpacking the source tarball into src/");
        unpack_source(&deb, &src)?;
        fs::write(src.join(".panicpol-src"), format!("{source_stamp}\n"))?;
        // A new source tree means a fresh kernel build.
        if kb.exists() {
            fs::remove_dir_all(&kb).ctx(|| format!("removing {}", kb.display()))?;
        }
    }
    for f in ["Makefile", "lib/bootconfig.c", "tools/bootconfig/main.c"] {
        if !src.join(f).is_file() {
            bail!(
                "{} has no {f}: not a kernel tree with tools/bootconfig",
                src.display()
            );
        }
    }
    let kver = sh::output(
        Command::new("make")
            .args(["-s", "-C"])
            .arg(&src)
            .arg("kernelversion"),
    )?;
    println!("  kernel version {kver} ({})", sh::since(t));

    // 2. bootconfig tool
    let t = Instant::now();
    let tooldir = src.join("tools/bootconfig");
    sh::run_logged(
        Command::new("make")
            .args(["-s", "-C"])
            .arg(&tooldir)
            .arg("bootconfig"),
        &logs.join("bootconfig-make.log"),
    )?;
    let tool = dir.join(layout::ORACLE_BOOTCONFIG_TOOL);
    if !tool.is_file() {
        bail!("no {} after make", tool.display());
    }
    let test_log = logs.join("test-bootconfig.log");
    sh::run_logged(
        Command::new("./test-bootconfig.sh")
            .arg(".")
            .current_dir(&tooldir),
        &test_log,
    )?;
    let text = fs::read_to_string(&test_log)?;
    let Some(passed) = tool_test_passed(&text) else {
        sh::print_tail(&test_log, 20);
        bail!("test-bootconfig.sh did not report success");
    };
    let samples = tooldir.join("samples");
    let (good, bad, all) = count_samples(&samples)?;
    println!(
        "oracles: bootconfig tool built; test-bootconfig.sh: {passed} passed ({})",
        sh::since(t)
    );
    println!("  samples: {all} files ({good} good-*.bconf, {bad} bad-*.bconf)");

    // 3. kernel
    let t = Instant::now();
    let stamp = kernel_stamp(&source_stamp);
    let bz = dir.join(layout::ORACLE_BZIMAGE);
    let config = kb.join(".config");
    let stamp_path = kb.join(".panicpol-config");
    let stamped = fs::read_to_string(&stamp_path).is_ok_and(|s| s.trim_end() == stamp);
    if stamped && newer(&bz, &config) {
        println!("oracles: kernel already built (kbuild/, same options and source)");
    } else {
        build_kernel(&src, &kb, &logs, build)?;
        fs::write(&stamp_path, format!("{stamp}\n"))?;
    }
    verify_kernel(&config, &bz, &kver)?;
    let kconfig_copy = dir.join(layout::ORACLE_KERNEL_CONFIG);
    fs::copy(&config, &kconfig_copy).ctx(|| format!("copying {}", config.display()))?;
    println!("  bzImage {} bytes ({})", sh::size(&bz), sh::since(t));

    println!("oracles: done in {}", sh::since(t_all));
    println!("BOOTCONFIG_TOOL={}", tool.display());
    println!("BOOTCONFIG_SAMPLES={}", samples.display());
    println!("BZIMAGE={}", bz.display());
    println!("KERNEL_CONFIG={}", kconfig_copy.display());
    println!("SOURCE_VERSION={SOURCE_PKG} {ver} (kernel {kver})");
    Ok(())
}

/// The source .deb for `version`, downloading it when it is not cached.
fn ensure_source_deb(debs: &Path, version: &SourceVersion) -> Result<PathBuf> {
    let want = match version {
        SourceVersion::Exact(v) => Some(v.clone()),
        SourceVersion::Candidate => candidate()?,
    };
    if let Some(deb) = find_source_deb(debs, want.as_deref())? {
        println!("oracles: have {}", deb.display());
        return Ok(deb);
    }
    let Some(want) = want else {
        bail!(
            "apt knows no {SOURCE_PKG} (run apt-get update) and {} has none",
            debs.display()
        );
    };
    println!("oracles: downloading {SOURCE_PKG}={want}");
    apt::download(&format!("{SOURCE_PKG}={want}"), debs)?;
    match find_source_deb(debs, Some(&want))? {
        Some(deb) => Ok(deb),
        None => bail!(
            "the downloaded {SOURCE_PKG} {want} is not in {}",
            debs.display()
        ),
    }
}

/// apt's candidate version of the source package, if apt knows it.
fn candidate() -> Result<Option<String>> {
    let policy =
        sh::output(Command::new("apt-cache").args(["policy", SOURCE_PKG])).unwrap_or_default();
    Ok(policy
        .lines()
        .find_map(|l| l.trim().strip_prefix("Candidate:"))
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty() && v != "(none)"))
}

/// The cached source .deb with version `want`, or the newest one when
/// `want` is `None` (no apt lists: work offline from the cache).
fn find_source_deb(debs: &Path, want: Option<&str>) -> Result<Option<PathBuf>> {
    let prefix = format!("{SOURCE_PKG}_");
    let mut best: Option<(String, PathBuf)> = None;
    for e in fs::read_dir(debs).ctx(|| format!("listing {}", debs.display()))? {
        let p = e?.path();
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !name.starts_with(&prefix) || !name.ends_with("_all.deb") {
            continue;
        }
        if apt::deb_field(&p, "Package").ok().as_deref() != Some(SOURCE_PKG) {
            continue;
        }
        let v = apt::deb_field(&p, "Version")?;
        match want {
            Some(w) if v == w => return Ok(Some(p)),
            Some(_) => {}
            None => {
                let newer = match &best {
                    None => true,
                    Some((bv, _)) => version_gt(&v, bv),
                };
                if newer {
                    best = Some((v, p));
                }
            }
        }
    }
    Ok(best.map(|(_, p)| p))
}

/// Debian version comparison, by dpkg itself.
fn version_gt(a: &str, b: &str) -> bool {
    Command::new("dpkg")
        .args(["--compare-versions", a, "gt", b])
        .status()
        .is_ok_and(|s| s.success())
}

fn sha256(p: &Path) -> Result<String> {
    let out = sh::output(Command::new("sha256sum").arg(p))?;
    match out.split_whitespace().next() {
        Some(h) if h.len() == 64 => Ok(h.to_owned()),
        _ => bail!("unexpected sha256sum output {out:?}"),
    }
}

/// Streams `usr/src/linux-source-*.tar.xz` out of the .deb and unpacks it
/// into `src` (via `src.tmp`, renamed at the end), without a copy of the
/// tarball on disk: dpkg-deb | tar -xO | xz -dc | tar -x.
fn unpack_source(deb: &Path, src: &Path) -> Result<()> {
    let listing = sh::output(Command::new("dpkg-deb").arg("-c").arg(deb))?;
    let Some(tarname) = source_tarball(&listing) else {
        bail!("no usr/src/linux-source-*.tar.xz in {}", deb.display());
    };
    let tmp = src.with_extension("tmp");
    for d in [src, tmp.as_path()] {
        if d.exists() {
            fs::remove_dir_all(d).ctx(|| format!("removing {}", d.display()))?;
        }
    }
    fs::create_dir_all(&tmp)?;
    let mut stages = [
        Command::new("dpkg-deb"),
        Command::new("tar"),
        Command::new("xz"),
        Command::new("tar"),
    ];
    stages[0].arg("--fsys-tarfile").arg(deb);
    stages[1].args(["-xOf", "-", &tarname]);
    stages[2].arg("-dc");
    stages[3]
        .args(["-xf", "-", "--strip-components=1", "-C"])
        .arg(&tmp);
    pipeline(&mut stages)?;
    fs::rename(&tmp, src).ctx(|| format!("renaming {} to {}", tmp.display(), src.display()))?;
    Ok(())
}

/// The source tarball's member name in `dpkg-deb -c` output.
fn source_tarball(listing: &str) -> Option<String> {
    listing
        .lines()
        .filter_map(|l| l.split_whitespace().last())
        .find(|n| {
            n.strip_prefix("./usr/src/linux-source-")
                .is_some_and(|rest| rest.ends_with(".tar.xz") && !rest.contains('/'))
        })
        .map(str::to_owned)
}

/// Runs commands connected stdout → stdin and fails if any of them fails
/// (the shell's `pipefail`).
fn pipeline(stages: &mut [Command]) -> Result<()> {
    let shown: Vec<String> = stages.iter().map(sh::display).collect();
    println!("$ {}", shown.join(" | "));
    let mut children = Vec::new();
    let mut prev: Option<std::process::ChildStdout> = None;
    let n = stages.len();
    for (i, cmd) in stages.iter_mut().enumerate() {
        if let Some(out) = prev.take() {
            cmd.stdin(Stdio::from(out));
        } else {
            cmd.stdin(Stdio::null());
        }
        if i + 1 < n {
            cmd.stdout(Stdio::piped());
        }
        let mut child = cmd.spawn().ctx(|| format!("starting {}", shown[i]))?;
        prev = child.stdout.take();
        children.push(child);
    }
    let mut failed = Vec::new();
    for (i, mut c) in children.into_iter().enumerate() {
        let status = c.wait()?;
        if !status.success() {
            failed.push(format!("`{}` ({status})", shown[i]));
        }
    }
    if !failed.is_empty() {
        bail!("pipeline failed: {}", failed.join(", "));
    }
    Ok(())
}

/// "N" from the test script's "# of Passed: N", if it also said "All tests passed".
fn tool_test_passed(log: &str) -> Option<u32> {
    if !log.lines().any(|l| l.starts_with("All tests passed")) {
        return None;
    }
    log.lines()
        .find_map(|l| l.strip_prefix("# of Passed: "))
        .and_then(|n| n.trim().parse().ok())
}

fn count_samples(dir: &Path) -> Result<(usize, usize, usize)> {
    let names: Vec<String> = fs::read_dir(dir)
        .ctx(|| format!("listing {}", dir.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let count = |p: &str| {
        names
            .iter()
            .filter(|n| n.starts_with(p) && n.ends_with(".bconf"))
            .count()
    };
    Ok((count("good-"), count("bad-"), names.len()))
}

/// Whether `a` exists and was modified after `b`.
fn newer(a: &Path, b: &Path) -> bool {
    let m = |p: &Path| p.metadata().and_then(|m| m.modified()).ok();
    matches!((m(a), m(b)), (Some(x), Some(y)) if x > y)
}

fn build_kernel(src: &Path, kb: &Path, logs: &Path, build: &Build) -> Result<()> {
    fs::create_dir_all(kb)?;
    let _ = fs::remove_file(kb.join(".panicpol-config"));
    let o = format!("O={}", kb.display());
    println!("oracles: configuring (tinyconfig + options) in kbuild/");
    let config_log = logs.join("kernel-config.log");
    sh::run_logged(
        Command::new("make")
            .args(["-s", "-C"])
            .arg(src)
            .arg(&o)
            .arg("tinyconfig"),
        &config_log,
    )?;
    let mut cfg = Command::new(src.join("scripts/config"));
    cfg.arg("--file").arg(kb.join(".config"));
    for e in ENABLE {
        cfg.args(["--enable", e]);
    }
    for d in DISABLE {
        cfg.args(["--disable", d]);
    }
    for (k, v) in SET_VAL {
        cfg.args(["--set-val", k, v]);
    }
    sh::output(&mut cfg)?;
    sh::run_logged(
        Command::new("make")
            .args(["-s", "-C"])
            .arg(src)
            .arg(&o)
            .arg("olddefconfig"),
        &logs.join("kernel-config-2.log"),
    )?;
    let t = Instant::now();
    let mut make = Command::new("make");
    make.arg("-C")
        .arg(src)
        .arg(&o)
        .arg(format!("-j{}", build.jobs));
    if let Some(cc) = &build.kernel_cc {
        make.arg(format!("CC={cc}"));
    }
    make.arg("bzImage");
    println!("oracles: building the kernel (a few minutes on 2 cores)");
    sh::run_logged(&mut make, &logs.join("kernel-build.log"))?;
    println!("  kernel build: {}", sh::since(t));
    Ok(())
}

/// Checks the built config and the bzImage's boot header and version.
fn verify_kernel(config: &Path, bz: &Path, kver: &str) -> Result<()> {
    let text = fs::read_to_string(config).ctx(|| format!("reading {}", config.display()))?;
    let lines: std::collections::HashSet<&str> = text.lines().collect();
    for o in ENABLE {
        if !lines.contains(format!("CONFIG_{o}=y").as_str()) {
            bail!("CONFIG_{o} is not y in {}", config.display());
        }
    }
    if !lines.contains("# CONFIG_BOOT_CONFIG_FORCE is not set") {
        bail!("CONFIG_BOOT_CONFIG_FORCE is set in {}", config.display());
    }
    let image = fs::read(bz).ctx(|| format!("reading {}", bz.display()))?;
    match bzimage_version(&image) {
        Some(v) if v.starts_with(&format!("{kver} ")) => Ok(()),
        Some(v) => bail!("{} says version {v:?}, not {kver}", bz.display()),
        None => bail!(
            "{} is not a bzImage (no HdrS header or version string)",
            bz.display()
        ),
    }
}

/// The version string of a bzImage: the x86 boot protocol has "HdrS" at
/// 0x202 and, at 0x20e, a 16-bit pointer to the string (relative to 0x200).
pub(crate) fn bzimage_version(image: &[u8]) -> Option<String> {
    if image.get(0x202..0x206)? != b"HdrS" {
        return None;
    }
    let off = u16::from_le_bytes(image.get(0x20e..0x210)?.try_into().ok()?) as usize + 0x200;
    let rest = image.get(off..)?;
    let end = rest.iter().take(256).position(|&b| b == 0)?;
    Some(String::from_utf8_lossy(rest.get(..end)?).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamp_matches_the_established_format() {
        // Byte for byte what the earlier shell tooling wrote into
        // kbuild/.panicpol-config, so its builds are reused, not redone.
        let want = "linux-source-6.12 6.12.117-1~deb12u1 e849 | \
64BIT PRINTK PRINTK_TIME TTY SERIAL_8250 SERIAL_8250_CONSOLE BLK_DEV_INITRD RD_GZIP BINFMT_ELF \
BINFMT_SCRIPT PROC_FS PROC_SYSCTL SYSFS DEVTMPFS MAGIC_SYSRQ BOOT_CONFIG DEBUG_KERNEL KALLSYMS \
KALLSYMS_ALL MULTIUSER FUTEX EPOLL ACPI PCI KERNEL_GZIP | BOOT_CONFIG_FORCE BOOT_CONFIG_EMBED \
PANIC_ON_OOPS KERNEL_XZ VT INPUT SERIO HID_SUPPORT VGA_CONSOLE ACPI_AC ACPI_BATTERY ACPI_BUTTON \
ACPI_FAN ACPI_THERMAL ACPI_PROCESSOR ACPI_TABLE_UPGRADE ACPI_SPCR_TABLE THERMAL POWER_SUPPLY \
CPU_IDLE LEGACY_PTYS UNIX98_PTYS LEGACY_TIOCSTI X86_KERNEL_IBT X86_5LEVEL X86_MPPARSE \
X86_INTEL_MEMORY_PROTECTION_KEYS RD_BZIP2 RD_LZMA RD_XZ RD_LZO RD_LZ4 RD_ZSTD XZ_DEC \
SERIAL_8250_DEPRECATED_OPTIONS SERIAL_8250_PNP PCIEASPM PCI_MMCONFIG PCI_QUIRKS VGA_ARB INTEL_MEI \
PNP_DEBUG_MESSAGES X86_VSYSCALL_EMULATION SERIAL_8250_PCI SERIAL_8250_EXAR SERIAL_8250_LPSS \
SERIAL_8250_MID SERIAL_8250_PERICOM PERF_EVENTS_INTEL_UNCORE PERF_EVENTS_INTEL_RAPL \
PERF_EVENTS_INTEL_CSTATE | PANIC_TIMEOUT=0";
        // The line continuations above drop the newline and leading spaces
        // but keep the space before each backslash.
        assert_eq!(
            kernel_stamp("linux-source-6.12 6.12.117-1~deb12u1 e849"),
            want
        );
    }

    #[test]
    fn the_build_keeps_bootconfig_and_a_way_to_power_off() {
        for o in [
            "BOOT_CONFIG",
            "ACPI",
            "PCI",
            "MAGIC_SYSRQ",
            "SERIAL_8250_CONSOLE",
            "BLK_DEV_INITRD",
        ] {
            assert!(ENABLE.contains(&o), "{o}");
        }
        assert!(DISABLE.contains(&"BOOT_CONFIG_FORCE"));
        assert!(
            ENABLE.iter().all(|o| !DISABLE.contains(o)),
            "an option is both on and off"
        );
    }

    #[test]
    fn tarball_is_found_in_the_listing() {
        let listing = "\
drwxr-xr-x root/root         0 2025-11-14 12:56 ./usr/src/
-rw-r--r-- root/root 151931384 2025-11-14 12:56 ./usr/src/linux-source-6.12.tar.xz
-rw-r--r-- root/root      1234 2025-11-14 12:56 ./usr/src/linux-config-6.12/x.xz
";
        assert_eq!(
            source_tarball(listing).as_deref(),
            Some("./usr/src/linux-source-6.12.tar.xz")
        );
        assert_eq!(source_tarball("nothing here"), None);
    }

    #[test]
    fn tool_test_result_needs_the_success_line() {
        assert_eq!(
            tool_test_passed(
                "=== Summary ===\n# of Passed: 55\n# of Failed: 0\n\nAll tests passed\n"
            ),
            Some(55)
        );
        assert_eq!(tool_test_passed("# of Passed: 54\n# of Failed: 1\n"), None);
    }

    #[test]
    fn bzimage_header_and_version() {
        let mut img = vec![0u8; 0x400];
        img[0x202..0x206].copy_from_slice(b"HdrS");
        img[0x20e..0x210].copy_from_slice(&0x100u16.to_le_bytes());
        img[0x300..0x310].copy_from_slice(b"6.12.117 (x) #1\0");
        assert_eq!(bzimage_version(&img).as_deref(), Some("6.12.117 (x) #1"));
        // A pointer past the end, a missing magic, a short file: None, no panic.
        img[0x20e..0x210].copy_from_slice(&0xffffu16.to_le_bytes());
        assert_eq!(bzimage_version(&img), None);
        assert_eq!(bzimage_version(&img[..0x203]), None);
        assert_eq!(bzimage_version(b""), None);
    }

    #[test]
    fn source_version_option() {
        assert_eq!(SourceVersion::parse("candidate"), SourceVersion::Candidate);
        assert_eq!(
            SourceVersion::parse(SOURCE_VERSION_DEFAULT),
            SourceVersion::Exact("6.12.117-1~deb12u1".into())
        );
    }
}
