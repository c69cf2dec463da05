//! PP103 nul-byte: the command line is a C string and ends at the first NUL.

use panicpol_diagnostics::{Diagnostic, Severity};

use crate::{Context, Rule, RuleMeta};

/// See [`META`].
pub struct Rule103;

/// The rule's documentation.
pub static META: RuleMeta = RuleMeta {
    code: "PP103",
    name: "nul-byte",
    severity: Severity::Error,
    summary: "a NUL byte ends the command line; the kernel never sees what follows",
    doc: r#"## What it does
Finds a NUL byte in a command line.

## Why is this bad?
The kernel receives its command line as a NUL-terminated string. Everything after
the first NUL is invisible to it, without a message.

## Example
A command line file written by a tool that left `\0` between two parts.

## Fix
Remove the NUL byte; separate parameters with spaces.
"#,
};

impl Rule for Rule103 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        if let Some(at) = cx.cmdline.nul_at(cx.text) {
            out.push(
                Diagnostic::new(
                    META.code,
                    META.severity,
                    "NUL byte ends the command line early",
                )
                .with_primary_at(cx.locate(&(at..at + 1)), "the kernel stops reading here")
                .with_note(format!(
                    "{} byte(s) after it are never seen by the kernel",
                    cx.text.len() - at - 1
                ))
                .with_help("remove the NUL byte"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::run;

    #[test]
    fn finds_nul() {
        let d = run(&Rule103, b"a=1\0b=2");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].1, "\0");
    }

    #[test]
    fn none_without_nul() {
        assert!(run(&Rule103, b"a=1 b=2").is_empty());
    }
}
