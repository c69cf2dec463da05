//! PP704 uki-empty-cmdline: a UKI without a command line of its own.

use panicpol_diagnostics::{Diagnostic, Severity};
use panicpol_syntax::entry::Fact;

use crate::{Context, Rule, RuleMeta};

/// See [`META`].
pub struct Rule704;

/// The rule's documentation.
pub static META: RuleMeta = RuleMeta {
    code: "PP704",
    name: "uki-empty-cmdline",
    severity: Severity::Warning,
    summary: "a unified kernel image has no (or an empty) .cmdline section",
    doc: r#"## What it does
Fires for a unified kernel image (UKI) whose `.cmdline` PE section is missing
or holds nothing but blanks.

## Why is this bad?
systemd-stub uses the `.cmdline` section as the kernel command line and, with
Secure Boot on, refuses the boot loader's options — unless the section is
missing or empty: then whatever the boot loader (or anyone at its menu)
passes becomes the command line, outside the signed image, or the kernel
boots with no parameters at all (no `crashkernel=`, no panic policy).

## Example
```
ukify build --linux vmlinuz --initrd initrd.img --output linux.efi   # no --cmdline
```

## Fix
Build the UKI with `--cmdline` (ukify reads `/etc/kernel/cmdline` when
`kernel-install` runs it), or add the parameters through a signed add-on.
"#,
};

impl Rule for Rule704 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for f in cx.facts() {
            let Fact::EmptyUkiCmdline { at, present } = f else {
                continue;
            };
            let what = if *present {
                "the UKI's .cmdline section is empty"
            } else {
                "the UKI has no .cmdline section"
            };
            out.push(
                Diagnostic::new(
                    META.code,
                    META.severity,
                    format!("{what}: the boot loader's options, or nothing, become the command line"),
                )
                .with_primary_at(at.clone(), what)
                .with_note("systemd-stub accepts the boot loader's options even under Secure Boot when the image has no command line of its own")
                .with_help("build the UKI with a command line (ukify --cmdline, /etc/kernel/cmdline)"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::source_support::testing::{entry, kernel, run_entry};
    use panicpol_diagnostics::FileId;

    #[test]
    fn missing_and_empty() {
        let k = kernel();
        for present in [true, false] {
            let mut e = entry("");
            e.facts.push(Fact::EmptyUkiCmdline {
                at: (FileId(3), 0..0),
                present,
            });
            let d = run_entry(&Rule704, &e, &k);
            assert_eq!(d.len(), 1);
            assert_eq!(d[0].message.contains("empty"), present);
        }
        assert!(run_entry(&Rule704, &entry("ro"), &k).is_empty());
    }
}
