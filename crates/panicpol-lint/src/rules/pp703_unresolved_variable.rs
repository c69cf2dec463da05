//! PP703 unresolved-variable: a variable in a boot source that nothing
//! defines.

use panicpol_diagnostics::{Diagnostic, Severity};
use panicpol_syntax::entry::Fact;
use panicpol_syntax::issue::IssueKind;

use crate::{Context, Rule, RuleMeta};

/// See [`META`].
pub struct Rule703;

/// The rule's documentation.
pub static META: RuleMeta = RuleMeta {
    code: "PP703",
    name: "unresolved-variable",
    severity: Severity::Warning,
    summary: "a variable in a boot source is defined nowhere ($kernelopts, $tuned_params …)",
    doc: r#"## What it does
Finds variables used in boot sources that nothing defines: `$kernelopts` and
`$tuned_params` in a BLS `options` line when `grubenv` (and grub.cfg's
fallback) lack them, a GRUB variable in a `linux` line, a shell variable in
`/etc/default/grub` that no file sets.

## Why is this bad?
GRUB and the shell expand an unset variable to nothing: RHEL 8's BLS entries
are `options $kernelopts $tuned_params`, so a missing `kernelopts` boots
without `root=` or any panic setting. systemd-boot expands nothing: it passes
`$kernelopts` to the kernel as written, which hands it to init.

## Example
```
options $kernelopts $tuned_params
```

## Fix
Define the variable (`grub2-editenv - set kernelopts="…"`, tuned's bootloader
plugin for `tuned_params`), or write the parameters into the entry.
"#,
};

impl Rule for Rule703 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(entry) = cx.entry else {
            return;
        };
        for f in &entry.facts {
            let Fact::Unresolved {
                name,
                at,
                looked_in,
                literal,
            } = f
            else {
                continue;
            };
            let (severity, message) = if *literal {
                (
                    Severity::Error,
                    format!(
                        "`${name}` reaches the kernel as written: this boot loader expands no variables"
                    ),
                )
            } else if name == "kernelopts" {
                (
                    Severity::Error,
                    "`$kernelopts` is defined nowhere: the entry boots without its parameters (root=, crashkernel= …)".to_string(),
                )
            } else if name.starts_with("tuned_") {
                (
                    Severity::Info,
                    format!(
                        "`${name}` is not set (tuned has not set boot parameters): it expands to nothing"
                    ),
                )
            } else {
                (
                    META.severity,
                    format!("`${name}` is defined nowhere: it expands to nothing"),
                )
            };
            let at = at.clone().unwrap_or((entry.file, 0..0));
            let mut d = Diagnostic::new(META.code, severity, message).with_primary_at(
                at,
                if *literal {
                    "passed on literally"
                } else {
                    "expands to nothing"
                },
            );
            if !looked_in.is_empty() {
                d = d.with_note(format!("looked in: {}", looked_in.join(", ")));
            }
            out.push(d.with_help(if *literal {
                "write the parameters themselves into the entry".to_string()
            } else {
                format!("define `{name}` (grubenv: `grub2-editenv - set {name}=…`) or write the parameters into the entry")
            }));
        }
        for i in entry
            .issues
            .iter()
            .filter(|i| i.kind == IssueKind::UnknownVariable)
        {
            out.push(
                Diagnostic::new(META.code, META.severity, i.message.clone()).with_primary(
                    i.file,
                    i.span.clone(),
                    "set nowhere",
                ),
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
    fn severity_by_variable_and_loader() {
        let k = kernel();
        // (name, literal, severity)
        let cases = [
            ("kernelopts", false, Severity::Error),
            ("tuned_params", false, Severity::Info),
            ("vt_handoff", false, Severity::Warning),
            ("kernelopts", true, Severity::Error),
        ];
        for (name, literal, want) in cases {
            let mut e = entry("ro");
            e.facts.push(Fact::Unresolved {
                name: name.into(),
                at: Some((FileId(1), 8..19)),
                looked_in: vec!["grubenv".into()],
                literal,
            });
            let d = run_entry(&Rule703, &e, &k);
            assert_eq!(d.len(), 1);
            assert_eq!(d[0].severity, want, "{name} {literal}");
            assert_eq!(d[0].primary.as_ref().map(|l| l.span.clone()), Some(8..19));
        }
    }
}
