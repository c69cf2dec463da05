//! PP701 dropin-override: a later file replaces a command-line variable set
//! in an earlier one.

use panicpol_diagnostics::{Diagnostic, Severity};
use panicpol_syntax::entry::Fact;

use super::source_support::{panic_param, quoted, tokens};
use crate::{Context, Rule, RuleMeta};

/// See [`META`].
pub struct Rule701;

/// The rule's documentation.
pub static META: RuleMeta = RuleMeta {
    code: "PP701",
    name: "dropin-override",
    severity: Severity::Warning,
    summary: "a grub.d drop-in replaces GRUB_CMDLINE_LINUX(_DEFAULT) set in an earlier file",
    doc: r#"## What it does
Fires when a file sourced later by `grub-mkconfig` (a drop-in of
`/etc/default/grub.d/`) assigns `GRUB_CMDLINE_LINUX_DEFAULT` or
`GRUB_CMDLINE_LINUX` without reusing the earlier value, and names the
parameters that are lost, with both places.

## Why is this bad?
`grub-mkconfig` sources `/etc/default/grub` first and the drop-ins after it, in
name order: the last assignment wins. Ubuntu's cloud images ship
`50-cloudimg-settings.cfg` with `GRUB_CMDLINE_LINUX_DEFAULT="console=tty1
console=ttyS0"`; whatever an admin writes into `/etc/default/grub` for that
variable never reaches the kernel, and nothing says so.

## Example
```
# /etc/default/grub
GRUB_CMDLINE_LINUX_DEFAULT="quiet splash panic=10"
# /etc/default/grub.d/50-cloudimg-settings.cfg
GRUB_CMDLINE_LINUX_DEFAULT="console=tty1 console=ttyS0"
```

## Fix
Extend instead of replacing (`GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT
panic=10"`), in a drop-in sorted after the one that sets it (e.g.
`/etc/default/grub.d/90-panic.cfg`).
"#,
};

impl Rule for Rule701 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for f in cx.facts() {
            let Fact::Override {
                var,
                earlier,
                earlier_value,
                later,
                later_value,
            } = f
            else {
                continue;
            };
            let kept: Vec<String> = tokens(later_value).into_iter().map(|t| t.raw).collect();
            let lost: Vec<_> = tokens(earlier_value)
                .into_iter()
                .filter(|t| !kept.contains(&t.raw))
                .collect();
            let lost_panic = lost.iter().any(|t| panic_param(&t.name).is_some());
            let severity = if lost_panic {
                Severity::Warning
            } else {
                Severity::Info
            };
            let lost_text: Vec<&str> = lost.iter().map(|t| t.raw.as_str()).collect();
            let message = if lost.is_empty() {
                format!("{var} is set again in a later file, replacing the earlier value")
            } else {
                format!(
                    "a later file replaces {var}: `{}` never reach the kernel",
                    lost_text.join(" ")
                )
            };
            let mut d = Diagnostic::new(META.code, severity, message)
                .with_primary_at(later.clone(), format!("replaces {var}"))
                .with_secondary_at(earlier.clone(), "this value is lost")
                .with_note(format!(
                    "the value that applies: {}",
                    quoted(&later_value.text)
                ))
                .with_help(format!(
                    "extend it instead (`{var}=\"${var} …\"`) in a drop-in sorted after this one"
                ));
            for t in &lost {
                if let (Some(at), Some(_)) = (&t.at, panic_param(&t.name)) {
                    d = d.with_secondary_at(at.clone(), "lost");
                }
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

    fn fact(earlier: &str, later: &str) -> Fact {
        Fact::Override {
            var: "GRUB_CMDLINE_LINUX_DEFAULT".into(),
            earlier: (FileId(0), 10..50),
            earlier_value: Composed::single(FileId(0), earlier.as_bytes(), 38),
            later: (FileId(1), 5..60),
            later_value: Composed::single(FileId(1), later.as_bytes(), 33),
        }
    }

    #[test]
    fn lost_panic_parameters_make_it_a_warning() {
        let k = kernel();
        // (earlier, later, severity)
        let cases = [
            (
                "quiet splash panic=10",
                "console=tty1 console=ttyS0",
                Some(Severity::Warning),
            ),
            ("quiet splash", "console=tty1", Some(Severity::Info)),
        ];
        for (earlier, later, want) in cases {
            let mut e = entry("console=tty1");
            e.facts.push(fact(earlier, later));
            let d = run_entry(&Rule701, &e, &k);
            assert_eq!(d.first().map(|d| d.severity), want, "{earlier}");
            let d = &d[0];
            assert_eq!(d.primary.as_ref().map(|l| l.file), Some(FileId(1)));
            assert_eq!(d.secondary[0].file, FileId(0));
            if want == Some(Severity::Warning) {
                assert!(d.message.contains("panic=10"), "{}", d.message);
                assert_eq!(d.secondary[1].span, 51..59);
            }
        }
    }
}
