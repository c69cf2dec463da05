//! The test initrd: a cpio newc archive holding a static busybox and an
//! `/init` script that prints what the kernel applied (values under /proc and
//! /sys, init's argv and environment, the kernel's command-line messages)
//! between markers on the console, then powers off, or crashes the kernel
//! with sysrq when the command line asks for it.
//!
//! The archive is uncompressed: every kernel accepts an uncompressed
//! initramfs, so the rig needs no compressor. A caller that tests bootconfig
//! appends the footer to the returned bytes itself.

use std::path::{Path, PathBuf};

use crate::cpio::CpioWriter;
use crate::error::RigError;

/// Printed by `/init` before the report.
pub const REPORT_BEGIN: &str = "=== PANICPOL-REPORT-BEGIN";
/// Printed by `/init` after the report.
pub const REPORT_END: &str = "=== PANICPOL-REPORT-END";
/// Printed by `/init` right before it triggers a sysrq crash.
pub const CRASH_NOW: &str = "=== PANICPOL-CRASH-NOW";
/// Printed by `/init` before it sleeps forever (`panicpol.action=hold`).
pub const HOLD: &str = "=== PANICPOL-HOLD";

/// Report key: init's argv, one argument per line (`/proc/1/cmdline`).
pub const KEY_INIT_ARGV: &str = "/proc/1/cmdline";
/// Report key: init's initial environment, one variable per line.
pub const KEY_INIT_ENV: &str = "/proc/1/environ";
/// Report key: the kernel's "Unknown kernel command line parameters" line.
pub const KEY_DMESG_UNKNOWN: &str = "dmesg:unknown";
/// Report key: kernel lines about the command line, bootconfig and initramfs.
pub const KEY_DMESG_CMDLINE: &str = "dmesg:cmdline";
/// Report key: `uname -r` in the guest.
pub const KEY_UNAME: &str = "uname -r";

/// The guest's `/init`. Paths in it are guest paths. The report is a list of
/// items: `--- KEY` then one `| ` line per line of the value, or
/// `(absent)` when a file does not exist. The `| ` prefix keeps a kernel
/// message printed on the same console mid-report from being read as a value.
/// The command-line switch `panicpol.action=crash|hold|reboot` (a dotted
/// name, which the kernel drops silently) picks what happens after the report;
/// the default is `poweroff -f`, which makes QEMU exit.
pub const INIT_SCRIPT: &str = r#"#!/bin/sh
# panicpol test init: report what the kernel applied, then power off
# (or crash / hold / reboot, as panicpol.action= on the command line says).
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
quote() { while IFS= read -r l || [ -n "$l" ]; do echo "| $l"; done; }
item() { k=$1; shift; echo "--- $k"; "$@" 2>&1 | quote; }
show() {
    if [ -e "$1" ]; then item "$1" cat "$1"; else echo "--- $1"; echo "(absent)"; fi
}
nul_lines() { tr '\0' '\n' < "$1"; }
unknown_lines() { dmesg | grep -E 'Unknown (kernel )?command line parameters'; true; }
cmdline_lines() { dmesg | grep -iE 'bootconfig|command line|initramfs|initrd|unpack'; true; }
echo "=== PANICPOL-REPORT-BEGIN"
item "uname -r" uname -r
show /proc/cmdline
show /proc/bootconfig
show /proc/sys/kernel/panic_print
show /sys/module/kernel/parameters/panic_print
show /sys/module/kernel/parameters/crash_kexec_post_notifiers
show /sys/module/kernel/parameters/panic
show /proc/sys/kernel/panic
show /proc/sys/kernel/panic_on_oops
show /proc/sys/kernel/panic_on_warn
show /proc/sys/kernel/tainted
show /proc/sys/kernel/sysrq
item /proc/1/cmdline nul_lines /proc/1/cmdline
item /proc/1/environ nul_lines /proc/1/environ
item dmesg:unknown unknown_lines
item dmesg:cmdline cmdline_lines
show /proc/uptime
echo "=== PANICPOL-REPORT-END"
case " $(cat /proc/cmdline) " in
*" panicpol.action=crash "*)
    echo "=== PANICPOL-CRASH-NOW"
    echo 1 > /proc/sys/kernel/sysrq
    echo c > /proc/sysrq-trigger ;;
*" panicpol.action=hold "*)
    echo "=== PANICPOL-HOLD (sleeping; stop QEMU to end)"
    while :; do sleep 3600; done ;;
*" panicpol.action=reboot "*)
    reboot -f ;;
esac
poweroff -f
"#;

/// What goes into the test initrd.
#[derive(Debug, Clone, Default)]
pub struct InitrdOptions {
    /// A static x86-64 busybox; `None` finds one with [`find_busybox`].
    pub busybox: Option<PathBuf>,
}

/// Builds the test initrd: directories, `/dev/console` (5:1), `/dev/null`
/// (1:3), `/bin/busybox`, `/bin/sh` → busybox, and [`INIT_SCRIPT`] as `/init`.
pub fn make_initrd(opts: &InitrdOptions) -> Result<Vec<u8>, RigError> {
    let busybox = match &opts.busybox {
        Some(p) => p.clone(),
        None => find_busybox()?,
    };
    let bytes = std::fs::read(&busybox).map_err(|source| RigError::Io {
        context: "reading busybox".into(),
        path: busybox.clone(),
        source,
    })?;
    check_static_x86_64(&busybox, &bytes)?;

    let mut w = CpioWriter::new();
    for d in ["bin", "dev", "proc", "sys", "etc", "tmp"] {
        w.dir(d, 0o755)?;
    }
    // The kernel opens /dev/console for init's stdio before devtmpfs is
    // mounted, so the node must be in the archive itself.
    w.char_dev("dev/console", 0o600, 5, 1)?;
    w.char_dev("dev/null", 0o666, 1, 3)?;
    w.file("bin/busybox", 0o755, &bytes)?;
    w.symlink("bin/sh", "busybox")?;
    w.file("init", 0o755, INIT_SCRIPT.as_bytes())?;
    Ok(w.finish())
}

/// The busybox to put in the guest: `$BUSYBOX` when set, else `busybox` on
/// `PATH` (Debian's busybox-static installs a static one there).
pub fn find_busybox() -> Result<PathBuf, RigError> {
    if let Some(p) = std::env::var_os("BUSYBOX").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    crate::which("busybox").ok_or(RigError::BusyboxNotFound)
}

/// Refuses anything but a statically linked x86-64 ELF executable: the guest
/// has no dynamic loader or libraries, and the rig boots x86-64 kernels only.
pub fn check_static_x86_64(path: &Path, bytes: &[u8]) -> Result<(), RigError> {
    let reject = |reason: String| RigError::BusyboxNotStatic {
        path: path.to_owned(),
        reason,
    };
    let elf =
        goblin::elf::Elf::parse(bytes).map_err(|e| reject(format!("not an ELF file: {e}")))?;
    if elf.header.e_machine != goblin::elf::header::EM_X86_64 {
        return Err(reject(format!(
            "ELF machine {} is not x86-64",
            elf.header.e_machine
        )));
    }
    if let Some(interp) = elf.interpreter {
        return Err(reject(format!("dynamically linked (interpreter {interp})")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_elf_and_non_static_busybox_are_refused() {
        let p = Path::new("bb");
        let err = check_static_x86_64(p, b"#!/bin/sh\n").unwrap_err();
        assert!(err.to_string().contains("not an ELF file"), "{err}");
        // A truncated ELF header is an error, not a panic.
        assert!(check_static_x86_64(p, b"\x7fELF\x02\x01\x01").is_err());
    }

    #[test]
    fn host_binaries_are_classified() {
        // The test binary itself is a dynamically linked x86-64 executable
        // on the hosts the rig supports; anything else has nothing to check.
        let Ok(me) = std::env::current_exe() else {
            return;
        };
        let Ok(bytes) = std::fs::read(&me) else {
            return;
        };
        if !cfg!(all(
            target_arch = "x86_64",
            target_os = "linux",
            target_env = "gnu"
        )) {
            return;
        }
        let err = check_static_x86_64(&me, &bytes).unwrap_err();
        assert!(err.to_string().contains("dynamically linked"), "{err}");
    }

    /// The smallest ELF64 x86-64 executable header goblin accepts: no
    /// program headers, hence no interpreter, i.e. "static".
    fn tiny_static_elf() -> Vec<u8> {
        let mut h = vec![0u8; 64];
        h[..8].copy_from_slice(b"\x7fELF\x02\x01\x01\x00");
        h[16..18].copy_from_slice(&2u16.to_le_bytes()); // ET_EXEC
        h[18..20].copy_from_slice(&62u16.to_le_bytes()); // EM_X86_64
        h[20..24].copy_from_slice(&1u32.to_le_bytes()); // EV_CURRENT
        h[52..54].copy_from_slice(&64u16.to_le_bytes()); // e_ehsize
        h[54..56].copy_from_slice(&56u16.to_le_bytes()); // e_phentsize
        h[58..60].copy_from_slice(&64u16.to_le_bytes()); // e_shentsize
        h
    }

    #[test]
    fn wrong_machine_is_refused() {
        let mut elf = tiny_static_elf();
        check_static_x86_64(Path::new("bb"), &elf).unwrap();
        elf[18..20].copy_from_slice(&183u16.to_le_bytes()); // EM_AARCH64
        let err = check_static_x86_64(Path::new("bb"), &elf).unwrap_err();
        assert!(err.to_string().contains("not x86-64"), "{err}");
    }

    #[test]
    fn initrd_layout_busybox_and_init_script() {
        let elf = tiny_static_elf();
        let path = std::env::temp_dir().join(format!("panicpol-bb-{}", std::process::id()));
        std::fs::write(&path, &elf).unwrap();
        let img = make_initrd(&InitrdOptions {
            busybox: Some(path.clone()),
        });
        let _ = std::fs::remove_file(&path);
        let members = crate::cpio::reader::read(&img.unwrap());
        let get = |n: &str| members.iter().find(|m| m.name == n).unwrap();
        assert_eq!(get("bin/busybox").data, elf);
        assert_eq!(get("bin/sh").data, b"busybox");
        assert_eq!(get("init").data, INIT_SCRIPT.as_bytes());
        assert_eq!(get("init").mode, 0o100755);
        assert_eq!(get("dev/console").rdev, (5, 1));
        assert_eq!(get("dev/null").rdev, (1, 3));
        // Directories come before their members: the unpacker creates in order.
        let pos = |n: &str| members.iter().position(|m| m.name == n).unwrap();
        assert!(pos("bin") < pos("bin/busybox") && pos("dev") < pos("dev/console"));
        for d in ["proc", "sys", "tmp", "etc"] {
            assert_eq!(get(d).mode, 0o040755);
        }
    }

    #[test]
    fn missing_busybox_file_is_an_io_error() {
        let err = make_initrd(&InitrdOptions {
            busybox: Some(PathBuf::from("/nonexistent/panicpol/busybox")),
        })
        .unwrap_err();
        assert!(matches!(err, RigError::Io { .. }), "{err}");
    }

    #[test]
    fn init_script_uses_the_markers_and_keys_the_parser_reads() {
        for marker in [REPORT_BEGIN, REPORT_END, CRASH_NOW] {
            assert!(
                INIT_SCRIPT.contains(&format!("echo \"{marker}\"")),
                "{marker}"
            );
        }
        assert!(INIT_SCRIPT.contains(&format!("echo \"{HOLD}")));
        for key in [
            KEY_INIT_ARGV,
            KEY_INIT_ENV,
            KEY_DMESG_UNKNOWN,
            KEY_DMESG_CMDLINE,
        ] {
            assert!(INIT_SCRIPT.contains(&format!("item {key} ")), "{key}");
        }
        assert!(INIT_SCRIPT.contains(&format!("item \"{KEY_UNAME}\" ")));
        assert!(INIT_SCRIPT.ends_with("poweroff -f\n"));
    }
}
