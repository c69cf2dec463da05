//! The one model of a kernel build, whatever it was read from.

use serde::Serialize;

/// How a fact about the kernel was known. Diagnostics say so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Known {
    /// Read from the image's own tables (`__param`, `.init.setup`, `.data`).
    Table,
    /// Proven from the machine code (a decoded call with its arguments).
    Code,
    /// Inferred from a symbol name (`__param_str_X`, a function's presence).
    SymbolName,
    /// Matched by name against panicpol's catalogue; not checked in the image.
    Catalogue,
    /// Read from the kernel config.
    Config,
    /// Read from DWARF debug information.
    Dwarf,
}

/// Where the kernel facts came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KernelSource {
    /// An ELF vmlinux (ideally with symbols).
    Vmlinux,
    /// A System.map.
    SystemMap,
    /// A /proc/kallsyms dump (or the live one).
    Kallsyms,
    /// Only panicpol's built-in catalogue: no kernel was given.
    Catalogue,
}

/// The type of a `struct kernel_param`, from its `ops` pointer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "ops")]
pub enum ParamType {
    /// `param_ops_bool` (bare flag = true).
    Bool,
    /// `param_ops_invbool` (a bare flag is an error).
    Invbool,
    /// `param_ops_bool_enable_only`.
    BoolEnableOnly,
    /// `param_ops_bint`.
    Bint,
    /// `param_ops_byte`.
    Byte,
    /// `param_ops_short`.
    Short,
    /// `param_ops_ushort`.
    Ushort,
    /// `param_ops_int`.
    Int,
    /// `param_ops_uint`.
    Uint,
    /// `param_ops_long`.
    Long,
    /// `param_ops_ulong`.
    Ulong,
    /// `param_ops_ullong`.
    Ullong,
    /// `param_ops_hexint`.
    Hexint,
    /// `param_ops_charp`.
    Charp,
    /// `param_ops_string` (`module_param_string`).
    String,
    /// `param_array_ops`.
    Array,
    /// Some other ops structure, by symbol name (e.g. `panic_print_ops`).
    Custom(String),
    /// The ops pointer could not be resolved (or the source has no tables).
    Unknown,
}

impl ParamType {
    /// The `ops` symbol name → type.
    pub fn from_ops_symbol(sym: &str) -> ParamType {
        match sym {
            "param_ops_bool" => ParamType::Bool,
            "param_ops_invbool" => ParamType::Invbool,
            "param_ops_bool_enable_only" => ParamType::BoolEnableOnly,
            "param_ops_bint" => ParamType::Bint,
            "param_ops_byte" => ParamType::Byte,
            "param_ops_short" => ParamType::Short,
            "param_ops_ushort" => ParamType::Ushort,
            "param_ops_int" => ParamType::Int,
            "param_ops_uint" => ParamType::Uint,
            "param_ops_long" => ParamType::Long,
            "param_ops_ulong" => ParamType::Ulong,
            "param_ops_ullong" => ParamType::Ullong,
            "param_ops_hexint" => ParamType::Hexint,
            "param_ops_charp" => ParamType::Charp,
            "param_ops_string" => ParamType::String,
            "param_array_ops" => ParamType::Array,
            other => ParamType::Custom(other.to_string()),
        }
    }

    /// Whether the ops carry `KERNEL_PARAM_OPS_FL_NOARG`: a bare name (no `=`)
    /// is accepted. Only the bool family has it (kernel/params.c); for custom
    /// ops we cannot tell and answer `None`.
    pub fn accepts_no_value(&self) -> Option<bool> {
        match self {
            ParamType::Bool | ParamType::BoolEnableOnly | ParamType::Bint => Some(true),
            ParamType::Custom(_) | ParamType::Unknown => None,
            _ => Some(false),
        }
    }
}

/// A compiled-in default value read from the image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", untagged)]
pub enum DefaultValue {
    /// A boolean variable.
    Bool(bool),
    /// A signed integer variable.
    Int(i64),
    /// An unsigned integer variable.
    Uint(u64),
    /// A string (`charp` pointing at a literal).
    Str(String),
}

/// One `struct kernel_param` (a `module_param`/`core_param` built into the kernel).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KernelParam {
    /// The command-line name, module prefix included (`printk.time`).
    pub name: String,
    /// Initcall level: -1 for the "Booting kernel" pass, 1..=7 for `*_param_cb`.
    pub level: i8,
    /// Type from the `ops` pointer.
    pub ty: ParamType,
    /// sysfs permissions (0 = not in sysfs).
    pub perm: u16,
    /// `KERNEL_PARAM_FL_UNSAFE` (1) / `KERNEL_PARAM_FL_HWPARAM` (2).
    pub flags: u8,
    /// The variable the parameter writes (`arg`), when resolved to a symbol.
    pub arg_symbol: Option<String>,
    /// The compiled-in value of that variable, when it could be read.
    pub default: Option<DefaultValue>,
    /// How this entry was known.
    pub known: Known,
}

/// One `struct obs_kernel_param` (`__setup` or `early_param`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SetupParam {
    /// The registered string, with its trailing `=` when it has one: it is
    /// matched as a prefix of `name=value` (init/main.c obsolete_checksetup).
    pub string: String,
    /// `early_param` (1) versus `__setup` (0).
    pub early: bool,
    /// The handler function's symbol, when known.
    pub handler: Option<String>,
    /// How this entry was known.
    pub known: Known,
}

/// One symbol of the kernel or of a module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Symbol {
    /// The name as written (suffixes such as `.constprop.0` kept).
    pub name: String,
    /// The address (0 when hidden by kptr_restrict).
    pub addr: u64,
    /// The nm type letter (`T`, `t`, `D`, `b` …).
    pub kind: char,
    /// The module, for `[module]` symbols of /proc/kallsyms.
    pub module: Option<String>,
}

impl Symbol {
    /// A text (code) symbol: `T`, `t`, `W`, `w`.
    pub fn is_function(&self) -> bool {
        matches!(self.kind, 'T' | 't' | 'W' | 'w')
    }
}

/// Petr Mladek's grouping of panic notifiers (LKML, Jan 2022).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotifierGroup {
    /// Disables watchdogs and warnings (hung_task, RCU stall).
    Watchdog,
    /// Dumps information (kernel offset, ftrace).
    Info,
    /// Informs a hypervisor or firmware.
    Hypervisor,
    /// Everything else (LEDs, IPMI, heartbeats).
    Misc,
}

/// How a notifier registration was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notifier {
    /// The callback function (`notifier_call`), when known.
    pub callback: Option<String>,
    /// The `struct notifier_block` symbol; `None` for a block in a heap object.
    pub block: Option<String>,
    /// The block's priority, when it is static.
    pub priority: Option<i32>,
    /// The function that calls the registration routine.
    pub registered_in: Option<String>,
    /// The block lives in a heap object (registered at run time, e.g. per device).
    pub dynamic: bool,
    /// Registered by a loadable module (named), not built in.
    pub module: Option<String>,
    /// Source file and line of the callback (DWARF), when read.
    pub location: Option<String>,
    /// How the registration was known.
    pub known: Known,
}

/// Config options panicpol cares about, from a kernel config file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct KernelConfig {
    /// Every `CONFIG_X=value` line (without the `CONFIG_` prefix); unset
    /// options (`# CONFIG_X is not set`) are recorded as `"n"`.
    pub options: std::collections::BTreeMap<String, String>,
    /// The kernel version in kconfig's heading (`# Linux/x86 6.12.117
    /// Kernel Configuration`): the source tree's `KERNELVERSION`, without
    /// the local version (`+deb12-cloud-amd64`), and exact where a
    /// distribution's release string is not (Debian's `6.1.0-50` is 6.1.176).
    pub version: Option<String>,
}

impl KernelConfig {
    /// `Some(true)` for `=y`/`=m`, `Some(false)` for not set, `None` when the
    /// option is not mentioned at all.
    pub fn enabled(&self, name: &str) -> Option<bool> {
        self.options.get(name).map(|v| v == "y" || v == "m")
    }

    /// The raw value of an option.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.options.get(name).map(String::as_str)
    }
}

/// The CPU architecture of the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Arch {
    /// x86-64.
    X86_64,
    /// arm64.
    Aarch64,
    /// Anything else, or unknown.
    Other,
}

/// Everything panicpol knows about one kernel build.
#[derive(Debug, Clone, Serialize)]
pub struct Kernel {
    /// `uname -r` (from `linux_banner` or the file name), when known.
    pub release: Option<String>,
    /// The full `linux_banner` text, when read.
    pub banner: Option<String>,
    /// What the facts were read from.
    pub source: KernelSource,
    /// Architecture.
    pub arch: Arch,
    /// Built-in `__param` entries. Empty when the source has no tables and
    /// none could be inferred.
    pub params: Vec<KernelParam>,
    /// `.init.setup` entries.
    pub setups: Vec<SetupParam>,
    /// Whether `params`/`setups` are the complete tables of this build
    /// (vmlinux) or a partial view (names from symbols, catalogue).
    pub tables_complete: bool,
    /// The symbol table (functions, and data where the source has them).
    #[serde(skip)]
    pub symbols: crate::symbols::SymbolTable,
    /// Panic notifier registrations.
    pub notifiers: Vec<Notifier>,
    /// The kernel config, when given.
    pub config: Option<KernelConfig>,
    /// What the reader could not read, one sentence each, when it gave a
    /// partial answer rather than none (a damaged `.debug_line` loses the
    /// notifiers' file:line, not the notifiers).
    pub gaps: Vec<String>,
}

impl Kernel {
    /// An empty kernel of the given source.
    pub fn empty(source: KernelSource) -> Kernel {
        Kernel {
            release: None,
            banner: None,
            source,
            arch: Arch::Other,
            params: Vec::new(),
            setups: Vec::new(),
            tables_complete: false,
            symbols: crate::symbols::SymbolTable::default(),
            notifiers: Vec::new(),
            config: None,
            gaps: Vec::new(),
        }
    }
}
