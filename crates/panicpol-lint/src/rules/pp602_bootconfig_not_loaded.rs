//! PP602 bootconfig-not-loaded: a bootconfig is present but the kernel does
//! not load it.

use panicpol_diagnostics::{Diagnostic, Severity};

use crate::{Context, Rule, RuleMeta};

/// See [`META`].
pub struct Rule602;

/// The rule's documentation.
pub static META: RuleMeta = RuleMeta {
    code: "PP602",
    name: "bootconfig-not-loaded",
    severity: Severity::Warning,
    summary: "a bootconfig is attached but `bootconfig` is not on the command line",
    doc: r#"## What it does
Fires when the initrd of a boot entry carries a bootconfig (or one is given)
but the boot loader's command line has no `bootconfig` word before `--`, on a
kernel without `CONFIG_BOOT_CONFIG_FORCE`.

## Why is this bad?
`setup_boot_config()` (init/main.c) uses the bootconfig only when the word
`bootconfig` — exactly that, no `-`/`_` folding — appears among the kernel's
parameters, or when the kernel is built with `CONFIG_BOOT_CONFIG_FORCE`
(6.3+). Otherwise it still cuts the footer off the initrd, and every key is
silently ignored: none of its panic settings exist.

## Example
```
# /etc/default/grub
GRUB_CMDLINE_LINUX="console=ttyS0"
# and an initrd with `panicpol initrd attach`ed panic settings
```

## Fix
Add `bootconfig` to the boot loader's command line.
"#,
};

impl Rule for Rule602 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(bc) = cx.entry.and_then(|e| e.bootconfig.as_ref()) else {
            return;
        };
        let b = &cx.dispatch.bootconfig;
        if bc.parsed.is_err() || !b.provided || b.loaded || b.requested {
            return;
        }
        // A kernel without CONFIG_BOOT_CONFIG is PP603's.
        let compiled = cx
            .entry
            .and_then(|e| e.boot_config_option.as_ref().map(|(on, _)| *on))
            .or_else(|| {
                cx.kernel
                    .config
                    .as_ref()
                    .and_then(|c| c.enabled("BOOT_CONFIG"))
            });
        if compiled == Some(false) {
            return;
        }
        // The first parameter the bootconfig would add.
        let at = bc
            .kernel
            .as_ref()
            .or(bc.init.as_ref())
            .and_then(|c| {
                let first = panicpol_syntax::cmdline::tokenize(&c.text)
                    .tokens
                    .into_iter()
                    .next()?;
                c.locate(&first.span)
            })
            .unwrap_or((bc.file, 0..0));
        let mut d = Diagnostic::new(
            META.code,
            META.severity,
            "this bootconfig is never loaded: the command line has no `bootconfig`",
        )
        .with_primary_at(at, "ignored at boot")
        .with_secondary_at(cx.locate(&(0..0)), "no `bootconfig` on this command line")
        .with_help("add `bootconfig` to the boot loader's command line");
        let forced = cx
            .entry
            .and_then(|e| e.boot_config_force.as_ref().map(|(on, _)| *on))
            .or_else(|| {
                cx.kernel
                    .config
                    .as_ref()
                    .and_then(|c| c.enabled("BOOT_CONFIG_FORCE"))
            });
        if forced.is_none() {
            d = d.with_note(
                "unless the kernel is built with CONFIG_BOOT_CONFIG_FORCE (give --config to know)",
            );
        }
        out.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::source_support::testing::{entry, kernel, run_entry};
    use panicpol_diagnostics::FileId;
    use panicpol_syntax::bootconfig_source;

    #[test]
    fn only_without_the_bootconfig_word() {
        let k = kernel();
        for (cmdline, want) in [
            ("quiet", 1),
            ("quiet bootconfig", 0),
            ("quiet -- bootconfig", 1),
        ] {
            let mut e = entry(cmdline);
            e.bootconfig = Some(bootconfig_source::read(FileId(3), b"kernel.panic = 10\n"));
            let d = run_entry(&Rule602, &e, &k);
            assert_eq!(d.len(), want, "{cmdline}");
            if want == 1 {
                let p = d[0].primary.as_ref().expect("at");
                assert_eq!(
                    (p.file, p.span.clone()),
                    (FileId(3), 7..12),
                    "the key `panic`"
                );
            }
        }
        let mut e = entry("quiet");
        e.bootconfig = Some(bootconfig_source::read(FileId(3), b"kernel.panic = 10\n"));
        e.boot_config_option = Some((false, None));
        assert!(run_entry(&Rule602, &e, &k).is_empty(), "PP603's case");
    }
}
