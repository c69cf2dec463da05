//! The grammars of kernel/panic.c and lib/sys_info.c: `panic_print`,
//! `panic_sys_info`, `panic_console_replay`, `panic=`, `panic_on_warn`,
//! `oops=`, `panic_on_taint=`, `panic_force_cpu=`.

use serde::Serialize;

use super::kstrtox::{Base, BoolValue, IntType, IntValue, kstrtoint, parse_bool, parse_int};
use super::version::{Basis, Gate, KernelVersion, Since};
use super::{Errno, Note, NoteKind, Reason, Span, ValueError, cstr, strsep_commas};

/// `panic_sys_info=`, the `kernel.panic_sys_info` sysctl, `panic_console_replay`
/// and lib/sys_info.c: Feng Tang's series merged for 6.17 (reference notes;
/// absent from 6.12.117, read).
pub const SYS_INFO_SINCE: Since = Since::exact(6, 17, Basis::Notes);

/// `panic_print` deprecated in favour of `panic_sys_info` +
/// `panic_console_replay` (`panic_print_deprecated()`, Petr Mladek, Aug 2025;
/// reference notes say 6.18, not read in a 6.18 tree).
pub const PANIC_PRINT_DEPRECATED_SINCE: Since = Since::exact(6, 18, Basis::Notes);

/// `panic_force_cpu=` (early): reference notes only (linux-next during
/// 6.19-rc, likely 7.0; UNCONFIRMED).
pub const PANIC_FORCE_CPU_SINCE: Since = Since::exact(7, 0, Basis::Notes);

/// One bit of `panic_print` (= the `SYS_INFO_*` mask in ≥6.17).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PanicPrintBit {
    /// The bit number.
    pub bit: u8,
    /// `1 << bit`.
    pub mask: u64,
    /// The kernel's constant (`PANIC_PRINT_*` up to 6.16).
    pub constant: &'static str,
    /// The `panic_sys_info` name; `None` for bit 5, which has no name (use
    /// `panic_console_replay`).
    pub sys_info_name: Option<&'static str>,
    /// What it prints.
    pub meaning: &'static str,
    /// The kernel function it calls.
    pub function: &'static str,
    /// A config option without which the call prints nothing.
    pub config: Option<&'static str>,
    /// When the bit appeared; `None`: in every kernel panicpol supports
    /// (present in 6.1.192, read).
    pub since: Option<Since>,
    /// Where its history comes from.
    pub history: &'static str,
}

/// The bits of `panic_print`, bit 0 first. Bits 0–6 are read in 6.1.192's
/// kernel/panic.c, bits 0–7 in 6.12.117's.
pub const PANIC_PRINT_BITS: &[PanicPrintBit] = &[
    PanicPrintBit {
        bit: 0,
        mask: 0x01,
        constant: "PANIC_PRINT_TASK_INFO",
        sys_info_name: Some("tasks"),
        meaning: "print all tasks info",
        function: "show_state()",
        config: None,
        since: None,
        history: "original panic_print (Feng Tang; v5.0 from memory)",
    },
    PanicPrintBit {
        bit: 1,
        mask: 0x02,
        constant: "PANIC_PRINT_MEM_INFO",
        sys_info_name: Some("mem"),
        meaning: "print system memory info",
        function: "show_mem()",
        config: None,
        since: None,
        history: "original panic_print",
    },
    PanicPrintBit {
        bit: 2,
        mask: 0x04,
        constant: "PANIC_PRINT_TIMER_INFO",
        sys_info_name: Some("timers"),
        meaning: "print timer info",
        function: "sysrq_timer_list_show()",
        config: None,
        since: None,
        history: "original panic_print",
    },
    PanicPrintBit {
        bit: 3,
        mask: 0x08,
        constant: "PANIC_PRINT_LOCK_INFO",
        sys_info_name: Some("locks"),
        meaning: "print locks info (only with CONFIG_LOCKDEP)",
        function: "debug_show_all_locks()",
        config: Some("CONFIG_LOCKDEP"),
        since: None,
        history: "original panic_print",
    },
    PanicPrintBit {
        bit: 4,
        mask: 0x10,
        constant: "PANIC_PRINT_FTRACE_INFO",
        sys_info_name: Some("ftrace"),
        meaning: "print the ftrace buffer",
        function: "ftrace_dump(DUMP_ALL)",
        config: Some("CONFIG_TRACING"),
        since: None,
        history: "release UNCONFIRMED (present in a 2019-era panic.c); present in 6.1",
    },
    PanicPrintBit {
        bit: 5,
        mask: 0x20,
        constant: "PANIC_PRINT_ALL_PRINTK_MSG",
        sys_info_name: None,
        meaning: "replay all kernel messages on the consoles at the end of panic",
        function: "console_flush_on_panic(CONSOLE_REPLAY_ALL)",
        config: None,
        since: None,
        history: "de6da1e8bcf0 (Feng Tang, 2019; likely v5.2)",
    },
    PanicPrintBit {
        bit: 6,
        mask: 0x40,
        constant: "PANIC_PRINT_ALL_CPU_BT",
        sys_info_name: Some("all_bt"),
        meaning: "print all CPUs' backtraces (if the arch can)",
        function: "trigger_all_cpu_backtrace()",
        config: None,
        since: None,
        history: "8d470a45d1a6 (Guilherme Piccoli; v5.17)",
    },
    PanicPrintBit {
        bit: 7,
        mask: 0x80,
        constant: "PANIC_PRINT_BLOCKED_TASKS",
        sys_info_name: Some("blocked_tasks"),
        meaning: "print only tasks in uninterruptible (blocked) state",
        function: "show_state_filter(TASK_UNINTERRUPTIBLE)",
        config: None,
        since: Some(Since::exact(6, 9, Basis::Notes)),
        history: "Feng Tang, 2024-02 (6.9 per the notes); absent in 6.1.192, present in 6.12.117 (read)",
    },
];

/// The `panic_sys_info` names in bit order, as `si_names[]` (lib/sys_info.c,
/// 6.17 and later). Bit 5 has no name.
pub const SYS_INFO_NAMES: &[(&str, u8)] = &[
    ("tasks", 0),
    ("mem", 1),
    ("timers", 2),
    ("locks", 3),
    ("ftrace", 4),
    ("all_bt", 6),
    ("blocked_tasks", 7),
];

/// A decoded `panic_print` value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PanicPrint {
    /// The value stored in `panic_print`.
    pub mask: u64,
    /// The bits that do something on the target kernel (or may, when the
    /// version does not tell).
    pub bits: Vec<PanicPrintBit>,
    /// The same request written as `panic_sys_info=…` / `panic_console_replay=1`
    /// (empty when the mask asks for nothing); `None` when the target kernel
    /// lacks `panic_sys_info`.
    pub equivalent: Option<String>,
    /// Accepted-but-suspicious remarks (ignored bits, deprecation, config).
    pub notes: Vec<Note>,
}

/// `panic_print=` (`core_param(panic_print, …, ulong, 0644)`; from 6.18 a
/// `param_set_ulong` wrapper that first prints the deprecation line): kstrtoul
/// base 0, bare flag `-EINVAL`. Unknown bits are stored and ignored.
pub fn parse_panic_print(val: Option<&[u8]>, v: &KernelVersion) -> Result<PanicPrint, ValueError> {
    let n = parse_int(val, IntType::U64)?;
    let mask = n.as_u64().unwrap_or(0);
    Ok(decode_panic_print(mask, n.notes, v))
}

/// Decodes a `panic_print` mask for kernel `v`.
fn decode_panic_print(mask: u64, mut notes: Vec<Note>, v: &KernelVersion) -> PanicPrint {
    let mut bits = Vec::new();
    let mut known = 0u64;
    for b in PANIC_PRINT_BITS {
        let gate = b.since.map_or(Gate::Yes, |s| s.gate(v));
        if mask & b.mask == 0 || gate.is_no() {
            continue;
        }
        known |= b.mask;
        bits.push(*b);
        if let (Gate::Depends, Some(since)) = (gate, b.since) {
            notes.push(Note::whole(NoteKind::VersionDependent { since }));
        }
        if let Some(config) = b.config {
            notes.push(Note::whole(NoteKind::NeedsConfig { config }));
        }
    }
    if mask & !known != 0 {
        notes.push(Note::whole(NoteKind::IgnoredBits {
            mask: mask & !known,
        }));
    }
    let equivalent = (!SYS_INFO_SINCE.gate(v).is_no()).then(|| sys_info_equivalent(mask & known));
    match PANIC_PRINT_DEPRECATED_SINCE.gate(v) {
        Gate::No => {}
        gate => {
            let replacement = equivalent.clone().unwrap_or_default();
            notes.push(Note::whole(NoteKind::Deprecated {
                since: PANIC_PRINT_DEPRECATED_SINCE,
                replacement,
            }));
            if gate == Gate::Depends {
                notes.push(Note::whole(NoteKind::VersionDependent {
                    since: PANIC_PRINT_DEPRECATED_SINCE,
                }));
            }
        }
    }
    PanicPrint {
        mask,
        bits,
        equivalent,
        notes,
    }
}

/// `panic_sys_info=<names>` and `panic_console_replay=1` for a mask.
fn sys_info_equivalent(mask: u64) -> String {
    let names = sys_info_names(mask);
    let mut parts = Vec::new();
    if !names.is_empty() {
        parts.push(format!("panic_sys_info={names}"));
    }
    if mask & 0x20 != 0 {
        parts.push("panic_console_replay=1".to_string());
    }
    parts.join(" ")
}

/// The names of a mask, comma-joined in bit order, bit 5 and unknown bits
/// left out: what reading the `kernel.panic_sys_info` sysctl prints.
pub fn sys_info_names(mask: u64) -> String {
    SYS_INFO_NAMES
        .iter()
        .filter(|(_, bit)| mask & (1u64 << bit) != 0)
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(",")
}

/// A parsed `panic_sys_info` value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SysInfo {
    /// The mask assigned to `panic_print` (replacing, not OR-ing, its value).
    pub mask: u64,
    /// Each recognised name with its span and bit.
    pub names: Vec<(Span, u8)>,
    /// Unknown names (skipped silently by the kernel), text after an empty
    /// item (never read).
    pub notes: Vec<Note>,
}

/// `sys_info_parse_param()` (lib/sys_info.c, 6.17+), behind `setup_panic_sys_info`
/// (`__setup("panic_sys_info=")`, handler always returns 1): `strsep` on `,`,
/// stop at the first empty item, exact case-sensitive names, unknown names
/// ignored, no trimming. The kernel never rejects a value.
///
/// Only kernels with [`SYS_INFO_SINCE`] know the parameter; on older ones the
/// token goes to init (the catalogue says so).
pub fn parse_panic_sys_info(val: &[u8]) -> SysInfo {
    let s = cstr(val);
    let mut mask = 0u64;
    let mut names = Vec::new();
    let mut notes = Vec::new();
    for (span, item) in strsep_commas(s) {
        if item.is_empty() {
            // `while ((name = strsep(&s, ",")) && *name)`: everything after an
            // empty item is never looked at.
            if span.end < s.len() {
                notes.push(Note::at(NoteKind::StoppedAtEmpty, span.end + 1..s.len()));
            }
            break;
        }
        match SYS_INFO_NAMES.iter().find(|(n, _)| n.as_bytes() == item) {
            Some((_, bit)) => {
                mask |= 1u64 << bit;
                names.push((span, *bit));
            }
            None => notes.push(Note::at(NoteKind::UnknownName, span)),
        }
    }
    SysInfo { mask, names, notes }
}

/// `panic_console_replay` (`core_param(…, bool, 0644)`, 6.17+): a bool.
pub fn parse_panic_console_replay(
    val: Option<&[u8]>,
    v: &KernelVersion,
) -> Result<BoolValue, ValueError> {
    parse_bool(val, v)
}

/// What `panic=N` makes a panic do at its end (`vpanic()`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "seconds")]
pub enum PanicTimeout {
    /// `N < 0`: reboot at once, no wait.
    RebootNow,
    /// `N == 0`: stay in the panic loop forever.
    WaitForever,
    /// `N > 0`: reboot after N seconds.
    RebootAfter(i32),
}

/// `panic=` (`core_param(panic, panic_timeout, int, 0644)`): kstrtoint base 0.
/// A timeout above 2147483 s overflows `panic_timeout * 1000` (an `int`) in
/// the wait loop, so the kernel reboots at once: noted.
pub fn parse_panic(val: Option<&[u8]>) -> Result<(PanicTimeout, Vec<Note>), ValueError> {
    let n = parse_int(val, IntType::S32)?;
    let secs = i32::try_from(n.value).unwrap_or(0);
    let mut notes = n.notes;
    let t = match secs {
        s if s < 0 => PanicTimeout::RebootNow,
        0 => PanicTimeout::WaitForever,
        s => {
            if s.checked_mul(1000).is_none() {
                notes.push(Note::whole(NoteKind::TimeoutOverflow));
            }
            PanicTimeout::RebootAfter(s)
        }
    };
    Ok((t, notes))
}

/// `panic_on_warn=` (`core_param(…, int, 0644)`): kstrtoint base 0; any
/// non-zero value panics on WARN (`check_panic_on_warn`), though the sysctl
/// accepts only 0 and 1.
pub fn parse_panic_on_warn(val: Option<&[u8]>) -> Result<IntValue, ValueError> {
    let mut n = parse_int(val, IntType::S32)?;
    if n.value != 0 && n.value != 1 {
        n.notes.push(Note::whole(NoteKind::NonZeroIsOn));
    }
    Ok(n)
}

/// What `oops=` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Oops {
    /// Whether it set `panic_on_oops = 1` (it never clears it).
    pub panic: bool,
    /// `NoEffect` for every value but `panic`.
    pub notes: Vec<Note>,
}

/// `oops_setup()` (kernel/panic.c, `early_param("oops")`, identical in 6.1 and
/// 6.12): `NULL` ⇒ `-EINVAL` ("Malformed early option"); exactly `panic` sets
/// `panic_on_oops = 1`; anything else — `Panic`, `0`, empty — returns 0 and
/// does nothing.
pub fn parse_oops(val: Option<&[u8]>) -> Result<Oops, ValueError> {
    let Some(raw) = val else {
        return Err(ValueError::whole(Errno::Einval, Reason::NoValue));
    };
    let s = cstr(raw);
    if s == b"panic" {
        Ok(Oops {
            panic: true,
            notes: Vec::new(),
        })
    } else {
        Ok(Oops {
            panic: false,
            notes: vec![Note::at(NoteKind::NoEffect, 0..s.len())],
        })
    }
}

/// One taint flag (`include/linux/panic.h` `TAINT_*`, letters from
/// `taint_flags[]` in kernel/panic.c).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TaintFlag {
    /// The bit number.
    pub bit: u8,
    /// The name without `TAINT_`.
    pub name: &'static str,
    /// The letter in the taint string.
    pub letter: char,
    /// When it appeared; `None`: present in 6.1.192 (read).
    pub since: Option<Since>,
}

const fn tf(bit: u8, name: &'static str, letter: char) -> TaintFlag {
    TaintFlag {
        bit,
        name,
        letter,
        since: None,
    }
}

/// The taint flags. Bits 0–18 are read in 6.1.192 and 6.12.117
/// (`TAINT_FLAGS_COUNT` 19 in both); `FWCTL` (19, 'J') is from patch copies and
/// memory (6.15), not read in a release tree.
pub const TAINT_FLAGS: &[TaintFlag] = &[
    tf(0, "PROPRIETARY_MODULE", 'P'),
    tf(1, "FORCED_MODULE", 'F'),
    tf(2, "CPU_OUT_OF_SPEC", 'S'),
    tf(3, "FORCED_RMMOD", 'R'),
    tf(4, "MACHINE_CHECK", 'M'),
    tf(5, "BAD_PAGE", 'B'),
    tf(6, "USER", 'U'),
    tf(7, "DIE", 'D'),
    tf(8, "OVERRIDDEN_ACPI_TABLE", 'A'),
    tf(9, "WARN", 'W'),
    tf(10, "CRAP", 'C'),
    tf(11, "FIRMWARE_WORKAROUND", 'I'),
    tf(12, "OOT_MODULE", 'O'),
    tf(13, "UNSIGNED_MODULE", 'E'),
    tf(14, "SOFTLOCKUP", 'L'),
    tf(15, "LIVEPATCH", 'K'),
    tf(16, "AUX", 'X'),
    tf(17, "RANDSTRUCT", 'T'),
    tf(18, "TEST", 'N'),
    TaintFlag {
        bit: 19,
        name: "FWCTL",
        letter: 'J',
        since: Some(Since::exact(6, 15, Basis::Memory)),
    },
];

/// `TAINT_FLAGS_COUNT` on `v`, and whether that is certain.
pub fn taint_flags_count(v: &KernelVersion) -> (u8, Gate) {
    let mut count = 0;
    let mut sure = Gate::Yes;
    for f in TAINT_FLAGS {
        match f.since.map_or(Gate::Yes, |s| s.gate(v)) {
            Gate::Yes => count = f.bit + 1,
            Gate::Depends => sure = Gate::Depends,
            Gate::No => {}
        }
    }
    (count, sure)
}

/// A parsed `panic_on_taint=` value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PanicOnTaint {
    /// The mask stored (after `&= TAINT_FLAGS_MAX`).
    pub mask: u64,
    /// The flags in the mask.
    pub flags: Vec<TaintFlag>,
    /// `,nousertaint` given: writes to `/proc/sys/kernel/tainted` that would
    /// trigger the panic fail with `-EINVAL`. Sticky across occurrences.
    pub nousertaint: bool,
    /// Accepted-but-suspicious remarks.
    pub notes: Vec<Note>,
}

/// `panic_on_taint_setup()` (kernel/panic.c, `early_param("panic_on_taint")`,
/// same logic in 6.1 and 6.12): `NULL` ⇒ `-EINVAL`; the text before the first
/// `,` is `kstrtoul(…, 16, …)` (hex without prefix, `0x` allowed; every failure,
/// overflow included, becomes `-EINVAL`); the mask is cut to the kernel's taint
/// flags and must stay non-zero (`-EINVAL` otherwise — after the kernel has
/// already stored 0, undoing an earlier `panic_on_taint=`); the text after the
/// first `,` must be exactly `nousertaint` to count.
pub fn parse_panic_on_taint(
    val: Option<&[u8]>,
    v: &KernelVersion,
) -> Result<PanicOnTaint, ValueError> {
    let Some(raw) = val else {
        return Err(ValueError::whole(Errno::Einval, Reason::NoValue));
    };
    let s = cstr(raw);
    let comma = s.iter().position(|&b| b == b',');
    let taint = comma.and_then(|c| s.get(..c)).unwrap_or(s);
    let suffix = comma.and_then(|c| s.get(c + 1..).map(|t| (c + 1, t)));
    let n = kstrtoint(taint, Base::Hex, IntType::U64).map_err(|e| ValueError {
        errno: Errno::Einval,
        ..e
    })?;
    let parsed = n.as_u64().unwrap_or(0);
    let mut notes = Vec::new();
    let body = taint.strip_suffix(b"\n").unwrap_or(taint);
    let body = body.strip_prefix(b"+").unwrap_or(body);
    if body.len() > 1 && body.iter().all(u8::is_ascii_digit) {
        notes.push(Note::at(NoteKind::ReadAsHex, 0..taint.len()));
    }
    let mut mask = 0u64;
    let mut flags = Vec::new();
    for f in TAINT_FLAGS {
        if parsed & (1u64 << f.bit) == 0 {
            continue;
        }
        match f.since.map_or(Gate::Yes, |s| s.gate(v)) {
            Gate::No => {}
            gate => {
                mask |= 1u64 << f.bit;
                flags.push(*f);
                if let (Gate::Depends, Some(since)) = (gate, f.since) {
                    notes.push(Note::whole(NoteKind::VersionDependent { since }));
                }
            }
        }
    }
    if parsed & !mask != 0 {
        notes.push(Note::at(
            NoteKind::MaskedOff {
                mask: parsed & !mask,
            },
            0..taint.len(),
        ));
    }
    if mask == 0 {
        return Err(ValueError::new(
            Errno::Einval,
            Reason::ZeroTaintMask,
            0..taint.len(),
        ));
    }
    let mut nousertaint = false;
    if let Some((at, rest)) = suffix {
        if rest == b"nousertaint" {
            nousertaint = true;
        } else {
            notes.push(Note::at(NoteKind::SuffixIgnored, at..s.len()));
        }
    }
    Ok(PanicOnTaint {
        mask,
        flags,
        nousertaint,
        notes,
    })
}

/// A parsed `panic_force_cpu=` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PanicForceCpu {
    /// The CPU that should run the panic (and the crash kernel).
    pub cpu: i32,
}

/// `panic_force_cpu_setup()` (`early_param("panic_force_cpu")`, needs
/// `CONFIG_SMP` and `CONFIG_CRASH_DUMP`; from the notes and derived copies, not
/// read in a release): `NULL` ⇒ `-EINVAL`; kstrtoint base 0; negative ⇒
/// `-EINVAL`. The kernel also rejects `cpu >= nr_cpu_ids`, known only at boot.
pub fn parse_panic_force_cpu(val: Option<&[u8]>) -> Result<PanicForceCpu, ValueError> {
    let Some(raw) = val else {
        return Err(ValueError::whole(Errno::Einval, Reason::NoValue));
    };
    let n = kstrtoint(raw, Base::Auto, IntType::S32).map_err(|e| ValueError {
        errno: Errno::Einval,
        ..e
    })?;
    let cpu = i32::try_from(n.value).unwrap_or(-1);
    if cpu < 0 {
        let len = cstr(raw).len();
        return Err(ValueError::new(
            Errno::Einval,
            Reason::OutOfRange {
                min: 0,
                max: i32::MAX.into(),
            },
            0..len,
        ));
    }
    Ok(PanicForceCpu { cpu })
}

#[cfg(test)]
mod tests {
    use super::*;

    const V61: KernelVersion = KernelVersion::new(6, 1, None);
    const V612: KernelVersion = KernelVersion::new(6, 12, Some(117));
    const V618: KernelVersion = KernelVersion::new(6, 18, None);

    #[test]
    fn panic_print_bits_by_version() {
        let p = parse_panic_print(Some(b"0xff"), &V61).ok();
        assert_eq!(p.as_ref().map(|p| p.bits.len()), Some(7));
        assert!(p.is_some_and(|p| {
            p.notes
                .iter()
                .any(|n| n.kind == NoteKind::IgnoredBits { mask: 0x80 })
        }));
        let p = parse_panic_print(Some(b"0xff"), &V612).ok();
        assert_eq!(p.as_ref().map(|p| p.bits.len()), Some(8));
        assert_eq!(p.and_then(|p| p.equivalent), None);
    }

    #[test]
    fn panic_print_deprecation_fix() {
        let p = parse_panic_print(Some(b"0x23"), &V618).ok();
        let dep = p.as_ref().and_then(|p| {
            p.notes.iter().find_map(|n| match &n.kind {
                NoteKind::Deprecated { replacement, .. } => Some(replacement.clone()),
                _ => None,
            })
        });
        assert_eq!(
            dep.as_deref(),
            Some("panic_sys_info=tasks,mem panic_console_replay=1")
        );
    }

    #[test]
    fn panic_print_rejects_bare_and_negative() {
        assert_eq!(
            parse_panic_print(None, &V612).map_err(|e| e.errno),
            Err(Errno::Einval)
        );
        assert_eq!(
            parse_panic_print(Some(b"-1"), &V612).map_err(|e| e.errno),
            Err(Errno::Einval)
        );
    }

    #[test]
    fn sys_info_stops_at_empty_and_skips_unknown() {
        let s = parse_panic_sys_info(b"tasks,,mem");
        assert_eq!(s.mask, 1);
        assert_eq!(s.notes, vec![Note::at(NoteKind::StoppedAtEmpty, 7..10)]);
        let s = parse_panic_sys_info(b"tasks, mem,Locks,all_bt");
        assert_eq!(s.mask, 0x41);
        assert_eq!(s.notes.len(), 2);
        assert_eq!(parse_panic_sys_info(b"").mask, 0);
        assert_eq!(
            sys_info_names(0xff),
            "tasks,mem,timers,locks,ftrace,all_bt,blocked_tasks"
        );
    }

    #[test]
    fn panic_timeout_meanings() {
        assert_eq!(
            parse_panic(Some(b"-1")).map(|t| t.0),
            Ok(PanicTimeout::RebootNow)
        );
        assert_eq!(
            parse_panic(Some(b"0")).map(|t| t.0),
            Ok(PanicTimeout::WaitForever)
        );
        assert_eq!(
            parse_panic(Some(b"10")).map(|t| t.0),
            Ok(PanicTimeout::RebootAfter(10))
        );
        let big = parse_panic(Some(b"2147484")).ok();
        assert!(big.is_some_and(|t| t.1.iter().any(|n| n.kind == NoteKind::TimeoutOverflow)));
        assert_eq!(
            parse_panic(Some(b"2147483648")).map_err(|e| e.errno),
            Err(Errno::Erange)
        );
    }

    #[test]
    fn oops_only_panic_counts() {
        assert_eq!(parse_oops(Some(b"panic")).map(|o| o.panic), Ok(true));
        assert_eq!(parse_oops(Some(b"Panic")).map(|o| o.panic), Ok(false));
        assert_eq!(parse_oops(Some(b"")).map(|o| o.panic), Ok(false));
        assert_eq!(parse_oops(None).map_err(|e| e.errno), Err(Errno::Einval));
    }

    #[test]
    fn taint_mask_and_suffix() {
        let t = parse_panic_on_taint(Some(b"0x10,nousertaint"), &V612).ok();
        assert_eq!(
            t.as_ref().map(|t| (t.mask, t.nousertaint)),
            Some((0x10, true))
        );
        let t = parse_panic_on_taint(Some(b"10"), &V612).ok();
        assert!(t.is_some_and(|t| t.mask == 0x10 && t.notes[0].kind == NoteKind::ReadAsHex));
        let t = parse_panic_on_taint(Some(b"80000"), &V612);
        assert_eq!(t.map_err(|e| e.reason), Err(Reason::ZeroTaintMask));
        let t = parse_panic_on_taint(Some(b"1,NOUSERTAINT"), &V612).ok();
        assert!(t.is_some_and(|t| !t.nousertaint && t.notes[0].kind == NoteKind::SuffixIgnored));
        let t = parse_panic_on_taint(Some(b"10000000000000000"), &V612);
        assert_eq!(
            t.map_err(|e| (e.errno, e.reason)),
            Err((Errno::Einval, Reason::Overflow))
        );
        assert_eq!(taint_flags_count(&V612), (19, Gate::Yes));
        assert_eq!(taint_flags_count(&V618), (20, Gate::Yes));
    }

    #[test]
    fn force_cpu_range() {
        assert_eq!(parse_panic_force_cpu(Some(b"3")).map(|c| c.cpu), Ok(3));
        assert_eq!(
            parse_panic_force_cpu(Some(b"-1")).map_err(|e| e.reason.slug()),
            Err("out-of-range")
        );
        assert_eq!(
            parse_panic_force_cpu(None).map_err(|e| e.errno),
            Err(Errno::Einval)
        );
    }
}
