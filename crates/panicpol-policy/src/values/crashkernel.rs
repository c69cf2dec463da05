//! `crashkernel=`: the grammar of `parse_crashkernel()` (kernel/crash_core.c in
//! 6.1, kernel/crash_reserve.c in 6.12) and the way the kernel finds the value
//! with `get_last_crashkernel()`: a `strstr` over the raw boot command line,
//! not a token lookup. The arch code calls it on `boot_command_line` only, so a
//! `crashkernel=` coming from bootconfig has no effect.
//!
//! The three forms (read in both trees, same code apart from messages):
//! - simple: `size[@offset]`;
//! - ranges: `start-[end]:size[,start-[end]:size…][@offset]`, matched against
//!   the system RAM rounded up to 128 MiB;
//! - suffix: `size,high` / `size,low` (and `size,cma` on newer kernels).
//!
//! Sizes are `memparse` values (`K M G T P E`, any case, base-0 numbers).

use serde::Serialize;

use super::kstrtox::{Mem, memparse};
use super::version::{Basis, Gate, KernelVersion, Release, Since};
use super::{Errno, Note, NoteKind, Reason, Span, ValueError, cstr};

/// `crashkernel=size,cma`: a third suffix in `suffix_tbl[]` (patch text seen;
/// 6.16 from memory, not read in a release).
pub const CRASHKERNEL_CMA_SINCE: Since = Since::exact(6, 16, Basis::Memory);

/// `parse_crashkernel()` itself handles `,high`/`,low` and rejects sizes not
/// below the RAM (`CONFIG_ARCH_HAS_GENERIC_CRASHKERNEL_RESERVATION`, x86 and
/// arm64): absent in 6.1 (x86 calls `parse_crashkernel_high/low` itself and
/// falls back to `,high` when the plain form fails), present in 6.12 (only
/// when no plain `crashkernel=` exists). 6.7 from memory.
pub const GENERIC_CRASHKERNEL_SINCE: Since =
    Since::between(Release::new(6, 1), Release::new(6, 12), Basis::Source);

/// Which `crashkernel=` a value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CrashKernelKind {
    /// `crashkernel=size[@offset]` or the ranges form.
    Plain,
    /// `crashkernel=size,high`: memory above 4 GiB (plus a low part).
    High,
    /// `crashkernel=size,low`: the low part for `,high`.
    Low,
    /// `crashkernel=size,cma`: an extra CMA area (newer kernels).
    Cma,
}

/// The suffixes of `suffix_tbl[]` on `v`, with whether `v` has them.
pub fn crashkernel_suffixes(v: &KernelVersion) -> Vec<(CrashKernelKind, &'static str, Gate)> {
    vec![
        (CrashKernelKind::High, ",high", Gate::Yes),
        (CrashKernelKind::Low, ",low", Gate::Yes),
        (CrashKernelKind::Cma, ",cma", CRASHKERNEL_CMA_SINCE.gate(v)),
    ]
}

/// One entry of the ranges form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CrashKernelRange {
    /// Where the RAM range starts.
    pub start: u64,
    /// Where it ends (exclusive); `None` for an open range (`1G-`).
    pub end: Option<u64>,
    /// What to reserve when the RAM falls in the range.
    pub size: u64,
    /// The entry's span in the value.
    pub span: Span,
}

/// The shape of a `crashkernel=` value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "form")]
pub enum CrashKernelForm {
    /// `size[@offset]`.
    Simple {
        /// Bytes to reserve.
        size: u64,
        /// Where; `None` or 0 mean "find a place".
        offset: Option<u64>,
    },
    /// `start-[end]:size[,…][@offset]`.
    Ranges {
        /// The entries, in order; the first that matches wins.
        ranges: Vec<CrashKernelRange>,
        /// Where; `None` or 0 mean "find a place".
        offset: Option<u64>,
    },
    /// `size,high` / `size,low` / `size,cma`.
    Suffix {
        /// Bytes to reserve.
        size: u64,
    },
}

/// A `crashkernel=` value that parses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CrashKernel {
    /// Which parameter (decided by the suffix, as `get_last_crashkernel` does).
    pub kind: CrashKernelKind,
    /// Its shape.
    pub form: CrashKernelForm,
    /// Accepted-but-suspicious remarks.
    pub notes: Vec<Note>,
}

/// The value ends at the first space: the kernel parses the raw command line.
fn until_space(s: &[u8]) -> &[u8] {
    let s = cstr(s);
    match s.iter().position(|&b| b == b' ') {
        Some(n) => s.get(..n).unwrap_or(s),
        None => s,
    }
}

/// The kind of a value, from its end, as `get_last_crashkernel` decides.
fn kind_of(s: &[u8], v: &KernelVersion, notes: &mut Vec<Note>) -> (CrashKernelKind, usize) {
    for (kind, suffix, gate) in crashkernel_suffixes(v) {
        if gate.is_no() || !s.ends_with(suffix.as_bytes()) {
            continue;
        }
        if gate == Gate::Depends {
            notes.push(Note::at(
                NoteKind::VersionDependent {
                    since: CRASHKERNEL_CMA_SINCE,
                },
                s.len() - suffix.len()..s.len(),
            ));
        }
        return (kind, s.len() - suffix.len());
    }
    (CrashKernelKind::Plain, s.len())
}

/// A memparse that must read something, with its span, for the strict parser.
fn mem_at(
    s: &[u8],
    at: usize,
    notes: &mut Vec<Note>,
    missing: Reason,
) -> Result<(Mem, usize), ValueError> {
    let m = memparse(s.get(at..).unwrap_or_default());
    if m.consumed == 0 {
        return Err(ValueError::new(
            Errno::Einval,
            missing,
            at..(at + 1).min(s.len()).max(at),
        ));
    }
    if m.wrapped {
        notes.push(Note::at(NoteKind::Wrapped, at..at + m.consumed));
    }
    Ok((m, at + m.consumed))
}

/// Parses a `crashkernel=` value strictly: everything the kernel would reject
/// for *some* amount of RAM is an error; what it silently skips is a note. The
/// value is the text after `crashkernel=` in the raw command line (quotes
/// included, as the kernel sees them); it ends at the first space.
///
/// A zero size is `-EINVAL` for the plain and `,high` forms (nothing is
/// reserved), valid for `,low` (no low part).
pub fn parse_crashkernel(value: &[u8], v: &KernelVersion) -> Result<CrashKernel, ValueError> {
    let s = until_space(value);
    let mut notes = Vec::new();
    let (kind, body_end) = kind_of(s, v, &mut notes);
    let body = s.get(..body_end).unwrap_or_default();
    let form = if kind != CrashKernelKind::Plain {
        // parse_crashkernel_suffix: memparse, then exactly the suffix, then the end.
        let (m, end) = mem_at(body, 0, &mut notes, Reason::MemoryExpected)?;
        if end != body.len() {
            return Err(ValueError::new(
                Errno::Einval,
                Reason::UnrecognizedChar,
                end..end + 1,
            ));
        }
        if m.bytes == 0 && kind == CrashKernelKind::High {
            return Err(ValueError::new(Errno::Einval, Reason::ZeroSize, 0..end));
        }
        CrashKernelForm::Suffix { size: m.bytes }
    } else if s.contains(&b':') {
        parse_ranges(s, &mut notes)?
    } else {
        parse_simple(s, &mut notes)?
    };
    Ok(CrashKernel { kind, form, notes })
}

/// `parse_crashkernel_simple`: size, then `@offset` or the end. After the
/// offset the kernel checks nothing.
fn parse_simple(s: &[u8], notes: &mut Vec<Note>) -> Result<CrashKernelForm, ValueError> {
    let (m, at) = mem_at(s, 0, notes, Reason::MemoryExpected)?;
    let mut offset = None;
    match s.get(at) {
        None => {}
        Some(b'@') => {
            let o = memparse(s.get(at + 1..).unwrap_or_default());
            if o.consumed == 0 {
                // `*crash_base = memparse(cur+1, &cur)` without a check: base 0.
                notes.push(Note::at(NoteKind::NoEffect, at..at + 1));
            }
            if o.wrapped {
                notes.push(Note::at(NoteKind::Wrapped, at + 1..at + 1 + o.consumed));
            }
            let end = at + 1 + o.consumed;
            if end < s.len() {
                notes.push(Note::at(NoteKind::TrailingIgnored, end..s.len()));
            }
            offset = Some(o.bytes);
        }
        Some(_) => {
            return Err(ValueError::new(
                Errno::Einval,
                Reason::UnrecognizedChar,
                at..at + 1,
            ));
        }
    }
    if m.bytes == 0 {
        return Err(ValueError::new(
            Errno::Einval,
            Reason::ZeroSize,
            0..m.consumed,
        ));
    }
    Ok(CrashKernelForm::Simple {
        size: m.bytes,
        offset,
    })
}

/// `parse_crashkernel_mem`, strictly: every entry is checked (the kernel stops
/// at the first that matches the RAM).
fn parse_ranges(s: &[u8], notes: &mut Vec<Note>) -> Result<CrashKernelForm, ValueError> {
    let mut ranges = Vec::new();
    let mut at = 0;
    loop {
        let entry_start = at;
        let (start, next) = mem_at(s, at, notes, Reason::MemoryExpected)?;
        at = next;
        if s.get(at) != Some(&b'-') {
            return Err(ValueError::new(
                Errno::Einval,
                Reason::DashExpected,
                at..(at + 1).min(s.len()).max(at),
            ));
        }
        at += 1;
        let mut end = None;
        if s.get(at) != Some(&b':') {
            let (e, next) = mem_at(s, at, notes, Reason::MemoryExpected)?;
            if e.bytes <= start.bytes {
                return Err(ValueError::new(
                    Errno::Einval,
                    Reason::EndNotAboveStart,
                    entry_start..next,
                ));
            }
            end = Some(e.bytes);
            at = next;
        }
        if s.get(at) != Some(&b':') {
            return Err(ValueError::new(
                Errno::Einval,
                Reason::ColonExpected,
                at..(at + 1).min(s.len()).max(at),
            ));
        }
        at += 1;
        let (size, next) = mem_at(s, at, notes, Reason::MemoryExpected)?;
        at = next;
        ranges.push(CrashKernelRange {
            start: start.bytes,
            end,
            size: size.bytes,
            span: entry_start..at,
        });
        if s.get(at) == Some(&b',') {
            at += 1;
            continue;
        }
        break;
    }
    // After a match the kernel skips to '@' (or the end) and reads the offset.
    let skip_to = s
        .get(at..)
        .and_then(|r| r.iter().position(|&b| b == b'@'))
        .map_or(s.len(), |p| at + p);
    if skip_to > at {
        notes.push(Note::at(NoteKind::TrailingIgnored, at..skip_to));
    }
    let mut offset = None;
    if skip_to < s.len() {
        let (o, _) = mem_at(s, skip_to + 1, notes, Reason::OffsetExpected)?;
        offset = Some(o.bytes);
    }
    Ok(CrashKernelForm::Ranges { ranges, offset })
}

/// What the kernel reserves for one value and one amount of RAM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Reservation {
    /// Bytes reserved.
    pub size: u64,
    /// The requested base; 0 means "find a place".
    pub base: u64,
    /// For the ranges form, the index of the entry that matched.
    pub matched: Option<usize>,
}

/// Runs the kernel's parse of one `crashkernel=` value for `system_ram` bytes,
/// in the kernel's own order (so, unlike [`parse_crashkernel`], entries after
/// the matching range are never looked at), then the checks of
/// `parse_crashkernel()`: a zero size and, on kernels with the generic code, a
/// size not below the RAM are `-EINVAL` (on 6.1 the latter fails later, at
/// allocation). `,low` returns its size even when zero.
pub fn eval_crashkernel(
    value: &[u8],
    system_ram: u64,
    v: &KernelVersion,
) -> Result<Reservation, ValueError> {
    let s = until_space(value);
    let mut notes = Vec::new();
    let (kind, body_end) = kind_of(s, v, &mut notes);
    let (size, base, matched) = if kind != CrashKernelKind::Plain {
        let body = s.get(..body_end).unwrap_or_default();
        let (m, end) = mem_at(body, 0, &mut notes, Reason::MemoryExpected)?;
        if end != body.len() {
            return Err(ValueError::new(
                Errno::Einval,
                Reason::UnrecognizedChar,
                end..end + 1,
            ));
        }
        if kind == CrashKernelKind::Low {
            return Ok(Reservation {
                size: m.bytes,
                base: 0,
                matched: None,
            });
        }
        (m.bytes, 0, None)
    } else if s.contains(&b':') {
        eval_ranges(s, system_ram)?
    } else {
        match parse_simple(s, &mut notes) {
            Ok(CrashKernelForm::Simple { size, offset }) => (size, offset.unwrap_or(0), None),
            Ok(_) => (0, 0, None),
            Err(e) if e.reason == Reason::ZeroSize => (0, 0, None),
            Err(e) => return Err(e),
        }
    };
    if size == 0 {
        return Err(ValueError::whole(Errno::Einval, Reason::ZeroSize));
    }
    if size >= system_ram && !GENERIC_CRASHKERNEL_SINCE.gate(v).is_no() {
        return Err(ValueError::whole(Errno::Einval, Reason::SizeNotBelowRam));
    }
    Ok(Reservation {
        size,
        base,
        matched,
    })
}

/// `parse_crashkernel_mem()` exactly, for one amount of RAM.
fn eval_ranges(s: &[u8], system_ram: u64) -> Result<(u64, u64, Option<usize>), ValueError> {
    const SZ_128M: u64 = 128 << 20;
    let total = system_ram.div_ceil(SZ_128M).saturating_mul(SZ_128M);
    let mut notes = Vec::new();
    let mut at = 0;
    let mut index = 0;
    let mut matched = None;
    let mut crash_size = 0;
    loop {
        let (start, next) = mem_at(s, at, &mut notes, Reason::MemoryExpected)?;
        at = next;
        if s.get(at) != Some(&b'-') {
            return Err(ValueError::new(
                Errno::Einval,
                Reason::DashExpected,
                at..(at + 1).min(s.len()).max(at),
            ));
        }
        at += 1;
        let mut end = u64::MAX;
        if s.get(at) != Some(&b':') {
            let (e, next) = mem_at(s, at, &mut notes, Reason::MemoryExpected)?;
            if e.bytes <= start.bytes {
                return Err(ValueError::new(
                    Errno::Einval,
                    Reason::EndNotAboveStart,
                    at..next,
                ));
            }
            end = e.bytes;
            at = next;
        }
        if s.get(at) != Some(&b':') {
            return Err(ValueError::new(
                Errno::Einval,
                Reason::ColonExpected,
                at..(at + 1).min(s.len()).max(at),
            ));
        }
        at += 1;
        let (size, next) = mem_at(s, at, &mut notes, Reason::MemoryExpected)?;
        if size.bytes >= total {
            return Err(ValueError::new(
                Errno::Einval,
                Reason::SizeNotBelowRam,
                at..next,
            ));
        }
        at = next;
        if total >= start.bytes && total < end {
            crash_size = size.bytes;
            matched = Some(index);
            break;
        }
        index += 1;
        // `while (*cur++ == ',')`: the pointer moves past whatever follows.
        let sep = s.get(at).copied();
        at += 1;
        if sep != Some(b',') {
            break;
        }
    }
    let mut base = 0;
    if crash_size > 0 {
        let rest = s.get(at..).unwrap_or_default();
        if let Some(p) = rest.iter().position(|&b| b == b'@') {
            let (o, _) = mem_at(s, at + p + 1, &mut notes, Reason::OffsetExpected)?;
            base = o.bytes;
        }
    }
    Ok((crash_size, base, matched))
}

/// Where each kind of `crashkernel=` is in a raw command line: the span of the
/// value of the *last* occurrence, as `get_last_crashkernel()` finds it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CrashKernelSelection {
    /// The last `crashkernel=` without a known suffix.
    pub plain: Option<Span>,
    /// The last `crashkernel=…,high`.
    pub high: Option<Span>,
    /// The last `crashkernel=…,low`.
    pub low: Option<Span>,
    /// The last `crashkernel=…,cma`.
    pub cma: Option<Span>,
}

/// `get_last_crashkernel()` for each kind: `strstr(cmdline, "crashkernel=")`
/// anywhere — also inside another word (`kdump_crashkernel=`) or inside quotes
/// — each value running to the next space; the kind decided by how the value
/// ends. Which one takes effect: the plain one if present (6.12: a broken plain
/// value does not fall back to `,high`; 6.1 x86: it does); else `,high`, with
/// `,low` (or a default low size).
pub fn select_crashkernel(cmdline: &[u8], v: &KernelVersion) -> CrashKernelSelection {
    const NAME: &[u8] = b"crashkernel=";
    let line = cstr(cmdline);
    let mut sel = CrashKernelSelection::default();
    let mut from = 0;
    while let Some(p) = line
        .get(from..)
        .and_then(|r| find(r, NAME))
        .map(|p| from + p)
    {
        let value_start = p + NAME.len();
        let end = line
            .get(p..)
            .and_then(|r| r.iter().position(|&b| b == b' '))
            .map_or(line.len(), |e| p + e);
        let value = line.get(value_start..end).unwrap_or_default();
        let span = value_start..end;
        let mut kind = CrashKernelKind::Plain;
        for (k, suffix, gate) in crashkernel_suffixes(v) {
            if !gate.is_no() && value.ends_with(suffix.as_bytes()) {
                kind = k;
                break;
            }
        }
        match kind {
            CrashKernelKind::Plain => sel.plain = Some(span),
            CrashKernelKind::High => sel.high = Some(span),
            CrashKernelKind::Low => sel.low = Some(span),
            CrashKernelKind::Cma => sel.cma = Some(span),
        }
        from = p + 1;
    }
    sel
}

/// `strstr` on bytes.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    const V61: KernelVersion = KernelVersion::new(6, 1, None);
    const V612: KernelVersion = KernelVersion::new(6, 12, Some(117));
    const GIB: u64 = 1 << 30;
    const MIB: u64 = 1 << 20;

    #[test]
    fn simple_forms() {
        let c = parse_crashkernel(b"256M", &V612).map(|c| c.form);
        assert_eq!(
            c,
            Ok(CrashKernelForm::Simple {
                size: 256 * MIB,
                offset: None
            })
        );
        let c = parse_crashkernel(b"256M@16M", &V612).map(|c| c.form);
        assert_eq!(
            c,
            Ok(CrashKernelForm::Simple {
                size: 256 * MIB,
                offset: Some(16 * MIB)
            })
        );
        assert_eq!(
            parse_crashkernel(b"auto", &V612).map_err(|e| e.reason),
            Err(Reason::MemoryExpected)
        );
        assert_eq!(
            parse_crashkernel(b"256MB", &V612).map_err(|e| (e.reason, e.span)),
            Err((Reason::UnrecognizedChar, Some(4..5)))
        );
        assert_eq!(
            parse_crashkernel(b"0", &V612).map_err(|e| e.reason),
            Err(Reason::ZeroSize)
        );
    }

    #[test]
    fn ranges_form_and_eval() {
        let v = b"1G-4G:192M,4G-64G:256M,64G-:512M";
        let c = parse_crashkernel(v, &V612).ok();
        assert!(
            matches!(c.map(|c| c.form), Some(CrashKernelForm::Ranges { ranges, offset: None }) if ranges.len() == 3)
        );
        assert_eq!(
            eval_crashkernel(v, 2 * GIB, &V612).map(|r| (r.size, r.matched)),
            Ok((192 * MIB, Some(0)))
        );
        assert_eq!(
            eval_crashkernel(v, 8 * GIB, &V612).map(|r| r.size),
            Ok(256 * MIB)
        );
        // Every entry up to the match is checked against the RAM: 512M is not below 512M.
        assert_eq!(
            eval_crashkernel(v, 512 * MIB, &V612).map_err(|e| e.reason),
            Err(Reason::SizeNotBelowRam)
        );
        assert_eq!(
            eval_crashkernel(b"1G-4G:192M", 512 * MIB, &V612).map_err(|e| e.reason),
            Err(Reason::ZeroSize)
        );
        // RAM is rounded up to 128M before matching: 4G - 1M counts as 4G.
        assert_eq!(
            eval_crashkernel(v, 4 * GIB - MIB, &V612).map(|r| r.size),
            Ok(256 * MIB)
        );
    }

    #[test]
    fn ranges_errors() {
        let err = |s: &[u8]| parse_crashkernel(s, &V612).map_err(|e| e.reason);
        assert_eq!(err(b"1G:128M"), Err(Reason::DashExpected));
        assert_eq!(err(b"2G-1G:128M"), Err(Reason::EndNotAboveStart));
        assert_eq!(err(b"1G-2G,1:128M"), Err(Reason::ColonExpected));
        assert_eq!(err(b"1G-2G,128M"), Err(Reason::UnrecognizedChar));
        assert_eq!(err(b"1G-:"), Err(Reason::MemoryExpected));
        assert_eq!(err(b"1G-:128M@"), Err(Reason::OffsetExpected));
    }

    #[test]
    fn eval_stops_at_the_matching_entry() {
        // The broken second entry is never read when the first one matches.
        assert_eq!(
            eval_crashkernel(b"0-:128M,junk", 2 * GIB, &V612).map(|r| r.size),
            Ok(128 * MIB)
        );
        assert!(parse_crashkernel(b"0-:128M,junk", &V612).is_err());
    }

    #[test]
    fn suffix_forms() {
        let c = parse_crashkernel(b"512M,high", &V612).ok();
        assert_eq!(
            c.map(|c| (c.kind, c.form)),
            Some((
                CrashKernelKind::High,
                CrashKernelForm::Suffix { size: 512 * MIB }
            ))
        );
        assert_eq!(
            parse_crashkernel(b"0,low", &V612).map(|c| c.kind),
            Ok(CrashKernelKind::Low)
        );
        assert_eq!(
            parse_crashkernel(b"0,high", &V612).map_err(|e| e.reason),
            Err(Reason::ZeroSize)
        );
        // Before the cma suffix existed, `,cma` makes the plain form fail.
        assert_eq!(
            parse_crashkernel(b"64M,cma", &V612).map_err(|e| e.reason),
            Err(Reason::UnrecognizedChar)
        );
        assert_eq!(
            parse_crashkernel(b"64M,cma", &KernelVersion::new(6, 16, None)).map(|c| c.kind),
            Ok(CrashKernelKind::Cma)
        );
    }

    #[test]
    fn size_not_below_ram_depends_on_version() {
        assert_eq!(
            eval_crashkernel(b"4G", 2 * GIB, &V612).map_err(|e| e.reason),
            Err(Reason::SizeNotBelowRam)
        );
        assert_eq!(
            eval_crashkernel(b"4G", 2 * GIB, &V61).map(|r| r.size),
            Ok(4 * GIB)
        );
    }

    #[test]
    fn selection_is_strstr_and_last_wins() {
        let line =
            b"ro crashkernel=128M kdump_crashkernel=256M crashkernel=1G,high crashkernel=0,low x";
        let sel = select_crashkernel(line, &V612);
        assert_eq!(sel.plain.map(|s| &line[s]), Some(&b"256M"[..]));
        assert_eq!(sel.high.map(|s| &line[s]), Some(&b"1G,high"[..]));
        assert_eq!(sel.low.map(|s| &line[s]), Some(&b"0,low"[..]));
        assert_eq!(sel.cma, None);
    }
}
