//! PP503 panic-print-deprecated: `panic_print=` on kernels that deprecate it.

use panicpol_diagnostics::{Diagnostic, Severity};
use panicpol_policy::dispatch::Fate;
use panicpol_policy::values::{Gate, NoteKind, parse_panic_print};

use crate::{Context, Rule, RuleMeta};

/// See [`META`].
pub struct Rule503;

/// The rule's documentation.
pub static META: RuleMeta = RuleMeta {
    code: "PP503",
    name: "panic-print-deprecated",
    severity: Severity::Warning,
    summary: "panic_print is deprecated on this kernel; use panic_sys_info and panic_console_replay",
    doc: r#"## What it does
Fires on `panic_print=` for kernels that deprecate it (the 2025 rework: 6.18
prints `Kernel: The 'panic_print' parameter is now deprecated. Please use
'panic_sys_info' and 'panic_console_replay' instead.`).

## Why is this bad?
It still works, but a later release may drop it, and the names are easier to
review than a bit mask.

## Example
```
panic_print=0x23
```

## Fix
The same request in the new parameters, e.g.
```
panic_sys_info=tasks,mem panic_console_replay
```
"#,
};

impl Rule for Rule503 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for t in &cx.dispatch.tokens {
            let Fate::Applied { param, value, .. } = &t.fate else {
                continue;
            };
            if param != "panic_print" {
                continue;
            }
            let Some(span) = cx.fate_loc(t) else {
                continue;
            };
            let Ok(pp) = parse_panic_print(value.as_ref().map(|b| b.as_slice()), cx.version) else {
                continue;
            };
            let Some(replacement) = pp.notes.iter().find_map(|n| match &n.kind {
                // Only when the target is known to deprecate it: an unknown
                // version is not "this kernel".
                NoteKind::Deprecated { replacement, since }
                    if since.gate(cx.version) == Gate::Yes =>
                {
                    Some(replacement.clone())
                }
                _ => None,
            }) else {
                continue;
            };
            let mut d = Diagnostic::new(
                META.code,
                META.severity,
                "panic_print is deprecated on this kernel",
            )
            .with_primary_at(span, "deprecated");
            d = if replacement.is_empty() {
                d.with_help("remove it: the mask asks for nothing")
            } else {
                d.with_help(format!("write `{replacement}`"))
            };
            out.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::{run, run_with};
    use panicpol_kernel::{Kernel, KernelSource};

    fn kernel(release: &str) -> Kernel {
        let mut k = Kernel::empty(KernelSource::Catalogue);
        k.release = Some(release.into());
        panicpol_policy::supplement::supplement(&mut k);
        k
    }

    #[test]
    fn only_where_the_kernel_deprecates_it() {
        assert_eq!(
            run_with(&Rule503, b"panic_print=0x3", &kernel("6.19.0")).len(),
            1
        );
        assert!(run_with(&Rule503, b"panic_print=0x3", &kernel("6.12.117")).is_empty());
        // No kernel given: the version is unknown, so nothing is claimed.
        assert!(run(&Rule503, b"panic_print=0x3").is_empty());
    }
}
