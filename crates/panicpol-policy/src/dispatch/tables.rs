//! The kernel facts dispatch needs, in the form it needs them: the `__param`
//! and `.init.setup` tables in link order, the handful of config options and
//! version switches that change dispatch, and how much of it is proven.
//!
//! Built from a [`Kernel`] with [`Tables::from_kernel`]; the test vectors build
//! their small tables directly.

use panicpol_kernel::{Kernel, Known, ParamType};

/// One `struct kernel_param`, as dispatch uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamEntry {
    /// The command-line name (`printk.time`).
    pub name: String,
    /// -1 for the "Booting kernel" pass, 1..=7 for an initcall level.
    pub level: i8,
    /// The type from the `ops` pointer.
    pub ty: ParamType,
    /// `KERNEL_PARAM_FL_UNSAFE` (1) / `KERNEL_PARAM_FL_HWPARAM` (2).
    pub flags: u8,
    /// The compiled-in value of a bool parameter, when known (only
    /// `bool_enable_only` needs it: it refuses to go back to false).
    pub default_bool: Option<bool>,
    /// The entry was inferred (symbol name, catalogue), not read from the
    /// image's table: its level and type are guesses.
    pub inferred: bool,
}

/// One `struct obs_kernel_param` (`__setup` or `early_param`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupEntry {
    /// The registered string, `=` included when it has one.
    pub string: String,
    /// `early_param` rather than `__setup`.
    pub early: bool,
    /// The handler's symbol, when known.
    pub handler: Option<String>,
    /// The entry has no handler (`setup_func == NULL`): the kernel prints
    /// "Parameter %s is obsolete, ignored".
    pub obsolete: bool,
    /// The entry was inferred, not read from the image's table.
    pub inferred: bool,
}

/// Where bootconfig stands for this kernel (init/main.c setup_boot_config).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BootconfigSupport {
    /// `CONFIG_BOOT_CONFIG`, when known.
    pub compiled: Option<bool>,
    /// `CONFIG_BOOT_CONFIG_FORCE` (6.3+), when known.
    pub force: Option<bool>,
}

/// The kernel tables and switches dispatch runs against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tables {
    /// `__param` entries in link order (parse_one takes the first match).
    pub params: Vec<ParamEntry>,
    /// `.init.setup` entries in link order (obsolete_checksetup walks them in
    /// order and stops at the first handler that accepts).
    pub setups: Vec<SetupEntry>,
    /// Whether `params` and `setups` are the image's complete tables. When
    /// false, "no such parameter" cannot be proven and every fate that rests
    /// on it says so.
    pub complete: bool,
    /// `(major, minor)` of the kernel, when known: a few rules changed
    /// between 6.1 and 6.12.
    pub version: Option<(u32, u32)>,
    /// `CONFIG_INIT_ENV_ARG_LIMIT`, when known (the Kconfig default is 32).
    pub init_env_arg_limit: Option<usize>,
    /// `CONFIG_SYSCTL`, when known: without it there are no sysctl aliases and
    /// no `sysctl.` parameters.
    pub sysctl: Option<bool>,
    /// Bootconfig support.
    pub bootconfig: BootconfigSupport,
}

/// The Kconfig default of `CONFIG_INIT_ENV_ARG_LIMIT` (init/Kconfig: 32, 128
/// on UML).
pub const DEFAULT_INIT_ENV_ARG_LIMIT: usize = 32;

/// The largest `CONFIG_INIT_ENV_ARG_LIMIT` taken at face value.
pub const MAX_INIT_ENV_ARG_LIMIT: usize = 4096;

impl Tables {
    /// Empty, incomplete tables of an unknown kernel.
    pub fn unknown() -> Tables {
        Tables {
            params: Vec::new(),
            setups: Vec::new(),
            complete: false,
            version: None,
            init_env_arg_limit: None,
            sysctl: None,
            bootconfig: BootconfigSupport::default(),
        }
    }

    /// The tables of a kernel model, in its order.
    pub fn from_kernel(k: &Kernel) -> Tables {
        let inferred = |known: Known| !matches!(known, Known::Table | Known::Code | Known::Dwarf);
        let params = k
            .params
            .iter()
            .map(|p| ParamEntry {
                name: p.name.clone(),
                level: p.level,
                ty: p.ty.clone(),
                flags: p.flags,
                default_bool: match p.default {
                    Some(panicpol_kernel::DefaultValue::Bool(b)) => Some(b),
                    _ => None,
                },
                inferred: inferred(p.known),
            })
            .collect();
        let setups = k
            .setups
            .iter()
            .map(|s| SetupEntry {
                string: s.string.clone(),
                early: s.early,
                handler: s.handler.clone(),
                // The kernel model has no way to say "setup_func is NULL";
                // 6.1 and 6.12 register no such entry, so none is assumed.
                obsolete: false,
                inferred: inferred(s.known),
            })
            .collect();
        let config = k.config.as_ref();
        Tables {
            params,
            setups,
            complete: k.tables_complete,
            // The same version the value grammars are gated on (the config's
            // heading fills in for a System.map or kallsyms dump).
            version: crate::policy::kernel_version(k)
                .release()
                .map(|r| (r.major, r.minor)),
            // A value beyond any real config (32, 128 on UML) is treated as
            // unknown rather than sizing init's tables after it.
            init_env_arg_limit: config
                .and_then(|c| c.value("INIT_ENV_ARG_LIMIT"))
                .and_then(|v| v.parse().ok())
                .filter(|&n: &usize| n <= MAX_INIT_ENV_ARG_LIMIT),
            // With a config at hand, an option it does not mention is off
            // (a bool whose dependencies are off, or one this version lacks,
            // like BOOT_CONFIG_FORCE before 6.3).
            sysctl: config.map(|c| c.enabled("SYSCTL").unwrap_or(false)),
            bootconfig: BootconfigSupport {
                compiled: config.map(|c| c.enabled("BOOT_CONFIG").unwrap_or(false)),
                force: config.map(|c| c.enabled("BOOT_CONFIG_FORCE").unwrap_or(false)),
            },
        }
    }
}

/// `"6.12.117+deb12-cloud-amd64"` → `(6, 12)`.
pub fn parse_version(release: &str) -> Option<(u32, u32)> {
    let mut it = release.split(|c: char| !c.is_ascii_digit());
    let major = it.next()?.parse().ok()?;
    let minor = it.next()?.parse().ok()?;
    Some((major, minor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(parse_version("6.12.117+deb12-cloud-amd64"), Some((6, 12)));
        assert_eq!(parse_version("6.1.0-50-cloud-amd64"), Some((6, 1)));
        assert_eq!(parse_version("6"), None);
        assert_eq!(parse_version("x"), None);
    }

    #[test]
    fn from_kernel_reads_config_and_marks_inferred_entries() {
        let mut k = Kernel::empty(panicpol_kernel::KernelSource::SystemMap);
        k.release = Some("6.1.0-50-cloud-amd64".into());
        k.params.push(panicpol_kernel::KernelParam {
            name: "panic".into(),
            level: -1,
            ty: ParamType::Int,
            perm: 0o644,
            flags: 0,
            arg_symbol: None,
            default: None,
            known: Known::SymbolName,
        });
        let mut cfg = panicpol_kernel::KernelConfig::default();
        cfg.options.insert("INIT_ENV_ARG_LIMIT".into(), "40".into());
        cfg.options.insert("BOOT_CONFIG".into(), "n".into());
        k.config = Some(cfg);
        let t = Tables::from_kernel(&k);
        assert_eq!(t.version, Some((6, 1)));
        assert_eq!(t.init_env_arg_limit, Some(40));
        assert_eq!(t.bootconfig.compiled, Some(false));
        assert_eq!(t.bootconfig.force, Some(false));
        assert_eq!(t.sysctl, Some(false));
        assert!(t.params.first().is_some_and(|p| p.inferred));
        assert!(!t.complete);
        if let Some(c) = k.config.as_mut() {
            c.options
                .insert("INIT_ENV_ARG_LIMIT".into(), "99999999999999999999".into());
        }
        assert_eq!(Tables::from_kernel(&k).init_env_arg_limit, None);
    }
}
