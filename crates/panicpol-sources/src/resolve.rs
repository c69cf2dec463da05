//! From what was read to boot entries: every way the machine boots, with
//! the command line the kernel receives (each byte traced to its file), the
//! built-in command line and bootconfig that change it, the runtime files
//! that change panic settings after boot, and the layering facts.

use std::collections::BTreeMap;
use std::path::Path;

use panicpol_diagnostics::FileId;
use panicpol_syntax::cmdline::tokenize;
use panicpol_syntax::compose::Builder;
use panicpol_syntax::entry::{BootEntry, Builtin, EntryKind, Fact, Loc, Origin};
use panicpol_syntax::grub_default::{self, CMDLINE_LINUX, CMDLINE_LINUX_DEFAULT, GrubDefaults};
use panicpol_syntax::kconfig_cmdline::Mode;
use panicpol_syntax::provenance::Composed;
use panicpol_syntax::{grub_default::EntryKind as GrubKind, grub_script};

use crate::fs::Root;
use crate::inputs::{Inputs, KconfigInput};

/// Re-points the tokens of `actual` that spell `template`'s tokens in order
/// (a contiguous run) at the template's provenance. `None` when the run is
/// not there.
pub(crate) fn remap(actual: &Composed, template: &Composed) -> Option<Composed> {
    let a = tokenize(&actual.text);
    let t = tokenize(&template.text);
    let n = t.tokens.len();
    if n == 0 {
        return Some(actual.clone());
    }
    let raw = |c: &Composed, s: &std::ops::Range<usize>| {
        c.text.get(s.clone()).unwrap_or_default().to_vec()
    };
    let start = (0..=a.tokens.len().checked_sub(n)?).find(|&i| {
        t.tokens.iter().enumerate().all(|(k, tt)| {
            a.tokens
                .get(i + k)
                .is_some_and(|at| raw(actual, &at.span) == raw(template, &tt.span))
        })
    })?;
    let mut b = Builder::new();
    let mut pos = 0;
    for k in 0..n {
        let (Some(at), Some(tt)) = (a.tokens.get(start + k), t.tokens.get(k)) else {
            break;
        };
        b.append(actual, pos..at.span.start);
        // A word the generator itself wrote (`single`) keeps its place in
        // the generated file.
        if template.locate(&tt.span).is_some() {
            b.append(template, tt.span.clone());
        } else {
            b.append(actual, at.span.clone());
        }
        pos = at.span.end;
    }
    b.append(actual, pos..actual.text.len());
    Some(b.finish())
}

/// The release in a kernel path (`/boot/vmlinuz-6.1.0-18-amd64`).
fn release_of(path: &[u8]) -> Option<String> {
    let s = String::from_utf8_lossy(path);
    let name = s.rsplit('/').next()?;
    let rel = name
        .strip_prefix("vmlinuz-")
        .or_else(|| name.strip_prefix("vmlinux-"))
        .or_else(|| name.strip_prefix("kernel-"))?;
    (!rel.is_empty()).then(|| rel.to_string())
}

fn whole(id: FileId) -> Loc {
    (id, 0..0)
}

struct Ctx<'a> {
    inp: &'a mut Inputs,
    root: Option<&'a Root>,
    entries: Vec<BootEntry>,
    /// Initrd paths of each entry (by index), resolved later.
    initrds: Vec<(usize, Vec<String>)>,
}

/// Builds the entries. `root` is the tree (for initrds referenced by
/// entries); `None` when files were named one by one.
pub(crate) fn resolve(
    inp: &mut Inputs,
    root: Option<&Root>,
    user_config: Option<usize>,
) -> Vec<BootEntry> {
    let mut cx = Ctx {
        inp,
        root,
        entries: Vec::new(),
        initrds: Vec::new(),
    };
    cx.cmdlines();
    let defaults = cx.grub_defaults();
    let globals = cx.grub_globals();
    cx.grub_cfg_entries(defaults.as_ref(), &globals);
    cx.bls_entries(&globals);
    cx.bls_kind_facts();
    cx.kernel_install_entry();
    cx.uki_entries();
    if let Some(d) = &defaults
        && !cx
            .entries
            .iter()
            .any(|e| matches!(e.origin, Origin::GrubCfg { .. }))
        && !(d.bls_enabled()
            && cx
                .entries
                .iter()
                .any(|e| matches!(e.origin, Origin::Bls { .. })))
    {
        cx.grub_default_entries(d, &globals);
    }
    if let Some(d) = &defaults {
        cx.layering_facts(d);
    }
    cx.placeholder();
    cx.builtin(user_config);
    cx.bootconfig();
    let runtime = cx.inp.runtime.clone();
    crate::cap_problems(&mut cx.inp.problems);
    let issues = cx.inp.problems.clone();
    for e in &mut cx.entries {
        e.runtime = runtime.clone();
        e.issues.extend(issues.iter().cloned());
    }
    cx.entries
}

/// What follows a UKI's embedded initrd in the initrd systemd-stub passes
/// on (src/boot/stub.c: the `.initrd` section, then the cpio archives it
/// generates — credentials, sysexts, confexts, `.pcrsig`, `.pcrpkey`, and
/// from 257 `.osrel` and `.profile` — each padded to 4 bytes from 256):
/// the sections of this image that put an archive after it at every boot.
fn uki_initrd_bootconfig(info: &crate::uki::UkiInfo, at: FileId) -> Fact {
    let has = |name: &str| info.sections.iter().any(|s| s == name);
    let always: Vec<String> = [".pcrsig", ".pcrpkey"]
        .into_iter()
        .filter(|s| has(s))
        .map(str::to_string)
        .collect();
    let from_257: Vec<String> = [".osrel", ".profile"]
        .into_iter()
        .filter(|s| has(s))
        .map(str::to_string)
        .collect();
    let (after, after_from_257) = match info.stub_major() {
        Some(v) if v >= 257 => ([always, from_257].concat(), Vec::new()),
        Some(_) => (always, Vec::new()),
        None => (always, from_257),
    };
    Fact::UkiInitrdBootconfig {
        at: whole(at),
        stub: info.stub_version.clone(),
        after,
        after_from_257,
        zero_fill: info.initrd_zero_fill,
    }
}

/// The running kernel's command line, as the kernel composed it.
const LIVE_CMDLINE: &str = "/proc/cmdline";

impl Ctx<'_> {
    fn push(&mut self, e: BootEntry, initrds: Vec<String>) {
        self.entries.push(e);
        self.initrds.push((self.entries.len() - 1, initrds));
    }

    fn cmdlines(&mut self) {
        for id in self.inp.cmdlines.clone() {
            let text = self.inp.text(id);
            // /proc/cmdline ends with a newline the kernel's string does not.
            let mut end = text.len();
            while end > 0 && matches!(text.get(end - 1), Some(b'\n' | b'\r')) {
                end -= 1;
            }
            let c = Composed::single(id, text.get(..end).unwrap_or_default(), 0);
            let name = self
                .inp
                .map
                .get(id)
                .map(|f| f.name.clone())
                .unwrap_or_default();
            self.push(BootEntry::plain(name, Origin::Cmdline, id, c), Vec::new());
        }
    }

    fn grub_defaults(&mut self) -> Option<GrubDefaults> {
        if self.inp.grub_defaults.is_empty() {
            return None;
        }
        let files: Vec<(FileId, Vec<u8>)> = self
            .inp
            .grub_defaults
            .iter()
            .map(|&id| (id, self.inp.text(id).to_vec()))
            .collect();
        let refs: Vec<(FileId, &[u8])> = files.iter().map(|(id, t)| (*id, t.as_slice())).collect();
        let d = GrubDefaults::source(&refs);
        self.inp.problems.extend(d.issues.iter().cloned());
        Some(d)
    }

    /// GRUB's variables as the menu sees them (grubenv + grub.cfg).
    fn grub_globals(&self) -> BTreeMap<String, Composed> {
        let env = self.inp.grubenv.as_ref().map(|e| e.values());
        match &self.inp.grub_cfg {
            Some(cfg) => cfg.globals(env.as_ref()),
            // Without a grub.cfg, a grubenv still is what load_env reads.
            None => env.unwrap_or_default(),
        }
    }

    fn looked_in(&self) -> Vec<String> {
        let name = |id: FileId| self.inp.map.get(id).map(|f| f.name.clone());
        let mut v = Vec::new();
        v.extend(self.inp.grub_cfg.as_ref().and_then(|c| name(c.file)));
        match self.inp.grubenv_file {
            Some(id) => v.extend(name(id)),
            None => v.push("grubenv (none found)".to_string()),
        }
        v
    }

    fn grub_cfg_entries(
        &mut self,
        defaults: Option<&GrubDefaults>,
        globals: &BTreeMap<String, Composed>,
    ) {
        let Some(cfg) = self.inp.grub_cfg.clone() else {
            return;
        };
        let expected: Vec<grub_default::Entry> = defaults
            .filter(|d| !d.bls_enabled())
            .map(|d| d.entries(self.inp.flavor, &|n| globals.get(n).cloned()))
            .unwrap_or_default();
        let looked_in = self.looked_in();
        for e in &cfg.entries {
            let Some((cmdline, unresolved)) = cfg.cmdline(e, globals) else {
                continue;
            };
            let kind = if e.recovery {
                EntryKind::Recovery
            } else {
                EntryKind::Normal
            };
            let mut title = e.submenus.clone();
            title.push(e.title.clone());
            let title = title.join(">");
            let mut entry = BootEntry::plain(
                format!("grub.cfg: {title}"),
                Origin::GrubCfg {
                    title: title.clone(),
                },
                cfg.file,
                cmdline.clone(),
            );
            entry.kind = kind;
            entry.release = e
                .linux
                .as_ref()
                .and_then(|l| l.words.first())
                .and_then(|w| release_of(&w.text(&cfg.src.text)));
            let want = if e.recovery {
                GrubKind::Recovery
            } else {
                GrubKind::Normal
            };
            if let Some(exp) = expected.iter().find(|x| x.kind == want) {
                match remap(&cmdline, &exp.args) {
                    Some(c) => {
                        entry.bootloader = c.clone();
                        entry.cmdline = c;
                    }
                    None => {
                        if let Some(l) = &e.linux {
                            entry.facts.push(Fact::Stale {
                                at: (cfg.file, l.span.clone()),
                                expected: exp.args.clone(),
                                generator: "update-grub (grub-mkconfig) from /etc/default/grub"
                                    .into(),
                            });
                        }
                    }
                }
            }
            for u in unresolved {
                entry.facts.push(Fact::Unresolved {
                    at: cfg.src.locate(&u.span),
                    name: u.name,
                    looked_in: looked_in.clone(),
                    literal: false,
                });
            }
            let initrds = e
                .initrds
                .iter()
                .map(|p| String::from_utf8_lossy(p).into_owned())
                .collect();
            self.push(entry, initrds);
        }
    }

    fn grub_default_entries(&mut self, d: &GrubDefaults, globals: &BTreeMap<String, Composed>) {
        let Some(&main) = self.inp.grub_defaults.first() else {
            return;
        };
        let looked_in = self.looked_in();
        // The kernel grub-mkconfig would find: with one kernel in /boot, its
        // release and initrd (10_linux's first names: initrd.img-R,
        // initramfs-R.img).
        let kernels: Vec<String> = self
            .root
            .and_then(|r| r.list("/boot").ok())
            .unwrap_or_default()
            .into_iter()
            .filter_map(|n| n.strip_prefix("vmlinuz-").map(str::to_string))
            .collect();
        let release = (kernels.len() == 1)
            .then(|| kernels.first().cloned())
            .flatten();
        let initrds: Vec<String> = release
            .iter()
            .flat_map(|r| {
                [
                    format!("/boot/initrd.img-{r}"),
                    format!("/boot/initramfs-{r}.img"),
                ]
            })
            .filter(|p| self.root.is_some_and(|root| root.exists(p)))
            .take(1)
            .collect();
        for e in d.entries(self.inp.flavor, &|n| globals.get(n).cloned()) {
            let kind = match e.kind {
                GrubKind::Normal => EntryKind::Normal,
                GrubKind::Recovery => EntryKind::Recovery,
            };
            let name = match kind {
                EntryKind::Normal => "grub defaults: normal entries",
                EntryKind::Recovery => "grub defaults: recovery entries",
            };
            let mut entry = BootEntry::plain(name, Origin::GrubDefaults, main, e.args.clone());
            entry.kind = kind;
            entry.release = release.clone();
            for (n, at) in e.unresolved {
                entry.facts.push(Fact::Unresolved {
                    name: n,
                    at,
                    looked_in: looked_in.clone(),
                    literal: false,
                });
            }
            self.push(entry, initrds.clone());
        }
    }

    /// Override and normal-only facts for the entries GRUB defaults make.
    fn layering_facts(&mut self, d: &GrubDefaults) {
        let mut overrides = Vec::new();
        for var in [CMDLINE_LINUX, CMDLINE_LINUX_DEFAULT] {
            for o in d.overrides(var) {
                overrides.push(Fact::Override {
                    var: o.var,
                    earlier: (
                        o.earlier.file,
                        o.earlier.name_span.start..o.earlier.value_span.end,
                    ),
                    earlier_value: o.earlier.value.text,
                    later: (
                        o.later.file,
                        o.later.name_span.start..o.later.value_span.end,
                    ),
                    later_value: o.later.value.text,
                });
            }
        }
        let default = d.value(CMDLINE_LINUX_DEFAULT);
        let recovery = !d.recovery_disabled();
        for e in &mut self.entries {
            if !matches!(e.origin, Origin::GrubCfg { .. } | Origin::GrubDefaults) {
                continue;
            }
            e.facts.extend(overrides.iter().cloned());
            if recovery && e.kind == EntryKind::Normal && !default.text.is_empty() {
                e.facts.push(Fact::KindOnly {
                    kind: EntryKind::Normal,
                    source: CMDLINE_LINUX_DEFAULT.into(),
                    value: default.clone(),
                    sibling: "the recovery entries".into(),
                });
            }
        }
    }

    fn bls_entries(&mut self, globals: &BTreeMap<String, Composed>) {
        let grub = self
            .inp
            .grub_cfg
            .as_ref()
            .is_some_and(|c| c.blscfg.is_some())
            || (!self.inp.systemd_boot && self.inp.grubenv.is_some());
        let looked_in = self.looked_in();
        let template = self
            .inp
            .kernel_cmdline
            .as_ref()
            .map(|(_, k)| k.options.clone());
        for b in self.inp.bls.clone() {
            let e = &b.entry;
            let options = e.options();
            let linux = e.get("linux").map(|f| f.value.clone());
            let mut facts = Vec::new();
            let cmdline = if grub {
                let (tokens, _) = grub_script::lex(&options);
                let words = grub_script::words_of(&tokens);
                let mut unresolved = Vec::new();
                let args = grub_script::expand(
                    &words,
                    &options,
                    &|n| globals.get(n).cloned(),
                    &mut unresolved,
                );
                for u in unresolved {
                    facts.push(Fact::Unresolved {
                        at: options.locate(&u.span),
                        name: u.name,
                        looked_in: looked_in.clone(),
                        literal: false,
                    });
                }
                grub_script::loader_cmdline(linux.as_ref(), &args)
            } else {
                for t in tokenize(&options.text).tokens {
                    let raw = options.text.get(t.span.clone()).unwrap_or_default();
                    if raw.first() == Some(&b'$') {
                        facts.push(Fact::Unresolved {
                            name: String::from_utf8_lossy(raw.get(1..).unwrap_or_default())
                                .trim_matches(|c| c == '{' || c == '}')
                                .to_string(),
                            at: options.locate(&t.span),
                            looked_in: vec!["systemd-boot expands no variables".into()],
                            literal: true,
                        });
                    }
                }
                options.clone()
            };
            let cmdline = match &template {
                Some(t) if !grub => remap(&cmdline, t).unwrap_or(cmdline),
                _ => cmdline,
            };
            let title = e.text("title").unwrap_or_default();
            let recovery = b.name.contains("rescue")
                || title.to_lowercase().contains("rescue")
                || title.to_lowercase().contains("recovery");
            let mut entry = BootEntry::plain(
                format!("BLS: {}", b.name),
                Origin::Bls { grub },
                e.file,
                cmdline,
            );
            entry.kind = if recovery {
                EntryKind::Recovery
            } else {
                EntryKind::Normal
            };
            entry.release = e.text("version");
            entry.facts = facts;
            let initrds = e
                .all("initrd")
                .map(|f| {
                    let p = String::from_utf8_lossy(&f.value.text).into_owned();
                    format!(
                        "{}/{}",
                        b.partition,
                        p.split_whitespace()
                            .next()
                            .unwrap_or("")
                            .trim_start_matches('/')
                    )
                })
                .collect();
            self.push(entry, initrds);
        }
    }

    /// For each normal BLS entry, the parameters a rescue entry lacks (by
    /// name): a rescue boot does not get them.
    fn bls_kind_facts(&mut self) {
        let name_of = |c: &Composed, t: &panicpol_syntax::cmdline::Token| {
            t.name_bytes(&c.text)
                .iter()
                .map(|&b| if b == b'-' { b'_' } else { b })
                .collect::<Vec<u8>>()
        };
        let rescues: Vec<(String, Vec<Vec<u8>>)> = self
            .entries
            .iter()
            .filter(|e| matches!(e.origin, Origin::Bls { .. }) && e.kind == EntryKind::Recovery)
            .map(|e| {
                let names = tokenize(&e.cmdline.text)
                    .tokens
                    .iter()
                    .map(|t| name_of(&e.cmdline, t))
                    .collect();
                (e.name.clone(), names)
            })
            .collect();
        for e in &mut self.entries {
            if !matches!(e.origin, Origin::Bls { .. }) || e.kind != EntryKind::Normal {
                continue;
            }
            for (rescue, names) in &rescues {
                let mut b = Builder::new();
                for t in tokenize(&e.cmdline.text).tokens {
                    let n = name_of(&e.cmdline, &t);
                    if n == b"BOOT_IMAGE" || names.contains(&n) {
                        continue;
                    }
                    if !b.is_empty() {
                        b.synthetic(b" ");
                    }
                    b.append(&e.cmdline, t.span.clone());
                }
                if !b.is_empty() {
                    e.facts.push(Fact::KindOnly {
                        kind: EntryKind::Normal,
                        source: e.name.clone(),
                        value: b.finish(),
                        sibling: rescue.clone(),
                    });
                }
            }
        }
    }

    /// What `kernel-install` would write next, unless an existing entry
    /// already shows it.
    fn kernel_install_entry(&mut self) {
        let Some((id, k)) = self.inp.kernel_cmdline.clone() else {
            return;
        };
        let used = self
            .entries
            .iter()
            .any(|e| e.cmdline.pieces.iter().any(|p| p.file == id));
        if used {
            return;
        }
        let name = self
            .inp
            .map
            .get(id)
            .map(|f| f.name.clone())
            .unwrap_or_default();
        let entry = BootEntry::plain(
            format!("kernel-install: the next installed kernel ({name})"),
            Origin::KernelInstall,
            id,
            k.options,
        );
        self.push(entry, Vec::new());
    }

    fn uki_entries(&mut self) {
        for u in self.inp.ukis.clone() {
            let mut b = Builder::new();
            let mut facts = Vec::new();
            let text = u
                .cmdline
                .map(|id| Composed::single(id, self.inp.text(id), 0));
            match &text {
                Some(c) if !c.text.iter().all(u8::is_ascii_whitespace) => b.append_all(c),
                other => facts.push(Fact::EmptyUkiCmdline {
                    at: whole(u.pe),
                    present: other.is_some(),
                }),
            }
            for a in &u.addons {
                if !b.is_empty() {
                    b.synthetic(b" ");
                }
                b.append_all(&Composed::single(*a, self.inp.text(*a), 0));
            }
            let mut entry = BootEntry::plain(
                format!("UKI: {}", u.name),
                Origin::Uki,
                u.cmdline.unwrap_or(u.pe),
                b.finish(),
            );
            entry.release = u.info.uname.clone();
            if let Some(bc) = &u.initrd_bootconfig {
                let fact = uki_initrd_bootconfig(&u.info, bc.file);
                // Nothing sure to follow `.initrd`: the kernel finds the
                // bootconfig when the stub generates nothing at this boot.
                if !fact.buries_bootconfig() {
                    entry.bootconfig = Some(bc.clone());
                }
                facts.push(fact);
            }
            entry.facts = facts;
            self.push(entry, Vec::new());
        }
    }

    /// With nothing that boots, one entry with an empty command line, so the
    /// runtime files, bootconfig and built-in line are still checked.
    fn placeholder(&mut self) {
        if !self.entries.is_empty() {
            return;
        }
        let has_bootconfig = !self.inp.bootconfigs.is_empty();
        if !has_bootconfig && self.inp.runtime.is_empty() && self.inp.kconfigs.is_empty() {
            return;
        }
        let file = self
            .inp
            .bootconfigs
            .first()
            .map(|b| b.file)
            .or_else(|| self.inp.runtime.first().map(|r| r.key_at.0))
            .or_else(|| self.inp.kconfigs.first().map(|k| k.file))
            .unwrap_or(FileId(0));
        let mut c = Composed::default();
        if has_bootconfig {
            // A bootconfig checked on its own is checked as loaded.
            c.push_synthetic(b"bootconfig");
        }
        let name = if has_bootconfig {
            "bootconfig (as loaded with `bootconfig` on the command line)"
        } else {
            "no boot entry (settings only)"
        };
        self.push(BootEntry::plain(name, Origin::Cmdline, file, c), Vec::new());
    }

    fn config_for(&self, release: Option<&str>, user: Option<usize>) -> Option<KconfigInput> {
        let k = &self.inp.kconfigs;
        if let Some(i) = user {
            return k.get(i).cloned();
        }
        if let Some(r) = release
            && let Some(c) = k.iter().find(|c| c.release.as_deref() == Some(r))
        {
            return Some(c.clone());
        }
        (k.len() == 1).then(|| k.first().cloned()).flatten()
    }

    fn builtin(&mut self, user: Option<usize>) {
        for i in 0..self.entries.len() {
            let release = self.entries.get(i).and_then(|e| e.release.clone());
            let Some(k) = self.config_for(release.as_deref(), user) else {
                continue;
            };
            let c = &k.config;
            let loc = |name: &str| c.option(name).map(|o| (k.file, o.line.clone()));
            let Some(e) = self.entries.get_mut(i) else {
                continue;
            };
            e.boot_config_option = Some((c.enabled("BOOT_CONFIG"), loc("BOOT_CONFIG")));
            e.boot_config_force = Some((c.enabled("BOOT_CONFIG_FORCE"), loc("BOOT_CONFIG_FORCE")));
            let mode = c.mode();
            if mode == Mode::None {
                continue;
            }
            // The running kernel's /proc/cmdline is its final line
            // (`saved_command_line`): CONFIG_CMDLINE is already in it, and
            // adding it again would double every built-in parameter.
            if e.origin == Origin::Cmdline && e.name == LIVE_CMDLINE {
                continue;
            }
            let decided_by = match mode {
                Mode::Replace => loc("CMDLINE_OVERRIDE").or_else(|| loc("CMDLINE_FORCE")),
                Mode::Append => loc("CMDLINE_EXTEND"),
                _ => loc("CMDLINE_BOOL").or_else(|| loc("CMDLINE")),
            };
            e.cmdline = c.apply(&e.bootloader);
            e.builtin = Some(Builtin {
                mode,
                value: c.cmdline.clone().unwrap_or_default(),
                decided_by,
                at: loc("CMDLINE"),
            });
        }
    }

    fn bootconfig(&mut self) {
        let standalone = self.inp.bootconfigs.clone();
        for (i, paths) in self.initrds.clone() {
            if let Some(bc) = standalone.last() {
                if let Some(e) = self.entries.get_mut(i) {
                    e.bootconfig = Some(bc.clone());
                }
                continue;
            }
            // The kernel looks at the end of the whole initrd region: the
            // last initrd the boot loader loads.
            let (Some(root), Some(last)) = (self.root, paths.last()) else {
                continue;
            };
            let candidates = [
                last.clone(),
                format!("/boot/{}", last.trim_start_matches('/')),
            ];
            let Some((host, shown)) = candidates.iter().find_map(|p| {
                root.resolve(p)
                    .ok()
                    .filter(|h| h.is_file())
                    .map(|h| (h, root.display(p)))
            }) else {
                continue;
            };
            let got = self.inp.initrd_bootconfig(Path::new(&host), &shown);
            if let Some(e) = self.entries.get_mut(i) {
                match got {
                    Some(Ok(bc)) => e.bootconfig = Some(bc),
                    Some(Err((msg, file))) => e.bootconfig_footer_error = Some((msg, whole(file))),
                    None => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(file: u32, s: &str) -> Composed {
        Composed::single(FileId(file), s.as_bytes(), 100)
    }

    #[test]
    fn remap_points_matching_tokens_at_the_template() {
        let actual = c(0, "BOOT_IMAGE=/v root=UUID=1 ro quiet panic=10");
        let template = c(1, "quiet panic=10");
        let r = remap(&actual, &template).expect("found");
        assert_eq!(r.text, actual.text);
        let at = 29;
        assert_eq!(r.locate(&(at..at + 5)), Some((FileId(1), 100..105)));
        assert_eq!(r.locate(&(at + 6..at + 14)), Some((FileId(1), 106..114)));
        assert_eq!(r.locate(&(0..10)), Some((FileId(0), 100..110)));
        assert!(remap(&actual, &c(1, "quiet panic=5")).is_none());
        assert!(remap(&actual, &c(1, "panic=10 quiet")).is_none());
        assert_eq!(remap(&actual, &c(1, "")), Some(actual.clone()));
        assert!(remap(&c(0, ""), &template).is_none());
    }

    #[test]
    fn releases() {
        assert_eq!(
            release_of(b"/boot/vmlinuz-6.1.0-18-amd64").as_deref(),
            Some("6.1.0-18-amd64")
        );
        assert_eq!(
            release_of(b"/vmlinuz-4.18.0-513.el8.x86_64").as_deref(),
            Some("4.18.0-513.el8.x86_64")
        );
        assert_eq!(release_of(b"/EFI/Linux/x.efi"), None);
    }
}
