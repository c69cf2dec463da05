//! The symbol table of a kernel build, from any source (vmlinux, System.map,
//! /proc/kallsyms): lookup by exact name, by *base name* (compiler suffixes
//! stripped), by address, the origin of a symbol (vmlinux, module, BPF …),
//! "did you mean" suggestions drawn from the table's own function names, and
//! the check of a name given to `panic_notifier_filter=`.
//!
//! The name index is built once, in [`SymbolTable::new`], in time linear in
//! the number of symbols (one hash table, no per-symbol allocation), so that a
//! 190k-symbol kernel is indexed in milliseconds; the address order and the
//! suggestion list are built on their first use.

use std::hash::{BuildHasher, RandomState};
use std::sync::OnceLock;

use crate::model::Symbol;

/// Marks an empty hash slot and the end of a same-name chain.
const NONE: u32 = u32::MAX;

/// The longest name a kernel can hold (`KSYM_NAME_LEN` 512 in
/// include/linux/kallsyms.h, NUL included). Suggestions for longer queries are
/// pointless, and refusing them bounds the edit-distance work.
const KSYM_NAME_LEN: usize = 512;

/// How many "did you mean" suggestions are returned at most.
const MAX_SUGGESTIONS: usize = 3;

/// GCC clone suffixes followed by a number: `foo.constprop.0`, `foo.isra.0`,
/// `foo.part.0`, `foo.cold.1` (older GCC numbered its cold parts), and GCC
/// LTO's `foo.lto_priv.0`.
const NUMBERED_SUFFIXES: [&str; 5] = ["constprop", "isra", "part", "cold", "lto_priv"];

/// x86 call-padding prefix symbols (objtool, `CONFIG_CALL_PADDING`): 16 bytes
/// of padding before the function, never its entry point.
const PFX: &str = "__pfx_";
/// Clang kCFI / FineIBT preamble symbols, likewise before the function.
const CFI: &str = "__cfi_";

// Per-symbol class bits, computed once in `SymbolTable::new`.
const F_FUNCTION: u8 = 1;
const F_PREFIX: u8 = 2;
const F_COLD: u8 = 4;
const F_VMLINUX: u8 = 8;
const F_MODULE: u8 = 16;

/// The name without the compiler's clone and promotion suffixes:
/// `.cold`, `.constprop.N`, `.isra.N`, `.part.N`, `.lto_priv.N`,
/// `.llvm.<alnum>` and LLVM/GCC local `.<hex>` suffixes, in any combination
/// (`foo.constprop.0.isra.0` → `foo`). A name that starts with `.` (assembler
/// labels such as `.E_copy`) is its own base name; so is anything whose last
/// component is not a known suffix.
///
/// The base name is always a prefix of the name.
pub fn base_name(name: &str) -> &str {
    split_suffixes(name).0
}

/// Strips the suffixes and says whether one of them marked a `.cold` part.
fn split_suffixes(name: &str) -> (&str, bool) {
    let mut cur = name;
    let mut cold = false;
    while let Some((head, tail)) = split_last_dot(cur) {
        if head.is_empty() || tail.is_empty() {
            break;
        }
        let mut next = None;
        if tail == "cold" {
            cold = true;
            next = Some(head);
        } else if tail.bytes().all(|b| b.is_ascii_digit()) {
            if let Some((h2, kind)) = split_last_dot(head) {
                if !h2.is_empty() && NUMBERED_SUFFIXES.contains(&kind) {
                    cold |= kind == "cold";
                    next = Some(h2);
                }
            }
        }
        if next.is_none() && tail.bytes().all(|b| b.is_ascii_alphanumeric()) {
            // `.llvm.` is followed by a decimal or hex hash (ThinLTO promotion).
            if let Some((h2, "llvm")) = split_last_dot(head) {
                if !h2.is_empty() {
                    next = Some(h2);
                }
            }
        }
        if next.is_none() && tail.bytes().all(|b| b.is_ascii_hexdigit()) {
            // GCC numbers function-local statics (`__key.0`), LLVM appends a
            // hex hash to locals; neither is part of the C name.
            next = Some(head);
        }
        match next {
            Some(n) => cur = n,
            None => break,
        }
    }
    (cur, cold)
}

/// The `F_*` bits of a symbol.
fn classify(s: &Symbol, cold: bool) -> u8 {
    let mut f = 0;
    if s.is_function() {
        f |= F_FUNCTION;
    }
    if is_prefix_symbol(&s.name) {
        f |= F_PREFIX;
    }
    if cold {
        f |= F_COLD;
    }
    match SymbolOrigin::of(s) {
        SymbolOrigin::Vmlinux => f | F_VMLINUX,
        SymbolOrigin::Module(_) => f | F_MODULE,
        SymbolOrigin::Bpf | SymbolOrigin::Pseudo(_) => f,
    }
}

/// `rsplit_once('.')` by a plain byte loop: names are short, and the
/// library's memrchr costs more to set up than it saves on them (it showed
/// as 9% of reading a System.map).
fn split_last_dot(s: &str) -> Option<(&str, &str)> {
    let dot = s.bytes().rposition(|b| b == b'.')?;
    Some((s.get(..dot)?, s.get(dot + 1..)?))
}

/// Whether the name is a `__pfx_`/`__cfi_` symbol: padding or a CFI preamble
/// before a function, never a function's entry point.
pub fn is_prefix_symbol(name: &str) -> bool {
    name.starts_with(PFX) || name.starts_with(CFI)
}

/// The function a `__pfx_`/`__cfi_` symbol precedes (`__pfx_foo` → `foo`).
pub fn prefix_target(name: &str) -> Option<&str> {
    name.strip_prefix(PFX).or_else(|| name.strip_prefix(CFI))
}

/// Where a symbol's code or data lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SymbolOrigin<'a> {
    /// Built into the kernel image (no module column).
    Vmlinux,
    /// A loadable module (`[name]` in /proc/kallsyms).
    Module(&'a str),
    /// A JIT-compiled BPF program (`[bpf]`).
    Bpf,
    /// Kernel pages listed under a pseudo-module name although they are not a
    /// module: `[__builtin__ftrace]` (ftrace trampolines) and
    /// `[__builtin__kprobes]` (kprobe instruction pages), kernel/kallsyms.c.
    Pseudo(&'a str),
}

impl SymbolOrigin<'_> {
    /// The origin of one symbol, from its module column.
    pub fn of(sym: &Symbol) -> SymbolOrigin<'_> {
        match sym.module.as_deref() {
            None => SymbolOrigin::Vmlinux,
            Some("bpf") => SymbolOrigin::Bpf,
            Some(m) if m.starts_with("__builtin__") => SymbolOrigin::Pseudo(m),
            Some(m) => SymbolOrigin::Module(m),
        }
    }
}

/// What a name given as a `panic_notifier_filter=` entry refers to in this
/// kernel. The filter patches resolve each entry with `kallsyms_lookup_name()`
/// (an exact `strcmp` over vmlinux names, then loaded modules) and compare the
/// address with each panic notifier's `notifier_call`, at registration time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotifierNameCheck<'a> {
    /// A built-in function with exactly this name.
    Exists {
        /// The function (the first one, when several share the name).
        function: &'a Symbol,
        /// How many *other* built-in functions have the same name (static
        /// functions in different files): the kernel resolves the name to one
        /// address only, so the others cannot be selected.
        same_name: usize,
    },
    /// The name exists but is not code (e.g. `panic_notifier_list`, a `B`).
    NotAFunction {
        /// The symbol with that name.
        symbol: &'a Symbol,
        /// Its nm type letter.
        kind: char,
    },
    /// Only a loadable module has a function with this name: at boot, when the
    /// early parameter is parsed, no module is loaded, so it resolves nowhere.
    ModuleOnly {
        /// The module (the first one, when several have it).
        module: &'a str,
    },
    /// No symbol has exactly this name, but compiler clones of it exist
    /// (`foo.constprop.0`, `foo.isra.0`, `foo.llvm.123`): the exact lookup will
    /// not find `foo`.
    OnlyAsSuffixed {
        /// The real names, in table order.
        names: Vec<&'a str>,
    },
    /// A `__pfx_`/`__cfi_` symbol: padding before a function, never an entry
    /// point, so it never equals a `notifier_call`.
    PrefixSymbol {
        /// The function it precedes (the name without the prefix).
        function: &'a str,
    },
    /// A `.cold` part of a function, split out by GCC: code, but never an
    /// entry point.
    ColdFragment {
        /// The function it belongs to (its base name).
        function: &'a str,
    },
    /// Nothing with this name.
    Missing {
        /// Close built-in function names, best first (at most a few).
        suggestions: Vec<&'a str>,
    },
}

/// One "did you mean" candidate: a distinct base name of a built-in function,
/// with what the cheap pre-filters need.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    /// A symbol whose base name this is.
    sym: u32,
    /// Length of the base name in characters.
    len: u32,
    /// Which character classes occur in it (see `char_mask`).
    mask: u64,
}

/// One distinct string of the index: a name, a base name, or both. Its text
/// is `symbols[rep].name[..len]` (a base name is a prefix of its name).
#[derive(Debug, Clone, Copy)]
struct Key {
    rep: u32,
    len: u32,
    /// First symbol with exactly this name (`NONE` if none).
    exact: u32,
    /// First symbol with this base name (`NONE` if none).
    base: u32,
}

/// An open-addressing hash index over every distinct name and base name, with
/// two chains per key: symbols of that exact name, and symbols of that base
/// name, each in table order. Most names are their own base name, so one
/// probe serves both chains.
///
/// Each slot packs the upper 32 bits of the hash with the key number, so
/// probing past other names compares integers and never touches the symbols
/// (a cache miss per step on 190k names).
#[derive(Debug, Clone, Default)]
struct NameIndex {
    slots: Vec<u64>,
    keys: Vec<Key>,
    next_exact: Vec<u32>,
    next_base: Vec<u32>,
}

/// An empty slot.
const EMPTY: u64 = u64::MAX;
/// The hash bits kept in a slot.
const TAG: u64 = !(u32::MAX as u64);

impl NameIndex {
    /// Indexes the first `n` symbols under their name and their base name,
    /// and classifies each one (base name length, `F_*` bits) in the same
    /// pass: every name is touched once, while it is in cache.
    fn build(symbols: &[Symbol], n: u32, hasher: &RandomState) -> (NameIndex, Vec<u32>, Vec<u8>) {
        // Room for every name plus one suffixed name in eight at half load;
        // more suffixed names than that retry with a bigger table (at 4n
        // slots the 2n keys always fit).
        let n_us = n as usize;
        let mut cap = (n_us + n_us / 8)
            .saturating_mul(2)
            .max(16)
            .next_power_of_two();
        loop {
            if let Some(built) = Self::try_build(symbols, n, hasher, cap) {
                return built;
            }
            cap = cap.saturating_mul(2);
        }
    }

    /// One attempt of [`NameIndex::build`]; `None` when the table gets more
    /// than 5/8 full.
    fn try_build(
        symbols: &[Symbol],
        n: u32,
        hasher: &RandomState,
        cap: usize,
    ) -> Option<(NameIndex, Vec<u32>, Vec<u8>)> {
        let limit = cap / 8 * 5;
        let mut ix = NameIndex {
            slots: vec![EMPTY; cap],
            keys: Vec::with_capacity((n as usize).min(limit)),
            next_exact: vec![NONE; n as usize],
            next_base: vec![NONE; n as usize],
        };
        let mut base_len = vec![0u32; n as usize];
        let mut flags = vec![0u8; n as usize];
        // Inserting from the last symbol to the first and pushing each one in
        // front of its chains leaves every chain in table order.
        for i in (0..n).rev() {
            let Some(sym) = symbols.get(i as usize) else {
                continue;
            };
            let name = sym.name.as_str();
            let (base, cold) = split_suffixes(name);
            if let Some(l) = base_len.get_mut(i as usize) {
                *l = u32::try_from(base.len()).unwrap_or(u32::MAX);
            }
            if let Some(f) = flags.get_mut(i as usize) {
                *f = classify(sym, cold);
            }
            if ix.keys.len() + 2 > limit {
                return None;
            }
            let k = ix.find_or_insert(symbols, name, hasher.hash_one(name), i);
            let kb = if base.len() != name.len() {
                ix.find_or_insert(symbols, base, hasher.hash_one(base), i)
            } else {
                k
            };
            if let Some(key) = ix.keys.get_mut(k as usize) {
                if let Some(nx) = ix.next_exact.get_mut(i as usize) {
                    *nx = key.exact;
                }
                key.exact = i;
            }
            if let Some(key) = ix.keys.get_mut(kb as usize) {
                if let Some(nx) = ix.next_base.get_mut(i as usize) {
                    *nx = key.base;
                }
                key.base = i;
            }
        }
        Some((ix, base_len, flags))
    }

    /// The text of a key.
    fn key_text<'s>(symbols: &'s [Symbol], key: &Key) -> &'s str {
        let name = symbols
            .get(key.rep as usize)
            .map_or("", |s| s.name.as_str());
        name.get(..key.len as usize).unwrap_or(name)
    }

    /// The key number of `text`, added (represented by symbol `rep`) if new.
    fn find_or_insert(&mut self, symbols: &[Symbol], text: &str, h: u64, rep: u32) -> u32 {
        let mask = self.slots.len() - 1;
        let mut pos = (h as usize) & mask;
        // The table is at most half full, so a free slot ends every probe.
        while let Some(slot) = self.slots.get_mut(pos) {
            if *slot == EMPTY {
                let k = u32::try_from(self.keys.len()).unwrap_or(NONE);
                *slot = (h & TAG) | u64::from(k);
                self.keys.push(Key {
                    rep,
                    len: u32::try_from(text.len()).unwrap_or(u32::MAX),
                    exact: NONE,
                    base: NONE,
                });
                return k;
            }
            let k = *slot as u32;
            if *slot & TAG == h & TAG
                && self
                    .keys
                    .get(k as usize)
                    .is_some_and(|key| Self::key_text(symbols, key) == text)
            {
                return k;
            }
            pos = (pos + 1) & mask;
        }
        NONE
    }

    /// The key for `text`, if indexed.
    fn find(&self, symbols: &[Symbol], hasher: &RandomState, text: &str) -> Option<&Key> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let h = hasher.hash_one(text);
        let mut pos = (h as usize) & mask;
        loop {
            let slot = *self.slots.get(pos)?;
            if slot == EMPTY {
                return None;
            }
            if slot & TAG == h & TAG {
                let key = self.keys.get(slot as u32 as usize)?;
                if Self::key_text(symbols, key) == text {
                    return Some(key);
                }
            }
            pos = (pos + 1) & mask;
        }
    }
}

/// All symbols of one kernel (and of its modules, for kallsyms), indexed.
///
/// Build it with [`SymbolTable::new`] (or `From<Vec<Symbol>>`); the symbols
/// keep the order of the source.
#[derive(Clone, Default)]
pub struct SymbolTable {
    symbols: Vec<Symbol>,
    /// Byte length of each symbol's base name (a prefix of its name).
    base_len: Vec<u32>,
    /// `F_*` bits of each symbol.
    flags: Vec<u8>,
    index: NameIndex,
    /// Indexes of text symbols with a visible address, sorted by address
    /// (entry points before prefix/cold symbols and globals before locals at
    /// the same address). Built on the first address lookup: reading a file
    /// should not pay for queries it may never make.
    by_addr: OnceLock<Vec<u32>>,
    /// Distinct base names of built-in function entry points, built on the
    /// first "did you mean" query.
    candidates: OnceLock<Vec<Candidate>>,
    hasher: RandomState,
}

impl std::fmt::Debug for SymbolTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // 190k symbols are no debugging aid; the counts are.
        f.debug_struct("SymbolTable")
            .field("symbols", &self.symbols.len())
            .field("names", &self.index.keys.len())
            .finish()
    }
}

impl From<Vec<Symbol>> for SymbolTable {
    fn from(symbols: Vec<Symbol>) -> SymbolTable {
        SymbolTable::new(symbols)
    }
}

impl SymbolTable {
    /// Indexes the symbols. Only the first `u32::MAX - 1` symbols are indexed
    /// (a kernel has a few hundred thousand).
    pub fn new(symbols: Vec<Symbol>) -> SymbolTable {
        let n = u32::try_from(symbols.len())
            .unwrap_or(NONE - 1)
            .min(NONE - 1);
        let hasher = RandomState::new();
        let (index, base_len, flags) = NameIndex::build(&symbols, n, &hasher);

        SymbolTable {
            symbols,
            base_len,
            flags,
            index,
            by_addr: OnceLock::new(),
            candidates: OnceLock::new(),
            hasher,
        }
    }

    fn by_addr(&self) -> &[u32] {
        self.by_addr.get_or_init(|| {
            let symbols = &self.symbols;
            let n = self.flags.len() as u32;
            let mut by_addr: Vec<u32> = (0..n)
                .filter(|&i| {
                    symbols
                        .get(i as usize)
                        .is_some_and(|s| s.addr != 0 && s.is_function())
                })
                .collect();
            let rank = |i: u32| {
                let upper = symbols
                    .get(i as usize)
                    .is_some_and(|s| s.kind.is_ascii_uppercase());
                (self.flags_at(i) & (F_PREFIX | F_COLD) != 0, !upper)
            };
            let addr_of = |i: u32| symbols.get(i as usize).map_or(0, |s| s.addr);
            // System.map and the vmlinux part of kallsyms come sorted; check
            // before paying for a sort.
            if !by_addr
                .windows(2)
                .all(|w| matches!(w, [a, b] if addr_of(*a) < addr_of(*b)))
            {
                by_addr.sort_by_key(|&i| (addr_of(i), rank(i)));
            }
            by_addr
        })
    }

    fn candidates(&self) -> &[Candidate] {
        self.candidates.get_or_init(|| {
            // One candidate per distinct base name: the first built-in entry
            // point in its chain.
            let is_candidate = |i: u32| {
                self.flags_at(i) & (F_FUNCTION | F_VMLINUX | F_PREFIX | F_COLD)
                    == F_FUNCTION | F_VMLINUX
            };
            let mut candidates = Vec::new();
            for key in &self.index.keys {
                let mut i = key.base;
                while i != NONE && !is_candidate(i) {
                    i = self
                        .index
                        .next_base
                        .get(i as usize)
                        .copied()
                        .unwrap_or(NONE);
                }
                if i != NONE {
                    let b = NameIndex::key_text(&self.symbols, key);
                    candidates.push(Candidate {
                        sym: i,
                        len: char_len(b),
                        mask: char_mask(b),
                    });
                }
            }
            candidates
        })
    }

    /// The symbols, in the order of the source.
    pub fn symbols(&self) -> &[Symbol] {
        &self.symbols
    }

    /// Gives the symbols back.
    pub fn into_symbols(self) -> Vec<Symbol> {
        self.symbols
    }

    /// Number of symbols.
    pub fn len(&self) -> usize {
        self.symbols.len()
    }

    /// Whether there are no symbols.
    pub fn is_empty(&self) -> bool {
        self.symbols.is_empty()
    }

    /// Whether every address is zero (a /proc/kallsyms read without the right
    /// to see addresses: kptr_restrict, `kallsyms_show_value()`).
    pub fn addresses_hidden(&self) -> bool {
        !self.symbols.is_empty() && self.symbols.iter().all(|s| s.addr == 0)
    }

    fn name_at(&self, i: u32) -> &str {
        self.symbols.get(i as usize).map_or("", |s| s.name.as_str())
    }

    fn base_at(&self, i: u32) -> &str {
        let s = self.name_at(i);
        let l = self.base_len.get(i as usize).map_or(0, |&l| l as usize);
        s.get(..l).unwrap_or(s)
    }

    fn flags_at(&self, i: u32) -> u8 {
        self.flags.get(i as usize).copied().unwrap_or(0)
    }

    fn chain<'t>(&'t self, head: u32, next: &'t [u32]) -> impl Iterator<Item = u32> + 't {
        std::iter::successors((head != NONE).then_some(head), move |&i| {
            next.get(i as usize).copied().filter(|&n| n != NONE)
        })
    }

    fn exact_indexes<'t>(&'t self, name: &str) -> impl Iterator<Item = u32> + 't {
        let head = self
            .index
            .find(&self.symbols, &self.hasher, name)
            .map_or(NONE, |k| k.exact);
        self.chain(head, &self.index.next_exact)
    }

    fn base_indexes<'t>(&'t self, base: &str) -> impl Iterator<Item = u32> + 't {
        let head = self
            .index
            .find(&self.symbols, &self.hasher, base)
            .map_or(NONE, |k| k.base);
        self.chain(head, &self.index.next_base)
    }

    /// Every symbol with exactly this name, in table order (static symbols of
    /// different files may share a name).
    pub fn get<'t>(&'t self, name: &str) -> impl Iterator<Item = &'t Symbol> + 't {
        self.exact_indexes(name)
            .filter_map(|i| self.symbols.get(i as usize))
    }

    /// Every symbol whose [`base_name`] is `base` (`foo`, `foo.constprop.0`,
    /// `foo.cold` … but not `__pfx_foo`), in table order.
    pub fn by_base_name<'t>(&'t self, base: &str) -> impl Iterator<Item = &'t Symbol> + 't {
        self.base_indexes(base)
            .filter_map(|i| self.symbols.get(i as usize))
    }

    fn is_entry(&self, i: u32) -> bool {
        self.flags_at(i) & (F_FUNCTION | F_PREFIX | F_COLD) == F_FUNCTION
    }

    /// The first function entry point with exactly this name (built-in or
    /// module): a text symbol that is neither a `__pfx_`/`__cfi_` symbol nor a
    /// `.cold` part.
    pub fn function(&self, name: &str) -> Option<&Symbol> {
        self.exact_indexes(name)
            .find(|&i| self.is_entry(i))
            .and_then(|i| self.symbols.get(i as usize))
    }

    /// Whether a function entry point has exactly this name.
    pub fn is_function(&self, name: &str) -> bool {
        self.function(name).is_some()
    }

    /// Whether a built-in (vmlinux) symbol has exactly this name.
    pub fn is_builtin(&self, name: &str) -> bool {
        self.exact_indexes(name)
            .any(|i| self.flags_at(i) & F_VMLINUX != 0)
    }

    /// The text symbol at or before `addr` and the offset into it, as the
    /// kernel's `%pS` prints it. Sizes are unknown to System.map and kallsyms,
    /// so an address past the end of the last function still resolves to it.
    /// `None` below the first function or when addresses are hidden.
    pub fn symbol_at(&self, addr: u64) -> Option<(&Symbol, u64)> {
        let addr_of = |i: u32| self.symbols.get(i as usize).map_or(0, |s| s.addr);
        let by_addr = self.by_addr();
        let after = by_addr.partition_point(|&i| addr_of(i) <= addr);
        let found = addr_of(*by_addr.get(after.checked_sub(1)?)?);
        // Several symbols can share an address (aliases): take the best-ranked.
        let first = by_addr.partition_point(|&i| addr_of(i) < found);
        let sym = self.symbols.get(*by_addr.get(first)? as usize)?;
        Some((sym, addr - found))
    }

    /// Up to three built-in function names close to `name` (its base name),
    /// best first: smallest edit distance (optimal string alignment, so a
    /// swapped pair counts as one edit), then the longest common prefix, then
    /// alphabetical. The allowed distance grows with the length (a quarter of
    /// it, between 1 and 4), so short names only match near-twins; names more
    /// than one edit worse than the best are dropped.
    pub fn did_you_mean(&self, name: &str) -> Vec<&str> {
        let q = base_name(name);
        let qlen = char_len(q) as usize;
        if qlen == 0 || q.len() >= KSYM_NAME_LEN {
            return Vec::new();
        }
        let max = (qlen / 4).clamp(1, 4);
        let qmask = char_mask(q);
        let mut hits: Vec<(usize, std::cmp::Reverse<usize>, &str)> = Vec::new();
        for c in self.candidates() {
            if (c.len as usize).abs_diff(qlen) > max {
                continue;
            }
            // Each character class present on one side only costs at least
            // one edit: a cheap lower bound that skips most candidates.
            let lower = (qmask & !c.mask)
                .count_ones()
                .max((c.mask & !qmask).count_ones());
            if lower as usize > max {
                continue;
            }
            let cand = self.base_at(c.sym);
            if cand == q {
                continue;
            }
            let d = strsim::osa_distance(q, cand);
            if d <= max {
                let common = q
                    .bytes()
                    .zip(cand.bytes())
                    .take_while(|(a, b)| a == b)
                    .count();
                hits.push((d, std::cmp::Reverse(common), cand));
            }
        }
        hits.sort_unstable();
        // Once a close name is found, far ones are noise: keep those at most
        // one edit worse than the best.
        let best = hits.first().map_or(0, |h| h.0);
        hits.into_iter()
            .take_while(|h| h.0 <= best + 1)
            .take(MAX_SUGGESTIONS)
            .map(|h| h.2)
            .collect()
    }

    /// What `name`, given as a `panic_notifier_filter=` entry, refers to.
    /// Pseudo-module symbols (`[bpf]`, `[__builtin__ftrace]` …) are invisible
    /// here, as they are to `kallsyms_lookup_name()`.
    pub fn check_notifier_name<'a>(&'a self, name: &'a str) -> NotifierNameCheck<'a> {
        if let Some(function) = prefix_target(name) {
            return NotifierNameCheck::PrefixSymbol { function };
        }
        let mut builtin_fn: Option<(u32, usize)> = None;
        let mut module_fn: Option<&str> = None;
        let mut cold: Option<u32> = None;
        let mut other: Option<u32> = None;
        for i in self.exact_indexes(name) {
            let f = self.flags_at(i);
            if f & (F_VMLINUX | F_MODULE) == 0 {
                continue;
            }
            if f & F_FUNCTION == 0 {
                other.get_or_insert(i);
            } else if f & F_COLD != 0 {
                cold.get_or_insert(i);
            } else if f & F_VMLINUX != 0 {
                match &mut builtin_fn {
                    Some((_, same)) => *same += 1,
                    None => builtin_fn = Some((i, 0)),
                }
            } else if module_fn.is_none() {
                module_fn = self
                    .symbols
                    .get(i as usize)
                    .and_then(|s| s.module.as_deref());
            }
        }
        if let Some((i, same_name)) = builtin_fn {
            if let Some(function) = self.symbols.get(i as usize) {
                return NotifierNameCheck::Exists {
                    function,
                    same_name,
                };
            }
        }
        if let Some(module) = module_fn {
            return NotifierNameCheck::ModuleOnly { module };
        }
        if let Some(i) = cold {
            return NotifierNameCheck::ColdFragment {
                function: self.base_at(i),
            };
        }
        if let Some(symbol) = other.and_then(|i| self.symbols.get(i as usize)) {
            return NotifierNameCheck::NotAFunction {
                symbol,
                kind: symbol.kind,
            };
        }
        let base = base_name(name);
        let clones: Vec<&str> = self
            .base_indexes(base)
            .filter(|&i| self.is_entry(i) && self.flags_at(i) & F_VMLINUX != 0)
            .map(|i| self.name_at(i))
            .collect();
        if base == name && !clones.is_empty() {
            return NotifierNameCheck::OnlyAsSuffixed { names: clones };
        }
        // A suffixed name that does not exist: its own clones (or the plain
        // function) are the best suggestions, then the edit-distance ones.
        let mut suggestions = clones;
        suggestions.truncate(MAX_SUGGESTIONS);
        for s in self.did_you_mean(name) {
            if suggestions.len() >= MAX_SUGGESTIONS {
                break;
            }
            if !suggestions.contains(&s) {
                suggestions.push(s);
            }
        }
        NotifierNameCheck::Missing { suggestions }
    }
}

/// Length in characters (kernel names are ASCII: skip the decoding then).
fn char_len(s: &str) -> u32 {
    let n = if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    };
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A 64-bit set of the character classes in `s`: one bit per lower-case
/// letter, digit, upper-case letter, `_`, and one shared bit for anything else.
/// Because it is a function of the character, "a class present on one side
/// only" is a valid lower bound of the edit distance.
fn char_mask(s: &str) -> u64 {
    s.chars().fold(0u64, |m, c| {
        let bit = match c {
            'a'..='z' => c as u32 - 'a' as u32,
            '0'..='9' => 26 + (c as u32 - '0' as u32),
            '_' => 36,
            'A'..='Z' => 38 + (c as u32 - 'A' as u32),
            _ => 37,
        };
        m | (1u64 << bit)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sym(name: &str, addr: u64, kind: char, module: Option<&str>) -> Symbol {
        Symbol {
            name: name.to_string(),
            addr,
            kind,
            module: module.map(str::to_string),
        }
    }

    #[test]
    fn base_names() {
        let cases = [
            ("foo", "foo"),
            ("foo.cold", "foo"),
            ("foo.cold.12", "foo"),
            ("foo.constprop.0", "foo"),
            ("foo.isra.3", "foo"),
            ("foo.part.10", "foo"),
            ("foo.lto_priv.0", "foo"),
            ("foo.constprop.0.isra.0", "foo"),
            ("foo.part.0.constprop.0", "foo"),
            ("foo.constprop.0.isra.0.cold", "foo"),
            ("foo.isra.0.cold", "foo"),
            ("foo.llvm.1234567890123", "foo"),
            ("foo.llvm.9f3a2b", "foo"),
            ("__key.0", "__key"),
            ("foo.3f2a", "foo"),
            // Not suffixes: kept.
            (".E_copy", ".E_copy"),
            (".slowpath", ".slowpath"),
            (".123", ".123"),
            ("foo.", "foo."),
            ("foo.constprop", "foo.constprop"),
            ("foo.isra.x1", "foo.isra.x1"),
            ("foo.slowpath", "foo.slowpath"),
            ("__pfx_foo.constprop.0", "__pfx_foo"),
            ("", ""),
        ];
        for (name, want) in cases {
            assert_eq!(base_name(name), want, "{name}");
        }
    }

    #[test]
    fn cold_is_detected_in_any_position() {
        for (name, cold) in [
            ("foo.cold", true),
            ("foo.cold.3", true),
            ("foo.constprop.0.cold", true),
            ("foo.constprop.0", false),
            ("coldfoo", false),
        ] {
            assert_eq!(split_suffixes(name).1, cold, "{name}");
        }
    }

    #[test]
    fn prefixes() {
        assert!(is_prefix_symbol("__pfx_hung_task_panic"));
        assert!(is_prefix_symbol("__cfi_hung_task_panic"));
        assert!(!is_prefix_symbol("hung_task_panic"));
        assert_eq!(prefix_target("__pfx_foo"), Some("foo"));
        assert_eq!(prefix_target("__cfi_foo"), Some("foo"));
        assert_eq!(prefix_target("foo"), None);
    }

    fn table() -> SymbolTable {
        SymbolTable::new(vec![
            sym("__pfx_hung_task_panic", 0xffffffff81208ce0, 't', None),
            sym("hung_task_panic", 0xffffffff81208cf0, 't', None),
            sym("panic_notifier_list", 0xffffffff8372e1f0, 'B', None),
            sym("show_mem", 0xffffffff81300000, 'T', None),
            sym("__show_mem", 0xffffffff81300000, 't', None),
            sym("dup", 0xffffffff81400000, 't', None),
            sym("dup", 0xffffffff81500000, 't', None),
            sym("clone_me.constprop.0", 0xffffffff81600000, 't', None),
            sym("clone_me.isra.0", 0xffffffff81610000, 't', None),
            sym("split.cold", 0xffffffff81700000, 't', None),
            sym("plain", 0xffffffff81800000, 'T', None),
            sym("plain.cold", 0xffffffff81810000, 't', None),
            sym(
                "panic_event",
                0xffffffffc0a01000,
                't',
                Some("ipmi_msghandler"),
            ),
            sym(
                "bpf_prog_6deef7357e7b4530_sd_fw",
                0xffffffffc0002000,
                't',
                Some("bpf"),
            ),
            sym(
                "ftrace_trampoline",
                0xffffffffc0003000,
                't',
                Some("__builtin__ftrace"),
            ),
            sym("panic_print", 0xffffffff83000000, 'D', None),
        ])
    }

    #[test]
    fn exact_and_base_lookup() {
        let t = table();
        assert_eq!(t.len(), 16);
        assert_eq!(t.get("dup").count(), 2);
        assert_eq!(
            t.get("dup").map(|s| s.addr).collect::<Vec<_>>(),
            [0xffffffff81400000, 0xffffffff81500000]
        );
        assert_eq!(t.get("nope").count(), 0);
        let base: Vec<_> = t
            .by_base_name("clone_me")
            .map(|s| s.name.as_str())
            .collect();
        assert_eq!(base, ["clone_me.constprop.0", "clone_me.isra.0"]);
        let base: Vec<_> = t.by_base_name("plain").map(|s| s.name.as_str()).collect();
        assert_eq!(base, ["plain", "plain.cold"]);
        // A prefix symbol is not found under the function's base name.
        let base: Vec<_> = t
            .by_base_name("hung_task_panic")
            .map(|s| s.name.as_str())
            .collect();
        assert_eq!(base, ["hung_task_panic"]);
    }

    #[test]
    fn function_and_builtin() {
        let t = table();
        assert!(t.is_function("hung_task_panic"));
        assert!(!t.is_function("__pfx_hung_task_panic"));
        assert!(!t.is_function("split.cold"));
        assert!(!t.is_function("panic_notifier_list"));
        assert!(t.is_builtin("panic_notifier_list"));
        assert!(t.is_function("panic_event"));
        assert!(!t.is_builtin("panic_event"));
        assert!(!t.is_builtin("ftrace_trampoline"));
    }

    #[test]
    fn origins() {
        let t = table();
        let origin = |n: &str| t.get(n).next().map(SymbolOrigin::of);
        assert_eq!(origin("show_mem"), Some(SymbolOrigin::Vmlinux));
        assert_eq!(
            origin("panic_event"),
            Some(SymbolOrigin::Module("ipmi_msghandler"))
        );
        assert_eq!(
            origin("bpf_prog_6deef7357e7b4530_sd_fw"),
            Some(SymbolOrigin::Bpf)
        );
        assert_eq!(
            origin("ftrace_trampoline"),
            Some(SymbolOrigin::Pseudo("__builtin__ftrace"))
        );
    }

    #[test]
    fn by_address() {
        let t = table();
        let at = |a: u64| t.symbol_at(a).map(|(s, off)| (s.name.as_str(), off));
        assert_eq!(at(0xffffffff81208cf0), Some(("hung_task_panic", 0)));
        assert_eq!(at(0xffffffff81208cf4), Some(("hung_task_panic", 4)));
        assert_eq!(at(0xffffffff81208ce8), Some(("__pfx_hung_task_panic", 8)));
        // Aliases at one address: the global one.
        assert_eq!(at(0xffffffff81300010), Some(("show_mem", 0x10)));
        assert_eq!(at(0xffffffff81000000), None);
        // Data symbols are skipped: the nearest text symbol before it wins.
        assert_eq!(
            at(0xffffffff8372e1f0),
            Some(("plain.cold", 0x8372e1f0 - 0x81810000))
        );
    }

    #[test]
    fn hidden_addresses() {
        let t = SymbolTable::new(vec![sym("a", 0, 'T', None), sym("b", 0, 't', Some("m"))]);
        assert!(t.addresses_hidden());
        assert_eq!(t.symbol_at(0), None);
        assert!(!table().addresses_hidden());
        assert!(!SymbolTable::default().addresses_hidden());
    }

    #[test]
    fn suggestions() {
        let t = table();
        assert_eq!(t.did_you_mean("hung_task_panik"), ["hung_task_panic"]);
        assert_eq!(t.did_you_mean("hung_tsak_panic"), ["hung_task_panic"]);
        assert_eq!(t.did_you_mean("show_mme"), ["show_mem"]);
        // Module functions, data and pseudo-modules are never suggested.
        assert!(t.did_you_mean("panic_evnt").is_empty());
        assert!(t.did_you_mean("panic_notifier_lst").is_empty());
        assert!(t.did_you_mean("").is_empty());
        assert!(t.did_you_mean("zzzzzzzzzzzzzzzzzz").is_empty());
        assert!(t.did_you_mean(&"a".repeat(5000)).is_empty());
        // The clones are offered under their base name, once.
        assert_eq!(t.did_you_mean("clone_mee"), ["clone_me"]);
    }

    #[test]
    fn suggestions_prefer_distance_then_common_prefix() {
        let t = SymbolTable::new(vec![
            sym("panic_a", 1, 'T', None),
            sym("xanic_b", 2, 'T', None),
            sym("panic_bb", 3, 'T', None),
            sym("panic_b", 4, 'T', None),
        ]);
        // "panic_c": distance 1 to panic_a, panic_b (prefix 6) and not to xanic_b (2).
        assert_eq!(t.did_you_mean("panic_c"), ["panic_a", "panic_b"]);
        // Equal distances: the longer common prefix first ("xanic_b" shares
        // "x"), then the farther name.
        assert_eq!(
            t.did_you_mean("xpanic_b"),
            ["xanic_b", "panic_b", "panic_a"]
        );
        // A name is not suggested for itself.
        assert_eq!(
            t.did_you_mean("panic_b"),
            ["panic_bb", "panic_a", "xanic_b"]
        );
    }

    #[test]
    fn notifier_name_checks() {
        let t = table();
        use NotifierNameCheck as C;
        match t.check_notifier_name("hung_task_panic") {
            C::Exists {
                function,
                same_name,
            } => {
                assert_eq!(function.addr, 0xffffffff81208cf0);
                assert_eq!(same_name, 0);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            t.check_notifier_name("dup"),
            C::Exists { same_name: 1, .. }
        ));
        assert!(matches!(
            t.check_notifier_name("panic_notifier_list"),
            C::NotAFunction { kind: 'B', .. }
        ));
        assert_eq!(
            t.check_notifier_name("panic_event"),
            C::ModuleOnly {
                module: "ipmi_msghandler"
            }
        );
        assert_eq!(
            t.check_notifier_name("clone_me"),
            C::OnlyAsSuffixed {
                names: vec!["clone_me.constprop.0", "clone_me.isra.0"]
            }
        );
        assert_eq!(
            t.check_notifier_name("__pfx_hung_task_panic"),
            C::PrefixSymbol {
                function: "hung_task_panic"
            }
        );
        assert_eq!(
            t.check_notifier_name("__cfi_nothing"),
            C::PrefixSymbol {
                function: "nothing"
            }
        );
        assert_eq!(
            t.check_notifier_name("split.cold"),
            C::ColdFragment { function: "split" }
        );
        // `split` exists only as its cold part: no entry point to offer.
        assert!(matches!(t.check_notifier_name("split"), C::Missing { .. }));
        assert_eq!(
            t.check_notifier_name("hung_task_panik"),
            C::Missing {
                suggestions: vec!["hung_task_panic"]
            }
        );
        // A clone that does not exist: the existing ones come first.
        assert_eq!(
            t.check_notifier_name("clone_me.constprop.7"),
            C::Missing {
                suggestions: vec!["clone_me.constprop.0", "clone_me.isra.0"]
            }
        );
        assert_eq!(
            t.check_notifier_name("plain.constprop.0"),
            C::Missing {
                suggestions: vec!["plain"]
            }
        );
        // Pseudo-modules are invisible to kallsyms_lookup_name().
        assert!(matches!(
            t.check_notifier_name("ftrace_trampoline"),
            C::Missing { .. }
        ));
        assert_eq!(
            t.check_notifier_name(""),
            C::Missing {
                suggestions: vec![]
            }
        );
    }

    #[test]
    fn mostly_suffixed_names_grow_the_index() {
        // 1800 names, each with its own base name: 3600 keys, more than the
        // first table size allows (4096 slots, 2560 keys), so it is rebuilt.
        let syms: Vec<Symbol> = (0..1800)
            .map(|i| sym(&format!("f{i}.constprop.0"), i + 1, 't', None))
            .collect();
        let t = SymbolTable::new(syms);
        for i in [0, 899, 1799] {
            let exact = format!("f{i}.constprop.0");
            assert_eq!(t.get(&exact).count(), 1, "{exact}");
            let base: Vec<_> = t
                .by_base_name(&format!("f{i}"))
                .map(|s| s.name.as_str())
                .collect();
            assert_eq!(base, [exact.as_str()]);
        }
        assert_eq!(t.did_you_mean("f1799x"), ["f1799"]);
    }

    #[test]
    fn many_same_names_stay_linear() {
        // An adversarial table (every name equal) must index and answer fast.
        let syms: Vec<Symbol> = (0..50_000).map(|i| sym("same", i + 1, 't', None)).collect();
        let t = SymbolTable::new(syms);
        assert_eq!(t.get("same").count(), 50_000);
        assert!(matches!(
            t.check_notifier_name("same"),
            NotifierNameCheck::Exists {
                same_name: 49_999,
                ..
            }
        ));
        assert_eq!(t.did_you_mean("sam"), ["same"]);
    }
}
