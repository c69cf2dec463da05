//! PP707 stale-generated: a generated boot file no longer matches its
//! sources.

use panicpol_diagnostics::{Diagnostic, Severity};
use panicpol_syntax::entry::Fact;

use super::source_support::quoted;
use crate::{Context, Rule, RuleMeta};

/// See [`META`].
pub struct Rule707;

/// The rule's documentation.
pub static META: RuleMeta = RuleMeta {
    code: "PP707",
    name: "stale-generated",
    severity: Severity::Warning,
    summary: "grub.cfg does not contain what /etc/default/grub gives now: update-grub was not run",
    doc: r#"## What it does
Compares each `linux` line of a generated `grub.cfg` with the arguments
`grub-mkconfig` would write from `/etc/default/grub` and its drop-ins now, and
fires when they are not there.

## Why is this bad?
GRUB boots what grub.cfg says. An edit of `/etc/default/grub` does nothing
until `update-grub` (`grub2-mkconfig -o …`) runs: the machine boots with the
old command line, and the next kernel upgrade silently switches to the new
one.

## Example
```
# /etc/default/grub
GRUB_CMDLINE_LINUX_DEFAULT="quiet panic=10 panic_print=0x3"
# /boot/grub/grub.cfg, still
linux /boot/vmlinuz-… root=UUID=… ro quiet panic=10
```

## Fix
Run `update-grub` (Debian, Ubuntu) or `grub2-mkconfig -o /boot/grub2/grub.cfg`.
"#,
};

impl Rule for Rule707 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(entry) = cx.entry else {
            return;
        };
        for f in &entry.facts {
            let Fact::Stale {
                at,
                expected,
                generator,
            } = f
            else {
                continue;
            };
            let mut d = Diagnostic::new(
                META.code,
                META.severity,
                format!(
                    "this boot entry is out of date: its sources now give {}",
                    quoted(&expected.text)
                ),
            )
            .with_primary_at(at.clone(), "what boots now")
            .with_help(format!("regenerate it: {generator}"));
            if let Some(first) = expected.locate(&(0..expected.text.len())) {
                d = d.with_secondary_at(first, "what the sources say");
            }
            out.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::source_support::testing::{entry, kernel, run_entry};
    use panicpol_diagnostics::FileId;
    use panicpol_syntax::provenance::Composed;

    #[test]
    fn names_what_the_sources_give() {
        let k = kernel();
        let mut e = entry("ro quiet panic=10");
        e.facts.push(Fact::Stale {
            at: (FileId(1), 100..150),
            expected: Composed::single(FileId(0), b"quiet panic=10 panic_print=0x3", 300),
            generator: "update-grub".into(),
        });
        let d = run_entry(&Rule707, &e, &k);
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("panic_print=0x3"));
        assert_eq!(d[0].secondary[0].file, FileId(0));
    }
}
