//! The effective panic policy: the value every panic-relevant setting has once
//! the kernel has read the whole command line, and where that value came from.
//!
//! [`lower`] walks the fates from [`crate::dispatch`] in command-line order and
//! applies the ones that reached a panic parameter, with the kernel's own
//! rules: last wins for `__param` scalars, `oops=panic` only ever sets,
//! `panic_sys_info=` and `panic_print=` write the same variable, `sysctl.*`
//! writes happen last (do_sysctl_args runs just before init), and
//! `crashkernel=` is found by scanning the bootloader's raw line
//! (`parse_crashkernel` on `boot_command_line`), not by the dispatcher.

use std::ops::Range;

use panicpol_kernel::{DefaultValue, Kernel};
use serde::{Serialize, Serializer};

use crate::dispatch::{Dispatch, Fate, Kind, Layer};
use crate::values::{self, CrashKernelSelection, KernelVersion};

/// Where an effective value came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum Origin {
    /// The compiled-in value, read from the vmlinux's data.
    CompiledIn,
    /// The kernel config (`CONFIG_PANIC_TIMEOUT`, `CONFIG_PANIC_ON_OOPS`).
    Config {
        /// The option.
        option: &'static str,
    },
    /// The mainline default; the image was not read.
    Default,
    /// A token of the command line.
    Token {
        /// Index into [`Dispatch::tokens`].
        index: usize,
        /// Which text the span points into.
        layer: Layer,
        /// Byte range of the token in that text.
        #[serde(serialize_with = "span_pair")]
        span: Range<usize>,
    },
}

fn span_pair<S: Serializer>(r: &Range<usize>, s: S) -> Result<S::Ok, S::Error> {
    [r.start, r.end].serialize(s)
}

fn opt_span_pair<S: Serializer>(r: &Option<Range<usize>>, s: S) -> Result<S::Ok, S::Error> {
    r.as_ref().map(|r| [r.start, r.end]).serialize(s)
}

/// One effective value and its origin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Setting<T> {
    /// The value the kernel ends up with.
    pub value: T,
    /// Where it came from.
    #[serde(flatten)]
    pub origin: Origin,
}

impl<T> Setting<T> {
    fn token(value: T, d: &Dispatch, index: usize) -> Setting<T> {
        // `index` always comes from enumerating `d.tokens`; an empty span
        // rather than a panic if a caller ever passes another dispatch.
        let (layer, span) = d
            .tokens
            .get(index)
            .map_or((Layer::Bootloader, 0..0), |t| (t.layer, t.span.clone()));
        Setting {
            value,
            origin: Origin::Token { index, layer, span },
        }
    }

    /// Whether a token set it (as opposed to a default).
    pub fn is_given(&self) -> bool {
        matches!(self.origin, Origin::Token { .. })
    }
}

/// `crashkernel=` as the architecture code will find it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CrashKernelSetting {
    /// The spans (into the bootloader line) of the last value of each kind.
    #[serde(skip)]
    pub selection: CrashKernelSelection,
    /// The value that takes effect (plain, else `,high`), as written.
    pub value: Option<String>,
    /// Its span in the bootloader line.
    #[serde(serialize_with = "opt_span_pair")]
    pub span: Option<Range<usize>>,
    /// Whether it is well-formed for this kernel; `None` with no value.
    pub valid: Option<bool>,
    /// The parse error, when not well-formed.
    pub error: Option<String>,
}

impl CrashKernelSetting {
    /// A crash kernel can be loaded: a well-formed reservation exists.
    /// (`kexec -p` still has to load one at run time.)
    pub fn reserves(&self) -> bool {
        self.valid == Some(true)
    }
}

/// The effective panic policy of one command line on one kernel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Policy {
    /// The kernel version the values were read for.
    #[serde(skip)]
    pub version: KernelVersion,
    /// `crash_kexec_post_notifiers`.
    pub crash_kexec_post_notifiers: Setting<bool>,
    /// `panic_print` (also written by `panic_sys_info=` and the sysctls).
    pub panic_print: Setting<u64>,
    /// `panic_console_replay` (6.17+).
    pub panic_console_replay: Setting<bool>,
    /// `panic_timeout` (`panic=`, `sysctl.kernel.panic`).
    pub panic_timeout: Setting<i64>,
    /// `panic_on_oops` (`oops=panic`, `sysctl.kernel.panic_on_oops`).
    pub panic_on_oops: Setting<bool>,
    /// `panic_on_warn`.
    pub panic_on_warn: Setting<i64>,
    /// `panic_on_taint`: mask and `nousertaint`.
    pub panic_on_taint: Setting<Option<(u64, bool)>>,
    /// `crashkernel=`.
    pub crashkernel: CrashKernelSetting,
    /// `panic_notifier_filter=` names, on kernels that have the parameter.
    pub panic_notifier_filter: Option<Setting<Vec<String>>>,
}

/// The canonical name of an applied entry: `panic_sys_info=` → `panic_sys_info`,
/// a sysctl `kernel/panic` or `kernel.panic` → `sysctl:kernel.panic`.
fn canonical(param: &str, kind: Kind) -> String {
    match kind {
        Kind::Sysctl | Kind::SysctlAlias => {
            let p = param.strip_prefix("sysctl.").unwrap_or(param);
            format!("sysctl:{}", p.replace('/', "."))
        }
        _ => param.trim_end_matches('=').replace('-', "_"),
    }
}

fn compiled_in_bool(k: &Kernel, name: &str) -> Option<bool> {
    k.params
        .iter()
        .find(|p| p.name == name)
        .and_then(|p| match &p.default {
            Some(DefaultValue::Bool(b)) => Some(*b),
            Some(DefaultValue::Int(i)) => Some(*i != 0),
            Some(DefaultValue::Uint(u)) => Some(*u != 0),
            _ => None,
        })
}

fn compiled_in_int(k: &Kernel, name: &str) -> Option<i64> {
    k.params
        .iter()
        .find(|p| p.name == name)
        .and_then(|p| match &p.default {
            Some(DefaultValue::Int(i)) => Some(*i),
            Some(DefaultValue::Uint(u)) => i64::try_from(*u).ok(),
            Some(DefaultValue::Bool(b)) => Some(i64::from(*b)),
            _ => None,
        })
}

fn default_bool(k: &Kernel, name: &str) -> Setting<bool> {
    match compiled_in_bool(k, name) {
        Some(value) => Setting {
            value,
            origin: Origin::CompiledIn,
        },
        None => Setting {
            value: false,
            origin: Origin::Default,
        },
    }
}

fn default_int(k: &Kernel, name: &str, config: Option<&'static str>) -> Setting<i64> {
    if let Some(value) = compiled_in_int(k, name) {
        return Setting {
            value,
            origin: Origin::CompiledIn,
        };
    }
    if let Some(option) = config
        && let Some(v) = k.config.as_ref().and_then(|c| c.value(option))
        && let Ok(value) = v.parse::<i64>()
    {
        return Setting {
            value,
            origin: Origin::Config { option },
        };
    }
    Setting {
        value: 0,
        origin: Origin::Default,
    }
}

/// The version to gate value grammars on: the release's, made exact by the
/// config's heading where the release hides the sublevel (Debian's
/// `6.1.0-50-cloud-amd64` with a config saying 6.1.176), or the config's
/// alone when no release is known (a System.map with a config).
pub fn kernel_version(k: &Kernel) -> KernelVersion {
    let release = k
        .release
        .as_deref()
        .and_then(|r| KernelVersion::parse(r).ok());
    let config = k
        .config
        .as_ref()
        .and_then(|c| c.version.as_deref())
        .and_then(|v| KernelVersion::parse(v).ok());
    match (release, config) {
        (Some(r), Some(c)) if r.patch().is_none() && r.release() == c.release() => c,
        (Some(r), _) => r,
        (None, Some(c)) => c,
        (None, None) => KernelVersion::UNKNOWN,
    }
}

/// Computes the effective policy from the fates of a command line.
/// `bootloader` is the bootloader's command line (what arch code scans for
/// `crashkernel=`).
pub fn lower(d: &Dispatch, kernel: &Kernel, bootloader: &[u8]) -> Policy {
    let v = kernel_version(kernel);
    let mut p = Policy {
        version: v,
        crash_kexec_post_notifiers: default_bool(kernel, "crash_kexec_post_notifiers"),
        panic_print: {
            let s = default_int(kernel, "panic_print", None);
            Setting {
                value: u64::try_from(s.value).unwrap_or(0),
                origin: s.origin,
            }
        },
        panic_console_replay: default_bool(kernel, "panic_console_replay"),
        panic_timeout: default_int(kernel, "panic", Some("PANIC_TIMEOUT")),
        panic_on_oops: {
            let on = kernel
                .config
                .as_ref()
                .and_then(|c| c.enabled("PANIC_ON_OOPS"));
            match on {
                Some(value) => Setting {
                    value,
                    origin: Origin::Config {
                        option: "PANIC_ON_OOPS",
                    },
                },
                None => Setting {
                    value: false,
                    origin: Origin::Default,
                },
            }
        },
        panic_on_warn: default_int(kernel, "panic_on_warn", None),
        panic_on_taint: Setting {
            value: None,
            origin: Origin::Default,
        },
        crashkernel: crashkernel(bootloader, &v),
        panic_notifier_filter: None,
    };
    // sysctl writes come after every parameter (do_sysctl_args runs last).
    let mut sysctls = Vec::new();
    for (i, t) in d.tokens.iter().enumerate() {
        let Fate::Applied {
            param, kind, value, ..
        } = &t.fate
        else {
            continue;
        };
        let val = value.as_ref().map(|b| b.as_slice());
        let name = canonical(param, *kind);
        if name.starts_with("sysctl:") {
            sysctls.push((i, name, val));
            continue;
        }
        match name.as_str() {
            "crash_kexec_post_notifiers" => {
                if let Ok(b) = values::parse_bool(val, &v) {
                    p.crash_kexec_post_notifiers = Setting::token(b.value, d, i);
                }
            }
            "panic_print" => {
                if let Ok(pp) = values::parse_panic_print(val, &v) {
                    p.panic_print = Setting::token(pp.mask, d, i);
                }
            }
            "panic_sys_info" => {
                let si = values::parse_panic_sys_info(val.unwrap_or_default());
                p.panic_print = Setting::token(si.mask, d, i);
            }
            "panic_console_replay" => {
                if let Ok(b) = values::parse_panic_console_replay(val, &v) {
                    p.panic_console_replay = Setting::token(b.value, d, i);
                }
            }
            "panic" => {
                if let Ok(n) = values::parse_int(val, values::IntType::S32)
                    && let Some(n) = n.as_i64()
                {
                    p.panic_timeout = Setting::token(n, d, i);
                }
            }
            "panic_on_warn" => {
                if let Ok(n) = values::parse_panic_on_warn(val)
                    && let Some(n) = n.as_i64()
                {
                    p.panic_on_warn = Setting::token(n, d, i);
                }
            }
            "oops" => {
                // oops_setup only ever sets panic_on_oops.
                if let Ok(o) = values::parse_oops(val)
                    && o.panic
                {
                    p.panic_on_oops = Setting::token(true, d, i);
                }
            }
            "panic_on_taint" => {
                if let Ok(t) = values::parse_panic_on_taint(val, &v) {
                    let sticky = p.panic_on_taint.value.is_some_and(|(_, n)| n);
                    p.panic_on_taint =
                        Setting::token(Some((t.mask, t.nousertaint || sticky)), d, i);
                }
            }
            "panic_notifier_filter" => {
                if let Ok(f) = values::parse_panic_notifier_filter(val) {
                    let names = f.items.into_iter().map(|(_, n)| n).collect();
                    p.panic_notifier_filter = Some(Setting::token(names, d, i));
                }
            }
            _ => {}
        }
    }
    for (i, name, val) in sysctls {
        let text = val
            .map(|b| String::from_utf8_lossy(b).trim().to_string())
            .unwrap_or_default();
        let int = text.parse::<i64>().ok();
        match (name.as_str(), int) {
            ("sysctl:kernel.panic", Some(n)) => p.panic_timeout = Setting::token(n, d, i),
            ("sysctl:kernel.panic_on_oops", Some(n)) => {
                p.panic_on_oops = Setting::token(n != 0, d, i)
            }
            ("sysctl:kernel.panic_on_warn", Some(n)) => p.panic_on_warn = Setting::token(n, d, i),
            ("sysctl:kernel.panic_print", Some(n)) => {
                if let Ok(n) = u64::try_from(n) {
                    p.panic_print = Setting::token(n, d, i);
                }
            }
            ("sysctl:kernel.panic_sys_info", _) => {
                let si = values::parse_panic_sys_info(text.as_bytes());
                p.panic_print = Setting::token(si.mask, d, i);
            }
            _ => {}
        }
    }
    p
}

fn crashkernel(bootloader: &[u8], v: &KernelVersion) -> CrashKernelSetting {
    let selection = values::select_crashkernel(bootloader, v);
    let span = selection.plain.clone().or_else(|| selection.high.clone());
    let value = span
        .as_ref()
        .and_then(|s| bootloader.get(s.clone()))
        .map(|b| String::from_utf8_lossy(b).into_owned());
    let (valid, error) = match span.as_ref().and_then(|s| bootloader.get(s.clone())) {
        None => (None, None),
        Some(b) => match values::parse_crashkernel(b, v) {
            Ok(_) => (Some(true), None),
            Err(e) => (Some(false), Some(e.to_string())),
        },
    };
    CrashKernelSetting {
        selection,
        value,
        span,
        valid,
        error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use panicpol_kernel::{KernelConfig, KernelSource};

    fn kernel(release: Option<&str>, config_version: Option<&str>) -> Kernel {
        let mut k = Kernel::empty(KernelSource::SystemMap);
        k.release = release.map(str::to_string);
        k.config = config_version.map(|v| KernelConfig {
            version: Some(v.to_string()),
            ..KernelConfig::default()
        });
        k
    }

    #[test]
    fn the_config_heading_makes_the_version_exact_or_known() {
        let cases: &[(Option<&str>, Option<&str>, KernelVersion)] = &[
            // Debian's ABI number hides the sublevel; the config has it.
            (
                Some("6.1.0-50-cloud-amd64"),
                Some("6.1.176"),
                KernelVersion::new(6, 1, Some(176)),
            ),
            (
                Some("6.1.0-50-cloud-amd64"),
                None,
                KernelVersion::new(6, 1, None),
            ),
            // A config of another kernel does not override the release.
            (
                Some("6.1.0-50-cloud-amd64"),
                Some("6.12.117"),
                KernelVersion::new(6, 1, None),
            ),
            (
                Some("6.12.117+deb12-cloud-amd64"),
                Some("6.12.100"),
                KernelVersion::new(6, 12, Some(117)),
            ),
            // A System.map with a config: the heading is all there is.
            (None, Some("6.18.2"), KernelVersion::new(6, 18, Some(2))),
            (None, None, KernelVersion::UNKNOWN),
        ];
        for (release, config, want) in cases {
            assert_eq!(
                kernel_version(&kernel(*release, *config)),
                *want,
                "{release:?} {config:?}"
            );
        }
    }
}
