//! What the user typed: clap definitions only, no logic.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Compiler and linter for the Linux kernel's panic policy.
///
/// panicpol reads boot configuration exactly as the kernel reads it, checks the
/// panic and kdump parameters against the kernel build that will boot, and
/// explains what will run before and after kexec.
#[derive(Debug, Parser)]
#[command(
    name = "panicpol",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Check command lines against a kernel build (default: this running system).
    Check(CheckArgs),
    /// Explain what a panic will do: the steps before and after kexec, and
    /// every panic notifier's fate.
    Explain(ExplainArgs),
    /// Show what a kernel build accepts and registers on the panic path.
    Kernel(KernelCmdArgs),
    /// Show the documentation of a rule, or list every rule.
    Rule(RuleArgs),
    /// Print the effective kernel command line of every boot entry (of
    /// files, or of a whole image with --root), each token with the file,
    /// line and column it comes from.
    Cmdline(crate::commands::cmdline::CmdlineArgs),
    /// Write a command line's panic policy as the kernel ingests it: a
    /// command-line fragment, bootconfig text, or JSON.
    Emit(crate::commands::emit::EmitArgs),
    /// Attach, detach or show the bootconfig at the end of an initrd.
    Initrd(crate::commands::initrd::InitrdArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(CompletionsArgs),
    /// Print the man page (roff), generated from these definitions.
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub(crate) struct KernelCmdArgs {
    #[command(subcommand)]
    pub(crate) what: KernelWhat,
}

#[derive(Debug, Subcommand)]
pub(crate) enum KernelWhat {
    /// Release, sources, table sizes, panic-relevant config.
    Info(KernelShowArgs),
    /// Every built-in parameter (`__param`) and setup string (`.init.setup`).
    Params(KernelShowArgs),
    /// The panic notifiers this build registers, proven from its code.
    Notifiers(KernelShowArgs),
}

#[derive(Debug, Args)]
pub(crate) struct KernelShowArgs {
    #[command(flatten)]
    pub(crate) kernel: KernelArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ShowFormat::Human)]
    pub(crate) format: ShowFormat,
    /// Only entries whose name contains this text.
    #[arg(long, value_name = "TEXT")]
    pub(crate) grep: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ShowFormat {
    /// Aligned text for people.
    Human,
    /// One JSON document.
    Json,
}

/// Where the kernel facts come from. With none of these, `check` without
/// inputs reads this system's /proc/kallsyms; with inputs, panicpol's built-in
/// catalogue is used.
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct KernelArgs {
    /// The kernel's ELF image with symbols (e.g. Debian's -dbg vmlinux).
    #[arg(long, value_name = "FILE")]
    pub(crate) vmlinux: Option<PathBuf>,
    /// The kernel's System.map.
    #[arg(long, value_name = "FILE", conflicts_with = "vmlinux")]
    pub(crate) system_map: Option<PathBuf>,
    /// A /proc/kallsyms dump.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["vmlinux", "system_map"])]
    pub(crate) kallsyms: Option<PathBuf>,
    /// The kernel's config (for CONFIG_BOOT_CONFIG, CONFIG_CMDLINE, LOCKDEP …).
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// A folder of the build's modules (`.ko`, `.ko.xz`, `.ko.zst`, `.ko.gz`:
    /// /lib/modules/RELEASE, or Debian's -dbg /usr/lib/debug/lib/modules/RELEASE):
    /// adds the panic notifiers modules register, marked with their module.
    #[arg(long, value_name = "DIR")]
    pub(crate) modules: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// Boot configuration files, each read in its detected format (a raw
    /// command line, /etc/default/grub, grub.cfg, a BLS entry, a UKI, a
    /// bootconfig, an initrd, sysctl.d …); `-` reads a command line from
    /// standard input. With no file, no --cmdline and no --root,
    /// /proc/cmdline is checked.
    #[arg(value_name = "FILE")]
    pub(crate) files: Vec<PathBuf>,
    /// A command line given as a string.
    #[arg(long, value_name = "STRING")]
    pub(crate) cmdline: Vec<String>,
    /// Check every boot entry of an image or root tree (its grub, BLS,
    /// kernel-install, UKI, bootconfig, kernel config, sysctl.d and
    /// tmpfiles.d files).
    #[arg(long, value_name = "DIR", conflicts_with_all = ["files", "cmdline"])]
    pub(crate) root: Option<PathBuf>,
    /// Read every FILE in this format instead of detecting it: cmdline,
    /// grub-default, grub-cfg, grubenv, bls, kernel-cmdline, uki,
    /// bootconfig, initrd, kernel-config, sysctl, tmpfiles.
    #[arg(long = "as", value_name = "FORMAT", value_parser = parse_format)]
    pub(crate) as_format: Option<panicpol_sources::Format>,
    #[command(flatten)]
    pub(crate) kernel: KernelArgs,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

#[derive(Debug, Args)]
pub(crate) struct ExplainArgs {
    /// Boot configuration files, each read in its detected format; `-` reads
    /// a command line from standard input. With no file, no --cmdline and no
    /// --root, /proc/cmdline.
    #[arg(value_name = "FILE")]
    pub(crate) files: Vec<PathBuf>,
    /// The command line as a string.
    #[arg(long, value_name = "STRING")]
    pub(crate) cmdline: Vec<String>,
    /// Explain every boot entry of an image or root tree.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["files", "cmdline"])]
    pub(crate) root: Option<PathBuf>,
    /// Read every FILE in this format instead of detecting it (see `check
    /// --help`).
    #[arg(long = "as", value_name = "FORMAT", value_parser = parse_format)]
    pub(crate) as_format: Option<panicpol_sources::Format>,
    #[command(flatten)]
    pub(crate) kernel: KernelArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExplainFormat::Human)]
    pub(crate) format: ExplainFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ExplainFormat {
    /// A timeline for people.
    Human,
    /// The plan as JSON (versioned).
    Json,
    /// Markdown, e.g. for a CI job summary.
    Markdown,
}

#[derive(Debug, Args, Clone)]
pub(crate) struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub(crate) format: Format,
    /// Exit with 1 when a finding is at least this severe.
    #[arg(long, value_enum, default_value_t = FailLevel::Error)]
    pub(crate) fail_level: FailLevel,
    /// Always exit with 0 when the check ran (findings are still printed).
    #[arg(long)]
    pub(crate) exit_zero: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// Diagnostics with source snippets, for people.
    Human,
    /// One JSON document (versioned, see README).
    Json,
    /// `file:line:col: severity: message [code]`, one per line.
    Gcc,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum FailLevel {
    Info,
    Warning,
    Error,
}

/// `--as FORMAT`: a boot-source format by its name.
pub(crate) fn parse_format(s: &str) -> Result<panicpol_sources::Format, String> {
    s.parse()
}

#[derive(Debug, Args)]
pub(crate) struct RuleArgs {
    /// A rule code (PP101) or name (open-quote).
    #[arg(value_name = "CODE", required_unless_present = "all")]
    pub(crate) code: Option<String>,
    /// List every rule, grouped by hundreds.
    #[arg(long)]
    pub(crate) all: bool,
    /// With --all: mark what this panicpol.toml changes (default: the one
    /// found from the current folder upward).
    #[arg(long, value_name = "FILE", requires = "all")]
    pub(crate) config_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum, value_name = "SHELL")]
    pub(crate) shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub(crate) struct ManArgs {
    /// A subcommand: its own page, panicpol-SUBCOMMAND(1).
    #[arg(value_name = "SUBCOMMAND")]
    pub(crate) subcommand: Option<String>,
    /// Write every page (panicpol.1, panicpol-check.1 …) into this folder.
    #[arg(long, value_name = "DIR", conflicts_with = "subcommand")]
    pub(crate) dir: Option<PathBuf>,
}
