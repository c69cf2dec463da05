//! `panicpol explain`: the panic plan of every boot entry as a timeline
//! (human), JSON or Markdown, with what runtime files change after boot.

use std::io::{self, Write};
use std::process::ExitCode;

use panicpol_policy::plan::{NotifierFate, PanicPlan, PlannedNotifier, When};
use panicpol_policy::policy::Policy;
use panicpol_policy::values::Gate;
use serde_json::json;

use panicpol_lint::context::EntryAnalysis;
use panicpol_sources::Sources;

use crate::args::{ExplainArgs, ExplainFormat};
use crate::commands::sources::{self, Wanted};
use crate::input::Failure;

pub(super) fn run(a: ExplainArgs) -> Result<ExitCode, Failure> {
    let wanted = Wanted {
        files: &a.files,
        cmdlines: &a.cmdline,
        root: a.root.as_deref(),
        as_format: a.as_format,
        kernel_config: a.kernel.config.as_deref(),
    };
    let live = wanted.live();
    let found = sources::gather_sources(&wanted)?;
    let mut kernel = super::kernel::load(&a.kernel, live, panicpol_kernel::elf::Options::all())?;
    if kernel.config.is_none()
        && let Some(text) = sources::found_config(&found, kernel.release.as_deref())
        && let Ok(read) = panicpol_kernel::config::read_config(&text)
    {
        kernel.config = Some(read.config);
    }
    let stdout = io::stdout();
    let mut w = io::BufWriter::new(stdout.lock());
    let mut docs = Vec::new();
    for entry in &found.entries {
        let an = EntryAnalysis::new(entry, &kernel);
        let text = entry.cmdline.text.as_slice();
        let name = &entry.name;
        let r = match a.format {
            ExplainFormat::Human => human(&mut w, name, text, &kernel, &an.policy, &an.plan)
                .and_then(|()| after_boot_human(&mut w, &found, &an)),
            ExplainFormat::Markdown => markdown(&mut w, name, text, &kernel, &an.policy, &an.plan),
            ExplainFormat::Json => {
                let mut doc = json!({
                    "file": found.map.get(entry.file).map(|f| f.name.clone()),
                    "entry": name,
                    "cmdline": String::from_utf8_lossy(text),
                    "values": an.policy,
                    "plan": an.plan,
                });
                if let (Some(ab), Some(plan)) = (&an.after_boot, &an.after_plan) {
                    crate::render::set_field(
                        &mut doc,
                        "after_boot",
                        json!({"values": ab, "plan": plan}),
                    );
                }
                docs.push(doc);
                Ok(())
            }
        };
        r.map_err(|e| Failure::io("stdout", &e))?;
    }
    if a.format == ExplainFormat::Json {
        let doc = json!({
            "version": 1,
            "kernel": {"release": kernel.release, "source": kernel.source, "gaps": kernel.gaps},
            "inputs": docs,
        });
        serde_json::to_writer_pretty(&mut w, &doc)
            .map_err(|e| Failure::new(format!("stdout: {e}")))?;
        writeln!(w).map_err(|e| Failure::io("stdout", &e))?;
    }
    w.flush().map_err(|e| Failure::io("stdout", &e))?;
    Ok(ExitCode::SUCCESS)
}

/// What changes after boot, when runtime files change panic settings.
fn after_boot_human(w: &mut dyn Write, found: &Sources, an: &EntryAnalysis<'_>) -> io::Result<()> {
    let (Some(ab), Some(plan)) = (&an.after_boot, &an.after_plan) else {
        return Ok(());
    };
    if ab.changes.is_empty() {
        return Ok(());
    }
    writeln!(w, "After boot (sysctl.d, tmpfiles.d):")?;
    for c in &ab.changes {
        let Some(s) = an.entry.runtime.get(c.setting) else {
            continue;
        };
        let at = sources::loc_text(&found.map, &s.value_at);
        match &c.error {
            None => writeln!(
                w,
                "  {} {} -> {}  ({at})",
                c.field.param(),
                c.before,
                c.after
            )?,
            Some(e) => writeln!(
                w,
                "  {} stays {}: rejected ({e})  ({at})",
                c.field.param(),
                c.before
            )?,
        }
    }
    if plan.post_notifiers != an.plan.post_notifiers
        || plan.kdump_reserved != an.plan.kdump_reserved
    {
        let before = plan
            .notifiers
            .iter()
            .filter(|n| n.fate == NotifierFate::BeforeKdump)
            .count();
        writeln!(
            w,
            "  a panic after boot: crash_kexec_post_notifiers is {}; {before} notifier(s) run before kdump",
            if plan.post_notifiers { "on" } else { "off" }
        )?;
    }
    writeln!(w)
}

fn when_text(w: &When) -> &'static str {
    match w {
        When::Always => "always",
        When::BeforeKdump => "before kdump",
        When::WithoutKdump => "without kdump",
        When::Never(_) => "never",
    }
}

fn fate_text(f: &NotifierFate) -> &'static str {
    match f {
        NotifierFate::BeforeKdump => "runs before kdump",
        NotifierFate::OnlyWithoutKdump => "runs only if kdump does not happen",
        NotifierFate::Always => "runs (no crash kernel)",
        NotifierFate::FilteredOut => "filtered out: never registered",
        NotifierFate::Conditional(_) => "conditional",
    }
}

fn group_text(n: &PlannedNotifier) -> String {
    n.group
        .map_or("unclassified".into(), |g| format!("{g:?}").to_lowercase())
}

fn headline(kernel: &panicpol_kernel::Kernel, policy: &Policy, plan: &PanicPlan) -> Vec<String> {
    let mut out = Vec::new();
    let ck = match (&policy.crashkernel.value, policy.crashkernel.valid) {
        (Some(v), Some(true)) => format!("crashkernel={v} reserves memory for a crash kernel"),
        (Some(v), _) => format!(
            "crashkernel={v} is malformed ({}): no memory is reserved, no crash kernel can be loaded",
            policy.crashkernel.error.as_deref().unwrap_or("rejected")
        ),
        (None, _) => "no crashkernel=: no crash kernel can be loaded, kdump never happens".into(),
    };
    out.push(ck);
    let post = if plan.post_notifiers { "on" } else { "off" };
    let how = if policy.crash_kexec_post_notifiers.is_given() {
        "set on the command line"
    } else {
        "default"
    };
    out.push(format!("crash_kexec_post_notifiers is {post} ({how})"));
    if plan.kdump_reserved {
        out.push(if plan.post_notifiers {
            format!(
                "a panic runs all {} panic notifier(s), the panic_print dumps and kmsg_dump before kexec into the crash kernel",
                plan.notifiers.len()
            )
        } else {
            "if a crash kernel is loaded, the kernel kexecs into it right after the stack: no notifier, no panic_print dump, no kmsg_dump runs before".into()
        });
    }
    for f in &plan.forced_by {
        out.push(format!("may be forced on: {f}"));
    }
    let _ = kernel;
    out
}

fn human(
    w: &mut dyn Write,
    name: &str,
    text: &[u8],
    kernel: &panicpol_kernel::Kernel,
    policy: &Policy,
    plan: &PanicPlan,
) -> io::Result<()> {
    writeln!(
        w,
        "Panic plan for {} ({}), command line from {name}:",
        kernel.release.as_deref().unwrap_or("an unknown kernel"),
        format!("{:?}", kernel.source).to_lowercase()
    )?;
    writeln!(w, "  {}", String::from_utf8_lossy(text))?;
    writeln!(w)?;
    for l in headline(kernel, policy, plan) {
        writeln!(w, "* {l}")?;
    }
    for g in &kernel.gaps {
        writeln!(w, "* note: {g}")?;
    }
    writeln!(w)?;
    for (i, s) in plan.steps.iter().enumerate() {
        writeln!(w, "{:>2}. [{:<13}] {}", i + 1, when_text(&s.when), s.title)?;
        if let When::Never(why) = &s.when {
            writeln!(w, "{:>20}{why}", "")?;
        }
        for d in &s.detail {
            writeln!(w, "{:>20}{d}", "")?;
        }
        if s.kind == panicpol_policy::plan::StepKind::Notifiers {
            for n in &plan.notifiers {
                writeln!(
                    w,
                    "{:>20}{:>11} {:<30} {:<10} {}",
                    "",
                    n.priority.map_or("?".into(), |p| p.to_string()),
                    n.callback.as_deref().unwrap_or("?"),
                    group_text(n),
                    fate_text(&n.fate),
                )?;
                if let Some(d) = &n.does {
                    writeln!(w, "{:>43}{d}", "")?;
                }
                if let Some(c) = &n.depends_on {
                    writeln!(w, "{:>43}{c}", "")?;
                }
            }
            if kernel.source != panicpol_kernel::KernelSource::Vmlinux {
                writeln!(
                    w,
                    "{:>20}(give --vmlinux to list the notifiers proven from this kernel's code)",
                    ""
                )?;
            }
        }
        if s.kind == panicpol_policy::plan::StepKind::SysInfo {
            for d in plan.dumps.iter().filter(|d| d.effective != Gate::Yes) {
                writeln!(
                    w,
                    "{:>20}bit {} ({}): {}",
                    "",
                    d.bit,
                    d.meaning,
                    d.note.as_deref().unwrap_or("")
                )?;
            }
        }
    }
    writeln!(w)
}

fn markdown(
    w: &mut dyn Write,
    name: &str,
    text: &[u8],
    kernel: &panicpol_kernel::Kernel,
    policy: &Policy,
    plan: &PanicPlan,
) -> io::Result<()> {
    writeln!(
        w,
        "### Panic plan: {}",
        kernel.release.as_deref().unwrap_or("unknown kernel")
    )?;
    writeln!(w)?;
    writeln!(
        w,
        "Command line (`{name}`): `{}`",
        String::from_utf8_lossy(text).replace('`', "'")
    )?;
    writeln!(w)?;
    for l in headline(kernel, policy, plan) {
        writeln!(w, "- {l}")?;
    }
    for g in &kernel.gaps {
        writeln!(w, "- note: {g}")?;
    }
    writeln!(w)?;
    writeln!(w, "| # | when | step |")?;
    writeln!(w, "|---|---|---|")?;
    for (i, s) in plan.steps.iter().enumerate() {
        let mut step = s.title.replace('|', "\\|");
        if let When::Never(why) = &s.when {
            step.push_str(&format!(" — {why}"));
        }
        for d in &s.detail {
            step.push_str(&format!("<br>{}", d.replace('|', "\\|")));
        }
        writeln!(w, "| {} | {} | {step} |", i + 1, when_text(&s.when))?;
    }
    writeln!(w)?;
    writeln!(w, "| priority | callback | group | fate | what it does |")?;
    writeln!(w, "|---:|---|---|---|---|")?;
    for n in &plan.notifiers {
        let mut does = n.does.clone().unwrap_or_default();
        if let Some(c) = &n.depends_on {
            does.push_str(&format!(" ({c})"));
        }
        writeln!(
            w,
            "| {} | `{}` | {} | {} | {} |",
            n.priority.map_or("?".into(), |p| p.to_string()),
            n.callback.as_deref().unwrap_or("?"),
            group_text(n),
            fate_text(&n.fate),
            does.replace('|', "\\|")
        )?;
    }
    writeln!(w)
}
