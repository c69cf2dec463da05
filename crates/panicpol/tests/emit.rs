//! `panicpol emit` and `panicpol initrd` end to end: the real binary, its
//! outputs and exit codes, bad input (a corrupt footer, a size beyond the
//! file, a path that is not a file, a read-only folder, a full disk) with the
//! original file intact, and the boot proofs:
//!
//! - the oracle kernel (6.12 built with `CONFIG_BOOT_CONFIG`) booted with an
//!   initrd to which `panicpol initrd attach` added the output of `panicpol
//!   emit --format bootconfig`: /proc/bootconfig is what `initrd show`
//!   predicts and the values are applied; a hand-written bootconfig with the
//!   early `oops=panic` shows it in /proc/cmdline but does not apply it;
//! - Debian's real 6.12 booted with the output of `panicpol emit --format
//!   cmdline` appended to its command line: the values are applied.

// Test code: a failed expectation is a failed test (the CLI's lints of
// issue 8 deny these outside tests only).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use panicpol_testkit::{
    BootResult, InitrdOptions, Scratch, boot, layout, make_initrd, oracle, real_kernel,
};

const BIN: &str = env!("CARGO_BIN_EXE_panicpol");

fn panicpol(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the panicpol binary runs")
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn blob(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

const POLICY: &[u8] = b"kernel.panic_print = 0x3\nkernel.crash_kexec_post_notifiers = 1\n";

// ---------------------------------------------------------------- emit

#[test]
fn emit_cmdline_writes_the_canonical_panic_fragment() {
    let o = panicpol(&[
        "emit",
        "--cmdline",
        "console=ttyS0 root=/dev/vda panic_print=3 crash-kexec-post-notifiers panic=10 quiet",
        "--set",
        "panic=20",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(
        out(&o),
        "crash_kexec_post_notifiers=1 panic_print=0x3 panic=20\n"
    );
    assert_eq!(err(&o), "");
    // --all writes the defaults as well.
    let o = panicpol(&["emit", "--all", "--set", "panic=20"]);
    assert!(
        out(&o).contains("crash_kexec_post_notifiers=0"),
        "{}",
        out(&o)
    );
    // A file, and standard input.
    let sc = Scratch::new("in");
    let f = sc.file("cmdline", b"panic=7 oops=panic\n");
    let o = panicpol(&["emit", s(&f)]);
    assert_eq!(out(&o), "panic=7 oops=panic\n");
}

#[test]
fn emit_refuses_what_it_cannot_write_with_exit_2() {
    // A `"` inside a value: no spelling reaches the kernel intact.
    let o = panicpol(&["emit", "--cmdline", "softlockup_panic=1\"x\""]);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(err(&o).contains("no escape for quotes"), "{}", err(&o));
    assert_eq!(out(&o), "");
    // Overrides that are not panic parameters, rejected, or sysctl-only.
    for (set, want) in [
        ("panik=1", "did you mean panic"),
        ("panic=banana", "rejects it"),
        ("panic_on_oops=1", "sysctl.kernel.panic_on_oops"),
        ("console=ttyS0", "not a panic parameter"),
    ] {
        let o = panicpol(&["emit", "--set", set]);
        assert_eq!(o.status.code(), Some(2), "{set}");
        assert!(err(&o).contains(want), "{set}: {}", err(&o));
    }
    // One command line at a time.
    let o = panicpol(&["emit", "--cmdline", "panic=1", "--cmdline", "panic=2"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("one command line"), "{}", err(&o));
    // A rejected panic token of the input is not written, and said so.
    let o = panicpol(&["emit", "--cmdline", "panic=banana panic_print=1"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(out(&o), "panic_print=0x1\n");
    assert!(err(&o).contains("`panic=banana`"), "{}", err(&o));
}

#[test]
fn emit_bootconfig_refuses_early_parameters_by_name() {
    let o = panicpol(&[
        "emit",
        "--format",
        "bootconfig",
        "--cmdline",
        "panic=10 oops=panic panic_on_taint=0x20 crashkernel=256M",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = err(&o);
    assert!(
        e.contains("oops=panic, panic_on_taint=0x20, crashkernel=256M cannot come from bootconfig"),
        "{e}"
    );
    assert!(e.contains("/proc/cmdline"), "{e}");
    assert!(e.contains("--set sysctl.kernel.panic_on_oops"), "{e}");
    assert_eq!(out(&o), "");
    // The sysctl form is late, so bootconfig carries it.
    let o = panicpol(&[
        "emit",
        "--format",
        "bootconfig",
        "--set",
        "sysctl.kernel.panic_on_oops=1",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(
        out(&o).contains("kernel.sysctl.kernel.panic_on_oops = 1\n"),
        "{}",
        out(&o)
    );
}

#[test]
fn emit_bootconfig_warns_about_kernels_that_will_not_load_it() {
    let Some(map) = real_kernel("6.12", "System.map") else {
        return;
    };
    let o = panicpol(&[
        "emit",
        "--format",
        "bootconfig",
        "--system-map",
        s(&map),
        "--cmdline",
        "bootconfig panic=10",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(err(&o).contains("lacks CONFIG_BOOT_CONFIG"), "{}", err(&o));
    let Some(cfg) = oracle(layout::ORACLE_KERNEL_CONFIG) else {
        return;
    };
    let o = panicpol(&[
        "emit",
        "--format",
        "bootconfig",
        "--config",
        s(&cfg),
        "--cmdline",
        "console=ttyS0 panic=10",
    ]);
    assert!(err(&o).contains("no `bootconfig` parameter"), "{}", err(&o));
    assert!(
        err(&o).contains("lacks CONFIG_BOOT_CONFIG_FORCE"),
        "{}",
        err(&o)
    );
    let o = panicpol(&[
        "emit",
        "--format",
        "bootconfig",
        "--config",
        s(&cfg),
        "--cmdline",
        "console=ttyS0 bootconfig panic=10",
    ]);
    assert_eq!(err(&o), "");
}

#[test]
fn emit_json_is_the_versioned_document() {
    let o = panicpol(&[
        "emit",
        "--format",
        "json",
        "--cmdline",
        "panic_print=3 oops=panic",
        "--set",
        "panic=5",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["schema"], "panicpol-policy");
    assert_eq!(v["version"], 1);
    assert_eq!(v["cmdline"], "panic_print=0x3 panic=5 oops=panic");
    assert_eq!(v["policy"]["panic_timeout"]["origin"]["from"], "set");
    assert_eq!(v["input"]["set"][0], "panic=5");
}

#[test]
fn emit_output_file_is_written_atomically() {
    let sc = Scratch::new("out");
    let target = sc.file("policy.conf", b"old\n");
    fs::set_permissions(&target, fs::Permissions::from_mode(0o640)).expect("chmod");
    let o = panicpol(&["emit", "--set", "panic=3", "-o", s(&target)]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(out(&o), "");
    assert_eq!(fs::read(&target).expect("read"), b"panic=3\n");
    let mode = fs::metadata(&target).expect("stat").permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    assert_eq!(sc.names(), ["policy.conf"]);
    // A folder is not an output file.
    let o = panicpol(&["emit", "--set", "panic=3", "-o", s(sc.path())]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("not a regular file"), "{}", err(&o));
}

// ---------------------------------------------------------------- initrd

#[test]
fn attach_show_detach_round_trip_without_stacking() {
    let sc = Scratch::new("rt");
    let base = blob(5001);
    let img = sc.file("initrd.img", &base);
    let bc = sc.file("policy.bconf", POLICY);
    let o = panicpol(&["initrd", "attach", s(&img), s(&bc)]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let o1 = out(&o);
    assert!(
        o1.starts_with(&format!("Apply {} to {}\n", s(&bc), s(&img))),
        "{o1}"
    );
    assert!(o1.contains("\tSize: 64 bytes\n"), "{o1}");
    let once = fs::read(&img).expect("read");
    assert_eq!(once.len() % 4, 0);
    // Again: replaced, not stacked.
    let o = panicpol(&["initrd", "attach", s(&img), s(&bc)]);
    assert!(out(&o).contains("Replaced the bootconfig"), "{}", out(&o));
    assert_eq!(fs::read(&img).expect("read"), once);
    // Show lists it as /proc/bootconfig will.
    let o = panicpol(&["initrd", "show", s(&img)]);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    assert!(
        out(&o)
            .contains("kernel.panic_print = \"0x3\"\nkernel.crash_kexec_post_notifiers = \"1\"\n"),
        "{}",
        out(&o)
    );
    let o = panicpol(&["initrd", "show", s(&img), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["schema"], "panicpol-initrd");
    assert_eq!(v["footer"]["data_start"], 5001);
    assert_eq!(
        v["kernel_cmdline"],
        "panic_print=0x3 crash_kexec_post_notifiers=1 "
    );
    // Detach restores the original bytes exactly; a second detach is a no-op.
    let o = panicpol(&["initrd", "detach", s(&img)]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(fs::read(&img).expect("read"), base);
    let o = panicpol(&["initrd", "detach", s(&img)]);
    assert_eq!(o.status.code(), Some(0));
    assert!(out(&o).contains("has no bootconfig"), "{}", out(&o));
    assert_eq!(fs::read(&img).expect("read"), base);
    let o = panicpol(&["initrd", "show", s(&img)]);
    assert_eq!(o.status.code(), Some(0));
    assert!(out(&o).contains("has no bootconfig"));
    assert_eq!(sc.names(), ["initrd.img", "policy.bconf"]);
}

#[test]
fn attach_from_a_command_line_and_standard_input() {
    let sc = Scratch::new("from");
    let img = sc.file("initrd.img", &blob(100));
    let o = panicpol(&[
        "initrd",
        "attach",
        s(&img),
        "--from-cmdline",
        "console=ttyS0 bootconfig panic_print=3",
        "--set",
        "panic=10",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let o = panicpol(&["initrd", "show", s(&img), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["kernel_cmdline"], "panic_print=0x3 panic=10 ");
    // The early parameter of a command line is refused, nothing changes.
    let before = fs::read(&img).expect("read");
    let o = panicpol(&["initrd", "attach", s(&img), "--from-cmdline", "oops=panic"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("cannot come from bootconfig"),
        "{}",
        err(&o)
    );
    assert_eq!(fs::read(&img).expect("read"), before);
    // Neither a file nor --from-cmdline: a usage error.
    let o = panicpol(&["initrd", "attach", s(&img)]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn an_early_parameter_in_a_bootconfig_file_is_attached_but_flagged() {
    let sc = Scratch::new("early");
    let img = sc.file("initrd.img", &blob(64));
    let bc = sc.file(
        "bad.bconf",
        b"kernel.oops = panic\nkernel.panic_print = 0x1\n",
    );
    let o = panicpol(&["initrd", "attach", s(&img), s(&bc)]);
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    let e = err(&o);
    assert!(e.contains("error: kernel.oops"), "{e}");
    assert!(e.contains("never applies it"), "{e}");
    assert!(e.contains("kernel.sysctl.kernel.panic_on_oops"), "{e}");
    let o = panicpol(&["initrd", "show", s(&img), "--boot-cmdline", "bootconfig"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(out(&o).contains("error: kernel.oops"), "{}", out(&o));
}

fn corrupt(img: &Path, at_from_end: usize, bytes: &[u8]) -> Vec<u8> {
    let mut b = fs::read(img).expect("read");
    let n = b.len();
    b[n - at_from_end..n - at_from_end + bytes.len()].copy_from_slice(bytes);
    fs::write(img, &b).expect("write");
    b
}

#[test]
fn corrupt_footers_are_refused_with_the_original_intact() {
    let sc = Scratch::new("corrupt");
    let img = sc.file("initrd.img", &blob(4000));
    let bc = sc.file("p.bconf", POLICY);
    assert_eq!(
        panicpol(&["initrd", "attach", s(&img), s(&bc)])
            .status
            .code(),
        Some(0)
    );
    let good = fs::read(&img).expect("read");
    let n = good.len();
    let stored = u32::from_le_bytes(good[n - 16..n - 12].try_into().expect("4"));
    // A bad checksum: both checksums in the message, for every operation.
    let bad = corrupt(&img, 16, &(stored + 1).to_le_bytes());
    for op in ["show", "detach"] {
        let o = panicpol(&["initrd", op, s(&img)]);
        assert_eq!(o.status.code(), Some(2), "{op}");
        let e = err(&o);
        assert!(e.contains("corrupt bootconfig footer"), "{op}: {e}");
        assert!(
            e.contains(&format!(
                "the footer says {}, the data sums to {stored}",
                stored + 1
            )),
            "{op}: {e}"
        );
        assert_eq!(fs::read(&img).expect("read"), bad, "{op}");
    }
    let o = panicpol(&["initrd", "attach", s(&img), s(&bc)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("corrupt bootconfig footer"), "{}", err(&o));
    assert_eq!(fs::read(&img).expect("read"), bad);
    // A size beyond the file.
    fs::write(&img, &good).expect("restore");
    let bad = corrupt(&img, 20, &30000u32.to_le_bytes());
    let o = panicpol(&["initrd", "detach", s(&img)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains(&format!(
            "bootconfig size 30000 is greater than initrd size {n}"
        )),
        "{}",
        err(&o)
    );
    assert_eq!(fs::read(&img).expect("read"), bad);
    assert_eq!(sc.names(), ["initrd.img", "p.bconf"]);
}

#[test]
fn paths_that_are_not_files_and_bootconfigs_that_do_not_parse() {
    let sc = Scratch::new("nf");
    let bc = sc.file("p.bconf", POLICY);
    for op in [
        &["attach", s(sc.path()), s(&bc)][..],
        &["detach", s(sc.path())],
        &["show", s(sc.path())],
    ] {
        let mut args = vec!["initrd"];
        args.extend_from_slice(op);
        let o = panicpol(&args);
        assert_eq!(o.status.code(), Some(2), "{op:?}");
        assert!(
            err(&o).contains("not a regular file"),
            "{op:?}: {}",
            err(&o)
        );
    }
    let o = panicpol(&["initrd", "show", s(&sc.path().join("missing"))]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("no such file") || err(&o).contains("No such file"),
        "{}",
        err(&o)
    );
    // The kernel's parser rejects the text: its message with line:col.
    let img = sc.file("initrd.img", &blob(50));
    let broken = sc.file("broken.bconf", b"kernel.panic = 1\nkernel.panic = 2\n");
    let o = panicpol(&["initrd", "attach", s(&img), s(&broken)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("Value is redefined at 2:"), "{}", err(&o));
    assert_eq!(fs::read(&img).expect("read"), blob(50));
    // Oversize data.
    let big = sc.file(
        "big.bconf",
        format!("kernel.x = \"{}\"\n", "9".repeat(33000)).as_bytes(),
    );
    let o = panicpol(&["initrd", "attach", s(&img), s(&big)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("greater than max size 32766"),
        "{}",
        err(&o)
    );
    assert_eq!(fs::read(&img).expect("read"), blob(50));
}

#[test]
fn show_reports_a_sound_footer_whose_text_the_kernel_rejects() {
    // attach refuses such text, so the footer is built by hand.
    let sc = Scratch::new("reject");
    let text = b"kernel.panic = 1\nkernel.panic = 2\n";
    let mut img = blob(40);
    let mut data = text.to_vec();
    data.push(0);
    while (img.len() + data.len() + 20) % 4 != 0 {
        data.push(0);
    }
    let sum: u32 = text.iter().map(|&b| u32::from(b)).sum();
    img.extend_from_slice(&data);
    img.extend_from_slice(&(data.len() as u32).to_le_bytes());
    img.extend_from_slice(&sum.to_le_bytes());
    img.extend_from_slice(b"#BOOTCONFIG\n");
    let path = sc.file("initrd.img", &img);
    let o = panicpol(&["initrd", "show", s(&path)]);
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    // The kernel's own log line, as the project's parser (checked against
    // booted kernels in panicpol-emit's initrd_boot) predicts it.
    let want =
        panicpol_syntax::bootconfig::parse(&data, panicpol_syntax::bootconfig::Options::KERNEL)
            .expect_err("redefined")
            .kernel_log();
    assert_eq!(
        want,
        "Failed to parse bootconfig: Value is redefined at 32."
    );
    assert!(out(&o).contains(&want), "{}", out(&o));
    // It can still be replaced or removed: the footer itself is sound.
    let o = panicpol(&["initrd", "detach", s(&path)]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(fs::read(&path).expect("read"), blob(40));
}

#[test]
fn a_read_only_folder_leaves_the_file_alone() {
    let sc = Scratch::new("ro");
    let img = sc.file("initrd.img", &blob(1000));
    let bc = sc.file("p.bconf", POLICY);
    fs::set_permissions(sc.path(), fs::Permissions::from_mode(0o555)).expect("chmod");
    // Root ignores the mode; run the binary as nobody then.
    let probe = sc.path().join("probe");
    let as_root = fs::write(&probe, b"x").is_ok();
    let _ = fs::remove_file(&probe);
    let mut cmd = if as_root {
        let Some(setpriv) = panicpol_testkit::which("setpriv") else {
            eprintln!("skipping: root without setpriv cannot test a read-only folder");
            return;
        };
        let mut c = Command::new(setpriv);
        c.args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--",
            BIN,
        ]);
        c
    } else {
        Command::new(BIN)
    };
    for op in [&["attach", s(&img), s(&bc)][..], &["detach", s(&img)]] {
        let mut args = vec!["initrd"];
        args.extend_from_slice(op);
        if op[0] == "detach" {
            // Something to detach: attach as the owner first.
            fs::set_permissions(sc.path(), fs::Permissions::from_mode(0o755)).expect("chmod");
            assert_eq!(
                panicpol(&["initrd", "attach", s(&img), s(&bc)])
                    .status
                    .code(),
                Some(0)
            );
            fs::set_permissions(sc.path(), fs::Permissions::from_mode(0o555)).expect("chmod");
        }
        let before = fs::read(&img).expect("read");
        let o = cmd.args(&args).output().expect("runs");
        assert_eq!(o.status.code(), Some(2), "{op:?}: {}", err(&o));
        let e = err(&o);
        assert!(
            e.contains("cannot create") && e.contains("ermission denied"),
            "{e}"
        );
        assert!(e.contains("left unchanged"), "{e}");
        assert_eq!(fs::read(&img).expect("read"), before);
        assert_eq!(sc.names(), ["initrd.img", "p.bconf"]);
        cmd = if as_root {
            let mut c = Command::new(panicpol_testkit::which("setpriv").expect("setpriv"));
            c.args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "--",
                BIN,
            ]);
            c
        } else {
            Command::new(BIN)
        };
    }
}

#[test]
fn a_full_disk_leaves_the_file_alone() {
    // A file-size limit (SIGXFSZ ignored, so write fails with EFBIG) fails
    // the copy part-way, as a disk that fills up would.
    let sc = Scratch::new("full");
    let base = blob(300_000);
    let img = sc.file("initrd.img", &base);
    let bc = sc.file("p.bconf", POLICY);
    let o = Command::new("sh")
        .arg("-c")
        .arg("ulimit -f 200 && trap '' XFSZ && exec \"$0\" \"$@\"")
        .args([BIN, "initrd", "attach", s(&img), s(&bc)])
        .output()
        .expect("sh runs");
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    let e = err(&o);
    assert!(e.contains("cannot write") && e.contains("too large"), "{e}");
    assert!(e.contains("left unchanged"), "{e}");
    assert_eq!(fs::read(&img).expect("read"), base);
    assert_eq!(sc.names(), ["initrd.img", "p.bconf"]);
}

// ---------------------------------------------------------------- boots

const BOOT: &str = "console=ttyS0 bootconfig panic=-1";
const TIMEOUT: Duration = Duration::from_secs(180);

fn run_boot(kernel: &Path, initrd: &[u8], cmdline: &str) -> BootResult {
    let r = boot(kernel, initrd, cmdline, TIMEOUT).unwrap_or_else(|e| panic!("booting: {e}"));
    assert!(r.completed(), "{}", r.summary());
    r
}

/// The oracle kernel, its config and a fresh test initrd written to `dir`.
fn oracle_rig(dir: &Path) -> Option<(PathBuf, PathBuf, PathBuf)> {
    let kernel = oracle(layout::ORACLE_BZIMAGE)?;
    let cfg = oracle(layout::ORACLE_KERNEL_CONFIG)?;
    panicpol_testkit::host_tool("qemu-system-x86_64")?;
    let busybox = panicpol_testkit::busybox()?;
    let initrd = make_initrd(&InitrdOptions {
        busybox: Some(busybox),
    })
    .expect("build the test initrd");
    let img = dir.join("initrd.img");
    fs::write(&img, initrd).expect("write initrd");
    Some((kernel, cfg, img))
}

#[test]
fn the_oracle_kernel_applies_the_policy_the_cli_emitted_and_attached() {
    let sc = Scratch::new("boot-a");
    let Some((kernel, cfg, img)) = oracle_rig(sc.path()) else {
        return;
    };
    let bconf = sc.path().join("policy.bconf");
    let o = panicpol(&[
        "emit",
        "--format",
        "bootconfig",
        "--config",
        s(&cfg),
        "--cmdline",
        BOOT,
        "--set",
        "panic_print=0x3",
        "--set",
        "crash_kexec_post_notifiers=1",
        "--set",
        "sysctl.kernel.panic_on_oops=1",
        "-o",
        s(&bconf),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(err(&o), "", "no warning for this kernel and line");
    let o = panicpol(&[
        "initrd",
        "attach",
        s(&img),
        s(&bconf),
        "--config",
        s(&cfg),
        "--boot-cmdline",
        BOOT,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(err(&o), "");
    let o = panicpol(&[
        "initrd",
        "show",
        s(&img),
        "--format",
        "json",
        "--boot-cmdline",
        BOOT,
    ]);
    let shown: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let r = run_boot(&kernel, &fs::read(&img).expect("read"), BOOT);

    // /proc/bootconfig is what `initrd show` predicted (the report strips
    // the file's final newline).
    assert_eq!(
        r.value("/proc/bootconfig")
            .map(|v| format!("{v}\n"))
            .as_deref(),
        shown["proc_bootconfig"].as_str(),
        "{}",
        r.summary()
    );
    let kline = shown["kernel_cmdline"].as_str().expect("kernel.* fragment");
    assert_eq!(
        kline,
        "crash_kexec_post_notifiers=1 panic_print=0x3 panic=-1 sysctl.kernel.panic_on_oops=1 "
    );
    assert_eq!(
        r.value("/proc/cmdline"),
        Some(format!("{kline}{BOOT}").as_str())
    );
    assert_eq!(r.value("/proc/sys/kernel/panic_print"), Some("3"));
    assert_eq!(
        r.value("/sys/module/kernel/parameters/crash_kexec_post_notifiers"),
        Some("Y")
    );
    // The late form of oops=panic works from bootconfig.
    assert_eq!(r.value("/proc/sys/kernel/panic_on_oops"), Some("1"));
    assert_eq!(r.value("/proc/sys/kernel/panic"), Some("-1"));
}

#[test]
fn the_oracle_kernel_shows_an_early_parameter_from_bootconfig_but_does_not_apply_it() {
    let sc = Scratch::new("boot-early");
    let Some((kernel, cfg, img)) = oracle_rig(sc.path()) else {
        return;
    };
    // emit refuses oops=panic for bootconfig, so this one is written by hand.
    let bconf = sc.file(
        "early.bconf",
        b"kernel.oops = panic\nkernel.panic_print = 0x1\n",
    );
    let o = panicpol(&[
        "initrd",
        "attach",
        s(&img),
        s(&bconf),
        "--config",
        s(&cfg),
        "--boot-cmdline",
        BOOT,
    ]);
    assert_eq!(o.status.code(), Some(1), "flagged: {}", err(&o));
    assert!(err(&o).contains("kernel.oops"), "{}", err(&o));
    let r = run_boot(&kernel, &fs::read(&img).expect("read"), BOOT);
    let cmdline = r.value("/proc/cmdline").unwrap_or_default();
    assert!(
        cmdline.starts_with("oops=panic panic_print=0x1 "),
        "{cmdline}\n{}",
        r.summary()
    );
    // Loaded (panic_print applied), but oops=panic never applied.
    assert_eq!(r.value("/proc/sys/kernel/panic_print"), Some("1"));
    assert_eq!(r.value("/proc/sys/kernel/panic_on_oops"), Some("0"));
}

#[test]
fn debians_612_applies_the_emitted_command_line() {
    let (Some(vmlinuz), Some(map), Some(cfg)) = (
        real_kernel("6.12", "vmlinuz"),
        real_kernel("6.12", "System.map"),
        real_kernel("6.12", "config"),
    ) else {
        return;
    };
    if panicpol_testkit::host_tool("qemu-system-x86_64").is_none() {
        return;
    }
    let o = panicpol(&[
        "emit",
        "--format",
        "cmdline",
        "--system-map",
        s(&map),
        "--config",
        s(&cfg),
        "--cmdline",
        "BOOT_IMAGE=/vmlinuz root=/dev/vda1 ro console=ttyS0 panic_print=3 crash_kexec_post_notifiers",
        "--set",
        "panic=5",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let fragment = out(&o);
    let fragment = fragment.trim_end();
    assert_eq!(
        fragment,
        "crash_kexec_post_notifiers=1 panic_print=0x3 panic=5"
    );
    let initrd = make_initrd(&InitrdOptions::default()).expect("test initrd");
    let cmdline = format!("console=ttyS0 panic=-1 {fragment}");
    let r = run_boot(&vmlinuz, &initrd, &cmdline);
    assert_eq!(r.value("/proc/cmdline"), Some(cmdline.as_str()));
    assert_eq!(
        r.value("/proc/sys/kernel/panic_print"),
        Some("3"),
        "{}",
        r.summary()
    );
    assert_eq!(
        r.value("/sys/module/kernel/parameters/crash_kexec_post_notifiers"),
        Some("Y")
    );
    assert_eq!(r.value("/proc/sys/kernel/panic"), Some("5"));
    assert_eq!(r.value("/sys/module/kernel/parameters/panic"), Some("5"));
}
