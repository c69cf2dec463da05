//! Discovery and resolution over the fixture roots (`fixtures/roots/`) and
//! over broken trees built here: the entries found, their command lines, the
//! file and offset of specific tokens, and the problems reported.

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

use panicpol_sources::{Options, Sources, discover};
use panicpol_syntax::entry::{EntryKind, Fact, Origin};
use panicpol_syntax::issue::IssueKind;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/roots")
        .join(name)
}

fn read(name: &str) -> Sources {
    discover(&fixture(name), &Options::default()).expect("a root")
}

fn text(s: &Sources, i: usize) -> String {
    String::from_utf8_lossy(&s.entries[i].cmdline.text).into_owned()
}

/// The file name and offset where the token `tok` of entry `i` was written.
fn origin(s: &Sources, i: usize, tok: &str) -> (String, usize) {
    let e = &s.entries[i];
    let at = text(s, i)
        .find(tok)
        .unwrap_or_else(|| panic!("{tok} in {}", text(s, i)));
    let (file, span) = e.cmdline.locate(&(at..at + tok.len())).expect("located");
    assert_eq!(span.len(), tok.len(), "{tok} is one piece");
    let f = s.map.get(file).expect("file");
    assert_eq!(&f.text[span.clone()], tok.as_bytes());
    (
        f.name.rsplit("/roots/").next().unwrap_or("").to_string(),
        span.start,
    )
}

/// A fresh copy of a fixture root (or an empty folder) to break.
fn scratch(name: &str, from: Option<&str>) -> PathBuf {
    let d = std::env::temp_dir().join(format!("panicpol-roots-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).unwrap();
    if let Some(f) = from {
        copy_tree(&fixture(f), &d);
    }
    d
}

fn copy_tree(from: &Path, to: &Path) {
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let (src, dst) = (e.path(), to.join(e.file_name()));
        let t = e.file_type().unwrap();
        if t.is_symlink() {
            symlink(fs::read_link(&src).unwrap(), &dst).unwrap();
        } else if t.is_dir() {
            fs::create_dir_all(&dst).unwrap();
            copy_tree(&src, &dst);
        } else {
            fs::copy(&src, &dst).unwrap();
        }
    }
}

#[test]
fn debian12_tokens_point_into_the_dropins() {
    let s = read("debian12");
    assert!(s.problems.is_empty(), "{:?}", s.problems);
    assert_eq!(s.entries.len(), 3);
    let kinds: Vec<_> = s.entries.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [EntryKind::Normal, EntryKind::Normal, EntryKind::Recovery]
    );
    assert!(text(&s, 0).ends_with(
        "ro console=tty0 console=ttyS0,115200 earlyprintk=ttyS0,115200 consoleblank=0 panic=10 crash_kexec_post_notifiers crashkernel=384M-:128M"
    ));
    assert_eq!(
        origin(&s, 0, "panic=10").0,
        "debian12/etc/default/grub.d/90-panic.cfg"
    );
    assert_eq!(
        origin(&s, 0, "crashkernel=384M-:128M"),
        ("debian12/etc/default/grub.d/kdump-tools.cfg".into(), 56)
    );
    assert_eq!(
        origin(&s, 0, "root=PARTUUID").0,
        "debian12/boot/grub/grub.cfg"
    );
    assert_eq!(origin(&s, 2, "console=tty0").0, "debian12/etc/default/grub");
    assert_eq!(
        s.entries[0].release.as_deref(),
        Some("6.12.117+deb12-cloud-amd64")
    );
    // The kernel config of that release applies.
    assert_eq!(
        s.entries[0].boot_config_option.as_ref().map(|(on, _)| *on),
        Some(false)
    );
    assert!(
        !s.entries[0]
            .facts
            .iter()
            .any(|f| matches!(f, Fact::Stale { .. }))
    );
}

#[test]
fn ubuntu2404_dropin_override_with_both_places() {
    let s = read("ubuntu2404");
    assert_eq!(s.entries.len(), 2);
    assert!(matches!(s.entries[0].origin, Origin::GrubDefaults));
    assert_eq!(text(&s, 0), "console=tty1 console=ttyS0");
    assert_eq!(text(&s, 1), "recovery nomodeset dis_ucode_ldr");
    let o = s.entries[0]
        .facts
        .iter()
        .find_map(|f| match f {
            Fact::Override { earlier, later, .. } => Some((earlier.clone(), later.clone())),
            _ => None,
        })
        .expect("an override");
    let name = |id| {
        s.map
            .get(id)
            .unwrap()
            .name
            .rsplit("/roots/")
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(name(o.0.0), "ubuntu2404/etc/default/grub");
    assert_eq!(
        name(o.1.0),
        "ubuntu2404/etc/default/grub.d/50-cloudimg-settings.cfg"
    );
    // The conditional of init-select.cfg is reported, not applied.
    assert_eq!(s.problems.len(), 1);
    assert_eq!(s.problems[0].kind, IssueKind::Unsupported);
}

#[test]
fn fedora40_bls_through_grub() {
    let s = read("fedora40");
    assert_eq!(s.entries.len(), 2);
    let normal = s
        .entries
        .iter()
        .position(|e| e.kind == EntryKind::Normal)
        .unwrap();
    assert!(matches!(
        s.entries[normal].origin,
        Origin::Bls { grub: true }
    ));
    assert!(text(&s, normal).starts_with("BOOT_IMAGE=/vmlinuz-6.8.5-301.fc40.x86_64 root=UUID="));
    let (file, _) = origin(&s, normal, "crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M");
    assert!(file.starts_with("fedora40/boot/loader/entries/"), "{file}");
    let kind_only = s.entries[normal]
        .facts
        .iter()
        .any(|f| matches!(f, Fact::KindOnly { .. }));
    assert!(kind_only, "the rescue entry lacks crashkernel=");
}

#[test]
fn rhel8_kernelopts_from_grubenv() {
    let s = read("rhel8");
    assert_eq!(s.entries.len(), 1);
    assert_eq!(
        origin(&s, 0, "crash_kexec_post_notifiers").0,
        "rhel8/boot/grub2/grubenv"
    );
    // `BOOT_IMAGE=` is GRUB's own: no file wrote it.
    assert_eq!(s.entries[0].cmdline.locate(&(0..11)), None);
    let unresolved: Vec<_> = s.entries[0]
        .facts
        .iter()
        .filter_map(|f| match f {
            Fact::Unresolved { name, .. } => Some(name.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(unresolved, ["tuned_params"]);
}

#[test]
fn kernel_install_entries_trace_to_etc_kernel_cmdline() {
    let s = read("kernel-install");
    assert_eq!(s.entries.len(), 1, "the template entry is not repeated");
    assert!(matches!(s.entries[0].origin, Origin::Bls { grub: false }));
    assert_eq!(
        origin(&s, 0, "panic=30"),
        ("kernel-install/etc/kernel/cmdline".into(), 56)
    );
    assert!(
        origin(&s, 0, "systemd.machine_id=")
            .0
            .starts_with("kernel-install/efi/loader/entries/")
    );
    let unused = s
        .found
        .iter()
        .find(|f| f.path.ends_with("usr/lib/kernel/cmdline"))
        .unwrap();
    assert!(
        unused
            .note
            .as_deref()
            .unwrap_or("")
            .contains("/etc/kernel/cmdline takes precedence")
    );
}

#[test]
fn runtime_overrides_in_systemd_order() {
    let s = read("runtime-overrides");
    let e = &s.entries[0];
    let applied: Vec<(String, String)> = e
        .runtime
        .iter()
        .filter(|r| r.ignored.is_none())
        .map(|r| {
            (
                r.target.display(),
                String::from_utf8_lossy(&r.value).into_owned(),
            )
        })
        .collect();
    assert_eq!(
        applied,
        [
            ("kernel.sysrq".to_string(), "0x01b6".to_string()),
            ("kernel.core_uses_pid".into(), "1".into()),
            ("kernel.panic".into(), "0".into()),
            ("kernel.panic_print".into(), "0x23".into()),
            ("kernel.panic_on_warn".into(), "2".into()),
            ("kernel.panic".into(), "60".into()),
            (
                "/sys/module/kernel/parameters/crash_kexec_post_notifiers".into(),
                "Y".into()
            ),
        ]
    );
    let ignored = e.runtime.iter().filter(|r| r.ignored.is_some()).count();
    assert_eq!(ignored, 1, "the later tmpfiles line for the same path");
    assert!(s.found.iter().any(|f| f.note.as_deref() == Some("a link to /dev/null: masks the files of this name")));
    assert!(e.facts.iter().any(|f| matches!(f, Fact::Stale { .. })));
}

#[test]
fn uki_with_addons_and_an_empty_one() {
    let d = scratch("uki", Some("kernel-install"));
    let dir = d.join("efi/EFI/Linux");
    fs::create_dir_all(dir.join("arch.efi.extra.d")).unwrap();
    let uki = pe::minimal_pe(&[
        (".osrel", b"ID=arch\n"),
        (".cmdline", b"root=UUID=1 rw panic=5\n"),
        (".uname", b"6.12.10-arch1-1"),
        (".linux", b"not a kernel"),
    ]);
    fs::write(dir.join("arch.efi"), uki).unwrap();
    let addon = pe::minimal_pe(&[(".cmdline", b"crash_kexec_post_notifiers crashkernel=256M")]);
    fs::write(dir.join("arch.efi.extra.d/kdump.addon.efi"), addon).unwrap();
    fs::write(dir.join("bare.efi"), pe::minimal_pe(&[(".linux", b"x")])).unwrap();
    fs::write(dir.join("garbage.efi"), b"MZ but nothing else").unwrap();
    let s = discover(&d, &Options::default()).unwrap();
    let uki = s
        .entries
        .iter()
        .position(|e| e.name.ends_with("arch.efi"))
        .expect("uki entry");
    assert_eq!(
        text(&s, uki),
        "root=UUID=1 rw panic=5\n crash_kexec_post_notifiers crashkernel=256M"
    );
    assert_eq!(s.entries[uki].release.as_deref(), Some("6.12.10-arch1-1"));
    assert!(origin(&s, uki, "panic=5").0.ends_with("arch.efi:.cmdline"));
    assert!(
        origin(&s, uki, "crashkernel=256M")
            .0
            .ends_with("kdump.addon.efi:.cmdline")
    );
    let bare = s
        .entries
        .iter()
        .find(|e| e.name.ends_with("bare.efi"))
        .expect("bare");
    assert!(
        bare.facts
            .iter()
            .any(|f| matches!(f, Fact::EmptyUkiCmdline { present: false, .. }))
    );
    let garbage = s
        .problems
        .iter()
        .find(|p| s.map.get(p.file).unwrap().name.ends_with("garbage.efi"));
    assert_eq!(garbage.map(|p| p.kind), Some(IssueKind::Binary));
    let _ = fs::remove_dir_all(&d);
}

#[test]
fn broken_trees_are_problems_not_failures() {
    let d = scratch("broken", Some("debian12"));
    // A symlink loop, a file where a directory is expected, binary garbage,
    // a huge file.
    fs::create_dir_all(d.join("etc/sysctl.d")).unwrap();
    symlink("loop.conf", d.join("etc/sysctl.d/loop.conf")).unwrap();
    fs::create_dir_all(d.join("usr/lib")).unwrap();
    fs::write(d.join("usr/lib/tmpfiles.d"), b"a file, not a directory").unwrap();
    fs::write(
        d.join("etc/default/grub.d/zz-garbage.cfg"),
        (0..=255u8).cycle().take(4096).collect::<Vec<u8>>(),
    )
    .unwrap();
    fs::create_dir_all(d.join("boot/loader/entries")).unwrap();
    fs::write(d.join("boot/loader/entries/huge.conf"), vec![b'#'; 5 << 20]).unwrap();
    let s = discover(&d, &Options::default()).unwrap();
    assert_eq!(s.entries.len(), 3, "the grub entries are still read");
    let problems: Vec<(String, IssueKind, String)> = s
        .problems
        .iter()
        .map(|p| {
            let name = s.map.get(p.file).unwrap().name.clone();
            (
                name.rsplit('/').next().unwrap().to_string(),
                p.kind,
                p.message.clone(),
            )
        })
        .collect();
    let find = |n: &str| {
        problems
            .iter()
            .find(|p| p.0 == n)
            .unwrap_or_else(|| panic!("{n}: {problems:?}"))
    };
    assert!(find("loop.conf").2.contains("loop"));
    assert!(find("tmpfiles.d").2.contains("directory"));
    assert_eq!(find("zz-garbage.cfg").1, IssueKind::Binary);
    assert!(find("huge.conf").2.contains("larger than"));
    // Every entry carries the problems, for the rules to report.
    assert_eq!(s.entries[0].issues.len(), s.problems.len());
    let _ = fs::remove_dir_all(&d);
}

#[test]
fn grub_defaults_entries_find_the_only_kernel_and_its_initrd() {
    let d = scratch("defaults-initrd", Some("ubuntu2404"));
    fs::create_dir_all(d.join("boot")).unwrap();
    fs::write(d.join("boot/vmlinuz-6.8.0-31-generic"), b"kernel").unwrap();
    let initrd = panicpol_emit::initrd::attach(b"an initrd", b"kernel.panic = 5\n").unwrap();
    fs::write(d.join("boot/initrd.img-6.8.0-31-generic"), initrd).unwrap();
    let s = discover(&d, &Options::default()).unwrap();
    assert_eq!(s.entries[0].release.as_deref(), Some("6.8.0-31-generic"));
    let bc = s.entries[0]
        .bootconfig
        .as_ref()
        .expect("the attached bootconfig");
    assert_eq!(
        bc.kernel.as_ref().map(|k| k.text.clone()),
        Some(b"panic=5 ".to_vec())
    );
    let _ = fs::remove_dir_all(&d);
}

#[test]
fn not_a_root() {
    let d = scratch("notroot", None);
    let f = d.join("file");
    fs::write(&f, b"x").unwrap();
    assert!(
        discover(&f, &Options::default())
            .unwrap_err()
            .0
            .contains("not a directory")
    );
    assert!(discover(&d.join("missing"), &Options::default()).is_err());
    let s = discover(&d, &Options::default()).unwrap();
    assert!(s.entries.is_empty() && s.problems.is_empty());
    let _ = fs::remove_dir_all(&d);
}

/// A bootconfig attached to a UKI's embedded initrd: what systemd-stub
/// will put after `.initrd` decides whether the kernel finds it.
#[test]
fn uki_initrd_bootconfig_and_what_the_stub_puts_after_it() {
    let initrd = panicpol_emit::initrd::attach(&[0x30u8; 1000], b"kernel.panic = 7\n").unwrap();
    // name, stub, .osrel, after, after_from_257, applied
    type Case<'a> = (
        &'a str,
        Option<&'a str>,
        bool,
        &'a [&'a str],
        &'a [&'a str],
        bool,
    );
    let cases: &[Case<'_>] = &[
        ("v257", Some("257.4"), true, &[".osrel"], &[], false),
        ("v255", Some("255.2"), true, &[], &[], true),
        ("unknown", None, true, &[], &[".osrel"], true),
    ];
    for (name, stub, osrel, after, from_257, applied) in cases {
        let d = scratch(&format!("uki-bc-{name}"), Some("kernel-install"));
        let dir = d.join("efi/EFI/Linux");
        fs::create_dir_all(&dir).unwrap();
        let magic = stub.map(|v| format!("#### LoaderInfo: systemd-stub {v} ####"));
        let mut sections: Vec<(&str, &[u8])> = vec![(".cmdline", b"root=UUID=1 bootconfig")];
        if let Some(m) = &magic {
            sections.push((".sdmagic", m.as_bytes()));
        }
        if *osrel {
            sections.push((".osrel", b"ID=fedora\n"));
        }
        sections.push((".linux", b"not a kernel"));
        sections.push((".initrd", &initrd));
        fs::write(dir.join("f.efi"), pe::minimal_pe(&sections)).unwrap();
        let s = discover(&d, &Options::default()).unwrap();
        let e = s
            .entries
            .iter()
            .find(|e| e.name.ends_with("f.efi"))
            .expect("uki");
        let fact = e
            .facts
            .iter()
            .find_map(|f| match f {
                Fact::UkiInitrdBootconfig {
                    at,
                    stub: st,
                    after: a,
                    after_from_257: b,
                    zero_fill,
                } => Some((at.0, st.clone(), a.clone(), b.clone(), *zero_fill)),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{name}: no fact in {:?}", e.facts));
        assert!(
            s.map
                .get(fact.0)
                .unwrap()
                .name
                .ends_with("f.efi:.initrd:bootconfig"),
            "{name}"
        );
        assert_eq!(fact.1.as_deref(), *stub, "{name}");
        assert_eq!(fact.2, *after, "{name}");
        assert_eq!(fact.3, *from_257, "{name}");
        assert_eq!(fact.4, 0, "{name}");
        assert_eq!(e.bootconfig.is_some(), *applied, "{name}");
        let _ = fs::remove_dir_all(&d);
    }
}
