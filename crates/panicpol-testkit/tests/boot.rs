//! Real boots under QEMU (TCG): Debian's 6.12 cloud kernel and the
//! bootconfig-enabled oracle kernel, with the rig's initrd. Each boot takes a
//! few seconds; the tests skip (or fail under `PANICPOL_REQUIRE_REAL=1`) when
//! the kernels, QEMU or a static busybox are missing.

use std::path::{Path, PathBuf};
use std::time::Duration;

use panicpol_testkit::initrd::{KEY_DMESG_UNKNOWN, KEY_UNAME};
use panicpol_testkit::{BootResult, InitrdOptions, boot, layout, make_initrd};

/// Generous: a boot takes ~3 s alone, but tests and builds share two cores.
const TIMEOUT: Duration = Duration::from_secs(240);

/// The rig's prerequisites, or `None` after a skip notice.
fn rig(kernel: Option<PathBuf>) -> Option<(PathBuf, Vec<u8>)> {
    let kernel = kernel?;
    panicpol_testkit::host_tool("qemu-system-x86_64")?;
    let busybox = panicpol_testkit::busybox()?;
    let initrd = make_initrd(&InitrdOptions {
        busybox: Some(busybox),
    })
    .unwrap_or_else(|e| panic!("building the initrd: {e}"));
    Some((kernel, initrd))
}

fn run(kernel: &Path, initrd: &[u8], cmdline: &str) -> BootResult {
    boot(kernel, initrd, cmdline, TIMEOUT).unwrap_or_else(|e| panic!("booting: {e}"))
}

#[test]
fn debian_612_applies_parameters_and_passes_the_rest_to_init() {
    let Some((kernel, initrd)) = rig(panicpol_testkit::real_kernel("6.12", "vmlinuz")) else {
        return;
    };
    let cmdline =
        "console=ttyS0 panic=-1 panic_print=0x3 crash_kexec_post_notifiers foo=bar -- baz";
    let r = run(&kernel, &initrd, cmdline);
    assert!(r.completed(), "{}", r.summary());
    let report = r.report.as_ref().expect("report");

    assert_eq!(r.value(KEY_UNAME), Some("6.12.117+deb12-cloud-amd64"));
    assert_eq!(r.value("/proc/cmdline"), Some(cmdline));
    assert_eq!(r.kernel_cmdline.as_deref(), Some(cmdline));
    assert_eq!(r.value("/proc/sys/kernel/panic_print"), Some("3"));
    assert_eq!(
        r.value("/sys/module/kernel/parameters/panic_print"),
        Some("3")
    );
    assert_eq!(
        r.value("/sys/module/kernel/parameters/crash_kexec_post_notifiers"),
        Some("Y")
    );
    assert_eq!(r.value("/proc/sys/kernel/panic"), Some("-1"));
    assert_eq!(r.value("/sys/module/kernel/parameters/panic"), Some("-1"));
    // Debian's kernels have no CONFIG_BOOT_CONFIG, hence no /proc/bootconfig.
    assert!(report.absent.contains("/proc/bootconfig"), "{report:?}");

    // The script runs as `/bin/sh /init baz` (binfmt_script); the unknown
    // `foo=bar` becomes an environment variable, after the kernel's two.
    assert_eq!(r.init_argv, ["/bin/sh", "/init", "baz"]);
    assert_eq!(r.init_env, ["HOME=/", "TERM=linux", "foo=bar"]);
    // init/main.c print_unknown_bootoptions() runs before the arguments after
    // `--` are added, so only foo=bar is named.
    let unknown = r.value(KEY_DMESG_UNKNOWN).unwrap_or("");
    assert!(
        unknown.ends_with(
            r#"Unknown kernel command line parameters "foo=bar", will be passed to user space."#
        ),
        "{unknown:?}"
    );
    assert!(r.panic_lines.is_empty(), "{:?}", r.panic_lines);
}

#[test]
fn debian_612_crash_runs_notifiers_then_panic_print() {
    let Some((kernel, initrd)) = rig(panicpol_testkit::real_kernel("6.12", "vmlinuz")) else {
        return;
    };
    let r = run(
        &kernel,
        &initrd,
        "console=ttyS0 panic=-1 panic_print=0x3 panicpol.action=crash",
    );
    // panic=-1 reboots at once, which -no-reboot turns into QEMU exiting 0.
    assert_eq!((r.status, r.timed_out), (Some(0), false), "{}", r.summary());
    let p = &r.panic_lines;
    let at = |needle: &str| {
        p.iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no {needle:?} after the trigger\n{}", r.summary()))
    };
    let panic = at("Kernel panic - not syncing: sysrq triggered crash");
    // kernel/panic.c: the notifier chain (x86 kernel_offset_notifier prints
    // "Kernel Offset:") runs before panic_print_sys_info(), whose bit 1 is
    // show_mem() ("Mem-Info:").
    let offset = at("Kernel Offset:");
    let mem = at("Mem-Info:");
    assert!(panic < offset && offset < mem, "{panic} {offset} {mem}");
    // Bit 0: show_state() prints a task: block per task.
    assert!(p.iter().any(|l| l.contains("task:")), "no task dump");
}

#[test]
fn oracle_kernel_boots_and_has_bootconfig_support() {
    let Some((kernel, initrd)) = rig(panicpol_testkit::oracle(layout::ORACLE_BZIMAGE)) else {
        return;
    };
    let r = run(&kernel, &initrd, "console=ttyS0 panic=-1");
    assert!(r.completed(), "{}", r.summary());
    // CONFIG_BOOT_CONFIG=y: /proc/bootconfig exists, empty without a footer.
    assert_eq!(r.value("/proc/bootconfig"), Some(""));
    let release = r.value(KEY_UNAME).unwrap_or("");
    assert!(release.starts_with("6.12."), "{release:?}");
    assert_eq!(r.init_argv, ["/bin/sh", "/init"]);
}
