//! PP104 cmdline-too-long: longer than the architecture's COMMAND_LINE_SIZE.

use panicpol_diagnostics::{Diagnostic, Severity};
use panicpol_kernel::Arch;

use crate::{Context, Rule, RuleMeta};

/// See [`META`].
pub struct Rule104;

/// `COMMAND_LINE_SIZE` on x86 and arm64 (arch/*/include/asm/setup.h), NUL included.
const COMMAND_LINE_SIZE: usize = 2048;

/// The rule's documentation.
pub static META: RuleMeta = RuleMeta {
    code: "PP104",
    name: "cmdline-too-long",
    severity: Severity::Error,
    summary: "the command line does not fit in COMMAND_LINE_SIZE",
    doc: r#"## What it does
Checks the length of the command line against `COMMAND_LINE_SIZE` (2048 bytes
with the terminating NUL on x86 and arm64, so at most 2047 bytes of text).

## Why is this bad?
The boot loader copies the command line into `boot_command_line`, a static
buffer of `COMMAND_LINE_SIZE` bytes. On Debian's 6.1 and 6.12 x86-64 kernels a
2048-byte command line does not boot at all: a FORTIFY `strlen` overflow BUG
hangs the kernel before the console is up, with no output. Other builds
truncate it silently.

## Example
A grub `GRUB_CMDLINE_LINUX` that grew by appends until it passed 2047 bytes.

## Fix
Remove parameters that do nothing (unknown dotted names, duplicates), or move
late (non-early) parameters to a bootconfig.
"#,
};

impl Rule for Rule104 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let len = cx.cmdline.end;
        let limit = COMMAND_LINE_SIZE - 1;
        if len > limit {
            let arch_note = match cx.kernel.arch {
                Arch::X86_64 | Arch::Aarch64 => "this kernel's architecture",
                Arch::Other => "x86 and arm64 (the architecture was not given)",
            };
            out.push(
                Diagnostic::new(
                    META.code,
                    META.severity,
                    format!("command line is {len} bytes; at most {limit} fit"),
                )
                .with_primary_at(cx.locate(&(limit..len)), "these bytes do not fit")
                .with_note(format!(
                    "COMMAND_LINE_SIZE is {COMMAND_LINE_SIZE} on {arch_note}"
                ))
                .with_help("shorten the command line"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::run;

    #[test]
    fn boundary() {
        assert!(run(&Rule104, &vec![b'a'; 2047]).is_empty());
        let d = run(&Rule104, &vec![b'a'; 2048]);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].1, "a");
    }
}
