//! `panicpol kernel info|params|notifiers`: what a kernel build accepts and
//! registers, with how each fact was known.

use std::io::{self, Write};
use std::process::ExitCode;

use panicpol_kernel::elf::{self, catalogue_lookup};
use panicpol_kernel::{DefaultValue, Kernel, Known, Notifier};
use serde_json::json;

use crate::args::{KernelCmdArgs, KernelShowArgs, KernelWhat, ShowFormat};
use crate::input::Failure;

pub(super) fn run(a: KernelCmdArgs) -> Result<ExitCode, Failure> {
    let (args, opts) = match &a.what {
        KernelWhat::Info(s) => (s, elf::Options::default()),
        KernelWhat::Params(s) => (
            s,
            elf::Options {
                notifiers: false,
                ..elf::Options::default()
            },
        ),
        KernelWhat::Notifiers(s) => (s, elf::Options::all()),
    };
    if args.kernel.vmlinux.is_none()
        && args.kernel.system_map.is_none()
        && args.kernel.kallsyms.is_none()
    {
        return Err(Failure::new(
            "name a kernel: --vmlinux FILE, --system-map FILE or --kallsyms FILE (e.g. --kallsyms /proc/kallsyms)",
        ));
    }
    let kernel = super::kernel::load(&args.kernel, false, opts)?;
    let stdout = io::stdout();
    let mut w = io::BufWriter::new(stdout.lock());
    let r = match &a.what {
        KernelWhat::Info(s) => info(&mut w, &kernel, s),
        KernelWhat::Params(s) => params(&mut w, &kernel, s),
        KernelWhat::Notifiers(s) => notifiers(&mut w, &kernel, s),
    };
    r.and_then(|()| w.flush())
        .map_err(|e| Failure::io("stdout", &e))?;
    Ok(ExitCode::SUCCESS)
}

fn known(k: Known) -> &'static str {
    match k {
        Known::Table => "table",
        Known::Code => "code",
        Known::SymbolName => "symbol",
        Known::Catalogue => "catalogue",
        Known::Config => "config",
        Known::Dwarf => "dwarf",
    }
}

fn source(k: &Kernel) -> String {
    format!("{:?}", k.source).to_lowercase()
}

fn has_filter(k: &Kernel) -> bool {
    k.setups
        .iter()
        .any(|s| s.string.trim_end_matches('=') == "panic_notifier_filter")
}

fn info(w: &mut dyn Write, k: &Kernel, a: &KernelShowArgs) -> io::Result<()> {
    let early = k.setups.iter().filter(|s| s.early).count();
    let config: Vec<(&str, Option<String>)> = [
        "BOOT_CONFIG",
        "BOOT_CONFIG_FORCE",
        "CMDLINE_BOOL",
        "CMDLINE",
        "CMDLINE_OVERRIDE",
        "LOCKDEP",
        "FTRACE",
        "CRASH_DUMP",
        "KEXEC",
        "PANIC_TIMEOUT",
        "PANIC_ON_OOPS",
    ]
    .into_iter()
    .map(|o| {
        (
            o,
            k.config
                .as_ref()
                .and_then(|c| c.value(o))
                .map(str::to_string),
        )
    })
    .collect();
    let version = panicpol_policy::policy::kernel_version(k);
    if a.format == ShowFormat::Json {
        let doc = json!({
            "version": 1,
            "release": k.release,
            "version": version.is_known().then(|| version.to_string()),
            "banner": k.banner,
            "source": k.source,
            "arch": k.arch,
            "tables_complete": k.tables_complete,
            "symbols": k.symbols.len(),
            "params": k.params.len(),
            "setups": k.setups.len(),
            "early_setups": early,
            "panic_notifiers": k.notifiers.len(),
            "panic_notifier_filter": has_filter(k),
            "gaps": k.gaps,
            "config": config
                .iter()
                .filter_map(|(o, v)| v.as_ref().map(|v| (format!("CONFIG_{o}"), serde_json::Value::from(v.clone()))))
                .collect::<serde_json::Map<_, _>>(),
        });
        serde_json::to_writer_pretty(&mut *w, &doc)?;
        return writeln!(w);
    }
    writeln!(
        w,
        "release         {}",
        k.release.as_deref().unwrap_or("unknown")
    )?;
    if version.is_known() {
        writeln!(w, "version         {version}")?;
    }
    if let Some(b) = &k.banner {
        writeln!(w, "banner          {}", b.trim_end())?;
    }
    writeln!(w, "source          {} ({:?})", source(k), k.arch)?;
    writeln!(w, "symbols         {}", k.symbols.len())?;
    let how = if k.tables_complete {
        "the image's own tables"
    } else {
        "symbol names and panicpol's catalogue (partial)"
    };
    writeln!(
        w,
        "parameters      {} __param, {} .init.setup ({} early), from {how}",
        k.params.len(),
        k.setups.len(),
        early
    )?;
    writeln!(
        w,
        "panic notifiers {} built-in registrations",
        k.notifiers.len()
    )?;
    writeln!(
        w,
        "notifier filter {}",
        if has_filter(k) {
            "panic_notifier_filter= is registered"
        } else {
            "absent (mainline has none)"
        }
    )?;
    for g in &k.gaps {
        writeln!(w, "gap             {g}")?;
    }
    if k.config.is_some() {
        for (o, v) in config {
            writeln!(
                w,
                "CONFIG_{o:<17} {}",
                v.as_deref().unwrap_or("(not mentioned)")
            )?;
        }
    }
    Ok(())
}

fn default_text(d: &Option<DefaultValue>) -> String {
    match d {
        None => "-".into(),
        Some(DefaultValue::Bool(b)) => {
            if *b {
                "Y".into()
            } else {
                "N".into()
            }
        }
        Some(DefaultValue::Int(i)) => i.to_string(),
        Some(DefaultValue::Uint(u)) => u.to_string(),
        Some(DefaultValue::Str(s)) => format!("{s:?}"),
    }
}

fn params(w: &mut dyn Write, k: &Kernel, a: &KernelShowArgs) -> io::Result<()> {
    let keep = |name: &str| a.grep.as_deref().is_none_or(|g| name.contains(g));
    if a.format == ShowFormat::Json {
        let doc = json!({
            "version": 1,
            "release": k.release,
            "tables_complete": k.tables_complete,
            "params": k.params.iter().filter(|p| keep(&p.name)).collect::<Vec<_>>(),
            "setups": k.setups.iter().filter(|s| keep(&s.string)).collect::<Vec<_>>(),
        });
        serde_json::to_writer_pretty(&mut *w, &doc)?;
        return writeln!(w);
    }
    writeln!(
        w,
        "{:<44} {:<14} {:>5} {:>5} {:<12} {:<9}",
        "__param", "type", "level", "perm", "default", "known"
    )?;
    for p in k.params.iter().filter(|p| keep(&p.name)) {
        let ty = match &p.ty {
            panicpol_kernel::ParamType::Custom(s) => s.clone(),
            other => format!("{other:?}").to_lowercase(),
        };
        writeln!(
            w,
            "{:<44} {:<14} {:>5} {:>5o} {:<12} {:<9}",
            p.name,
            ty,
            p.level,
            p.perm,
            default_text(&p.default),
            known(p.known)
        )?;
    }
    writeln!(w)?;
    writeln!(
        w,
        "{:<44} {:<6} {:<36} {:<9}",
        ".init.setup", "early", "handler", "known"
    )?;
    for s in k.setups.iter().filter(|s| keep(&s.string)) {
        writeln!(
            w,
            "{:<44} {:<6} {:<36} {:<9}",
            s.string,
            if s.early { "early" } else { "" },
            s.handler.as_deref().unwrap_or("-"),
            known(s.known)
        )?;
    }
    Ok(())
}

fn notifier_json(k: &Kernel, n: &Notifier) -> serde_json::Value {
    let entry = n
        .callback
        .as_deref()
        .and_then(|c| catalogue_lookup(k.arch, c));
    json!({
        "callback": n.callback,
        "block": n.block,
        "priority": n.priority,
        "registered_in": n.registered_in,
        "dynamic": n.dynamic,
        "module": n.module,
        "location": n.location,
        "known": n.known,
        "group": entry.map(|e| e.group),
        "v1_list": entry.and_then(|e| e.v1_list),
        "does": entry.map(|e| e.does.clone()),
    })
}

fn notifiers(w: &mut dyn Write, k: &Kernel, a: &KernelShowArgs) -> io::Result<()> {
    let keep = |n: &Notifier| {
        a.grep
            .as_deref()
            .is_none_or(|g| n.callback.as_deref().unwrap_or_default().contains(g))
    };
    // The chain runs in priority order, highest first (kernel/notifier.c).
    let mut list: Vec<&Notifier> = k.notifiers.iter().filter(|n| keep(n)).collect();
    list.sort_by_key(|n| std::cmp::Reverse(n.priority.unwrap_or(0)));
    if a.format == ShowFormat::Json {
        let doc = json!({
            "version": 1,
            "release": k.release,
            "source": k.source,
            "gaps": k.gaps,
            "notifiers": list.iter().map(|n| notifier_json(k, n)).collect::<Vec<_>>(),
        });
        serde_json::to_writer_pretty(&mut *w, &doc)?;
        return writeln!(w);
    }
    for g in &k.gaps {
        writeln!(w, "note: {g}")?;
    }
    if k.source != panicpol_kernel::KernelSource::Vmlinux {
        let proven = k.notifiers.iter().any(|n| n.known == Known::Code);
        writeln!(
            w,
            "note: without a vmlinux the built-in ones are names from panicpol's catalogue found among the symbols, not proven registrations{}",
            if proven {
                " (those read from module files are proven)"
            } else {
                ""
            }
        )?;
    }
    writeln!(
        w,
        "{:>11}  {:<32} {:<30} {:<10} where",
        "priority", "callback", "block", "group"
    )?;
    for n in list {
        let entry = n
            .callback
            .as_deref()
            .and_then(|c| catalogue_lookup(k.arch, c));
        let group = entry
            .map(|e| format!("{:?}", e.group).to_lowercase())
            .unwrap_or_else(|| "unclassified".into());
        let block = match (&n.block, n.dynamic) {
            (Some(b), _) => b.clone(),
            (None, true) => "(heap object)".into(),
            (None, false) => "-".into(),
        };
        writeln!(
            w,
            "{:>11}  {:<32} {:<30} {:<10} {}",
            n.priority.map_or("?".to_string(), |p| p.to_string()),
            n.callback.as_deref().unwrap_or("?"),
            block,
            group,
            n.location.as_deref().unwrap_or("-"),
        )?;
        if let Some(e) = entry {
            writeln!(w, "{:>11}  {}", "", e.does)?;
        }
        let how = match n.known {
            Known::Code => format!(
                "registered in {}",
                n.registered_in.as_deref().unwrap_or("?")
            ),
            other => format!("known by {}", known(other)),
        };
        writeln!(
            w,
            "{:>11}  {how}{}",
            "",
            if n.dynamic {
                "; dynamic: registered at run time"
            } else {
                ""
            }
        )?;
    }
    Ok(())
}
