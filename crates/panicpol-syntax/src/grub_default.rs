//! `/etc/default/grub` and `/etc/default/grub.d/*.cfg` as `grub-mkconfig`
//! uses them: the files are sourced in order (the main file, then the
//! drop-ins in the order of the shell glob `grub.d/*.cfg`), and the
//! `10_linux` script then writes, for every kernel,
//!
//! - normal entries: `linux … root=… ro ${GRUB_CMDLINE_LINUX}
//!   ${GRUB_CMDLINE_LINUX_DEFAULT}`;
//! - recovery entries (unless `GRUB_DISABLE_RECOVERY=true`):
//!   `… single ${GRUB_CMDLINE_LINUX}` on Debian and upstream, `…
//!   ${GRUB_CMDLINE_LINUX_RECOVERY} ${GRUB_CMDLINE_LINUX}` on Ubuntu, whose
//!   `10_linux` sets that variable itself (`recovery nomodeset
//!   dis_ucode_ldr` when friendly-recovery is installed).
//!
//! The arguments are pasted into `grub.cfg` unquoted, so GRUB reads them
//! again as script words at boot ([`crate::grub_script`]): shell quotes that
//! survived in a value become GRUB quotes, and a `$` becomes a GRUB
//! variable. [`GrubDefaults::entries`] returns the command line of each kind
//! of entry with every byte traced to the file it was written in.
//!
//! `root=…`, `ro` and `BOOT_IMAGE=` are added by `10_linux` and GRUB from
//! facts of the running system (the root device, the kernel path); they are
//! not in these files and are not part of what is returned here.

use panicpol_diagnostics::FileId;

use crate::compose::Builder;
use crate::grub_script;
use crate::issue::{Issue, IssueKind};
use crate::provenance::Composed;
use crate::shell::{Assignment, Loc, Shell};

/// The variable every Linux entry gets.
pub const CMDLINE_LINUX: &str = "GRUB_CMDLINE_LINUX";
/// The variable only normal (non-recovery) entries get.
pub const CMDLINE_LINUX_DEFAULT: &str = "GRUB_CMDLINE_LINUX_DEFAULT";

/// Variables `grub-mkconfig` defines before sourcing, and documented
/// settings that are commonly used while unset: expanding them unset is not
/// reported.
pub const QUIET_UNSET: &[&str] = &[
    "GRUB_DEVICE",
    "GRUB_DEVICE_UUID",
    "GRUB_DEVICE_PARTUUID",
    "GRUB_DEVICE_BOOT",
    "GRUB_DEVICE_BOOT_UUID",
    "GRUB_DISABLE_OS_PROBER",
    "GRUB_FS",
    "GRUB_EARLY_INITRD_LINUX_STOCK",
    "GRUB_CMDLINE_LINUX",
    "GRUB_CMDLINE_LINUX_DEFAULT",
    "GRUB_CMDLINE_LINUX_RECOVERY",
    "GRUB_CMDLINE_XEN",
    "GRUB_CMDLINE_XEN_DEFAULT",
    "GRUB_DISTRIBUTOR",
    "GRUB_TIMEOUT",
    "GRUB_DEFAULT",
    "GRUB_TERMINAL",
    "GRUB_SERIAL_COMMAND",
    "pkgdatadir",
    "sysconfdir",
    "prefix",
    "exec_prefix",
    "datarootdir",
    "datadir",
];

/// Whose `10_linux` writes the entries: it decides the recovery arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Flavor {
    /// Upstream GRUB and Debian: recovery entries get `single`.
    #[default]
    Debian,
    /// Ubuntu: recovery entries get `recovery nomodeset dis_ucode_ldr`.
    Ubuntu,
}

impl Flavor {
    /// The words `10_linux` puts before `${GRUB_CMDLINE_LINUX}` in a
    /// recovery entry.
    pub fn recovery_words(self) -> &'static [u8] {
        match self {
            Flavor::Debian => b"single",
            Flavor::Ubuntu => b"recovery nomodeset dis_ucode_ldr",
        }
    }
}

/// The kinds of entry `10_linux` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryKind {
    /// The normal entries (the top-level one and "Advanced options").
    Normal,
    /// The "(recovery mode)" entries.
    Recovery,
}

/// One kind of entry: the arguments `10_linux` writes after `ro`, as the
/// kernel will receive them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Normal or recovery.
    pub kind: EntryKind,
    /// The arguments after GRUB read them as script words and its loader
    /// re-quoted them (no `BOOT_IMAGE=`, `root=` or `ro`).
    pub args: Composed,
    /// The same text as `grub-mkconfig` pastes it into `grub.cfg`.
    pub pasted: Composed,
    /// GRUB variables in the text that nothing defines.
    pub unresolved: Vec<(String, Option<Loc>)>,
}

/// A later assignment replaced (did not extend) a value set in another file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    /// The variable.
    pub var: String,
    /// The earlier assignment.
    pub earlier: Assignment,
    /// The assignment that replaced it.
    pub later: Assignment,
}

/// The sourced files and what `grub-mkconfig` would make of them.
#[derive(Debug, Clone)]
pub struct GrubDefaults {
    /// The shell state after sourcing every file.
    pub shell: Shell,
    /// Files in the order they were sourced.
    pub files: Vec<FileId>,
    /// Problems found while sourcing, and with the values that matter.
    pub issues: Vec<Issue>,
}

/// Orders drop-in file names as the shell glob `grub.d/*.cfg` does in the C
/// locale (byte order), keeping only names ending in `.cfg`.
pub fn dropin_order(names: &mut Vec<String>) {
    names.retain(|n| n.ends_with(".cfg") && !n.starts_with('.'));
    names.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
}

impl GrubDefaults {
    /// Sources the files, given in `grub-mkconfig`'s order.
    pub fn source(files: &[(FileId, &[u8])]) -> GrubDefaults {
        let mut shell = Shell::new();
        shell.quiet_unset(QUIET_UNSET.iter().copied());
        let mut issues = Vec::new();
        for (id, text) in files {
            issues.extend(shell.source(*id, text));
        }
        let mut d = GrubDefaults {
            shell,
            files: files.iter().map(|(id, _)| *id).collect(),
            issues,
        };
        d.value_issues();
        d
    }

    /// Issues about the values that reach the kernel: unknown parts,
    /// variables nothing defines, conditional assignments.
    fn value_issues(&mut self) {
        let mut out = Vec::new();
        for a in self.shell.assignments() {
            if a.name != CMDLINE_LINUX && a.name != CMDLINE_LINUX_DEFAULT {
                continue;
            }
            if a.conditional {
                out.push(Issue::new(
                    IssueKind::Unsupported,
                    a.file,
                    a.name_span.start..a.value_span.end,
                    format!(
                        "{} is assigned under a condition panicpol does not evaluate; it is assumed not to run (if it does, the value becomes {})",
                        a.name,
                        show(&a.value.text.text)
                    ),
                ));
            }
            if let Some((file, span)) = &a.value.unknown {
                out.push(Issue::new(
                    IssueKind::Unsupported,
                    *file,
                    span.clone(),
                    format!(
                        "part of {} comes from a command panicpol does not run; that part is left out",
                        a.name
                    ),
                ));
            }
            for (name, (file, span)) in &a.unknown_refs {
                out.push(Issue::new(
                    IssueKind::UnknownVariable,
                    *file,
                    span.clone(),
                    format!("${name} is not set in any sourced file: it expands to nothing"),
                ));
            }
        }
        self.issues.extend(out);
    }

    /// A variable's value (empty when unset).
    pub fn value(&self, name: &str) -> Composed {
        self.shell
            .value(name)
            .map(|v| v.text.clone())
            .unwrap_or_default()
    }

    /// Whether `GRUB_DISABLE_RECOVERY` is `true` (the only value
    /// `10_linux` tests for).
    pub fn recovery_disabled(&self) -> bool {
        self.value("GRUB_DISABLE_RECOVERY").text == b"true"
    }

    /// Whether `GRUB_ENABLE_BLSCFG` is `true` (Fedora, RHEL): the entries
    /// are then BLS files, not menu entries written by `10_linux`.
    pub fn bls_enabled(&self) -> bool {
        self.value("GRUB_ENABLE_BLSCFG").text == b"true"
    }

    /// The later assignments that replaced a value of `var` set in another
    /// file (drop-ins overriding the main file).
    pub fn overrides(&self, var: &str) -> Vec<Override> {
        let mut out = Vec::new();
        let mut last: Option<&Assignment> = None;
        for a in self.shell.assignments() {
            if a.name != var || a.conditional {
                continue;
            }
            if let Some(prev) = last
                && prev.file != a.file
                && !a.refs_self
            {
                out.push(Override {
                    var: var.to_string(),
                    earlier: prev.clone(),
                    later: a.clone(),
                });
            }
            last = Some(a);
        }
        out
    }

    /// The command-line arguments of each kind of entry. `grub_vars` gives
    /// GRUB variables known at boot (from grub.cfg or grubenv).
    pub fn entries(
        &self,
        flavor: Flavor,
        grub_vars: &dyn Fn(&str) -> Option<Composed>,
    ) -> Vec<Entry> {
        let linux = self.value(CMDLINE_LINUX);
        let default = self.value(CMDLINE_LINUX_DEFAULT);
        let mut normal = Builder::new();
        normal.append_all(&linux);
        normal.synthetic(b" ");
        normal.append_all(&default);
        let mut out = vec![self.entry(EntryKind::Normal, normal.finish(), grub_vars)];
        if !self.recovery_disabled() {
            let mut rec = Builder::new();
            rec.synthetic(flavor.recovery_words());
            rec.synthetic(b" ");
            rec.append_all(&linux);
            out.push(self.entry(EntryKind::Recovery, rec.finish(), grub_vars));
        }
        out
    }

    fn entry(
        &self,
        kind: EntryKind,
        pasted: Composed,
        grub_vars: &dyn Fn(&str) -> Option<Composed>,
    ) -> Entry {
        let (tokens, _) = grub_script::lex(&pasted);
        let words = grub_script::words_of(&tokens);
        let mut unresolved = Vec::new();
        let args = grub_script::expand(&words, &pasted, grub_vars, &mut unresolved);
        Entry {
            kind,
            args: grub_script::loader_cmdline(None, &args),
            unresolved: unresolved
                .into_iter()
                .map(|u| (u.name, pasted.locate(&u.span)))
                .collect(),
            pasted,
        }
    }
}

fn show(b: &[u8]) -> String {
    let s = String::from_utf8_lossy(b);
    let s = s.trim();
    if s.is_empty() {
        "empty".into()
    } else {
        format!("`{s}`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAIN: &str = "# If you change this file, run 'update-grub' afterwards to update\n\
GRUB_DEFAULT=0\n\
GRUB_TIMEOUT=5\n\
GRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`\n\
GRUB_CMDLINE_LINUX_DEFAULT=\"quiet panic=10\"\n\
GRUB_CMDLINE_LINUX=\"console=tty0 console=ttyS0,115200\"\n";

    const CLOUD: &str = "# Set the default commandline\n\
GRUB_CMDLINE_LINUX_DEFAULT=\"console=tty1 console=ttyS0\"\n";

    const KDUMP: &str =
        "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT crashkernel=384M-:128M\"\n";

    fn text(c: &Composed) -> String {
        String::from_utf8_lossy(&c.text).into_owned()
    }

    #[test]
    fn entries_and_provenance() {
        let d = GrubDefaults::source(&[(FileId(0), MAIN.as_bytes())]);
        assert!(d.issues.is_empty(), "{:?}", d.issues);
        let e = d.entries(Flavor::Debian, &|_| None);
        assert_eq!(e.len(), 2);
        assert_eq!(
            text(&e[0].args),
            "console=tty0 console=ttyS0,115200 quiet panic=10"
        );
        assert_eq!(text(&e[1].args), "single console=tty0 console=ttyS0,115200");
        let p = MAIN.find("panic=10").expect("panic");
        let at = text(&e[0].args).find("panic=10").expect("panic");
        assert_eq!(e[0].args.locate(&(at..at + 8)), Some((FileId(0), p..p + 8)));
        // `single` comes from 10_linux, not from a file.
        assert_eq!(e[1].args.locate(&(0..6)), None);
        let e = d.entries(Flavor::Ubuntu, &|_| None);
        assert!(text(&e[1].args).starts_with("recovery nomodeset dis_ucode_ldr console=tty0"));
    }

    #[test]
    fn dropin_override_and_append() {
        let d = GrubDefaults::source(&[
            (FileId(0), MAIN.as_bytes()),
            (FileId(1), CLOUD.as_bytes()),
            (FileId(2), KDUMP.as_bytes()),
        ]);
        let e = d.entries(Flavor::Ubuntu, &|_| None);
        assert_eq!(
            text(&e[0].args),
            "console=tty0 console=ttyS0,115200 console=tty1 console=ttyS0 crashkernel=384M-:128M"
        );
        let o = d.overrides(CMDLINE_LINUX_DEFAULT);
        assert_eq!(o.len(), 1, "the kdump append is not an override");
        assert_eq!(o[0].earlier.file, FileId(0));
        assert_eq!(o[0].later.file, FileId(1));
        assert!(d.overrides(CMDLINE_LINUX).is_empty());
        let c = text(&e[0].args).find("crashkernel").expect("ck");
        assert_eq!(e[0].args.locate(&(c..c + 11)).map(|l| l.0), Some(FileId(2)));
    }

    #[test]
    fn quotes_and_grub_variables_survive_into_grub() {
        let d = GrubDefaults::source(&[(
            FileId(0),
            b"GRUB_CMDLINE_LINUX='dyndbg=\"file a.c +p\" $vt_handoff'\nGRUB_DISABLE_RECOVERY=true\n",
        )]);
        let e = d.entries(Flavor::Debian, &|_| None);
        assert_eq!(e.len(), 1);
        assert_eq!(text(&e[0].args), "\"dyndbg=file a.c +p\"");
        assert_eq!(e[0].unresolved.len(), 1);
        assert_eq!(e[0].unresolved[0].0, "vt_handoff");
        let v = Composed::single(FileId(9), b"vt.handoff=7", 0);
        let e = d.entries(Flavor::Debian, &|n| (n == "vt_handoff").then(|| v.clone()));
        assert_eq!(text(&e[0].args), "\"dyndbg=file a.c +p\" vt.handoff=7");
    }

    #[test]
    fn issues_for_values_that_matter() {
        // (file, issue kinds)
        let cases: &[(&str, &[IssueKind])] = &[
            (
                "GRUB_CMDLINE_LINUX=\"$(cat /x) ro\"\n",
                &[IssueKind::Unsupported],
            ),
            (
                "GRUB_CMDLINE_LINUX=\"$MYOPTS ro\"\n",
                &[IssueKind::UnknownVariable],
            ),
            ("GRUB_CMDLINE_LINUX=\"$GRUB_CMDLINE_LINUX ro\"\n", &[]),
            ("GRUB_DISTRIBUTOR=`x`\nFOO=$BAR\n", &[]),
            (
                "if x; then GRUB_CMDLINE_LINUX=\"a\"; fi\n",
                &[IssueKind::Unsupported],
            ),
            ("GRUB_CMDLINE_LINUX=\"ro\n", &[IssueKind::Syntax]),
        ];
        for (file, kinds) in cases {
            let d = GrubDefaults::source(&[(FileId(0), file.as_bytes())]);
            let got: Vec<_> = d.issues.iter().map(|i| i.kind).collect();
            assert_eq!(got, *kinds, "{file:?}");
        }
    }

    #[test]
    fn dropin_glob_order() {
        let mut names = vec![
            "init-select.cfg".to_string(),
            "50-cloudimg-settings.cfg".into(),
            "40-force-partuuid.cfg".into(),
            "README".into(),
            "Z.cfg".into(),
            ".hidden.cfg".into(),
        ];
        dropin_order(&mut names);
        assert_eq!(
            names,
            [
                "40-force-partuuid.cfg",
                "50-cloudimg-settings.cfg",
                "Z.cfg",
                "init-select.cfg"
            ]
        );
    }
}
