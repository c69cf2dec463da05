//! `sysctl.*` on the command line: `process_sysctl_arg()` and the proc
//! handlers that parse what it writes (fs/proc/proc_sysctl.c, kernel/sysctl.c;
//! identical in 6.1 and 6.12, both call `do_sysctl_args()` from
//! `kernel_init_freeable`).
//!
//! `do_sysctl_args` re-parses the saved command line just before init and, for
//! every `sysctl.<path>=value` or `sysctl/<path>=value` (and the four alias
//! names), writes the value to `/proc/sys/<path>` as a write(2) would. The
//! value grammar is therefore the proc handler's, not `kstrto*`'s: leading
//! spaces allowed, no `+`, trailing junk after a space only partly written.

use panicpol_syntax::ctype::is_kernel_space;
use serde::Serialize;

use super::kstrtox::{Base, simple_strtoull};
use super::panic::{SysInfo, parse_panic_sys_info};
use super::{Errno, Note, NoteKind, Reason, ValueError, cstr};

/// The kernel parameters that are sysctl aliases (`sysctl_aliases[]`, the same
/// four in 6.1.192 and 6.12.117). Matched with `strcmp`: no `-`/`_` folding.
pub const SYSCTL_ALIASES: &[(&str, &str)] = &[
    (
        "hardlockup_all_cpu_backtrace",
        "kernel.hardlockup_all_cpu_backtrace",
    ),
    ("hung_task_panic", "kernel.hung_task_panic"),
    ("numa_zonelist_order", "vm.numa_zonelist_order"),
    (
        "softlockup_all_cpu_backtrace",
        "kernel.softlockup_all_cpu_backtrace",
    ),
];

/// `kernel.panic_sys_info` writes go through a 52-byte buffer
/// (`sizeof("tasks,mem,timers,locks,ftrace,all_bt,blocked_tasks")`): at most
/// 51 bytes are kept.
pub const SYSCTL_SYS_INFO_MAX: usize = 52;

/// A command-line parameter that `process_sysctl_arg` turns into a sysctl write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SysctlName {
    /// The file under `/proc/sys/` (every `.` turned into `/`), e.g. `kernel/panic`.
    pub path: String,
    /// The same with dots, e.g. `kernel.panic` (for lookups).
    pub dotted: String,
    /// The alias used, if the parameter was one (`hung_task_panic`).
    pub alias: Option<&'static str>,
}

/// `process_sysctl_arg()`'s name rules: `sysctl` followed by `.` or `/` (case
/// sensitive, no dash folding; `sysctl_foo` is not a sysctl), then a path whose
/// `.`s all become `/`; or exactly one of [`SYSCTL_ALIASES`]. `None` when the
/// parameter is not a sysctl.
pub fn parse_sysctl_name(param: &[u8]) -> Option<SysctlName> {
    let param = cstr(param);
    if let Some(rest) = param.strip_prefix(b"sysctl") {
        let (sep, path) = rest.split_first()?;
        if *sep != b'.' && *sep != b'/' {
            return None;
        }
        let path = String::from_utf8_lossy(path).into_owned();
        return Some(SysctlName {
            path: path.replace('.', "/"),
            dotted: path.replace('/', "."),
            alias: None,
        });
    }
    let (alias, target) = SYSCTL_ALIASES.iter().find(|(a, _)| a.as_bytes() == param)?;
    Some(SysctlName {
        path: target.replace('.', "/"),
        dotted: (*target).to_string(),
        alias: Some(alias),
    })
}

/// The proc handler of a sysctl, which decides the value grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum SysctlHandler {
    /// `proc_dointvec` on one `int`.
    Int,
    /// `proc_dointvec_minmax` on one `int` (e.g. 0..=1).
    IntMinMax {
        /// Smallest accepted.
        min: i32,
        /// Largest accepted.
        max: i32,
    },
    /// `proc_doulongvec_minmax` on one `unsigned long`, no bounds.
    Ulong,
    /// `proc_dostring` into a buffer of `maxlen` bytes.
    String {
        /// The buffer size, NUL included.
        maxlen: usize,
    },
    /// `sysctl_sys_info_handler` (6.17+): `proc_dostring` into 52 bytes, then
    /// `sys_info_parse_param`.
    SysInfo,
}

/// What a sysctl write stores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum SysctlValue {
    /// An `int`.
    Int(i32),
    /// An `unsigned long`.
    Ulong(u64),
    /// A string.
    String(String),
    /// A `sys_info` mask.
    SysInfo(SysInfo),
}

/// Parses the value of a `sysctl.*` parameter as `process_sysctl_arg` and the
/// proc handler do: a bare flag or an empty value is `-EINVAL` before any
/// write; then the handler's grammar on the value's bytes.
pub fn parse_sysctl_value(
    handler: SysctlHandler,
    val: Option<&[u8]>,
) -> Result<(SysctlValue, Vec<Note>), ValueError> {
    let Some(raw) = val else {
        return Err(ValueError::whole(Errno::Einval, Reason::NoValue));
    };
    let s = cstr(raw);
    if s.is_empty() {
        return Err(ValueError::new(Errno::Einval, Reason::Empty, 0..0));
    }
    match handler {
        SysctlHandler::Int => proc_int(s, i32::MIN, i32::MAX),
        SysctlHandler::IntMinMax { min, max } => proc_int(s, min, max),
        SysctlHandler::Ulong => proc_ulong(s),
        SysctlHandler::String { maxlen } => {
            let (kept, notes) = proc_dostring(s, maxlen);
            Ok((
                SysctlValue::String(String::from_utf8_lossy(kept).into_owned()),
                notes,
            ))
        }
        SysctlHandler::SysInfo => {
            let (kept, mut notes) = proc_dostring(s, SYSCTL_SYS_INFO_MAX);
            let info = parse_panic_sys_info(kept);
            notes.extend(info.notes.iter().cloned());
            Ok((SysctlValue::SysInfo(info), notes))
        }
    }
}

/// `_proc_do_string` on a write at offset 0: copy up to `maxlen - 1` bytes,
/// stopping at a newline; the rest is dropped without an error.
fn proc_dostring(s: &[u8], maxlen: usize) -> (&[u8], Vec<Note>) {
    let limit = maxlen.saturating_sub(1);
    let stop = s.iter().position(|&b| b == b'\n').unwrap_or(s.len());
    let kept = stop.min(limit);
    let mut notes = Vec::new();
    if kept < stop {
        notes.push(Note::at(NoteKind::Truncated { kept }, kept..s.len()));
    } else if stop < s.len() {
        notes.push(Note::at(NoteKind::TrailingIgnored, stop..s.len()));
    }
    (s.get(..kept).unwrap_or_default(), notes)
}

/// `TMPBUFLEN` in kernel/sysctl.c: numbers of 21 characters or more are refused.
const TMPBUFLEN: usize = 22;

/// `proc_get_long()` after `proc_skip_spaces()`: an optional `-` (only when
/// more follows), a digit, a base-0 number (overflow ⇒ `-EINVAL`), at most 21
/// characters, then the end or one of space, tab, newline. Returns the
/// magnitude, the sign and where the number ends.
fn proc_get_long(s: &[u8], at: usize) -> Result<(u64, bool, usize), ValueError> {
    let size = s.len() - at;
    let tmp = s.get(at..at + size.min(TMPBUFLEN - 1)).unwrap_or_default();
    let neg = tmp.first() == Some(&b'-') && size > 1;
    let p = usize::from(neg);
    if !tmp.get(p).is_some_and(u8::is_ascii_digit) {
        return Err(ValueError::new(
            Errno::Einval,
            Reason::NoDigits,
            at + p..(at + p + 1).min(s.len()),
        ));
    }
    let n = simple_strtoull(tmp.get(p..).unwrap_or_default(), Base::Auto);
    if n.wrapped {
        return Err(ValueError::new(
            Errno::Einval,
            Reason::Overflow,
            at..at + p + n.consumed,
        ));
    }
    let len = p + n.consumed;
    if len == TMPBUFLEN - 1 {
        return Err(ValueError::new(
            Errno::Einval,
            Reason::TooLong { max: TMPBUFLEN - 2 },
            at..at + len,
        ));
    }
    if len < size && !matches!(s.get(at + len), Some(b' ' | b'\t' | b'\n')) {
        return Err(ValueError::new(
            Errno::Einval,
            Reason::Trailing,
            at + len..s.len(),
        ));
    }
    Ok((n.value, neg, at + len))
}

fn skip_spaces(s: &[u8], mut at: usize) -> usize {
    while s.get(at).is_some_and(|&b| is_kernel_space(b)) {
        at += 1;
    }
    at
}

/// What a one-element vector handler leaves unread becomes a short write.
fn leftover(s: &[u8], end: usize) -> Vec<Note> {
    let rest = skip_spaces(s, end);
    if rest < s.len() {
        vec![Note::at(NoteKind::PartialWrite, rest..s.len())]
    } else {
        Vec::new()
    }
}

/// `__do_proc_dointvec` with `do_proc_dointvec(_minmax)_conv`, one element.
fn proc_int(s: &[u8], min: i32, max: i32) -> Result<(SysctlValue, Vec<Note>), ValueError> {
    let at = skip_spaces(s, 0);
    if at == s.len() {
        return Err(ValueError::new(Errno::Einval, Reason::NoDigits, at..at));
    }
    let (mag, neg, end) = proc_get_long(s, at)?;
    let value = if neg {
        -i128::from(mag)
    } else {
        i128::from(mag)
    };
    if value < i128::from(min) || value > i128::from(max) {
        return Err(ValueError::new(
            Errno::Einval,
            Reason::OutOfRange {
                min: min.into(),
                max: max.into(),
            },
            at..end,
        ));
    }
    let value = i32::try_from(value).unwrap_or(0);
    Ok((SysctlValue::Int(value), leftover(s, end)))
}

/// `__do_proc_doulongvec_minmax`, one element, no bounds: a minus is `-EINVAL`.
fn proc_ulong(s: &[u8]) -> Result<(SysctlValue, Vec<Note>), ValueError> {
    let at = skip_spaces(s, 0);
    if at == s.len() {
        return Err(ValueError::new(Errno::Einval, Reason::NoDigits, at..at));
    }
    let (mag, neg, end) = proc_get_long(s, at)?;
    if neg {
        return Err(ValueError::new(Errno::Einval, Reason::Minus, at..at + 1));
    }
    Ok((SysctlValue::Ulong(mag), leftover(s, end)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let n = parse_sysctl_name(b"sysctl.kernel.panic_print");
        assert_eq!(
            n.as_ref().map(|n| n.path.as_str()),
            Some("kernel/panic_print")
        );
        assert_eq!(
            parse_sysctl_name(b"sysctl/kernel.panic").map(|n| n.dotted),
            Some("kernel.panic".into())
        );
        assert_eq!(parse_sysctl_name(b"sysctl_kernel.panic"), None);
        assert_eq!(parse_sysctl_name(b"Sysctl.kernel.panic"), None);
        assert_eq!(
            parse_sysctl_name(b"hung_task_panic").map(|n| n.path),
            Some("kernel/hung_task_panic".into())
        );
        assert_eq!(parse_sysctl_name(b"hung-task-panic"), None);
        assert_eq!(parse_sysctl_name(b"panic"), None);
    }

    fn int(s: &str) -> Result<i32, &'static str> {
        match parse_sysctl_value(SysctlHandler::Int, Some(s.as_bytes())) {
            Ok((SysctlValue::Int(i), _)) => Ok(i),
            Ok(_) => Err("wrong type"),
            Err(e) => Err(e.reason.slug()),
        }
    }

    #[test]
    fn dointvec() {
        assert_eq!(int("10"), Ok(10));
        assert_eq!(int(" -1"), Ok(-1));
        assert_eq!(int("0x10"), Ok(16));
        assert_eq!(int("+1"), Err("no-digits"));
        assert_eq!(int("1x"), Err("trailing"));
        assert_eq!(int("-2147483648"), Ok(i32::MIN));
        assert_eq!(int("2147483648"), Err("out-of-range"));
        assert_eq!(int("000000000000000000001"), Err("too-long"));
        assert_eq!(int("123456789012345678901"), Err("overflow"));
        assert_eq!(int("-"), Err("no-digits"));
        let partial = parse_sysctl_value(SysctlHandler::Int, Some(b"1 2")).map(|(_, n)| n);
        assert_eq!(partial, Ok(vec![Note::at(NoteKind::PartialWrite, 2..3)]));
    }

    #[test]
    fn minmax_and_ulong() {
        let h = SysctlHandler::IntMinMax { min: 0, max: 1 };
        assert_eq!(
            parse_sysctl_value(h, Some(b"2")).map_err(|e| e.reason.slug()),
            Err("out-of-range")
        );
        let u = parse_sysctl_value(SysctlHandler::Ulong, Some(b"-1")).map_err(|e| e.reason);
        assert_eq!(u, Err(Reason::Minus));
        let u = parse_sysctl_value(SysctlHandler::Ulong, Some(b"18446744073709551616"))
            .map_err(|e| e.reason);
        assert_eq!(u, Err(Reason::Overflow));
        assert_eq!(
            parse_sysctl_value(SysctlHandler::Ulong, None).map_err(|e| e.reason),
            Err(Reason::NoValue)
        );
    }

    #[test]
    fn sys_info_is_truncated_to_51_bytes() {
        let long = b"tasks,mem,timers,locks,ftrace,all_bt,nonsense,blocked_tasks";
        let r = parse_sysctl_value(SysctlHandler::SysInfo, Some(long)).ok();
        let mask = match r.as_ref().map(|r| &r.0) {
            Some(SysctlValue::SysInfo(i)) => i.mask,
            _ => 0,
        };
        assert_eq!(mask, 0x5f);
        assert!(
            r.is_some_and(|(_, n)| n.iter().any(|n| n.kind == NoteKind::Truncated { kept: 51 }))
        );
    }
}
