//! `panicpol emit`: the panic policy of one command line (plus `--set`
//! overrides), resolved against the target kernel, written as a
//! command-line fragment, bootconfig text or the JSON policy document.
//!
//! The artifact goes to stdout or, atomically, to `-o FILE`; warnings go to
//! stderr so that stdout can be piped into a bootloader config. A policy
//! that cannot be written faithfully (an early parameter in bootconfig, a
//! value with `"`) is an error, exit 2.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use panicpol_diagnostics::Severity;
use panicpol_emit::params::{self, Compiled, Source};
use panicpol_emit::{bootconfig, cmdline, json, output};

use crate::args::KernelArgs;
use crate::input::{self, Failure};

/// What `panicpol emit` takes.
#[derive(Debug, clap::Args)]
pub(crate) struct EmitArgs {
    /// A file holding the command line whose panic policy to write; `-`
    /// reads standard input. With no FILE, --cmdline or --set: this
    /// system's /proc/cmdline.
    #[arg(value_name = "FILE")]
    pub(crate) files: Vec<PathBuf>,
    /// The command line as a string.
    #[arg(long, value_name = "STRING")]
    pub(crate) cmdline: Vec<String>,
    /// Add or override a panic parameter, after the input's own (repeatable):
    /// --set crash_kexec_post_notifiers=0 --set panic=10.
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub(crate) set: Vec<String>,
    #[command(flatten)]
    pub(crate) kernel: KernelArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = EmitFormat::Cmdline)]
    pub(crate) format: EmitFormat,
    /// Also write the settings that keep the kernel's default value (by
    /// default only what differs from it is written).
    #[arg(long)]
    pub(crate) all: bool,
    /// Write to this file, atomically, instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub(crate) output: Option<PathBuf>,
}

/// The forms `emit` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum EmitFormat {
    /// A command-line fragment for the bootloader, quoted as the kernel reads it.
    Cmdline,
    /// Bootconfig text (`kernel.NAME = VALUE` lines) for `initrd attach`.
    Bootconfig,
    /// The policy and the panic plan as JSON (docs/policy-schema.md).
    Json,
}

/// The one command line to compile: its name and text.
pub(crate) fn read_input(
    files: &[PathBuf],
    cmdlines: &[String],
    sets: &[String],
) -> Result<(String, Vec<u8>), Failure> {
    let n = files.len() + cmdlines.len();
    if n > 1 {
        return Err(Failure::new(format!(
            "one command line is compiled at a time; {n} were given (FILE and --cmdline)"
        )));
    }
    if n == 0 && !sets.is_empty() {
        return Ok(("<set>".into(), Vec::new()));
    }
    let sources = super::sources::gather(files, cmdlines)?;
    let (_, file) = sources
        .iter()
        .next()
        .ok_or_else(|| Failure::new("no command line to compile"))?;
    let end = input::cmdline_extent(&file.text);
    Ok((
        file.name.clone(),
        file.text.get(..end).unwrap_or_default().to_vec(),
    ))
}

/// Compiles the input with its overrides against the target kernel.
pub(crate) fn compile(
    files: &[PathBuf],
    cmdlines: &[String],
    sets: &[String],
    kernel_args: &KernelArgs,
    all: bool,
    elf: panicpol_kernel::elf::Options,
) -> Result<(String, Compiled, panicpol_kernel::Kernel), Failure> {
    let (name, text) = read_input(files, cmdlines, sets)?;
    let live = files.is_empty() && cmdlines.is_empty() && sets.is_empty();
    let kernel = super::kernel::load(kernel_args, live, elf)?;
    let compiled = params::compile(&text, sets, &kernel, params::Options { all })
        .map_err(|e| Failure::new(e.to_string()))?;
    Ok((name, compiled, kernel))
}

/// Warnings about input tokens that reached a panic parameter but are not
/// written.
pub(crate) fn skipped_notes(c: &Compiled) -> Vec<(Severity, String)> {
    c.skipped
        .iter()
        .map(|s| {
            let at = match &s.source {
                Source::Input { span } => format!(" (bytes {}..{})", span.start, span.end),
                _ => String::new(),
            };
            (
                Severity::Warning,
                format!("`{}`{at} is not written: {}", s.text, s.why),
            )
        })
        .collect()
}

/// Prints `severity: message` lines to stderr.
pub(crate) fn print_notes(notes: &[(Severity, String)]) {
    let mut e = io::stderr().lock();
    for (sev, msg) in notes {
        let _ = writeln!(e, "panicpol: {}: {msg}", sev.as_str());
    }
}

/// Writes an artifact to `-o` (atomically) or stdout.
pub(crate) fn deliver(out: Option<&PathBuf>, bytes: &[u8]) -> Result<(), Failure> {
    match out {
        Some(p) => output::write_atomic(p, bytes).map_err(|e| Failure::new(e.to_string())),
        None => {
            let mut w = io::stdout().lock();
            w.write_all(bytes)
                .and_then(|()| w.flush())
                .map_err(|e| Failure::io("stdout", &e))
        }
    }
}

pub(super) fn run(a: EmitArgs) -> Result<ExitCode, Failure> {
    let elf = if a.format == EmitFormat::Json {
        panicpol_kernel::elf::Options::all()
    } else {
        panicpol_kernel::elf::Options::default()
    };
    let (name, c, kernel) = compile(&a.files, &a.cmdline, &a.set, &a.kernel, a.all, elf)?;
    let mut notes = skipped_notes(&c);
    let bytes = match a.format {
        EmitFormat::Cmdline => {
            let mut f = cmdline::render(&c.params).map_err(|e| Failure::new(e.to_string()))?;
            f.push(b'\n');
            f
        }
        EmitFormat::Bootconfig => {
            let r = bootconfig::render(&c.params).map_err(|e| Failure::new(e.to_string()))?;
            let bootloader = (!c.input.is_empty()).then_some(c.input.as_slice());
            notes.extend(
                bootconfig::warnings(&kernel, bootloader)
                    .into_iter()
                    .map(|w| (w.severity, w.message)),
            );
            r.text
        }
        EmitFormat::Json => {
            let doc = json::document(&c, &kernel, &name);
            let mut v =
                serde_json::to_vec_pretty(&doc).map_err(|e| Failure::new(format!("JSON: {e}")))?;
            v.push(b'\n');
            v
        }
    };
    deliver(a.output.as_ref(), &bytes)?;
    print_notes(&notes);
    Ok(ExitCode::SUCCESS)
}
