//! The catalogue of panic-relevant parameters: how each is registered, its
//! value grammar, what it writes, its sysctl and sysfs twins, the kernels that
//! have it, and one line on what it does.
//!
//! Every entry was checked in Debian's 6.1.192 and 6.12.117 sources and
//! against their System.map files (see the tests); entries and facts about
//! newer kernels come from the reference notes and say so through their
//! [`Since::basis`]. The catalogue says what a parameter *is*; whether a given
//! kernel build has it is for its own tables to tell (`panicpol-kernel`).

use serde::Serialize;

use crate::values::{
    Basis, Gate, IntType, KernelVersion, Lifetime, PANIC_FORCE_CPU_SINCE,
    PANIC_PRINT_DEPRECATED_SINCE, SYS_INFO_SINCE, Since, SysctlHandler,
};

/// How the kernel registers a parameter, which decides how a token reaches it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Registration {
    /// `core_param` / `__core_param_cb`: a `__param` entry without prefix, set
    /// by `parse_args("Booting kernel")`; last occurrence wins.
    CoreParam,
    /// `module_param*` in built-in code: a `__param` entry named
    /// `<prefix><name>` (e.g. `kfence.check_on_panic`).
    ModuleParam {
        /// `MODULE_PARAM_PREFIX`, e.g. `kfence.`.
        prefix: &'static str,
    },
    /// `__setup(string, fn)`: matched by `obsolete_checksetup` as a *prefix*
    /// of `param=value`; the handler gets the rest after `string`.
    Setup {
        /// The registered string, `=` included when it has one.
        string: &'static str,
    },
    /// `early_param(name, fn)`: run by `parse_early_param` from the boot
    /// command line only; `NULL` value for a bare flag.
    EarlyParam,
    /// Read by arch code straight from `boot_command_line` (plus a dummy
    /// `early_param` so the token is not passed to init).
    ArchCmdline,
    /// An entry of `sysctl_aliases[]`: `do_sysctl_args` writes the value to
    /// the sysctl just before init (name matched with `strcmp`).
    SysctlAlias,
    /// No command-line parameter at all: only the sysctl (and
    /// `sysctl.<path>=` on the command line). The bare name on the command
    /// line goes to init.
    SysctlOnly,
    /// Never merged in mainline; only kernels carrying the patch have it.
    OutOfTree,
}

/// The value grammar of a parameter (functions in [`crate::values`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "arg")]
pub enum Grammar {
    /// `param_set_bool`: [`crate::values::parse_bool`].
    Bool,
    /// `param_set_<int>`: [`crate::values::parse_int`].
    Int(IntType),
    /// [`crate::values::parse_panic_print`].
    PanicPrint,
    /// [`crate::values::parse_panic_sys_info`].
    PanicSysInfo,
    /// [`crate::values::parse_panic`].
    Panic,
    /// [`crate::values::parse_panic_on_warn`].
    PanicOnWarn,
    /// [`crate::values::parse_oops`].
    Oops,
    /// [`crate::values::parse_panic_on_taint`].
    PanicOnTaint,
    /// [`crate::values::parse_crashkernel`] / [`crate::values::select_crashkernel`].
    CrashKernel,
    /// [`crate::values::parse_panic_notifier_filter`].
    NotifierFilter,
    /// [`crate::values::parse_panic_force_cpu`].
    PanicForceCpu,
    /// [`crate::values::parse_nmi_watchdog`].
    NmiWatchdog,
    /// [`crate::values::parse_softlockup_panic`].
    SoftlockupPanic,
    /// [`crate::values::parse_unknown_nmi_panic`].
    UnknownNmiPanic,
    /// [`crate::values::parse_ftrace_dump_on_oops`].
    FtraceDumpOnOops,
    /// [`crate::values::parse_reboot`].
    Reboot,
    /// A sysctl write: [`crate::values::parse_sysctl_value`].
    Sysctl(SysctlHandler),
}

/// How repeated occurrences combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Repeat {
    /// Each occurrence overwrites: the last wins.
    LastWins,
    /// The handler runs for each occurrence; read the entry's summary for the
    /// combined effect (e.g. `oops=` only ever sets).
    EachRuns,
    /// Only the last occurrence in the raw command line is looked at
    /// (`crashkernel=`'s `strstr` search).
    LastInCmdline,
}

/// The sysctl that holds the same variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct SysctlTwin {
    /// The dotted name, e.g. `kernel.panic` (`/proc/sys/kernel/panic`).
    pub name: &'static str,
    /// Its proc handler (the grammar of `sysctl.<name>=` on the command line).
    pub handler: SysctlHandler,
}

/// A deprecation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Deprecation {
    /// From which release.
    pub since: Since,
    /// What to use instead.
    pub instead: &'static str,
}

/// One panic-relevant parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ParamSpec {
    /// The name as registered, without `=` or module prefix handling (module
    /// parameters carry their prefix: `kfence.check_on_panic`).
    pub name: &'static str,
    /// How it is registered.
    pub registration: Registration,
    /// Parsed before bootconfig is applied (early param or read from
    /// `boot_command_line`): it can never come from bootconfig.
    pub early: bool,
    /// Its value grammar.
    pub grammar: Grammar,
    /// The C variable it writes (a symbol in System.map).
    pub variable: &'static str,
    /// The symbol that proves the registration in a System.map
    /// (`__param_str_<name>` or `__setup_str_<handler>`), if any.
    pub symbol: Option<&'static str>,
    /// The sysctl holding the same variable.
    pub sysctl: Option<SysctlTwin>,
    /// The sysfs file that reads (and, if writable, sets) it at run time.
    pub sysfs: Option<&'static str>,
    /// The kernels that have it.
    pub lifetime: Lifetime,
    /// Deprecated, and for what.
    pub deprecated: Option<Deprecation>,
    /// Config options it needs (all of them).
    pub config: &'static [&'static str],
    /// The architectures that have it; empty for all.
    pub arch: &'static [&'static str],
    /// The value forms it accepts, for help texts.
    pub forms: &'static [&'static str],
    /// Where it lives in the kernel tree.
    pub source: &'static str,
    /// How repeated occurrences combine.
    pub repeat: Repeat,
    /// What it does, in one line.
    pub summary: &'static str,
}

impl ParamSpec {
    /// Whether kernel `v` has this parameter. Out-of-tree parameters always
    /// "depend": only the kernel's own tables can tell.
    pub fn exists_in(&self, v: &KernelVersion) -> Gate {
        if self.registration == Registration::OutOfTree {
            return Gate::Depends;
        }
        self.lifetime.gate(v)
    }

    /// Whether a command-line name refers to this parameter, the way the
    /// kernel compares it: `parameq` (`-` ≡ `_`, case-sensitive, `.` not
    /// folded) for `__param`, `__setup` and `early_param` entries; `strcmp`
    /// for sysctl aliases; the bare sysctl name for sysctl-only entries (which
    /// the kernel does *not* accept — lints use the match to explain that).
    pub fn matches(&self, name: &[u8]) -> bool {
        match self.registration {
            Registration::SysctlAlias => name == self.name.as_bytes(),
            _ => parameq(name, self.name.as_bytes()),
        }
    }
}

/// `parameq()` (kernel/params.c): byte-wise equality with `-` read as `_` on
/// both sides; case-sensitive; `.` is not folded.
pub fn parameq(a: &[u8], b: &[u8]) -> bool {
    let fold = |c: &u8| if *c == b'-' { b'_' } else { *c };
    a.len() == b.len() && a.iter().map(fold).eq(b.iter().map(fold))
}

/// The parameter a command-line name refers to (see [`ParamSpec::matches`]).
pub fn lookup(name: &[u8]) -> Option<&'static ParamSpec> {
    CATALOGUE.iter().find(|p| p.matches(name))
}

/// The parameter whose sysctl twin is `name` (`kernel.panic` or
/// `kernel/panic`; exact, as the file lookup under /proc/sys is).
pub fn lookup_sysctl(name: &str) -> Option<&'static ParamSpec> {
    let dotted = name.replace('/', ".");
    CATALOGUE
        .iter()
        .find(|p| p.sysctl.is_some_and(|s| s.name == dotted))
}

/// Every entry.
pub fn all() -> &'static [ParamSpec] {
    CATALOGUE
}

const INT_0_1: SysctlHandler = SysctlHandler::IntMinMax { min: 0, max: 1 };

/// A `core_param` entry with the fields most share.
const fn core(
    name: &'static str,
    grammar: Grammar,
    variable: &'static str,
    symbol: &'static str,
) -> ParamSpec {
    ParamSpec {
        name,
        registration: Registration::CoreParam,
        early: false,
        grammar,
        variable,
        symbol: Some(symbol),
        sysctl: None,
        sysfs: None,
        lifetime: Lifetime::ALWAYS,
        deprecated: None,
        config: &[],
        arch: &[],
        forms: &[],
        source: "kernel/panic.c",
        repeat: Repeat::LastWins,
        summary: "",
    }
}

/// A sysctl-only entry.
const fn sysctl_only(
    name: &'static str,
    sysctl: &'static str,
    handler: SysctlHandler,
    variable: &'static str,
    source: &'static str,
    summary: &'static str,
) -> ParamSpec {
    ParamSpec {
        name,
        registration: Registration::SysctlOnly,
        early: false,
        grammar: Grammar::Sysctl(handler),
        variable,
        symbol: None,
        sysctl: Some(SysctlTwin {
            name: sysctl,
            handler,
        }),
        sysfs: None,
        lifetime: Lifetime::ALWAYS,
        deprecated: None,
        config: &[],
        arch: &[],
        forms: &[],
        source,
        repeat: Repeat::LastWins,
        summary,
    }
}

static CATALOGUE: &[ParamSpec] = &[
    ParamSpec {
        sysfs: Some("/sys/module/kernel/parameters/crash_kexec_post_notifiers"),
        forms: &["", "=1", "=0", "=y", "=n"],
        summary: "Run the panic notifiers, panic_print/sys_info and kmsg_dump before kdump \
                  (instead of only when kdump fails or is not loaded); forced on by Hyper-V, \
                  powerpc fadump and SEV-SNP hosts.",
        ..core(
            "crash_kexec_post_notifiers",
            Grammar::Bool,
            "crash_kexec_post_notifiers",
            "__param_str_crash_kexec_post_notifiers",
        )
    },
    ParamSpec {
        sysctl: Some(SysctlTwin {
            name: "kernel.panic_print",
            handler: SysctlHandler::Ulong,
        }),
        sysfs: Some("/sys/module/kernel/parameters/panic_print"),
        deprecated: Some(Deprecation {
            since: PANIC_PRINT_DEPRECATED_SINCE,
            instead: "panic_sys_info=<names> and panic_console_replay=1",
        }),
        forms: &["=<mask>"],
        summary: "Bit mask of extra information printed after the panic notifiers (tasks, \
                  memory, timers, locks, ftrace, console replay, all-CPU backtraces, blocked tasks).",
        ..core(
            "panic_print",
            Grammar::PanicPrint,
            "panic_print",
            "__param_str_panic_print",
        )
    },
    ParamSpec {
        name: "panic_sys_info",
        registration: Registration::Setup {
            string: "panic_sys_info=",
        },
        early: false,
        grammar: Grammar::PanicSysInfo,
        variable: "panic_print",
        symbol: Some("__setup_str_setup_panic_sys_info"),
        sysctl: Some(SysctlTwin {
            name: "kernel.panic_sys_info",
            handler: SysctlHandler::SysInfo,
        }),
        sysfs: None,
        lifetime: Lifetime::from(SYS_INFO_SINCE),
        deprecated: None,
        config: &[],
        arch: &[],
        forms: &["=tasks,mem,timers,locks,ftrace,all_bt,blocked_tasks"],
        source: "kernel/panic.c, lib/sys_info.c",
        repeat: Repeat::EachRuns,
        summary: "Names of the information printed after the panic notifiers; assigns the same \
                  variable as panic_print, so whichever comes last wins.",
    },
    ParamSpec {
        sysfs: Some("/sys/module/kernel/parameters/panic_console_replay"),
        lifetime: Lifetime::from(SYS_INFO_SINCE),
        forms: &["", "=1", "=0"],
        summary: "Replay all kernel messages on the consoles at the very end of a panic (panic_print bit 5).",
        ..core(
            "panic_console_replay",
            Grammar::Bool,
            "panic_console_replay",
            "__param_str_panic_console_replay",
        )
    },
    ParamSpec {
        sysctl: Some(SysctlTwin {
            name: "kernel.panic",
            handler: SysctlHandler::Int,
        }),
        sysfs: Some("/sys/module/kernel/parameters/panic"),
        forms: &["=<seconds>", "=0", "=-1"],
        summary: "What a panic does at its end: N > 0 reboot after N seconds, 0 wait forever \
                  (CONFIG_PANIC_TIMEOUT is the default), N < 0 reboot at once.",
        ..core(
            "panic",
            Grammar::Panic,
            "panic_timeout",
            "__param_str_panic",
        )
    },
    ParamSpec {
        sysctl: Some(SysctlTwin {
            name: "kernel.panic_on_warn",
            handler: INT_0_1,
        }),
        sysfs: Some("/sys/module/kernel/parameters/panic_on_warn"),
        forms: &["=1", "=0"],
        summary: "Panic on any WARN() (any non-zero value).",
        ..core(
            "panic_on_warn",
            Grammar::PanicOnWarn,
            "panic_on_warn",
            "__param_str_panic_on_warn",
        )
    },
    ParamSpec {
        sysfs: Some("/sys/module/kernel/parameters/pause_on_oops"),
        forms: &["=<seconds>"],
        summary: "After the first oops, halt all CPUs for this many seconds so that the oops does not scroll off the screen.",
        ..core(
            "pause_on_oops",
            Grammar::Int(IntType::S32),
            "pause_on_oops",
            "__param_str_pause_on_oops",
        )
    },
    ParamSpec {
        name: "oops",
        registration: Registration::EarlyParam,
        early: true,
        grammar: Grammar::Oops,
        variable: "panic_on_oops",
        symbol: Some("__setup_str_oops_setup"),
        sysctl: Some(SysctlTwin {
            name: "kernel.panic_on_oops",
            handler: SysctlHandler::Int,
        }),
        sysfs: None,
        lifetime: Lifetime::ALWAYS,
        deprecated: None,
        config: &[],
        arch: &[],
        forms: &["=panic"],
        source: "kernel/panic.c",
        repeat: Repeat::EachRuns,
        summary: "oops=panic turns every oops into a panic (panic_on_oops = 1); any other value \
                  does nothing, and nothing here can clear it.",
    },
    sysctl_only(
        "panic_on_oops",
        "kernel.panic_on_oops",
        SysctlHandler::Int,
        "panic_on_oops",
        "kernel/sysctl.c (kernel/panic.c from 6.17)",
        "Panic on oops. Not a boot parameter: use oops=panic or sysctl.kernel.panic_on_oops=1; \
         panic_on_oops=1 on the command line goes to init.",
    ),
    ParamSpec {
        name: "panic_on_taint",
        registration: Registration::EarlyParam,
        early: true,
        grammar: Grammar::PanicOnTaint,
        variable: "panic_on_taint",
        symbol: Some("__setup_str_panic_on_taint_setup"),
        sysctl: None,
        sysfs: None,
        lifetime: Lifetime::from(Since::exact(5, 8, Basis::Memory)),
        deprecated: None,
        config: &[],
        arch: &[],
        forms: &["=<hex mask>", "=<hex mask>,nousertaint"],
        source: "kernel/panic.c",
        repeat: Repeat::EachRuns,
        summary: "Panic as soon as one of the taint flags in the (hexadecimal) mask is set; \
                  ,nousertaint stops user space from triggering it through /proc/sys/kernel/tainted.",
    },
    ParamSpec {
        name: "crashkernel",
        registration: Registration::ArchCmdline,
        early: true,
        grammar: Grammar::CrashKernel,
        variable: "crashk_res",
        symbol: Some("__setup_str_parse_crashkernel_dummy"),
        sysctl: None,
        sysfs: Some("/sys/kernel/kexec_crash_size"),
        lifetime: Lifetime::ALWAYS,
        deprecated: None,
        config: &["CONFIG_KEXEC_CORE"],
        arch: &[],
        forms: &[
            "=<size>[@<offset>]",
            "=<start>-[<end>]:<size>[,<start>-[<end>]:<size>...][@<offset>]",
            "=<size>,high",
            "=<size>,low",
            "=<size>,cma (6.16+)",
        ],
        source: "kernel/crash_core.c (6.1), kernel/crash_reserve.c (6.12); arch setup code",
        repeat: Repeat::LastInCmdline,
        summary: "Memory reserved at boot for the crash (kdump) kernel; without it no crash kernel \
                  can be loaded and kdump never runs. Read by arch code from the boot command line \
                  only (never from bootconfig).",
    },
    ParamSpec {
        name: "panic_notifier_filter",
        registration: Registration::OutOfTree,
        early: true,
        grammar: Grammar::NotifierFilter,
        variable: "panic_nf_functions",
        symbol: Some("__setup_str_panic_notifier_filter_setup"),
        sysctl: None,
        sysfs: None,
        lifetime: Lifetime::ALWAYS,
        deprecated: None,
        config: &[],
        arch: &[],
        forms: &["=<function>[,<function>...]"],
        source: "kernel/panic.c, kernel/notifier.c (2022 proposal, V1-V4; never merged)",
        repeat: Repeat::EachRuns,
        summary: "Allowlist of panic notifier callbacks (at most 16; one more discards the whole \
                  filter); others are not registered on panic_notifier_list at all.",
    },
    ParamSpec {
        name: "panic_force_cpu",
        registration: Registration::EarlyParam,
        early: true,
        grammar: Grammar::PanicForceCpu,
        variable: "panic_force_cpu",
        symbol: Some("__setup_str_panic_force_cpu_setup"),
        sysctl: None,
        sysfs: None,
        lifetime: Lifetime::from(PANIC_FORCE_CPU_SINCE),
        deprecated: None,
        config: &["CONFIG_SMP", "CONFIG_CRASH_DUMP"],
        arch: &[],
        forms: &["=<cpu>"],
        source: "kernel/panic.c",
        repeat: Repeat::EachRuns,
        summary: "Redirect a panic (and so the crash kernel) to this CPU by IPI before anything else.",
    },
    ParamSpec {
        name: "nmi_watchdog",
        registration: Registration::Setup {
            string: "nmi_watchdog=",
        },
        early: false,
        grammar: Grammar::NmiWatchdog,
        variable: "hardlockup_panic",
        symbol: Some("__setup_str_hardlockup_panic_setup"),
        sysctl: Some(SysctlTwin {
            name: "kernel.hardlockup_panic",
            handler: INT_0_1,
        }),
        sysfs: None,
        lifetime: Lifetime::ALWAYS,
        deprecated: None,
        config: &["CONFIG_HARDLOCKUP_DETECTOR"],
        arch: &[],
        forms: &["=panic", "=nopanic", "=0", "=1", "=panic,1 (list: 6.12)"],
        source: "kernel/watchdog.c",
        repeat: Repeat::EachRuns,
        summary: "Hard-lockup detector switch; nmi_watchdog=panic makes a hard lockup panic \
                  (hardlockup_panic; the detector is also kernel.nmi_watchdog).",
    },
    sysctl_only(
        "hardlockup_panic",
        "kernel.hardlockup_panic",
        INT_0_1,
        "hardlockup_panic",
        "kernel/watchdog.c",
        "Panic on a hard lockup. Not a boot parameter in 6.1/6.12: use nmi_watchdog=panic.",
    ),
    ParamSpec {
        name: "softlockup_panic",
        registration: Registration::Setup {
            string: "softlockup_panic=",
        },
        early: false,
        grammar: Grammar::SoftlockupPanic,
        variable: "softlockup_panic",
        symbol: Some("__setup_str_softlockup_panic_setup"),
        sysctl: Some(SysctlTwin {
            name: "kernel.softlockup_panic",
            handler: INT_0_1,
        }),
        sysfs: None,
        lifetime: Lifetime::ALWAYS,
        deprecated: None,
        config: &["CONFIG_SOFTLOCKUP_DETECTOR"],
        arch: &[],
        forms: &["=1", "=0"],
        source: "kernel/watchdog.c",
        repeat: Repeat::LastWins,
        summary: "Panic on a soft lockup (simple_strtoul: garbage silently reads as 0).",
    },
    ParamSpec {
        name: "hung_task_panic",
        registration: Registration::SysctlAlias,
        early: false,
        grammar: Grammar::Sysctl(INT_0_1),
        variable: "sysctl_hung_task_panic",
        symbol: None,
        sysctl: Some(SysctlTwin {
            name: "kernel.hung_task_panic",
            handler: INT_0_1,
        }),
        sysfs: None,
        lifetime: Lifetime::ALWAYS,
        deprecated: None,
        config: &["CONFIG_DETECT_HUNG_TASK"],
        arch: &[],
        forms: &["=1", "=0"],
        source: "kernel/hung_task.c, fs/proc/proc_sysctl.c (sysctl_aliases)",
        repeat: Repeat::LastWins,
        summary: "Panic when a task is blocked longer than kernel.hung_task_timeout_secs; applied \
                  as a sysctl just before init (exact name: hung-task-panic is not an alias).",
    },
    ParamSpec {
        name: "unknown_nmi_panic",
        registration: Registration::Setup {
            string: "unknown_nmi_panic",
        },
        early: false,
        grammar: Grammar::UnknownNmiPanic,
        variable: "unknown_nmi_panic",
        symbol: Some("__setup_str_setup_unknown_nmi_panic"),
        sysctl: Some(SysctlTwin {
            name: "kernel.unknown_nmi_panic",
            handler: SysctlHandler::Int,
        }),
        sysfs: None,
        lifetime: Lifetime::ALWAYS,
        deprecated: None,
        config: &[],
        arch: &["x86"],
        forms: &[""],
        source: "arch/x86/kernel/nmi.c",
        repeat: Repeat::EachRuns,
        summary: "Panic on an NMI of unknown origin; any value (even =0) enables it.",
    },
    ParamSpec {
        arch: &["x86"],
        ..sysctl_only(
            "panic_on_unrecovered_nmi",
            "kernel.panic_on_unrecovered_nmi",
            SysctlHandler::Int,
            "panic_on_unrecovered_nmi",
            "arch/x86/kernel/nmi.c, kernel/sysctl.c",
            "Panic on an unrecovered (memory/parity) NMI (x86).",
        )
    },
    ParamSpec {
        arch: &["x86"],
        ..sysctl_only(
            "panic_on_io_nmi",
            "kernel.panic_on_io_nmi",
            SysctlHandler::Int,
            "panic_on_io_nmi",
            "arch/x86/kernel/nmi.c, kernel/sysctl.c",
            "Panic on an I/O channel check NMI (x86).",
        )
    },
    sysctl_only(
        "panic_on_rcu_stall",
        "kernel.panic_on_rcu_stall",
        INT_0_1,
        "sysctl_panic_on_rcu_stall",
        "kernel/rcu/tree_stall.h, kernel/sysctl.c",
        "Panic on an RCU CPU stall.",
    ),
    sysctl_only(
        "warn_limit",
        "kernel.warn_limit",
        SysctlHandler::Int,
        "warn_limit",
        "kernel/panic.c",
        "Panic after this many WARN()s (0: never).",
    ),
    sysctl_only(
        "oops_limit",
        "kernel.oops_limit",
        SysctlHandler::Int,
        "oops_limit",
        "kernel/exit.c",
        "Panic after this many oopses (0: never).",
    ),
    ParamSpec {
        name: "ftrace_dump_on_oops",
        registration: Registration::Setup {
            string: "ftrace_dump_on_oops",
        },
        early: false,
        grammar: Grammar::FtraceDumpOnOops,
        variable: "ftrace_dump_on_oops",
        symbol: Some("__setup_str_set_ftrace_dump_on_oops"),
        sysctl: Some(SysctlTwin {
            name: "kernel.ftrace_dump_on_oops",
            // 6.12: a string (MAX_TRACER_SIZE); 6.1: proc_dointvec.
            handler: SysctlHandler::String { maxlen: 100 },
        }),
        sysfs: None,
        lifetime: Lifetime::ALWAYS,
        deprecated: None,
        config: &["CONFIG_TRACING"],
        arch: &[],
        forms: &[
            "",
            "=orig_cpu",
            "=2",
            "=<instance>[=orig_cpu]",
            ",<instance>...",
        ],
        source: "kernel/trace/trace.c",
        repeat: Repeat::EachRuns,
        summary: "Dump the ftrace ring buffer(s) to the console on an oops or panic.",
    },
    ParamSpec {
        name: "reboot",
        registration: Registration::Setup { string: "reboot=" },
        early: false,
        grammar: Grammar::Reboot,
        variable: "panic_reboot_mode",
        symbol: Some("__setup_str_reboot_setup"),
        sysctl: None,
        sysfs: Some("/sys/kernel/reboot/"),
        lifetime: Lifetime::ALWAYS,
        deprecated: None,
        config: &[],
        arch: &[],
        forms: &[
            "=[panic_](warm|cold|hard|soft|gpio)",
            "=(bios|acpi|kbd|triple|efi|pci)",
            "=s<cpu>",
            "=force",
        ],
        source: "kernel/reboot.c",
        repeat: Repeat::EachRuns,
        summary: "How the machine reboots; panic_<mode> sets the mode used when a panic reboots (panic=N).",
    },
    ParamSpec {
        name: "kfence.check_on_panic",
        registration: Registration::ModuleParam { prefix: "kfence." },
        early: false,
        grammar: Grammar::Bool,
        variable: "kfence_check_on_panic",
        symbol: Some("__param_str_check_on_panic"),
        sysctl: None,
        sysfs: Some("/sys/module/kfence/parameters/check_on_panic"),
        lifetime: Lifetime::ALWAYS,
        deprecated: None,
        config: &["CONFIG_KFENCE"],
        arch: &[],
        forms: &["", "=1", "=0"],
        source: "mm/kfence/core.c",
        repeat: Repeat::LastWins,
        summary: "Register a panic notifier that checks every KFENCE canary (read-only at run time, 0444).",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameq_folds_dashes_only() {
        assert!(parameq(
            b"crash-kexec_post-notifiers",
            b"crash_kexec_post_notifiers"
        ));
        assert!(!parameq(b"Panic", b"panic"));
        assert!(!parameq(b"kfence_check_on_panic", b"kfence.check_on_panic"));
        assert!(parameq(b"kfence.check-on-panic", b"kfence.check_on_panic"));
        assert!(!parameq(b"panic_", b"panic"));
    }

    #[test]
    fn lookup_by_name() {
        let name = |n: &[u8]| lookup(n).map(|p| p.name);
        assert_eq!(
            name(b"crash-kexec-post-notifiers"),
            Some("crash_kexec_post_notifiers")
        );
        assert_eq!(name(b"panic"), Some("panic"));
        assert_eq!(name(b"PANIC"), None);
        assert_eq!(name(b"panic-sys-info"), Some("panic_sys_info"));
        assert_eq!(name(b"hung_task_panic"), Some("hung_task_panic"));
        assert_eq!(name(b"hung-task-panic"), None);
        assert_eq!(
            name(b"kfence.check_on_panic"),
            Some("kfence.check_on_panic")
        );
        assert_eq!(
            name(b"panic_on_oops").map(|n| lookup(n.as_bytes()).map(|p| p.registration)),
            Some(Some(Registration::SysctlOnly))
        );
        assert_eq!(name(b"console"), None);
    }

    #[test]
    fn lookup_by_sysctl() {
        assert_eq!(lookup_sysctl("kernel.panic").map(|p| p.name), Some("panic"));
        assert_eq!(
            lookup_sysctl("kernel/panic_on_oops").map(|p| p.variable),
            Some("panic_on_oops")
        );
        assert_eq!(
            lookup_sysctl("kernel.panic_sys_info").map(|p| p.name),
            Some("panic_sys_info")
        );
        assert_eq!(lookup_sysctl("kernel.nope"), None);
    }

    #[test]
    fn names_are_unique_and_documented() {
        for (i, p) in CATALOGUE.iter().enumerate() {
            assert!(!p.summary.is_empty(), "{} has no summary", p.name);
            assert!(
                CATALOGUE
                    .iter()
                    .skip(i + 1)
                    .all(|q| !parameq(q.name.as_bytes(), p.name.as_bytes())),
                "{} twice",
                p.name
            );
            if let Registration::Setup { string } = p.registration {
                assert!(
                    string.starts_with(p.name),
                    "{}: setup string {string}",
                    p.name
                );
            }
            if p.early {
                assert!(matches!(
                    p.registration,
                    Registration::EarlyParam | Registration::ArchCmdline | Registration::OutOfTree
                ));
            }
        }
    }

    #[test]
    fn versions() {
        let v612 = KernelVersion::new(6, 12, Some(117));
        let v617 = KernelVersion::new(6, 17, None);
        let find = |n: &[u8]| lookup(n).map(|p| (p.exists_in(&v612), p.exists_in(&v617)));
        assert_eq!(find(b"panic_sys_info"), Some((Gate::No, Gate::Yes)));
        assert_eq!(find(b"panic_console_replay"), Some((Gate::No, Gate::Yes)));
        assert_eq!(find(b"panic_force_cpu"), Some((Gate::No, Gate::No)));
        assert_eq!(
            find(b"panic_notifier_filter"),
            Some((Gate::Depends, Gate::Depends))
        );
        assert_eq!(
            find(b"crash_kexec_post_notifiers"),
            Some((Gate::Yes, Gate::Yes))
        );
        assert_eq!(
            lookup(b"panic").map(|p| p.exists_in(&KernelVersion::UNKNOWN)),
            Some(Gate::Yes)
        );
    }

    /// Symbol names (third column) of a System.map.
    fn system_map(path: &std::path::Path) -> std::collections::HashSet<String> {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        text.lines()
            .filter_map(|l| l.split_whitespace().nth(2))
            .map(str::to_string)
            .collect()
    }

    /// The `CONFIG_X=y` options of a kernel config.
    fn config(path: &std::path::Path) -> std::collections::HashSet<String> {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        text.lines()
            .filter_map(|l| l.strip_suffix("=y"))
            .map(str::to_string)
            .collect()
    }

    /// Every claim the catalogue makes about Debian's 6.1 and 6.12 kernels
    /// (x86-64) is checked against their System.map: a parameter that exists
    /// has its registration symbol and its variable; one that does not exist
    /// (yet) has no registration symbol; out-of-tree ones are absent.
    #[test]
    fn registrations_match_real_system_maps() {
        for (dir, v) in [
            ("6.1", KernelVersion::new(6, 1, None)),
            ("6.12", KernelVersion::new(6, 12, Some(117))),
        ] {
            let (Some(map), Some(cfg)) = (
                panicpol_testkit::real_kernel(dir, "System.map"),
                panicpol_testkit::real_kernel(dir, "config"),
            ) else {
                continue;
            };
            let syms = system_map(&map);
            let cfg = config(&cfg);
            assert!(syms.len() > 50_000, "{dir}: System.map looks truncated");
            let mut checked = 0;
            for p in all() {
                let built = p.config.iter().all(|c| cfg.contains(*c));
                let arch = p.arch.is_empty() || p.arch.contains(&"x86");
                match p.exists_in(&v) {
                    Gate::Yes if built && arch => {
                        if let Some(s) = p.symbol {
                            assert!(
                                syms.contains(s),
                                "{dir}: {} should be registered ({s})",
                                p.name
                            );
                        }
                        assert!(
                            syms.contains(p.variable),
                            "{dir}: {} writes {}, not in System.map",
                            p.name,
                            p.variable
                        );
                        checked += 1;
                    }
                    Gate::No | Gate::Depends => {
                        if let Some(s) = p.symbol {
                            assert!(
                                !syms.contains(s),
                                "{dir}: {} is not expected here but {s} exists",
                                p.name
                            );
                        }
                    }
                    Gate::Yes => {}
                }
            }
            assert!(checked >= 20, "{dir}: only {checked} entries checked");
        }
    }
}
