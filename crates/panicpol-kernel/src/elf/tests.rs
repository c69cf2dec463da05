//! Tests on the small ELF fixtures built from panicpol's own C sources
//! (`fixtures/elf/`, see its README): the tables, the proven registrations,
//! DWARF lines, arm64 relocations, and malformed images.

use super::image::Image;
use super::symtab::Symtab;
use super::*;
use crate::model::{DefaultValue, KernelParam, NotifierGroup, ParamType, SetupParam};

const X86: &[u8] = include_bytes!("../../../../fixtures/elf/x86_64.elf");
const X86_FILTER: &[u8] = include_bytes!("../../../../fixtures/elf/x86_64-filter.elf");
const X86_STRIPPED: &[u8] = include_bytes!("../../../../fixtures/elf/x86_64-stripped.elf");
const ARM64_RELA: &[u8] = include_bytes!("../../../../fixtures/elf/arm64-rela.elf");
const ARM64_RELR: &[u8] = include_bytes!("../../../../fixtures/elf/arm64-relr.elf");
const ARM64_ANDROID_RELR: &[u8] = include_bytes!("../../../../fixtures/elf/arm64-android-relr.elf");
const MODULE: &[u8] = include_bytes!("../../../../fixtures/elf/x86_64-module.ko");
const SOURCE: &str = include_str!("../../../../fixtures/elf/src/kernel.c");

fn read(bytes: &[u8]) -> Report {
    match parse(bytes, Options::all()) {
        Ok(r) => r,
        Err(e) => panic!("fixture does not read: {e}"),
    }
}

fn param<'k>(params: &'k [KernelParam], name: &str) -> &'k KernelParam {
    match params.iter().find(|p| p.name == name) {
        Some(p) => p,
        None => panic!("no parameter {name}"),
    }
}

/// name, type, perm, level, flags, arg symbol, default — as written in
/// fixtures/elf/src/kernel.c.
type ParamRow = (
    &'static str,
    ParamType,
    u16,
    i8,
    u8,
    &'static str,
    Option<DefaultValue>,
);
/// callback, block, priority, registered in, dynamic.
type NotifierRow<'a> = (&'a str, Option<&'a str>, Option<i32>, &'a str, bool);

#[rustfmt::skip]
fn expected_params() -> Vec<ParamRow> {
    use DefaultValue::*;
    vec![
        ("crash_kexec_post_notifiers", ParamType::Bool, 0o644, -1, 0, "crash_kexec_post_notifiers", Some(Bool(false))),
        ("panic_print", ParamType::Ulong, 0o644, -1, 0, "panic_print", Some(Uint(0))),
        ("panic", ParamType::Int, 0o644, -1, 0, "panic_timeout", Some(Int(-5))),
        ("printk.time", ParamType::Bool, 0o644, -1, 0, "printk_time", Some(Bool(true))),
        ("fixture.invbool", ParamType::Invbool, 0o444, -1, 0, "fixture_invbool", Some(Bool(true))),
        ("fixture.enable_only", ParamType::BoolEnableOnly, 0o644, -1, 0, "fixture_enable_only", Some(Bool(false))),
        ("fixture.bint", ParamType::Bint, 0o644, -1, 0, "fixture_bint", Some(Bool(true))),
        ("fixture.byte", ParamType::Byte, 0o644, -1, 0, "fixture_byte", Some(Uint(200))),
        ("fixture.short", ParamType::Short, 0o644, -1, 0, "fixture_short", Some(Int(-3))),
        ("fixture.ushort", ParamType::Ushort, 0o644, -1, 0, "fixture_ushort", Some(Uint(65000))),
        ("fixture.uint", ParamType::Uint, 0o644, -1, 0, "fixture_uint", Some(Uint(4_000_000_000))),
        ("fixture.long", ParamType::Long, 0o644, -1, 0, "fixture_long", Some(Int(-9_000_000_000))),
        ("fixture.ullong", ParamType::Ullong, 0o644, -1, 0, "fixture_ullong", Some(Uint(0x8000_0000_0000_0001))),
        ("fixture.hex", ParamType::Hexint, 0o644, -1, 0, "fixture_hex", Some(Uint(0x1f))),
        ("fixture.name", ParamType::Charp, 0o444, -1, 0, "fixture_name", Some(Str("hello".into()))),
        ("fixture.nullstr", ParamType::Charp, 0o444, -1, 0, "fixture_nullstr", None),
        ("fixture.buf", ParamType::String, 0o644, -1, 0, "fixture_buf", Some(Str("buffer-default".into()))),
        ("fixture.custom", ParamType::Custom("fixture_custom_ops".into()), 0, 7, 1, "fixture_custom_value", None),
        ("fixture.array", ParamType::Array, 0o444, -1, 2, "fixture_array", None),
    ]
}

fn check_params(what: &str, params: &[KernelParam]) {
    let want = expected_params();
    assert_eq!(params.len(), want.len(), "{what}: parameter count");
    for (name, ty, perm, level, flags, arg, default) in want {
        let p = param(params, name);
        assert_eq!(p.ty, ty, "{what} {name}: type");
        assert_eq!(p.perm, perm, "{what} {name}: perm");
        assert_eq!(p.level, level, "{what} {name}: level");
        assert_eq!(p.flags, flags, "{what} {name}: flags");
        assert_eq!(p.arg_symbol.as_deref(), Some(arg), "{what} {name}: arg");
        assert_eq!(p.default, default, "{what} {name}: default");
        assert_eq!(p.known, Known::Table, "{what} {name}");
    }
}

fn setup(string: &str, early: bool, handler: Option<&str>) -> SetupParam {
    SetupParam {
        string: string.to_string(),
        early,
        handler: handler.map(str::to_string),
        known: Known::Table,
    }
}

/// Table order is link order, which the compiler may reverse.
fn sorted(s: &[SetupParam]) -> Vec<SetupParam> {
    let mut v = s.to_vec();
    v.sort_by(|a, b| a.string.cmp(&b.string));
    v
}

fn expected_setups() -> Vec<SetupParam> {
    vec![
        setup("crashkernel", true, Some("parse_crashkernel_dummy")),
        setup("oops", true, Some("oops_setup")),
        setup("reset_devices", false, Some("set_reset_devices")),
        setup("softlockup_panic=", false, Some("softlockup_panic_setup")),
        setup("obsolete_option=", false, None),
    ]
}

#[test]
fn x86_tables_banner_and_symbols() {
    let r = read(X86);
    let k = &r.kernel;
    assert_eq!(k.arch, Arch::X86_64);
    assert_eq!(k.source, KernelSource::Vmlinux);
    assert!(k.tables_complete);
    assert_eq!(k.release.as_deref(), Some("6.99.0-fixture"));
    assert_eq!(
        k.banner.as_deref(),
        Some("Linux version 6.99.0-fixture (panicpol@fixtures) (gcc) #1 SMP PREEMPT_DYNAMIC")
    );
    check_params("x86_64", &k.params);
    assert_eq!(sorted(&k.setups), sorted(&expected_setups()));
    // nm letters: global text, local text, global bss, global data, rodata.
    let kind = |name: &str| {
        k.symbols
            .symbols()
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.kind)
    };
    assert_eq!(kind("atomic_notifier_chain_register"), Some('T'));
    assert_eq!(kind("hung_task_init"), Some('t'));
    assert_eq!(kind("panic_notifier_list"), Some('B'));
    assert_eq!(kind("panic_timeout"), Some('D'));
    assert_eq!(kind("linux_banner"), Some('R'));
    assert_eq!(kind("fixture_byte"), Some('d'));
    // Address order, like System.map.
    let addrs: Vec<u64> = k.symbols.symbols().iter().map(|s| s.addr).collect();
    assert!(addrs.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn filter_kernel_has_the_early_panic_notifier_filter() {
    let base = read(X86).kernel;
    let filt = read(X86_FILTER).kernel;
    assert!(
        !base
            .setups
            .iter()
            .any(|s| s.string.starts_with("panic_notifier_filter"))
    );
    let f = filt
        .setups
        .iter()
        .find(|s| s.string == "panic_notifier_filter");
    assert_eq!(
        f,
        Some(&setup(
            "panic_notifier_filter",
            true,
            Some("panic_notifier_filter_setup")
        ))
    );
    assert_eq!(filt.setups.len(), base.setups.len() + 1);
}

/// The line of `static int NAME(` in the fixture source (1-based).
fn source_line(name: &str) -> usize {
    let pat = format!("static int {name}(");
    match SOURCE.lines().position(|l| l.starts_with(&pat)) {
        Some(i) => i + 1,
        None => panic!("{name} not in the fixture source"),
    }
}

#[test]
fn x86_registrations_are_proven_from_code() {
    let r = read(X86);
    // (callback, block, priority, registered in, dynamic)
    let want: [NotifierRow<'_>; 4] = [
        (
            "fixture_flush_cb",
            None,
            Some(-7),
            "fixture_alloc_buffer",
            true,
        ),
        (
            "hung_task_panic",
            Some("panic_block"),
            Some(0),
            "hung_task_init",
            false,
        ),
        (
            "fixture_panic_cb",
            Some("fixture_panic_nb"),
            Some(42),
            "fixture_panic_init",
            false,
        ),
        (
            "fixture_prio_cb",
            Some("fixture_prio_nb"),
            Some(i32::MIN),
            "fixture_prio_init",
            false,
        ),
    ];
    let got: Vec<_> = r
        .kernel
        .notifiers
        .iter()
        .map(|n| {
            assert_eq!(n.known, Known::Code);
            assert_eq!(n.module, None);
            (
                n.callback.as_deref().unwrap_or("?"),
                n.block.as_deref(),
                n.priority,
                n.registered_in.as_deref().unwrap_or("?"),
                n.dynamic,
            )
        })
        .collect();
    assert_eq!(got, want);
    for n in &r.kernel.notifiers {
        let cb = n.callback.as_deref().unwrap_or("?");
        let want = format!("src/kernel.c:{}", source_line(cb));
        assert_eq!(n.location.as_deref(), Some(want.as_str()), "{cb}");
    }
    // The byte scan found 8 branches to the routines: 6 real ones in sized
    // functions (one a rel8 jmp), the movabs decoy the decoder rejects,
    // and one call outside any sized function.
    assert_eq!(
        r.scan,
        ScanSummary {
            candidates: 8,
            confirmed: 6,
            outside_functions: 1
        }
    );
    let other = r
        .registrations
        .iter()
        .find(|g| g.function == "fixture_other_init");
    let other = match other {
        Some(o) => o,
        None => panic!("registration on the other chain not decoded"),
    };
    assert!(!other.panic);
    assert_eq!(other.chain.as_deref(), Some("fixture_other_chain"));
    assert_eq!(other.callback.as_deref(), Some("fixture_other_cb"));
    let any = r
        .registrations
        .iter()
        .find(|g| g.function == "fixture_register_any");
    assert!(any.is_some_and(|a| a.chain.is_none() && a.tail && !a.panic));
    let dynamic = r.registrations.iter().find(|g| g.block_expr.is_some());
    assert_eq!(
        dynamic.and_then(|d| d.block_expr.as_deref()),
        Some("rax+0xd0")
    );
    let prio = r
        .registrations
        .iter()
        .find(|g| g.function == "fixture_prio_init");
    assert_eq!(
        prio.map(|p| p.routine.as_str()),
        Some("atomic_notifier_chain_register_unique_prio")
    );
}

#[test]
fn lines_without_debug_aranges_come_from_the_unit_ranges() {
    // Rename .debug_aranges (as if built by clang without -gdwarf-aranges).
    let names = section_header(X86, ".shstrtab");
    let off = u64::from_le_bytes(X86[names + 24..names + 32].try_into().unwrap_or([0; 8]));
    let size = u64::from_le_bytes(X86[names + 32..names + 40].try_into().unwrap_or([0; 8]));
    let table = &X86[off as usize..(off + size) as usize];
    let at = table.windows(14).position(|w| w == b".debug_aranges");
    let at = match at {
        Some(a) => off as usize + a,
        None => panic!("no .debug_aranges name"),
    };
    let bytes = patch(X86, at + 1, b"X");
    let with = read(X86).kernel.notifiers;
    let without = read(&bytes).kernel.notifiers;
    assert!(with.iter().all(|n| n.location.is_some()));
    assert_eq!(with, without);
}

#[test]
fn lines_are_only_read_on_request() {
    let r = match parse(X86, Options::default()) {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(r.kernel.notifiers.len(), 4);
    assert!(r.kernel.notifiers.iter().all(|n| n.location.is_none()));
    let info = match parse(X86, Options::info()) {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    assert!(info.kernel.params.is_empty() && info.kernel.notifiers.is_empty());
    assert!(!info.kernel.tables_complete);
    assert_eq!(info.kernel.release.as_deref(), Some("6.99.0-fixture"));
}

#[test]
fn arm64_pointers_come_from_rela_and_relr() {
    let x86 = read(X86).kernel;
    for (what, bytes) in [
        ("rela", ARM64_RELA),
        ("relr", ARM64_RELR),
        ("android-relr", ARM64_ANDROID_RELR),
    ] {
        let r = read(bytes);
        let k = &r.kernel;
        assert_eq!(k.arch, Arch::Aarch64, "{what}");
        assert_eq!(k.release, x86.release, "{what}");
        check_params(what, &k.params);
        assert_eq!(sorted(&k.setups), sorted(&expected_setups()), "{what}");
        if what == "rela" {
            assert!(r.relative_relocs > 0 && r.relr_places == 0, "{what}");
        } else {
            assert!(r.relr_places > 0 && r.relative_relocs == 0, "{what}");
        }
        // No decoder for arm64: the catalogue names the callback it finds,
        // and the block found in the image gives the priority.
        assert_eq!(k.notifiers.len(), 1, "{what}");
        let n = &k.notifiers[0];
        assert_eq!(n.known, Known::Catalogue);
        assert_eq!(n.callback.as_deref(), Some("hung_task_panic"));
        assert_eq!(n.block.as_deref(), Some("panic_block"));
        assert_eq!(n.priority, Some(0));
        assert!(n.registered_in.is_none());
    }
}

fn param_start(img: &Image<'_>) -> u64 {
    let syms = match Symtab::read(img, &["__start___param"], false) {
        Ok((s, _)) => s,
        Err(e) => panic!("{e}"),
    };
    match syms.addr("__start___param") {
        Some(s) => s,
        None => panic!("no __start___param"),
    }
}

#[test]
fn arm64_rela_places_hold_zero_in_the_file() {
    // The point of applying addends: the raw pointer is 0 in the file.
    let img = match Image::parse(ARM64_RELA) {
        Ok(i) => i,
        Err(e) => panic!("{e}"),
    };
    let start = param_start(&img);
    assert_eq!(img.u64_at(start), Some(0));
    assert!(img.ptr_at(start).is_some_and(|p| p != 0));
    // RELR places hold the value in place, and the decoded places cover
    // every pointer of the __param table (name, ops, arg of each entry).
    for bytes in [ARM64_RELR, ARM64_ANDROID_RELR] {
        let img = match Image::parse(bytes) {
            Ok(i) => i,
            Err(e) => panic!("{e}"),
        };
        let start = param_start(&img);
        let places = img.relr_places();
        for i in 0..expected_params().len() as u64 {
            for field in [0, 16, 32] {
                let at = start + i * 40 + field;
                assert!(places.contains(&at), "entry {i} field {field}");
                assert!(img.u64_at(at).is_some_and(|p| p != 0));
            }
        }
    }
}

#[test]
fn catalogue_matches_fixture_groups() {
    let e = catalogue_lookup(Arch::Aarch64, "hung_task_panic");
    assert_eq!(e.map(|e| e.group), Some(NotifierGroup::Watchdog));
}

#[test]
fn module_registrations_through_relocations() {
    let got = match read_module(MODULE, "x86_64-module.ko") {
        Ok(n) => n,
        Err(e) => panic!("{e}"),
    };
    let rows: Vec<_> = got
        .iter()
        .map(|n| {
            assert_eq!(n.module.as_deref(), Some("fixture_mod"), "from .modinfo");
            assert_eq!(n.known, Known::Code);
            (
                n.callback.as_deref().unwrap_or("?"),
                n.block.as_deref(),
                n.priority,
                n.registered_in.as_deref().unwrap_or("?"),
                n.dynamic,
            )
        })
        .collect();
    let want: [NotifierRow<'_>; 2] = [
        (
            "fixture_mod_obj_panic",
            None,
            Some(i32::MIN + 10),
            "fixture_mod_probe",
            true,
        ),
        (
            "fixture_mod_panic",
            Some("fixture_mod_nb"),
            Some(i32::MAX),
            "fixture_mod_init",
            false,
        ),
    ];
    let mut rows = rows;
    rows.sort_by_key(|r| r.0);
    assert_eq!(rows, want);
    // A module without a reference to panic_notifier_list has none; a
    // vmlinux-style image read as a module neither.
    assert!(read_module(X86, "x86_64.elf").is_ok_and(|n| n.is_empty()));
    for cut in (0..MODULE.len()).step_by(37) {
        let _ = read_module(&MODULE[..cut], "cut.ko");
    }
}

// ---- malformed images ----

fn patch(bytes: &[u8], at: usize, new: &[u8]) -> Vec<u8> {
    let mut v = bytes.to_vec();
    if let Some(dst) = v.get_mut(at..at + new.len()) {
        dst.copy_from_slice(new);
    }
    v
}

/// File offset of a field of the `.symtab` entry for `name`.
fn symtab_entry(bytes: &[u8], name: &str) -> usize {
    let img = match Image::parse(bytes) {
        Ok(i) => i,
        Err(e) => panic!("{e}"),
    };
    let st = img.sections.iter().find(|s| s.name == ".symtab");
    let st = match st {
        Some(s) => s.clone(),
        None => panic!("no .symtab"),
    };
    let strtab = img.sections.get(st.link as usize).cloned();
    let strtab = match strtab {
        Some(s) => s,
        None => panic!("no .strtab"),
    };
    for i in 1..(st.size / 24) as usize {
        let off = st.offset as usize + i * 24;
        let n = u32::from_le_bytes([bytes[off], bytes[off + 1], bytes[off + 2], bytes[off + 3]]);
        let s = strtab.offset as usize + n as usize;
        let end = s + bytes[s..].iter().position(|&b| b == 0).unwrap_or(0);
        if &bytes[s..end] == name.as_bytes() {
            return off;
        }
    }
    panic!("{name} not in .symtab");
}

fn section_header(bytes: &[u8], name: &str) -> usize {
    let img = match Image::parse(bytes) {
        Ok(i) => i,
        Err(e) => panic!("{e}"),
    };
    let shoff = u64::from_le_bytes(bytes[0x28..0x30].try_into().unwrap_or([0; 8])) as usize;
    match img.sections.iter().position(|s| s.name == name) {
        Some(i) => shoff + i * 64,
        None => panic!("no section {name}"),
    }
}

#[test]
fn malformed_images_give_clear_errors() {
    let len = X86.len();
    let stop = symtab_entry(X86, "__stop___param");
    let start_value = {
        let s = symtab_entry(X86, "__start___param");
        u64::from_le_bytes(X86[s + 8..s + 16].try_into().unwrap_or([0; 8]))
    };
    let param_sh = section_header(X86, "__param");
    let symtab_sh = section_header(X86, ".symtab");
    let param_off = {
        let o = u64::from_le_bytes(
            X86[param_sh + 24..param_sh + 32]
                .try_into()
                .unwrap_or([0; 8]),
        );
        o as usize
    };
    type Check = fn(&Error) -> bool;
    let cases: Vec<(&str, Vec<u8>, Check)> = vec![
        ("empty", Vec::new(), |e| matches!(e, Error::NotElf)),
        ("text", b"not an ELF file at all".to_vec(), |e| {
            matches!(e, Error::NotElf)
        }),
        ("32-bit", patch(X86, 4, &[1]), |e| {
            matches!(e, Error::Not64Bit)
        }),
        ("big-endian", patch(X86, 5, &[2]), |e| {
            matches!(e, Error::BigEndian)
        }),
        ("bad class", patch(X86, 4, &[9]), |e| {
            matches!(e, Error::BadHeader(_))
        }),
        ("header only", X86[..40].to_vec(), |e| {
            matches!(e, Error::Truncated { .. })
        }),
        ("truncated in sections", X86[..len / 2].to_vec(), |e| {
            matches!(e, Error::Truncated { .. })
        }),
        (
            "section table past the end",
            patch(X86, 0x28, &(len as u64 + 64).to_le_bytes()),
            |e| matches!(e, Error::Truncated { .. }),
        ),
        (
            "absurd section count",
            patch(X86, 0x3c, &0xfff0u16.to_le_bytes()),
            |e| matches!(e, Error::Truncated { .. }),
        ),
        (
            "odd section header size",
            patch(X86, 0x3a, &32u16.to_le_bytes()),
            |e| matches!(e, Error::Absurd { .. }),
        ),
        (
            "no section table",
            patch(X86, 0x28, &0u64.to_le_bytes()),
            |e| matches!(e, Error::MissingSection(_)),
        ),
        ("stripped", X86_STRIPPED.to_vec(), |e| {
            matches!(e, Error::NoSymtab)
        }),
        (
            "symtab offset past the end",
            patch(X86, symtab_sh + 24, &(len as u64).to_le_bytes()),
            |e| matches!(e, Error::Truncated { .. }),
        ),
        (
            "param table not a multiple of 40",
            patch(X86, stop + 8, &(start_value + 41).to_le_bytes()),
            |e| matches!(e, Error::Absurd { .. }),
        ),
        (
            "param table outside any section",
            patch(X86, stop + 8, &(start_value + 40 * 10_000).to_le_bytes()),
            |e| matches!(e, Error::BadPointer { .. }),
        ),
        (
            "param name pointer outside the image",
            patch(X86, param_off, &0x1234u64.to_le_bytes()),
            |e| matches!(e, Error::BadPointer { .. }),
        ),
    ];
    for (what, bytes, check) in cases {
        match parse(&bytes, Options::all()) {
            Ok(_) => panic!("{what}: read without error"),
            Err(e) => {
                assert!(check(&e), "{what}: unexpected error {e:?}");
                assert!(!e.to_string().is_empty());
            }
        }
    }
}

#[test]
fn no_truncation_or_corruption_panics() {
    // Every truncation point (in steps) and deterministic byte corruption
    // of every fixture: a result either way, never a panic.
    for bytes in [X86, ARM64_RELA, ARM64_RELR] {
        for cut in (0..bytes.len()).step_by(61) {
            let _ = parse(&bytes[..cut], Options::all());
        }
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..300 {
            let mut v = bytes.to_vec();
            for _ in 0..8 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let at = (seed % v.len() as u64) as usize;
                if let Some(b) = v.get_mut(at) {
                    *b = (seed >> 32) as u8;
                }
            }
            let _ = parse(&v, Options::all());
        }
    }
}
