//! Reading a kernel from its ELF vmlinux: symbols, the `__param` and
//! `.init.setup` tables, `linux_banner`, the panic notifier registrations
//! proven from x86-64 code, and (on request) the callbacks' file:line from
//! DWARF.
//!
//! The file is memory-mapped and only the sections needed are touched:
//! section headers, `.symtab`/`.strtab`, the tables, the few functions that
//! call the registration routine, the notifier blocks, and — only with
//! [`Options::lines`] — `.debug_aranges` plus the line programs of the units
//! holding the reported callbacks. Modules (`.ko`, or compressed `.ko.xz`,
//! `.ko.zst`, `.ko.gz`: [`decompress`]) are read through their
//! relocations ([`read_modules`]). ELF64 little-endian only (x86-64 and
//! arm64); anything else is an [`Error`].
//!
//! Entry points: [`read_vmlinux`] (a path → [`Kernel`]), [`Vmlinux`] (open
//! once, read with details such as every registration call site), and
//! [`parse`] for bytes already in memory; [`read_modules`] for the panic
//! notifiers of loadable modules.

mod catalogue;
pub mod decompress;
mod dwarf;
mod error;
mod image;
mod map;
mod modules;
mod symtab;
mod tables;
#[cfg(test)]
mod tests;
mod x86;

pub use catalogue::{
    CATALOGUE_TSV, CatalogueEntry, RefactorList, catalogue, lookup as catalogue_lookup,
    parse_catalogue,
};
pub use error::Error;
pub use modules::{ModulesReport, read_module, read_modules};

use crate::model::{Arch, Kernel, KernelSource, Known, Notifier};
use crate::symbols::SymbolTable;
use image::Image;
use std::path::Path;
use symtab::Symtab;
use x86::Val;

/// What to read beyond the header, symbols and banner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Build [`Kernel::symbols`] (the indexed symbol table). Off, the
    /// table is empty and a kernel reads in about two thirds of the time
    /// (6.12: 38 ms instead of 57); the other facts do not depend on it.
    pub symbols: bool,
    /// Read `__param` and `.init.setup`.
    pub params: bool,
    /// Find the panic notifier registrations.
    pub notifiers: bool,
    /// Resolve each reported callback's file:line from DWARF (costs a few
    /// milliseconds per compilation unit touched; off for `kernel info`).
    pub lines: bool,
}

impl Default for Options {
    /// Symbols, tables and notifiers, no DWARF.
    fn default() -> Options {
        Options {
            symbols: true,
            params: true,
            notifiers: true,
            lines: false,
        }
    }
}

impl Options {
    /// Everything, DWARF lines included (`kernel notifiers`).
    pub fn all() -> Options {
        Options {
            symbols: true,
            params: true,
            notifiers: true,
            lines: true,
        }
    }

    /// Symbols and banner only (`kernel info`).
    pub fn info() -> Options {
        Options {
            symbols: true,
            params: false,
            notifiers: false,
            lines: false,
        }
    }
}

/// One decoded call of a registration routine, on any atomic chain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Registration {
    /// Address of the `call`/`jmp`.
    pub site: u64,
    /// The function containing it.
    pub function: String,
    /// `atomic_notifier_chain_register` or `…_unique_prio`.
    pub routine: String,
    /// A tail call (`jmp`).
    pub tail: bool,
    /// The chain head (RDI), when constant.
    pub chain: Option<String>,
    /// The chain head's address, when constant.
    pub chain_addr: Option<u64>,
    /// Whether the chain is `panic_notifier_list`.
    pub panic: bool,
    /// The notifier_block symbol (RSI), when constant.
    pub block: Option<String>,
    /// The notifier_block's address, when constant.
    pub block_addr: Option<u64>,
    /// For a block in a heap object: the register and offset
    /// (`r15+0xd0`).
    pub block_expr: Option<String>,
    /// The callback, from the static block or the store before the call.
    pub callback: Option<String>,
    /// The callback's address.
    pub callback_addr: Option<u64>,
    /// The priority, from the static block or the store before the call.
    pub priority: Option<i32>,
}

/// How the byte scan for calls went.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ScanSummary {
    /// `E8`/`E9` rel32 byte patterns targeting a registration routine.
    pub candidates: usize,
    /// Of those, real instructions (the decoder landed on them).
    pub confirmed: usize,
    /// Candidates outside any sized function symbol (not decoded).
    pub outside_functions: usize,
}

/// The result of reading an image: the [`Kernel`] and what backs it.
#[derive(Debug, Clone)]
pub struct Report {
    /// The kernel model.
    pub kernel: Kernel,
    /// Every decoded registration call (x86-64), panic chain or not.
    pub registrations: Vec<Registration>,
    /// How the call scan went (x86-64).
    pub scan: ScanSummary,
    /// arm64: `R_AARCH64_RELATIVE` entries and RELR places read.
    pub relative_relocs: usize,
    /// arm64: places listed by RELR sections.
    pub relr_places: usize,
}

/// An opened (memory-mapped) image.
#[derive(Debug)]
pub struct Vmlinux {
    bytes: map::Bytes,
}

impl Vmlinux {
    /// Maps the file; nothing is parsed yet.
    pub fn open(path: &Path) -> Result<Vmlinux, Error> {
        Ok(Vmlinux {
            bytes: map::open(path)?,
        })
    }

    /// An image already in memory (tests, fuzzing).
    pub fn from_bytes(bytes: Vec<u8>) -> Vmlinux {
        Vmlinux {
            bytes: map::Bytes::Owned(bytes),
        }
    }

    /// The raw bytes.
    pub fn bytes(&self) -> &[u8] {
        self.bytes.as_slice()
    }

    /// Reads the image.
    pub fn read(&self, opts: Options) -> Result<Report, Error> {
        parse(self.bytes.as_slice(), opts)
    }
}

/// Reads a vmlinux into a [`Kernel`].
pub fn read_vmlinux(path: &Path, opts: Options) -> Result<Kernel, Error> {
    Ok(Vmlinux::open(path)?.read(opts)?.kernel)
}

/// Reads an image held in memory.
pub fn parse(bytes: &[u8], opts: Options) -> Result<Report, Error> {
    let img = Image::parse(bytes)?;
    let (syms, list) = Symtab::read(&img, &wanted_names()?, opts.symbols)?;
    // Indexing ~190k symbols for SymbolTable is the largest cost and
    // independent of the rest: a second thread does it while this one reads
    // the tables, proves the notifiers and reads DWARF. A small image is
    // done inline (a thread costs more than it saves).
    let (table, rest) = if !opts.symbols {
        (SymbolTable::default(), read_facts(&img, &syms, opts))
    } else if list.len() < symtab::PARALLEL_MIN {
        (SymbolTable::new(list), read_facts(&img, &syms, opts))
    } else {
        std::thread::scope(|s| {
            let table = s.spawn(|| SymbolTable::new(list));
            let rest = read_facts(&img, &syms, opts);
            (join(table), rest)
        })
    };
    let mut report = rest?;
    report.kernel.symbols = table;
    Ok(report)
}

/// Waits for a scoped thread. Only a bug in our own code can panic there;
/// re-raise it with its message rather than invent an error.
pub(crate) fn join<T>(h: std::thread::ScopedJoinHandle<'_, T>) -> T {
    match h.join() {
        Ok(v) => v,
        Err(p) => std::panic::resume_unwind(p),
    }
}

/// Everything but the symbol table.
fn read_facts(img: &Image<'_>, syms: &Symtab<'_>, opts: Options) -> Result<Report, Error> {
    let mut kernel = Kernel::empty(KernelSource::Vmlinux);
    kernel.arch = img.arch;
    if let Some((banner, release)) = tables::banner(img, syms) {
        kernel.banner = Some(banner);
        kernel.release = release;
    }
    if opts.params {
        kernel.params = tables::params(img, syms)?;
        kernel.setups = tables::setups(img, syms)?;
        // Complete only when the image has both tables: an ELF without them
        // (not a kernel, or one with its symbols and sections renamed) must
        // not make every parameter provably unknown.
        let has = |start: &str, section: &str| {
            syms.addr(start).is_some() || img.section(section).is_some()
        };
        kernel.tables_complete =
            has("__start___param", "__param") && has("__setup_start", ".init.setup");
    }
    let mut report = Report {
        kernel,
        registrations: Vec::new(),
        scan: ScanSummary::default(),
        relative_relocs: img.relative_count(),
        relr_places: img.relr_places().len(),
    };
    if opts.notifiers {
        let callbacks = find_notifiers(img, syms, &mut report)?;
        if opts.lines {
            let addrs: Vec<u64> = callbacks.iter().flatten().copied().collect();
            let lines = dwarf::locate(img, &addrs);
            for (n, addr) in report.kernel.notifiers.iter_mut().zip(&callbacks) {
                n.location = addr.and_then(|a| lines.found.get(&a).cloned());
            }
            let lost = addrs
                .iter()
                .filter(|a| !lines.found.contains_key(a))
                .count();
            if let Some(first) = lines.problems.first() {
                let more = match lines.problems.len() - 1 {
                    0 => String::new(),
                    n => format!("; and {n} more"),
                };
                report.kernel.gaps.push(format!(
                    "damaged DWARF ({first}{more}): {lost} of {} notifier callbacks have no file:line",
                    addrs.len()
                ));
            }
        }
    }
    Ok(report)
}

/// The symbols the reader looks up by name: table bounds, the banner, the
/// registration routines and chain head, and the catalogue's callbacks and
/// blocks (for architectures without a decoder).
fn wanted_names() -> Result<Vec<&'static str>, Error> {
    let mut w: Vec<&'static str> = vec![
        "__start___param",
        "__stop___param",
        "__setup_start",
        "__setup_end",
        "linux_banner",
        "panic_notifier_list",
    ];
    w.extend(x86::REGISTER_ROUTINES);
    for e in catalogue::catalogue()? {
        w.push(e.callback.as_str());
        if !e.dynamic_block() {
            w.push(e.block.as_str());
        }
    }
    w.sort_unstable();
    w.dedup();
    Ok(w)
}

/// Fills `report.kernel.notifiers` (and the x86-64 registration list);
/// returns each notifier's callback address, in the same order, for DWARF.
fn find_notifiers(
    img: &Image<'_>,
    syms: &Symtab<'_>,
    report: &mut Report,
) -> Result<Vec<Option<u64>>, Error> {
    let mut addrs = Vec::new();
    if img.arch == Arch::X86_64 {
        let panic_list = syms.addr("panic_notifier_list");
        let (sites, stats) = x86::call_sites(img, syms);
        report.scan = ScanSummary {
            candidates: stats.candidates,
            confirmed: stats.confirmed,
            outside_functions: stats.outside_functions,
        };
        for c in sites {
            let r = registration(img, syms, &c, panic_list);
            if r.panic {
                report.kernel.notifiers.push(Notifier {
                    callback: r.callback.clone(),
                    block: r.block.clone(),
                    priority: r.priority,
                    registered_in: Some(r.function.clone()),
                    dynamic: r.block_addr.is_none(),
                    module: None,
                    location: None,
                    known: Known::Code,
                });
                addrs.push(r.callback_addr);
            }
            report.registrations.push(r);
        }
        return Ok(addrs);
    }
    // No decoder for this architecture: name candidates by catalogue.
    let mut seen: Vec<&str> = Vec::new();
    for e in catalogue::catalogue()?
        .iter()
        .filter(|e| e.applies_to(img.arch))
    {
        let Some(cb) = syms
            .get(&e.callback)
            .filter(|s| s.is_func() && s.is_defined())
        else {
            continue;
        };
        if seen.contains(&e.callback.as_str()) {
            continue;
        }
        seen.push(&e.callback);
        let block_sym = if e.dynamic_block() {
            None
        } else {
            syms.get(&e.block).filter(|s| s.is_defined())
        };
        // A block present in the image gives the real priority (and, through
        // arm64's relocations, confirms the callback it points to).
        let priority = match block_sym {
            Some(b) => img.u32_at(b.value.saturating_add(16)).map(|p| p as i32),
            None => e.priority,
        };
        report.kernel.notifiers.push(Notifier {
            callback: Some(cb.name().into_owned()),
            block: block_sym.map(|b| b.name().into_owned()),
            priority,
            registered_in: None,
            dynamic: e.dynamic_block(),
            module: None,
            location: None,
            known: Known::Catalogue,
        });
        addrs.push(Some(cb.value));
    }
    Ok(addrs)
}

fn registration(
    img: &Image<'_>,
    syms: &Symtab<'_>,
    c: &x86::CallSite,
    panic_list: Option<u64>,
) -> Registration {
    let chain_addr = match c.rdi {
        Val::Const(a) => Some(a),
        _ => None,
    };
    let mut r = Registration {
        site: c.site,
        function: c.function.clone(),
        routine: c.routine.to_string(),
        tail: c.tail,
        chain: chain_addr.and_then(|a| syms.describe(a)),
        chain_addr,
        panic: chain_addr.is_some() && chain_addr == panic_list,
        block: None,
        block_addr: None,
        block_expr: None,
        callback: None,
        callback_addr: None,
        priority: None,
    };
    match c.rsi {
        Val::Const(b) => {
            r.block_addr = Some(b);
            r.block = syms.describe(b);
            // struct notifier_block { notifier_call; next; int priority; }
            r.callback_addr = img.ptr_at(b).filter(|&p| p != 0);
            r.priority = img.u32_at(b.saturating_add(16)).map(|p| p as i32);
        }
        Val::Addr { reg, disp, .. } => {
            let sign = if disp < 0 { '-' } else { '+' };
            let name = format!("{reg:?}").to_lowercase();
            r.block_expr = Some(format!("{name}{sign}{:#x}", disp.unsigned_abs()));
            r.callback_addr = c.stored_callback;
            r.priority = c.stored_priority;
        }
        Val::Unknown => {}
    }
    r.callback = r.callback_addr.and_then(|a| {
        syms.func_at(a)
            .map(|s| s.name().into_owned())
            .or_else(|| syms.describe(a))
    });
    r
}
