//! How a 6.12 kernel joins the bootconfig fragments and the bootloader's
//! command line (`init/main.c`: `setup_boot_config` decides whether the
//! bootconfig is used at all, `setup_command_line` builds
//! `saved_command_line`, the text of `/proc/cmdline`).
//!
//! - The bootconfig is used only if a parameter named exactly `bootconfig`
//!   appears before the first `--` (or the kernel has
//!   `CONFIG_BOOT_CONFIG_FORCE`, which the caller knows, not this module).
//! - `kernel.*` parameters go in front of the bootloader's line: "there could
//!   be dashes (separator of init command line) in the command lines".
//! - `init.*` parameters, trimmed, go right after the bootloader's ` -- `
//!   (before the bootloader's own init arguments), or after an added ` -- `
//!   when the bootloader's line has none.

use std::ops::Range;

use serde::Serialize;

use super::RenderedCmdline;
use crate::cmdline::tokenize;
use crate::ctype::{is_kernel_space, skip_spaces};

/// Where a piece of the composed command line came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Origin {
    /// The `kernel.*` fragment, starting at this offset of its text.
    Kernel {
        /// Offset into [`RenderedCmdline::text`].
        start: usize,
    },
    /// The bootloader's command line, starting at this offset.
    Bootloader {
        /// Offset into the bootloader's line.
        start: usize,
    },
    /// The `init.*` fragment (trimmed), starting at this offset of its
    /// untrimmed text.
    Init {
        /// Offset into [`RenderedCmdline::text`].
        start: usize,
    },
    /// The ` -- ` the kernel adds when the bootloader's line has no `--`.
    Separator,
}

/// `saved_command_line` (what `/proc/cmdline` shows), with the origin of
/// every byte range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComposedCmdline {
    /// The full text.
    pub text: Vec<u8>,
    /// Consecutive ranges of `text` and where each came from.
    pub pieces: Vec<(Range<usize>, Origin)>,
}

impl ComposedCmdline {
    /// Where byte `offset` of the composed line came from: the origin and
    /// the offset within that source.
    pub fn locate(&self, offset: usize) -> Option<(Origin, usize)> {
        self.pieces
            .iter()
            .find(|(r, _)| r.contains(&offset))
            .map(|(r, o)| {
                let d = offset - r.start;
                let mapped = match o {
                    Origin::Kernel { start } => Origin::Kernel { start: start + d },
                    Origin::Bootloader { start } => Origin::Bootloader { start: start + d },
                    Origin::Init { start } => Origin::Init { start: start + d },
                    Origin::Separator => Origin::Separator,
                };
                (mapped, d)
            })
    }

    fn push(&mut self, bytes: &[u8], origin: Origin) {
        if bytes.is_empty() {
            return;
        }
        let start = self.text.len();
        self.text.extend_from_slice(bytes);
        self.pieces.push((start..self.text.len(), origin));
    }
}

/// `setup_boot_config`'s test: a parameter named exactly `bootconfig` (no
/// `-`/`_` folding; `bootconfig=x` counts) before the first `--`.
pub fn bootconfig_on_cmdline(boot_command_line: &[u8]) -> bool {
    let cl = tokenize(boot_command_line);
    for t in &cl.tokens {
        if t.is_separator(boot_command_line) {
            break;
        }
        if t.name_bytes(boot_command_line) == b"bootconfig" {
            return true;
        }
    }
    false
}

/// `initargs_offs`: where `parse_args` stopped, i.e. the first byte after
/// the `--` token and the spaces after it; 0 when there is no `--`.
fn initargs_offset(boot: &[u8]) -> usize {
    let cl = tokenize(boot);
    let s = boot.get(..cl.end).unwrap_or_default();
    for t in &cl.tokens {
        if t.is_separator(boot) {
            let e = t.span.end;
            let next = if e < s.len() { e + 1 } else { e };
            return skip_spaces(s, next);
        }
    }
    0
}

/// `strim` with the kernel's `isspace`: the range of `s` without leading
/// and trailing spaces.
fn strim_range(s: &[u8]) -> Range<usize> {
    let start = s
        .iter()
        .position(|&b| !is_kernel_space(b))
        .unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|&b| !is_kernel_space(b))
        .map_or(start, |i| i + 1);
    start..end.max(start)
}

/// `setup_command_line`'s `saved_command_line`, for an applied bootconfig
/// whose fragments are `kernel` and `init` (from
/// [`super::Bootconfig::cmdline`]).
///
/// Reproduces the kernel's splice exactly, including its edge: when the
/// bootloader's line ends with `--` and nothing after it, the kernel writes
/// the init fragment right after the dashes and then repeats the last `-`
/// (`... --foo=bar-`).
pub fn compose_command_line(
    kernel: Option<&RenderedCmdline>,
    boot_command_line: &[u8],
    init: Option<&RenderedCmdline>,
) -> ComposedCmdline {
    let boot_end = boot_command_line
        .iter()
        .position(|&b| b == 0)
        .unwrap_or(boot_command_line.len());
    let boot = boot_command_line.get(..boot_end).unwrap_or_default();
    let mut out = ComposedCmdline {
        text: Vec::new(),
        pieces: Vec::new(),
    };
    if let Some(k) = kernel {
        out.push(&k.text, Origin::Kernel { start: 0 });
    }
    let init_range = init.map(|i| strim_range(&i.text));
    let init_text = match (init, &init_range) {
        (Some(i), Some(r)) => i.text.get(r.clone()).unwrap_or_default(),
        _ => &[],
    };
    let init_start = init_range.as_ref().map_or(0, |r| r.start);
    // `ilen` is non-zero whenever the fragment exists, even if trimming
    // left it empty.
    if init.is_none() {
        out.push(boot, Origin::Bootloader { start: 0 });
        return out;
    }
    let offs = initargs_offset(boot);
    if offs > 0 {
        out.push(
            boot.get(..offs).unwrap_or_default(),
            Origin::Bootloader { start: 0 },
        );
        out.push(init_text, Origin::Init { start: init_start });
        let from = offs - 1;
        out.push(
            boot.get(from..).unwrap_or_default(),
            Origin::Bootloader { start: from },
        );
    } else {
        out.push(boot, Origin::Bootloader { start: 0 });
        out.push(b" -- ", Origin::Separator);
        out.push(init_text, Origin::Init { start: init_start });
    }
    out
}
