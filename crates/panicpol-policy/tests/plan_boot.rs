//! The panic plan checked against real panics: Debian's 6.1 and 6.12 kernels
//! booted under QEMU, crashed with sysrq, and their console compared with
//! what `plan::resolve` predicted for that kernel and command line.
//!
//! A plain QEMU guest loads no crash kernel, so every step the plan marks
//! "before kdump" or "only without kdump" runs. What each step prints:
//! `dump_kernel_offset` (a notifier) prints "Kernel Offset:"; the
//! `panic_print` bits print the markers below. A bit the plan says this build
//! cannot print must print nothing.

// Test code: a failed expectation is a failed test (the library lints of
// issue 8 deny these in library code only).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;
use std::time::Duration;

use panicpol_kernel::elf;
use panicpol_policy::dispatch::dispatch_cmdline;
use panicpol_policy::plan::{NotifierFate, PanicPlan, StepKind, resolve};
use panicpol_policy::policy::lower;
use panicpol_policy::values::Gate;
use panicpol_testkit::{InitrdOptions, boot, make_initrd, real_kernel};

/// What each `panic_print` bit prints first (6.1 and 6.12 sources).
fn marker(bit: u8) -> Option<&'static str> {
    match bit {
        0 => Some("task:"),               // show_state() → sched_show_task()
        1 => Some("Mem-Info:"),           // show_mem() → __show_mem()
        2 => Some("Timer List Version:"), // sysrq_timer_list_show()
        3 => Some("Showing all locks held in the system:"), // debug_show_all_locks()
        4 => Some("Dumping ftrace buffer:"), // ftrace_dump()
        _ => None,
    }
}

fn plan_for(vmlinux: &Path, cmdline: &str) -> PanicPlan {
    let kernel = elf::read_vmlinux(vmlinux, elf::Options::default()).expect("vmlinux reads");
    let d = dispatch_cmdline(cmdline.as_bytes(), &kernel);
    let policy = lower(&d, &kernel, cmdline.as_bytes());
    resolve(&policy, &kernel)
}

fn position(lines: &[&str], needle: &str) -> Option<usize> {
    lines.iter().position(|l| l.contains(needle))
}

/// Boots `version` with `cmdline` plus a crash trigger and checks the console
/// against the plan. Returns the panic lines for extra assertions.
fn check(version: &str, cmdline: &str) -> Option<Vec<String>> {
    let vmlinux = real_kernel(version, "vmlinux")?;
    let vmlinuz = real_kernel(version, "vmlinuz")?;
    let plan = plan_for(&vmlinux, cmdline);
    let initrd =
        make_initrd(&InitrdOptions::default()).expect("initrd (busybox-static installed?)");
    let full = format!("console=ttyS0 panic=-1 {cmdline} panicpol.action=crash");
    let r = boot(&vmlinuz, &initrd, &full, Duration::from_secs(120)).expect("boot");
    assert!(!r.timed_out, "{version}: boot timed out\n{}", r.serial);
    let lines: Vec<&str> = r.panic_lines.iter().map(String::as_str).collect();
    let panic_at = position(&lines, "Kernel panic - not syncing").expect("the kernel panicked");

    // The notifier chain ran (no crash kernel is loaded in the guest):
    // dump_kernel_offset printed its line, after the panic message.
    let offset = plan
        .notifiers
        .iter()
        .find(|n| n.callback.as_deref() == Some("dump_kernel_offset"));
    let offset = offset.expect("the plan lists dump_kernel_offset (proven from the code)");
    assert!(matches!(
        offset.fate,
        NotifierFate::Always | NotifierFate::BeforeKdump | NotifierFate::OnlyWithoutKdump
    ));
    let offset_at =
        position(&lines, "Kernel Offset:").expect("Kernel Offset: printed by the notifier");
    assert!(
        offset_at > panic_at,
        "{version}: notifier output before the panic message"
    );

    // panic_print: every bit the plan says prints does, after the notifiers;
    // every bit it says prints nothing on this build does not.
    assert!(plan.steps.iter().any(|s| s.kind == StepKind::SysInfo));
    for d in &plan.dumps {
        let Some(m) = marker(d.bit) else { continue };
        match d.effective {
            Gate::Yes => {
                let at = position(&lines, m)
                    .unwrap_or_else(|| panic!("{version}: bit {} should print {m:?}", d.bit));
                assert!(
                    at > offset_at,
                    "{version}: bit {} printed before the notifier chain",
                    d.bit
                );
            }
            Gate::No => assert!(
                position(&lines, m).is_none(),
                "{version}: bit {} printed {m:?}",
                d.bit
            ),
            Gate::Depends => {}
        }
    }
    // Bits not asked for print nothing.
    for bit in 0..=4u8 {
        if !plan.dumps.iter().any(|d| d.bit == bit)
            && let Some(m) = marker(bit)
        {
            assert!(
                position(&lines, m).is_none(),
                "{version}: bit {bit} was not set but {m:?} printed"
            );
        }
    }
    Some(r.panic_lines.clone())
}

#[test]
fn debian_612_tasks_and_memory() {
    check("6.12", "panic_print=0x3");
}

#[test]
fn debian_61_timers_ftrace_and_a_compiled_out_bit() {
    // Bit 3 (locks) needs LOCKDEP, which Debian's 6.1 lacks: the plan says it
    // prints nothing, and it must not.
    let Some(_) = check("6.1", "panic_print=0x1c") else {
        return;
    };
    let vmlinux = real_kernel("6.1", "vmlinux").expect("present");
    let plan = plan_for(&vmlinux, "panic_print=0x1c");
    let locks = plan.dumps.iter().find(|d| d.bit == 3).expect("bit 3");
    assert_eq!(locks.effective, Gate::No);
}

#[test]
fn debian_612_post_notifiers_with_a_reservation_but_no_crash_kernel() {
    // crash_kexec_post_notifiers moves kdump after the notifiers; with no
    // crash kernel loaded, kdump does nothing and the rest still runs.
    let Some(lines) = check(
        "6.12",
        "crashkernel=64M crash_kexec_post_notifiers panic_print=0x2",
    ) else {
        return;
    };
    assert!(!lines.iter().any(|l| l.contains("task:")));
    let vmlinux = real_kernel("6.12", "vmlinux").expect("present");
    let plan = plan_for(
        &vmlinux,
        "crashkernel=64M crash_kexec_post_notifiers panic_print=0x2",
    );
    assert!(plan.kdump_reserved && plan.post_notifiers);
    assert!(
        plan.notifiers
            .iter()
            .all(|n| n.fate == NotifierFate::BeforeKdump)
    );
}

#[test]
fn debian_61_blocked_tasks_bit_does_not_exist() {
    // Bit 7 arrived in 6.9: on 6.1 it is stored and ignored.
    let Some(lines) = check("6.1", "panic_print=0x80") else {
        return;
    };
    assert!(!lines.iter().any(|l| l.contains("task:")));
    let vmlinux = real_kernel("6.1", "vmlinux").expect("present");
    let plan = plan_for(&vmlinux, "panic_print=0x80");
    assert!(
        plan.dumps
            .iter()
            .all(|d| d.bit != 7 || d.effective == Gate::No)
    );
}
