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

/// A System.map knows no release; its installed name does
/// (`System.map-6.12.117+deb12-cloud-amd64`), and a config's heading gives
/// the version, exact where Debian's 6.1 release string is not
/// (`6.1.0-50-cloud-amd64` is 6.1.176). Version-gated rules use them.
#[test]
fn the_release_from_installed_names_and_the_version_from_the_config() {
    for series in ["6.1", "6.12"] {
        let (Some(map), Some(config)) = (
            real_kernel(series, "System.map"),
            real_kernel(series, "config"),
        ) else {
            return;
        };
        let info = |args: &[&str]| -> serde_json::Value {
            let mut all = vec!["kernel", "info", "--format", "json"];
            all.extend_from_slice(args);
            let o = panicpol(&all);
            assert_eq!(
                o.status.code(),
                Some(0),
                "{}",
                String::from_utf8_lossy(&o.stderr)
            );
            serde_json::from_slice(&o.stdout).unwrap()
        };
        // The cache's link is named `System.map`; the package's file is not.
        let installed = std::fs::canonicalize(&map).unwrap();
        let name = installed.file_name().unwrap().to_str().unwrap().to_string();
        let release = name
            .strip_prefix("System.map-")
            .expect("Debian's installed name");
        let v = info(&["--system-map", installed.to_str().unwrap()]);
        assert_eq!(v["release"], release, "{series}");

        let v = info(&["--system-map", map.to_str().unwrap()]);
        assert_eq!(v["release"], serde_json::Value::Null, "{series}");
        assert_eq!(v["version"], serde_json::Value::Null, "{series}");

        let v = info(&[
            "--system-map",
            map.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
        ]);
        let version = v["version"].as_str().unwrap().to_string();
        assert!(
            version.starts_with(&format!("{series}.")),
            "{series}: {version}"
        );
        assert_ne!(
            version,
            format!("{series}.0"),
            "{series}: the sublevel is real"
        );

        // The version gates the grammar: panic_print's bit 7
        // (blocked_tasks, 6.9) means nothing on 6.1, which only a known
        // version can say; the summary says what was known.
        let check = |extra: &[&str]| {
            let mut args = vec!["check", "--system-map", map.to_str().unwrap()];
            args.extend_from_slice(extra);
            args.extend_from_slice(&["--cmdline", "panic_print=0xc0"]);
            String::from_utf8_lossy(&panicpol(&args).stdout).into_owned()
        };
        let out = check(&[]);
        assert!(!out.contains("PP207"), "{series}: {out}");
        let out = check(&["--config", config.to_str().unwrap()]);
        assert_eq!(
            out.contains("bits 0x80 mean nothing on this kernel"),
            series == "6.1",
            "{series}: {out}"
        );
        assert!(
            out.contains(&format!(
                "a System.map of Linux {version} (the config's version)"
            )),
            "{out}"
        );
    }
}

/// Without a vmlinux, `--modules` still proves what modules register: a
/// System.map with Debian 6.12's installed `.ko.xz` lists pvpanic's
/// notifier as registered in `pvpanic_init` (from its code), next to the
/// built-in ones known by name.
#[test]
fn modules_prove_their_notifiers_without_a_vmlinux() {
    let (Some(map), Some(modules)) = (
        real_kernel("6.12", "System.map"),
        panicpol_testkit::real_modules("6.12", "unsigned"),
    ) else {
        return;
    };
    let o = panicpol(&[
        "kernel",
        "notifiers",
        "--format",
        "json",
        "--system-map",
        map.to_str().unwrap(),
        "--modules",
        modules.to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let list = v["notifiers"].as_array().unwrap();
    let find = |cb: &str| {
        list.iter()
            .filter(|n| n["callback"] == cb)
            .collect::<Vec<_>>()
    };
    let pvpanic = find("pvpanic_panic_notify");
    assert_eq!(pvpanic.len(), 1, "{pvpanic:?}");
    assert_eq!(pvpanic[0]["registered_in"], "pvpanic_init");
    assert_eq!(pvpanic[0]["module"], "pvpanic");
    assert_eq!(pvpanic[0]["known"], "code");
    let hung = find("hung_task_panic");
    assert_eq!(hung.len(), 1);
    assert_eq!(hung[0]["known"], "catalogue");
    assert!(v["gaps"].as_array().unwrap().is_empty(), "{v}");
}
