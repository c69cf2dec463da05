//! The result of dispatch: one fate per token, what init receives, and what
//! the kernel prints. The serde shape is the `tokens`/`init` part of
//! DESIGN.md §7 "Machine output".

use std::ops::Range;

use serde::{Serialize, Serializer};

use super::bytes::Bytes;

/// Which part of the kernel's command line a token came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    /// The bootloader's command line (`boot_command_line`).
    Bootloader,
    /// Bootconfig `kernel.*` keys, rendered and placed before the bootloader
    /// line (init/main.c setup_command_line).
    BootconfigKernel,
    /// Bootconfig `init.*` keys, handed to init as arguments.
    BootconfigInit,
}

/// What kind of kernel entry applied or rejected a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A `struct kernel_param` (`module_param`, `core_param`, `*_param_cb`).
    Param,
    /// A `struct obs_kernel_param` (`__setup`, or `early_param` when `early`).
    Setup,
    /// A `sysctl.<path>=` parameter written by do_sysctl_args.
    Sysctl,
    /// One of the fixed sysctl aliases (fs/proc/proc_sysctl.c sysctl_aliases).
    SysctlAlias,
}

/// When, during boot, a token takes effect. The order of the variants is the
/// order of boot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// parse_early_param, from setup_arch (x86, arm64) or start_kernel.
    Early,
    /// parse_args("Booting kernel", …) in start_kernel.
    Booting,
    /// set_init_arg: "Setting extra init args" / "Setting init args".
    InitArgs,
    /// do_initcall_level(0).
    Pure,
    /// do_initcall_level(1): `core_param_cb`.
    Core,
    /// do_initcall_level(2): `postcore_param_cb`.
    Postcore,
    /// do_initcall_level(3): `arch_param_cb`.
    Arch,
    /// do_initcall_level(4): `subsys_param_cb`.
    Subsys,
    /// do_initcall_level(5): `fs_param_cb`.
    Fs,
    /// do_initcall_level(6): `device_param_cb`.
    Device,
    /// do_initcall_level(7): `late_param_cb`.
    Late,
    /// do_sysctl_args, just before init runs.
    Sysctl,
}

impl Stage {
    /// The stage of a parameter level (-1 → Booting, 0..=7 → initcall levels).
    pub fn of_level(level: i8) -> Option<Stage> {
        Some(match level {
            -1 => Stage::Booting,
            0 => Stage::Pure,
            1 => Stage::Core,
            2 => Stage::Postcore,
            3 => Stage::Arch,
            4 => Stage::Subsys,
            5 => Stage::Fs,
            6 => Stage::Device,
            7 => Stage::Late,
            _ => return None,
        })
    }

    /// The `doing` string parse_args prints in its messages for this stage.
    pub fn doing(self) -> &'static str {
        match self {
            Stage::Early => "early options",
            Stage::Booting => "Booting kernel",
            Stage::InitArgs => "Setting init args",
            // init/main.c initcall_level_names[].
            Stage::Pure => "pure",
            Stage::Core => "core",
            Stage::Postcore => "postcore",
            Stage::Arch => "arch",
            Stage::Subsys => "subsys",
            Stage::Fs => "fs",
            Stage::Device => "device",
            Stage::Late => "late",
            Stage::Sysctl => "Setting sysctl args",
        }
    }
}

/// Why a token is dropped without effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DropReason {
    /// An unknown name containing a `.`: unknown_bootoption treats it as a
    /// parameter of a module (modprobe reads /proc/cmdline when that module
    /// loads) and prints nothing.
    DottedUnknown,
    /// After a second `--`: the init-argument pass stops there.
    AfterSecondSeparator,
    /// After `--`, but a parameter before `--` was rejected: parse_args then
    /// returns the error instead of the rest, and start_kernel hands nothing
    /// to init.
    ErrorBeforeSeparator,
    /// Init's argument or environment table was already full (the kernel
    /// panics at console_init: "Too many boot … vars").
    TooManyInitVars,
    /// An `early_param` that is not on the bootloader's line (it came from
    /// bootconfig): the early pass never saw it, and obsolete_checksetup
    /// consumes it as "already done".
    EarlyNotOnBootloaderLine,
    /// From a bootconfig that the kernel does not load (no `bootconfig` on the
    /// bootloader line and no CONFIG_BOOT_CONFIG_FORCE, or no
    /// CONFIG_BOOT_CONFIG).
    BootconfigNotLoaded,
    /// In the bootconfig init arguments after a `--`.
    AfterSeparatorInInitArgs,
}

/// Why a token is deliberately ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IgnoreReason {
    /// Starts with `BOOT_IMAGE=` or `kexec` (unknown_bootoption's bootloader
    /// identifiers).
    BootloaderIdentifier,
}

/// The fate of one token. Serializes with a `fate` tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "fate", rename_all = "snake_case")]
pub enum Fate {
    /// A kernel entry took the value.
    Applied {
        /// The parameter as the kernel registers it (`console=`, `printk.time`,
        /// `kernel/panic` for a sysctl).
        param: String,
        /// The kind of entry.
        kind: Kind,
        /// An `early_param`.
        early: bool,
        /// When it takes effect.
        stage: Stage,
        /// What the handler receives (`None`: no `=`).
        #[serde(skip_serializing_if = "Option::is_none")]
        value: Option<Bytes>,
    },
    /// A kernel entry refused the value; the variable keeps its old value.
    Rejected {
        /// The parameter as the kernel registers it.
        param: String,
        /// The kind of entry.
        kind: Kind,
        /// An `early_param`.
        early: bool,
        /// When the kernel says so.
        stage: Stage,
        /// What the handler received.
        #[serde(skip_serializing_if = "Option::is_none")]
        value: Option<Bytes>,
        /// The kernel's message, verbatim.
        message: Bytes,
    },
    /// Appended to init's arguments.
    InitArgv {
        /// The argument init receives (the repaired `name[=value]`).
        arg: Bytes,
    },
    /// Added to (or replaced in) init's environment.
    InitEnv {
        /// The `name=value` init receives.
        var: Bytes,
    },
    /// Lost without a message.
    Dropped {
        /// Why.
        reason: DropReason,
    },
    /// Skipped on purpose.
    Ignored {
        /// Why.
        reason: IgnoreReason,
    },
    /// A bare `--`.
    Separator,
}

/// A further effect of a token besides its fate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "effect", rename_all = "snake_case")]
pub enum Effect {
    /// An early handler also ran on it in parse_early_param (e.g. `earlycon`
    /// for `console=`, which do_early_param special-cases).
    Early {
        /// The early entry's string.
        param: String,
        /// "Malformed early option …" when the handler failed.
        #[serde(skip_serializing_if = "Option::is_none")]
        message: Option<Bytes>,
    },
    /// It also went to init (a `sysctl/…` name has no `.`, so the main pass
    /// hands it to init before do_sysctl_args applies it).
    InitArgv {
        /// The argument.
        arg: Bytes,
    },
    /// It also went to init's environment.
    InitEnv {
        /// The variable.
        var: Bytes,
    },
    /// The `bootconfig` word: the kernel looks for it (exact, before `--`)
    /// to decide whether to load the bootconfig.
    Bootconfig {
        /// Whether the bootconfig is loaded.
        loaded: bool,
    },
    /// `init=` / `rdinit=`: the handler clears the init arguments gathered
    /// so far (init/main.c init_setup, rdinit_setup).
    ClearsInitArgs,
}

/// Why a fate is not certain. Each names the fact panicpol lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Doubt {
    /// The kernel tables are incomplete: a parameter of this name may exist
    /// that the source did not show, and then the token would be applied.
    TablesIncomplete,
    /// The entry was inferred (symbol name, catalogue), so its type, level or
    /// string are guesses.
    InferredEntry,
    /// The value could not be checked (unknown or custom `ops`).
    ValueUnchecked,
    /// The handler's behaviour (return value, effect) is not modelled.
    HandlerUnmodelled,
    /// Whether the sysctl exists and takes the value is not checked.
    SysctlUnverified,
    /// CONFIG_INIT_ENV_ARG_LIMIT is unknown (32 assumed).
    InitLimitUnknown,
    /// CONFIG_BOOT_CONFIG / CONFIG_BOOT_CONFIG_FORCE are unknown.
    BootconfigConfigUnknown,
    /// The kernel version is unknown and this rule changed between 6.1 and
    /// 6.12.
    VersionUnknown,
    /// A `KERNEL_PARAM_FL_HWPARAM` parameter: refused (`-EPERM`) when the
    /// kernel is locked down, which panicpol cannot know.
    Lockdown,
    /// `CONFIG_SYSCTL` is unknown (sysctl aliases assumed to exist).
    SysctlConfigUnknown,
}

/// The fate of one token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenFate {
    /// Which text the span points into.
    pub layer: Layer,
    /// The token as written.
    pub text: Bytes,
    /// Byte range into its layer's text (`[start, end]` in JSON). A token
    /// whose open quote swallows the next layer ends past its own layer.
    #[serde(serialize_with = "span_pair")]
    pub span: Range<usize>,
    /// The fate.
    #[serde(flatten)]
    pub fate: Fate,
    /// A later token undid this one's effect: a later value of the same
    /// parameter or sysctl (last wins), a later environment variable of the
    /// same name, or an `init=`/`rdinit=` that cleared init's arguments.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub superseded_by: Option<usize>,
    /// Listed in "Unknown kernel command line parameters …".
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub reported_unknown: bool,
    /// Further effects.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<Effect>,
    /// What this fate assumes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub doubts: Vec<Doubt>,
}

fn span_pair<S: Serializer>(r: &Range<usize>, s: S) -> Result<S::Ok, S::Error> {
    [r.start, r.end].serialize(s)
}

/// Log levels of the kernel's messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogLevel {
    /// `pr_err`.
    Err,
    /// `pr_warn`.
    Warning,
    /// `pr_notice`.
    Notice,
    /// `pr_info`.
    Info,
    /// `panic()`.
    Panic,
}

/// A line the kernel prints about the command line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KernelMessage {
    /// When.
    pub stage: Stage,
    /// At what level.
    pub level: LogLevel,
    /// The text, verbatim (without the trailing newline).
    pub text: Bytes,
    /// The token it is about, as an index into [`Dispatch::tokens`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<usize>,
}

/// What init gets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct InitSummary {
    /// Its arguments after `argv[0]` (the kernel sets `argv[0]` to the
    /// program it runs).
    pub argv: Vec<Bytes>,
    /// Its whole environment, the kernel's `HOME=/` and `TERM=linux`
    /// included (a token may replace them).
    pub env: Vec<Bytes>,
    /// `init=`, the last one given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub init: Option<Bytes>,
    /// `rdinit=`, the last one given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rdinit: Option<Bytes>,
    /// The kernel panics before init: "Too many boot %s vars at `%s'".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub panic: Option<Bytes>,
}

/// Whether the bootconfig is loaded, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct BootconfigOutcome {
    /// The bootloader line has `bootconfig` before `--` (exact name).
    pub requested: bool,
    /// A bootconfig was given to dispatch.
    pub provided: bool,
    /// Its `kernel.*`/`init.*` parameters are part of the command line.
    pub loaded: bool,
}

/// Everything dispatch decided about one command line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dispatch {
    /// One entry per token, in command-line order: bootconfig `kernel.*`
    /// tokens (if loaded or provided), the bootloader's, then bootconfig
    /// `init.*` tokens.
    pub tokens: Vec<TokenFate>,
    /// What init gets.
    pub init: InitSummary,
    /// What the kernel prints about the command line, in boot order.
    pub messages: Vec<KernelMessage>,
    /// Bootconfig.
    pub bootconfig: BootconfigOutcome,
    /// `saved_command_line`, i.e. /proc/cmdline.
    pub proc_cmdline: Bytes,
    /// Offset of a NUL byte in the bootloader line: the kernel reads a C
    /// string and never sees what follows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bootloader_nul_at: Option<usize>,
}
