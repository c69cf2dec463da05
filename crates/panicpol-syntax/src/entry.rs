//! One way the machine boots, resolved from its sources: the command line
//! the kernel receives with the provenance of every byte, the bootconfig it
//! may load, the runtime files that change panic settings after boot, and
//! the facts about how the sources layer (which file overrode which, what
//! stayed unresolved).
//!
//! This is plain data: `panicpol-sources` builds it from files, the lint
//! rules read it, `panicpol cmdline` prints it.

use std::ops::Range;

use panicpol_diagnostics::FileId;
use serde::Serialize;

use crate::bootconfig_source::BootconfigSource;
use crate::issue::Issue;
use crate::kconfig_cmdline::Mode;
use crate::provenance::Composed;

/// A file and a byte range in it.
pub type Loc = (FileId, Range<usize>);

/// Which kind of boot an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// A normal boot.
    Normal,
    /// A recovery (single-user, rescue) boot.
    Recovery,
}

/// Where an entry comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum Origin {
    /// What `grub-mkconfig` writes from `/etc/default/grub` (+ drop-ins).
    GrubDefaults,
    /// A `menuentry` of a `grub.cfg`.
    GrubCfg {
        /// Its title, with the submenus it is in (`A>B`).
        title: String,
    },
    /// A BLS entry.
    Bls {
        /// Booted by GRUB's `blscfg` (variables expanded) rather than
        /// systemd-boot (options passed as written).
        grub: bool,
    },
    /// What `kernel-install` would write from `/etc/kernel/cmdline` or
    /// `/usr/lib/kernel/cmdline`.
    KernelInstall,
    /// A unified kernel image.
    Uki,
    /// A command line given as such (a file or a string).
    Cmdline,
}

/// The built-in command line (`CONFIG_CMDLINE`) as it applies to an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Builtin {
    /// How it combines with the boot loader's line.
    pub mode: Mode,
    /// Its value.
    pub value: Composed,
    /// The config line that decides the mode (`CONFIG_CMDLINE_OVERRIDE=y`,
    /// `CONFIG_CMDLINE_BOOL=y` …).
    pub decided_by: Option<Loc>,
    /// The `CONFIG_CMDLINE=` line.
    pub at: Option<Loc>,
}

/// Which program writes a runtime setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuntimeSource {
    /// `systemd-sysctl` from `sysctl.d`.
    SysctlD,
    /// `systemd-tmpfiles` from a `w` line of `tmpfiles.d`.
    Tmpfiles,
}

/// What a runtime setting writes to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RuntimeTarget {
    /// `/proc/sys/<path>` (`kernel/panic`).
    Sysctl {
        /// The path below `/proc/sys`.
        path: String,
    },
    /// `/sys/module/<module>/parameters/<param>`.
    ModuleParam {
        /// The module (`kernel` for built-in core parameters).
        module: String,
        /// The parameter.
        param: String,
    },
}

impl RuntimeTarget {
    /// The target of a file path, if it is one panicpol models.
    pub fn from_path(path: &str) -> Option<RuntimeTarget> {
        if let Some(p) = path.strip_prefix("/proc/sys/") {
            return Some(RuntimeTarget::Sysctl {
                path: p.trim_matches('/').to_string(),
            });
        }
        let rest = path.strip_prefix("/sys/module/")?;
        let (module, param) = rest.split_once("/parameters/")?;
        (!module.contains('/') && !param.contains('/') && !param.is_empty()).then(|| {
            RuntimeTarget::ModuleParam {
                module: module.to_string(),
                param: param.to_string(),
            }
        })
    }

    /// How users name it: `kernel.panic`, or the sysfs path.
    pub fn display(&self) -> String {
        match self {
            RuntimeTarget::Sysctl { path } => path.replace('/', "."),
            RuntimeTarget::ModuleParam { module, param } => {
                format!("/sys/module/{module}/parameters/{param}")
            }
        }
    }
}

/// Why a runtime line does not apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ignored {
    /// Its file is masked by a file of the same name in a directory of
    /// higher priority.
    MaskedBy(FileId),
    /// `systemd-tmpfiles` applies only the first line for a path.
    DuplicateOf(Loc),
}

/// A value written after boot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeSetting {
    /// Who writes it.
    pub source: RuntimeSource,
    /// Where it goes.
    pub target: RuntimeTarget,
    /// The bytes written.
    pub value: Vec<u8>,
    /// The key (sysctl) or path (tmpfiles) as written.
    pub key_at: Loc,
    /// The value as written.
    pub value_at: Loc,
    /// A write failure is ignored (`-key` in sysctl.d).
    pub ignore_failure: bool,
    /// Set when the line does not apply.
    pub ignored: Option<Ignored>,
}

/// A fact about how the sources of an entry layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fact {
    /// A later file replaced a variable's value set in an earlier file.
    Override {
        /// The variable (`GRUB_CMDLINE_LINUX_DEFAULT`).
        var: String,
        /// The earlier assignment (name to end of value).
        earlier: Loc,
        /// The earlier value.
        earlier_value: Composed,
        /// The replacing assignment.
        later: Loc,
        /// The replacing value.
        later_value: Composed,
    },
    /// Parameters the entry gets from a place a sibling entry of another
    /// kind does not use (GRUB_CMDLINE_LINUX_DEFAULT reaches normal entries
    /// only).
    KindOnly {
        /// The kind that does get them.
        kind: EntryKind,
        /// What the other kind lacks: the variable or file.
        source: String,
        /// The text, with provenance.
        value: Composed,
        /// The sibling entry that lacks them.
        sibling: String,
    },
    /// A variable nothing defines: it expands to nothing (GRUB), or reaches
    /// the kernel as written (systemd-boot does not expand).
    Unresolved {
        /// The variable.
        name: String,
        /// Where it is used.
        at: Option<Loc>,
        /// Where panicpol looked (`grubenv`, `grub.cfg`).
        looked_in: Vec<String>,
        /// The text reaches the kernel as written.
        literal: bool,
    },
    /// A bootconfig attached to the initrd embedded in a UKI (`.initrd`).
    /// systemd-stub passes the kernel one initrd made of the section and
    /// the cpio archives it generates, and the kernel looks for the
    /// bootconfig only at the end of the whole: anything after `.initrd`
    /// hides it.
    UkiInitrdBootconfig {
        /// The attached bootconfig's text (whole file).
        at: Loc,
        /// The stub's version (`.sdmagic`), when known.
        stub: Option<String>,
        /// The UKI's sections for which this stub puts an archive after
        /// `.initrd` at every boot (`.pcrsig`, `.pcrpkey`; from 257 also
        /// `.osrel`, `.profile`).
        after: Vec<String>,
        /// Sections for which stubs from 257 on do so, when the stub's
        /// version is unknown.
        after_from_257: Vec<String>,
        /// Zero bytes after the section's data (its `VirtualSize` beyond
        /// the raw data), which end the initrd instead of the footer.
        zero_fill: u32,
    },
    /// A UKI whose `.cmdline` section is missing or empty.
    EmptyUkiCmdline {
        /// The UKI file (whole-file location).
        at: Loc,
        /// The section exists but holds nothing.
        present: bool,
    },
    /// A generated file does not contain what its sources would produce
    /// now (a `grub.cfg` entry after `/etc/default/grub` changed without
    /// `update-grub`).
    Stale {
        /// The generated line (the `linux` command in grub.cfg).
        at: Loc,
        /// What the sources would put there now.
        expected: Composed,
        /// The command that regenerates it.
        generator: String,
    },
}

impl Fact {
    /// For [`Fact::UkiInitrdBootconfig`]: the image alone makes the kernel
    /// miss the bootconfig (archives the stub always puts after `.initrd`,
    /// or more zeros after it than the kernel skips).
    pub fn buries_bootconfig(&self) -> bool {
        match self {
            Fact::UkiInitrdBootconfig {
                after, zero_fill, ..
            } => !after.is_empty() || *zero_fill as usize > crate::bootconfig::FOOTER_TRAILING_MAX,
            _ => false,
        }
    }
}

/// A boot entry, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BootEntry {
    /// A short name shown to users.
    pub name: String,
    /// Normal or recovery.
    pub kind: EntryKind,
    /// Where it comes from.
    pub origin: Origin,
    /// The entry's own file: findings about the whole entry point here.
    pub file: FileId,
    /// The kernel release it boots, when known.
    pub release: Option<String>,
    /// The boot loader's command line.
    pub bootloader: Composed,
    /// `boot_command_line`: the boot loader's line after `CONFIG_CMDLINE`.
    pub cmdline: Composed,
    /// The built-in command line, when the kernel config has one.
    pub builtin: Option<Builtin>,
    /// The kernel config's `CONFIG_BOOT_CONFIG` and `_FORCE`, when the
    /// config is known, with their lines.
    pub boot_config_option: Option<(bool, Option<Loc>)>,
    /// `CONFIG_BOOT_CONFIG_FORCE`.
    pub boot_config_force: Option<(bool, Option<Loc>)>,
    /// The bootconfig the kernel may load (from the initrd).
    pub bootconfig: Option<BootconfigSource>,
    /// The bootconfig footer could not be used: why, and the initrd.
    pub bootconfig_footer_error: Option<(String, Loc)>,
    /// Values written after boot, in the order they are written.
    pub runtime: Vec<RuntimeSetting>,
    /// Layering facts.
    pub facts: Vec<Fact>,
    /// Reading problems of the files this entry is made of.
    pub issues: Vec<Issue>,
}

impl BootEntry {
    /// An entry from one command line, with nothing else known.
    pub fn plain(
        name: impl Into<String>,
        origin: Origin,
        file: FileId,
        cmdline: Composed,
    ) -> BootEntry {
        BootEntry {
            name: name.into(),
            kind: EntryKind::Normal,
            origin,
            file,
            release: None,
            bootloader: cmdline.clone(),
            cmdline,
            builtin: None,
            boot_config_option: None,
            boot_config_force: None,
            bootconfig: None,
            bootconfig_footer_error: None,
            runtime: Vec::new(),
            facts: Vec::new(),
            issues: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_targets_from_paths() {
        let cases: &[(&str, Option<&str>)] = &[
            ("/proc/sys/kernel/panic", Some("kernel.panic")),
            (
                "/sys/module/kernel/parameters/crash_kexec_post_notifiers",
                Some("/sys/module/kernel/parameters/crash_kexec_post_notifiers"),
            ),
            ("/sys/module/kernel/parameters/", None),
            ("/sys/module/a/b/parameters/c", None),
            ("/etc/hostname", None),
        ];
        for (path, want) in cases {
            assert_eq!(
                RuntimeTarget::from_path(path)
                    .map(|t| t.display())
                    .as_deref(),
                *want,
                "{path}"
            );
        }
    }
}
