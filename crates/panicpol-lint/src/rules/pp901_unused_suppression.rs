//! PP901 unused-suppression: a `# panicpol: disable=` comment that suppressed
//! nothing.
//!
//! The finding is made by [`crate::suppress::apply`], which sees every file of
//! a run; this file holds the rule's documentation and registry entry.

use panicpol_diagnostics::{Diagnostic, Severity};

use crate::{Context, Rule, RuleMeta};

/// See [`META`].
pub struct Rule901;

/// The rule's documentation.
pub static META: RuleMeta = RuleMeta {
    code: "PP901",
    name: "unused-suppression",
    severity: Severity::Warning,
    summary: "a suppression comment names a code that has no finding to suppress",
    doc: r#"## What it does
Finds codes in `# panicpol: disable=…` and `# panicpol: disable-file=…` comments
that suppressed no finding in this run.

## Why is this bad?
A suppression outlives the problem it was written for: the line below it was
fixed or moved, or the rule was renamed. A stale suppression then hides the next,
unrelated finding of the same code on that line without anyone deciding so.
Reporting unused suppressions keeps every one of them deliberate (ruff's RUF100
and rustc's `#[expect]` do the same).

## Example
```
# panicpol: disable=PP205 -- the drop-in overrides panic= on purpose
GRUB_CMDLINE_LINUX="console=ttyS0 panic=10"
```
`panic=` appears once, so there is nothing for PP205 to report.

## Fix
Remove the code from the comment, or the whole comment when no code is left.
A rule turned off in `panicpol.toml` (`ignore`) never makes its suppressions
unused: they are still checked against what the rule finds.
"#,
};

impl Rule for Rule901 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    // Suppressions are about files, not one command line: `suppress::apply`
    // makes this rule's findings after every command line was checked.
    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Diagnostic>) {}
}
