//! PP903 invalid-suppression: a `# panicpol:` comment panicpol cannot read, or
//! one in a file whose format has no comments.
//!
//! The finding is made by [`crate::suppress::apply`]; this file holds the
//! rule's documentation and registry entry.

use panicpol_diagnostics::{Diagnostic, Severity};

use crate::{Context, Rule, RuleMeta};

/// See [`META`].
pub struct Rule903;

/// The rule's documentation.
pub static META: RuleMeta = RuleMeta {
    code: "PP903",
    name: "invalid-suppression",
    severity: Severity::Warning,
    summary: "a `# panicpol:` comment is malformed, misplaced or names no known rule",
    doc: r#"## What it does
Finds `# panicpol:` comments that do not have the form
`# panicpol: disable=CODE[,CODE…] -- reason` or
`# panicpol: disable-file=CODE[,CODE…] -- reason` on a line of their own, and
codes in them that are not panicpol rules (codes or names, see
`panicpol rule --all`). Codes of the PP9xx group cannot be suppressed by a
comment; turn them off in `panicpol.toml` instead.

## Why is this bad?
A suppression panicpol cannot read does nothing: the findings it was meant to
silence are still reported, and whoever wrote it believes they are not.
A comment after a setting (`GRUB_CMDLINE_LINUX="…" # panicpol: disable=…`)
is not a suppression either: suppressions stand on their own line, above the line
they apply to, as in shellcheck. And raw command-line files (`/etc/kernel/cmdline`,
a UKI's `.cmdline`, a file given to `panicpol check`) have no comments at all:
there, `# panicpol: …` is a series of words that the kernel hands to init.

## Example
```
# panicpol: disable=PP2O5 -- the drop-in wins on purpose
# panicpol: ignore=PP205 -- the drop-in wins on purpose
```

## Fix
Use a code from `panicpol rule --all` and the `disable=` or `disable-file=`
form, on a line of its own. For raw command-line files, turn the rule off in
`panicpol.toml` instead.
"#,
};

impl Rule for Rule903 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    // Made by `suppress::apply`, which reads the comments of every file.
    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Diagnostic>) {}
}
