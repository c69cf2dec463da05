//! The passes of boot that read the command line, in the kernel's order,
//! each deciding part of every token's fate: bootconfig detection, the early
//! pass, "Booting kernel", init's arguments, the initcall levels and the
//! sysctl pass (init/main.c, kernel/params.c, fs/proc/proc_sysctl.c).

use std::collections::HashMap;

use panicpol_syntax::cmdline::{Cmdline, Token, tokenize};
use panicpol_syntax::ctype::{is_kernel_space, skip_spaces};

use super::bytes::Bytes;
use super::fate::{
    BootconfigOutcome, Dispatch, Doubt, DropReason, Effect, Fate, IgnoreReason, InitSummary,
    KernelMessage, Kind, Layer, LogLevel, Stage, TokenFate,
};
use super::tables::{DEFAULT_INIT_ENV_ARG_LIMIT, MAX_INIT_ENV_ARG_LIMIT, ParamEntry, Tables};
use super::verdict::{self, Verdict};

/// The command line as the kernel assembles it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BootLine<'a> {
    /// The bootloader's command line (`boot_command_line`).
    pub bootloader: &'a [u8],
    /// A bootconfig the kernel may load (from the initrd or built in).
    pub bootconfig: Option<BootconfigText<'a>>,
}

/// A bootconfig rendered as the kernel renders it (init/main.c
/// xbc_make_cmdline): `key[=value] ` per leaf.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BootconfigText<'a> {
    /// The `kernel.*` keys (prefix removed), e.g. `panic_print=0x3 `.
    pub kernel: &'a [u8],
    /// The `init.*` keys (prefix removed).
    pub init: &'a [u8],
}

impl<'a> BootLine<'a> {
    /// A bootloader line without bootconfig.
    pub fn plain(bootloader: &'a [u8]) -> BootLine<'a> {
        BootLine {
            bootloader,
            bootconfig: None,
        }
    }
}

/// The sysctl aliases (fs/proc/proc_sysctl.c sysctl_aliases, the same four
/// in 6.1 and 6.12), matched with strcmp: no dash folding.
const SYSCTL_ALIASES: &[(&[u8], &str)] = &[
    (
        b"hardlockup_all_cpu_backtrace",
        "kernel.hardlockup_all_cpu_backtrace",
    ),
    (b"hung_task_panic", "kernel.hung_task_panic"),
    (b"numa_zonelist_order", "vm.numa_zonelist_order"),
    (
        b"softlockup_all_cpu_backtrace",
        "kernel.softlockup_all_cpu_backtrace",
    ),
];

/// kernel/params.c dash2underscore.
fn fold(c: u8) -> u8 {
    if c == b'-' { b'_' } else { c }
}

/// kernel/params.c parameq: equal names, `-` ≡ `_`, case-sensitive.
pub fn parameq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| fold(*x) == fold(*y))
}

/// kernel/params.c parameqn with `n = strlen(b)`: `b` is a prefix of `a`,
/// `-` ≡ `_`.
pub fn parameq_prefix(a: &[u8], b: &[u8]) -> bool {
    a.len() >= b.len() && a.iter().zip(b).all(|(x, y)| fold(*x) == fold(*y))
}

/// Runs every pass over a plain bootloader line and a kernel model.
pub fn dispatch_cmdline(text: &[u8], kernel: &panicpol_kernel::Kernel) -> Dispatch {
    dispatch(&BootLine::plain(text), &Tables::from_kernel(kernel))
}

/// Decides the fate of every token of `line` on the kernel described by
/// `tables`.
pub fn dispatch(line: &BootLine<'_>, tables: &Tables) -> Dispatch {
    Engine::new(line, tables).run()
}

/// A slot of init's argv/envp table: the string and the token that put it
/// there (none for the kernel's defaults).
type Slot = Option<(Vec<u8>, Option<usize>)>;

/// init/main.c argv_init/envp_init and panic_later, emulated slot by slot
/// because their overflow and clearing rules depend on the exact layout.
struct InitTables {
    argv: Vec<Slot>,
    env: Vec<Slot>,
    max: usize,
    panic_later: Option<(&'static str, Vec<u8>)>,
}

impl InitTables {
    fn new(max: usize) -> InitTables {
        let mut argv = vec![None; max + 2];
        let mut env = vec![None; max + 2];
        if let Some(s) = argv.get_mut(0) {
            *s = Some((b"init".to_vec(), None));
        }
        if let Some(s) = env.get_mut(0) {
            *s = Some((b"HOME=/".to_vec(), None));
        }
        if let Some(s) = env.get_mut(1) {
            *s = Some((b"TERM=linux".to_vec(), None));
        }
        InitTables {
            argv,
            env,
            max,
            panic_later: None,
        }
    }

    fn live(tbl: &[Slot], from: usize) -> impl Iterator<Item = &(Vec<u8>, Option<usize>)> {
        tbl.iter().skip(from).map_while(Option::as_ref)
    }
}

/// How a token matched in the early pass.
#[derive(Clone)]
struct EarlyHit {
    setup: usize,
    message: Option<Vec<u8>>,
    doubt: bool,
}

struct Engine<'l, 't> {
    line: &'l BootLine<'l>,
    t: &'t Tables,
    out: Vec<TokenFate>,
    messages: Vec<KernelMessage>,
    init: InitTables,
    summary: InitSummary,
    version: crate::values::KernelVersion,
}

impl<'l, 't> Engine<'l, 't> {
    fn new(line: &'l BootLine<'l>, t: &'t Tables) -> Engine<'l, 't> {
        Engine {
            line,
            t,
            out: Vec::new(),
            messages: Vec::new(),
            init: InitTables::new(
                t.init_env_arg_limit
                    .filter(|&n| n <= MAX_INIT_ENV_ARG_LIMIT)
                    .unwrap_or(DEFAULT_INIT_ENV_ARG_LIMIT),
            ),
            summary: InitSummary::default(),
            version: verdict::kernel_version(t.version),
        }
    }

    fn say(&mut self, stage: Stage, level: LogLevel, text: Vec<u8>, token: Option<usize>) {
        self.messages.push(KernelMessage {
            stage,
            level,
            text: Bytes(text),
            token,
        });
    }

    fn push(
        &mut self,
        layer: Layer,
        text: &[u8],
        span: std::ops::Range<usize>,
        fate: Fate,
    ) -> usize {
        self.out.push(TokenFate {
            layer,
            text: Bytes(text.get(span.clone()).unwrap_or_default().to_vec()),
            span,
            fate,
            superseded_by: None,
            reported_unknown: false,
            also: Vec::new(),
            doubts: Vec::new(),
        });
        self.out.len() - 1
    }

    fn doubt(&mut self, idx: usize, d: Doubt) {
        if let Some(t) = self.out.get_mut(idx) {
            if !t.doubts.contains(&d) {
                t.doubts.push(d);
            }
        }
    }

    fn supersede(&mut self, old: usize, by: usize) {
        if let Some(t) = self.out.get_mut(old) {
            t.superseded_by = Some(by);
        }
    }

    fn run(mut self) -> Dispatch {
        let t = self.t;
        let boot = c_string(self.line.bootloader);
        let boot_nul = (boot.len() < self.line.bootloader.len()).then_some(boot.len());
        let boot_tokens = tokenize(boot);
        let boot_sep = boot_tokens.tokens.iter().position(|k| k.is_separator(boot));

        // setup_boot_config: a throw-away parse_args up to `--` looking for
        // the exact name "bootconfig" (strcmp, no folding).
        let requested = before_sep(&boot_tokens, boot_sep)
            .iter()
            .any(|k| k.name_bytes(boot) == b"bootconfig");
        let provided = self.line.bootconfig.is_some();
        let compiled = t.bootconfig.compiled;
        let force = t.bootconfig.force;
        let wanted = requested || force == Some(true);
        let loaded = provided && wanted && compiled != Some(false);
        let bootconfig_doubt = provided
            && compiled != Some(false)
            && ((wanted && compiled.is_none()) || (!requested && force.is_none()));
        if requested && compiled != Some(false) && !provided {
            self.say(
                Stage::Early,
                LogLevel::Err,
                b"'bootconfig' found on command line, but no bootconfig found".to_vec(),
                None,
            );
        }
        if !requested && force == Some(true) && compiled != Some(false) && !provided {
            self.say(
                Stage::Early,
                LogLevel::Info,
                b"No bootconfig data provided, so skipping bootconfig".to_vec(),
                None,
            );
        }

        let (xbc_kernel, xbc_init): (&[u8], &[u8]) = match self.line.bootconfig {
            Some(b) => (c_string(b.kernel), c_string(b.init)),
            None => (b"", b""),
        };
        // Tokens of a bootconfig the kernel does not load: shown, dropped.
        if provided && !loaded {
            for k in tokenize(xbc_kernel).tokens {
                let i = self.push(
                    Layer::BootconfigKernel,
                    xbc_kernel,
                    k.span.clone(),
                    Fate::Dropped {
                        reason: DropReason::BootconfigNotLoaded,
                    },
                );
                if bootconfig_doubt {
                    self.doubt(i, Doubt::BootconfigConfigUnknown);
                }
            }
        }

        // static_command_line = [bootconfig kernel.*] + command_line.
        let xlen = if loaded { xbc_kernel.len() } else { 0 };
        let mut combined = Vec::with_capacity(xlen + boot.len());
        if loaded {
            combined.extend_from_slice(xbc_kernel);
        }
        combined.extend_from_slice(boot);
        let main = tokenize(&combined);
        let main_sep = main.tokens.iter().position(|k| k.is_separator(&combined));

        // Index of every main token in `out`.
        let base = self.out.len();
        for k in &main.tokens {
            let (layer, span) = if k.span.start < xlen {
                (Layer::BootconfigKernel, k.span.clone())
            } else {
                (
                    Layer::Bootloader,
                    k.span.start - xlen..k.span.end.saturating_sub(xlen),
                )
            };
            let text = combined.get(k.span.clone()).unwrap_or_default().to_vec();
            self.out.push(TokenFate {
                layer,
                text: Bytes(text),
                span,
                fate: Fate::Separator,
                superseded_by: None,
                reported_unknown: false,
                also: Vec::new(),
                doubts: Vec::new(),
            });
        }
        let out_of = |i: usize| base + i;

        // The early pass: parse_early_param on boot_command_line only.
        let by_start: HashMap<(usize, usize), usize> = main
            .tokens
            .iter()
            .enumerate()
            .map(|(i, k)| ((k.span.start, k.span.end), i))
            .collect();
        let mut early: HashMap<usize, Vec<EarlyHit>> = HashMap::new();
        for k in before_sep(&boot_tokens, boot_sep) {
            let hits = self.early_hits(k, boot);
            if hits.is_empty() {
                continue;
            }
            let main_idx = by_start
                .get(&(k.span.start + xlen, k.span.end + xlen))
                .copied();
            for h in &hits {
                if let Some(m) = &h.message {
                    self.say(
                        Stage::Early,
                        LogLevel::Warning,
                        m.clone(),
                        main_idx.map(out_of),
                    );
                }
                // init/main.c warn_bootconfig, the !CONFIG_BOOT_CONFIG variant.
                let is_bootconfig = t
                    .setups
                    .get(h.setup)
                    .is_some_and(|e| e.string == "bootconfig");
                if is_bootconfig && compiled == Some(false) {
                    self.say(
                        Stage::Early,
                        LogLevel::Warning,
                        b"WARNING: 'bootconfig' found on the kernel command line but CONFIG_BOOT_CONFIG is not set."
                            .to_vec(),
                        main_idx.map(out_of),
                    );
                }
            }
            if let Some(m) = main_idx {
                early.insert(m, hits);
            }
        }

        // "Booting kernel", then every initcall level (same tokens before
        // `--`: saved_command_line and static_command_line agree there).
        let n_before = main_sep.unwrap_or(main.tokens.len());
        let mut booting_error = false;
        let mut pending_sysctl = Vec::new();
        let mut param_state: HashMap<usize, (usize, Option<bool>)> = HashMap::new();
        let mut init_setters: HashMap<usize, usize> = HashMap::new();
        for (i, k) in main.tokens.iter().enumerate().take(n_before) {
            let oi = out_of(i);
            let hits = early.remove(&i).unwrap_or_default();
            let name = k.name_bytes(&combined);
            let val = k.value_bytes(&combined);
            if let Some(pi) = t
                .params
                .iter()
                .position(|p| parameq(name, p.name.as_bytes()))
            {
                let rejected = self.apply_param(oi, pi, name, val, &mut param_state);
                if rejected && self.stage_of(pi) == Stage::Booting {
                    booting_error = true;
                }
                self.also_early(oi, &hits, 0);
                continue;
            }
            // unknown_bootoption.
            if t.sysctl != Some(false) && sysctl_alias(name).is_some() {
                pending_sysctl.push(i);
                self.also_early(oi, &hits, 0);
                continue;
            }
            let repaired = k.repaired(&combined);
            if repaired.starts_with(b"BOOT_IMAGE=") || repaired.starts_with(b"kexec") {
                self.set(
                    oi,
                    Fate::Ignored {
                        reason: IgnoreReason::BootloaderIdentifier,
                    },
                );
                self.also_early(oi, &hits, 0);
                continue;
            }
            match self.checksetup(oi, &repaired, k.value.is_some(), &mut init_setters) {
                Setup::Handled => {
                    self.also_early(oi, &hits, 0);
                    continue;
                }
                Setup::Early(si) => {
                    let layer = self.out.get(oi).map(|f| f.layer);
                    match (hits.first(), layer) {
                        (Some(h), Some(Layer::Bootloader)) => {
                            let entry = t.setups.get(h.setup);
                            let param = entry.map(|e| e.string.clone()).unwrap_or_default();
                            let value = val.map(Bytes::from);
                            let fate = match &h.message {
                                Some(m) => Fate::Rejected {
                                    param,
                                    kind: Kind::Setup,
                                    early: true,
                                    stage: Stage::Early,
                                    value,
                                    message: Bytes(m.clone()),
                                },
                                None => Fate::Applied {
                                    param,
                                    kind: Kind::Setup,
                                    early: true,
                                    stage: Stage::Early,
                                    value,
                                },
                            };
                            self.set(oi, fate);
                            if h.doubt {
                                self.doubt(oi, Doubt::HandlerUnmodelled);
                            }
                            if entry.is_some_and(|e| e.inferred) {
                                self.doubt(oi, Doubt::InferredEntry);
                            }
                            if name == b"bootconfig" {
                                self.also(oi, Effect::Bootconfig { loaded });
                            }
                            self.also_early(oi, &hits, 1);
                        }
                        _ => {
                            self.set(
                                oi,
                                Fate::Dropped {
                                    reason: DropReason::EarlyNotOnBootloaderLine,
                                },
                            );
                            if t.setups.get(si).is_some_and(|e| e.inferred) {
                                self.doubt(oi, Doubt::InferredEntry);
                            }
                        }
                    }
                    continue;
                }
                Setup::None => {}
            }
            self.also_early(oi, &hits, 0);
            if name.contains(&b'.') {
                self.set(
                    oi,
                    Fate::Dropped {
                        reason: DropReason::DottedUnknown,
                    },
                );
                if !t.complete {
                    self.doubt(oi, Doubt::TablesIncomplete);
                }
                if sysctl_path(name).is_some() {
                    pending_sysctl.push(i);
                }
                continue;
            }
            if sysctl_path(name).is_some() {
                pending_sysctl.push(i);
            }
            self.hand_to_init(oi, repaired, name.len(), val.is_some());
        }

        // print_unknown_bootoptions.
        self.report_unknown();

        // Init arguments: bootconfig init.* and what follows `--`.
        let extra = if loaded {
            tokenize(xbc_init)
        } else {
            Cmdline {
                tokens: Vec::new(),
                end: 0,
            }
        };
        let extra_base = self.out.len();
        let extra_sep = extra.tokens.iter().position(|k| k.is_separator(xbc_init));
        for (j, k) in extra.tokens.iter().enumerate() {
            let fate = match extra_sep {
                Some(s) if j == s => Fate::Separator,
                Some(s) if j > s => Fate::Dropped {
                    reason: DropReason::AfterSeparatorInInitArgs,
                },
                _ => Fate::Separator, // decided below
            };
            self.push(Layer::BootconfigInit, xbc_init, k.span.clone(), fate);
        }
        if provided && !loaded {
            for k in tokenize(xbc_init).tokens {
                let i = self.push(
                    Layer::BootconfigInit,
                    xbc_init,
                    k.span.clone(),
                    Fate::Dropped {
                        reason: DropReason::BootconfigNotLoaded,
                    },
                );
                if bootconfig_doubt {
                    self.doubt(i, Doubt::BootconfigConfigUnknown);
                }
            }
        }
        let extra_args: Vec<(usize, Vec<u8>)> = extra
            .tokens
            .iter()
            .enumerate()
            .take(extra_sep.unwrap_or(extra.tokens.len()))
            .map(|(j, k)| (extra_base + j, k.repaired(xbc_init)))
            .collect();
        let mut dash_args = Vec::new();
        if let Some(s) = main_sep {
            let second = main
                .tokens
                .iter()
                .enumerate()
                .skip(s + 1)
                .find(|(_, k)| k.is_separator(&combined))
                .map(|(j, _)| j);
            for (j, k) in main.tokens.iter().enumerate().skip(s + 1) {
                let oi = out_of(j);
                if booting_error {
                    self.set(
                        oi,
                        Fate::Dropped {
                            reason: DropReason::ErrorBeforeSeparator,
                        },
                    );
                } else if second.is_some_and(|x| j > x) {
                    self.set(
                        oi,
                        Fate::Dropped {
                            reason: DropReason::AfterSecondSeparator,
                        },
                    );
                } else if second != Some(j) {
                    dash_args.push((oi, k.repaired(&combined)));
                }
            }
        }
        // start_kernel: 6.12 sets the bootconfig init args first, 6.1 the
        // ones after `--` first.
        let order = match t.version {
            Some(v) if v >= (6, 12) => Some(true),
            Some(v) if v <= (6, 1) => Some(false),
            _ => None,
        };
        let both = !extra_args.is_empty() && !dash_args.is_empty();
        let (first, second) = if order == Some(false) {
            (dash_args, extra_args)
        } else {
            (extra_args, dash_args)
        };
        for (oi, arg) in first.into_iter().chain(second) {
            self.set_init_arg(oi, arg);
            if both && order.is_none() {
                self.doubt(oi, Doubt::VersionUnknown);
            }
        }
        if let Some((what, param)) = self.init.panic_later.clone() {
            let mut text = format!("Too many boot {what} vars at `").into_bytes();
            text.extend_from_slice(&param);
            text.push(b'\'');
            self.summary.panic = Some(Bytes(text.clone()));
            self.say(Stage::InitArgs, LogLevel::Panic, text, None);
        }

        // do_sysctl_args, just before init.
        if t.sysctl != Some(false) {
            let mut last: HashMap<String, usize> = HashMap::new();
            for i in pending_sysctl {
                let Some(k) = main.tokens.get(i) else {
                    continue;
                };
                self.sysctl(out_of(i), k, &combined, &mut last);
            }
        }

        // What init gets.
        self.summary.argv = InitTables::live(&self.init.argv, 1)
            .map(|(a, _)| Bytes(a.clone()))
            .collect();
        self.summary.env = InitTables::live(&self.init.env, 0)
            .map(|(a, _)| Bytes(a.clone()))
            .collect();

        let proc_cmdline = saved_command_line(
            loaded.then_some(xbc_kernel),
            loaded.then_some(xbc_init),
            boot,
            &boot_tokens,
            boot_sep,
            t.version,
        );
        self.messages.sort_by_key(|m| m.stage);
        Dispatch {
            tokens: self.out,
            init: self.summary,
            messages: self.messages,
            bootconfig: BootconfigOutcome {
                requested,
                provided,
                loaded,
            },
            proc_cmdline: Bytes(proc_cmdline),
            bootloader_nul_at: boot_nul,
        }
    }

    fn set(&mut self, idx: usize, fate: Fate) {
        if let Some(t) = self.out.get_mut(idx) {
            t.fate = fate;
        }
    }

    fn also(&mut self, idx: usize, e: Effect) {
        if let Some(t) = self.out.get_mut(idx) {
            t.also.push(e);
        }
    }

    /// Records early handlers (from `skip` on) as further effects.
    fn also_early(&mut self, idx: usize, hits: &[EarlyHit], skip: usize) {
        for h in hits.iter().skip(skip) {
            let param = self
                .t
                .setups
                .get(h.setup)
                .map(|e| e.string.clone())
                .unwrap_or_default();
            self.also(
                idx,
                Effect::Early {
                    param,
                    message: h.message.clone().map(Bytes),
                },
            );
            if h.doubt {
                self.doubt(idx, Doubt::HandlerUnmodelled);
            }
        }
    }

    /// do_early_param for one token: every early entry whose string equals
    /// the name (parameq), and `earlycon` for a name that is exactly
    /// `console`.
    fn early_hits(&self, k: &Token, text: &[u8]) -> Vec<EarlyHit> {
        let name = k.name_bytes(text);
        let val = k.value_bytes(text);
        let mut hits = Vec::new();
        for (si, s) in self.t.setups.iter().enumerate() {
            let by_name = s.early && parameq(name, s.string.as_bytes());
            let console = name == b"console" && s.string == "earlycon";
            if !(by_name || console) {
                continue;
            }
            let h = verdict::handler(s, val, &self.version);
            let message =
                (h.verdict == Verdict::Invalid || h.verdict == Verdict::TooLarge).then(|| {
                    let mut m = b"Malformed early option '".to_vec();
                    m.extend_from_slice(name);
                    m.push(b'\'');
                    m
                });
            hits.push(EarlyHit {
                setup: si,
                message,
                doubt: h.verdict == Verdict::Unknown,
            });
        }
        hits
    }

    fn stage_of(&self, pi: usize) -> Stage {
        self.t
            .params
            .get(pi)
            .and_then(|p| Stage::of_level(p.level))
            .unwrap_or(Stage::Booting)
    }

    /// parse_one for a token that names a `__param`, at the pass of its level.
    /// Returns whether the kernel rejected it.
    fn apply_param(
        &mut self,
        oi: usize,
        pi: usize,
        name: &[u8],
        val: Option<&[u8]>,
        state: &mut HashMap<usize, (usize, Option<bool>)>,
    ) -> bool {
        let Some(p) = self.t.params.get(pi) else {
            return false;
        };
        let p: ParamEntry = p.clone();
        let stage = self.stage_of(pi);
        if Stage::of_level(p.level).is_none() || p.inferred {
            self.doubt(oi, Doubt::InferredEntry);
        }
        let invalid = |val: Option<&[u8]>| {
            let mut m = format!("{}: `", stage.doing()).into_bytes();
            m.extend_from_slice(val.unwrap_or_default());
            m.extend_from_slice(b"' invalid for parameter `");
            m.extend_from_slice(name);
            m.push(b'\'');
            m
        };
        let reject = |msg: Vec<u8>| Fate::Rejected {
            param: p.name.clone(),
            kind: Kind::Param,
            early: false,
            stage,
            value: val.map(Bytes::from),
            message: Bytes(msg),
        };
        // "No one handled NULL, so do it here."
        if val.is_none() {
            match p.ty.accepts_no_value() {
                Some(false) => {
                    let m = invalid(None);
                    self.set(oi, reject(m.clone()));
                    self.say(stage, LogLevel::Err, m, Some(oi));
                    return true;
                }
                None => self.doubt(oi, Doubt::ValueUnchecked),
                Some(true) => {}
            }
        }
        if p.flags & 2 != 0 {
            self.doubt(oi, Doubt::Lockdown);
        }
        if p.flags & 1 != 0 {
            let mut m = b"Setting dangerous option ".to_vec();
            m.extend_from_slice(p.name.as_bytes());
            m.extend_from_slice(b" - tainting kernel");
            self.say(stage, LogLevel::Notice, m, Some(oi));
        }
        let mut verdict = verdict::param_value(&p.ty, val, &self.version);
        // param_set_bool_enable_only: once true, false is -EROFS.
        let new_bool = verdict::bool_value(val, &self.version);
        if p.ty == panicpol_kernel::ParamType::BoolEnableOnly && verdict == Verdict::Accepted {
            let current = state.get(&pi).map(|s| s.1).unwrap_or(p.default_bool);
            if new_bool == Some(false) && current == Some(true) {
                verdict = Verdict::Invalid;
            } else if new_bool == Some(false) && current.is_none() {
                self.doubt(oi, Doubt::ValueUnchecked);
            }
        }
        match verdict {
            Verdict::Accepted | Verdict::Unknown | Verdict::Declined => {
                if verdict != Verdict::Accepted {
                    self.doubt(oi, Doubt::ValueUnchecked);
                }
                self.set(
                    oi,
                    Fate::Applied {
                        param: p.name.clone(),
                        kind: Kind::Param,
                        early: false,
                        stage,
                        value: val.map(Bytes::from),
                    },
                );
                if let Some((prev, _)) = state.insert(pi, (oi, new_bool)) {
                    self.supersede(prev, oi);
                }
                false
            }
            Verdict::Invalid => {
                let m = invalid(val);
                self.set(oi, reject(m.clone()));
                self.say(stage, LogLevel::Err, m, Some(oi));
                true
            }
            Verdict::TooLarge => {
                let mut own = p.name.as_bytes().to_vec();
                own.extend_from_slice(b": string parameter too long");
                self.say(stage, LogLevel::Err, own, Some(oi));
                let mut m = format!("{}: `", stage.doing()).into_bytes();
                m.extend_from_slice(val.unwrap_or_default());
                m.extend_from_slice(b"' too large for parameter `");
                m.extend_from_slice(name);
                m.push(b'\'');
                self.set(oi, reject(m.clone()));
                self.say(stage, LogLevel::Err, m, Some(oi));
                true
            }
        }
    }

    /// obsolete_checksetup on the repaired `name[=value]`.
    fn checksetup(
        &mut self,
        oi: usize,
        line: &[u8],
        has_value: bool,
        init_setters: &mut HashMap<usize, usize>,
    ) -> Setup {
        let mut had_early = None;
        for (si, s) in self.t.setups.iter().enumerate() {
            let reg = s.string.as_bytes();
            if !parameq_prefix(line, reg) {
                continue;
            }
            let rest = line.get(reg.len()..).unwrap_or_default();
            if s.early {
                // "Already done in parse_early_param? (Needs exact match on
                // param part)."
                if rest.is_empty() || rest.first() == Some(&b'=') {
                    had_early.get_or_insert(si);
                }
                continue;
            }
            if s.obsolete {
                let mut m = b"Parameter ".to_vec();
                m.extend_from_slice(reg);
                m.extend_from_slice(b" is obsolete, ignored");
                self.set(
                    oi,
                    Fate::Rejected {
                        param: s.string.clone(),
                        kind: Kind::Setup,
                        early: false,
                        stage: Stage::Booting,
                        value: None,
                        message: Bytes(m.clone()),
                    },
                );
                self.say(Stage::Booting, LogLevel::Warning, m, Some(oi));
                return Setup::Handled;
            }
            let h = verdict::handler(s, Some(rest), &self.version);
            if h.verdict == Verdict::Declined {
                continue;
            }
            let value = (has_value || !rest.is_empty()).then(|| Bytes::from(rest));
            self.set(
                oi,
                Fate::Applied {
                    param: s.string.clone(),
                    kind: Kind::Setup,
                    early: false,
                    stage: Stage::Booting,
                    value,
                },
            );
            if h.verdict == Verdict::Unknown {
                self.doubt(oi, Doubt::HandlerUnmodelled);
            }
            if s.inferred {
                self.doubt(oi, Doubt::InferredEntry);
            }
            if h.clears_init_args {
                self.also(oi, Effect::ClearsInitArgs);
                // init_setup/rdinit_setup: argv_init[1..MAX_INIT_ARGS) = NULL.
                let max = self.init.max;
                let mut cleared = Vec::new();
                for slot in self.init.argv.iter_mut().take(max).skip(1) {
                    if let Some((_, Some(tok))) = slot.take() {
                        cleared.push(tok);
                    }
                }
                for tok in cleared {
                    self.supersede(tok, oi);
                }
                if let Some(prev) = init_setters.insert(si, oi) {
                    self.supersede(prev, oi);
                }
                let program = Some(Bytes::from(rest));
                if s.string.starts_with("rd") {
                    self.summary.rdinit = program;
                } else {
                    self.summary.init = program;
                }
            }
            return Setup::Handled;
        }
        match had_early {
            Some(si) => Setup::Early(si),
            None => Setup::None,
        }
    }

    /// The end of unknown_bootoption: to init's environment (with a value)
    /// or arguments (without).
    fn hand_to_init(&mut self, oi: usize, repaired: Vec<u8>, name_len: usize, has_value: bool) {
        if !self.t.complete {
            self.doubt(oi, Doubt::TablesIncomplete);
        }
        if self.init.panic_later.is_some() {
            self.set(
                oi,
                Fate::Dropped {
                    reason: DropReason::TooManyInitVars,
                },
            );
            self.limit_doubt(oi);
            return;
        }
        let max = self.init.max;
        if has_value {
            let key = repaired.get(..name_len + 1).unwrap_or(&repaired).to_vec();
            let mut i = 0;
            while let Some(Some((entry, _))) = self.init.env.get(i) {
                if i == max {
                    self.init.panic_later = Some(("env", repaired.clone()));
                }
                // strncmp(param, envp_init[i], len + 1): same name and `=`.
                if entry.get(..key.len()) == Some(&key[..]) {
                    break;
                }
                i += 1;
            }
            if let Some(slot) = self.init.env.get_mut(i) {
                let prev = slot.replace((repaired.clone(), Some(oi)));
                if let Some((_, Some(tok))) = prev {
                    self.supersede(tok, oi);
                }
            }
            self.set(
                oi,
                Fate::InitEnv {
                    var: Bytes(repaired),
                },
            );
        } else {
            let mut i = 0;
            while let Some(Some(_)) = self.init.argv.get(i) {
                if i == max {
                    self.init.panic_later = Some(("init", repaired.clone()));
                }
                i += 1;
            }
            if let Some(slot) = self.init.argv.get_mut(i) {
                *slot = Some((repaired.clone(), Some(oi)));
            }
            self.set(
                oi,
                Fate::InitArgv {
                    arg: Bytes(repaired),
                },
            );
        }
        if self.init.panic_later.is_some() {
            self.limit_doubt(oi);
        }
    }

    fn limit_doubt(&mut self, oi: usize) {
        if self.t.init_env_arg_limit.is_none() {
            self.doubt(oi, Doubt::InitLimitUnknown);
        }
    }

    /// set_init_arg for one token after `--` or from bootconfig init.*.
    fn set_init_arg(&mut self, oi: usize, arg: Vec<u8>) {
        if self.init.panic_later.is_some() {
            self.set(
                oi,
                Fate::Dropped {
                    reason: DropReason::TooManyInitVars,
                },
            );
            self.limit_doubt(oi);
            return;
        }
        let max = self.init.max;
        let mut i = 0;
        while let Some(Some(_)) = self.init.argv.get(i) {
            if i == max {
                self.init.panic_later = Some(("init", arg));
                self.set(
                    oi,
                    Fate::Dropped {
                        reason: DropReason::TooManyInitVars,
                    },
                );
                self.limit_doubt(oi);
                return;
            }
            i += 1;
        }
        if let Some(slot) = self.init.argv.get_mut(i) {
            *slot = Some((arg.clone(), Some(oi)));
        }
        self.set(oi, Fate::InitArgv { arg: Bytes(arg) });
    }

    /// print_unknown_bootoptions: argv_init[1..] then envp_init[2..], unless
    /// the kernel is going to panic or there is nothing to say.
    fn report_unknown(&mut self) {
        if self.init.panic_later.is_some() {
            return;
        }
        let argv: Vec<_> = InitTables::live(&self.init.argv, 1).cloned().collect();
        let env: Vec<_> = InitTables::live(&self.init.env, 2).cloned().collect();
        if argv.is_empty() && env.is_empty() {
            return;
        }
        // sprintf(end, " %s", *p) for each, printed from the second byte:
        // an empty entry still costs its space.
        let mut list = Vec::new();
        for (s, tok) in argv.iter().chain(&env) {
            list.push(b' ');
            list.extend_from_slice(s);
            if let Some(t) = tok.and_then(|t| self.out.get_mut(t)) {
                t.reported_unknown = true;
            }
        }
        let mut m = b"Unknown kernel command line parameters \"".to_vec();
        m.extend_from_slice(list.get(1..).unwrap_or_default());
        m.extend_from_slice(b"\", will be passed to user space.");
        self.say(Stage::Booting, LogLevel::Notice, m, None);
    }

    /// process_sysctl_arg for one token.
    fn sysctl(&mut self, oi: usize, k: &Token, text: &[u8], last: &mut HashMap<String, usize>) {
        let name = k.name_bytes(text);
        let val = k.value_bytes(text);
        let (path, kind) = match sysctl_path(name) {
            Some(p) => (p, Kind::Sysctl),
            None => match sysctl_alias(name) {
                Some(a) => (a.as_bytes().to_vec(), Kind::SysctlAlias),
                None => return,
            },
        };
        // The kernel writes /proc/sys/<path> with every `.` turned into `/`;
        // shown in sysctl(8)'s dotted form.
        let param: String = String::from_utf8_lossy(&path).replace('/', ".");
        let previous = self.out.get(oi).map(|t| t.fate.clone());
        let fate = match val {
            Some(v) if !v.is_empty() => Fate::Applied {
                param: param.clone(),
                kind,
                early: false,
                stage: Stage::Sysctl,
                value: Some(Bytes::from(v)),
            },
            _ => {
                let mut m = b"Setting sysctl args: `".to_vec();
                m.extend_from_slice(val.unwrap_or_default());
                m.extend_from_slice(b"' invalid for parameter `");
                m.extend_from_slice(name);
                m.push(b'\'');
                self.say(Stage::Sysctl, LogLevel::Err, m.clone(), Some(oi));
                Fate::Rejected {
                    param: param.clone(),
                    kind,
                    early: false,
                    stage: Stage::Sysctl,
                    value: val.map(Bytes::from),
                    message: Bytes(m),
                }
            }
        };
        let applied = matches!(fate, Fate::Applied { .. });
        self.set(oi, fate);
        if let Some(t) = self.out.get_mut(oi) {
            t.doubts.retain(|d| *d != Doubt::TablesIncomplete);
        }
        // A `sysctl/…` name has no dot: the main pass gave it to init too.
        match previous {
            Some(Fate::InitArgv { arg }) => self.also(oi, Effect::InitArgv { arg }),
            Some(Fate::InitEnv { var }) => self.also(oi, Effect::InitEnv { var }),
            _ => {}
        }
        self.doubt(oi, Doubt::SysctlUnverified);
        if self.t.sysctl.is_none() {
            self.doubt(oi, Doubt::SysctlConfigUnknown);
        }
        if applied {
            let key = param.replace('/', ".");
            if let Some(prev) = last.insert(key, oi) {
                self.supersede(prev, oi);
            }
        }
    }
}

/// What obsolete_checksetup did.
enum Setup {
    /// A `__setup` handler took it (or it is obsolete).
    Handled,
    /// Only an early entry matched: "already done" (entry index).
    Early(usize),
    /// Nothing matched.
    None,
}

/// The tokens before the separator at `sep` (all of them without one).
fn before_sep(c: &Cmdline, sep: Option<usize>) -> &[Token] {
    let n = sep.unwrap_or(c.tokens.len());
    c.tokens.get(..n).unwrap_or_default()
}

/// The kernel reads C strings: everything from the first NUL on is unseen.
fn c_string(b: &[u8]) -> &[u8] {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    b.get(..end).unwrap_or_default()
}

/// process_sysctl_arg: `sysctl` then `.` or `/` (strncmp, no folding).
fn sysctl_path(name: &[u8]) -> Option<Vec<u8>> {
    let rest = name.strip_prefix(b"sysctl")?;
    match rest.first() {
        Some(b'.') | Some(b'/') => Some(rest.get(1..).unwrap_or_default().to_vec()),
        _ => None,
    }
}

fn sysctl_alias(name: &[u8]) -> Option<&'static str> {
    SYSCTL_ALIASES
        .iter()
        .find(|(a, _)| *a == name)
        .map(|(_, s)| *s)
}

/// init/main.c setup_command_line: /proc/cmdline. With bootconfig init
/// arguments, they are spliced in right after the bootloader's `--` (where
/// parse_args stopped), else appended after " -- ". 6.12 strips the trailing
/// space of the init arguments, 6.1 does not.
fn saved_command_line(
    xbc_kernel: Option<&[u8]>,
    xbc_init: Option<&[u8]>,
    boot: &[u8],
    boot_tokens: &Cmdline,
    boot_sep: Option<usize>,
    version: Option<(u32, u32)>,
) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(xbc_kernel.unwrap_or_default());
    let init = xbc_init.filter(|i| !i.is_empty()).map(|i| {
        if version.is_some_and(|v| v <= (6, 1)) {
            i
        } else {
            strim(i)
        }
    });
    let Some(init) = init else {
        out.extend_from_slice(boot);
        return out;
    };
    // initargs_offs: where parse_args("bootconfig", …) stopped after `--`.
    let offs = boot_sep.and_then(|s| boot_tokens.tokens.get(s)).map(|k| {
        let e = k.span.end;
        if e < boot.len() {
            skip_spaces(boot, e + 1)
        } else {
            e
        }
    });
    match offs {
        Some(offs) if offs > 0 => {
            out.extend_from_slice(boot.get(..offs).unwrap_or(boot));
            out.extend_from_slice(init);
            // strcpy(…, boot_command_line + initargs_offs - 1): the byte
            // before the rest, normally the space after `--`.
            out.extend_from_slice(boot.get(offs - 1..).unwrap_or_default());
        }
        _ => {
            out.extend_from_slice(boot);
            out.extend_from_slice(b" -- ");
            out.extend_from_slice(init);
        }
    }
    out
}

/// lib/string.c strim: leading and trailing kernel spaces removed.
fn strim(s: &[u8]) -> &[u8] {
    let start = s
        .iter()
        .position(|&c| !is_kernel_space(c))
        .unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|&c| !is_kernel_space(c))
        .map_or(start, |e| e + 1);
    s.get(start..end.max(start)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameq_folds_dashes_only() {
        assert!(parameq(b"panic-print", b"panic_print"));
        assert!(parameq(b"a_b", b"a-b"));
        assert!(!parameq(b"printk.time", b"printk_time"));
        assert!(!parameq(b"Panic", b"panic"));
        assert!(!parameq(b"panic", b"panic_"));
        assert!(parameq_prefix(b"console=ttyS0", b"console="));
        assert!(parameq_prefix(b"reset-devicesX", b"reset_devices"));
        assert!(!parameq_prefix(b"consol", b"console="));
    }

    #[test]
    fn proc_cmdline_splices_init_args_after_dashes() {
        let run = |boot: &[u8], v| {
            let c = tokenize(boot);
            let s = c.tokens.iter().position(|k| k.is_separator(boot));
            saved_command_line(Some(b"k=1 "), Some(b"x=y "), boot, &c, s, v)
        };
        assert_eq!(run(b"a -- b", Some((6, 12))), b"k=1 a -- x=y b");
        assert_eq!(run(b"a", Some((6, 12))), b"k=1 a -- x=y");
        assert_eq!(run(b"a", Some((6, 1))), b"k=1 a -- x=y ");
        // A line ending in `--` loses the separator in /proc/cmdline.
        assert_eq!(run(b"a --", Some((6, 12))), b"k=1 a --x=y-");
    }

    #[test]
    fn strim_trims_both_ends() {
        assert_eq!(strim(b"  a b \xa0"), b"a b");
        assert_eq!(strim(b"   "), b"");
    }
}
