//! The ELF image: header and section headers (parsed with goblin), section
//! bytes, and reads at link-time virtual addresses, with arm64's dynamic
//! relocations applied to pointer reads.
//!
//! Only what the reader needs is parsed: no program headers, no dynamic
//! section, no symbol table here (see `symtab`). Every read is bounds-checked
//! and every count is bounded by the file size, so a corrupt file gives an
//! [`Error`], never a panic or an allocation sized by an untrusted count.

use super::error::Error;
use crate::model::Arch;
use goblin::container::{Container, Ctx, Endian};
use goblin::elf::section_header::{SHF_ALLOC, SHF_EXECINSTR, SHT_NOBITS, SHT_RELA};
use goblin::elf::{Elf, SectionHeader};

/// `SHT_RELR` (not in every goblin version's constants), and the Android
/// type lld writes with `--use-android-relr-tags` (6.1's arm64 Makefile).
const SHT_RELR: u32 = 19;
const SHT_ANDROID_RELR: u32 = 0x6fff_ff00;
/// `R_AARCH64_RELATIVE`.
const R_AARCH64_RELATIVE: u32 = 1027;
/// `EM_X86_64`, `EM_AARCH64`.
const EM_X86_64: u16 = 62;
const EM_AARCH64: u16 = 183;
/// Longest string the reader follows a pointer to; kernel parameter names and
/// the banner are far shorter, and a missing NUL must not make us walk a
/// whole section.
pub(crate) const MAX_STR: usize = 4096;

/// One section header, with its name resolved.
#[derive(Debug, Clone)]
pub(crate) struct Section {
    pub(crate) name: String,
    pub(crate) kind: u32,
    pub(crate) flags: u64,
    pub(crate) addr: u64,
    pub(crate) offset: u64,
    pub(crate) size: u64,
    pub(crate) link: u32,
    pub(crate) info: u32,
    pub(crate) entsize: u64,
}

impl Section {
    pub(crate) fn is_alloc(&self) -> bool {
        self.flags & u64::from(SHF_ALLOC) != 0
    }
    pub(crate) fn is_exec(&self) -> bool {
        self.flags & u64::from(SHF_EXECINSTR) != 0
    }
    pub(crate) fn is_nobits(&self) -> bool {
        self.kind == SHT_NOBITS
    }
    fn contains_va(&self, va: u64, len: u64) -> bool {
        // Sections at address 0 are per-CPU templates or non-allocated data:
        // no pointer in a table refers to them, and a NULL must not map.
        self.is_alloc()
            && self.addr != 0
            && va >= self.addr
            && va
                .checked_add(len)
                .is_some_and(|end| end <= self.addr.saturating_add(self.size))
    }
}

/// How arm64 pointers are recovered: the vmlinux is linked `-shared
/// --no-apply-dynamic-relocs`, so RELA places hold 0 and the value is the
/// addend; RELR places hold the link-time value in place (the kernel adds
/// the KASLR offset at boot), so they need no change when read unrelocated.
#[derive(Debug, Default)]
struct Relocs {
    /// `R_AARCH64_RELATIVE` (place, addend), sorted by place.
    relative: Vec<(u64, u64)>,
}

/// A parsed ELF64 little-endian image over borrowed bytes.
#[derive(Debug)]
pub(crate) struct Image<'a> {
    pub(crate) data: &'a [u8],
    pub(crate) arch: Arch,
    pub(crate) sections: Vec<Section>,
    relocs: Relocs,
}

fn le_u16(b: &[u8], at: usize) -> Option<u16> {
    let s: [u8; 2] = b.get(at..at.checked_add(2)?)?.try_into().ok()?;
    Some(u16::from_le_bytes(s))
}
fn le_u32(b: &[u8], at: usize) -> Option<u32> {
    let s: [u8; 4] = b.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_le_bytes(s))
}
fn le_u64(b: &[u8], at: usize) -> Option<u64> {
    let s: [u8; 8] = b.get(at..at.checked_add(8)?)?.try_into().ok()?;
    Some(u64::from_le_bytes(s))
}

/// Bounds-checked little-endian field reads on a byte slice.
pub(crate) trait Le {
    fn u16_at(&self, at: usize) -> Option<u16>;
    fn u32_at(&self, at: usize) -> Option<u32>;
    fn u64_at(&self, at: usize) -> Option<u64>;
}
impl Le for [u8] {
    fn u16_at(&self, at: usize) -> Option<u16> {
        le_u16(self, at)
    }
    fn u32_at(&self, at: usize) -> Option<u32> {
        le_u32(self, at)
    }
    fn u64_at(&self, at: usize) -> Option<u64> {
        le_u64(self, at)
    }
}

/// Checks the identification bytes before goblin sees the header, so that
/// the common "wrong kind of file" cases get a precise error.
pub(crate) fn check_ident(data: &[u8]) -> Result<(), Error> {
    if data.get(..4) != Some(&b"\x7fELF"[..]) {
        return Err(Error::NotElf);
    }
    match data.get(4) {
        Some(2) => {}
        Some(1) => return Err(Error::Not64Bit),
        _ => return Err(Error::BadHeader("unknown ELF class".into())),
    }
    match data.get(5) {
        Some(1) => {}
        Some(2) => return Err(Error::BigEndian),
        _ => return Err(Error::BadHeader("unknown ELF data encoding".into())),
    }
    Ok(())
}

fn truncated(what: &str, offset: u64, size: u64, file_size: usize) -> Error {
    Error::Truncated {
        what: what.to_string(),
        offset,
        size,
        file_size: file_size as u64,
    }
}

impl<'a> Image<'a> {
    /// Parses the header and section headers and validates that every
    /// section with contents lies inside the file.
    pub(crate) fn parse(data: &'a [u8]) -> Result<Image<'a>, Error> {
        check_ident(data)?;
        if data.len() < 64 {
            return Err(truncated("ELF header", 0, 64, data.len()));
        }
        let header = Elf::parse_header(data).map_err(|e| Error::BadHeader(e.to_string()))?;
        let arch = match header.e_machine {
            EM_X86_64 => Arch::X86_64,
            EM_AARCH64 => Arch::Aarch64,
            _ => Arch::Other,
        };
        if header.e_shoff == 0 {
            return Err(Error::MissingSection("section header table".into()));
        }
        if header.e_shentsize != 64 {
            return Err(Error::Absurd {
                what: "section header size".into(),
                value: u64::from(header.e_shentsize),
            });
        }
        // Bound the count before goblin allocates: the table must fit in the
        // file (extended numbering stores the count in section 0's sh_size).
        let shoff = header.e_shoff;
        let room = (data.len() as u64).saturating_sub(shoff) / 64;
        if shoff >= data.len() as u64 {
            return Err(truncated("section header table", shoff, 64, data.len()));
        }
        let declared = if header.e_shnum == 0 {
            le_u64(data, shoff as usize + 32).unwrap_or(0)
        } else {
            u64::from(header.e_shnum)
        };
        if declared > room {
            return Err(truncated(
                "section header table",
                shoff,
                declared.saturating_mul(64),
                data.len(),
            ));
        }
        let ctx = Ctx::new(Container::Big, Endian::Little);
        let shdrs = SectionHeader::parse(data, shoff as usize, header.e_shnum as usize, ctx)
            .map_err(|e| Error::BadHeader(e.to_string()))?;
        let shstrndx = if header.e_shstrndx == 0xffff {
            shdrs.first().map_or(0, |s| s.sh_link as usize)
        } else {
            header.e_shstrndx as usize
        };
        let names = match shdrs.get(shstrndx) {
            Some(s) if s.sh_type != SHT_NOBITS => {
                let end = s.sh_offset.checked_add(s.sh_size);
                match end {
                    Some(end) if end <= data.len() as u64 => data
                        .get(s.sh_offset as usize..end as usize)
                        .unwrap_or_default(),
                    _ => {
                        return Err(truncated(
                            "section name table",
                            s.sh_offset,
                            s.sh_size,
                            data.len(),
                        ));
                    }
                }
            }
            _ => &[][..],
        };
        let mut sections = Vec::with_capacity(shdrs.len());
        for (i, s) in shdrs.iter().enumerate() {
            let name = names
                .get(s.sh_name..)
                .and_then(|n| n.split(|&b| b == 0).next())
                .map(|n| String::from_utf8_lossy(n).into_owned())
                .unwrap_or_default();
            if s.sh_type != SHT_NOBITS && s.sh_size != 0 {
                let end = s.sh_offset.checked_add(s.sh_size);
                if end.is_none_or(|e| e > data.len() as u64) {
                    let what = format!("section {i} `{name}`");
                    return Err(truncated(&what, s.sh_offset, s.sh_size, data.len()));
                }
            }
            sections.push(Section {
                name,
                kind: s.sh_type,
                flags: s.sh_flags,
                addr: s.sh_addr,
                offset: s.sh_offset,
                size: s.sh_size,
                link: s.sh_link,
                info: s.sh_info,
                entsize: s.sh_entsize,
            });
        }
        let mut img = Image {
            data,
            arch,
            sections,
            relocs: Relocs::default(),
        };
        if arch == Arch::Aarch64 {
            img.relocs = img.read_relative_relocs()?;
        }
        Ok(img)
    }

    /// The bytes of a section (empty for NOBITS). Sections were validated
    /// at parse time, so this cannot go out of bounds.
    pub(crate) fn bytes(&self, s: &Section) -> &'a [u8] {
        if s.is_nobits() {
            return &[];
        }
        let start = s.offset as usize;
        let end = start.saturating_add(s.size as usize);
        self.data.get(start..end).unwrap_or(&[])
    }

    /// The first section with this name.
    pub(crate) fn section(&self, name: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.name == name)
    }

    /// The allocated section holding `len` bytes at `va`.
    pub(crate) fn section_at(&self, va: u64, len: u64) -> Option<&Section> {
        self.sections.iter().find(|s| s.contains_va(va, len))
    }

    /// `len` bytes at a virtual address; `None` when outside every section.
    /// NOBITS sections (`.bss`) read as zeros, as at boot.
    pub(crate) fn read(&self, va: u64, len: usize) -> Option<Vec<u8>> {
        let s = self.section_at(va, len as u64)?;
        if s.is_nobits() {
            return Some(vec![0; len]);
        }
        let start = (va - s.addr) as usize;
        self.bytes(s)
            .get(start..start.checked_add(len)?)
            .map(<[u8]>::to_vec)
    }

    /// A slice at a virtual address inside a section with contents.
    pub(crate) fn slice(&self, va: u64, len: usize) -> Option<&'a [u8]> {
        let s = self.section_at(va, len as u64)?;
        let start = (va - s.addr) as usize;
        self.bytes(s).get(start..start.checked_add(len)?)
    }

    pub(crate) fn u8_at(&self, va: u64) -> Option<u8> {
        self.read(va, 1).and_then(|b| b.first().copied())
    }
    pub(crate) fn u16_at(&self, va: u64) -> Option<u16> {
        self.read(va, 2).and_then(|b| le_u16(&b, 0))
    }
    pub(crate) fn u32_at(&self, va: u64) -> Option<u32> {
        self.read(va, 4).and_then(|b| le_u32(&b, 0))
    }
    pub(crate) fn u64_at(&self, va: u64) -> Option<u64> {
        self.read(va, 8).and_then(|b| le_u64(&b, 0))
    }

    /// A pointer-sized value at `va`, with arm64 RELA addends applied.
    pub(crate) fn ptr_at(&self, va: u64) -> Option<u64> {
        let raw = self.u64_at(va)?;
        if let Ok(i) = self.relocs.relative.binary_search_by_key(&va, |r| r.0) {
            return self.relocs.relative.get(i).map(|r| r.1);
        }
        Some(raw)
    }

    /// Follows a pointer to a NUL-terminated string (at most [`MAX_STR`]
    /// bytes, and never past its section).
    pub(crate) fn cstr_at(&self, va: u64, what: &dyn Fn() -> String) -> Result<String, Error> {
        let s = self.section_at(va, 1).ok_or_else(|| Error::BadPointer {
            what: what(),
            addr: va,
        })?;
        let bad = || Error::BadString {
            what: what(),
            addr: va,
        };
        if s.is_nobits() {
            return Err(bad());
        }
        let start = (va - s.addr) as usize;
        let rest = self.bytes(s).get(start..).ok_or_else(bad)?;
        let rest = rest.get(..rest.len().min(MAX_STR)).unwrap_or(rest);
        let nul = rest.iter().position(|&b| b == 0).ok_or_else(bad)?;
        Ok(String::from_utf8_lossy(rest.get(..nul).unwrap_or(&[])).into_owned())
    }

    /// Executable sections with contents and a link address.
    pub(crate) fn exec_sections(&self) -> impl Iterator<Item = &Section> {
        self.sections
            .iter()
            .filter(|s| s.is_exec() && s.is_alloc() && !s.is_nobits() && s.addr != 0)
    }

    fn read_relative_relocs(&self) -> Result<Relocs, Error> {
        let mut relative = Vec::new();
        for s in &self.sections {
            if s.kind != SHT_RELA || !s.is_alloc() {
                continue;
            }
            let bytes = self.bytes(s);
            // Each entry is 24 bytes; the count is bounded by the section,
            // itself inside the file.
            for e in bytes.chunks_exact(24) {
                let (Some(place), Some(info), Some(addend)) =
                    (le_u64(e, 0), le_u64(e, 8), le_u64(e, 16))
                else {
                    continue;
                };
                if (info & 0xffff_ffff) as u32 == R_AARCH64_RELATIVE {
                    relative.push((place, addend));
                }
            }
        }
        // lld and GNU ld emit them sorted; sort anyway (cheap when sorted)
        // so lookups can binary-search.
        relative.sort_unstable_by_key(|r| r.0);
        Ok(Relocs { relative })
    }

    /// The places RELR (`SHT_RELR`, `.relr.dyn`) relocates, decoded. They
    /// already hold their link-time value in the file; this is used to
    /// check that a pointer we read is one the kernel relocates.
    pub(crate) fn relr_places(&self) -> Vec<u64> {
        let mut out = Vec::new();
        for s in self
            .sections
            .iter()
            .filter(|s| s.kind == SHT_RELR || s.kind == SHT_ANDROID_RELR)
        {
            let mut next: u64 = 0;
            for e in self.bytes(s).chunks_exact(8) {
                let Some(word) = le_u64(e, 0) else { continue };
                if word & 1 == 0 {
                    out.push(word);
                    next = word.wrapping_add(8);
                } else {
                    let mut bits = word >> 1;
                    let mut p = next;
                    while bits != 0 {
                        if bits & 1 == 1 {
                            out.push(p);
                        }
                        bits >>= 1;
                        p = p.wrapping_add(8);
                    }
                    next = next.wrapping_add(63 * 8);
                }
            }
        }
        out
    }

    /// Number of `R_AARCH64_RELATIVE` entries read.
    pub(crate) fn relative_count(&self) -> usize {
        self.relocs.relative.len()
    }
}
