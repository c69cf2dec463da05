//! What the panic settings are once boot is over: the command line's values
//! (a [`Policy`]) changed by the runtime files that run after it —
//! `systemd-sysctl` (`sysctl.d`) and `systemd-tmpfiles` (`w` lines writing
//! `/proc/sys/…` or `/sys/module/kernel/parameters/…`).
//!
//! Each write goes through the kernel's own handler, with its grammar:
//!
//! | target | handler | grammar |
//! |---|---|---|
//! | `kernel.panic` | `proc_dointvec` | one integer, base 0, `-` allowed, fits `int` |
//! | `kernel.panic_on_oops` | `proc_dointvec` | same; non-zero panics |
//! | `kernel.panic_on_warn` | `proc_dointvec_minmax` 0..=1 | same, then the range |
//! | `kernel.panic_print` | `proc_doulongvec_minmax` | no sign, base 0 |
//! | `…/parameters/panic`, `panic_on_warn` | `param_set_int` | `kstrtoint(…, 0)` |
//! | `…/parameters/panic_print` | `param_set_ulong` | `kstrtoul(…, 0)` |
//! | `…/parameters/crash_kexec_post_notifiers` | `param_set_bool` | `kstrtobool` |
//!
//! (kernel/sysctl.c `kern_table`, kernel/panic.c `core_param`, 6.1 and
//! 6.12.) A rejected write leaves the value as it was. The values after boot
//! are [`AfterBoot`]; each remembers which runtime line set it.

use panicpol_syntax::entry::{RuntimeSetting, RuntimeTarget};
use serde::Serialize;

use crate::policy::Policy;
use crate::values::{self, IntType, KernelVersion};

/// A panic setting a runtime file can change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// `crash_kexec_post_notifiers`.
    CrashKexecPostNotifiers,
    /// `panic_print`.
    PanicPrint,
    /// `panic` (the timeout).
    PanicTimeout,
    /// `panic_on_oops`.
    PanicOnOops,
    /// `panic_on_warn`.
    PanicOnWarn,
}

impl Field {
    /// The name users know it by on the command line.
    pub fn param(self) -> &'static str {
        match self {
            Field::CrashKexecPostNotifiers => "crash_kexec_post_notifiers",
            Field::PanicPrint => "panic_print",
            Field::PanicTimeout => "panic",
            Field::PanicOnOops => "oops=panic / panic_on_oops",
            Field::PanicOnWarn => "panic_on_warn",
        }
    }
}

/// Which field a target writes, and through which handler.
fn field_of(t: &RuntimeTarget) -> Option<(Field, Handler)> {
    Some(match t {
        RuntimeTarget::Sysctl { path } => match path.as_str() {
            "kernel/panic" => (
                Field::PanicTimeout,
                Handler::Dointvec {
                    min: None,
                    max: None,
                },
            ),
            "kernel/panic_on_oops" => (
                Field::PanicOnOops,
                Handler::Dointvec {
                    min: None,
                    max: None,
                },
            ),
            "kernel/panic_on_warn" => (
                Field::PanicOnWarn,
                Handler::Dointvec {
                    min: Some(0),
                    max: Some(1),
                },
            ),
            "kernel/panic_print" => (Field::PanicPrint, Handler::Doulongvec),
            _ => return None,
        },
        RuntimeTarget::ModuleParam { module, param } if module == "kernel" => {
            match param.as_str() {
                "crash_kexec_post_notifiers" => {
                    (Field::CrashKexecPostNotifiers, Handler::ParamBool)
                }
                "panic" => (Field::PanicTimeout, Handler::ParamInt),
                "panic_on_warn" => (Field::PanicOnWarn, Handler::ParamInt),
                "panic_print" => (Field::PanicPrint, Handler::ParamUlong),
                _ => return None,
            }
        }
        RuntimeTarget::ModuleParam { .. } => return None,
    })
}

#[derive(Debug, Clone, Copy)]
enum Handler {
    Dointvec { min: Option<i64>, max: Option<i64> },
    Doulongvec,
    ParamInt,
    ParamUlong,
    ParamBool,
}

/// A value after boot and what set it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct After<T> {
    /// The value.
    pub value: T,
    /// The runtime setting (index into the slice given to
    /// [`apply_runtime`]) that set it; `None` when it is the boot value.
    pub by: Option<usize>,
}

/// One runtime write to a panic setting, accepted or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Index of the runtime setting.
    pub setting: usize,
    /// The field written.
    pub field: Field,
    /// The value before, for display.
    pub before: String,
    /// The value after (equal to `before` when rejected).
    pub after: String,
    /// The kernel's error when the write was rejected.
    pub error: Option<String>,
}

/// The panic settings once boot is over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AfterBoot {
    /// `crash_kexec_post_notifiers`.
    pub crash_kexec_post_notifiers: After<bool>,
    /// `panic_print`.
    pub panic_print: After<u64>,
    /// `panic` (seconds; 0 waits forever, negative reboots at once).
    pub panic_timeout: After<i64>,
    /// `panic_on_oops`.
    pub panic_on_oops: After<bool>,
    /// `panic_on_warn`.
    pub panic_on_warn: After<i64>,
    /// Every write to a panic setting, in order.
    pub changes: Vec<Change>,
}

impl AfterBoot {
    /// The setting that last set `field`, if a runtime file did.
    pub fn set_by(&self, field: Field) -> Option<usize> {
        match field {
            Field::CrashKexecPostNotifiers => self.crash_kexec_post_notifiers.by,
            Field::PanicPrint => self.panic_print.by,
            Field::PanicTimeout => self.panic_timeout.by,
            Field::PanicOnOops => self.panic_on_oops.by,
            Field::PanicOnWarn => self.panic_on_warn.by,
        }
    }

    /// The value of `field` after boot, for display.
    pub fn show(&self, field: Field) -> String {
        match field {
            Field::CrashKexecPostNotifiers => yn(self.crash_kexec_post_notifiers.value),
            Field::PanicPrint => format!("{:#x}", self.panic_print.value),
            Field::PanicTimeout => self.panic_timeout.value.to_string(),
            Field::PanicOnOops => u8::from(self.panic_on_oops.value).to_string(),
            Field::PanicOnWarn => self.panic_on_warn.value.to_string(),
        }
    }

    /// `boot` with its values replaced by the values after boot, to resolve
    /// the panic plan of a panic after boot. The origins are the boot
    /// policy's: where a runtime file changed a value, [`AfterBoot`] says
    /// which.
    pub fn policy(&self, boot: &Policy) -> Policy {
        let mut p = boot.clone();
        p.crash_kexec_post_notifiers.value = self.crash_kexec_post_notifiers.value;
        p.panic_print.value = self.panic_print.value;
        p.panic_timeout.value = self.panic_timeout.value;
        p.panic_on_oops.value = self.panic_on_oops.value;
        p.panic_on_warn.value = self.panic_on_warn.value;
        p
    }
}

fn yn(b: bool) -> String {
    if b { "Y".into() } else { "N".into() }
}

/// `proc_get_long` then the `int` conversion: one integer, leading blanks,
/// optional `-`, a digit first, base 0, only blanks after.
fn proc_int(
    value: &[u8],
    min: Option<i64>,
    max: Option<i64>,
    signed: bool,
) -> Result<i128, String> {
    let s = String::from_utf8_lossy(value);
    let t = s.trim_matches(|c: char| c == ' ' || c == '\t' || c == '\n');
    let (neg, digits) = match t.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, t),
    };
    if !digits.starts_with(|c: char| c.is_ascii_digit()) {
        return Err("EINVAL: not a number".into());
    }
    let (radix, body) = if let Some(h) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        (16, h)
    } else if let Some(o) = digits.strip_prefix('0').filter(|o| !o.is_empty()) {
        (8, o)
    } else {
        (10, digits)
    };
    let n = u128::from_str_radix(body, radix).map_err(|_| "EINVAL: not a number".to_string())?;
    if n > u128::from(u64::MAX) {
        return Err("ERANGE: too large".into());
    }
    let n = n as i128;
    if neg && !signed {
        return Err("EINVAL: negative value for an unsigned setting".into());
    }
    let v = if neg { -n } else { n };
    if signed && (v > i128::from(i32::MAX) || v < i128::from(i32::MIN)) {
        return Err("EINVAL: does not fit an int".into());
    }
    if min.is_some_and(|m| v < i128::from(m)) || max.is_some_and(|m| v > i128::from(m)) {
        return Err(format!(
            "EINVAL: outside {}..={}",
            min.map_or("…".into(), |m| m.to_string()),
            max.map_or("…".into(), |m| m.to_string())
        ));
    }
    Ok(v)
}

/// Applies the runtime settings in order to the values of `boot`.
/// Settings that are masked or duplicates (`ignored`) and targets that are
/// not panic settings are skipped.
pub fn apply_runtime(boot: &Policy, settings: &[RuntimeSetting], v: &KernelVersion) -> AfterBoot {
    let mut a = AfterBoot {
        crash_kexec_post_notifiers: After {
            value: boot.crash_kexec_post_notifiers.value,
            by: None,
        },
        panic_print: After {
            value: boot.panic_print.value,
            by: None,
        },
        panic_timeout: After {
            value: boot.panic_timeout.value,
            by: None,
        },
        panic_on_oops: After {
            value: boot.panic_on_oops.value,
            by: None,
        },
        panic_on_warn: After {
            value: boot.panic_on_warn.value,
            by: None,
        },
        changes: Vec::new(),
    };
    for (i, s) in settings.iter().enumerate() {
        if s.ignored.is_some() {
            continue;
        }
        let Some((field, handler)) = field_of(&s.target) else {
            continue;
        };
        let before = a.show(field);
        let result: Result<(), String> = match handler {
            Handler::Dointvec { min, max } => proc_int(&s.value, min, max, true).map(|n| {
                let n = n as i64;
                match field {
                    Field::PanicTimeout => {
                        a.panic_timeout = After {
                            value: n,
                            by: Some(i),
                        }
                    }
                    Field::PanicOnOops => {
                        a.panic_on_oops = After {
                            value: n != 0,
                            by: Some(i),
                        }
                    }
                    Field::PanicOnWarn => {
                        a.panic_on_warn = After {
                            value: n,
                            by: Some(i),
                        }
                    }
                    _ => {}
                }
            }),
            Handler::Doulongvec => proc_int(&s.value, None, None, false).map(|n| {
                a.panic_print = After {
                    value: u64::try_from(n).unwrap_or(u64::MAX),
                    by: Some(i),
                };
            }),
            Handler::ParamInt => values::parse_int(Some(&s.value), IntType::S32)
                .map_err(|e| e.to_string())
                .and_then(|n| n.as_i64().ok_or_else(|| "ERANGE".to_string()))
                .map(|n| match field {
                    Field::PanicTimeout => {
                        a.panic_timeout = After {
                            value: n,
                            by: Some(i),
                        }
                    }
                    Field::PanicOnWarn => {
                        a.panic_on_warn = After {
                            value: n,
                            by: Some(i),
                        }
                    }
                    _ => {}
                }),
            Handler::ParamUlong => values::parse_int(Some(&s.value), IntType::U64)
                .map_err(|e| e.to_string())
                .and_then(|n| n.as_u64().ok_or_else(|| "ERANGE".to_string()))
                .map(|n| {
                    a.panic_print = After {
                        value: n,
                        by: Some(i),
                    }
                }),
            Handler::ParamBool => values::parse_bool(Some(&s.value), v)
                .map_err(|e| e.to_string())
                .map(|b| {
                    a.crash_kexec_post_notifiers = After {
                        value: b.value,
                        by: Some(i),
                    }
                }),
        };
        let after = a.show(field);
        a.changes.push(Change {
            setting: i,
            field,
            before,
            after,
            error: result.err(),
        });
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;
    use panicpol_diagnostics::FileId;
    use panicpol_kernel::{Kernel, KernelSource};
    use panicpol_syntax::entry::RuntimeSource;

    fn setting(target: RuntimeTarget, value: &str) -> RuntimeSetting {
        RuntimeSetting {
            source: RuntimeSource::SysctlD,
            target,
            value: value.as_bytes().to_vec(),
            key_at: (FileId(0), 0..1),
            value_at: (FileId(0), 2..3),
            ignore_failure: false,
            ignored: None,
        }
    }

    fn sysctl(path: &str, value: &str) -> RuntimeSetting {
        setting(RuntimeTarget::Sysctl { path: path.into() }, value)
    }

    fn param(p: &str, value: &str) -> RuntimeSetting {
        setting(
            RuntimeTarget::ModuleParam {
                module: "kernel".into(),
                param: p.into(),
            },
            value,
        )
    }

    fn boot(cmdline: &[u8]) -> Policy {
        let mut k = Kernel::empty(KernelSource::Catalogue);
        crate::supplement::supplement(&mut k);
        let d = crate::dispatch::dispatch_cmdline(cmdline, &k);
        crate::policy::lower(&d, &k, cmdline)
    }

    #[test]
    fn writes_through_the_kernel_handlers() {
        let v = KernelVersion::UNKNOWN;
        // (setting, field, value after, accepted)
        let cases: Vec<(RuntimeSetting, Field, &str, bool)> = vec![
            (
                sysctl("kernel/panic", "10"),
                Field::PanicTimeout,
                "10",
                true,
            ),
            (
                sysctl("kernel/panic", " -1\n"),
                Field::PanicTimeout,
                "-1",
                true,
            ),
            (
                sysctl("kernel/panic", "0x10"),
                Field::PanicTimeout,
                "16",
                true,
            ),
            (
                sysctl("kernel/panic", "ten"),
                Field::PanicTimeout,
                "0",
                false,
            ),
            (
                sysctl("kernel/panic", "99999999999"),
                Field::PanicTimeout,
                "0",
                false,
            ),
            (
                sysctl("kernel/panic_on_oops", "1"),
                Field::PanicOnOops,
                "1",
                true,
            ),
            (
                sysctl("kernel/panic_on_warn", "2"),
                Field::PanicOnWarn,
                "0",
                false,
            ),
            (
                sysctl("kernel/panic_on_warn", "1"),
                Field::PanicOnWarn,
                "1",
                true,
            ),
            (
                sysctl("kernel/panic_print", "3"),
                Field::PanicPrint,
                "0x3",
                true,
            ),
            (
                sysctl("kernel/panic_print", "-1"),
                Field::PanicPrint,
                "0x0",
                false,
            ),
            (
                param("crash_kexec_post_notifiers", "Y"),
                Field::CrashKexecPostNotifiers,
                "Y",
                true,
            ),
            (
                param("crash_kexec_post_notifiers", "maybe"),
                Field::CrashKexecPostNotifiers,
                "N",
                false,
            ),
            (param("panic", "0x20"), Field::PanicTimeout, "32", true),
            (param("panic_print", "0x7"), Field::PanicPrint, "0x7", true),
        ];
        let b = boot(b"");
        for (s, field, want, ok) in cases {
            let a = apply_runtime(&b, std::slice::from_ref(&s), &v);
            assert_eq!(a.show(field), want, "{:?} {:?}", s.target, s.value);
            assert_eq!(a.changes.len(), 1);
            assert_eq!(a.changes[0].error.is_none(), ok, "{:?}", a.changes[0]);
            assert_eq!(a.set_by(field).is_some(), ok);
        }
    }

    #[test]
    fn runtime_beats_the_command_line_in_order() {
        let b = boot(b"panic=10 crash_kexec_post_notifiers");
        assert_eq!(b.panic_timeout.value, 10);
        let mut masked = sysctl("kernel/panic", "99");
        masked.ignored = Some(panicpol_syntax::entry::Ignored::MaskedBy(FileId(3)));
        let settings = vec![
            sysctl("kernel/panic", "0"),
            masked,
            sysctl("net/ipv4/ip_forward", "1"),
            sysctl("kernel/panic", "30"),
            param("crash_kexec_post_notifiers", "N"),
        ];
        let a = apply_runtime(&b, &settings, &KernelVersion::UNKNOWN);
        assert_eq!(a.panic_timeout.value, 30);
        assert_eq!(a.panic_timeout.by, Some(3));
        assert!(!a.crash_kexec_post_notifiers.value);
        assert_eq!(a.changes.len(), 3);
        let p = a.policy(&b);
        assert_eq!(p.panic_timeout.value, 30);
        assert_eq!(p.panic_timeout.origin, b.panic_timeout.origin);
    }
}
