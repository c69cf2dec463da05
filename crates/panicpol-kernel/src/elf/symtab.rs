//! The ELF `.symtab`, read directly from the mapped bytes (24-byte entries,
//! names borrowed from `.strtab`): the nm-style symbol list for
//! [`crate::symbols::SymbolTable`], plus the two lookups the reader needs —
//! by name, and by address (exact or containing).

use super::error::Error;
use super::image::{Image, Le, Section};
use crate::model::Symbol;
use std::borrow::Cow;

const SHT_SYMTAB: u32 = 2;
const STT_OBJECT: u8 = 1;
const STT_FUNC: u8 = 2;
const STT_SECTION: u8 = 3;
const STT_FILE: u8 = 4;
const STT_GNU_IFUNC: u8 = 10;
const STB_LOCAL: u8 = 0;
const STB_GLOBAL: u8 = 1;
const STB_WEAK: u8 = 2;
const STB_GNU_UNIQUE: u8 = 10;
const SHN_UNDEF: u16 = 0;
const SHN_ABS: u16 = 0xfff1;
const SHN_COMMON: u16 = 0xfff2;

/// One symbol as the reader uses it; the name borrows the file's bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ElfSym<'a> {
    pub(crate) raw_name: &'a [u8],
    pub(crate) value: u64,
    pub(crate) size: u64,
    pub(crate) typ: u8,
    pub(crate) bind: u8,
    pub(crate) shndx: u16,
    /// The nm type letter.
    pub(crate) letter: u8,
}

impl<'a> ElfSym<'a> {
    pub(crate) fn name(&self) -> Cow<'a, str> {
        String::from_utf8_lossy(self.raw_name)
    }
    pub(crate) fn is_func(&self) -> bool {
        self.typ == STT_FUNC
    }
    pub(crate) fn is_defined(&self) -> bool {
        self.shndx != SHN_UNDEF
    }
    /// Defined at a real address (not undefined, not absolute): the symbols
    /// address lookups consider.
    fn is_located(&self) -> bool {
        self.shndx != SHN_UNDEF && self.shndx != SHN_ABS
    }
    /// How good a name this symbol is for its address (higher is better):
    /// typed over untyped, global over weak over local, and never the
    /// compiler's `__pfx_`/`__cfi_` padding labels.
    fn rank(&self) -> u8 {
        if self.raw_name.starts_with(b"__pfx_") || self.raw_name.starts_with(b"__cfi_") {
            return 0;
        }
        let typed = if matches!(self.typ, STT_FUNC | STT_OBJECT) {
            4
        } else {
            1
        };
        let bind = match self.bind {
            STB_GLOBAL => 2,
            STB_WEAK => 1,
            _ => 0,
        };
        typed * 3 + bind
    }
}

/// The symbols of one image.
#[derive(Debug)]
pub(crate) struct Symtab<'a> {
    /// Sorted by address (ties in `.symtab` order), without the null
    /// entry, FILE and SECTION symbols (the set `nm` prints).
    pub(crate) syms: Vec<ElfSym<'a>>,
    /// The names asked for at read time (a few dozen), found in one pass:
    /// indexing all ~190k names would cost more than the whole read.
    wanted: Vec<(&'static str, u32)>,
}

/// The lower-case nm letter of a symbol defined in this section (binutils'
/// `bfd_decode_symclass` rules for ELF).
fn section_letter(s: &Section) -> u8 {
    if s.is_exec() {
        b't'
    } else if s.is_alloc() && s.is_nobits() {
        b'b'
    } else if s.is_alloc() && s.flags & 1 == 0 {
        b'r'
    } else if s.is_alloc() {
        b'd'
    } else if s.name.starts_with(".debug") {
        b'N'
    } else {
        b'n'
    }
}

/// The nm letter of a symbol.
fn nm_letter(typ: u8, bind: u8, shndx: u16, sec_letter: &[u8]) -> u8 {
    if shndx == SHN_COMMON {
        return b'C';
    }
    if bind == STB_GNU_UNIQUE {
        return b'u';
    }
    if shndx == SHN_UNDEF {
        return match (bind, typ) {
            (STB_WEAK, STT_OBJECT) => b'v',
            (STB_WEAK, _) => b'w',
            _ => b'U',
        };
    }
    if typ == STT_GNU_IFUNC {
        return b'i';
    }
    if bind == STB_WEAK {
        return if typ == STT_OBJECT { b'V' } else { b'W' };
    }
    let c = if shndx == SHN_ABS {
        b'a'
    } else {
        sec_letter.get(usize::from(shndx)).copied().unwrap_or(b'?')
    };
    if bind == STB_LOCAL {
        c
    } else {
        c.to_ascii_uppercase()
    }
}

impl<'a> Symtab<'a> {
    /// Reads `.symtab` and its string table, noting the symbols named in
    /// `wanted` on the way; with `symbols`, also makes the nm-style list for
    /// [`crate::symbols::SymbolTable`] (address order, like System.map,
    /// which also lets the table skip its own sort).
    pub(crate) fn read(
        img: &Image<'a>,
        wanted: &[&'static str],
        symbols: bool,
    ) -> Result<(Symtab<'a>, Vec<Symbol>), Error> {
        let st = img
            .sections
            .iter()
            .find(|s| s.kind == SHT_SYMTAB)
            .ok_or(Error::NoSymtab)?;
        if st.entsize != 0 && st.entsize != 24 {
            return Err(Error::Absurd {
                what: ".symtab entry size".into(),
                value: st.entsize,
            });
        }
        let strtab = img
            .sections
            .get(st.link as usize)
            .ok_or_else(|| Error::MissingSection(".strtab (the .symtab's sh_link)".into()))?;
        let strs: &'a [u8] = img.bytes(strtab);
        let table: &'a [u8] = img.bytes(st);
        // A .symtab inside the file can still claim far more symbols than
        // any kernel has (one over a whole 340 MB image: 14 million, 2.3 GB
        // to index); the bound the text readers use applies here too.
        let count = table.len() / 24;
        if count > crate::kallsyms::MAX_SYMBOLS {
            return Err(Error::Absurd {
                what: ".symtab symbol count".into(),
                value: count as u64,
            });
        }
        // nm letters depend only on the section and binding: compute the
        // section part once per section, not per symbol.
        let sec_letter: Vec<u8> = img.sections.iter().map(section_letter).collect();

        // Pass 1: the sort keys only (address, entry index). Bounded by the
        // section size, itself inside the file.
        let mut keyed: Vec<(u64, u32)> = Vec::with_capacity(table.len() / 24);
        for (i, e) in table.chunks_exact(24).enumerate().skip(1) {
            let typ = e.get(4).copied().unwrap_or(0) & 0xf;
            if typ == STT_FILE || typ == STT_SECTION {
                continue;
            }
            if let Some(value) = e.u64_at(8) {
                keyed.push((value, i as u32));
            }
        }
        // Address order serves every lookup below and is the order
        // SymbolTable (and System.map) want.
        keyed.sort_unstable();

        // Pass 2: decode the entries in address order (and make the
        // symbol list), in two halves on two threads for a kernel-sized
        // table: it is random access into .symtab/.strtab and one string
        // allocation per symbol.
        let decode = |part: &[(u64, u32)], cap: usize| {
            let mut syms = Vec::with_capacity(cap);
            let mut list = Vec::with_capacity(if symbols { cap } else { 0 });
            for &(_, i) in part {
                let Some(e) = table.get(i as usize * 24..i as usize * 24 + 24) else {
                    continue;
                };
                let Some(sym) = decode_entry(e, strs, &sec_letter) else {
                    continue;
                };
                if symbols {
                    list.push(Symbol {
                        name: match std::str::from_utf8(sym.raw_name) {
                            Ok(n) => n.to_owned(),
                            Err(_) => String::from_utf8_lossy(sym.raw_name).into_owned(),
                        },
                        addr: sym.value,
                        kind: char::from(sym.letter),
                        module: None,
                    });
                }
                syms.push(sym);
            }
            (syms, list)
        };
        let (syms, list) = if keyed.len() < PARALLEL_MIN {
            decode(&keyed, keyed.len())
        } else {
            let (lo, hi) = keyed.split_at(keyed.len() / 2);
            let ((mut syms, mut list), (s2, l2)) = std::thread::scope(|s| {
                let second = s.spawn(|| decode(hi, hi.len()));
                let first = decode(lo, keyed.len());
                (first, super::join(second))
            });
            syms.extend(s2);
            list.extend(l2);
            (syms, list)
        };

        // The wanted names, bucketed by length so most symbols cost one
        // length check.
        let longest = wanted.iter().map(|w| w.len()).max().unwrap_or(0);
        let mut by_len: Vec<Vec<&'static str>> = vec![Vec::new(); longest + 1];
        for &w in wanted {
            if let Some(b) = by_len.get_mut(w.len()) {
                b.push(w);
            }
        }
        let mut found: Vec<(&'static str, u32)> = Vec::new();
        for (idx, sym) in syms.iter().enumerate() {
            let Some(cands) = by_len.get(sym.raw_name.len()) else {
                continue;
            };
            for &w in cands {
                if w.as_bytes() != sym.raw_name {
                    continue;
                }
                match found.iter_mut().find(|f| f.0 == w) {
                    Some(f) => {
                        if syms.get(f.1 as usize).is_some_and(|o| prefer(sym, o)) {
                            f.1 = idx as u32;
                        }
                    }
                    None => found.push((w, idx as u32)),
                }
            }
        }
        Ok((
            Symtab {
                syms,
                wanted: found,
            },
            list,
        ))
    }

    /// A symbol named at read time (a global one when locals share it).
    pub(crate) fn get(&self, name: &str) -> Option<&ElfSym<'a>> {
        self.wanted
            .iter()
            .find(|w| w.0 == name)
            .and_then(|w| self.syms.get(w.1 as usize))
    }

    /// The address of a defined symbol named at read time.
    pub(crate) fn addr(&self, name: &str) -> Option<u64> {
        self.get(name).filter(|s| s.is_defined()).map(|s| s.value)
    }

    fn first_at_or_after(&self, addr: u64) -> usize {
        self.syms.partition_point(|s| s.value < addr)
    }

    fn best_at(&self, addr: u64, want_func: bool) -> Option<&ElfSym<'a>> {
        let mut best: Option<&ElfSym<'a>> = None;
        for s in self.syms.get(self.first_at_or_after(addr)..)? {
            if s.value != addr {
                break;
            }
            if !s.is_located() || (want_func && !s.is_func()) {
                continue;
            }
            if best.is_none_or(|b| s.rank() > b.rank()) {
                best = Some(s);
            }
        }
        best.filter(|b| b.rank() > 0)
    }

    /// The best-named symbol exactly at `addr`.
    pub(crate) fn at(&self, addr: u64) -> Option<&ElfSym<'a>> {
        self.best_at(addr, false)
    }

    /// The best-named function symbol exactly at `addr`.
    pub(crate) fn func_at(&self, addr: u64) -> Option<&ElfSym<'a>> {
        self.best_at(addr, true)
    }

    /// The sized symbol whose extent contains `addr` (functions only when
    /// `want_func`), for "the function containing this call" and "sym+off".
    pub(crate) fn containing(&self, addr: u64, want_func: bool) -> Option<&ElfSym<'a>> {
        let end = self.first_at_or_after(addr.saturating_add(1));
        let mut best: Option<&ElfSym<'a>> = None;
        // Walk back over the symbols at or below addr. Symbols do not nest
        // deeply, but assembly functions carry many untyped local labels, so
        // the window is generous; it is still bounded.
        for s in self.syms.get(..end)?.iter().rev().take(1024) {
            if !s.is_located() || (want_func && !s.is_func()) {
                continue;
            }
            if s.size == 0 || addr >= s.value.saturating_add(s.size) {
                continue;
            }
            if best.is_none_or(|b| s.rank() > b.rank()) {
                best = Some(s);
            }
        }
        best.filter(|b| b.rank() > 0)
    }

    /// A name for `addr`: `sym` when a symbol starts there, `sym+0xN` when
    /// it is inside one.
    pub(crate) fn describe(&self, addr: u64) -> Option<String> {
        if let Some(s) = self.at(addr) {
            return Some(s.name().into_owned());
        }
        self.containing(addr, false)
            .map(|s| format!("{}+{:#x}", s.name(), addr - s.value))
    }
}

/// The bytes before the first NUL (all of them when there is none), eight
/// at a time: ~190k names per kernel make this loop visible.
pub(crate) fn until_nul(b: &[u8]) -> &[u8] {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let mut i = 0;
    while let Some(w) = b.get(i..i + 8).and_then(|s| <[u8; 8]>::try_from(s).ok()) {
        let v = u64::from_le_bytes(w);
        // The lowest marked byte of haszero() is always a real zero.
        let z = v.wrapping_sub(LO) & !v & HI;
        if z != 0 {
            let at = i + (z.trailing_zeros() / 8) as usize;
            return b.get(..at).unwrap_or(b);
        }
        i += 8;
    }
    let tail = b.get(i..).unwrap_or(&[]);
    let at = i + tail.iter().position(|&c| c == 0).unwrap_or(tail.len());
    b.get(..at).unwrap_or(b)
}

/// Below this many symbols a second thread costs more than it saves.
pub(crate) const PARALLEL_MIN: usize = 20_000;

/// One 24-byte `Elf64_Sym`.
pub(crate) fn decode_entry<'a>(e: &[u8], strs: &'a [u8], sec_letter: &[u8]) -> Option<ElfSym<'a>> {
    let (name, value, size, shndx) = (e.u32_at(0)?, e.u64_at(8)?, e.u64_at(16)?, e.u16_at(6)?);
    let info = e.get(4).copied().unwrap_or(0);
    let typ = info & 0xf;
    let bind = info >> 4;
    // A name without a NUL before the end of .strtab is cut there.
    let rest = strs.get(name as usize..).unwrap_or(&[]);
    let raw_name = until_nul(rest);
    Some(ElfSym {
        raw_name,
        value,
        size,
        typ,
        bind,
        shndx,
        letter: nm_letter(typ, bind, shndx, sec_letter),
    })
}

/// Whether `a` should win the name lookup over `b` (globals over locals).
fn prefer(a: &ElfSym<'_>, b: &ElfSym<'_>) -> bool {
    let score = |s: &ElfSym<'_>| {
        (if s.is_defined() { 4 } else { 0 })
            + match s.bind {
                STB_GLOBAL => 2,
                STB_WEAK => 1,
                _ => 0,
            }
    };
    score(a) > score(b)
}

#[cfg(test)]
mod tests {
    use super::until_nul;

    #[test]
    fn until_nul_stops_at_the_first_nul_at_any_offset() {
        let cases: [(&[u8], &[u8]); 7] = [
            (b"", b""),
            (b"\0", b""),
            (b"abc\0def", b"abc"),
            (b"abcdefgh\0", b"abcdefgh"),
            (b"abcdefghi\0jk\0", b"abcdefghi"),
            (b"no nul here at all", b"no nul here at all"),
            (b"\x01\0\x01", b"\x01"),
        ];
        for (input, want) in cases {
            assert_eq!(until_nul(input), want, "{input:?}");
        }
        // Every position of the NUL in a 20-byte name.
        for n in 0..20 {
            let mut v = vec![b'x'; 20];
            v[n] = 0;
            assert_eq!(until_nul(&v).len(), n);
        }
    }
}
