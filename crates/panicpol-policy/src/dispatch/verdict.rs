//! Whether a kernel entry accepts a value: the `ops->set` of a `__param` (by
//! its type) and the few `__setup`/`early_param` handlers whose behaviour is
//! modelled. Dispatch asks only through [`param_value`] and [`handler`].
//!
//! The integer and bool grammars below are the kernel's (lib/kstrtox.c,
//! kernel/params.c) and are meant to be replaced by the value grammars of
//! `crate::values` once they land; until then this is the single place to
//! change.

use panicpol_kernel::ParamType;

use super::tables::SetupEntry;

/// What a kernel entry does with a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Accepted (`ops->set` returns 0; an early handler returns 0; a
    /// `__setup` handler returns 1).
    Accepted,
    /// Refused: `-EINVAL`, `-ERANGE`, `-EROFS` … ("invalid for parameter");
    /// an early handler's non-zero return ("Malformed early option").
    Invalid,
    /// `-ENOSPC` ("too large for parameter").
    TooLarge,
    /// A `__setup` handler returned 0: not handled, the search goes on and
    /// the token may reach init.
    Declined,
    /// Not modelled.
    Unknown,
}

/// `ops->set(val)` for a parameter of this type. `val` is `None` for a bare
/// name (the caller has already applied the `KERNEL_PARAM_OPS_FL_NOARG`
/// check). `long`/`ulong` are 64-bit (x86-64, arm64).
pub(crate) fn param_value(ty: &ParamType, val: Option<&[u8]>) -> Verdict {
    use ParamType as T;
    let ok = |b: bool| {
        if b {
            Verdict::Accepted
        } else {
            Verdict::Invalid
        }
    };
    match ty {
        // param_set_bool: "No equals means set".
        T::Bool | T::BoolEnableOnly | T::Bint | T::Invbool => match val {
            None => Verdict::Accepted,
            Some(v) => ok(kstrtobool(v).is_some()),
        },
        T::Byte => ok(unsigned(val).is_some_and(|n| n <= u64::from(u8::MAX))),
        T::Ushort => ok(unsigned(val).is_some_and(|n| n <= u64::from(u16::MAX))),
        T::Uint | T::Hexint => ok(unsigned(val).is_some_and(|n| n <= u64::from(u32::MAX))),
        T::Ulong | T::Ullong => ok(unsigned(val).is_some()),
        T::Short => ok(signed(val).is_some_and(|n| i16::try_from(n).is_ok())),
        T::Int => ok(signed(val).is_some_and(|n| i32::try_from(n).is_ok())),
        T::Long => ok(signed(val).is_some()),
        // param_set_charp: more than 1024 bytes is -ENOSPC.
        T::Charp => match val {
            Some(v) if v.len() > 1024 => Verdict::TooLarge,
            Some(_) => Verdict::Accepted,
            None => Verdict::Invalid,
        },
        // The maximum length of a module_param_string and the element type
        // of an array are not in the model.
        T::String | T::Array | T::Custom(_) | T::Unknown => Verdict::Unknown,
    }
}

/// `kstrtobool`: only the first one or two bytes count. The `e`/`d`
/// (enabled/disabled) forms are newer than 6.12 (lib/kstrtox.c of 6.12.117
/// has only y/t/1, n/f/0, on/of).
pub(crate) fn kstrtobool(s: &[u8]) -> Option<bool> {
    match s.first()? {
        b'y' | b'Y' | b't' | b'T' | b'1' => Some(true),
        b'n' | b'N' | b'f' | b'F' | b'0' => Some(false),
        b'o' | b'O' => match s.get(1)? {
            b'n' | b'N' => Some(true),
            b'f' | b'F' => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// `kstrtoull(s, 0)`: one leading `+`, base from the prefix, one trailing
/// newline.
fn unsigned(val: Option<&[u8]>) -> Option<u64> {
    let s = val?;
    let s = s.strip_prefix(b"+").unwrap_or(s);
    kstrtoull_base0(s)
}

/// `kstrtoll(s, 0)`: a leading `-` (then no `+`), or what kstrtoull takes.
fn signed(val: Option<&[u8]>) -> Option<i64> {
    let s = val?;
    if let Some(rest) = s.strip_prefix(b"-") {
        let mag = kstrtoull_base0(rest)?;
        // -(2^63) is the one magnitude above i64::MAX that fits.
        0i64.checked_sub_unsigned(mag)
    } else {
        i64::try_from(unsigned(Some(s))?).ok()
    }
}

/// `_kstrtoull(s, 0)` without the `+`.
fn kstrtoull_base0(s: &[u8]) -> Option<u64> {
    let (base, digits) = match s {
        [b'0', x, h, ..] if x.eq_ignore_ascii_case(&b'x') && h.is_ascii_hexdigit() => {
            (16u32, s.get(2..)?)
        }
        [b'0', ..] => (8, s),
        _ => (10, s),
    };
    let mut n: u64 = 0;
    let mut used = 0usize;
    for &c in digits {
        let Some(d) = char::from(c).to_digit(16) else {
            break;
        };
        if d >= base {
            break;
        }
        n = n.checked_mul(u64::from(base))?.checked_add(u64::from(d))?;
        used += 1;
    }
    if used == 0 {
        return None;
    }
    match digits.get(used..)? {
        [] | [b'\n'] => Some(n),
        _ => None,
    }
}

/// What is known of a setup handler: keyed by the registered string and its
/// handler symbol, each read in 6.12.117 (and the same in 6.1).
pub(crate) struct Handler {
    /// The verdict on the value the handler receives.
    pub verdict: Verdict,
    /// `init=` / `rdinit=`: clears init's arguments gathered so far.
    pub clears_init_args: bool,
}

/// The behaviour of the handler of `entry` given `val` (for an early handler:
/// the token's value; for a `__setup`: the text after the registered string).
pub(crate) fn handler(entry: &SetupEntry, val: Option<&[u8]>) -> Handler {
    let plain = |verdict| Handler {
        verdict,
        clears_init_args: false,
    };
    let h = entry.handler.as_deref();
    match (entry.string.as_str(), entry.early, h) {
        // kernel/panic.c oops_setup: NULL → -EINVAL, anything else 0.
        ("oops", true, None | Some("oops_setup")) => {
            plain(if val.is_some() { Verdict::Accepted } else { Verdict::Invalid })
        }
        // kernel/panic.c panic_on_taint_setup: NULL → -EINVAL; the part before
        // a comma is kstrtoul base 16, masked with TAINT_FLAGS_MAX (19 flags
        // in 6.1 and 6.12); 0 after the mask → -EINVAL.
        ("panic_on_taint", true, None | Some("panic_on_taint_setup")) => plain(match val {
            None => Verdict::Invalid,
            Some(v) => {
                let head = v.split(|&b| b == b',').next().unwrap_or_default();
                match hex_ul(head) {
                    Some(n) if n & ((1 << 19) - 1) != 0 => Verdict::Accepted,
                    _ => Verdict::Invalid,
                }
            }
        }),
        // kernel/crash_reserve.c parse_crashkernel_dummy (6.1: kernel/crash_core.c),
        // init/main.c quiet_kernel, debug_kernel, warn_bootconfig: always 0.
        ("crashkernel", true, None | Some("parse_crashkernel_dummy"))
        | ("quiet", true, None | Some("quiet_kernel"))
        | ("debug", true, None | Some("debug_kernel"))
        | ("bootconfig", true, None | Some("warn_bootconfig")) => plain(Verdict::Accepted),
        // drivers/tty/serial/earlycon.c param_setup_earlycon: -ENOENT (no such
        // early console) and -EALREADY are turned into 0; a malformed option
        // of a matching console is not modelled and assumed fine. Without a
        // value it returns 0 with CONFIG_ACPI_SPCR_TABLE, else the device
        // tree's answer (-ENODEV without one): not modelled.
        ("earlycon", true, None | Some("param_setup_earlycon")) => {
            plain(if val.is_some() { Verdict::Accepted } else { Verdict::Unknown })
        }
        // kernel/printk/printk.c console_setup, control_devkmsg (prints its
        // own warning on a bad string but still returns 1); init/main.c
        // set_reset_devices: always 1.
        ("console=", false, None | Some("console_setup"))
        | ("printk.devkmsg=", false, None | Some("control_devkmsg"))
        | ("reset_devices", false, None | Some("set_reset_devices"))
        // kernel/watchdog.c: every handler returns 1, whatever the value
        // (6.1 and 6.12).
        | ("nmi_watchdog=", false, None | Some("hardlockup_panic_setup"))
        | ("softlockup_panic=", false, None | Some("softlockup_panic_setup"))
        | ("nowatchdog", false, None | Some("nowatchdog_setup"))
        | ("nosoftlockup", false, None | Some("nosoftlockup_setup"))
        | ("watchdog_thresh=", false, None | Some("watchdog_thresh_setup")) => {
            plain(Verdict::Accepted)
        }
        // init/main.c init_setup / rdinit_setup: always 1, and clear
        // argv_init[1..MAX_INIT_ARGS).
        ("init=", false, None | Some("init_setup"))
        | ("rdinit=", false, None | Some("rdinit_setup")) => Handler {
            verdict: Verdict::Accepted,
            clears_init_args: true,
        },
        _ => plain(Verdict::Unknown),
    }
}

/// `kstrtoul(s, 16)`: an optional `0x`, hex digits, one trailing newline.
fn hex_ul(s: &[u8]) -> Option<u64> {
    let s = s.strip_prefix(b"+").unwrap_or(s);
    let digits = match s {
        [b'0', x, ..] if x.eq_ignore_ascii_case(&b'x') => s.get(2..)?,
        _ => s,
    };
    let mut n: u64 = 0;
    let mut used = 0usize;
    for &c in digits {
        let Some(d) = char::from(c).to_digit(16) else {
            break;
        };
        n = n.checked_mul(16)?.checked_add(u64::from(d))?;
        used += 1;
    }
    if used == 0 {
        return None;
    }
    match digits.get(used..)? {
        [] | [b'\n'] => Some(n),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_follow_kstrtox_base0() {
        let int = |s: &str| param_value(&ParamType::Int, Some(s.as_bytes()));
        let ulong = |s: &str| param_value(&ParamType::Ulong, Some(s.as_bytes()));
        assert_eq!(int("-1"), Verdict::Accepted);
        assert_eq!(int("+7"), Verdict::Accepted);
        assert_eq!(int("-+7"), Verdict::Invalid);
        assert_eq!(int("010"), Verdict::Accepted);
        assert_eq!(int("08"), Verdict::Invalid);
        assert_eq!(int("0x"), Verdict::Invalid);
        assert_eq!(int("0x1f"), Verdict::Accepted);
        assert_eq!(int("2147483648"), Verdict::Invalid);
        assert_eq!(int("-2147483648"), Verdict::Accepted);
        assert_eq!(int("5\n"), Verdict::Accepted);
        assert_eq!(int("5 "), Verdict::Invalid);
        assert_eq!(int(""), Verdict::Invalid);
        assert_eq!(ulong("-1"), Verdict::Invalid);
        assert_eq!(ulong("0xffffffffffffffff"), Verdict::Accepted);
        assert_eq!(ulong("0x10000000000000000"), Verdict::Invalid);
        assert_eq!(
            param_value(&ParamType::Long, Some(b"-9223372036854775808")),
            Verdict::Accepted
        );
        assert_eq!(
            param_value(&ParamType::Long, Some(b"-9223372036854775809")),
            Verdict::Invalid
        );
    }

    #[test]
    fn bools_look_at_two_bytes() {
        for t in ["y", "Yes", "1x", "on", "true"] {
            assert_eq!(kstrtobool(t.as_bytes()), Some(true), "{t}");
        }
        for f in ["n", "0", "off", "F"] {
            assert_eq!(kstrtobool(f.as_bytes()), Some(false), "{f}");
        }
        for bad in ["", "o", "enabled", "2"] {
            assert_eq!(kstrtobool(bad.as_bytes()), None, "{bad}");
        }
    }

    #[test]
    fn charp_limit() {
        let long = vec![b'a'; 1025];
        assert_eq!(
            param_value(&ParamType::Charp, Some(&long)),
            Verdict::TooLarge
        );
        assert_eq!(
            param_value(&ParamType::Charp, Some(&long[..1024])),
            Verdict::Accepted
        );
    }
}
