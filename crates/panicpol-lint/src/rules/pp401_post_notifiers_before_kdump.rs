//! PP401 post-notifiers-before-kdump: notifiers now run before the crash kernel.

use panicpol_diagnostics::{Diagnostic, Severity};
use panicpol_policy::plan::NotifierFate;

use crate::{Context, Rule, RuleMeta};

/// See [`META`].
pub struct Rule401;

/// The rule's documentation.
pub static META: RuleMeta = RuleMeta {
    code: "PP401",
    name: "post-notifiers-before-kdump",
    severity: Severity::Warning,
    summary: "crash_kexec_post_notifiers runs every panic notifier before kdump",
    doc: r#"## What it does
Fires when `crash_kexec_post_notifiers` is on and `crashkernel=` reserves memory
for a crash kernel, and names the panic notifiers of the target kernel that will
now run on the crashed kernel before kexec, with what each does.

## Why is this bad?
By default `panic()` kexecs into the crash kernel right after printing the stack,
before anything else runs on a kernel that is, by definition, broken. With the flag
every panic notifier, the `panic_print` dumps and `kmsg_dump` run first (kernel/panic.c).
Its own documentation warns that "some panic notifiers can make the crashed kernel
more unstable": a notifier that takes a lock, talks to firmware or a hypervisor,
or loops can keep the dump from ever being taken. Sometimes this is what you want
(pstore or Hyper-V reporting before the dump); it should be a decision.

## Example
```
crashkernel=256M crash_kexec_post_notifiers
```

## Fix
Drop `crash_kexec_post_notifiers` unless you need a notifier or `kmsg_dump` to run
before kdump; then check the list panicpol prints (`panicpol explain`).
"#,
};

impl Rule for Rule401 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let p = cx.plan;
        if !(p.post_notifiers && p.kdump_reserved) {
            return;
        }
        let Some(span) = cx.origin_loc(&cx.policy.crash_kexec_post_notifiers.origin) else {
            return;
        };
        let before: Vec<_> = p
            .notifiers
            .iter()
            .filter(|n| n.fate == NotifierFate::BeforeKdump)
            .collect();
        let mut d = Diagnostic::new(
            META.code,
            META.severity,
            format!(
                "{} panic notifier(s) will run on the crashed kernel before kdump",
                before.len()
            ),
        )
        .with_primary_at(
            span,
            "moves kdump after the notifiers, panic_print and kmsg_dump",
        );
        if let Some(ck) = &cx.policy.crashkernel.span {
            d = d.with_secondary_at(cx.locate(ck), "a crash kernel can be loaded");
        }
        for n in &before {
            let mut line = format!(
                "{} (priority {}): {}",
                n.callback.as_deref().unwrap_or("?"),
                n.priority.map_or("?".into(), |p| p.to_string()),
                n.does
                    .as_deref()
                    .unwrap_or("unclassified: not in panicpol's catalogue"),
            );
            if let Some(c) = &n.depends_on {
                line.push_str(&format!(" [{c}]"));
            }
            d = d.with_note(line);
        }
        if before.is_empty() {
            d = d.with_note("the notifier list is unknown without --vmlinux");
        } else if before
            .iter()
            .any(|n| n.known != panicpol_kernel::Known::Code)
        {
            d = d.with_note(
                "found by name in the symbols, not proven from the code: give --vmlinux to be sure",
            );
        }
        out.push(d.with_help("drop crash_kexec_post_notifiers unless a notifier or kmsg_dump must run before the dump"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::run;

    #[test]
    fn fires_only_with_a_reservation() {
        assert_eq!(
            run(&Rule401, b"crashkernel=256M crash_kexec_post_notifiers").len(),
            1
        );
        assert!(run(&Rule401, b"crash_kexec_post_notifiers").is_empty());
        assert!(run(&Rule401, b"crashkernel=256M").is_empty());
    }
}
