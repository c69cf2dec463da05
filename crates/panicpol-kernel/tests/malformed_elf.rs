//! The malformed-ELF corpus (issue 8) as ordinary tests: the small images in
//! `fixtures/elf/` and Debian's real 6.1 and 6.12 vmlinux (found through
//! panicpol-testkit, skipped when absent unless PANICPOL_REQUIRE_REAL=1),
//! truncated at the boundaries of every section and header, with bit flips in
//! the headers, the section table, the symbol table and the parameter tables,
//! with section offsets past the end and absurd counts.
//!
//! Every case is generated at test time from the pristine bytes (nothing
//! derived from a real kernel is committed) and must end in one of two ways:
//! an error whose message says what is wrong, or a report. A panic in any
//! case fails the test with the list of every case that panicked. Cases that
//! damage only what a read does not touch must give the pristine answer.

// Test code: a failed expectation is a failed test (the library lints of
// issue 8 deny these in library code only).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use goblin::elf::Elf;
use panicpol_kernel::elf::{Error, Options, Report, parse};

/// Section header and symbol sizes of ELF64.
const SHDR: usize = 64;
const SYM: usize = 24;

/// Where the pieces of a pristine image are, read once with goblin.
struct Layout {
    shoff: usize,
    sections: Vec<Sec>,
    /// (name, file offset of its symbol entry, st_value).
    symbols: Vec<(String, usize, u64)>,
}

#[derive(Clone)]
struct Sec {
    index: usize,
    name: String,
    offset: u64,
    size: u64,
    addr: u64,
    nobits: bool,
}

/// The symbols the reader looks up by name (elf/mod.rs `wanted_names`), the
/// ones whose corruption must never panic it.
const WANTED: &[&str] = &[
    "__start___param",
    "__stop___param",
    "__setup_start",
    "__setup_end",
    "linux_banner",
    "panic_notifier_list",
    "atomic_notifier_chain_register",
    "hung_task_panic",
];

/// Sections whose contents the reader reads.
const READ_SECTIONS: &[&str] = &[
    ".symtab",
    ".strtab",
    ".shstrtab",
    "__param",
    ".init.setup",
    ".rodata",
    ".text",
    ".data",
    ".init.text",
    ".debug_aranges",
    ".debug_line",
    ".debug_info",
    ".debug_abbrev",
    ".debug_str",
    ".debug_line_str",
    ".rela.dyn",
    ".relr.dyn",
];

fn layout(bytes: &[u8]) -> Layout {
    let elf = Elf::parse(bytes).expect("pristine image parses with goblin");
    let sections: Vec<Sec> = elf
        .section_headers
        .iter()
        .enumerate()
        .map(|(index, s)| Sec {
            index,
            name: elf.shdr_strtab.get_at(s.sh_name).unwrap_or("").to_string(),
            offset: s.sh_offset,
            size: s.sh_size,
            addr: s.sh_addr,
            nobits: s.sh_type == goblin::elf::section_header::SHT_NOBITS,
        })
        .collect();
    let symtab = sections
        .iter()
        .find(|s| s.name == ".symtab")
        .map(|s| s.offset as usize);
    let mut symbols = Vec::new();
    if let Some(base) = symtab {
        for (i, s) in elf.syms.iter().enumerate() {
            let name = elf.strtab.get_at(s.st_name).unwrap_or("");
            if WANTED.contains(&name) {
                symbols.push((name.to_string(), base + i * SYM, s.st_value));
            }
        }
    }
    Layout {
        shoff: elf.header.e_shoff as usize,
        sections,
        symbols,
    }
}

impl Layout {
    fn section(&self, name: &str) -> Option<&Sec> {
        self.sections.iter().find(|s| s.name == name)
    }
    fn shdr(&self, index: usize) -> usize {
        self.shoff + index * SHDR
    }
    /// The file offset of a link-time address.
    fn file_offset(&self, va: u64) -> Option<usize> {
        self.sections
            .iter()
            .find(|s| !s.nobits && s.addr != 0 && va >= s.addr && va < s.addr + s.size)
            .map(|s| (s.offset + (va - s.addr)) as usize)
    }
    fn symbol(&self, name: &str) -> Option<(usize, u64)> {
        self.symbols
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, off, v)| (*off, *v))
    }
}

/// How one case ended.
enum Outcome {
    Error(String),
    Report(Box<Report>),
    Panic(String),
}

fn run(bytes: &[u8], opts: Options) -> Outcome {
    match catch_unwind(AssertUnwindSafe(|| parse(bytes, opts))) {
        Ok(Ok(r)) => Outcome::Report(Box::new(r)),
        Ok(Err(e)) => Outcome::Error(e.to_string()),
        Err(p) => Outcome::Panic(
            p.downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default(),
        ),
    }
}

/// What a case expects.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Expect {
    /// An error (the damage is in something every read needs).
    Error,
    /// An error or a report, but no panic.
    Either,
    /// The pristine answer (the damage is in something this read skips).
    Same,
    /// The pristine answer but for the notifiers' file:line (damaged
    /// DWARF): a report, never an error, and every location lost is
    /// explained by a gap.
    LinesOnly,
}

/// Runs the cases of one image and collects every violation.
struct Corpus<'p> {
    image: String,
    pristine: &'p Report,
    opts: Options,
    /// Every variation (small fixtures), or a sample whose cases mostly fail
    /// fast (a real vmlinux, where each full read takes a while in a debug
    /// build).
    full: bool,
    cases: usize,
    errors: usize,
    /// Reports that said what they could not read (`Kernel::gaps`).
    gapped: usize,
    failures: Vec<String>,
}

impl Corpus<'_> {
    fn check(&mut self, case: &str, bytes: &[u8], expect: Expect) {
        self.cases += 1;
        let name = format!("{}: {case}", self.image);
        match (run(bytes, self.opts), expect) {
            (Outcome::Panic(m), _) => self.failures.push(format!("{name}: panicked: {m}")),
            (Outcome::Error(m), Expect::Error | Expect::Either) => {
                self.errors += 1;
                if m.trim().is_empty() {
                    self.failures.push(format!("{name}: empty error message"));
                }
            }
            (Outcome::Error(m), Expect::Same | Expect::LinesOnly) => {
                self.failures
                    .push(format!("{name}: error where the read should not care: {m}"));
            }
            (Outcome::Report(_), Expect::Error) => {
                self.failures.push(format!("{name}: read succeeded"));
            }
            (Outcome::Report(r), Expect::Same) => {
                if let Some(diff) = differs(self.pristine, &r) {
                    self.failures
                        .push(format!("{name}: answer changed: {diff}"));
                }
            }
            (Outcome::Report(r), Expect::LinesOnly) => {
                self.gapped += usize::from(!r.kernel.gaps.is_empty());
                if let Some(diff) = differs_but_lines(self.pristine, &r) {
                    self.failures
                        .push(format!("{name}: answer changed: {diff}"));
                }
            }
            (Outcome::Report(_), Expect::Either) => {}
        }
    }

    /// Asserts that no case failed; returns how many reports had gaps.
    fn finish(self) -> usize {
        assert!(self.cases > 0, "{}: no case ran", self.image);
        assert!(
            self.failures.is_empty(),
            "{} of {} cases failed:\n{}",
            self.failures.len(),
            self.cases,
            self.failures.join("\n")
        );
        eprintln!(
            "{}: {} malformed cases, {} clear errors, {} partial answers with gaps, no panic",
            self.image, self.cases, self.errors, self.gapped
        );
        self.gapped
    }
}

fn differs(a: &Report, b: &Report) -> Option<String> {
    if a.kernel.notifiers != b.kernel.notifiers {
        return Some("notifiers".into());
    }
    differs_but_notifiers(a, b)
}

fn differs_but_notifiers(a: &Report, b: &Report) -> Option<String> {
    let (x, y) = (&a.kernel, &b.kernel);
    if x.release != y.release || x.banner != y.banner {
        return Some("release".into());
    }
    if x.params != y.params || x.setups != y.setups || x.tables_complete != y.tables_complete {
        return Some("parameter tables".into());
    }
    if x.symbols.len() != y.symbols.len() {
        return Some(format!(
            "{} symbols, not {}",
            y.symbols.len(),
            x.symbols.len()
        ));
    }
    None
}

/// Like [`differs`], but a notifier may lose its location when the report
/// says why in `gaps`; a location may never change to another one.
fn differs_but_lines(a: &Report, b: &Report) -> Option<String> {
    let (x, y) = (&a.kernel, &b.kernel);
    if x.notifiers.len() != y.notifiers.len() {
        return Some("notifiers".into());
    }
    let mut lost = 0;
    for (n, m) in x.notifiers.iter().zip(&y.notifiers) {
        let mut m = m.clone();
        match (&n.location, &m.location) {
            (Some(_), None) => lost += 1,
            (p, q) if p != q => return Some(format!("location {p:?} became {q:?}")),
            _ => {}
        }
        m.location.clone_from(&n.location);
        if *n != m {
            return Some(format!("notifier {:?}", n.callback));
        }
    }
    if lost > 0 && y.gaps.is_empty() {
        return Some(format!("{lost} locations lost without a gap saying why"));
    }
    differs_but_notifiers(a, b)
}

fn put_u64(b: &mut [u8], at: usize, v: u64) {
    b[at..at + 8].copy_from_slice(&v.to_le_bytes());
}
fn put_u32(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
}
fn put_u16(b: &mut [u8], at: usize, v: u16) {
    b[at..at + 2].copy_from_slice(&v.to_le_bytes());
}

/// Applies `edit`, runs the case, and restores the bytes it touched, so that
/// one copy of a 600 MB image serves every case.
fn mutated(
    c: &mut Corpus<'_>,
    bytes: &mut [u8],
    case: &str,
    range: std::ops::Range<usize>,
    expect: Expect,
    edit: impl FnOnce(&mut [u8]),
) {
    if range.end > bytes.len() {
        return;
    }
    let saved = bytes[range.clone()].to_vec();
    edit(bytes);
    c.check(case, bytes, expect);
    bytes[range].copy_from_slice(&saved);
}

/// Every prefix that ends at a header or section boundary (and one byte
/// either side): the section table sits at the end of a vmlinux, so all of
/// these lose it or part of it and must be errors.
fn truncations(c: &mut Corpus<'_>, bytes: &[u8], l: &Layout) {
    let mut cuts: Vec<usize> = vec![0, 1, 4, 5, 6, 16, 63, 64, 65];
    for s in &l.sections {
        cuts.extend([s.offset as usize, (s.offset + s.size) as usize]);
        cuts.extend([l.shdr(s.index), l.shdr(s.index) + SHDR - 1]);
    }
    cuts.extend([l.shoff.saturating_sub(1), bytes.len() - 1]);
    cuts.sort_unstable();
    cuts.dedup();
    for cut in cuts.into_iter().filter(|&n| n < bytes.len()) {
        c.check(
            &format!("truncated to {cut:#x} bytes"),
            &bytes[..cut],
            Expect::Error,
        );
    }
}

/// Flips every bit of the ELF header fields the reader uses, and sets the
/// counts and offsets to absurd values.
fn header_damage(c: &mut Corpus<'_>, b: &mut [u8]) {
    // e_ident (magic, class, data), e_machine, e_shoff, e_shentsize,
    // e_shnum, e_shstrndx.
    let fields: &[(usize, usize)] = if c.full {
        &[(0, 6), (18, 2), (40, 8), (58, 2), (60, 2), (62, 2)]
    } else {
        &[(0, 6), (58, 2)]
    };
    for &(at, len) in fields {
        for byte in at..at + len {
            for bit in 0..8 {
                let case = format!("ELF header byte {byte} bit {bit} flipped");
                mutated(c, b, &case, byte..byte + 1, Expect::Either, |b| {
                    b[byte] ^= 1 << bit
                });
            }
        }
    }
    let len = b.len() as u64;
    for (case, at, v) in [
        ("e_shoff past the end", 40, len),
        ("e_shoff = u64::MAX", 40, u64::MAX),
        ("e_shoff = 0", 40, 0),
        ("e_shoff inside the header", 40, 8),
    ] {
        mutated(c, b, case, at..at + 8, Expect::Error, |b| put_u64(b, at, v));
    }
    for (case, v) in [("e_shnum = 0xffff", 0xffffu16), ("e_shnum = 0", 0)] {
        mutated(c, b, case, 60..62, Expect::Either, |b| put_u16(b, 60, v));
    }
    for (case, v) in [("e_shentsize = 0", 0u16), ("e_shentsize = 0xffff", 0xffff)] {
        mutated(c, b, case, 58..60, Expect::Error, |b| put_u16(b, 58, v));
    }
    for (case, v) in [
        ("e_shstrndx = 0xfffe", 0xfffeu16),
        ("e_shstrndx = 0xffff", 0xffff),
    ] {
        mutated(c, b, case, 62..64, Expect::Either, |b| put_u16(b, 62, v));
    }
}

/// Section headers: offsets and sizes past the end, overflowing, absurd
/// links and entry sizes, for every section the reader reads.
fn section_damage(c: &mut Corpus<'_>, b: &mut [u8], l: &Layout) {
    let len = b.len() as u64;
    for s in l
        .sections
        .iter()
        .filter(|s| READ_SECTIONS.contains(&s.name.as_str()))
    {
        let h = l.shdr(s.index);
        let name = &s.name;
        let whole = h..h + SHDR;
        if !s.nobits && s.size > 0 {
            for (what, at, v) in [
                ("sh_offset past the end", 24, len),
                ("sh_offset = u64::MAX", 24, u64::MAX),
                ("sh_size past the end", 32, len),
                ("sh_size = u64::MAX", 32, u64::MAX),
            ] {
                let case = format!("section {name}: {what}");
                mutated(c, b, &case, whole.clone(), Expect::Error, |b| {
                    put_u64(b, h + at, v)
                });
            }
        }
        let values = [
            ("sh_addr = u64::MAX", 16, u64::MAX),
            ("sh_size - 1", 32, s.size.wrapping_sub(1)),
            ("sh_addr = 0", 16, 0),
            ("sh_entsize = 0", 56, 0),
            ("sh_entsize = u64::MAX", 56, u64::MAX),
            ("sh_size = 0", 32, 0),
            ("sh_size / 2 + 1", 32, s.size / 2 + 1),
        ];
        for (what, at, v) in values.into_iter().take(if c.full { 7 } else { 2 }) {
            let case = format!("section {name}: {what}");
            mutated(c, b, &case, whole.clone(), Expect::Either, |b| {
                put_u64(b, h + at, v)
            });
        }
        let values = [
            ("sh_link = 0xffffffff", 40, u32::MAX),
            ("sh_type = SHT_NOBITS", 4, 8),
            ("sh_info = 0xffffffff", 44, u32::MAX),
            ("sh_name past the name table", 0, u32::MAX),
            ("sh_type = SHT_NULL", 4, 0),
        ];
        for (what, at, v) in values.into_iter().take(if c.full { 5 } else { 2 }) {
            let case = format!("section {name}: {what}");
            mutated(c, b, &case, whole.clone(), Expect::Either, |b| {
                put_u32(b, h + at, v)
            });
        }
        for bit in [0u32, 7, 31].into_iter().take(if c.full { 3 } else { 0 }) {
            let case = format!("section {name}: sh_type bit {bit} flipped");
            mutated(c, b, &case, whole.clone(), Expect::Either, |b| {
                let t = u32::from_le_bytes([b[h + 4], b[h + 5], b[h + 6], b[h + 7]]);
                put_u32(b, h + 4, t ^ (1 << bit))
            });
        }
    }
}

/// The symbols the reader looks up: names, values, sizes and section
/// indices set to nonsense; start and stop swapped.
fn symbol_damage(c: &mut Corpus<'_>, b: &mut [u8], l: &Layout) {
    for (name, off, value) in l.symbols.clone() {
        let e = off..off + SYM;
        let values = [
            ("st_value = u64::MAX", 8, u64::MAX),
            ("st_value + 1", 8, value.wrapping_add(1)),
            ("st_value = 0", 8, 0),
            ("st_value - 8", 8, value.wrapping_sub(8)),
            ("st_size = u64::MAX", 16, u64::MAX),
        ];
        for (what, at, v) in values.into_iter().take(if c.full { 5 } else { 2 }) {
            let case = format!("symbol {name}: {what}");
            mutated(c, b, &case, e.clone(), Expect::Either, |b| {
                put_u64(b, off + at, v)
            });
        }
        for (what, v) in [("st_name = 0xffffffff", u32::MAX), ("st_name = 0", 0)]
            .into_iter()
            .take(if c.full { 2 } else { 1 })
        {
            let case = format!("symbol {name}: {what}");
            mutated(c, b, &case, e.clone(), Expect::Either, |b| {
                put_u32(b, off, v)
            });
        }
        for (what, v) in [
            ("st_shndx = SHN_ABS", 0xfff1u16),
            ("st_shndx = 0xfeff", 0xfeff),
        ]
        .into_iter()
        .take(if c.full { 2 } else { 0 })
        {
            let case = format!("symbol {name}: {what}");
            mutated(c, b, &case, e.clone(), Expect::Either, |b| {
                put_u16(b, off + 6, v)
            });
        }
        for bit in (0..8).take(if c.full { 8 } else { 0 }) {
            let case = format!("symbol {name}: st_info bit {bit} flipped");
            mutated(c, b, &case, e.clone(), Expect::Either, |b| {
                b[off + 4] ^= 1 << bit
            });
        }
    }
    if let (Some((a, va)), Some((z, vz))) =
        (l.symbol("__start___param"), l.symbol("__stop___param"))
    {
        mutated(
            c,
            b,
            "__param bounds swapped",
            0..b.len(),
            Expect::Either,
            |b| {
                put_u64(b, a + 8, vz);
                put_u64(b, z + 8, va);
            },
        );
    }
    if let Some(s) = l.section(".symtab") {
        let h = l.shdr(s.index);
        let len = b.len() as u64;
        for (what, v) in [
            ("not a multiple of the entry size", s.size - 1),
            ("absurd count", u64::MAX / 2),
            ("the whole file", len),
        ] {
            let case = format!(".symtab size: {what}");
            let expect = if v > len {
                Expect::Error
            } else {
                Expect::Either
            };
            mutated(c, b, &case, h..h + SHDR, expect, |b| put_u64(b, h + 32, v));
        }
    }
}

/// Entries of `__param` and `.init.setup`: pointers to nowhere, into the
/// middle of other data, and strings without a NUL.
fn table_damage(c: &mut Corpus<'_>, b: &mut [u8], l: &Layout, pristine: &Report) {
    let tables = [
        (
            "__param",
            "__start___param",
            "__stop___param",
            40usize,
            &[0usize, 16, 32][..],
        ),
        (
            ".init.setup",
            "__setup_start",
            "__setup_end",
            24,
            &[0, 8][..],
        ),
    ];
    let any_addr = l.section(".text").map_or(0, |s| s.addr + 1);
    for (table, start, stop, size, ptrs) in tables {
        let (Some((_, lo)), Some((_, hi))) = (l.symbol(start), l.symbol(stop)) else {
            continue;
        };
        let n = ((hi - lo) / size as u64) as usize;
        let entries = if c.full {
            vec![0, n / 2, n.saturating_sub(1)]
        } else {
            vec![n / 2]
        };
        for i in entries {
            let Some(off) = l.file_offset(lo + (i * size) as u64) else {
                continue;
            };
            for &p in ptrs {
                for (what, v) in [
                    ("NULL", 0),
                    ("u64::MAX", u64::MAX),
                    ("into .text", any_addr),
                    ("past the image", 0xffff_ffff_ffff_0000),
                ] {
                    let case = format!("{table} entry {i} pointer +{p}: {what}");
                    let at = off + p;
                    mutated(c, b, &case, at..at + 8, Expect::Either, |b| {
                        put_u64(b, at, v)
                    });
                }
            }
            let case = format!("{table} entry {i}: every byte 0xff");
            mutated(c, b, &case, off..off + size, Expect::Either, |b| {
                b[off..off + size].fill(0xff)
            });
        }
    }
    // A parameter name without its NUL: the reader must stop at its bound.
    if let Some(first) = pristine.kernel.params.first() {
        let _ = first;
        if let (Some((_, lo)), Some(rodata)) = (l.symbol("__start___param"), l.section(".rodata")) {
            if let Some(off) = l.file_offset(lo) {
                let name_ptr = u64::from_le_bytes(b[off..off + 8].try_into().unwrap());
                if let Some(name_off) = l.file_offset(name_ptr) {
                    let end = (rodata.offset + rodata.size) as usize;
                    let span = name_off..(name_off + 8192).min(end);
                    mutated(
                        c,
                        b,
                        "__param entry 0: name without NUL",
                        span.clone(),
                        Expect::Either,
                        |b| b[span].fill(b'a'),
                    );
                }
            }
        }
    }
}

/// The notifier blocks found in the pristine image: callback and priority
/// overwritten.
fn notifier_damage(c: &mut Corpus<'_>, b: &mut [u8], l: &Layout, pristine: &Report) {
    for r in pristine.registrations.iter().filter(|r| r.panic).take(4) {
        let Some(off) = r.block_addr.and_then(|a| l.file_offset(a)) else {
            continue;
        };
        let name = r.block.clone().unwrap_or_default();
        for (what, at, v) in [
            ("callback NULL", 0, 0),
            ("callback u64::MAX", 0, u64::MAX),
            ("priority garbage", 16, u64::MAX),
        ] {
            let case = format!("notifier block {name}: {what}");
            mutated(c, b, &case, off..off + 24, Expect::Either, |b| {
                put_u64(b, off + at, v)
            });
        }
    }
    // Code: the first bytes of each function that registers a notifier.
    for r in pristine.registrations.iter().take(4) {
        let Some(off) = l.file_offset(r.site) else {
            continue;
        };
        let case = format!("call site in {}: bytes 0xff", r.function);
        mutated(c, b, &case, off..off + 5, Expect::Either, |b| {
            b[off..off + 5].fill(0xff)
        });
    }
}

/// DWARF sections with absurd unit lengths (only read with lines on; with
/// lines off, the answer must not change at all).
fn dwarf_damage(c: &mut Corpus<'_>, b: &mut [u8], l: &Layout) {
    let expect = if c.opts.lines {
        Expect::LinesOnly
    } else {
        Expect::Same
    };
    for name in [
        ".debug_aranges",
        ".debug_line",
        ".debug_info",
        ".debug_abbrev",
    ] {
        let Some(s) = l.section(name).filter(|s| !s.nobits && s.size >= 16) else {
            continue;
        };
        let off = s.offset as usize;
        for (what, bytes) in [
            (
                "unit length 0xffffffff (64-bit) then u64::MAX",
                [0xffu8; 12],
            ),
            ("zeroed header", [0u8; 12]),
        ] {
            let case = format!("{name}: {what}");
            mutated(c, b, &case, off..off + 12, expect, |b| {
                b[off..off + 12].copy_from_slice(&bytes)
            });
        }
        let mid = off + (s.size as usize) / 2;
        let case = format!("{name}: 4 KiB of 0xff in the middle");
        let end = (mid + 4096).min(off + s.size as usize);
        mutated(c, b, &case, mid..end, expect, |b| b[mid..end].fill(0xff));
    }
}

fn whole_corpus(image: &str, bytes: &mut [u8], opts: Options, full: bool) -> usize {
    corpus(image, bytes, opts, full, false)
}

fn corpus(image: &str, bytes: &mut [u8], opts: Options, full: bool, dwarf_only: bool) -> usize {
    let pristine = parse(bytes, opts).unwrap_or_else(|e| panic!("{image}: pristine: {e}"));
    let l = layout(bytes);
    let mut c = Corpus {
        image: image.to_string(),
        pristine: &pristine,
        opts,
        full,
        cases: 0,
        errors: 0,
        gapped: 0,
        failures: Vec::new(),
    };
    if !dwarf_only {
        truncations(&mut c, bytes, &l);
        header_damage(&mut c, bytes);
        section_damage(&mut c, bytes, &l);
        symbol_damage(&mut c, bytes, &l);
        table_damage(&mut c, bytes, &l, &pristine);
        notifier_damage(&mut c, bytes, &l, &pristine);
    }
    dwarf_damage(&mut c, bytes, &l);
    c.finish()
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/elf")
        .join(name)
}

#[test]
fn fixtures_x86_64() {
    for name in ["x86_64.elf", "x86_64-filter.elf"] {
        let mut b = std::fs::read(fixture(name)).unwrap();
        whole_corpus(name, &mut b, Options::all(), true);
    }
}

#[test]
fn fixtures_arm64() {
    for name in ["arm64-rela.elf", "arm64-relr.elf", "arm64-android-relr.elf"] {
        let mut b = std::fs::read(fixture(name)).unwrap();
        whole_corpus(name, &mut b, Options::all(), true);
    }
}

#[test]
fn fixture_stripped_is_a_clear_error() {
    let b = std::fs::read(fixture("x86_64-stripped.elf")).unwrap();
    let e = parse(&b, Options::default()).unwrap_err();
    assert!(matches!(e, Error::NoSymtab), "{e}");
    for cut in [0, 4, 63, 64, b.len() / 2, b.len() - 1] {
        assert!(
            parse(&b[..cut], Options::default()).is_err(),
            "cut at {cut}"
        );
    }
}

/// Every single-byte prefix of a small image: the exhaustive version of the
/// boundary truncations, affordable on a 30 KB fixture.
#[test]
fn fixture_every_prefix() {
    let b = std::fs::read(fixture("x86_64.elf")).unwrap();
    for cut in (0..b.len()).step_by(7) {
        let r = catch_unwind(|| parse(&b[..cut], Options::all()));
        assert!(r.is_ok(), "panicked on a {cut}-byte prefix");
        assert!(
            r.unwrap().is_err(),
            "a {cut}-byte prefix lost the section table but read"
        );
    }
}

/// A real vmlinux, read into memory once (the cases mutate and restore it).
fn real(version: &str, opts: Options, dwarf_only: bool) -> Option<usize> {
    let path = panicpol_testkit::real_kernel(version, "vmlinux")?;
    let mut b = std::fs::read(&path).unwrap();
    Some(corpus(
        &format!("{version} vmlinux"),
        &mut b,
        opts,
        false,
        dwarf_only,
    ))
}

/// Without the symbol index (independent of the rest, and half of each
/// read's time): the cases that change the answer are in the tables, the
/// notifiers and the headers.
const NO_INDEX: Options = Options {
    symbols: false,
    params: true,
    notifiers: true,
    lines: false,
};

#[test]
fn real_6_12() {
    real("6.12", NO_INDEX, false);
}

/// DWARF damage with lines on (the only read that touches `.debug_*`).
#[test]
fn real_6_12_dwarf() {
    // Damaged DWARF costs the notifiers their file:line, never the answer
    // (the check of each case); some cases must reach that path.
    if let Some(gapped) = real("6.12", Options::all(), true) {
        assert!(gapped > 0, "no DWARF case produced a partial answer");
    }
}

#[test]
fn real_6_1() {
    real("6.1", NO_INDEX, false);
}

/// The module reader (`.ko`, relocatable): every prefix, and every bit of
/// the ELF header and the section table flipped, end in an answer or an
/// error, never a panic.
#[test]
fn fixture_module_damage() {
    let mut b = std::fs::read(fixture("x86_64-module.ko")).unwrap();
    let pristine = panicpol_kernel::elf::read_module(&b, "m.ko").unwrap();
    assert!(
        !pristine.is_empty(),
        "the fixture registers a panic notifier"
    );
    let read = |b: &[u8]| catch_unwind(|| panicpol_kernel::elf::read_module(b, "m.ko").is_ok());
    for cut in 0..b.len() {
        assert!(read(&b[..cut]).is_ok(), "panicked on a {cut}-byte prefix");
    }
    let shoff = u64::from_le_bytes(b[40..48].try_into().unwrap()) as usize;
    let flips: Vec<usize> = (0..64).chain(shoff..b.len().min(shoff + 64 * 16)).collect();
    for at in flips {
        for bit in 0..8 {
            b[at] ^= 1 << bit;
            assert!(
                read(&b).is_ok(),
                "panicked with byte {at:#x} bit {bit} flipped"
            );
            b[at] ^= 1 << bit;
        }
    }
}
