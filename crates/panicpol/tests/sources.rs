//! `panicpol check --root`, `check FILE…` by format and `panicpol cmdline`
//! over the fixture roots (`fixtures/roots/`), broken trees built here, a
//! UKI and an initrd with a bootconfig built here, and Debian's real 6.12
//! kernel: the effective command line per entry, the file, line and column
//! of specific tokens, and specific findings with both places.

// Test code: a failed expectation is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "../../../fixtures/uki/pe.rs"]
mod pe;

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn panicpol(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_panicpol"))
        .args(args)
        .env("NO_COLOR", "1")
        .current_dir(std::env::temp_dir())
        .output()
        .expect("the panicpol binary runs")
}

fn root(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/roots")
        .join(name)
        .display()
        .to_string()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The token of entry `e` whose text is `text`.
fn token<'a>(e: &'a Value, text: &str) -> &'a Value {
    e["tokens"]
        .as_array()
        .expect("tokens")
        .iter()
        .find(|t| t["text"] == text)
        .unwrap_or_else(|| panic!("no token {text} in {}", e["cmdline"]))
}

/// `(file suffix, line, col)` of a JSON origin.
fn place(v: &Value) -> (String, u64, u64) {
    let file = v["file"].as_str().unwrap_or("");
    let short = file.rsplit("/roots/").next().unwrap_or(file);
    (
        short.to_string(),
        v["line"].as_u64().unwrap_or(0),
        v["col"].as_u64().unwrap_or(0),
    )
}

fn diags<'a>(doc: &'a Value, code: &str) -> Vec<&'a Value> {
    doc["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["code"] == code)
        .collect()
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("panicpol-cli-src-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).unwrap();
    d
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let (src, dst) = (e.path(), to.join(e.file_name()));
        let t = e.file_type().unwrap();
        if t.is_symlink() {
            symlink(fs::read_link(&src).unwrap(), &dst).unwrap();
        } else if t.is_dir() {
            copy_tree(&src, &dst);
        } else {
            fs::copy(&src, &dst).unwrap();
        }
    }
}

#[test]
fn cmdline_debian12_every_entry_with_provenance() {
    let o = panicpol(&["cmdline", "--root", &root("debian12"), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc = json(&o);
    assert_eq!(doc["version"], 1);
    let entries = doc["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    let normal = &entries[0];
    assert_eq!(normal["kind"], "normal");
    assert_eq!(
        normal["cmdline"],
        "BOOT_IMAGE=/boot/vmlinuz-6.12.117+deb12-cloud-amd64 root=PARTUUID=5f6a7b2c-03d4-4e85-9a61-2b7c8d9e0f11 ro console=tty0 console=ttyS0,115200 earlyprintk=ttyS0,115200 consoleblank=0 panic=10 crash_kexec_post_notifiers crashkernel=384M-:128M"
    );
    // Each token points at the file to edit, not at the generated grub.cfg.
    assert_eq!(
        place(&token(normal, "panic=10")["origin"]),
        ("debian12/etc/default/grub.d/90-panic.cfg".into(), 3, 57)
    );
    assert_eq!(
        place(&token(normal, "crashkernel=384M-:128M")["origin"]),
        ("debian12/etc/default/grub.d/kdump-tools.cfg".into(), 1, 57)
    );
    assert_eq!(
        place(&token(normal, "console=tty0")["origin"]),
        ("debian12/etc/default/grub".into(), 10, 21)
    );
    assert_eq!(
        place(&token(normal, "ro")["origin"]),
        ("debian12/boot/grub/grub.cfg".into(), 109, 100)
    );
    assert_eq!(
        token(normal, "crash_kexec_post_notifiers")["fate"],
        "applied"
    );
    let recovery = &entries[2];
    assert_eq!(recovery["kind"], "recovery");
    assert!(recovery["cmdline"].as_str().unwrap().ends_with(
        "ro single console=tty0 console=ttyS0,115200 earlyprintk=ttyS0,115200 consoleblank=0"
    ));
    // Human output names the place of each token too.
    let o = panicpol(&["cmdline", "--root", &root("debian12")]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("grub.cfg: Debian GNU/Linux (normal boot, kernel 6.12.117+deb12-cloud-amd64)"),
        "{out}"
    );
    assert!(
        out.contains("debian12/etc/default/grub.d/90-panic.cfg:3:57  applied: panic"),
        "{out}"
    );
}

#[test]
fn check_ubuntu2404_dropin_override_with_both_places() {
    let o = panicpol(&["check", "--root", &root("ubuntu2404"), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc = json(&o);
    let d = diags(&doc, "PP701");
    assert_eq!(
        d.len(),
        1,
        "one finding although two entries share the files"
    );
    let d = d[0];
    assert_eq!(d["severity"], "warning");
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("quiet splash panic=10 panic_print=0x3")
    );
    assert_eq!(
        place(d),
        (
            "ubuntu2404/etc/default/grub.d/50-cloudimg-settings.cfg".into(),
            11,
            1
        )
    );
    assert_eq!(
        place(&d["labels"][0]),
        ("ubuntu2404/etc/default/grub".into(), 10, 1)
    );
    // The conditional of init-select.cfg is a note.
    let n = diags(&doc, "PP708");
    assert_eq!(n.len(), 1);
    assert_eq!(n[0]["severity"], "info");
    assert_eq!(
        place(n[0]).0,
        "ubuntu2404/etc/default/grub.d/init-select.cfg"
    );
    assert_eq!(doc["inputs"][0]["cmdline"], "console=tty1 console=ttyS0");
    // For people, the place in the other file is a note under the snippet.
    let o = panicpol(&["check", "--root", &root("ubuntu2404")]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("50-cloudimg-settings.cfg:11:1]")
            && out.contains("= note: this value is lost: ")
            && out.contains("ubuntu2404/etc/default/grub:10:1"),
        "{out}"
    );
}

#[test]
fn check_rhel8_kernelopts_and_tuned_params() {
    let o = panicpol(&["check", "--root", &root("rhel8"), "--format", "json"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "crashkernel=auto is an error upstream"
    );
    let doc = json(&o);
    let t = diags(&doc, "PP703");
    assert_eq!(t.len(), 1);
    assert_eq!(t[0]["severity"], "info");
    assert!(t[0]["message"].as_str().unwrap().contains("$tuned_params"));
    assert!(place(t[0]).0.starts_with("rhel8/boot/loader/entries/"));
    assert_eq!((place(t[0]).1, place(t[0]).2), (5, 21));
    let ck = diags(&doc, "PP403");
    assert_eq!(ck.len(), 1);
    assert_eq!(place(ck[0]).0, "rhel8/boot/grub2/grubenv");
    let o = panicpol(&["cmdline", "--root", &root("rhel8"), "--format", "json"]);
    let e = &json(&o)["entries"][0];
    assert_eq!(
        place(&token(e, "panic=10")["origin"]),
        ("rhel8/boot/grub2/grubenv".into(), 3, 139)
    );
}

#[test]
fn check_fedora40_and_kernel_install() {
    let o = panicpol(&["check", "--root", &root("fedora40"), "--format", "gcc"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.lines().any(|l| l.contains("-6.8.5-301.fc40.x86_64.conf:5:146: info: `crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M` reaches only the normal boots") && l.ends_with("[PP702]")),
        "{out}"
    );
    let o = panicpol(&[
        "cmdline",
        "--root",
        &root("kernel-install"),
        "--format",
        "json",
    ]);
    let doc = json(&o);
    let e = &doc["entries"][0];
    assert_eq!(
        place(&token(e, "panic=30")["origin"]),
        ("kernel-install/etc/kernel/cmdline".into(), 2, 7)
    );
    assert_eq!(e["origin"]["from"], "bls");
}

#[test]
fn check_runtime_overrides_value_after_boot_and_both_places() {
    let o = panicpol(&[
        "check",
        "--root",
        &root("runtime-overrides"),
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc = json(&o);
    let panic: Vec<_> = diags(&doc, "PP801")
        .into_iter()
        .filter(|d| d["message"].as_str().unwrap().contains("kernel.panic = 60"))
        .collect();
    assert_eq!(panic.len(), 1);
    let d = panic[0];
    assert_eq!(d["severity"], "warning");
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("sets panic to 60 after boot; the command line gives 10")
    );
    assert_eq!(
        place(d),
        (
            "runtime-overrides/etc/sysctl.d/99-sysctl.conf".into(),
            13,
            16
        )
    );
    let labels: Vec<_> = d["labels"].as_array().unwrap().iter().map(place).collect();
    assert!(
        labels.contains(&("runtime-overrides/boot/grub/grub.cfg".into(), 24, 122)),
        "{labels:?}"
    );
    assert!(
        labels.contains(&("runtime-overrides/etc/sysctl.d/90-panic.conf".into(), 2, 16)),
        "{labels:?}"
    );
    let t = diags(&doc, "PP802");
    assert_eq!(t.len(), 1);
    assert_eq!(
        place(t[0]),
        (
            "runtime-overrides/etc/tmpfiles.d/kdump-notifiers.conf".into(),
            2,
            68
        )
    );
    assert!(
        t[0]["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("before kdump"))
    );
    let r = diags(&doc, "PP803");
    assert_eq!(r.len(), 1);
    assert_eq!(
        place(r[0]),
        ("runtime-overrides/etc/sysctl.d/90-panic.conf".into(), 4, 24)
    );
    let s = diags(&doc, "PP707");
    assert_eq!(s.len(), 1, "grub.cfg predates panic_print=0x3");
    assert!(
        s[0]["message"]
            .as_str()
            .unwrap()
            .contains("panic_print=0x3")
    );
    // explain says what a panic after boot does.
    let o = panicpol(&["explain", "--root", &root("runtime-overrides")]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("After boot (sysctl.d, tmpfiles.d):"), "{out}");
    assert!(out.contains("panic 10 -> 0  ("), "{out}");
    assert!(out.contains("panic 0 -> 60  ("), "{out}");
    assert!(out.contains("crash_kexec_post_notifiers N -> Y"), "{out}");
}

#[test]
fn check_files_by_format_and_forced() {
    let main = format!("{}/etc/default/grub", root("ubuntu2404"));
    let dropin = format!(
        "{}/etc/default/grub.d/50-cloudimg-settings.cfg",
        root("ubuntu2404")
    );
    // Given as files, the drop-in is still sourced after the main file.
    let o = panicpol(&["check", "--format", "json", &dropin, &main]);
    let doc = json(&o);
    assert_eq!(diags(&doc, "PP701").len(), 1, "{}", stderr(&o));
    // Forced to be read as a raw command line, the file is a command line.
    let o = panicpol(&["check", "--format", "json", "--as", "cmdline", &main]);
    let doc = json(&o);
    assert!(diags(&doc, "PP701").is_empty());
    assert!(
        doc["inputs"][0]["cmdline"]
            .as_str()
            .unwrap()
            .starts_with("# If you change this file")
    );
    let o = panicpol(&["check", "--as", "nonsense", &main]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unknown format `nonsense`"),
        "{}",
        stderr(&o)
    );
    // A sysctl.d file alone is checked against the default command line.
    let f = format!("{}/etc/sysctl.d/90-panic.conf", root("runtime-overrides"));
    let o = panicpol(&["check", "--format", "json", &f]);
    let doc = json(&o);
    assert_eq!(diags(&doc, "PP803").len(), 1);
}

/// The entry of a `cmdline --format json` document whose name ends so.
fn entry_ending<'a>(doc: &'a Value, suffix: &str) -> &'a Value {
    doc["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"].as_str().unwrap().ends_with(suffix))
        .unwrap_or_else(|| panic!("no entry named …{suffix}"))
}

#[test]
fn uki_with_an_addon_and_an_empty_one() {
    let d = scratch("uki");
    copy_tree(Path::new(&root("kernel-install")), &d);
    let dir = d.join("efi/EFI/Linux");
    fs::create_dir_all(dir.join("arch.efi.extra.d")).unwrap();
    fs::write(
        dir.join("arch.efi"),
        pe::minimal_pe(&[
            (".cmdline", b"root=UUID=1 rw crashkernel=256M"),
            (".uname", b"6.12.10-arch1-1"),
        ]),
    )
    .unwrap();
    fs::write(
        dir.join("arch.efi.extra.d/notifiers.addon.efi"),
        pe::minimal_pe(&[(".cmdline", b"crash_kexec_post_notifiers")]),
    )
    .unwrap();
    fs::write(
        dir.join("empty.efi"),
        pe::minimal_pe(&[(".cmdline", b"\0\0\0"), (".linux", b"x")]),
    )
    .unwrap();
    let r = d.display().to_string();
    let doc = json(&panicpol(&["cmdline", "--root", &r, "--format", "json"]));
    let e = entry_ending(&doc, "arch.efi");
    assert_eq!(
        e["cmdline"],
        "root=UUID=1 rw crashkernel=256M crash_kexec_post_notifiers"
    );
    let at = place(&token(e, "crash_kexec_post_notifiers")["origin"]);
    assert!(
        at.0.ends_with("arch.efi.extra.d/notifiers.addon.efi:.cmdline"),
        "{at:?}"
    );
    assert_eq!((at.1, at.2), (1, 1));
    let o = panicpol(&["check", "--root", &r, "--format", "json"]);
    let doc = json(&o);
    let empty = diags(&doc, "PP704");
    assert_eq!(empty.len(), 1);
    assert!(empty[0]["file"].as_str().unwrap().ends_with("empty.efi"));
    let p = diags(&doc, "PP401");
    assert_eq!(p.len(), 1, "the add-on's flag with the UKI's crashkernel=");
    assert!(
        p[0]["file"]
            .as_str()
            .unwrap()
            .ends_with("notifiers.addon.efi:.cmdline")
    );
    let _ = fs::remove_dir_all(&d);
}

#[test]
fn bootconfig_attached_to_the_initrd() {
    let d = scratch("bootconfig");
    copy_tree(Path::new(&root("debian12")), &d);
    let k = "6.12.117+deb12-cloud-amd64";
    let text = b"kernel {\n\toops = panic\n\tpanic_print = 0x1\n}\n";
    let initrd = panicpol_emit::initrd::attach(&[0x30u8; 1000], text).unwrap();
    fs::write(d.join(format!("boot/initrd.img-{k}")), initrd).unwrap();
    let r = d.display().to_string();
    // Debian's kernel: no CONFIG_BOOT_CONFIG.
    let o = panicpol(&["check", "--root", &r, "--format", "json"]);
    let doc = json(&o);
    let u = diags(&doc, "PP603");
    assert_eq!(
        u.len(),
        1,
        "{}",
        serde_json::to_string_pretty(&doc["diagnostics"]).unwrap()
    );
    assert!(
        u[0]["file"]
            .as_str()
            .unwrap()
            .ends_with(&format!("initrd.img-{k}:bootconfig"))
    );
    assert_eq!(
        (u[0]["line"].as_u64(), u[0]["col"].as_u64()),
        (Some(2), Some(2))
    );
    // A kernel with bootconfig, without `bootconfig` on the command line.
    let config = d.join(format!("boot/config-{k}"));
    let c = fs::read_to_string(&config)
        .unwrap()
        .replace("# CONFIG_BOOT_CONFIG is not set", "CONFIG_BOOT_CONFIG=y");
    fs::write(&config, c).unwrap();
    let doc = json(&panicpol(&["check", "--root", &r, "--format", "json"]));
    assert_eq!(diags(&doc, "PP602").len(), 1);
    assert!(diags(&doc, "PP601").is_empty());
    // With `bootconfig`: oops= is early, so it never applies.
    let dropin = d.join("etc/default/grub.d/90-panic.cfg");
    let c = fs::read_to_string(&dropin).unwrap().replace(
        "crash_kexec_post_notifiers\"",
        "crash_kexec_post_notifiers bootconfig\"",
    );
    fs::write(&dropin, c).unwrap();
    let grub_cfg = d.join("boot/grub/grub.cfg");
    let c = fs::read_to_string(&grub_cfg).unwrap().replace(
        "crash_kexec_post_notifiers crashkernel",
        "crash_kexec_post_notifiers bootconfig crashkernel",
    );
    fs::write(&grub_cfg, c).unwrap();
    let o = panicpol(&["check", "--root", &r, "--format", "json"]);
    let doc = json(&o);
    let e = diags(&doc, "PP601");
    assert_eq!(
        e.len(),
        1,
        "{}",
        serde_json::to_string_pretty(&doc["diagnostics"]).unwrap()
    );
    assert_eq!(e[0]["severity"], "error");
    assert!(e[0]["message"].as_str().unwrap().contains("`oops=panic`"));
    assert_eq!(
        (e[0]["line"].as_u64(), e[0]["col"].as_u64()),
        (Some(2), Some(2))
    );
    // The recovery entry gets only GRUB_CMDLINE_LINUX: no `bootconfig` there.
    assert_eq!(diags(&doc, "PP602").len(), 1);
    assert_eq!(o.status.code(), Some(1));
    // A corrupt footer: the kernel ignores the bootconfig.
    let path = d.join(format!("boot/initrd.img-{k}"));
    let mut bytes = fs::read(&path).unwrap();
    let n = bytes.len();
    bytes[n - 16] ^= 0xff;
    fs::write(&path, bytes).unwrap();
    let doc = json(&panicpol(&["check", "--root", &r, "--format", "json"]));
    let f = diags(&doc, "PP604");
    assert_eq!(f.len(), 1);
    assert!(f[0]["message"].as_str().unwrap().contains("checksum"));
    let _ = fs::remove_dir_all(&d);
}

#[test]
fn bad_input_under_root_is_reported_never_fatal() {
    let d = scratch("bad");
    copy_tree(Path::new(&root("debian12")), &d);
    symlink("loop.cfg", d.join("etc/default/grub.d/loop.cfg")).unwrap();
    fs::create_dir_all(d.join("etc")).unwrap();
    fs::write(
        d.join("etc/sysctl.d"),
        b"a file where a directory should be",
    )
    .unwrap();
    fs::create_dir_all(d.join("boot/loader/entries")).unwrap();
    fs::write(
        d.join("boot/loader/entries/garbage.conf"),
        (0..=255u8).cycle().take(8192).collect::<Vec<u8>>(),
    )
    .unwrap();
    fs::write(d.join("boot/loader/entries/huge.conf"), vec![b'x'; 5 << 20]).unwrap();
    fs::write(
        d.join("etc/default/grub.d/95-broken.cfg"),
        "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT $MY_PANIC_OPTS panic_print=0x3\nGRUB_TIMEOUT=1\n",
    )
    .unwrap();
    let r = d.display().to_string();
    let o = panicpol(&["check", "--root", &r, "--format", "json"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "the syntax error is an error: {}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("panicked"));
    let doc = json(&o);
    let unreadable: Vec<String> = diags(&doc, "PP709")
        .iter()
        .map(|d| {
            format!(
                "{} {}",
                d["file"].as_str().unwrap().rsplit('/').next().unwrap(),
                d["message"]
            )
        })
        .collect();
    for want in ["loop.cfg", "sysctl.d", "garbage.conf", "huge.conf"] {
        assert!(
            unreadable.iter().any(|u| u.starts_with(want)),
            "{want}: {unreadable:?}"
        );
    }
    assert!(unreadable.iter().any(|u| u.contains("loop")));
    let syntax = diags(&doc, "PP708");
    let quote = syntax
        .iter()
        .find(|d| d["severity"] == "error")
        .expect("the quote");
    assert_eq!(place(quote).0.rsplit('/').next(), Some("95-broken.cfg"));
    assert_eq!((place(quote).1, place(quote).2), (1, 28));
    let var = diags(&doc, "PP703");
    assert_eq!(var.len(), 1);
    assert!(
        var[0]["message"]
            .as_str()
            .unwrap()
            .contains("$MY_PANIC_OPTS")
    );
    assert_eq!((place(var[0]).1, place(var[0]).2), (1, 57));
    let _ = fs::remove_dir_all(&d);
}

#[test]
fn exit_two_only_when_nothing_could_be_read() {
    let d = scratch("nothing");
    let o = panicpol(&["check", "--root", &d.display().to_string()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no boot configuration found"),
        "{}",
        stderr(&o)
    );
    let o = panicpol(&["check", "--root", "/nonexistent/root"]);
    assert_eq!(o.status.code(), Some(2));
    let f = d.join("file");
    fs::write(&f, b"x").unwrap();
    let o = panicpol(&["cmdline", "--root", &f.display().to_string()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a directory"), "{}", stderr(&o));
    // Only unreadable things: exit 2, each one named.
    symlink("self", d.join("self")).unwrap();
    let o = panicpol(&[
        "check",
        &d.join("self").display().to_string(),
        "/nonexistent/grub.cfg",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("a loop"), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("no such file or directory"),
        "{}",
        stderr(&o)
    );
    // One readable file among unreadable ones: the run goes on.
    let good = format!("{}/etc/default/grub", root("debian12"));
    let o = panicpol(&["check", "--format", "gcc", &good, "/nonexistent/grub.cfg"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains(
        "/nonexistent/grub.cfg:1:1: warning: cannot read: no such file or directory [PP709]"
    ));
    let _ = fs::remove_dir_all(&d);
}

/// The end-to-end case: the Debian 12 root against Debian's real
/// 6.12 vmlinux lists the notifiers that now run before kdump, located in the
/// drop-in that set the flag.
#[test]
fn debian12_root_against_the_real_612_vmlinux() {
    let Some(vmlinux) = panicpol_testkit::real_kernel("6.12", "vmlinux") else {
        return;
    };
    let o = panicpol(&[
        "check",
        "--root",
        &root("debian12"),
        "--vmlinux",
        vmlinux.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc = json(&o);
    assert_eq!(doc["kernel"]["release"], "6.12.117+deb12-cloud-amd64");
    let d = diags(&doc, "PP401");
    assert_eq!(d.len(), 1);
    assert_eq!(
        place(d[0]),
        ("debian12/etc/default/grub.d/90-panic.cfg".into(), 3, 66)
    );
    let notes = d[0]["notes"].as_array().unwrap();
    assert!(
        notes.len() >= 5,
        "the notifiers of the real kernel: {notes:?}"
    );
    assert!(
        d[0]["message"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{} panic notifier(s)", notes.len()))
    );
    // Against the real tables, console= is a setup parameter, not init's.
    let o = panicpol(&[
        "cmdline",
        "--root",
        &root("debian12"),
        "--vmlinux",
        vmlinux.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let e = &json(&o)["entries"][0];
    assert_eq!(token(e, "console=tty0")["fate"], "applied");
    assert_eq!(token(e, "crashkernel=384M-:128M")["fate"], "applied");
}

/// A bootconfig attached to a UKI's `.initrd`: a stub of 257 with `.osrel`
/// (what ukify builds by default) buries it, an error (PP605) and the
/// bootconfig's `kernel.panic` does not apply; an older stub without
/// generated archives finds it, a warning, and `panic=7` applies.
#[test]
fn uki_initrd_bootconfig_buried_or_found() {
    let initrd = panicpol_emit::initrd::attach(&[0x30u8; 512], b"kernel.panic = 7\n").unwrap();
    for (stub, severity, applied) in [("257.4", "error", false), ("255.2", "warning", true)] {
        let d = scratch(&format!("uki-bc-{stub}"));
        copy_tree(Path::new(&root("kernel-install")), &d);
        let dir = d.join("efi/EFI/Linux");
        fs::create_dir_all(&dir).unwrap();
        let magic = format!("#### LoaderInfo: systemd-stub {stub} ####");
        fs::write(
            dir.join("f.efi"),
            pe::minimal_pe(&[
                (".cmdline", b"root=UUID=1 bootconfig"),
                (".sdmagic", magic.as_bytes()),
                (".osrel", b"ID=fedora\n"),
                (".linux", b"x"),
                (".initrd", &initrd),
            ]),
        )
        .unwrap();
        let r = d.display().to_string();
        let doc = json(&panicpol(&["check", "--root", &r, "--format", "json"]));
        let found = diags(&doc, "PP605");
        assert_eq!(found.len(), 1, "{stub}: {doc:#}");
        assert_eq!(found[0]["severity"], severity, "{stub}");
        assert!(
            found[0]["file"]
                .as_str()
                .unwrap()
                .ends_with("f.efi:.initrd:bootconfig"),
            "{stub}"
        );
        let doc = json(&panicpol(&["cmdline", "--root", &r, "--format", "json"]));
        let e = entry_ending(&doc, "f.efi");
        assert_eq!(
            e["proc_cmdline"].as_str().unwrap().contains("panic=7"),
            applied,
            "{stub}: {e:#}"
        );
        let _ = fs::remove_dir_all(&d);
    }
}
