//! Compressed modules (`.ko.xz`, `.ko.zst`, `.ko.gz`): read as distributions
//! install them, the same notifiers as the uncompressed modules, and every
//! damaged, truncated or oversized file a per-file skip reason.
//!
//! Inputs: the fixture module compressed by the real tools (committed as
//! `fixtures/elf/x86_64-module.ko.{xz,zst,gz}`, and made afresh with other
//! options when the tools are installed), and Debian 6.12's installed
//! `.ko.xz` modules against the same kernel's `-dbg` `.ko` modules.

// Helpers outside #[test] unwrap and index too (see Cargo.toml's lints).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use panicpol_kernel::Notifier;
use panicpol_kernel::elf::decompress::{Compression, MAX_DECOMPRESSED, decompress};
use panicpol_kernel::elf::{ModulesReport, read_module, read_modules};
use panicpol_testkit::{Scratch, host_tool, real_modules};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/elf")
        .join(name)
}

fn plain() -> Vec<u8> {
    std::fs::read(fixture("x86_64-module.ko")).unwrap()
}

/// The committed compressed fixtures, with their format.
fn committed() -> Vec<(Compression, &'static str, Vec<u8>)> {
    [
        (Compression::Xz, "xz"),
        (Compression::Zstd, "zst"),
        (Compression::Gzip, "gz"),
    ]
    .into_iter()
    .map(|(c, ext)| {
        let b = std::fs::read(fixture(&format!("x86_64-module.ko.{ext}"))).unwrap();
        (c, ext, b)
    })
    .collect()
}

type Row = (String, Option<String>, Option<String>, Option<i32>, bool);

/// What a test compares: module, callback, block, priority, dynamic.
fn rows(n: &[Notifier]) -> Vec<Row> {
    let mut v: Vec<Row> = n
        .iter()
        .map(|n| {
            (
                n.module.clone().unwrap_or_default(),
                n.callback.clone(),
                n.block.clone(),
                n.priority,
                n.dynamic,
            )
        })
        .collect();
    v.sort();
    v
}

/// `tool ARGS < input > output`.
fn compress(tool: &Path, args: &[&str], input: &[u8]) -> Vec<u8> {
    let mut child = Command::new(tool)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(out.status.success(), "{} {args:?}", tool.display());
    out.stdout
}

fn skipped_reason<'a>(r: &'a ModulesReport, file: &str) -> &'a str {
    r.skipped
        .iter()
        .find(|(p, _)| p.file_name().is_some_and(|n| n == file))
        .map(|(_, why)| why.as_str())
        .unwrap_or_else(|| panic!("{file} not skipped: {:?}", r.skipped))
}

#[test]
fn the_fixture_in_every_format_gives_the_plain_module_s_notifiers() {
    let want = rows(&read_module(&plain(), "x86_64-module.ko").unwrap());
    // The fixture registers two panic notifiers (README in fixtures/elf).
    assert_eq!(want.len(), 2);
    assert!(want.iter().all(|r| r.0 == "fixture_mod"));
    let s = Scratch::new("compressed-fixture");
    for (c, ext, bytes) in committed() {
        assert_eq!(Compression::detect(&bytes), Some(c));
        assert_eq!(
            decompress(&bytes, MAX_DECOMPRESSED).unwrap(),
            plain(),
            "{c}"
        );
        s.file(&format!("m-{ext}.ko.{ext}"), &bytes);
    }
    let r = read_modules(s.path()).unwrap();
    assert!(r.skipped.is_empty(), "{:?}", r.skipped);
    assert_eq!((r.scanned, r.decompressed), (3, 3));
    // Three files of one module: its two registrations, once (the kernel
    // loads one of them).
    let mut want = want;
    want.sort();
    assert_eq!(rows(&r.notifiers), want);
}

/// The formats as the tools write them with other options than the
/// committed fixtures: what kernel builds and distributions use, the
/// largest presets, several streams, frames or members, other checks.
#[test]
fn tool_variants_decompress_to_the_plain_module() {
    let ko = plain();
    let half = ko.len() / 2;
    let mut cases: Vec<(&str, Vec<u8>)> = Vec::new();
    if let Some(xz) = host_tool("xz") {
        for args in [
            // scripts/Makefile.modinst
            &["--check=crc32", "--lzma2=dict=1MiB", "-c"][..],
            &["-9e", "-c"],
            &["--check=sha256", "-c"],
            &["--check=none", "-c"],
            &["--format=xz", "-0", "-c"],
        ] {
            cases.push(("xz", compress(&xz, args, &ko)));
        }
        // Two streams, as `cat a.xz b.xz` makes: xz -d reads both.
        let mut two = compress(&xz, &["-c"], &ko[..half]);
        two.extend(compress(&xz, &["-c"], &ko[half..]));
        cases.push(("xz two streams", two));
    }
    if let Some(zstd) = host_tool("zstd") {
        for args in [
            &["-q", "-c"][..],
            &["-q", "-19", "-c"],
            &["-q", "--ultra", "-22", "--long=27", "-c"],
            &["-q", "--no-check", "-c"],
        ] {
            cases.push(("zstd", compress(&zstd, args, &ko)));
        }
        let mut two = compress(&zstd, &["-q", "-c"], &ko[..half]);
        two.extend(compress(&zstd, &["-q", "-c"], &ko[half..]));
        cases.push(("zstd two frames", two));
        // A skippable frame between them (magic 0x184D2A50, 3 bytes).
        let mut skip = compress(&zstd, &["-q", "-c"], &ko[..half]);
        skip.extend([0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3]);
        skip.extend(compress(&zstd, &["-q", "-c"], &ko[half..]));
        cases.push(("zstd skippable frame", skip));
    }
    if let Some(gzip) = host_tool("gzip") {
        for args in [&["-c"][..], &["-9", "-c"], &["-1", "-n", "-c"]] {
            cases.push(("gzip", compress(&gzip, args, &ko)));
        }
        let mut two = compress(&gzip, &["-c"], &ko[..half]);
        two.extend(compress(&gzip, &["-c"], &ko[half..]));
        cases.push(("gzip two members", two));
    }
    for (what, bytes) in &cases {
        match decompress(bytes, MAX_DECOMPRESSED) {
            Ok(out) => assert!(out == ko, "{what}: other bytes"),
            Err(e) => panic!("{what}: {e}"),
        }
    }
}

#[test]
fn the_format_is_told_by_the_magic_not_the_name() {
    let s = Scratch::new("compressed-names");
    let c = committed();
    // zstd bytes named .xz, and a plain module named .gz: both read.
    s.file("zstd-named.ko.xz", &c[1].2);
    s.file("elf-named.ko.gz", &plain());
    // Bytes that are neither: each a skip with the name and the bytes.
    s.file("text.ko.xz", b"not a module at all");
    s.file("bzip2.ko.bz2", b"BZh91AY&SY");
    // A plain name: the ELF reader's own reason, as before.
    s.file("text.ko", b"not a module at all");
    // Not module names: never looked at.
    s.file("modules.alias", b"alias x y");
    s.file("x.kobj", b"junk");
    let r = read_modules(s.path()).unwrap();
    assert_eq!(r.scanned, 5, "{:?}", r.skipped);
    assert_eq!(r.decompressed, 1);
    assert_eq!(r.skipped.len(), 3, "{:?}", r.skipped);
    assert_eq!(
        skipped_reason(&r, "text.ko.xz"),
        "named .ko.xz but neither xz-compressed nor ELF (first bytes: 6e 6f 74 20 61 20)"
    );
    let bz = skipped_reason(&r, "bzip2.ko.bz2");
    assert!(bz.contains("named .ko.bz2, an unknown compression"), "{bz}");
    assert!(skipped_reason(&r, "text.ko").contains("not an ELF file"));
    // The two readable files hold one module (the fixture's name from
    // .modinfo): its two registrations, once.
    assert_eq!(r.notifiers.len(), 2);
    assert!(
        r.notifiers
            .iter()
            .all(|n| n.module.as_deref() == Some("fixture_mod"))
    );
}

/// Every truncation of every committed fixture fails to decompress (no
/// partial module reaches the ELF reader), and in a folder each is a skip
/// that says the data ended early.
#[test]
fn truncated_files_are_skipped_with_a_reason() {
    for (c, _, bytes) in committed() {
        for n in 0..bytes.len() {
            let cut = &bytes[..n];
            if let Ok(out) = decompress(cut, MAX_DECOMPRESSED) {
                panic!("{c} cut at {n} of {}: {} bytes out", bytes.len(), out.len());
            }
        }
    }
    let s = Scratch::new("compressed-truncated");
    for (_, ext, bytes) in committed() {
        s.file(&format!("half-{ext}.ko.{ext}"), &bytes[..bytes.len() / 2]);
        s.file(&format!("last-{ext}.ko.{ext}"), &bytes[..bytes.len() - 1]);
    }
    let r = read_modules(s.path()).unwrap();
    assert_eq!((r.scanned, r.decompressed, r.skipped.len()), (6, 0, 6));
    assert!(r.notifiers.is_empty());
    for (p, why) in &r.skipped {
        let ext = p.extension().unwrap().to_string_lossy();
        let format = Compression::from_suffix(&ext).unwrap();
        assert!(
            why.starts_with(&format!("cannot decompress {format} data:")),
            "{}: {why}",
            p.display()
        );
    }
    // The half-files end inside the compressed data: the reason says so.
    for ext in ["xz", "zst", "gz"] {
        let why = skipped_reason(&r, &format!("half-{ext}.ko.{ext}"));
        assert!(
            why.contains("truncated") || why.contains("end"),
            "{ext}: {why}"
        );
    }
}

/// One bit flipped at every byte of every committed fixture: the result is
/// an error or, where the flip hit a field no check covers (gzip's MTIME,
/// OS, FTEXT), exactly the original module, never a different one.
#[test]
fn bit_flips_never_pass_as_another_module() {
    let ko = plain();
    for (c, _, bytes) in committed() {
        let mut errors = 0;
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 1 << (i % 8);
            match decompress(&b, MAX_DECOMPRESSED) {
                Err(_) => errors += 1,
                Ok(out) => assert!(out == ko, "{c}: flip at {i} gave other bytes"),
            }
        }
        // Nearly every flip is caught (the check covers the payload).
        assert!(
            errors * 10 > bytes.len() * 9,
            "{c}: {errors} of {}",
            bytes.len()
        );
    }
    let s = Scratch::new("compressed-flipped");
    for (_, ext, mut bytes) in committed() {
        let mid = bytes.len() / 2;
        bytes[mid] ^= 0x10;
        s.file(&format!("flip-{ext}.ko.{ext}"), &bytes);
    }
    let r = read_modules(s.path()).unwrap();
    assert_eq!((r.scanned, r.skipped.len()), (3, 3), "{:?}", r.skipped);
    for (p, why) in &r.skipped {
        assert!(
            why.starts_with("cannot decompress "),
            "{}: {why}",
            p.display()
        );
    }
}

/// Random damage (several bytes overwritten, cut, or extended) on the
/// committed fixtures: a deterministic stand-in for the fuzz target, run by
/// every `cargo test`. Nothing may panic; whatever decompresses goes on to
/// the ELF reader, which must not panic either.
#[test]
fn random_damage_never_panics() {
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for (_, _, bytes) in committed() {
        for _ in 0..1500 {
            let mut b = bytes.clone();
            for _ in 0..1 + next() % 4 {
                let at = (next() as usize) % b.len();
                b[at] = next() as u8;
            }
            match next() % 4 {
                0 => b.truncate((next() as usize) % b.len()),
                1 => b.extend((0..next() % 64).map(|_| next() as u8)),
                _ => {}
            }
            if let Ok(out) = decompress(&b, 1 << 20) {
                let _ = read_module(&out, "fuzz.ko");
            }
        }
    }
}

/// Debian 6.12 installs its modules as `.ko.xz`; the `-dbg` package has
/// the same modules uncompressed, with debug info. Both give the same
/// panic notifiers: the six of reference/real-kernels.md.
#[test]
fn debian_6_12_installed_xz_modules_match_the_debug_modules() {
    let (Some(xz), Some(dbg)) = (
        real_modules("6.12", "unsigned"),
        real_modules("6.12", "dbg"),
    ) else {
        return;
    };
    let installed = read_modules(&xz).unwrap();
    let debug = read_modules(&dbg).unwrap();
    assert!(
        installed.skipped.is_empty(),
        "{:?}",
        installed.skipped.first()
    );
    assert!(debug.skipped.is_empty(), "{:?}", debug.skipped.first());
    assert_eq!((installed.scanned, installed.decompressed), (1138, 1138));
    assert_eq!((debug.scanned, debug.decompressed), (1138, 0));
    let got = rows(&installed.notifiers);
    assert_eq!(got, rows(&debug.notifiers));
    let s = |v: &str| Some(v.to_string());
    let want: Vec<Row> = vec![
        (
            "gsmi".into(),
            s("gsmi_panic_callback"),
            s("gsmi_panic_notifier"),
            Some(0),
            false,
        ),
        (
            "hv_vmbus".into(),
            s("hv_panic_vmbus_unload"),
            s("hyperv_panic_vmbus_unload_block"),
            Some(i32::MIN + 1),
            false,
        ),
        // A block inside a heap object; its priority stored before the call.
        (
            "hyperv_fb".into(),
            s("hvfb_on_panic"),
            None,
            Some(i32::MIN + 10),
            true,
        ),
        (
            "ledtrig_activity".into(),
            s("activity_panic_notifier"),
            s("activity_panic_nb"),
            Some(0),
            false,
        ),
        (
            "ledtrig_heartbeat".into(),
            s("heartbeat_panic_notifier"),
            s("heartbeat_panic_nb"),
            Some(0),
            false,
        ),
        (
            "pvpanic".into(),
            s("pvpanic_panic_notify"),
            s("pvpanic_panic_nb"),
            Some(i32::MAX),
            false,
        ),
    ];
    assert_eq!(got, want);
}

/// 1 GiB of zeros, streamed through each compressor into a temporary
/// folder (a few hundred KB to 1 MB on disk), read as modules in a child
/// process whose address space is limited to 1 GiB: each is refused at the
/// bound, with a reason, and the process never holds the whole output.
#[test]
fn a_decompression_bomb_stops_at_the_bound_in_bounded_memory() {
    if let Some(dir) = std::env::var_os("PANICPOL_BOMB_CHILD") {
        let r = read_modules(Path::new(&dir)).unwrap();
        for (p, why) in &r.skipped {
            println!(
                "CHILD-SKIP {} {why}",
                p.file_name().unwrap().to_string_lossy()
            );
        }
        println!("CHILD-DONE {} {}", r.scanned, r.notifiers.len());
        return;
    }
    let tools = [
        ("xz", &["-0", "-c"][..], "xz"),
        ("zstd", &["-q", "-1", "-c"], "zst"),
        ("gzip", &["-1", "-c"], "gz"),
    ];
    let s = Scratch::new("compressed-bomb");
    let mut made = Vec::new();
    for (tool, args, ext) in tools {
        let Some(t) = host_tool(tool) else { continue };
        let name = format!("bomb.ko.{ext}");
        let out = std::fs::File::create(s.path().join(&name)).unwrap();
        let mut child = Command::new(t)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(out)
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..1024 {
            stdin.write_all(&zeros).unwrap();
        }
        drop(stdin);
        assert!(child.wait().unwrap().success(), "{tool}");
        made.push(name);
    }
    if made.is_empty() {
        return;
    }
    let exe = std::env::current_exe().unwrap();
    // ulimit -v is in KiB: 1 GiB of address space, less than the bomb.
    let out = Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 1048576 && exec \"$0\" --exact a_decompression_bomb_stops_at_the_bound_in_bounded_memory --nocapture --test-threads=1")
        .arg(&exe)
        .env("PANICPOL_BOMB_CHILD", s.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains(&format!("CHILD-DONE {} 0", made.len())),
        "child: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for name in &made {
        // The harness prints "test … ... " before the child's first line.
        let tag = format!("CHILD-SKIP {name} ");
        let line = stdout
            .lines()
            .find_map(|l| l.split_once(&tag).map(|(_, why)| why))
            .unwrap_or_else(|| panic!("{name} not skipped: {stdout}"));
        assert!(
            line.ends_with("data decompresses to more than 256 MiB, the bound on a module's size"),
            "{name}: {line}"
        );
    }
}
