//! PP501 dumps-after-kdump: panic_print output is lost when kdump works.

use panicpol_diagnostics::{Diagnostic, Severity};
use panicpol_policy::values::Gate;

use crate::{Context, Rule, RuleMeta};

/// See [`META`].
pub struct Rule501;

/// The rule's documentation.
pub static META: RuleMeta = RuleMeta {
    code: "PP501",
    name: "dumps-after-kdump",
    severity: Severity::Warning,
    summary: "panic_print dumps run only if kdump does not happen",
    doc: r#"## What it does
Fires when `panic_print` (or `panic_sys_info`) asks for dumps while a crash kernel
can be loaded and `crash_kexec_post_notifiers` is off.

## Why is this bad?
`panic()` kexecs into the crash kernel before it reaches `panic_print`'s dumps
(kernel/panic.c; the pre-kdump call that 5.17 had is gone). When kdump works the
task list, memory info and the rest are never printed; they appear only when no
crash kernel is loaded or kexec fails. The vmcore holds the same state, but a
console log or pstore will not.

## Example
```
crashkernel=256M panic_print=0x3
```

## Fix
Rely on the vmcore (`crash` can show tasks and memory), or accept the risks of
`crash_kexec_post_notifiers` to print them first (see PP401).
"#,
};

impl Rule for Rule501 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let p = cx.plan;
        if !p.kdump_reserved || p.post_notifiers {
            return;
        }
        // Bit 5 (console replay) and bit 6 (all-CPU backtrace) are not dumps of
        // this step.
        let dumps: Vec<_> = p
            .dumps
            .iter()
            .filter(|d| !matches!(d.bit, 5 | 6) && d.effective != Gate::No)
            .collect();
        if dumps.is_empty() {
            return;
        }
        let Some(span) = cx.origin_loc(&cx.policy.panic_print.origin) else {
            return;
        };
        out.push(
            Diagnostic::new(
                META.code,
                META.severity,
                "these dumps are printed only if kdump does not happen",
            )
            .with_primary_at(span, "runs after kdump would have taken over")
            .with_note(format!(
                "asked for: {}",
                dumps
                    .iter()
                    .map(|d| d.meaning)
                    .collect::<Vec<_>>()
                    .join("; ")
            ))
            .with_help("rely on the vmcore, or see PP401 for crash_kexec_post_notifiers"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::run;

    #[test]
    fn kdump_first() {
        assert_eq!(run(&Rule501, b"crashkernel=256M panic_print=0x3").len(), 1);
        assert!(
            run(
                &Rule501,
                b"crashkernel=256M crash_kexec_post_notifiers panic_print=0x3"
            )
            .is_empty()
        );
        assert!(run(&Rule501, b"panic_print=0x3").is_empty());
    }
}
