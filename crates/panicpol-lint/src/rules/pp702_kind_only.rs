//! PP702 kind-only: a panic parameter reaches only normal (or only
//! recovery) boots.

use panicpol_diagnostics::{Diagnostic, Severity};
use panicpol_syntax::entry::{EntryKind, Fact};

use super::source_support::{panic_param, tokens};
use crate::{Context, Rule, RuleMeta};

/// See [`META`].
pub struct Rule702;

/// The rule's documentation.
pub static META: RuleMeta = RuleMeta {
    code: "PP702",
    name: "kind-only",
    severity: Severity::Info,
    summary: "a panic parameter reaches only the normal entries, not the recovery entries",
    doc: r#"## What it does
Names the panic-relevant parameters that only one kind of boot entry gets:
those in `GRUB_CMDLINE_LINUX_DEFAULT` (normal entries only; recovery entries
get `GRUB_CMDLINE_LINUX` alone), or in a normal BLS entry but not in the rescue
entry.

## Why is this bad?
A recovery boot is when a crash is most likely and a dump most wanted. With
`crashkernel=` in `GRUB_CMDLINE_LINUX_DEFAULT` (where kdump-tools puts it) a
recovery boot reserves no crash kernel; a panic policy there does not apply
either. Sometimes this is intended; it should be known.

## Example
```
GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT crashkernel=384M-:128M"
```

## Fix
Move the parameter to `GRUB_CMDLINE_LINUX` (every entry) if recovery boots
need it too; for BLS, add it to the rescue entry (`grubby --update-kernel=ALL`).
"#,
};

impl Rule for Rule702 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for f in cx.facts() {
            let Fact::KindOnly {
                kind,
                source,
                value,
                sibling,
            } = f
            else {
                continue;
            };
            let who = match kind {
                EntryKind::Normal => "normal",
                EntryKind::Recovery => "recovery",
            };
            for t in tokens(value) {
                let Some(spec) = panic_param(&t.name) else {
                    continue;
                };
                let Some(at) = t.at.clone() else {
                    continue;
                };
                out.push(
                    Diagnostic::new(
                        META.code,
                        META.severity,
                        format!(
                            "`{}` reaches only the {who} boots: {sibling} start without it",
                            t.raw
                        ),
                    )
                    .with_primary_at(at, format!("only in {source}"))
                    .with_note(format!("{}: {}", spec.name, spec.summary))
                    .with_help(
                        if source.starts_with("GRUB_CMDLINE_LINUX_DEFAULT") {
                            "put it in GRUB_CMDLINE_LINUX if recovery boots need it too".to_string()
                        } else {
                            format!("add it to {sibling} too if that boot needs it")
                        },
                    ),
                );
            }
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
    fn only_panic_parameters_are_named() {
        let k = kernel();
        let mut e = entry("quiet crashkernel=384M-:128M");
        e.facts.push(Fact::KindOnly {
            kind: EntryKind::Normal,
            source: "GRUB_CMDLINE_LINUX_DEFAULT".into(),
            value: Composed::single(FileId(2), b" quiet crashkernel=384M-:128M panic=10", 40),
            sibling: "the recovery entries".into(),
        });
        let d = run_entry(&Rule702, &e, &k);
        assert_eq!(d.len(), 2, "{d:?}");
        assert!(d[0].message.contains("crashkernel=384M-:128M"));
        assert_eq!(
            d[0].primary.as_ref().map(|l| (l.file, l.span.clone())),
            Some((FileId(2), 47..69))
        );
        assert!(d[1].message.contains("panic=10"));
    }
}
