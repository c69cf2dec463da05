//! PP402 post-notifiers-without-kdump: the flag does nothing without a crash kernel.

use panicpol_diagnostics::{Diagnostic, Severity};

use crate::{Context, Rule, RuleMeta};

/// See [`META`].
pub struct Rule402;

/// The rule's documentation.
pub static META: RuleMeta = RuleMeta {
    code: "PP402",
    name: "post-notifiers-without-kdump",
    severity: Severity::Info,
    summary: "crash_kexec_post_notifiers has no effect without a crashkernel= reservation",
    doc: r#"## What it does
Fires when `crash_kexec_post_notifiers` is on but no valid `crashkernel=` reserves
memory for a crash kernel.

## Why is this bad?
Without a reservation no crash kernel can be loaded, so `__crash_kexec()` does
nothing wherever it is called: notifiers, `panic_print` and `kmsg_dump` run anyway.
The flag suggests a kdump setup that is not there.

## Example
```
crash_kexec_post_notifiers panic=10
```

## Fix
Add `crashkernel=` (and load a crash kernel with kdump tooling), or remove the flag.
"#,
};

impl Rule for Rule402 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        if !cx.plan.post_notifiers
            || cx.plan.kdump_reserved
            || cx.policy.crashkernel.value.is_some()
        {
            return;
        }
        let Some(span) = cx.origin_loc(&cx.policy.crash_kexec_post_notifiers.origin) else {
            return;
        };
        out.push(
            Diagnostic::new(
                META.code,
                META.severity,
                "no crashkernel= reservation: this flag changes nothing",
            )
            .with_primary_at(span, "no crash kernel can be loaded")
            .with_help("add crashkernel= for kdump, or remove the flag"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::run;

    #[test]
    fn without_reservation() {
        assert_eq!(run(&Rule402, b"crash_kexec_post_notifiers").len(), 1);
        assert!(run(&Rule402, b"crash_kexec_post_notifiers crashkernel=128M").is_empty());
    }
}
