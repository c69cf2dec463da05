//! Everything read, by kind, before it is resolved into boot entries. Both
//! ways in — files named on the command line and discovery under a root —
//! fill an [`Inputs`] with the same readers, so a file means the same thing
//! however it was found.

use std::path::Path;

/// The largest raw command-line file read: s390's `CONFIG_COMMAND_LINE_SIZE`
/// goes up to 1 MiB; every other architecture's limit is a few KiB.
pub(crate) const MAX_CMDLINE_FILE: usize = 1 << 20;

use panicpol_diagnostics::{FileId, Layer, SourceFile, SourceMap};
use panicpol_syntax::bls::{self, BlsEntry};
use panicpol_syntax::bootconfig_source::{self, BootconfigSource};
use panicpol_syntax::entry::{Ignored, Loc, RuntimeSetting, RuntimeSource, RuntimeTarget};
use panicpol_syntax::grub_cfg::{self, GrubCfg};
use panicpol_syntax::grub_default::Flavor;
use panicpol_syntax::grubenv::{self, Grubenv};
use panicpol_syntax::issue::{Issue, IssueKind, binary_reason};
use panicpol_syntax::kconfig_cmdline::{self, CmdlineConfig};
use panicpol_syntax::kernel_install::{self, KernelCmdline};
use panicpol_syntax::{sysctl_d, tmpfiles};
use serde::Serialize;

use crate::detect::Format;
use crate::fs::{self, FsError};
use crate::uki::{self, UkiInfo};

/// The `/proc/sys` paths of the panic sysctls; a glob key in sysctl.d is
/// matched against these.
pub(crate) const PANIC_SYSCTLS: &[&str] = &[
    "kernel/panic",
    "kernel/panic_on_oops",
    "kernel/panic_on_warn",
    "kernel/panic_print",
];

/// A file that was found and what it was read as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Found {
    /// The path shown to users.
    pub path: String,
    /// The format it was read as.
    pub format: Format,
    /// Its file in the source map, when it holds text.
    #[serde(skip)]
    pub file: Option<FileId>,
    /// Why it does not apply, if it does not (masked, not used).
    pub note: Option<String>,
}

/// A BLS entry read.
#[derive(Debug, Clone)]
pub(crate) struct BlsInput {
    pub(crate) entry: BlsEntry,
    pub(crate) name: String,
    /// The directory of the partition holding `loader/entries` (`/boot`,
    /// `/efi`), for the entry's relative paths.
    pub(crate) partition: String,
}

/// A UKI read.
#[derive(Debug, Clone)]
pub(crate) struct UkiInput {
    /// The PE file (a placeholder without text).
    pub(crate) pe: FileId,
    /// Its `.cmdline`, as a text file of its own.
    pub(crate) cmdline: Option<FileId>,
    pub(crate) info: UkiInfo,
    pub(crate) name: String,
    /// Add-ons: their `.cmdline` text files, in the order the stub appends
    /// them.
    pub(crate) addons: Vec<FileId>,
    /// A bootconfig attached to the embedded initrd (`.initrd`), as a text
    /// file of its own.
    pub(crate) initrd_bootconfig: Option<BootconfigSource>,
}

/// A kernel config read.
#[derive(Debug, Clone)]
pub(crate) struct KconfigInput {
    pub(crate) file: FileId,
    pub(crate) release: Option<String>,
    pub(crate) config: CmdlineConfig,
}

/// Everything read.
#[derive(Debug, Default)]
pub(crate) struct Inputs {
    pub(crate) map: SourceMap,
    pub(crate) problems: Vec<Issue>,
    pub(crate) found: Vec<Found>,
    /// Files that were read successfully (text or binary).
    pub(crate) readable: usize,
    pub(crate) grub_defaults: Vec<FileId>,
    pub(crate) grub_cfg: Option<GrubCfg>,
    pub(crate) grubenv: Option<Grubenv>,
    pub(crate) grubenv_file: Option<FileId>,
    pub(crate) bls: Vec<BlsInput>,
    pub(crate) kernel_cmdline: Option<(FileId, KernelCmdline)>,
    pub(crate) ukis: Vec<UkiInput>,
    /// Bootconfig files (and initrds given by name) that apply to every
    /// entry.
    pub(crate) bootconfigs: Vec<BootconfigSource>,
    pub(crate) kconfigs: Vec<KconfigInput>,
    pub(crate) runtime: Vec<RuntimeSetting>,
    pub(crate) cmdlines: Vec<FileId>,
    pub(crate) flavor: Flavor,
    pub(crate) systemd_boot: bool,
    /// Initrds already read, by host path: entries sharing an initrd share
    /// its bootconfig file.
    pub(crate) initrds: std::collections::BTreeMap<std::path::PathBuf, InitrdRead>,
}

/// What an initrd's tail said.
pub(crate) type InitrdRead = Option<Result<BootconfigSource, (String, FileId)>>;

/// A file-system failure is I/O; anything else means the bytes are not a
/// readable PE.
fn uki_issue(e: &uki::UkiError) -> IssueKind {
    match e {
        uki::UkiError::Fs(_) => IssueKind::Io,
        _ => IssueKind::Binary,
    }
}

/// The layer a format's text belongs to.
pub(crate) fn layer_of(f: Format) -> Layer {
    match f {
        Format::Cmdline => Layer::Cmdline,
        Format::GrubDefault => Layer::GrubDefault,
        Format::GrubCfg | Format::Grubenv => Layer::GrubCfg,
        Format::Bls => Layer::BlsEntry,
        Format::KernelCmdline => Layer::KernelInstall,
        Format::Uki => Layer::Uki,
        Format::Bootconfig | Format::Initrd => Layer::Bootconfig,
        Format::KernelConfig => Layer::BuiltIn,
        Format::SysctlD | Format::Tmpfiles => Layer::Runtime,
    }
}

impl Inputs {
    /// Adds a text file to the source map.
    pub(crate) fn add_text(&mut self, name: String, bytes: Vec<u8>, layer: Layer) -> FileId {
        self.map.add(SourceFile::new(name, bytes, layer))
    }

    /// Records a problem with a file that has no text to point into.
    pub(crate) fn problem(&mut self, shown: &str, kind: IssueKind, message: impl Into<String>) {
        let file = self
            .map
            .add(SourceFile::new(shown, Vec::new(), Layer::Other));
        self.problems
            .push(Issue::new(kind, file, 0..0, message.into()));
    }

    /// Records a file-system error (a missing file is not a problem when
    /// `missing_ok`).
    pub(crate) fn fs_problem(&mut self, shown: &str, e: &FsError, missing_ok: bool) {
        if missing_ok && *e == FsError::NotFound {
            return;
        }
        self.problem(shown, IssueKind::Io, format!("cannot read: {e}"));
    }

    /// Reads a text file (bounded), refusing binary data, and adds it.
    pub(crate) fn text_file(
        &mut self,
        shown: &str,
        read: Result<Vec<u8>, FsError>,
        format: Format,
        missing_ok: bool,
    ) -> Option<FileId> {
        let bytes = match read {
            Ok(b) => b,
            Err(e) => {
                self.fs_problem(shown, &e, missing_ok);
                return None;
            }
        };
        // `/proc/config.gz` (CONFIG_IKCONFIG_PROC), or a config a
        // distribution ships compressed: the text inside, bounded.
        let decompressed = if format == Format::KernelConfig {
            match panicpol_kernel::config::config_text(&bytes) {
                Ok(std::borrow::Cow::Owned(text)) => Some(text),
                Ok(std::borrow::Cow::Borrowed(_)) => None,
                Err(e) => {
                    self.problem(
                        shown,
                        IssueKind::Binary,
                        format!("a compressed kernel config that cannot be read ({e}); skipped"),
                    );
                    return None;
                }
            }
        } else {
            None
        };
        let bytes = decompressed.unwrap_or(bytes);
        if let Some(why) = binary_reason(&bytes) {
            // A command line may hold a stray NUL (PP103 reports it); other
            // formats are text.
            let stray_nul = format == Format::Cmdline
                && !why.starts_with("an ")
                && !why.ends_with("data")
                && bytes.iter().filter(|&&b| b == 0).count() <= 8;
            if !stray_nul {
                self.problem(
                    shown,
                    IssueKind::Binary,
                    format!("looks like {why}, not a {format} file; skipped"),
                );
                return None;
            }
        }
        // A raw command line is at most COMMAND_LINE_SIZE bytes (2048 on x86
        // and arm64, at most 1 MiB on s390): anything much larger is not one,
        // and token-per-token output of millions of tokens would cost gigabytes.
        if matches!(format, Format::Cmdline | Format::KernelCmdline)
            && bytes.len() > MAX_CMDLINE_FILE
        {
            self.problem(
                shown,
                IssueKind::Io,
                format!(
                    "{} bytes: longer than any kernel accepts (at most {} KiB here); not a command line",
                    bytes.len(),
                    MAX_CMDLINE_FILE >> 10
                ),
            );
            return None;
        }
        if format == Format::Cmdline && bytes.iter().all(u8::is_ascii_whitespace) {
            self.problem(
                shown,
                IssueKind::Io,
                "empty; there is no command line to check",
            );
            return None;
        }
        self.readable += 1;
        let id = self.add_text(shown.to_string(), bytes, layer_of(format));
        self.found.push(Found {
            path: shown.to_string(),
            format,
            file: Some(id),
            note: None,
        });
        Some(id)
    }

    pub(crate) fn text(&self, id: FileId) -> &[u8] {
        self.map
            .get(id)
            .map(|f| f.text.as_slice())
            .unwrap_or_default()
    }

    /// Reads one file in a given format (the `check FILE` path).
    pub(crate) fn add_path(&mut self, path: &Path, format: Format) {
        let shown = path.display().to_string();
        match format {
            Format::Uki => self.add_uki(path, &shown, Vec::new()),
            Format::Initrd => match self.initrd_bootconfig(path, &shown) {
                Some(Ok(bc)) => self.bootconfigs.push(bc),
                Some(Err((msg, file))) => self.problems.push(Issue::new(
                    IssueKind::Syntax,
                    file,
                    0..0,
                    format!("the kernel rejects the attached bootconfig: {msg}"),
                )),
                None => self.found.push(Found {
                    path: shown,
                    format: Format::Initrd,
                    file: None,
                    note: Some("no bootconfig attached".into()),
                }),
            },
            _ => {
                let read = fs::read_limited(path, fs::TEXT_LIMIT);
                let Some(id) = self.text_file(&shown, read, format, false) else {
                    return;
                };
                self.add_text_format(id, format, &shown, 0, None);
            }
        }
    }

    /// Interprets a text file already in the map. `prio` and `masked_by`
    /// matter for sysctl.d and tmpfiles.d files only.
    pub(crate) fn add_text_format(
        &mut self,
        id: FileId,
        format: Format,
        shown: &str,
        _prio: usize,
        masked_by: Option<FileId>,
    ) {
        let text = self.text(id).to_vec();
        match format {
            Format::Cmdline => self.cmdlines.push(id),
            Format::GrubDefault => self.grub_defaults.push(id),
            Format::GrubCfg => {
                let cfg = grub_cfg::parse(id, &text);
                self.problems.extend(cfg.issues.iter().cloned());
                self.grub_cfg = Some(cfg);
            }
            Format::Grubenv => {
                let env = grubenv::parse(id, &text);
                self.problems.extend(env.issues.iter().cloned());
                self.grubenv = Some(env);
                self.grubenv_file = Some(id);
            }
            Format::Bls => {
                let entry = bls::parse(id, &text, self.systemd_boot);
                self.problems.extend(entry.issues.iter().cloned());
                let partition = shown
                    .find("/loader/entries/")
                    .map(|i| shown.get(..i).unwrap_or_default().to_string())
                    .unwrap_or_default();
                let name = shown.rsplit('/').next().unwrap_or(shown).to_string();
                self.bls.push(BlsInput {
                    entry,
                    name,
                    partition,
                });
            }
            Format::KernelCmdline => {
                let k = kernel_install::parse(id, &text);
                self.problems.extend(k.issues.iter().cloned());
                self.kernel_cmdline = Some((id, k));
            }
            Format::Bootconfig => {
                let bc = bootconfig_source::read(id, &text);
                self.bootconfigs.push(bc);
            }
            Format::KernelConfig => {
                let release = shown
                    .rsplit('/')
                    .next()
                    .and_then(|n| n.strip_prefix("config-"))
                    .map(str::to_string);
                self.kconfigs.push(KconfigInput {
                    file: id,
                    release,
                    config: kconfig_cmdline::parse(id, &text),
                });
            }
            Format::SysctlD => {
                let f = sysctl_d::parse(id, &text);
                self.problems.extend(f.issues.iter().cloned());
                for l in f.lines {
                    let paths: Vec<String> = if l.glob {
                        PANIC_SYSCTLS
                            .iter()
                            .filter(|p| sysctl_d::glob_matches(&l.path, p))
                            .map(|p| p.to_string())
                            .collect()
                    } else {
                        vec![l.path.clone()]
                    };
                    for path in paths {
                        if !path.starts_with("kernel/") {
                            continue;
                        }
                        self.runtime.push(RuntimeSetting {
                            source: RuntimeSource::SysctlD,
                            target: RuntimeTarget::Sysctl { path },
                            value: l.value.clone(),
                            key_at: (id, l.key_span.clone()),
                            value_at: (id, l.value_span.clone()),
                            ignore_failure: l.ignore_failure,
                            ignored: masked_by.map(Ignored::MaskedBy),
                        });
                    }
                }
            }
            Format::Tmpfiles => {
                let f = tmpfiles::parse(id, &text);
                self.problems.extend(f.issues.iter().cloned());
                for w in f.writes {
                    let Some(target) = RuntimeTarget::from_path(&w.path) else {
                        continue;
                    };
                    let relevant = match &target {
                        RuntimeTarget::Sysctl { path } => path.starts_with("kernel/"),
                        RuntimeTarget::ModuleParam { module, .. } => module == "kernel",
                    };
                    if !relevant {
                        continue;
                    }
                    // systemd-tmpfiles applies the first line for a path.
                    let first: Option<Loc> = self
                        .runtime
                        .iter()
                        .find(|s| {
                            s.source == RuntimeSource::Tmpfiles
                                && s.target == target
                                && s.ignored.is_none()
                        })
                        .map(|s| s.key_at.clone());
                    let ignored = masked_by
                        .map(Ignored::MaskedBy)
                        .or(first.map(Ignored::DuplicateOf));
                    self.runtime.push(RuntimeSetting {
                        source: RuntimeSource::Tmpfiles,
                        target,
                        value: w.argument,
                        key_at: (id, w.path_span),
                        value_at: (id, w.argument_span),
                        ignore_failure: false,
                        ignored,
                    });
                }
            }
            Format::Uki | Format::Initrd => {}
        }
    }

    /// Reads a UKI and its add-ons (given as host paths with shown names).
    pub(crate) fn add_uki(
        &mut self,
        path: &Path,
        shown: &str,
        addons: Vec<(std::path::PathBuf, String)>,
    ) {
        let info = match uki::read(path) {
            Ok(i) => i,
            Err(e) => {
                self.problem(shown, uki_issue(&e), format!("cannot read the UKI: {e}"));
                return;
            }
        };
        self.readable += 1;
        let pe = self.map.add(SourceFile::new(shown, Vec::new(), Layer::Uki));
        let cmdline = info
            .cmdline
            .as_ref()
            .map(|c| self.add_text(format!("{shown}:.cmdline"), c.clone(), Layer::Uki));
        self.found.push(Found {
            path: shown.to_string(),
            format: Format::Uki,
            file: cmdline,
            note: None,
        });
        let mut addon_ids = Vec::new();
        for (p, s) in addons {
            match uki::read(&p) {
                Ok(a) => {
                    self.readable += 1;
                    if let Some(c) = a.cmdline {
                        let id = self.add_text(format!("{s}:.cmdline"), c, Layer::Uki);
                        addon_ids.push(id);
                        self.found.push(Found {
                            path: s,
                            format: Format::Uki,
                            file: Some(id),
                            note: Some("add-on: its .cmdline is appended".into()),
                        });
                    }
                }
                Err(e) => self.problem(&s, uki_issue(&e), format!("cannot read the add-on: {e}")),
            }
        }
        // A bootconfig attached to the embedded initrd, as `initrd attach`
        // would leave it before `ukify build --initrd`.
        let initrd_bootconfig = match info.initrd_tail.as_deref().map(panicpol_emit::initrd::read) {
            Some(Ok(Some(f))) => info.initrd_tail.as_deref().map(|tail| {
                let data = panicpol_emit::initrd::footer_data(tail, &f).to_vec();
                let text = panicpol_emit::initrd::footer_text(tail, &f).to_vec();
                let id = self.add_text(
                    format!("{shown}:.initrd:bootconfig"),
                    text,
                    Layer::Bootconfig,
                );
                bootconfig_source::read(id, &data)
            }),
            Some(Err(e)) => {
                self.problem(
                    shown,
                    IssueKind::Syntax,
                    format!(
                        "the bootconfig footer of the embedded initrd (.initrd) is unusable: {e}"
                    ),
                );
                None
            }
            _ => None,
        };
        self.ukis.push(UkiInput {
            pe,
            cmdline,
            name: shown.to_string(),
            info,
            addons: addon_ids,
            initrd_bootconfig,
        });
    }

    /// The bootconfig attached to an initrd: `None` when there is none,
    /// `Err` (with the reason, already recorded) when the kernel would
    /// reject the footer.
    pub(crate) fn initrd_bootconfig(&mut self, path: &Path, shown: &str) -> InitrdRead {
        if let Some(done) = self.initrds.get(path) {
            return done.clone();
        }
        let got = self.read_initrd(path, shown);
        self.initrds.insert(path.to_path_buf(), got.clone());
        got
    }

    fn read_initrd(&mut self, path: &Path, shown: &str) -> InitrdRead {
        use panicpol_emit::initrd as footer;
        let want = (panicpol_syntax::bootconfig::XBC_DATA_MAX
            + footer::FOOTER_LEN
            + footer::MAX_TRAILING
            + 8) as u64;
        let (tail, _) = match fs::read_tail(path, want) {
            Ok(t) => t,
            Err(e) => {
                self.fs_problem(shown, &e, true);
                return None;
            }
        };
        self.readable += 1;
        match footer::read(&tail) {
            Ok(None) => None,
            Ok(Some(f)) => {
                let data = footer::footer_data(&tail, &f).to_vec();
                let text = footer::footer_text(&tail, &f).to_vec();
                let id = self.add_text(format!("{shown}:bootconfig"), text, Layer::Bootconfig);
                self.found.push(Found {
                    path: shown.to_string(),
                    format: Format::Initrd,
                    file: Some(id),
                    note: Some("a bootconfig is attached".into()),
                });
                Some(Ok(bootconfig_source::read(id, &data)))
            }
            Err(e) => {
                let pe = self
                    .map
                    .add(SourceFile::new(shown, Vec::new(), Layer::Bootconfig));
                Some(Err((e.to_string(), pe)))
            }
        }
    }
}
