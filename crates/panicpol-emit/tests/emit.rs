//! The emitted forms read back as the kernel reads them: the command-line
//! fragment tokenized and dispatched, the bootconfig parsed, rendered into
//! the kernel's command line and dispatched, must give the same effective
//! policy as the input; emitting the emitted fragment again changes nothing;
//! the kernel's own `tools/bootconfig` lists every emitted bootconfig as
//! panicpol does; and bootconfig support is read right from Debian's real
//! kernels and from the oracle kernel built with `CONFIG_BOOT_CONFIG`.

// Test code: a failed expectation is a failed test (the library lints of
// issue 8 deny these in library code only).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;
use std::process::Command;

use panicpol_emit::bootconfig::{self, BootconfigError, support};
use panicpol_emit::cmdline;
use panicpol_emit::initrd::attach;
use panicpol_emit::params::{Compiled, Options, compile};
use panicpol_kernel::{Kernel, KernelSource, config, kallsyms};
use panicpol_policy::dispatch::{self, BootLine, BootconfigText, Tables};
use panicpol_policy::policy::{Policy, lower};
use panicpol_testkit::{layout, oracle, real_kernel};

/// Inputs and overrides covering every kind of parameter emit writes.
const CASES: &[(&str, &[&str])] = &[
    (
        "console=ttyS0 panic_print=3 crash_kexec_post_notifiers panic=10",
        &[],
    ),
    ("panic=-1 panic_on_warn=1 root=/dev/vda1 quiet", &[]),
    (
        "crash-kexec-post-notifiers=y panic_print=0x7f",
        &["panic=30"],
    ),
    (
        "crash_kexec_post_notifiers",
        &["crash_kexec_post_notifiers=0"],
    ),
    ("sysctl.kernel.panic_on_oops=1 sysctl.kernel.panic=7", &[]),
    ("sysctl.kernel.panic_print=12", &[]),
    (
        "softlockup_panic=1 nmi_watchdog=panic hung_task_panic=1",
        &[],
    ),
    ("reboot=panic_warm reboot=cold pause_on_oops=5", &[]),
    ("ftrace_dump_on_oops kfence.check_on_panic=1", &[]),
    (
        "sysctl.kernel.panic_on_rcu_stall=1 sysctl.kernel.warn_limit=3",
        &[],
    ),
    (
        "oops=panic panic_on_taint=0x20,nousertaint crashkernel=256M",
        &[],
    ),
    ("crashkernel=1G-4G:192M,4G-:512M panic=5", &[]),
    ("crashkernel=2G,high crashkernel=256M,low", &[]),
    ("panic_print=3 -- panic=99 single", &["panic_on_warn=1"]),
    ("", &["panic_print=0x23", "panic=-1"]),
];

fn catalogue_kernel(release: &str) -> Kernel {
    let mut k = Kernel::empty(KernelSource::Catalogue);
    k.release = Some(release.into());
    panicpol_policy::supplement::supplement(&mut k);
    k
}

/// Debian's kernels as their System.map and config describe them.
fn real_kernels() -> Vec<(String, Kernel)> {
    let mut out = Vec::new();
    for v in ["6.1", "6.12"] {
        let (Some(map), Some(cfg)) = (real_kernel(v, "System.map"), real_kernel(v, "config"))
        else {
            continue;
        };
        let mut k = kallsyms::kernel_from_system_map(&std::fs::read(map).expect("read"))
            .expect("System.map reads");
        let c = config::read_config(&std::fs::read(cfg).expect("read")).expect("config reads");
        k.config = Some(c.config);
        k.release = Some(format!("{v}.0"));
        panicpol_policy::supplement::supplement(&mut k);
        out.push((v.to_owned(), k));
    }
    out
}

fn kernels() -> Vec<(String, Kernel)> {
    let mut v = vec![
        ("catalogue 6.12".to_owned(), catalogue_kernel("6.12.117")),
        ("catalogue 6.1".to_owned(), catalogue_kernel("6.1.0")),
    ];
    v.extend(real_kernels());
    v
}

fn sets(s: &[&str]) -> Vec<String> {
    s.iter().map(|x| x.to_string()).collect()
}

/// The policy's values, without their origins (which differ by design).
fn values(p: &Policy) -> String {
    let mut v = serde_json::to_value(p).expect("json");
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                for k in ["from", "index", "layer", "span", "option"] {
                    m.remove(k);
                }
                m.values_mut().for_each(strip);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut v);
    v.to_string()
}

fn displays(c: &Compiled) -> Vec<String> {
    c.params.iter().map(|p| p.display()).collect()
}

#[test]
fn the_fragment_reads_back_as_the_same_policy() {
    for (name, k) in kernels() {
        for (line, s) in CASES {
            let c = compile(line.as_bytes(), &sets(s), &k, Options::default())
                .unwrap_or_else(|e| panic!("{name}: {line}: {e}"));
            let frag = cmdline::render(&c.params).expect("writable");
            let d = dispatch::dispatch_cmdline(&frag, &k);
            let back = lower(&d, &k, &frag);
            assert_eq!(
                values(&back),
                values(&c.policy),
                "{name}: {line:?} {s:?} → {}",
                String::from_utf8_lossy(&frag)
            );
            // Emitting the fragment again gives the fragment.
            let again = compile(&frag, &[], &k, Options::default()).expect("compiles");
            assert_eq!(displays(&again), displays(&c), "{name}: {line:?}");
            // So does --all, plus the defaults; and --all's fragment also
            // reads back as the same policy.
            let all =
                compile(line.as_bytes(), &sets(s), &k, Options { all: true }).expect("compiles");
            let frag_all = cmdline::render(&all.params).expect("writable");
            let d = dispatch::dispatch_cmdline(&frag_all, &k);
            assert_eq!(
                values(&lower(&d, &k, &frag_all)),
                values(&c.policy),
                "{name}: --all {line:?}: {}",
                String::from_utf8_lossy(&frag_all)
            );
            assert!(all.params.len() >= c.params.len());
        }
    }
}

#[test]
fn the_bootconfig_reads_back_as_the_same_policy_or_is_refused_for_early_ones() {
    for (name, mut k) in kernels() {
        // As a kernel that loads bootconfig.
        let mut cfg = k.config.clone().unwrap_or_default();
        cfg.options.insert("BOOT_CONFIG".into(), "y".into());
        k.config = Some(cfg);
        for (line, s) in CASES {
            let c = compile(line.as_bytes(), &sets(s), &k, Options::default()).expect("compiles");
            let early: Vec<String> = c
                .params
                .iter()
                .filter(|p| p.early)
                .map(|p| p.display())
                .collect();
            let r = match bootconfig::render(&c.params) {
                Ok(r) => r,
                Err(BootconfigError::Early(e)) => {
                    let got: Vec<String> = e.into_iter().map(|p| p.param).collect();
                    assert_eq!(got, early, "{name}: {line:?}");
                    continue;
                }
                Err(BootconfigError::Empty) => {
                    assert!(c.params.is_empty());
                    continue;
                }
                Err(e) => panic!("{name}: {line:?}: {e}"),
            };
            assert!(early.is_empty(), "{name}: {line:?} wrote early {early:?}");
            let kt = r.config.cmdline("kernel").expect("renders").expect("keys");
            let boot = b"bootconfig";
            let d = dispatch::dispatch(
                &BootLine {
                    bootloader: boot,
                    bootconfig: Some(BootconfigText {
                        kernel: &kt.text,
                        init: b"",
                    }),
                },
                &Tables::from_kernel(&k),
            );
            assert!(d.bootconfig.loaded, "{name}: {line:?}");
            let back = lower(&d, &k, boot);
            assert_eq!(
                values(&back),
                values(&c.policy),
                "{name}: {line:?} → {}",
                String::from_utf8_lossy(&r.text)
            );
        }
    }
}

#[test]
fn the_kernels_tool_lists_every_emitted_bootconfig_as_panicpol_does() {
    let Some(tool) = oracle(layout::ORACLE_BOOTCONFIG_TOOL) else {
        return;
    };
    let k = catalogue_kernel("6.12.117");
    let dir = std::env::temp_dir().join(format!("panicpol-emit-tool-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch");
    let mut checked = 0;
    for (i, (line, s)) in CASES.iter().enumerate() {
        let c = compile(line.as_bytes(), &sets(s), &k, Options { all: true }).expect("compiles");
        let Ok(r) = bootconfig::render(&c.params) else {
            continue;
        };
        let img = attach(&[0x5a; 333], &r.text).expect("attach");
        let path = dir.join(format!("img{i}"));
        std::fs::write(&path, &img).expect("write");
        let out = Command::new(&tool)
            .arg("-l")
            .arg(&path)
            .output()
            .expect("tool runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&r.config.render_list().text),
            "{line:?}"
        );
        checked += 1;
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(checked >= 8, "only {checked} bootconfigs checked");
}

fn system_map_kernel(path: &Path) -> Kernel {
    kallsyms::kernel_from_system_map(&std::fs::read(path).expect("read")).expect("reads")
}

#[test]
fn bootconfig_support_is_read_from_real_kernels() {
    for v in ["6.1", "6.12"] {
        if let Some(map) = real_kernel(v, "System.map") {
            let s = support(&system_map_kernel(&map));
            assert_eq!((s.compiled, s.known_from), (Some(false), "symbols"), "{v}");
        }
        if let Some(cfg) = real_kernel(v, "config") {
            let mut k = Kernel::empty(KernelSource::Catalogue);
            k.config = Some(
                config::read_config(&std::fs::read(cfg).expect("read"))
                    .expect("reads")
                    .config,
            );
            let s = support(&k);
            assert_eq!((s.compiled, s.force), (Some(false), Some(false)), "{v}");
        }
    }
    // The oracle kernel, built with CONFIG_BOOT_CONFIG=y and without FORCE.
    if let Some(map) = oracle("kbuild/System.map") {
        let s = support(&system_map_kernel(&map));
        assert_eq!(s.compiled, Some(true));
    }
    if let Some(cfg) = oracle(layout::ORACLE_KERNEL_CONFIG) {
        let mut k = Kernel::empty(KernelSource::Catalogue);
        k.config = Some(
            config::read_config(&std::fs::read(cfg).expect("read"))
                .expect("reads")
                .config,
        );
        let s = support(&k);
        assert_eq!((s.compiled, s.force), (Some(true), Some(false)));
        let w = bootconfig::warnings(&k, Some(b"console=ttyS0 panic=-1"));
        assert!(
            w.iter().any(|w| w.message.contains("no `bootconfig`")),
            "{w:?}"
        );
        assert!(bootconfig::warnings(&k, Some(b"console=ttyS0 bootconfig")).is_empty());
    }
}

#[test]
fn early_flags_come_from_the_real_kernels_tables() {
    for (v, k) in real_kernels() {
        let c = compile(
            b"oops=panic panic_on_taint=1 crashkernel=128M panic=3",
            &[],
            &k,
            Options::default(),
        )
        .expect("compiles");
        let early: Vec<(&str, bool)> = c
            .params
            .iter()
            .map(|p| (p.name.as_str(), p.early))
            .collect();
        assert_eq!(
            early,
            [
                ("panic", false),
                ("oops", true),
                ("panic_on_taint", true),
                ("crashkernel", true)
            ],
            "{v}"
        );
        // The System.map proves each early entry.
        for name in ["oops", "panic_on_taint", "crashkernel"] {
            assert!(
                k.setups
                    .iter()
                    .any(|s| s.early && s.string.trim_end_matches('=') == name),
                "{v}: {name} not early in the tables"
            );
        }
    }
}
