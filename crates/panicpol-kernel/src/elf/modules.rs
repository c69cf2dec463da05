//! Panic notifiers registered by loadable modules (`.ko`, x86-64).
//!
//! A module is a relocatable object: its code holds zeros where addresses
//! go. The reader lays the allocated sections out at made-up addresses,
//! gives every undefined symbol (`panic_notifier_list`,
//! `atomic_notifier_chain_register`) an address of its own, applies the
//! `.rela.*` relocations to copies of the sections, and then proves the
//! registrations exactly as in a vmlinux (`x86::decode`). Call sites come
//! from the relocations against the routine, so nothing is scanned. Modules
//! that do not reference `panic_notifier_list` are skipped after reading
//! their symbol table only. Compressed modules (`.ko.xz`, `.ko.zst`,
//! `.ko.gz`) are decompressed into memory first, bounded
//! (`super::decompress`), and then read the same way.

use super::decompress::{self, Compression, MAX_DECOMPRESSED};
use super::error::Error;
use super::image::{Image, Le, Section};
use super::symtab::{ElfSym, decode_entry};
use super::x86::{self, Function, REGISTER_ROUTINES, ScanStats, Val};
use crate::model::{Arch, Known, Notifier};
use std::path::{Path, PathBuf};

const SHT_RELA: u32 = 4;
const SHT_SYMTAB: u32 = 2;
const SHN_UNDEF: u16 = 0;
const SHN_ABS: u16 = 0xfff1;
const R_X86_64_64: u32 = 1;
const R_X86_64_PC32: u32 = 2;
const R_X86_64_PLT32: u32 = 4;
const R_X86_64_32: u32 = 10;
const R_X86_64_32S: u32 = 11;
/// Where the made-up layout starts and must end: below 2 GiB, so that
/// `R_X86_64_32S` values (sign-extended imm32) stay what they mean.
const LAYOUT_BASE: u64 = 0x0100_0000;
const LAYOUT_END: u64 = 0x6000_0000;
/// Undefined symbols get addresses from here on, 16 bytes apart.
const UNDEF_BASE: u64 = 0x7000_0000;
/// More modules than any kernel ships; a bound on the directory walk.
const MAX_MODULES: usize = 100_000;

/// What reading a modules folder found.
#[derive(Debug, Clone, Default)]
pub struct ModulesReport {
    /// Panic notifiers registered by modules (`module: Some(name)`).
    pub notifiers: Vec<Notifier>,
    /// Module files opened and examined (plain or compressed); those that
    /// could not be read to the end are also in `skipped`.
    pub scanned: usize,
    /// Of `scanned`, the compressed ones that were decompressed (whether or
    /// not the module inside could then be read).
    pub decompressed: usize,
    /// Files that could not be read, and why: unreadable, damaged or
    /// truncated compressed data, over the size bound, not a module.
    pub skipped: Vec<(PathBuf, String)>,
}

/// Reads every module file under `dir` (recursively): plain `.ko`, and
/// `.ko.xz`, `.ko.zst`, `.ko.gz` as distributions install them (the format
/// is told by the magic bytes, not the name; a `.ko.*` whose bytes are ELF
/// is read as is, as kmod would load it). Each compressed module is
/// decompressed into memory, at most [`MAX_DECOMPRESSED`] bytes, and read
/// like a plain one. A file that cannot be read is listed in
/// [`ModulesReport::skipped`] with the reason; only a folder that cannot be
/// walked is an error.
pub fn read_modules(dir: &Path) -> Result<ModulesReport, Error> {
    let mut files = Vec::new();
    walk(dir, &mut files)?;
    files.sort();
    let mut report = ModulesReport::default();
    for path in files {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let name = name.unwrap_or_default();
        let vm = match super::Vmlinux::open(&path) {
            Ok(v) => v,
            Err(e) => {
                report.skipped.push((path, e.to_string()));
                continue;
            }
        };
        report.scanned += 1;
        match read_module_file(vm.bytes(), &name, &mut report.decompressed) {
            Ok(n) => {
                // The same module twice (`foo.ko` beside `foo.ko.xz`, as a
                // half-finished recompression leaves it) is one module: the
                // kernel loads one of them (modules.dep names it).
                for x in n {
                    if !report.notifiers.contains(&x) {
                        report.notifiers.push(x);
                    }
                }
            }
            Err(e) => report.skipped.push((path, e.to_string())),
        }
    }
    Ok(report)
}

/// One module file's notifiers: ELF bytes read directly, compressed bytes
/// decompressed first (counted in `decompressed`). `name` is the file name;
/// the module is named after it without the compression suffix.
fn read_module_file(
    bytes: &[u8],
    name: &str,
    decompressed: &mut usize,
) -> Result<Vec<Notifier>, Error> {
    // `foo.ko.xz` → (`foo.ko`, Some("xz")); `foo.ko` → (`foo.ko`, None).
    let (plain, suffix) = match name.rsplit_once(".ko.") {
        Some((stem, suffix)) => (format!("{stem}.ko"), Some(suffix)),
        None => (name.to_string(), None),
    };
    if bytes.starts_with(b"\x7fELF") {
        return read_module(bytes, &plain);
    }
    match (Compression::detect(bytes), suffix) {
        (Some(_), _) => {
            let inner = decompress::decompress(bytes, MAX_DECOMPRESSED)?;
            *decompressed += 1;
            read_module(&inner, &plain)
        }
        // A plain name: the ELF reader says what is wrong.
        (None, None) => read_module(bytes, &plain),
        (None, Some(s)) => Err(Error::NotCompressed {
            head: decompress::head(bytes),
            named: Some(s.to_string()),
        }),
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Error> {
    let io = |source| Error::Io {
        path: dir.to_path_buf(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let path = entry.path();
        let ty = entry.file_type().map_err(io)?;
        if ty.is_dir() {
            walk(&path, out)?;
        } else if path
            .file_name()
            .is_some_and(|n| is_module_name(&n.to_string_lossy()))
        {
            if out.len() >= MAX_MODULES {
                return Err(Error::Absurd {
                    what: "number of module files".into(),
                    value: out.len() as u64,
                });
            }
            out.push(path);
        }
    }
    Ok(())
}

/// `*.ko`, or `*.ko.SUFFIX` (a compressed module, whatever the suffix:
/// the bytes tell the format, and an unknown one is reported, not hidden).
fn is_module_name(n: &str) -> bool {
    n.ends_with(".ko")
        || n.rsplit_once(".ko.")
            .is_some_and(|(stem, _)| !stem.is_empty())
}

/// The module's name: `.modinfo`'s `name=`, else the file name without
/// `.ko` and with `-` as `_` (as the kernel names modules).
fn module_name(img: &Image<'_>, file_name: &str) -> String {
    if let Some(s) = img.section(".modinfo") {
        for kv in img.bytes(s).split(|&b| b == 0) {
            if let Some(v) = kv.strip_prefix(b"name=") {
                return String::from_utf8_lossy(v).into_owned();
            }
        }
    }
    file_name
        .trim_end_matches(".ko")
        .replace('-', "_")
        .to_string()
}

/// The panic notifiers one module registers.
pub fn read_module(bytes: &[u8], file_name: &str) -> Result<Vec<Notifier>, Error> {
    let img = Image::parse(bytes)?;
    if img.arch != Arch::X86_64 {
        return Ok(Vec::new());
    }
    let st = img
        .sections
        .iter()
        .find(|s| s.kind == SHT_SYMTAB)
        .ok_or(Error::NoSymtab)?;
    let strs = img
        .sections
        .get(st.link as usize)
        .map_or(&[][..], |s| img.bytes(s));
    // Symbols by index: relocations refer to them by index.
    let syms: Vec<Option<ElfSym<'_>>> = img
        .bytes(st)
        .chunks_exact(24)
        .map(|e| decode_entry(e, strs, &[]))
        .collect();
    let undef_named = |name: &str| {
        syms.iter().position(|s| {
            s.as_ref()
                .is_some_and(|s| s.shndx == SHN_UNDEF && s.raw_name == name.as_bytes())
        })
    };
    let Some(list_idx) = undef_named("panic_notifier_list") else {
        return Ok(Vec::new());
    };

    // Layout: allocated sections one after the other.
    let mut base = vec![None; img.sections.len()];
    let mut cursor = LAYOUT_BASE;
    for (i, s) in img.sections.iter().enumerate() {
        if !s.is_alloc() {
            continue;
        }
        if let Some(b) = base.get_mut(i) {
            *b = Some(cursor);
        }
        cursor = cursor.saturating_add(s.size).saturating_add(0x100) & !0xf;
        if cursor > LAYOUT_END {
            return Err(Error::Absurd {
                what: "size of the module's sections".into(),
                value: cursor,
            });
        }
    }
    let addr_of = |idx: usize| -> Option<u64> {
        let s = syms.get(idx)?.as_ref()?;
        match s.shndx {
            SHN_UNDEF => Some(UNDEF_BASE + idx as u64 * 16),
            SHN_ABS => Some(s.value),
            // Values are untrusted: one past the address space has none.
            n => base
                .get(usize::from(n))?
                .and_then(|b| b.checked_add(s.value)),
        }
    };

    // Copies of the allocated sections with relocations applied.
    let mut patched: Vec<Vec<u8>> = img
        .sections
        .iter()
        .map(|s| {
            if s.is_alloc() {
                img.bytes(s).to_vec()
            } else {
                Vec::new()
            }
        })
        .collect();
    let mut sites: Vec<(usize, u64)> = Vec::new(); // (section, offset of the branch)
    let routine_idx: Vec<(usize, &'static str)> = REGISTER_ROUTINES
        .iter()
        .filter_map(|&r| undef_named(r).map(|i| (i, r)))
        .collect();
    for rs in img.sections.iter().filter(|s| s.kind == SHT_RELA) {
        let target = rs_info(rs);
        let (Some(Some(tbase)), Some(buf)) = (base.get(target), patched.get_mut(target)) else {
            continue;
        };
        for e in img.bytes(rs).chunks_exact(24) {
            let (Some(off), Some(info), Some(addend)) = (e.u64_at(0), e.u64_at(8), e.u64_at(16))
            else {
                continue;
            };
            let (typ, sym) = ((info & 0xffff_ffff) as u32, (info >> 32) as usize);
            let Some(s) = addr_of(sym) else { continue };
            let value = s.wrapping_add(addend);
            let place = tbase.wrapping_add(off);
            let off = off as usize;
            let write = |buf: &mut Vec<u8>, bytes: &[u8]| {
                let end = off.saturating_add(bytes.len());
                if let Some(dst) = buf.get_mut(off..end) {
                    dst.copy_from_slice(bytes);
                }
            };
            match typ {
                R_X86_64_64 => write(buf, &value.to_le_bytes()),
                R_X86_64_32 | R_X86_64_32S => write(buf, &(value as u32).to_le_bytes()),
                R_X86_64_PC32 | R_X86_64_PLT32 => {
                    write(buf, &(value.wrapping_sub(place) as u32).to_le_bytes());
                    if routine_idx.iter().any(|r| r.0 == sym) {
                        // call/jmp rel32 (1 opcode byte) or jcc (0F 8x).
                        let op = off.checked_sub(1).and_then(|o| buf.get(o)).copied();
                        let op2 = off.checked_sub(2).and_then(|o| buf.get(o)).copied();
                        match (op2, op) {
                            (_, Some(0xe8 | 0xe9)) => sites.push((target, off as u64 - 1)),
                            (Some(0x0f), Some(b)) if b & 0xf0 == 0x80 => {
                                sites.push((target, off as u64 - 2))
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
    }

    // The functions holding the sites, decoded over the patched bytes.
    let routines: Vec<(u64, &'static str)> = routine_idx
        .iter()
        .filter_map(|&(i, r)| addr_of(i).map(|a| (a, r)))
        .collect();
    let mut funcs: Vec<Function<'_>> = Vec::new();
    for &(sec, off) in &sites {
        let Some(Some(b)) = base.get(sec) else {
            continue;
        };
        let f = syms.iter().flatten().find(|s| {
            s.is_func()
                && usize::from(s.shndx) == sec
                && s.value <= off
                && off < s.value.saturating_add(s.size)
        });
        let Some(f) = f else { continue };
        // Made-up addresses from untrusted values: they wrap like the
        // relocation arithmetic above, never overflow.
        let start = b.wrapping_add(f.value);
        if let Some(g) = funcs.iter_mut().find(|g| g.start == start) {
            g.sites.push(b.wrapping_add(off));
            continue;
        }
        let code = patched
            .get(sec)
            .and_then(|p| p.get(f.value as usize..f.value.saturating_add(f.size) as usize));
        let Some(code) = code else { continue };
        funcs.push(Function {
            start,
            name: f.name().into_owned(),
            code,
            sites: vec![b.wrapping_add(off)],
        });
    }
    let mut stats = ScanStats::default();
    let calls = x86::decode(&funcs, &routines, &mut stats);

    // Name resolution over the made-up addresses.
    let name_at = |addr: u64, func: bool| -> Option<String> {
        syms.iter().enumerate().find_map(|(i, s)| {
            let s = s.as_ref()?;
            if s.raw_name.is_empty() || (func && !s.is_func()) || s.shndx == SHN_UNDEF {
                return None;
            }
            let a = addr_of(i)?;
            let inside = addr == a || (addr > a && addr < a.saturating_add(s.size));
            inside.then(|| {
                if addr == a {
                    s.name().into_owned()
                } else {
                    format!("{}+{:#x}", s.name(), addr - a)
                }
            })
        })
    };
    let read_at = |addr: u64, len: usize| -> Option<&[u8]> {
        let (i, b) = base
            .iter()
            .enumerate()
            .filter_map(|(i, b)| b.map(|b| (i, b)))
            .filter(|&(_, b)| b <= addr)
            .max_by_key(|&(_, b)| b)?;
        let start = (addr - b) as usize;
        patched.get(i)?.get(start..start.checked_add(len)?)
    };
    let list = addr_of(list_idx);
    let module = module_name(&img, file_name);
    let mut out = Vec::new();
    for c in calls {
        let Val::Const(chain) = c.rdi else { continue };
        if Some(chain) != list {
            continue;
        }
        let (block, callback, priority, dynamic) = match c.rsi {
            Val::Const(b) => {
                let cb = read_at(b, 8).and_then(|s| s.u64_at(0));
                let pr = read_at(b.wrapping_add(16), 4)
                    .and_then(|s| s.u32_at(0))
                    .map(|p| p as i32);
                (
                    name_at(b, false),
                    cb.and_then(|a| name_at(a, true)),
                    pr,
                    false,
                )
            }
            _ => (
                None,
                c.stored_callback.and_then(|a| name_at(a, true)),
                c.stored_priority,
                true,
            ),
        };
        out.push(Notifier {
            callback,
            block,
            priority,
            registered_in: Some(c.function),
            dynamic,
            module: Some(module.clone()),
            location: None,
            known: Known::Code,
        });
    }
    Ok(out)
}

/// The section a `.rela.*` section applies to (`sh_info`).
fn rs_info(s: &Section) -> usize {
    s.info as usize
}
