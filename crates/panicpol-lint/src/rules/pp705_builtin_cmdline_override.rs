//! PP705 builtin-cmdline-override: the kernel replaces the boot loader's
//! command line with its built-in one.

use panicpol_diagnostics::{Diagnostic, Severity};
use panicpol_syntax::kconfig_cmdline::Mode;

use super::source_support::{panic_param, quoted, tokens};
use crate::{Context, Rule, RuleMeta};

/// See [`META`].
pub struct Rule705;

/// The rule's documentation.
pub static META: RuleMeta = RuleMeta {
    code: "PP705",
    name: "builtin-cmdline-override",
    severity: Severity::Error,
    summary: "CONFIG_CMDLINE_OVERRIDE (or _FORCE) makes the kernel ignore the boot loader's command line",
    doc: r#"## What it does
Fires when the target kernel's config replaces the boot loader's command line
with `CONFIG_CMDLINE`: `CONFIG_CMDLINE_BOOL` + `CONFIG_CMDLINE_OVERRIDE` on
x86 (`arch/x86/kernel/setup.c`), `CONFIG_CMDLINE_FORCE` on device-tree
architectures (`drivers/of/fdt.c`). It names the panic parameters of the boot
loader's line that are lost.

## Why is this bad?
Everything in `/etc/default/grub`, the BLS `options` or `/etc/kernel/cmdline`
is ignored: the kernel boots with the built-in line only. A panic policy
written there does not exist.

## Example
```
CONFIG_CMDLINE_BOOL=y
CONFIG_CMDLINE="console=ttyS0"
CONFIG_CMDLINE_OVERRIDE=y
```

## Fix
Put the parameters into `CONFIG_CMDLINE`, or build without
`CONFIG_CMDLINE_OVERRIDE` so the built-in line is prepended instead.
"#,
};

impl Rule for Rule705 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(entry) = cx.entry else {
            return;
        };
        let Some(b) = &entry.builtin else {
            return;
        };
        if b.mode != Mode::Replace {
            return;
        }
        let lost = tokens(&entry.bootloader);
        let severity = if lost.is_empty() {
            Severity::Warning
        } else {
            META.severity
        };
        let at = b
            .decided_by
            .clone()
            .or(b.at.clone())
            .unwrap_or((entry.file, 0..0));
        let mut d = Diagnostic::new(
            META.code,
            severity,
            format!(
                "the kernel ignores the boot loader's command line: it boots with CONFIG_CMDLINE {} only",
                quoted(&b.value.text)
            ),
        )
        .with_primary_at(at, "replaces the boot loader's command line")
        .with_help("put the parameters into CONFIG_CMDLINE, or build without CONFIG_CMDLINE_OVERRIDE");
        for t in lost.iter().filter(|t| panic_param(&t.name).is_some()) {
            if let Some(at) = &t.at {
                d = d.with_secondary_at(at.clone(), "ignored");
            }
        }
        if !lost.is_empty() {
            let all: Vec<&str> = lost.iter().map(|t| t.raw.as_str()).collect();
            d = d.with_note(format!("ignored: {}", all.join(" ")));
        }
        out.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::source_support::testing::{entry, kernel, run_entry};
    use panicpol_diagnostics::FileId;
    use panicpol_syntax::entry::Builtin;
    use panicpol_syntax::provenance::Composed;

    #[test]
    fn override_loses_the_boot_loader_line() {
        let k = kernel();
        let mut e = entry("ro panic=10");
        e.builtin = Some(Builtin {
            mode: Mode::Replace,
            value: Composed::single(FileId(4), b"console=ttyS0", 20),
            decided_by: Some((FileId(4), 40..63)),
            at: Some((FileId(4), 5..35)),
        });
        e.cmdline = Composed::single(FileId(4), b"console=ttyS0", 20);
        let d = run_entry(&Rule705, &e, &k);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].primary.as_ref().map(|l| l.span.clone()), Some(40..63));
        assert_eq!(d[0].secondary.len(), 1, "panic=10 is lost");
        assert_eq!(d[0].secondary[0].span, 3..11);
    }
}
