//! The vmlinux reader on Debian's real 6.1 and 6.12 cloud kernels (found
//! through panicpol-testkit; skipped when absent unless
//! PANICPOL_REQUIRE_REAL=1). Expected values are the measured ground truth
//! of reference/real-kernels.md §1–2, checked against the kernel sources.

// Test code: a failed expectation is a failed test (the library lints of
// issue 8 deny these in library code only).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use panicpol_kernel::elf::{Options, Report, Vmlinux, catalogue_lookup, read_modules};
use panicpol_kernel::{Arch, DefaultValue, KernelSource, Known, ParamType};
use std::sync::OnceLock;

/// Reads each kernel once for all tests (with DWARF lines).
fn report(version: &str) -> Option<&'static Report> {
    static R61: OnceLock<Option<Report>> = OnceLock::new();
    static R612: OnceLock<Option<Report>> = OnceLock::new();
    let cell = if version == "6.1" { &R61 } else { &R612 };
    cell.get_or_init(|| {
        let path = panicpol_testkit::real_kernel(version, "vmlinux")?;
        match Vmlinux::open(&path).and_then(|v| v.read(Options::all())) {
            Ok(r) => Some(r),
            Err(e) => panic!("{}: {e}", path.display()),
        }
    })
    .as_ref()
}

/// callback, block, priority, registered in, dynamic, file:line.
type NotifierRow = (
    &'static str,
    Option<&'static str>,
    Option<i32>,
    &'static str,
    bool,
    &'static str,
);

struct Truth {
    version: &'static str,
    release: &'static str,
    params: usize,
    setups: usize,
    setups_with_eq: usize,
    early: usize,
    nm_symbols: usize,
    register_calls: usize,
    /// callback, block, priority, registered in, dynamic, file:line
    notifiers: &'static [NotifierRow],
}

#[rustfmt::skip]
const TRUTH: [Truth; 2] = [
    Truth {
        version: "6.1",
        release: "6.1.0-50-cloud-amd64",
        params: 236,
        setups: 346,
        setups_with_eq: 134,
        early: 143,
        nm_symbols: 116_599,
        register_calls: 15,
        notifiers: &[
            ("xen_panic_event", Some("xen_panic_block"), Some(i32::MIN), "xen_panic_handler_init", false, "arch/x86/xen/enlighten.c:327"),
            ("dump_kernel_offset", Some("kernel_offset_notifier"), Some(0), "register_kernel_offset_dumper", false, "arch/x86/kernel/setup.c:809"),
            ("rcu_panic", Some("rcu_panic_block"), Some(0), "check_cpu_stall_init", false, "kernel/rcu/tree_stall.h:121"),
            ("hung_task_panic", Some("panic_block"), Some(0), "hung_task_init", false, "kernel/hung_task.c:81"),
            ("trace_panic_handler", Some("trace_panic_notifier"), Some(150), "early_trace_init", false, "kernel/trace/trace.c:10013"),
            ("led_trigger_panic_notifier", Some("led_trigger_panic_nb"), Some(0), "ledtrig_panic_init", false, "drivers/leds/trigger/ledtrig-panic.c:46"),
            ("hv_die_panic_notify_crash", Some("hyperv_panic_report_block"), Some(0), "hv_common_init", false, "drivers/hv/hv_common.c:172"),
        ],
    },
    Truth {
        version: "6.12",
        release: "6.12.117+deb12-cloud-amd64",
        params: 331,
        setups: 370,
        setups_with_eq: 146,
        early: 150,
        nm_symbols: 186_606,
        register_calls: 18,
        notifiers: &[
            ("xen_panic_event", Some("xen_panic_block"), Some(i32::MIN), "xen_panic_handler_init", false, "arch/x86/xen/enlighten.c:325"),
            // The ring buffer's block is a field of a heap object
            // (lea 0xd0(%r15),%rsi); the callback is stored just before and
            // the priority is not written before the call.
            ("rb_flush_buffer_cb", None, None, "alloc_buffer", true, "kernel/trace/ring_buffer.c:2394"),
            ("kfence_check_canary_callback", Some("kfence_check_canary_notifier"), Some(0), "kfence_init_enable", false, "mm/kfence/core.c:823"),
            ("dump_kernel_offset", Some("kernel_offset_notifier"), Some(0), "register_kernel_offset_dumper", false, "arch/x86/kernel/setup.c:678"),
            ("rcu_panic", Some("rcu_panic_block"), Some(0), "check_cpu_stall_init", false, "kernel/rcu/tree_stall.h:124"),
            ("hung_task_panic", Some("panic_block"), Some(0), "hung_task_init", false, "kernel/hung_task.c:82"),
            ("trace_die_panic_handler", Some("trace_panic_notifier"), Some(i32::MAX - 1), "early_trace_init", false, "kernel/trace/trace.c:10099"),
            ("led_trigger_panic_notifier", Some("led_trigger_panic_nb"), Some(0), "ledtrig_panic_init", false, "drivers/leds/trigger/ledtrig-panic.c:37"),
            ("hv_die_panic_notify_crash", Some("hyperv_panic_report_block"), Some(0), "hv_common_init", false, "drivers/hv/hv_common.c:178"),
        ],
    },
];

#[test]
fn release_arch_and_symbols() {
    for t in &TRUTH {
        let Some(r) = report(t.version) else { continue };
        let k = &r.kernel;
        assert_eq!(k.source, KernelSource::Vmlinux);
        assert_eq!(k.arch, Arch::X86_64);
        assert_eq!(k.release.as_deref(), Some(t.release), "{}", t.version);
        assert!(
            k.banner
                .as_deref()
                .is_some_and(|b| b.starts_with(&format!("Linux version {} (", t.release))),
            "{}",
            t.version
        );
        // The same symbols nm prints (no FILE/SECTION entries).
        assert_eq!(k.symbols.len(), t.nm_symbols, "{}", t.version);
        let hung = k
            .symbols
            .symbols()
            .iter()
            .find(|s| s.name == "hung_task_panic");
        assert_eq!(hung.map(|s| s.kind), Some('t'), "{}", t.version);
        let list = k
            .symbols
            .symbols()
            .iter()
            .find(|s| s.name == "panic_notifier_list");
        assert_eq!(list.map(|s| s.kind), Some('B'), "{}", t.version);
    }
}

#[test]
fn parameter_tables() {
    for t in &TRUTH {
        let Some(r) = report(t.version) else { continue };
        let k = &r.kernel;
        let v = t.version;
        assert!(k.tables_complete);
        assert_eq!(k.params.len(), t.params, "{v}: __param entries");
        assert_eq!(k.setups.len(), t.setups, "{v}: .init.setup entries");
        let eq = k.setups.iter().filter(|s| s.string.ends_with('=')).count();
        assert_eq!(eq, t.setups_with_eq, "{v}: setup strings ending in =");
        let early = k.setups.iter().filter(|s| s.early).count();
        assert_eq!(early, t.early, "{v}: early setups");
        // Cross-check with the symbol table: one __param_str_ per entry.
        let strs = k
            .symbols
            .symbols()
            .iter()
            .filter(|s| s.name.starts_with("__param_str_"))
            .count();
        assert_eq!(strs, t.params, "{v}: __param_str_ symbols");

        let p = |name: &str| k.params.iter().find(|p| p.name == name);
        let ckpn = p("crash_kexec_post_notifiers");
        assert!(ckpn.is_some(), "{v}");
        if let Some(c) = ckpn {
            assert_eq!(c.ty, ParamType::Bool);
            assert_eq!(c.default, Some(DefaultValue::Bool(false)));
            assert_eq!(c.perm, 0o644);
            assert_eq!(c.level, -1);
            assert_eq!(c.arg_symbol.as_deref(), Some("crash_kexec_post_notifiers"));
            assert_eq!(c.known, Known::Table);
        }
        assert_eq!(
            p("panic_print").map(|p| &p.ty),
            Some(&ParamType::Ulong),
            "{v}"
        );
        assert_eq!(
            p("panic_print").and_then(|p| p.default.clone()),
            Some(DefaultValue::Uint(0)),
            "{v}"
        );
        let panic = p("panic");
        assert_eq!(panic.map(|p| &p.ty), Some(&ParamType::Int), "{v}");
        assert_eq!(
            panic.and_then(|p| p.arg_symbol.as_deref()),
            Some("panic_timeout"),
            "{v}"
        );
        // CONFIG_PANIC_TIMEOUT=0 in both configs.
        assert_eq!(
            panic.and_then(|p| p.default.clone()),
            Some(DefaultValue::Int(0)),
            "{v}"
        );
        assert_eq!(
            p("panic_on_warn").map(|p| &p.ty),
            Some(&ParamType::Int),
            "{v}"
        );
        assert!(p("cryptomgr.panic_on_fail").is_some(), "{v}");
        assert_eq!(p("kfence.check_on_panic").is_some(), v == "6.12", "{v}");

        let crash = k.setups.iter().find(|s| s.string == "crashkernel");
        assert!(crash.is_some_and(|c| c.early
            && c.handler.as_deref() == Some("parse_crashkernel_dummy")), "{v}");
        let oops = k.setups.iter().find(|s| s.string == "oops");
        assert!(
            oops.is_some_and(|o| o.early && o.handler.as_deref() == Some("oops_setup")),
            "{v}"
        );
        let bc = k.setups.iter().find(|s| s.string == "bootconfig");
        assert!(
            bc.is_some_and(|b| b.early && b.handler.as_deref() == Some("warn_bootconfig")),
            "{v}"
        );

        for absent in ["panic_sys_info", "panic_notifier_filter"] {
            assert!(p(absent).is_none(), "{v}: {absent} param");
            assert!(
                !k.setups
                    .iter()
                    .any(|s| s.string.trim_end_matches('=') == absent),
                "{v}: {absent} setup"
            );
        }
    }
}

#[test]
fn panic_notifiers_proven_from_code() {
    for t in &TRUTH {
        let Some(r) = report(t.version) else { continue };
        let v = t.version;
        let got: Vec<_> = r
            .kernel
            .notifiers
            .iter()
            .map(|n| {
                assert_eq!(n.known, Known::Code, "{v}");
                assert_eq!(n.module, None, "{v}");
                (
                    n.callback.as_deref().unwrap_or("?"),
                    n.block.as_deref(),
                    n.priority,
                    n.registered_in.as_deref().unwrap_or("?"),
                    n.dynamic,
                    n.location.as_deref().unwrap_or("?"),
                )
            })
            .collect();
        assert_eq!(got, t.notifiers, "{v}");
        // All call sites of atomic_notifier_chain_register (objdump and
        // DWARF call sites agree on 15 / 18), every candidate confirmed.
        let plain = r
            .registrations
            .iter()
            .filter(|g| g.routine == "atomic_notifier_chain_register")
            .count();
        assert_eq!(plain, t.register_calls, "{v}");
        assert_eq!(r.scan.candidates, r.scan.confirmed, "{v}");
        assert_eq!(r.scan.outside_functions, 0, "{v}");
        if v == "6.12" {
            let rb = r
                .registrations
                .iter()
                .find(|g| g.function == "alloc_buffer");
            assert_eq!(rb.and_then(|g| g.block_expr.as_deref()), Some("r15+0xd0"));
        }
    }
}

#[test]
fn every_proven_callback_is_in_the_catalogue() {
    for t in &TRUTH {
        let Some(r) = report(t.version) else { continue };
        for n in &r.kernel.notifiers {
            let cb = n.callback.as_deref().unwrap_or("?");
            let e = catalogue_lookup(Arch::X86_64, cb);
            assert!(
                e.is_some(),
                "{}: {cb} missing from grammar/notifiers.tsv",
                t.version
            );
            if let Some(e) = e {
                let tag = format!("vmlinux-{}", t.version);
                assert!(e.confirmed.contains(&tag), "{cb}: catalogue lacks {tag}");
                let loc = n.location.as_deref().unwrap_or("");
                assert!(
                    loc.starts_with(&format!("{}:", e.file)),
                    "{cb}: {loc} vs {}",
                    e.file
                );
                if let (Some(p), Some(cp)) = (n.priority, e.priority) {
                    assert_eq!(p, cp, "{cb}: priority");
                }
            }
        }
    }
}

#[test]
fn without_lines_nothing_is_located() {
    // Options::default() skips DWARF; the rest is identical.
    let Some(path) = panicpol_testkit::real_kernel("6.12", "vmlinux") else {
        return;
    };
    let r = match Vmlinux::open(&path).and_then(|v| v.read(Options::default())) {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(r.kernel.notifiers.len(), 9);
    assert!(r.kernel.notifiers.iter().all(|n| n.location.is_none()));
}

/// The debug modules folder next to the debug vmlinux
/// (`usr/lib/debug/boot/vmlinux-ABI` → `usr/lib/debug/lib/modules/ABI/kernel`).
fn debug_modules(version: &str) -> Option<std::path::PathBuf> {
    let vmlinux = panicpol_testkit::real_kernel(version, "vmlinux")?;
    let real = std::fs::canonicalize(vmlinux).ok()?;
    let abi = real
        .file_name()?
        .to_str()?
        .strip_prefix("vmlinux-")?
        .to_string();
    let dir = real
        .parent()?
        .parent()?
        .join("lib/modules")
        .join(abi)
        .join("kernel");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipping: no debug modules next to the {version} vmlinux");
        None
    }
}

#[test]
fn module_panic_notifiers() {
    // reference/real-kernels.md: the same 6 modules in both kernels.
    for v in ["6.1", "6.12"] {
        let Some(dir) = debug_modules(v) else {
            continue;
        };
        let r = match read_modules(&dir) {
            Ok(r) => r,
            Err(e) => panic!("{v}: {e}"),
        };
        assert!(r.skipped.is_empty(), "{v}: {:?}", r.skipped.first());
        let mut got: Vec<_> = r
            .notifiers
            .iter()
            .map(|n| {
                (
                    n.module.as_deref().unwrap_or("?"),
                    n.callback.as_deref().unwrap_or("?"),
                    n.block.as_deref(),
                    n.priority,
                    n.dynamic,
                )
            })
            .collect();
        got.sort();
        let want = [
            (
                "gsmi",
                "gsmi_panic_callback",
                Some("gsmi_panic_notifier"),
                Some(0),
                false,
            ),
            (
                "hv_vmbus",
                "hv_panic_vmbus_unload",
                Some("hyperv_panic_vmbus_unload_block"),
                Some(i32::MIN + 1),
                false,
            ),
            // Priority stored into the heap block just before the call.
            (
                "hyperv_fb",
                "hvfb_on_panic",
                None,
                Some(i32::MIN + 10),
                true,
            ),
            (
                "ledtrig_activity",
                "activity_panic_notifier",
                Some("activity_panic_nb"),
                Some(0),
                false,
            ),
            (
                "ledtrig_heartbeat",
                "heartbeat_panic_notifier",
                Some("heartbeat_panic_nb"),
                Some(0),
                false,
            ),
            (
                "pvpanic",
                "pvpanic_panic_notify",
                Some("pvpanic_panic_nb"),
                Some(i32::MAX),
                false,
            ),
        ];
        assert_eq!(got, want, "{v}");
        for n in &r.notifiers {
            let cb = n.callback.as_deref().unwrap_or("?");
            let e = catalogue_lookup(Arch::X86_64, cb);
            assert!(
                e.is_some_and(|e| e.confirmed.contains(&format!("ko-{v}"))),
                "{v}: {cb} not confirmed as ko-{v} in the catalogue"
            );
        }
    }
}
