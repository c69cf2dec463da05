//! `panicpol cmdline`: the effective kernel command line of every boot
//! entry, each token with the file, line and column it comes from and its
//! fate, plus the bootconfig, built-in command line and runtime files that
//! apply (human or JSON).

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use panicpol_lint::context::EntryAnalysis;
use panicpol_policy::dispatch::{Fate, Layer, TokenFate};
use panicpol_sources::{Format, Sources};
use panicpol_syntax::entry::{BootEntry, EntryKind, Fact, Ignored, Loc};
use serde_json::{Value, json};

use crate::args::{KernelArgs, ShowFormat, parse_format};
use crate::commands::sources::{self, Wanted, loc_json, loc_text};
use crate::input::Failure;
use crate::render::display_text;

/// `panicpol cmdline` arguments.
#[derive(Debug, Args)]
pub(crate) struct CmdlineArgs {
    /// Boot configuration files, each read in its detected format; `-`
    /// reads a command line from standard input.
    #[arg(value_name = "FILE")]
    pub(crate) files: Vec<PathBuf>,
    /// An image or root tree: every boot entry in it.
    #[arg(long, value_name = "DIR", conflicts_with = "files")]
    pub(crate) root: Option<PathBuf>,
    /// Read every FILE in this format instead of detecting it (see `check
    /// --help`).
    #[arg(long = "as", value_name = "FORMAT", value_parser = parse_format)]
    pub(crate) as_format: Option<Format>,
    #[command(flatten)]
    pub(crate) kernel: KernelArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ShowFormat::Human)]
    pub(crate) format: ShowFormat,
}

/// Bumped on any incompatible change of the JSON document.
const VERSION: u32 = 1;

pub(super) fn run(a: CmdlineArgs) -> Result<ExitCode, Failure> {
    let no_cmdlines: Vec<String> = Vec::new();
    let wanted = Wanted {
        files: &a.files,
        cmdlines: &no_cmdlines,
        root: a.root.as_deref(),
        as_format: a.as_format,
        kernel_config: a.kernel.config.as_deref(),
    };
    let live = wanted.live();
    let found = sources::gather_sources(&wanted)?;
    let mut kernel =
        super::kernel::load(&a.kernel, live, panicpol_kernel::elf::Options::default())?;
    if kernel.config.is_none()
        && let Some(text) = sources::found_config(&found, kernel.release.as_deref())
        && let Ok(read) = panicpol_kernel::config::read_config(&text)
    {
        kernel.config = Some(read.config);
    }
    let stdout = io::stdout();
    let mut w = io::BufWriter::new(stdout.lock());
    let r = match a.format {
        ShowFormat::Human => human(&mut w, &found, &kernel),
        ShowFormat::Json => {
            let doc = document(&found, &kernel, a.root.as_ref());
            serde_json::to_writer_pretty(&mut w, &doc)
                .map_err(io::Error::other)
                .and_then(|()| writeln!(w))
        }
    };
    r.and_then(|()| w.flush())
        .map_err(|e| Failure::io("stdout", &e))?;
    Ok(ExitCode::SUCCESS)
}

/// Where a dispatched token was written.
fn token_loc(entry: &BootEntry, t: &TokenFate) -> Option<Loc> {
    match t.layer {
        Layer::Bootloader => sources::locate_any(&entry.cmdline, &t.span),
        Layer::BootconfigKernel => entry.bootconfig.as_ref()?.kernel.as_ref()?.locate(&t.span),
        Layer::BootconfigInit => entry.bootconfig.as_ref()?.init.as_ref()?.locate(&t.span),
    }
}

/// A token's fate in a few words.
fn fate_text(f: &Fate) -> String {
    match f {
        Fate::Applied { param, early, .. } => {
            format!("applied: {param}{}", if *early { " (early)" } else { "" })
        }
        Fate::Rejected { param, message, .. } => {
            format!(
                "rejected by {param}: {}",
                String::from_utf8_lossy(message.as_slice())
            )
        }
        Fate::InitArgv { .. } => "to init (argument)".into(),
        Fate::InitEnv { .. } => "to init (environment)".into(),
        Fate::Dropped { reason } => format!("dropped ({})", json!(reason).as_str().unwrap_or("?")),
        Fate::Ignored { .. } => "ignored (boot loader's identifier)".into(),
        Fate::Separator => "separator: init's arguments follow".into(),
    }
}

fn kind_text(k: EntryKind) -> &'static str {
    match k {
        EntryKind::Normal => "normal",
        EntryKind::Recovery => "recovery",
    }
}

fn human(w: &mut dyn Write, s: &Sources, kernel: &panicpol_kernel::Kernel) -> io::Result<()> {
    for (n, entry) in s.entries.iter().enumerate() {
        if n > 0 {
            writeln!(w)?;
        }
        let an = EntryAnalysis::new(entry, kernel);
        let release = entry
            .release
            .as_deref()
            .map(|r| format!(", kernel {r}"))
            .unwrap_or_default();
        writeln!(
            w,
            "{} ({} boot{release})",
            entry.name,
            kind_text(entry.kind)
        )?;
        writeln!(w, "  {}", display_text(&an.dispatch.proc_cmdline.0))?;
        let width = an
            .dispatch
            .tokens
            .iter()
            .map(|t| display_text(t.text.as_slice()).chars().count())
            .max()
            .unwrap_or(0)
            .min(48);
        for t in &an.dispatch.tokens {
            let from = match token_loc(entry, t) {
                Some(l) => loc_text(&s.map, &l),
                None => "(added by the boot tools)".into(),
            };
            let layer = match t.layer {
                Layer::Bootloader => "",
                Layer::BootconfigKernel => " [bootconfig kernel.*]",
                Layer::BootconfigInit => " [bootconfig init.*]",
            };
            writeln!(
                w,
                "    {:<width$}  {from}{layer}  {}",
                display_text(t.text.as_slice()),
                fate_text(&t.fate)
            )?;
        }
        if let Some(b) = &entry.builtin {
            let at =
                b.at.as_ref()
                    .map(|l| loc_text(&s.map, l))
                    .unwrap_or_default();
            writeln!(
                w,
                "  built in: CONFIG_CMDLINE {:?} ({:?}) {at}",
                String::from_utf8_lossy(&b.value.text),
                b.mode
            )?;
        }
        if let Some(bc) = &entry.bootconfig {
            let name = s.map.get(bc.file).map_or("?", |f| f.name.as_str());
            let state = if an.dispatch.bootconfig.loaded {
                "loaded"
            } else {
                "not loaded"
            };
            writeln!(w, "  bootconfig: {name} ({state})")?;
        }
        let mut runtime = entry
            .runtime
            .iter()
            .filter(|r| r.ignored.is_none())
            .peekable();
        if runtime.peek().is_some() {
            writeln!(w, "  after boot:")?;
            for r in runtime {
                writeln!(
                    w,
                    "    {} = {}  {}",
                    r.target.display(),
                    String::from_utf8_lossy(&r.value).trim(),
                    loc_text(&s.map, &r.value_at)
                )?;
            }
        }
        for f in &entry.facts {
            if let Fact::Unresolved { name, at, .. } = f {
                let at = at.as_ref().map(|l| loc_text(&s.map, l)).unwrap_or_default();
                writeln!(w, "  unresolved: ${name} {at}")?;
            }
        }
    }
    if !s.problems.is_empty() {
        writeln!(w)?;
        writeln!(w, "Not read:")?;
        for p in &s.problems {
            writeln!(
                w,
                "  {}: {}",
                loc_text(&s.map, &(p.file, p.span.clone())),
                p.message
            )?;
        }
    }
    Ok(())
}

fn document(s: &Sources, kernel: &panicpol_kernel::Kernel, root: Option<&PathBuf>) -> Value {
    let entries: Vec<Value> = s
        .entries
        .iter()
        .map(|entry| {
            let an = EntryAnalysis::new(entry, kernel);
            let tokens: Vec<Value> = an
                .dispatch
                .tokens
                .iter()
                .map(|t| {
                    let mut v = json!(t);
                    crate::render::set_field(&mut v, "origin", token_loc(entry, t).map_or(Value::Null, |l| loc_json(&s.map, &l)));
                    v
                })
                .collect();
            let runtime: Vec<Value> = entry
                .runtime
                .iter()
                .map(|r| {
                    json!({
                        "source": r.source,
                        "target": r.target,
                        "value": String::from_utf8_lossy(&r.value),
                        "origin": loc_json(&s.map, &r.value_at),
                        "ignored": match &r.ignored {
                            None => Value::Null,
                            Some(Ignored::MaskedBy(f)) => json!({"masked_by": s.map.get(*f).map(|f| f.name.clone())}),
                            Some(Ignored::DuplicateOf(l)) => json!({"duplicate_of": loc_json(&s.map, l)}),
                        },
                    })
                })
                .collect();
            json!({
                "name": entry.name,
                "kind": entry.kind,
                "origin": entry.origin,
                "file": s.map.get(entry.file).map(|f| f.name.clone()),
                "release": entry.release,
                "cmdline": String::from_utf8_lossy(&entry.cmdline.text),
                "proc_cmdline": an.dispatch.proc_cmdline,
                "tokens": tokens,
                "builtin": entry.builtin.as_ref().map(|b| json!({
                    "mode": format!("{:?}", b.mode).to_lowercase(),
                    "value": String::from_utf8_lossy(&b.value.text),
                    "origin": b.at.as_ref().map(|l| loc_json(&s.map, l)),
                })),
                "bootconfig": entry.bootconfig.as_ref().map(|b| json!({
                    "file": s.map.get(b.file).map(|f| f.name.clone()),
                    "loaded": an.dispatch.bootconfig.loaded,
                    "error": b.parsed.as_ref().err().map(|e| e.kernel_log()),
                })),
                "runtime": runtime,
                "after_boot": an.after_boot,
            })
        })
        .collect();
    let problems: Vec<Value> = s
        .problems
        .iter()
        .map(|p| {
            let mut v = loc_json(&s.map, &(p.file, p.span.clone()));
            crate::render::set_field(&mut v, "kind", json!(p.kind));
            crate::render::set_field(&mut v, "message", json!(p.message));
            v
        })
        .collect();
    json!({
        "version": VERSION,
        "root": root.map(|r| r.display().to_string()),
        "kernel": {"release": kernel.release, "source": kernel.source},
        "entries": entries,
        "sources": s.found,
        "problems": problems,
    })
}
