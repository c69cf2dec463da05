//! PP603 bootconfig-unsupported: the kernel is built without
//! `CONFIG_BOOT_CONFIG`.

use panicpol_diagnostics::{Diagnostic, Severity};

use crate::{Context, Rule, RuleMeta};

/// See [`META`].
pub struct Rule603;

/// The rule's documentation.
pub static META: RuleMeta = RuleMeta {
    code: "PP603",
    name: "bootconfig-unsupported",
    severity: Severity::Warning,
    summary: "the kernel is built without CONFIG_BOOT_CONFIG: a bootconfig is never read",
    doc: r#"## What it does
Fires when a boot entry has a bootconfig, or `bootconfig` on its command line,
and the target kernel's config has `CONFIG_BOOT_CONFIG` off (Debian's 6.1 and
6.12 cloud kernels do).

## Why is this bad?
Without `CONFIG_BOOT_CONFIG` the kernel never parses a bootconfig: its keys
do not exist. The word `bootconfig` on the command line only makes the kernel
print "WARNING: 'bootconfig' found on the kernel command line but
CONFIG_BOOT_CONFIG is not set." (init/main.c).

## Example
```
bootconfig panic=10     # on a Debian 6.12 cloud kernel
```

## Fix
Put the settings on the boot loader's command line, or boot a kernel built
with `CONFIG_BOOT_CONFIG=y`.
"#,
};

impl Rule for Rule603 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let from_entry = cx.entry.and_then(|e| e.boot_config_option.clone());
        let compiled = from_entry.as_ref().map(|(on, _)| *on).or_else(|| {
            cx.kernel
                .config
                .as_ref()
                .and_then(|c| c.enabled("BOOT_CONFIG"))
        });
        if compiled != Some(false) {
            return;
        }
        let bc = cx.entry.and_then(|e| e.bootconfig.as_ref());
        let word = cx
            .cmdline
            .tokens
            .iter()
            .take_while(|t| !t.is_separator(cx.text))
            .find(|t| t.name_bytes(cx.text) == b"bootconfig");
        let at = match (word, bc) {
            (Some(t), _) => cx.token_loc(t),
            (None, Some(b)) => b
                .kernel
                .as_ref()
                .or(b.init.as_ref())
                .and_then(|c| c.locate(&(0..1)))
                .unwrap_or((b.file, 0..0)),
            (None, None) => return,
        };
        let mut d = Diagnostic::new(
            META.code,
            META.severity,
            "the kernel is built without CONFIG_BOOT_CONFIG: the bootconfig is never read",
        )
        .with_primary_at(at, "has no effect on this kernel")
        .with_help("put these settings on the boot loader's command line");
        if let Some((_, Some(line))) = from_entry {
            d = d.with_secondary_at(line, "CONFIG_BOOT_CONFIG is off");
        } else {
            d = d.with_note("the kernel config says `# CONFIG_BOOT_CONFIG is not set`");
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
    fn word_or_file_on_a_kernel_without_it() {
        let k = kernel();
        let mut e = entry("bootconfig panic=10");
        e.boot_config_option = Some((false, Some((FileId(9), 10..40))));
        let d = run_entry(&Rule603, &e, &k);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].primary.as_ref().map(|l| l.span.clone()), Some(0..10));
        assert_eq!(d[0].secondary[0].file, FileId(9));
        let mut e = entry("quiet");
        e.boot_config_option = Some((false, None));
        assert!(run_entry(&Rule603, &e, &k).is_empty());
        e.bootconfig = Some(bootconfig_source::read(FileId(2), b"kernel.panic = 1\n"));
        assert_eq!(run_entry(&Rule603, &e, &k).len(), 1);
        e.boot_config_option = Some((true, None));
        assert!(run_entry(&Rule603, &e, &k).is_empty());
    }
}
