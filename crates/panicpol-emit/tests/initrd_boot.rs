//! The boot proof: a bootconfig attached by panicpol, booted on the small
//! 6.12 kernel built with CONFIG_BOOT_CONFIG (the oracle kernel), is applied
//! exactly as panicpol predicts: the kernel's node count and size, the
//! composed `/proc/cmdline`, `/proc/bootconfig` byte for byte, the applied
//! values and init's arguments. A footer the parser rejects gives the
//! kernel's own error line, and GRUB-style trailing bytes are tolerated.

// Test code: a failed expectation is a failed test (the library lints of
// issue 8 deny these in library code only).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::time::Duration;

use panicpol_emit::initrd::{BOOTCONFIG_MAGIC, attach, attach_with_info, checksum};
use panicpol_syntax::bootconfig::{Options, bootconfig_on_cmdline, compose_command_line, parse};
use panicpol_testkit::{BootResult, InitrdOptions, boot, layout, make_initrd};

const TIMEOUT: Duration = Duration::from_secs(180);
const CMDLINE: &str = "console=ttyS0 bootconfig panic=-1";
const POLICY: &[u8] =
    b"kernel {\n\tpanic_print = 0x3\n\tcrash_kexec_post_notifiers\n}\ninit.foo = bar\n";

/// The kernel, the base initrd, or `None` (skipped) when the rig is missing.
fn rig() -> Option<(std::path::PathBuf, Vec<u8>)> {
    let kernel = panicpol_testkit::oracle(layout::ORACLE_BZIMAGE)?;
    panicpol_testkit::host_tool("qemu-system-x86_64")?;
    let busybox = panicpol_testkit::busybox()?;
    let initrd = make_initrd(&InitrdOptions {
        busybox: Some(busybox),
    })
    .expect("build the test initrd");
    Some((kernel, initrd))
}

fn run(kernel: &std::path::Path, initrd: &[u8]) -> BootResult {
    let r = boot(kernel, initrd, CMDLINE, TIMEOUT).unwrap_or_else(|e| panic!("booting: {e}"));
    assert!(r.completed(), "{}", r.summary());
    r
}

fn kernel_line<'a>(r: &'a BootResult, needle: &str) -> Option<&'a str> {
    r.serial
        .lines()
        .find_map(|l| l.find(needle).and_then(|i| l.get(i..)))
        .map(str::trim_end)
}

#[test]
fn the_kernel_applies_the_attached_policy_as_predicted() {
    let Some((kernel, base)) = rig() else { return };
    let (img, info) = attach_with_info(&base, POLICY).expect("attach");
    let r = run(&kernel, &img);

    // What panicpol predicts.
    let bc = parse(POLICY, Options::KERNEL).expect("valid");
    assert!(bootconfig_on_cmdline(CMDLINE.as_bytes()));
    let k = bc.cmdline("kernel").expect("renders");
    let i = bc.cmdline("init").expect("renders");
    let composed = compose_command_line(k.as_ref(), CMDLINE.as_bytes(), i.as_ref());
    let proc = bc.render_proc(CMDLINE.as_bytes()).expect("renders");

    assert_eq!(
        kernel_line(&r, "Load bootconfig:"),
        Some(format!("Load bootconfig: {} bytes {} nodes", info.size, info.nodes).as_str()),
        "{}",
        r.summary()
    );
    assert_eq!(
        r.value("/proc/cmdline"),
        Some(&*String::from_utf8_lossy(&composed.text))
    );
    assert_eq!(
        r.kernel_cmdline.as_deref(),
        Some(&*String::from_utf8_lossy(&composed.text))
    );
    // The report strips the file's final newline.
    assert_eq!(
        r.value("/proc/bootconfig").map(|v| format!("{v}\n")),
        Some(String::from_utf8_lossy(&proc).into_owned())
    );
    assert_eq!(r.value("/proc/sys/kernel/panic_print"), Some("3"));
    assert_eq!(
        r.value("/sys/module/kernel/parameters/crash_kexec_post_notifiers"),
        Some("Y")
    );
    assert!(
        r.init_argv.iter().any(|a| a == "foo=bar"),
        "argv {:?}",
        r.init_argv
    );
    assert!(
        !r.init_env.iter().any(|e| e == "foo=bar"),
        "env {:?}",
        r.init_env
    );
    // The footer was cut off before the initramfs was unpacked.
    assert!(
        !r.serial.contains("Initramfs unpacking failed"),
        "{}",
        r.summary()
    );
}

#[test]
fn a_rejected_bootconfig_is_logged_with_panicpols_message() {
    let Some((kernel, mut img)) = rig() else {
        return;
    };
    // attach() refuses text the kernel rejects, so build the footer by hand.
    let text = b"kernel.panic_print = 0x3\nkernel.panic_print = 0x3\n";
    let err = parse(text, Options::KERNEL).expect_err("redefined");
    let mut data = text.to_vec();
    data.push(0);
    while (img.len() + data.len() + 20) % 4 != 0 {
        data.push(0);
    }
    img.extend_from_slice(&data);
    img.extend_from_slice(&(data.len() as u32).to_le_bytes());
    img.extend_from_slice(&checksum(text).to_le_bytes());
    img.extend_from_slice(BOOTCONFIG_MAGIC);
    let r = run(&kernel, &img);
    assert_eq!(
        kernel_line(&r, "Failed to parse bootconfig:"),
        Some(err.kernel_log().as_str()),
        "{}",
        r.summary()
    );
    assert_eq!(r.value("/proc/sys/kernel/panic_print"), Some("0"));
    assert_eq!(r.value("/proc/cmdline"), Some(CMDLINE));
}

#[test]
fn three_trailing_bytes_after_the_footer_are_tolerated() {
    let Some((kernel, base)) = rig() else { return };
    let mut img = attach(&base, POLICY).expect("attach");
    img.extend_from_slice(&[0, 0, 0]);
    let r = run(&kernel, &img);
    assert_eq!(
        r.value("/proc/sys/kernel/panic_print"),
        Some("3"),
        "{}",
        r.summary()
    );
    assert!(
        !r.serial.contains("Initramfs unpacking failed"),
        "{}",
        r.summary()
    );
}

#[test]
fn the_kernel_reads_latin1_bytes_that_the_tool_rejects() {
    let Some((kernel, base)) = rig() else { return };
    // UTF-8 "café" and "à" (C3 A0): lib/ctype.c calls 0xA0-0xFF printable
    // and 0xA0 a space, the C library calls them neither.
    let text = "init.msg = caf\u{e9}\ninit.cut = \u{e0}\n".as_bytes();
    assert!(parse(text, Options::TOOL).is_err(), "the tool rejects it");
    let bc = parse(text, Options::KERNEL).expect("the kernel's classes accept it");
    let i = bc.cmdline("init").expect("renders").expect("params");
    // strim drops the trailing 0xA0, leaving a lone C3 byte.
    assert_eq!(i.text, b"msg=caf\xc3\xa9 cut=\xc3 ");
    let img = attach(&base, text).expect("attach");
    let r = run(&kernel, &img);
    assert!(
        r.init_argv.iter().any(|a| a == "msg=caf\u{e9}"),
        "argv {:?}",
        r.init_argv
    );
    assert!(
        r.init_argv.iter().any(|a| a == "cut=\u{fffd}"),
        "argv {:?}",
        r.init_argv
    );
}
