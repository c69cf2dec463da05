//! The policy as an ordered list of canonical kernel parameters: what every
//! output format writes.
//!
//! [`compile`] reads one command line (the input whose panic policy is
//! wanted), splices the `--set NAME=VALUE` overrides into it, and runs it
//! through the policy crate exactly as `check` does (dispatch → lower →
//! resolve). [`select`] then turns the effective [`Policy`] into parameters:
//!
//! - one per field of the policy whose value differs from the kernel's
//!   default (the policy of an empty command line on the same kernel), or
//!   every field with [`Options::all`]; spelled canonically (`panic=10`,
//!   `panic_print=0x3`, `crash_kexec_post_notifiers=1`, `oops=panic`, or
//!   `sysctl.kernel.panic_on_oops=N` when that is what set it or when only the
//!   sysctl can express the value; on kernels that deprecate `panic_print`,
//!   `panic_sys_info=tasks,mem` and `panic_console_replay=1`);
//! - the other panic-relevant parameters of the catalogue (`nmi_watchdog=`,
//!   `softlockup_panic=`, `reboot=`, the panic sysctls …), which the policy
//!   does not model, passed through as the kernel applied them: the last
//!   occurrence of a last-wins parameter, every occurrence of a parameter
//!   whose handler runs each time. Their default is unknown to panicpol, so
//!   they are written whenever they were given.
//!
//! Everything else on the input line (`console=`, `root=` …) is not panic
//! policy and is left out. Nothing here renders text: see
//! [`crate::cmdline`], [`crate::bootconfig`] and [`crate::json`].

use std::fmt;
use std::ops::Range;

use panicpol_kernel::Kernel;
use panicpol_policy::catalogue::{self, ParamSpec, Registration, Repeat};
use panicpol_policy::dispatch::{self, Dispatch, Fate, Kind, Layer};
use panicpol_policy::plan::{self, PanicPlan};
use panicpol_policy::policy::{self, Origin, Policy, Setting};
use panicpol_policy::values;
use panicpol_syntax::cmdline::tokenize;
use panicpol_syntax::ctype::is_kernel_space;

/// What to select.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options {
    /// Also write the policy's fields that keep the kernel's default value.
    pub all: bool,
}

/// Where an emitted value came from, in terms of the user's input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The kernel's default (only with [`Options::all`]).
    Default(Origin),
    /// A token of the input command line; the span is into that line.
    Input {
        /// Byte range of the token in the input line.
        span: Range<usize>,
    },
    /// The `--set` override with this index.
    Set {
        /// Index into the overrides given to [`compile`].
        index: usize,
    },
}

/// One parameter to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// The canonical name as the kernel registers it (`panic`,
    /// `nmi_watchdog`, `sysctl.kernel.panic_on_oops`).
    pub name: String,
    /// The value (`None`: a bare flag, no `=`).
    pub value: Option<Vec<u8>>,
    /// Parsed before bootconfig is applied (an `early_param`, or read by
    /// arch code from the boot command line): it only works on the
    /// bootloader's command line.
    pub early: bool,
    /// The sysctl that can set the same variable late (for a hint when the
    /// parameter is early), e.g. `kernel.panic_on_oops`.
    pub sysctl: Option<&'static str>,
    /// The policy field it renders (`panic_timeout` …); `None` for a
    /// pass-through parameter.
    pub field: Option<&'static str>,
    /// The value equals the kernel's default (written because of
    /// [`Options::all`]).
    pub default: bool,
    /// Where the value came from.
    pub source: Source,
}

impl Param {
    /// `name` or `name=value`, unquoted (for messages).
    pub fn display(&self) -> String {
        match &self.value {
            None => self.name.clone(),
            Some(v) => format!("{}={}", self.name, String::from_utf8_lossy(v)),
        }
    }
}

/// A token of the input that reached a panic parameter but is not written,
/// and why; for warnings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The token as written.
    pub text: String,
    /// Where it is.
    pub source: Source,
    /// Why it is not written (the kernel's message for a rejected value).
    pub why: String,
}

/// Why a `--set` override cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetError {
    /// Not `NAME` or `NAME=VALUE` with a name the kernel could read.
    Malformed {
        /// The override as given.
        set: String,
        /// What is wrong.
        why: String,
    },
    /// The name is not a panic parameter of panicpol's catalogue.
    NotPanicParam {
        /// The override as given.
        set: String,
        /// Catalogue names close to it.
        suggestions: Vec<String>,
    },
    /// The name is a sysctl only; the kernel has no boot parameter of that
    /// name (it would go to init).
    SysctlOnly {
        /// The override as given.
        set: String,
        /// The form that works, e.g. `sysctl.kernel.panic_on_oops`.
        instead: String,
    },
    /// The target kernel refuses the value (the kernel's message).
    Rejected {
        /// The override as given.
        set: String,
        /// What the kernel would print.
        message: String,
    },
    /// The target kernel has no such parameter: the token would go to init
    /// or be dropped.
    NotInKernel {
        /// The override as given.
        set: String,
        /// What the kernel does with it instead.
        fate: String,
    },
}

impl fmt::Display for SetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetError::Malformed { set, why } => write!(f, "--set {set}: {why}"),
            SetError::NotPanicParam { set, suggestions } => {
                write!(f, "--set {set}: not a panic parameter panicpol knows")?;
                if !suggestions.is_empty() {
                    write!(f, " (did you mean {}?)", suggestions.join(", "))?;
                }
                Ok(())
            }
            SetError::SysctlOnly { set, instead } => write!(
                f,
                "--set {set}: the kernel has no boot parameter of this name (it would go to init); use {instead}=VALUE"
            ),
            SetError::Rejected { set, message } => {
                write!(f, "--set {set}: the target kernel rejects it: {message}")
            }
            SetError::NotInKernel { set, fate } => {
                write!(
                    f,
                    "--set {set}: the target kernel has no such parameter ({fate})"
                )
            }
        }
    }
}

impl std::error::Error for SetError {}

/// The policy of one input line with its overrides, and what to write.
#[derive(Debug, Clone)]
pub struct Compiled {
    /// The input line (up to its first NUL).
    pub input: Vec<u8>,
    /// The overrides, as given.
    pub sets: Vec<String>,
    /// The line the kernel would read: the input with the overrides spliced
    /// in before its first `--` (or unclosed quote, or at the end).
    pub line: Vec<u8>,
    /// The fates of the tokens of [`Compiled::line`].
    pub dispatch: Dispatch,
    /// The effective policy.
    pub policy: Policy,
    /// The policy of an empty command line on the same kernel.
    pub defaults: Policy,
    /// The panic plan of the effective policy.
    pub plan: PanicPlan,
    /// What to write, in catalogue order.
    pub params: Vec<Param>,
    /// Panic tokens of the input that are not written.
    pub skipped: Vec<Skipped>,
    splice: Splice,
}

/// Where the overrides sit in the compiled line.
#[derive(Debug, Clone, Default)]
struct Splice {
    /// Offset in the input where they were inserted.
    at: usize,
    /// Their spans in the compiled line, one per override.
    sets: Vec<Range<usize>>,
    /// Where the rest of the input starts in the compiled line.
    rest: usize,
}

impl Compiled {
    /// Maps a span of the compiled line back to the user's input.
    pub fn source_of(&self, span: &Range<usize>) -> Source {
        let s = &self.splice;
        if let Some(index) = s.sets.iter().position(|r| r.contains(&span.start)) {
            return Source::Set { index };
        }
        if span.start >= s.rest && s.rest > s.at {
            let d = s.rest - s.at;
            return Source::Input {
                span: span.start - d..span.end.saturating_sub(d),
            };
        }
        Source::Input { span: span.clone() }
    }

    /// Maps a policy origin to the user's input.
    pub fn source_of_origin(&self, origin: &Origin) -> Source {
        match origin {
            Origin::Token {
                layer: Layer::Bootloader,
                span,
                ..
            } => self.source_of(span),
            other => Source::Default(other.clone()),
        }
    }
}

/// The largest number of overrides taken (each is one token; the kernel's
/// command line holds a few hundred at most).
pub const MAX_SETS: usize = 256;

/// Checks one override's spelling and finds its catalogue entry.
fn check_set(set: &str) -> Result<&'static ParamSpec, SetError> {
    let malformed = |why: &str| SetError::Malformed {
        set: set.to_owned(),
        why: why.to_owned(),
    };
    let (name, value) = match set.split_once('=') {
        Some((n, v)) => (n, Some(v)),
        None => (set, None),
    };
    if name.is_empty() {
        return Err(malformed("expected NAME or NAME=VALUE"));
    }
    if let Some(b) = name
        .bytes()
        .find(|&b| is_kernel_space(b) || b == b'"' || b == 0)
    {
        return Err(malformed(&format!(
            "the name has byte 0x{b:02x}, which the kernel's tokenizer does not keep in a name"
        )));
    }
    if value.is_some_and(|v| v.contains('"')) {
        return Err(malformed(
            "a value with '\"' cannot be written: the kernel has no escape for quotes",
        ));
    }
    if value.is_some_and(|v| v.contains('\0')) {
        return Err(malformed(
            "a value with a NUL byte cannot be written: the command line ends there",
        ));
    }
    if let Some(path) = name
        .strip_prefix("sysctl.")
        .or(name.strip_prefix("sysctl/"))
    {
        return catalogue::lookup_sysctl(path).ok_or_else(|| SetError::NotPanicParam {
            set: set.to_owned(),
            suggestions: suggest(name),
        });
    }
    match catalogue::lookup(name.as_bytes()) {
        Some(spec) if spec.registration == Registration::SysctlOnly => Err(SetError::SysctlOnly {
            set: set.to_owned(),
            instead: spec
                .sysctl
                .map_or_else(|| "sysctl".to_owned(), |s| format!("sysctl.{}", s.name)),
        }),
        Some(spec) => Ok(spec),
        None => Err(SetError::NotPanicParam {
            set: set.to_owned(),
            suggestions: suggest(name),
        }),
    }
}

/// Catalogue names (and `sysctl.` forms) close to `name`.
fn suggest(name: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for spec in catalogue::all() {
        if spec.registration != Registration::SysctlOnly {
            names.push(spec.name.to_owned());
        }
        if let Some(s) = spec.sysctl {
            names.push(format!("sysctl.{}", s.name));
        }
    }
    let mut scored: Vec<(f64, String)> = names
        .into_iter()
        .map(|n| (strsim::jaro_winkler(name, &n), n))
        .filter(|(s, _)| *s > 0.85)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored.into_iter().take(3).map(|(_, n)| n).collect()
}

/// Quotes an override's value for the spliced line the way
/// [`crate::cmdline`] writes it.
fn set_token(set: &str) -> Vec<u8> {
    match set.split_once('=') {
        Some((n, v)) if v.bytes().any(is_kernel_space) => format!("{n}=\"{v}\"").into_bytes(),
        _ => set.as_bytes().to_vec(),
    }
}

/// Reads the policy of `input` (a boot command line; it ends at its first
/// NUL as the kernel's does) with the overrides `sets` (`NAME` or
/// `NAME=VALUE`, each a panic parameter of the catalogue, applied after the
/// input's own parameters) on `kernel`, and selects what to write.
pub fn compile(
    input: &[u8],
    sets: &[String],
    kernel: &Kernel,
    opts: Options,
) -> Result<Compiled, SetError> {
    if sets.len() > MAX_SETS {
        return Err(SetError::Malformed {
            set: format!("({} overrides)", sets.len()),
            why: format!("at most {MAX_SETS} overrides are taken"),
        });
    }
    for s in sets {
        check_set(s)?;
    }
    let input = input.split(|&b| b == 0).next().unwrap_or_default().to_vec();
    // The overrides go before the first `--` (after it they would be init's
    // arguments) and before a token whose open quote swallows the rest.
    let cl = tokenize(&input);
    let at = cl
        .tokens
        .iter()
        .find(|t| t.is_separator(&input) || t.open_quote)
        .map_or(input.len(), |t| t.span.start);
    let mut line = input.get(..at).unwrap_or_default().to_vec();
    let mut splice = Splice {
        at,
        ..Splice::default()
    };
    if !sets.is_empty() {
        if line.last().is_some_and(|&b| !is_kernel_space(b)) {
            line.push(b' ');
        }
        for (i, s) in sets.iter().enumerate() {
            if i > 0 {
                line.push(b' ');
            }
            let start = line.len();
            line.extend_from_slice(&set_token(s));
            splice.sets.push(start..line.len());
        }
        if at < input.len() {
            line.push(b' ');
        }
    }
    splice.rest = line.len();
    line.extend_from_slice(input.get(at..).unwrap_or_default());

    let dispatch = dispatch::dispatch_cmdline(&line, kernel);
    // Every override must reach its parameter on this kernel.
    for (i, span) in splice.sets.iter().enumerate() {
        let set = sets.get(i).cloned().unwrap_or_default();
        let tok = dispatch
            .tokens
            .iter()
            .find(|t| t.layer == Layer::Bootloader && t.span.start == span.start);
        match tok.map(|t| &t.fate) {
            Some(Fate::Applied { .. }) => {}
            Some(Fate::Rejected { message, .. }) => {
                return Err(SetError::Rejected {
                    set,
                    message: String::from_utf8_lossy(&message.0).into_owned(),
                });
            }
            Some(other) => {
                return Err(SetError::NotInKernel {
                    set,
                    fate: describe_fate(other),
                });
            }
            None => {
                return Err(SetError::NotInKernel {
                    set,
                    fate: "not seen by the kernel".into(),
                });
            }
        }
    }
    let policy = policy::lower(&dispatch, kernel, &line);
    let empty = dispatch::dispatch_cmdline(b"", kernel);
    let defaults = policy::lower(&empty, kernel, b"");
    let plan = plan::resolve(&policy, kernel);
    let mut c = Compiled {
        input,
        sets: sets.to_vec(),
        line,
        dispatch,
        policy,
        defaults,
        plan,
        params: Vec::new(),
        skipped: Vec::new(),
        splice,
    };
    let (params, skipped) = select(&c, kernel, opts);
    c.params = params;
    c.skipped = skipped;
    Ok(c)
}

fn describe_fate(f: &Fate) -> String {
    match f {
        Fate::InitArgv { .. } => "it would be passed to init as an argument".into(),
        Fate::InitEnv { .. } => "it would be passed to init as an environment variable".into(),
        Fate::Dropped { reason } => format!("the kernel drops it: {reason:?}"),
        Fate::Ignored { reason } => format!("the kernel ignores it: {reason:?}"),
        Fate::Separator => "it is a separator".into(),
        Fate::Applied { param, .. } => format!("applied as {param}"),
        Fate::Rejected { param, .. } => format!("rejected by {param}"),
    }
}

/// Whether the kernel has a parameter or setup string of this name.
fn kernel_has(kernel: &Kernel, name: &str) -> bool {
    kernel
        .params
        .iter()
        .any(|p| catalogue::parameq(p.name.as_bytes(), name.as_bytes()))
        || kernel
            .setups
            .iter()
            .any(|s| s.string.trim_end_matches('=') == name)
}

/// Whether the target kernel registers `name` as an early parameter (its
/// `.init.setup` early flag).
fn kernel_says_early(kernel: &Kernel, name: &str) -> bool {
    kernel
        .setups
        .iter()
        .any(|s| s.early && s.string.trim_end_matches('=') == name)
}

fn spec(name: &str) -> Option<&'static ParamSpec> {
    catalogue::all().iter().find(|p| p.name == name)
}

/// The catalogue entries whose effect the policy models; the others are
/// passed through.
const MODELLED: &[&str] = &[
    "crash_kexec_post_notifiers",
    "panic_print",
    "panic_sys_info",
    "panic_console_replay",
    "panic",
    "panic_on_warn",
    "oops",
    "panic_on_oops",
    "panic_on_taint",
    "crashkernel",
    "panic_notifier_filter",
];

/// The sysctls whose writes the policy models.
const MODELLED_SYSCTLS: &[&str] = &[
    "kernel.panic",
    "kernel.panic_on_oops",
    "kernel.panic_on_warn",
    "kernel.panic_print",
    "kernel.panic_sys_info",
];

struct Builder<'a> {
    c: &'a Compiled,
    kernel: &'a Kernel,
    all: bool,
    out: Vec<Param>,
}

impl Builder<'_> {
    /// Adds the parameter of a policy field.
    fn field<T: PartialEq>(
        &mut self,
        field: &'static str,
        name: &str,
        now: &Setting<T>,
        default: &Setting<T>,
        value: Option<Vec<u8>>,
    ) {
        let is_default = now.value == default.value;
        if is_default && !self.all {
            return;
        }
        // A default of a parameter this kernel lacks cannot be written.
        if is_default && !kernel_has(self.kernel, name) && !name.starts_with("sysctl.") {
            return;
        }
        self.push(field, name, value, is_default, &now.origin);
    }

    fn push(
        &mut self,
        field: &'static str,
        name: &str,
        value: Option<Vec<u8>>,
        default: bool,
        origin: &Origin,
    ) {
        let (early, sysctl) = early_and_sysctl(self.kernel, name);
        self.out.push(Param {
            name: name.to_owned(),
            value,
            early,
            sysctl,
            field: Some(field),
            default,
            source: self.c.source_of_origin(origin),
        });
    }
}

/// Whether `name` is early (catalogue or the kernel's own table) and the
/// sysctl twin that could set it late.
fn early_and_sysctl(kernel: &Kernel, name: &str) -> (bool, Option<&'static str>) {
    if name.starts_with("sysctl.") {
        return (false, None);
    }
    let spec = spec(name);
    let early = spec.is_some_and(|s| s.early) || kernel_says_early(kernel, name);
    (early, spec.and_then(|s| s.sysctl).map(|s| s.name))
}

/// Whether the policy's value came from a `sysctl.` token.
fn set_by_sysctl(c: &Compiled, origin: &Origin) -> bool {
    match origin {
        Origin::Token { index, .. } => c.dispatch.tokens.get(*index).is_some_and(|t| {
            matches!(
                t.fate,
                Fate::Applied {
                    kind: Kind::Sysctl | Kind::SysctlAlias,
                    ..
                }
            )
        }),
        _ => false,
    }
}

fn bool_value(b: bool) -> Option<Vec<u8>> {
    Some(if b { b"1".to_vec() } else { b"0".to_vec() })
}

/// Selects the parameters to write from a compiled policy (see the module
/// documentation), and the input's panic tokens that are not written.
pub fn select(c: &Compiled, kernel: &Kernel, opts: Options) -> (Vec<Param>, Vec<Skipped>) {
    let p = &c.policy;
    let d = &c.defaults;
    let mut b = Builder {
        c,
        kernel,
        all: opts.all,
        out: Vec::new(),
    };
    b.field(
        "crash_kexec_post_notifiers",
        "crash_kexec_post_notifiers",
        &p.crash_kexec_post_notifiers,
        &d.crash_kexec_post_notifiers,
        bool_value(p.crash_kexec_post_notifiers.value),
    );
    // From 6.18 the kernel logs that `panic_print` is deprecated and asks
    // for `panic_sys_info` and `panic_console_replay` (PP503): write those
    // there, as long as they say the same thing.
    let replay_bit = match sys_info_form(p.panic_print.value, kernel) {
        Some(names) => {
            // A mask of bit 5 alone is all panic_console_replay's.
            if !names.is_empty() || p.panic_print.value == 0 {
                b.field(
                    "panic_print",
                    "panic_sys_info",
                    &p.panic_print,
                    &d.panic_print,
                    Some(names.into_bytes()),
                );
            }
            p.panic_print.value & PANIC_PRINT_CONSOLE_REPLAY != 0
        }
        None => {
            b.field(
                "panic_print",
                "panic_print",
                &p.panic_print,
                &d.panic_print,
                Some(format!("{:#x}", p.panic_print.value).into_bytes()),
            );
            false
        }
    };
    if replay_bit && !p.panic_console_replay.value {
        // Bit 5 of the mask, written as the parameter that replaces it.
        b.push(
            "panic_console_replay",
            "panic_console_replay",
            bool_value(true),
            false,
            &p.panic_print.origin,
        );
    } else {
        b.field(
            "panic_console_replay",
            "panic_console_replay",
            &p.panic_console_replay,
            &d.panic_console_replay,
            bool_value(p.panic_console_replay.value),
        );
    }
    b.field(
        "panic_timeout",
        "panic",
        &p.panic_timeout,
        &d.panic_timeout,
        Some(p.panic_timeout.value.to_string().into_bytes()),
    );
    b.field(
        "panic_on_warn",
        "panic_on_warn",
        &p.panic_on_warn,
        &d.panic_on_warn,
        Some(p.panic_on_warn.value.to_string().into_bytes()),
    );
    // oops=panic can only set panic_on_oops; clearing it, or keeping the
    // spelling the input chose, takes the sysctl.
    let oops = &p.panic_on_oops;
    if oops.value != d.panic_on_oops.value || opts.all {
        let is_default = oops.value == d.panic_on_oops.value;
        if oops.value && !set_by_sysctl(c, &oops.origin) {
            b.push(
                "panic_on_oops",
                "oops",
                Some(b"panic".to_vec()),
                is_default,
                &oops.origin,
            );
        } else {
            b.push(
                "panic_on_oops",
                "sysctl.kernel.panic_on_oops",
                bool_value(oops.value),
                is_default,
                &oops.origin,
            );
        }
    }
    if let Some((mask, nouser)) = p.panic_on_taint.value {
        let mut v = format!("{mask:#x}");
        if nouser {
            v.push_str(",nousertaint");
        }
        let is_default = p.panic_on_taint.value == d.panic_on_taint.value;
        if !is_default || opts.all {
            b.push(
                "panic_on_taint",
                "panic_on_taint",
                Some(v.into_bytes()),
                is_default,
                &p.panic_on_taint.origin,
            );
        }
    }
    crashkernel(&mut b);
    if let Some(f) = &p.panic_notifier_filter {
        b.push(
            "panic_notifier_filter",
            "panic_notifier_filter",
            Some(f.value.join(",").into_bytes()),
            false,
            &f.origin,
        );
    }
    let mut skipped = Vec::new();
    passthrough(c, kernel, &mut b.out, &mut skipped);
    (b.out, skipped)
}

/// `panic_print`'s bit 5 (`PANIC_PRINT_ALL_PRINTK_MSG`): replay the log on
/// the consoles; from 6.17 also `panic_console_replay`.
const PANIC_PRINT_CONSOLE_REPLAY: u64 = 0x20;

/// The `panic_sys_info` value that says what `mask` says, when the target
/// kernel deprecates `panic_print` (known to: an unknown release keeps
/// `panic_print`, which every kernel takes) and has `panic_sys_info`, and
/// every bit of the mask has a name (or is bit 5, which goes to
/// `panic_console_replay`). An empty value is `panic_sys_info=`, which the
/// kernel reads as 0.
fn sys_info_form(mask: u64, kernel: &Kernel) -> Option<String> {
    let version = policy::kernel_version(kernel);
    if values::PANIC_PRINT_DEPRECATED_SINCE.gate(&version) != values::Gate::Yes
        || !kernel_has(kernel, "panic_sys_info")
    {
        return None;
    }
    let named = values::SYS_INFO_NAMES
        .iter()
        .fold(PANIC_PRINT_CONSOLE_REPLAY, |m, (_, bit)| m | (1u64 << bit));
    (mask & !named == 0).then(|| values::sys_info_names(mask))
}

/// `crashkernel=` as the arch code will find it: the plain value, else
/// `,high` with its `,low`; plus `,cma` where given.
fn crashkernel(b: &mut Builder<'_>) {
    let ck = &b.c.policy.crashkernel;
    if ck.valid != Some(true) {
        return;
    }
    let sel = &ck.selection;
    let line = &b.c.line;
    let mut spans: Vec<Range<usize>> = Vec::new();
    if let Some(s) = &sel.plain {
        spans.push(s.clone());
    } else if let Some(s) = &sel.high {
        spans.push(s.clone());
        spans.extend(sel.low.clone());
    }
    spans.extend(sel.cma.clone());
    for s in spans {
        let Some(value) = line.get(s.clone()) else {
            continue;
        };
        let origin = Origin::Token {
            index: 0,
            layer: Layer::Bootloader,
            span: s.start.saturating_sub("crashkernel=".len())..s.end,
        };
        b.push(
            "crashkernel",
            "crashkernel",
            Some(value.to_vec()),
            false,
            &origin,
        );
    }
}

/// The catalogue parameters the policy does not model, as applied; and the
/// panic tokens that the kernel rejects.
fn passthrough(c: &Compiled, kernel: &Kernel, out: &mut Vec<Param>, skipped: &mut Vec<Skipped>) {
    let mut found: Vec<(usize, Param)> = Vec::new();
    for t in &c.dispatch.tokens {
        if t.layer != Layer::Bootloader {
            continue;
        }
        let text = String::from_utf8_lossy(&t.text.0).into_owned();
        match &t.fate {
            Fate::Rejected {
                param,
                kind,
                message,
                ..
            } if token_spec(param, *kind).is_some() => {
                skipped.push(Skipped {
                    text,
                    source: c.source_of(&t.span),
                    why: String::from_utf8_lossy(&message.0).into_owned(),
                });
            }
            Fate::Applied {
                param,
                kind,
                early,
                value,
                ..
            } => {
                let Some(spec) = token_spec(param, *kind) else {
                    continue;
                };
                let sysctl_kind = matches!(kind, Kind::Sysctl);
                if MODELLED.contains(&spec.name) && !sysctl_kind {
                    continue;
                }
                if sysctl_kind && MODELLED_SYSCTLS.contains(&param.as_str()) {
                    continue;
                }
                if spec.repeat == Repeat::LastWins && t.superseded_by.is_some() {
                    continue;
                }
                let (name, value) = match kind {
                    Kind::Sysctl => (
                        format!("sysctl.{param}"),
                        value.as_ref().map(|v| v.0.clone()),
                    ),
                    Kind::SysctlAlias => {
                        (spec.name.to_owned(), value.as_ref().map(|v| v.0.clone()))
                    }
                    // The handler gets what follows the registered string.
                    Kind::Setup => {
                        let mut whole = param.as_bytes().to_vec();
                        whole.extend_from_slice(value.as_ref().map_or(&[][..], |v| &v.0));
                        match whole.iter().position(|&b| b == b'=') {
                            Some(eq) => (
                                String::from_utf8_lossy(whole.get(..eq).unwrap_or_default())
                                    .into_owned(),
                                whole.get(eq + 1..).map(<[u8]>::to_vec),
                            ),
                            None => (String::from_utf8_lossy(&whole).into_owned(), None),
                        }
                    }
                    Kind::Param => (param.clone(), value.as_ref().map(|v| v.0.clone())),
                };
                let (cat_early, sysctl) = early_and_sysctl(kernel, &name);
                let order = catalogue::all()
                    .iter()
                    .position(|s| s.name == spec.name)
                    .unwrap_or(usize::MAX);
                found.push((
                    order,
                    Param {
                        name,
                        value,
                        early: *early || cat_early,
                        sysctl,
                        field: None,
                        default: false,
                        source: c.source_of(&t.span),
                    },
                ));
            }
            _ => {}
        }
    }
    // Catalogue order, command-line order within one parameter.
    found.sort_by_key(|(o, _)| *o);
    out.extend(found.into_iter().map(|(_, p)| p));
    if c.policy.crashkernel.valid == Some(false) {
        skipped.push(Skipped {
            text: format!(
                "crashkernel={}",
                c.policy.crashkernel.value.as_deref().unwrap_or_default()
            ),
            source: c.source_of(&c.policy.crashkernel.span.clone().unwrap_or_default()),
            why: c
                .policy
                .crashkernel
                .error
                .clone()
                .unwrap_or_else(|| "malformed".into()),
        });
    }
}

/// The catalogue entry an applied or rejected entry belongs to.
fn token_spec(param: &str, kind: Kind) -> Option<&'static ParamSpec> {
    match kind {
        Kind::Sysctl | Kind::SysctlAlias => catalogue::lookup_sysctl(param),
        _ => catalogue::lookup(param.trim_end_matches('=').as_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use panicpol_kernel::KernelSource;

    fn kernel() -> Kernel {
        let mut k = Kernel::empty(KernelSource::Catalogue);
        k.release = Some("6.12.117+deb12-cloud-amd64".into());
        panicpol_policy::supplement::supplement(&mut k);
        k
    }

    fn emitted(line: &str, sets: &[&str], all: bool) -> Vec<String> {
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        compile(line.as_bytes(), &sets, &kernel(), Options { all })
            .expect("compiles")
            .params
            .iter()
            .map(Param::display)
            .collect()
    }

    fn emitted_for(release: &str, line: &str, all: bool) -> Vec<String> {
        let mut k = Kernel::empty(KernelSource::Catalogue);
        k.release = Some(release.into());
        panicpol_policy::supplement::supplement(&mut k);
        compile(line.as_bytes(), &[], &k, Options { all })
            .expect("compiles")
            .params
            .iter()
            .filter(|p| {
                ["panic_print", "panic_sys_info", "panic_console_replay"].contains(&p.name.as_str())
            })
            .map(Param::display)
            .collect()
    }

    /// A kernel that deprecates `panic_print` (6.18) gets the same request
    /// as `panic_sys_info` names and `panic_console_replay`; older ones, and
    /// masks with bits that have no name, keep `panic_print`.
    #[test]
    fn panic_print_becomes_panic_sys_info_where_it_is_deprecated() {
        let cases: &[(&str, &str, bool, &[&str])] = &[
            (
                "6.18.0",
                "panic_print=0x23",
                false,
                &["panic_sys_info=tasks,mem", "panic_console_replay=1"],
            ),
            (
                "6.18.0",
                "panic_print=0x20",
                false,
                &["panic_console_replay=1"],
            ),
            (
                "6.18.0",
                "panic_print=0x20 panic_console_replay=1",
                false,
                &["panic_console_replay=1"],
            ),
            (
                "6.18.0",
                "panic_print=0xdf",
                false,
                &["panic_sys_info=tasks,mem,timers,locks,ftrace,all_bt,blocked_tasks"],
            ),
            (
                "6.18.0",
                "panic_sys_info=locks",
                false,
                &["panic_sys_info=locks"],
            ),
            ("6.18.0", "panic_print=0x100", false, &["panic_print=0x100"]),
            (
                "6.18.0",
                "panic_print=0x1",
                true,
                &["panic_sys_info=tasks", "panic_console_replay=0"],
            ),
            ("6.17.0", "panic_print=0x23", false, &["panic_print=0x23"]),
            ("6.12.117", "panic_print=0x23", false, &["panic_print=0x23"]),
        ];
        for (release, line, all, want) in cases {
            let got = emitted_for(release, line, *all);
            assert_eq!(&got, want, "{release}: {line}");
        }
    }

    #[test]
    fn only_panic_policy_that_differs_from_the_defaults() {
        let cases: &[(&str, &[&str], &[&str])] = &[
            ("console=ttyS0 root=/dev/sda1 quiet", &[], &[]),
            ("panic=0 panic_print=0", &[], &[]),
            (
                "console=ttyS0 panic_print=3 crash-kexec-post-notifiers panic=10",
                &[],
                &[
                    "crash_kexec_post_notifiers=1",
                    "panic_print=0x3",
                    "panic=10",
                ],
            ),
            ("panic=10 panic=20", &[], &["panic=20"]),
            ("oops=panic", &[], &["oops=panic"]),
            ("oops=nope", &[], &[]),
            (
                "sysctl.kernel.panic_on_oops=1",
                &[],
                &["sysctl.kernel.panic_on_oops=1"],
            ),
            (
                "panic_on_taint=0x20,nousertaint",
                &[],
                &["panic_on_taint=0x20,nousertaint"],
            ),
            ("crashkernel=256M", &[], &["crashkernel=256M"]),
            (
                "crashkernel=1G,high crashkernel=128M,low",
                &[],
                &["crashkernel=1G,high", "crashkernel=128M,low"],
            ),
            ("crashkernel=banana", &[], &[]),
            (
                "softlockup_panic=1 nmi_watchdog=panic reboot=panic_warm",
                &[],
                &[
                    "nmi_watchdog=panic",
                    "softlockup_panic=1",
                    "reboot=panic_warm",
                ],
            ),
            ("hung_task_panic=1", &[], &["hung_task_panic=1"]),
            (
                "sysctl.kernel.panic_on_rcu_stall=1",
                &[],
                &["sysctl.kernel.panic_on_rcu_stall=1"],
            ),
            // Overrides come after the input's parameters: last wins.
            (
                "crash_kexec_post_notifiers panic=5 -- single",
                &["crash_kexec_post_notifiers=0", "panic=10"],
                &["panic=10"],
            ),
            ("", &["panic_print=0x23"], &["panic_print=0x23"]),
            // Parameters after `--` belong to init, not to the policy.
            ("-- panic=10", &[], &[]),
        ];
        for (line, sets, want) in cases {
            assert_eq!(&emitted(line, sets, false), want, "{line:?} {sets:?}");
        }
    }

    #[test]
    fn all_writes_the_defaults_too() {
        let got = emitted("", &[], true);
        assert!(
            got.contains(&"crash_kexec_post_notifiers=0".to_string()),
            "{got:?}"
        );
        assert!(got.contains(&"panic=0".to_string()), "{got:?}");
        assert!(got.contains(&"panic_print=0x0".to_string()), "{got:?}");
        assert!(
            got.contains(&"sysctl.kernel.panic_on_oops=0".to_string()),
            "{got:?}"
        );
        // 6.12 has no panic_console_replay: its default is not written.
        assert!(
            !got.iter().any(|p| p.starts_with("panic_console_replay")),
            "{got:?}"
        );
    }

    #[test]
    fn early_parameters_are_marked() {
        let c = compile(
            b"oops=panic panic_on_taint=0x1 crashkernel=256M panic=1",
            &[],
            &kernel(),
            Options::default(),
        )
        .expect("compiles");
        let early: Vec<(&str, bool, Option<&str>)> = c
            .params
            .iter()
            .map(|p| (p.name.as_str(), p.early, p.sysctl))
            .collect();
        assert_eq!(
            early,
            [
                ("panic", false, Some("kernel.panic")),
                ("oops", true, Some("kernel.panic_on_oops")),
                ("panic_on_taint", true, None),
                ("crashkernel", true, None),
            ]
        );
    }

    #[test]
    fn sources_point_into_the_input_or_the_override() {
        let sets = vec!["panic=10".to_string()];
        let c =
            compile(b"panic_print=3 -- x", &sets, &kernel(), Options::default()).expect("compiles");
        assert_eq!(c.line, b"panic_print=3 panic=10 -- x");
        let src: Vec<&Source> = c.params.iter().map(|p| &p.source).collect();
        assert_eq!(
            src,
            [&Source::Input { span: 0..13 }, &Source::Set { index: 0 }]
        );
        assert_eq!(
            c.source_of(&(23..25)),
            Source::Input { span: 14..16 },
            "the separator maps back"
        );
        // An unclosed quote would swallow overrides put after it.
        let c = compile(b"a=\"b c", &sets, &kernel(), Options::default()).expect("compiles");
        assert_eq!(c.line, b"panic=10 a=\"b c");
    }

    #[test]
    fn bad_overrides_are_refused() {
        let k = kernel();
        let err = |s: &str| {
            compile(b"", &[s.to_string()], &k, Options::default())
                .expect_err(s)
                .to_string()
        };
        assert!(
            err("panic=banana").contains("rejects it"),
            "{}",
            err("panic=banana")
        );
        assert!(
            err("panik=10").contains("did you mean panic"),
            "{}",
            err("panik=10")
        );
        assert!(err("console=ttyS0").contains("not a panic parameter"));
        assert!(err("panic_on_oops=1").contains("sysctl.kernel.panic_on_oops"));
        assert!(err("panic_console_replay=1").contains("no such parameter"));
        assert!(err("panic_print=\"3\"").contains("escape"));
        assert!(err("=3").contains("NAME"));
        assert!(err("pan ic=3").contains("0x20"));
        assert!(err("sysctl.kernel.nope=1").contains("not a panic parameter"));
        let many = vec!["panic=1".to_string(); MAX_SETS + 1];
        assert!(compile(b"", &many, &k, Options::default()).is_err());
    }

    #[test]
    fn rejected_panic_tokens_are_reported_as_skipped() {
        let c = compile(
            b"panic=banana crashkernel=xyz",
            &[],
            &kernel(),
            Options::default(),
        )
        .expect("compiles");
        assert!(c.params.is_empty());
        let why: Vec<&str> = c.skipped.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(why, ["panic=banana", "crashkernel=xyz"]);
    }
}
