//! PP902 suppression-without-reason: a `# panicpol: disable=` comment without
//! `-- reason`, which therefore suppresses nothing.
//!
//! The finding is made by [`crate::suppress::apply`]; this file holds the
//! rule's documentation and registry entry.

use panicpol_diagnostics::{Diagnostic, Severity};

use crate::{Context, Rule, RuleMeta};

/// See [`META`].
pub struct Rule902;

/// The rule's documentation.
pub static META: RuleMeta = RuleMeta {
    code: "PP902",
    name: "suppression-without-reason",
    severity: Severity::Warning,
    summary: "a suppression comment gives no reason after `--`, so it is not applied",
    doc: r#"## What it does
Finds `# panicpol: disable=…` and `# panicpol: disable-file=…` comments that do
not end with `-- reason`.

## Why is this bad?
A panic-policy finding says the kernel will not do what the configuration says
at the worst possible moment, during a crash. Silencing one is a decision that
the next reader must be able to check; the reason is where it is recorded.
A suppression without a reason is therefore not applied: the findings it names
are still reported, together with this one.

## Example
```
# panicpol: disable=PP402
GRUB_CMDLINE_LINUX="crash_kexec_post_notifiers"
```

## Fix
Say why after `--`:
```
# panicpol: disable=PP402 -- kdump is loaded by the image's own service, not via crashkernel=
GRUB_CMDLINE_LINUX="crash_kexec_post_notifiers"
```
"#,
};

impl Rule for Rule902 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    // Made by `suppress::apply`, which reads the comments of every file.
    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Diagnostic>) {}
}
