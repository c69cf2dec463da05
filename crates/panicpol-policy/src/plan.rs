//! The panic plan: what `panic()` will do on this kernel with this policy,
//! step by step, and the fate of every panic notifier.
//!
//! The steps follow `vpanic()`/`panic()` in kernel/panic.c. Their order is the
//! same in 6.1 (Debian's 6.1.192 source) and 6.12 (6.12.117): message and
//! stack, kgdb, kdump if `crash_kexec_post_notifiers` is off, stopping the
//! other CPUs (after an all-CPU backtrace for `panic_print` bit 6), the panic
//! notifier chain, `panic_print`'s dumps, `kmsg_dump` (pstore), kdump if the
//! flag is on, the console flush and replay (bit 5), and the panic timeout.
//! 6.17 renamed the dump to `sys_info()`; 6.18 added `panic_try_start()`; the
//! order of the steps that matter here did not change.
//!
//! Notifiers come from the [`Kernel`] (proven from code for a vmlinux; by name
//! otherwise), classified with panicpol's catalogue (Petr Mladek's groups).
//! A notifier the catalogue does not know is "unclassified", never guessed.

use panicpol_kernel::elf::{CatalogueEntry, RefactorList, catalogue_lookup};
use panicpol_kernel::{Kernel, Known, NotifierGroup};
use serde::Serialize;

use crate::dispatch::parameq;
use crate::policy::{Origin, Policy};
use crate::values::{self, Gate, PANIC_NF_MAX};

/// When a step runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "when", content = "why", rename_all = "snake_case")]
pub enum When {
    /// On every panic.
    Always,
    /// Before kdump hands over to the crash kernel.
    BeforeKdump,
    /// Only when no crash kernel is loaded, or kexec into it fails.
    WithoutKdump,
    /// Not at all on this kernel with this policy.
    Never(String),
}

/// What a step is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// `pr_emerg("Kernel panic - not syncing: …")` and `dump_stack()`.
    Message,
    /// `kgdb_panic()`.
    Kgdb,
    /// `__crash_kexec()` before the notifiers (flag off).
    KdumpEarly,
    /// `panic_other_cpus_shutdown()`: bit-6 backtrace, stop the other CPUs.
    StopCpus,
    /// `atomic_notifier_call_chain(&panic_notifier_list, …)`.
    Notifiers,
    /// `panic_print_sys_info(false)` / `sys_info(panic_print)`.
    SysInfo,
    /// `kmsg_dump(KMSG_DUMP_PANIC)`: pstore, ramoops, efi-pstore.
    KmsgDump,
    /// `__crash_kexec()` after the notifiers (flag on).
    KdumpLate,
    /// `console_flush_on_panic()` and the replay of bit 5.
    Console,
    /// The panic timeout: reboot, or spin forever.
    Timeout,
}

/// One step of the panic path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// What it is.
    pub kind: StepKind,
    /// One line.
    pub title: String,
    /// When it runs.
    #[serde(flatten)]
    pub when: When,
    /// Details: what it prints, which setting decides it.
    pub detail: Vec<String>,
    /// The kernel code.
    pub code: &'static str,
}

/// The fate of one panic notifier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "fate", content = "why", rename_all = "snake_case")]
pub enum NotifierFate {
    /// Runs before kdump (`crash_kexec_post_notifiers` on).
    BeforeKdump,
    /// Runs only if no crash kernel is loaded or kexec fails.
    OnlyWithoutKdump,
    /// No crash kernel can be loaded (no valid `crashkernel=`): runs on every panic.
    Always,
    /// Not registered: `panic_notifier_filter` leaves it out.
    FilteredOut,
    /// Registered only on some platforms or configurations.
    Conditional(String),
}

/// A panic notifier in the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedNotifier {
    /// The callback (`notifier_call`).
    pub callback: Option<String>,
    /// The `notifier_block`, or `None` for one in a heap object.
    pub block: Option<String>,
    /// Priority; the chain runs highest first.
    pub priority: Option<i32>,
    /// Source file and line of the callback, when read.
    pub location: Option<String>,
    /// How the registration was known.
    pub known: Known,
    /// Petr Mladek's group, from the catalogue; `None`: unclassified.
    pub group: Option<NotifierGroup>,
    /// The list the 2022 refactor proposed for it.
    pub v1_list: Option<RefactorList>,
    /// What it does, from the catalogue.
    pub does: Option<String>,
    /// What happens to it on a panic.
    #[serde(flatten)]
    pub fate: NotifierFate,
    /// When the fate is not certain: what it depends on.
    pub depends_on: Option<String>,
}

/// One `panic_print` bit that is set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DumpItem {
    /// The bit.
    pub bit: u8,
    /// The `panic_sys_info` name, if it has one.
    pub name: Option<&'static str>,
    /// What it prints.
    pub meaning: &'static str,
    /// Whether this kernel prints anything for it.
    pub effective: Gate,
    /// Why not, or what it depends on.
    pub note: Option<String>,
}

/// The whole plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PanicPlan {
    /// The kernel release, when known.
    pub release: Option<String>,
    /// A crash kernel can be reserved (`crashkernel=` present and well-formed).
    pub kdump_reserved: bool,
    /// The effective `crash_kexec_post_notifiers`.
    pub post_notifiers: bool,
    /// Code that may force `crash_kexec_post_notifiers` on at boot.
    pub forced_by: Vec<String>,
    /// The steps, in order.
    pub steps: Vec<Step>,
    /// The panic notifiers, in chain order.
    pub notifiers: Vec<PlannedNotifier>,
    /// The `panic_print` bits that are set.
    pub dumps: Vec<DumpItem>,
}

/// Notifiers whose registration depends on the platform or on another
/// parameter (read in the 6.12 sources: the registering function returns
/// early otherwise).
const CONDITIONS: &[(&str, &str)] = &[
    (
        "xen_panic_event",
        "registered only in Xen guests (xen_panic_handler_init)",
    ),
    (
        "hv_die_panic_notify_crash",
        "registered only on Hyper-V, when the crash MSRs are available (hv_common_init)",
    ),
    (
        "kfence_check_canary_callback",
        "registered only with KFENCE on (kfence.sample_interval > 0) and kfence.check_on_panic=1",
    ),
    (
        "rb_flush_buffer_cb",
        "registered only for a boot-mapped (persistent) ring buffer",
    ),
    (
        "pvpanic_panic_notify",
        "registered only when the pvpanic device is present",
    ),
];

/// Whether the kernel build has what `config` names: from the config when
/// given, else from a function that only exists with it.
fn has_config(kernel: &Kernel, config: &str) -> Gate {
    let opt = config.trim_start_matches("CONFIG_");
    if let Some(c) = &kernel.config
        && let Some(on) = c.enabled(opt)
    {
        return if on { Gate::Yes } else { Gate::No };
    }
    let witness = match opt {
        "LOCKDEP" => "lockdep_init",
        "TRACING" | "FTRACE" => "ftrace_dump",
        _ => return Gate::Depends,
    };
    if kernel.symbols.is_empty() {
        Gate::Depends
    } else if kernel.symbols.is_function(witness) {
        Gate::Yes
    } else {
        Gate::No
    }
}

fn forced_by(kernel: &Kernel) -> Vec<String> {
    let mut out = Vec::new();
    let has = |f: &str| kernel.symbols.is_function(f);
    if has("hv_common_init") {
        out.push(
            "Hyper-V: hv_common_init turns crash_kexec_post_notifiers on when the host offers the crash MSRs (\"Hyper-V: enabling crash_kexec_post_notifiers\")"
                .to_string(),
        );
    }
    if has("snp_rmptable_init") {
        out.push(
            "AMD SEV-SNP hosts: snp_rmptable_init turns it on for the IOMMU shutdown notifier"
                .to_string(),
        );
    }
    if has("setup_fadump") {
        out.push("powerpc firmware-assisted dump: setup_fadump turns it on".to_string());
    }
    out
}

/// The filter's allowlist, on kernels that have the parameter.
fn filter_allowlist(policy: &Policy, kernel: &Kernel) -> Option<Vec<String>> {
    let has_param = kernel.setups.iter().any(|s| {
        parameq(
            s.string.trim_end_matches('=').as_bytes(),
            b"panic_notifier_filter",
        )
    });
    let names = &policy.panic_notifier_filter.as_ref()?.value;
    if !has_param {
        return None;
    }
    let list: Vec<String> = names
        .iter()
        .filter(|n| !n.is_empty() && kernel.symbols.get(n).any(|s| s.module.is_none()))
        .cloned()
        .collect();
    // Overflow discards the filter; an empty one filters nothing.
    (!list.is_empty() && list.len() <= PANIC_NF_MAX).then_some(list)
}

fn origin_text(o: &Origin) -> &'static str {
    match o {
        Origin::Token { .. } => "set on the command line",
        Origin::CompiledIn => "compiled-in default",
        Origin::Config { .. } => "kernel config",
        Origin::Default => "default",
    }
}

/// Builds the plan.
pub fn resolve(policy: &Policy, kernel: &Kernel) -> PanicPlan {
    let v = &policy.version;
    let reserved = policy.crashkernel.reserves();
    let post = policy.crash_kexec_post_notifiers.value;
    let pp = values::parse_panic_print(
        Some(format!("{:#x}", policy.panic_print.value).as_bytes()),
        v,
    )
    .ok();
    let mut dumps = Vec::new();
    if let Some(pp) = &pp {
        for b in &pp.bits {
            let mut effective = b.since.map_or(Gate::Yes, |s| s.gate(v));
            let mut note = None;
            if effective != Gate::No
                && let Some(c) = b.config
            {
                let g = has_config(kernel, c);
                if g == Gate::No {
                    effective = Gate::No;
                    note = Some(format!("{c} is not built in: prints nothing"));
                } else if g == Gate::Depends && effective == Gate::Yes {
                    effective = Gate::Depends;
                    note = Some(format!("prints something only with {c}"));
                }
            }
            if effective == Gate::No && note.is_none() {
                note = Some("this kernel has no such bit".into());
            }
            dumps.push(DumpItem {
                bit: b.bit,
                name: b.sys_info_name,
                meaning: b.meaning,
                effective,
                note,
            });
        }
    }
    let dump_names = |bits: &[u8]| -> Vec<String> {
        dumps
            .iter()
            .filter(|d| bits.contains(&d.bit) && d.effective != Gate::No)
            .map(|d| format!("bit {}: {}", d.bit, d.meaning))
            .collect()
    };
    let after = |before: When| {
        if reserved && !post {
            When::WithoutKdump
        } else {
            before
        }
    };
    let mut steps = Vec::new();
    steps.push(Step {
        kind: StepKind::Message,
        title: "\"Kernel panic - not syncing: …\" and the stack".into(),
        when: When::Always,
        detail: vec!["console_verbose(): printed even with quiet".into()],
        code: "kernel/panic.c: panic()",
    });
    steps.push(Step {
        kind: StepKind::Kgdb,
        title: "kgdb, if a debugger is attached".into(),
        when: When::Always,
        detail: Vec::new(),
        code: "kernel/panic.c: kgdb_panic()",
    });
    steps.push(Step {
        kind: StepKind::KdumpEarly,
        title: "kdump: kexec into the crash kernel".into(),
        when: if post {
            When::Never("crash_kexec_post_notifiers is on: kdump runs later".into())
        } else if reserved {
            When::Always
        } else {
            When::Never("no crashkernel= reservation: no crash kernel can be loaded".into())
        },
        detail: if !post && reserved {
            vec!["if a crash kernel is loaded (kexec -p), nothing below runs on this kernel".into()]
        } else {
            Vec::new()
        },
        code: "kernel/panic.c: __crash_kexec(NULL) if !_crash_kexec_post_notifiers",
    });
    let bt = dump_names(&[6]);
    steps.push(Step {
        kind: StepKind::StopCpus,
        title: "stop the other CPUs".into(),
        when: after(When::Always),
        detail: if bt.is_empty() {
            Vec::new()
        } else {
            vec![format!("first {}", bt.join(", "))]
        },
        code: "kernel/panic.c: panic_other_cpus_shutdown()",
    });
    let nf = kernel.notifiers.len();
    let proven = kernel.notifiers.iter().all(|n| n.known == Known::Code);
    steps.push(Step {
        kind: StepKind::Notifiers,
        title: if proven {
            format!("panic notifier chain ({nf} registration(s) proven from this build's code)")
        } else {
            format!("panic notifier chain ({nf} candidate(s) found by name, not proven)")
        },
        when: after(if reserved {
            When::BeforeKdump
        } else {
            When::Always
        }),
        detail: Vec::new(),
        code: "kernel/panic.c: atomic_notifier_call_chain(&panic_notifier_list, 0, buf)",
    });
    let sys = dump_names(&[0, 1, 2, 3, 4, 7]);
    steps.push(Step {
        kind: StepKind::SysInfo,
        title: "panic_print dumps".into(),
        when: if sys.is_empty() {
            When::Never(format!(
                "panic_print is {:#x}: nothing to dump",
                policy.panic_print.value
            ))
        } else {
            after(if reserved {
                When::BeforeKdump
            } else {
                When::Always
            })
        },
        detail: sys,
        code: "kernel/panic.c: panic_print_sys_info(false) (sys_info(panic_print) from 6.17)",
    });
    steps.push(Step {
        kind: StepKind::KmsgDump,
        title: "kmsg_dump: pstore, ramoops, efi-pstore and other registered dumpers".into(),
        when: after(if reserved {
            When::BeforeKdump
        } else {
            When::Always
        }),
        detail: Vec::new(),
        code: "kernel/panic.c: kmsg_dump(KMSG_DUMP_PANIC)",
    });
    steps.push(Step {
        kind: StepKind::KdumpLate,
        title: "kdump: kexec into the crash kernel".into(),
        when: if !post {
            When::Never("crash_kexec_post_notifiers is off: kdump ran first".into())
        } else if reserved {
            When::Always
        } else {
            When::Never("no crashkernel= reservation: no crash kernel can be loaded".into())
        },
        detail: if post && reserved {
            vec!["if a crash kernel is loaded, nothing below runs on this kernel".into()]
        } else {
            Vec::new()
        },
        code: "kernel/panic.c: __crash_kexec(NULL) if _crash_kexec_post_notifiers",
    });
    let replay = dumps.iter().any(|d| d.bit == 5) || policy.panic_console_replay.value;
    steps.push(Step {
        kind: StepKind::Console,
        title: if replay {
            "flush the consoles, then replay the whole log buffer".into()
        } else {
            "flush the consoles".into()
        },
        when: if reserved {
            When::WithoutKdump
        } else {
            When::Always
        },
        detail: Vec::new(),
        code: "kernel/panic.c: console_flush_on_panic()",
    });
    let t = policy.panic_timeout.value;
    steps.push(Step {
        kind: StepKind::Timeout,
        title: match t {
            t if t < 0 => "reboot at once".to_string(),
            0 => "stay halted forever (panic=0)".to_string(),
            t => format!("\"Rebooting in {t} seconds..\", then reboot"),
        },
        when: if reserved {
            When::WithoutKdump
        } else {
            When::Always
        },
        detail: vec![format!(
            "panic={t} ({})",
            origin_text(&policy.panic_timeout.origin)
        )],
        code: "kernel/panic.c: panic_timeout",
    });

    let allow = filter_allowlist(policy, kernel);
    let mut notifiers: Vec<PlannedNotifier> = kernel
        .notifiers
        .iter()
        .map(|n| {
            let entry: Option<&CatalogueEntry> = n
                .callback
                .as_deref()
                .and_then(|c| catalogue_lookup(kernel.arch, c));
            let cond = match &n.module {
                Some(m) => Some(format!("registered only while module {m} is loaded")),
                None => n
                    .callback
                    .as_deref()
                    .and_then(|c| CONDITIONS.iter().find(|(k, _)| *k == c))
                    .map(|(_, why)| why.to_string()),
            };
            let filtered = match (&allow, &n.callback) {
                (Some(list), Some(cb)) => !list.contains(cb),
                (Some(_), None) => false,
                _ => false,
            };
            let fate = if filtered {
                NotifierFate::FilteredOut
            } else if !reserved {
                NotifierFate::Always
            } else if post {
                NotifierFate::BeforeKdump
            } else {
                NotifierFate::OnlyWithoutKdump
            };
            PlannedNotifier {
                callback: n.callback.clone(),
                block: n.block.clone(),
                priority: n.priority,
                location: n.location.clone(),
                known: n.known,
                group: entry.map(|e| e.group),
                v1_list: entry.and_then(|e| e.v1_list),
                does: entry.map(|e| e.does.clone()),
                fate,
                depends_on: cond,
            }
        })
        .collect();
    // The chain is sorted by priority, highest first; equal priorities keep
    // registration order (kernel/notifier.c notifier_chain_register).
    notifiers.sort_by_key(|n| std::cmp::Reverse(n.priority.unwrap_or(0)));
    PanicPlan {
        release: kernel.release.clone(),
        kdump_reserved: reserved,
        post_notifiers: post,
        forced_by: forced_by(kernel),
        steps,
        notifiers,
        dumps,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dispatch::dispatch_cmdline;
    use crate::policy::lower;
    use panicpol_kernel::{KernelSource, Notifier};

    fn kernel() -> Kernel {
        let mut k = Kernel::empty(KernelSource::Vmlinux);
        k.release = Some("6.12.117+deb12-cloud-amd64".into());
        crate::supplement::supplement(&mut k);
        for (cb, prio) in [("rcu_panic", 0), ("trace_die_panic_handler", i32::MAX - 1)] {
            k.notifiers.push(Notifier {
                callback: Some(cb.into()),
                block: None,
                priority: Some(prio),
                registered_in: None,
                dynamic: false,
                module: None,
                location: None,
                known: Known::Code,
            });
        }
        k
    }

    fn plan(cmdline: &str) -> PanicPlan {
        let k = kernel();
        let d = dispatch_cmdline(cmdline.as_bytes(), &k);
        let p = lower(&d, &k, cmdline.as_bytes());
        resolve(&p, &k)
    }

    fn step(p: &PanicPlan, kind: StepKind) -> &Step {
        p.steps.iter().find(|s| s.kind == kind).expect("step")
    }

    #[test]
    fn kdump_first_by_default() {
        let p = plan("crashkernel=256M panic_print=0x3");
        assert!(p.kdump_reserved && !p.post_notifiers);
        assert_eq!(step(&p, StepKind::KdumpEarly).when, When::Always);
        assert_eq!(step(&p, StepKind::Notifiers).when, When::WithoutKdump);
        assert_eq!(step(&p, StepKind::SysInfo).when, When::WithoutKdump);
        assert!(
            p.notifiers
                .iter()
                .all(|n| n.fate == NotifierFate::OnlyWithoutKdump)
        );
        // Highest priority first.
        assert_eq!(
            p.notifiers[0].callback.as_deref(),
            Some("trace_die_panic_handler")
        );
    }

    #[test]
    fn post_notifiers_run_everything_before_kdump() {
        let p = plan("crashkernel=256M crash_kexec_post_notifiers panic_print=0x3");
        assert!(matches!(
            step(&p, StepKind::KdumpEarly).when,
            When::Never(_)
        ));
        assert_eq!(step(&p, StepKind::Notifiers).when, When::BeforeKdump);
        assert_eq!(step(&p, StepKind::KdumpLate).when, When::Always);
        assert!(
            p.notifiers
                .iter()
                .all(|n| n.fate == NotifierFate::BeforeKdump)
        );
        assert_eq!(p.dumps.len(), 2);
    }

    fn filter_kernel() -> Kernel {
        use panicpol_kernel::{SetupParam, Symbol, symbols::SymbolTable};
        let mut k = kernel();
        k.setups.push(SetupParam {
            string: "panic_notifier_filter".into(),
            early: true,
            handler: Some("panic_notifier_filter_setup".into()),
            known: Known::Table,
        });
        let f = |name: &str, module: Option<&str>| Symbol {
            name: name.into(),
            addr: 0x1000,
            kind: 't',
            module: module.map(str::to_string),
        };
        let mut syms = vec![
            f("rcu_panic", None),
            f("trace_die_panic_handler", None),
            f("pvpanic_panic_notify", Some("pvpanic")),
        ];
        syms.extend((0..20).map(|i| f(&format!("fn{i}"), None)));
        k.symbols = SymbolTable::new(syms);
        k
    }

    fn filter_plan(cmdline: &str) -> PanicPlan {
        let k = filter_kernel();
        let d = dispatch_cmdline(cmdline.as_bytes(), &k);
        let p = lower(&d, &k, cmdline.as_bytes());
        resolve(&p, &k)
    }

    fn fate_of<'a>(p: &'a PanicPlan, cb: &str) -> &'a NotifierFate {
        &p.notifiers
            .iter()
            .find(|n| n.callback.as_deref() == Some(cb))
            .expect("notifier")
            .fate
    }

    #[test]
    fn filter_is_an_allowlist_at_registration() {
        let p = filter_plan("panic_notifier_filter=rcu_panic,no_such_fn");
        assert_eq!(
            fate_of(&p, "trace_die_panic_handler"),
            &NotifierFate::FilteredOut
        );
        assert_eq!(fate_of(&p, "rcu_panic"), &NotifierFate::Always);
    }

    #[test]
    fn filter_overflow_or_nothing_valid_filters_nothing() {
        let many: Vec<String> = (0..17).map(|i| format!("fn{i}")).collect();
        let p = filter_plan(&format!(
            "panic_notifier_filter=rcu_panic,{}",
            many.join(",")
        ));
        assert!(
            p.notifiers
                .iter()
                .all(|n| n.fate != NotifierFate::FilteredOut)
        );
        // Module functions cannot be resolved when early parameters are parsed.
        let p = filter_plan("panic_notifier_filter=pvpanic_panic_notify");
        assert!(
            p.notifiers
                .iter()
                .all(|n| n.fate != NotifierFate::FilteredOut)
        );
    }

    #[test]
    fn without_crashkernel_everything_runs() {
        let p = plan("crash_kexec_post_notifiers panic=-1");
        assert!(!p.kdump_reserved);
        assert!(p.notifiers.iter().all(|n| n.fate == NotifierFate::Always));
        assert_eq!(step(&p, StepKind::Timeout).title, "reboot at once");
    }
}
