//! A generated `grub.cfg`: its menu entries with their `linux` commands, the
//! variables the script sets, and whether it loads BLS entries.
//!
//! GRUB runs the file top to bottom before it shows the menu: `load_env`
//! sets the variables of the environment block, `set name=value` sets one,
//! `menuentry 'title' … { … }` and `submenu` define entries whose bodies run
//! when chosen, `blscfg` (Fedora, RHEL) turns every BLS file into an entry.
//! Conditions (`if`, loops) are not evaluated: a `set` inside one is kept
//! as *conditional* and used only when nothing else sets the variable (the
//! `if [ -z "${kernelopts}" ]; then set kernelopts=…; fi` default RHEL 8
//! writes).
//!
//! A `linux` line becomes the kernel command line through
//! [`crate::grub_script::expand`] (variables, field splitting) and
//! [`crate::grub_script::loader_cmdline`] (`BOOT_IMAGE=`, re-quoting).

use std::collections::BTreeMap;
use std::ops::Range;

use panicpol_diagnostics::FileId;

use crate::compose::Builder;
use crate::grub_script::{self, Token, Unresolved, Word, WordPart};
use crate::issue::Issue;
use crate::provenance::Composed;

/// The most bytes the `set` commands of one script, or of one entry, may
/// produce in total (the shell reader's per-file budget): `set a="$a$a"`
/// doubles a value per line, so forty lines would ask for a terabyte. Past
/// the budget, variables and literals of later `set`s expand to nothing.
pub const MAX_SET_BYTES: usize = crate::shell::MAX_EXPANDED;

/// The longest value one `set` keeps: longer values are cut, as a `linux`
/// line's expansion is ([`grub_script::MAX_ARGS_BYTES`]).
pub const MAX_SET_VALUE: usize = grub_script::MAX_ARGS_BYTES;

/// A `linux` command of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinuxCommand {
    /// `linux`, `linuxefi` or `linux16`.
    pub command: String,
    /// Its words, the command name excluded (the kernel path first).
    pub words: Vec<Word>,
    /// The whole command in the file.
    pub span: Range<usize>,
}

/// A `menuentry`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuEntry {
    /// The title (quotes removed).
    pub title: String,
    /// The titles of the submenus it is in, outermost first.
    pub submenus: Vec<String>,
    /// Where the title is written.
    pub title_span: Range<usize>,
    /// A recovery entry (`10_linux` titles them "… (recovery mode)").
    pub recovery: bool,
    /// The `linux` command, if the entry boots Linux.
    pub linux: Option<LinuxCommand>,
    /// The initrd paths, in order, as written.
    pub initrds: Vec<Vec<u8>>,
    /// Variables the entry sets before its `linux` command.
    pub sets: Vec<SetCommand>,
}

/// A `set name=value` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetCommand {
    /// The variable.
    pub name: String,
    /// The value's pieces.
    pub value: Vec<WordPart>,
    /// Inside a condition or a loop.
    pub conditional: bool,
    /// The whole command.
    pub span: Range<usize>,
}

/// A top-level command that matters for variables, in script order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// `set`.
    Set(SetCommand),
    /// `load_env` (the environment block is read here).
    LoadEnv(Range<usize>),
}

/// A parsed `grub.cfg`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrubCfg {
    /// The file.
    pub file: FileId,
    /// The text as lexed (the whole file).
    pub src: Composed,
    /// Menu entries in file order.
    pub entries: Vec<MenuEntry>,
    /// Top-level `set` and `load_env` commands in order.
    pub steps: Vec<Step>,
    /// Where `blscfg` (or `bls_import`) runs: BLS entries are added there.
    pub blscfg: Option<Range<usize>>,
    /// Problems found.
    pub issues: Vec<Issue>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Block {
    Menu(usize),
    Submenu(String),
    Function,
    Cond,
}

/// Parses a `grub.cfg`.
pub fn parse(file: FileId, text: &[u8]) -> GrubCfg {
    let src = Composed::single(file, text, 0);
    let (tokens, issues) = grub_script::lex(&src);
    let mut cfg = GrubCfg {
        file,
        src,
        entries: Vec::new(),
        steps: Vec::new(),
        blscfg: None,
        issues,
    };
    let mut blocks: Vec<Block> = Vec::new();
    let mut cmd: Vec<Word> = Vec::new();
    for tok in tokens {
        match tok {
            Token::Word(w) => cmd.push(w),
            Token::End(_) => {
                let words = std::mem::take(&mut cmd);
                cfg.command(&words, &mut blocks);
            }
        }
    }
    let words = std::mem::take(&mut cmd);
    cfg.command(&words, &mut blocks);
    cfg
}

impl GrubCfg {
    fn command(&mut self, words: &[Word], blocks: &mut Vec<Block>) {
        let mut words = words;
        loop {
            let Some(first) = words.first() else {
                return;
            };
            let lit = first.literal();
            let rest = words.get(1..).unwrap_or_default();
            match lit.as_deref() {
                Some(b"then" | b"else" | b"do") => words = rest,
                Some(b"if" | b"while" | b"until" | b"for") => {
                    blocks.push(Block::Cond);
                    return;
                }
                Some(b"fi" | b"done") => {
                    if blocks.last() == Some(&Block::Cond) {
                        blocks.pop();
                    }
                    return;
                }
                Some(b"}") => {
                    blocks.pop();
                    return;
                }
                Some(b"function") => {
                    blocks.push(Block::Function);
                    return;
                }
                Some(b"menuentry" | b"submenu") => {
                    let title_word = rest.first();
                    let title = title_word
                        .map(|w| String::from_utf8_lossy(&w.text(&self.src.text)).into_owned())
                        .unwrap_or_default();
                    let opens = words.last().and_then(Word::literal).as_deref() == Some(b"{");
                    if lit.as_deref() == Some(b"submenu") {
                        if opens {
                            blocks.push(Block::Submenu(title));
                        }
                        return;
                    }
                    let submenus = blocks
                        .iter()
                        .filter_map(|b| match b {
                            Block::Submenu(t) => Some(t.clone()),
                            _ => None,
                        })
                        .collect();
                    self.entries.push(MenuEntry {
                        recovery: title.contains("recovery mode"),
                        title,
                        submenus,
                        title_span: title_word.map_or(first.span.clone(), |w| w.span.clone()),
                        linux: None,
                        initrds: Vec::new(),
                        sets: Vec::new(),
                    });
                    if opens {
                        blocks.push(Block::Menu(self.entries.len() - 1));
                    }
                    return;
                }
                _ => break,
            }
        }
        let Some(first) = words.first() else {
            return;
        };
        let name = first.literal().unwrap_or_default();
        let span = first.span.start..words.last().map_or(first.span.end, |w| w.span.end);
        let entry = blocks.iter().rev().find_map(|b| match b {
            Block::Menu(i) => Some(*i),
            _ => None,
        });
        let conditional = blocks
            .iter()
            .any(|b| matches!(b, Block::Cond | Block::Function));
        let rest = words.get(1..).unwrap_or_default();
        match name.as_slice() {
            b"linux" | b"linuxefi" | b"linux16" => {
                if let Some(e) = entry.and_then(|i| self.entries.get_mut(i)) {
                    e.linux = Some(LinuxCommand {
                        command: String::from_utf8_lossy(&name).into_owned(),
                        words: rest.to_vec(),
                        span,
                    });
                }
            }
            b"initrd" | b"initrdefi" | b"initrd16" => {
                if let Some(e) = entry.and_then(|i| self.entries.get_mut(i)) {
                    e.initrds = rest.iter().map(|w| w.text(&self.src.text)).collect();
                }
            }
            b"set" => {
                for w in rest {
                    if let Some((n, value)) = w.assignment() {
                        let set = SetCommand {
                            name: n,
                            value: value.to_vec(),
                            conditional,
                            span: span.clone(),
                        };
                        match entry.and_then(|i| self.entries.get_mut(i)) {
                            Some(e) => e.sets.push(set),
                            None => self.steps.push(Step::Set(set)),
                        }
                    }
                }
            }
            b"load_env" if entry.is_none() => self.steps.push(Step::LoadEnv(span)),
            b"blscfg" | b"bls_import" => {
                self.blscfg.get_or_insert(span);
            }
            _ => {}
        }
    }

    /// The variables as the menu sees them, after the script ran: `grubenv`
    /// values from `load_env`, unconditional `set`s in order, and
    /// conditional `set`s only for variables nothing else set.
    pub fn globals(
        &self,
        grubenv: Option<&BTreeMap<String, Composed>>,
    ) -> BTreeMap<String, Composed> {
        let mut vars: BTreeMap<String, Composed> = BTreeMap::new();
        let mut defaults: BTreeMap<String, Composed> = BTreeMap::new();
        let mut budget = MAX_SET_BYTES;
        for step in &self.steps {
            match step {
                Step::LoadEnv(_) => {
                    if let Some(env) = grubenv {
                        vars.extend(env.iter().map(|(k, v)| (k.clone(), v.clone())));
                    }
                }
                Step::Set(s) => {
                    let value = self.set_value(s, &|n| vars.get(n), &mut budget);
                    if s.conditional {
                        defaults.entry(s.name.clone()).or_insert(value);
                    } else {
                        vars.insert(s.name.clone(), value);
                    }
                }
            }
        }
        for (k, v) in defaults {
            vars.entry(k).or_insert(v);
        }
        vars
    }

    /// A `set` value: literal bytes and variables, not field-split, taking
    /// its bytes from `budget`.
    fn set_value<'v>(
        &self,
        s: &SetCommand,
        lookup: &dyn Fn(&str) -> Option<&'v Composed>,
        budget: &mut usize,
    ) -> Composed {
        let mut b = Builder::new();
        for p in &s.value {
            let room = MAX_SET_VALUE.saturating_sub(b.len()).min(*budget);
            match p {
                WordPart::Lit { at, .. } if room > 0 => {
                    b.append(&self.src, *at..*at + 1);
                    *budget -= 1;
                }
                WordPart::Var { name, .. } => {
                    if let Some(v) = lookup(name) {
                        let n = v.text.len().min(room);
                        b.append(v, 0..n);
                        *budget -= n;
                    }
                }
                WordPart::Lit { .. } => {}
            }
        }
        b.finish()
    }

    /// The kernel command line of an entry, with the variables in `vars`;
    /// `None` when the entry has no `linux` command or no kernel path.
    pub fn cmdline(
        &self,
        entry: &MenuEntry,
        vars: &BTreeMap<String, Composed>,
    ) -> Option<(Composed, Vec<Unresolved>)> {
        let linux = entry.linux.as_ref()?;
        // The entry's own `set`s over the globals, without copying them
        // for every entry.
        let mut local: BTreeMap<String, Composed> = BTreeMap::new();
        let mut budget = MAX_SET_BYTES;
        for s in &entry.sets {
            if !s.conditional {
                let v = self.set_value(s, &|n| local.get(n).or_else(|| vars.get(n)), &mut budget);
                local.insert(s.name.clone(), v);
            }
        }
        let mut unresolved = Vec::new();
        let lookup = |n: &str| local.get(n).or_else(|| vars.get(n)).cloned();
        let args = grub_script::expand(&linux.words, &self.src, &lookup, &mut unresolved);
        let (path, rest) = args.split_first()?;
        Some((grub_script::loader_cmdline(Some(path), rest), unresolved))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shape `grub-mkconfig` writes on Debian 12 (one kernel, trimmed
    /// of video and device-probing lines).
    const DEBIAN: &str = r#"#
# DO NOT EDIT THIS FILE
#
### BEGIN /etc/grub.d/00_header ###
if [ -s $prefix/grubenv ]; then
  set have_grubenv=true
  load_env
fi
if [ "${next_entry}" ] ; then
   set default="${next_entry}"
   set next_entry=
   save_env next_entry
   set boot_once=true
else
   set default="0"
fi
function load_video {
  insmod all_video
}
set timeout=5
### END /etc/grub.d/00_header ###

### BEGIN /etc/grub.d/10_linux ###
function gfxmode {
	set gfxpayload="${1}"
}
menuentry 'Debian GNU/Linux' --class debian --class gnu-linux --class gnu --class os $menuentry_id_option 'gnulinux-simple-0f3b' {
	load_video
	insmod gzio
	insmod part_gpt
	insmod ext2
	search --no-floppy --fs-uuid --set=root 0f3b
	echo	'Loading Linux 6.1.0-18-cloud-amd64 ...'
	linux	/boot/vmlinuz-6.1.0-18-cloud-amd64 root=UUID=0f3b ro  console=tty0 console=ttyS0,115200 panic=10
	echo	'Loading initial ramdisk ...'
	initrd	/boot/initrd.img-6.1.0-18-cloud-amd64
}
submenu 'Advanced options for Debian GNU/Linux' $menuentry_id_option 'gnulinux-advanced-0f3b' {
	menuentry 'Debian GNU/Linux, with Linux 6.1.0-18-cloud-amd64 (recovery mode)' --class debian $menuentry_id_option 'gnulinux-6.1.0-18-cloud-amd64-recovery-0f3b' {
		linux	/boot/vmlinuz-6.1.0-18-cloud-amd64 root=UUID=0f3b ro single console=tty0 console=ttyS0,115200
		initrd	/boot/initrd.img-6.1.0-18-cloud-amd64
	}
}
### END /etc/grub.d/10_linux ###
"#;

    const RHEL8: &str = r#"### BEGIN /etc/grub.d/00_header ###
set pager=1
if [ -f ${config_directory}/grubenv ]; then
  load_env -f ${config_directory}/grubenv
elif [ -s $prefix/grubenv ]; then
  load_env
fi
### END /etc/grub.d/00_header ###
### BEGIN /etc/grub.d/10_linux ###
insmod part_msdos
insmod xfs
set root='hd0,msdos1'
if [ -z "${kernelopts}" ]; then
  set kernelopts="root=/dev/mapper/rhel-root ro crashkernel=auto rhgb quiet "
fi
insmod blscfg
blscfg
### END /etc/grub.d/10_linux ###
"#;

    fn s(c: &Composed) -> String {
        String::from_utf8_lossy(&c.text).into_owned()
    }

    #[test]
    fn debian_entries() {
        let cfg = parse(FileId(2), DEBIAN.as_bytes());
        assert!(cfg.issues.is_empty(), "{:?}", cfg.issues);
        assert_eq!(cfg.entries.len(), 2);
        let e = &cfg.entries[0];
        assert_eq!(e.title, "Debian GNU/Linux");
        assert!(!e.recovery);
        assert_eq!(
            e.initrds,
            vec![b"/boot/initrd.img-6.1.0-18-cloud-amd64".to_vec()]
        );
        let vars = cfg.globals(None);
        let (c, u) = cfg.cmdline(e, &vars).expect("linux");
        assert!(u.is_empty());
        assert_eq!(
            s(&c),
            "BOOT_IMAGE=/boot/vmlinuz-6.1.0-18-cloud-amd64 root=UUID=0f3b ro console=tty0 console=ttyS0,115200 panic=10"
        );
        let at = s(&c).find("panic=10").expect("panic");
        let file_at = DEBIAN.find("panic=10").expect("panic");
        assert_eq!(
            c.locate(&(at..at + 8)),
            Some((FileId(2), file_at..file_at + 8))
        );
        let r = &cfg.entries[1];
        assert!(r.recovery);
        assert_eq!(
            r.submenus,
            vec!["Advanced options for Debian GNU/Linux".to_string()]
        );
        assert!(cfg.blscfg.is_none());
    }

    #[test]
    fn rhel8_kernelopts_default_and_grubenv() {
        let cfg = parse(FileId(0), RHEL8.as_bytes());
        assert!(cfg.blscfg.is_some());
        assert!(cfg.entries.is_empty());
        // No grubenv value: the conditional default of grub.cfg applies.
        let g = cfg.globals(None);
        assert_eq!(
            g.get("kernelopts").map(s).as_deref(),
            Some("root=/dev/mapper/rhel-root ro crashkernel=auto rhgb quiet ")
        );
        assert_eq!(g.get("root").map(s).as_deref(), Some("hd0,msdos1"));
        // grubenv wins over the default.
        let mut env = BTreeMap::new();
        env.insert(
            "kernelopts".to_string(),
            Composed::single(FileId(5), b"root=/dev/sda2 ro", 30),
        );
        let g = cfg.globals(Some(&env));
        let k = g.get("kernelopts").expect("kernelopts");
        assert_eq!(s(k), "root=/dev/sda2 ro");
        assert_eq!(k.locate(&(0..4)).map(|l| l.0), Some(FileId(5)));
    }

    #[test]
    fn bad_input() {
        let cfg = parse(FileId(0), b"menuentry 'x {\n linux /v ro\n}\n");
        assert_eq!(cfg.issues.len(), 1);
        for t in [
            "}",
            "}}}}",
            "fi\nfi",
            "menuentry",
            "menuentry x {",
            "linux /v",
        ] {
            let _ = parse(FileId(0), t.as_bytes());
        }
        let garbage: Vec<u8> = (0..=255u8).cycle().take(20_000).collect();
        let cfg = parse(FileId(0), &garbage);
        let _ = cfg.globals(None);
        for e in &cfg.entries {
            let _ = cfg.cmdline(e, &BTreeMap::new());
        }
    }
}
