//! Value grammars of the panic parameters, as the kernel parses them.
//!
//! Each grammar reproduces one kernel function (named in its docs and in
//! `grammar/values.md`) on the raw bytes of a value, and returns either a typed
//! value or a [`ValueError`] carrying the errno the kernel would return and,
//! where it helps, a byte span inside the value. Values the kernel accepts but
//! that are probably not what the author meant carry [`Note`]s, for the lints.
//!
//! Input conventions, mirroring the kernel's own signatures:
//! - `Option<&[u8]>` where the kernel handler may get `NULL` (a bare flag):
//!   `kernel_param` setters and `early_param` handlers;
//! - `&[u8]` where it never does: `__setup` handlers get the text after their
//!   registered string (possibly empty).
//!
//! Values are C strings to the kernel: a NUL byte ends them, so everything
//! after a NUL is ignored here too.
//!
//! Version-dependent behaviour takes a [`KernelVersion`]; with an unknown
//! version the result says "depends on the kernel" (a [`NoteKind::VersionDependent`]
//! note) rather than guessing.

mod crashkernel;
mod filter;
mod ftrace;
mod kstrtox;
mod panic;
mod reboot;
mod sysctl;
mod version;
mod watchdog;

use std::fmt;
use std::ops::Range;

use serde::Serialize;

pub use crashkernel::{
    CRASHKERNEL_CMA_SINCE, CrashKernel, CrashKernelForm, CrashKernelKind, CrashKernelRange,
    CrashKernelSelection, GENERIC_CRASHKERNEL_SINCE, Reservation, crashkernel_suffixes,
    eval_crashkernel, parse_crashkernel, select_crashkernel,
};
pub use filter::{FilterResolution, NotifierFilter, PANIC_NF_MAX, parse_panic_notifier_filter};
pub use ftrace::{FTRACE_DUMP_STRING_SINCE, FtraceDumpOnOops, parse_ftrace_dump_on_oops};
pub use kstrtox::{
    Base, BoolForm, BoolValue, IntType, IntValue, KSTRTOBOOL_ENABLED_DISABLED, Mem, Radix,
    SimpleNumber, kstrtobool, kstrtoint, memparse, parse_bool, parse_int, simple_strtoull,
};
pub use panic::{
    Oops, PANIC_FORCE_CPU_SINCE, PANIC_PRINT_BITS, PANIC_PRINT_DEPRECATED_SINCE, PanicForceCpu,
    PanicOnTaint, PanicPrint, PanicPrintBit, PanicTimeout, SYS_INFO_NAMES, SYS_INFO_SINCE, SysInfo,
    TAINT_FLAGS, TaintFlag, parse_oops, parse_panic, parse_panic_console_replay,
    parse_panic_force_cpu, parse_panic_on_taint, parse_panic_on_warn, parse_panic_print,
    parse_panic_sys_info, sys_info_names, taint_flags_count,
};
pub use reboot::{RebootItem, RebootSetting, parse_reboot};
pub use sysctl::{
    SYSCTL_ALIASES, SYSCTL_SYS_INFO_MAX, SysctlHandler, SysctlName, SysctlValue, parse_sysctl_name,
    parse_sysctl_value,
};
pub use version::{Basis, Gate, KernelVersion, Lifetime, Release, Since, VersionError};
pub use watchdog::{
    NMI_WATCHDOG_LIST_SINCE, NmiWatchdog, NmiWatchdogItem, parse_nmi_watchdog,
    parse_softlockup_panic, parse_unknown_nmi_panic,
};

/// A byte range inside the value being parsed.
pub type Span = Range<usize>;

/// The kernel's error numbers that value parsing can produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Errno {
    /// `-EINVAL` (22): malformed.
    #[serde(rename = "EINVAL")]
    Einval,
    /// `-ERANGE` (34): a number that does not fit.
    #[serde(rename = "ERANGE")]
    Erange,
    /// `-ENOSPC` (28): a string longer than its buffer.
    #[serde(rename = "ENOSPC")]
    Enospc,
}

impl Errno {
    /// The symbolic name, e.g. `EINVAL`.
    pub fn name(self) -> &'static str {
        match self {
            Errno::Einval => "EINVAL",
            Errno::Erange => "ERANGE",
            Errno::Enospc => "ENOSPC",
        }
    }

    /// The positive errno value on Linux (x86, arm64, riscv …).
    pub fn code(self) -> i32 {
        match self {
            Errno::Einval => 22,
            Errno::Erange => 34,
            Errno::Enospc => 28,
        }
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why the kernel rejects a value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Reason {
    /// No `=value` where the handler needs one.
    NoValue,
    /// An empty value.
    Empty,
    /// Not one of the words `kstrtobool` knows.
    NotBool,
    /// Accepted only by newer kernels.
    NotInThisKernel {
        /// When the kernel started accepting it.
        since: Since,
    },
    /// No digit where a number was expected.
    NoDigits,
    /// A minus sign on an unsigned type.
    Minus,
    /// Characters after the number.
    Trailing,
    /// More than 64 bits.
    Overflow,
    /// Outside the range of the destination.
    OutOfRange {
        /// The smallest accepted value.
        min: i128,
        /// The largest accepted value.
        max: i128,
    },
    /// `panic_on_taint`: no valid taint bit left after masking.
    ZeroTaintMask,
    /// `crashkernel=`: a memory size was expected (`memparse` read nothing).
    MemoryExpected,
    /// `crashkernel=`: `-` expected after a range start.
    DashExpected,
    /// `crashkernel=`: `:` expected after a range.
    ColonExpected,
    /// `crashkernel=`: a range whose end is not above its start.
    EndNotAboveStart,
    /// `crashkernel=`: the size is not below the system RAM.
    SizeNotBelowRam,
    /// `crashkernel=`: the resulting size is zero (nothing is reserved).
    ZeroSize,
    /// `crashkernel=`: a character the simple or suffix form does not allow.
    UnrecognizedChar,
    /// `crashkernel=`: a memory value was expected after `@`.
    OffsetExpected,
    /// Longer than the kernel's buffer.
    TooLong {
        /// The longest accepted length in bytes.
        max: usize,
    },
}

impl Reason {
    /// A stable, short identifier (used by the test vectors and JSON).
    pub fn slug(&self) -> &'static str {
        match self {
            Reason::NoValue => "no-value",
            Reason::Empty => "empty",
            Reason::NotBool => "not-bool",
            Reason::NotInThisKernel { .. } => "not-in-this-kernel",
            Reason::NoDigits => "no-digits",
            Reason::Minus => "minus",
            Reason::Trailing => "trailing",
            Reason::Overflow => "overflow",
            Reason::OutOfRange { .. } => "out-of-range",
            Reason::ZeroTaintMask => "zero-taint-mask",
            Reason::MemoryExpected => "memory-expected",
            Reason::DashExpected => "dash-expected",
            Reason::ColonExpected => "colon-expected",
            Reason::EndNotAboveStart => "end-not-above-start",
            Reason::SizeNotBelowRam => "size-not-below-ram",
            Reason::ZeroSize => "zero-size",
            Reason::UnrecognizedChar => "unrecognized-char",
            Reason::OffsetExpected => "offset-expected",
            Reason::TooLong { .. } => "too-long",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::NoValue => f.write_str("a value is required"),
            Reason::Empty => f.write_str("the value is empty"),
            Reason::NotBool => f.write_str(
                "not a boolean: the kernel reads the first character (y/n/t/f/1/0) or the first two (on/of)",
            ),
            Reason::NotInThisKernel { since } => write!(f, "accepted only by kernels {since} and later"),
            Reason::NoDigits => f.write_str("a number was expected"),
            Reason::Minus => f.write_str("a minus sign is not accepted for an unsigned value"),
            Reason::Trailing => f.write_str("unexpected characters after the number"),
            Reason::Overflow => f.write_str("the number does not fit in 64 bits"),
            Reason::OutOfRange { min, max } => write!(f, "out of range ({min}..={max})"),
            Reason::ZeroTaintMask => f.write_str("the mask contains no valid taint flag"),
            Reason::MemoryExpected => f.write_str("a memory size was expected"),
            Reason::DashExpected => f.write_str("'-' was expected after the range start"),
            Reason::ColonExpected => f.write_str("':' was expected after the range"),
            Reason::EndNotAboveStart => f.write_str("the range end is not above its start"),
            Reason::SizeNotBelowRam => f.write_str("the size is not below the system RAM"),
            Reason::ZeroSize => f.write_str("the size is zero: nothing is reserved"),
            Reason::UnrecognizedChar => f.write_str("unrecognized character"),
            Reason::OffsetExpected => f.write_str("a memory value was expected after '@'"),
            Reason::TooLong { max } => write!(f, "longer than {max} bytes"),
        }
    }
}

/// A value the kernel rejects: its errno, why, and where in the value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValueError {
    /// What the kernel function returns.
    pub errno: Errno,
    /// Why.
    pub reason: Reason,
    /// Where in the value, when one place is to blame.
    pub span: Option<Span>,
}

impl ValueError {
    /// An error with a span.
    pub fn new(errno: Errno, reason: Reason, span: Span) -> ValueError {
        ValueError {
            errno,
            reason,
            span: Some(span),
        }
    }

    /// An error about the value as a whole.
    pub fn whole(errno: Errno, reason: Reason) -> ValueError {
        ValueError {
            errno,
            reason,
            span: None,
        }
    }

    /// The same error with its span moved right by `by` bytes (for errors of
    /// a sub-parser that worked on a slice of the value).
    pub fn shifted(mut self, by: usize) -> ValueError {
        self.span = self.span.map(|s| s.start + by..s.end + by);
        self
    }
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (-{})", self.reason, self.errno)
    }
}

impl std::error::Error for ValueError {}

/// Something the kernel accepts but that deserves a second look.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    /// What.
    pub kind: NoteKind,
    /// Where in the value, if one place.
    pub span: Option<Span>,
}

impl Note {
    /// A note about `span`.
    pub fn at(kind: NoteKind, span: Span) -> Note {
        Note {
            kind,
            span: Some(span),
        }
    }

    /// A note about the value as a whole.
    pub fn whole(kind: NoteKind) -> Note {
        Note { kind, span: None }
    }
}

/// The kinds of [`Note`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum NoteKind {
    /// A boolean word the kernel accepts only because it reads the first one
    /// or two characters (`yellow`, `1x`, `of`, `nope`).
    BoolUnusualSpelling,
    /// A boolean that looks like a number but is read by its first character
    /// (`0x1` is false, `10` is true).
    BoolLooksNumeric,
    /// Accepted only by kernels from `since`; the target's version does not tell.
    VersionDependent {
        /// When the kernel started accepting it.
        since: Since,
    },
    /// A leading `0`: the number is read as octal (`010` is 8).
    Octal,
    /// Deprecated on the target kernel.
    Deprecated {
        /// When.
        since: Since,
        /// What to write instead (a command-line fragment; empty when nothing
        /// is needed).
        replacement: String,
    },
    /// Bits the kernel stores but that have no meaning (on this kernel).
    IgnoredBits {
        /// The bits.
        mask: u64,
    },
    /// A name the kernel does not know and skips silently.
    UnknownName,
    /// Parsing stopped at an empty item (`a,,b`): the rest is ignored.
    StoppedAtEmpty,
    /// The item after an empty one is skipped (`nmi_watchdog=panic,,0`).
    SkippedAfterEmpty,
    /// Accepted, but does nothing.
    NoEffect,
    /// The value is read as hexadecimal even without `0x` (`16` is 0x16).
    ReadAsHex,
    /// Bits beyond the kernel's taint flags, masked off.
    MaskedOff {
        /// The bits removed.
        mask: u64,
    },
    /// An option suffix the handler does not recognise, ignored.
    SuffixIgnored,
    /// The number wrapped around 64 bits without an error.
    Wrapped,
    /// Characters after the value that the kernel silently ignores.
    TrailingIgnored,
    /// `panic=N` with `N * 1000` past `INT_MAX`: the wait loop's bound
    /// overflows and the kernel reboots at once.
    TimeoutOverflow,
    /// Any non-zero value means "on"; only 0 and 1 are usual (the sysctl
    /// accepts only those).
    NonZeroIsOn,
    /// The handler ignores the value (e.g. `unknown_nmi_panic=0` still enables it).
    ValueIgnored,
    /// An empty item, which the kernel looks up and skips.
    EmptyItem,
    /// A sysctl write the kernel applies only in part ("Wrote only N bytes").
    PartialWrite,
    /// Cut to the kernel's buffer size before parsing.
    Truncated {
        /// The bytes kept.
        kept: usize,
    },
    /// Does something only if the kernel was built with `config`.
    NeedsConfig {
        /// The `CONFIG_` option.
        config: &'static str,
    },
    /// A parameter that mainline never had; only kernels carrying the patch
    /// know it.
    OutOfTree,
}

impl NoteKind {
    /// A stable, short identifier (used by the test vectors and JSON).
    pub fn slug(&self) -> &'static str {
        match self {
            NoteKind::BoolUnusualSpelling => "unusual-spelling",
            NoteKind::BoolLooksNumeric => "looks-numeric",
            NoteKind::VersionDependent { .. } => "version-dependent",
            NoteKind::Octal => "octal",
            NoteKind::Deprecated { .. } => "deprecated",
            NoteKind::IgnoredBits { .. } => "ignored-bits",
            NoteKind::UnknownName => "unknown-name",
            NoteKind::StoppedAtEmpty => "stopped-at-empty",
            NoteKind::SkippedAfterEmpty => "skipped-after-empty",
            NoteKind::NoEffect => "no-effect",
            NoteKind::ReadAsHex => "read-as-hex",
            NoteKind::MaskedOff { .. } => "masked-off",
            NoteKind::SuffixIgnored => "suffix-ignored",
            NoteKind::Wrapped => "wrapped",
            NoteKind::TrailingIgnored => "trailing-ignored",
            NoteKind::TimeoutOverflow => "timeout-overflow",
            NoteKind::NonZeroIsOn => "nonzero-is-on",
            NoteKind::ValueIgnored => "value-ignored",
            NoteKind::EmptyItem => "empty-item",
            NoteKind::PartialWrite => "partial-write",
            NoteKind::Truncated { .. } => "truncated",
            NoteKind::NeedsConfig { .. } => "needs-config",
            NoteKind::OutOfTree => "out-of-tree",
        }
    }
}

/// The value as the kernel sees it: a C string ends at the first NUL.
pub(crate) fn cstr(s: &[u8]) -> &[u8] {
    match s.iter().position(|&b| b == 0) {
        Some(n) => s.get(..n).unwrap_or(s),
        None => s,
    }
}

/// `strsep(&s, ",")` over a whole string: the items with their spans. Unlike
/// `split`, this is the exact shape the kernel loops over (an empty string
/// gives one empty item).
pub(crate) fn strsep_commas(s: &[u8]) -> Vec<(Span, &[u8])> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &b) in s.iter().enumerate() {
        if b == b',' {
            out.push((start..i, s.get(start..i).unwrap_or_default()));
            start = i + 1;
        }
    }
    out.push((start..s.len(), s.get(start..).unwrap_or_default()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cstr_stops_at_nul() {
        assert_eq!(cstr(b"ab\0cd"), b"ab");
        assert_eq!(cstr(b"\0"), b"");
        assert_eq!(cstr(b"abc"), b"abc");
    }

    #[test]
    fn strsep_like_the_kernel() {
        let items: Vec<&[u8]> = strsep_commas(b"a,,b,")
            .into_iter()
            .map(|(_, s)| s)
            .collect();
        assert_eq!(items, vec![&b"a"[..], b"", b"b", b""]);
        assert_eq!(strsep_commas(b"").len(), 1);
        assert_eq!(strsep_commas(b"x,yz")[1].0, 2..4);
    }

    #[test]
    fn errno_names_and_codes() {
        assert_eq!(Errno::Einval.code(), 22);
        assert_eq!(Errno::Erange.name(), "ERANGE");
        assert_eq!(Errno::Enospc.code(), 28);
    }

    #[test]
    fn shifted_errors_move_their_span() {
        let e = ValueError::new(Errno::Einval, Reason::Trailing, 1..2).shifted(3);
        assert_eq!(e.span, Some(4..5));
        assert_eq!(
            ValueError::whole(Errno::Einval, Reason::Empty)
                .shifted(3)
                .span,
            None
        );
    }

    /// Every grammar on every string of up to three bytes over an alphabet of
    /// the bytes that matter to them: none may panic, and every span must lie
    /// inside the input.
    #[test]
    fn no_input_panics_and_spans_stay_inside() {
        const ALPHABET: &[u8] = b"\0\n ,-+019xXKMGE@:=paeond\xa0\xff";
        let versions = [
            KernelVersion::new(6, 1, None),
            KernelVersion::new(6, 12, None),
            KernelVersion::UNKNOWN,
        ];
        let mut inputs: Vec<Vec<u8>> = vec![Vec::new()];
        for len in 1..=3 {
            let mut next = Vec::new();
            for s in inputs.iter().filter(|s| s.len() == len - 1) {
                for &b in ALPHABET {
                    let mut t = s.clone();
                    t.push(b);
                    next.push(t);
                }
            }
            inputs.extend(next);
        }
        let inside = |len: usize, span: &Option<Span>| {
            span.as_ref()
                .is_none_or(|s| s.start <= s.end && s.end <= len)
        };
        let check_notes = |len: usize, notes: &[Note]| notes.iter().all(|n| inside(len, &n.span));
        for s in &inputs {
            let len = s.len();
            for v in &versions {
                for r in [
                    kstrtobool(s, v).map(|b| b.notes),
                    parse_panic_print(Some(s), v).map(|p| p.notes),
                ] {
                    match r {
                        Ok(n) => assert!(check_notes(len, &n), "{s:?}"),
                        Err(e) => assert!(inside(len, &e.span), "{s:?}: {e:?}"),
                    }
                }
                for ty in [IntType::U8, IntType::S32, IntType::U64, IntType::S64] {
                    for base in [Base::Auto, Base::Hex] {
                        if let Err(e) = kstrtoint(s, base, ty) {
                            assert!(inside(len, &e.span), "{s:?}: {e:?}");
                        }
                    }
                }
                match parse_crashkernel(s, v) {
                    Ok(c) => assert!(check_notes(len, &c.notes), "{s:?}"),
                    Err(e) => assert!(inside(len, &e.span), "{s:?}: {e:?}"),
                }
                for ram in [0, 1 << 30, u64::MAX] {
                    if let Err(e) = eval_crashkernel(s, ram, v) {
                        assert!(inside(len, &e.span), "{s:?}: {e:?}");
                    }
                }
                let _ = select_crashkernel(s, v);
                match parse_panic_on_taint(Some(s), v) {
                    Ok(t) => assert!(check_notes(len, &t.notes), "{s:?}"),
                    Err(e) => assert!(inside(len, &e.span), "{s:?}: {e:?}"),
                }
                assert!(check_notes(len, &parse_nmi_watchdog(s, v).notes), "{s:?}");
                assert!(
                    check_notes(len, &parse_ftrace_dump_on_oops(s, v).1),
                    "{s:?}"
                );
            }
            assert!(check_notes(len, &parse_panic_sys_info(s).notes), "{s:?}");
            assert!(check_notes(len, &parse_reboot(s).1), "{s:?}");
            assert!(check_notes(len, &parse_softlockup_panic(s).1), "{s:?}");
            let _ = (
                memparse(s),
                simple_strtoull(s, Base::Auto),
                parse_sysctl_name(s),
                parse_unknown_nmi_panic(s),
            );
            let _ = (
                parse_oops(Some(s)),
                parse_panic(Some(s)),
                parse_panic_force_cpu(Some(s)),
            );
            let _ = parse_panic_notifier_filter(Some(s)).map(|f| f.resolve(|_| true, 15));
            for h in [
                SysctlHandler::Int,
                SysctlHandler::Ulong,
                SysctlHandler::SysInfo,
                SysctlHandler::String { maxlen: 2 },
            ] {
                match parse_sysctl_value(h, Some(s)) {
                    Ok((_, n)) => assert!(check_notes(len, &n), "{s:?}"),
                    Err(e) => assert!(inside(len, &e.span), "{s:?}: {e:?}"),
                }
            }
        }
    }
}
