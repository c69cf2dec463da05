//! Reading the two text symbol formats: a System.map (`nm -n` output filtered
//! by scripts/mksysmap) and a /proc/kallsyms dump (kernel/kallsyms.c
//! `s_show`). Both are `<hex address> <type letter> <name>` lines; kallsyms
//! adds `\t[<module>]` for module and pseudo-module symbols and prints zero
//! addresses to readers not allowed to see them.
//!
//! The reader is strict, because these files are the ground truth for later
//! checks: bytes that are not such a file (binary, compressed, ELF, Debian's
//! placeholder System.map, an over-long or malformed line, invalid UTF-8) are
//! an error naming the line, never a partial table. Invalid UTF-8 is an error
//! rather than a skipped line: kernel symbol names are ASCII, so it means the
//! file is not what the caller thinks it is.
//!
//! From the names alone it also derives what a symbol file says about the
//! command line: the identifiers of built-in parameters (`__param_str_<id>`)
//! and the handlers of `__setup`/`early_param` options (`__setup_str_<fn>`).

use crate::model::{Arch, Kernel, KernelParam, KernelSource, Known, ParamType, Symbol};
use crate::symbols::{SymbolTable, base_name};

/// Lines longer than this are refused: a real line is at most about 600 bytes
/// (16 address digits, `KSYM_NAME_LEN` 512, a 56-byte module name).
pub const MAX_LINE_LEN: usize = 4096;

/// The most symbols a file may list: 20 times Debian 6.12's 190k, yet a
/// bound on memory (each symbol costs about 170 bytes once indexed), so a
/// 256 MiB file of one-letter names cannot ask for gigabytes.
pub const MAX_SYMBOLS: usize = 4_000_000;

/// The line Debian ships as `/boot/System.map-<release>` in its image packages
/// (the real file is in the `-dbg` package).
const DEBIAN_PLACEHOLDER: &str = "ffffffffffffffff B The real System.map is in the ";

/// Which of the two text formats a file is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SymbolFormat {
    /// A System.map: all symbols incl. data, no module column.
    SystemMap,
    /// A /proc/kallsyms dump: module symbols carry `[module]`; data symbols
    /// only with `CONFIG_KALLSYMS_ALL`; addresses may be hidden (all zero).
    Kallsyms,
}

/// Why a symbol file could not be read. Line numbers start at 1.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SymbolFileError {
    /// The input has no symbol lines.
    Empty,
    /// A NUL byte: a binary file, not a text symbol list.
    Binary {
        /// Byte offset of the first NUL.
        offset: usize,
    },
    /// The input starts with a known binary magic.
    NotText {
        /// What it looks like (e.g. "an ELF file").
        looks_like: &'static str,
    },
    /// Debian's one-line placeholder System.map.
    DebianPlaceholder,
    /// A line is not valid UTF-8.
    InvalidUtf8 {
        /// The line.
        line: usize,
    },
    /// A line longer than [`MAX_LINE_LEN`].
    LineTooLong {
        /// The line.
        line: usize,
        /// Its length in bytes.
        len: usize,
    },
    /// A line is not `<hex address> <type> <name>[\t[module]]`.
    Malformed {
        /// The line.
        line: usize,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A `[module]` column in a file read as a System.map.
    ModuleColumnInSystemMap {
        /// The first line with one.
        line: usize,
    },
    /// More than [`MAX_SYMBOLS`] symbol lines.
    TooManySymbols {
        /// The line where the limit was passed.
        line: usize,
    },
}

impl std::fmt::Display for SymbolFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SymbolFileError::Empty => write!(f, "no symbols: the file is empty"),
            SymbolFileError::Binary { offset } => write!(
                f,
                "binary data (a NUL byte at offset {offset}): not a System.map or /proc/kallsyms text"
            ),
            SymbolFileError::NotText { looks_like } => write!(
                f,
                "this is {looks_like}, not a System.map or /proc/kallsyms text"
            ),
            SymbolFileError::DebianPlaceholder => write!(
                f,
                "this is Debian's placeholder System.map; the real one is in the \
                 linux-image-<release>-dbg package, installed as \
                 /usr/lib/debug/boot/System.map-<release>"
            ),
            SymbolFileError::InvalidUtf8 { line } => {
                write!(
                    f,
                    "line {line}: not valid UTF-8 (kernel symbol names are ASCII)"
                )
            }
            SymbolFileError::LineTooLong { line, len } => write!(
                f,
                "line {line}: {len} bytes, longer than any symbol line can be ({MAX_LINE_LEN})"
            ),
            SymbolFileError::Malformed { line, reason } => write!(
                f,
                "line {line}: {reason} (expected `<hex address> <type> <name>`, \
                 optionally followed by a tab and `[module]`)"
            ),
            SymbolFileError::ModuleColumnInSystemMap { line } => write!(
                f,
                "line {line}: a `[module]` column, which a System.map never has; \
                 this looks like /proc/kallsyms"
            ),
            SymbolFileError::TooManySymbols { line } => write!(
                f,
                "line {line}: more than {MAX_SYMBOLS} symbols, far more than any kernel has; \
                 not a System.map or /proc/kallsyms"
            ),
        }
    }
}

impl std::error::Error for SymbolFileError {}

/// What the symbol names say about the kernel's command-line parameters.
///
/// Symbols carry identifiers, not the strings the kernel matches: a
/// `module_param` built into the kernel is `modname.ident` on the command
/// line, but its symbol is `__param_str_<ident>` (e.g. `kfence.check_on_panic`
/// is `__param_str_check_on_panic`), and a `__setup("crashkernel=", …)` option
/// is named after its handler (`__setup_str_parse_crashkernel_dummy`). The
/// real strings are only in the image's bytes (a vmlinux).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParamNames {
    /// `<ident>` of every `__param_str_<ident>` symbol, in file order, one per
    /// symbol (two modules may both have an `ident`). Compiler suffixes such
    /// as `.llvm.N` are stripped.
    pub param_idents: Vec<String>,
    /// `<handler>` of every `__setup_str_<handler>` symbol, in file order.
    pub setup_handlers: Vec<String>,
}

impl ParamNames {
    /// Collects the names from a symbol table.
    pub fn from_symbols(symbols: &SymbolTable) -> ParamNames {
        let mut out = ParamNames::default();
        for s in symbols.symbols() {
            out.note(&s.name);
        }
        out
    }

    /// Records one symbol name if it is a parameter or setup string.
    fn note(&mut self, name: &str) {
        // Most names have neither prefix: skip the suffix stripping for them.
        if !(name.starts_with("__param_str_") || name.starts_with("__setup_str_")) {
            return;
        }
        let name = base_name(name);
        if let Some(id) = name.strip_prefix("__param_str_") {
            if !id.is_empty() {
                self.param_idents.push(id.to_string());
            }
        } else if let Some(h) = name.strip_prefix("__setup_str_") {
            if !h.is_empty() {
                self.setup_handlers.push(h.to_string());
            }
        }
    }

    /// Whether a command-line parameter name may be one of the identifiers:
    /// the part after the last `.` (or the whole name) equals an identifier.
    /// This is evidence, not proof: the module prefix is not in the symbol,
    /// so `time` and `printk.time` both match the identifier `time`.
    pub fn may_have_param(&self, cmdline_name: &str) -> bool {
        let ident = cmdline_name.rsplit('.').next().unwrap_or(cmdline_name);
        // The kernel treats `-` and `_` alike in parameter names.
        let ident = ident.replace('-', "_");
        self.param_idents.contains(&ident)
    }
}

/// A symbol file, read.
#[derive(Debug, Clone)]
pub struct SymbolFile {
    /// The format it was read as.
    pub format: SymbolFormat,
    /// All symbols, indexed.
    pub symbols: SymbolTable,
    /// Every address was zero: a /proc/kallsyms read by someone not allowed to
    /// see addresses (kptr_restrict, `kallsyms_show_value()`). Names and
    /// types are still right; lookups by address find nothing.
    pub addresses_hidden: bool,
    /// Parameter identifiers and setup handlers found among the names.
    pub params: ParamNames,
}

impl SymbolFile {
    /// The architecture, from symbols only one architecture has.
    pub fn arch(&self) -> Arch {
        if self.symbols.is_function("x86_64_start_kernel") {
            Arch::X86_64
        } else if self.symbols.is_function("primary_entry")
            && self.symbols.is_function("__primary_switch")
        {
            Arch::Aarch64
        } else {
            Arch::Other
        }
    }

    /// The kernel model of this file. `params` holds one entry per
    /// `__param_str_` symbol with `known: Known::SymbolName`: its `name` is
    /// the *identifier* (without any `modname.` prefix), its type is
    /// [`ParamType::Unknown`], `level` is -1 (the "Booting kernel" pass, where
    /// nearly every built-in parameter is applied: a symbol does not tell, and
    /// 0 would claim the pure initcall level), and `perm`, `flags` are 0
    /// because a symbol says nothing about them. `setups` stays empty: the option
    /// strings are not in the symbol names (see [`ParamNames`]), and
    /// `tables_complete` is false.
    pub fn into_kernel(self) -> Kernel {
        let arch = self.arch();
        let mut k = Kernel::empty(match self.format {
            SymbolFormat::SystemMap => KernelSource::SystemMap,
            SymbolFormat::Kallsyms => KernelSource::Kallsyms,
        });
        k.arch = arch;
        k.params = self
            .params
            .param_idents
            .into_iter()
            .map(|name| KernelParam {
                name,
                level: -1,
                ty: ParamType::Unknown,
                perm: 0,
                flags: 0,
                arg_symbol: None,
                default: None,
                known: Known::SymbolName,
            })
            .collect();
        k.tables_complete = false;
        k.symbols = self.symbols;
        k
    }
}

/// Reads a System.map or a /proc/kallsyms dump, telling which from the
/// content: a `[module]` column, all-zero addresses, or `__per_cpu_start`
/// typed `A` (kallsyms prints per-CPU symbols as absolute with
/// `CONFIG_KALLSYMS_ABSOLUTE_PERCPU`, x86-64 SMP; System.map types them `D`)
/// mean kallsyms. Anything else reads as a System.map: a root dump of a
/// kernel with no module loaded on an architecture without absolute per-CPU
/// symbols is indistinguishable from one; use [`read_kallsyms_as`] when the
/// caller knows.
pub fn read_kallsyms(bytes: &[u8]) -> Result<SymbolFile, SymbolFileError> {
    read_impl(bytes, None)
}

/// Reads a symbol file in a known format. A System.map with a `[module]`
/// column is an error.
pub fn read_kallsyms_as(bytes: &[u8], format: SymbolFormat) -> Result<SymbolFile, SymbolFileError> {
    read_impl(bytes, Some(format))
}

/// Reads a System.map into a [`Kernel`] (see [`SymbolFile::into_kernel`]).
pub fn kernel_from_system_map(bytes: &[u8]) -> Result<Kernel, SymbolFileError> {
    read_kallsyms_as(bytes, SymbolFormat::SystemMap).map(SymbolFile::into_kernel)
}

/// Reads a /proc/kallsyms dump into a [`Kernel`] (see
/// [`SymbolFile::into_kernel`]).
pub fn kernel_from_kallsyms(bytes: &[u8]) -> Result<Kernel, SymbolFileError> {
    read_kallsyms_as(bytes, SymbolFormat::Kallsyms).map(SymbolFile::into_kernel)
}

fn read_impl(bytes: &[u8], format: Option<SymbolFormat>) -> Result<SymbolFile, SymbolFileError> {
    check_text(bytes)?;
    // Most symbol lines are 30-60 bytes; reserving avoids regrowing a
    // 150k-element vector.
    let mut symbols = Vec::with_capacity((bytes.len() / 40).min(MAX_SYMBOLS));
    let mut first_module_line = None;
    let mut params = ParamNames::default();
    let mut all_zero = true;
    // Validating the whole input at once is much faster than per line, and
    // lets the line split below use the library's memchr.
    let text = std::str::from_utf8(bytes).map_err(|e| SymbolFileError::InvalidUtf8 {
        line: line_of(bytes, e.valid_up_to()),
    })?;
    for (idx, raw) in text.split('\n').enumerate() {
        let line = idx + 1;
        if raw.len() > MAX_LINE_LEN {
            return Err(SymbolFileError::LineTooLong {
                line,
                len: raw.len(),
            });
        }
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if raw.bytes().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        if symbols.len() == MAX_SYMBOLS {
            return Err(SymbolFileError::TooManySymbols { line });
        }
        let sym = parse_line(raw).map_err(|reason| SymbolFileError::Malformed { line, reason })?;
        // Done while the line is in cache rather than in another pass.
        params.note(&sym.name);
        all_zero &= sym.addr == 0;
        if sym.module.is_some() && first_module_line.is_none() {
            first_module_line = Some(line);
        }
        symbols.push(sym);
    }
    if symbols.is_empty() {
        return Err(SymbolFileError::Empty);
    }
    let format = match format {
        Some(SymbolFormat::SystemMap) => {
            if let Some(line) = first_module_line {
                return Err(SymbolFileError::ModuleColumnInSystemMap { line });
            }
            SymbolFormat::SystemMap
        }
        Some(f) => f,
        None => {
            let absolute_percpu = symbols
                .iter()
                .take(4096)
                .any(|s| s.name == "__per_cpu_start" && s.kind == 'A');
            if first_module_line.is_some() || all_zero || absolute_percpu {
                SymbolFormat::Kallsyms
            } else {
                SymbolFormat::SystemMap
            }
        }
    };
    let symbols = SymbolTable::new(symbols);
    Ok(SymbolFile {
        format,
        symbols,
        addresses_hidden: all_zero,
        params,
    })
}

/// Refuses what is obviously not a text symbol list, before reading lines.
fn check_text(bytes: &[u8]) -> Result<(), SymbolFileError> {
    const MAGICS: [(&[u8], &str); 5] = [
        (b"\x7fELF", "an ELF file (use the vmlinux reader)"),
        (b"\x1f\x8b", "gzip-compressed data (decompress it first)"),
        (b"\xfd7zXZ\x00", "xz-compressed data (decompress it first)"),
        (
            b"\x28\xb5\x2f\xfd",
            "zstd-compressed data (decompress it first)",
        ),
        (b"MZ", "a PE/EFI image (use the vmlinux or UKI reader)"),
    ];
    for (magic, what) in MAGICS {
        if bytes.starts_with(magic) {
            return Err(SymbolFileError::NotText { looks_like: what });
        }
    }
    // `contains` on bytes is memchr; the offset is only computed for errors.
    if bytes.contains(&0) {
        let offset = bytes.iter().position(|&b| b == 0).unwrap_or(0);
        return Err(SymbolFileError::Binary { offset });
    }
    if bytes.starts_with(DEBIAN_PLACEHOLDER.as_bytes()) {
        return Err(SymbolFileError::DebianPlaceholder);
    }
    Ok(())
}

/// The 1-based line number of a byte offset.
fn line_of(bytes: &[u8], offset: usize) -> usize {
    bytes
        .get(..offset)
        .map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count())
        + 1
}

/// One line, without its newline: `<addr> <type> <name>` and, for kallsyms
/// module symbols, `\t[<module>]`. Fields are separated by runs of ASCII
/// whitespace (the kernel and nm write exactly one space or tab).
fn parse_line(line: &str) -> Result<Symbol, &'static str> {
    match parse_canonical(line) {
        Some(sym) => Ok(sym),
        None => parse_general(line),
    }
}

/// The exact shape 64-bit kernels and `nm` write (`%016lx %c %s`, then
/// `\t[%s]` for modules), parsed by position: most of the time of reading a
/// System.map is spent per line, and this skips the field splitting. `None`
/// for anything else, which [`parse_general`] then accepts or explains.
fn parse_canonical(line: &str) -> Option<Symbol> {
    let b = line.as_bytes();
    if b.get(16) != Some(&b' ') || b.get(18) != Some(&b' ') {
        return None;
    }
    let kind = *b.get(17)?;
    if !kind.is_ascii_alphabetic() {
        return None;
    }
    let addr = b.get(..16)?.iter().try_fold(0u64, |acc, &c| {
        let d = char::from(c).to_digit(16)?;
        Some(acc << 4 | u64::from(d))
    })?;
    let rest = line.get(19..)?;
    let (name, module) = match rest.bytes().position(|c| c.is_ascii_whitespace()) {
        None => (rest, None),
        Some(ws) => {
            let module = rest
                .get(ws..)?
                .strip_prefix("\t[")?
                .strip_suffix(']')
                .filter(|m| !m.is_empty() && !m.bytes().any(|c| c.is_ascii_whitespace()))?;
            (rest.get(..ws)?, Some(module.to_string()))
        }
    };
    if name.is_empty() {
        return None;
    }
    Some(Symbol {
        name: name.to_string(),
        addr,
        kind: char::from(kind),
        module,
    })
}

/// Any line: fields split on runs of whitespace, each checked.
fn parse_general(line: &str) -> Result<Symbol, &'static str> {
    let mut fields = line.split_ascii_whitespace();
    let addr = fields.next().ok_or("empty line")?;
    if addr.len() > 16 || !addr.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("the address is not 1 to 16 hex digits");
    }
    let addr = u64::from_str_radix(addr, 16).map_err(|_| "the address is not hex")?;
    let kind = fields.next().ok_or("no type letter")?;
    let mut kind_chars = kind.chars();
    let kind = match (kind_chars.next(), kind_chars.next()) {
        (Some(c), None) if c.is_ascii_graphic() => c,
        _ => return Err("the type is not one letter"),
    };
    let name = fields.next().ok_or("no symbol name")?;
    let module = match fields.next() {
        None => None,
        Some(m) => {
            let inner = m
                .strip_prefix('[')
                .and_then(|m| m.strip_suffix(']'))
                .filter(|m| !m.is_empty())
                .ok_or("text after the name that is not `[module]`")?;
            Some(inner.to_string())
        }
    };
    if fields.next().is_some() {
        return Err("text after the module column");
    }
    Ok(Symbol {
        name: name.to_string(),
        addr,
        kind,
        module,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        type Want = (&'static str, u64, char, Option<&'static str>);
        let ok: &[(&str, Want)] = &[
            (
                "ffffffff81208cf0 t hung_task_panic",
                ("hung_task_panic", 0xffffffff81208cf0, 't', None),
            ),
            (
                "ffffffffc0a01000 t panic_event\t[ipmi_msghandler]",
                (
                    "panic_event",
                    0xffffffffc0a01000,
                    't',
                    Some("ipmi_msghandler"),
                ),
            ),
            (
                "0000000000000000 T hung_task_panic",
                ("hung_task_panic", 0, 'T', None),
            ),
            ("c1000000 T _stext", ("_stext", 0xc1000000, 'T', None)),
            (
                "ffffffff81c8ab73 t .E_copy",
                (".E_copy", 0xffffffff81c8ab73, 't', None),
            ),
        ];
        for (line, (name, addr, kind, module)) in ok {
            // The positional fast path and the general parser agree.
            let general = parse_general(line).unwrap_or_else(|e| panic!("{line}: {e}"));
            if let Some(fast) = parse_canonical(line) {
                assert_eq!(fast, general, "{line}");
            }
            let s = parse_line(line).unwrap_or_else(|e| panic!("{line}: {e}"));
            assert_eq!(
                (s.name.as_str(), s.addr, s.kind, s.module.as_deref()),
                (*name, *addr, *kind, *module),
                "{line}"
            );
        }
        let bad = [
            ("", "empty line"),
            ("ffffffff81208cf0", "no type letter"),
            ("ffffffff81208cf0 t", "no symbol name"),
            ("xyz t foo", "the address is not 1 to 16 hex digits"),
            (
                "1ffffffff81208cf0 t foo",
                "the address is not 1 to 16 hex digits",
            ),
            ("ffffffff81208cf0 tt foo", "the type is not one letter"),
            (
                "ffffffff81208cf0 t foo bar",
                "text after the name that is not `[module]`",
            ),
            (
                "ffffffff81208cf0 t foo\t[]",
                "text after the name that is not `[module]`",
            ),
            (
                "ffffffff81208cf0 t foo\t[m] x",
                "text after the module column",
            ),
        ];
        for (line, want) in bad {
            assert_eq!(parse_line(line).err(), Some(want), "{line:?}");
        }
    }

    #[test]
    fn formats_are_detected() {
        let map = b"0000000000000000 D __per_cpu_start\nffffffff81000000 T _stext\n";
        let f = read_kallsyms(map).map_err(|e| e.to_string());
        assert_eq!(
            f.map(|f| (f.format, f.addresses_hidden)),
            Ok((SymbolFormat::SystemMap, false))
        );

        let percpu = b"0000000000000000 A __per_cpu_start\nffffffff81000000 T _stext\n";
        let f = read_kallsyms(percpu).map_err(|e| e.to_string());
        assert_eq!(f.map(|f| f.format), Ok(SymbolFormat::Kallsyms));

        let module = b"ffffffff81000000 T _stext\nffffffffc0001000 t foo\t[bar]\n";
        let f = read_kallsyms(module).map_err(|e| e.to_string());
        assert_eq!(f.map(|f| f.format), Ok(SymbolFormat::Kallsyms));

        let hidden = b"0000000000000000 T _stext\r\n0000000000000000 t foo\r\n";
        let f = read_kallsyms(hidden).map_err(|e| e.to_string());
        assert_eq!(
            f.map(|f| (f.format, f.addresses_hidden)),
            Ok((SymbolFormat::Kallsyms, true))
        );

        let forced = read_kallsyms_as(map, SymbolFormat::Kallsyms).map_err(|e| e.to_string());
        assert_eq!(forced.map(|f| f.format), Ok(SymbolFormat::Kallsyms));
        assert_eq!(
            read_kallsyms_as(module, SymbolFormat::SystemMap).err(),
            Some(SymbolFileError::ModuleColumnInSystemMap { line: 2 })
        );
    }

    #[test]
    fn errors_name_the_line() {
        let long = format!(
            "ffffffff81000000 T _stext\nffffffff81000000 T {}\n",
            "a".repeat(5000)
        );
        let cases: Vec<(Vec<u8>, SymbolFileError)> = vec![
            (b"".to_vec(), SymbolFileError::Empty),
            (b"\n\n  \n".to_vec(), SymbolFileError::Empty),
            (
                b"ffffffff81000000 T _stext\nffffffff81000001 T a\xffb\n".to_vec(),
                SymbolFileError::InvalidUtf8 { line: 2 },
            ),
            (
                long.into_bytes(),
                SymbolFileError::LineTooLong { line: 2, len: 5019 },
            ),
            (
                b"ffffffff81000000 T _stext\n\nnot a symbol line\n".to_vec(),
                SymbolFileError::Malformed {
                    line: 3,
                    reason: "the address is not 1 to 16 hex digits",
                },
            ),
            (b"\x7fELF\x02\x01\x01".to_vec(), SymbolFileError::NotText {
                looks_like: "an ELF file (use the vmlinux reader)",
            }),
            (b"\x1f\x8b\x08\x00".to_vec(), SymbolFileError::NotText {
                looks_like: "gzip-compressed data (decompress it first)",
            }),
            (b"ffffffff81000000 T a\x00b".to_vec(), SymbolFileError::Binary { offset: 20 }),
            (
                b"ffffffffffffffff B The real System.map is in the linux-image-<version>-dbg package\n"
                    .to_vec(),
                SymbolFileError::DebianPlaceholder,
            ),
        ];
        for (input, want) in cases {
            assert_eq!(read_kallsyms(&input).err(), Some(want.clone()), "{want}");
        }
        let msg = SymbolFileError::DebianPlaceholder.to_string();
        assert!(msg.contains("-dbg package"), "{msg}");
        assert!(msg.contains("/usr/lib/debug/boot/System.map-"), "{msg}");
    }

    #[test]
    fn param_names() {
        let map = b"\
ffffffff82a00000 r __param_str_panic_print
ffffffff82a00010 r __param_str_check_on_panic
ffffffff82a00020 r __param_str_debug
ffffffff82a00030 r __param_str_debug
ffffffff82a00040 r __param_str_x.llvm.4242
ffffffff82a00050 d __param_panic_print
ffffffff83000000 d __setup_str_parse_crashkernel_dummy
ffffffff83000010 d __setup_str_warn_bootconfig
ffffffff83000020 d __setup_parse_crashkernel_dummy
";
        let f = read_kallsyms(map).map_err(|e| e.to_string());
        let p = f.map(|f| f.params);
        let Ok(p) = p else { panic!("{p:?}") };
        assert_eq!(
            p.param_idents,
            ["panic_print", "check_on_panic", "debug", "debug", "x"]
        );
        assert_eq!(
            p.setup_handlers,
            ["parse_crashkernel_dummy", "warn_bootconfig"]
        );
        assert!(p.may_have_param("panic_print"));
        assert!(p.may_have_param("panic-print"));
        assert!(p.may_have_param("kfence.check_on_panic"));
        assert!(!p.may_have_param("crashkernel"));
        assert!(!p.may_have_param("kfence."));
    }

    #[test]
    fn kernel_model() {
        let map = b"\
ffffffff81000000 T x86_64_start_kernel
ffffffff81208cf0 t hung_task_panic
ffffffff82a00000 r __param_str_panic_print
";
        let k = kernel_from_system_map(map).map_err(|e| e.to_string());
        let Ok(k) = k else { panic!("{k:?}") };
        assert_eq!(k.source, KernelSource::SystemMap);
        assert_eq!(k.arch, Arch::X86_64);
        assert!(!k.tables_complete);
        assert_eq!(k.params.len(), 1);
        assert_eq!(k.params[0].name, "panic_print");
        assert_eq!(k.params[0].known, Known::SymbolName);
        assert_eq!(k.params[0].ty, ParamType::Unknown);
        assert!(k.setups.is_empty());
        assert!(k.symbols.is_function("hung_task_panic"));
        let k = kernel_from_kallsyms(map).map(|k| k.source);
        assert_eq!(k.ok(), Some(KernelSource::Kallsyms));
    }

    const ROOT: &[u8] = include_bytes!("../../../fixtures/kallsyms/kallsyms-6.12-root.txt");
    const USER: &[u8] = include_bytes!("../../../fixtures/kallsyms/kallsyms-6.12-user.txt");

    #[test]
    fn fixture_root_dump() {
        use crate::symbols::{NotifierNameCheck as C, SymbolOrigin};
        let f = read_kallsyms(ROOT).map_err(|e| e.to_string());
        let Ok(f) = f else { panic!("{f:?}") };
        assert_eq!(f.format, SymbolFormat::Kallsyms);
        assert!(!f.addresses_hidden);
        assert_eq!(f.symbols.len(), 37);
        assert_eq!(f.arch(), Arch::X86_64);
        let t = &f.symbols;
        let origins: Vec<_> = t.symbols().iter().skip(25).map(SymbolOrigin::of).collect();
        assert_eq!(origins[0], SymbolOrigin::Module("ipmi_msghandler"));
        assert_eq!(origins[7], SymbolOrigin::Pseudo("__builtin__ftrace"));
        assert_eq!(origins[8], SymbolOrigin::Bpf);
        assert_eq!(origins[10], SymbolOrigin::Pseudo("__builtin__kprobes"));
        assert!(matches!(
            t.check_notifier_name("hung_task_panic"),
            C::Exists { same_name: 0, .. }
        ));
        assert_eq!(
            t.check_notifier_name("panic_event"),
            C::ModuleOnly {
                module: "ipmi_msghandler"
            }
        );
        assert_eq!(
            t.check_notifier_name("__intel_pmu_enable_all"),
            C::OnlyAsSuffixed {
                names: vec!["__intel_pmu_enable_all.constprop.0"]
            }
        );
        assert!(matches!(
            t.check_notifier_name("panic_notifier_list"),
            C::NotAFunction { kind: 'B', .. }
        ));
        assert!(matches!(
            t.check_notifier_name("kprobe_insn_page"),
            C::Missing { .. }
        ));
        let at = t
            .symbol_at(0xffffffff81208d00)
            .map(|(s, o)| (s.name.as_str(), o));
        assert_eq!(at, Some(("hung_task_panic", 0x10)));
        // Module text resolves too (kallsyms lists where modules live).
        let at = t
            .symbol_at(0xffffffffc0a01020)
            .map(|(s, o)| (s.name.as_str(), o));
        assert_eq!(at, Some(("panic_event", 0x10)));
        assert_eq!(
            f.params.param_idents,
            ["crash_kexec_post_notifiers", "panic_print"]
        );
        assert_eq!(f.params.setup_handlers, ["parse_crashkernel_dummy"]);
    }

    #[test]
    fn fixture_user_dump() {
        let f = read_kallsyms(USER).map_err(|e| e.to_string());
        let Ok(f) = f else { panic!("{f:?}") };
        assert_eq!(f.format, SymbolFormat::Kallsyms);
        assert!(f.addresses_hidden);
        assert_eq!(f.symbols.len(), 37);
        // Names still answer; addresses do not.
        assert!(f.symbols.is_function("hung_task_panic"));
        assert_eq!(f.symbols.symbol_at(0xffffffff81208cf0), None);
        // The same names as the root dump, in the same order.
        let root = read_kallsyms(ROOT).map(|r| r.symbols.into_symbols());
        let names = |v: &[Symbol]| {
            v.iter()
                .map(|s| (s.name.clone(), s.kind))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            root.map(|r| names(&r)).ok(),
            Some(names(f.symbols.symbols()))
        );
    }

    /// Reads a real Debian System.map through the testkit (skips when absent).
    fn real_map(version: &str) -> Option<SymbolFile> {
        let path = panicpol_testkit::real_kernel(version, "System.map")?;
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        Some(read_kallsyms(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
    }

    /// Numbers from reference/real-kernels.md (and `wc -l`, `grep -c`).
    #[test]
    fn real_system_maps() {
        use crate::symbols::NotifierNameCheck as C;
        for (version, lines, params, setups) in
            [("6.1", 87_196, 236, 346), ("6.12", 154_691, 331, 370)]
        {
            let Some(f) = real_map(version) else { continue };
            assert_eq!(f.format, SymbolFormat::SystemMap, "{version}");
            assert!(!f.addresses_hidden, "{version}");
            assert_eq!(f.arch(), Arch::X86_64, "{version}");
            assert_eq!(f.symbols.len(), lines, "{version}");
            assert_eq!(f.params.param_idents.len(), params, "{version}");
            assert_eq!(f.params.setup_handlers.len(), setups, "{version}");
            for p in [
                "crash_kexec_post_notifiers",
                "panic_print",
                "panic",
                "panic_on_warn",
            ] {
                assert!(
                    f.params.param_idents.iter().any(|i| i == p),
                    "{version}: {p}"
                );
            }
            // crashkernel= is a setup string named after its handler.
            assert!(
                f.params
                    .setup_handlers
                    .iter()
                    .any(|h| h == "parse_crashkernel_dummy")
            );
            assert!(
                !f.params.may_have_param("panic_notifier_filter"),
                "{version}"
            );
            assert!(!f.params.may_have_param("panic_sys_info"), "{version}");

            let t = &f.symbols;
            let hung = match t.check_notifier_name("hung_task_panic") {
                C::Exists {
                    function,
                    same_name: 0,
                } => function,
                other => panic!("{version}: {other:?}"),
            };
            assert!(t.is_builtin("hung_task_panic"));
            assert_eq!(
                t.check_notifier_name("hung_task_panik"),
                C::Missing {
                    suggestions: vec!["hung_task_panic"]
                },
                "{version}"
            );
            assert!(matches!(
                t.check_notifier_name("panic_notifier_list"),
                C::NotAFunction { kind: 'B', .. }
            ));
            let at = t
                .symbol_at(hung.addr + 4)
                .map(|(s, o)| (s.name.as_str(), o));
            assert_eq!(at, Some(("hung_task_panic", 4)), "{version}");
        }
    }

    #[test]
    fn real_system_map_6_1_has_cold_parts() {
        use crate::symbols::NotifierNameCheck as C;
        let Some(f) = real_map("6.1") else { return };
        let t = &f.symbols;
        let cold = t
            .symbols()
            .iter()
            .filter(|s| s.name.ends_with(".cold"))
            .count();
        assert_eq!(cold, 2_413);
        // Every `.cold` name checks as a fragment of its function.
        let c = t.symbols().iter().find(|s| s.name.ends_with(".cold"));
        let Some(c) = c else { panic!("no .cold") };
        assert!(matches!(
            t.check_notifier_name(&c.name),
            C::ColdFragment { .. }
        ));
        // 6.1 predates x86 call padding: no __pfx_ symbols.
        assert!(!t.symbols().iter().any(|s| s.name.starts_with("__pfx_")));
    }

    #[test]
    fn real_system_map_6_12_has_prefix_symbols() {
        use crate::symbols::NotifierNameCheck as C;
        let Some(f) = real_map("6.12") else { return };
        let t = &f.symbols;
        assert_eq!(
            t.check_notifier_name("__pfx_hung_task_panic"),
            C::PrefixSymbol {
                function: "hung_task_panic"
            }
        );
        let at = t
            .symbol_at(0xffffffff81208ce0)
            .map(|(s, o)| (s.name.as_str(), o));
        assert_eq!(at, Some(("__pfx_hung_task_panic", 0)));
        // 6.12 has `check_on_panic` (kfence.check_on_panic); 6.1 does not.
        assert!(f.params.may_have_param("kfence.check_on_panic"));
    }

    /// Mutated real-shaped input never panics: every result is a table or an
    /// error. (A deterministic generator stands in for the fuzz target.)
    #[test]
    fn mutated_input_never_panics() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let alphabet = b"0123456789abcdef \t\n\r[]._TtDdBA\xff\x00\x7fELF\xc3";
        for _ in 0..3000 {
            let mut input = ROOT.to_vec();
            for _ in 0..(next() % 8) {
                let at = (next() as usize) % input.len().max(1);
                let b = alphabet[(next() as usize) % alphabet.len()];
                match next() % 3 {
                    0 => input.insert(at, b),
                    1 if !input.is_empty() => {
                        input.remove(at);
                    }
                    _ => {
                        if let Some(c) = input.get_mut(at) {
                            *c = b;
                        }
                    }
                }
            }
            let cut = (next() as usize) % (input.len() + 1);
            input.truncate(cut);
            if let Ok(f) = read_kallsyms(&input) {
                let t = &f.symbols;
                let _ = t.check_notifier_name("hung_task_panik");
                let _ = t.symbol_at(0xffffffff81208cf4);
                let _ = f.into_kernel();
            }
            let _ = crate::config::read_config(&input);
        }
    }
}
