//! Whether a kernel entry accepts a value: the `ops->set` of a `__param` (by
//! its type) and the few `__setup`/`early_param` handlers whose behaviour is
//! modelled. Dispatch asks only through [`param_value`] and [`handler`],
//! which call the value grammars of [`crate::values`].

use panicpol_kernel::ParamType;

use super::tables::SetupEntry;
use crate::values::{self, Errno, IntType, KernelVersion, NoteKind, ValueError};

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
    /// Not modelled, or it depends on a kernel version that is not known.
    Unknown,
}

/// The version the value grammars need.
pub(crate) fn kernel_version(v: Option<(u32, u32)>) -> KernelVersion {
    match v {
        Some((major, minor)) => KernelVersion::new(major, minor, None),
        None => KernelVersion::UNKNOWN,
    }
}

fn from_result<T>(r: Result<T, ValueError>, notes: impl Fn(&T) -> bool) -> Verdict {
    match r {
        // A grammar that answers "depends on the kernel" does not know.
        Ok(v) if notes(&v) => Verdict::Unknown,
        Ok(_) => Verdict::Accepted,
        Err(e) if e.errno == Errno::Enospc => Verdict::TooLarge,
        Err(_) => Verdict::Invalid,
    }
}

fn version_dependent(notes: &[values::Note]) -> bool {
    notes
        .iter()
        .any(|n| matches!(n.kind, NoteKind::VersionDependent { .. }))
}

/// `ops->set(val)` for a parameter of this type. `val` is `None` for a bare
/// name (the caller has already applied the `KERNEL_PARAM_OPS_FL_NOARG`
/// check). `long`/`ulong` are 64-bit (x86-64, arm64).
pub(crate) fn param_value(ty: &ParamType, val: Option<&[u8]>, v: &KernelVersion) -> Verdict {
    use ParamType as T;
    let int = |t: IntType| from_result(values::parse_int(val, t), |_| false);
    match ty {
        // param_set_bool and the ops built on it: "No equals means set".
        T::Bool | T::BoolEnableOnly | T::Bint | T::Invbool => {
            from_result(values::parse_bool(val, v), |b| version_dependent(&b.notes))
        }
        T::Byte => int(IntType::U8),
        T::Short => int(IntType::S16),
        T::Ushort => int(IntType::U16),
        T::Int => int(IntType::S32),
        T::Uint | T::Hexint => int(IntType::U32),
        T::Long => int(IntType::long(64)),
        T::Ulong => int(IntType::ulong(64)),
        T::Ullong => int(IntType::U64),
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

/// The boolean a bool parameter ends up with (`None`: rejected or unknown).
pub(crate) fn bool_value(val: Option<&[u8]>, v: &KernelVersion) -> Option<bool> {
    values::parse_bool(val, v).ok().map(|b| b.value)
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
pub(crate) fn handler(entry: &SetupEntry, val: Option<&[u8]>, v: &KernelVersion) -> Handler {
    let plain = |verdict| Handler {
        verdict,
        clears_init_args: false,
    };
    let h = entry.handler.as_deref();
    match (entry.string.as_str(), entry.early, h) {
        // kernel/panic.c oops_setup: NULL → -EINVAL, anything else 0.
        ("oops", true, None | Some("oops_setup")) => {
            plain(from_result(values::parse_oops(val), |_| false))
        }
        // kernel/panic.c panic_on_taint_setup: NULL, a bad hex number or no
        // valid taint bit → -EINVAL.
        ("panic_on_taint", true, None | Some("panic_on_taint_setup")) => plain(from_result(
            values::parse_panic_on_taint(val, v),
            |p| version_dependent(&p.notes),
        )),
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
        // init/do_mounts.c readonly, readwrite, rootwait_setup: registered
        // without `=`, they return 0 ("not mine") when anything follows the
        // name, so `ro=1` or `rootwait=5` goes on to the next entry (6.12 has
        // `rootwait=`; 6.1 does not, and the token reaches init).
        ("ro", false, None | Some("readonly"))
        | ("rw", false, None | Some("readwrite"))
        | ("rootwait", false, None | Some("rootwait_setup")) => plain(match val {
            Some(rest) if !rest.is_empty() => Verdict::Declined,
            _ => Verdict::Accepted,
        }),
        // init/do_mounts.c: always 1.
        ("root=", false, None | Some("root_dev_setup"))
        | ("rootflags=", false, None | Some("root_data_setup"))
        | ("rootfstype=", false, None | Some("fs_names_setup"))
        | ("rootdelay=", false, None | Some("root_delay_setup"))
        | ("rootwait=", false, None | Some("rootwait_timeout_setup")) => plain(Verdict::Accepted),
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

#[cfg(test)]
mod tests {
    use super::*;

    const V612: KernelVersion = KernelVersion::new(6, 12, None);

    #[test]
    fn integers_follow_kstrtox_base0() {
        let int = |s: &str| param_value(&ParamType::Int, Some(s.as_bytes()), &V612);
        let ulong = |s: &str| param_value(&ParamType::Ulong, Some(s.as_bytes()), &V612);
        assert_eq!(int("-1"), Verdict::Accepted);
        assert_eq!(int("+7"), Verdict::Accepted);
        assert_eq!(int("-+7"), Verdict::Invalid);
        assert_eq!(int("010"), Verdict::Accepted);
        assert_eq!(int("08"), Verdict::Invalid);
        assert_eq!(int("0x"), Verdict::Invalid);
        assert_eq!(int("2147483648"), Verdict::Invalid);
        assert_eq!(int("-2147483648"), Verdict::Accepted);
        assert_eq!(int("5\n"), Verdict::Accepted);
        assert_eq!(int(""), Verdict::Invalid);
        assert_eq!(ulong("-1"), Verdict::Invalid);
        assert_eq!(ulong("0xffffffffffffffff"), Verdict::Accepted);
        assert_eq!(ulong("0x10000000000000000"), Verdict::Invalid);
        assert_eq!(param_value(&ParamType::Int, None, &V612), Verdict::Invalid);
    }

    #[test]
    fn bools_depend_on_the_version_only_for_e_and_d() {
        let b = |s: &str, v: &KernelVersion| param_value(&ParamType::Bool, Some(s.as_bytes()), v);
        assert_eq!(b("on", &V612), Verdict::Accepted);
        assert_eq!(b("enable", &V612), Verdict::Invalid);
        assert_eq!(b("enable", &KernelVersion::UNKNOWN), Verdict::Unknown);
        assert_eq!(b("", &V612), Verdict::Invalid);
        assert_eq!(
            param_value(&ParamType::Bool, None, &V612),
            Verdict::Accepted
        );
        assert_eq!(bool_value(Some(b"of"), &V612), Some(false));
    }

    #[test]
    fn charp_limit_and_unmodelled_types() {
        let long = vec![b'a'; 1025];
        assert_eq!(
            param_value(&ParamType::Charp, Some(&long), &V612),
            Verdict::TooLarge
        );
        assert_eq!(
            param_value(&ParamType::Charp, long.get(..1024), &V612),
            Verdict::Accepted
        );
        assert_eq!(
            param_value(&ParamType::Custom("x".into()), Some(b"1"), &V612),
            Verdict::Unknown
        );
    }

    #[test]
    fn handlers_use_the_value_grammars() {
        let entry = |s: &str, early: bool| SetupEntry {
            string: s.into(),
            early,
            handler: None,
            obsolete: false,
            inferred: false,
        };
        let h = |e: &SetupEntry, v: Option<&[u8]>| handler(e, v, &V612).verdict;
        assert_eq!(h(&entry("oops", true), None), Verdict::Invalid);
        assert_eq!(
            h(&entry("oops", true), Some(b"whatever")),
            Verdict::Accepted
        );
        assert_eq!(
            h(&entry("panic_on_taint", true), Some(b"0x20")),
            Verdict::Accepted
        );
        assert_eq!(
            h(&entry("panic_on_taint", true), Some(b"0")),
            Verdict::Invalid
        );
        assert_eq!(h(&entry("earlycon", true), None), Verdict::Unknown);
        assert_eq!(
            h(&entry("something_else=", false), Some(b"1")),
            Verdict::Unknown
        );
        assert!(handler(&entry("init=", false), Some(b"/bin/sh"), &V612).clears_init_args);
        assert_eq!(h(&entry("ro", false), Some(b"")), Verdict::Accepted);
        assert_eq!(h(&entry("ro", false), Some(b"=1")), Verdict::Declined);
    }
}
