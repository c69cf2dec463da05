//! `panicpol check` against Debian's real 6.1 and 6.12 kernels (fetched by
//! `cargo xtask fetch`; required in CI).

// Test code: a failed expectation is a failed test (the CLI's lints of
// issue 8 deny these outside tests only).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::process::{Command, Output};

use panicpol_testkit::real_kernel;

fn panicpol(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_panicpol"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the panicpol binary runs")
}

fn gcc_lines(o: &Output) -> Vec<String> {
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// The acceptance test: a misspelt filter name gets a suggestion drawn
/// from that kernel's own symbols; a correct name is accepted.
#[test]
fn filter_names_against_the_real_system_map() {
    for v in ["6.1", "6.12"] {
        let Some(map) = real_kernel(v, "System.map") else {
            return;
        };
        let map = map.to_str().expect("utf8 path");
        let o = panicpol(&[
            "check",
            "--system-map",
            map,
            "--format",
            "gcc",
            "--cmdline",
            "panic_notifier_filter=hung_task_panik,rcu_panic",
        ]);
        let lines = gcc_lines(&o);
        let typo: Vec<_> = lines.iter().filter(|l| l.contains("[PP302]")).collect();
        assert_eq!(typo.len(), 1, "{v}: {lines:?}");
        assert!(typo[0].contains("`hung_task_panik`"), "{}", typo[0]);
        // The suggestion is in the JSON help.
        let o = panicpol(&[
            "check",
            "--system-map",
            map,
            "--format",
            "json",
            "--cmdline",
            "panic_notifier_filter=hung_task_panik,rcu_panic",
        ]);
        let j: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
        let d = j["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .find(|d| d["code"] == "PP302")
            .expect("PP302");
        assert_eq!(d["help"], "did you mean `hung_task_panic`?");
        // A mainline kernel has no such parameter: PP301 says so.
        assert!(lines.iter().any(|l| l.contains("[PP301]")), "{lines:?}");
        // Correct names raise no PP302.
        let o = panicpol(&[
            "check",
            "--system-map",
            map,
            "--format",
            "gcc",
            "--cmdline",
            "panic_notifier_filter=hung_task_panic,rcu_panic",
        ]);
        assert!(!gcc_lines(&o).iter().any(|l| l.contains("[PP302]")), "{v}");
    }
}

/// The same command line on 6.1 and 6.12 vmlinux: fates from the real tables.
#[test]
fn fates_from_the_real_vmlinux() {
    let Some(vmlinux) = real_kernel("6.12", "vmlinux") else {
        return;
    };
    let o = panicpol(&[
        "check",
        "--vmlinux",
        vmlinux.to_str().expect("utf8"),
        "--format",
        "json",
        "--cmdline",
        "console=ttyS0 panic_print=0x3 printk.tme=1 foo=bar crashkernel=256M panic_sys_info=tasks -- single",
    ]);
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(j["kernel"]["release"], "6.12.117+deb12-cloud-amd64");
    let toks = j["inputs"][0]["tokens"].as_array().expect("tokens");
    let fate = |i: usize| toks[i]["fate"].as_str().unwrap_or_default().to_string();
    assert_eq!(fate(0), "applied"); // console= (__setup)
    assert_eq!(toks[1]["param"], "panic_print");
    assert_eq!(fate(2), "dropped"); // printk.tme: dotted unknown
    assert_eq!(fate(3), "init_env"); // foo=bar
    assert_eq!(toks[4]["early"], true); // crashkernel: early_param
    assert_eq!(fate(5), "init_env"); // panic_sys_info: not in 6.12
    assert_eq!(fate(7), "init_argv"); // single
    assert_eq!(j["inputs"][0]["values"]["panic_print"]["value"], 3);
    assert_eq!(j["inputs"][0]["values"]["crashkernel"]["valid"], true);
    let codes: Vec<&str> = j["diagnostics"]
        .as_array()
        .expect("d")
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert!(codes.contains(&"PP202"), "{codes:?}");
    assert!(codes.contains(&"PP203"), "{codes:?}");
}
