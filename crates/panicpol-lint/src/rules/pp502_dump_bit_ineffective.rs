//! PP502 dump-bit-ineffective: a panic_print bit this build cannot print.

use panicpol_diagnostics::{Diagnostic, Severity};
use panicpol_policy::values::Gate;

use crate::{Context, Rule, RuleMeta};

/// See [`META`].
pub struct Rule502;

/// The rule's documentation.
pub static META: RuleMeta = RuleMeta {
    code: "PP502",
    name: "dump-bit-ineffective",
    severity: Severity::Warning,
    summary: "a panic_print bit prints nothing on this kernel build",
    doc: r#"## What it does
Checks each `panic_print` bit against the target kernel: bits the version does
not have (bit 7, blocked tasks, arrived in 6.9), and bits whose function is
compiled out (bit 3 needs `CONFIG_LOCKDEP`, bit 4 `CONFIG_TRACING`), decided from
the kernel config or the functions present in the image.

## Why is this bad?
The kernel stores the bit and prints nothing for it, without a message. The
dump you expect in a crash report will not be there.

## Example
On Debian's 6.1 (no LOCKDEP):
```
panic_print=0x8
```

## Fix
Drop the bit, or use a kernel built with the option.
"#,
};

impl Rule for Rule502 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(span) = cx.origin_loc(&cx.policy.panic_print.origin) else {
            return;
        };
        for d in cx.plan.dumps.iter().filter(|d| d.effective == Gate::No) {
            out.push(
                Diagnostic::new(
                    META.code,
                    META.severity,
                    format!(
                        "bit {} ({:#x}, {}) prints nothing on this kernel",
                        d.bit,
                        1u64 << d.bit,
                        d.meaning
                    ),
                )
                .with_primary_at(span.clone(), "asks for it")
                .with_note(d.note.clone().unwrap_or_default())
                .with_help(format!("drop {:#x} from the mask", 1u64 << d.bit)),
            );
        }
    }
}
