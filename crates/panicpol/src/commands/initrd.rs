//! `panicpol initrd attach|detach|show`: a thin layer over
//! `panicpol_emit::initrd` (the bootconfig footer, edited in place and
//! atomically) and `panicpol_emit::bootconfig` (what the kernel will do with
//! the keys).
//!
//! Exit codes: 0 done; 1 done, but the kernel will not apply part of the
//! bootconfig (an early parameter, a rejected value, a bootconfig it cannot
//! parse); 2 nothing was changed (a corrupt footer, a path that is not a
//! file, an I/O error such as a read-only folder or a full disk, a
//! bootconfig that cannot be attached).

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use panicpol_diagnostics::Severity;
use panicpol_emit::bootconfig::{self, Finding};
use panicpol_emit::initrd::{self, AttachError, FileError};
use panicpol_syntax::bootconfig::{Bootconfig, Options};
use serde_json::json;

use crate::args::KernelArgs;
use crate::input::{self, Failure};

/// What `panicpol initrd` takes.
#[derive(Debug, clap::Args)]
pub(crate) struct InitrdArgs {
    #[command(subcommand)]
    pub(crate) what: InitrdWhat,
}

/// The initrd operations.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum InitrdWhat {
    /// Attach a bootconfig to an initrd, in place and atomically, replacing
    /// one already attached.
    Attach(AttachArgs),
    /// Remove the bootconfig from an initrd, restoring its original bytes.
    Detach(DetachArgs),
    /// Show the attached bootconfig as /proc/bootconfig will, and what the
    /// kernel will do with it.
    Show(ShowArgs),
}

/// `initrd attach`.
#[derive(Debug, clap::Args)]
pub(crate) struct AttachArgs {
    /// The initrd (initramfs) file to change.
    #[arg(value_name = "INITRD")]
    pub(crate) initrd: PathBuf,
    /// The bootconfig text to attach; `-` reads standard input.
    #[arg(
        value_name = "BOOTCONFIG_FILE",
        required_unless_present_any = ["from_cmdline", "set"],
        conflicts_with_all = ["from_cmdline", "set", "all"]
    )]
    pub(crate) bootconfig: Option<PathBuf>,
    /// Attach the panic policy of this command line, as `emit --format
    /// bootconfig --cmdline STRING` writes it.
    #[arg(long, value_name = "STRING")]
    pub(crate) from_cmdline: Option<String>,
    /// With --from-cmdline (or alone): add or override a panic parameter.
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub(crate) set: Vec<String>,
    /// With --from-cmdline: also write the settings that keep the kernel's
    /// default value.
    #[arg(long)]
    pub(crate) all: bool,
    /// The bootloader's command line the initrd will boot with, to check
    /// that it loads the bootconfig (default: the --from-cmdline string;
    /// with a file, a line with `bootconfig` is assumed).
    #[arg(long = "boot-cmdline", value_name = "STRING")]
    pub(crate) boot_cmdline: Option<String>,
    #[command(flatten)]
    pub(crate) kernel: KernelArgs,
}

/// `initrd detach`.
#[derive(Debug, clap::Args)]
pub(crate) struct DetachArgs {
    /// The initrd file to change.
    #[arg(value_name = "INITRD")]
    pub(crate) initrd: PathBuf,
}

/// `initrd show`.
#[derive(Debug, clap::Args)]
pub(crate) struct ShowArgs {
    /// The initrd file to read.
    #[arg(value_name = "INITRD")]
    pub(crate) initrd: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ShowFormat::Human)]
    pub(crate) format: ShowFormat,
    /// The bootloader's command line the initrd will boot with (shown at the
    /// end of /proc/bootconfig, and checked for `bootconfig`).
    #[arg(long = "boot-cmdline", value_name = "STRING")]
    pub(crate) boot_cmdline: Option<String>,
    #[command(flatten)]
    pub(crate) kernel: KernelArgs,
}

/// `initrd show` output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ShowFormat {
    /// Text for people.
    Human,
    /// One JSON document (`"schema": "panicpol-initrd"`, docs/policy-schema.md).
    Json,
}

/// The largest bootconfig file read (the kernel takes 32 KiB).
const BOOTCONFIG_LIMIT: u64 = 1 << 20;

pub(super) fn run(a: InitrdArgs) -> Result<ExitCode, Failure> {
    match a.what {
        InitrdWhat::Attach(a) => attach(a),
        InitrdWhat::Detach(a) => detach(a),
        InitrdWhat::Show(a) => show(a),
    }
}

/// A file operation's failure, with the initrd's name.
fn file_failure(path: &Path, e: FileError) -> Failure {
    match e {
        FileError::Footer(f) => Failure::new(format!(
            "{}: corrupt bootconfig footer, left unchanged: {f}",
            path.display()
        )),
        FileError::NotAFile(p) => Failure::new(format!(
            "{}: not a regular file (an initrd is one file)",
            p.display()
        )),
        other => Failure::new(format!("{}: {other}; left unchanged", path.display())),
    }
}

fn parse_text(text: &[u8]) -> Option<Bootconfig> {
    let mut data = text.to_vec();
    data.push(0);
    panicpol_syntax::bootconfig::parse(&data, Options::KERNEL).ok()
}

fn attach(a: AttachArgs) -> Result<ExitCode, Failure> {
    let elf = panicpol_kernel::elf::Options::default();
    let (text, what, bootloader, kernel) = match &a.bootconfig {
        Some(p) => {
            let text = if p == Path::new("-") {
                input::read_stdin(BOOTCONFIG_LIMIT)?
            } else {
                input::read_limited(p, BOOTCONFIG_LIMIT)?
            };
            let kernel = super::kernel::load(&a.kernel, false, elf)?;
            (text, p.display().to_string(), None, kernel)
        }
        None => {
            let cmdlines: Vec<String> = a.from_cmdline.iter().cloned().collect();
            let (_, c, kernel) =
                super::emit::compile(&[], &cmdlines, &a.set, &a.kernel, a.all, elf)?;
            super::emit::print_notes(&super::emit::skipped_notes(&c));
            let r = bootconfig::render(&c.params).map_err(|e| Failure::new(e.to_string()))?;
            let line = (!c.input.is_empty()).then(|| c.input.clone());
            (r.text, "the panic policy".to_string(), line, kernel)
        }
    };
    let bootloader = a.boot_cmdline.map(String::into_bytes).or(bootloader);
    let info = initrd::attach_file(&a.initrd, &text).map_err(|e| match e {
        FileError::Attach(AttachError::Parse(pe)) => Failure::new(format!(
            "{what}: {}; {} left unchanged",
            pe.tool_message(&text),
            a.initrd.display()
        )),
        other => file_failure(&a.initrd, other),
    })?;
    let mut out = io::stdout().lock();
    let w = (|| {
        writeln!(out, "Apply {what} to {}", a.initrd.display())?;
        writeln!(out, "\tNumber of nodes: {}", info.nodes)?;
        writeln!(out, "\tSize: {} bytes", info.text_size)?;
        writeln!(out, "\tChecksum: {}", info.checksum)?;
        if info.replaced {
            writeln!(out, "\tReplaced the bootconfig that was attached")?;
        }
        out.flush()
    })();
    w.map_err(|e| Failure::io("stdout", &e))?;
    // The text parsed (attach checked it): what will the kernel do with it?
    let findings = parse_text(&text)
        .map(|bc| bootconfig::audit(&bc, &kernel, bootloader.as_deref()))
        .unwrap_or_default();
    let mut e = io::stderr().lock();
    for f in &findings {
        let _ = write_finding(&mut e, f, "panicpol: ");
    }
    Ok(exit_for(&findings))
}

fn exit_for(findings: &[Finding]) -> ExitCode {
    if findings.iter().any(|f| f.severity == Severity::Error) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn write_finding(w: &mut impl Write, f: &Finding, prefix: &str) -> io::Result<()> {
    match &f.key {
        Some(k) => writeln!(w, "{prefix}{}: {k}: {}", f.severity.as_str(), f.message)?,
        None => writeln!(w, "{prefix}{}: {}", f.severity.as_str(), f.message)?,
    }
    if let Some(h) = &f.help {
        writeln!(w, "{prefix}  help: {h}")?;
    }
    Ok(())
}

fn detach(a: DetachArgs) -> Result<ExitCode, Failure> {
    let removed = initrd::detach_file(&a.initrd).map_err(|e| file_failure(&a.initrd, e))?;
    let msg = match removed {
        Some(f) => format!(
            "Removed the bootconfig ({} bytes with padding, checksum {}) from {}",
            f.size,
            f.checksum,
            a.initrd.display()
        ),
        None => format!("{} has no bootconfig; left unchanged", a.initrd.display()),
    };
    let mut out = io::stdout().lock();
    writeln!(out, "{msg}")
        .and_then(|()| out.flush())
        .map_err(|e| Failure::io("stdout", &e))?;
    Ok(ExitCode::SUCCESS)
}

fn show(a: ShowArgs) -> Result<ExitCode, Failure> {
    let kernel = super::kernel::load(&a.kernel, false, panicpol_kernel::elf::Options::default())?;
    let bootloader = a.boot_cmdline.as_deref().map(str::as_bytes);
    let shown = match initrd::show_file(&a.initrd) {
        Ok(s) => s,
        // A sound footer whose text the kernel's parser rejects: the kernel
        // logs this and ignores the bootconfig.
        Err(FileError::Attach(AttachError::Parse(pe))) => {
            let finding = Finding {
                severity: Severity::Error,
                key: None,
                message: format!(
                    "the kernel rejects the attached bootconfig and ignores it: {}",
                    pe.kernel_log()
                ),
                help: Some("attach a corrected bootconfig; `initrd attach` replaces it".into()),
            };
            return render_show(&a, None, &[finding]);
        }
        Err(e) => return Err(file_failure(&a.initrd, e)),
    };
    let findings = match &shown {
        Some(s) => bootconfig::audit(&s.config, &kernel, bootloader),
        None => Vec::new(),
    };
    render_show(&a, shown.as_ref(), &findings)
}

fn render_show(
    a: &ShowArgs,
    shown: Option<&initrd::Shown>,
    findings: &[Finding],
) -> Result<ExitCode, Failure> {
    let bootloader = a.boot_cmdline.as_deref().unwrap_or_default().as_bytes();
    let proc = shown.map(|s| s.config.render_proc(bootloader));
    let mut out = io::stdout().lock();
    let r = match a.format {
        ShowFormat::Json => {
            let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
            let doc = json!({
                "schema": "panicpol-initrd",
                "version": 1,
                "initrd": a.initrd.display().to_string(),
                "footer": shown.map(|s| json!({
                    "data_start": s.footer.data_start,
                    "size": s.footer.size,
                    "checksum": s.footer.checksum,
                    "trailing": s.footer.trailing,
                    "nodes": s.config.node_count(),
                })),
                "text": shown.map(|s| text(&s.text)),
                "proc_bootconfig": match &proc {
                    Some(Ok(p)) => Some(text(p)),
                    _ => None,
                },
                "kernel_cmdline": shown.and_then(|s| s.config.cmdline("kernel").ok().flatten()).map(|r| text(&r.text)),
                "init_args": shown.and_then(|s| s.config.cmdline("init").ok().flatten()).map(|r| text(&r.text)),
                "findings": findings.iter().map(|f| json!({
                    "severity": f.severity.as_str(),
                    "key": f.key,
                    "message": f.message,
                    "help": f.help,
                })).collect::<Vec<_>>(),
            });
            serde_json::to_writer_pretty(&mut out, &doc)
                .map_err(io::Error::other)
                .and_then(|()| writeln!(out))
        }
        ShowFormat::Human => (|| {
            match shown {
                None if findings.is_empty() => {
                    writeln!(out, "{} has no bootconfig", a.initrd.display())?
                }
                None => writeln!(out, "{}:", a.initrd.display())?,
                Some(s) => {
                    writeln!(
                        out,
                        "{}: bootconfig of {} bytes (size field {}, checksum {}, {} nodes{})",
                        a.initrd.display(),
                        s.text.len() + 1,
                        s.footer.size,
                        s.footer.checksum,
                        s.config.node_count(),
                        if s.footer.trailing > 0 {
                            format!(", {} bytes after the footer", s.footer.trailing)
                        } else {
                            String::new()
                        }
                    )?;
                    writeln!(out, "# /proc/bootconfig when the kernel loads it:")?;
                    match &proc {
                        Some(Ok(p)) => out.write_all(p)?,
                        Some(Err(e)) => {
                            writeln!(out, "# (none: the kernel cannot list the keys: {e})")?
                        }
                        None => {}
                    }
                }
            }
            for f in findings {
                write_finding(&mut out, f, "")?;
            }
            Ok(())
        })(),
    };
    r.and_then(|()| out.flush())
        .map_err(|e| Failure::io("stdout", &e))?;
    Ok(exit_for(findings))
}
