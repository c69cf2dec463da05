//! The boot sources of a machine, read from files: the I/O layer between the
//! pure readers of `panicpol-syntax` and the CLI.
//!
//! Two ways in:
//! - [`from_files`]: files named one by one (`panicpol check FILE…`), each
//!   read in its detected format ([`detect`]) or the one forced with
//!   `--as`;
//! - [`discover`]: an image or root tree (`--root DIR`), searched where the
//!   boot tools look ([`discover`](crate::discover) module docs), symlinks
//!   followed inside the root ([`fs::Root`]).
//!
//! Both return [`Sources`]: a [`SourceMap`] of every text read (a UKI's
//! `.cmdline` and an initrd's bootconfig become text files of their own),
//! the [`BootEntry`]s resolved from them — each command line a `Composed`
//! whose bytes point into the file that wrote them, with the built-in
//! command line, bootconfig and runtime settings that apply — and the
//! problems met (unreadable files, symlink loops, syntax errors), located.
//!
//! **This crate reads files** (bounded: [`fs::TEXT_LIMIT`] for text, the
//! headers and the `.cmdline` section of a PE, the tail of an initrd). It
//! never prints and never exits; every failure is a value.

pub mod detect;
mod discover;
pub mod fs;
mod inputs;
mod resolve;
pub mod uki;

use std::path::{Path, PathBuf};

use panicpol_diagnostics::{FileId, SourceMap};
use panicpol_syntax::entry::BootEntry;
use panicpol_syntax::grub_default::Flavor;
use panicpol_syntax::issue::Issue;

pub use detect::Format;
pub use inputs::Found;

use crate::inputs::Inputs;

/// How to read.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Whose `grub-mkconfig` wrote the entries (from `/etc/os-release`
    /// under a root; Debian/upstream otherwise).
    pub flavor: Option<Flavor>,
    /// A kernel config given by the user (`--config`): applies to every
    /// entry instead of the configs found under the root.
    pub kernel_config: Option<PathBuf>,
}

/// Everything read and resolved.
#[derive(Debug)]
pub struct Sources {
    /// Every text read, and placeholders for files without text.
    pub map: SourceMap,
    /// The boot entries, in the order they were found.
    pub entries: Vec<BootEntry>,
    /// Problems met while reading, located.
    pub problems: Vec<Issue>,
    /// Every file found and what it was read as.
    pub found: Vec<Found>,
    /// Kernel configs read (file and release), for the kernel model.
    pub kernel_configs: Vec<(FileId, Option<String>)>,
    /// How many files could be read at all.
    pub readable: usize,
}

/// Why a root cannot be searched at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootError(pub String);

impl std::fmt::Display for RootError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RootError {}

/// The most problems kept per file; beyond, one summary problem says how
/// many more there were (a generated or corrupt file can hold thousands).
pub const MAX_PROBLEMS_PER_FILE: usize = 100;

/// Keeps the first [`MAX_PROBLEMS_PER_FILE`] problems of each file.
fn cap_problems(problems: &mut Vec<Issue>) {
    let mut count: std::collections::BTreeMap<FileId, usize> = Default::default();
    let mut dropped: std::collections::BTreeMap<FileId, (usize, std::ops::Range<usize>)> =
        Default::default();
    problems.retain(|p| {
        let n = count.entry(p.file).or_default();
        *n += 1;
        if *n > MAX_PROBLEMS_PER_FILE {
            let d = dropped.entry(p.file).or_insert((0, p.span.clone()));
            d.0 += 1;
            false
        } else {
            true
        }
    });
    for (file, (n, span)) in dropped {
        problems.push(Issue::new(
            panicpol_syntax::issue::IssueKind::Limit,
            file,
            span,
            format!("{n} more problems in this file are not shown"),
        ));
    }
}

fn finish(mut inp: Inputs, root: Option<&fs::Root>, opts: &Options) -> Sources {
    let user_config = opts.kernel_config.as_ref().and_then(|p| {
        let shown = p.display().to_string();
        let read = fs::read_limited(p, fs::TEXT_LIMIT);
        let id = inp.text_file(&shown, read, Format::KernelConfig, false)?;
        inp.add_text_format(id, Format::KernelConfig, &shown, 0, None);
        Some(inp.kconfigs.len() - 1)
    });
    let entries = resolve::resolve(&mut inp, root, user_config);
    Sources {
        kernel_configs: inp
            .kconfigs
            .iter()
            .map(|k| (k.file, k.release.clone()))
            .collect(),
        map: inp.map,
        entries,
        problems: inp.problems,
        found: inp.found,
        readable: inp.readable,
    }
}

/// Reads files named one by one. `forced` reads every file in one format;
/// otherwise each file's format is detected from its path, then its
/// content. `cmdlines` are command lines given as bytes with the name to
/// show (`<cmdline>`, `<stdin>`, `/proc/cmdline`).
pub fn from_files(
    paths: &[PathBuf],
    forced: Option<Format>,
    cmdlines: &[(String, Vec<u8>)],
    opts: &Options,
) -> Sources {
    let mut inp = Inputs {
        flavor: opts.flavor.unwrap_or_default(),
        ..Inputs::default()
    };
    for (name, c) in cmdlines {
        if let Some(id) = inp.text_file(name, Ok(c.clone()), Format::Cmdline, false) {
            inp.cmdlines.push(id);
        }
    }
    // GRUB default files are sourced main file first, drop-ins after.
    let mut order: Vec<(PathBuf, Format)> = paths
        .iter()
        .map(|p| (p.clone(), forced.unwrap_or_else(|| detect_file(p))))
        .collect();
    order.sort_by_key(|(p, f)| {
        (
            *f == Format::GrubDefault && !p.ends_with("default/grub"),
            matches!(f, Format::Bls | Format::Cmdline),
        )
    });
    // BLS entries are read after grub.cfg and grubenv, which decide how
    // they expand.
    for (p, f) in &order {
        inp.add_path(p, *f);
    }
    finish(inp, None, opts)
}

/// The format of a file: by path, else by its first and last bytes.
pub fn detect_file(path: &Path) -> Format {
    if let Some(f) = detect::by_path(&path.to_string_lossy()) {
        return f;
    }
    let head = fs::read_at(path, 0, 64 * 1024).unwrap_or_default();
    let tail = fs::read_tail(path, 64).map(|(t, _)| t).unwrap_or_default();
    detect::by_content(&head, &tail)
}

/// Searches an image or root tree.
pub fn discover(root: &Path, opts: &Options) -> Result<Sources, RootError> {
    let meta =
        std::fs::metadata(root).map_err(|e| RootError(format!("{}: {e}", root.display())))?;
    if !meta.is_dir() {
        return Err(RootError(format!(
            "{}: not a directory; --root takes the top of an image or root tree",
            root.display()
        )));
    }
    let r = fs::Root::new(root);
    let mut inp = Inputs {
        flavor: opts.flavor.unwrap_or_default(),
        ..Inputs::default()
    };
    discover::discover(&mut inp, &r);
    if let Some(f) = opts.flavor {
        inp.flavor = f;
    }
    Ok(finish(inp, Some(&r), opts))
}
